/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the BPF probes (bpf/NAME.bpf.c) and their loaders share: the layout
 * of the rtslot:* trace records, the map keys and values, and the events of
 * the ring buffer.  Plain fixed-width types only: both sides include it.
 */
#ifndef RTSLOT_BPF_H
#define RTSLOT_BPF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define RTSLOT_BPF_NAME_LEN	32
/* log2 buckets of nanoseconds: slot k holds [2^k, 2^(k+1)), up to ~18 min. */
#define RTSLOT_HIST_SLOTS	41
#define RTSLOT_BPF_ANY		0xffffffffu	/* a filter that lets all pass */

/*
 * The trace records as tracefs' format files describe them.  rtslot.ko
 * ships no BTF, so these cannot be CO-RE relocated: they are checked
 * against events/rtslot/<event>/format when the probes load (bpf/format.c)
 * and the load fails, naming the field, if the module disagrees.  The
 * first 8 bytes are the common fields (struct trace_entry).
 */
struct rtslot_tp_join {
	__u64 common;
	__u32 dev;
	__u32 task;
	__s32 pid;
	__u32 name_loc;		/* __data_loc: length << 16 | offset */
};

struct rtslot_tp_leave {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u32 state;
	__u32 pad;
	__u64 grants;
	__u64 misses;
	__u64 overruns;
};

struct rtslot_tp_request {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u64 est_ns;
	__u64 deadline_ns;
};

struct rtslot_tp_grant {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u64 generation;
	__u64 lease_end_ns;
	__u64 wait_ns;
};

struct rtslot_tp_cancel {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u64 wait_ns;
	__s32 err;
};

struct rtslot_tp_release {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u64 generation;
	__u64 held_ns;
	__u64 actual_ns;
};

struct rtslot_tp_miss {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u64 deadline_ns;
	__u64 now_ns;
};

struct rtslot_tp_overrun {
	__u64 common;
	__u32 dev;
	__u32 task;
	__u64 over_ns;
	__u32 action;
};

struct rtslot_tp_table {
	__u64 common;
	__u32 dev;
	__u32 nslots;
	__u64 frame_ns;
	__u64 epoch_ns;
};

/* What a histogram measures. */
enum rtslot_hist_kind {
	RTSLOT_HIST_WAIT = 1,	/* lease request to grant (kernel's wait_ns) */
	RTSLOT_HIST_HOLD,	/* grant to release (kernel's held_ns) */
	RTSLOT_HIST_RESP,	/* job: request to release, wait + hold */
	RTSLOT_HIST_SLACK,	/* job with a deadline, met: release to deadline */
	RTSLOT_HIST_RUNQ,	/* a thread of the task's process: wakeup to run */
	RTSLOT_HIST_SYNC,	/* observe-only: one CUDA sync's return to the next */
	RTSLOT_HIST_SYNCWAIT,	/* observe-only: time spent inside a CUDA sync */
	RTSLOT_HIST_NKINDS,
};

/*
 * Histograms are keyed by kind and task; pid is the task's process (the
 * only key of the observe-only kinds, which have dev = task = 0).
 */
struct rtslot_hist_key {
	__u32 kind;
	__u32 dev;
	__u32 task;
	__u32 pid;
};

struct rtslot_hist {
	__u64 slot[RTSLOT_HIST_SLOTS];
	__u64 count;
	__u64 sum_ns;
};

struct rtslot_task_key {
	__u32 dev;
	__u32 task;
};

/* Bits of rtslot_task_stats.flags. */
#define RTSLOT_TS_WAITING	0x1
#define RTSLOT_TS_HOLDING	0x2
#define RTSLOT_TS_LEFT		0x4	/* the task left; the entry waits to be read */
#define RTSLOT_TS_SEEDED	0x8	/* joined before the probes, filled from sysfs */
#define RTSLOT_TS_MISSED	0x10	/* the job in flight missed its deadline */

/*
 * Per task, since the probes started (or the task joined).  The probes
 * update it from the tracepoints, which the module fires under the device
 * lock, so one task's entry has one writer at a time.
 */
struct rtslot_task_stats {
	__s32 pid;			/* tgid of the process that created it */
	__u32 flags;
	char name[RTSLOT_BPF_NAME_LEN];
	__u64 requests;
	__u64 grants;
	__u64 releases;
	__u64 cancels;
	__u64 misses;
	__u64 overruns;
	__u64 revokes;			/* leases taken back after an overrun */
	__u64 wait_ns;			/* sums */
	__u64 held_ns;
	__u64 actual_ns;
	/* The job in flight. */
	__u64 req_ns;
	__u64 deadline_ns;
	__u64 cur_wait_ns;
	__u64 est_ns;
};

/*
 * The processes whose threads the run-queue probes follow: those that
 * created a task (the last one they created is the key of their samples).
 */
struct rtslot_watch {
	__u32 ntasks;
	__u32 dev;
	__u32 task;
	__u32 pad;
};

/* Observe-only: the libcuda entry points, per process. */
enum rtslot_cuda_fn {
	RTSLOT_CU_LAUNCH_KERNEL,
	RTSLOT_CU_LAUNCH_KERNEL_EX,
	RTSLOT_CU_GRAPH_LAUNCH,
	RTSLOT_CU_STREAM_SYNC,
	RTSLOT_CU_CTX_SYNC,
	RTSLOT_CU_NFNS,
};

struct rtslot_cuda_stats {
	__u64 calls[RTSLOT_CU_NFNS];
	__u64 first_ns;			/* first call seen */
	__u64 last_ns;			/* last call seen */
	__u64 last_sync_ns;		/* return of the last sync */
	char comm[16];
};

/* Ring buffer events. */
enum rtslot_event_kind {
	RTSLOT_EV_JOIN = 1,
	RTSLOT_EV_LEAVE,
	RTSLOT_EV_REQUEST,
	RTSLOT_EV_GRANT,
	RTSLOT_EV_CANCEL,
	RTSLOT_EV_RELEASE,
	RTSLOT_EV_MISS,
	RTSLOT_EV_OVERRUN,
	RTSLOT_EV_TABLE,
};

/*
 * One event.  Misses and overruns are always sent; the others only when
 * the probes were opened to stream every event.  ts_ns is CLOCK_MONOTONIC,
 * as are the kernel's times inside.  A release carries the whole job
 * (wait, hold, measured time, deadline) so that a consumer learns
 * execution times from one event.
 */
struct rtslot_event {
	__u32 kind;			/* enum rtslot_event_kind */
	__u32 dev;
	__u32 task;			/* 0 for RTSLOT_EV_TABLE */
	__s32 pid;			/* the task's process; 0 if not known */
	__u64 ts_ns;
	union {
		struct {
			char name[RTSLOT_BPF_NAME_LEN];
		} join;
		struct {
			__u32 state;	/* 0 idle, 1 waiting, 2 holding */
			__u32 pad;
			__u64 grants, misses, overruns;
		} leave;
		struct {
			__u64 est_ns, deadline_ns;	/* deadline 0: best effort */
		} request;
		struct {
			__u64 generation, lease_end_ns, wait_ns;
		} grant;
		struct {
			__u64 wait_ns;
			__s32 err;	/* -ETIME or -EINTR */
		} cancel;
		struct {
			__u64 generation, held_ns, actual_ns;
			__u64 wait_ns, deadline_ns;
		} release;
		struct {
			__u64 deadline_ns, now_ns;
		} miss;
		struct {
			__u64 over_ns;
			__u32 action;	/* 0 log, 1 revoke, 2 throttle */
		} overrun;
		struct {
			__u32 nslots;
			__u32 pad;
			__u64 frame_ns, epoch_ns;
		} table;
	};
};

#endif /* RTSLOT_BPF_H */
