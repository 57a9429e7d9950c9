// SPDX-License-Identifier: GPL-2.0
/*
 * Task-set files (JSON, docs/taskset.md) into struct rs_taskset: every
 * field checked, every error naming the field it is about.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rtslot/slotcore.h"
#include "rtslot/taskset.h"

struct ctx {
	char *err;
	size_t errlen;
	char where[64];
};

static int fail(struct ctx *c, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s%s%s: ", c->where,
		     *c->where && field ? "." : "", field ? field : "");
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Unknown keys are refused: a misspelt field must not pass silently. */
static int check_keys(struct ctx *c, struct json_object *obj, const char *const *known)
{
	json_object_object_foreach(obj, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return fail(c, key, "unknown field");
	}
	return 0;
}

static int get_u64(struct ctx *c, struct json_object *obj, const char *field,
		   uint64_t def, int required, uint64_t *out)
{
	struct json_object *v;
	int64_t x;

	if (!json_object_object_get_ex(obj, field, &v)) {
		if (required)
			return fail(c, field, "missing");
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return fail(c, field, "must be an integer (microseconds)");
	x = json_object_get_int64(v);
	if (x < 0)
		return fail(c, field, "must not be negative");
	*out = (uint64_t)x;
	return 0;
}

static int get_double(struct ctx *c, struct json_object *obj, const char *field,
		      double def, double *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, field, &v)) {
		*out = def;
		return 0;
	}
	if (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int))
		return fail(c, field, "must be a number");
	*out = json_object_get_double(v);
	return 0;
}

static int get_name(struct ctx *c, struct json_object *obj, const char *field,
		    char *out, int required)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(obj, field, &v)) {
		if (required)
			return fail(c, field, "missing");
		*out = '\0';
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return fail(c, field, "must be a string");
	s = json_object_get_string(v);
	if (!*s || strlen(s) >= RS_SPEC_NAME_LEN)
		return fail(c, field, "must be 1 to %d characters", RS_SPEC_NAME_LEN - 1);
	strcpy(out, s);
	return 0;
}

/* Look a string field up in a table of words; absent gives def. */
static int get_word(struct ctx *c, struct json_object *obj, const char *field,
		    const char *const *words, int def, int *out)
{
	struct json_object *v;
	const char *s;
	int i;

	if (!json_object_object_get_ex(obj, field, &v)) {
		*out = def;
		return 0;
	}
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	for (i = 0; words[i]; i++) {
		if (!strcmp(words[i], s)) {
			*out = i;
			return 0;
		}
	}
	return fail(c, field, "must be one of %s%s%s%s%s", words[0],
		    words[1] ? "|" : "", words[1] ? words[1] : "",
		    words[1] && words[2] ? "|" : "", words[1] && words[2] ? words[2] : "");
}

static const char *const preempt_words[] = { "launch", "block", "instruction", NULL };
static const char *const crit_words[] = { "high", "low", "best_effort", NULL };

static int parse_accel(struct ctx *c, struct json_object *o, struct rs_accel_spec *a)
{
	static const char *const keys[] = {
		"name", "preempt", "preempt_latency_us", "switch_us", NULL
	};
	int err;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, NULL, "must be an object");
	err = check_keys(c, o, keys);
	err = err ?: get_name(c, o, "name", a->name, 1);
	err = err ?: get_word(c, o, "preempt", preempt_words, RS_PREEMPT_LAUNCH, &a->preempt);
	err = err ?: get_u64(c, o, "preempt_latency_us", 0, 0, &a->preempt_latency_us);
	err = err ?: get_u64(c, o, "switch_us", 0, 0, &a->switch_us);
	return err;
}

static int parse_variants(struct ctx *c, struct json_object *o, struct rs_task_spec *t)
{
	static const char *const keys[] = { "name", "scale", "accuracy", NULL };
	struct json_object *arr;
	char saved[sizeof(c->where)];
	size_t i, n;
	int err = 0;

	if (!json_object_object_get_ex(o, "variants", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return fail(c, "variants", "must be a list");
	n = json_object_array_length(arr);
	if (n > RS_SPEC_MAX_VARIANTS)
		return fail(c, "variants", "at most %d", RS_SPEC_MAX_VARIANTS);
	memcpy(saved, c->where, sizeof(saved));
	for (i = 0; i < n && !err; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		struct rs_variant_spec *s = &t->variants[i];

		snprintf(c->where, sizeof(c->where), "%.32s.variants[%zu]", saved, i);
		if (!json_object_is_type(v, json_type_object)) {
			err = fail(c, NULL, "must be an object");
			break;
		}
		err = check_keys(c, v, keys);
		err = err ?: get_name(c, v, "name", s->name, 1);
		err = err ?: get_double(c, v, "scale", 1.0, &s->scale);
		err = err ?: get_double(c, v, "accuracy", 0.0, &s->accuracy);
		if (!err && !(s->scale > 0.0))
			err = fail(c, "scale", "must be greater than 0");
		if (!err && !(s->accuracy >= 0.0 && s->accuracy <= 1.0))
			err = fail(c, "accuracy", "must lie in [0, 1]");
	}
	if (!err) {
		memcpy(c->where, saved, sizeof(saved));
		t->nvariants = (uint32_t)n;
	}
	return err;
}

static int parse_kernels_us(struct ctx *c, struct json_object *o, struct rs_task_spec *t)
{
	struct json_object *arr;
	size_t i, n;

	if (!json_object_object_get_ex(o, "kernels_us", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return fail(c, "kernels_us", "must be a list of integers");
	n = json_object_array_length(arr);
	if (!n || n > RS_SPEC_MAX_KERNELS)
		return fail(c, "kernels_us", "must list 1 to %d kernels", RS_SPEC_MAX_KERNELS);
	t->kernels_us = calloc(n, sizeof(*t->kernels_us));
	if (!t->kernels_us)
		return -ENOMEM;
	t->nkernels_us = (uint32_t)n;
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0)
			return fail(c, "kernels_us", "element %zu must be a positive integer", i);
		t->kernels_us[i] = (uint64_t)json_object_get_int64(v);
	}
	return 0;
}

static int find_accel(const struct rs_taskset *ts, const char *name)
{
	uint32_t i;

	for (i = 0; i < ts->naccels; i++)
		if (!strcmp(ts->accels[i].name, name))
			return (int)i;
	return -1;
}

/* Relations between fields, once each has parsed on its own. */
static int check_task(struct ctx *c, struct json_object *o, struct rs_task_spec *t)
{
	uint64_t sum = 0;
	uint32_t i;

	if (!t->period_us || t->period_us > RS_PERIOD_MAX_NS / 1000)
		return fail(c, "period_us", "must lie in 1..%llu",
			    (unsigned long long)(RS_PERIOD_MAX_NS / 1000));
	if (t->nkernels_us) {
		for (i = 0; i < t->nkernels_us; i++)
			sum += t->kernels_us[i];
		if (json_object_object_get_ex(o, "wcet_us", NULL) && t->wcet_us != sum)
			return fail(c, "wcet_us", "is %llu but kernels_us add up to %llu",
				    (unsigned long long)t->wcet_us, (unsigned long long)sum);
		if (json_object_object_get_ex(o, "kernels", NULL) && t->kernels != t->nkernels_us)
			return fail(c, "kernels", "disagrees with the length of kernels_us");
		t->wcet_us = sum;
		t->bcet_us = sum;
		t->kernels = t->nkernels_us;
	}
	if (!t->wcet_us)
		return fail(c, "wcet_us", "missing or 0 (give wcet_us or kernels_us)");
	if (!json_object_object_get_ex(o, "bcet_us", NULL))
		t->bcet_us = t->wcet_us;
	if (t->bcet_us > t->wcet_us)
		return fail(c, "bcet_us", "must not exceed wcet_us");
	if (!t->kernels || t->kernels > RS_SPEC_MAX_KERNELS)
		return fail(c, "kernels", "must lie in 1..%d", RS_SPEC_MAX_KERNELS);
	if (!json_object_object_get_ex(o, "max_kernel_us", NULL))
		t->max_kernel_us = (t->wcet_us + t->kernels - 1) / t->kernels;
	if (!t->max_kernel_us)
		return fail(c, "max_kernel_us", "must be positive");
	if (!json_object_object_get_ex(o, "deadline_us", NULL))
		t->deadline_us = t->criticality == RS_CRIT_BEST_EFFORT ? 0 : t->period_us;
	else if (!t->deadline_us)
		return fail(c, "deadline_us", "must be positive");
	if (t->deadline_us && t->jitter_us >= t->deadline_us)
		return fail(c, "jitter_us", "must be less than deadline_us");
	return 0;
}

static int parse_task(struct ctx *c, struct json_object *o, struct rs_taskset *ts,
		      struct rs_task_spec *t)
{
	static const char *const keys[] = {
		"name", "accelerator", "period_us", "deadline_us", "offset_us",
		"jitter_us", "wcet_us", "bcet_us", "kernels", "max_kernel_us",
		"kernels_us", "priority", "criticality", "variants", NULL
	};
	char accel[RS_SPEC_NAME_LEN];
	uint64_t kernels;
	int64_t prio;
	struct json_object *p;
	int err;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, NULL, "must be an object");
	err = check_keys(c, o, keys);
	err = err ?: get_name(c, o, "name", t->name, 1);
	err = err ?: get_name(c, o, "accelerator", accel, ts->naccels > 1);
	err = err ?: get_u64(c, o, "period_us", 0, 1, &t->period_us);
	err = err ?: get_u64(c, o, "deadline_us", 0, 0, &t->deadline_us);
	err = err ?: get_u64(c, o, "offset_us", 0, 0, &t->offset_us);
	err = err ?: get_u64(c, o, "jitter_us", 0, 0, &t->jitter_us);
	err = err ?: get_u64(c, o, "wcet_us", 0, 0, &t->wcet_us);
	err = err ?: get_u64(c, o, "bcet_us", 0, 0, &t->bcet_us);
	err = err ?: get_u64(c, o, "kernels", 1, 0, &kernels);
	err = err ?: get_u64(c, o, "max_kernel_us", 0, 0, &t->max_kernel_us);
	err = err ?: get_word(c, o, "criticality", crit_words, RS_CRIT_HIGH, &t->criticality);
	err = err ?: parse_kernels_us(c, o, t);
	err = err ?: parse_variants(c, o, t);
	if (err)
		return err;

	t->kernels = kernels > RS_SPEC_MAX_KERNELS ? 0 : (uint32_t)kernels;
	if (json_object_object_get_ex(o, "priority", &p)) {
		if (!json_object_is_type(p, json_type_int))
			return fail(c, "priority", "must be an integer");
		prio = json_object_get_int64(p);
		if (prio < -1000000 || prio > 1000000)
			return fail(c, "priority", "must lie in -1000000..1000000");
		t->priority = (int32_t)prio;
	}
	t->accel = *accel ? find_accel(ts, accel) : 0;
	if (t->accel < 0)
		return fail(c, "accelerator", "no accelerator is named \"%s\"", accel);
	return check_task(c, o, t);
}

static int parse_list(struct ctx *c, struct json_object *root, const char *field,
		      struct json_object **arr, size_t *n)
{
	if (!json_object_object_get_ex(root, field, arr))
		return fail(c, field, "missing");
	if (!json_object_is_type(*arr, json_type_array) ||
	    !json_object_array_length(*arr))
		return fail(c, field, "must be a non-empty list");
	*n = json_object_array_length(*arr);
	return 0;
}

static int parse_root(struct ctx *c, struct json_object *root, struct rs_taskset *ts)
{
	static const char *const keys[] = { "accelerators", "tasks", NULL };
	struct json_object *accels, *tasks;
	size_t i, j, na, nt;
	int err;

	if (!json_object_is_type(root, json_type_object))
		return fail(c, NULL, "the task set must be a JSON object");
	err = check_keys(c, root, keys);
	err = err ?: parse_list(c, root, "accelerators", &accels, &na);
	err = err ?: parse_list(c, root, "tasks", &tasks, &nt);
	if (err)
		return err;

	ts->accels = calloc(na, sizeof(*ts->accels));
	ts->tasks = calloc(nt, sizeof(*ts->tasks));
	if (!ts->accels || !ts->tasks)
		return -ENOMEM;
	for (i = 0; i < na; i++) {
		snprintf(c->where, sizeof(c->where), "accelerators[%zu]", i);
		ts->naccels = i + 1;
		err = parse_accel(c, json_object_array_get_idx(accels, i), &ts->accels[i]);
		if (err)
			return err;
		if (find_accel(ts, ts->accels[i].name) != (int)i)
			return fail(c, "name", "\"%s\" appears twice", ts->accels[i].name);
	}
	for (i = 0; i < nt; i++) {
		snprintf(c->where, sizeof(c->where), "tasks[%zu]", i);
		ts->ntasks = i + 1;	/* so that free() sees its kernels_us */
		err = parse_task(c, json_object_array_get_idx(tasks, i), ts, &ts->tasks[i]);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if (!strcmp(ts->tasks[j].name, ts->tasks[i].name))
				return fail(c, "name", "\"%s\" appears twice", ts->tasks[i].name);
	}
	return 0;
}

int rs_taskset_parse(const char *json, struct rs_taskset *ts, char *err, size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	enum json_tokener_error jerr;
	struct json_object *root;
	int ret;

	memset(ts, 0, sizeof(*ts));
	root = json_tokener_parse_verbose(json, &jerr);
	if (!root) {
		snprintf(err, errlen, "not valid JSON: %s", json_tokener_error_desc(jerr));
		return -EINVAL;
	}
	ret = parse_root(&c, root, ts);
	json_object_put(root);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (ret)
		rs_taskset_free(ts);
	return ret;
}

int rs_taskset_load(const char *path, struct rs_taskset *ts, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f, *mem;
	char chunk[4096];
	size_t n;
	int ret;

	memset(ts, 0, sizeof(*ts));
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	mem = open_memstream(&buf, &len);
	if (!mem) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	fclose(mem);
	if (ret) {
		snprintf(err, errlen, "%s: read error", path);
	} else {
		ret = rs_taskset_parse(buf, ts, err, errlen);
		if (ret) {
			/* Say which file the field was in. */
			char tmp[256];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "%s: %s", path, tmp);
		}
	}
	free(buf);
	return ret;
}

void rs_taskset_free(struct rs_taskset *ts)
{
	uint32_t i;

	for (i = 0; i < ts->ntasks; i++)
		free(ts->tasks[i].kernels_us);
	free(ts->tasks);
	free(ts->accels);
	memset(ts, 0, sizeof(*ts));
}

uint32_t rs_job_kernels(const struct rs_task_spec *t, uint64_t c, uint64_t *out,
			uint32_t max)
{
	uint64_t first, rest, each;
	uint32_t i, n;

	if (t->nkernels_us) {
		n = t->nkernels_us < max ? t->nkernels_us : max;
		memcpy(out, t->kernels_us, n * sizeof(*out));
		return n;
	}
	n = t->kernels < max ? t->kernels : max;
	if (!n)
		return 0;
	first = c < t->max_kernel_us ? c : t->max_kernel_us;
	out[0] = first;
	if (n == 1) {
		out[0] = c;
		return 1;
	}
	rest = c - first;
	each = rest / (n - 1);
	for (i = 1; i < n; i++)
		out[i] = each;
	out[n - 1] += rest - each * (n - 1);
	return n;
}

uint64_t rs_task_max_kernel(const struct rs_task_spec *t)
{
	uint64_t q = 0, first, rest;
	uint32_t i;

	if (t->nkernels_us) {
		for (i = 0; i < t->nkernels_us; i++)
			if (t->kernels_us[i] > q)
				q = t->kernels_us[i];
		return q;
	}
	if (t->kernels == 1)
		return t->wcet_us;
	/* The split of the longest job: its first kernel or its last. */
	first = t->wcet_us < t->max_kernel_us ? t->wcet_us : t->max_kernel_us;
	rest = t->wcet_us - first;
	q = rest / (t->kernels - 1) + rest % (t->kernels - 1);
	return first > q ? first : q;
}

int rs_taskset_find_task(const struct rs_taskset *ts, const char *name)
{
	uint32_t i;

	for (i = 0; i < ts->ntasks; i++)
		if (!strcmp(ts->tasks[i].name, name))
			return (int)i;
	return -1;
}

uint64_t rs_lcm_capped(uint64_t a, uint64_t b, uint64_t cap)
{
	uint64_t x = a, y = b, r;

	while (y) {
		r = x % y;
		x = y;
		y = r;
	}
	if (a / x > cap / b)
		return UINT64_MAX;
	return a / x * b > cap ? UINT64_MAX : a / x * b;
}

uint64_t rs_taskset_hyperperiod(const struct rs_taskset *ts, uint64_t cap)
{
	uint64_t h = 1;
	uint32_t i;

	for (i = 0; i < ts->ntasks && h != UINT64_MAX; i++)
		h = rs_lcm_capped(h, ts->tasks[i].period_us, cap);
	return h;
}
