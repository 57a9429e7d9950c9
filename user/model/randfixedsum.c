// SPDX-License-Identifier: GPL-2.0
/*
 * Randfixedsum (R. Stafford; Emberson, Stafford and Davis, WATERS 2010):
 * vectors drawn uniformly from { x in [lo, hi]^n : sum x = s }, in one pass.
 *
 * Scaled to the unit cube, the set is P_q(t) = { y in [0,1]^q : sum y = t }
 * with q = n.  Being convex, P_q(t) is the union of the cones from its
 * centre (t/q, ..., t/q) over its facets, and each facet is P_{q-1} again
 * with one coordinate fixed: y_i = 0 (sum t) or y_i = 1 (sum t - 1).  A
 * uniform point of a cone is c + R (b - c) with b uniform in the base and
 * R = U^(1/dim), so a draw walks down q, choosing a facet with the odds of
 * the cone volumes and a radius each time.  Cone volume is height times
 * base: the heights go as t/q and 1 - t/q, and the volume of P_q(t) as
 * g_q(t), the density of a sum of q uniforms, which obeys
 *	(q-1) g_q(t) = t g_{q-1}(t) + (q-t) g_{q-1}(t-1),
 * so the zero facets weigh t g_{q-1}(t) and the one facets (q-t)
 * g_{q-1}(t-1).  Every coordinate is alike, so the walk fixes them in
 * order and one shuffle at the end picks which coordinate was which.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "rtslot/gen.h"

/*
 * The walk starts with k ones to place and always ends with the last
 * coordinate at f, so its sums are f + d, d ones still to place.  Row m
 * holds g_m(f + d) for the d the walk can reach: the other n - 1 - k
 * fixed coordinates are zeros, which bounds d from below.
 */
struct rfs_table {
	uint32_t n, k, width;
	double f;
	double *g;
};

static uint32_t row_lo(const struct rfs_table *t, uint32_t m)
{
	uint32_t zeros = t->n - 1 - t->k;

	return m > zeros + 1 ? m - zeros - 1 : 0;
}

static uint32_t row_hi(const struct rfs_table *t, uint32_t m)
{
	return t->k < m - 1 ? t->k : m - 1;
}

static double g_at(const struct rfs_table *t, uint32_t m, int64_t d)
{
	uint32_t lo = row_lo(t, m);

	if (d < lo || d > row_hi(t, m))
		return 0;
	return t->g[(size_t)(m - 1) * t->width + (size_t)(d - lo)];
}

/*
 * The recursion adds non-negative terms only, unlike the alternating sum
 * that gives g in closed form, so no precision is lost to cancellation.
 * Only ratios within a row are used: scaling each row to a maximum of 1
 * keeps large n from overflowing.
 */
static int rfs_build(struct rfs_table *t)
{
	uint32_t m, d;

	t->width = (t->k < t->n - 1 - t->k ? t->k : t->n - 1 - t->k) + 1;
	if ((size_t)t->width > SIZE_MAX / sizeof(double) / t->n)
		return -ENOMEM;
	t->g = calloc((size_t)(t->n - 1) * t->width, sizeof(double));
	if (!t->g)
		return -ENOMEM;
	t->g[0] = 1;
	for (m = 2; m < t->n; m++) {
		double *row = t->g + (size_t)(m - 1) * t->width, top = 0;
		uint32_t lo = row_lo(t, m), hi = row_hi(t, m);

		for (d = lo; d <= hi; d++) {
			double s = t->f + d;
			double v = s * g_at(t, m - 1, d) + (m - s) * g_at(t, m - 1, (int64_t)d - 1);

			row[d - lo] = v;
			if (v > top)
				top = v;
		}
		for (d = lo; top > 0 && d <= hi; d++)
			row[d - lo] /= top;
	}
	return 0;
}

/* One point of P_n(k + f), coordinates in canonical order. */
static void rfs_walk(const struct rfs_table *t, uint64_t *rng, double *y)
{
	double base = 0, scale = 1;	/* y[i] = base + scale * (its fixed value) */
	uint32_t i, d = t->k;

	for (i = 0; i + 1 < t->n; i++) {
		uint32_t q = t->n - i, m = q - 1;
		double s = t->f + d;
		double w1 = d ? (q - s) * g_at(t, m, (int64_t)d - 1) : 0;
		double w0 = s * g_at(t, m, d);
		/* Both are 0 only after an underflow: any feasible choice will do. */
		double p1 = w0 + w1 > 0 ? w1 / (w0 + w1) : (double)d / m;
		int one = rs_rng_unit(rng) < p1;
		double r = pow(rs_rng_unit(rng), 1.0 / m);

		base += (1 - r) * scale * s / q;
		scale *= r;
		y[i] = base + (one ? scale : 0);
		d -= one;
	}
	y[t->n - 1] = base + scale * (t->f + d);
}

static void shuffle(uint64_t *rng, double *x, uint32_t n)
{
	uint32_t i, j;
	double tmp;

	for (i = n - 1; i > 0; i--) {
		j = (uint32_t)(rs_rng_next(rng) % (i + 1));
		tmp = x[i];
		x[i] = x[j];
		x[j] = tmp;
	}
}

int rs_randfixedsum(uint64_t *rng, uint32_t n, double sum, double lo, double hi,
		    double *x)
{
	struct rfs_table t = { .n = n };
	double s, width = hi - lo, slack;
	uint32_t i;
	int err;

	if (!n || !isfinite(sum) || !isfinite(lo) || !isfinite(hi) || lo > hi)
		return -EINVAL;
	/* n * hi may round below a sum the caller computed as n * hi. */
	slack = 1e-12 * fmax(fabs(n * lo), fabs(n * hi));
	if (sum < n * lo - slack || sum > n * hi + slack)
		return -EDOM;
	s = width > 0 ? (sum - n * lo) / width : 0;
	/* A corner of the cube is the only vector with its sum. */
	if (s <= 0 || s >= n) {
		for (i = 0; i < n; i++)
			x[i] = s <= 0 ? lo : hi;
		return 0;
	}
	if (n == 1) {
		x[0] = sum;
		return 0;
	}
	/* k + f with f in (0, 1]: an integer sum keeps its last unit in f. */
	t.k = (uint32_t)ceil(s) - 1;
	t.f = s - t.k;
	err = rfs_build(&t);
	if (err)
		return err;
	rfs_walk(&t, rng, x);
	free(t.g);
	shuffle(rng, x, n);
	for (i = 0; i < n; i++) {
		double v = lo + width * x[i];

		/* Rounding may step an ulp outside; the sum moves by as little. */
		x[i] = v < lo ? lo : v > hi ? hi : v;
	}
	return 0;
}
