// SPDX-License-Identifier: GPL-2.0
/*
 * rtslot ioctls: one helper per command, on the task of the open file.
 * Structs are extensible (leading size); see include/uapi/rtslot.h.
 */
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "rtslot.h"
#include "rtslot_trace.h"

/*
 * Extensible ioctl structs: the leading u32 is the caller's size, at least
 * the first published one and at most a page.
 */
static int rtslot_get_size(const void __user *uarg, size_t ver0, u32 *usize)
{
	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize < ver0 || *usize > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

static int rtslot_copy_in(void *karg, size_t ksize, size_t ver0,
			  const void __user *uarg, u32 *usize)
{
	int ret = rtslot_get_size(uarg, ver0, usize);

	if (ret)
		return ret;
	return copy_struct_from_user(karg, ksize, uarg, *usize);
}

/* The size written back tells the caller how much the kernel filled in. */
static int rtslot_copy_out(void __user *uarg, void *karg, size_t ksize, u32 usize)
{
	u32 n = min_t(u32, ksize, usize);

	*(u32 *)karg = n;
	return copy_to_user(uarg, karg, n) ? -EFAULT : 0;
}

static int rtslot_ioctl_get_info(struct rtslot_file *rf, void __user *uarg)
{
	struct rtslot_dev *rdev = rf->rdev;
	struct rtslot_info info = {};
	const struct rs_config *c = &rdev->core.cfg;
	unsigned long flags;
	u32 usize;
	int ret;

	ret = rtslot_get_size(uarg, RTSLOT_INFO_SIZE_VER0, &usize);
	if (ret)
		return ret;
	info.abi_version = RTSLOT_ABI_VERSION;
	strscpy(info.name, rdev->name, sizeof(info.name));
	info.index = rdev->index;
	spin_lock_irqsave(&rdev->lock, flags);
	info.preempt_mode = c->preempt_mode;
	info.policy = c->policy;
	info.overrun_action = c->overrun_action;
	info.ntasks = rdev->core.ntasks;
	info.nslots = rdev->core.table.nslots;
	info.frame_ns = c->frame;
	info.guard_ns = rs_guard(&rdev->core);
	info.switch_ns = c->switch_cost;
	info.preempt_latency_ns = c->preempt_latency;
	info.table_epoch_ns = rtslot_table_epoch(rdev);
	/*
	 * A switch that is due but not yet made by the timer still shows as
	 * pending: the snapshot is the core's state, not a guess at it.
	 */
	if (rdev->core.has_pending) {
		info.pending_epoch_ns = rdev->core.pending_at;
		info.pending_nslots = rdev->core.pending.nslots;
	}
	spin_unlock_irqrestore(&rdev->lock, flags);
	return rtslot_copy_out(uarg, &info, sizeof(info), usize);
}

static int rtslot_ioctl_task_create(struct rtslot_file *rf, void __user *uarg)
{
	struct rtslot_dev *rdev = rf->rdev;
	struct rtslot_task_create arg;
	struct rtslot_task *task;
	unsigned long flags;
	u32 usize;
	int ret;

	ret = rtslot_copy_in(&arg, sizeof(arg), RTSLOT_TASK_CREATE_SIZE_VER0,
			     uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.__pad || !memchr(arg.name, '\0', sizeof(arg.name)))
		return -EINVAL;
	if (rtslot_file_task(rf))
		return -EBUSY;

	task = rtslot_task_alloc(arg.name);
	if (!task)
		return -ENOMEM;

	spin_lock_irqsave(&rdev->lock, flags);
	if (rf->task) {
		spin_unlock_irqrestore(&rdev->lock, flags);
		rtslot_task_free(task);
		return -EBUSY;
	}
	task->rdev = rdev;
	rs_task_attach(&rdev->core, &task->core, ktime_get_ns());
	rtslot_publish(task);
	trace_rtslot_task_join(rdev->index, task->core.id, task->pid, task->name);
	/* Publish only a fully set up task; pairs with rtslot_file_task(). */
	smp_store_release(&rf->task, task);
	arg.task_id = task->core.id;
	spin_unlock_irqrestore(&rdev->lock, flags);

	return rtslot_copy_out(uarg, &arg, sizeof(arg), usize);
}

static int rtslot_ioctl_task_info(struct rtslot_file *rf, void __user *uarg)
{
	struct rtslot_task_info arg;
	struct rtslot_task *task;
	u32 usize;
	int ret;

	ret = rtslot_copy_in(&arg, sizeof(arg), RTSLOT_TASK_INFO_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	task = rtslot_file_task(rf);
	if (!task)
		return -ENOENT;
	/* Set at TASK_CREATE and never changed: no lock needed. */
	arg.task_id = task->core.id;
	arg.pid = task->pid;
	memcpy(arg.name, task->name, sizeof(arg.name));
	return rtslot_copy_out(uarg, &arg, sizeof(arg), usize);
}

static int rtslot_ioctl_set_reservation(struct rtslot_file *rf, void __user *uarg)
{
	struct rtslot_dev *rdev = rf->rdev;
	struct rtslot_reservation arg;
	struct rtslot_task *task;
	unsigned long flags;
	u64 now, old_max;
	u32 usize;
	int ret;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	ret = rtslot_copy_in(&arg, sizeof(arg), RTSLOT_RESERVATION_SIZE_VER0,
			     uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.__pad)
		return -EINVAL;
	task = rtslot_file_task(rf);
	if (!task)
		return -ENOENT;

	spin_lock_irqsave(&rdev->lock, flags);
	now = ktime_get_ns();
	old_max = task->core.lease_max;
	/* Both or neither: the bound is checked first, and put back on error. */
	ret = rs_set_lease_max(&rdev->core, &task->core, arg.max_lease_ns, now);
	if (!ret) {
		ret = rs_set_reservation(&rdev->core, &task->core, arg.runtime_ns,
					 arg.deadline_ns, arg.period_ns,
					 arg.priority, now);
		if (ret)
			task->core.lease_max = old_max;
	}
	rtslot_publish(task);
	rtslot_arm_timer(rdev, now);
	spin_unlock_irqrestore(&rdev->lock, flags);
	return ret;
}

static int rtslot_ioctl_set_table(struct rtslot_file *rf, void __user *uarg)
{
	struct rtslot_dev *rdev = rf->rdev;
	struct rtslot_slot *slots = NULL;
	struct rtslot_table arg;
	struct rs_table *tab;
	unsigned long flags;
	u32 usize, i;
	u64 now;
	int ret;

	if (!capable(CAP_SYS_NICE))
		return -EPERM;
	ret = rtslot_copy_in(&arg, sizeof(arg), RTSLOT_TABLE_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags || arg.__pad || arg.nslots > RTSLOT_MAX_SLOTS)
		return -EINVAL;

	if (arg.nslots) {
		slots = memdup_user(u64_to_user_ptr(arg.slots),
				    arg.nslots * sizeof(*slots));
		if (IS_ERR(slots))
			return PTR_ERR(slots);
	}
	tab = kzalloc(sizeof(*tab), GFP_KERNEL);
	if (!tab) {
		kfree(slots);
		return -ENOMEM;
	}
	tab->frame = arg.frame_ns;
	tab->nslots = arg.nslots;
	for (i = 0; i < arg.nslots; i++) {
		tab->slot[i].start = slots[i].start_ns;
		tab->slot[i].len = slots[i].length_ns;
		tab->slot[i].owner = slots[i].task_id;
		tab->slot[i].flags = slots[i].flags;
	}
	kfree(slots);

	spin_lock_irqsave(&rdev->lock, flags);
	now = ktime_get_ns();
	ret = rs_set_table(&rdev->core, tab, now);
	rtslot_arm_timer(rdev, now);
	spin_unlock_irqrestore(&rdev->lock, flags);
	kfree(tab);
	return ret;
}

/*
 * Under the lock: queue the request (after releasing the lease held, for a
 * renew).  Returns its sequence number in *seq.
 */
static int rtslot_request(struct rtslot_task *task, u64 est, bool renew, u64 *seq)
{
	struct rtslot_dev *rdev = task->rdev;
	struct rs_task *t = &task->core;
	bool held = renew && t->state == RS_TASK_HOLDING;
	u64 now = ktime_get_ns();
	u64 grant = t->grant_time, gen = t->generation;
	u64 deadline;
	int ret;

	/* Numbered before the core call: the grant may come from inside it. */
	*seq = ++task->req_seq;
	rtslot_defer_grants(rdev);
	ret = renew ? rs_renew(&rdev->core, t, est, now) :
		      rs_request(&rdev->core, t, est, now);
	if (ret) {
		/* Nothing was queued, so nothing can be granted under it. */
		task->req_seq--;
	} else {
		if (held)
			trace_rtslot_lease_release(rdev->index, t->id, gen,
						   now - grant, 0);
		deadline = t->runtime ? t->job_deadline : 0;
		trace_rtslot_lease_request(rdev->index, t->id, est, deadline);
		rtslot_publish(task);
	}
	rtslot_flush_grants(rdev);
	rtslot_arm_timer(rdev, now);
	return ret;
}

/*
 * Under the lock after the wait: a grant that raced with the timeout or
 * the signal wins; otherwise the request is withdrawn.
 */
static int rtslot_request_finish(struct rtslot_task *task, u64 seq, int wait_ret,
				 struct rtslot_lease_request *arg)
{
	struct rtslot_dev *rdev = task->rdev;
	u64 now;
	int ret;

	if (task->grant_seq >= seq) {
		arg->lease_end_ns = task->grant_lease_end;
		arg->wait_ns = task->grant_wait;
		arg->generation = task->grant_generation;
		return 0;
	}
	now = ktime_get_ns();
	ret = wait_ret == -ETIME ? -ETIME : -EINTR;
	rs_cancel(&rdev->core, &task->core, now);
	rtslot_publish(task);
	trace_rtslot_lease_cancel(rdev->index, task->core.id,
				  now - task->core.req_time, ret);
	rtslot_arm_timer(rdev, now);
	return ret;
}

static int rtslot_ioctl_lease_request(struct rtslot_file *rf, void __user *uarg,
				      bool renew)
{
	struct rtslot_dev *rdev = rf->rdev;
	struct rtslot_lease_request arg;
	struct rtslot_task *task;
	unsigned long flags;
	ktime_t timeout;
	u32 usize;
	u64 seq;
	int ret;

	ret = rtslot_copy_in(&arg, sizeof(arg), RTSLOT_LEASE_REQUEST_SIZE_VER0,
			     uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	task = rtslot_file_task(rf);
	if (!task)
		return -ENOENT;

	spin_lock_irqsave(&rdev->lock, flags);
	ret = rtslot_request(task, arg.est_ns, renew, &seq);
	spin_unlock_irqrestore(&rdev->lock, flags);
	if (ret)
		return ret;

	/* KTIME_MAX arms no timer: 0 and the absurdly long wait forever. */
	timeout = arg.timeout_ns ? ns_to_ktime(min_t(u64, arg.timeout_ns, KTIME_MAX))
				 : KTIME_MAX;
	ret = wait_event_interruptible_hrtimeout(task->wq,
						 READ_ONCE(task->grant_seq) >= seq,
						 timeout);

	spin_lock_irqsave(&rdev->lock, flags);
	ret = rtslot_request_finish(task, seq, ret, &arg);
	spin_unlock_irqrestore(&rdev->lock, flags);
	/* Not -ERESTARTSYS: a restarted call would start a new relative timeout. */
	if (ret)
		return ret;
	return rtslot_copy_out(uarg, &arg, sizeof(arg), usize);
}

static int rtslot_ioctl_lease_release(struct rtslot_file *rf, void __user *uarg)
{
	struct rtslot_dev *rdev = rf->rdev;
	struct rtslot_lease_release arg;
	struct rtslot_task *task;
	unsigned long flags;
	rs_u64 held = 0;
	u64 now;
	u32 usize;
	int ret;

	ret = rtslot_copy_in(&arg, sizeof(arg), RTSLOT_LEASE_RELEASE_SIZE_VER0,
			     uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	task = rtslot_file_task(rf);
	if (!task)
		return -ENOENT;

	spin_lock_irqsave(&rdev->lock, flags);
	now = ktime_get_ns();
	rtslot_defer_grants(rdev);
	ret = rs_release(&rdev->core, &task->core, arg.actual_ns, now, &held);
	if (!ret) {
		trace_rtslot_lease_release(rdev->index, task->core.id,
					   task->core.generation, held, arg.actual_ns);
		rtslot_publish(task);
	}
	rtslot_flush_grants(rdev);
	rtslot_arm_timer(rdev, now);
	spin_unlock_irqrestore(&rdev->lock, flags);
	if (ret)
		return ret;
	arg.held_ns = held;
	return rtslot_copy_out(uarg, &arg, sizeof(arg), usize);
}

/* Matched on type and number only, so that structs can grow. */
long rtslot_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rtslot_file *rf = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (_IOC_TYPE(cmd) != RTSLOT_IOC_MAGIC)
		return -ENOIOCTLCMD;
	switch (_IOC_NR(cmd)) {
	case _IOC_NR(RTSLOT_IOC_GET_INFO):
		return rtslot_ioctl_get_info(rf, uarg);
	case _IOC_NR(RTSLOT_IOC_TASK_CREATE):
		return rtslot_ioctl_task_create(rf, uarg);
	case _IOC_NR(RTSLOT_IOC_SET_RESERVATION):
		return rtslot_ioctl_set_reservation(rf, uarg);
	case _IOC_NR(RTSLOT_IOC_SET_TABLE):
		return rtslot_ioctl_set_table(rf, uarg);
	case _IOC_NR(RTSLOT_IOC_LEASE_REQUEST):
		return rtslot_ioctl_lease_request(rf, uarg, false);
	case _IOC_NR(RTSLOT_IOC_LEASE_RENEW):
		return rtslot_ioctl_lease_request(rf, uarg, true);
	case _IOC_NR(RTSLOT_IOC_LEASE_RELEASE):
		return rtslot_ioctl_lease_release(rf, uarg);
	case _IOC_NR(RTSLOT_IOC_TASK_INFO):
		return rtslot_ioctl_task_info(rf, uarg);
	default:
		return -ENOIOCTLCMD;
	}
}
