// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotd's JSON configuration (json-c): defaults, every field checked and
 * named in errors, unknown fields refused; and printing what is in force.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "rtslotd.h"

static const char *const policy_words[] = {
	[RSP_POLICY_FIFO] = "fifo", [RSP_POLICY_RR] = "rr", [RSP_POLICY_FP] = "fp",
	[RSP_POLICY_EDF] = "edf", [RSP_POLICY_SLOT] = "slot", NULL
};
static const char *const backend_words[] = { "user", "kmod", NULL };
static const char *const preempt_words[] = { "launch", "block", "instruction", NULL };
static const char *const overrun_words[] = { "log", "revoke", "throttle", NULL };
static const char *const telemetry_words[] = {
	[RD_TELEMETRY_AUTO] = "auto", [RD_TELEMETRY_BPF] = "bpf", [RD_TELEMETRY_OFF] = "off", NULL
};

static int word(const char *const *words, const char *s)
{
	int i;

	for (i = 0; words[i]; i++)
		if (!strcmp(words[i], s))
			return i;
	return -1;
}

int rd_policy_parse(const char *s)
{
	return word(policy_words, s);
}

int rd_backend_parse(const char *s)
{
	int w = word(backend_words, s);

	if (!strcmp(s, "auto"))
		return RD_BACKEND_AUTO;
	return w < 0 ? -EINVAL : w;
}

int rd_telemetry_parse(const char *s)
{
	int w = word(telemetry_words, s);

	return w < 0 ? -EINVAL : w;
}

const char *rd_telemetry_name(int mode)
{
	return mode >= 0 && mode <= RD_TELEMETRY_OFF ? telemetry_words[mode] : "?";
}

const char *rd_policy_name(int policy)
{
	return policy >= 0 && policy <= RSP_POLICY_SLOT ? policy_words[policy] : "?";
}

static void accel_defaults(struct rd_accel_cfg *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->dev_index = -1;
	a->preempt = RS_PREEMPT_LAUNCH;
	a->overrun_action = RS_OVERRUN_REVOKE;
	a->frame_us = 10000;
	a->overrun_grace_us = 1000;
	a->timeslice_us = 2000;
	a->unknown_kernel_us = 2000;
}

void rd_config_defaults(struct rd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->socket, sizeof(c->socket), "%s", RSP_DEFAULT_SOCKET);
	c->socket_mode = 0666;
	c->backend = RD_BACKEND_AUTO;
	c->policy = RSP_POLICY_EDF;
	c->telemetry = RD_TELEMETRY_AUTO;
	c->naccels = 1;
	accel_defaults(&c->accel[0], "gpu0");
	c->learn = (struct rd_learn_cfg){
		.quantile = 0.99, .margin = 0.2, .drift = 0.1, .window = 256, .min_samples = 16,
	};
	c->max_clients = 256;
	c->max_tasks = 16;
	c->max_clients_per_uid = 64;
	c->max_tasks_per_uid = 64;
	c->hello_timeout_ms = 1000;
	c->verbose = RD_INFO;
}

struct ctx {
	char *err;
	size_t len;
	const char *where;
};

static int fail(struct ctx *x, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *x, const char *field, const char *fmt, ...)
{
	int n = snprintf(x->err, x->len, "%s%s: ", x->where, field);
	va_list ap;

	if (n > 0 && (size_t)n < x->len) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int known(struct ctx *x, struct json_object *o, const char *const *keys)
{
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (word(keys, key) < 0)
			return fail(x, key, "unknown field");
	}
	return 0;
}

/* An integer field in min..max; *out is left alone when the field is absent. */
static int get_int(struct ctx *x, struct json_object *o, const char *f, int64_t min,
		   int64_t max, int64_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, f, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return fail(x, f, "must be an integer");
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return fail(x, f, "must lie in %lld..%lld", (long long)min, (long long)max);
	*out = n;
	return 0;
}

static int get_u64(struct ctx *x, struct json_object *o, const char *f, uint64_t max,
		   uint64_t *out)
{
	int64_t n = (int64_t)*out;
	int err = get_int(x, o, f, 0, (int64_t)max, &n);

	*out = (uint64_t)n;
	return err;
}

static int get_u32(struct ctx *x, struct json_object *o, const char *f, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	uint64_t v = *out;
	int err = get_u64(x, o, f, max, &v);

	if (!err && v < min)
		return fail(x, f, "must lie in %u..%u", min, max);
	*out = (uint32_t)v;
	return err;
}

static int get_double(struct ctx *x, struct json_object *o, const char *f, double min,
		      double max, double *out)
{
	struct json_object *v;
	double d;

	if (!json_object_object_get_ex(o, f, &v))
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return fail(x, f, "must be a number");
	d = json_object_get_double(v);
	if (!(d >= min && d <= max))
		return fail(x, f, "must lie in %g..%g", min, max);
	*out = d;
	return 0;
}

static int get_str(struct ctx *x, struct json_object *o, const char *f, char *out,
		   size_t size)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, f, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(x, f, "must be a string");
	s = json_object_get_string(v);
	if (!*s || strlen(s) >= size)
		return fail(x, f, "must be 1 to %zu characters", size - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_word(struct ctx *x, struct json_object *o, const char *f,
		    const char *const *words, int *out)
{
	char buf[32] = "";
	int err = get_str(x, o, f, buf, sizeof(buf)), w;

	if (err || !buf[0])
		return err;
	w = word(words, buf);
	if (w < 0)
		return fail(x, f, "\"%s\" is not one of the known words", buf);
	*out = w;
	return 0;
}

static int parse_accel(struct ctx *x, struct json_object *o, struct rd_accel_cfg *a)
{
	static const char *const keys[] = {
		"name", "device", "preempt", "preempt_latency_us", "switch_us", "guard_us",
		"frame_us", "overrun_action", "overrun_grace_us", "timeslice_us",
		"unknown_kernel_us", NULL
	};
	struct json_object *v;
	uint64_t dev = 0;
	int err;

	if (!json_object_is_type(o, json_type_object))
		return fail(x, "", "must be an object");
	if (!json_object_object_get_ex(o, "name", &v))
		return fail(x, "name", "missing");
	err = known(x, o, keys);
	err = err ?: get_str(x, o, "name", a->name, sizeof(a->name));
	if (!err && json_object_object_get_ex(o, "device", &v)) {
		err = get_u64(x, o, "device", 255, &dev);
		a->dev_index = (int)dev;
	}
	err = err ?: get_word(x, o, "preempt", preempt_words, &a->preempt);
	err = err ?: get_word(x, o, "overrun_action", overrun_words, &a->overrun_action);
	err = err ?: get_u64(x, o, "preempt_latency_us", 1000000, &a->preempt_latency_us);
	err = err ?: get_u64(x, o, "switch_us", 1000000, &a->switch_us);
	err = err ?: get_u64(x, o, "guard_us", 1000000, &a->guard_us);
	err = err ?: get_u64(x, o, "frame_us", 10000000, &a->frame_us);
	err = err ?: get_u64(x, o, "overrun_grace_us", 1000000, &a->overrun_grace_us);
	err = err ?: get_u64(x, o, "timeslice_us", 1000000, &a->timeslice_us);
	/* Shorter than a lease round trip, a slice would be fifo with more messages. */
	if (!err && a->timeslice_us < 100)
		return fail(x, "timeslice_us", "must lie in 100..1000000");
	err = err ?: get_u64(x, o, "unknown_kernel_us", RD_TIME_MAX_US, &a->unknown_kernel_us);
	if (!err && !a->unknown_kernel_us)
		return fail(x, "unknown_kernel_us", "must lie in 1..%llu", RD_TIME_MAX_US);
	if (!err && (a->frame_us < 100 || a->frame_us <= a->guard_us ||
		     a->frame_us <= a->switch_us))
		return fail(x, "frame_us", "must lie in 100..10000000 and exceed guard_us and switch_us");
	return err;
}

/* The N of /dev/rtslotN accelerator i uses: its device, else its position. */
static int dev_of(const struct rd_config *c, size_t i)
{
	return c->accel[i].dev_index >= 0 ? c->accel[i].dev_index : (int)i;
}

static int parse_accels(struct ctx *x, struct json_object *root, struct rd_config *c)
{
	struct json_object *arr;
	char where[48];
	size_t i, j, n;
	int err;

	if (!json_object_object_get_ex(root, "accelerators", &arr))
		return 0;
	n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	if (!n || n > RSP_MAX_ACCELS)
		return fail(x, "accelerators", "must be a list of 1 to %d", RSP_MAX_ACCELS);
	c->naccels = (uint32_t)n;
	for (i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "accelerators[%zu].", i);
		x->where = where;
		accel_defaults(&c->accel[i], "");
		err = parse_accel(x, json_object_array_get_idx(arr, i), &c->accel[i]);
		if (err)
			return err;
		for (j = 0; j < i; j++) {
			if (!strcmp(c->accel[j].name, c->accel[i].name))
				return fail(x, "name", "\"%s\" appears twice", c->accel[i].name);
			/* Two hosts of one device would overwrite each other's table. */
			if (dev_of(c, j) == dev_of(c, i))
				return fail(x, "device", "/dev/rtslot%d is accelerators[%zu]'s too",
					    dev_of(c, i), j);
		}
	}
	x->where = "";
	return 0;
}

static int parse_learning(struct ctx *x, struct json_object *root, struct rd_learn_cfg *l)
{
	static const char *const keys[] = {
		"quantile", "margin", "drift", "window", "min_samples", NULL
	};
	struct json_object *o;
	int err;

	if (!json_object_object_get_ex(root, "learning", &o))
		return 0;
	x->where = "learning.";
	if (!json_object_is_type(o, json_type_object))
		return fail(x, "", "must be an object");
	err = known(x, o, keys);
	err = err ?: get_double(x, o, "quantile", 0.5, 1.0, &l->quantile);
	err = err ?: get_double(x, o, "margin", 0.0, 10.0, &l->margin);
	err = err ?: get_double(x, o, "drift", 0.0, 10.0, &l->drift);
	err = err ?: get_u32(x, o, "window", 1, 4096, &l->window);
	err = err ?: get_u32(x, o, "min_samples", 1, 4096, &l->min_samples);
	if (!err && l->min_samples > l->window)
		return fail(x, "min_samples", "must not exceed window");
	x->where = "";
	return err;
}

/* A list of at most RD_MAX_UIDS uids or gids (what says which in errors). */
static int parse_ids(struct ctx *x, struct json_object *root, const char *f, const char *what,
		     uint32_t *ids, uint32_t *count)
{
	struct json_object *arr, *v;
	size_t i, n;

	if (!json_object_object_get_ex(root, f, &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > RD_MAX_UIDS)
		return fail(x, f, "must be a list of at most %d %ss", RD_MAX_UIDS, what);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > 0xfffffffe)
			return fail(x, f, "entry %zu is not a %s", i, what);
		ids[i] = (uint32_t)json_object_get_int64(v);
	}
	*count = (uint32_t)n;
	return 0;
}

static int parse_uids(struct ctx *x, struct json_object *root, struct rd_config *c)
{
	int err = parse_ids(x, root, "allowed_uids", "uid", c->uids, &c->nuids);

	err = err ?: parse_ids(x, root, "privileged_uids", "uid", c->priv_uids, &c->npriv_uids);
	return err ?: parse_ids(x, root, "privileged_gids", "gid", c->priv_gids, &c->npriv_gids);
}

static int get_bool(struct ctx *x, struct json_object *o, const char *f, int *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, f, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(x, f, "must be true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_s32(struct ctx *x, struct json_object *o, const char *f, int32_t min,
		   int32_t max, int32_t *out)
{
	int64_t n = *out;
	int err = get_int(x, o, f, min, max, &n);

	*out = (int32_t)n;
	return err;
}

static int parse_root(struct ctx *x, struct json_object *root, struct rd_config *c)
{
	static const char *const keys[] = {
		"socket", "socket_mode", "backend", "policy", "telemetry", "rt_priority",
		"max_clients", "max_tasks_per_client", "max_clients_per_uid",
		"max_tasks_per_uid", "hello_timeout_ms", "allowed_uids", "privileged_uids",
		"privileged_gids", "priority_ceiling", "unprivileged_reservations", "learning",
		"accelerators", NULL
	};
	uint32_t prio = (uint32_t)c->rt_priority;
	char mode[8] = "", *end;
	int err;

	if (!json_object_is_type(root, json_type_object))
		return fail(x, "", "the configuration must be a JSON object");
	err = known(x, root, keys);
	err = err ?: get_str(x, root, "socket", c->socket, sizeof(c->socket));
	err = err ?: get_str(x, root, "socket_mode", mode, sizeof(mode));
	if (!err && mode[0]) {
		unsigned long m = strtoul(mode, &end, 8);

		if (*end || m > 0777)
			return fail(x, "socket_mode", "must be an octal mode such as \"0660\"");
		c->socket_mode = (uint32_t)m;
	}
	if (!err) {
		int b = c->backend == RD_BACKEND_AUTO ? 2 : c->backend;
		static const char *const words[] = { "user", "kmod", "auto", NULL };

		err = get_word(x, root, "backend", words, &b);
		c->backend = b == 2 ? RD_BACKEND_AUTO : b;
	}
	err = err ?: get_word(x, root, "policy", policy_words, &c->policy);
	err = err ?: get_word(x, root, "telemetry", telemetry_words, &c->telemetry);
	err = err ?: get_u32(x, root, "rt_priority", 0, 99, &prio);
	err = err ?: get_u32(x, root, "max_clients", 1, 65536, &c->max_clients);
	err = err ?: get_u32(x, root, "max_tasks_per_client", 1, 1024, &c->max_tasks);
	err = err ?: get_u32(x, root, "max_clients_per_uid", 1, 65536, &c->max_clients_per_uid);
	err = err ?: get_u32(x, root, "max_tasks_per_uid", 1, 65536, &c->max_tasks_per_uid);
	err = err ?: get_u32(x, root, "hello_timeout_ms", 1, 60000, &c->hello_timeout_ms);
	err = err ?: parse_uids(x, root, c);
	err = err ?: get_s32(x, root, "priority_ceiling", -1000000, 1000000, &c->priority_ceiling);
	err = err ?: get_bool(x, root, "unprivileged_reservations", &c->unprivileged_reservations);
	err = err ?: parse_learning(x, root, &c->learn);
	err = err ?: parse_accels(x, root, c);
	c->rt_priority = (int)prio;
	return err;
}

int rd_config_parse(struct rd_config *c, const char *json, char *err, size_t len)
{
	struct ctx x = { .err = err, .len = len, .where = "" };
	enum json_tokener_error jerr;
	struct json_object *root;
	int ret;

	root = json_tokener_parse_verbose(json, &jerr);
	if (!root) {
		snprintf(err, len, "not valid JSON: %s", json_tokener_error_desc(jerr));
		return -EINVAL;
	}
	ret = parse_root(&x, root, c);
	json_object_put(root);
	return ret;
}

int rd_config_load(struct rd_config *c, const char *path, char *err, size_t len)
{
	struct json_object *root;
	char tmp[256];
	int ret;

	root = json_object_from_file(path);
	if (!root) {
		ret = access(path, R_OK) ? -errno : -EINVAL;
		snprintf(err, len, "%s: %s", path,
			 ret == -EINVAL ? json_util_get_last_err() : strerror(-ret));
		return ret;
	}
	ret = parse_root(&(struct ctx){ .err = tmp, .len = sizeof(tmp), .where = "" },
			 root, c);
	json_object_put(root);
	if (ret)
		snprintf(err, len, "%s: %s", path, tmp);
	return ret;
}

/* The shortest text that reads back as the same double: what is in force. */
static struct json_object *dbl(double d)
{
	char buf[32];
	int prec;

	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof(buf), "%.17g", d);
	return json_object_new_double_s(d, buf);
}

/* The configuration in force, as JSON that rd_config_parse reads back. */
static struct json_object *id_array(const uint32_t *ids, uint32_t n)
{
	struct json_object *arr = json_object_new_array();
	uint32_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int64(ids[i]));
	return arr;
}

void rd_config_print(const struct rd_config *c, int fd)
{
	struct json_object *o = json_object_new_object(), *arr, *l, *a;
	char mode[8];
	uint32_t i;

	json_object_object_add(o, "socket", json_object_new_string(c->socket));
	snprintf(mode, sizeof(mode), "0%03o", c->socket_mode);
	json_object_object_add(o, "socket_mode", json_object_new_string(mode));
	json_object_object_add(o, "backend", json_object_new_string(
		c->backend == RD_BACKEND_AUTO ? "auto" : backend_words[c->backend]));
	json_object_object_add(o, "policy", json_object_new_string(rd_policy_name(c->policy)));
	json_object_object_add(o, "telemetry",
			       json_object_new_string(rd_telemetry_name(c->telemetry)));
	json_object_object_add(o, "rt_priority", json_object_new_int(c->rt_priority));
	json_object_object_add(o, "max_clients", json_object_new_int64(c->max_clients));
	json_object_object_add(o, "max_tasks_per_client", json_object_new_int64(c->max_tasks));
	json_object_object_add(o, "max_clients_per_uid",
			       json_object_new_int64(c->max_clients_per_uid));
	json_object_object_add(o, "max_tasks_per_uid", json_object_new_int64(c->max_tasks_per_uid));
	json_object_object_add(o, "hello_timeout_ms", json_object_new_int64(c->hello_timeout_ms));
	json_object_object_add(o, "allowed_uids", id_array(c->uids, c->nuids));
	json_object_object_add(o, "privileged_uids", id_array(c->priv_uids, c->npriv_uids));
	json_object_object_add(o, "privileged_gids", id_array(c->priv_gids, c->npriv_gids));
	json_object_object_add(o, "priority_ceiling", json_object_new_int(c->priority_ceiling));
	json_object_object_add(o, "unprivileged_reservations",
			       json_object_new_boolean(c->unprivileged_reservations));
	l = json_object_new_object();
	json_object_object_add(l, "quantile", dbl(c->learn.quantile));
	json_object_object_add(l, "margin", dbl(c->learn.margin));
	json_object_object_add(l, "drift", dbl(c->learn.drift));
	json_object_object_add(l, "window", json_object_new_int64(c->learn.window));
	json_object_object_add(l, "min_samples", json_object_new_int64(c->learn.min_samples));
	json_object_object_add(o, "learning", l);
	arr = json_object_new_array();
	for (i = 0; i < c->naccels; i++) {
		const struct rd_accel_cfg *x = &c->accel[i];

		a = json_object_new_object();
		json_object_object_add(a, "name", json_object_new_string(x->name));
		if (x->dev_index >= 0)
			json_object_object_add(a, "device", json_object_new_int(x->dev_index));
		json_object_object_add(a, "preempt",
				       json_object_new_string(preempt_words[x->preempt]));
		json_object_object_add(a, "preempt_latency_us",
				       json_object_new_int64((int64_t)x->preempt_latency_us));
		json_object_object_add(a, "switch_us", json_object_new_int64((int64_t)x->switch_us));
		json_object_object_add(a, "guard_us", json_object_new_int64((int64_t)x->guard_us));
		json_object_object_add(a, "frame_us", json_object_new_int64((int64_t)x->frame_us));
		json_object_object_add(a, "overrun_action",
				       json_object_new_string(overrun_words[x->overrun_action]));
		json_object_object_add(a, "overrun_grace_us",
				       json_object_new_int64((int64_t)x->overrun_grace_us));
		json_object_object_add(a, "timeslice_us",
				       json_object_new_int64((int64_t)x->timeslice_us));
		json_object_object_add(a, "unknown_kernel_us",
				       json_object_new_int64((int64_t)x->unknown_kernel_us));
		json_object_array_add(arr, a);
	}
	json_object_object_add(o, "accelerators", arr);
	dprintf(fd, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
