// SPDX-License-Identifier: GPL-2.0
/*
 * Probes on the rtslot:* tracepoints: per task wait, hold and response
 * histograms, counters, and the events of the ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "hist.bpf.h"

/* Filters, set by the loader before load (RTSLOT_BPF_ANY / 0: everything). */
const volatile __u32 targ_dev = RTSLOT_BPF_ANY;
const volatile __u32 targ_task;
const volatile __s32 targ_tgid;
/* Send every lease event to the ring buffer, not only misses and overruns. */
const volatile bool stream_all;

/* Events the ring buffer had no room for. */
__u64 drops;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct rtslot_hist_key);
	__type(value, struct rtslot_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct rtslot_task_key);
	__type(value, struct rtslot_task_stats);
} tasks SEC(".maps");

/* tgid -> the tasks it created: the run-queue probes' filter. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rtslot_watch);
} watched SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} events SEC(".maps");

static const struct rtslot_task_stats zero_stats;

/* Past this much unread data a consumer is woken even for routine events. */
#define WAKE_BYTES	(64 * 1024)

static __always_inline bool wanted_task(__u32 dev, __u32 task)
{
	if (targ_dev != RTSLOT_BPF_ANY && dev != targ_dev)
		return false;
	return !targ_task || task == targ_task;
}

static __always_inline bool wanted(__u32 dev, __u32 task, __s32 pid)
{
	return wanted_task(dev, task) && (!targ_tgid || pid == targ_tgid);
}

/*
 * The task's entry; none for tasks the filters leave out.  One that
 * joined before the probes and that the loader did not find in sysfs gets
 * an entry here, with its process unknown (pid 0), so that its counts are
 * kept; not under a pid filter, which such an entry could never match.
 */
static __always_inline struct rtslot_task_stats *task_of(__u32 dev, __u32 task)
{
	struct rtslot_task_key k = { .dev = dev, .task = task };
	struct rtslot_task_stats *s;

	if (!wanted_task(dev, task))
		return NULL;
	s = bpf_map_lookup_elem(&tasks, &k);
	if (s || targ_tgid)
		return s;
	bpf_map_update_elem(&tasks, &k, &zero_stats, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tasks, &k);
}

static __always_inline void hist(__u32 kind, __u32 dev, __u32 task, __s32 pid, __u64 ns)
{
	struct rtslot_hist_key k = {
		.kind = kind, .dev = dev, .task = task, .pid = (__u32)pid,
	};

	rtslot_hist_add(&hists, &k, ns);
}

static __always_inline struct rtslot_event *event(__u32 kind, __u32 dev, __u32 task,
						  __s32 pid)
{
	struct rtslot_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&drops, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->dev = dev;
	e->task = task;
	e->pid = pid;
	e->ts_ns = bpf_ktime_get_ns();
	return e;
}

/*
 * Waking the consumer at every event costs more than the probe itself:
 * misses and overruns wake it (rtslotd reacts to them), the stream of
 * routine lease events only once a good part of the buffer is waiting;
 * readers poll with a timeout for the rest.  Forced: after records sent
 * without a wakeup, the adaptive rule would see a consumer behind and
 * wake nobody.
 */
static __always_inline void submit(struct rtslot_event *e, bool urgent)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (urgent || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKE_BYTES)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

static __always_inline void watch_add(__u32 tgid, __u32 dev, __u32 task)
{
	struct rtslot_watch w = { .ntasks = 1, .dev = dev, .task = task }, *cur;

	cur = bpf_map_lookup_elem(&watched, &tgid);
	if (!cur) {
		bpf_map_update_elem(&watched, &tgid, &w, BPF_NOEXIST);
		return;
	}
	__sync_fetch_and_add(&cur->ntasks, 1);
	cur->dev = dev;
	cur->task = task;
}

static __always_inline void watch_del(__u32 tgid)
{
	struct rtslot_watch *cur = bpf_map_lookup_elem(&watched, &tgid);

	/* Two devices' tasks of one process may leave at once: count down. */
	if (cur && __sync_fetch_and_add(&cur->ntasks, -1) <= 1)
		bpf_map_delete_elem(&watched, &tgid);
}

SEC("tracepoint/rtslot/rtslot_task_join")
int rtslot_join(struct rtslot_tp_join *ctx)
{
	struct rtslot_task_key k = { .dev = ctx->dev, .task = ctx->task };
	const char *name = (const char *)ctx + (ctx->name_loc & 0xffff);
	struct rtslot_task_stats *s;
	struct rtslot_event *e;

	if (!wanted(ctx->dev, ctx->task, ctx->pid))
		return 0;
	watch_add(ctx->pid, ctx->dev, ctx->task);
	bpf_map_update_elem(&tasks, &k, &zero_stats, BPF_ANY);
	s = bpf_map_lookup_elem(&tasks, &k);
	if (!s)
		return 0;
	s->pid = ctx->pid;
	bpf_probe_read_kernel_str(s->name, sizeof(s->name), name);
	if (!stream_all)
		return 0;
	e = event(RTSLOT_EV_JOIN, ctx->dev, ctx->task, ctx->pid);
	if (!e)
		return 0;
	__builtin_memcpy(e->join.name, s->name, sizeof(e->join.name));
	submit(e, false);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_task_leave")
int rtslot_leave(struct rtslot_tp_leave *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	struct rtslot_event *e;

	if (!s)
		return 0;
	/* Kept for the readers, who remove it after its last report. */
	s->flags = (s->flags & ~(RTSLOT_TS_WAITING | RTSLOT_TS_HOLDING)) | RTSLOT_TS_LEFT;
	if (s->pid)
		watch_del(s->pid);
	if (!stream_all || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	e = event(RTSLOT_EV_LEAVE, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->leave.state = ctx->state;
	e->leave.grants = ctx->grants;
	e->leave.misses = ctx->misses;
	e->leave.overruns = ctx->overruns;
	submit(e, false);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_lease_request")
int rtslot_request(struct rtslot_tp_request *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	struct rtslot_event *e;

	if (!s || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	s->requests++;
	s->req_ns = bpf_ktime_get_ns();
	s->deadline_ns = ctx->deadline_ns;
	s->est_ns = ctx->est_ns;
	s->cur_wait_ns = 0;
	s->flags = (s->flags & ~(RTSLOT_TS_HOLDING | RTSLOT_TS_MISSED)) | RTSLOT_TS_WAITING;
	if (!stream_all)
		return 0;
	e = event(RTSLOT_EV_REQUEST, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->request.est_ns = ctx->est_ns;
	e->request.deadline_ns = ctx->deadline_ns;
	submit(e, false);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_lease_grant")
int rtslot_grant(struct rtslot_tp_grant *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	struct rtslot_event *e;

	if (!s || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	s->grants++;
	s->wait_ns += ctx->wait_ns;
	s->cur_wait_ns = ctx->wait_ns;
	s->flags = (s->flags & ~RTSLOT_TS_WAITING) | RTSLOT_TS_HOLDING;
	hist(RTSLOT_HIST_WAIT, ctx->dev, ctx->task, s->pid, ctx->wait_ns);
	if (!stream_all)
		return 0;
	e = event(RTSLOT_EV_GRANT, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->grant.generation = ctx->generation;
	e->grant.lease_end_ns = ctx->lease_end_ns;
	e->grant.wait_ns = ctx->wait_ns;
	submit(e, false);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_lease_cancel")
int rtslot_cancel(struct rtslot_tp_cancel *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	struct rtslot_event *e;

	if (!s || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	s->cancels++;
	s->flags &= ~RTSLOT_TS_WAITING;
	if (!stream_all)
		return 0;
	e = event(RTSLOT_EV_CANCEL, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->cancel.wait_ns = ctx->wait_ns;
	e->cancel.err = ctx->err;
	submit(e, false);
	return 0;
}

/*
 * A job, as the module sees one, is a request and the release that ends
 * its lease: its response is the kernel's wait plus its hold.  The time to
 * the deadline is measured on the request's clock read, so the slack of a
 * job that met its deadline is deadline - (request + response).
 */
SEC("tracepoint/rtslot/rtslot_lease_release")
int rtslot_release(struct rtslot_tp_release *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	__u64 resp, end;
	struct rtslot_event *e;

	if (!s || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	resp = s->cur_wait_ns + ctx->held_ns;
	s->releases++;
	s->held_ns += ctx->held_ns;
	s->actual_ns += ctx->actual_ns;
	s->flags &= ~RTSLOT_TS_HOLDING;
	hist(RTSLOT_HIST_HOLD, ctx->dev, ctx->task, s->pid, ctx->held_ns);
	hist(RTSLOT_HIST_RESP, ctx->dev, ctx->task, s->pid, resp);
	end = s->req_ns + resp;
	if (s->deadline_ns && !(s->flags & RTSLOT_TS_MISSED))
		hist(RTSLOT_HIST_SLACK, ctx->dev, ctx->task, s->pid,
		     s->deadline_ns > end ? s->deadline_ns - end : 0);
	if (!stream_all)
		return 0;
	e = event(RTSLOT_EV_RELEASE, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->release.generation = ctx->generation;
	e->release.held_ns = ctx->held_ns;
	e->release.actual_ns = ctx->actual_ns;
	e->release.wait_ns = s->cur_wait_ns;
	e->release.deadline_ns = s->deadline_ns;
	submit(e, false);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_deadline_miss")
int rtslot_miss(struct rtslot_tp_miss *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	struct rtslot_event *e;

	if (!s || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	s->misses++;
	s->flags |= RTSLOT_TS_MISSED;
	e = event(RTSLOT_EV_MISS, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->miss.deadline_ns = ctx->deadline_ns;
	e->miss.now_ns = ctx->now_ns;
	submit(e, true);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_overrun")
int rtslot_overrun(struct rtslot_tp_overrun *ctx)
{
	struct rtslot_task_stats *s = task_of(ctx->dev, ctx->task);
	struct rtslot_event *e;

	if (!s || !wanted(ctx->dev, ctx->task, s->pid))
		return 0;
	s->overruns++;
	/* revoke and throttle take the lease back: no release will come. */
	if (ctx->action) {
		s->revokes++;
		s->flags &= ~RTSLOT_TS_HOLDING;
	}
	e = event(RTSLOT_EV_OVERRUN, ctx->dev, ctx->task, s->pid);
	if (!e)
		return 0;
	e->overrun.over_ns = ctx->over_ns;
	e->overrun.action = ctx->action;
	submit(e, true);
	return 0;
}

SEC("tracepoint/rtslot/rtslot_table_switch")
int rtslot_table(struct rtslot_tp_table *ctx)
{
	struct rtslot_event *e;

	if (!stream_all || (targ_dev != RTSLOT_BPF_ANY && ctx->dev != targ_dev))
		return 0;
	e = event(RTSLOT_EV_TABLE, ctx->dev, 0, 0);
	if (!e)
		return 0;
	e->table.nslots = ctx->nslots;
	e->table.frame_ns = ctx->frame_ns;
	e->table.epoch_ns = ctx->epoch_ns;
	submit(e, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
