// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest helpers: the clock and the device's ioctls and lease page, each
 * returning -errno (see rtslot_test.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "rtslot_test.h"

uint64_t rt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC(1) + (uint64_t)ts.tv_nsec;
}

void rt_sleep(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / SEC(1), .tv_nsec = ns % SEC(1) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int rt_open(void)
{
	int fd = open(RT_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int rt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int rt_info(int fd, struct rtslot_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return rt_ioctl(fd, RTSLOT_IOC_GET_INFO, info);
}

int rt_task_create(int fd, const char *name, uint32_t *id)
{
	struct rtslot_task_create tc = { .size = sizeof(tc) };
	int ret;

	snprintf(tc.name, sizeof(tc.name), "%s", name ? name : "");
	ret = rt_ioctl(fd, RTSLOT_IOC_TASK_CREATE, &tc);
	if (!ret && id)
		*id = tc.task_id;
	return ret;
}

int rt_open_task(const char *name, uint32_t *id)
{
	int fd = rt_open(), ret;

	if (fd < 0)
		return fd;
	ret = rt_task_create(fd, name, id);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int rt_reserve(int fd, uint64_t runtime, uint64_t deadline, uint64_t period, int prio)
{
	return rt_reserve_bounded(fd, runtime, deadline, period, prio, 0);
}

int rt_reserve_bounded(int fd, uint64_t runtime, uint64_t deadline, uint64_t period,
		       int prio, uint64_t max_lease)
{
	struct rtslot_reservation r = {
		.size = sizeof(r), .runtime_ns = runtime, .deadline_ns = deadline,
		.period_ns = period, .priority = prio, .max_lease_ns = max_lease,
	};

	return rt_ioctl(fd, RTSLOT_IOC_SET_RESERVATION, &r);
}

static int rt_lease_call(int fd, unsigned long cmd, uint64_t est, uint64_t timeout,
			 struct rtslot_lease_request *out)
{
	struct rtslot_lease_request req = {
		.size = sizeof(req), .est_ns = est, .timeout_ns = timeout,
	};
	int ret = rt_ioctl(fd, cmd, &req);

	if (out)
		*out = req;
	return ret;
}

int rt_request(int fd, uint64_t est, uint64_t timeout, struct rtslot_lease_request *out)
{
	return rt_lease_call(fd, RTSLOT_IOC_LEASE_REQUEST, est, timeout, out);
}

int rt_renew(int fd, uint64_t est, uint64_t timeout, struct rtslot_lease_request *out)
{
	return rt_lease_call(fd, RTSLOT_IOC_LEASE_RENEW, est, timeout, out);
}

int rt_release(int fd, uint64_t actual, uint64_t *held)
{
	struct rtslot_lease_release rel = { .size = sizeof(rel), .actual_ns = actual };
	int ret = rt_ioctl(fd, RTSLOT_IOC_LEASE_RELEASE, &rel);

	if (!ret && held)
		*held = rel.held_ns;
	return ret;
}

int rt_set_table(int fd, const struct rtslot_slot *slots, uint32_t nslots)
{
	struct rtslot_table tab = {
		.size = sizeof(tab), .nslots = nslots,
		.slots = (uintptr_t)slots,
	};

	return rt_ioctl(fd, RTSLOT_IOC_SET_TABLE, &tab);
}

const struct rtslot_lease_page *rt_map_page(int fd)
{
	void *p = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* A child must not keep our file (and so our task) alive through it. */
	madvise(p, getpagesize(), MADV_DONTFORK);
	return p;
}

void rt_page_read(const struct rtslot_lease_page *page, struct rtslot_lease_page *out)
{
	const volatile struct rtslot_lease_page *p = page;
	uint32_t seq;

	for (;;) {
		seq = p->seq;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		out->state = p->state;
		out->generation = p->generation;
		out->lease_end_ns = p->lease_end_ns;
		out->guard_ns = p->guard_ns;
		out->granted_ns = p->granted_ns;
		out->task_id = p->task_id;
		out->abi_version = p->abi_version;
		out->yield_requested = p->yield_requested;
		out->max_lease_ns = p->max_lease_ns;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!(seq & 1) && p->seq == seq)
			break;
	}
	out->seq = seq;
}
