// SPDX-License-Identifier: GPL-2.0
/*
 * Launches: kernels (plain, Ex, cooperative) and host functions, each with
 * its _ptsz twin.  A host function runs on this process's helper thread
 * once the work before it on its stream is done; the stream goes on only
 * after it returns.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc.h"

struct host_item {
	uint64_t seq, prev;
	CUhostFn fn;
	void *data;
	struct host_item *next;
};

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t host_cond = PTHREAD_COND_INITIALIZER;
static struct host_item *head, **tailp = &head;
static bool helper_started;

void fc_launch_atfork_child(void)
{
	pthread_mutex_init(&host_lock, NULL);
	pthread_cond_init(&host_cond, NULL);
	head = NULL;
	tailp = &head;
	helper_started = false;
}

/* One thread, in order, as the driver runs callbacks of a context. */
static void *helper(void *unused)
{
	for (;;) {
		struct host_item *it;

		pthread_mutex_lock(&host_lock);
		while (!head)
			pthread_cond_wait(&host_cond, &host_lock);
		it = head;
		head = it->next;
		if (!head)
			tailp = &head;
		pthread_mutex_unlock(&host_lock);
		fc_wait(it->prev);
		it->fn(it->data);
		if (!fc_dev_lock()) {
			fc_host_done(fc.dev, it->seq);
			fc_dev_unlock();
		}
		free(it);
	}
	return NULL;
}

static int start_helper(void)
{
	sigset_t all, old;
	pthread_attr_t a;
	pthread_t t;
	int err;

	if (helper_started)
		return 0;
	/* The application's signals stay with the application's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &a, helper, NULL);
	pthread_attr_destroy(&a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	helper_started = true;
	return 0;
}

static void queue_host(struct host_item *it)
{
	pthread_mutex_lock(&host_lock);
	*tailp = it;
	tailp = &it->next;
	pthread_cond_signal(&host_cond);
	pthread_mutex_unlock(&host_lock);
}

/* With fc.lock held; nodes of a graph launch are counted as one graph launch. */
int fc_launch_nodes(struct fc_stream *s, const struct fc_node *nodes, size_t n, bool graph)
{
	struct host_item **items = NULL;
	size_t i, k, nhost = 0;
	int err = 0;

	/* Allocate before taking the device lock: nothing can fail under it but the push. */
	for (i = 0; i < n; i++)
		nhost += nodes[i].kind == FC_N_HOST;
	if (nhost) {
		err = start_helper();
		if (!err)
			items = calloc(nhost, sizeof(*items));
		if (!err && !items)
			err = -ENOMEM;
		for (k = 0; !err && k < nhost; k++) {
			items[k] = malloc(sizeof(**items));
			if (!items[k])
				err = -ENOMEM;
		}
	}
	if (!err)
		err = fc_dev_lock();
	if (err)
		goto out;
	if (graph)
		fc.dev->proc[fc.slot].graph_launches++;
	for (i = 0, k = 0; i < n && !err; i++) {
		struct fc_rec r = { .dur_ns = nodes[i].dur_ns, .kind = FC_KERNEL };
		uint64_t prev = s->last, seq;

		memcpy(r.name, nodes[i].name, sizeof(r.name));
		if (nodes[i].kind == FC_N_HOST) {
			r.kind = FC_HOST;
			r.dur_ns = 0;
		}
		err = fc_stream_push(s, &r, &seq);
		if (err)
			break;
		if (r.kind == FC_KERNEL) {
			if (!graph)
				fc.dev->proc[fc.slot].launches++;
			continue;
		}
		*items[k] = (struct host_item){ seq, prev, nodes[i].fn, nodes[i].data, NULL };
		queue_host(items[k]);
		items[k++] = NULL;
	}
	fc_dev_unlock();
out:
	for (k = 0; items && k < nhost; k++)
		free(items[k]);
	free(items);
	return err;
}

static int kernel_node(struct fc_node *n, CUfunction h)
{
	struct fc_func *f = fc_func_get(h);

	if (!f)
		return -EBADF;
	*n = (struct fc_node){ .kind = FC_N_KERNEL, .dur_ns = f->dur_ns };
	snprintf(n->name, sizeof(n->name), "%s", f->name);
	return 0;
}

static int check_dims(unsigned int gx, unsigned int gy, unsigned int gz,
		      unsigned int bx, unsigned int by, unsigned int bz)
{
	if (!gx || !gy || !gz || !bx || !by || !bz)
		return -EINVAL;
	if (bz > 64 || (uint64_t)bx * by * bz > 1024)
		return -EINVAL;
	return 0;
}

/* Shared by every kernel launch entry point, with fc.lock held. */
static int submit_node(const struct fc_node *n, CUstream hs, bool ptds_default)
{
	struct fc_stream *s;
	int err = fc_stream_get(hs, ptds_default, &s);

	if (!err)
		err = fc_capture_legacy(s);
	if (err)
		return err;
	if (s->cap)
		return fc_capture_node(s, n);
	return fc_launch_nodes(s, n, 1, false);
}

static int launch(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
		  unsigned int bx, unsigned int by, unsigned int bz, CUstream hs,
		  void **params, void **extra, bool ptds_default)
{
	struct fc_node n;
	struct fc_ctx *ctx;
	int err = fc_lock();

	if (err)
		return err;
	err = fc_ctx_current(&ctx);
	if (!err)
		err = kernel_node(&n, f);
	if (!err && params && extra)
		err = -EINVAL;
	if (!err)
		err = check_dims(gx, gy, gz, bx, by, bz);
	if (!err)
		err = submit_node(&n, hs, ptds_default);
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
				unsigned int bx, unsigned int by, unsigned int bz,
				unsigned int shmem, CUstream s, void **params, void **extra)
{
	return fc_result(launch(f, gx, gy, gz, bx, by, bz, s, params, extra, false));
}

CUresult CUDAAPI cuLaunchKernel_ptsz(CUfunction f, unsigned int gx, unsigned int gy,
				     unsigned int gz, unsigned int bx, unsigned int by,
				     unsigned int bz, unsigned int shmem, CUstream s,
				     void **params, void **extra)
{
	return fc_result(launch(f, gx, gy, gz, bx, by, bz, s, params, extra, true));
}

CUresult CUDAAPI cuLaunchCooperativeKernel(CUfunction f, unsigned int gx, unsigned int gy,
					   unsigned int gz, unsigned int bx, unsigned int by,
					   unsigned int bz, unsigned int shmem, CUstream s,
					   void **params)
{
	return fc_result(launch(f, gx, gy, gz, bx, by, bz, s, params, NULL, false));
}

CUresult CUDAAPI cuLaunchCooperativeKernel_ptsz(CUfunction f, unsigned int gx, unsigned int gy,
						unsigned int gz, unsigned int bx, unsigned int by,
						unsigned int bz, unsigned int shmem, CUstream s,
						void **params)
{
	return fc_result(launch(f, gx, gy, gz, bx, by, bz, s, params, NULL, true));
}

/* Launch attributes change nothing the device models; they are not checked. */
static int launch_ex(const CUlaunchConfig *c, CUfunction f, void **params, void **extra,
		     bool ptds_default)
{
	if (!c || (c->numAttrs && !c->attrs))
		return -EINVAL;
	return launch(f, c->gridDimX, c->gridDimY, c->gridDimZ, c->blockDimX, c->blockDimY,
		      c->blockDimZ, c->hStream, params, extra, ptds_default);
}

CUresult CUDAAPI cuLaunchKernelEx(const CUlaunchConfig *config, CUfunction f, void **params,
				  void **extra)
{
	return fc_result(launch_ex(config, f, params, extra, false));
}

CUresult CUDAAPI cuLaunchKernelEx_ptsz(const CUlaunchConfig *config, CUfunction f,
				       void **params, void **extra)
{
	return fc_result(launch_ex(config, f, params, extra, true));
}

static int host_func(CUstream hs, CUhostFn fn, void *data, bool ptds_default)
{
	struct fc_node n = { .kind = FC_N_HOST, .fn = fn, .data = data };
	int err;

	if (!fn)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	snprintf(n.name, sizeof(n.name), "host");
	err = submit_node(&n, hs, ptds_default);
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuLaunchHostFunc(CUstream s, CUhostFn fn, void *data)
{
	return fc_result(host_func(s, fn, data, false));
}

CUresult CUDAAPI cuLaunchHostFunc_ptsz(CUstream s, CUhostFn fn, void *data)
{
	return fc_result(host_func(s, fn, data, true));
}
