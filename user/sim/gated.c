// SPDX-License-Identifier: GPL-2.0
/*
 * fp, edf and slot in the simulator: every kernel goes through the slot
 * core exactly as the shim's gate does live (fast path inside the lease,
 * renew at a boundary or when asked to yield, release when out of work).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "rtslot/planner.h"
#include "sim_internal.h"

#define NS	1000ULL

struct gated {
	struct rs_dev d;
	struct rs_table tab;
	struct rs_plan plan;
};

static struct sim_task *task_of(struct rs_task *c)
{
	return (struct sim_task *)((char *)c - offsetof(struct sim_task, core));
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* Task priorities by rank into 1..99; best effort below them all at 0. */
static void rank_priorities(struct sim *s)
{
	int32_t *v = calloc(s->n ? s->n : 1, sizeof(*v));
	uint32_t i, k, n = 0, uniq = 0;

	if (!v)
		return;
	for (i = 0; i < s->n; i++)
		if (s->t[i].spec->criticality != RS_CRIT_BEST_EFFORT)
			v[n++] = s->t[i].spec->priority;
	qsort(v, n, sizeof(*v), cmp_i32);
	for (i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			v[uniq++] = v[i];
	for (i = 0; i < s->n; i++) {
		struct sim_task *t = &s->t[i];

		t->prio = 0;
		if (t->spec->criticality == RS_CRIT_BEST_EFFORT)
			continue;
		for (k = 0; k < uniq && v[k] != t->spec->priority; k++)
			;
		t->prio = uniq > 1 ? (int32_t)(1 + k * 98 / (uniq - 1)) : 50;
	}
	free(v);
}

static int load_plan(struct sim *s, struct gated *g, char *why, size_t len)
{
	char reason[160];
	uint32_t i, k;
	int err;

	err = rs_plan_table(s->ts, s->accel, NULL, &g->plan, reason, sizeof(reason));
	if (err) {
		snprintf(why, len, "slot: cannot plan %s: %s", s->ts->accels[s->accel].name,
			 reason);
		return err;
	}
	err = rs_config_set(&g->d, RS_PARAM_FRAME, g->plan.frame_us * NS, 0);
	if (err) {
		snprintf(why, len, "slot: frame of %llu us refused",
			 (unsigned long long)g->plan.frame_us);
		return err;
	}
	g->tab.nslots = g->plan.nslots;
	for (i = 0; i < g->plan.nslots; i++) {
		const struct rs_plan_slot *p = &g->plan.slot[i];

		for (k = 0; k < s->n && s->t[k].idx != p->task; k++)
			;
		g->tab.slot[i] = (struct rs_slot){
			.start = p->start_us * NS, .len = p->len_us * NS,
			.owner = s->t[k].core.id,
		};
	}
	err = rs_set_table(&g->d, &g->tab, 0);
	if (err)
		snprintf(why, len, "slot: the core refused the planned table (%d)", err);
	return err;
}

static int gated_init(struct sim *s, char *why, size_t len)
{
	const struct rs_accel_spec *a = &s->ts->accels[s->accel];
	struct gated *g = calloc(1, sizeof(*g));
	static const int core_policy[] = {
		[RS_SIM_FP] = RS_POLICY_FP,
		[RS_SIM_EDF] = RS_POLICY_EDF,
		[RS_SIM_SLOT] = RS_POLICY_TABLE,
	};
	uint32_t i;

	if (!g)
		return -ENOMEM;
	s->ps = g;
	rs_dev_init(&g->d, NULL);
	/* Holders here never overrun: they launch only what fits. */
	rs_config_set(&g->d, RS_PARAM_OVERRUN_ACTION, RS_OVERRUN_LOG, 0);
	rs_config_set(&g->d, RS_PARAM_POLICY, core_policy[s->o->policy], 0);
	rs_config_set(&g->d, RS_PARAM_PREEMPT_MODE, a->preempt, 0);
	if (rs_config_set(&g->d, RS_PARAM_PREEMPT_LATENCY, a->preempt_latency_us * NS, 0) ||
	    rs_config_set(&g->d, RS_PARAM_SWITCH, a->switch_us * NS, 0)) {
		snprintf(why, len, "%s: preemption latency or switch cost out of range", a->name);
		return -EINVAL;
	}
	rank_priorities(s);
	for (i = 0; i < s->n; i++) {
		struct sim_task *t = &s->t[i];
		const struct rs_task_spec *sp = t->spec;
		uint64_t c = sp->wcet_us + (uint64_t)sp->kernels * a->switch_us;

		rs_task_attach(&g->d, &t->core, 0);
		/*
		 * A reservation at the worst case is what rtslotd would ask for;
		 * one the core refuses (over 100 %) leaves the task best effort.
		 */
		if (sp->criticality == RS_CRIT_BEST_EFFORT || !sp->deadline_us ||
		    rs_set_reservation(&g->d, &t->core, c * NS, sp->deadline_us * NS,
				       sp->period_us * NS, t->prio, 0))
			rs_set_reservation(&g->d, &t->core, 0, 0, 0, t->prio, 0);
	}
	return s->o->policy == RS_SIM_SLOT ? load_plan(s, g, why, len) : 0;
}

/* Every task with a kernel ready and no lease asks for one. */
static void gated_ready(struct sim *s)
{
	struct gated *g = s->ps;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		struct sim_task *t = &s->t[i];
		uint64_t k;

		if (t->core.state != RS_TASK_IDLE)
			continue;
		k = sim_next_kernel(s, (int)i);
		if (k)
			rs_request(&g->d, &t->core, k * NS, s->now * NS);
	}
}

static int gated_pick(struct sim *s)
{
	struct gated *g = s->ps;

	if (!g->d.holder)
		return -1;
	return (int)(task_of(g->d.holder) - s->t);
}

static void gated_done(struct sim *s, int i)
{
	struct gated *g = s->ps;
	struct rs_task *h = &s->t[i].core;
	uint64_t k = sim_next_kernel(s, i), now = s->now * NS;

	if (h->state != RS_TASK_HOLDING)
		return;
	if (!k) {
		rs_release(&g->d, h, 0, now, NULL);
		return;
	}
	/* The shim's fast path: no system call while the next kernel fits. */
	if (!h->yield && now + k * NS + rs_guard(&g->d) <= h->lease_end)
		return;
	rs_renew(&g->d, h, k * NS, now);
}

static uint64_t gated_next_event(struct sim *s)
{
	struct gated *g = s->ps;
	uint64_t ns = rs_next_event(&g->d, s->now * NS);

	return ns == RS_TIME_MAX ? UINT64_MAX : (ns + NS - 1) / NS;
}

static void gated_timer(struct sim *s)
{
	struct gated *g = s->ps;

	rs_tick(&g->d, s->now * NS);
}

static void gated_fini(struct sim *s)
{
	free(s->ps);
	s->ps = NULL;
}

const struct sim_policy sim_gated = {
	.init = gated_init,
	.ready = gated_ready,
	.pick = gated_pick,
	.done = gated_done,
	.next_event = gated_next_event,
	.timer = gated_timer,
	.fini = gated_fini,
};
