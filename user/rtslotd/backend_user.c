// SPDX-License-Identifier: GPL-2.0
/*
 * The user backend: rtslotd hosts the slot core itself (kmod/slotcore.c,
 * unchanged) and publishes each task's lease in a sealed memfd page.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rtslot.h>

#include "rtslotd.h"

#define NS	1000ULL

static struct rd_dev *dev_of(struct rs_dev *core)
{
	return rd_container(core, struct rd_dev, core);
}

static void on_missed(struct rs_dev *core, struct rs_task *t, rs_u64 deadline, rs_u64 now)
{
	struct rd_task *rt = rd_container(t, struct rd_task, core);

	rd_log(dev_of(core)->dd, RD_INFO, "%s: task %s missed a deadline by %llu ns",
	       dev_of(core)->cfg->name, rt->spec.name, now - deadline);
}

static void on_overrun(struct rs_dev *core, struct rs_task *t, rs_u64 over, rs_u32 action,
		       rs_u64 now)
{
	struct rd_task *rt = rd_container(t, struct rd_task, core);

	rd_log(dev_of(core)->dd, RD_INFO, "%s: task %s overran its lease by %llu ns%s",
	       dev_of(core)->cfg->name, rt->spec.name, over,
	       action == RS_OVERRUN_LOG ? "" : ": lease revoked");
}

static const struct rs_ops user_ops = {
	.missed = on_missed,
	.overrun = on_overrun,
};

/*
 * Write n's lease fields to p as a seqcount (odd while writing), the
 * protocol the kernel module uses for the same page, then wake whoever
 * waits on seq.
 */
static void page_write(struct rtslot_lease_page *p, const struct rtslot_lease_page *n)
{
	uint32_t seq = p->seq;

	__atomic_store_n(&p->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&p->state, n->state, __ATOMIC_RELAXED);
	__atomic_store_n(&p->generation, n->generation, __ATOMIC_RELAXED);
	__atomic_store_n(&p->lease_end_ns, n->lease_end_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&p->granted_ns, n->granted_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&p->yield_requested, n->yield_requested, __ATOMIC_RELAXED);
	__atomic_store_n(&p->guard_ns, n->guard_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&p->max_lease_ns, n->max_lease_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&p->seq, seq + 2, __ATOMIC_RELEASE);
	/* A shared futex: the clients map the same memfd page. */
	syscall(SYS_futex, &p->seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Publish t's lease as the core has it, when that changed. */
static void page_publish(struct rd_dev *d, struct rd_task *t)
{
	struct rtslot_lease_page n = t->shown;
	const struct rs_task *c = &t->core;

	n.state = c->state;		/* RS_TASK_* equal RTSLOT_LEASE_* */
	n.generation = c->generation;
	n.lease_end_ns = c->state == RS_TASK_HOLDING ? c->lease_end : 0;
	n.granted_ns = c->state == RS_TASK_HOLDING ? c->grant_time : 0;
	n.yield_requested = c->state == RS_TASK_HOLDING ? c->yield : 0;
	n.guard_ns = rs_guard(&d->core);
	n.max_lease_ns = rs_lease_bound(&d->core, c);
	if (n.max_lease_ns == RS_TIME_MAX)
		n.max_lease_ns = 0;
	if (!memcmp(&n, &t->shown, sizeof(n)))
		return;
	t->shown = n;
	page_write(t->page, &n);
}

/* Any core call may grant, revoke or ask to yield: publish what changed. */
static void sync_pages(struct rd_dev *d)
{
	struct rd_list *pos;

	rd_list_for_each(pos, &d->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

		if (t->page)
			page_publish(d, t);
	}
}

static int user_dev_init(struct rd_dev *d, char *why, size_t len)
{
	const struct rd_accel_cfg *a = d->cfg;
	int policy = d->dd->cfg.policy;
	uint64_t now = rd_now();
	int err;

	rs_dev_init(&d->core, &user_ops);
	err = rs_config_set(&d->core, RS_PARAM_POLICY,
			    policy == RSP_POLICY_FP ? RS_POLICY_FP :
			    policy == RSP_POLICY_SLOT ? RS_POLICY_TABLE : RS_POLICY_EDF, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_FRAME, a->frame_us * NS, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_PREEMPT_MODE, a->preempt, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_PREEMPT_LATENCY,
				   a->preempt_latency_us * NS, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_SWITCH, a->switch_us * NS, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_GUARD, a->guard_us * NS, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_OVERRUN_ACTION, a->overrun_action, now);
	err = err ?: rs_config_set(&d->core, RS_PARAM_OVERRUN_GRACE,
				   a->overrun_grace_us * NS, now);
	/*
	 * The user backend cannot take queued kernels back, so a reserved
	 * task blocked past its budget by another's overrun is common here:
	 * let it catch up on time no budget claims (docs/rtslotd.md).
	 */
	err = err ?: rs_config_set(&d->core, RS_PARAM_RECLAIM, 1, now);
	if (err)
		snprintf(why, len, "%s: the slot core refused the configuration (%s)",
			 a->name, strerror(-err));
	d->frame_ns = a->frame_us * NS;
	return err;
}

static void user_dev_fini(struct rd_dev *d)
{
}

static int user_task_attach(struct rd_dev *d, struct rd_task *t, int fd, char *why,
			    size_t len)
{
	long psz = sysconf(_SC_PAGESIZE);
	void *p;
	int err;

	if (fd >= 0) {
		snprintf(why, len, "a device file was passed, but rtslotd runs the user backend");
		return -EINVAL;
	}
	t->memfd = memfd_create("rtslot-lease", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (t->memfd < 0)
		goto fail;
	if (ftruncate(t->memfd, psz))
		goto fail;
	p = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE, MAP_SHARED, t->memfd, 0);
	if (p == MAP_FAILED)
		goto fail;
	t->page = p;
	/*
	 * Only this mapping may ever write: clients can map the page read-only
	 * and nothing else (no write(), no PROT_WRITE mapping, no resize).
	 */
	if (fcntl(t->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE |
		  F_SEAL_SEAL))
		goto fail;

	rs_task_attach(&d->core, &t->core, rd_now());
	t->devid = t->core.id;
	t->page->task_id = t->devid;
	t->page->abi_version = RTSLOT_ABI_VERSION;
	memset(&t->shown, 0, sizeof(t->shown));
	t->shown.guard_ns = (uint64_t)-1;	/* publish once at least */
	page_publish(d, t);
	return 0;
fail:
	err = -errno;
	snprintf(why, len, "cannot create the lease page: %s", strerror(errno));
	if (t->page)
		munmap(t->page, (size_t)psz);
	if (t->memfd >= 0)
		close(t->memfd);
	t->page = NULL;
	t->memfd = -1;
	return err;
}

static void user_task_detach(struct rd_dev *d, struct rd_task *t)
{
	struct rtslot_lease_page *p = t->page, n = t->shown;

	/* The core may grant the next waiter here: publish its page. */
	rs_task_detach(&d->core, &t->core, rd_now());
	memset(&t->core, 0, sizeof(t->core));
	if (p) {
		/* What a client still waiting sees last: no lease, nothing to wait for. */
		t->page = NULL;
		n.state = RTSLOT_LEASE_NONE;
		n.lease_end_ns = 0;
		n.granted_ns = 0;
		n.yield_requested = 0;
		page_write(p, &n);
		munmap(p, (size_t)sysconf(_SC_PAGESIZE));
	}
	if (t->memfd >= 0)
		close(t->memfd);
	t->memfd = -1;
	sync_pages(d);
}

/* The mapping is all rtslotd needs: the memfd goes to the client, then is closed. */
static int user_task_fd(struct rd_task *t)
{
	int fd = t->memfd;

	t->memfd = -1;
	return fd;
}

static int user_set_reservation(struct rd_dev *d, struct rd_task *t, uint64_t runtime_ns,
				uint64_t deadline_ns, uint64_t period_ns, int32_t prio,
				uint64_t lease_max_ns)
{
	uint64_t now = rd_now(), old = t->core.lease_max;
	int err;

	/* Both or neither, as the module does. */
	err = rs_set_lease_max(&d->core, &t->core, lease_max_ns, now);
	if (!err) {
		err = rs_set_reservation(&d->core, &t->core, runtime_ns, deadline_ns,
					 period_ns, prio, now);
		if (err)
			t->core.lease_max = old;
	}
	sync_pages(d);
	return err;
}

static int user_set_frame(struct rd_dev *d, uint64_t frame_ns)
{
	return rs_config_set(&d->core, RS_PARAM_FRAME, frame_ns, rd_now());
}

static int user_set_table(struct rd_dev *d, const struct rs_table *tab)
{
	int err = rs_set_table(&d->core, tab, rd_now());

	sync_pages(d);
	return err;
}

static uint64_t user_epoch(struct rd_dev *d)
{
	if (d->core.has_pending && d->core.pending.nslots)
		return d->core.pending_at;
	return d->core.table.nslots ? d->core.epoch : 0;
}

/*
 * rr, a timeslice round robin in front of the unchanged core: the core
 * serves best-effort waiters of equal priority in request order and gives
 * each a lease as long as the work it asked for.  Asking for at least a
 * timeslice makes that lease the slice; the holder launches inside it on
 * its fast path.
 */
static uint64_t rr_est(const struct rd_dev *d, uint64_t est)
{
	uint64_t slice = d->cfg->timeslice_us * NS;

	return d->dd->cfg.policy == RSP_POLICY_RR && est && est < slice ? slice : est;
}

/*
 * rr: a renewal whose work still fits the lease comes from inside the
 * holder's slice and keeps it, exactly as its fast path would have.  Only
 * work the rest of the slice cannot take renews in the core, which queues
 * the holder behind the waiters (they asked earlier) or, alone, grants it
 * the next slice at once.
 */
static int rr_keeps(struct rd_dev *d, const struct rd_task *t, uint64_t est, uint64_t now)
{
	const struct rs_task *c = &t->core;
	uint64_t left, guard = rs_guard(&d->core);

	if (d->dd->cfg.policy != RSP_POLICY_RR || !est || c->state != RS_TASK_HOLDING || c->yield)
		return 0;
	left = c->lease_end > now ? c->lease_end - now : 0;
	return left >= guard && est <= left - guard;
}

static int user_lease(struct rd_dev *d, struct rd_task *t, int type, uint64_t arg,
		      struct rsp_lease *out)
{
	uint64_t now = rd_now();
	rs_u64 held = 0;
	int err = 0;

	switch (type) {
	case RSP_LEASE_REQUEST:
		err = rs_request(&d->core, &t->core, rr_est(d, arg), now);
		break;
	case RSP_LEASE_RENEW:
		if (!rr_keeps(d, t, arg, now))
			err = rs_renew(&d->core, &t->core, rr_est(d, arg), now);
		break;
	case RSP_LEASE_RELEASE:
		err = rs_release(&d->core, &t->core, arg, now, &held);
		break;
	case RSP_LEASE_CANCEL:
		rs_cancel(&d->core, &t->core, now);
		break;
	default:
		return -EOPNOTSUPP;
	}
	sync_pages(d);
	out->state = t->core.state;
	out->generation = t->core.generation;
	out->lease_end_ns = t->core.state == RS_TASK_HOLDING ? t->core.lease_end : 0;
	out->held_ns = held;
	return err;
}

static uint64_t user_next_event(struct rd_dev *d, uint64_t now)
{
	rs_u64 next = rs_next_event(&d->core, now);

	return next == RS_TIME_MAX ? UINT64_MAX : next;
}

static void user_tick(struct rd_dev *d, uint64_t now)
{
	rs_tick(&d->core, now);
	sync_pages(d);
}

static void user_stats(struct rd_dev *d, struct rsp_stats *s)
{
	const struct rs_dev_stats *c = &d->core.stats;
	struct rd_list *pos;

	s->grants += c->grants;
	s->releases += c->releases;
	s->cancels += c->cancels;
	s->revokes += c->revokes;
	s->overruns += c->overruns;
	s->misses += c->misses;
	rd_list_for_each(pos, &d->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

		s->holders += t->core.state == RS_TASK_HOLDING;
		s->waiters += t->core.state == RS_TASK_WAITING;
	}
}

const struct rd_backend rd_backend_user = {
	.name = "user",
	.kind = RD_BACKEND_USER,
	.dev_init = user_dev_init,
	.dev_fini = user_dev_fini,
	.task_attach = user_task_attach,
	.task_detach = user_task_detach,
	.task_fd = user_task_fd,
	.set_reservation = user_set_reservation,
	.set_frame = user_set_frame,
	.set_table = user_set_table,
	.epoch = user_epoch,
	.lease = user_lease,
	.next_event = user_next_event,
	.tick = user_tick,
	.stats = user_stats,
};
