/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotd's slot-table planner: one cyclic frame per accelerator, laid out
 * offline by EDF over worst-case kernels; see docs/planner.md.
 */
#ifndef RTSLOT_PLANNER_H
#define RTSLOT_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "rtslot/taskset.h"

struct rs_plan_slot {
	uint64_t start_us;		/* offset in the frame */
	uint64_t len_us;
	int task;			/* index into the task set */
};

struct rs_plan {
	uint64_t frame_us;
	uint32_t nslots;
	struct rs_plan_slot slot[RS_MAX_SLOTS];
};

/*
 * Plan the deadline tasks of accelerator accel (best-effort tasks run in
 * the gaps), those with in[i] set, or all when in is NULL.  0 on success;
 * a negative errno and a reason otherwise: the hyperperiod is too long, a
 * job would miss even in the plan, or the plan needs more slots than a
 * device holds.
 */
int rs_plan_table(const struct rs_taskset *ts, int accel, const uint8_t *in,
		  struct rs_plan *plan, char *why, size_t len);

#endif /* RTSLOT_PLANNER_H */
