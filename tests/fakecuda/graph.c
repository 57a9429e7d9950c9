// SPDX-License-Identifier: GPL-2.0
/*
 * Graphs as stream capture builds them: an ordered list of kernel and host
 * nodes.  Instantiation copies the list; a launch enqueues every node, in
 * order, on the launch stream as records of their own (so the log shows
 * each kernel), or appends them to that stream's capture.
 */
#include <stdlib.h>
#include <string.h>

#include "fc.h"

#define FC_INSTANTIATE_FLAGS	(CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH | \
				 CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD | \
				 CUDA_GRAPH_INSTANTIATE_FLAG_DEVICE_LAUNCH | \
				 CUDA_GRAPH_INSTANTIATE_FLAG_USE_NODE_PRIORITY)

struct fc_graph *fc_graph_new(void)
{
	struct fc_graph *g = fc_zalloc(sizeof(*g));

	if (g && fc_reg_add(g, FC_T_GRAPH, NULL)) {
		free(g);
		g = NULL;
	}
	return g;
}

int fc_graph_add(struct fc_graph *g, const struct fc_node *n, struct fc_node **out)
{
	struct fc_node *copy;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct fc_node **v = realloc(g->nodes, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->nodes = v;
		g->cap = cap;
	}
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = *n;
	g->nodes[g->n++] = copy;
	*out = copy;
	return 0;
}

void fc_graph_free(struct fc_graph *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->nodes[i]);
	free(g->nodes);
	fc_reg_del(g);
	free(g);
}

CUresult CUDAAPI cuGraphCreate(CUgraph *pg, unsigned int flags)
{
	struct fc_graph *g;
	int err;

	if (!pg || flags)
		return CUDA_ERROR_INVALID_VALUE;
	err = fc_lock();
	if (err)
		return fc_result(err);
	g = fc_graph_new();
	if (g)
		*pg = (CUgraph)g;
	fc_unlock();
	return g ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

/* A graph that a capture is still filling cannot go. */
CUresult CUDAAPI cuGraphDestroy(CUgraph h)
{
	struct fc_capture *c;
	struct fc_graph *g;
	int err = fc_lock();

	if (err)
		return fc_result(err);
	g = fc_reg_get(h, FC_T_GRAPH);
	if (!g)
		err = -EBADF;
	for (c = fc.captures; c && !err; c = c->next)
		if (c->graph == g)
			err = -FC_ESTATE;
	if (!err)
		fc_graph_free(g);
	fc_unlock();
	return fc_result(err);
}

static int instantiate(CUgraphExec *pe, CUgraph h, unsigned long long flags)
{
	struct fc_gexec *e;
	struct fc_graph *g;
	size_t i;
	int err;

	if (!pe || flags & ~(unsigned long long)FC_INSTANTIATE_FLAGS)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	g = fc_reg_get(h, FC_T_GRAPH);
	if (!g) {
		err = -EBADF;
		goto out;
	}
	e = fc_zalloc(sizeof(*e));
	if (e && g->n)
		e->nodes = malloc(g->n * sizeof(*e->nodes));
	if (!e || (g->n && !e->nodes) || fc_reg_add(e, FC_T_GEXEC, NULL)) {
		if (e)
			free(e->nodes);
		free(e);
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < g->n; i++)
		e->nodes[i] = *g->nodes[i];
	e->n = g->n;
	*pe = (CUgraphExec)e;
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuGraphInstantiateWithFlags(CUgraphExec *pe, CUgraph g, unsigned long long flags)
{
	return fc_result(instantiate(pe, g, flags));
}

static CUresult instantiate_v1(CUgraphExec *pe, CUgraph g, CUgraphNode *err_node, char *log,
			       size_t size)
{
	if (err_node)
		*err_node = NULL;
	if (log && size)
		log[0] = '\0';
	return fc_result(instantiate(pe, g, 0));
}

CUresult CUDAAPI cuGraphInstantiate(CUgraphExec *pe, CUgraph g, CUgraphNode *err_node,
				    char *log, size_t size)
{
	return instantiate_v1(pe, g, err_node, log, size);
}

CUresult CUDAAPI cuGraphInstantiate_v2(CUgraphExec *pe, CUgraph g, CUgraphNode *err_node,
				       char *log, size_t size)
{
	return instantiate_v1(pe, g, err_node, log, size);
}

static CUresult instantiate_params(CUgraphExec *pe, CUgraph g, CUDA_GRAPH_INSTANTIATE_PARAMS *p)
{
	CUresult res;

	if (!p)
		return CUDA_ERROR_INVALID_VALUE;
	res = fc_result(instantiate(pe, g, p->flags));
	p->hErrNode_out = NULL;
	p->result_out = res == CUDA_SUCCESS ? CUDA_GRAPH_INSTANTIATE_SUCCESS :
					      CUDA_GRAPH_INSTANTIATE_ERROR;
	return res;
}

CUresult CUDAAPI cuGraphInstantiateWithParams(CUgraphExec *pe, CUgraph g,
					      CUDA_GRAPH_INSTANTIATE_PARAMS *p)
{
	return instantiate_params(pe, g, p);
}

CUresult CUDAAPI cuGraphInstantiateWithParams_ptsz(CUgraphExec *pe, CUgraph g,
						   CUDA_GRAPH_INSTANTIATE_PARAMS *p)
{
	return instantiate_params(pe, g, p);
}

CUresult CUDAAPI cuGraphExecDestroy(CUgraphExec h)
{
	struct fc_gexec *e;
	int err = fc_lock();

	if (err)
		return fc_result(err);
	e = fc_reg_get(h, FC_T_GEXEC);
	if (e) {
		fc_reg_del(e);
		free(e->nodes);
		free(e);
	} else {
		err = -EBADF;
	}
	fc_unlock();
	return fc_result(err);
}

static int launch(CUgraphExec h, CUstream hs, bool ptds_default, bool upload)
{
	struct fc_stream *s;
	struct fc_gexec *e;
	size_t i;
	int err = fc_lock();

	if (err)
		return err;
	e = fc_reg_get(h, FC_T_GEXEC);
	err = e ? fc_stream_get(hs, ptds_default, &s) : -EBADF;
	if (!err)
		err = fc_capture_legacy(s);
	if (err || upload)
		goto out;
	if (s->cap) {
		for (i = 0; i < e->n && !err; i++)
			err = fc_capture_node(s, &e->nodes[i]);
		goto out;
	}
	err = fc_launch_nodes(s, e->nodes, e->n, true);
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuGraphLaunch(CUgraphExec e, CUstream s)
{
	return fc_result(launch(e, s, false, false));
}

CUresult CUDAAPI cuGraphLaunch_ptsz(CUgraphExec e, CUstream s)
{
	return fc_result(launch(e, s, true, false));
}

/* Nothing to upload: the check of the handles is all there is. */
CUresult CUDAAPI cuGraphUpload(CUgraphExec e, CUstream s)
{
	return fc_result(launch(e, s, false, true));
}

CUresult CUDAAPI cuGraphUpload_ptsz(CUgraphExec e, CUstream s)
{
	return fc_result(launch(e, s, true, true));
}
