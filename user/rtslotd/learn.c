// SPDX-License-Identifier: GPL-2.0
/*
 * Execution-time learning: a window of recent job durations per task; the
 * estimate is a high quantile of it with a safety margin on top.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rtslotd.h"

int rd_learn_init(struct rd_learn *l, uint32_t window)
{
	memset(l, 0, sizeof(*l));
	l->ring = calloc(window ? window : 1, sizeof(*l->ring));
	if (!l->ring)
		return -ENOMEM;
	l->cap = window ? window : 1;
	return 0;
}

void rd_learn_free(struct rd_learn *l)
{
	free(l->ring);
	memset(l, 0, sizeof(*l));
}

void rd_learn_add(struct rd_learn *l, uint64_t ns)
{
	l->ring[l->head] = ns;
	l->head = (l->head + 1) % l->cap;
	if (l->n < l->cap)
		l->n++;
	l->total++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t rd_learn_estimate_us(const struct rd_learn *l, const struct rd_learn_cfg *c)
{
	uint64_t v[4096], q, qppm;
	uint32_t n = l->n < 4096 ? l->n : 4096, k;
	double est;

	if (!n || n < c->min_samples)
		return 0;
	memcpy(v, l->ring, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u64);
	/*
	 * Nearest rank: the smallest sample with at least q of them at or
	 * below.  In integers: ceil(0.55 * 100) is 56 in doubles.
	 */
	qppm = (uint64_t)llround(c->quantile * 1e6);
	k = (uint32_t)((qppm * n + 999999) / 1000000);
	q = v[k ? k - 1 : 0];
	est = ceil((double)q * (1.0 + c->margin) / 1000.0);
	/*
	 * No longer than a registration may claim (10 s): every product made
	 * of a model time later (variant scale, ns, a switch per kernel) then
	 * stays far inside 64 bits.
	 */
	if (est > (double)RD_TIME_MAX_US)
		return RD_TIME_MAX_US;
	return est < 1 ? 1 : (uint64_t)est;
}

int rd_learn_drifted(uint64_t model_us, uint64_t est_us, const struct rd_learn_cfg *c)
{
	double diff;

	if (!est_us)
		return 0;
	if (!model_us)
		return 1;
	diff = fabs((double)est_us - (double)model_us);
	return diff > c->drift * (double)model_us;
}
