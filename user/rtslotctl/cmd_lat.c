// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl lat: per task log2 histograms of lease wait, hold, job
 * response, deadline slack and run-queue delay, runqlat-style, from the
 * BPF probes; with --cuda, per process CUDA call counts and sync latency.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtslotctl.h"
#include "probe.h"
#include "probe_open.h"
#include "probe_snap.h"

struct lat {
	struct ctl_probe_opts po;
	unsigned int kinds;		/* bit per enum rtslot_hist_kind */
	enum ctl_unit unit;
	bool timestamp;
	struct rtslot_probes *p;
	struct rtslot_cuda *c;
	struct ctl_snap prev;		/* counters at the last report */
};

static const struct {
	const char *name;
	unsigned int bits;
} kind_opts[] = {
	{ "wait", 1u << RTSLOT_HIST_WAIT },
	{ "hold", 1u << RTSLOT_HIST_HOLD },
	{ "response", 1u << RTSLOT_HIST_RESP },
	{ "slack", 1u << RTSLOT_HIST_SLACK },
	{ "runq", 1u << RTSLOT_HIST_RUNQ },
	{ "sync", (1u << RTSLOT_HIST_SYNC) | (1u << RTSLOT_HIST_SYNCWAIT) },
};

static const char *const kind_titles[RTSLOT_HIST_NKINDS] = {
	[RTSLOT_HIST_WAIT] = "lease wait (request to grant)",
	[RTSLOT_HIST_HOLD] = "lease hold (grant to release)",
	[RTSLOT_HIST_RESP] = "job response (request to release)",
	[RTSLOT_HIST_SLACK] = "deadline slack of jobs that met it (release to deadline)",
	[RTSLOT_HIST_RUNQ] = "run-queue delay of the task's threads",
	[RTSLOT_HIST_SYNC] = "sync-to-sync (one sync's return to the next)",
	[RTSLOT_HIST_SYNCWAIT] = "time inside cuStreamSynchronize/cuCtxSynchronize",
};

static void help(void)
{
	printf("usage: rtslotctl lat [-d N] [-p PID] [-t TASK] [-k KINDS] [-m | -n]\n"
	       "                     [--cuda[=LIB]] [--no-runq] [-T] [-v]\n"
	       "                     [interval [count]] [-- COMMAND [ARG...]]\n\n"
	       "Histograms of how long rtslot tasks wait for, hold and use the\n"
	       "accelerator, from BPF probes on the rtslot:* tracepoints, like runqlat:\n"
	       "one report at the end (Ctrl-C, or when COMMAND exits), or one every\n"
	       "interval seconds, count times.  Each report covers its interval only.\n"
	       "With COMMAND, the probes attach first, then it runs.\n\n"
	       "  -d, --device N   only /dev/rtslotN\n"
	       "  -p, --pid PID    only tasks of process PID (and its libcuda with --cuda)\n"
	       "  -t, --task ID    only task ID\n"
	       "  -k, --kinds LIST comma-separated: wait,hold,response,slack,runq,sync\n"
	       "                   (default all)\n"
	       "  -m, --msecs      millisecond buckets (default microseconds)\n"
	       "  -n, --nsecs      nanosecond buckets\n"
	       "      --cuda[=LIB] observe-only: uprobes on libcuda.so.1 (found, the one\n"
	       "                   PID maps, or LIB): calls per entry point, sync latency;\n"
	       "                   works without rtslot.ko\n"
	       "      --no-runq    no run-queue probes (sched_wakeup/sched_switch)\n"
	       "  -T, --timestamp  print the time of each report\n"
	       "  -v, --verbose    libbpf's messages\n"
	       "  -h, --help       show this help\n\n"
	       "Needs root (CAP_BPF and CAP_PERFMON), tracefs, and rtslot.ko loaded\n"
	       "(except with --cuda alone); the run-queue delay also needs kernel BTF.\n"
	       "Buckets are powers of two of nanoseconds (see docs/bpf.md).\n");
}

static int parse_kinds(struct lat *l, char *list)
{
	char *tok, *save = NULL;
	size_t i;

	l->kinds = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(kind_opts) / sizeof(kind_opts[0]); i++)
			if (!strcmp(tok, kind_opts[i].name))
				break;
		if (i == sizeof(kind_opts) / sizeof(kind_opts[0])) {
			ctl_usage_err("lat", "--kinds: no kind '%s'", tok);
			return -EINVAL;
		}
		l->kinds |= kind_opts[i].bits;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct lat *l, struct ctl_run *r)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "task", required_argument, NULL, 't' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "msecs", no_argument, NULL, 'm' },
		{ "nsecs", no_argument, NULL, 'n' },
		{ "cuda", optional_argument, NULL, 'C' },
		{ "no-runq", no_argument, NULL, 'R' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, "+:d:p:t:k:mnTvh", opts, NULL)) != -1) {
		ret = ctl_filter_opt("lat", c, optarg, &l->po);
		if (ret <= 0)
			continue;
		ret = 0;
		switch (c) {
		case 'k':
			ret = parse_kinds(l, optarg);
			break;
		case 'm':
			l->unit = CTL_MSEC;
			break;
		case 'n':
			l->unit = CTL_NSEC;
			break;
		case 'C':
			ctl_cuda_arg(&l->po, optarg);
			break;
		case 'R':
			l->po.runq = false;
			break;
		case 'T':
			l->timestamp = true;
			break;
		case 'h':
			help();
			exit(0);
		default:
			ctl_bad_option("lat", c, argv);
			return -EINVAL;
		}
	}
	if (ret)
		return ret;
	if (!(l->kinds & ((1u << RTSLOT_HIST_RUNQ))))
		l->po.runq = false;
	return ctl_run_args(r, argc, argv, optind, 2);
}

static bool show(const struct lat *l, uint32_t kind)
{
	return l->kinds & (1u << kind);
}

#define DELTA(cur, old, f)	((cur)->f - ((old) ? (old)->f : 0))

static void report_task(struct lat *l, const struct ctl_snap *s, const struct ctl_task *t)
{
	const struct ctl_task *o = ctl_snap_task(&l->prev, t->key.dev, t->key.task);
	const struct rtslot_task_stats *st = &t->st, *old = o ? &o->st : NULL;
	const struct rtslot_hist *h;
	uint32_t kind;

	if (o && !DELTA(st, old, requests) && !DELTA(st, old, releases) &&
	    !DELTA(st, old, misses) && !DELTA(st, old, overruns) &&
	    !ctl_snap_hist(s, RTSLOT_HIST_RUNQ, t->key.dev, t->key.task, CTL_ANY_PID))
		return;
	printf("\ntask %u %s, pid %d, dev %u%s: %llu requests, %llu grants, %llu releases, "
	       "%llu cancels, %llu misses, %llu overruns, %llu revokes\n",
	       t->key.task, st->name[0] ? st->name : "-", st->pid, t->key.dev,
	       st->flags & RTSLOT_TS_LEFT ? " (left)" : "",
	       (unsigned long long)DELTA(st, old, requests),
	       (unsigned long long)DELTA(st, old, grants),
	       (unsigned long long)DELTA(st, old, releases),
	       (unsigned long long)DELTA(st, old, cancels),
	       (unsigned long long)DELTA(st, old, misses),
	       (unsigned long long)DELTA(st, old, overruns),
	       (unsigned long long)DELTA(st, old, revokes));
	for (kind = RTSLOT_HIST_WAIT; kind <= RTSLOT_HIST_RUNQ; kind++) {
		if (!show(l, kind))
			continue;
		h = ctl_snap_hist(s, kind, t->key.dev, t->key.task, CTL_ANY_PID);
		if (!h)
			continue;
		printf("  %s:\n", kind_titles[kind]);
		ctl_hist_print(stdout, h, l->unit);
	}
}

static void report_proc(struct lat *l, const struct ctl_snap *s, const struct ctl_proc *pr)
{
	const struct ctl_proc *o = ctl_snap_proc(&l->prev, pr->pid);
	const struct rtslot_hist *h;
	uint32_t fn, kind;

	printf("\nprocess %d (%.*s), CUDA calls:", pr->pid, (int)sizeof(pr->st.comm),
	       pr->st.comm);
	for (fn = 0; fn < RTSLOT_CU_NFNS; fn++)
		printf("%s %s %llu", fn ? "," : "", rtslot_cuda_fn_name(fn),
		       (unsigned long long)(pr->st.calls[fn] - (o ? o->st.calls[fn] : 0)));
	printf("\n");
	for (kind = RTSLOT_HIST_SYNC; kind <= RTSLOT_HIST_SYNCWAIT; kind++) {
		if (!show(l, kind))
			continue;
		h = ctl_snap_hist(s, kind, 0, 0, (uint32_t)pr->pid);
		if (!h)
			continue;
		printf("  %s:\n", kind_titles[kind]);
		ctl_hist_print(stdout, h, l->unit);
	}
}

static int report(struct lat *l)
{
	struct ctl_snap s;
	char when[32];
	time_t now;
	size_t i;
	int ret;

	ret = ctl_snap_take(&s, l->p, l->c);
	if (ret) {
		ctl_err("lat", "reading the probes' maps", ret);
		return ret;
	}
	if (l->timestamp) {
		now = time(NULL);
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
		printf("\n%s\n", when);
	}
	for (i = 0; i < s.ntasks; i++)
		report_task(l, &s, &s.tasks[i]);
	for (i = 0; i < s.nprocs; i++)
		if (!l->po.pid || s.procs[i].pid == l->po.pid)
			report_proc(l, &s, &s.procs[i]);
	if (!s.ntasks && !s.nprocs)
		printf("\n(nothing traced)\n");
	if (l->p && rtslot_probes_drops(l->p))
		printf("\n%llu events lost (ring buffer full)\n",
		       (unsigned long long)rtslot_probes_drops(l->p));
	fflush(stdout);
	/* Each report covers its interval: start the next one from zero. */
	if (l->p) {
		rtslot_probes_clear_hists(l->p);
		rtslot_probes_forget_left(l->p);
	}
	if (l->c) {
		rtslot_cuda_clear_hists(l->c);
		rtslot_cuda_forget_gone(l->c);
	}
	ctl_snap_free(&l->prev);
	l->prev = s;
	return 0;
}

int cmd_lat(int argc, char **argv)
{
	struct lat l = {
		.po = { .dev = RTSLOT_BPF_ANY, .runq = true, .cuda_only_ok = true },
		.kinds = ~0u,
		.unit = CTL_USEC,
	};
	struct ctl_run r = { .cmd = "lat" };
	int ret, wake, fin;

	if (parse_args(argc, argv, &l, &r))
		return EXIT_USAGE;
	if (ctl_probes_open("lat", &l.po, &l.p, &l.c))
		return EXIT_FAIL;
	ret = ctl_run_start(&r, l.p ? "rtslot leases" : "CUDA calls");
	while (!ret) {
		wake = ctl_run_wait(&r, l.p);
		if (wake < 0) {
			ret = wake;
			break;
		}
		if (wake == CTL_END || r.interval_ns)
			ret = report(&l);
		if (wake == CTL_END || (r.count && ++r.reports >= r.count))
			break;
	}
	fin = ctl_run_finish(&r);
	ret = ret ? EXIT_FAIL : fin;
	ctl_snap_free(&l.prev);
	ctl_probes_close(l.p, l.c);
	return ret;
}
