/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotctl work: its options, the record kept per job, and the two halves
 * that run the jobs (work_run.c) and report on them (work_report.c).
 */
#ifndef RTSLOTCTL_WORK_H
#define RTSLOTCTL_WORK_H

#include <stdint.h>

#include <rtslot/dev.h>

struct work_opts {
	unsigned int index;
	const char *name;
	const char *id_file;
	const char *sync_file;
	uint64_t est_ns, hold_ns, jobs;
	uint64_t runtime_ns, deadline_ns, period_ns;	/* all 0: best effort */
	uint64_t interval_ns;				/* 0: back to back */
	uint64_t timeout_ns;				/* 0: wait forever */
	int prio, has_prio, quiet;
};

/* Times are CLOCK_MONOTONIC ns. */
struct work_job {
	uint64_t release;	/* the job became ready and asked for a lease */
	uint64_t wait_ns;	/* request to grant, as the kernel measured it */
	uint64_t lease_ns;	/* lease end minus grant (lease page) */
	uint64_t held_ns;	/* grant to release (kernel); 0 when revoked */
	uint64_t end;		/* the job released its lease */
	int fits;		/* hold fitted the lease at grant (fast-path rule) */
	int revoked;		/* the kernel took the lease back: overrun */
};

/* Runs the jobs; *done counts the finished ones, also on error. */
int work_run(struct rtslot_dev *d, const struct work_opts *o, struct work_job *jobs,
	     uint64_t *done);
void work_report(const struct rtslot_dev *d, const struct work_opts *o,
		 const struct work_job *jobs, uint64_t n);

#endif /* RTSLOTCTL_WORK_H */
