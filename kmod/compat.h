/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel API differences rtslot meets between 5.10/5.15 (Jetson
 * L4T) and current 6.x kernels.  The class is registered statically with
 * class_register(), which builds unchanged on both sides of the 6.4
 * class_create() signature change.
 */
#ifndef RTSLOT_KMOD_COMPAT_H
#define RTSLOT_KMOD_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/version.h>

/* 6.2 made the device argument of class->devnode() const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define RTSLOT_DEVNODE_CONST const
#else
#define RTSLOT_DEVNODE_CONST
#endif

/*
 * The wrappers carry our own names so that a distribution kernel that
 * backports an API does not clash with them.
 */

/* 6.3 made vm_flags read-only outside vm_flags_set()/vm_flags_clear(). */
static inline void rtslot_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void rtslot_vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* 6.10 dropped the source argument of __assign_str(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define rtslot_assign_str(dst, src) __assign_str(dst)
#else
#define rtslot_assign_str(dst, src) __assign_str(dst, src)
#endif

/* 6.13 added hrtimer_setup(); 6.15 removed hrtimer_init(). */
static inline void rtslot_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock_id, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, fn, clock_id, mode);
#else
	hrtimer_init(timer, clock_id, mode);
	timer->function = fn;
#endif
}

#endif /* RTSLOT_KMOD_COMPAT_H */
