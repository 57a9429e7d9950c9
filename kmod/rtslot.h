/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtslot module internals: the per-accelerator device that hosts one slot
 * core, and the per-file task that waits for and holds its leases.
 */
#ifndef RTSLOT_KMOD_RTSLOT_H
#define RTSLOT_KMOD_RTSLOT_H

#include <asm/barrier.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <rtslot/slotcore.h>
#include <uapi/rtslot.h>

#define RTSLOT_MAX_DEVS		16

/*
 * One accelerator.  @lock protects @core and every rtslot_task attached to
 * it; it is taken with interrupts off because @timer runs in hardirq
 * context and calls into the core too.
 */
struct rtslot_dev {
	spinlock_t lock;		/* see above; irqsave */
	struct rs_dev core;
	struct hrtimer timer;
	/*
	 * While set, grants are traced after the host call that caused them,
	 * so that a request or release is traced before the grant it leads to.
	 */
	bool defer_grant_trace;
	struct rtslot_task *deferred_grant;
	unsigned int index;
	char name[RTSLOT_NAME_LEN];
	struct cdev cdev;
	struct device dev;
};

/*
 * The task of one open file.  Everything is written under the device lock.
 * Each accepted request gets the next @req_seq; a grant copies it into
 * @grant_seq, which a waiter reads locklessly only to decide whether to
 * keep sleeping.  Sequence numbers rather than a flag keep a waiter from
 * taking a later request's grant, or cancelling it, when several threads
 * share the file.
 */
struct rtslot_task {
	struct rs_task core;
	struct rtslot_dev *rdev;
	wait_queue_head_t wq;
	u64 req_seq;
	u64 grant_seq;
	u64 grant_lease_end;
	u64 grant_wait;
	u64 grant_generation;
	struct page *page;
	struct rtslot_lease_page *lp;
	pid_t pid;
	char name[RTSLOT_NAME_LEN];
};

struct rtslot_file {
	struct rtslot_dev *rdev;
	struct rtslot_task *task;	/* set once by TASK_CREATE */
};

static inline struct rtslot_dev *rtslot_dev_of(struct rs_dev *d)
{
	return container_of(d, struct rtslot_dev, core);
}

static inline struct rtslot_task *rtslot_task_of(struct rs_task *t)
{
	return container_of(t, struct rtslot_task, core);
}

static inline struct rtslot_task *rtslot_file_task(struct rtslot_file *rf)
{
	/* Pairs with the release in TASK_CREATE: the task is fully set up. */
	return smp_load_acquire(&rf->task);
}

/*
 * The core keeps the epoch of the last table switch even when that switch
 * removed the table; users are told 0 then, as for a device that never had
 * one.
 */
static inline u64 rtslot_table_epoch(const struct rtslot_dev *rdev)
{
	lockdep_assert_held(&rdev->lock);
	return rdev->core.table.nslots ? rdev->core.epoch : 0;
}

/* All four need rdev->lock held. */
void rtslot_arm_timer(struct rtslot_dev *rdev, u64 now);
void rtslot_publish(struct rtslot_task *task);
/* Around a core call: trace the grants it makes after the call itself. */
void rtslot_defer_grants(struct rtslot_dev *rdev);
void rtslot_flush_grants(struct rtslot_dev *rdev);

struct rtslot_task *rtslot_task_alloc(const char *name);
void rtslot_task_free(struct rtslot_task *task);
long rtslot_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

extern const struct attribute_group *rtslot_dev_groups[];

#endif /* RTSLOT_KMOD_RTSLOT_H */
