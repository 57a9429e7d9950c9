/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtslot tracepoints (events/rtslot/).  The formats are ABI for the BPF
 * probes in bpf/: fields are only ever appended; every event starts with the
 * device index and, where there is one, the task id.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rtslot

#if !defined(RTSLOT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define RTSLOT_TRACE_H

#include <linux/tracepoint.h>

#include "compat.h"

TRACE_EVENT(rtslot_task_join,
	TP_PROTO(u32 dev, u32 task, s32 pid, const char *name),
	TP_ARGS(dev, task, pid, name),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(s32, pid)
		__string(name, name)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->pid = pid;
		rtslot_assign_str(name, name);
	),
	TP_printk("dev=%u task=%u pid=%d name=%s",
		  __entry->dev, __entry->task, __entry->pid, __get_str(name))
);

TRACE_EVENT(rtslot_task_leave,
	TP_PROTO(u32 dev, u32 task, u32 state, u64 grants, u64 misses,
		 u64 overruns),
	TP_ARGS(dev, task, state, grants, misses, overruns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u32, state)
		__field(u64, grants)
		__field(u64, misses)
		__field(u64, overruns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->state = state;
		__entry->grants = grants;
		__entry->misses = misses;
		__entry->overruns = overruns;
	),
	TP_printk("dev=%u task=%u state=%s grants=%llu misses=%llu overruns=%llu",
		  __entry->dev, __entry->task,
		  __print_symbolic(__entry->state, { 0, "idle" },
				   { 1, "waiting" }, { 2, "holding" }),
		  __entry->grants, __entry->misses, __entry->overruns)
);

TRACE_EVENT(rtslot_lease_request,
	TP_PROTO(u32 dev, u32 task, u64 est_ns, u64 deadline_ns),
	TP_ARGS(dev, task, est_ns, deadline_ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u64, est_ns)
		__field(u64, deadline_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->est_ns = est_ns;
		__entry->deadline_ns = deadline_ns;
	),
	TP_printk("dev=%u task=%u est_ns=%llu deadline_ns=%llu",
		  __entry->dev, __entry->task, __entry->est_ns,
		  __entry->deadline_ns)
);

TRACE_EVENT(rtslot_lease_grant,
	TP_PROTO(u32 dev, u32 task, u64 generation, u64 lease_end_ns,
		 u64 wait_ns),
	TP_ARGS(dev, task, generation, lease_end_ns, wait_ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u64, generation)
		__field(u64, lease_end_ns)
		__field(u64, wait_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->generation = generation;
		__entry->lease_end_ns = lease_end_ns;
		__entry->wait_ns = wait_ns;
	),
	TP_printk("dev=%u task=%u generation=%llu lease_end_ns=%llu wait_ns=%llu",
		  __entry->dev, __entry->task, __entry->generation,
		  __entry->lease_end_ns, __entry->wait_ns)
);

TRACE_EVENT(rtslot_lease_cancel,
	TP_PROTO(u32 dev, u32 task, u64 wait_ns, s32 err),
	TP_ARGS(dev, task, wait_ns, err),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u64, wait_ns)
		__field(s32, err)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->wait_ns = wait_ns;
		__entry->err = err;
	),
	TP_printk("dev=%u task=%u wait_ns=%llu err=%d",
		  __entry->dev, __entry->task, __entry->wait_ns, __entry->err)
);

TRACE_EVENT(rtslot_lease_release,
	TP_PROTO(u32 dev, u32 task, u64 generation, u64 held_ns, u64 actual_ns),
	TP_ARGS(dev, task, generation, held_ns, actual_ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u64, generation)
		__field(u64, held_ns)
		__field(u64, actual_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->generation = generation;
		__entry->held_ns = held_ns;
		__entry->actual_ns = actual_ns;
	),
	TP_printk("dev=%u task=%u generation=%llu held_ns=%llu actual_ns=%llu",
		  __entry->dev, __entry->task, __entry->generation,
		  __entry->held_ns, __entry->actual_ns)
);

TRACE_EVENT(rtslot_deadline_miss,
	TP_PROTO(u32 dev, u32 task, u64 deadline_ns, u64 now_ns),
	TP_ARGS(dev, task, deadline_ns, now_ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u64, deadline_ns)
		__field(u64, now_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->deadline_ns = deadline_ns;
		__entry->now_ns = now_ns;
	),
	TP_printk("dev=%u task=%u deadline_ns=%llu now_ns=%llu late_ns=%llu",
		  __entry->dev, __entry->task, __entry->deadline_ns,
		  __entry->now_ns, __entry->now_ns - __entry->deadline_ns)
);

TRACE_EVENT(rtslot_overrun,
	TP_PROTO(u32 dev, u32 task, u64 over_ns, u32 action),
	TP_ARGS(dev, task, over_ns, action),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, task)
		__field(u64, over_ns)
		__field(u32, action)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->task = task;
		__entry->over_ns = over_ns;
		__entry->action = action;
	),
	TP_printk("dev=%u task=%u over_ns=%llu action=%s",
		  __entry->dev, __entry->task, __entry->over_ns,
		  __print_symbolic(__entry->action, { 0, "log" },
				   { 1, "revoke" }, { 2, "throttle" }))
);

TRACE_EVENT(rtslot_table_switch,
	TP_PROTO(u32 dev, u32 nslots, u64 frame_ns, u64 epoch_ns),
	TP_ARGS(dev, nslots, frame_ns, epoch_ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, nslots)
		__field(u64, frame_ns)
		__field(u64, epoch_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->nslots = nslots;
		__entry->frame_ns = frame_ns;
		__entry->epoch_ns = epoch_ns;
	),
	TP_printk("dev=%u nslots=%u frame_ns=%llu epoch_ns=%llu",
		  __entry->dev, __entry->nslots, __entry->frame_ns,
		  __entry->epoch_ns)
);

#endif /* RTSLOT_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I of kmod/. */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE rtslot_trace
#include <trace/define_trace.h>
