// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl lat/top: a sorted copy of the probes' maps (tasks, processes,
 * histograms) at one moment, so that a report reads one consistent picture
 * and an interval's numbers are the difference of two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe_snap.h"

#define GROW(arr, n, cap)						\
	({								\
		int __ok = 1;						\
		if ((n) == (cap)) {					\
			size_t __c = (cap) * 2 + 16;			\
			void *__p = realloc((arr), __c * sizeof(*(arr)));	\
			if (__p) {					\
				(arr) = __p;				\
				(cap) = __c;				\
			} else {					\
				__ok = 0;				\
			}						\
		}							\
		__ok;							\
	})

struct snap_fill {
	struct ctl_snap *s;
	size_t cap;
};

static int add_task(void *ctx, const struct rtslot_task_key *k,
		    const struct rtslot_task_stats *st)
{
	struct snap_fill *f = ctx;
	struct ctl_snap *s = f->s;

	if (!GROW(s->tasks, s->ntasks, f->cap))
		return -ENOMEM;
	s->tasks[s->ntasks].key = *k;
	s->tasks[s->ntasks++].st = *st;
	return 0;
}

static int add_proc(void *ctx, int pid, const struct rtslot_cuda_stats *st)
{
	struct snap_fill *f = ctx;
	struct ctl_snap *s = f->s;

	if (!GROW(s->procs, s->nprocs, f->cap))
		return -ENOMEM;
	s->procs[s->nprocs].pid = pid;
	s->procs[s->nprocs++].st = *st;
	return 0;
}

static int add_hist(void *ctx, const struct rtslot_hist_key *k, const struct rtslot_hist *h)
{
	struct snap_fill *f = ctx;
	struct ctl_snap *s = f->s;

	if (!GROW(s->hists, s->nhists, f->cap))
		return -ENOMEM;
	s->hists[s->nhists].key = *k;
	s->hists[s->nhists++].h = *h;
	return 0;
}

static int task_cmp(const void *a, const void *b)
{
	const struct rtslot_task_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->task < y->task ? -1 : x->task > y->task;
}

static int proc_cmp(const void *a, const void *b)
{
	const struct ctl_proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int hist_cmp(const void *a, const void *b)
{
	const struct rtslot_hist_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->task != y->task)
		return x->task < y->task ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

int ctl_snap_take(struct ctl_snap *s, struct rtslot_probes *p, struct rtslot_cuda *c)
{
	struct snap_fill f = { .s = s };
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (p) {
		ret = rtslot_probes_tasks(p, add_task, &f);
		f.cap = 0;
		if (ret >= 0)
			ret = rtslot_probes_hists(p, add_hist, &f);
	}
	if (c && ret >= 0) {
		f.cap = 0;
		ret = rtslot_cuda_procs(c, add_proc, &f);
		/* Appending to the same array: its capacity is the count. */
		f.cap = s->nhists;
		if (ret >= 0)
			ret = rtslot_cuda_hists(c, add_hist, &f);
	}
	if (ret < 0) {
		ctl_snap_free(s);
		return ret;
	}
	qsort(s->tasks, s->ntasks, sizeof(*s->tasks), task_cmp);
	qsort(s->procs, s->nprocs, sizeof(*s->procs), proc_cmp);
	qsort(s->hists, s->nhists, sizeof(*s->hists), hist_cmp);
	return 0;
}

void ctl_snap_free(struct ctl_snap *s)
{
	free(s->tasks);
	free(s->procs);
	free(s->hists);
	memset(s, 0, sizeof(*s));
}

const struct ctl_task *ctl_snap_task(const struct ctl_snap *s, uint32_t dev, uint32_t task)
{
	struct rtslot_task_key k = { .dev = dev, .task = task };

	if (!s->ntasks)
		return NULL;
	return bsearch(&k, s->tasks, s->ntasks, sizeof(*s->tasks), task_cmp);
}

const struct ctl_proc *ctl_snap_proc(const struct ctl_snap *s, int pid)
{
	struct ctl_proc k = { .pid = pid };

	if (!s->nprocs)
		return NULL;
	return bsearch(&k, s->procs, s->nprocs, sizeof(*s->procs), proc_cmp);
}

const struct rtslot_hist *ctl_snap_hist(const struct ctl_snap *s, uint32_t kind,
					uint32_t dev, uint32_t task, uint32_t pid)
{
	size_t i;

	/* The run-queue key's pid is the task's process, which may change. */
	for (i = 0; i < s->nhists; i++) {
		const struct rtslot_hist_key *k = &s->hists[i].key;

		if (k->kind == kind && k->dev == dev && k->task == task &&
		    (pid == CTL_ANY_PID || k->pid == pid))
			return &s->hists[i].h;
	}
	return NULL;
}
