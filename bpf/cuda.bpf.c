// SPDX-License-Identifier: GPL-2.0
/*
 * Observe-only mode: uprobes on libcuda's launch and synchronise entry
 * points, for processes that run without rtslot.  Per process: calls per
 * entry point, the time from one sync's return to the next (a DNN loop's
 * iteration) and the time spent inside a sync.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "hist.bpf.h"

const volatile __s32 targ_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct rtslot_hist_key);
	__type(value, struct rtslot_hist);
} hists SEC(".maps");

/* tgid -> its calls. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rtslot_cuda_stats);
} procs SEC(".maps");

/* Thread id -> when it entered a sync. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} sync_start SEC(".maps");

static const struct rtslot_cuda_stats zero_proc;

static __always_inline struct rtslot_cuda_stats *proc_of(__u32 tgid, __u64 now)
{
	struct rtslot_cuda_stats *st = bpf_map_lookup_elem(&procs, &tgid);

	if (st)
		return st;
	bpf_map_update_elem(&procs, &tgid, &zero_proc, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&procs, &tgid);
	if (st) {
		st->first_ns = now;
		bpf_get_current_comm(st->comm, sizeof(st->comm));
	}
	return st;
}

/* Counted on entry: a launch that fails still asked for the device. */
static __always_inline int called(__u32 fn)
{
	__u64 id = bpf_get_current_pid_tgid(), now;
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct rtslot_cuda_stats *st;

	if (targ_tgid && tgid != (__u32)targ_tgid)
		return 0;
	now = bpf_ktime_get_ns();
	st = proc_of(tgid, now);
	if (!st)
		return 0;
	if (fn < RTSLOT_CU_NFNS)
		__sync_fetch_and_add(&st->calls[fn], 1);
	st->last_ns = now;
	if (fn == RTSLOT_CU_STREAM_SYNC || fn == RTSLOT_CU_CTX_SYNC)
		bpf_map_update_elem(&sync_start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(cu_launch_kernel)
{
	return called(RTSLOT_CU_LAUNCH_KERNEL);
}

SEC("uprobe")
int BPF_KPROBE(cu_launch_kernel_ex)
{
	return called(RTSLOT_CU_LAUNCH_KERNEL_EX);
}

SEC("uprobe")
int BPF_KPROBE(cu_graph_launch)
{
	return called(RTSLOT_CU_GRAPH_LAUNCH);
}

SEC("uprobe")
int BPF_KPROBE(cu_stream_sync)
{
	return called(RTSLOT_CU_STREAM_SYNC);
}

SEC("uprobe")
int BPF_KPROBE(cu_ctx_sync)
{
	return called(RTSLOT_CU_CTX_SYNC);
}

/* Both syncs return here: the work before them is done. */
SEC("uretprobe")
int BPF_KRETPROBE(cu_sync_ret)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), *t0, last;
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct rtslot_hist_key k = { .pid = tgid };
	struct rtslot_cuda_stats *st;

	t0 = bpf_map_lookup_elem(&sync_start, &tid);
	if (!t0)
		return 0;
	k.kind = RTSLOT_HIST_SYNCWAIT;
	rtslot_hist_add(&hists, &k, now - *t0);
	bpf_map_delete_elem(&sync_start, &tid);
	st = bpf_map_lookup_elem(&procs, &tgid);
	if (!st)
		return 0;
	/* Threads of one process syncing at once may both see the old value. */
	last = st->last_sync_ns;
	st->last_sync_ns = now;
	if (last && now > last) {
		k.kind = RTSLOT_HIST_SYNC;
		rtslot_hist_add(&hists, &k, now - last);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
