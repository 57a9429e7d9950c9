// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl top: a live table, one row per task (and, with --cuda, per
 * process calling libcuda): jobs, grant and launch rates, p50/p99
 * response, misses, overruns and share of the accelerator, per interval;
 * optionally the Prometheus textfile of the same probes.
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
#include "prom.h"

/* One task's interval, from the event stream. */
struct top_task {
	struct rtslot_task_key key;
	uint64_t lease_from;		/* grant time of the lease held; 0: none */
	uint64_t held;			/* lease time inside the interval */
	uint64_t grants, jobs, misses, overruns;
	uint64_t *resp;			/* response of each job, ns */
	size_t nresp, cap;
};

struct top {
	struct ctl_probe_opts po;
	const char *prom;
	bool quiet;
	struct rtslot_probes *p;
	struct rtslot_cuda *c;
	struct top_task *t;
	size_t nt, cap;
	uint64_t t0;			/* start of the interval */
	struct ctl_snap prev;		/* CUDA counters at the last report */
	int err;
};

static void help(void)
{
	printf("usage: rtslotctl top [-d N] [-p PID] [-i SEC] [--count N | --once]\n"
	       "                     [--cuda[=LIB]] [--prom FILE] [-q] [-v]\n"
	       "                     [-- COMMAND [ARG...]]\n\n"
	       "A live table of rtslot tasks from the BPF probes, one report every\n"
	       "interval and a last one when COMMAND exits or on Ctrl-C:\n"
	       "  JOBS      leases released in the interval (a job each)\n"
	       "  LAUNCHES  libcuda launches of the task's process (--cuda)\n"
	       "  GRANT/s, LAUNCH/s  rates over the interval\n"
	       "  P50, P99  job response (request to release), exact over the\n"
	       "            interval; for processes seen only by --cuda, the\n"
	       "            sync-to-sync time, from a log2 histogram (~)\n"
	       "  MISS, OVR deadline misses and overruns in the interval\n"
	       "  SHARE     the part of the interval the task held the device's lease\n\n"
	       "  -d, --device N    only /dev/rtslotN\n"
	       "  -p, --pid PID     only tasks of process PID\n"
	       "  -i, --interval S  seconds between reports (default 1)\n"
	       "  -n, --count N     stop after N reports\n"
	       "  -1, --once        one report (--count 1)\n"
	       "      --cuda[=LIB]  also libcuda uprobes (see rtslotctl lat --help)\n"
	       "  -P, --prom FILE   write every task's counters and histograms (since\n"
	       "                    start) to FILE at each report, in the Prometheus text\n"
	       "                    format (node-exporter textfile collector)\n"
	       "  -q, --quiet       no table (with --prom)\n"
	       "  -v, --verbose     libbpf's messages\n"
	       "  -h, --help        show this help\n\n"
	       "Needs root (CAP_BPF and CAP_PERFMON), tracefs and rtslot.ko (except\n"
	       "with --cuda alone).\n");
}

static int parse_args(int argc, char **argv, struct top *t, struct ctl_run *r)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, '1' },
		{ "cuda", optional_argument, NULL, 'C' },
		{ "prom", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, ret = 0;

	r->interval_ns = 1000000000ULL;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, "+:d:p:i:n:1P:qvh", opts, NULL)) != -1) {
		ret = ctl_filter_opt("top", c, optarg, &t->po);
		if (ret <= 0)
			continue;
		ret = 0;
		switch (c) {
		case 'i':
			ret = ctl_parse_u64("top", "--interval", optarg, 1, 86400, &v);
			r->interval_ns = v * 1000000000ULL;
			break;
		case 'n':
			ret = ctl_parse_u64("top", "--count", optarg, 1, 1000000000, &r->count);
			break;
		case '1':
			r->count = 1;
			break;
		case 'C':
			ctl_cuda_arg(&t->po, optarg);
			break;
		case 'P':
			t->prom = optarg;
			break;
		case 'q':
			t->quiet = true;
			break;
		case 'h':
			help();
			exit(0);
		default:
			ctl_bad_option("top", c, argv);
			return -EINVAL;
		}
	}
	if (ret)
		return ret;
	if (t->quiet && !t->prom) {
		ctl_usage_err("top", "--quiet without --prom would show nothing");
		return -EINVAL;
	}
	return ctl_run_args(r, argc, argv, optind, 0);
}

static struct top_task *task_of(struct top *t, uint32_t dev, uint32_t task)
{
	struct top_task *nt;
	size_t i;

	for (i = 0; i < t->nt; i++)
		if (t->t[i].key.dev == dev && t->t[i].key.task == task)
			return &t->t[i];
	if (t->nt == t->cap) {
		nt = realloc(t->t, (t->cap * 2 + 8) * sizeof(*nt));
		if (!nt)
			return NULL;
		t->t = nt;
		t->cap = t->cap * 2 + 8;
	}
	nt = &t->t[t->nt++];
	memset(nt, 0, sizeof(*nt));
	nt->key.dev = dev;
	nt->key.task = task;
	return nt;
}

/* The part of a lease [from, to) that lies in this interval. */
static void held(struct top *t, struct top_task *tt, uint64_t from, uint64_t to)
{
	if (from < t->t0)
		from = t->t0;
	if (to > from)
		tt->held += to - from;
}

static int on_event(void *ctx, const struct rtslot_event *ev)
{
	struct top *t = ctx;
	struct top_task *tt;
	uint64_t *nr;

	if (ev->kind == RTSLOT_EV_TABLE)
		return 0;
	tt = task_of(t, ev->dev, ev->task);
	if (!tt) {
		t->err = -ENOMEM;
		return 0;
	}
	switch (ev->kind) {
	case RTSLOT_EV_GRANT:
		tt->grants++;
		tt->lease_from = ev->ts_ns;
		break;
	case RTSLOT_EV_RELEASE:
		/* The kernel's own hold, not our clock reads, places the lease. */
		held(t, tt, ev->ts_ns - ev->release.held_ns, ev->ts_ns);
		tt->lease_from = 0;
		tt->jobs++;
		if (tt->nresp == tt->cap) {
			nr = realloc(tt->resp, (tt->cap * 2 + 64) * sizeof(*nr));
			if (!nr) {
				t->err = -ENOMEM;
				break;
			}
			tt->resp = nr;
			tt->cap = tt->cap * 2 + 64;
		}
		tt->resp[tt->nresp++] = ev->release.wait_ns + ev->release.held_ns;
		break;
	case RTSLOT_EV_MISS:
		tt->misses++;
		break;
	case RTSLOT_EV_OVERRUN:
		tt->overruns++;
		if (ev->overrun.action && tt->lease_from) {
			held(t, tt, tt->lease_from, ev->ts_ns);
			tt->lease_from = 0;
		}
		break;
	case RTSLOT_EV_LEAVE:
		if (tt->lease_from)
			held(t, tt, tt->lease_from, ev->ts_ns);
		tt->lease_from = 0;
		break;
	}
	return 0;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least q of the jobs at or below. */
static double rank_ms(const uint64_t *v, size_t n, double q)
{
	size_t r = (size_t)(q * (double)n + 0.999999);

	if (!r)
		r = 1;
	return (double)v[r - 1] / 1e6;
}

static uint64_t launches(const struct rtslot_cuda_stats *st)
{
	return st->calls[RTSLOT_CU_LAUNCH_KERNEL] + st->calls[RTSLOT_CU_LAUNCH_KERNEL_EX] +
	       st->calls[RTSLOT_CU_GRAPH_LAUNCH];
}

/* Launches of pid in the interval; -1 without the CUDA probes. */
static int64_t proc_launches(const struct top *t, const struct ctl_snap *s, int pid)
{
	const struct ctl_proc *cur, *old;

	if (!t->c)
		return -1;
	cur = ctl_snap_proc(s, pid);
	if (!cur)
		return 0;
	old = ctl_snap_proc(&t->prev, pid);
	return (int64_t)(launches(&cur->st) - (old ? launches(&old->st) : 0));
}

static void row_task(struct top *t, const struct ctl_snap *s, struct top_task *tt, double secs)
{
	const struct ctl_task *ct = ctl_snap_task(s, tt->key.dev, tt->key.task);
	int pid = ct ? ct->st.pid : 0;
	int64_t l = proc_launches(t, s, pid);
	char lc[24] = "-", lr[24] = "-", p50[24] = "-", p99[24] = "-";

	if (l >= 0) {
		snprintf(lc, sizeof(lc), "%lld", (long long)l);
		snprintf(lr, sizeof(lr), "%.1f", (double)l / secs);
	}
	if (tt->nresp) {
		qsort(tt->resp, tt->nresp, sizeof(*tt->resp), u64_cmp);
		snprintf(p50, sizeof(p50), "%.3f", rank_ms(tt->resp, tt->nresp, 0.5));
		snprintf(p99, sizeof(p99), "%.3f", rank_ms(tt->resp, tt->nresp, 0.99));
	}
	printf("%3u %5u %7d %-16.16s %6llu %8s %8.1f %8s %9s %9s %5llu %5llu %6.1f\n",
	       tt->key.dev, tt->key.task, pid, ct && ct->st.name[0] ? ct->st.name : "-",
	       (unsigned long long)tt->jobs, lc, (double)tt->grants / secs, lr, p50, p99,
	       (unsigned long long)tt->misses, (unsigned long long)tt->overruns,
	       100.0 * (double)tt->held / (secs * 1e9));
}

static bool is_task_pid(const struct ctl_snap *s, int pid)
{
	size_t i;

	for (i = 0; i < s->ntasks; i++)
		if (s->tasks[i].st.pid == pid)
			return true;
	return false;
}

/* A process only the libcuda probes see: its launches and sync-to-sync. */
static void row_proc(struct top *t, const struct ctl_snap *s, const struct ctl_proc *pr,
		     double secs)
{
	const struct rtslot_hist *h = ctl_snap_hist(s, RTSLOT_HIST_SYNC, 0, 0, pr->pid);
	const struct rtslot_hist *oh = ctl_snap_hist(&t->prev, RTSLOT_HIST_SYNC, 0, 0, pr->pid);
	struct rtslot_hist d = { 0 };
	int64_t l = proc_launches(t, s, pr->pid);
	char p50[24] = "-", p99[24] = "-";
	int k;

	if (h) {
		for (k = 0; k < RTSLOT_HIST_SLOTS; k++)
			d.slot[k] = h->slot[k] - (oh ? oh->slot[k] : 0);
		if (rtslot_hist_quantile(&d, 0.5)) {
			snprintf(p50, sizeof(p50), "~%.3f", rtslot_hist_quantile(&d, 0.5) / 1e6);
			snprintf(p99, sizeof(p99), "~%.3f", rtslot_hist_quantile(&d, 0.99) / 1e6);
		}
	}
	printf("%3s %5s %7d %-16.16s %6s %8lld %8s %8.1f %9s %9s %5s %5s %6s\n", "-", "-",
	       pr->pid, pr->st.comm, "-", (long long)l, "-", (double)l / secs, p50, p99,
	       "-", "-", "-");
}

static int report(struct top *t)
{
	uint64_t t1 = rtslot_now_ns(), drops = t->p ? rtslot_probes_drops(t->p) : 0;
	double secs = (double)(t1 - t->t0) / 1e9;
	struct ctl_snap s;
	char when[32];
	time_t now = time(NULL);
	size_t i;
	int ret;

	if (secs <= 0)
		secs = 1e-9;
	/* Leases still held count up to now; the rest comes at their release. */
	for (i = 0; i < t->nt; i++)
		if (t->t[i].lease_from) {
			held(t, &t->t[i], t->t[i].lease_from, t1);
			t->t[i].lease_from = t1;
		}
	ret = ctl_snap_take(&s, t->p, t->c);
	if (ret) {
		ctl_err("top", "reading the probes' maps", ret);
		return ret;
	}
	if (!t->quiet) {
		strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
		printf("\nrtslotctl top - %s, %.2f s, %zu tasks%s", when, secs, s.ntasks,
		       drops ? "" : "\n");
		if (drops)
			printf(", %llu events lost\n", (unsigned long long)drops);
		printf("%3s %5s %7s %-16s %6s %8s %8s %8s %9s %9s %5s %5s %6s\n", "DEV", "TASK",
		       "PID", "NAME", "JOBS", "LAUNCHES", "GRANT/s", "LAUNCH/s", "P50(ms)",
		       "P99(ms)", "MISS", "OVR", "SHARE%");
		for (i = 0; i < t->nt; i++)
			row_task(t, &s, &t->t[i], secs);
		for (i = 0; i < s.nprocs; i++)
			if (!is_task_pid(&s, s.procs[i].pid) &&
			    (!t->po.pid || s.procs[i].pid == t->po.pid))
				row_proc(t, &s, &s.procs[i], secs);
		fflush(stdout);
	}
	if (t->prom) {
		ret = ctl_prom_write(t->prom, &s, drops);
		if (ret)
			ctl_err("top", t->prom, ret);
	}
	/* Next interval: tasks that left are gone from the table and maps. */
	for (i = 0; i < t->nt; i++) {
		const struct ctl_task *ct = ctl_snap_task(&s, t->t[i].key.dev, t->t[i].key.task);

		t->t[i].held = t->t[i].grants = t->t[i].jobs = 0;
		t->t[i].misses = t->t[i].overruns = 0;
		t->t[i].nresp = 0;
		if (ct && (ct->st.flags & RTSLOT_TS_LEFT) && !t->t[i].lease_from) {
			free(t->t[i].resp);
			t->t[i--] = t->t[--t->nt];
		}
	}
	if (t->p)
		rtslot_probes_forget_left(t->p);
	if (t->c)
		rtslot_cuda_forget_gone(t->c);
	ctl_snap_free(&t->prev);
	t->prev = s;
	t->t0 = t1;
	return ret;
}

/* Tasks that exist already get a row from the first report. */
static int add_known(void *ctx, const struct rtslot_task_key *k,
		     const struct rtslot_task_stats *st)
{
	struct top *t = ctx;
	struct top_task *tt = task_of(t, k->dev, k->task);

	if (tt && (st->flags & RTSLOT_TS_HOLDING))
		tt->lease_from = t->t0;
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct top t = { .po = { .dev = RTSLOT_BPF_ANY, .stream = true, .cuda_only_ok = true } };
	struct ctl_run r = { .cmd = "top" };
	int ret, wake, fin;
	size_t i;

	if (parse_args(argc, argv, &t, &r))
		return EXIT_USAGE;
	t.po.on_event = on_event;
	t.po.ctx = &t;
	if (ctl_probes_open("top", &t.po, &t.p, &t.c))
		return EXIT_FAIL;
	t.t0 = rtslot_now_ns();
	if (t.p)
		rtslot_probes_tasks(t.p, add_known, &t);
	if (t.c)
		ctl_snap_take(&t.prev, NULL, t.c);
	ret = ctl_run_start(&r, t.p ? "rtslot tasks" : "CUDA calls");
	while (!ret) {
		wake = ctl_run_wait(&r, t.p);
		if (wake < 0) {
			ret = wake;
			break;
		}
		ret = report(&t) ? -EIO : t.err;
		if (wake == CTL_END || (r.count && ++r.reports >= r.count))
			break;
	}
	fin = ctl_run_finish(&r);
	for (i = 0; i < t.nt; i++)
		free(t.t[i].resp);
	free(t.t);
	ctl_snap_free(&t.prev);
	ctl_probes_close(t.p, t.c);
	return ret ? EXIT_FAIL : fin;
}
