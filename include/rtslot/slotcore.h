/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The freestanding slot core: time slots, leases, budgets and grant order.
 * One implementation (kmod/slotcore.c) for the kernel module, rtslotd and
 * the simulator: no kernel or libc headers, no allocation, time passed in.
 */
#ifndef RTSLOT_SLOTCORE_H
#define RTSLOT_SLOTCORE_H

/* long long, like the kernel's u64, so both print with %llu. */
typedef unsigned long long rs_u64;
typedef long long rs_s64;
typedef __UINT32_TYPE__ rs_u32;
/* For products of two times; 64-bit hosts only (x86-64, arm64). */
typedef unsigned __int128 rs_u128;
typedef __INT32_TYPE__ rs_s32;

#define RS_TIME_MAX	((rs_u64)-1)
#define RS_MAX_SLOTS	256
#define RS_PRIO_MAX	99
#define RS_NSEC_PER_USEC	1000ULL
#define RS_NSEC_PER_SEC		1000000000ULL

/*
 * Linux errno values, so the hosts pass results through unchanged; the
 * module checks at build time that they match its own.
 */
#define RS_ENOENT	2
#define RS_E2BIG	7
#define RS_EBUSY	16
#define RS_EINVAL	22
#define RS_ENOLCK	37

/* Same values as the UAPI enums in include/uapi/rtslot.h. */
enum rs_preempt_mode {
	RS_PREEMPT_LAUNCH = 0,
	RS_PREEMPT_BLOCK = 1,
	RS_PREEMPT_INSTRUCTION = 2,
};

enum rs_policy {
	RS_POLICY_TABLE = 0,
	RS_POLICY_EDF = 1,
	RS_POLICY_FP = 2,
};

enum rs_overrun_action {
	RS_OVERRUN_LOG = 0,
	RS_OVERRUN_REVOKE = 1,
	RS_OVERRUN_THROTTLE = 2,
};

enum rs_task_state {
	RS_TASK_IDLE = 0,
	RS_TASK_WAITING = 1,
	RS_TASK_HOLDING = 2,
};

enum rs_param {
	RS_PARAM_PREEMPT_MODE,
	RS_PARAM_PREEMPT_LATENCY,	/* ns */
	RS_PARAM_GUARD,			/* ns */
	RS_PARAM_SWITCH,		/* ns */
	RS_PARAM_FRAME,			/* ns */
	RS_PARAM_POLICY,
	RS_PARAM_OVERRUN_ACTION,
	RS_PARAM_OVERRUN_GRACE,		/* ns */
	RS_PARAM_RECLAIM,		/* 0 or 1 */
	RS_PARAM_BE_MAX,		/* ns: a best-effort lease's work */
	RS_PARAM_COUNT,
};

/* Limits the configuration is checked against. */
#define RS_FRAME_MIN_NS		(100ULL * RS_NSEC_PER_USEC)
#define RS_FRAME_MAX_NS		(10ULL * RS_NSEC_PER_SEC)
#define RS_LATENCY_MAX_NS	(1ULL * RS_NSEC_PER_SEC)
#define RS_PERIOD_MAX_NS	(10ULL * RS_NSEC_PER_SEC)
#define RS_RUNTIME_MIN_NS	(1ULL * RS_NSEC_PER_USEC)
/* A lease's bound (rs_set_lease_max, RS_PARAM_BE_MAX) lies in [min, max]. */
#define RS_LEASE_MAX_MIN_NS	RS_RUNTIME_MIN_NS
#define RS_LEASE_MAX_MAX_NS	RS_PERIOD_MAX_NS

struct rs_config {
	rs_u32 preempt_mode;		/* enum rs_preempt_mode */
	rs_u32 policy;			/* enum rs_policy */
	rs_u32 overrun_action;		/* enum rs_overrun_action */
	rs_u32 reclaim;			/* spent reservations run as best effort */
	rs_u64 preempt_latency;
	rs_u64 guard;
	rs_u64 switch_cost;
	rs_u64 frame;
	rs_u64 overrun_grace;
	rs_u64 be_max;			/* bound of tasks without their own */
};

struct rs_slot {
	rs_u64 start;			/* offset in the frame */
	rs_u64 len;
	rs_u32 owner;			/* task id, 0 for slack */
	rs_u32 flags;
};

struct rs_table {
	rs_u64 frame;			/* 0: the device's frame */
	rs_u32 nslots;
	rs_u32 __pad;
	struct rs_slot slot[RS_MAX_SLOTS];
};

struct rs_task_stats {
	rs_u64 requests;
	rs_u64 grants;
	rs_u64 releases;
	rs_u64 cancels;
	rs_u64 misses;
	rs_u64 overruns;
	rs_u64 wait_total;
	rs_u64 wait_max;
	rs_u64 held_total;
};

/* Embedded in the host's own task object; the host owns its memory. */
struct rs_task {
	struct rs_task *next, *prev;	/* device task list, private */
	rs_u32 id;
	rs_s32 prio;			/* 0..RS_PRIO_MAX, larger first */
	rs_u32 state;			/* enum rs_task_state */
	rs_u32 missed;			/* this server period already missed */
	rs_u32 overran;			/* this lease was already reported */
	rs_u32 yield;			/* a more urgent waiter is queued */
	rs_u32 throttled;		/* budget taken for an overrun: no reclaim */
	rs_u32 background;		/* this lease is reclaimed, not budgeted */

	/* Reservation (sched_attr triple); runtime == 0 is best effort. */
	rs_u64 runtime, deadline, period;
	/*
	 * The most work one lease may cover (rs_lease_bound): what admission
	 * charges this task as its non-preemptible blocking.  0: the device's
	 * be_max for best effort, the budget alone for a reservation.
	 */
	rs_u64 lease_max;
	/*
	 * Current server period [period_start, period_start + period);
	 * abs_deadline == 0 until the first request starts one.
	 */
	rs_u64 period_start, abs_deadline, budget;
	rs_u64 charge_from;		/* held time after this is charged */

	/* The pending request, then the lease. */
	rs_u64 est;
	rs_u64 req_time;
	rs_u64 job_deadline;		/* abs_deadline when requested */
	rs_u64 grant_time;
	rs_u64 lease_end;
	rs_u64 generation;

	struct rs_task_stats stats;
};

struct rs_dev_stats {
	rs_u64 requests;
	rs_u64 grants;
	rs_u64 releases;
	rs_u64 cancels;
	rs_u64 misses;
	rs_u64 overruns;
	rs_u64 revokes;
	rs_u64 reclaims;
	rs_u64 table_switches;
	rs_u64 wait_total;
	rs_u64 wait_max;
};

struct rs_dev;

/*
 * Events the core reports to its host, called from inside the core with
 * the host's lock held: they must not sleep.  Any may be NULL.
 */
struct rs_ops {
	/* t now holds [now, t->lease_end): wake it, publish its lease page. */
	void (*granted)(struct rs_dev *d, struct rs_task *t, rs_u64 now, rs_u64 wait);
	/* t's lease was taken back after an overrun: publish that. */
	void (*revoked)(struct rs_dev *d, struct rs_task *t, rs_u64 now);
	/*
	 * A waiter now precedes the holder t: t should launch nothing more
	 * and renew or release at its next kernel boundary.  The lease end
	 * does not move, so overrun enforcement is unchanged.
	 */
	void (*yield)(struct rs_dev *d, struct rs_task *t, rs_u64 now);
	void (*missed)(struct rs_dev *d, struct rs_task *t, rs_u64 deadline, rs_u64 now);
	void (*overrun)(struct rs_dev *d, struct rs_task *t, rs_u64 over, rs_u32 action,
			rs_u64 now);
	void (*table_switched)(struct rs_dev *d, const struct rs_table *t, rs_u64 epoch);
};

struct rs_dev {
	struct rs_config cfg;
	const struct rs_ops *ops;
	struct rs_task *tasks;		/* circular list, NULL when empty */
	rs_u32 ntasks;
	rs_u32 last_holder;		/* id whose work ran last, for switch_cost */
	rs_u32 next_id;
	rs_u32 has_pending;
	struct rs_task *holder;
	rs_u64 epoch;			/* start of frame 0 of the active table */
	rs_u64 pending_at;		/* when the pending table takes over */
	rs_u64 reclaim_end;		/* the current owned slot is slack until */
	struct rs_table table;		/* active; nslots == 0: none */
	struct rs_table pending;
	struct rs_dev_stats stats;
};

void rs_dev_init(struct rs_dev *d, const struct rs_ops *ops);
int rs_config_set(struct rs_dev *d, enum rs_param p, rs_u64 val, rs_u64 now);
rs_u64 rs_config_get(const struct rs_dev *d, enum rs_param p);
/* The guard of the grant rule: guard plus the preemption latency when exact. */
rs_u64 rs_guard(const struct rs_dev *d);

/* Ids are device-unique and never 0; rs_task_attach assigns one. */
void rs_task_attach(struct rs_dev *d, struct rs_task *t, rs_u64 now);
/* Frees the task's lease or wait; afterwards the core never touches t. */
void rs_task_detach(struct rs_dev *d, struct rs_task *t, rs_u64 now);
struct rs_task *rs_task_find(const struct rs_dev *d, rs_u32 id);
/* Iterate: t = NULL starts, NULL ends. */
struct rs_task *rs_task_next(const struct rs_dev *d, const struct rs_task *t);

/* runtime = deadline = period = 0 clears. -EINVAL, -EBUSY (over 100%). */
int rs_set_reservation(struct rs_dev *d, struct rs_task *t, rs_u64 runtime,
		       rs_u64 deadline, rs_u64 period, rs_s32 prio, rs_u64 now);
/*
 * The bound of every lease of t from its next request on: 0 or
 * [RS_LEASE_MAX_MIN_NS, RS_LEASE_MAX_MAX_NS], else -EINVAL.  A request for
 * more work is refused (-E2BIG); a reservation's lease stops there too.
 */
int rs_set_lease_max(struct rs_dev *d, struct rs_task *t, rs_u64 max, rs_u64 now);
/* The most work one lease of t may cover now: RS_TIME_MAX when unbounded. */
rs_u64 rs_lease_bound(const struct rs_dev *d, const struct rs_task *t);
/* Sum of runtime/period over the device in parts per million. */
rs_u64 rs_utilization_ppm(const struct rs_dev *d);

int rs_table_check(const struct rs_dev *d, const struct rs_table *tab);
/* Staged: taken at the next frame boundary, at once when no table runs. */
int rs_set_table(struct rs_dev *d, const struct rs_table *tab, rs_u64 now);

/*
 * Queue t for a lease of est ns; it may be granted before this returns
 * (t->state == RS_TASK_HOLDING).  A request from idle starts a new job:
 * a reserved task gets a fresh server period when the one it has could
 * not serve it at the reserved bandwidth (CBS).  -EINVAL, -EBUSY, -E2BIG.
 */
int rs_request(struct rs_dev *d, struct rs_task *t, rs_u64 est, rs_u64 now);
/*
 * Release t's lease (when it holds one) and queue it again for est, in one
 * step, so a holder that still has the most urgent work keeps the device
 * across a kernel boundary.  It continues the job: the server period is
 * kept until it runs out.  Errors as rs_request; on error the lease is
 * kept.
 */
int rs_renew(struct rs_dev *d, struct rs_task *t, rs_u64 est, rs_u64 now);
/* A waiter gives up (timeout, signal).  No-op unless t is waiting. */
void rs_cancel(struct rs_dev *d, struct rs_task *t, rs_u64 now);
/* -ENOLCK when t holds no lease.  *held is grant to release. */
int rs_release(struct rs_dev *d, struct rs_task *t, rs_u64 actual, rs_u64 now,
	       rs_u64 *held);

/* Advance to now: table switch, overrun, grants. */
void rs_tick(struct rs_dev *d, rs_u64 now);
/* When the host must call rs_tick next; RS_TIME_MAX when nothing is due. */
rs_u64 rs_next_event(const struct rs_dev *d, rs_u64 now);

/* The slot containing now in the active table: its absolute bounds. */
struct rs_slot_at {
	rs_s32 index;			/* -1: a gap between slots */
	rs_u32 owner;			/* 0 for slack and gaps */
	rs_u64 start, end;
};
int rs_slot_at(const struct rs_dev *d, rs_u64 now, struct rs_slot_at *at);

#endif /* RTSLOT_SLOTCORE_H */
