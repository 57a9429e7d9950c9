/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Random task sets for the schedulability sweep and the property tests:
 * utilisations by UUniFast-Discard, periods drawn from a set.
 */
#ifndef RTSLOT_GEN_H
#define RTSLOT_GEN_H

#include <stdint.h>

#include "rtslot/taskset.h"

#define RS_GEN_MAX_PERIODS	32

struct rs_gen_params {
	uint32_t ntasks;
	double utilization;		/* total, on the one accelerator */
	uint32_t nperiods;
	uint64_t periods_us[RS_GEN_MAX_PERIODS];
	uint32_t kernels_min, kernels_max;
	double deadline_min;		/* D drawn in [deadline_min * T, T] */
	double bcet_ratio;		/* bcet = ratio * wcet */
	uint64_t switch_us;
	uint64_t seed;
};

/* Sensible defaults: 5 tasks, periods 10/20/25/50/100 ms, 4..16 kernels. */
void rs_gen_defaults(struct rs_gen_params *p);

/*
 * A task set on one accelerator "gpu0" whose utilisations add up to
 * p->utilization (each task at most 1).  -EINVAL on bad parameters.
 */
int rs_gen_taskset(const struct rs_gen_params *p, struct rs_taskset *ts);

/* The task set as the JSON of docs/taskset.md; the caller frees it. */
char *rs_taskset_to_json(const struct rs_taskset *ts);

#endif /* RTSLOT_GEN_H */
