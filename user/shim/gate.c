// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so gate: before each launch, does the work fit in the
 * lease?  The fast path is a read of the lease page and a clock, no
 * system call; the slow path renews or requests the lease.  Jobs (the
 * launches between two synchronisations, or between the app's markers)
 * open and close here, and stream capture switches gating off.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>

#include "shim.h"

/*
 * shim.gate counts launches between their gate check and the return of
 * the driver call.  Whoever changes the lease (renew, release, teardown)
 * closes it and waits for that count to drain, so that no launch that
 * checked the old lease is still on its way to the driver when the lease
 * goes to another task.  Launches never wait on it: they take the slow
 * path.
 */
#define GATE_CLOSED	0x80000000u

#define SEC	1000000000ULL

static pthread_mutex_t cap_lock = PTHREAD_MUTEX_INITIALIZER;
static int warned_overlong, warned_over_bound;

uintptr_t shim_stream_key(CUstream s, int per_thread)
{
	static __thread char own_default_stream;

	if (s == CU_STREAM_PER_THREAD || (!s && per_thread))
		return (uintptr_t)&own_default_stream;
	if (!s)
		return (uintptr_t)CU_STREAM_LEGACY;
	return (uintptr_t)s;
}

static void gate_close(void)
{
	unsigned int spins = 0;
	struct timespec ts = { 0, 10000 };

	__atomic_fetch_or(&shim.gate, GATE_CLOSED, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&shim.gate, __ATOMIC_ACQUIRE) & ~GATE_CLOSED) {
		if (++spins < 64)
			sched_yield();
		else
			nanosleep(&ts, NULL);
	}
}

void shim_gate_quiesce(void)
{
	gate_close();
}

static void gate_open(void)
{
	__atomic_fetch_and(&shim.gate, ~GATE_CLOSED, __ATOMIC_RELEASE);
}

void shim_gate_reset(int forked)
{
	shim.gate = 0;
	shim.busy_until = 0;
	shim.job_open = 0;
	shim.job_streams = 0;
	/*
	 * Captures outlive a session (rtslotd may come back in the middle of
	 * one); only a forked child, which has none, starts them afresh.
	 */
	if (forked) {
		shim.captures = 0;
		memset(shim.capturing, 0, sizeof(shim.capturing));
		pthread_mutex_init(&cap_lock, NULL);
	}
}

void shim_capture_begin(CUstream s, int per_thread)
{
	uintptr_t key = shim_stream_key(s, per_thread);
	unsigned int i;

	pthread_mutex_lock(&cap_lock);
	for (i = 0; i < ARRAY_LEN(shim.capturing); i++)
		if (!shim.capturing[i]) {
			shim.capturing[i] = key;
			__atomic_fetch_add(&shim.captures, 1, __ATOMIC_RELEASE);
			break;
		}
	pthread_mutex_unlock(&cap_lock);
	if (i == ARRAY_LEN(shim.capturing))
		shim_warn("more than %u streams capture at once: launches into the others are gated",
			  (unsigned int)ARRAY_LEN(shim.capturing));
}

void shim_capture_end(CUstream s, int per_thread)
{
	uintptr_t key = shim_stream_key(s, per_thread);
	unsigned int i;

	pthread_mutex_lock(&cap_lock);
	for (i = 0; i < ARRAY_LEN(shim.capturing); i++)
		if (shim.capturing[i] == key) {
			shim.capturing[i] = 0;
			__atomic_fetch_sub(&shim.captures, 1, __ATOMIC_RELEASE);
			break;
		}
	pthread_mutex_unlock(&cap_lock);
}

int shim_capturing(CUstream s, int per_thread)
{
	uintptr_t key = shim_stream_key(s, per_thread);
	unsigned int i;
	int found = 0;

	if (!__atomic_load_n(&shim.captures, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&cap_lock);
	for (i = 0; i < ARRAY_LEN(shim.capturing) && !found; i++)
		found = shim.capturing[i] == key;
	pthread_mutex_unlock(&cap_lock);
	return found;
}

/* The grant rule, for everything this task has queued plus est. */
static int fits(uint64_t est, uint64_t now, uint64_t *busy, uint64_t *end)
{
	uint64_t start;

	*busy = __atomic_load_n(&shim.busy_until, __ATOMIC_ACQUIRE);
	start = *busy > now ? *busy : now;
	*end = start + est;
	return rtslot_lease_fits(shim.page, *end - now, now);
}

/* Caller is inside the gate (counted in shim.gate). */
static void note_stream(uintptr_t stream)
{
	if (stream != shim.job_stream && !__atomic_load_n(&shim.job_streams, __ATOMIC_RELAXED))
		__atomic_store_n(&shim.job_streams, 1, __ATOMIC_RELAXED);
}

/* Where the drain looks: the stream of the latest launch. */
static void note_launch(const struct shim_launch *l)
{
	__atomic_store_n(&shim.last_stream, l->stream, __ATOMIC_RELAXED);
	__atomic_store_n(&shim.last_per_thread, l->per_thread, __ATOMIC_RELAXED);
}

static int enter_fast(struct shim_launch *l, uintptr_t stream, uint64_t est)
{
	uint64_t now, busy, end;

	if (__atomic_fetch_add(&shim.gate, 1, __ATOMIC_ACQUIRE) & GATE_CLOSED)
		goto out;
	if (__atomic_load_n(&shim.unknown, __ATOMIC_ACQUIRE))
		goto out;
	if (!__atomic_load_n(&shim.job_open, __ATOMIC_RELAXED) && !shim.explicit_jobs)
		goto out;
	now = rtslot_now_ns();
	if (!fits(est, now, &busy, &end) ||
	    !__atomic_compare_exchange_n(&shim.busy_until, &busy, end, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		goto out;
	note_stream(stream);
	note_launch(l);
	l->gated = 1;
	l->now = now;
	return 1;
out:
	__atomic_fetch_sub(&shim.gate, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * A kernel the shim has never measured might take any time: until its
 * first sample completes, nothing else of this task is launched after it
 * (bounded, so that a lost sample cannot stall the app).
 */
static void wait_unknown(void)
{
	struct timespec nap = { 0, (long)shim.cfg.poll_ns };
	uint64_t until = rtslot_now_ns() + SEC;

	while (__atomic_load_n(&shim.unknown, __ATOMIC_ACQUIRE) && rtslot_now_ns() < until)
		nanosleep(&nap, NULL);
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / SEC), .tv_nsec = (long)(t % SEC) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Before the lease changes hands, what this task queued must be done: the
 * device cannot take it back.  An event recorded behind the latest launch
 * says when it really is (an estimate may be short); with several streams
 * the projection covers the others.  The event calls are made with the
 * gate closed and gate_lock held, safely: nothing the driver waits for is
 * behind either (the threads stopped there are outside the driver).
 */
static void drain(uint64_t now)
{
	uint64_t busy = __atomic_load_n(&shim.busy_until, __ATOMIC_ACQUIRE);
	uint64_t bound = (busy > now ? busy : now) + SEC;

	if (!busy)
		return;
	if (watcher_drain(__atomic_load_n(&shim.last_stream, __ATOMIC_RELAXED),
			  __atomic_load_n(&shim.last_per_thread, __ATOMIC_RELAXED), bound) ||
	    __atomic_load_n(&shim.job_streams, __ATOMIC_RELAXED))
		if (busy > rtslot_now_ns())
			sleep_until(busy < now + SEC ? busy : now + SEC);
}

/* Caller holds gate_lock and sess (read). */
static void job_open(uint64_t now, uintptr_t stream)
{
	shim.job_start = now;
	shim.job_stream = stream;
	shim.job_wait = 0;
	__atomic_store_n(&shim.job_cold, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&shim.job_streams, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&shim.job_open, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&shim.n.jobs, 1, __ATOMIC_RELAXED);
	watcher_report_begin(now);
}

/*
 * How much work to ask a lease for: est and an eighth more (the launch
 * comes a round trip after the grant), at least a quantum for best effort
 * so that a stream of short kernels is not one request each, and never
 * more than the task's lease bound, the non-preemptible blocking that
 * admission charged it (the page says what it is).  A kernel the shim
 * measured longer than that bound still gets a lease of the bound, and
 * runs over it: a lease cannot hold it, and the kernel cannot be split.
 */
static uint64_t lease_need(const struct shim_launch *l, uint64_t est)
{
	uint64_t need = est + est / 8;
	uint64_t bound = __atomic_load_n(&shim.page->max_lease_ns, __ATOMIC_RELAXED);

	if (__atomic_load_n(&shim.status, __ATOMIC_RELAXED) != RSP_ST_ADMITTED &&
	    need < shim.cfg.quantum_ns)
		need = shim.cfg.quantum_ns;
	if (!bound || need <= bound)
		return need;
	if (est > bound && !__atomic_exchange_n(&warned_over_bound, 1, __ATOMIC_RELAXED))
		shim_warn("kernel %s took %llu us, more than the %llu us one lease of this "
			  "task may hold: it runs past its lease (declare its real length "
			  "with RTSLOT_MAX_KERNEL_US; said once)",
			  l->k && l->k->name[0] ? l->k->name : "?",
			  (unsigned long long)(est / 1000), (unsigned long long)(bound / 1000));
	return bound;
}

/*
 * Wait until est more work fits: drain what is queued (the device runs it
 * to the end, it cannot be taken back), then renew the lease held, or
 * request one, for lease_need().  A grant is for this launch: it goes in
 * at once (2), whatever the clock says by now, or the round trip would
 * make every lease of exactly est too short for it.
 * Returns 1 to try the fast path again, 2 when l is inside the gate, or
 * -errno: the launch goes ungated (or is refused).
 */
static int gate_slow(struct shim_launch *l, uintptr_t stream, uint64_t est)
{
	struct rtslot_lease_snap snap;
	uint64_t now, busy, end, t0, need;
	int ret = 1, err = 0;

	pthread_mutex_lock(&shim.gate_lock);
	pthread_rwlock_rdlock(&shim.sess);
	if (__atomic_load_n(&shim.state, __ATOMIC_ACQUIRE) != SHIM_ON) {
		ret = -ENOTCONN;
		goto out;
	}
	wait_unknown();
	now = rtslot_now_ns();
	if (!shim.job_open && !shim.explicit_jobs)
		job_open(now, stream);
	/* Another thread may have renewed while this one waited for the lock. */
	if (fits(est, now, &busy, &end))
		goto out;
	gate_close();
	drain(now);
	need = lease_need(l, est);
	rtslot_lease_read(shim.page, &snap);
	t0 = rtslot_now_ns();
	if (snap.state == RTSLOT_LEASE_HELD)
		err = rtslotc_lease_renew(shim.task, need, shim.cfg.wait_timeout_ns);
	else
		err = rtslotc_lease_request(shim.task, need, shim.cfg.wait_timeout_ns);
	now = rtslot_now_ns();
	shim.job_wait += now - t0;
	__atomic_fetch_add(&shim.n.requests, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shim.n.waits_ns, now - t0, __ATOMIC_RELAXED);
	__atomic_store_n(&shim.busy_until, err ? now : now + est, __ATOMIC_RELEASE);
	if (!err) {
		__atomic_fetch_add(&shim.gate, 1, __ATOMIC_ACQUIRE);
		note_stream(stream);
		note_launch(l);
		l->gated = 1;
		l->now = now;
		ret = 2;
	}
	gate_open();
	switch (err) {
	case 0:
	case -EINTR:		/* a signal came first (kmod): ask again */
	case -ECANCELED:	/* the wait was ended under us: ask again */
		break;
	case -EBUSY:
		/* rtslotd thinks a lease is held that the page does not show. */
		rtslotc_lease_release(shim.task, 0, NULL);
		break;
	case -E2BIG:
	case -ETIME:
		/* Work no lease can hold, or a wait the user bounded: let it run. */
		if (!__atomic_exchange_n(&warned_overlong, 1, __ATOMIC_RELAXED))
			shim_warn("%s: launching %llu us of work ungated (said once)",
				  err == -E2BIG ? "no lease can hold it" : "RTSLOT_WAIT_MS ran out",
				  (unsigned long long)(need / 1000));
		ret = err;
		break;
	default:
		ret = err;
		break;
	}
out:
	pthread_rwlock_unlock(&shim.sess);
	pthread_mutex_unlock(&shim.gate_lock);
	if (ret < 0 && ret != -E2BIG && ret != -ETIME && ret != -ENOTCONN)
		shim_session_lost(ret, "rtslotd went away");
	return ret;
}

static CUresult ungated(int closed_refuses)
{
	if (closed_refuses && shim.cfg.fail == SHIM_FAIL_CLOSED) {
		__atomic_fetch_add(&shim.n.refused, 1, __ATOMIC_RELAXED);
		return CUDA_ERROR_NOT_PERMITTED;
	}
	__atomic_fetch_add(&shim.n.passed, 1, __ATOMIC_RELAXED);
	return CUDA_SUCCESS;
}

CUresult shim_gate_enter(struct shim_launch *l, uintptr_t key, CUstream s, int per_thread)
{
	uintptr_t stream;
	uint64_t est;
	int st, err;

	l->gated = 0;
	l->sampled = 0;
	l->unknown = 0;
	l->k = NULL;
	l->stream = s;
	l->per_thread = per_thread;
	st = __atomic_load_n(&shim.state, __ATOMIC_ACQUIRE);
	if (__builtin_expect(st != SHIM_ON, 0)) {
		shim_init();
		st = shim_session_up();
		if (st != SHIM_ON)
			return ungated(st == SHIM_REFUSE);
	}
	/* Into a graph being captured nothing runs yet: nothing to gate. */
	if (__builtin_expect(__atomic_load_n(&shim.captures, __ATOMIC_RELAXED), 0) &&
	    shim_capturing(s, per_thread))
		return CUDA_SUCCESS;
	l->k = kstat_get(key);
	est = kstat_est(l->k, shim.cfg.default_est_ns);
	l->unknown = l->k && !__atomic_load_n(&l->k->est_ns, __ATOMIC_RELAXED);
	stream = shim_stream_key(s, per_thread);
	while (!enter_fast(l, stream, est)) {
		err = gate_slow(l, stream, est);
		if (err == 2)
			break;
		if (err == -E2BIG || err == -ETIME)
			return ungated(1);
		if (err < 0) {
			st = __atomic_load_n(&shim.state, __ATOMIC_ACQUIRE);
			if (st != SHIM_ON)
				return ungated(st == SHIM_REFUSE);
		}
	}
	if (l->unknown)
		__atomic_store_n(&shim.job_cold, 1, __ATOMIC_RELAXED);
	watcher_sample_begin(l);
	return CUDA_SUCCESS;
}

void shim_gate_leave(struct shim_launch *l, CUresult launched)
{
	if (l->sampled)
		watcher_sample_end(l, launched);
	if (l->gated)
		__atomic_fetch_sub(&shim.gate, 1, __ATOMIC_RELEASE);
}

/* Caller holds gate_lock and sess (read).  Returns the release's error. */
static int job_close(uint64_t now)
{
	struct rtslot_lease_snap snap;
	uint64_t dur;
	int err = 0;

	gate_close();
	rtslot_lease_read(shim.page, &snap);
	if (snap.state == RTSLOT_LEASE_HELD)
		err = rtslotc_lease_release(shim.task, 0, NULL);
	if (err == -ENOLCK)		/* revoked meanwhile: nothing to give back */
		err = 0;
	__atomic_store_n(&shim.busy_until, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&shim.job_open, 0, __ATOMIC_RELEASE);
	gate_open();
	/*
	 * A job that ran a kernel for the first time waited for it to be
	 * measured and set up events: its time says nothing of the next
	 * job's, and would make rtslotd learn the cold start.
	 */
	dur = now - shim.job_start - shim.job_wait;
	shim_debug("job: %llu us, %llu us of it waiting for leases%s",
		   (unsigned long long)((now - shim.job_start) / 1000),
		   (unsigned long long)(shim.job_wait / 1000),
		   shim.job_cold ? " (first run of a kernel: not learned)" : "");
	watcher_report_end(__atomic_load_n(&shim.job_cold, __ATOMIC_RELAXED) ? 0 : dur);
	return err;
}

/*
 * Which synchronisations end the job: a context-wide one always; one of
 * the stream that every launch of the job went to; any other when all the
 * work launched was due to be done by now (what an app with several
 * streams gets: its estimates decide).
 */
static int sync_covers(enum shim_sync kind, CUstream s, int per_thread, uint64_t now)
{
	if (kind == SYNC_CTX)
		return 1;
	if (kind == SYNC_STREAM && !__atomic_load_n(&shim.job_streams, __ATOMIC_RELAXED) &&
	    shim_stream_key(s, per_thread) == shim.job_stream)
		return 1;
	return __atomic_load_n(&shim.busy_until, __ATOMIC_ACQUIRE) <= now;
}

void shim_sync_done(enum shim_sync kind, CUstream s, int per_thread)
{
	uint64_t now;
	int err = 0;

	if (__atomic_load_n(&shim.state, __ATOMIC_ACQUIRE) != SHIM_ON || shim.explicit_jobs ||
	    !__atomic_load_n(&shim.job_open, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&shim.gate_lock);
	pthread_rwlock_rdlock(&shim.sess);
	now = rtslot_now_ns();
	if (shim.state == SHIM_ON && shim.job_open && !shim.explicit_jobs &&
	    sync_covers(kind, s, per_thread, now))
		err = job_close(now);
	pthread_rwlock_unlock(&shim.sess);
	pthread_mutex_unlock(&shim.gate_lock);
	if (err)
		shim_session_lost(err, "rtslotd went away");
}

int shim_job_begin(void)
{
	uint64_t now;
	int err = 0;

	shim_init();
	if (shim_session_up() != SHIM_ON)
		return -ENOTCONN;
	pthread_mutex_lock(&shim.gate_lock);
	pthread_rwlock_rdlock(&shim.sess);
	now = rtslot_now_ns();
	if (shim.state != SHIM_ON) {
		err = -ENOTCONN;
	} else {
		shim.explicit_jobs = 1;
		if (shim.job_open)
			err = job_close(now);
		if (!err)
			job_open(now, 0);
	}
	pthread_rwlock_unlock(&shim.sess);
	pthread_mutex_unlock(&shim.gate_lock);
	if (err && err != -ENOTCONN)
		shim_session_lost(err, "rtslotd went away");
	return err;
}

int shim_job_end(void)
{
	uint64_t busy;
	int err = 0;

	pthread_mutex_lock(&shim.gate_lock);
	pthread_rwlock_rdlock(&shim.sess);
	if (shim.state != SHIM_ON) {
		err = -ENOTCONN;
	} else if (!shim.job_open) {
		err = -EINVAL;
	} else {
		/* The app says the job is over; its queued work may not be yet. */
		busy = __atomic_load_n(&shim.busy_until, __ATOMIC_ACQUIRE);
		if (busy > rtslot_now_ns())
			sleep_until(busy);
		err = job_close(rtslot_now_ns());
	}
	pthread_rwlock_unlock(&shim.sess);
	pthread_mutex_unlock(&shim.gate_lock);
	if (err && err != -ENOTCONN && err != -EINVAL) {
		shim_session_lost(err, "rtslotd went away");
		err = -ENOTCONN;
	}
	return err;
}
