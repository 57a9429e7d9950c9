// SPDX-License-Identifier: GPL-2.0
/*
 * Run-queue delay of the threads of processes that created an rtslot task:
 * from wakeup (or preemption) to running again, runqlat-style.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "hist.bpf.h"

#define TASK_RUNNING	0

/* Only this process (0: every watched one). */
const volatile __s32 targ_tgid;

/* Both shared with rtslot.bpf.c: the loader hands this object its fds. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct rtslot_hist_key);
	__type(value, struct rtslot_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rtslot_watch);
} watched SEC(".maps");

/* Thread id -> when it became runnable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

/* Kernels before 5.14 call the field state. */
struct task_struct___o {
	volatile long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)t, state);
}

static __always_inline void enqueued(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid), pid = BPF_CORE_READ(p, pid);
	__u64 now;

	if (!pid || (targ_tgid && tgid != (__u32)targ_tgid))
		return;
	if (!bpf_map_lookup_elem(&watched, &tgid))
		return;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &now, BPF_ANY);
}

static __always_inline void switched(struct task_struct *prev, struct task_struct *next)
{
	struct rtslot_hist_key k = { .kind = RTSLOT_HIST_RUNQ };
	__u32 pid, tgid;
	struct rtslot_watch *w;
	__u64 *tsp, now;

	/* Preempted while runnable: it waits in the run queue from now on. */
	if (task_state(prev) == TASK_RUNNING)
		enqueued(prev);
	pid = BPF_CORE_READ(next, pid);
	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return;
	now = bpf_ktime_get_ns();
	tgid = BPF_CORE_READ(next, tgid);
	w = bpf_map_lookup_elem(&watched, &tgid);
	if (w && now >= *tsp) {
		k.dev = w->dev;
		k.task = w->task;
		k.pid = tgid;
		rtslot_hist_add(&hists, &k, now - *tsp);
	}
	bpf_map_delete_elem(&start, &pid);
}

/*
 * BTF-typed tracepoints are the cheap way in; kernels or setups without
 * them (no trampoline support) get the raw tracepoints, which read the
 * same arguments.  The loader enables one set.
 */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(rq_wakeup, struct task_struct *p)
{
	enqueued(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(rq_wakeup_new, struct task_struct *p)
{
	enqueued(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(rq_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	switched(prev, next);
	return 0;
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(rq_wakeup_raw, struct task_struct *p)
{
	enqueued(p);
	return 0;
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(rq_wakeup_new_raw, struct task_struct *p)
{
	enqueued(p);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(rq_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	switched(prev, next);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
