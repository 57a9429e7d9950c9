// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so configuration: an unmodified app is described to
 * rtslotd through RTSLOT_* environment variables, read once, each checked
 * with a message that names it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

#define US	1000ULL
#define MS	1000000ULL

/* A number in [lo, hi] scaled to an integer (ms or us to ns); 1 if unset. */
static int env_scaled(const char *var, double lo, double hi, uint64_t scale, uint64_t *out,
		      char *why, size_t len)
{
	const char *s = getenv(var);
	char *end;
	double v;

	if (!s || !*s)
		return 1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		snprintf(why, len, "%s=%s: want a number in %g..%g", var, s, lo, hi);
		return -EINVAL;
	}
	*out = (uint64_t)llround(v * (double)scale);
	return 0;
}

static int env_int(const char *var, long lo, long hi, long *out, char *why, size_t len)
{
	const char *s = getenv(var);
	char *end;
	long v;

	if (!s || !*s)
		return 1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		snprintf(why, len, "%s=%s: want an integer in %ld..%ld", var, s, lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int env_name(const char *var, char *dst, size_t size, char *why, size_t len)
{
	const char *s = getenv(var);

	if (!s || !*s)
		return 1;
	if (strlen(s) >= size) {
		snprintf(why, len, "%s=%s: longer than %zu characters", var, s, size - 1);
		return -EINVAL;
	}
	strcpy(dst, s);
	return 0;
}

static int env_choice(const char *var, const char *const *names, int n, int *out,
		      char *why, size_t len)
{
	const char *s = getenv(var);
	int i;

	if (!s || !*s)
		return 1;
	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	snprintf(why, len, "%s=%s: want %s%s%s%s%s", var, s, names[0], n > 1 ? " or " : "",
		 n > 1 ? names[1] : "", n > 2 ? " or " : "", n > 2 ? names[2] : "");
	return -EINVAL;
}

static void default_name(char *dst, size_t size)
{
	extern char *program_invocation_short_name;

	snprintf(dst, size, "%.*s-%d", (int)size - 12, program_invocation_short_name,
		 (int)getpid());
}

int shim_config_read(struct shim_config *c, char *why, size_t len)
{
	static const char *const crit[] = { "high", "low", "best_effort" };
	static const char *const fail[] = { "open", "closed" };
	struct rtslotc_params *t = &c->task;
	uint64_t period = 0, deadline = 0, wcet = 0, kernel = 0, v;
	long prio = 0, l;
	int err, ci = -1, fi = SHIM_FAIL_OPEN;

	memset(c, 0, sizeof(*c));
	c->default_est_ns = 100 * US;
	c->quantum_ns = 2 * MS;
	c->retry_ns = 1000 * MS;
	c->reply_ns = 500 * MS;
	c->poll_ns = 20 * US;
	c->sample_every = 256;

	err = env_name("RTSLOT_TASK", t->name, sizeof(t->name), why, len);
	if (err > 0)
		default_name(t->name, sizeof(t->name));
	err = err > 0 ? 0 : err;
	if (!err && (err = env_name("RTSLOT_ACCEL", t->accel, sizeof(t->accel), why, len)) > 0)
		err = 0;
#define SCALED(var, lo, hi, scale, dst) \
	if (!err && (err = env_scaled(var, lo, hi, scale, &(dst), why, len)) > 0) \
		err = 0
	SCALED("RTSLOT_PERIOD_MS", 0.001, 10000, US, period);
	SCALED("RTSLOT_DEADLINE_MS", 0.001, 10000, US, deadline);
	SCALED("RTSLOT_WCET_MS", 0.001, 10000, US, wcet);
	SCALED("RTSLOT_MAX_KERNEL_US", 1, 1e7, 1, kernel);
	SCALED("RTSLOT_EST_US", 1, 1e7, US, c->default_est_ns);
	SCALED("RTSLOT_QUANTUM_US", 1, 1e7, US, c->quantum_ns);
	SCALED("RTSLOT_WAIT_MS", 0, 1e7, MS, c->wait_timeout_ns);
	SCALED("RTSLOT_RETRY_MS", 1, 1e7, MS, c->retry_ns);
	SCALED("RTSLOT_REPLY_MS", 1, 1e7, MS, c->reply_ns);
	SCALED("RTSLOT_POLL_US", 1, 1e5, US, c->poll_ns);
#undef SCALED
	if (!err && (err = env_int("RTSLOT_PRIORITY", -1000000, 1000000, &prio, why, len)) > 0)
		err = 0;
	if (!err && (err = env_int("RTSLOT_SAMPLE", 1, 1 << 20, &l, why, len)) == 0) {
		if (l & (l - 1)) {
			snprintf(why, len, "RTSLOT_SAMPLE=%ld: want a power of two", l);
			err = -EINVAL;
		}
		c->sample_every = (uint32_t)l;
	}
	err = err > 0 ? 0 : err;
	if (!err && (err = env_choice("RTSLOT_CRITICALITY", crit, 3, &ci, why, len)) > 0)
		err = 0;
	if (!err && (err = env_choice("RTSLOT_FAIL", fail, 2, &fi, why, len)) > 0)
		err = 0;
	if (!err && env_int("RTSLOT_DISABLE", 0, 1, &l, why, len) == 0)
		c->disabled = (int)l;
	if (!err && env_int("RTSLOT_VERBOSE", 0, 1, &l, why, len) == 0)
		c->verbose = (int)l;
	if (err)
		return err;

	/* Without a period there is nothing to guarantee: best effort. */
	if (ci < 0)
		ci = period ? RSP_CRIT_HIGH : RSP_CRIT_BEST_EFFORT;
	if (ci != RSP_CRIT_BEST_EFFORT && !period) {
		snprintf(why, len, "RTSLOT_CRITICALITY=%s needs RTSLOT_PERIOD_MS", crit[ci]);
		return -EINVAL;
	}
	if (deadline && period && deadline > period) {
		snprintf(why, len, "RTSLOT_DEADLINE_MS is longer than RTSLOT_PERIOD_MS");
		return -EINVAL;
	}
	/* rtslotd wants a period even of best-effort tasks: the job pace. */
	v = period ? period : 100000;
	t->period_us = v;
	t->deadline_us = deadline;
	t->wcet_us = wcet;
	/* A best-effort lease may queue up to a quantum of work: its blocking. */
	t->max_kernel_us = kernel ? kernel :
		(ci == RSP_CRIT_BEST_EFFORT ? (c->quantum_ns + US - 1) / US : 0);
	if (wcet && t->max_kernel_us > wcet)
		t->max_kernel_us = wcet;
	t->kernels = 1;
	t->priority = (int32_t)prio;
	t->criticality = (uint32_t)ci;
	c->fail = (enum shim_fail)fi;
	c->socket = getenv("RTSLOT_SOCKET");
	return 0;
}
