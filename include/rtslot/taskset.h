/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The task-set model shared by the simulator, the admission analysis and
 * rtslotd: accelerators, periodic/sporadic DNN tasks and their kernels.
 */
#ifndef RTSLOT_TASKSET_H
#define RTSLOT_TASKSET_H

#include <stddef.h>
#include <stdint.h>

#include "rtslot/slotcore.h"

#define RS_SPEC_NAME_LEN	32
#define RS_SPEC_MAX_KERNELS	4096
#define RS_SPEC_MAX_VARIANTS	16

enum rs_criticality {
	RS_CRIT_HIGH = 0,
	RS_CRIT_LOW = 1,
	RS_CRIT_BEST_EFFORT = 2,
};

struct rs_accel_spec {
	char name[RS_SPEC_NAME_LEN];
	int preempt;			/* enum rs_preempt_mode */
	uint64_t preempt_latency_us;
	uint64_t switch_us;
};

struct rs_variant_spec {
	char name[RS_SPEC_NAME_LEN];
	double scale;			/* execution-time factor */
	double accuracy;
};

/* All times in microseconds, as in the task-set file. */
struct rs_task_spec {
	char name[RS_SPEC_NAME_LEN];
	int accel;			/* index into rs_taskset.accels */
	uint64_t period_us;
	uint64_t deadline_us;		/* 0 only for best effort without one */
	uint64_t offset_us;
	uint64_t jitter_us;
	uint64_t wcet_us;		/* the sum of kernels_us when given */
	uint64_t bcet_us;
	uint32_t kernels;
	uint64_t max_kernel_us;
	uint32_t nkernels_us;		/* > 0: kernels_us lists every kernel */
	uint64_t *kernels_us;
	int32_t priority;		/* larger is more important */
	int criticality;		/* enum rs_criticality */
	uint32_t nvariants;
	struct rs_variant_spec variants[RS_SPEC_MAX_VARIANTS];
};

struct rs_taskset {
	uint32_t naccels;
	struct rs_accel_spec *accels;
	uint32_t ntasks;
	struct rs_task_spec *tasks;
};

/*
 * Parse a task-set file.  On error returns a negative errno and writes a
 * message naming the offending field ("tasks[2].period_us: ...") to err.
 */
int rs_taskset_load(const char *path, struct rs_taskset *ts, char *err, size_t errlen);
int rs_taskset_parse(const char *json, struct rs_taskset *ts, char *err, size_t errlen);
void rs_taskset_free(struct rs_taskset *ts);

/*
 * Split a job of execution time c into its non-preemptible kernels: the
 * first min(max_kernel_us, c), the rest of c evenly over the others with
 * the remainder on the last; kernels_us, when given, overrides.  Returns
 * the number of kernels written to out (at most max).
 */
uint32_t rs_job_kernels(const struct rs_task_spec *t, uint64_t c, uint64_t *out,
			uint32_t max);

/* The longest kernel of any job: q, the non-preemptible unit. */
uint64_t rs_task_max_kernel(const struct rs_task_spec *t);

int rs_taskset_find_task(const struct rs_taskset *ts, const char *name);

/* The lcm of two periods; UINT64_MAX once it would pass cap. */
uint64_t rs_lcm_capped(uint64_t a, uint64_t b, uint64_t cap);
/* The hyperperiod of all tasks, or UINT64_MAX when longer than cap. */
uint64_t rs_taskset_hyperperiod(const struct rs_taskset *ts, uint64_t cap);

#endif /* RTSLOT_TASKSET_H */
