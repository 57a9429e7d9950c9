/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Admission analysis with non-preemptive blocking: the EDF demand-bound
 * test and fixed-priority response-time analysis, per accelerator.
 */
#ifndef RTSLOT_ANALYSIS_H
#define RTSLOT_ANALYSIS_H

#include <stdint.h>

#include "rtslot/taskset.h"

#define RS_REASON_LEN	192

enum rs_test {
	RS_TEST_EDF,	/* dbf(L) + max{ q_j : D_j > L } <= L at every deadline L */
	RS_TEST_FP,	/* response-time analysis with a blocking term */
	RS_TEST_SLOT,	/* the planner lays out a table with no miss */
};

struct rs_task_verdict {
	int admitted;
	uint64_t response_us;	/* FP: worst-case response bound; EDF: 0 */
	char reason[RS_REASON_LEN];
};

/*
 * The analysis view of one task: execution time inflated by one switch
 * per kernel, deadline shortened by release jitter, q the longest stretch
 * that cannot be preempted, last the final one (fixed priority).
 */
struct rs_task_params {
	uint64_t c, d, t, q, last, jitter;
	int64_t prio;
	int rt;			/* has a deadline: high or low criticality */
};

void rs_task_params(const struct rs_taskset *ts, uint32_t i, struct rs_task_params *p);

/*
 * Is the subset in[] of accelerator accel schedulable?  0 when it is,
 * else 1 with a reason a person can act on (which task, by how much).
 */
int rs_edf_check(const struct rs_taskset *ts, int accel, const uint8_t *in,
		 char *reason, size_t len);
int rs_fp_check(const struct rs_taskset *ts, int accel, const uint8_t *in,
		uint64_t *response, char *reason, size_t len);

/*
 * Admit tasks one by one, most critical first (criticality, then
 * priority, then file order), each against those admitted before it.
 * Best-effort tasks are always admitted: they run in slack, and their
 * kernels count as blocking for the others.  v[] has ts->ntasks entries.
 * Returns the number of tasks rejected.
 */
int rs_admit(const struct rs_taskset *ts, enum rs_test test, struct rs_task_verdict *v);

#endif /* RTSLOT_ANALYSIS_H */
