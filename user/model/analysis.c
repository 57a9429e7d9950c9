// SPDX-License-Identifier: GPL-2.0
/*
 * Admission analysis with non-preemptive blocking: the EDF demand-bound
 * test, fixed-priority response-time analysis, and incremental admission.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/analysis.h"
#include "rtslot/planner.h"
#include "rtslot/slotcore.h"

typedef unsigned __int128 u128;

/* More points than this and the EDF test gives up (and rejects). */
#define EDF_MAX_POINTS		4000000ULL
/* A busy period longer than this is taken as unbounded. */
#define BUSY_MAX_US		(1ULL << 42)

static uint64_t last_kernel(const struct rs_task_spec *t)
{
	uint64_t first, rest;

	if (t->nkernels_us)
		return t->kernels_us[t->nkernels_us - 1];
	if (t->kernels <= 1)
		return t->wcet_us;
	first = t->wcet_us < t->max_kernel_us ? t->wcet_us : t->max_kernel_us;
	rest = t->wcet_us - first;
	return rest / (t->kernels - 1) + rest % (t->kernels - 1);
}

void rs_task_params(const struct rs_taskset *ts, uint32_t i, struct rs_task_params *p)
{
	const struct rs_task_spec *t = &ts->tasks[i];
	const struct rs_accel_spec *a = &ts->accels[t->accel];
	uint64_t q = rs_task_max_kernel(t);

	memset(p, 0, sizeof(*p));
	p->rt = t->criticality != RS_CRIT_BEST_EFFORT && t->deadline_us;
	/* Dispatch happens at kernel boundaries: a switch may precede each. */
	p->c = t->wcet_us + (uint64_t)t->kernels * a->switch_us;
	p->t = t->period_us;
	p->jitter = t->jitter_us;
	p->d = p->rt ? t->deadline_us - t->jitter_us : UINT64_MAX;
	p->prio = p->rt ? t->priority : INT64_MIN;
	if (a->preempt == RS_PREEMPT_LAUNCH) {
		p->q = q + a->switch_us;
		p->last = last_kernel(t) + a->switch_us;
	} else {
		/* Preemptible within a kernel: only the preemption latency blocks. */
		p->q = a->preempt_latency_us < q ? a->preempt_latency_us : q;
		p->last = 0;
	}
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

struct member {
	uint32_t idx;
	struct rs_task_params p;
};

/* The tasks of accel in the subset; *n set to their count. */
static struct member *members(const struct rs_taskset *ts, int accel,
			      const uint8_t *in, uint32_t *n)
{
	struct member *m = calloc(ts->ntasks ? ts->ntasks : 1, sizeof(*m));
	uint32_t i;

	*n = 0;
	if (!m)
		return NULL;
	for (i = 0; i < ts->ntasks; i++) {
		if (!in[i] || ts->tasks[i].accel != accel)
			continue;
		m[*n].idx = i;
		rs_task_params(ts, i, &m[*n].p);
		(*n)++;
	}
	return m;
}

static u128 dbf(const struct member *m, uint32_t n, uint64_t l)
{
	u128 sum = 0;
	uint32_t j;

	for (j = 0; j < n; j++)
		if (m[j].p.rt && l >= m[j].p.d)
			sum += (u128)((l - m[j].p.d) / m[j].p.t + 1) * m[j].p.c;
	return sum;
}

/* max{ q_j : D_j > l }, and who it is. */
static uint64_t blocking_after(const struct member *m, uint32_t n, uint64_t l, int *who)
{
	uint64_t b = 0;
	uint32_t j;

	*who = -1;
	for (j = 0; j < n; j++) {
		if (m[j].p.d > l && m[j].p.q > b) {
			b = m[j].p.q;
			*who = (int)m[j].idx;
		}
	}
	return b;
}

/*
 * The last deadline the test must look at: the usual bound for EDF with
 * non-preemptive blocking when U < 1, else (or when smaller) one
 * hyperperiod past the largest deadline.
 */
static int edf_horizon(const struct member *m, uint32_t n, uint64_t *horizon)
{
	double u = 0, slack = 0;
	uint64_t hyper = 1, dmax = 0, qmax = 0, la = UINT64_MAX;
	int hyper_ok = 1;
	uint32_t j;

	for (j = 0; j < n; j++) {
		if (m[j].p.q > qmax)
			qmax = m[j].p.q;
		if (!m[j].p.rt)
			continue;
		u += (double)m[j].p.c / m[j].p.t;
		if (m[j].p.t > m[j].p.d)
			slack += (double)(m[j].p.t - m[j].p.d) * m[j].p.c / m[j].p.t;
		if (m[j].p.d > dmax)
			dmax = m[j].p.d;
		if (hyper_ok) {
			uint64_t g = gcd(hyper, m[j].p.t);

			if ((u128)(hyper / g) * m[j].p.t > BUSY_MAX_US)
				hyper_ok = 0;
			else
				hyper = hyper / g * m[j].p.t;
		}
	}
	if (u < 1.0 - 1e-9) {
		double b = (slack + qmax) / (1.0 - u) + 1;

		la = b > (double)BUSY_MAX_US ? UINT64_MAX : (uint64_t)b;
		if (la < dmax)
			la = dmax;
	}
	if (hyper_ok && hyper + dmax < la)
		la = hyper + dmax;
	*horizon = la;
	return la != UINT64_MAX;
}

int rs_edf_check(const struct rs_taskset *ts, int accel, const uint8_t *in,
		 char *reason, size_t len)
{
	uint64_t horizon, points = 0, csum = 0, tsum = 0;
	struct member *m;
	double u = 0;
	uint32_t n, i;
	int ret = 0;

	m = members(ts, accel, in, &n);
	if (!m) {
		snprintf(reason, len, "out of memory");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (m[i].p.rt) {
			u += (double)m[i].p.c / m[i].p.t;
			csum += m[i].p.c;
			tsum++;
		}
	}
	if (u > 1.0 + 1e-9) {
		snprintf(reason, len, "the tasks would need %.1f%% of %s", 100.0 * u,
			 ts->accels[accel].name);
		ret = 1;
		goto out;
	}
	if (!tsum)
		goto out;
	if (!edf_horizon(m, n, &horizon)) {
		snprintf(reason, len, "utilisation %.4f leaves no bounded horizon to check", u);
		ret = 1;
		goto out;
	}

	/* Every absolute deadline up to the horizon, task by task. */
	for (i = 0; i < n && !ret; i++) {
		uint64_t l;

		if (!m[i].p.rt)
			continue;
		for (l = m[i].p.d; l <= horizon; l += m[i].p.t) {
			int who;
			uint64_t b = blocking_after(m, n, l, &who);
			u128 demand = dbf(m, n, l);

			if (++points > EDF_MAX_POINTS) {
				snprintf(reason, len,
					 "the test would check more than %llu deadlines (U = %.4f)",
					 EDF_MAX_POINTS, u);
				ret = 1;
				break;
			}
			if (demand + b <= l)
				continue;
			snprintf(reason, len,
				 "by t = %llu us the jobs due need %llu us%s%s%s%llu us > %llu us",
				 (unsigned long long)l, (unsigned long long)demand,
				 who >= 0 ? ", plus a kernel of " : "",
				 who >= 0 ? ts->tasks[who].name : "",
				 who >= 0 ? " blocking for " : " and ",
				 (unsigned long long)b, (unsigned long long)l);
			ret = 1;
			break;
		}
	}
out:
	free(m);
	return ret;
}

/* a is served before b under fixed priority: priority, then file order. */
static int fp_higher(const struct member *a, const struct member *b)
{
	if (a->p.prio != b->p.prio)
		return a->p.prio > b->p.prio;
	return a->idx < b->idx;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return a / b + !!(a % b);
}

/*
 * Response-time bound of task i among m with non-preemptive final
 * kernels (Bril et al.): every job of the level-i busy period is checked,
 * since with blocking the first job need not be the worst.
 */
static int fp_response(const struct member *m, uint32_t n, uint32_t i,
		       uint64_t *resp, uint64_t *block, int *who)
{
	const struct rs_task_params *pi = &m[i].p;
	uint64_t b = 0, busy, next, jobs, k, worst = 0;
	double u = 0;
	uint32_t j;

	*who = -1;
	for (j = 0; j < n; j++) {
		if (j == i)
			continue;
		if (fp_higher(&m[j], &m[i])) {
			u += (double)m[j].p.c / m[j].p.t;
		} else if (m[j].p.q > b) {
			b = m[j].p.q;
			*who = (int)m[j].idx;
		}
	}
	*block = b;
	if (u + (double)pi->c / pi->t > 1.0 + 1e-9)
		return -1;

	busy = b + pi->c;
	for (;;) {
		next = b + ceil_div(busy + pi->jitter, pi->t) * pi->c;
		for (j = 0; j < n; j++)
			if (j != i && fp_higher(&m[j], &m[i]))
				next += ceil_div(busy + m[j].p.jitter, m[j].p.t) * m[j].p.c;
		if (next == busy)
			break;
		if (next > BUSY_MAX_US)
			return -1;
		busy = next;
	}

	jobs = ceil_div(busy + pi->jitter, pi->t);
	for (k = 0; k < jobs; k++) {
		uint64_t base = b + (k + 1) * pi->c - pi->last;
		uint64_t w = base, r;

		for (;;) {
			next = base;
			for (j = 0; j < n; j++)
				if (j != i && fp_higher(&m[j], &m[i]))
					next += ((w + m[j].p.jitter) / m[j].p.t + 1) * m[j].p.c;
			if (next == w)
				break;
			if (next > BUSY_MAX_US)
				return -1;
			w = next;
		}
		r = pi->jitter + w + pi->last - k * pi->t;
		if (r > worst)
			worst = r;
	}
	*resp = worst;
	return 0;
}

int rs_fp_check(const struct rs_taskset *ts, int accel, const uint8_t *in,
		uint64_t *response, char *reason, size_t len)
{
	struct member *m;
	uint32_t n, i;
	int ret = 0;

	m = members(ts, accel, in, &n);
	if (!m) {
		snprintf(reason, len, "out of memory");
		return 1;
	}
	for (i = 0; i < n; i++) {
		const struct rs_task_spec *t = &ts->tasks[m[i].idx];
		uint64_t r, b;
		int who;

		if (!m[i].p.rt)
			continue;
		if (fp_response(m, n, i, &r, &b, &who)) {
			if (!ret)
				snprintf(reason, len,
					 "%s and the tasks above it overload %s", t->name,
					 ts->accels[accel].name);
			ret = 1;
			continue;
		}
		if (response)
			response[m[i].idx] = r;
		if (r <= t->deadline_us || ret)
			continue;
		snprintf(reason, len,
			 "%s could respond after %llu us, past its deadline of %llu us%s%s%s",
			 t->name, (unsigned long long)r,
			 (unsigned long long)t->deadline_us,
			 who >= 0 ? " (a kernel of " : "", who >= 0 ? ts->tasks[who].name : "",
			 who >= 0 ? " blocks it)" : "");
		ret = 1;
	}
	free(m);
	return ret;
}

struct order_key {
	const struct rs_taskset *ts;
	uint32_t idx;
};

static int admit_order(const void *pa, const void *pb)
{
	const struct order_key *a = pa, *b = pb;
	const struct rs_task_spec *ta = &a->ts->tasks[a->idx], *tb = &b->ts->tasks[b->idx];

	if (ta->criticality != tb->criticality)
		return ta->criticality < tb->criticality ? -1 : 1;
	if (ta->priority != tb->priority)
		return ta->priority > tb->priority ? -1 : 1;
	return a->idx < b->idx ? -1 : 1;
}

static int check(const struct rs_taskset *ts, enum rs_test test, int accel,
		 const uint8_t *in, char *why, size_t len)
{
	struct rs_plan *plan;
	int bad;

	switch (test) {
	case RS_TEST_EDF:
		return rs_edf_check(ts, accel, in, why, len);
	case RS_TEST_FP:
		return rs_fp_check(ts, accel, in, NULL, why, len);
	default:
		plan = malloc(sizeof(*plan));
		if (!plan) {
			snprintf(why, len, "out of memory");
			return 1;
		}
		bad = rs_plan_table(ts, accel, in, plan, why, len) != 0;
		free(plan);
		return bad;
	}
}

int rs_admit(const struct rs_taskset *ts, enum rs_test test, struct rs_task_verdict *v)
{
	struct order_key *order = calloc(ts->ntasks ? ts->ntasks : 1, sizeof(*order));
	uint64_t *resp = calloc(ts->ntasks ? ts->ntasks : 1, sizeof(*resp));
	uint8_t *in = calloc(ts->ntasks ? ts->ntasks : 1, 1);
	uint32_t i;
	int rejected = 0;

	if (!order || !resp || !in) {
		free(order);
		free(resp);
		free(in);
		return -1;
	}
	memset(v, 0, ts->ntasks * sizeof(*v));
	for (i = 0; i < ts->ntasks; i++)
		order[i] = (struct order_key){ ts, i };
	qsort(order, ts->ntasks, sizeof(*order), admit_order);

	for (i = 0; i < ts->ntasks; i++) {
		uint32_t k = order[i].idx;
		int accel = ts->tasks[k].accel;
		char why[RS_REASON_LEN];
		int bad;

		in[k] = 1;
		bad = check(ts, test, accel, in, why, sizeof(why));
		if (bad) {
			in[k] = 0;
			rejected++;
			snprintf(v[k].reason, sizeof(v[k].reason), "%s", why);
		} else {
			v[k].admitted = 1;
		}
	}
	/* The bounds of the admitted set, as it finally stands. */
	if (test == RS_TEST_FP) {
		char why[RS_REASON_LEN];
		uint32_t a;

		for (a = 0; a < ts->naccels; a++)
			rs_fp_check(ts, (int)a, in, resp, why, sizeof(why));
		for (i = 0; i < ts->ntasks; i++)
			if (v[i].admitted)
				v[i].response_us = resp[i];
	}
	free(order);
	free(resp);
	free(in);
	return rejected;
}
