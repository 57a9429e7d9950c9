/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotctl lat/top: a sorted copy of the probes' maps at one moment
 * (user/rtslotctl/probe_snap.c).
 */
#ifndef RTSLOTCTL_PROBE_SNAP_H
#define RTSLOTCTL_PROBE_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include <rtslot/probes.h>

#define CTL_ANY_PID	UINT32_MAX

struct ctl_task {
	struct rtslot_task_key key;
	struct rtslot_task_stats st;
};

struct ctl_proc {
	int pid;
	struct rtslot_cuda_stats st;
};

struct ctl_hent {
	struct rtslot_hist_key key;
	struct rtslot_hist h;
};

/* Tasks by (dev, task), processes by pid, histograms by dev, task, pid, kind. */
struct ctl_snap {
	struct ctl_task *tasks;
	size_t ntasks;
	struct ctl_proc *procs;
	size_t nprocs;
	struct ctl_hent *hists;
	size_t nhists;
};

/* Either source may be NULL. */
int ctl_snap_take(struct ctl_snap *s, struct rtslot_probes *p, struct rtslot_cuda *c);
void ctl_snap_free(struct ctl_snap *s);
const struct ctl_task *ctl_snap_task(const struct ctl_snap *s, uint32_t dev, uint32_t task);
const struct ctl_proc *ctl_snap_proc(const struct ctl_snap *s, int pid);
/* pid CTL_ANY_PID: whichever process the histogram was keyed with. */
const struct rtslot_hist *ctl_snap_hist(const struct ctl_snap *s, uint32_t kind,
					uint32_t dev, uint32_t task, uint32_t pid);

#endif /* RTSLOTCTL_PROBE_SNAP_H */
