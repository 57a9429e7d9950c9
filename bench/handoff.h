/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * bench/handoff: two processes pass the accelerator back and forth, once
 * through rtslot leases and once through a futex, and time each handoff
 * from the releaser's last instruction to the waiter's first.
 */
#ifndef RTSLOT_BENCH_HANDOFF_H
#define RTSLOT_BENCH_HANDOFF_H

#include <stdint.h>
#include <sys/types.h>

#include <rtslot/dev.h>

/* Shared by the two sides (MAP_SHARED): written by one, read by the other. */
struct ho_shared {
	uint64_t t0;			/* releaser: just before it hands over */
	uint64_t nvcsw_before[2];	/* side's voluntary switches before it blocked */
	uint32_t turn;			/* futex word: the side that may run */
	uint32_t waiting[2];		/* futex: side is about to FUTEX_WAIT */
	uint32_t failed;		/* a side gave up: the other stops too */
};

struct ho_side;

/* How one mechanism blocks, hands over, and shows that a side is queued. */
struct ho_ops {
	const char *name;
	/* Before the fork: side 0 ends up owning the device. */
	int (*setup)(struct ho_side *s0, struct ho_side *s1);
	/* After the fork, in each process: let go of the other side's handle. */
	void (*drop_peer)(struct ho_side *peer);
	/* Block until the peer hands over. */
	int (*block)(struct ho_side *s);
	/* Hand over to the (blocked) peer. */
	int (*hand)(struct ho_side *s);
	/* Has the peer asked for the device (it may not sleep yet)? */
	int (*peer_queued)(const struct ho_side *s);
	/* After the loop: the side that still owns the device gives it up. */
	int (*finish)(struct ho_side *s, int owner);
	/* In side 0's process once side 1 has exited. */
	void (*teardown)(struct ho_side *s0, struct ho_side *s1);
};

struct ho_side {
	int id;				/* 0 or 1 */
	pid_t peer_pid;
	int peer_status_fd;		/* /proc/<peer>/status */
	int self_status_fd;		/* /proc/self/status */
	struct ho_shared *sh;
	uint64_t *lat;			/* shared: latency of handoff h */
	uint64_t n;			/* handoffs */
	/* rtslot */
	unsigned int dev_index;
	struct rtslot_dev dev;
	const struct rtslot_lease_page *peer_page;
};

extern const struct ho_ops ho_rtslot_ops;
extern const struct ho_ops ho_futex_ops;

/*
 * Run n handoffs of ops between this process (side 0, on cpu0) and a child
 * (side 1, on cpu1); lat[h] gets handoff h's latency in ns.
 */
int ho_run_pair(const struct ho_ops *ops, unsigned int dev_index, uint64_t n,
		uint64_t *lat, int cpu0, int cpu1);

#endif /* RTSLOT_BENCH_HANDOFF_H */
