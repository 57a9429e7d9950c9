// SPDX-License-Identifier: GPL-2.0
/*
 * Events: a recorded event stands for the work its stream held when it was
 * recorded.  Timing events put a marker record in the stream, whose
 * completion instant the model writes to a shared slot; the cheap
 * (CU_EVENT_DISABLE_TIMING) ones only remember a sequence number.
 * Also cuStreamWaitEvent, including the fork and join of a capture.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fc.h"

#define FC_EVENT_FLAGS	(CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS)

void fc_event_free(struct fc_event *e)
{
	if (e->timing && !fc_dev_lock()) {
		fc_ev_free(fc.dev, e->slot, e->gen);
		fc_dev_unlock();
	}
	fc_reg_del(e);
	free(e);
}

CUresult CUDAAPI cuEventCreate(CUevent *ph, unsigned int flags)
{
	struct fc_event *e;
	struct fc_ctx *ctx;
	int err;

	if (!ph || flags & ~(unsigned int)FC_EVENT_FLAGS)
		return CUDA_ERROR_INVALID_VALUE;
	if (flags & CU_EVENT_INTERPROCESS && !(flags & CU_EVENT_DISABLE_TIMING))
		return CUDA_ERROR_INVALID_VALUE;
	err = fc_lock();
	if (err)
		return fc_result(err);
	err = fc_ctx_current(&ctx);
	if (err)
		goto out;
	e = fc_zalloc(sizeof(*e));
	if (!e) {
		err = -ENOMEM;
		goto out;
	}
	e->ctx = ctx;
	e->flags = flags;
	e->timing = !(flags & CU_EVENT_DISABLE_TIMING);
	if (e->timing) {
		err = fc_dev_lock();
		if (!err) {
			err = fc_ev_alloc(fc.dev, fc.slot, &e->slot, &e->gen);
			fc_dev_unlock();
		}
	}
	if (!err)
		err = fc_reg_add(e, FC_T_EVENT, ctx);
	if (err) {
		if (e->timing && !fc_dev_lock()) {
			fc_ev_free(fc.dev, e->slot, e->gen);
			fc_dev_unlock();
		}
		free(e);
		goto out;
	}
	*ph = (CUevent)e;
out:
	fc_unlock();
	return fc_result(err);
}

static int destroy(CUevent h)
{
	struct fc_event *e;
	int err = fc_lock();

	if (err)
		return err;
	e = fc_reg_get(h, FC_T_EVENT);
	if (e)
		fc_event_free(e);
	else
		err = -EBADF;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuEventDestroy(CUevent h)
{
	return fc_result(destroy(h));
}

CUresult CUDAAPI cuEventDestroy_v2(CUevent h)
{
	return fc_result(destroy(h));
}

/*
 * Recording into a capturing stream is legal, as in the driver: the event
 * then marks a point of the capture (fork and join use it), and querying
 * or synchronising it is what fails.
 */
static int record(CUevent h, CUstream hs, unsigned int flags, bool ptds_default)
{
	struct fc_stream *s;
	struct fc_event *e;
	struct fc_rec r = { .kind = FC_MARKER };
	uint64_t seq;
	int err;

	if (flags & ~(unsigned int)CU_EVENT_RECORD_EXTERNAL)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	e = fc_reg_get(h, FC_T_EVENT);
	err = e ? fc_stream_get(hs, ptds_default, &s) : -EBADF;
	if (!err)
		err = fc_capture_legacy(s);
	if (err)
		goto out;
	if (s->cap) {
		if (s->cap->invalid) {
			err = -FC_EINVALIDATED;
			goto out;
		}
		e->recorded = true;
		e->cap_id = s->cap->id;
		e->cap_stream = s;
		e->cap_nodes = s->cap_nodes;
		goto out;
	}
	if (flags & CU_EVENT_RECORD_EXTERNAL) {
		err = -EINVAL;
		goto out;
	}
	e->cap_id = 0;
	e->recorded = true;
	if (!e->timing) {
		e->seq = s->last;
		goto out;
	}
	err = fc_dev_lock();
	if (err)
		goto out;
	r.ev = e->slot;
	r.evgen = e->gen;
	snprintf(r.name, sizeof(r.name), "event");
	err = fc_stream_push(s, &r, &seq);
	fc_dev_unlock();
	if (!err)
		e->seq = seq;
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuEventRecord(CUevent h, CUstream s)
{
	return fc_result(record(h, s, 0, false));
}

CUresult CUDAAPI cuEventRecord_ptsz(CUevent h, CUstream s)
{
	return fc_result(record(h, s, 0, true));
}

CUresult CUDAAPI cuEventRecordWithFlags(CUevent h, CUstream s, unsigned int flags)
{
	return fc_result(record(h, s, flags, false));
}

CUresult CUDAAPI cuEventRecordWithFlags_ptsz(CUevent h, CUstream s, unsigned int flags)
{
	return fc_result(record(h, s, flags, true));
}

/* An event last recorded in a capture stands for no executable work. */
static int captured(struct fc_event *e)
{
	struct fc_capture *c;

	if (!e->cap_id)
		return 0;
	c = fc_capture_find(e->cap_id);
	if (c)
		fc_capture_invalidate(c);
	return -FC_ECAPTURED;
}

static int event_get(CUevent h, struct fc_event **out)
{
	struct fc_event *e = fc_reg_get(h, FC_T_EVENT);
	int err;

	if (!e)
		return -EBADF;
	err = captured(e);
	if (!err)
		err = fc_capture_unsafe();
	*out = e;
	return err;
}

CUresult CUDAAPI cuEventQuery(CUevent h)
{
	struct fc_event *e;
	int err = fc_lock();

	if (err)
		return fc_result(err);
	err = event_get(h, &e);
	if (!err && e->recorded && !fc_done(e->seq))
		err = -EAGAIN;
	fc_unlock();
	return fc_result(err);
}

CUresult CUDAAPI cuEventSynchronize(CUevent h)
{
	struct fc_event *e;
	uint64_t seq = 0;
	int err = fc_lock();

	if (err)
		return fc_result(err);
	err = event_get(h, &e);
	if (!err && e->recorded)
		seq = e->seq;
	fc_unlock();
	if (!err)
		err = fc_wait(seq);
	return fc_result(err);
}

static int timestamp(struct fc_event *e, uint64_t *ts)
{
	struct fc_evslot *v = &fc.dev->ev[e->slot];

	if (!e->recorded || e->cap_id)
		return -EBADF;
	if (v->gen != e->gen || v->seq != e->seq)
		return -EBADF;
	if (!v->done)
		return -EAGAIN;
	*ts = v->ts_ns;
	return 0;
}

static int elapsed(float *ms, CUevent hstart, CUevent hend)
{
	struct fc_event *a, *b;
	uint64_t ta = 0, tb = 0;
	int err;

	if (!ms)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	a = fc_reg_get(hstart, FC_T_EVENT);
	b = fc_reg_get(hend, FC_T_EVENT);
	if (!a || !b || !a->timing || !b->timing) {
		err = -EBADF;
		goto out;
	}
	err = fc_dev_lock();
	if (err)
		goto out;
	err = timestamp(a, &ta);
	if (!err)
		err = timestamp(b, &tb);
	fc_dev_unlock();
	if (!err)
		*ms = (float)((double)((int64_t)(tb - ta)) / 1e6);
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuEventElapsedTime(float *ms, CUevent start, CUevent end)
{
	return fc_result(elapsed(ms, start, end));
}

CUresult CUDAAPI cuEventElapsedTime_v2(float *ms, CUevent start, CUevent end)
{
	return fc_result(elapsed(ms, start, end));
}

/* A stream that waits on an event of a capture joins that capture (fork). */
static int wait_captured(struct fc_stream *s, struct fc_event *e)
{
	struct fc_capture *c = fc_capture_find(e->cap_id);
	struct fc_stream *src = e->cap_stream;

	if (!c)
		return -FC_ECAPTURED;
	if (!s->cap) {
		s->cap = c;
		s->forked = true;
		s->joined = true;
		s->cap_nodes = 0;
		s->ndeps = 0;
		return c->invalid ? -FC_EINVALIDATED : 0;
	}
	if (s->cap != c) {
		fc_capture_invalidate(c);
		fc_capture_invalidate(s->cap);
		return -FC_EISOLATION;
	}
	if (c->invalid)
		return -FC_EINVALIDATED;
	/* Join: nothing was captured on the source after the event. */
	if (fc_reg_get(src, FC_T_STREAM) && src->cap == c && src->cap_nodes == e->cap_nodes)
		src->joined = true;
	return 0;
}

static int wait_event(CUstream hs, CUevent h, unsigned int flags, bool ptds_default)
{
	struct fc_rec r = { .kind = FC_WAIT };
	struct fc_stream *s;
	struct fc_event *e;
	uint64_t seq;
	int err;

	if (flags & ~(unsigned int)CU_EVENT_WAIT_EXTERNAL)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	e = fc_reg_get(h, FC_T_EVENT);
	err = e ? fc_stream_get(hs, ptds_default, &s) : -EBADF;
	if (!err)
		err = fc_capture_legacy(s);
	if (err)
		goto out;
	if (e->cap_id) {
		err = wait_captured(s, e);
		goto out;
	}
	if (s->cap) {
		if (s->cap->invalid) {
			err = -FC_EINVALIDATED;
		} else if (!(flags & CU_EVENT_WAIT_EXTERNAL)) {
			/* Only in-stream order may cross the capture boundary. */
			fc_capture_invalidate(s->cap);
			err = -FC_EISOLATION;
		}
		goto out;
	}
	if (!e->recorded)
		goto out;
	err = fc_dev_lock();
	if (err)
		goto out;
	if (!fc_seq_done(fc.dev, e->seq)) {
		r.dep = e->seq;
		snprintf(r.name, sizeof(r.name), "wait");
		err = fc_stream_push(s, &r, &seq);
	}
	fc_dev_unlock();
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamWaitEvent(CUstream s, CUevent e, unsigned int flags)
{
	return fc_result(wait_event(s, e, flags, false));
}

CUresult CUDAAPI cuStreamWaitEvent_ptsz(CUstream s, CUevent e, unsigned int flags)
{
	return fc_result(wait_event(s, e, flags, true));
}
