// SPDX-License-Identifier: GPL-2.0
/*
 * cuGetProcAddress: base name, CUDA version and stream flavour to the ABI
 * variant.  The table below is the fake's own, but every row is checked at
 * compile time against cudaTypedefs.h: the PFN_<name>_v<version> typedef
 * must exist and match the function's prototype, or the file does not build.
 */
#include <string.h>

#include <cudaTypedefs.h>

#include "fc.h"

struct entry {
	const char *name;
	int version;		/* the CUDA version that introduced this ABI */
	bool per_thread;	/* the _ptsz/_ptds flavour */
	void *fn;
};

/* Yields void (which cannot initialise a pointer) unless fn has type pfn. */
#define FC_CHECKED(pfn, fn) \
	__builtin_choose_expr(__builtin_types_compatible_p(__typeof__(&fn), pfn), (void *)&fn, (void)0)
#define L(base, ver, fn)	{ #base, ver, false, FC_CHECKED(PFN_##base##_v##ver, fn) }
#define T(base, ver, fn)	{ #base, ver, true, FC_CHECKED(PFN_##base##_v##ver##_ptsz, fn) }
#define D(base, ver, fn)	{ #base, ver, true, FC_CHECKED(PFN_##base##_v##ver##_ptds, fn) }

static const struct entry table[] = {
	L(cuGetErrorString, 6000, cuGetErrorString),
	L(cuGetErrorName, 6000, cuGetErrorName),
	L(cuInit, 2000, cuInit),
	L(cuDriverGetVersion, 2020, cuDriverGetVersion),
	L(cuGetProcAddress, 11030, cuGetProcAddress),
	L(cuGetProcAddress, 12000, cuGetProcAddress_v2),
	L(cuDeviceGet, 2000, cuDeviceGet),
	L(cuDeviceGetCount, 2000, cuDeviceGetCount),
	L(cuDeviceGetName, 2000, cuDeviceGetName),
	L(cuDeviceGetAttribute, 2000, cuDeviceGetAttribute),
	L(cuDeviceTotalMem, 2000, cuDeviceTotalMem),
	L(cuDeviceTotalMem, 3020, cuDeviceTotalMem_v2),
	L(cuDevicePrimaryCtxRetain, 7000, cuDevicePrimaryCtxRetain),
	L(cuDevicePrimaryCtxRelease, 7000, cuDevicePrimaryCtxRelease),
	L(cuDevicePrimaryCtxRelease, 11000, cuDevicePrimaryCtxRelease_v2),
	L(cuDevicePrimaryCtxGetState, 7000, cuDevicePrimaryCtxGetState),
	L(cuCtxCreate, 2000, cuCtxCreate),
	L(cuCtxCreate, 3020, cuCtxCreate_v2),
	L(cuCtxCreate, 11040, cuCtxCreate_v3),
	L(cuCtxCreate, 12050, cuCtxCreate_v4),
	L(cuCtxDestroy, 2000, cuCtxDestroy),
	L(cuCtxDestroy, 4000, cuCtxDestroy_v2),
	L(cuCtxSetCurrent, 4000, cuCtxSetCurrent),
	L(cuCtxGetCurrent, 4000, cuCtxGetCurrent),
	L(cuCtxPushCurrent, 2000, cuCtxPushCurrent),
	L(cuCtxPushCurrent, 4000, cuCtxPushCurrent_v2),
	L(cuCtxPopCurrent, 2000, cuCtxPopCurrent),
	L(cuCtxPopCurrent, 4000, cuCtxPopCurrent_v2),
	L(cuCtxSynchronize, 2000, cuCtxSynchronize),
	L(cuCtxSynchronize, 13000, cuCtxSynchronize_v2),
	L(cuCtxGetDevice, 2000, cuCtxGetDevice),
	L(cuCtxGetDevice, 13000, cuCtxGetDevice_v2),
	L(cuCtxGetStreamPriorityRange, 5050, cuCtxGetStreamPriorityRange),
	L(cuModuleLoad, 2000, cuModuleLoad),
	L(cuModuleLoadData, 2000, cuModuleLoadData),
	L(cuModuleLoadDataEx, 2010, cuModuleLoadDataEx),
	L(cuModuleUnload, 2000, cuModuleUnload),
	L(cuModuleGetFunction, 2000, cuModuleGetFunction),
	L(cuLibraryLoadData, 12000, cuLibraryLoadData),
	L(cuLibraryUnload, 12000, cuLibraryUnload),
	L(cuLibraryGetKernel, 12000, cuLibraryGetKernel),
	L(cuKernelGetFunction, 12000, cuKernelGetFunction),
	L(cuKernelGetName, 12030, cuKernelGetName),
	L(cuFuncGetName, 12030, cuFuncGetName),
	L(cuStreamCreate, 2000, cuStreamCreate),
	L(cuStreamCreateWithPriority, 5050, cuStreamCreateWithPriority),
	L(cuStreamDestroy, 2000, cuStreamDestroy),
	L(cuStreamDestroy, 4000, cuStreamDestroy_v2),
	L(cuStreamQuery, 2000, cuStreamQuery),
	T(cuStreamQuery, 7000, cuStreamQuery_ptsz),
	L(cuStreamSynchronize, 2000, cuStreamSynchronize),
	T(cuStreamSynchronize, 7000, cuStreamSynchronize_ptsz),
	L(cuStreamWaitEvent, 3020, cuStreamWaitEvent),
	T(cuStreamWaitEvent, 7000, cuStreamWaitEvent_ptsz),
	L(cuStreamBeginCapture, 10000, cuStreamBeginCapture),
	T(cuStreamBeginCapture, 10000, cuStreamBeginCapture_ptsz),
	L(cuStreamBeginCapture, 10010, cuStreamBeginCapture_v2),
	T(cuStreamBeginCapture, 10010, cuStreamBeginCapture_v2_ptsz),
	L(cuStreamBeginCaptureToGraph, 12030, cuStreamBeginCaptureToGraph),
	T(cuStreamBeginCaptureToGraph, 12030, cuStreamBeginCaptureToGraph_ptsz),
	L(cuStreamEndCapture, 10000, cuStreamEndCapture),
	T(cuStreamEndCapture, 10000, cuStreamEndCapture_ptsz),
	L(cuStreamIsCapturing, 10000, cuStreamIsCapturing),
	T(cuStreamIsCapturing, 10000, cuStreamIsCapturing_ptsz),
	L(cuStreamGetCaptureInfo, 10010, cuStreamGetCaptureInfo),
	T(cuStreamGetCaptureInfo, 10010, cuStreamGetCaptureInfo_ptsz),
	L(cuStreamGetCaptureInfo, 11030, cuStreamGetCaptureInfo_v2),
	T(cuStreamGetCaptureInfo, 11030, cuStreamGetCaptureInfo_v2_ptsz),
	L(cuStreamGetCaptureInfo, 12030, cuStreamGetCaptureInfo_v3),
	T(cuStreamGetCaptureInfo, 12030, cuStreamGetCaptureInfo_v3_ptsz),
	L(cuThreadExchangeStreamCaptureMode, 10010, cuThreadExchangeStreamCaptureMode),
	L(cuEventCreate, 2000, cuEventCreate),
	L(cuEventRecord, 2000, cuEventRecord),
	T(cuEventRecord, 7000, cuEventRecord_ptsz),
	L(cuEventRecordWithFlags, 11010, cuEventRecordWithFlags),
	T(cuEventRecordWithFlags, 11010, cuEventRecordWithFlags_ptsz),
	L(cuEventQuery, 2000, cuEventQuery),
	L(cuEventSynchronize, 2000, cuEventSynchronize),
	L(cuEventDestroy, 2000, cuEventDestroy),
	L(cuEventDestroy, 4000, cuEventDestroy_v2),
	L(cuEventElapsedTime, 2000, cuEventElapsedTime),
	L(cuEventElapsedTime, 12080, cuEventElapsedTime_v2),
	L(cuLaunchKernel, 4000, cuLaunchKernel),
	T(cuLaunchKernel, 7000, cuLaunchKernel_ptsz),
	L(cuLaunchKernelEx, 11060, cuLaunchKernelEx),
	T(cuLaunchKernelEx, 11060, cuLaunchKernelEx_ptsz),
	L(cuLaunchCooperativeKernel, 9000, cuLaunchCooperativeKernel),
	T(cuLaunchCooperativeKernel, 9000, cuLaunchCooperativeKernel_ptsz),
	L(cuLaunchHostFunc, 10000, cuLaunchHostFunc),
	T(cuLaunchHostFunc, 10000, cuLaunchHostFunc_ptsz),
	L(cuGraphCreate, 10000, cuGraphCreate),
	L(cuGraphDestroy, 10000, cuGraphDestroy),
	L(cuGraphInstantiate, 10000, cuGraphInstantiate),
	L(cuGraphInstantiate, 11000, cuGraphInstantiate_v2),
	/* From 12.0 the name means the three-argument ABI (cuda.h's #define). */
	{ "cuGraphInstantiate", 12000, false,
	  FC_CHECKED(PFN_cuGraphInstantiateWithFlags_v11040, cuGraphInstantiateWithFlags) },
	L(cuGraphInstantiateWithFlags, 11040, cuGraphInstantiateWithFlags),
	L(cuGraphInstantiateWithParams, 12000, cuGraphInstantiateWithParams),
	T(cuGraphInstantiateWithParams, 12000, cuGraphInstantiateWithParams_ptsz),
	L(cuGraphUpload, 11010, cuGraphUpload),
	T(cuGraphUpload, 11010, cuGraphUpload_ptsz),
	L(cuGraphLaunch, 10000, cuGraphLaunch),
	T(cuGraphLaunch, 10000, cuGraphLaunch_ptsz),
	L(cuGraphExecDestroy, 10000, cuGraphExecDestroy),
	L(cuMemAlloc, 3020, cuMemAlloc_v2),
	L(cuMemFree, 3020, cuMemFree_v2),
	L(cuMemGetInfo, 3020, cuMemGetInfo_v2),
	L(cuMemcpyHtoD, 3020, cuMemcpyHtoD_v2),
	D(cuMemcpyHtoD, 7000, cuMemcpyHtoD_v2_ptds),
	L(cuMemcpyDtoH, 3020, cuMemcpyDtoH_v2),
	D(cuMemcpyDtoH, 7000, cuMemcpyDtoH_v2_ptds),
	L(cuMemcpyHtoDAsync, 3020, cuMemcpyHtoDAsync_v2),
	T(cuMemcpyHtoDAsync, 7000, cuMemcpyHtoDAsync_v2_ptsz),
	L(cuMemcpyDtoHAsync, 3020, cuMemcpyDtoHAsync_v2),
	T(cuMemcpyDtoHAsync, 7000, cuMemcpyDtoHAsync_v2_ptsz),
};

#define FC_PROC_FLAGS	(CU_GET_PROC_ADDRESS_LEGACY_STREAM | \
			 CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM)

/*
 * The newest variant introduced at or before version; with the per-thread
 * flag, its _ptsz/_ptds flavour if one exists that is not older than it.
 * Not found: *pfn is NULL and CUDA_ERROR_NOT_FOUND returned, as drivers
 * since 12.0 do; symbol_status tells a missing name from a too-old version.
 */
static int resolve(const char *symbol, void **pfn, int version, cuuint64_t flags,
			CUdriverProcAddressQueryResult *status)
{
	const struct entry *best = NULL, *best_pt = NULL, *e;
	bool per_thread = flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM;
	bool named = false;

	if (!symbol || !pfn || flags & ~(cuuint64_t)FC_PROC_FLAGS ||
	    (flags & FC_PROC_FLAGS) == FC_PROC_FLAGS || version > FC_DRIVER_VERSION)
		return -EINVAL;
	for (e = table; e < table + FC_ARRAY_SIZE(table); e++) {
		if (strcmp(e->name, symbol))
			continue;
		named = true;
		if (e->version > version)
			continue;
		if (!e->per_thread && (!best || e->version > best->version))
			best = e;
		if (e->per_thread && per_thread && (!best_pt || e->version > best_pt->version))
			best_pt = e;
	}
	if (best_pt && (!best || best_pt->version >= best->version))
		best = best_pt;
	*pfn = best ? best->fn : NULL;
	if (status)
		*status = best ? CU_GET_PROC_ADDRESS_SUCCESS :
			  named ? CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT :
				  CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
	return best ? 0 : -ENOENT;
}

CUresult CUDAAPI cuGetProcAddress(const char *symbol, void **pfn, int version, cuuint64_t flags)
{
	return fc_result(resolve(symbol, pfn, version, flags, NULL));
}

CUresult CUDAAPI cuGetProcAddress_v2(const char *symbol, void **pfn, int version,
				     cuuint64_t flags, CUdriverProcAddressQueryResult *status)
{
	return fc_result(resolve(symbol, pfn, version, flags, status));
}
