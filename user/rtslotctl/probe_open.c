// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl lat/top/trace: opening the probes the way the three tools do:
 * the rtslot probes when the module is there, the libcuda uprobes when
 * asked for, and a clear line on stderr for whatever cannot run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rtslotctl.h"
#include "probe.h"
#include "probe_open.h"

int ctl_probes_open(const char *cmd, const struct ctl_probe_opts *o,
		    struct rtslot_probes **p, struct rtslot_cuda **c)
{
	struct rtslot_probes_opts po = {
		.dev = o->dev, .task = o->task, .pid = o->pid, .stream = o->stream,
		.runq = o->runq, .on_event = o->on_event, .ctx = o->ctx,
	};
	struct rtslot_cuda_opts co = { .pid = o->pid, .lib = o->cuda_lib };
	char why[512];
	const char *runq_why, *lib;
	int ret, n;

	*p = NULL;
	*c = NULL;
	rtslot_bpf_verbose(o->verbose);
	ret = rtslot_bpf_check(RTSLOT_NEED_PRIV, why, sizeof(why));
	if (ret) {
		ctl_probe_err(cmd, why);
		return ret;
	}
	ret = rtslot_bpf_check(RTSLOT_NEED_MODULE, why, sizeof(why));
	if (ret && !(o->cuda && o->cuda_only_ok)) {
		ctl_probe_err(cmd, why);
		return ret;
	}
	if (ret) {
		fprintf(stderr, "rtslotctl %s: %s: observing CUDA calls only\n", cmd, why);
	} else {
		ret = rtslot_probes_open(p, &po, why, sizeof(why));
		if (ret) {
			ctl_probe_err(cmd, why);
			return ret;
		}
		if (o->runq && !rtslot_probes_runq(*p, &runq_why))
			fprintf(stderr, "rtslotctl %s: %s\n", cmd, runq_why);
	}
	if (!o->cuda)
		return 0;
	ret = rtslot_cuda_open(c, &co, why, sizeof(why));
	if (ret) {
		ctl_probe_err(cmd, why);
		rtslot_probes_close(*p);
		*p = NULL;
		return ret;
	}
	lib = rtslot_cuda_lib(*c, &n);
	if (o->verbose)
		fprintf(stderr, "rtslotctl %s: %d uprobes on %s\n", cmd, n, lib);
	return 0;
}

void ctl_probes_close(struct rtslot_probes *p, struct rtslot_cuda *c)
{
	rtslot_cuda_close(c);
	rtslot_probes_close(p);
}

/*
 * --cuda or --cuda=PATH: getopt_long's optional argument, which only
 * takes the "=PATH" form.
 */
void ctl_cuda_arg(struct ctl_probe_opts *o, const char *arg)
{
	o->cuda = true;
	o->cuda_lib = arg && *arg ? arg : NULL;
}

int ctl_filter_opt(const char *cmd, int c, const char *arg, struct ctl_probe_opts *o)
{
	uint64_t v;
	int ret;

	switch (c) {
	case 'd':
		return ctl_parse_device(cmd, arg, &o->dev);
	case 'p':
		ret = ctl_parse_u64(cmd, "--pid", arg, 1, 4194304, &v);
		o->pid = (int)v;
		return ret;
	case 't':
		ret = ctl_parse_u64(cmd, "--task", arg, 1, UINT32_MAX, &v);
		o->task = (unsigned int)v;
		return ret;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return 1;
	}
}
