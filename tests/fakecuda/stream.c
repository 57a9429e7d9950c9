// SPDX-License-Identifier: GPL-2.0
/*
 * Streams: created ones, each context's legacy stream and each thread's
 * per-thread default stream (three distinct streams here, as in the real
 * driver), handle resolution for the legacy and _ptsz entry points, query
 * and synchronize.
 */
#include <stdlib.h>

#include "fc.h"

#define FC_PTDS_CACHE	4

/* Per-thread streams of this thread, by context; serial guards reuse. */
static __thread struct {
	struct fc_ctx *ctx;
	struct fc_stream *s;
	uint64_t serial;
} ptds[FC_PTDS_CACHE];

static pthread_key_t ptds_key;
static pthread_once_t ptds_once = PTHREAD_ONCE_INIT;

void fc_stream_init(struct fc_stream *s, struct fc_ctx *ctx, enum fc_stream_kind kind)
{
	*s = (struct fc_stream){ .ctx = ctx, .kind = kind, .serial = ++fc.next_serial };
}

uint64_t fc_stream_handle(const struct fc_stream *s)
{
	if (s->kind == FC_S_LEGACY)
		return (uintptr_t)CU_STREAM_LEGACY;
	if (s->kind == FC_S_PTDS)
		return (uintptr_t)CU_STREAM_PER_THREAD;
	return (uintptr_t)s;
}

static void unlink_stream(struct fc_stream *s)
{
	struct fc_stream **pp;

	for (pp = &s->ctx->streams; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
}

void fc_stream_free(struct fc_stream *s)
{
	fc_capture_drop_stream(s);
	unlink_stream(s);
	fc_reg_del(s);
	free(s);
}

static struct fc_stream *stream_new(struct fc_ctx *ctx, enum fc_stream_kind kind)
{
	struct fc_stream *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	fc_stream_init(s, ctx, kind);
	if (fc_reg_add(s, FC_T_STREAM, ctx)) {
		free(s);
		return NULL;
	}
	/* After the legacy stream, which heads the list. */
	s->next = ctx->legacy.next;
	ctx->legacy.next = s;
	return s;
}

/* A thread's per-thread streams go when it exits; queued work stays queued. */
static void ptds_exit(void *unused)
{
	int i;

	pthread_mutex_lock(&fc.lock);
	for (i = 0; i < FC_PTDS_CACHE; i++) {
		struct fc_stream *s = ptds[i].s;

		if (s && fc_reg_get(s, FC_T_STREAM) && s->serial == ptds[i].serial)
			fc_stream_free(s);
		ptds[i].s = NULL;
	}
	pthread_mutex_unlock(&fc.lock);
}

static void ptds_key_init(void)
{
	pthread_key_create(&ptds_key, ptds_exit);
}

static int per_thread(struct fc_ctx *ctx, struct fc_stream **out)
{
	struct fc_stream *s;
	int i, free_i = -1;

	for (i = 0; i < FC_PTDS_CACHE; i++) {
		s = ptds[i].s;
		if (s && fc_reg_get(s, FC_T_STREAM) && s->serial == ptds[i].serial) {
			if (ptds[i].ctx == ctx) {
				*out = s;
				return 0;
			}
		} else if (free_i < 0) {
			free_i = i;
		}
	}
	if (free_i < 0)
		return -ENOMEM;
	pthread_once(&ptds_once, ptds_key_init);
	s = stream_new(ctx, FC_S_PTDS);
	if (!s)
		return -ENOMEM;
	ptds[free_i].ctx = ctx;
	ptds[free_i].s = s;
	ptds[free_i].serial = s->serial;
	pthread_setspecific(ptds_key, s);
	*out = s;
	return 0;
}

/*
 * With fc.lock held.  NULL means the legacy stream to the plain entry
 * points and the per-thread stream to the _ptsz/_ptds ones.
 */
int fc_stream_get(CUstream h, bool ptds_default, struct fc_stream **out)
{
	struct fc_ctx *ctx;
	struct fc_stream *s;
	int err;

	if (h && h != CU_STREAM_LEGACY && h != CU_STREAM_PER_THREAD) {
		s = fc_reg_get(h, FC_T_STREAM);
		if (!s || s->kind != FC_S_USER)
			return -EBADF;
		if (!s->ctx->active)
			return -FC_ENOCTX;
		*out = s;
		return 0;
	}
	err = fc_ctx_current(&ctx);
	if (err)
		return err;
	if (h == CU_STREAM_PER_THREAD || (!h && ptds_default))
		return per_thread(ctx, out);
	*out = &ctx->legacy;
	return 0;
}

/* With the device locked: the record joins the end of the stream. */
int fc_stream_push(struct fc_stream *s, struct fc_rec *r, uint64_t *seq)
{
	int err;

	r->prev = s->last;
	r->stream = fc_stream_handle(s);
	r->proc = fc.slot;
	r->ctx = s->ctx->id;
	err = fc_enqueue(r, seq);
	if (!err)
		s->last = *seq;
	return err;
}

/* With fc.lock held, dropped while waiting. */
int fc_stream_wait_idle(struct fc_stream *s)
{
	uint64_t seq = s->last;
	int err;

	fc_unlock();
	err = fc_wait(seq);
	pthread_mutex_lock(&fc.lock);
	return err;
}

static int stream_create(CUstream *ph, unsigned int flags, int prio)
{
	struct fc_ctx *ctx;
	struct fc_stream *s;
	int err;

	if (!ph || flags & ~(unsigned int)CU_STREAM_NON_BLOCKING)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	err = fc_ctx_current(&ctx);
	if (!err) {
		s = stream_new(ctx, FC_S_USER);
		if (s) {
			s->flags = flags;
			s->prio = prio < -5 ? -5 : prio > 0 ? 0 : prio;
			*ph = (CUstream)s;
		} else {
			err = -ENOMEM;
		}
	}
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamCreate(CUstream *ph, unsigned int flags)
{
	return fc_result(stream_create(ph, flags, 0));
}

CUresult CUDAAPI cuStreamCreateWithPriority(CUstream *ph, unsigned int flags, int priority)
{
	return fc_result(stream_create(ph, flags, priority));
}

/* As in the driver, destroying returns at once and queued work still runs. */
static int stream_destroy(CUstream h)
{
	struct fc_stream *s;
	int err = fc_lock();

	if (err)
		return err;
	s = fc_reg_get(h, FC_T_STREAM);
	if (s && s->kind == FC_S_USER)
		fc_stream_free(s);
	else
		err = -EBADF;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamDestroy(CUstream h)
{
	return fc_result(stream_destroy(h));
}

CUresult CUDAAPI cuStreamDestroy_v2(CUstream h)
{
	return fc_result(stream_destroy(h));
}

/* Querying or synchronising a capturing stream ends its capture's validity. */
static int sync_checks(struct fc_stream *s)
{
	int err = fc_capture_legacy(s);

	if (err)
		return err;
	if (s->cap) {
		fc_capture_invalidate(s->cap);
		return -FC_ECAPTURE;
	}
	return fc_capture_unsafe();
}

static int stream_query(CUstream h, bool ptds_default)
{
	struct fc_stream *s;
	int err = fc_lock();

	if (err)
		return err;
	err = fc_stream_get(h, ptds_default, &s);
	if (!err)
		err = sync_checks(s);
	if (!err && !fc_done(s->last))
		err = -EAGAIN;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamQuery(CUstream h)
{
	return fc_result(stream_query(h, false));
}

CUresult CUDAAPI cuStreamQuery_ptsz(CUstream h)
{
	return fc_result(stream_query(h, true));
}

static int stream_sync(CUstream h, bool ptds_default)
{
	struct fc_stream *s;
	int err = fc_lock();

	if (err)
		return err;
	err = fc_stream_get(h, ptds_default, &s);
	if (!err)
		err = sync_checks(s);
	if (!err)
		err = fc_stream_wait_idle(s);
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamSynchronize(CUstream h)
{
	return fc_result(stream_sync(h, false));
}

CUresult CUDAAPI cuStreamSynchronize_ptsz(CUstream h)
{
	return fc_result(stream_sync(h, true));
}
