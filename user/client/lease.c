// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-client leases: the fast path on the lease page, and requests
 * that wait on the page's futex (user backend) or in the ioctl (kmod).
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How often a waiter looks whether rtslotd is still there. */
#define LIVENESS_NS	(100ULL * 1000 * 1000)

int rtslotc_lease_fits(const struct rtslotc_task *t, uint64_t est_ns)
{
	return rtslot_lease_fits(t->page, est_ns, rtslot_now_ns());
}

static int kmod(const struct rtslotc_task *t)
{
	return t->dev.fd >= 0;
}

static int lease_call(struct rtslotc_task *t, uint16_t type, uint64_t arg,
		      struct rsp_lease *out)
{
	union rsp_msg req, rep;
	int err;

	memset(&req, 0, sizeof(req));
	rsp_init(&req.hdr, type, 0);
	req.lreq.task_id = t->id;
	if (type == RSP_LEASE_REQUEST || type == RSP_LEASE_RENEW)
		req.lreq.est_ns = arg;
	else if (type == RSP_LEASE_RELEASE)
		req.lrel.actual_ns = arg;
	err = rtslotc_call(t->c, &req, -1, RSP_LEASE, &rep, NULL);
	if (!err)
		*out = rep.lease;
	return err;
}

static int daemon_gone(const struct rtslotc_task *t)
{
	struct pollfd p = { .fd = t->c->fd, .events = POLLRDHUP };

	/*
	 * A hang-up only: something to read may be the reply to another
	 * thread's request on this connection (calls hold the lock, waits
	 * do not), and it is not ours to take.
	 */
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Wait on the page until this request is granted; -ETIME at deadline. */
static int wait_grant(const struct rtslotc_task *t, uint64_t gen, uint64_t deadline)
{
	const struct rtslot_lease_page *p = t->page;
	struct rtslot_lease_snap s;
	struct timespec ts;
	uint64_t now, slice;
	uint32_t seq;

	for (;;) {
		seq = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
		rtslot_lease_read(p, &s);
		if (s.state == RTSLOT_LEASE_HELD && s.generation != gen)
			return 0;
		if (s.state == RTSLOT_LEASE_NONE)
			return -ECANCELED;
		now = rtslot_now_ns();
		if (deadline && now >= deadline)
			return -ETIME;
		slice = deadline && deadline - now < LIVENESS_NS ? deadline - now : LIVENESS_NS;
		ts.tv_sec = (time_t)(slice / 1000000000ULL);
		ts.tv_nsec = (long)(slice % 1000000000ULL);
		/* Shared futex: rtslotd wakes it after every change of the page. */
		if (!(seq & 1))
			syscall(SYS_futex, &p->seq, FUTEX_WAIT, seq, &ts, NULL, 0);
		if (daemon_gone(t))
			return -ECONNRESET;
	}
}

static int user_request(struct rtslotc_task *t, uint16_t type, uint64_t est_ns,
			uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? rtslot_now_ns() + timeout_ns : 0, gen;
	struct rsp_lease l;
	int err;

	gen = __atomic_load_n(&t->page->generation, __ATOMIC_RELAXED);
	err = lease_call(t, type, est_ns, &l);
	if (err)
		return err;
	if (l.state == RTSLOT_LEASE_HELD)
		return 0;
	err = wait_grant(t, gen, deadline);
	if (err != -ETIME)
		return err;
	/* Give up, unless the grant came while we did: then it is ours. */
	err = lease_call(t, RSP_LEASE_CANCEL, 0, &l);
	if (err)
		return err;
	return l.state == RTSLOT_LEASE_HELD ? 0 : -ETIME;
}

int rtslotc_lease_request(struct rtslotc_task *t, uint64_t est_ns, uint64_t timeout_ns)
{
	if (kmod(t))
		return rtslot_lease_request(&t->dev, est_ns, timeout_ns, NULL);
	return user_request(t, RSP_LEASE_REQUEST, est_ns, timeout_ns);
}

int rtslotc_lease_renew(struct rtslotc_task *t, uint64_t est_ns, uint64_t timeout_ns)
{
	if (kmod(t))
		return rtslot_lease_renew(&t->dev, est_ns, timeout_ns, NULL);
	return user_request(t, RSP_LEASE_RENEW, est_ns, timeout_ns);
}

int rtslotc_lease_release(struct rtslotc_task *t, uint64_t actual_ns, uint64_t *held_ns)
{
	struct rsp_lease l;
	int err;

	if (kmod(t))
		return rtslot_lease_release(&t->dev, actual_ns, held_ns);
	err = lease_call(t, RSP_LEASE_RELEASE, actual_ns, &l);
	if (!err && held_ns)
		*held_ns = l.held_ns;
	return err;
}
