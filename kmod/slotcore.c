// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslot slot core: who may use the accelerator now, and until when.
 * Freestanding (see include/rtslot/slotcore.h): built into rtslot.ko,
 * rtslotd and the simulator, and unit-tested on the host.
 */
#include "rtslot/slotcore.h"

#define for_each_task(d, t) \
	for ((t) = (d)->tasks; (t); \
	     (t) = (t)->next == (d)->tasks ? (void *)0 : (t)->next)

static rs_u64 min_u64(rs_u64 a, rs_u64 b)
{
	return a < b ? a : b;
}

void rs_dev_init(struct rs_dev *d, const struct rs_ops *ops)
{
	__builtin_memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->next_id = 1;
	d->cfg.preempt_mode = RS_PREEMPT_LAUNCH;
	d->cfg.policy = RS_POLICY_TABLE;
	d->cfg.overrun_action = RS_OVERRUN_REVOKE;
	d->cfg.frame = 10 * 1000 * RS_NSEC_PER_USEC;
	d->cfg.overrun_grace = 1000 * RS_NSEC_PER_USEC;
	d->cfg.be_max = RS_LEASE_MAX_MAX_NS;
}

rs_u64 rs_guard(const struct rs_dev *d)
{
	rs_u64 g = d->cfg.guard;

	if (d->cfg.preempt_mode == RS_PREEMPT_INSTRUCTION)
		g += d->cfg.preempt_latency;
	return g;
}

static int table_active(const struct rs_dev *d)
{
	return d->cfg.policy == RS_POLICY_TABLE && d->table.nslots;
}

struct rs_task *rs_task_find(const struct rs_dev *d, rs_u32 id)
{
	struct rs_task *t;

	if (!id)
		return (void *)0;
	for_each_task(d, t)
		if (t->id == id)
			return t;
	return (void *)0;
}

struct rs_task *rs_task_next(const struct rs_dev *d, const struct rs_task *t)
{
	if (!t)
		return d->tasks;
	return t->next == d->tasks ? (void *)0 : t->next;
}

void rs_task_attach(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	__builtin_memset(t, 0, sizeof(*t));
	/* Ids are never reused while their task lives: table owners name them. */
	do {
		t->id = d->next_id++;
	} while (!t->id || rs_task_find(d, t->id));

	if (!d->tasks) {
		t->next = t;
		t->prev = t;
		d->tasks = t;
	} else {
		t->next = d->tasks;
		t->prev = d->tasks->prev;
		d->tasks->prev->next = t;
		d->tasks->prev = t;
	}
	d->ntasks++;
}

/*
 * Server period bookkeeping of a reserved task: a hard reservation that
 * refills its budget every period.  A period that is over when the task
 * asks again starts anew at that moment (sporadic release); one that runs
 * out while the task waits or holds rolls forward in phase.
 */
static void server_start(struct rs_task *t, rs_u64 now)
{
	t->period_start = now;
	t->abs_deadline = now + t->deadline;
	t->budget = t->runtime;
	t->charge_from = now;
	t->missed = 0;
	t->throttled = 0;
}

static void server_roll(struct rs_task *t, rs_u64 now)
{
	rs_u64 k;

	if (!t->runtime || !t->abs_deadline || now < t->period_start + t->period)
		return;
	k = (now - t->period_start) / t->period;
	server_start(t, t->period_start + k * t->period);
	if (t->state == RS_TASK_HOLDING)
		t->charge_from = t->period_start;
}

static rs_u64 server_next_refill(const struct rs_task *t)
{
	return t->period_start + t->period;
}

static void charge(struct rs_task *t, rs_u64 now)
{
	rs_u64 used;

	if (!t->runtime || now <= t->charge_from)
		return;
	used = now - t->charge_from;
	t->budget = used < t->budget ? t->budget - used : 0;
	t->charge_from = now;
}

static void note_miss(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	if (!t->runtime || t->missed || now <= t->job_deadline)
		return;
	t->missed = 1;
	t->stats.misses++;
	d->stats.misses++;
	if (d->ops && d->ops->missed)
		d->ops->missed(d, t, t->job_deadline, now);
}

/* Ends t's lease: charge the budget, free the device. */
static rs_u64 end_lease(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	rs_u64 held = now > t->grant_time ? now - t->grant_time : 0;

	charge(t, now);
	t->state = RS_TASK_IDLE;
	t->lease_end = 0;
	t->stats.held_total += held;
	if (d->holder == t)
		d->holder = (void *)0;
	return held;
}

void rs_task_detach(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	if (t->state == RS_TASK_HOLDING)
		end_lease(d, t, now);
	t->state = RS_TASK_IDLE;

	if (t->next == t) {
		d->tasks = (void *)0;
	} else {
		t->prev->next = t->next;
		t->next->prev = t->prev;
		if (d->tasks == t)
			d->tasks = t->next;
	}
	t->next = (void *)0;
	t->prev = (void *)0;
	d->ntasks--;
	/* Its slots now belong to nobody: waiters may use them at once. */
	rs_tick(d, now);
}

/*
 * Truncated, as sched_setattr()'s to_ratio() does: rounding each share up
 * refused sets that fill the device exactly (three tasks of 1 ms every
 * 3 ms add up to 1000002 ppm), which rtslotd's EDF test rightly admits.
 * The sum may pass 100 % by less than 1 ppm per task.
 */
static rs_u64 task_ppm(const struct rs_task *t)
{
	if (!t->runtime)
		return 0;
	return t->runtime * 1000000ULL / t->period;
}

rs_u64 rs_utilization_ppm(const struct rs_dev *d)
{
	const struct rs_task *t;
	rs_u64 sum = 0;

	for_each_task(d, t)
		sum += task_ppm(t);
	return sum;
}

int rs_set_reservation(struct rs_dev *d, struct rs_task *t, rs_u64 runtime,
		       rs_u64 deadline, rs_u64 period, rs_s32 prio, rs_u64 now)
{
	struct rs_task probe;

	if (prio < 0 || prio > RS_PRIO_MAX)
		return -RS_EINVAL;
	if (runtime || deadline || period) {
		if (runtime < RS_RUNTIME_MIN_NS || runtime > deadline ||
		    deadline > period || period > RS_PERIOD_MAX_NS)
			return -RS_EINVAL;
		probe.runtime = runtime;
		probe.period = period;
		if (rs_utilization_ppm(d) - task_ppm(t) + task_ppm(&probe) > 1000000ULL)
			return -RS_EBUSY;
	}

	if (t->state == RS_TASK_HOLDING)
		charge(t, now);
	t->runtime = runtime;
	t->deadline = deadline;
	t->period = period;
	t->prio = prio;
	/* The new parameters take effect with a fresh server period. */
	t->abs_deadline = 0;
	t->budget = 0;
	if (runtime && t->state != RS_TASK_IDLE) {
		server_start(t, now);
		t->job_deadline = t->abs_deadline;
	} else if (!runtime) {
		t->job_deadline = RS_TIME_MAX;
	}
	rs_tick(d, now);
	return 0;
}

static rs_u64 switch_cost(const struct rs_dev *d, const struct rs_task *t)
{
	return d->last_holder && d->last_holder != t->id ? d->cfg.switch_cost : 0;
}

/* What t needs from now on: the grant rule's left side less now. */
static rs_u64 need(const struct rs_dev *d, const struct rs_task *t)
{
	return switch_cost(d, t) + t->est + rs_guard(d);
}

static int fits_before(const struct rs_dev *d, const struct rs_task *t,
		       rs_u64 now, rs_u64 end)
{
	return now + need(d, t) <= end;
}

static rs_u64 deadline_key(const struct rs_task *t)
{
	return t->runtime ? t->job_deadline : RS_TIME_MAX;
}

/* Earliest deadline, then priority, then first come; ids break ties. */
static int edf_before(const struct rs_task *a, const struct rs_task *b)
{
	if (deadline_key(a) != deadline_key(b))
		return deadline_key(a) < deadline_key(b);
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (a->req_time != b->req_time)
		return a->req_time < b->req_time;
	return a->id < b->id;
}

static int fp_before(const struct rs_task *a, const struct rs_task *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (deadline_key(a) != deadline_key(b))
		return deadline_key(a) < deadline_key(b);
	if (a->req_time != b->req_time)
		return a->req_time < b->req_time;
	return a->id < b->id;
}

/*
 * Table mode: the owner of the slot at hand, else (slack, a gap, a dead
 * owner, or a slot its owner gave back) the earliest-deadline waiter whose
 * work ends before the region does.  A slack lease is exactly as long as
 * the work asked for, so an owner who comes back is not kept out long.
 */
static struct rs_task *pick_table(struct rs_dev *d, rs_u64 now, rs_u64 *end)
{
	struct rs_task *t, *best = (void *)0;
	struct rs_slot_at at;
	struct rs_task *owner;

	if (rs_slot_at(d, now, &at))
		return (void *)0;
	owner = rs_task_find(d, at.owner);
	if (owner && owner->state == RS_TASK_WAITING &&
	    fits_before(d, owner, now, at.end)) {
		*end = at.end;
		return owner;
	}
	if (owner && now >= d->reclaim_end)
		return (void *)0;

	for_each_task(d, t)
		if (t->state == RS_TASK_WAITING && fits_before(d, t, now, at.end) &&
		    (!best || edf_before(t, best)))
			best = t;
	if (best)
		*end = now + need(d, best);
	return best;
}

/*
 * Who is served, and before whom under EDF: 0 from its reservation, 1
 * from reclaimed time (a spent reservation, with reclaim), 2 best effort,
 * 3 not at all (a spent reservation without reclaim, or throttled).
 */
static int service_rank(const struct rs_dev *d, const struct rs_task *t)
{
	if (!t->runtime)
		return 2;
	if (t->budget >= need(d, t))
		return 0;
	return d->cfg.reclaim && !t->throttled ? 1 : 3;
}

/*
 * FP orders by priority alone, as it always has (a spent reservation
 * then is best effort at its priority); EDF by rank, then deadline.
 */
static int served_before(const struct rs_dev *d, const struct rs_task *a, int ra,
			 const struct rs_task *b, int rb)
{
	if (d->cfg.policy == RS_POLICY_FP)
		return fp_before(a, b);
	if (ra != rb)
		return ra < rb;
	return edf_before(a, b);
}

/*
 * A reservation's lease: what is left of its budget, no more than its
 * bound's worth of work when it has one.
 */
static rs_u64 reserved_len(const struct rs_dev *d, const struct rs_task *t)
{
	rs_u64 bounded;

	if (!t->lease_max)
		return t->budget;
	bounded = switch_cost(d, t) + t->lease_max + rs_guard(d);
	return min_u64(t->budget, bounded);
}

/*
 * EDF and FP over reservations: a reserved task runs while its budget
 * covers the work and may keep the lease for the rest of that budget;
 * best-effort work gets a lease as long as it asked for.  With reclaim,
 * a reservation whose budget is spent is served like best effort (under
 * EDF after the budgets, ahead of the best effort) instead of idling to
 * its refill: a job delayed once would otherwise shift the server period
 * against the releases and, the budget left at each release too small
 * for a kernel, wait for a refill every period after.
 */
static struct rs_task *pick_reserved(struct rs_dev *d, rs_u64 now, rs_u64 *end)
{
	struct rs_task *t, *best = (void *)0;
	int r, best_r = 3;

	for_each_task(d, t) {
		if (t->state != RS_TASK_WAITING)
			continue;
		r = service_rank(d, t);
		if (r == 3)
			continue;
		if (!best || served_before(d, t, r, best, best_r)) {
			best = t;
			best_r = r;
		}
	}
	if (best)
		*end = now + (best_r ? need(d, best) : reserved_len(d, best));
	return best;
}

/*
 * Would a waiter be served before the holder if the device were free now?
 * Then the holder is asked to give way at its next kernel boundary: that
 * is what makes dispatch preemptive at kernel boundaries while a lease
 * still bounds how long a holder that ignores the request can block.
 */
static void ask_yield(struct rs_dev *d, rs_u64 now)
{
	struct rs_task *h = d->holder, *w = (void *)0;
	rs_u64 end;

	if (h->yield)
		return;
	if (table_active(d)) {
		struct rs_slot_at at;

		/* An owner inside its own slot never gives way. */
		if (rs_slot_at(d, now, &at) || at.owner == h->id)
			return;
		w = pick_table(d, now, &end);
		if (w && w->id != at.owner && !edf_before(w, h))
			w = (void *)0;
	} else {
		int hr = !h->runtime ? 2 : h->background;

		w = pick_reserved(d, now, &end);
		if (w && !served_before(d, w, service_rank(d, w), h, hr))
			w = (void *)0;
	}
	if (!w)
		return;
	h->yield = 1;
	if (d->ops && d->ops->yield)
		d->ops->yield(d, h, now);
}

static void grant(struct rs_dev *d, struct rs_task *t, rs_u64 now, rs_u64 end)
{
	rs_u64 wait = now - t->req_time;

	t->state = RS_TASK_HOLDING;
	t->grant_time = now;
	t->charge_from = now;
	t->lease_end = end;
	t->overran = 0;
	t->yield = 0;
	t->generation++;
	d->holder = t;
	d->last_holder = t->id;

	t->stats.grants++;
	t->stats.wait_total += wait;
	if (wait > t->stats.wait_max)
		t->stats.wait_max = wait;
	d->stats.grants++;
	d->stats.wait_total += wait;
	if (wait > d->stats.wait_max)
		d->stats.wait_max = wait;

	if (d->ops && d->ops->granted)
		d->ops->granted(d, t, now, wait);
	note_miss(d, t, now);
}

static void check_overrun(struct rs_dev *d, rs_u64 now)
{
	struct rs_task *t = d->holder;
	rs_u32 action = d->cfg.overrun_action;

	if (!t || t->overran || now <= t->lease_end + d->cfg.overrun_grace)
		return;
	t->overran = 1;
	t->stats.overruns++;
	d->stats.overruns++;
	if (d->ops && d->ops->overrun)
		d->ops->overrun(d, t, now - t->lease_end, action, now);
	if (action == RS_OVERRUN_LOG)
		return;

	end_lease(d, t, now);
	if (action == RS_OVERRUN_THROTTLE) {
		t->budget = 0;
		t->throttled = 1;
	}
	d->stats.revokes++;
	if (d->ops && d->ops->revoked)
		d->ops->revoked(d, t, now);
}

void rs_tick(struct rs_dev *d, rs_u64 now)
{
	struct rs_task *t;
	rs_u64 end = 0;

	if (d->has_pending && now >= d->pending_at) {
		d->table = d->pending;
		d->epoch = d->pending_at;
		d->has_pending = 0;
		d->reclaim_end = 0;
		d->stats.table_switches++;
		if (d->ops && d->ops->table_switched)
			d->ops->table_switched(d, &d->table, d->epoch);
	}
	check_overrun(d, now);
	for_each_task(d, t)
		if (t->state != RS_TASK_IDLE)
			server_roll(t, now);
	if (d->holder) {
		ask_yield(d, now);
		return;
	}

	if (table_active(d)) {
		t = pick_table(d, now, &end);
		if (t)
			t->background = 0;
	} else {
		t = pick_reserved(d, now, &end);
		if (t)
			t->background = service_rank(d, t) == 1;
	}
	if (t)
		grant(d, t, now, end);
}

rs_u64 rs_next_event(const struct rs_dev *d, rs_u64 now)
{
	const struct rs_task *t;
	rs_u64 next = RS_TIME_MAX;
	struct rs_slot_at at;
	int waiting = 0;

	if (d->has_pending)
		next = d->pending_at;
	if (d->holder && !d->holder->overran)
		next = min_u64(next, d->holder->lease_end + d->cfg.overrun_grace + 1);

	for_each_task(d, t) {
		if (t->state != RS_TASK_WAITING)
			continue;
		waiting = 1;
		if (t->runtime && t->abs_deadline && !table_active(d) &&
		    t->budget < need(d, t))
			next = min_u64(next, server_next_refill(t));
	}
	/* A waiter that does not fit now may fit in the next slot. */
	if (waiting && !d->holder && table_active(d) && !rs_slot_at(d, now, &at))
		next = min_u64(next, at.end);
	return next;
}

static int check_request(const struct rs_dev *d, const struct rs_task *t, rs_u64 est)
{
	rs_u64 g = rs_guard(d);

	if (!est)
		return -RS_EINVAL;
	if (est > RS_PERIOD_MAX_NS || est > rs_lease_bound(d, t) ||
	    (table_active(d) && est + g > d->cfg.frame) ||
	    (t->runtime && est + g + d->cfg.switch_cost > t->runtime))
		return -RS_E2BIG;
	return 0;
}

/*
 * The CBS wake-up rule (as SCHED_DEADLINE applies it): a new job keeps the
 * current server period only if the budget left fits the reserved
 * bandwidth until the period's deadline.  Otherwise a request that came a
 * little early (wake-up jitter) would inherit a nearly spent period, wait
 * for the refill and be charged a miss it did not have.
 */
static int period_is_stale(const struct rs_task *t, rs_u64 now)
{
	if (!t->abs_deadline || now >= t->abs_deadline)
		return 1;
	return (rs_u128)t->budget * t->period >
	       (rs_u128)(t->abs_deadline - now) * t->runtime;
}

/* new_job: a request from idle; a renewal continues the job it serves. */
static void enqueue(struct rs_dev *d, struct rs_task *t, rs_u64 est, rs_u64 now,
		    int new_job)
{
	if (t->runtime) {
		if (!t->abs_deadline || now >= server_next_refill(t) ||
		    (new_job && period_is_stale(t, now)))
			server_start(t, now);
		t->job_deadline = t->abs_deadline;
	} else {
		t->job_deadline = RS_TIME_MAX;
	}
	t->est = est;
	t->req_time = now;
	t->state = RS_TASK_WAITING;
	t->stats.requests++;
	d->stats.requests++;
	rs_tick(d, now);
}

int rs_request(struct rs_dev *d, struct rs_task *t, rs_u64 est, rs_u64 now)
{
	int err = check_request(d, t, est);

	if (err)
		return err;
	if (t->state != RS_TASK_IDLE)
		return -RS_EBUSY;
	enqueue(d, t, est, now, 1);
	return 0;
}

int rs_renew(struct rs_dev *d, struct rs_task *t, rs_u64 est, rs_u64 now)
{
	int err = check_request(d, t, est);

	if (err)
		return err;
	if (t->state == RS_TASK_WAITING)
		return -RS_EBUSY;
	if (t->state == RS_TASK_HOLDING) {
		end_lease(d, t, now);
		t->stats.releases++;
		d->stats.releases++;
		note_miss(d, t, now);
	}
	enqueue(d, t, est, now, 0);
	return 0;
}

void rs_cancel(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	if (t->state != RS_TASK_WAITING)
		return;
	t->state = RS_TASK_IDLE;
	t->stats.cancels++;
	d->stats.cancels++;
	note_miss(d, t, now);
}

int rs_release(struct rs_dev *d, struct rs_task *t, rs_u64 actual, rs_u64 now,
	       rs_u64 *held)
{
	struct rs_slot_at at;
	rs_u64 h;

	if (t->state != RS_TASK_HOLDING)
		return -RS_ENOLCK;
	h = end_lease(d, t, now);
	if (held)
		*held = h;
	t->stats.releases++;
	d->stats.releases++;
	note_miss(d, t, now);

	/* Finished early inside its own slot: the rest is slack from now. */
	if (table_active(d) && !rs_slot_at(d, now, &at) && at.owner == t->id &&
	    now < at.end) {
		d->reclaim_end = at.end;
		d->stats.reclaims++;
	}
	rs_tick(d, now);
	return 0;
}
