// SPDX-License-Identifier: GPL-2.0
/*
 * Slot-table planner: lay out one frame (the hyperperiod) by running EDF
 * offline over worst-case kernels, and keep the frame once it repeats.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/planner.h"

#define PLAN_MAX_FRAMES	4

struct plan_task {
	int idx;
	uint64_t t, d, offset, sw;
	uint32_t nk;
	uint64_t *k;		/* kernels of a worst-case job */
};

struct plan_job {
	int task;
	uint64_t release, deadline;
	uint32_t next;		/* next kernel */
};

struct run {
	int task;
	uint64_t start, end;
};

struct runs {
	struct run *v;
	size_t n, cap;
};

static int push_run(struct runs *r, int task, uint64_t start, uint64_t end)
{
	if (r->n && r->v[r->n - 1].task == task && r->v[r->n - 1].end == start) {
		r->v[r->n - 1].end = end;
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct run *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct run){ task, start, end };
	return 0;
}

/* The runs of [from, to) moved to frame offsets, split at the edges. */
static size_t frame_runs(const struct runs *r, uint64_t from, uint64_t to,
			 struct run *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++) {
		uint64_t s = r->v[i].start, e = r->v[i].end;

		if (e <= from || s >= to)
			continue;
		if (n == max)
			return max + 1;
		out[n].task = r->v[i].task;
		out[n].start = (s < from ? from : s) - from;
		out[n].end = (e > to ? to : e) - from;
		n++;
	}
	return n;
}

static int same_runs(const struct run *a, size_t na, const struct run *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i].task != b[i].task || a[i].start != b[i].start || a[i].end != b[i].end)
			return 0;
	return 1;
}

/* Offline EDF at kernel boundaries over nframes frames. */
static int schedule(const struct rs_taskset *ts, struct plan_task *pt, uint32_t n,
		    uint64_t frame, struct runs *r, char *why, size_t len)
{
	uint64_t horizon = frame * PLAN_MAX_FRAMES, now = 0;
	struct plan_job *jobs = NULL;
	size_t njobs = 0, cap = 0, i, done = 0;
	int last = -1, err = 0;
	uint32_t j;

	for (j = 0; j < n; j++) {
		uint64_t a;

		for (a = pt[j].offset % pt[j].t; a < horizon; a += pt[j].t) {
			if (njobs == cap) {
				struct plan_job *v;

				cap = cap ? 2 * cap : 256;
				v = realloc(jobs, cap * sizeof(*v));
				if (!v) {
					free(jobs);
					return -ENOMEM;
				}
				jobs = v;
			}
			jobs[njobs++] = (struct plan_job){ (int)j, a, a + pt[j].d, 0 };
		}
	}

	while (done < njobs && !err) {
		struct plan_job *best = NULL;
		uint64_t next_release = UINT64_MAX, end;
		struct plan_task *t;

		for (i = 0; i < njobs; i++) {
			struct plan_job *jb = &jobs[i];

			if (jb->next == pt[jb->task].nk)
				continue;
			if (jb->release > now) {
				if (jb->release < next_release)
					next_release = jb->release;
				continue;
			}
			if (!best || jb->deadline < best->deadline ||
			    (jb->deadline == best->deadline && jb->release < best->release))
				best = jb;
		}
		if (!best) {
			/*
			 * Best-effort or early work may run in the gap: the next
			 * slot pays for a switch whoever ran last.
			 */
			now = next_release;
			last = -2;
			continue;
		}
		t = &pt[best->task];
		end = now + t->k[best->next] + (last != -1 && last != best->task ? t->sw : 0);
		err = push_run(r, best->task, now, end);
		now = end;
		last = best->task;
		if (++best->next < t->nk)
			continue;
		done++;
		if (now > best->deadline && best->deadline <= horizon) {
			snprintf(why, len, "%s would finish a job %llu us late even in the plan",
				 ts->tasks[t->idx].name,
				 (unsigned long long)(now - best->deadline));
			err = -EDEADLK;
		}
	}
	free(jobs);
	return err;
}

static int collect(const struct rs_taskset *ts, int accel, const uint8_t *in,
		   struct plan_task **out,
		   uint32_t *n, uint64_t *frame, char *why, size_t len)
{
	struct plan_task *pt = calloc(ts->ntasks ? ts->ntasks : 1, sizeof(*pt));
	uint64_t f = 1;
	uint32_t i;

	*n = 0;
	if (!pt)
		return -ENOMEM;
	for (i = 0; i < ts->ntasks; i++) {
		const struct rs_task_spec *s = &ts->tasks[i];
		struct plan_task *p = &pt[*n];
		uint32_t k;

		if (s->accel != accel || s->criticality == RS_CRIT_BEST_EFFORT ||
		    !s->deadline_us || (in && !in[i]))
			continue;
		p->idx = (int)i;
		p->t = s->period_us;
		p->d = s->deadline_us;
		p->offset = s->offset_us;
		p->sw = ts->accels[accel].switch_us;
		p->k = calloc(s->kernels, sizeof(*p->k));
		if (!p->k) {
			*out = pt;
			return -ENOMEM;
		}
		p->nk = rs_job_kernels(s, s->wcet_us, p->k, s->kernels);
		/* A kernel of zero length is no kernel. */
		for (k = 0; k < p->nk && p->k[k]; k++)
			;
		p->nk = k;
		(*n)++;
		f = rs_lcm_capped(f, p->t, RS_FRAME_MAX_NS / 1000);
		if (f == UINT64_MAX) {
			snprintf(why, len, "the hyperperiod exceeds the %llu us a frame may last",
				 RS_FRAME_MAX_NS / 1000);
			*out = pt;
			return -E2BIG;
		}
	}
	*out = pt;
	/* A frame shorter than a device allows repeats the hyperperiod. */
	if (f < RS_FRAME_MIN_NS / 1000)
		f *= (RS_FRAME_MIN_NS / 1000 + f - 1) / f;
	*frame = f;
	return 0;
}

static int to_plan(const struct plan_task *pt, const struct run *fr, size_t nfr,
		   uint64_t frame, struct rs_plan *plan, char *why, size_t len)
{
	size_t i;

	if (nfr > RS_MAX_SLOTS) {
		snprintf(why, len, "the plan needs more than the %d slots a device holds",
			 RS_MAX_SLOTS);
		return -E2BIG;
	}
	memset(plan, 0, sizeof(*plan));
	plan->frame_us = frame;
	plan->nslots = (uint32_t)nfr;
	for (i = 0; i < nfr; i++) {
		plan->slot[i].start_us = fr[i].start;
		plan->slot[i].len_us = fr[i].end - fr[i].start;
		plan->slot[i].task = pt[fr[i].task].idx;
	}
	return 0;
}

int rs_plan_table(const struct rs_taskset *ts, int accel, const uint8_t *in,
		  struct rs_plan *plan, char *why, size_t len)
{
	struct run prev[RS_MAX_SLOTS + 1], cur[RS_MAX_SLOTS + 1];
	struct runs r = { 0 };
	struct plan_task *pt = NULL;
	uint64_t frame = 0;
	size_t nprev, ncur;
	uint32_t n = 0, i, m;
	int err;

	snprintf(why, len, "out of memory");
	err = collect(ts, accel, in, &pt, &n, &frame, why, len);
	if (!err && !n) {
		memset(plan, 0, sizeof(*plan));
		plan->frame_us = RS_FRAME_MIN_NS / 1000;
		goto out;
	}
	if (!err)
		err = schedule(ts, pt, n, frame, &r, why, len);
	if (err)
		goto out;

	/* Keep the first frame that repeats its predecessor exactly. */
	err = -EDEADLK;
	snprintf(why, len, "the schedule does not settle into a repeating frame");
	nprev = frame_runs(&r, 0, frame, prev, RS_MAX_SLOTS);
	for (m = 1; m < PLAN_MAX_FRAMES; m++) {
		ncur = frame_runs(&r, m * frame, (m + 1) * frame, cur, RS_MAX_SLOTS);
		if (ncur <= RS_MAX_SLOTS && same_runs(prev, nprev, cur, ncur)) {
			err = to_plan(pt, cur, ncur, frame, plan, why, len);
			break;
		}
		if (ncur > RS_MAX_SLOTS && nprev > RS_MAX_SLOTS) {
			err = to_plan(pt, cur, ncur, frame, plan, why, len);
			break;
		}
		memcpy(prev, cur, sizeof(cur));
		nprev = ncur;
	}
out:
	for (i = 0; i < n; i++)
		free(pt[i].k);
	free(pt);
	free(r.v);
	return err;
}
