/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotctl lat, top and trace: what the three BPF tools share: the end of
 * their command line ([interval [count]] [-- COMMAND...]), the run loop
 * that waits for events, reports, the command's exit or Ctrl-C, and the
 * histogram printer.
 */
#ifndef RTSLOTCTL_PROBE_H
#define RTSLOTCTL_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <rtslot/probes.h>

struct ctl_run {
	const char *cmd;		/* "lat", for messages */
	char **argv;			/* the COMMAND after "--", or NULL */
	pid_t child;
	int child_fd;			/* pidfd of the child, -1 without */
	int status;			/* its wait status, once it ended */
	bool child_done;
	uint64_t interval_ns;		/* 0: a report only at the end */
	uint64_t count;			/* reports to make; 0: no limit */
	uint64_t end_ns;		/* CLOCK_MONOTONIC end (a duration); 0: none */
	uint64_t next_ns;		/* next report due */
	uint64_t reports;
};

/* Why ctl_run_wait() returned. */
enum ctl_wake {
	CTL_REPORT,			/* an interval is over */
	CTL_END,			/* the command ended, the duration passed, Ctrl-C */
};

/*
 * Parse what follows the options: up to max_pos numbers (interval in
 * seconds, then count) when max_pos allows, then "--" and a command.
 */
int ctl_run_args(struct ctl_run *r, int argc, char **argv, int first, int max_pos);
/* Say that tracing started, then start the command (after the probes). */
int ctl_run_start(struct ctl_run *r, const char *what);
/* Hand events to p (may be NULL) until a report is due or it all ends. */
int ctl_run_wait(struct ctl_run *r, struct rtslot_probes *p);
/* Stop the command if it still runs; the exit status for rtslotctl. */
int ctl_run_finish(struct ctl_run *r);

/* "rtslotctl CMD: cannot trace: WHY". */
void ctl_probe_err(const char *cmd, const char *why);

enum ctl_unit { CTL_NSEC, CTL_USEC, CTL_MSEC };
/* A runqlat-style histogram, then its count, mean and quantiles. */
void ctl_hist_print(FILE *f, const struct rtslot_hist *h, enum ctl_unit unit);
const char *ctl_unit_name(enum ctl_unit unit);

#endif /* RTSLOTCTL_PROBE_H */
