// SPDX-License-Identifier: GPL-2.0
/*
 * What a GPU does without rtslot: kernels in submission order (fifo), or
 * time slices handed round between processes (rr).  The baselines.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim_internal.h"

#define RR_DEFAULT_QUANTUM_US	1000

static int none_init(struct sim *s, char *why, size_t len)
{
	return 0;
}

static void none_done(struct sim *s, int i)
{
}

static void none_ready(struct sim *s)
{
}

static uint64_t none_next_event(struct sim *s)
{
	return UINT64_MAX;
}

static void none_timer(struct sim *s)
{
}

static void none_fini(struct sim *s)
{
}

/*
 * Frameworks enqueue a whole inference at once, so submission order is the
 * order in which jobs arrived: the oldest released job goes first.
 */
static int fifo_pick(struct sim *s)
{
	uint64_t best_release = UINT64_MAX;
	int best = -1;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		struct sim_job *j = sim_head(s, (int)i);

		if (j && j->release < best_release) {
			best_release = j->release;
			best = (int)i;
		}
	}
	return best;
}

const struct sim_policy sim_fifo = {
	.init = none_init,
	.ready = none_ready,
	.pick = fifo_pick,
	.done = none_done,
	.next_event = none_next_event,
	.timer = none_timer,
	.fini = none_fini,
};

struct rr_state {
	int cur;
	uint64_t used;
	uint64_t quantum;
};

static int rr_init(struct sim *s, char *why, size_t len)
{
	struct rr_state *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->cur = -1;
	r->quantum = s->o->rr_quantum_us ? s->o->rr_quantum_us : RR_DEFAULT_QUANTUM_US;
	s->ps = r;
	return 0;
}

/*
 * The current process keeps the accelerator until its slice is used up,
 * checked at kernel boundaries; then the next process with work, in turn.
 */
static int rr_pick(struct sim *s)
{
	struct rr_state *r = s->ps;
	uint32_t k;

	if (r->cur >= 0 && r->used < r->quantum && sim_head(s, r->cur))
		return r->cur;
	for (k = 1; k <= s->n; k++) {
		int i = (int)((r->cur + k + s->n) % s->n);

		if (sim_head(s, i)) {
			if (i != r->cur)
				r->used = 0;
			else if (r->used >= r->quantum)
				r->used = 0;
			r->cur = i;
			return i;
		}
	}
	return -1;
}

static void rr_done(struct sim *s, int i)
{
	struct rr_state *r = s->ps;

	if (i == r->cur)
		r->used += s->now - s->run_start;
}

static void rr_fini(struct sim *s)
{
	free(s->ps);
	s->ps = NULL;
}

const struct sim_policy sim_rr = {
	.init = rr_init,
	.ready = none_ready,
	.pick = rr_pick,
	.done = rr_done,
	.next_event = none_next_event,
	.timer = none_timer,
	.fini = rr_fini,
};
