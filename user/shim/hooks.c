// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so hooks: what each intercepted entry point does around
 * the real one.  gen_intercept.py makes one wrapper per variant the CUDA
 * headers declare; they all land here with their table entry, which
 * knows the real function and whether it is the per-thread twin.
 */
#include "shim.h"
#include "shim_gen.h"

/* The driver has no such entry point (or gave the shim its own hook). */
#define NO_REAL	CUDA_ERROR_NOT_FOUND

/* ---- work: gated ---- */

CUresult rts_cuLaunchKernel(struct shim_entry *e, CUfunction f, unsigned int gx,
			    unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
			    unsigned int bz, unsigned int smem, CUstream s, void **params,
			    void **extra)
{
	rts_pfn_cuLaunchKernel real = shim_real(e);
	struct shim_launch l;
	CUresult r;

	if (!real)
		return NO_REAL;
	r = shim_gate_enter(&l, KSTAT_TAG(f, 0), s, (int)e->per_thread);
	if (r)
		return r;
	r = real(f, gx, gy, gz, bx, by, bz, smem, s, params, extra);
	shim_gate_leave(&l, r);
	return r;
}

CUresult rts_cuLaunchCooperativeKernel(struct shim_entry *e, CUfunction f, unsigned int gx,
				       unsigned int gy, unsigned int gz, unsigned int bx,
				       unsigned int by, unsigned int bz, unsigned int smem,
				       CUstream s, void **params)
{
	rts_pfn_cuLaunchCooperativeKernel real = shim_real(e);
	struct shim_launch l;
	CUresult r;

	if (!real)
		return NO_REAL;
	r = shim_gate_enter(&l, KSTAT_TAG(f, 0), s, (int)e->per_thread);
	if (r)
		return r;
	r = real(f, gx, gy, gz, bx, by, bz, smem, s, params);
	shim_gate_leave(&l, r);
	return r;
}

CUresult rts_cuLaunchKernelEx(struct shim_entry *e, const CUlaunchConfig *config, CUfunction f,
			      void **params, void **extra)
{
	rts_pfn_cuLaunchKernelEx real = shim_real(e);
	struct shim_launch l;
	CUresult r;

	if (!real)
		return NO_REAL;
	if (!config)			/* the driver's error to give */
		return real(config, f, params, extra);
	r = shim_gate_enter(&l, KSTAT_TAG(f, 0), config->hStream, (int)e->per_thread);
	if (r)
		return r;
	r = real(config, f, params, extra);
	shim_gate_leave(&l, r);
	return r;
}

CUresult rts_cuGraphLaunch(struct shim_entry *e, CUgraphExec g, CUstream s)
{
	rts_pfn_cuGraphLaunch real = shim_real(e);
	struct shim_launch l;
	CUresult r;

	if (!real)
		return NO_REAL;
	r = shim_gate_enter(&l, KSTAT_TAG(g, KSTAT_GRAPH), s, (int)e->per_thread);
	if (r)
		return r;
	r = real(g, s);
	shim_gate_leave(&l, r);
	return r;
}

/* A host function holds its stream until it returns: it is work too. */
CUresult rts_cuLaunchHostFunc(struct shim_entry *e, CUstream s, CUhostFn fn, void *data)
{
	rts_pfn_cuLaunchHostFunc real = shim_real(e);
	struct shim_launch l;
	CUresult r;

	if (!real)
		return NO_REAL;
	r = shim_gate_enter(&l, KSTAT_TAG(fn, KSTAT_HOSTFN), s, (int)e->per_thread);
	if (r)
		return r;
	r = real(s, fn, data);
	shim_gate_leave(&l, r);
	return r;
}

/* ---- synchronisation: the end of a job ---- */

CUresult rts_cuStreamSynchronize(struct shim_entry *e, CUstream s)
{
	rts_pfn_cuStreamSynchronize real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(s);
	if (r == CUDA_SUCCESS)
		shim_sync_done(SYNC_STREAM, s, (int)e->per_thread);
	return r;
}

CUresult rts_cuEventSynchronize(struct shim_entry *e, CUevent ev)
{
	rts_pfn_cuEventSynchronize real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(ev);
	if (r == CUDA_SUCCESS)
		shim_sync_done(SYNC_EVENT, NULL, 0);
	return r;
}

CUresult rts_cuCtxSynchronize(struct shim_entry *e)
{
	rts_pfn_cuCtxSynchronize real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real();
	if (r == CUDA_SUCCESS)
		shim_sync_done(SYNC_CTX, NULL, 0);
	return r;
}

#ifdef SHIM_HAVE_rts_cuCtxSynchronize_v13000
CUresult rts_cuCtxSynchronize_v13000(struct shim_entry *e, CUcontext ctx)
{
	rts_pfn_cuCtxSynchronize_v13000 real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(ctx);
	if (r == CUDA_SUCCESS)
		shim_sync_done(SYNC_CTX, NULL, 0);
	return r;
}
#endif

/* ---- stream capture: nothing launched into a graph runs yet ---- */

CUresult rts_cuStreamBeginCapture(struct shim_entry *e, CUstream s)
{
	rts_pfn_cuStreamBeginCapture real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(s);
	if (r == CUDA_SUCCESS)
		shim_capture_begin(s, (int)e->per_thread);
	return r;
}

CUresult rts_cuStreamBeginCapture_v10010(struct shim_entry *e, CUstream s,
					 CUstreamCaptureMode mode)
{
	rts_pfn_cuStreamBeginCapture_v10010 real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(s, mode);
	if (r == CUDA_SUCCESS)
		shim_capture_begin(s, (int)e->per_thread);
	return r;
}

#ifdef SHIM_HAVE_rts_cuStreamBeginCaptureToGraph
CUresult rts_cuStreamBeginCaptureToGraph(struct shim_entry *e, CUstream s, CUgraph g,
					 const CUgraphNode *deps, const CUgraphEdgeData *edges,
					 size_t ndeps, CUstreamCaptureMode mode)
{
	rts_pfn_cuStreamBeginCaptureToGraph real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(s, g, deps, edges, ndeps, mode);
	if (r == CUDA_SUCCESS)
		shim_capture_begin(s, (int)e->per_thread);
	return r;
}
#endif

/* The capture is over whatever the driver answers, invalidated ones too. */
CUresult rts_cuStreamEndCapture(struct shim_entry *e, CUstream s, CUgraph *graph)
{
	rts_pfn_cuStreamEndCapture real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(s, graph);
	shim_capture_end(s, (int)e->per_thread);
	return r;
}

/* ---- contexts: register early, out of the first launch's way ---- */

static CUresult ctx_made(CUresult r)
{
	if (r == CUDA_SUCCESS) {
		shim_init();
		shim_session_up();
	}
	return r;
}

CUresult rts_cuCtxCreate(struct shim_entry *e, CUcontext *ctx, unsigned int flags,
			       CUdevice_v1 dev)
{
	rts_pfn_cuCtxCreate real = shim_real(e);

	return real ? ctx_made(real(ctx, flags, dev)) : NO_REAL;
}

CUresult rts_cuCtxCreate_v11040(struct shim_entry *e, CUcontext *ctx,
				CUexecAffinityParam *aff, int naff, unsigned int flags,
				CUdevice_v1 dev)
{
	rts_pfn_cuCtxCreate_v11040 real = shim_real(e);

	return real ? ctx_made(real(ctx, aff, naff, flags, dev)) : NO_REAL;
}

#ifdef SHIM_HAVE_rts_cuCtxCreate_v12050
CUresult rts_cuCtxCreate_v12050(struct shim_entry *e, CUcontext *ctx,
				CUctxCreateParams *params, unsigned int flags, CUdevice dev)
{
	rts_pfn_cuCtxCreate_v12050 real = shim_real(e);

	return real ? ctx_made(real(ctx, params, flags, dev)) : NO_REAL;
}
#endif

CUresult rts_cuDevicePrimaryCtxRetain(struct shim_entry *e, CUcontext *ctx, CUdevice_v1 dev)
{
	rts_pfn_cuDevicePrimaryCtxRetain real = shim_real(e);

	return real ? ctx_made(real(ctx, dev)) : NO_REAL;
}

CUresult rts_cuCtxDestroy(struct shim_entry *e, CUcontext ctx)
{
	rts_pfn_cuCtxDestroy real = shim_real(e);

	if (!real)
		return NO_REAL;
	watcher_ctx_gone(ctx);
	return real(ctx);
}

/* ---- kernel names ---- */

CUresult rts_cuModuleGetFunction(struct shim_entry *e, CUfunction *f, CUmodule mod,
				 const char *name)
{
	rts_pfn_cuModuleGetFunction real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(f, mod, name);
	if (r == CUDA_SUCCESS && f)
		kstat_name(KSTAT_TAG(*f, 0), name);
	return r;
}

/* A CUkernel may be launched as a CUfunction as it is: one key for both. */
CUresult rts_cuLibraryGetKernel(struct shim_entry *e, CUkernel *k, CUlibrary lib,
				const char *name)
{
	rts_pfn_cuLibraryGetKernel real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(k, lib, name);
	if (r == CUDA_SUCCESS && k)
		kstat_name(KSTAT_TAG(*k, 0), name);
	return r;
}

CUresult rts_cuKernelGetFunction(struct shim_entry *e, CUfunction *f, CUkernel k)
{
	rts_pfn_cuKernelGetFunction real = shim_real(e);
	CUresult r;

	if (!real)
		return NO_REAL;
	r = real(f, k);
	if (r == CUDA_SUCCESS && f)
		kstat_alias(KSTAT_TAG(*f, 0), KSTAT_TAG(k, 0));
	return r;
}
