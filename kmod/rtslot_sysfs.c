// SPDX-License-Identifier: GPL-2.0
/*
 * rtslot sysfs: the per-device configuration and read-only state under
 * /sys/class/rtslot/rtslot<N>/ (docs/ABI/sysfs-class-rtslot).
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "rtslot.h"

/* Longest line of `tasks`, with margin: whole lines or none. */
#define RTSLOT_TASK_LINE_MAX	256
/* "%u %llu %llu %u\n": 10 + 20 + 20 + 10 digits, 3 spaces, a newline. */
#define RTSLOT_SLOT_LINE_MAX	64

static const char * const rtslot_preempt_modes[] = {
	[RS_PREEMPT_LAUNCH] = "launch",
	[RS_PREEMPT_BLOCK] = "block",
	[RS_PREEMPT_INSTRUCTION] = "instruction",
};

static const char * const rtslot_policies[] = {
	[RS_POLICY_TABLE] = "table",
	[RS_POLICY_EDF] = "edf",
	[RS_POLICY_FP] = "fp",
};

static const char * const rtslot_overrun_actions[] = {
	[RS_OVERRUN_LOG] = "log",
	[RS_OVERRUN_REVOKE] = "revoke",
	[RS_OVERRUN_THROTTLE] = "throttle",
};

static const char * const rtslot_task_states[] = {
	[RS_TASK_IDLE] = "idle",
	[RS_TASK_WAITING] = "waiting",
	[RS_TASK_HOLDING] = "holding",
};

static u64 rtslot_config_get(struct rtslot_dev *rdev, enum rs_param p)
{
	unsigned long flags;
	u64 val;

	spin_lock_irqsave(&rdev->lock, flags);
	val = rs_config_get(&rdev->core, p);
	spin_unlock_irqrestore(&rdev->lock, flags);
	return val;
}

/* The core validates; on success the guard on every lease page may change. */
static int rtslot_config_set(struct rtslot_dev *rdev, enum rs_param p, u64 val)
{
	struct rs_task *t = NULL;
	unsigned long flags;
	u64 now;
	int ret;

	spin_lock_irqsave(&rdev->lock, flags);
	now = ktime_get_ns();
	ret = rs_config_set(&rdev->core, p, val, now);
	if (!ret)
		while ((t = rs_task_next(&rdev->core, t)))
			rtslot_publish(rtslot_task_of(t));
	rtslot_arm_timer(rdev, now);
	spin_unlock_irqrestore(&rdev->lock, flags);
	return ret;
}

static ssize_t rtslot_show_us(struct device *dev, char *buf, enum rs_param p)
{
	u64 ns = rtslot_config_get(dev_get_drvdata(dev), p);

	return sysfs_emit(buf, "%llu\n", div_u64(ns, NSEC_PER_USEC));
}

static ssize_t rtslot_store_us(struct device *dev, const char *buf, size_t len,
			       enum rs_param p)
{
	u64 us;
	int ret;

	if (kstrtou64(buf, 10, &us) || us > U64_MAX / NSEC_PER_USEC)
		return -EINVAL;
	ret = rtslot_config_set(dev_get_drvdata(dev), p, us * NSEC_PER_USEC);
	return ret ? ret : len;
}

static ssize_t rtslot_show_enum(struct device *dev, char *buf, enum rs_param p,
				const char * const *names, size_t n)
{
	u64 val = rtslot_config_get(dev_get_drvdata(dev), p);

	return sysfs_emit(buf, "%s\n", val < n ? names[val] : "?");
}

static ssize_t rtslot_store_enum(struct device *dev, const char *buf, size_t len,
				 enum rs_param p, const char * const *names, size_t n)
{
	int val = __sysfs_match_string(names, n, buf);
	int ret;

	if (val < 0)
		return -EINVAL;
	ret = rtslot_config_set(dev_get_drvdata(dev), p, val);
	return ret ? ret : len;
}

#define RTSLOT_ATTR_US(_name, _param)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return rtslot_show_us(dev, buf, _param);			\
}									\
static ssize_t _name##_store(struct device *dev,			\
			     struct device_attribute *attr,		\
			     const char *buf, size_t len)		\
{									\
	return rtslot_store_us(dev, buf, len, _param);			\
}									\
static DEVICE_ATTR_RW(_name)

#define RTSLOT_ATTR_ENUM(_name, _param, _names)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return rtslot_show_enum(dev, buf, _param, _names,		\
				ARRAY_SIZE(_names));			\
}									\
static ssize_t _name##_store(struct device *dev,			\
			     struct device_attribute *attr,		\
			     const char *buf, size_t len)		\
{									\
	return rtslot_store_enum(dev, buf, len, _param, _names,		\
				 ARRAY_SIZE(_names));			\
}									\
static DEVICE_ATTR_RW(_name)

RTSLOT_ATTR_ENUM(preempt_mode, RS_PARAM_PREEMPT_MODE, rtslot_preempt_modes);
RTSLOT_ATTR_ENUM(policy, RS_PARAM_POLICY, rtslot_policies);
RTSLOT_ATTR_ENUM(overrun_action, RS_PARAM_OVERRUN_ACTION, rtslot_overrun_actions);
RTSLOT_ATTR_US(preempt_latency_us, RS_PARAM_PREEMPT_LATENCY);
RTSLOT_ATTR_US(guard_us, RS_PARAM_GUARD);
RTSLOT_ATTR_US(switch_us, RS_PARAM_SWITCH);
RTSLOT_ATTR_US(frame_us, RS_PARAM_FRAME);
RTSLOT_ATTR_US(overrun_grace_us, RS_PARAM_OVERRUN_GRACE);
RTSLOT_ATTR_US(be_max_us, RS_PARAM_BE_MAX);

/*
 * 0: hard reservations, as SCHED_DEADLINE without SCHED_FLAG_RECLAIM; a
 * spent budget waits for its refill.  1: it is served from unreserved
 * time, after every budget and ahead of best effort (docs/architecture.md).
 */
static ssize_t reclaim_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  rtslot_config_get(dev_get_drvdata(dev), RS_PARAM_RECLAIM));
}

static ssize_t reclaim_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	unsigned int val;
	int ret;

	if (kstrtouint(buf, 10, &val) || val > 1)
		return -EINVAL;
	ret = rtslot_config_set(dev_get_drvdata(dev), RS_PARAM_RECLAIM, val);
	return ret ? ret : len;
}
static DEVICE_ATTR_RW(reclaim);

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct rtslot_dev *rdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", rdev->name);
}
static DEVICE_ATTR_RO(name);

/* One line per task; stops at the last whole line that fits in the page. */
static ssize_t tasks_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct rtslot_dev *rdev = dev_get_drvdata(dev);
	const struct rtslot_task *task;
	const struct rs_task *t = NULL;
	unsigned long flags;
	int len = 0;

	spin_lock_irqsave(&rdev->lock, flags);
	while ((t = rs_task_next(&rdev->core, t)) &&
	       len <= PAGE_SIZE - RTSLOT_TASK_LINE_MAX) {
		task = container_of(t, const struct rtslot_task, core);
		len += sysfs_emit_at(buf, len,
				     "%u %d %s %d %llu %llu %llu %llu %llu %llu %llu %s\n",
				     t->id, task->pid,
				     t->state < ARRAY_SIZE(rtslot_task_states) ?
				     rtslot_task_states[t->state] : "?",
				     t->prio, t->runtime, t->deadline,
				     t->period, t->stats.requests,
				     t->stats.grants, t->stats.misses,
				     t->stats.overruns,
				     task->name[0] ? task->name : "-");
	}
	spin_unlock_irqrestore(&rdev->lock, flags);
	return len;
}
static DEVICE_ATTR_RO(tasks);

static ssize_t slots_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct rtslot_dev *rdev = dev_get_drvdata(dev);
	const struct rs_table *tab = &rdev->core.table;
	unsigned long flags;
	int len = 0;
	u32 i;

	spin_lock_irqsave(&rdev->lock, flags);
	/* A full table outgrows the page: whole lines, then how many are left. */
	for (i = 0; i < tab->nslots && len <= PAGE_SIZE - 2 * RTSLOT_SLOT_LINE_MAX; i++)
		len += sysfs_emit_at(buf, len, "%u %llu %llu %u\n", i,
				     tab->slot[i].start, tab->slot[i].len,
				     tab->slot[i].owner);
	if (i < tab->nslots)
		len += sysfs_emit_at(buf, len, "+%u more\n", tab->nslots - i);
	spin_unlock_irqrestore(&rdev->lock, flags);
	return len;
}
static DEVICE_ATTR_RO(slots);

static ssize_t table_epoch_ns_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct rtslot_dev *rdev = dev_get_drvdata(dev);
	unsigned long flags;
	u64 epoch;

	spin_lock_irqsave(&rdev->lock, flags);
	epoch = rtslot_table_epoch(rdev);
	spin_unlock_irqrestore(&rdev->lock, flags);
	return sysfs_emit(buf, "%llu\n", epoch);
}
static DEVICE_ATTR_RO(table_epoch_ns);

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct rtslot_dev *rdev = dev_get_drvdata(dev);
	struct rs_dev_stats s;
	unsigned long flags;
	u64 ppm;
	u32 ntasks, holder;

	spin_lock_irqsave(&rdev->lock, flags);
	s = rdev->core.stats;
	ntasks = rdev->core.ntasks;
	holder = rdev->core.holder ? rdev->core.holder->id : 0;
	ppm = rs_utilization_ppm(&rdev->core);
	spin_unlock_irqrestore(&rdev->lock, flags);

	return sysfs_emit(buf,
			  "tasks %u\nholder %u\nutilization_ppm %llu\n"
			  "requests %llu\ngrants %llu\nreleases %llu\n"
			  "cancels %llu\nmisses %llu\noverruns %llu\n"
			  "revokes %llu\nreclaims %llu\ntable_switches %llu\n"
			  "wait_total_ns %llu\nwait_max_ns %llu\n",
			  ntasks, holder, ppm, s.requests, s.grants,
			  s.releases, s.cancels, s.misses,
			  s.overruns, s.revokes, s.reclaims,
			  s.table_switches, s.wait_total,
			  s.wait_max);
}
static DEVICE_ATTR_RO(stats);

static struct attribute *rtslot_dev_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_preempt_mode.attr,
	&dev_attr_preempt_latency_us.attr,
	&dev_attr_guard_us.attr,
	&dev_attr_switch_us.attr,
	&dev_attr_frame_us.attr,
	&dev_attr_policy.attr,
	&dev_attr_overrun_action.attr,
	&dev_attr_overrun_grace_us.attr,
	&dev_attr_reclaim.attr,
	&dev_attr_be_max_us.attr,
	&dev_attr_tasks.attr,
	&dev_attr_slots.attr,
	&dev_attr_table_epoch_ns.attr,
	&dev_attr_stats.attr,
	NULL,
};

static const struct attribute_group rtslot_dev_group = {
	.attrs = rtslot_dev_attrs,
};

const struct attribute_group *rtslot_dev_groups[] = {
	&rtslot_dev_group,
	NULL,
};
