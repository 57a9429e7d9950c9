// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl work: the report printed after the jobs: one line per job, then
 * a summary of grant waits, late jobs and the kernel's own counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslotctl.h"
#include "work.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t pct(const uint64_t *v, uint64_t n, unsigned int p)
{
	uint64_t rank = (n * p + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static int late(const struct work_opts *o, const struct work_job *j)
{
	return o->deadline_ns && j->end > j->release + o->deadline_ns;
}

/* misses and overruns of our task from sysfs tasks (columns 10 and 11). */
static int kernel_counts(const struct rtslot_dev *d, unsigned long long *misses,
			 unsigned long long *overruns)
{
	char buf[8192], *line, *save = NULL;
	unsigned int id;
	int n = rtslot_sysfs_read(d->index, "tasks", buf, sizeof(buf));

	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%u %*d %*s %*d %*u %*u %*u %*u %*u %llu %llu", &id, misses,
			   overruns) == 3 && id == d->task_id)
			return 0;
	}
	return -1;
}

static void print_jobs(const struct work_opts *o, const struct work_job *jobs, uint64_t n)
{
	uint64_t k, t0 = n ? jobs[0].release : 0;

	printf("%6s %12s %10s %10s %10s %5s %5s %8s\n", "job", "release_us", "wait_us",
	       "lease_us", "held_us", "fits", "late", "revoked");
	for (k = 0; k < n; k++) {
		const struct work_job *j = &jobs[k];

		printf("%6llu %12.1f %10.1f %10.1f %10.1f %5s %5s %8s\n",
		       (unsigned long long)k, us(j->release - t0), us(j->wait_ns),
		       us(j->lease_ns), us(j->held_ns), j->fits ? "yes" : "no",
		       o->deadline_ns ? (late(o, j) ? "yes" : "no") : "-",
		       j->revoked ? "yes" : "no");
	}
}

void work_report(const struct rtslot_dev *d, const struct work_opts *o,
		 const struct work_job *jobs, uint64_t n)
{
	unsigned long long misses, overruns;
	uint64_t *w, k, nlate = 0, nrevoked = 0, nfit = 0;

	printf("task %u (%s): %llu of %llu jobs, est %llu us, hold %llu us", d->task_id,
	       o->name, (unsigned long long)n, (unsigned long long)o->jobs,
	       (unsigned long long)(o->est_ns / 1000), (unsigned long long)(o->hold_ns / 1000));
	if (o->runtime_ns)
		printf(", reservation %llu/%llu/%llu us",
		       (unsigned long long)(o->runtime_ns / 1000),
		       (unsigned long long)(o->deadline_ns / 1000),
		       (unsigned long long)(o->period_ns / 1000));
	else
		printf(", best effort");
	if (o->has_prio)
		printf(", prio %d", o->prio);
	printf("\n");
	if (!o->quiet)
		print_jobs(o, jobs, n);
	if (!n)
		return;

	w = malloc(n * sizeof(*w));
	for (k = 0; k < n; k++) {
		if (w)
			w[k] = jobs[k].wait_ns;
		nlate += late(o, &jobs[k]);
		nrevoked += jobs[k].revoked;
		nfit += jobs[k].fits;
	}
	if (w) {
		qsort(w, n, sizeof(*w), cmp_u64);
		printf("task %u: grant wait us: min %.1f p50 %.1f max %.1f\n", d->task_id,
		       us(w[0]), us(pct(w, n, 50)), us(w[n - 1]));
		free(w);
	}
	printf("task %u: late jobs %llu/%llu%s; hold fitted the lease %llu/%llu; "
	       "revoked %llu\n", d->task_id, (unsigned long long)nlate, (unsigned long long)n,
	       o->deadline_ns ? "" : " (no deadline)", (unsigned long long)nfit,
	       (unsigned long long)n, (unsigned long long)nrevoked);
	if (!kernel_counts(d, &misses, &overruns))
		printf("task %u: kernel counts: misses %llu overruns %llu\n", d->task_id,
		       misses, overruns);
	else
		printf("task %u: kernel counts: unavailable (sysfs tasks)\n", d->task_id);
	fflush(stdout);
}
