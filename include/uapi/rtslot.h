/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rtslot: user ABI of /dev/rtslot<N>, the real-time accelerator time-slot device.
 * Shared by the kernel module, rtslotd, the CUDA shim and the tests.
 */
#ifndef _UAPI_LINUX_RTSLOT_H
#define _UAPI_LINUX_RTSLOT_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RTSLOT_ABI_VERSION	1

#define RTSLOT_NAME_LEN		32
#define RTSLOT_MAX_SLOTS	256

/*
 * Every ioctl argument starts with __u32 size: the size of the struct as the
 * caller knows it.  The kernel accepts any size from the first published one
 * (RTSLOT_*_SIZE_VER0) up to one page; bytes the kernel does not know must be
 * zero (else -E2BIG), bytes the caller did not send read as zero.  Structs
 * only ever grow at the end.  The ioctl is matched on its type and number
 * alone, so a newer, larger struct keeps the same command.
 */

enum rtslot_preempt_mode {
	RTSLOT_PREEMPT_LAUNCH = 0,	/* nothing once a kernel runs */
	RTSLOT_PREEMPT_BLOCK = 1,	/* between thread blocks */
	RTSLOT_PREEMPT_INSTRUCTION = 2,	/* compute preemption (CILP) */
};

enum rtslot_policy {
	RTSLOT_POLICY_TABLE = 0,	/* slot table; EDF while none is set */
	RTSLOT_POLICY_EDF = 1,
	RTSLOT_POLICY_FP = 2,
};

enum rtslot_overrun_action {
	RTSLOT_OVERRUN_LOG = 0,		/* count and trace only */
	RTSLOT_OVERRUN_REVOKE = 1,	/* end the lease, grant the next */
	RTSLOT_OVERRUN_THROTTLE = 2,	/* revoke and charge the budget */
};

/*
 * RTSLOT_IOC_GET_INFO: device and ABI description.  Frame k of the active
 * table starts at table_epoch_ns + k * frame_ns, so clients can release
 * their jobs in phase with their slots.  A staged table takes over at
 * pending_epoch_ns, a frame boundary of the active one, and then that is
 * its epoch.
 */
struct rtslot_info {
	__u32 size;
	__u32 abi_version;
	char name[RTSLOT_NAME_LEN];	/* accelerator name, "gpu0" */
	__u32 index;			/* N of /dev/rtslotN */
	__u32 preempt_mode;		/* enum rtslot_preempt_mode */
	__u32 policy;			/* enum rtslot_policy */
	__u32 overrun_action;		/* enum rtslot_overrun_action */
	__u32 ntasks;
	__u32 nslots;			/* slots in the active table */
	__u64 frame_ns;
	__u64 guard_ns;			/* effective guard of the grant rule */
	__u64 switch_ns;
	__u64 preempt_latency_ns;
	/* Since RTSLOT_INFO_SIZE_VER1; CLOCK_MONOTONIC ns. */
	__u64 table_epoch_ns;		/* frame 0 of the active table; 0: none */
	__u64 pending_epoch_ns;		/* the staged table takes over; 0: none */
	__u32 pending_nslots;		/* slots in it; 0: it removes the table */
	__u32 __pad;			/* 0 */
};
#define RTSLOT_INFO_SIZE_VER0	96
#define RTSLOT_INFO_SIZE_VER1	120

/* RTSLOT_IOC_TASK_CREATE: attach one task to this open file (-EBUSY twice). */
struct rtslot_task_create {
	__u32 size;
	__u32 flags;			/* must be 0 */
	char name[RTSLOT_NAME_LEN];	/* NUL-terminated, may be empty */
	__u32 task_id;			/* out: device-unique, never 0 */
	__u32 __pad;			/* must be 0 */
};
#define RTSLOT_TASK_CREATE_SIZE_VER0	48

/*
 * RTSLOT_IOC_TASK_INFO: the task on this file, as TASK_CREATE made it: for
 * an arbiter handed the file, which task it is and who created it.  pid is
 * the creating process (thread group id) in the initial pid namespace, as
 * the sysfs tasks file shows it.  -ENOENT when the file has no task.
 */
struct rtslot_task_info {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u32 task_id;			/* out */
	__s32 pid;			/* out */
	char name[RTSLOT_NAME_LEN];	/* out */
};
#define RTSLOT_TASK_INFO_SIZE_VER0	48

/*
 * RTSLOT_IOC_SET_RESERVATION: the sched_attr triple of the task on this
 * file, plus a fixed priority (0..RTSLOT_PRIO_MAX, larger is more
 * important).  runtime <= deadline <= period; all three zero removes the
 * reservation (best effort).  Needs CAP_SYS_NICE.  -EBUSY when the sum of
 * runtime/period over the device would exceed 1.
 *
 * max_lease_ns (since VER1) bounds the work one lease of the task may
 * cover, the non-preemptible blocking an arbiter's analysis charges it:
 * a request for more fails with -E2BIG, and a reservation's lease ends
 * after that much work even with budget left.  0: the device's be_max_us
 * for best effort, the budget alone for a reservation; else
 * RTSLOT_LEASE_MAX_MIN_NS..RTSLOT_PERIOD_MAX_NS.
 */
struct rtslot_reservation {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u64 runtime_ns;
	__u64 deadline_ns;
	__u64 period_ns;
	__s32 priority;
	__u32 __pad;			/* must be 0 */
	__u64 max_lease_ns;
};
#define RTSLOT_RESERVATION_SIZE_VER0	40
#define RTSLOT_RESERVATION_SIZE_VER1	48
#define RTSLOT_LEASE_MAX_MIN_NS		1000ULL
#define RTSLOT_PRIO_MAX		99
#define RTSLOT_PERIOD_MAX_NS	(10ULL * 1000 * 1000 * 1000)
#define RTSLOT_RUNTIME_MIN_NS	1000ULL

/* Slot owned by nobody: slack, granted to whoever is ready. */
#define RTSLOT_SLOT_SLACK	0

struct rtslot_slot {
	__u64 start_ns;			/* offset within the frame */
	__u64 length_ns;
	__u32 task_id;			/* owner, or RTSLOT_SLOT_SLACK */
	__u32 flags;			/* must be 0 */
};

/*
 * RTSLOT_IOC_SET_TABLE: the device's cyclic slot table.  Slots are sorted,
 * do not overlap and lie inside the frame (else -EINVAL); owners are live
 * tasks of this device (else -ENOENT).  frame_ns is 0 or equal to the
 * device's frame_us.  The table is taken at the next frame boundary of the
 * running one (at once when none runs; RTSLOT_IOC_GET_INFO says when);
 * nslots == 0 removes it.  Needs CAP_SYS_NICE.
 */
struct rtslot_table {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u64 frame_ns;
	__u32 nslots;
	__u32 __pad;			/* must be 0 */
	__u64 slots;			/* user pointer to struct rtslot_slot[] */
};
#define RTSLOT_TABLE_SIZE_VER0	32

/*
 * RTSLOT_IOC_LEASE_REQUEST: block until the task on this file may run work
 * of estimated duration est_ns, that is until now + est + guard <= lease end.
 * timeout_ns is relative; 0 waits forever.  -ETIME on timeout, -EINTR when
 * a signal arrived first, -EBUSY when the task already holds or waits for a
 * lease, -EINVAL for est_ns == 0, -E2BIG when est_ns could never fit
 * (longer than the frame, than the task's runtime or than its lease bound).
 *
 * RTSLOT_IOC_LEASE_RENEW takes the same struct: it releases the lease the
 * task holds (charging the time held) and requests again in one step, so
 * a holder whose work is still the most urgent keeps the device across a
 * kernel boundary.  Errors as for the request; on an error the lease held
 * is kept.  Without a lease held it is a plain request.
 */
struct rtslot_lease_request {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u64 est_ns;
	__u64 timeout_ns;
	__u64 lease_end_ns;		/* out: CLOCK_MONOTONIC */
	__u64 wait_ns;			/* out: request to grant */
	__u64 generation;		/* out: lease generation */
};
#define RTSLOT_LEASE_REQUEST_SIZE_VER0	48

/*
 * RTSLOT_IOC_LEASE_RELEASE: end the lease held by the task on this file.
 * actual_ns is the accelerator time the work really took (0: unknown, the
 * held time is charged).  -ENOLCK when no lease is held (also after the
 * lease was revoked for overrunning).
 */
struct rtslot_lease_release {
	__u32 size;
	__u32 flags;			/* must be 0 */
	__u64 actual_ns;
	__u64 held_ns;			/* out: grant to release */
};
#define RTSLOT_LEASE_RELEASE_SIZE_VER0	24

#define RTSLOT_IOC_MAGIC	0xB7

#define RTSLOT_IOC_GET_INFO		_IOR(RTSLOT_IOC_MAGIC, 0x00, struct rtslot_info)
#define RTSLOT_IOC_TASK_CREATE		_IOWR(RTSLOT_IOC_MAGIC, 0x01, struct rtslot_task_create)
#define RTSLOT_IOC_SET_RESERVATION	_IOW(RTSLOT_IOC_MAGIC, 0x02, struct rtslot_reservation)
#define RTSLOT_IOC_SET_TABLE		_IOW(RTSLOT_IOC_MAGIC, 0x03, struct rtslot_table)
#define RTSLOT_IOC_LEASE_REQUEST	_IOWR(RTSLOT_IOC_MAGIC, 0x04, struct rtslot_lease_request)
#define RTSLOT_IOC_LEASE_RELEASE	_IOWR(RTSLOT_IOC_MAGIC, 0x05, struct rtslot_lease_release)
#define RTSLOT_IOC_LEASE_RENEW		_IOWR(RTSLOT_IOC_MAGIC, 0x06, struct rtslot_lease_request)
#define RTSLOT_IOC_TASK_INFO		_IOWR(RTSLOT_IOC_MAGIC, 0x07, struct rtslot_task_info)

/*
 * The lease page: mmap(NULL, page size, PROT_READ, MAP_SHARED, fd, 0) after
 * RTSLOT_IOC_TASK_CREATE.  The kernel bumps seq to odd before an update and
 * to even after it (a seqcount): read seq, the fields, then seq again, and
 * retry while it was odd or changed.  With it the shim launches without a
 * system call while state == HELD, yield_requested == 0 and
 * now + est + guard_ns <= lease_end_ns.  yield_requested is set when a
 * more urgent task queues: the holder should renew or release at its next
 * kernel boundary (lease_end_ns still bounds it, see overrun_action).
 */
enum rtslot_lease_state {
	RTSLOT_LEASE_NONE = 0,
	RTSLOT_LEASE_WAITING = 1,
	RTSLOT_LEASE_HELD = 2,
};

struct rtslot_lease_page {
	__u32 seq;
	__u32 state;			/* enum rtslot_lease_state */
	__u64 generation;		/* bumped at each grant */
	__u64 lease_end_ns;		/* CLOCK_MONOTONIC; 0 when none held */
	__u64 guard_ns;
	__u64 granted_ns;
	__u32 task_id;
	__u32 abi_version;
	__u32 yield_requested;
	__u32 __pad;
	__u64 max_lease_ns;		/* the task's lease bound; 0: none */
};

#endif /* _UAPI_LINUX_RTSLOT_H */
