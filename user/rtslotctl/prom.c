// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl top --prom: the probes' counters and histograms in the
 * Prometheus text exposition format, written as a node-exporter textfile
 * (to a temporary name, then renamed, so a scrape never reads half).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rtslotctl.h"
#include "prom.h"

static void label_value(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fputc('\\', f);
		if (s[i] == '\n')
			fputs("\\n", f);
		else
			fputc(s[i], f);
	}
}

static void task_labels(FILE *f, const struct ctl_task *t)
{
	fprintf(f, "dev=\"%u\",task=\"%u\",name=\"", t->key.dev, t->key.task);
	label_value(f, t->st.name, sizeof(t->st.name));
	fprintf(f, "\",pid=\"%d\"", t->st.pid);
}

static void proc_labels(FILE *f, const struct ctl_proc *p)
{
	fprintf(f, "pid=\"%d\",comm=\"", p->pid);
	label_value(f, p->st.comm, sizeof(p->st.comm));
	fputc('"', f);
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const struct task_counter {
	const char *name, *help;
	size_t off;
	bool seconds;
} task_counters[] = {
	{ "rtslot_task_requests_total", "Lease requests.",
	  offsetof(struct rtslot_task_stats, requests), false },
	{ "rtslot_task_grants_total", "Leases granted.",
	  offsetof(struct rtslot_task_stats, grants), false },
	{ "rtslot_task_releases_total", "Leases released: jobs done.",
	  offsetof(struct rtslot_task_stats, releases), false },
	{ "rtslot_task_cancels_total", "Requests given up (timeout or signal).",
	  offsetof(struct rtslot_task_stats, cancels), false },
	{ "rtslot_task_deadline_misses_total", "Jobs that missed their deadline.",
	  offsetof(struct rtslot_task_stats, misses), false },
	{ "rtslot_task_overruns_total", "Leases held past their end plus the grace.",
	  offsetof(struct rtslot_task_stats, overruns), false },
	{ "rtslot_task_revokes_total", "Leases taken back after an overrun.",
	  offsetof(struct rtslot_task_stats, revokes), false },
	{ "rtslot_task_wait_seconds_total", "Time spent waiting for grants.",
	  offsetof(struct rtslot_task_stats, wait_ns), true },
	{ "rtslot_task_held_seconds_total", "Time holding the accelerator's lease.",
	  offsetof(struct rtslot_task_stats, held_ns), true },
	{ "rtslot_task_actual_seconds_total", "Accelerator time the task reported using.",
	  offsetof(struct rtslot_task_stats, actual_ns), true },
};

static const struct {
	uint32_t kind;
	const char *name, *help;
} hist_metrics[] = {
	{ RTSLOT_HIST_WAIT, "rtslot_task_wait_seconds", "Lease request to grant." },
	{ RTSLOT_HIST_HOLD, "rtslot_task_hold_seconds", "Lease grant to release." },
	{ RTSLOT_HIST_RESP, "rtslot_task_response_seconds", "Job request to release." },
	{ RTSLOT_HIST_SLACK, "rtslot_task_deadline_slack_seconds",
	  "Release to deadline, of jobs that met it." },
	{ RTSLOT_HIST_RUNQ, "rtslot_task_runqueue_delay_seconds",
	  "Wakeup to running, of the task's threads." },
	{ RTSLOT_HIST_SYNC, "rtslot_process_cuda_sync_interval_seconds",
	  "One CUDA sync's return to the next (observe-only mode)." },
	{ RTSLOT_HIST_SYNCWAIT, "rtslot_process_cuda_sync_wait_seconds",
	  "Time inside a CUDA sync (observe-only mode)." },
};

/* Bucket k is [2^k, 2^(k+1)) ns: its le is the exclusive upper bound. */
static void hist_series(FILE *f, const char *name, const struct rtslot_hist *h,
			void (*labels)(FILE *, const void *), const void *who)
{
	uint64_t cum = 0;
	int k;

	for (k = 0; k < RTSLOT_HIST_SLOTS; k++) {
		cum += h->slot[k];
		fprintf(f, "%s_bucket{", name);
		labels(f, who);
		fprintf(f, ",le=\"%.9g\"} %llu\n", (double)(1ULL << (k + 1)) / 1e9,
			(unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{", name);
	labels(f, who);
	fprintf(f, ",le=\"+Inf\"} %llu\n%s_sum{", (unsigned long long)cum, name);
	labels(f, who);
	fprintf(f, "} %.9f\n%s_count{", (double)h->sum_ns / 1e9, name);
	labels(f, who);
	fprintf(f, "} %llu\n", (unsigned long long)cum);
}

static void task_labels_v(FILE *f, const void *t)
{
	task_labels(f, t);
}

static void proc_labels_v(FILE *f, const void *p)
{
	proc_labels(f, p);
}

static void write_hists(FILE *f, const struct ctl_snap *s)
{
	const struct rtslot_hist *h;
	size_t i, j;
	uint32_t kind;

	for (i = 0; i < sizeof(hist_metrics) / sizeof(hist_metrics[0]); i++) {
		kind = hist_metrics[i].kind;
		header(f, hist_metrics[i].name, "histogram", hist_metrics[i].help);
		if (kind < RTSLOT_HIST_SYNC) {
			for (j = 0; j < s->ntasks; j++) {
				h = ctl_snap_hist(s, kind, s->tasks[j].key.dev, s->tasks[j].key.task,
						  CTL_ANY_PID);
				if (h)
					hist_series(f, hist_metrics[i].name, h, task_labels_v,
						    &s->tasks[j]);
			}
			continue;
		}
		for (j = 0; j < s->nprocs; j++) {
			h = ctl_snap_hist(s, kind, 0, 0, (uint32_t)s->procs[j].pid);
			if (h)
				hist_series(f, hist_metrics[i].name, h, proc_labels_v, &s->procs[j]);
		}
	}
}

static void write_all(FILE *f, const struct ctl_snap *s, uint64_t drops)
{
	const struct task_counter *c;
	uint64_t v;
	size_t i, j;
	uint32_t fn;

	for (i = 0; i < sizeof(task_counters) / sizeof(task_counters[0]); i++) {
		c = &task_counters[i];
		header(f, c->name, "counter", c->help);
		for (j = 0; j < s->ntasks; j++) {
			memcpy(&v, (const char *)&s->tasks[j].st + c->off, sizeof(v));
			fprintf(f, "%s{", c->name);
			task_labels(f, &s->tasks[j]);
			if (c->seconds)
				fprintf(f, "} %.9f\n", (double)v / 1e9);
			else
				fprintf(f, "} %llu\n", (unsigned long long)v);
		}
	}
	header(f, "rtslot_process_cuda_calls_total", "counter",
	       "Calls of a libcuda entry point (observe-only mode).");
	for (j = 0; j < s->nprocs; j++)
		for (fn = 0; fn < RTSLOT_CU_NFNS; fn++) {
			fprintf(f, "rtslot_process_cuda_calls_total{");
			proc_labels(f, &s->procs[j]);
			fprintf(f, ",fn=\"%s\"} %llu\n", rtslot_cuda_fn_name(fn),
				(unsigned long long)s->procs[j].st.calls[fn]);
		}
	write_hists(f, s);
	header(f, "rtslot_probe_events_lost_total", "counter",
	       "Events the probes' ring buffer had no room for.");
	fprintf(f, "rtslot_probe_events_lost_total %llu\n", (unsigned long long)drops);
}

int ctl_prom_write(const char *path, const struct ctl_snap *s, uint64_t drops)
{
	char tmp[4096];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	write_all(f, s, drops);
	if (fclose(f)) {
		remove(tmp);
		return -EIO;
	}
	return rename(tmp, path) ? -errno : 0;
}
