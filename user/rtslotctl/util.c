// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl: argument parsing and error reporting shared by the
 * subcommands, so every command words its errors the same way.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslotctl.h"

void ctl_err(const char *cmd, const char *what, int err)
{
	fprintf(stderr, "rtslotctl %s: %s: %s\n", cmd, what, strerror(err < 0 ? -err : err));
}

void ctl_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rtslotctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see rtslotctl %s --help)\n", cmd);
}

void ctl_bad_option(const char *cmd, int c, char **argv)
{
	/* getopt_long() has already stepped past the offending word. */
	const char *word = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		ctl_usage_err(cmd, "option '%s' needs a value", word);
	else if (optopt)
		ctl_usage_err(cmd, "unknown option '-%c'", optopt);
	else
		ctl_usage_err(cmd, "unknown option '%s'", word);
}

static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull takes "-1" as a huge number: only plain digits are numbers. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctl_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	uint64_t v;
	int ret = parse_u64(s, &v);

	if (ret == -EINVAL) {
		ctl_usage_err(cmd, "%s: '%s' is not a whole number", opt, s);
		return ret;
	}
	if (ret || v < min || v > max) {
		ctl_usage_err(cmd, "%s: %s is outside %llu..%llu", opt, s,
			      (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int ctl_parse_us(const char *cmd, const char *opt, const char *s, uint64_t min_us,
		 uint64_t max_us, uint64_t *out_ns)
{
	uint64_t us;
	int ret = ctl_parse_u64(cmd, opt, s, min_us, max_us, &us);

	if (ret)
		return ret;
	*out_ns = us * 1000;
	return 0;
}

int ctl_parse_device(const char *cmd, const char *s, unsigned int *index)
{
	uint64_t v;
	int ret = ctl_parse_u64(cmd, "-d", s, 0, 255, &v);

	if (!ret)
		*index = (unsigned int)v;
	return ret;
}

int ctl_open(const char *cmd, struct rtslot_dev *d, unsigned int index)
{
	char path[64];
	int ret = rtslot_open(d, index);

	if (!ret)
		return 0;
	snprintf(path, sizeof(path), RTSLOT_DEV_FMT, index);
	if (ret == -ENOENT || ret == -ENXIO || ret == -ENODEV)
		fprintf(stderr, "rtslotctl %s: no %s: is rtslot.ko loaded?\n", cmd, path);
	else
		ctl_err(cmd, path, ret);
	return ret;
}
