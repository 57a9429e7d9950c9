// SPDX-License-Identifier: GPL-2.0
/*
 * Built with CUDA_API_PER_THREAD_DEFAULT_STREAM, as nvcc --default-stream
 * per-thread builds: cuda.h renames the calls to their _ptsz/_ptds
 * exports, and the NULL stream is each thread's own stream.
 */
#include "ft.h"
#include "kselftest_harness.h"

static struct ft_k k[FT_MAXK];

FIXTURE(ptds) {
	struct ft_env env;
	CUcontext ctx;
	CUmodule mod;
};

FIXTURE_SETUP(ptds)
{
	ft_env_init(&self->env, "ptds");
	ASSERT_EQ(CUDA_SUCCESS, ft_setup(&self->ctx, &self->mod));
}

FIXTURE_TEARDOWN(ptds)
{
	ft_env_fini(&self->env);
}

TEST_F(ptds, null_is_the_per_thread_stream)
{
	struct ft_gate gate = FT_GATE;
	CUdeviceptr p;
	int v;

	ASSERT_EQ(CUDA_SUCCESS, cuMemAlloc(&p, sizeof(v)));
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(NULL, ft_gate_wait, &gate));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "pt_5000us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(CU_STREAM_LEGACY));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuStreamQuery(NULL));
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuStreamQuery(CU_STREAM_PER_THREAD));
	ft_gate_open(&gate);
	ASSERT_EQ(CUDA_SUCCESS, cuMemcpyDtoH(&v, p, sizeof(v)));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(NULL));
	ASSERT_EQ(1, ft_log(&self->env, k, FT_MAXK));
	ASSERT_EQ((unsigned long long)(uintptr_t)CU_STREAM_PER_THREAD, k[0].stream);
	ASSERT_EQ(CUDA_SUCCESS, cuMemFree(p));
}

struct peer {
	CUcontext ctx;
	CUresult own_query;
};

static void *peer_thread(void *arg)
{
	struct peer *p = arg;

	cuCtxSetCurrent(p->ctx);
	p->own_query = cuStreamQuery(NULL);
	return NULL;
}

/* Another thread's NULL stream is another stream. */
TEST_F(ptds, threads_have_their_own)
{
	struct peer p = { self->ctx, CUDA_ERROR_UNKNOWN };
	struct ft_gate gate = FT_GATE;
	pthread_t t;

	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(NULL, ft_gate_wait, &gate));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "mine_1000us", NULL));
	pthread_create(&t, NULL, peer_thread, &p);
	pthread_join(t, NULL);
	ASSERT_EQ(CUDA_SUCCESS, p.own_query);
	ASSERT_EQ(CUDA_ERROR_NOT_READY, cuStreamQuery(NULL));
	ft_gate_open(&gate);
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(NULL));
}

/* cuda.h's inline cuGetProcAddress asks for the per-thread flavour by default. */
TEST_F(ptds, proc_address_defaults_to_per_thread)
{
	CUdriverProcAddressQueryResult st;
	void *fn = NULL;

	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuLaunchKernel", &fn, CUDA_VERSION,
						 CU_GET_PROC_ADDRESS_DEFAULT, &st));
	ASSERT_EQ((void *)&cuLaunchKernel, fn);
	ASSERT_EQ(CUDA_SUCCESS, cuGetProcAddress("cuStreamSynchronize", &fn, CUDA_VERSION,
						 CU_GET_PROC_ADDRESS_DEFAULT, &st));
	ASSERT_EQ((void *)&cuStreamSynchronize, fn);
}

TEST_F(ptds, capture_the_per_thread_stream)
{
	CUgraphExec exec;
	CUevent e;
	CUgraph g;

	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&e, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(NULL, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "cap_1000us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(e, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(NULL, &g));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphInstantiate(&exec, g, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(exec, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(NULL));
	ASSERT_EQ(1, ft_log(&self->env, k, FT_MAXK));
}

TEST_HARNESS_MAIN
