/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Random task sets for the schedulability sweep and the property tests:
 * utilisations by UUniFast-Discard or Randfixedsum, periods drawn from a set.
 */
#ifndef RTSLOT_GEN_H
#define RTSLOT_GEN_H

#include <stdint.h>

#include "rtslot/taskset.h"

#define RS_GEN_MAX_PERIODS	32

/* How the task utilisations are drawn. */
enum rs_gen_method {
	RS_GEN_AUTO = 0,		/* UUniFast up to umax, Randfixedsum above */
	RS_GEN_UUNIFAST,		/* UUniFast-Discard (Bini and Buttazzo; Davis and Burns) */
	RS_GEN_RANDFIXEDSUM,		/* Randfixedsum (Stafford; Emberson et al.) */
};

struct rs_gen_params {
	uint32_t ntasks;
	double utilization;		/* total, on the one accelerator */
	double umax;			/* the most one task may take, in (0, 1] */
	int method;			/* enum rs_gen_method */
	uint32_t nperiods;
	uint64_t periods_us[RS_GEN_MAX_PERIODS];
	uint32_t kernels_min, kernels_max;
	double deadline_min;		/* D drawn in [deadline_min * T, T] */
	double bcet_ratio;		/* bcet = ratio * wcet */
	uint64_t switch_us;
	uint64_t seed;
};

/*
 * Sensible defaults: 5 tasks, periods 10/20/25/50/100 ms, 4..16 kernels,
 * no task above 1, the method chosen by the utilisation.
 */
void rs_gen_defaults(struct rs_gen_params *p);

/*
 * A task set on one accelerator "gpu0" whose utilisations add up to
 * p->utilization, each task at most p->umax.  -EINVAL on bad parameters
 * (a total above ntasks * umax among them); -EDOM when UUniFast-Discard
 * found no draw within umax.
 */
int rs_gen_taskset(const struct rs_gen_params *p, struct rs_taskset *ts);

/*
 * Randfixedsum: fill x[0..n-1] with a vector drawn uniformly from
 * { x in [lo, hi]^n : x[0] + ... + x[n-1] = sum }, taking its random
 * numbers from *rng.  -EINVAL on n == 0 or a bad range, -EDOM when sum
 * lies outside [n * lo, n * hi], -ENOMEM.  Takes n * min(k, n - k) doubles
 * of memory for a while, k being about (sum - n * lo) / (hi - lo).
 */
int rs_randfixedsum(uint64_t *rng, uint32_t n, double sum, double lo, double hi,
		    double *x);

/* The generator's random numbers (xorshift64*): the next, and one in [0, 1). */
uint64_t rs_rng_next(uint64_t *s);
double rs_rng_unit(uint64_t *s);

/* The task set as the JSON of docs/taskset.md; the caller frees it. */
char *rs_taskset_to_json(const struct rs_taskset *ts);

#endif /* RTSLOT_GEN_H */
