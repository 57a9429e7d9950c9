// SPDX-License-Identifier: GPL-2.0
/*
 * fakecuda in one process, through the CUDA API only: initialisation,
 * devices, contexts, handles and their errors, kernel durations, streams,
 * events, host functions and memory.
 */
#include <cudaTypedefs.h>
#include <sys/syscall.h>

#include "ft.h"
#include "kselftest_harness.h"

static struct ft_k k[FT_MAXK];
static struct ft_k sel[FT_MAXK];

FIXTURE(fc) {
	struct ft_env env;
	CUcontext ctx;
	CUmodule mod;
};

FIXTURE_SETUP(fc)
{
	ft_env_init(&self->env, "api");
	setenv("FAKECUDA_DEFAULT_US", "300", 1);
	ASSERT_EQ(CUDA_SUCCESS, ft_setup(&self->ctx, &self->mod));
}

FIXTURE_TEARDOWN(fc)
{
	ft_env_fini(&self->env);
}

TEST(before_init)
{
	CUcontext c;
	CUstream s;
	CUdeviceptr p;
	const char *str;
	int v = 0, n;

	ASSERT_EQ(CUDA_SUCCESS, cuDriverGetVersion(&v));
	ASSERT_EQ(13000, v);
	ASSERT_EQ(CUDA_ERROR_NOT_INITIALIZED, cuDeviceGetCount(&n));
	ASSERT_EQ(CUDA_ERROR_NOT_INITIALIZED, cuCtxGetCurrent(&c));
	ASSERT_EQ(CUDA_ERROR_NOT_INITIALIZED, cuStreamCreate(&s, 0));
	ASSERT_EQ(CUDA_ERROR_NOT_INITIALIZED, cuMemAlloc(&p, 16));
	ASSERT_EQ(CUDA_ERROR_NOT_INITIALIZED, cuStreamSynchronize(NULL));
	ASSERT_EQ(CUDA_ERROR_NOT_INITIALIZED,
		  cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuInit(1));
	ASSERT_EQ(CUDA_SUCCESS, cuGetErrorName(CUDA_ERROR_NOT_INITIALIZED, &str));
	ASSERT_STREQ("CUDA_ERROR_NOT_INITIALIZED", str);
}

TEST_F(fc, device)
{
	char name[64] = "";
	size_t mem = 0;
	CUdevice d = -1;
	int n = 0, v = 0;

	ASSERT_EQ(CUDA_SUCCESS, cuDeviceGetCount(&n));
	ASSERT_EQ(1, n);
	ASSERT_EQ(CUDA_SUCCESS, cuDeviceGet(&d, 0));
	ASSERT_EQ(0, d);
	ASSERT_EQ(CUDA_ERROR_INVALID_DEVICE, cuDeviceGet(&d, 1));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuDeviceGet(NULL, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuDeviceGetName(name, sizeof(name), 0));
	ASSERT_NE(0, strlen(name));
	ASSERT_EQ(CUDA_ERROR_INVALID_DEVICE, cuDeviceGetName(name, sizeof(name), 3));
	ASSERT_EQ(CUDA_SUCCESS, cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_WARP_SIZE, 0));
	ASSERT_EQ(32, v);
	ASSERT_EQ(CUDA_SUCCESS,
		  cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0));
	ASSERT_EQ(8, v);
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE,
		  cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MAX_PITCH, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuDeviceTotalMem(&mem, 0));
	ASSERT_LT(1ULL << 30, mem);
}

TEST_F(fc, contexts)
{
	CUcontext c = NULL, c2 = NULL, cur = NULL;
	CUexecAffinityParam aff;
	PFN_cuCtxCreate_v11040 create_v3;
	unsigned int flags;
	int active;

	ASSERT_EQ(CUDA_SUCCESS, cuCtxGetCurrent(&cur));
	ASSERT_EQ(self->ctx, cur);
	ASSERT_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxGetState(0, &flags, &active));
	ASSERT_EQ(1, active);
	ASSERT_EQ(CUDA_SUCCESS, cuCtxCreate(&c, NULL, 0, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxGetCurrent(&cur));
	ASSERT_EQ(c, cur);
	ASSERT_EQ(CUDA_SUCCESS, cuCtxPopCurrent(&cur));
	ASSERT_EQ(c, cur);
	ASSERT_EQ(CUDA_SUCCESS, cuCtxGetCurrent(&cur));
	ASSERT_EQ(self->ctx, cur);
	ASSERT_EQ(CUDA_SUCCESS, cuCtxPushCurrent(c));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxDestroy(c));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxGetCurrent(&cur));
	ASSERT_EQ(self->ctx, cur);
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuCtxSetCurrent(c));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuCtxDestroy(c));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuCtxDestroy(self->ctx));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuCtxCreate(NULL, NULL, 0, 0));
	ASSERT_EQ(CUDA_ERROR_INVALID_DEVICE, cuCtxCreate(&c2, NULL, 0, 4));
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuCtxCreate", (void **)&create_v3, 11040, 0, NULL));
	ASSERT_EQ(CUDA_SUCCESS, create_v3(&c2, &aff, 0, 0, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSynchronize());
	ASSERT_EQ(CUDA_SUCCESS, cuCtxDestroy(c2));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxPopCurrent(&cur));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuCtxPopCurrent(&cur));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuCtxSynchronize());
}

TEST_F(fc, no_context)
{
	CUfunction f;
	CUstream s;
	CUevent e;

	ASSERT_EQ(CUDA_SUCCESS, cuModuleGetFunction(&f, self->mod, "k_10us"));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSetCurrent(NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT,
		  cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuStreamCreate(&s, 0));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuEventCreate(&e, 0));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuStreamSynchronize(NULL));
	/* A released primary context is no context either. */
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSetCurrent(self->ctx));
	ASSERT_EQ(CUDA_SUCCESS, cuDevicePrimaryCtxRelease(0));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT,
		  cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_CONTEXT, cuDevicePrimaryCtxRelease(0));
}

TEST_F(fc, bad_handles)
{
	CUstream bogus_s = (CUstream)0xdeadbeef, s;
	CUfunction f, bogus_f = (CUfunction)0x1234;
	CUevent bogus_e = (CUevent)0x4321;
	const char *name;
	CUdeviceptr p;

	ASSERT_EQ(CUDA_SUCCESS, cuModuleGetFunction(&f, self->mod, "k_10us"));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&s, 0));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE,
		  cuLaunchKernel(bogus_f, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE,
		  cuLaunchKernel((CUfunction)s, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE,
		  cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, bogus_s, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE,
		  cuLaunchKernel(f, 0, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE,
		  cuLaunchKernel(f, 1, 1, 1, 2048, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuStreamSynchronize(bogus_s));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuStreamQuery(bogus_s));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventRecord(bogus_e, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventQuery(bogus_e));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventSynchronize(bogus_e));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventDestroy(bogus_e));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuStreamWaitEvent(NULL, bogus_e, 0));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuModuleGetFunction(&f, (CUmodule)s, "x"));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuModuleGetFunction(&f, self->mod, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuFuncGetName(&name, bogus_f));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuGraphLaunch((CUgraphExec)s, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuGraphExecDestroy((CUgraphExec)0x10));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuStreamDestroy(CU_STREAM_LEGACY));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemFree(0x1000));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemAlloc(&p, 0));
	ASSERT_EQ(CUDA_ERROR_FILE_NOT_FOUND, cuModuleLoad((CUmodule *)&p, "/nonexistent/x.cubin"));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuStreamCreate(&s, 0x80));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamDestroy(s));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuStreamDestroy(s));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE,
		  cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, s, NULL, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuModuleUnload(self->mod));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE,
		  cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuModuleUnload(self->mod));
}

TEST_F(fc, kernel_durations_and_names)
{
	CUfunction f, g;
	const char *name = NULL;
	int n;

	ASSERT_EQ(CUDA_SUCCESS, cuModuleGetFunction(&f, self->mod, "conv_1500us"));
	ASSERT_EQ(CUDA_SUCCESS, cuModuleGetFunction(&g, self->mod, "conv_1500us"));
	ASSERT_EQ(f, g);
	ASSERT_EQ(CUDA_SUCCESS, cuFuncGetName(&name, f));
	ASSERT_STREQ("conv_1500us", name);
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "conv_1500us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "plain", NULL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "zero_0us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "notus1500us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(NULL));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(4, n);
	ASSERT_STREQ("conv_1500us", k[0].name);
	ASSERT_EQ(1500000ULL, k[0].end - k[0].start);
	ASSERT_EQ(300000ULL, k[1].end - k[1].start);
	ASSERT_EQ(0ULL, k[2].end - k[2].start);
	ASSERT_EQ(300000ULL, k[3].end - k[3].start);
	ASSERT_EQ(getpid(), k[0].pid);
	ASSERT_EQ((unsigned long long)(uintptr_t)CU_STREAM_LEGACY, k[0].stream);
}

TEST_F(fc, library_kernels)
{
	static const char code[] = "fake library";
	CUlibrary lib;
	CUkernel kern;
	CUfunction f;
	const char *name;

	ASSERT_EQ(CUDA_SUCCESS, cuLibraryLoadData(&lib, code, NULL, NULL, 0, NULL, NULL, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuLibraryGetKernel(&kern, lib, "lib_200us"));
	ASSERT_EQ(CUDA_SUCCESS, cuKernelGetName(&name, kern));
	ASSERT_STREQ("lib_200us", name);
	ASSERT_EQ(CUDA_SUCCESS, cuKernelGetFunction(&f, kern));
	ASSERT_EQ(CUDA_SUCCESS, cuFuncGetName(&name, f));
	ASSERT_STREQ("lib_200us", name);
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_SUCCESS,
		  cuLaunchKernel((CUfunction)kern, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSynchronize());
	ASSERT_EQ(2, ft_log(&self->env, k, FT_MAXK));
	ASSERT_EQ(200000ULL, k[1].end - k[1].start);
	ASSERT_EQ(CUDA_SUCCESS, cuLibraryUnload(lib));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuLibraryGetKernel(&kern, lib, "x"));
}

/* One kernel at a time, in submission order across streams, each stream in order. */
TEST_F(fc, stream_order)
{
	CUstream s[3];
	char name[32];
	int i, n;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(CUDA_SUCCESS, cuStreamCreateWithPriority(&s[i], 0, -i));
	/* Queue everything before the device can drain it: then it never idles. */
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "gate_100000us", s[2]));
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "s%d_%dus", i % 3, 100 + 10 * i);
		ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, name, s[i % 3]));
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(s[i]));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(31, n);
	ASSERT_STREQ("gate_100000us", k[0].name);
	ASSERT_EQ(30, ft_pick(k, n, "s", sel));
	for (i = 0; i < 30; i++) {
		ASSERT_EQ((100 + 10 * i) * 1000ULL, sel[i].end - sel[i].start);
		ASSERT_EQ((unsigned long long)(uintptr_t)s[i % 3], sel[i].stream);
		ASSERT_LT(k[i].seq, k[i + 1].seq);
		ASSERT_EQ(k[i].end, k[i + 1].start);
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(CUDA_SUCCESS, cuStreamDestroy(s[i]));
}

TEST_F(fc, query_and_synchronize)
{
	struct ft_gate gate = FT_GATE;
	unsigned long long t0;
	CUstream s;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(s, ft_gate_wait, &gate));
	t0 = ft_now();
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "long_20000us", s));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuStreamQuery(s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(NULL));
	ft_gate_open(&gate);
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(s));
	ASSERT_LE(t0 + 20000000ULL, ft_now());
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(s));
	t0 = ft_now();
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "long_20000us", s));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSynchronize());
	ASSERT_LE(t0 + 20000000ULL, ft_now());
	ASSERT_EQ(2, ft_log(&self->env, k, FT_MAXK));
}

/* NULL means the legacy stream to cuStreamQuery and the per-thread one to _ptsz. */
TEST_F(fc, legacy_and_per_thread_streams)
{
	PFN_cuStreamQuery_v7000_ptsz query_ptsz;
	CUdriverProcAddressQueryResult st;
	struct ft_gate gate = FT_GATE;

	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuStreamQuery", (void **)&query_ptsz, 12000,
						 CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &st));
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(CU_STREAM_PER_THREAD, ft_gate_wait, &gate));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "pt_5000us", CU_STREAM_PER_THREAD));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(CU_STREAM_LEGACY));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuStreamQuery(CU_STREAM_PER_THREAD));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, query_ptsz(NULL));
	ft_gate_open(&gate);
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "lg_1000us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(CU_STREAM_PER_THREAD));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(NULL));
	/* The legacy stream's kernel did not wait behind the gated per-thread stream. */
	ASSERT_EQ(2, ft_log(&self->env, k, FT_MAXK));
	ASSERT_EQ((unsigned long long)(uintptr_t)CU_STREAM_LEGACY, k[0].stream);
	ASSERT_EQ((unsigned long long)(uintptr_t)CU_STREAM_PER_THREAD, k[1].stream);
	ASSERT_STREQ("lg_1000us", k[0].name);
}

TEST_F(fc, events)
{
	struct ft_gate gate = FT_GATE;
	CUevent a, b, cheap, never;
	float ms = -1;

	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&a, CU_EVENT_DEFAULT));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&b, CU_EVENT_BLOCKING_SYNC));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&cheap, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&never, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuEventCreate(&never, CU_EVENT_INTERPROCESS));
	ASSERT_EQ(CUDA_SUCCESS, cuEventQuery(never));
	ASSERT_EQ(CUDA_SUCCESS, cuEventSynchronize(never));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventElapsedTime(&ms, a, b));
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(NULL, ft_gate_wait, &gate));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "first_3000us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(a, NULL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "timed_5000us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(b, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecordWithFlags(cheap, NULL, CU_EVENT_RECORD_DEFAULT));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE,
		  cuEventRecordWithFlags(cheap, NULL, CU_EVENT_RECORD_EXTERNAL));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuEventQuery(b));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuEventQuery(cheap));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuEventElapsedTime(&ms, a, b));
	ft_gate_open(&gate);
	ASSERT_EQ(CUDA_SUCCESS, cuEventSynchronize(cheap));
	ASSERT_EQ(CUDA_SUCCESS, cuEventQuery(b));
	ASSERT_EQ(CUDA_SUCCESS, cuEventElapsedTime(&ms, a, b));
	ASSERT_LT(4.999f, ms);
	ASSERT_GT(5.001f, ms);
	ASSERT_EQ(CUDA_SUCCESS, cuEventElapsedTime(&ms, b, a));
	ASSERT_GT(-4.999f, ms);
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventElapsedTime(&ms, a, cheap));
	ASSERT_EQ(CUDA_SUCCESS, cuEventDestroy(a));
	ASSERT_EQ(CUDA_SUCCESS, cuEventDestroy(b));
	ASSERT_EQ(CUDA_SUCCESS, cuEventDestroy(cheap));
	ASSERT_EQ(CUDA_SUCCESS, cuEventDestroy(never));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventQuery(a));
}

static struct {
	unsigned long long done;
	pid_t tid;
	int calls;
} host;

static void host_fn(void *arg)
{
	usleep(100000);
	host.tid = (pid_t)syscall(SYS_gettid);
	host.calls += *(int *)arg;
	host.done = ft_now();
}

/*
 * k1 waits behind a 100 ms host function and k2 behind k1 (through an
 * event); k3 depends on nothing and so runs first, though submitted last.
 */
TEST_F(fc, wait_event_and_host_func)
{
	CUstream s1, s2, s3;
	struct ft_k *k1, *k2, *k3;
	CUevent e;
	int one = 1, n;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&s1, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&s2, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&s3, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&e, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuLaunchHostFunc(s1, NULL, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(s1, host_fn, &one));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k1_1000us", s1));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(e, s1));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamWaitEvent(s2, e, 0));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k2_1000us", s2));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k3_1000us", s3));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuStreamQuery(s2));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(s2));
	ASSERT_EQ(1, host.calls);
	ASSERT_NE(getpid(), host.tid);
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(3, n);
	k3 = &k[0];
	k1 = &k[1];
	k2 = &k[2];
	ASSERT_STREQ("k3_1000us", k3->name);
	ASSERT_STREQ("k1_1000us", k1->name);
	ASSERT_STREQ("k2_1000us", k2->name);
	ASSERT_LT(k1->seq, k3->seq);
	ASSERT_LE(host.done, k1->start);
	ASSERT_LE(k1->end, k2->start);
	ASSERT_EQ(CUDA_SUCCESS, cuEventDestroy(e));
}

TEST_F(fc, memory)
{
	char in[64] = "fakecuda", out[64] = "";
	CUdeviceptr p, q;
	size_t free_b, total;

	ASSERT_EQ(CUDA_SUCCESS, cuMemAlloc(&p, sizeof(in)));
	ASSERT_EQ(CUDA_SUCCESS, cuMemAlloc(&q, 1 << 20));
	ASSERT_EQ(CUDA_SUCCESS, cuMemGetInfo(&free_b, &total));
	ASSERT_LT(free_b, total);
	ASSERT_EQ(CUDA_SUCCESS, cuMemcpyHtoD(p, in, sizeof(in)));
	ASSERT_EQ(CUDA_SUCCESS, cuMemcpyDtoH(out, p, sizeof(out)));
	ASSERT_STREQ("fakecuda", out);
	ASSERT_EQ(CUDA_SUCCESS, cuMemcpyHtoDAsync(q + 100, "async", 6, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuMemcpyDtoHAsync(out, q + 100, 6, CU_STREAM_PER_THREAD));
	ASSERT_STREQ("async", out);
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemcpyHtoD(p + 1, in, sizeof(in)));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemcpyDtoH(out, 0x10, 4));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemcpyDtoH(NULL, p, 4));
	ASSERT_EQ(CUDA_SUCCESS, cuMemFree(p));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemFree(p));
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuMemcpyHtoD(p, in, 4));
	ASSERT_EQ(CUDA_SUCCESS, cuMemFree(q));
}

/* A synchronous copy to the host is where applications wait for their kernels. */
TEST_F(fc, copy_to_host_waits)
{
	unsigned long long t0;
	CUdeviceptr p;
	int v;

	ASSERT_EQ(CUDA_SUCCESS, cuMemAlloc(&p, sizeof(v)));
	t0 = ft_now();
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k_20000us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuMemcpyDtoH(&v, p, sizeof(v)));
	ASSERT_LE(t0 + 19000000ULL, ft_now());
	ASSERT_EQ(1, ft_log(&self->env, k, FT_MAXK));
	ASSERT_EQ(CUDA_SUCCESS, cuMemFree(p));
}

TEST_F(fc, error_strings)
{
	const char *s = "x";

	ASSERT_EQ(CUDA_SUCCESS, cuGetErrorName(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, &s));
	ASSERT_STREQ("CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", s);
	ASSERT_EQ(CUDA_SUCCESS, cuGetErrorString(CUDA_ERROR_INVALID_HANDLE, &s));
	ASSERT_NE(0, strlen(s));
	ASSERT_EQ(CUDA_SUCCESS, cuGetErrorName(CUDA_SUCCESS, &s));
	ASSERT_STREQ("CUDA_SUCCESS", s);
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetErrorName((CUresult)12345, &s));
	ASSERT_EQ(NULL, s);
	ASSERT_EQ(CUDA_ERROR_INVALID_VALUE, cuGetErrorString(CUDA_SUCCESS, NULL));
}

/* More launches than the push buffer holds: the launcher blocks, nothing is lost. */
TEST_F(fc, full_push_buffer)
{
	int i, n;

	for (i = 0; i < 5000; i++)
		ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "r_10us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSynchronize());
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(5000, n);
	for (i = 1; i < n; i++)
		ASSERT_LE(k[i - 1].end, k[i].start);
	ASSERT_EQ(5000, ft_pick(k, n, "r_", sel));
	ASSERT_EQ(5000, ft_stat(&self->env, NULL, "kernels_completed"));
}

struct worker {
	CUcontext ctx;
	CUmodule mod;
	CUresult res;
};

static void *launcher(void *arg)
{
	struct worker *w = arg;
	CUstream s;
	int i;

	w->res = cuCtxSetCurrent(w->ctx);
	if (!w->res)
		w->res = cuStreamCreate(&s, 0);
	for (i = 0; !w->res && i < 200; i++)
		w->res = ft_launch(w->mod, i % 2 ? "t_20us" : "u_10us", i % 3 ? s : NULL);
	if (!w->res)
		w->res = cuStreamSynchronize(s);
	if (!w->res)
		w->res = cuStreamDestroy(s);
	return NULL;
}

/* Threads of one process launching at once: nothing lost, nothing overlaps. */
TEST_F(fc, threads_launch_concurrently)
{
	struct worker w[4];
	pthread_t t[4];
	int i, n;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ self->ctx, self->mod, CUDA_ERROR_UNKNOWN };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, launcher, &w[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ASSERT_EQ(CUDA_SUCCESS, w[i].res);
	}
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSynchronize());
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(800, n);
	for (i = 1; i < n; i++)
		ASSERT_LE(k[i - 1].end, k[i].start);
	ASSERT_EQ(800, ft_stat(&self->env, NULL, "launches"));
}

TEST_HARNESS_MAIN
