// SPDX-License-Identifier: GPL-2.0
/*
 * The simulator's engine: releases jobs, runs one kernel at a time on each
 * accelerator, asks the policy whose kernel is next, keeps the statistics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

#define DEFAULT_MIN_US	(10ULL * 1000 * 1000)
#define DEFAULT_MAX_US	(1000ULL * 1000 * 1000)

static const char *const policy_names[RS_SIM_NPOLICIES] = {
	"fifo", "rr", "fp", "edf", "slot",
};

const char *rs_sim_policy_name(int policy)
{
	return policy >= 0 && policy < RS_SIM_NPOLICIES ? policy_names[policy] : "?";
}

int rs_sim_policy_parse(const char *name)
{
	int i;

	for (i = 0; i < RS_SIM_NPOLICIES; i++)
		if (!strcmp(name, policy_names[i]))
			return i;
	return -EINVAL;
}

uint64_t rs_sim_default_duration(const struct rs_taskset *ts)
{
	uint64_t h = rs_taskset_hyperperiod(ts, DEFAULT_MAX_US / 2);

	if (h == UINT64_MAX)
		return DEFAULT_MAX_US;
	return 2 * h > DEFAULT_MIN_US ? 2 * h : DEFAULT_MIN_US;
}

/* splitmix64: a small, well-mixed generator per task, seeded apart. */
static uint64_t next_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t uniform(uint64_t *x, uint64_t lo, uint64_t hi)
{
	return hi <= lo ? lo : lo + next_rand(x) % (hi - lo + 1);
}

struct sim_job *sim_head(struct sim *s, int i)
{
	struct sim_task *t = &s->t[i];
	struct sim_job *j;

	if (!t->qlen)
		return NULL;
	j = &t->q[t->qhead];
	return j->release <= s->now ? j : NULL;
}

uint64_t sim_next_kernel(struct sim *s, int i)
{
	struct sim_job *j = sim_head(s, i);

	return j ? j->k[j->next] : 0;
}

static int push_job(struct sim_task *t, const struct sim_job *j)
{
	if (t->qhead + t->qlen == t->qcap) {
		if (t->qhead) {
			memmove(t->q, t->q + t->qhead, t->qlen * sizeof(*t->q));
			t->qhead = 0;
		} else {
			size_t cap = t->qcap ? 2 * t->qcap : 16;
			struct sim_job *q = realloc(t->q, cap * sizeof(*q));

			if (!q)
				return -ENOMEM;
			t->q = q;
			t->qcap = cap;
		}
	}
	t->q[t->qhead + t->qlen++] = *j;
	return 0;
}

static int make_job(struct sim *s, struct sim_task *t, struct sim_job *j)
{
	const struct rs_task_spec *sp = t->spec;
	uint64_t c = s->o->wcet ? sp->wcet_us : uniform(&t->rng, sp->bcet_us, sp->wcet_us);
	uint32_t n, k, m = 0;

	j->act = t->next_act;
	j->release = j->act + (sp->jitter_us ? uniform(&t->rng, 0, sp->jitter_us) : 0);
	j->deadline = sp->deadline_us ? j->act + sp->deadline_us : UINT64_MAX;
	j->k = malloc(sp->kernels * sizeof(*j->k));
	if (!j->k)
		return -ENOMEM;
	n = rs_job_kernels(sp, c, j->k, sp->kernels);
	for (k = 0; k < n; k++)
		if (j->k[k])
			j->k[m++] = j->k[k];
	if (!m)		/* an empty job still takes its turn */
		j->k[m++] = 1;
	j->nk = m;
	j->next = 0;
	return 0;
}

static int record_resp(struct sim_task *t, uint64_t r)
{
	if (t->nresp == t->respcap) {
		size_t cap = t->respcap ? 2 * t->respcap : 64;
		uint64_t *v = realloc(t->resp, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->resp = v;
		t->respcap = cap;
	}
	t->resp[t->nresp++] = r;
	return 0;
}

static int release_due(struct sim *s)
{
	uint32_t i;
	int err;

	for (i = 0; i < s->n; i++) {
		struct sim_task *t = &s->t[i];

		while (t->next_act <= s->now && t->next_act < s->end) {
			struct sim_job j;

			err = make_job(s, t, &j);
			if (!err)
				err = push_job(t, &j);
			if (err)
				return err;
			if (s->trace)
				sim_trace_instant(s->trace, s->accel, t->idx, "release", j.act);
			t->next_act += t->spec->period_us;
		}
	}
	return 0;
}

static uint64_t next_release(struct sim *s)
{
	uint64_t next = UINT64_MAX;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		struct sim_task *t = &s->t[i];
		size_t q;

		if (t->next_act < s->end && t->next_act < next)
			next = t->next_act;
		/* Jittered jobs are queued at activation but arrive later. */
		for (q = 0; q < t->qlen; q++) {
			uint64_t r = t->q[t->qhead + q].release;

			if (r > s->now && r < next)
				next = r;
		}
	}
	return next;
}

static void start_kernel(struct sim *s, int i)
{
	const struct rs_accel_spec *a = &s->ts->accels[s->accel];
	uint64_t sw = s->last >= 0 && s->last != i ? a->switch_us : 0;

	s->running = i;
	s->run_start = s->now;
	s->run_end = s->now + sw + sim_next_kernel(s, i);
}

static int finish_kernel(struct sim *s)
{
	int i = s->running;
	struct sim_task *t = &s->t[i];
	struct sim_job *j = &t->q[t->qhead];
	int err = 0;

	t->st.busy_us += s->now - s->run_start;
	if (s->trace)
		sim_trace_span(s->trace, s->accel, t->idx, "kernel", s->run_start,
			       s->now - s->run_start);
	s->running = -1;
	s->last = i;
	if (++j->next < j->nk)
		goto out;

	/* The job is done. */
	if (j->deadline != UINT64_MAX && j->deadline <= s->end) {
		t->st.jobs++;
		if (s->now > j->deadline) {
			t->st.misses++;
			if (s->trace)
				sim_trace_instant(s->trace, s->accel, t->idx, "miss", s->now);
		}
		err = record_resp(t, s->now - j->act);
	} else if (j->deadline == UINT64_MAX) {
		t->st.jobs++;
		err = record_resp(t, s->now - j->act);
	}
	free(j->k);
	t->qhead++;
	t->qlen--;
out:
	s->pol->done(s, i);
	return err;
}

/* Jobs still queued at the end that were due inside the run missed. */
static void count_unfinished(struct sim *s)
{
	uint32_t i;
	size_t q;

	for (i = 0; i < s->n; i++) {
		struct sim_task *t = &s->t[i];

		for (q = 0; q < t->qlen; q++) {
			struct sim_job *j = &t->q[t->qhead + q];

			if (j->deadline != UINT64_MAX && j->deadline <= s->end) {
				t->st.jobs++;
				t->st.misses++;
			}
			free(j->k);
		}
		t->qlen = 0;
	}
}

/* Releases due at s->now, and the policy told at once, as the shim would. */
static int arrive(struct sim *s)
{
	int err = release_due(s);

	if (!err)
		s->pol->ready(s);
	return err;
}

static int run(struct sim *s)
{
	int err;

	for (;;) {
		uint64_t next, pe;

		err = arrive(s);
		if (err)
			return err;
		if (s->running < 0) {
			int i = s->pol->pick(s);

			if (i >= 0)
				start_kernel(s, i);
		}
		next = next_release(s);
		if (s->running >= 0 && s->run_end < next)
			next = s->run_end;
		pe = s->pol->next_event(s);
		if (pe <= s->now)
			pe = s->now + 1;
		if (pe < next)
			next = pe;
		if (next > s->end)
			break;
		s->now = next;
		/* Work arriving at a kernel boundary is seen at that boundary. */
		err = arrive(s);
		if (err)
			return err;
		if (s->running >= 0 && s->now == s->run_end) {
			err = finish_kernel(s);
			if (err)
				return err;
			s->pol->ready(s);
		}
		/* Like the module's hrtimer: it fires at the time it was set for. */
		if (pe <= s->now)
			s->pol->timer(s);
	}
	if (s->running >= 0)
		s->t[s->running].st.busy_us += s->end - s->run_start;
	count_unfinished(s);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t pct(const uint64_t *v, size_t n, unsigned int p)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (n * p + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

static const struct sim_policy *policy_of(int p)
{
	switch (p) {
	case RS_SIM_FIFO:
		return &sim_fifo;
	case RS_SIM_RR:
		return &sim_rr;
	default:
		return &sim_gated;
	}
}

static int simulate_accel(const struct rs_taskset *ts, const struct rs_sim_opts *o,
			  int accel, uint64_t end, struct sim_trace *tr,
			  struct rs_sim_result *res, char *why, size_t len)
{
	struct sim s = {
		.ts = ts, .o = o, .accel = accel, .end = end, .running = -1, .last = -1,
		.pol = policy_of(o->policy), .trace = tr,
	};
	uint32_t i;
	int err;

	s.t = calloc(ts->ntasks ? ts->ntasks : 1, sizeof(*s.t));
	if (!s.t)
		return -ENOMEM;
	for (i = 0; i < ts->ntasks; i++) {
		struct sim_task *t;

		if (ts->tasks[i].accel != accel)
			continue;
		t = &s.t[s.n++];
		t->spec = &ts->tasks[i];
		t->idx = (int)i;
		t->rng = o->seed * 0x100000001b3ULL + i + 1;
		t->next_act = ts->tasks[i].offset_us;
	}
	err = s.pol->init(&s, why, len);
	if (!err)
		err = run(&s);
	s.pol->fini(&s);

	for (i = 0; i < s.n; i++) {
		struct sim_task *t = &s.t[i];
		struct rs_sim_task_stats *st = &res->tasks[t->idx];

		if (t->nresp)
			qsort(t->resp, t->nresp, sizeof(*t->resp), cmp_u64);
		*st = t->st;
		st->resp_p50_us = pct(t->resp, t->nresp, 50);
		st->resp_p99_us = pct(t->resp, t->nresp, 99);
		st->resp_max_us = t->nresp ? t->resp[t->nresp - 1] : 0;
		free(t->resp);
		free(t->q);
	}
	free(s.t);
	return err;
}

int rs_simulate(const struct rs_taskset *ts, const struct rs_sim_opts *o,
		struct rs_sim_result *res, char *why, size_t len)
{
	uint64_t end = o->duration_us ? o->duration_us : rs_sim_default_duration(ts);
	struct sim_trace *tr = NULL;
	uint64_t busy = 0;
	uint32_t a, i;
	int err = 0;

	memset(res, 0, sizeof(*res));
	if (o->policy < 0 || o->policy >= RS_SIM_NPOLICIES) {
		snprintf(why, len, "unknown policy %d", o->policy);
		return -EINVAL;
	}
	res->tasks = calloc(ts->ntasks ? ts->ntasks : 1, sizeof(*res->tasks));
	if (!res->tasks) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	res->ntasks = ts->ntasks;
	res->duration_us = end;
	if (o->trace) {
		tr = sim_trace_open(o->trace, o->trace_max_events);
		if (!tr) {
			snprintf(why, len, "out of memory");
			return -ENOMEM;
		}
		sim_trace_names(tr, ts);
	}
	for (a = 0; a < ts->naccels && !err; a++)
		err = simulate_accel(ts, o, (int)a, end, tr, res, why, len);
	if (tr)
		sim_trace_close(tr);
	if (err) {
		if (err == -ENOMEM)
			snprintf(why, len, "out of memory");
		return err;
	}
	for (i = 0; i < ts->ntasks; i++) {
		res->jobs += res->tasks[i].jobs;
		res->misses += res->tasks[i].misses;
		busy += res->tasks[i].busy_us;
	}
	res->miss_ratio = res->jobs ? (double)res->misses / res->jobs : 0.0;
	res->utilization = (double)busy / ((double)end * ts->naccels);
	return 0;
}

void rs_sim_result_free(struct rs_sim_result *res)
{
	free(res->tasks);
	memset(res, 0, sizeof(*res));
}
