// SPDX-License-Identifier: GPL-2.0
/*
 * Admission control per accelerator: the registered tasks as a task-set
 * model, checked by the policy's analysis (EDF demand bound, FP response
 * time, or the slot planner); then reservations and tables applied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/analysis.h"
#include "rtslot/planner.h"
#include "rtslotd.h"

#define NS	1000ULL

static uint64_t scaled(uint64_t us, uint32_t ppm)
{
	return (uint64_t)(((rs_u128)us * ppm + RSP_PPM - 1) / RSP_PPM);
}

static uint32_t scale_of(const struct rd_task *t, uint32_t v)
{
	return t->nvariants ? t->scale_ppm[v] : RSP_PPM;
}

uint64_t rd_task_wcet_us(const struct rd_task *t, uint32_t variant)
{
	return scaled(t->base_wcet_us, scale_of(t, variant));
}

/*
 * The longest kernel of the variant: given, else an even split of its
 * wcet, else (nothing known yet) the accelerator's unknown_kernel_us.  A
 * task is never left out of the analysis for want of a model: its
 * kernels block the admitted ones however little rtslotd knows of them,
 * and its leases are bounded by what the analysis charged.
 */
static uint64_t task_q_us(const struct rd_task *t, uint32_t v)
{
	uint64_t w = rd_task_wcet_us(t, v), q;

	if (t->base_q_us)
		q = scaled(t->base_q_us, scale_of(t, v));
	else if (w)
		q = (w + t->spec.kernels - 1) / t->spec.kernels;
	else
		q = t->dev->cfg->unknown_kernel_us;
	if (w && q > w)
		q = w;
	return q;
}

/*
 * A job of C whose kernels are at most q long has at least ceil(C / q) of
 * them: a task that gave max_kernel_us but no count (the CUDA shim, which
 * bounds what it queues but cannot count kernels ahead) is not one kernel
 * as long as its whole learned job.
 */
static uint32_t task_kernels(const struct rd_task *t, uint64_t w, uint64_t q)
{
	uint64_t n;

	if (t->spec.kernels > 1 || !t->base_q_us || !q || w <= q)
		return t->spec.kernels;
	n = (w + q - 1) / q;
	return n > RS_SPEC_MAX_KERNELS ? RS_SPEC_MAX_KERNELS : (uint32_t)n;
}

static int guaranteed(int policy)
{
	return policy == RSP_POLICY_FP || policy == RSP_POLICY_EDF || policy == RSP_POLICY_SLOT;
}

/*
 * One task as the analysis sees it: with a deadline when admitted, else
 * best effort whose kernels may still block the others.  0 when it has no
 * model at all (task_q_us() gives every task one).
 */
static int spec_fill(const struct rd_task *t, struct rs_task_spec *s)
{
	uint64_t q = task_q_us(t, t->variant);

	*s = t->spec;
	s->accel = 0;
	s->nvariants = 0;
	s->nkernels_us = 0;
	s->kernels_us = NULL;
	if (t->status == RSP_ST_ADMITTED) {
		s->wcet_us = rd_task_wcet_us(t, t->variant);
		s->max_kernel_us = q;
		s->kernels = task_kernels(t, s->wcet_us, q);
	} else {
		if (!q)
			return 0;
		s->criticality = RS_CRIT_BEST_EFFORT;
		s->deadline_us = 0;
		s->wcet_us = t->base_wcet_us ? rd_task_wcet_us(t, t->variant) : q;
		s->kernels = t->base_wcet_us ? task_kernels(t, s->wcet_us, q) : 1;
		s->max_kernel_us = q;
	}
	s->bcet_us = s->wcet_us;
	return 1;
}

struct model {
	struct rs_taskset ts;
	struct rs_accel_spec accel;
	uint8_t *in;
	struct rd_task **who;		/* the task of each model entry */
};

static int model_build(struct rd_dev *d, struct model *m)
{
	struct rd_list *pos;
	uint32_t n = 0;

	memset(m, 0, sizeof(*m));
	snprintf(m->accel.name, sizeof(m->accel.name), "%s", d->cfg->name);
	m->accel.preempt = d->cfg->preempt;
	m->accel.preempt_latency_us = d->cfg->preempt_latency_us;
	m->accel.switch_us = d->cfg->switch_us;
	m->ts.naccels = 1;
	m->ts.accels = &m->accel;
	m->ts.tasks = calloc(d->ntasks ? d->ntasks : 1, sizeof(*m->ts.tasks));
	m->in = calloc(d->ntasks ? d->ntasks : 1, 1);
	m->who = calloc(d->ntasks ? d->ntasks : 1, sizeof(*m->who));
	if (!m->ts.tasks || !m->in || !m->who) {
		free(m->ts.tasks);
		free(m->in);
		free(m->who);
		return -ENOMEM;
	}
	rd_list_for_each(pos, &d->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

		if (spec_fill(t, &m->ts.tasks[n])) {
			m->who[n] = t;
			m->in[n++] = 1;
		}
	}
	m->ts.ntasks = n;
	return 0;
}

static void model_free(struct model *m)
{
	free(m->ts.tasks);
	free(m->in);
	free(m->who);
}

/* 0: the device's tasks as they now stand pass the policy's test. */
static int check(struct rd_dev *d, char *why, size_t len)
{
	struct rs_plan *plan;
	struct model m;
	int bad = 1;

	if (!guaranteed(d->dd->cfg.policy))
		return 0;
	if (model_build(d, &m)) {
		snprintf(why, len, "out of memory");
		return 1;
	}
	switch (d->dd->cfg.policy) {
	case RSP_POLICY_EDF:
		bad = rs_edf_check(&m.ts, 0, m.in, why, len);
		break;
	case RSP_POLICY_FP:
		bad = rs_fp_check(&m.ts, 0, m.in, NULL, why, len);
		break;
	default:
		plan = malloc(sizeof(*plan));
		if (!plan) {
			snprintf(why, len, "out of memory");
			break;
		}
		bad = rs_plan_table(&m.ts, 0, m.in, plan, why, len) != 0;
		free(plan);
		break;
	}
	model_free(&m);
	return bad;
}

/* Variant indices, most accurate first (then cheapest). */
static uint32_t variant_order(const struct rd_task *t, uint32_t *order)
{
	uint32_t i, j, n = t->nvariants ? t->nvariants : 1;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			uint32_t a = order[j - 1], b = order[j];

			if (t->accuracy_ppm[a] > t->accuracy_ppm[b] ||
			    (t->accuracy_ppm[a] == t->accuracy_ppm[b] &&
			     t->scale_ppm[a] <= t->scale_ppm[b]))
				break;
			order[j - 1] = b;
			order[j] = a;
		}
	}
	return n;
}

/* Without a guarantee to keep, the most accurate variant (then the cheapest). */
static uint32_t best_variant(const struct rd_task *t)
{
	uint32_t order[RSP_MAX_VARIANTS];

	variant_order(t, order);
	return order[0];
}

/*
 * The most accurate variant of t that keeps the device's set passing its
 * test, others as they are: t->variant set, 0; else 1 and why (the
 * reason for the cheapest variant, the one closest to fitting).
 */
static int choose_variant(struct rd_dev *d, struct rd_task *t, char *why, size_t len)
{
	uint32_t order[RSP_MAX_VARIANTS], n = variant_order(t, order), i;
	char tmp[RD_REASON_LEN];

	for (i = 0; i < n; i++) {
		t->variant = order[i];
		if (!check(d, tmp, sizeof(tmp)))
			return 0;
	}
	if (t->nvariants > 1)
		snprintf(why, len, "%s (even with its fastest variant %s)", tmp,
			 t->spec.variants[order[n - 1]].name);
	else
		snprintf(why, len, "%s", tmp);
	return 1;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Priorities by rank into 1..99 (as the simulator does); best effort 0.
 * Every admitted task's priority must be in v: one left out would rank
 * past the last and get more than 99, which the device refuses.
 */
static int rank_priorities(struct rd_dev *d)
{
	int32_t *v = malloc((d->ntasks ? d->ntasks : 1) * sizeof(*v));
	uint32_t n = 0, uniq = 0, k;
	struct rd_list *pos;

	if (!v)
		return -ENOMEM;
	rd_list_for_each(pos, &d->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

		if (t->status == RSP_ST_ADMITTED)
			v[n++] = t->spec.priority;
	}
	qsort(v, n, sizeof(*v), cmp_i32);
	for (k = 0; k < n; k++)
		if (!k || v[k] != v[k - 1])
			v[uniq++] = v[k];
	rd_list_for_each(pos, &d->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

		t->prio = 0;
		if (t->status != RSP_ST_ADMITTED || d->dd->cfg.policy == RSP_POLICY_FIFO ||
		    d->dd->cfg.policy == RSP_POLICY_RR)
			continue;
		for (k = 0; k < uniq && v[k] != t->spec.priority; k++)
			;
		t->prio = uniq > 1 ? (int32_t)(1 + k * 98 / (uniq - 1)) : 50;
	}
	free(v);
	return 0;
}

/*
 * What the backend enforces for a task: an admitted one's reservation (its
 * worst case with a switch per kernel), and for every task the analysis
 * models, the bound of its leases, r[3]: the non-preemptible unit q that
 * the analysis charged the others as its blocking.  Without that bound a
 * best-effort lease would be as long as the shim asks for.
 */
static void reservation_of(const struct rd_dev *d, const struct rd_task *t, uint64_t *r)
{
	uint64_t q = task_q_us(t, t->variant);

	r[0] = r[1] = r[2] = r[3] = 0;
	if (guaranteed(d->dd->cfg.policy) && q)
		r[3] = q * NS;
	if (t->status != RSP_ST_ADMITTED)
		return;
	r[0] = (rd_task_wcet_us(t, t->variant) + t->spec.kernels * d->cfg->switch_us) * NS;
	r[1] = t->spec.deadline_us * NS;
	r[2] = t->spec.period_us * NS;
}

/*
 * Give the backend every changed reservation: shrinking ones first, so
 * that the device's sum never passes 100 % on the way.
 */
static int apply_reservations(struct rd_dev *d)
{
	struct rd_list *pos;
	int pass, err = 0;

	for (pass = 0; pass < 2; pass++) {
		rd_list_for_each(pos, &d->tasks) {
			struct rd_task *t = rd_container(pos, struct rd_task, dev_link);
			uint64_t r[4];
			int grows, e;

			reservation_of(d, t, r);
			if (r[0] == t->runtime_ns && r[1] == t->deadline_ns && r[2] == t->period_ns &&
			    r[3] == t->lease_max_ns && t->prio == t->applied_prio)
				continue;
			grows = r[2] && (!t->period_ns ||
				(rs_u128)r[0] * t->period_ns >
				(rs_u128)t->runtime_ns * r[2]);
			if (grows != pass)
				continue;
			e = d->be->set_reservation(d, t, r[0], r[1], r[2], t->prio, r[3]);
			if (e) {
				rd_log(d->dd, RD_ERR, "%s: reservation of %s refused: %s",
				       d->cfg->name, t->spec.name, strerror(-e));
				err = err ?: e;
				continue;
			}
			t->runtime_ns = r[0];
			t->deadline_ns = r[1];
			t->period_ns = r[2];
			t->lease_max_ns = r[3];
			t->applied_prio = t->prio;
		}
	}
	return err;
}

/* The slot policy's table for the admitted tasks, installed or staged. */
static int apply_plan(struct rd_dev *d)
{
	struct rs_plan *plan = malloc(sizeof(*plan));
	char why[RD_REASON_LEN];
	struct model m;
	uint32_t i;
	int err;

	err = plan ? model_build(d, &m) : -ENOMEM;
	if (err)
		goto out;
	err = rs_plan_table(&m.ts, 0, m.in, plan, why, sizeof(why));
	if (err) {
		rd_log(d->dd, RD_ERR, "%s: cannot plan the admitted tasks: %s", d->cfg->name, why);
		model_free(&m);
		goto out;
	}
	memset(&d->plan, 0, sizeof(d->plan));
	d->plan.nslots = plan->nslots;
	for (i = 0; i < plan->nslots; i++)
		d->plan.slot[i] = (struct rs_slot){
			.start = plan->slot[i].start_us * NS,
			.len = plan->slot[i].len_us * NS,
			.owner = m.who[plan->slot[i].task]->devid,
		};
	model_free(&m);
	d->plan_frame_ns = plan->frame_us * NS;
	if (!plan->nslots || d->plan_frame_ns == d->frame_ns) {
		d->plan_pending = 0;
		err = d->be->set_table(d, &d->plan);
	} else {
		/* The frame can change only with no table: clear, then retry at boundaries. */
		static const struct rs_table none;

		err = d->be->set_table(d, &none);
		d->plan_pending = 1;
		rd_admit_poll(d);
	}
out:
	free(plan);
	return err;
}

static void bump_advice(struct rd_dev *d)
{
	struct rd_list *pos;

	rd_list_for_each(pos, &d->tasks)
		rd_container(pos, struct rd_task, dev_link)->advice_gen++;
}

static int apply(struct rd_dev *d)
{
	int err = rank_priorities(d);

	if (err)
		return err;
	err = apply_reservations(d);
	if (d->dd->cfg.policy == RSP_POLICY_SLOT) {
		err = apply_plan(d) ?: err;
		bump_advice(d);		/* the table, and so the phase, may move */
	}
	return err;
}

void rd_admit_poll(struct rd_dev *d)
{
	int err;

	if (!d->plan_pending)
		return;
	err = d->be->set_frame(d, d->plan_frame_ns);
	if (err == -EBUSY)
		return;		/* the old table runs until its frame ends */
	d->plan_pending = 0;
	if (!err) {
		d->frame_ns = d->plan_frame_ns;
		err = d->be->set_table(d, &d->plan);
	}
	if (err)
		rd_log(d->dd, RD_ERR, "%s: cannot install the planned table: %s",
		       d->cfg->name, strerror(-err));
	bump_advice(d);
}

int rd_admit(struct rd_dev *d, struct rd_task *t, char *why, size_t len)
{
	int policy = d->dd->cfg.policy;

	t->reason[0] = '\0';
	t->variant = 0;
	if (!guaranteed(policy)) {
		t->status = RSP_ST_BEST_EFFORT;
		t->variant = best_variant(t);
		snprintf(t->reason, sizeof(t->reason), "policy %s guarantees no deadline",
			 rd_policy_name(policy));
	} else if (t->spec.criticality == RS_CRIT_BEST_EFFORT || !t->base_wcet_us) {
		t->status = t->base_wcet_us ? RSP_ST_BEST_EFFORT : RSP_ST_LEARNING;
		t->variant = best_variant(t);
		if (!t->base_wcet_us)
			snprintf(t->reason, sizeof(t->reason),
				 "best effort until its execution time is learned");
		/* Its kernels may block the admitted tasks (not in slot: slack only). */
		if (check(d, why, len))
			return 1;
	} else {
		t->status = RSP_ST_ADMITTED;
		if (choose_variant(d, t, why, len))
			return 1;
	}
	t->advice_gen++;
	return apply(d) ? -EIO : 0;
}

void rd_admit_remove(struct rd_dev *d)
{
	apply(d);
}

void rd_admit_update(struct rd_dev *d, struct rd_task *t)
{
	uint32_t status = t->status, variant = t->variant;
	char why[RD_REASON_LEN];

	if (t->status == RSP_ST_LEARNING) {
		/* Learned: from now on what the policy makes of it. */
		t->status = RSP_ST_BEST_EFFORT;
		if (guaranteed(d->dd->cfg.policy))
			t->reason[0] = '\0';
	}
	if (guaranteed(d->dd->cfg.policy) && t->spec.criticality != RS_CRIT_BEST_EFFORT) {
		t->status = RSP_ST_ADMITTED;
		if (choose_variant(d, t, why, sizeof(why))) {
			/* It no longer fits: it keeps running, without a guarantee. */
			t->status = RSP_ST_BEST_EFFORT;
			t->variant = best_variant(t);
			snprintf(t->reason, sizeof(t->reason), "learned %llu us: %.150s",
				 (unsigned long long)rd_task_wcet_us(t, t->variant), why);
		} else {
			t->reason[0] = '\0';
		}
	}
	if (t->status != status || t->variant != variant)
		rd_log(d->dd, RD_INFO, "%s: %s now %s with variant %u (%s)", d->cfg->name,
		       t->spec.name, t->status == RSP_ST_ADMITTED ? "admitted" : "best effort",
		       t->variant, t->reason);
	t->advice_gen++;
	apply(d);
}
