// SPDX-License-Identifier: GPL-2.0
/*
 * Entry points as the runtime and a shim find them: cuGetProcAddress (both
 * ABIs) by version and stream flavour, and dlsym on the dlopen'ed library.
 */
#include <cudaTypedefs.h>
#include <dlfcn.h>

#include "ft.h"
#include "kselftest_harness.h"

#define PT	CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM
#define LEG	CU_GET_PROC_ADDRESS_LEGACY_STREAM

static void *lib(void)
{
	const char *path = getenv("FAKECUDA_LIB");
	static void *h;

	if (!h)
		h = dlopen(path ? path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	return h;
}

/* Base name, version, flags: the symbol the driver must hand out. */
static const struct {
	const char *base;
	int version;
	cuuint64_t flags;
	const char *symbol;
} cases[] = {
	{ "cuLaunchKernel", 4000, 0, "cuLaunchKernel" },
	{ "cuLaunchKernel", 13000, 0, "cuLaunchKernel" },
	{ "cuLaunchKernel", 13000, LEG, "cuLaunchKernel" },
	{ "cuLaunchKernel", 13000, PT, "cuLaunchKernel_ptsz" },
	{ "cuLaunchKernel", 6050, PT, "cuLaunchKernel" },
	{ "cuLaunchKernelEx", 12000, PT, "cuLaunchKernelEx_ptsz" },
	{ "cuLaunchCooperativeKernel", 12000, PT, "cuLaunchCooperativeKernel_ptsz" },
	{ "cuLaunchHostFunc", 12000, 0, "cuLaunchHostFunc" },
	{ "cuStreamBeginCapture", 10000, 0, "cuStreamBeginCapture" },
	{ "cuStreamBeginCapture", 10000, PT, "cuStreamBeginCapture_ptsz" },
	{ "cuStreamBeginCapture", 10010, 0, "cuStreamBeginCapture_v2" },
	{ "cuStreamBeginCapture", 12000, PT, "cuStreamBeginCapture_v2_ptsz" },
	{ "cuStreamBeginCaptureToGraph", 12030, PT, "cuStreamBeginCaptureToGraph_ptsz" },
	{ "cuStreamGetCaptureInfo", 11000, 0, "cuStreamGetCaptureInfo" },
	{ "cuStreamGetCaptureInfo", 11030, PT, "cuStreamGetCaptureInfo_v2_ptsz" },
	{ "cuStreamGetCaptureInfo", 13000, 0, "cuStreamGetCaptureInfo_v3" },
	{ "cuStreamSynchronize", 13000, PT, "cuStreamSynchronize_ptsz" },
	{ "cuStreamQuery", 13000, 0, "cuStreamQuery" },
	{ "cuStreamWaitEvent", 13000, PT, "cuStreamWaitEvent_ptsz" },
	{ "cuEventRecord", 13000, PT, "cuEventRecord_ptsz" },
	{ "cuEventRecordWithFlags", 13000, PT, "cuEventRecordWithFlags_ptsz" },
	{ "cuEventElapsedTime", 12000, 0, "cuEventElapsedTime" },
	{ "cuEventElapsedTime", 12080, 0, "cuEventElapsedTime_v2" },
	{ "cuEventDestroy", 13000, 0, "cuEventDestroy_v2" },
	{ "cuStreamDestroy", 3000, 0, "cuStreamDestroy" },
	{ "cuStreamDestroy", 13000, 0, "cuStreamDestroy_v2" },
	{ "cuCtxCreate", 2000, 0, "cuCtxCreate" },
	{ "cuCtxCreate", 11000, 0, "cuCtxCreate_v2" },
	{ "cuCtxCreate", 12000, 0, "cuCtxCreate_v3" },
	{ "cuCtxCreate", 13000, 0, "cuCtxCreate_v4" },
	{ "cuCtxSynchronize", 12000, 0, "cuCtxSynchronize" },
	{ "cuCtxSynchronize", 13000, 0, "cuCtxSynchronize_v2" },
	{ "cuDevicePrimaryCtxRelease", 13000, 0, "cuDevicePrimaryCtxRelease_v2" },
	{ "cuMemAlloc", 13000, PT, "cuMemAlloc_v2" },
	{ "cuMemcpyDtoH", 6000, PT, "cuMemcpyDtoH_v2" },
	{ "cuMemcpyDtoH", 13000, PT, "cuMemcpyDtoH_v2_ptds" },
	{ "cuMemcpyHtoDAsync", 13000, PT, "cuMemcpyHtoDAsync_v2_ptsz" },
	{ "cuGraphInstantiate", 11000, 0, "cuGraphInstantiate_v2" },
	{ "cuGraphInstantiate", 12000, 0, "cuGraphInstantiateWithFlags" },
	{ "cuGraphLaunch", 13000, PT, "cuGraphLaunch_ptsz" },
	{ "cuGetProcAddress", 11030, 0, "cuGetProcAddress" },
	{ "cuGetProcAddress", 13000, 0, "cuGetProcAddress_v2" },
	{ "cuFuncGetName", 12030, 0, "cuFuncGetName" },
	{ "cuInit", 2000, 0, "cuInit" },
};

/* Works before cuInit: the runtime finds cuInit itself this way. */
TEST(resolve_by_version_and_flavour)
{
	CUdriverProcAddressQueryResult st;
	void *fn, *want;
	size_t i;

	ASSERT_NE(NULL, lib());
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = (CUdriverProcAddressQueryResult)-1;
		fn = NULL;
		want = dlsym(lib(), cases[i].symbol);
		ASSERT_NE(NULL, want) TH_LOG("dlsym %s", cases[i].symbol);
		ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress(cases[i].base, &fn, cases[i].version,
							 cases[i].flags, &st))
			TH_LOG("%s at %d", cases[i].base, cases[i].version);
		ASSERT_EQ(CU_GET_PROC_ADDRESS_SUCCESS, st);
		ASSERT_EQ(want, fn) TH_LOG("%s at %d flags %llu: wanted %s", cases[i].base,
					   cases[i].version,
					   (unsigned long long)cases[i].flags, cases[i].symbol);
	}
}

TEST(not_found)
{
	CUdriverProcAddressQueryResult st;
	PFN_cuGetProcAddress_v11030 old;
	void *fn = (void *)1;

	ASSERT_EQ(CUDA_ERROR_NOT_FOUND, cuGetProcAddress("cuNoSuchThing", &fn, 13000, 0, &st));
	ASSERT_EQ(CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND, st);
	ASSERT_EQ(NULL, fn);
	ASSERT_EQ(CUDA_ERROR_NOT_FOUND, cuGetProcAddress("cuLaunchKernel_ptsz", &fn, 13000, 0, &st));
	ASSERT_EQ(CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND, st);
	ASSERT_EQ(CUDA_ERROR_NOT_FOUND, cuGetProcAddress("cuLaunchKernel", &fn, 3020, PT, &st));
	ASSERT_EQ(CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT, st);
	ASSERT_EQ(NULL, fn);
	ASSERT_EQ(CUDA_ERROR_NOT_FOUND, cuGetProcAddress("cuFuncGetName", &fn, 12020, 0, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress("cuInit", &fn, 13010, 0, &st));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress("cuInit", &fn, 13000, 4, &st));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress("cuInit", &fn, 13000, PT | LEG, &st));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress(NULL, &fn, 13000, 0, &st));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetProcAddress("cuInit", NULL, 13000, 0, &st));
	/* The four-argument ABI of 11.3 has no status to write. */
	old = dlsym(lib(), "cuGetProcAddress");
	ASSERT_NE(NULL, old);
	ASSERT_EQ(CUDA_ERROR_NOT_FOUND, old("cuNoSuchThing", &fn, 13000, 0));
	ASSERT_EQ(CUDA_SUCCESS, old("cuInit", &fn, 13000, 0));
	ASSERT_EQ(dlsym(lib(), "cuInit"), fn);
}

/* Pointers handed out are the entry points: calling them works. */
TEST(call_through_pointers)
{
	PFN_cuDriverGetVersion_v2020 version;
	PFN_cuInit_v2000 init;
	PFN_cuLaunchKernel_v7000_ptsz launch;
	PFN_cuStreamSynchronize_v7000_ptsz sync;
	PFN_cuModuleGetFunction_v2000 getfn;
	struct ft_env env;
	CUcontext ctx;
	CUmodule mod;
	CUfunction f;
	struct ft_k k[4];
	int v = 0;

	ft_env_init(&env, "pa");
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuDriverGetVersion", (void **)&version,
						 12000, 0, NULL));
	ASSERT_EQ(CUDA_SUCCESS, version(&v));
	ASSERT_EQ(13000, v);
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuInit", (void **)&init, 12000, 0, NULL));
	ASSERT_EQ(CUDA_SUCCESS, init(0));
	ASSERT_EQ(CUDA_SUCCESS, ft_setup(&ctx, &mod));
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuModuleGetFunction", (void **)&getfn,
						 12000, 0, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuLaunchKernel", (void **)&launch, 12000,
						 PT, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuStreamSynchronize", (void **)&sync, 12000,
						 PT, NULL));
	ASSERT_EQ(CUDA_SUCCESS, getfn(&f, mod, "viaptr_100us"));
	ASSERT_EQ(CUDA_SUCCESS, launch(f, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_SUCCESS, sync(NULL));
	ASSERT_EQ(1, ft_log(&env, k, 4));
	ASSERT_EQ((unsigned long long)(uintptr_t)CU_STREAM_PER_THREAD, k[0].stream);
	ft_env_fini(&env);
}

/* What the shim relies on, spelled out: the version script only holds a pattern. */
static const char *const required[] = {
	"cuInit", "cuDriverGetVersion", "cuDeviceGet", "cuDeviceGetCount", "cuDeviceGetName",
	"cuDeviceGetAttribute", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain",
	"cuDevicePrimaryCtxRelease", "cuDevicePrimaryCtxRelease_v2", "cuCtxCreate",
	"cuCtxCreate_v2", "cuCtxCreate_v3", "cuCtxCreate_v4", "cuCtxDestroy_v2",
	"cuCtxSetCurrent", "cuCtxGetCurrent", "cuCtxPushCurrent_v2", "cuCtxPopCurrent_v2",
	"cuCtxSynchronize", "cuCtxSynchronize_v2", "cuModuleLoad", "cuModuleLoadData",
	"cuModuleLoadDataEx", "cuModuleUnload", "cuModuleGetFunction", "cuLibraryLoadData",
	"cuLibraryGetKernel", "cuKernelGetFunction", "cuFuncGetName", "cuStreamCreate",
	"cuStreamCreateWithPriority", "cuStreamDestroy_v2", "cuStreamQuery",
	"cuStreamQuery_ptsz", "cuStreamSynchronize", "cuStreamSynchronize_ptsz",
	"cuStreamWaitEvent", "cuStreamWaitEvent_ptsz", "cuEventCreate", "cuEventRecord",
	"cuEventRecord_ptsz", "cuEventRecordWithFlags", "cuEventRecordWithFlags_ptsz",
	"cuEventQuery", "cuEventSynchronize", "cuEventDestroy_v2", "cuEventElapsedTime",
	"cuEventElapsedTime_v2", "cuLaunchKernel", "cuLaunchKernel_ptsz", "cuLaunchKernelEx",
	"cuLaunchKernelEx_ptsz", "cuLaunchCooperativeKernel", "cuLaunchCooperativeKernel_ptsz",
	"cuLaunchHostFunc", "cuLaunchHostFunc_ptsz", "cuStreamBeginCapture",
	"cuStreamBeginCapture_ptsz", "cuStreamBeginCapture_v2", "cuStreamBeginCapture_v2_ptsz",
	"cuStreamBeginCaptureToGraph", "cuStreamBeginCaptureToGraph_ptsz",
	"cuStreamEndCapture", "cuStreamEndCapture_ptsz", "cuStreamIsCapturing",
	"cuStreamIsCapturing_ptsz", "cuStreamGetCaptureInfo", "cuStreamGetCaptureInfo_ptsz",
	"cuStreamGetCaptureInfo_v2", "cuStreamGetCaptureInfo_v2_ptsz",
	"cuStreamGetCaptureInfo_v3", "cuStreamGetCaptureInfo_v3_ptsz",
	"cuGraphInstantiateWithFlags", "cuGraphInstantiate", "cuGraphInstantiate_v2",
	"cuGraphLaunch", "cuGraphLaunch_ptsz", "cuGraphExecDestroy", "cuGraphDestroy",
	"cuMemAlloc_v2", "cuMemFree_v2", "cuMemcpyHtoD_v2", "cuMemcpyHtoD_v2_ptds",
	"cuMemcpyDtoH_v2", "cuMemcpyDtoH_v2_ptds", "cuMemcpyHtoDAsync_v2",
	"cuMemcpyHtoDAsync_v2_ptsz", "cuMemcpyDtoHAsync_v2", "cuMemcpyDtoHAsync_v2_ptsz",
	"cuGetErrorName", "cuGetErrorString", "cuGetProcAddress", "cuGetProcAddress_v2",
};

TEST(dlsym_finds_every_entry_point)
{
	size_t i;

	ASSERT_NE(NULL, lib());
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *name = required[i];

		ASSERT_NE(NULL, dlsym(lib(), name)) TH_LOG("no %s", name ? name : "?");
	}
	/* Internals stay inside. */
	ASSERT_EQ(NULL, dlsym(lib(), "fc_advance"));
	ASSERT_EQ(NULL, dlsym(lib(), "fc_result"));
	ASSERT_EQ(NULL, dlsym(lib(), "fc"));
}

TEST_HARNESS_MAIN
