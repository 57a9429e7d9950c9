// SPDX-License-Identifier: GPL-2.0
/*
 * Random task sets: utilisations by UUniFast-Discard (Davis and Burns) or
 * Randfixedsum, each task's period drawn from a set, its work split into
 * kernels.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rtslot/gen.h"

#define GEN_MAX_TRIES	10000

void rs_gen_defaults(struct rs_gen_params *p)
{
	static const uint64_t periods[] = { 10000, 20000, 25000, 50000, 100000 };

	memset(p, 0, sizeof(*p));
	p->ntasks = 5;
	p->utilization = 0.5;
	p->umax = 1.0;
	p->method = RS_GEN_AUTO;
	p->nperiods = sizeof(periods) / sizeof(periods[0]);
	memcpy(p->periods_us, periods, sizeof(periods));
	p->kernels_min = 4;
	p->kernels_max = 16;
	p->deadline_min = 1.0;
	p->bcet_ratio = 0.5;
}

/*
 * UUniFast, discarding draws where a task would need more than umax: as
 * uniform as Randfixedsum, but hopeless once few draws fit.
 */
static int uunifast(uint64_t *s, uint32_t n, double total, double umax, double *u)
{
	int tries;
	uint32_t i;

	for (tries = 0; tries < GEN_MAX_TRIES; tries++) {
		double sum = total, next;
		int ok = 1;

		for (i = 0; i + 1 < n; i++) {
			next = sum * pow(rs_rng_unit(s), 1.0 / (double)(n - 1 - i));
			u[i] = sum - next;
			sum = next;
		}
		u[n - 1] = sum;
		for (i = 0; i < n; i++)
			ok &= u[i] <= umax;
		if (ok)
			return 0;
	}
	return -EDOM;
}

/*
 * UUniFast never discards while the total fits in one task, and there it
 * keeps the sets every earlier seed gave; past that it discards more and
 * more draws, Randfixedsum none.
 */
static int draw_utilizations(const struct rs_gen_params *p, uint64_t *s, double *u)
{
	int method = p->method;

	if (method == RS_GEN_AUTO)
		method = p->utilization <= p->umax ? RS_GEN_UUNIFAST : RS_GEN_RANDFIXEDSUM;
	if (method == RS_GEN_UUNIFAST)
		return uunifast(s, p->ntasks, p->utilization, p->umax, u);
	return rs_randfixedsum(s, p->ntasks, p->utilization, 0, p->umax, u);
}

int rs_gen_taskset(const struct rs_gen_params *p, struct rs_taskset *ts)
{
	uint64_t s = p->seed * 0x9e3779b97f4a7c15ULL + 0x1234567ULL;
	double *u;
	uint32_t i;
	int err;

	memset(ts, 0, sizeof(*ts));
	if (!p->ntasks || p->ntasks > 10000 || !(p->utilization > 0) ||
	    !(p->umax > 0) || p->umax > 1 ||
	    p->utilization > p->ntasks * p->umax * (1 + 1e-12) ||
	    p->method < RS_GEN_AUTO || p->method > RS_GEN_RANDFIXEDSUM ||
	    !p->nperiods || p->nperiods > RS_GEN_MAX_PERIODS ||
	    !p->kernels_min || p->kernels_min > p->kernels_max ||
	    p->kernels_max > RS_SPEC_MAX_KERNELS || !(p->deadline_min > 0) ||
	    p->deadline_min > 1 || p->bcet_ratio < 0 || p->bcet_ratio > 1)
		return -EINVAL;
	for (i = 0; i < p->nperiods; i++)
		if (!p->periods_us[i] || p->periods_us[i] > RS_PERIOD_MAX_NS / 1000)
			return -EINVAL;

	u = calloc(p->ntasks, sizeof(*u));
	ts->accels = calloc(1, sizeof(*ts->accels));
	ts->tasks = calloc(p->ntasks, sizeof(*ts->tasks));
	if (!u || !ts->accels || !ts->tasks) {
		free(u);
		rs_taskset_free(ts);
		return -ENOMEM;
	}
	rs_rng_next(&s);
	err = draw_utilizations(p, &s, u);
	if (err)
		goto out;

	ts->naccels = 1;
	strcpy(ts->accels[0].name, "gpu0");
	ts->accels[0].switch_us = p->switch_us;
	ts->ntasks = p->ntasks;
	for (i = 0; i < p->ntasks; i++) {
		struct rs_task_spec *t = &ts->tasks[i];
		uint32_t span = p->kernels_max - p->kernels_min + 1;
		uint64_t dmin;

		snprintf(t->name, sizeof(t->name), "t%u", i);
		t->period_us = p->periods_us[rs_rng_next(&s) % p->nperiods];
		t->wcet_us = (uint64_t)llround(u[i] * (double)t->period_us);
		if (!t->wcet_us)
			t->wcet_us = 1;
		t->bcet_us = (uint64_t)((double)t->wcet_us * p->bcet_ratio);
		if (!t->bcet_us)
			t->bcet_us = 1;
		t->kernels = p->kernels_min + (uint32_t)(rs_rng_next(&s) % span);
		if (t->kernels > t->wcet_us)
			t->kernels = (uint32_t)t->wcet_us;
		t->max_kernel_us = (t->wcet_us + t->kernels - 1) / t->kernels;
		dmin = (uint64_t)ceil(p->deadline_min * (double)t->period_us);
		if (dmin < t->wcet_us)
			dmin = t->wcet_us;
		if (dmin > t->period_us)
			dmin = t->period_us;
		t->deadline_us = dmin + rs_rng_next(&s) % (t->period_us - dmin + 1);
		/* Rate-monotonic order by default: the shorter period wins. */
		t->priority = -(int32_t)(t->period_us / 1000);
		t->criticality = RS_CRIT_HIGH;
	}
out:
	free(u);
	if (err)
		rs_taskset_free(ts);
	return err;
}

static const char *const preempt_names[] = { "launch", "block", "instruction" };
static const char *const crit_names[] = { "high", "low", "best_effort" };

static void put_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static struct json_object *variants_json(const struct rs_task_spec *t)
{
	struct json_object *arr = json_object_new_array();
	uint32_t i;

	for (i = 0; i < t->nvariants; i++) {
		struct json_object *v = json_object_new_object();

		json_object_object_add(v, "name", json_object_new_string(t->variants[i].name));
		json_object_object_add(v, "scale", json_object_new_double(t->variants[i].scale));
		json_object_object_add(v, "accuracy",
				       json_object_new_double(t->variants[i].accuracy));
		json_object_array_add(arr, v);
	}
	return arr;
}

char *rs_taskset_to_json(const struct rs_taskset *ts)
{
	struct json_object *root = json_object_new_object();
	struct json_object *accels = json_object_new_array();
	struct json_object *tasks = json_object_new_array();
	uint32_t i, k;
	char *out;

	for (i = 0; i < ts->naccels; i++) {
		const struct rs_accel_spec *a = &ts->accels[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(a->name));
		json_object_object_add(o, "preempt", json_object_new_string(preempt_names[a->preempt]));
		put_u64(o, "preempt_latency_us", a->preempt_latency_us);
		put_u64(o, "switch_us", a->switch_us);
		json_object_array_add(accels, o);
	}
	for (i = 0; i < ts->ntasks; i++) {
		const struct rs_task_spec *t = &ts->tasks[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(t->name));
		json_object_object_add(o, "accelerator",
				       json_object_new_string(ts->accels[t->accel].name));
		put_u64(o, "period_us", t->period_us);
		if (t->deadline_us)
			put_u64(o, "deadline_us", t->deadline_us);
		put_u64(o, "offset_us", t->offset_us);
		put_u64(o, "jitter_us", t->jitter_us);
		if (t->nkernels_us) {
			struct json_object *k_us = json_object_new_array();

			for (k = 0; k < t->nkernels_us; k++)
				json_object_array_add(k_us, json_object_new_int64((int64_t)t->kernels_us[k]));
			json_object_object_add(o, "kernels_us", k_us);
		} else {
			put_u64(o, "wcet_us", t->wcet_us);
			put_u64(o, "bcet_us", t->bcet_us);
			put_u64(o, "kernels", t->kernels);
			put_u64(o, "max_kernel_us", t->max_kernel_us);
		}
		json_object_object_add(o, "priority", json_object_new_int(t->priority));
		json_object_object_add(o, "criticality",
				       json_object_new_string(crit_names[t->criticality]));
		if (t->nvariants)
			json_object_object_add(o, "variants", variants_json(t));
		json_object_array_add(tasks, o);
	}
	json_object_object_add(root, "accelerators", accels);
	json_object_object_add(root, "tasks", tasks);
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED));
	json_object_put(root);
	return out;
}
