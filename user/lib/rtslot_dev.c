// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot: the ioctls and the lease page mapping of /dev/rtslot<N>, each
 * wrapped so that callers get 0 or -errno and never see the size protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rtslot/dev.h>

static int xioctl(const struct rtslot_dev *d, unsigned long cmd, void *arg)
{
	if (d->fd < 0)
		return -EBADF;
	if (ioctl(d->fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

int rtslot_open(struct rtslot_dev *d, unsigned int index)
{
	char path[64];

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->index = index;
	snprintf(path, sizeof(path), RTSLOT_DEV_FMT, index);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

void rtslot_close(struct rtslot_dev *d)
{
	rtslot_lease_unmap(d);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->task_id = 0;
}

int rtslot_get_info(const struct rtslot_dev *d, struct rtslot_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return xioctl(d, RTSLOT_IOC_GET_INFO, info);
}

int rtslot_task_create(struct rtslot_dev *d, const char *name)
{
	struct rtslot_task_create tc;
	int ret;

	memset(&tc, 0, sizeof(tc));
	tc.size = sizeof(tc);
	if (name) {
		if (strlen(name) >= sizeof(tc.name))
			return -ENAMETOOLONG;
		strcpy(tc.name, name);
	}
	ret = xioctl(d, RTSLOT_IOC_TASK_CREATE, &tc);
	if (ret)
		return ret;
	d->task_id = tc.task_id;
	return 0;
}

int rtslot_task_info(const struct rtslot_dev *d, struct rtslot_task_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->size = sizeof(*ti);
	return xioctl(d, RTSLOT_IOC_TASK_INFO, ti);
}

int rtslot_set_reservation(const struct rtslot_dev *d, uint64_t runtime_ns,
			   uint64_t deadline_ns, uint64_t period_ns, int prio,
			   uint64_t max_lease_ns)
{
	struct rtslot_reservation r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.runtime_ns = runtime_ns;
	r.deadline_ns = deadline_ns;
	r.period_ns = period_ns;
	r.priority = prio;
	r.max_lease_ns = max_lease_ns;
	return xioctl(d, RTSLOT_IOC_SET_RESERVATION, &r);
}

int rtslot_set_table(const struct rtslot_dev *d, const struct rtslot_slot *slots,
		     unsigned int nslots)
{
	struct rtslot_table t;

	memset(&t, 0, sizeof(t));
	t.size = sizeof(t);
	t.nslots = nslots;
	t.slots = (uintptr_t)slots;
	return xioctl(d, RTSLOT_IOC_SET_TABLE, &t);
}

static int lease_call(const struct rtslot_dev *d, unsigned long cmd, uint64_t est_ns,
		      uint64_t timeout_ns, struct rtslot_grant *g)
{
	struct rtslot_lease_request r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.est_ns = est_ns;
	r.timeout_ns = timeout_ns;
	ret = xioctl(d, cmd, &r);
	if (ret)
		return ret;
	if (g) {
		g->lease_end_ns = r.lease_end_ns;
		g->wait_ns = r.wait_ns;
		g->generation = r.generation;
	}
	return 0;
}

int rtslot_lease_request(const struct rtslot_dev *d, uint64_t est_ns,
			 uint64_t timeout_ns, struct rtslot_grant *g)
{
	return lease_call(d, RTSLOT_IOC_LEASE_REQUEST, est_ns, timeout_ns, g);
}

int rtslot_lease_renew(const struct rtslot_dev *d, uint64_t est_ns,
		       uint64_t timeout_ns, struct rtslot_grant *g)
{
	return lease_call(d, RTSLOT_IOC_LEASE_RENEW, est_ns, timeout_ns, g);
}

int rtslot_lease_release(const struct rtslot_dev *d, uint64_t actual_ns,
			 uint64_t *held_ns)
{
	struct rtslot_lease_release r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.actual_ns = actual_ns;
	ret = xioctl(d, RTSLOT_IOC_LEASE_RELEASE, &r);
	if (!ret && held_ns)
		*held_ns = r.held_ns;
	return ret;
}

int rtslot_lease_map(struct rtslot_dev *d)
{
	long psz = sysconf(_SC_PAGESIZE);
	void *p;

	if (d->page)
		return 0;
	if (d->fd < 0)
		return -EBADF;
	if (psz <= 0)
		return -EINVAL;
	p = mmap(NULL, (size_t)psz, PROT_READ, MAP_SHARED, d->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	d->page = p;
	d->page_len = (size_t)psz;
	return 0;
}

void rtslot_lease_unmap(struct rtslot_dev *d)
{
	if (d->page)
		munmap((void *)d->page, d->page_len);
	d->page = NULL;
	d->page_len = 0;
}

static const char *name_of(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

const char *rtslot_policy_name(uint32_t policy)
{
	static const char *const names[] = {
		[RTSLOT_POLICY_TABLE] = "table",
		[RTSLOT_POLICY_EDF] = "edf",
		[RTSLOT_POLICY_FP] = "fp",
	};

	return name_of(names, sizeof(names) / sizeof(names[0]), policy);
}

const char *rtslot_preempt_name(uint32_t mode)
{
	static const char *const names[] = {
		[RTSLOT_PREEMPT_LAUNCH] = "launch",
		[RTSLOT_PREEMPT_BLOCK] = "block",
		[RTSLOT_PREEMPT_INSTRUCTION] = "instruction",
	};

	return name_of(names, sizeof(names) / sizeof(names[0]), mode);
}

const char *rtslot_overrun_name(uint32_t action)
{
	static const char *const names[] = {
		[RTSLOT_OVERRUN_LOG] = "log",
		[RTSLOT_OVERRUN_REVOKE] = "revoke",
		[RTSLOT_OVERRUN_THROTTLE] = "throttle",
	};

	return name_of(names, sizeof(names) / sizeof(names[0]), action);
}

const char *rtslot_lease_state_name(uint32_t state)
{
	static const char *const names[] = {
		[RTSLOT_LEASE_NONE] = "none",
		[RTSLOT_LEASE_WAITING] = "waiting",
		[RTSLOT_LEASE_HELD] = "held",
	};

	return name_of(names, sizeof(names) / sizeof(names[0]), state);
}
