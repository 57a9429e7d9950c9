// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest helpers: the device's sysfs attributes, its task list and slot
 * table, and saving and restoring its configuration (see rtslot_test.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtslot_test.h"

static void rt_attr_path(char *path, size_t len, const char *attr)
{
	snprintf(path, len, RT_SYSFS "/%s", attr);
}

int rt_attr_read(const char *attr, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	rt_attr_path(path, sizeof(path), attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int rt_attr_write(const char *attr, const char *val)
{
	size_t len = strlen(val);
	char path[128];
	ssize_t n;
	int fd, ret = 0;

	rt_attr_path(path, sizeof(path), attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* An empty write never reaches the store method: send a newline. */
	n = len ? write(fd, val, len) : write(fd, "\n", 1);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != (len ? len : 1))
		ret = -EIO;
	close(fd);
	return ret;
}

int rt_attr_u64(const char *attr, uint64_t *val)
{
	char buf[64], *end;
	int ret = rt_attr_read(attr, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	return errno || end == buf || *end ? -EINVAL : 0;
}

int rt_attr_set_u64(const char *attr, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)val);
	return rt_attr_write(attr, buf);
}

int rt_stat(const char *key, uint64_t *val)
{
	char buf[4096], name[64], *line, *save = NULL;
	unsigned long long v;
	int ret = rt_attr_read("stats", buf, sizeof(buf));

	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%63s %llu", name, &v) == 2 && !strcmp(name, key)) {
			*val = v;
			return 0;
		}
	}
	return -ENOENT;
}

static int rt_parse_row(const char *line, struct rt_task_row *r)
{
	unsigned long long rt, dl, per, req, gr, mi, ov;
	int n;

	n = sscanf(line, "%u %d %15s %d %llu %llu %llu %llu %llu %llu %llu %31s",
		   &r->id, &r->pid, r->state, &r->prio, &rt, &dl, &per, &req, &gr,
		   &mi, &ov, r->name);
	if (n != 12)
		return -EINVAL;
	r->runtime = rt;
	r->deadline = dl;
	r->period = per;
	r->requests = req;
	r->grants = gr;
	r->misses = mi;
	r->overruns = ov;
	return 0;
}

/* Calls @fn for each row until it returns non-zero; that value, or 0. */
static int rt_each_row(int (*fn)(const struct rt_task_row *, void *), void *arg)
{
	static char buf[8192];
	struct rt_task_row row;
	char *line, *save = NULL;
	int ret = rt_attr_read("tasks", buf, sizeof(buf));

	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (rt_parse_row(line, &row))
			return -EINVAL;
		ret = fn(&row, arg);
		if (ret)
			return ret;
	}
	return 0;
}

struct rt_row_query {
	uint32_t id;
	const char *state;
	struct rt_task_row *out;
	int count;
};

static int rt_row_match(const struct rt_task_row *row, void *arg)
{
	struct rt_row_query *q = arg;

	if (q->out) {
		if (row->id != q->id)
			return 0;
		*q->out = *row;
		return 1;
	}
	if (!q->state || !strcmp(q->state, row->state))
		q->count++;
	return 0;
}

int rt_task_row(uint32_t id, struct rt_task_row *row)
{
	struct rt_row_query q = { .id = id, .out = row };
	int ret = rt_each_row(rt_row_match, &q);

	return ret < 0 ? ret : ret ? 0 : -ENOENT;
}

int rt_count_tasks(const char *state)
{
	struct rt_row_query q = { .state = state };
	int ret = rt_each_row(rt_row_match, &q);

	return ret < 0 ? ret : q.count;
}

int rt_wait_tasks(const char *state, int n, uint64_t timeout)
{
	uint64_t end = rt_now() + timeout;
	int ret;

	while ((ret = rt_count_tasks(state)) != n) {
		if (ret < 0)
			return ret;
		if (rt_now() > end)
			return -ETIMEDOUT;
		rt_sleep(MSEC(2));
	}
	return 0;
}

int rt_wait_task_state(uint32_t id, const char *state, uint64_t timeout)
{
	uint64_t end = rt_now() + timeout;
	struct rt_task_row row;
	int ret;

	for (;;) {
		ret = rt_task_row(id, &row);
		if (ret)
			return ret;
		if (!strcmp(row.state, state))
			return 0;
		if (rt_now() > end)
			return -ETIMEDOUT;
		rt_sleep(MSEC(2));
	}
}

int rt_slots_read(struct rtslot_slot *slots, unsigned int max)
{
	char buf[4096], *line, *save = NULL;
	unsigned long long start, len;
	unsigned int i, owner, n = 0;
	int ret = rt_attr_read("slots", buf, sizeof(buf));

	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%u %llu %llu %u", &i, &start, &len, &owner) != 4 ||
		    i != n || n >= max)
			return -EINVAL;
		slots[n].start_ns = start;
		slots[n].length_ns = len;
		slots[n].task_id = owner;
		slots[n].flags = 0;
		n++;
	}
	return n;
}

/*
 * The order frame_us can always be written in: guard and switch cleared
 * first (they must stay below the frame), set again after it.
 */
static const char *const rt_attrs[RT_NATTRS] = {
	"frame_us", "guard_us", "switch_us", "preempt_mode",
	"preempt_latency_us", "policy", "overrun_action", "overrun_grace_us",
	"reclaim", "be_max_us",
};

/* What rtslot.ko starts with. */
const struct rt_config rt_defaults = { .val = {
	"10000", "0", "0", "launch", "0", "table", "revoke", "1000", "0", "10000000",
} };

int rt_config_save(struct rt_config *c)
{
	int i, ret;

	for (i = 0; i < RT_NATTRS; i++) {
		ret = rt_attr_read(rt_attrs[i], c->val[i], sizeof(c->val[i]));
		if (ret)
			return ret;
	}
	return 0;
}

int rt_clear_table(void)
{
	struct rtslot_slot none;
	uint64_t end = rt_now() + SEC(12);
	int fd = rt_open(), ret;

	if (fd < 0)
		return fd;
	ret = rt_set_table(fd, &none, 0);
	close(fd);
	if (ret)
		return ret;
	/* A running table gives way at its next frame boundary. */
	while ((ret = rt_slots_read(&none, 1)) != 0) {
		if (ret < 0 && ret != -EINVAL)
			return ret;
		if (rt_now() > end)
			return -ETIMEDOUT;
		rt_sleep(MSEC(5));
	}
	return 0;
}

int rt_config_apply(const struct rt_config *c)
{
	int i, ret;

	ret = rt_clear_table();
	if (!ret)
		ret = rt_attr_write("guard_us", "0");
	if (!ret)
		ret = rt_attr_write("switch_us", "0");
	for (i = 0; i < RT_NATTRS && !ret; i++)
		ret = rt_attr_write(rt_attrs[i], c->val[i]);
	return ret;
}

int rt_setup(struct rt_config *saved)
{
	int ret = rt_config_save(saved);

	/* Processes of the previous test may still be on their way out. */
	if (!ret)
		ret = rt_wait_tasks(NULL, 0, RT_SETTLE);
	if (!ret)
		ret = rt_config_apply(&rt_defaults);
	return ret;
}
