// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl work: the job loop.  Each job asks for a lease, checks the
 * lease page agrees with what the ioctl returned, spins for the hold time
 * (the stand-in for accelerator work) and releases.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "rtslotctl.h"
#include "work.h"

static void sleep_until(uint64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000ULL), (long)(t % 1000000000ULL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void report_request(const struct work_opts *o, uint64_t k, int err)
{
	if (err == -ETIME)
		fprintf(stderr, "rtslotctl work: job %llu: no lease within %llu ms "
			"(--timeout-ms)\n", (unsigned long long)k,
			(unsigned long long)(o->timeout_ns / 1000000));
	else if (err == -E2BIG)
		fprintf(stderr, "rtslotctl work: --est-us %llu can never be granted: it is "
			"longer than the frame or than the runtime (with guard and switch)\n",
			(unsigned long long)(o->est_ns / 1000));
	else
		ctl_err("work", "RTSLOT_IOC_LEASE_REQUEST", err);
}

static int run_job(struct rtslot_dev *d, const struct work_opts *o, uint64_t k,
		   struct work_job *j)
{
	struct rtslot_lease_snap snap;
	struct rtslot_grant g;
	uint64_t t0, now;
	int ret;

	ret = rtslot_lease_request(d, o->est_ns, o->timeout_ns, &g);
	t0 = rtslot_now_ns();
	if (ret) {
		report_request(o, k, ret);
		return ret;
	}
	j->wait_ns = g.wait_ns;
	rtslot_lease_read(d->page, &snap);
	/* Only our own grants bump the generation, and we asked for no other. */
	if (snap.generation != g.generation) {
		fprintf(stderr, "rtslotctl work: job %llu: lease page has generation %llu, "
			"the grant said %llu\n", (unsigned long long)k,
			(unsigned long long)snap.generation,
			(unsigned long long)g.generation);
		return -EPROTO;
	}
	/* A lease revoked already (a stalled holder) has no grant time left. */
	j->lease_ns = snap.state == RTSLOT_LEASE_HELD ? g.lease_end_ns - snap.granted_ns : 0;
	j->fits = rtslot_snap_fits(&snap, o->hold_ns, t0);

	do
		now = rtslot_now_ns();
	while (now - t0 < o->hold_ns);

	ret = rtslot_lease_release(d, now - t0, &j->held_ns);
	j->end = rtslot_now_ns();
	if (ret == -ENOLCK) {
		/* Overrun and revoked: an outcome to report, not a failure. */
		j->revoked = 1;
		return 0;
	}
	if (ret)
		ctl_err("work", "RTSLOT_IOC_LEASE_RELEASE", ret);
	return ret;
}

int work_run(struct rtslot_dev *d, const struct work_opts *o, struct work_job *jobs,
	     uint64_t *done)
{
	uint64_t start = rtslot_now_ns();
	uint64_t k;
	int ret;

	for (k = 0; k < o->jobs; k++) {
		struct work_job *j = &jobs[k];

		if (o->interval_ns) {
			/* A periodic job is due at its slot even if we got there late. */
			j->release = start + k * o->interval_ns;
			sleep_until(j->release);
		} else {
			j->release = rtslot_now_ns();
		}
		ret = run_job(d, o, k, j);
		if (ret)
			return ret;
		*done = k + 1;
	}
	return 0;
}
