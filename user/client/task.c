// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-client tasks: register (mapping the lease page the user
 * backend passes, or creating the task on /dev/rtslotN for kmod), job
 * reports, advice and unregister.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static int to_ppm(double x, uint32_t *out)
{
	if (!(x >= 0) || x > 16.0)
		return -EINVAL;
	*out = (uint32_t)llround(x * RSP_PPM);
	return 0;
}

static int build_register(const struct rtslotc_params *p, struct rsp_register *r)
{
	uint32_t i;
	int err;

	memset(r, 0, sizeof(*r));
	rsp_init(&r->hdr, RSP_REGISTER, 0);
	err = rsp_set_name(r->name, sizeof(r->name), p->name);
	err = err ?: rsp_set_name(r->accel, sizeof(r->accel), p->accel);
	if (err)
		return err;
	if (p->nvariants > RSP_MAX_VARIANTS)
		return -EINVAL;
	r->period_us = p->period_us;
	r->deadline_us = p->deadline_us;
	r->offset_us = p->offset_us;
	r->jitter_us = p->jitter_us;
	r->wcet_us = p->wcet_us;
	r->max_kernel_us = p->max_kernel_us;
	r->kernels = p->kernels;
	r->priority = p->priority;
	r->criticality = p->criticality;
	r->nvariants = p->nvariants;
	for (i = 0; i < p->nvariants; i++) {
		const struct rtslotc_variant *v = &p->variant[i];

		err = rsp_set_name(r->variant[i].name, RSP_NAME_LEN, v->name);
		err = err ?: to_ppm(v->scale, &r->variant[i].scale_ppm);
		err = err ?: to_ppm(v->accuracy, &r->variant[i].accuracy_ppm);
		if (err)
			return err;
	}
	return 0;
}

static void from_accepted(const struct rsp_accepted *a, struct rtslotc_advice *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->status = a->status;
	adv->variant = a->variant;
	adv->wcet_us = a->wcet_us;
	adv->epoch_ns = a->epoch_ns;
	adv->frame_ns = a->frame_ns;
	memcpy(adv->reason, a->reason, sizeof(adv->reason));
}

static void from_advice(const struct rsp_advice *a, struct rtslotc_advice *adv)
{
	memset(adv, 0, sizeof(*adv));
	adv->status = a->status;
	adv->variant = a->variant;
	adv->generation = a->generation;
	adv->wcet_us = a->wcet_us;
	adv->epoch_ns = a->epoch_ns;
	adv->frame_ns = a->frame_ns;
	memcpy(adv->reason, a->reason, sizeof(adv->reason));
}

/* kmod: the task is created on the device first, and its file goes to rtslotd. */
static int kmod_prepare(struct rtslotc *c, struct rtslotc_task *t, struct rsp_register *r)
{
	const struct rsp_welcome *w = &c->welcome;
	uint32_t i;
	int err;

	for (i = 0; i < w->naccels; i++)
		if (!r->accel[0] || !strncmp(w->accel[i].name, r->accel, RSP_NAME_LEN))
			break;
	if (i == w->naccels || w->accel[i].dev_index < 0)
		return -ENODEV;
	err = rtslot_open(&t->dev, (unsigned int)w->accel[i].dev_index);
	err = err ?: rtslot_task_create(&t->dev, r->name);
	err = err ?: rtslot_lease_map(&t->dev);
	if (err)
		return err;
	r->dev_task_id = t->dev.task_id;
	return 0;
}

int rtslotc_register(struct rtslotc *c, const struct rtslotc_params *p,
		     struct rtslotc_task **out, struct rtslotc_advice *adv,
		     char *reason, size_t len)
{
	struct rtslotc_task *t = calloc(1, sizeof(*t));
	union rsp_msg req, rep;
	int err, kmod = c->welcome.backend == RSP_BACKEND_KMOD, fd = -1;
	long psz = sysconf(_SC_PAGESIZE);
	void *page;

	if (reason && len)
		reason[0] = '\0';
	memset(&rep, 0, sizeof(rep));
	if (!t)
		return -ENOMEM;
	t->c = c;
	t->dev.fd = -1;
	err = build_register(p, &req.reg);
	if (!err && kmod)
		err = kmod_prepare(c, t, &req.reg);
	if (err)
		goto fail;
	err = rtslotc_call(c, &req, kmod ? t->dev.fd : -1, RSP_ACCEPTED, &rep, &fd);
	if (err) {
		if (reason && len && rep.hdr.type == RSP_REJECTED)
			snprintf(reason, len, "%s", rep.rejected.reason);
		else if (reason && len && rep.hdr.type == RSP_ERROR)
			snprintf(reason, len, "%s", rep.error.text);
		goto fail;
	}
	t->id = rep.accepted.task_id;
	t->devid = rep.accepted.dev_task_id;
	t->period_ns = p->period_us * 1000ULL;
	t->offset_ns = (p->offset_us % (p->period_us ? p->period_us : 1)) * 1000ULL;
	if (kmod) {
		t->page = t->dev.page;
		t->page_len = t->dev.page_len;
	} else {
		/* The daemon's memfd, sealed: a read-only mapping is all we can have. */
		page = fd >= 0 ? mmap(NULL, (size_t)psz, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
		err = page == MAP_FAILED ? (fd >= 0 ? -errno : -EPROTO) : 0;
		if (fd >= 0)
			close(fd);
		fd = -1;
		if (err) {
			rtslotc_unregister(t);
			return err;
		}
		t->page = page;
		t->page_len = (size_t)psz;
	}
	if (fd >= 0)
		close(fd);
	if (adv)
		from_accepted(&rep.accepted, adv);
	*out = t;
	return 0;
fail:
	rtslot_close(&t->dev);
	free(t);
	return err;
}

void rtslotc_task_drop(struct rtslotc_task *t)
{
	if (!t)
		return;
	if (t->dev.fd >= 0)
		rtslot_close(&t->dev);
	else if (t->page)
		munmap((void *)t->page, t->page_len);
	free(t);
}

int rtslotc_unregister(struct rtslotc_task *t)
{
	union rsp_msg req, rep;
	int err;

	memset(&req, 0, sizeof(req));
	rsp_init(&req.hdr, RSP_UNREGISTER, 0);
	req.ref.task_id = t->id;
	err = rtslotc_call(t->c, &req, -1, RSP_OK, &rep, NULL);
	rtslotc_task_drop(t);
	return err;
}

uint32_t rtslotc_task_id(const struct rtslotc_task *t)
{
	return t->id;
}

const struct rtslot_lease_page *rtslotc_page(const struct rtslotc_task *t)
{
	return t->page;
}

int rtslotc_job_begin(struct rtslotc_task *t, uint64_t release_ns, struct rtslotc_advice *adv)
{
	union rsp_msg req, rep;
	int err;

	memset(&req, 0, sizeof(req));
	rsp_init(&req.hdr, RSP_JOB_BEGIN, 0);
	req.begin.task_id = t->id;
	req.begin.release_ns = release_ns;
	err = rtslotc_call(t->c, &req, -1, RSP_ADVICE, &rep, NULL);
	if (!err && adv)
		from_advice(&rep.advice, adv);
	return err;
}

int rtslotc_job_end(struct rtslotc_task *t, uint32_t variant, uint64_t duration_ns,
		    struct rtslotc_advice *adv)
{
	union rsp_msg req, rep;
	int err;

	memset(&req, 0, sizeof(req));
	rsp_init(&req.hdr, RSP_JOB_END, 0);
	req.end.task_id = t->id;
	req.end.variant = variant;
	req.end.duration_ns = duration_ns;
	err = rtslotc_call(t->c, &req, -1, RSP_ADVICE, &rep, NULL);
	if (!err && adv)
		from_advice(&rep.advice, adv);
	return err;
}

uint64_t rtslotc_next_release(const struct rtslotc_task *t, const struct rtslotc_advice *adv,
			      uint64_t now_ns)
{
	uint64_t base;

	if (!adv->epoch_ns || !t->period_ns)
		return now_ns;
	base = adv->epoch_ns + t->offset_ns;
	if (now_ns <= base)
		return base;
	return base + (now_ns - base + t->period_ns - 1) / t->period_ns * t->period_ns;
}
