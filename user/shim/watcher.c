// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so watcher: measures kernel durations without timing
 * events or stream callbacks.  A sampled launch is bracketed by two
 * pooled CU_EVENT_DISABLE_TIMING events; one thread polls them and takes
 * the time between the first seen complete (the kernel could start) and
 * the second (it ended).  The same thread sends job reports to rtslotd,
 * so that neither costs the app's threads a round trip.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "shim.h"

#define NSAMPLES	256
#define NPOOLS		8
#define POOL_EVENTS	128		/* a context's events: two per sample */
#define NREPORTS	64
#define LINGER_POLLS	50		/* polls with nothing to do before sleeping */
#define MAX_NAP_NS	(1000 * 1000ULL)	/* the longest poll period */

struct pool {
	CUcontext ctx;			/* NULL: unused */
	unsigned int created;
	unsigned int nfree;
	CUevent free[POOL_EVENTS];
};

struct sample {
	int used;
	uint32_t gen;			/* tells a reused slot from the one polled */
	CUcontext ctx;
	CUevent ev[2];
	struct shim_kstat *k;
	uint64_t launch_ns;
	uint64_t seen0;			/* when ev[0] was first seen complete */
	int unknown;			/* counted in shim.unknown until done */
};

struct report {
	int end;
	uint64_t ns;			/* release time, or duration */
};

static struct {
	pthread_mutex_t lock;		/* never held across a driver call */
	pthread_cond_t work, idle;
	int started, in_pass, ctx_gone;
	uint32_t gen;
	struct pool pool[NPOOLS];
	struct sample s[NSAMPLES];
	unsigned int nsamples;
	struct report rep[NREPORTS];
	unsigned int nrep;
} w = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

static __thread uint32_t launch_seq;

static void *watcher_main(void *arg);

/* Caller holds w.lock. */
static void start_locked(void)
{
	pthread_attr_t a;
	pthread_t t;
	sigset_t all, old;

	if (w.started)
		return;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	/* Signals are the app's business: keep them off this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (!pthread_create(&t, &a, watcher_main, NULL))
		w.started = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&a);
}

static struct pool *pool_of_locked(CUcontext ctx, int create)
{
	struct pool *spare = NULL;
	unsigned int i;

	for (i = 0; i < NPOOLS; i++) {
		if (w.pool[i].ctx == ctx)
			return &w.pool[i];
		if (!w.pool[i].ctx && !spare)
			spare = &w.pool[i];
	}
	if (!create || !spare)
		return NULL;
	memset(spare, 0, sizeof(*spare));
	spare->ctx = ctx;
	return spare;
}

/* Two events of ctx's pool, created (outside the lock) when it has none. */
static int take_events(const struct shim_driver *d, CUcontext ctx, CUevent ev[2])
{
	struct pool *p;
	int have = 0, i;

	pthread_mutex_lock(&w.lock);
	p = pool_of_locked(ctx, 1);
	if (p && p->nfree >= 2) {
		ev[0] = p->free[--p->nfree];
		ev[1] = p->free[--p->nfree];
		have = 1;
	} else if (p && p->created + 2 <= POOL_EVENTS) {
		p->created += 2;
		have = 2;
	}
	pthread_mutex_unlock(&w.lock);
	if (have != 2)
		return have ? 0 : -ENOSPC;
	for (i = 0; i < 2; i++)
		if (d->event_create(&ev[i], CU_EVENT_DISABLE_TIMING)) {
			if (i)
				d->event_destroy(ev[0]);
			return -ENOMEM;
		}
	return 0;
}

static void give_events_locked(CUcontext ctx, const CUevent ev[2])
{
	struct pool *p = pool_of_locked(ctx, 0);

	if (p && p->nfree + 2 <= POOL_EVENTS) {
		p->free[p->nfree++] = ev[0];
		p->free[p->nfree++] = ev[1];
	}
}

static CUresult record(const struct shim_driver *d, CUevent ev, const struct shim_launch *l)
{
	return (l->per_thread ? d->event_record_pt : d->event_record)(ev, l->stream);
}

/*
 * Sample a launch while its kernel is new (until it has a full window)
 * and one in sample_every after.  Never while any stream captures: an
 * event recorded or queried then could break a capture in global mode.
 */
int watcher_sample_begin(struct shim_launch *l)
{
	const struct shim_driver *d;

	if (!l->k || __atomic_load_n(&shim.captures, __ATOMIC_RELAXED))
		return -EAGAIN;
	if (__atomic_load_n(&l->k->samples, __ATOMIC_RELAXED) >= KSTAT_WINDOW &&
	    (++launch_seq & (shim.cfg.sample_every - 1)))
		return -EAGAIN;
	d = shim_driver();
	if (!d || d->ctx_get_current(&l->ctx) || !l->ctx)
		return -ENODEV;
	if (take_events(d, l->ctx, l->ev))
		return -ENOSPC;
	if (record(d, l->ev[0], l)) {
		pthread_mutex_lock(&w.lock);
		give_events_locked(l->ctx, l->ev);
		pthread_mutex_unlock(&w.lock);
		return -EIO;
	}
	l->sampled = 1;
	return 0;
}

void watcher_sample_end(struct shim_launch *l, CUresult launched)
{
	const struct shim_driver *d = shim_driver();
	unsigned int i;
	int ok = launched == CUDA_SUCCESS && !record(d, l->ev[1], l);

	pthread_mutex_lock(&w.lock);
	for (i = 0; ok && i < NSAMPLES && w.s[i].used; i++)
		;
	if (!ok || i == NSAMPLES) {
		give_events_locked(l->ctx, l->ev);
	} else {
		w.s[i] = (struct sample){
			.used = 1, .gen = ++w.gen, .ctx = l->ctx, .ev = { l->ev[0], l->ev[1] },
			.k = l->k, .launch_ns = l->now, .unknown = l->unknown,
		};
		if (l->unknown)
			__atomic_fetch_add(&shim.unknown, 1, __ATOMIC_RELEASE);
		w.nsamples++;
		__atomic_fetch_add(&shim.n.samples, 1, __ATOMIC_RELAXED);
		start_locked();
		pthread_cond_signal(&w.work);
	}
	pthread_mutex_unlock(&w.lock);
}

static void retire_locked(struct sample *s)
{
	if (s->unknown)
		__atomic_fetch_sub(&shim.unknown, 1, __ATOMIC_RELEASE);
	s->used = 0;
	w.nsamples--;
}

int watcher_drain(CUstream s, int per_thread, uint64_t until)
{
	struct shim_launch l = { .stream = s, .per_thread = per_thread };
	const struct shim_driver *d = shim_driver();
	struct timespec nap = { 0, (long)shim.cfg.poll_ns };
	CUresult q = CUDA_ERROR_NOT_READY;

	if (!d || d->ctx_get_current(&l.ctx) || !l.ctx || take_events(d, l.ctx, l.ev))
		return -ENODEV;
	if (!record(d, l.ev[0], &l))
		while ((q = d->event_query(l.ev[0])) == CUDA_ERROR_NOT_READY &&
		       rtslot_now_ns() < until)
			nanosleep(&nap, NULL);
	pthread_mutex_lock(&w.lock);
	give_events_locked(l.ctx, l.ev);
	pthread_mutex_unlock(&w.lock);
	return q == CUDA_SUCCESS ? 0 : -ETIME;
}

static void report(int end, uint64_t ns)
{
	pthread_mutex_lock(&w.lock);
	/* rtslotd cannot keep up: a job it never hears of is only not learned. */
	if (w.nrep < NREPORTS)
		w.rep[w.nrep++] = (struct report){ .end = end, .ns = ns };
	start_locked();
	pthread_cond_signal(&w.work);
	pthread_mutex_unlock(&w.lock);
}

void watcher_report_begin(uint64_t release_ns)
{
	report(0, release_ns);
}

void watcher_report_end(uint64_t duration_ns)
{
	report(1, duration_ns);
}

/*
 * Before a context is destroyed its events go with it: forget them, and
 * let a poll that may be touching them finish first.
 */
void watcher_ctx_gone(CUcontext ctx)
{
	struct pool *p;
	unsigned int i;

	pthread_mutex_lock(&w.lock);
	for (i = 0; i < NSAMPLES; i++)
		if (w.s[i].used && w.s[i].ctx == ctx)
			retire_locked(&w.s[i]);
	p = pool_of_locked(ctx, 0);
	if (p)
		p->ctx = NULL;
	w.ctx_gone = 1;
	while (w.in_pass)
		pthread_cond_wait(&w.idle, &w.lock);
	pthread_mutex_unlock(&w.lock);
}

void watcher_flush(void)
{
	struct timespec until;
	int i;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 200 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w.lock);
	for (i = 0; w.started && (w.nrep || w.in_pass) && i < 100; i++)
		if (pthread_cond_timedwait(&w.idle, &w.lock, &until))
			break;
	pthread_mutex_unlock(&w.lock);
}

void watcher_reset(void)
{
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.work, NULL);
	pthread_cond_init(&w.idle, NULL);
	w.started = 0;
	w.in_pass = 0;
	memset(w.pool, 0, sizeof(w.pool));
	memset(w.s, 0, sizeof(w.s));
	w.nsamples = 0;
	shim.unknown = 0;
	w.nrep = 0;
}

static void send_reports(const struct report *r, unsigned int n)
{
	struct rtslotc_advice adv;
	unsigned int i;
	int err = 0;

	pthread_rwlock_rdlock(&shim.sess);
	for (i = 0; i < n && !err; i++) {
		if (__atomic_load_n(&shim.state, __ATOMIC_ACQUIRE) != SHIM_ON)
			break;
		if (r[i].end)
			err = rtslotc_job_end(shim.task, 0, r[i].ns, &adv);
		else
			err = rtslotc_job_begin(shim.task, r[i].ns, &adv);
		if (!err)
			shim_session_advice(&adv);
	}
	pthread_rwlock_unlock(&shim.sess);
	/* rtslotd answers a report it cannot use with an error, not a hang-up. */
	if (err == -ECONNRESET || err == -EPIPE || err == -ENOTCONN || err == -EPROTO)
		shim_session_lost(err, "rtslotd went away");
}

/*
 * One look at every sample: 1 when some are still running.  They are
 * copied out under one hold of the lock and polled without it; what was
 * learned is kept only if a slot still holds the same sample (a context
 * may have gone meanwhile).
 */
static int poll_samples(const struct shim_driver *d, CUcontext *cur, uint64_t *nap_ns)
{
	static struct sample s[NSAMPLES];	/* the watcher's own: one thread */
	static CUresult q1[NSAMPLES];
	static uint64_t seen[NSAMPLES];
	unsigned int i, n = 0, idx[NSAMPLES];
	uint64_t start, est;
	CUresult q0;
	int pending = 0;

	pthread_mutex_lock(&w.lock);
	for (i = 0; i < NSAMPLES; i++)
		if (w.s[i].used) {
			idx[n] = i;
			s[n++] = w.s[i];
		}
	pthread_mutex_unlock(&w.lock);

	for (i = 0; i < n; i++) {
		if (*cur != s[i].ctx && !d->ctx_set_current(s[i].ctx))
			*cur = s[i].ctx;
		q0 = s[i].seen0 ? CUDA_SUCCESS : d->event_query(s[i].ev[0]);
		q1[i] = d->event_query(s[i].ev[1]);
		seen[i] = rtslot_now_ns();
		if (q0 == CUDA_SUCCESS && !s[i].seen0)
			s[i].seen0 = seen[i];
		/* An error on either event (a context torn down) ends the sample. */
		if (q1[i] == CUDA_ERROR_NOT_READY && q0 != CUDA_ERROR_NOT_READY && q0 != CUDA_SUCCESS)
			q1[i] = q0;
	}

	pthread_mutex_lock(&w.lock);
	for (i = 0; i < n; i++) {
		struct sample *slot = &w.s[idx[i]];

		if (!slot->used || slot->gen != s[i].gen)
			continue;
		if (q1[i] == CUDA_ERROR_NOT_READY) {
			slot->seen0 = s[i].seen0;
			pending = 1;
			/* An eighth of the shortest kernel awaited is resolution enough. */
			est = kstat_est(s[i].k, 0) / 8;
			if (est < *nap_ns)
				*nap_ns = est;
			continue;
		}
		if (q1[i] == CUDA_SUCCESS) {
			start = s[i].seen0 > s[i].launch_ns ? s[i].seen0 : s[i].launch_ns;
			kstat_add(s[i].k, seen[i] > start ? seen[i] - start : 1);
			give_events_locked(s[i].ctx, s[i].ev);
		}
		retire_locked(slot);
	}
	pthread_mutex_unlock(&w.lock);
	return pending;
}

static void *watcher_main(void *arg)
{
	const struct shim_driver *d = shim_driver();
	struct timespec nap = { 0, 0 }, wait = { 0, 0 };
	struct report rep[NREPORTS];
	CUcontext cur = NULL;
	unsigned int n, idle;
	uint64_t nap_ns;

	(void)arg;
	/* The poll period is the measurement's resolution: no timer slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	nap.tv_nsec = (long)shim.cfg.poll_ns;
	for (;;) {
		pthread_mutex_lock(&w.lock);
		/*
		 * Linger a little before sleeping: a launch that has to wake
		 * this thread pays a system call and a context switch, which
		 * is most of what sampling would cost a busy app.
		 */
		for (idle = 0; !w.nsamples && !w.nrep && idle < LINGER_POLLS; idle++) {
			pthread_mutex_unlock(&w.lock);
			nanosleep(&nap, NULL);
			pthread_mutex_lock(&w.lock);
		}
		while (!w.nsamples && !w.nrep)
			pthread_cond_wait(&w.work, &w.lock);
		n = w.nrep;
		memcpy(rep, w.rep, n * sizeof(rep[0]));
		w.nrep = 0;
		w.in_pass = 1;
		if (w.ctx_gone)
			cur = NULL;
		w.ctx_gone = 0;
		pthread_mutex_unlock(&w.lock);

		if (n)
			send_reports(rep, n);
		/* A capture in global mode forbids other threads' event calls. */
		nap_ns = MAX_NAP_NS;
		if (__atomic_load_n(&shim.captures, __ATOMIC_ACQUIRE))
			n = 1;
		else
			n = d ? (unsigned int)poll_samples(d, &cur, &nap_ns) : 0;
		if (nap_ns < shim.cfg.poll_ns)
			nap_ns = shim.cfg.poll_ns;

		pthread_mutex_lock(&w.lock);
		w.in_pass = 0;
		pthread_cond_broadcast(&w.idle);
		if (!d)
			w.nsamples = 0;
		pthread_mutex_unlock(&w.lock);
		if (n) {
			wait.tv_nsec = (long)nap_ns;
			nanosleep(&wait, NULL);
		}
	}
	return NULL;
}
