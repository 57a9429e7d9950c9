// SPDX-License-Identifier: GPL-2.0
/*
 * rtslot: preemption-aware time slots for shared accelerators.  This file
 * hosts the slot core (slotcore.c) in the kernel: one /dev/rtslot<N> per
 * accelerator, the read-only lease page, the core's callbacks and the
 * hrtimer.  The ioctls are in rtslot_ioctl.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "rtslot.h"

#define CREATE_TRACE_POINTS
#include "rtslot_trace.h"

/* The core and the UAPI speak the same numbers: nothing is translated. */
static_assert(RS_ENOENT == ENOENT && RS_E2BIG == E2BIG && RS_EBUSY == EBUSY &&
	      RS_EINVAL == EINVAL && RS_ENOLCK == ENOLCK);
#define RTSLOT_SAME_ENUM(a, b) static_assert((int)(a) == (int)(b))
RTSLOT_SAME_ENUM(RS_PREEMPT_LAUNCH, RTSLOT_PREEMPT_LAUNCH);
RTSLOT_SAME_ENUM(RS_PREEMPT_BLOCK, RTSLOT_PREEMPT_BLOCK);
RTSLOT_SAME_ENUM(RS_PREEMPT_INSTRUCTION, RTSLOT_PREEMPT_INSTRUCTION);
RTSLOT_SAME_ENUM(RS_POLICY_TABLE, RTSLOT_POLICY_TABLE);
RTSLOT_SAME_ENUM(RS_POLICY_EDF, RTSLOT_POLICY_EDF);
RTSLOT_SAME_ENUM(RS_POLICY_FP, RTSLOT_POLICY_FP);
RTSLOT_SAME_ENUM(RS_OVERRUN_LOG, RTSLOT_OVERRUN_LOG);
RTSLOT_SAME_ENUM(RS_OVERRUN_REVOKE, RTSLOT_OVERRUN_REVOKE);
RTSLOT_SAME_ENUM(RS_OVERRUN_THROTTLE, RTSLOT_OVERRUN_THROTTLE);
RTSLOT_SAME_ENUM(RS_TASK_IDLE, RTSLOT_LEASE_NONE);
RTSLOT_SAME_ENUM(RS_TASK_WAITING, RTSLOT_LEASE_WAITING);
RTSLOT_SAME_ENUM(RS_TASK_HOLDING, RTSLOT_LEASE_HELD);
#define RTSLOT_SAME(a, b) static_assert((a) == (b))
RTSLOT_SAME(RS_MAX_SLOTS, RTSLOT_MAX_SLOTS);
RTSLOT_SAME(RS_PRIO_MAX, RTSLOT_PRIO_MAX);
RTSLOT_SAME(RS_PERIOD_MAX_NS, RTSLOT_PERIOD_MAX_NS);
RTSLOT_SAME(RS_RUNTIME_MIN_NS, RTSLOT_RUNTIME_MIN_NS);
RTSLOT_SAME(RS_LEASE_MAX_MIN_NS, RTSLOT_LEASE_MAX_MIN_NS);
RTSLOT_SAME(RS_LEASE_MAX_MAX_NS, RTSLOT_PERIOD_MAX_NS);
RTSLOT_SAME(RS_TIME_MAX, U64_MAX);
static_assert(sizeof(struct rtslot_info) == RTSLOT_INFO_SIZE_VER1);
static_assert(sizeof(struct rtslot_task_create) == RTSLOT_TASK_CREATE_SIZE_VER0);
static_assert(sizeof(struct rtslot_task_info) == RTSLOT_TASK_INFO_SIZE_VER0);
static_assert(sizeof(struct rtslot_reservation) == RTSLOT_RESERVATION_SIZE_VER1);
static_assert(sizeof(struct rtslot_table) == RTSLOT_TABLE_SIZE_VER0);
static_assert(sizeof(struct rtslot_lease_request) == RTSLOT_LEASE_REQUEST_SIZE_VER0);
static_assert(sizeof(struct rtslot_lease_release) == RTSLOT_LEASE_RELEASE_SIZE_VER0);
static_assert(sizeof(struct rtslot_slot) == sizeof(struct rs_slot));
static_assert(sizeof(struct rtslot_lease_page) <= PAGE_SIZE);

static char *accels = "gpu0";
module_param(accels, charp, 0444);
MODULE_PARM_DESC(accels, "comma-separated accelerator names, one /dev/rtslot<N> each");

static dev_t rtslot_devt;
static unsigned int rtslot_ndevs;
static struct rtslot_dev *rtslot_devs[RTSLOT_MAX_DEVS];

/* Leases are per process, not per user: anyone may open, privileged ioctls check caps. */
static char *rtslot_devnode(RTSLOT_DEVNODE_CONST struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0666;
	return NULL;
}

static struct class rtslot_class = {
	.name = "rtslot",
	.devnode = rtslot_devnode,
};

/*
 * The lease page is a seqcount-protected snapshot (see the UAPI header):
 * odd seq while it changes.  The device lock makes this the only writer.
 */
void rtslot_publish(struct rtslot_task *task)
{
	struct rtslot_lease_page *lp = task->lp;
	const struct rs_task *t = &task->core;
	bool held = t->state == RS_TASK_HOLDING;
	u32 seq = lp->seq;
	u64 bound;

	lockdep_assert_held(&task->rdev->lock);
	WRITE_ONCE(lp->seq, seq + 1);
	/* Odd seq before any field changes: a reader racing us retries. */
	smp_wmb();
	WRITE_ONCE(lp->state, t->state);
	WRITE_ONCE(lp->generation, t->generation);
	WRITE_ONCE(lp->lease_end_ns, held ? t->lease_end : 0);
	WRITE_ONCE(lp->guard_ns, rs_guard(&task->rdev->core));
	WRITE_ONCE(lp->granted_ns, held ? t->grant_time : 0);
	WRITE_ONCE(lp->task_id, t->id);
	WRITE_ONCE(lp->abi_version, RTSLOT_ABI_VERSION);
	WRITE_ONCE(lp->yield_requested, held && t->yield);
	bound = rs_lease_bound(&task->rdev->core, t);
	WRITE_ONCE(lp->max_lease_ns, bound == RS_TIME_MAX ? 0 : bound);
	/* All fields before the even seq that vouches for them. */
	smp_wmb();
	WRITE_ONCE(lp->seq, seq + 2);
}

static void rtslot_trace_grant(struct rtslot_task *task)
{
	trace_rtslot_lease_grant(task->rdev->index, task->core.id,
				 task->grant_generation, task->grant_lease_end,
				 task->grant_wait);
}

/* Core callbacks: called under rdev->lock, possibly from the hrtimer. */
static void rtslot_granted(struct rs_dev *d, struct rs_task *t, rs_u64 now,
			   rs_u64 wait)
{
	struct rtslot_dev *rdev = rtslot_dev_of(d);
	struct rtslot_task *task = rtslot_task_of(t);

	task->grant_lease_end = t->lease_end;
	task->grant_wait = wait;
	task->grant_generation = t->generation;
	WRITE_ONCE(task->grant_seq, task->req_seq);
	rtslot_publish(task);
	if (rdev->defer_grant_trace)
		rdev->deferred_grant = task;
	else
		rtslot_trace_grant(task);
	wake_up(&task->wq);
}

static void rtslot_revoked(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	rtslot_publish(rtslot_task_of(t));
}

static void rtslot_yield(struct rs_dev *d, struct rs_task *t, rs_u64 now)
{
	rtslot_publish(rtslot_task_of(t));
}

static void rtslot_missed(struct rs_dev *d, struct rs_task *t, rs_u64 deadline,
			  rs_u64 now)
{
	trace_rtslot_deadline_miss(rtslot_dev_of(d)->index, t->id, deadline, now);
}

static void rtslot_overrun(struct rs_dev *d, struct rs_task *t, rs_u64 over,
			   rs_u32 action, rs_u64 now)
{
	trace_rtslot_overrun(rtslot_dev_of(d)->index, t->id, over, action);
}

static void rtslot_table_switched(struct rs_dev *d, const struct rs_table *tab,
				  rs_u64 epoch)
{
	trace_rtslot_table_switch(rtslot_dev_of(d)->index, tab->nslots,
				  tab->frame, epoch);
}

static const struct rs_ops rtslot_core_ops = {
	.granted = rtslot_granted,
	.revoked = rtslot_revoked,
	.yield = rtslot_yield,
	.missed = rtslot_missed,
	.overrun = rtslot_overrun,
	.table_switched = rtslot_table_switched,
};

void rtslot_defer_grants(struct rtslot_dev *rdev)
{
	rdev->defer_grant_trace = true;
	rdev->deferred_grant = NULL;
}

void rtslot_flush_grants(struct rtslot_dev *rdev)
{
	rdev->defer_grant_trace = false;
	if (rdev->deferred_grant)
		rtslot_trace_grant(rdev->deferred_grant);
	rdev->deferred_grant = NULL;
}

/* After every core call: the core says when it must run next. */
void rtslot_arm_timer(struct rtslot_dev *rdev, u64 now)
{
	u64 next = rs_next_event(&rdev->core, now);
	ktime_t at;

	lockdep_assert_held(&rdev->lock);
	if (next == RS_TIME_MAX || next > KTIME_MAX) {
		/* Cannot wait for a running callback here: it needs the lock. */
		hrtimer_try_to_cancel(&rdev->timer);
		return;
	}
	at = ns_to_ktime(next);
	if (hrtimer_is_queued(&rdev->timer) &&
	    ktime_compare(hrtimer_get_expires(&rdev->timer), at) == 0)
		return;
	hrtimer_start(&rdev->timer, at, HRTIMER_MODE_ABS);
}

static enum hrtimer_restart rtslot_timer_fn(struct hrtimer *timer)
{
	struct rtslot_dev *rdev = container_of(timer, struct rtslot_dev, timer);
	unsigned long flags;
	u64 now;

	spin_lock_irqsave(&rdev->lock, flags);
	now = ktime_get_ns();
	rs_tick(&rdev->core, now);
	/* Re-armed (or not) by hrtimer_start() under the lock, never by return. */
	rtslot_arm_timer(rdev, now);
	spin_unlock_irqrestore(&rdev->lock, flags);
	return HRTIMER_NORESTART;
}

struct rtslot_task *rtslot_task_alloc(const char *name)
{
	struct rtslot_task *task;
	size_t i;

	task = kzalloc(sizeof(*task), GFP_KERNEL);
	if (!task)
		return NULL;
	task->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!task->page) {
		kfree(task);
		return NULL;
	}
	task->lp = page_address(task->page);
	init_waitqueue_head(&task->wq);
	task->pid = task_tgid_nr(current);
	/* sysfs and trace print names in space-separated columns. */
	strscpy(task->name, name, sizeof(task->name));
	for (i = 0; task->name[i]; i++)
		if (task->name[i] <= ' ' || task->name[i] > '~')
			task->name[i] = '_';
	return task;
}

void rtslot_task_free(struct rtslot_task *task)
{
	/* A mapping that is still around holds its own page reference. */
	put_page(task->page);
	kfree(task);
}

static int rtslot_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rtslot_task *task = rtslot_file_task(file->private_data);

	if (!task)
		return -ENOENT;
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	/* Read-only for good: no mprotect(PROT_WRITE), no growing by mremap. */
	rtslot_vm_flags_clear(vma, VM_MAYWRITE);
	rtslot_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, task->page);
}

static int rtslot_open(struct inode *inode, struct file *file)
{
	struct rtslot_file *rf;

	rf = kzalloc(sizeof(*rf), GFP_KERNEL);
	if (!rf)
		return -ENOMEM;
	rf->rdev = container_of(inode->i_cdev, struct rtslot_dev, cdev);
	file->private_data = rf;
	return nonseekable_open(inode, file);
}

/* Last reference to the file: a dead process leaves no lease or wait behind. */
static int rtslot_release(struct inode *inode, struct file *file)
{
	struct rtslot_file *rf = file->private_data;
	struct rtslot_task *task = rf->task;
	struct rtslot_dev *rdev = rf->rdev;
	struct rs_task *t;
	unsigned long flags;
	u64 now;

	if (task) {
		t = &task->core;
		spin_lock_irqsave(&rdev->lock, flags);
		now = ktime_get_ns();
		trace_rtslot_task_leave(rdev->index, t->id, t->state,
					t->stats.grants, t->stats.misses,
					t->stats.overruns);
		rs_task_detach(&rdev->core, t, now);
		rtslot_arm_timer(rdev, now);
		spin_unlock_irqrestore(&rdev->lock, flags);
		rtslot_task_free(task);
	}
	kfree(rf);
	return 0;
}

static const struct file_operations rtslot_fops = {
	.owner = THIS_MODULE,
	.open = rtslot_open,
	.release = rtslot_release,
	.unlocked_ioctl = rtslot_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = rtslot_mmap,
};

static void rtslot_dev_release(struct device *dev)
{
	kfree(container_of(dev, struct rtslot_dev, dev));
}

static struct rtslot_dev *rtslot_dev_create(unsigned int index, const char *name)
{
	struct rtslot_dev *rdev;
	int ret;

	rdev = kzalloc(sizeof(*rdev), GFP_KERNEL);
	if (!rdev)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&rdev->lock);
	rs_dev_init(&rdev->core, &rtslot_core_ops);
	rtslot_hrtimer_setup(&rdev->timer, rtslot_timer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	rdev->index = index;
	strscpy(rdev->name, name, sizeof(rdev->name));

	device_initialize(&rdev->dev);
	rdev->dev.class = &rtslot_class;
	rdev->dev.devt = MKDEV(MAJOR(rtslot_devt), index);
	rdev->dev.groups = rtslot_dev_groups;
	rdev->dev.release = rtslot_dev_release;
	dev_set_drvdata(&rdev->dev, rdev);
	ret = dev_set_name(&rdev->dev, "rtslot%u", index);
	if (ret)
		goto err;
	cdev_init(&rdev->cdev, &rtslot_fops);
	rdev->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&rdev->cdev, &rdev->dev);
	if (ret)
		goto err;
	return rdev;
err:
	put_device(&rdev->dev);
	return ERR_PTR(ret);
}

/* Only at module exit: no file is open, so no core call can re-arm the timer. */
static void rtslot_dev_destroy(struct rtslot_dev *rdev)
{
	cdev_device_del(&rdev->cdev, &rdev->dev);
	hrtimer_cancel(&rdev->timer);
	put_device(&rdev->dev);
}

static bool rtslot_name_ok(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len >= RTSLOT_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* Splits the accels parameter; names must be distinct. */
static int rtslot_parse_accels(char (*names)[RTSLOT_NAME_LEN], unsigned int *n)
{
	char *buf, *cur, *tok;
	unsigned int i;
	int ret = 0;

	buf = kstrdup(accels ? accels : "", GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	*n = 0;
	cur = buf;
	while ((tok = strsep(&cur, ",")) != NULL) {
		if (!rtslot_name_ok(tok) || *n == RTSLOT_MAX_DEVS) {
			ret = -EINVAL;
			break;
		}
		for (i = 0; i < *n; i++)
			if (!strcmp(names[i], tok))
				ret = -EINVAL;
		if (ret)
			break;
		strscpy(names[(*n)++], tok, RTSLOT_NAME_LEN);
	}
	kfree(buf);
	if (ret)
		pr_err("bad accels=\"%s\": 1 to %d distinct names of [A-Za-z0-9_.-], under %d characters\n",
		       accels, RTSLOT_MAX_DEVS, RTSLOT_NAME_LEN);
	return ret;
}

static void rtslot_destroy_all(void)
{
	while (rtslot_ndevs)
		rtslot_dev_destroy(rtslot_devs[--rtslot_ndevs]);
}

static int __init rtslot_init(void)
{
	char (*names)[RTSLOT_NAME_LEN];
	struct rtslot_dev *rdev;
	unsigned int n, i;
	int ret;

	names = kcalloc(RTSLOT_MAX_DEVS, sizeof(*names), GFP_KERNEL);
	if (!names)
		return -ENOMEM;
	ret = rtslot_parse_accels(names, &n);
	if (ret)
		goto out_names;
	ret = class_register(&rtslot_class);
	if (ret)
		goto out_names;
	ret = alloc_chrdev_region(&rtslot_devt, 0, n, "rtslot");
	if (ret)
		goto out_class;
	for (i = 0; i < n; i++) {
		rdev = rtslot_dev_create(i, names[i]);
		if (IS_ERR(rdev)) {
			ret = PTR_ERR(rdev);
			goto out_devs;
		}
		rtslot_devs[rtslot_ndevs++] = rdev;
	}
	kfree(names);
	return 0;

out_devs:
	rtslot_destroy_all();
	unregister_chrdev_region(rtslot_devt, n);
out_class:
	class_unregister(&rtslot_class);
out_names:
	kfree(names);
	return ret;
}

static void __exit rtslot_exit(void)
{
	unsigned int n = rtslot_ndevs;

	rtslot_destroy_all();
	unregister_chrdev_region(rtslot_devt, n);
	class_unregister(&rtslot_class);
}

module_init(rtslot_init);
module_exit(rtslot_exit);

MODULE_DESCRIPTION("rtslot: real-time time slots and leases for shared accelerators");
MODULE_LICENSE("GPL");
