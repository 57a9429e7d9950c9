/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotctl lat/top/trace: the options the three tools share for opening
 * the probes, and the opening itself (user/rtslotctl/probe_open.c).
 */
#ifndef RTSLOTCTL_PROBE_OPEN_H
#define RTSLOTCTL_PROBE_OPEN_H

#include <stdbool.h>

#include <rtslot/probes.h>

struct ctl_probe_opts {
	unsigned int dev;		/* RTSLOT_BPF_ANY */
	unsigned int task;		/* 0: all */
	int pid;			/* 0: all */
	bool stream;
	bool runq;
	bool cuda;			/* also the libcuda uprobes */
	bool cuda_only_ok;		/* without rtslot.ko, go on with them alone */
	const char *cuda_lib;
	bool verbose;
	rtslot_event_fn on_event;
	void *ctx;
};

/* 0, or -errno after saying on stderr what is missing. */
int ctl_probes_open(const char *cmd, const struct ctl_probe_opts *o,
		    struct rtslot_probes **p, struct rtslot_cuda **c);
void ctl_probes_close(struct rtslot_probes *p, struct rtslot_cuda *c);
void ctl_cuda_arg(struct ctl_probe_opts *o, const char *arg);
/*
 * The filters all three take: -d DEV, -p PID, -t TASK, -v.  1 when c is
 * none of them, else 0 or -errno (said on stderr).
 */
int ctl_filter_opt(const char *cmd, int c, const char *arg, struct ctl_probe_opts *o);

#endif /* RTSLOTCTL_PROBE_OPEN_H */
