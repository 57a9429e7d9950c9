// SPDX-License-Identifier: GPL-2.0
/*
 * Stream capture, as strict as the driver: work on a capturing stream is
 * recorded, not run; querying or synchronising it, querying an event
 * recorded in it, touching the legacy stream while a blocking stream
 * captures, or calling a potentially unsafe API against the capture mode
 * of the thread all fail and invalidate the capture, so that
 * cuStreamEndCapture then fails too.
 */
#include <stdlib.h>

#include "fc.h"

/* The thread's capture interaction mode; zero is CU_STREAM_CAPTURE_MODE_GLOBAL. */
static __thread CUstreamCaptureMode tmode;

void fc_capture_atfork_child(void)
{
	tmode = CU_STREAM_CAPTURE_MODE_GLOBAL;
}

struct fc_capture *fc_capture_find(uint64_t id)
{
	struct fc_capture *c;

	for (c = fc.captures; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

void fc_capture_invalidate(struct fc_capture *c)
{
	c->invalid = true;
}

/*
 * The rule of cuThreadExchangeStreamCaptureMode: a thread is barred from
 * potentially unsafe calls (synchronous ones, allocation) while it has a
 * capture of its own not begun relaxed, or, in global mode, while any
 * thread has a global-mode capture.
 */
int fc_capture_unsafe(void)
{
	pthread_t self = pthread_self();
	struct fc_capture *c;
	int err = 0;

	if (tmode == CU_STREAM_CAPTURE_MODE_RELAXED)
		return 0;
	for (c = fc.captures; c; c = c->next) {
		if (c->mode == CU_STREAM_CAPTURE_MODE_RELAXED)
			continue;
		if (pthread_equal(c->thread, self) ||
		    (tmode == CU_STREAM_CAPTURE_MODE_GLOBAL &&
		     c->mode == CU_STREAM_CAPTURE_MODE_GLOBAL)) {
			c->invalid = true;
			err = -FC_ECAPTURE;
		}
	}
	return err;
}

/* The legacy stream waits for every blocking stream: a capturing one makes it unusable. */
static int legacy_blocked(struct fc_stream *s, bool invalidate)
{
	struct fc_stream *t;
	int err = 0;

	if (s->kind != FC_S_LEGACY)
		return 0;
	for (t = s->ctx->streams; t; t = t->next) {
		if (t->cap && !(t->flags & CU_STREAM_NON_BLOCKING)) {
			if (invalidate)
				t->cap->invalid = true;
			err = -FC_EIMPLICIT;
		}
	}
	return err;
}

int fc_capture_legacy(struct fc_stream *s)
{
	return legacy_blocked(s, true);
}

bool fc_capture_busy(struct fc_ctx *ctx)
{
	struct fc_stream *t;
	bool busy = false;

	for (t = ctx->streams; t; t = t->next) {
		if (t->cap) {
			t->cap->invalid = true;
			busy = true;
		}
	}
	return busy;
}

int fc_capture_node(struct fc_stream *s, const struct fc_node *n)
{
	struct fc_node *gn;
	int err;

	if (s->cap->invalid)
		return -FC_EINVALIDATED;
	err = fc_graph_add(s->cap->graph, n, &gn);
	if (err)
		return err;
	s->cap_nodes++;
	s->joined = false;
	s->cap_dep[0] = (CUgraphNode)gn;
	s->ndeps = 1;
	return 0;
}

struct end_walk {
	struct fc_capture *c;
	bool unjoined;
};

static void leave(void *p, enum fc_type t, struct fc_ctx *owner, void *arg)
{
	struct end_walk *w = arg;
	struct fc_stream *s = p;

	if (t != FC_T_STREAM || s->cap != w->c)
		return;
	if (s != w->c->origin && s->cap_nodes && !s->joined)
		w->unjoined = true;
	s->cap = NULL;
	s->forked = s->joined = false;
	s->cap_nodes = 0;
	s->ndeps = 0;
}

static int finish(struct fc_capture *c, struct fc_graph **out)
{
	struct end_walk w = { .c = c };
	struct fc_capture **pp;
	int err = 0;

	/* Members may belong to other contexts: every capturable stream is registered. */
	fc_reg_foreach(leave, &w);
	for (pp = &fc.captures; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->invalid)
		err = -FC_EINVALIDATED;
	else if (w.unjoined)
		err = -FC_EUNJOINED;
	if (err && c->own_graph)
		fc_graph_free(c->graph);
	if (out)
		*out = err ? NULL : c->graph;
	free(c);
	return err;
}

/* A stream destroyed mid-capture: as the origin it takes the capture with it. */
void fc_capture_drop_stream(struct fc_stream *s)
{
	struct fc_capture *c = s->cap;

	if (!c)
		return;
	if (c->origin == s) {
		c->invalid = true;
		finish(c, NULL);
	}
	s->cap = NULL;
}

static int begin(CUstream hs, bool ptds_default, CUstreamCaptureMode mode, CUgraph hg)
{
	struct fc_graph *g = NULL;
	struct fc_capture *c;
	struct fc_stream *s;
	int err;

	if (mode > CU_STREAM_CAPTURE_MODE_RELAXED)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	err = fc_stream_get(hs, ptds_default, &s);
	if (err)
		goto out;
	if (s->kind == FC_S_LEGACY) {
		err = -FC_ECAPTURE;
		goto out;
	}
	if (s->cap) {
		err = -FC_ESTATE;
		goto out;
	}
	if (hg) {
		g = fc_reg_get(hg, FC_T_GRAPH);
		if (!g) {
			err = -EBADF;
			goto out;
		}
	}
	c = fc_zalloc(sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto out;
	}
	c->own_graph = !g;
	c->graph = g ? g : fc_graph_new();
	if (!c->graph) {
		free(c);
		err = -ENOMEM;
		goto out;
	}
	c->id = ++fc.next_capture;
	c->origin = s;
	c->mode = mode;
	c->thread = pthread_self();
	c->next = fc.captures;
	fc.captures = c;
	s->cap = c;
	s->forked = false;
	s->joined = true;
	s->cap_nodes = 0;
	s->ndeps = 0;
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamBeginCapture(CUstream s)
{
	return fc_result(begin(s, false, CU_STREAM_CAPTURE_MODE_GLOBAL, NULL));
}

CUresult CUDAAPI cuStreamBeginCapture_ptsz(CUstream s)
{
	return fc_result(begin(s, true, CU_STREAM_CAPTURE_MODE_GLOBAL, NULL));
}

CUresult CUDAAPI cuStreamBeginCapture_v2(CUstream s, CUstreamCaptureMode mode)
{
	return fc_result(begin(s, false, mode, NULL));
}

CUresult CUDAAPI cuStreamBeginCapture_v2_ptsz(CUstream s, CUstreamCaptureMode mode)
{
	return fc_result(begin(s, true, mode, NULL));
}

/* The dependencies name nodes of g; nodes are kept in order, so they add nothing. */
static int begin_to_graph(CUstream s, bool ptds_default, CUgraph g, const CUgraphNode *deps,
			  size_t n, CUstreamCaptureMode mode)
{
	if (!g || (n && !deps))
		return -EINVAL;
	return begin(s, ptds_default, mode, g);
}

CUresult CUDAAPI cuStreamBeginCaptureToGraph(CUstream s, CUgraph g, const CUgraphNode *deps,
					     const CUgraphEdgeData *data, size_t n,
					     CUstreamCaptureMode mode)
{
	return fc_result(begin_to_graph(s, false, g, deps, n, mode));
}

CUresult CUDAAPI cuStreamBeginCaptureToGraph_ptsz(CUstream s, CUgraph g, const CUgraphNode *deps,
						  const CUgraphEdgeData *data, size_t n,
						  CUstreamCaptureMode mode)
{
	return fc_result(begin_to_graph(s, true, g, deps, n, mode));
}

static int end(CUstream hs, bool ptds_default, CUgraph *pg)
{
	struct fc_stream *s;
	struct fc_capture *c;
	struct fc_graph *g;
	int err;

	if (!pg)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	err = fc_stream_get(hs, ptds_default, &s);
	if (err)
		goto out;
	c = s->cap;
	if (!c)
		err = -FC_ESTATE;
	else if (c->origin != s)
		err = -FC_EUNMATCHED;
	else if (c->mode != CU_STREAM_CAPTURE_MODE_RELAXED &&
		 !pthread_equal(c->thread, pthread_self()))
		err = -FC_EWRONGTHREAD;
	if (err)
		goto out;
	err = finish(c, &g);
	*pg = (CUgraph)g;
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamEndCapture(CUstream s, CUgraph *graph)
{
	return fc_result(end(s, false, graph));
}

CUresult CUDAAPI cuStreamEndCapture_ptsz(CUstream s, CUgraph *graph)
{
	return fc_result(end(s, true, graph));
}

static CUstreamCaptureStatus status_of(const struct fc_stream *s)
{
	if (!s->cap)
		return CU_STREAM_CAPTURE_STATUS_NONE;
	return s->cap->invalid ? CU_STREAM_CAPTURE_STATUS_INVALIDATED :
				 CU_STREAM_CAPTURE_STATUS_ACTIVE;
}

struct info {
	CUstreamCaptureStatus *status;
	cuuint64_t *id;
	CUgraph *graph;
	const CUgraphNode **deps;
	const CUgraphEdgeData **edges;
	size_t *ndeps;
};

/* Asking is no use of the legacy stream: nothing is invalidated. */
static int info(CUstream hs, bool ptds_default, const struct info *q)
{
	struct fc_stream *s;
	int err;

	if (!q->status || (q->edges && !q->deps))
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	err = fc_stream_get(hs, ptds_default, &s);
	if (!err)
		err = legacy_blocked(s, false);
	if (err)
		goto out;
	*q->status = status_of(s);
	if (*q->status != CU_STREAM_CAPTURE_STATUS_ACTIVE)
		goto out;
	if (q->id)
		*q->id = s->cap->id;
	if (q->graph)
		*q->graph = (CUgraph)s->cap->graph;
	if (q->deps)
		*q->deps = s->ndeps ? s->cap_dep : NULL;
	if (q->edges)
		*q->edges = NULL;
	if (q->ndeps)
		*q->ndeps = s->ndeps;
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuStreamIsCapturing(CUstream s, CUstreamCaptureStatus *status)
{
	return fc_result(info(s, false, &(struct info){ .status = status }));
}

CUresult CUDAAPI cuStreamIsCapturing_ptsz(CUstream s, CUstreamCaptureStatus *status)
{
	return fc_result(info(s, true, &(struct info){ .status = status }));
}

CUresult CUDAAPI cuStreamGetCaptureInfo(CUstream s, CUstreamCaptureStatus *status,
					cuuint64_t *id)
{
	return fc_result(info(s, false, &(struct info){ .status = status, .id = id }));
}

CUresult CUDAAPI cuStreamGetCaptureInfo_ptsz(CUstream s, CUstreamCaptureStatus *status,
					     cuuint64_t *id)
{
	return fc_result(info(s, true, &(struct info){ .status = status, .id = id }));
}

CUresult CUDAAPI cuStreamGetCaptureInfo_v2(CUstream s, CUstreamCaptureStatus *status,
					   cuuint64_t *id, CUgraph *graph,
					   const CUgraphNode **deps, size_t *ndeps)
{
	return fc_result(info(s, false, &(struct info){ status, id, graph, deps, NULL, ndeps }));
}

CUresult CUDAAPI cuStreamGetCaptureInfo_v2_ptsz(CUstream s, CUstreamCaptureStatus *status,
						cuuint64_t *id, CUgraph *graph,
						const CUgraphNode **deps, size_t *ndeps)
{
	return fc_result(info(s, true, &(struct info){ status, id, graph, deps, NULL, ndeps }));
}

CUresult CUDAAPI cuStreamGetCaptureInfo_v3(CUstream s, CUstreamCaptureStatus *status,
					   cuuint64_t *id, CUgraph *graph,
					   const CUgraphNode **deps, const CUgraphEdgeData **edges,
					   size_t *ndeps)
{
	return fc_result(info(s, false, &(struct info){ status, id, graph, deps, edges, ndeps }));
}

CUresult CUDAAPI cuStreamGetCaptureInfo_v3_ptsz(CUstream s, CUstreamCaptureStatus *status,
						cuuint64_t *id, CUgraph *graph,
						const CUgraphNode **deps,
						const CUgraphEdgeData **edges, size_t *ndeps)
{
	return fc_result(info(s, true, &(struct info){ status, id, graph, deps, edges, ndeps }));
}

CUresult CUDAAPI cuThreadExchangeStreamCaptureMode(CUstreamCaptureMode *mode)
{
	CUstreamCaptureMode old = tmode;

	if (!__atomic_load_n(&fc.inited, __ATOMIC_ACQUIRE))
		return CUDA_ERROR_NOT_INITIALIZED;
	if (!mode || *mode > CU_STREAM_CAPTURE_MODE_RELAXED)
		return CUDA_ERROR_INVALID_VALUE;
	tmode = *mode;
	*mode = old;
	return CUDA_SUCCESS;
}
