// SPDX-License-Identifier: GPL-2.0
/*
 * The device model: a lazy discrete-event simulation of one accelerator
 * that runs one kernel at a time.  Whoever holds the lock advances it from
 * its last instant to now; nothing runs in between, so no thread is needed.
 */
#include <errno.h>
#include <string.h>

#include "fc_shm.h"

static bool zero_kind(uint32_t kind)
{
	return kind == FC_MARKER || kind == FC_WAIT;
}

/* Slots are reused only once done, so a record no longer in its slot is done. */
bool fc_seq_done(struct fc_shm *d, uint64_t seq)
{
	struct fc_rec *r;

	if (!seq || seq >= d->next_seq)
		return true;
	r = fc_slot(d, seq);
	return r->seq != seq || r->state != FC_PENDING;
}

static bool eligible(struct fc_shm *d, struct fc_rec *r)
{
	if (!fc_seq_done(d, r->prev))
		return false;
	return r->kind != FC_WAIT || fc_seq_done(d, r->dep);
}

static struct fc_rec *pending(struct fc_shm *d, uint64_t seq)
{
	struct fc_rec *r = fc_slot(d, seq);

	return r->seq == seq && r->state == FC_PENDING ? r : NULL;
}

static void advance_low(struct fc_shm *d)
{
	while (d->low_seq < d->next_seq && !pending(d, d->low_seq))
		d->low_seq++;
}

static void complete(struct fc_shm *d, struct fc_rec *r)
{
	struct fc_proc *p = r->proc < FC_NPROC ? &d->proc[r->proc] : NULL;

	r->state = FC_DONE;
	r->end_ns = d->t_ns;
	if (!(r->flags & FC_REC_STARTED))
		r->start_ns = d->t_ns;
	if (zero_kind(r->kind) && d->nzero)
		d->nzero--;
	if (r->kind == FC_MARKER && r->ev < FC_NEVENT) {
		struct fc_evslot *e = &d->ev[r->ev];

		if (e->gen == r->evgen && e->seq == r->seq) {
			e->ts_ns = d->t_ns;
			e->done = 1;
		}
	}
	if (r->kind != FC_KERNEL)
		return;
	d->completed++;
	if (p) {
		p->completed++;
		fc_log_kernel(d, r);
	}
}

/*
 * Markers and waits complete the instant they become eligible.  Their
 * dependencies all have smaller sequence numbers, so one ordered pass is
 * enough for any cascade.
 */
void fc_settle(struct fc_shm *d)
{
	uint64_t s;

	for (s = d->low_seq; d->nzero && s < d->next_seq; s++) {
		struct fc_rec *r = pending(d, s);

		if (r && zero_kind(r->kind) && eligible(d, r))
			complete(d, r);
	}
	advance_low(d);
}

static uint32_t key_of(const struct fc_rec *r)
{
	return r->proc << 16 | (r->ctx & 0xffff);
}

/* The oldest eligible kernel, of one owner (key) or of anyone (all). */
static struct fc_rec *oldest(struct fc_shm *d, bool all, uint32_t key)
{
	uint64_t s;

	for (s = d->low_seq; s < d->next_seq; s++) {
		struct fc_rec *r = pending(d, s);

		if (r && r->kind == FC_KERNEL && (all || key_of(r) == key) &&
		    eligible(d, r))
			return r;
	}
	return NULL;
}

static struct fc_rec *running(struct fc_shm *d)
{
	struct fc_rec *r = d->running ? pending(d, d->running) : NULL;

	if (!r)
		d->running = 0;
	return r;
}

/* Non-preemptive: the kernel on the device keeps it until done. */
static struct fc_rec *pick_fifo(struct fc_shm *d)
{
	struct fc_rec *r = running(d);

	if (!r) {
		r = oldest(d, true, 0);
		d->running = r ? r->seq : 0;
	}
	return r;
}

/*
 * Round robin over owners (process, context) with eligible work: the
 * owner keeps the device for one slice, then the next key after it in
 * cyclic order gets a fresh slice.  A kernel cut at the slice end keeps
 * what it has left and resumes on its owner's next turn.
 */
static struct fc_rec *pick_slice(struct fc_shm *d)
{
	struct fc_rec *r, *best = NULL;
	uint32_t bestdist = 0;
	uint64_t s;

	if (d->cur_valid && d->t_ns < d->slice_end) {
		r = running(d);
		if (r && key_of(r) == d->cur_key)
			return r;
		r = oldest(d, false, d->cur_key);
		if (r) {
			d->running = r->seq;
			return r;
		}
	}
	for (s = d->low_seq; s < d->next_seq; s++) {
		uint32_t dist;

		r = pending(d, s);
		if (!r || r->kind != FC_KERNEL || !eligible(d, r))
			continue;
		/* No owner yet: arrival order decides. */
		if (!d->cur_valid) {
			best = r;
			break;
		}
		dist = key_of(r) - d->cur_key - 1;
		if (!best || dist < bestdist) {
			best = r;
			bestdist = dist;
		}
	}
	if (!best) {
		d->running = 0;
		d->cur_valid = 0;
		return NULL;
	}
	d->cur_valid = 1;
	d->cur_key = key_of(best);
	d->slice_end = d->t_ns + d->slice_ns;
	r = oldest(d, false, d->cur_key);
	d->running = r->seq;
	return r;
}

void fc_advance(struct fc_shm *d, uint64_t now)
{
	bool slice = d->mode == FC_TIMESLICE;

	fc_settle(d);
	for (;;) {
		struct fc_rec *r = slice ? pick_slice(d) : pick_fifo(d);
		uint64_t stop, step;

		if (!r) {
			if (d->t_ns < now)
				d->t_ns = now;
			break;
		}
		if (r->left_ns && d->t_ns >= now)
			break;
		if (!(r->flags & FC_REC_STARTED)) {
			r->flags |= FC_REC_STARTED;
			r->start_ns = d->t_ns;
		}
		stop = d->t_ns + r->left_ns;
		if (slice && stop > d->slice_end)
			stop = d->slice_end;
		if (stop > now)
			stop = now;
		step = stop - d->t_ns;
		r->left_ns -= step;
		d->t_ns = stop;
		d->busy_ns += step;
		if (r->proc < FC_NPROC)
			d->proc[r->proc].busy_ns += step;
		if (!r->left_ns) {
			d->running = 0;
			complete(d, r);
			fc_settle(d);
		} else if (slice && d->t_ns >= d->slice_end) {
			d->running = 0;
		}
	}
}

/*
 * The caller advanced the model to now first.  -EAGAIN: the slot the next
 * record needs still holds pending work (the push buffer is full).
 */
int fc_submit(struct fc_shm *d, const struct fc_rec *in, uint64_t *seq)
{
	uint64_t s = d->next_seq;
	struct fc_rec *r = fc_slot(d, s);

	if (r->seq && r->state == FC_PENDING)
		return -EAGAIN;
	*r = *in;
	r->seq = s;
	r->state = FC_PENDING;
	r->submit_ns = d->t_ns;
	r->start_ns = r->end_ns = 0;
	r->left_ns = r->dur_ns;
	r->flags = 0;
	r->name[FC_NAME_LEN - 1] = '\0';
	if (zero_kind(r->kind))
		d->nzero++;
	/* The event now stands for this marker, whatever it stood for before. */
	if (r->kind == FC_MARKER && r->ev < FC_NEVENT && d->ev[r->ev].gen == r->evgen) {
		d->ev[r->ev].seq = s;
		d->ev[r->ev].done = 0;
	}
	d->next_seq = s + 1;
	if (r->kind == FC_KERNEL) {
		d->submitted++;
		if (r->proc < FC_NPROC)
			d->proc[r->proc].kernels++;
	}
	*seq = s;
	return 0;
}

/*
 * When seq would complete if nothing else arrived: the work queued before
 * it (FIFO) or all queued work (timeslice).  A guess for sleeping on, never
 * for deciding: waiters look again when they wake.
 */
uint64_t fc_eta(struct fc_shm *d, uint64_t seq)
{
	uint64_t s, sum = 0, last = d->mode == FC_TIMESLICE ? d->next_seq : seq + 1;

	if (fc_seq_done(d, seq))
		return d->t_ns;
	for (s = d->low_seq; s < last && s < d->next_seq; s++) {
		struct fc_rec *r = pending(d, s);

		if (r && r->kind == FC_KERNEL)
			sum += r->left_ns;
	}
	return d->t_ns + sum;
}

void fc_host_done(struct fc_shm *d, uint64_t seq)
{
	struct fc_rec *r = pending(d, seq);

	if (r && r->kind == FC_HOST) {
		complete(d, r);
		fc_settle(d);
	}
}

/* A dead process's queued work is dropped, as context teardown would. */
void fc_drop_proc(struct fc_shm *d, uint32_t proc)
{
	uint64_t s;
	uint32_t i;

	for (s = d->low_seq; s < d->next_seq; s++) {
		struct fc_rec *r = pending(d, s);

		if (!r || r->proc != proc)
			continue;
		r->flags |= FC_REC_DROPPED;
		r->state = FC_DONE;
		r->end_ns = d->t_ns;
		if (zero_kind(r->kind) && d->nzero)
			d->nzero--;
		if (r->kind == FC_KERNEL) {
			d->dropped++;
			d->proc[proc].dropped++;
		}
		if (d->running == s)
			d->running = 0;
	}
	if (d->cur_valid && d->cur_key >> 16 == proc)
		d->cur_valid = 0;
	for (i = 0; i < FC_NEVENT; i++)
		if (d->ev[i].proc == proc + 1)
			d->ev[i].proc = 0;
	fc_settle(d);
}

int fc_ev_alloc(struct fc_shm *d, uint32_t proc, uint32_t *slot, uint32_t *gen)
{
	uint32_t i, n;

	for (n = 0; n < FC_NEVENT; n++) {
		i = (d->ev_hint + n) % FC_NEVENT;
		if (d->ev[i].proc)
			continue;
		d->ev[i].proc = proc + 1;
		d->ev[i].gen++;
		d->ev[i].seq = 0;
		d->ev[i].done = 0;
		d->ev[i].ts_ns = 0;
		d->ev_hint = i + 1;
		*slot = i;
		*gen = d->ev[i].gen;
		return 0;
	}
	return -ENOMEM;
}

void fc_ev_free(struct fc_shm *d, uint32_t slot, uint32_t gen)
{
	if (slot < FC_NEVENT && d->ev[slot].gen == gen)
		d->ev[slot].proc = 0;
}

/*
 * After a lock holder died: counters it may have left half-updated are
 * recomputed, so that no hint (nzero, running) can hide pending work.
 */
void fc_repair(struct fc_shm *d)
{
	uint64_t s;

	if (d->low_seq > d->next_seq || !d->low_seq)
		d->low_seq = d->next_seq > FC_RING ? d->next_seq - FC_RING : 1;
	d->nzero = 0;
	for (s = d->low_seq; s < d->next_seq; s++) {
		struct fc_rec *r = pending(d, s);

		if (r && zero_kind(r->kind))
			d->nzero++;
	}
	if (d->running && !pending(d, d->running))
		d->running = 0;
	if (d->t_ns > fc_now())
		d->t_ns = fc_now();
}
