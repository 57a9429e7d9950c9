// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest helpers: the rtslot trace events in tracefs and the key=value
 * fields of their lines (see rtslot_test.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtslot_test.h"

static int rt_trace_write(const char *file, const char *val, int flags)
{
	char path[160];
	int fd, ret = 0;

	snprintf(path, sizeof(path), RT_TRACE "/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int rt_trace_begin(void)
{
	int ret = rt_trace_write("events/rtslot/enable", "1", 0);

	if (!ret)
		ret = rt_trace_write("tracing_on", "1", 0);
	if (!ret)
		ret = rt_trace_write("trace", "", O_TRUNC);
	return ret;
}

int rt_trace_end(void)
{
	return rt_trace_write("events/rtslot/enable", "0", 0);
}

char *rt_trace_read(void)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;
	int fd = open(RT_TRACE "/trace", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf)
				break;
			buf = nbuf;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

const char *rt_trace_find(const char *from, const char *event, uint32_t task)
{
	const char *p = from, *eol;
	char tag[64];
	uint64_t id;

	snprintf(tag, sizeof(tag), " %s: ", event);
	while (p && (p = strstr(p, tag))) {
		p += strlen(tag);
		eol = strchr(p, '\n');
		if (!task || (!rt_field_u64(p, "task", &id) && id == task))
			return p;
		p = eol;
	}
	return NULL;
}

/* The value text of " key=" (or "key=" at the start) on @fields' line. */
static const char *rt_field(const char *fields, const char *key, size_t *len)
{
	const char *eol = strchr(fields, '\n'), *p = fields;
	size_t klen = strlen(key);

	if (!eol)
		eol = fields + strlen(fields);
	while (p < eol) {
		if ((p == fields || p[-1] == ' ') && !strncmp(p, key, klen) && p[klen] == '=') {
			p += klen + 1;
			*len = strcspn(p, " \n");
			return p;
		}
		p++;
	}
	return NULL;
}

int rt_field_u64(const char *fields, const char *key, uint64_t *val)
{
	size_t len;
	const char *v = rt_field(fields, key, &len);
	char *end;

	if (!v)
		return -ENOENT;
	*val = strtoull(v, &end, 10);
	return end == v + len && len ? 0 : -EINVAL;
}

int rt_field_s64(const char *fields, const char *key, int64_t *val)
{
	size_t len;
	const char *v = rt_field(fields, key, &len);
	char *end;

	if (!v)
		return -ENOENT;
	*val = strtoll(v, &end, 10);
	return end == v + len && len ? 0 : -EINVAL;
}

int rt_field_str(const char *fields, const char *key, char *buf, size_t len)
{
	size_t n;
	const char *v = rt_field(fields, key, &n);

	if (!v)
		return -ENOENT;
	if (n >= len)
		return -E2BIG;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return 0;
}
