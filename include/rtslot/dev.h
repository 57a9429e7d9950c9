/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * librtslot: userspace access to /dev/rtslot<N> and its sysfs directory,
 * shared by rtslotctl, the benchmarks, rtslotd and the CUDA shim.
 * Every function returns 0 (or a count) on success and -errno on failure.
 */
#ifndef RTSLOT_DEV_H
#define RTSLOT_DEV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <rtslot.h>

#define RTSLOT_DEV_FMT		"/dev/rtslot%u"
#define RTSLOT_SYSFS_FMT	"/sys/class/rtslot/rtslot%u"

/* One open device file: it carries at most one task (the kernel's rule). */
struct rtslot_dev {
	int fd;				/* -1 when closed */
	unsigned int index;		/* N of /dev/rtslotN */
	uint32_t task_id;		/* 0 until rtslot_task_create() */
	const struct rtslot_lease_page *page;	/* NULL until mapped */
	size_t page_len;
};

/* What LEASE_REQUEST and LEASE_RENEW return. */
struct rtslot_grant {
	uint64_t lease_end_ns;		/* CLOCK_MONOTONIC */
	uint64_t wait_ns;		/* request to grant, measured by the kernel */
	uint64_t generation;
};

/* A consistent copy of the lease page's fields. */
struct rtslot_lease_snap {
	uint32_t state;			/* enum rtslot_lease_state */
	uint32_t yield_requested;
	uint64_t generation;
	uint64_t lease_end_ns;
	uint64_t guard_ns;
	uint64_t granted_ns;
};

int rtslot_open(struct rtslot_dev *d, unsigned int index);
void rtslot_close(struct rtslot_dev *d);

int rtslot_get_info(const struct rtslot_dev *d, struct rtslot_info *info);
/* name may be NULL or longer than the kernel takes (-ENAMETOOLONG). */
int rtslot_task_create(struct rtslot_dev *d, const char *name);
/* Which task is on d's file, and who created it; -ENOENT: none. */
int rtslot_task_info(const struct rtslot_dev *d, struct rtslot_task_info *ti);
/*
 * All three times 0: best effort.  max_lease_ns bounds the work of one
 * lease (0: the device's default).  Needs CAP_SYS_NICE.
 */
int rtslot_set_reservation(const struct rtslot_dev *d, uint64_t runtime_ns,
			   uint64_t deadline_ns, uint64_t period_ns, int prio,
			   uint64_t max_lease_ns);
/* The device's frame; nslots == 0 removes the table.  Needs CAP_SYS_NICE. */
int rtslot_set_table(const struct rtslot_dev *d, const struct rtslot_slot *slots,
		     unsigned int nslots);

/* timeout_ns 0 waits forever; -ETIME, -EINTR as the UAPI says. */
int rtslot_lease_request(const struct rtslot_dev *d, uint64_t est_ns,
			 uint64_t timeout_ns, struct rtslot_grant *g);
int rtslot_lease_renew(const struct rtslot_dev *d, uint64_t est_ns,
		       uint64_t timeout_ns, struct rtslot_grant *g);
/* actual_ns 0: unknown.  held_ns may be NULL.  -ENOLCK after a revoke. */
int rtslot_lease_release(const struct rtslot_dev *d, uint64_t actual_ns,
			 uint64_t *held_ns);

/* Map the task's lease page read-only into d->page. */
int rtslot_lease_map(struct rtslot_dev *d);
void rtslot_lease_unmap(struct rtslot_dev *d);

/* Read the attribute into buf (NUL-terminated, trailing newline removed). */
int rtslot_sysfs_read(unsigned int index, const char *attr, char *buf, size_t len);
int rtslot_sysfs_write(unsigned int index, const char *attr, const char *val);

const char *rtslot_policy_name(uint32_t policy);
const char *rtslot_preempt_name(uint32_t mode);
const char *rtslot_overrun_name(uint32_t action);
const char *rtslot_lease_state_name(uint32_t state);

static inline uint64_t rtslot_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Retries a reader gives a writer before it takes the page as leaseless:
 * the kernel's writer never stops half way, but rtslotd's (the user
 * backend) can die between its two increments, and the fast path must
 * not spin for ever on it.  Far past any write that is still going on.
 */
#define RTSLOT_SEQ_RETRIES	(1U << 20)

/*
 * The kernel writes the page as a seqcount (odd while it writes): copy the
 * fields, and retry while the count was odd or moved underneath us.
 */
static inline void rtslot_lease_read(const struct rtslot_lease_page *p,
				     struct rtslot_lease_snap *s)
{
	uint32_t seq, tries = 0;

	do {
		if (__builtin_expect(++tries > RTSLOT_SEQ_RETRIES, 0)) {
			memset(s, 0, sizeof(*s));
			s->state = RTSLOT_LEASE_NONE;
			return;
		}
		seq = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
		s->state = __atomic_load_n(&p->state, __ATOMIC_RELAXED);
		s->yield_requested = __atomic_load_n(&p->yield_requested, __ATOMIC_RELAXED);
		s->generation = __atomic_load_n(&p->generation, __ATOMIC_RELAXED);
		s->lease_end_ns = __atomic_load_n(&p->lease_end_ns, __ATOMIC_RELAXED);
		s->guard_ns = __atomic_load_n(&p->guard_ns, __ATOMIC_RELAXED);
		s->granted_ns = __atomic_load_n(&p->granted_ns, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&p->seq, __ATOMIC_RELAXED));
}

/*
 * The launch gate's rule on a snapshot: held, no more urgent waiter asked
 * us to yield, and now + est + guard <= lease_end, written so that no sum
 * can wrap.
 */
static inline int rtslot_snap_fits(const struct rtslot_lease_snap *s,
				   uint64_t est_ns, uint64_t now_ns)
{
	uint64_t left;

	if (s->state != RTSLOT_LEASE_HELD || s->yield_requested)
		return 0;
	if (now_ns > s->lease_end_ns)
		return 0;
	left = s->lease_end_ns - now_ns;
	if (s->guard_ns > left)
		return 0;
	return est_ns <= left - s->guard_ns;
}

/* The shim's fast path: may work of est_ns start now, without a syscall? */
static inline int rtslot_lease_fits(const struct rtslot_lease_page *p,
				    uint64_t est_ns, uint64_t now_ns)
{
	struct rtslot_lease_snap s;

	rtslot_lease_read(p, &s);
	return rtslot_snap_fits(&s, est_ns, now_ns);
}

#endif /* RTSLOT_DEV_H */
