// SPDX-License-Identifier: GPL-2.0
/*
 * Contexts: the primary context, created ones (every cuCtxCreate ABI of
 * cuda.h 13), the per-thread current-context stack, and synchronisation.
 */
#include <stdlib.h>

#include "fc.h"

static __thread struct fc_ctx *stack[FC_CTX_STACK];
static __thread int depth;

void fc_ctx_atfork_child(void)
{
	depth = 0;
}

struct fc_ctx *fc_ctx_get(CUcontext h)
{
	return fc_reg_get(h, FC_T_CTX);
}

/* A destroyed or released context left on the stack is no context. */
int fc_ctx_current(struct fc_ctx **out)
{
	struct fc_ctx *c = depth ? fc_ctx_get((CUcontext)stack[depth - 1]) : NULL;

	if (!c || !c->active)
		return -FC_ENOCTX;
	*out = c;
	return 0;
}

static struct fc_ctx *ctx_new(bool primary, unsigned int flags)
{
	struct fc_ctx *c = fc_zalloc(sizeof(*c));

	if (!c)
		return NULL;
	if (fc_reg_add(c, FC_T_CTX, NULL)) {
		free(c);
		return NULL;
	}
	c->id = ++fc.next_ctx;
	c->primary = primary;
	c->flags = flags;
	fc_stream_init(&c->legacy, c, FC_S_LEGACY);
	c->streams = &c->legacy;
	return c;
}

/*
 * Called and returning with fc.lock held; drops it while waiting for the
 * context's streams (only those the legacy stream waits for, if
 * blocking_only) to drain, so the caller must look handles up again.
 */
int fc_ctx_sync(struct fc_ctx *ctx, bool blocking_only)
{
	struct fc_stream *s;
	uint64_t *seqs;
	size_t n = 0, i;
	int err = 0;

	for (s = ctx->streams; s; s = s->next)
		n++;
	seqs = calloc(n ? n : 1, sizeof(*seqs));
	if (!seqs)
		return -ENOMEM;
	for (s = ctx->streams, i = 0; s; s = s->next)
		if (!blocking_only || !(s->flags & CU_STREAM_NON_BLOCKING))
			seqs[i++] = s->last;
	n = i;
	fc_unlock();
	for (i = 0; i < n && !err; i++)
		err = fc_wait(seqs[i]);
	pthread_mutex_lock(&fc.lock);
	free(seqs);
	return err;
}

static void free_owned(void *p, enum fc_type t, struct fc_ctx *owner, void *arg)
{
	if (owner != arg)
		return;
	if (t == FC_T_STREAM)
		fc_stream_free(p);
	else if (t == FC_T_EVENT)
		fc_event_free(p);
	else if (t == FC_T_MODULE)
		fc_module_free(p);
}

/* Work drains first: a torn-down context leaves nothing on the device. */
static int ctx_teardown(struct fc_ctx *c)
{
	int err = fc_ctx_sync(c, false);

	if (!fc_ctx_get((CUcontext)c))
		return -FC_ENOCTX;
	fc_reg_foreach(free_owned, c);
	c->legacy.next = NULL;
	c->streams = &c->legacy;
	return err;
}

static int push(struct fc_ctx *c)
{
	if (depth == FC_CTX_STACK)
		return -ENOMEM;
	stack[depth++] = c;
	return 0;
}

static int ctx_create(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
	struct fc_ctx *c;
	int err;

	if (!pctx || flags & ~(unsigned int)CU_CTX_FLAGS_MASK)
		return -EINVAL;
	if (dev != 0)
		return -ENODEV;
	err = fc_lock();
	if (err)
		return err;
	c = ctx_new(false, flags);
	err = c ? push(c) : -ENOMEM;
	if (!err) {
		c->active = true;
		*pctx = (CUcontext)c;
	} else if (c) {
		fc_reg_del(c);
		free(c);
	}
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuCtxCreate(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
	return fc_result(ctx_create(pctx, flags, dev));
}

CUresult CUDAAPI cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
	return fc_result(ctx_create(pctx, flags, dev));
}

/* Execution-affinity and CIG parameters describe resources the fake lacks. */
CUresult CUDAAPI cuCtxCreate_v3(CUcontext *pctx, CUexecAffinityParam *params, int n,
				unsigned int flags, CUdevice dev)
{
	if (n < 0 || (n && !params))
		return CUDA_ERROR_INVALID_VALUE;
	return fc_result(ctx_create(pctx, flags, dev));
}

CUresult CUDAAPI cuCtxCreate_v4(CUcontext *pctx, CUctxCreateParams *params,
				unsigned int flags, CUdevice dev)
{
	return fc_result(ctx_create(pctx, flags, dev));
}

static int ctx_destroy(CUcontext h)
{
	struct fc_ctx *c;
	int err = fc_lock(), i;

	if (err)
		return err;
	c = fc_ctx_get(h);
	if (!c || c->primary) {
		err = -FC_ENOCTX;
		goto out;
	}
	err = ctx_teardown(c);
	if (err == -FC_ENOCTX)
		goto out;
	if (depth && stack[depth - 1] == c)
		depth--;
	for (i = 0; i < depth; i++)
		if (stack[i] == c)
			stack[i] = NULL;
	fc_reg_del(c);
	free(c);
out:
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuCtxDestroy(CUcontext ctx)
{
	return fc_result(ctx_destroy(ctx));
}

CUresult CUDAAPI cuCtxDestroy_v2(CUcontext ctx)
{
	return fc_result(ctx_destroy(ctx));
}

CUresult CUDAAPI cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
{
	int err;

	if (!pctx)
		return CUDA_ERROR_INVALID_VALUE;
	if (dev != 0)
		return __atomic_load_n(&fc.inited, __ATOMIC_ACQUIRE) ?
			CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_NOT_INITIALIZED;
	err = fc_lock();
	if (err)
		return fc_result(err);
	if (!fc.primary)
		fc.primary = ctx_new(true, 0);
	if (fc.primary) {
		fc.primary->refs++;
		fc.primary->active = true;
		*pctx = (CUcontext)fc.primary;
	} else {
		err = -ENOMEM;
	}
	fc_unlock();
	return fc_result(err);
}

/* The last release resets the primary context; its handle stays valid. */
static int primary_release(CUdevice dev)
{
	int err = fc_lock();

	if (err)
		return err;
	if (dev != 0)
		err = -ENODEV;
	else if (!fc.primary || fc.primary->refs <= 0)
		err = -FC_ENOCTX;
	else if (!--fc.primary->refs) {
		err = ctx_teardown(fc.primary);
		fc.primary->active = false;
	}
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuDevicePrimaryCtxRelease(CUdevice dev)
{
	return fc_result(primary_release(dev));
}

CUresult CUDAAPI cuDevicePrimaryCtxRelease_v2(CUdevice dev)
{
	return fc_result(primary_release(dev));
}

CUresult CUDAAPI cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int *flags, int *active)
{
	int err;

	if (!flags || !active)
		return CUDA_ERROR_INVALID_VALUE;
	err = fc_lock();
	if (err)
		return fc_result(err);
	if (dev != 0) {
		fc_unlock();
		return CUDA_ERROR_INVALID_DEVICE;
	}
	*flags = fc.primary ? fc.primary->flags : 0;
	*active = fc.primary && fc.primary->active;
	fc_unlock();
	return CUDA_SUCCESS;
}

CUresult CUDAAPI cuCtxSetCurrent(CUcontext ctx)
{
	int err = fc_lock();

	if (err)
		return fc_result(err);
	if (ctx && !fc_ctx_get(ctx)) {
		err = -FC_ENOCTX;
	} else if (!ctx) {
		if (depth)
			depth--;
	} else if (depth) {
		stack[depth - 1] = (struct fc_ctx *)ctx;
	} else {
		err = push((struct fc_ctx *)ctx);
	}
	fc_unlock();
	return fc_result(err);
}

CUresult CUDAAPI cuCtxGetCurrent(CUcontext *pctx)
{
	int err;

	if (!pctx)
		return CUDA_ERROR_INVALID_VALUE;
	err = fc_lock();
	if (err)
		return fc_result(err);
	*pctx = depth ? (CUcontext)fc_ctx_get((CUcontext)stack[depth - 1]) : NULL;
	fc_unlock();
	return CUDA_SUCCESS;
}

static int ctx_push(CUcontext ctx)
{
	int err = fc_lock();

	if (err)
		return err;
	err = fc_ctx_get(ctx) ? push((struct fc_ctx *)ctx) : -FC_ENOCTX;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuCtxPushCurrent(CUcontext ctx)
{
	return fc_result(ctx_push(ctx));
}

CUresult CUDAAPI cuCtxPushCurrent_v2(CUcontext ctx)
{
	return fc_result(ctx_push(ctx));
}

static int ctx_pop(CUcontext *pctx)
{
	int err = fc_lock();

	if (err)
		return err;
	if (!depth) {
		err = -FC_ENOCTX;
	} else {
		depth--;
		if (pctx)
			*pctx = (CUcontext)stack[depth];
	}
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuCtxPopCurrent(CUcontext *pctx)
{
	return fc_result(ctx_pop(pctx));
}

CUresult CUDAAPI cuCtxPopCurrent_v2(CUcontext *pctx)
{
	return fc_result(ctx_pop(pctx));
}

/* Synchronising a context that has a capturing stream is never allowed. */
static int ctx_synchronize(CUcontext h)
{
	struct fc_ctx *c;
	int err = fc_lock();

	if (err)
		return err;
	if (h)
		err = (c = fc_ctx_get(h)) && c->active ? 0 : -FC_ENOCTX;
	else
		err = fc_ctx_current(&c);
	if (!err && fc_capture_busy(c))
		err = -FC_ECAPTURE;
	if (!err)
		err = fc_capture_unsafe();
	if (!err)
		err = fc_ctx_sync(c, false);
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuCtxSynchronize(void)
{
	return fc_result(ctx_synchronize(NULL));
}

CUresult CUDAAPI cuCtxSynchronize_v2(CUcontext ctx)
{
	return fc_result(ctx_synchronize(ctx));
}

static int ctx_device(CUdevice *device, CUcontext h)
{
	struct fc_ctx *c;
	int err;

	if (!device)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	if (h)
		err = fc_ctx_get(h) ? 0 : -FC_ENOCTX;
	else
		err = fc_ctx_current(&c);
	if (!err)
		*device = 0;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuCtxGetDevice(CUdevice *device)
{
	return fc_result(ctx_device(device, NULL));
}

CUresult CUDAAPI cuCtxGetDevice_v2(CUdevice *device, CUcontext ctx)
{
	return fc_result(ctx_device(device, ctx));
}

/* Priorities are accepted and kept, but the device ignores them. */
CUresult CUDAAPI cuCtxGetStreamPriorityRange(int *least, int *greatest)
{
	struct fc_ctx *c;
	int err = fc_lock();

	if (err)
		return fc_result(err);
	err = fc_ctx_current(&c);
	fc_unlock();
	if (err)
		return fc_result(err);
	if (least)
		*least = 0;
	if (greatest)
		*greatest = -5;
	return CUDA_SUCCESS;
}
