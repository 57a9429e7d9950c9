// SPDX-License-Identifier: GPL-2.0
/*
 * Device memory is host memory behind the CUdeviceptr.  Copies take no
 * device time and happen at the call; the synchronous copy to the host
 * first waits for the work the legacy stream (or the per-thread stream)
 * would wait for, since applications use it as their synchronisation.
 */
#include <stdlib.h>
#include <string.h>

#include "fc.h"

#define FC_TOTAL_MEM	(16ULL << 30)

struct fc_alloc {
	uintptr_t base;
	size_t size;
	struct fc_alloc *next;
};

static struct fc_alloc *allocs;
static size_t allocated;

void fc_mem_atfork_child(void)
{
	allocs = NULL;
	allocated = 0;
}

/* [p, p + n) lies inside one allocation. */
static bool in_alloc(CUdeviceptr p, size_t n)
{
	struct fc_alloc *a;

	for (a = allocs; a; a = a->next)
		if (p >= a->base && p - a->base <= a->size && n <= a->size - (p - a->base))
			return true;
	return false;
}

static int enter(struct fc_ctx **ctx)
{
	int err = fc_lock();

	if (err)
		return err;
	err = fc_ctx_current(ctx);
	if (err)
		fc_unlock();
	return err;
}

CUresult CUDAAPI cuMemAlloc_v2(CUdeviceptr *dptr, size_t size)
{
	struct fc_alloc *a = NULL;
	struct fc_ctx *ctx;
	void *p = NULL;
	int err;

	if (!dptr || !size)
		return CUDA_ERROR_INVALID_VALUE;
	err = enter(&ctx);
	if (err)
		return fc_result(err);
	err = fc_capture_unsafe();
	if (!err && size > FC_TOTAL_MEM - allocated)
		err = -ENOMEM;
	if (!err) {
		a = malloc(sizeof(*a));
		p = calloc(1, size);
		if (!a || !p)
			err = -ENOMEM;
	}
	if (err) {
		free(a);
		free(p);
	} else {
		*a = (struct fc_alloc){ (uintptr_t)p, size, allocs };
		allocs = a;
		allocated += size;
		*dptr = (CUdeviceptr)(uintptr_t)p;
	}
	fc_unlock();
	return fc_result(err);
}

CUresult CUDAAPI cuMemFree_v2(CUdeviceptr dptr)
{
	struct fc_alloc **pp, *a = NULL;
	struct fc_ctx *ctx;
	int err;

	err = enter(&ctx);
	if (err)
		return fc_result(err);
	err = fc_capture_unsafe();
	for (pp = &allocs; !err && *pp; pp = &(*pp)->next) {
		if ((*pp)->base == dptr) {
			a = *pp;
			*pp = a->next;
			break;
		}
	}
	if (!err && dptr && !a)
		err = -EINVAL;
	if (a) {
		allocated -= a->size;
		free((void *)a->base);
		free(a);
	}
	fc_unlock();
	return fc_result(err);
}

CUresult CUDAAPI cuMemGetInfo_v2(size_t *free_bytes, size_t *total)
{
	struct fc_ctx *ctx;
	int err;

	if (!free_bytes || !total)
		return CUDA_ERROR_INVALID_VALUE;
	err = enter(&ctx);
	if (err)
		return fc_result(err);
	*total = FC_TOTAL_MEM;
	*free_bytes = FC_TOTAL_MEM - allocated;
	fc_unlock();
	return CUDA_SUCCESS;
}

enum dir { HTOD, DTOH };

static int copy_sync(void *host, CUdeviceptr dev, size_t n, enum dir dir, bool ptds)
{
	struct fc_stream *s;
	struct fc_ctx *ctx;
	int err;

	if (n && !host)
		return -EINVAL;
	err = enter(&ctx);
	if (err)
		return err;
	err = fc_stream_get(NULL, ptds, &s);
	if (!err)
		err = fc_capture_legacy(s);
	if (!err)
		err = fc_capture_unsafe();
	if (!err && n && !in_alloc(dev, n))
		err = -EINVAL;
	if (!err && dir == DTOH) {
		err = ptds ? fc_stream_wait_idle(s) : fc_ctx_sync(ctx, true);
		/* The lock was dropped: the allocation may have gone meanwhile. */
		if (!err && n && !in_alloc(dev, n))
			err = -EINVAL;
	}
	if (!err && n) {
		if (dir == HTOD)
			memcpy((void *)(uintptr_t)dev, host, n);
		else
			memcpy(host, (void *)(uintptr_t)dev, n);
	}
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n)
{
	return fc_result(copy_sync((void *)src, dst, n, HTOD, false));
}

CUresult CUDAAPI cuMemcpyHtoD_v2_ptds(CUdeviceptr dst, const void *src, size_t n)
{
	return fc_result(copy_sync((void *)src, dst, n, HTOD, true));
}

CUresult CUDAAPI cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n)
{
	return fc_result(copy_sync(dst, src, n, DTOH, false));
}

CUresult CUDAAPI cuMemcpyDtoH_v2_ptds(void *dst, CUdeviceptr src, size_t n)
{
	return fc_result(copy_sync(dst, src, n, DTOH, true));
}

/*
 * Asynchronous copies complete at the call.  During capture they are
 * accepted and dropped: captured graphs replay kernels and host functions only.
 */
static int copy_async(void *host, CUdeviceptr dev, size_t n, CUstream hs, enum dir dir,
		      bool ptds)
{
	struct fc_stream *s;
	struct fc_ctx *ctx;
	int err;

	if (n && !host)
		return -EINVAL;
	err = enter(&ctx);
	if (err)
		return err;
	err = fc_stream_get(hs, ptds, &s);
	if (!err)
		err = fc_capture_legacy(s);
	if (!err && n && !in_alloc(dev, n))
		err = -EINVAL;
	if (!err && s->cap && s->cap->invalid)
		err = -FC_EINVALIDATED;
	if (!err && !s->cap && n) {
		if (dir == HTOD)
			memcpy((void *)(uintptr_t)dev, host, n);
		else
			memcpy(host, (void *)(uintptr_t)dev, n);
	}
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s)
{
	return fc_result(copy_async((void *)src, dst, n, s, HTOD, false));
}

CUresult CUDAAPI cuMemcpyHtoDAsync_v2_ptsz(CUdeviceptr dst, const void *src, size_t n,
					   CUstream s)
{
	return fc_result(copy_async((void *)src, dst, n, s, HTOD, true));
}

CUresult CUDAAPI cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s)
{
	return fc_result(copy_async(dst, src, n, s, DTOH, false));
}

CUresult CUDAAPI cuMemcpyDtoHAsync_v2_ptsz(void *dst, CUdeviceptr src, size_t n, CUstream s)
{
	return fc_result(copy_async(dst, src, n, s, DTOH, true));
}
