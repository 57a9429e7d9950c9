// SPDX-License-Identifier: GPL-2.0
/*
 * Registered tasks: registration checks and admission, job reports that
 * feed the learning, advice, and freeing (unregister or client gone).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtslotd.h"

struct rd_task *rd_task_find(struct rd_client *c, uint32_t id)
{
	struct rd_list *pos;

	rd_list_for_each(pos, &c->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, client_link);

		if (t->id == id)
			return t;
	}
	return NULL;
}

static struct rd_task *find_name(struct rd_dev *d, const char *name)
{
	struct rd_list *pos;

	rd_list_for_each(pos, &d->tasks) {
		struct rd_task *t = rd_container(pos, struct rd_task, dev_link);

		if (!strcmp(t->spec.name, name))
			return t;
	}
	return NULL;
}

static int reject(union rsp_msg *reply, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int reject(union rsp_msg *reply, int err, const char *fmt, ...)
{
	va_list ap;

	memset(&reply->rejected, 0, sizeof(reply->rejected));
	rsp_init(&reply->hdr, RSP_REJECTED, 0);
	reply->rejected.err = err;
	va_start(ap, fmt);
	vsnprintf(reply->rejected.reason, sizeof(reply->rejected.reason), fmt, ap);
	va_end(ap);
	return 0;
}

/* Parameters that no admission test could make sense of. */
static int check_params(struct rd_client *c, const struct rsp_register *r,
			union rsp_msg *reply)
{
	uint64_t d = r->deadline_us ? r->deadline_us : r->period_us;
	uint32_t i, uid_tasks;

	if (!r->name[0])
		return reject(reply, -EINVAL, "the task needs a name"), 1;
	if (!r->period_us || r->period_us > RD_TIME_MAX_US)
		return reject(reply, -EINVAL, "%s: period_us must lie in 1..%llu", r->name,
			      RD_TIME_MAX_US), 1;
	if (d > r->period_us)
		return reject(reply, -EINVAL,
			      "%s: deadline_us %llu is longer than period_us %llu", r->name,
			      (unsigned long long)d, (unsigned long long)r->period_us), 1;
	if (r->criticality != RSP_CRIT_BEST_EFFORT && r->jitter_us >= d)
		return reject(reply, -EINVAL, "%s: jitter_us must be less than the deadline",
			      r->name), 1;
	if (r->kernels > RS_SPEC_MAX_KERNELS)
		return reject(reply, -EINVAL, "%s: kernels must lie in 1..%d", r->name,
			      RS_SPEC_MAX_KERNELS), 1;
	if (r->wcet_us > RD_TIME_MAX_US || r->max_kernel_us > RD_TIME_MAX_US ||
	    r->offset_us > RD_TIME_MAX_US)
		return reject(reply, -EINVAL, "%s: times must not exceed %llu us", r->name,
			      RD_TIME_MAX_US), 1;
	if (r->priority < -1000000 || r->priority > 1000000)
		return reject(reply, -EINVAL, "%s: priority must lie in -1000000..1000000",
			      r->name), 1;
	for (i = 0; i < r->nvariants; i++)
		if (!r->variant[i].name[0])
			return reject(reply, -EINVAL, "%s: variant %u needs a name", r->name, i), 1;
	if (c->ntasks >= c->dd->cfg.max_tasks)
		return reject(reply, -EMFILE, "%s: a client may register %u tasks", r->name,
			      c->dd->cfg.max_tasks), 1;
	rd_uid_clients(c->dd, c->uid, &uid_tasks);
	if (c->uid && uid_tasks >= c->dd->cfg.max_tasks_per_uid)
		return reject(reply, -EMFILE, "%s: uid %u may register %u tasks", r->name,
			      (unsigned int)c->uid, c->dd->cfg.max_tasks_per_uid), 1;
	return 0;
}

static void fill_model(struct rd_task *t, const struct rsp_register *r)
{
	struct rs_task_spec *s = &t->spec;
	uint32_t i;

	snprintf(s->name, sizeof(s->name), "%s", r->name);
	s->period_us = r->period_us;
	s->criticality = (int)r->criticality;
	s->deadline_us = r->criticality == RSP_CRIT_BEST_EFFORT && !r->deadline_us ? 0 :
			 r->deadline_us ? r->deadline_us : r->period_us;
	s->offset_us = r->offset_us % r->period_us;
	s->jitter_us = r->jitter_us;
	s->kernels = r->kernels ? r->kernels : 1;
	s->priority = r->priority;
	t->base_wcet_us = r->wcet_us;
	t->base_q_us = r->max_kernel_us;
	t->nvariants = r->nvariants;
	s->nvariants = r->nvariants;
	for (i = 0; i < r->nvariants; i++) {
		snprintf(s->variants[i].name, sizeof(s->variants[i].name), "%s",
			 r->variant[i].name);
		s->variants[i].scale = (double)r->variant[i].scale_ppm / RSP_PPM;
		s->variants[i].accuracy = (double)r->variant[i].accuracy_ppm / RSP_PPM;
		t->scale_ppm[i] = r->variant[i].scale_ppm;
		t->accuracy_ppm[i] = r->variant[i].accuracy_ppm;
	}
}

static void accepted(const struct rd_task *t, union rsp_msg *reply)
{
	struct rsp_accepted *a = &reply->accepted;

	memset(a, 0, sizeof(*a));
	rsp_init(&a->hdr, RSP_ACCEPTED, 0);
	a->task_id = t->id;
	a->status = t->status;
	a->variant = t->variant;
	a->dev_task_id = t->devid;
	a->runtime_ns = t->runtime_ns;
	a->deadline_ns = t->deadline_ns;
	a->period_ns = t->period_ns;
	a->wcet_us = rd_task_wcet_us(t, t->variant);
	a->epoch_ns = t->dev->be->epoch(t->dev);
	a->frame_ns = t->dev->frame_ns;
	snprintf(a->reason, sizeof(a->reason), "%s", t->reason);
}

static void unlink_task(struct rd_task *t)
{
	rd_list_del(&t->dev_link);
	rd_list_del(&t->client_link);
	t->dev->ntasks--;
	t->client->ntasks--;
	rd_learn_free(&t->learn);
	free(t);
}

int rd_task_register(struct rd_client *c, const struct rsp_register *r, int *fd,
		     union rsp_msg *reply, int *fd_out)
{
	struct rd_daemon *dd = c->dd;
	char why[RD_REASON_LEN] = "";
	const char *unprivileged;
	struct rd_task *t;
	struct rd_dev *d;
	int err;

	*fd_out = -1;
	/* Events of the device task from before it was ours are not the task's. */
	rd_telemetry_drain(dd);
	if (check_params(c, r, reply))
		goto rejected;
	d = rd_dev_find(dd, r->accel);
	if (!d) {
		reject(reply, -ENODEV, "%s: no accelerator is named \"%s\"", r->name, r->accel);
		goto rejected;
	}
	if (find_name(d, r->name)) {
		reject(reply, -EEXIST, "%s: a task of that name is registered on %s", r->name,
		       d->cfg->name);
		goto rejected;
	}
	t = calloc(1, sizeof(*t));
	if (!t || rd_learn_init(&t->learn, dd->cfg.learn.window)) {
		free(t);
		return -ENOMEM;
	}
	t->dev = d;
	t->client = c;
	t->memfd = -1;
	t->devfd = -1;
	t->applied_prio = -1;
	t->devid = r->dev_task_id;
	fill_model(t, r);
	unprivileged = c->privileged ? NULL : rd_privilege_needed(&dd->cfg, r);
	if (unprivileged)
		t->spec.criticality = RS_CRIT_BEST_EFFORT;
	err = d->be->task_attach(d, t, *fd, why, sizeof(why));
	if (!err && *fd >= 0)
		*fd = -1;	/* the task owns it now */
	if (err) {
		rd_learn_free(&t->learn);
		free(t);
		reject(reply, err, "%s: %s", r->name, why);
		goto rejected;
	}
	t->id = ++dd->next_task_id;
	rd_list_add_tail(&t->dev_link, &d->tasks);
	rd_list_add_tail(&t->client_link, &c->tasks);
	d->ntasks++;
	c->ntasks++;

	err = rd_admit(d, t, why, sizeof(why));
	if (err) {
		d->be->task_detach(d, t);
		unlink_task(t);
		if (err < 0) {
			/* The others were given ranks, reservations and a table with t in. */
			rd_admit_remove(d);
			reject(reply, err, "%s: the device refused the plan: %s", r->name,
			       strerror(-err));
		} else {
			reject(reply, -ENOSPC, "%s: %s", r->name, why);
		}
		goto rejected;
	}
	if (unprivileged && !t->reason[0])
		snprintf(t->reason, sizeof(t->reason), "best effort: %s", unprivileged);
	accepted(t, reply);
	*fd_out = d->be->task_fd(t);
	dd->st.registrations++;
	rd_log(dd, RD_INFO, "%s: client %u registered %s (id %u, %s)", d->cfg->name, c->id,
	       t->spec.name, t->id, t->status == RSP_ST_ADMITTED ? "admitted" :
	       t->status == RSP_ST_LEARNING ? "learning" : "best effort");
	return 0;
rejected:
	dd->st.rejections++;
	rd_log(dd, RD_INFO, "client %u: registration rejected: %s", c->id,
	       reply->rejected.reason);
	return 0;
}

void rd_task_free(struct rd_task *t, int cleanup)
{
	struct rd_dev *d = t->dev;
	struct rd_daemon *dd = d->dd;

	rd_log(dd, RD_INFO, "%s: %s %s (id %u, %llu missed deadlines)", d->cfg->name,
	       cleanup ? "cleaned up" : "unregistered", t->spec.name, t->id,
	       (unsigned long long)t->job_misses);
	if (cleanup)
		dd->st.cleanups++;
	else
		dd->st.unregistrations++;
	d->be->task_detach(d, t);
	unlink_task(t);
	rd_admit_remove(d);
}

void rd_task_advice(const struct rd_task *t, struct rsp_advice *a)
{
	memset(a, 0, sizeof(*a));
	rsp_init(&a->hdr, RSP_ADVICE, 0);
	a->task_id = t->id;
	a->status = t->status;
	a->variant = t->variant;
	a->generation = t->advice_gen;
	a->wcet_us = rd_task_wcet_us(t, t->variant);
	a->epoch_ns = t->dev->be->epoch(t->dev);
	a->frame_ns = t->dev->frame_ns;
	snprintf(a->reason, sizeof(a->reason), "%s", t->reason);
}

void rd_task_job_begin(struct rd_task *t, const struct rsp_job_begin *b)
{
	t->job_release_ns = b->release_ns ? b->release_ns : rd_now();
}

int rd_task_job_end(struct rd_task *t, const struct rsp_job_end *e)
{
	struct rd_daemon *dd = t->dev->dd;
	uint32_t nv = t->nvariants ? t->nvariants : 1;
	uint64_t end = e->end_ns ? e->end_ns : rd_now(), est, dur;
	rs_u128 ns;

	if (e->variant >= nv)
		return -EINVAL;
	dd->st.jobs++;
	/* With telemetry the module's own misses are counted instead (telemetry.c). */
	if (!t->dev->telemetry && t->job_release_ns && t->spec.deadline_us &&
	    end > t->job_release_ns + t->spec.deadline_us * 1000ULL) {
		dd->st.job_misses++;
		t->job_misses++;
	}
	t->job_release_ns = 0;
	dur = rd_telemetry_job_time(t, e->duration_ns);
	if (!dur)
		return 0;

	/*
	 * Kept at variant scale 1, so that every variant's time follows from
	 * it; saturated, as a fast variant's report scaled up may pass 2^64
	 * and must not wrap round to a short one.
	 */
	ns = (rs_u128)dur * RSP_PPM /
	     (t->nvariants ? t->scale_ppm[e->variant] : RSP_PPM);
	rd_learn_add(&t->learn, ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns);
	est = rd_learn_estimate_us(&t->learn, &dd->cfg.learn);
	if (!est || (t->status != RSP_ST_LEARNING &&
		     !rd_learn_drifted(t->base_wcet_us, est, &dd->cfg.learn)))
		return 0;
	rd_log(dd, RD_INFO, "%s: %s execution time %llu us -> %llu us (learned)",
	       t->dev->cfg->name, t->spec.name, (unsigned long long)t->base_wcet_us,
	       (unsigned long long)est);
	t->base_wcet_us = est;
	dd->st.replans++;
	rd_admit_update(t->dev, t);
	return 0;
}
