/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The simulator: a task set on a virtual clock under one policy, driving
 * the same slot core and planner that rtslotd runs live.
 */
#ifndef RTSLOT_SIM_H
#define RTSLOT_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rtslot/taskset.h"

enum rs_sim_policy {
	RS_SIM_FIFO,	/* kernels in submission order: a GPU left alone */
	RS_SIM_RR,	/* round-robin time slices between processes */
	RS_SIM_FP,	/* the slot core, fixed priority at kernel boundaries */
	RS_SIM_EDF,	/* the slot core, EDF at kernel boundaries */
	RS_SIM_SLOT,	/* the slot core running the planner's tables */
	RS_SIM_NPOLICIES,
};

const char *rs_sim_policy_name(int policy);
/* -EINVAL when the name is none of fifo, rr, fp, edf, slot. */
int rs_sim_policy_parse(const char *name);

struct rs_sim_opts {
	int policy;			/* enum rs_sim_policy */
	uint64_t duration_us;		/* 0: rs_sim_default_duration() */
	uint64_t seed;
	int wcet;			/* every job takes wcet_us */
	uint64_t rr_quantum_us;		/* 0: 1000 */
	FILE *trace;			/* Chrome trace-event JSON, or NULL */
	uint64_t trace_max_events;	/* 0: 200000 */
};

struct rs_sim_task_stats {
	uint64_t jobs;			/* jobs due inside the run */
	uint64_t misses;
	uint64_t resp_p50_us, resp_p99_us, resp_max_us;
	uint64_t busy_us;		/* accelerator time, switches included */
};

struct rs_sim_result {
	uint32_t ntasks;
	struct rs_sim_task_stats *tasks;
	uint64_t duration_us;
	uint64_t jobs, misses;
	double miss_ratio;
	double utilization;		/* busy share of the accelerators */
};

/* Two hyperperiods or 10 s, whichever is longer (capped at 1000 s). */
uint64_t rs_sim_default_duration(const struct rs_taskset *ts);

/*
 * Run the task set.  0 on success; a negative errno with a reason (the
 * planner could not lay out a table, out of memory) otherwise.
 */
int rs_simulate(const struct rs_taskset *ts, const struct rs_sim_opts *o,
		struct rs_sim_result *res, char *why, size_t len);
void rs_sim_result_free(struct rs_sim_result *res);

#endif /* RTSLOT_SIM_H */
