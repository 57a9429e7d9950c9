// SPDX-License-Identifier: GPL-2.0
/*
 * Stream capture and graphs: what capture records instead of running, the
 * calls that invalidate a capture (as strictly as the driver), capture
 * modes across threads, fork and join, and graph launches that run.
 */
#include <pthread.h>

#include "ft.h"
#include "kselftest_harness.h"

static struct ft_k k[FT_MAXK];

FIXTURE(cap) {
	struct ft_env env;
	CUcontext ctx;
	CUmodule mod;
	CUstream s, t;
};

FIXTURE_SETUP(cap)
{
	ft_env_init(&self->env, "cap");
	ASSERT_EQ(CUDA_SUCCESS, ft_setup(&self->ctx, &self->mod));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&self->s, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&self->t, CU_STREAM_NON_BLOCKING));
}

FIXTURE_TEARDOWN(cap)
{
	ft_env_fini(&self->env);
}

static CUstreamCaptureStatus status(CUstream s)
{
	CUstreamCaptureStatus st = (CUstreamCaptureStatus)-1;

	cuStreamIsCapturing(s, &st);
	return st;
}

/* Captured work is recorded, not run; the graph runs it, once per launch. */
TEST_F(cap, graph_runs_captured_kernels)
{
	CUstreamCaptureStatus st;
	const CUgraphNode *deps;
	CUgraphExec exec;
	cuuint64_t id = 0;
	CUgraph g = NULL, g2;
	size_t ndeps = 9;
	int i, n;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_ACTIVE, status(self->s));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_NONE, status(self->t));
	ASSERT_EQ(CUDA_ERROR_ILLEGAL_STATE,
		  cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "g1_1000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "g2_2000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamGetCaptureInfo(self->s, &st, &id, &g2, &deps, NULL,
						       &ndeps));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_ACTIVE, st);
	ASSERT_NE(0, id);
	ASSERT_EQ(1, ndeps);
	ASSERT_NE(NULL, deps);
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "g3_3000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &g));
	ASSERT_EQ(g2, g);
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_NONE, status(self->s));
	ASSERT_EQ(0, ft_log(&self->env, k, FT_MAXK));
	ASSERT_EQ(0, ft_stat(&self->env, NULL, "kernels_submitted"));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphInstantiate(&exec, g, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphDestroy(g));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(exec, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(exec, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(self->s));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(6, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ((i % 3 + 1) * 1000000ULL, k[i].end - k[i].start);
		/* One launch enqueues all its kernels at once: no gap inside it. */
		if (i % 3) {
			ASSERT_EQ(k[i - 1].end, k[i].start);
		} else if (i) {
			ASSERT_LE(k[i - 1].end, k[i].start);
		}
	}
	ASSERT_EQ(2, ft_stat(&self->env, "\"procs\"", "graph_launches"));
	ASSERT_EQ(0, ft_stat(&self->env, "\"procs\"", "launches"));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphExecDestroy(exec));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuGraphLaunch(exec, self->s));
}

TEST_F(cap, query_capturing_stream_invalidates)
{
	CUgraph g = (CUgraph)1;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k_1000us", self->s));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamQuery(self->s));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_INVALIDATED, status(self->s));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, ft_launch(self->mod, "k_1000us", self->s));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));
	ASSERT_EQ(NULL, g);
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_NONE, status(self->s));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "after_1000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(self->s));
	ASSERT_EQ(1, ft_log(&self->env, k, FT_MAXK));
}

TEST_F(cap, synchronize_capturing_stream_invalidates)
{
	CUgraph g;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_RELAXED));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamSynchronize(self->s));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));
}

/*
 * Recording an event into a capturing stream is legal (fork and join use
 * it); the event then stands for no executable work, and querying or
 * synchronising it fails and invalidates the capture.
 */
TEST_F(cap, event_recorded_in_capture)
{
	CUevent e, f;
	CUgraph g;
	float ms;

	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&e, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&f, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_RELAXED));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k_1000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(e, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(f, self->s));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_ACTIVE, status(self->s));
	ASSERT_EQ(CUDA_ERROR_CAPTURED_EVENT, cuEventQuery(e));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_INVALIDATED, status(self->s));
	ASSERT_EQ(CUDA_ERROR_CAPTURED_EVENT, cuEventSynchronize(f));
	ASSERT_EQ(CUDA_ERROR_INVALID_HANDLE, cuEventElapsedTime(&ms, f, f));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));
	/* Re-recorded outside capture, it is an ordinary event again. */
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(e, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuEventSynchronize(e));
}

/* A global-mode capture bars potentially unsafe calls in every thread; relaxed lifts it. */
TEST_F(cap, unsafe_calls_in_global_mode)
{
	CUstreamCaptureMode mode = CU_STREAM_CAPTURE_MODE_RELAXED;
	CUdeviceptr p;
	CUgraph g;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuMemAlloc(&p, 64));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamQuery(self->t));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, cuThreadExchangeStreamCaptureMode(&mode));
	ASSERT_EQ(CU_STREAM_CAPTURE_MODE_GLOBAL, mode);
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(self->t));
	ASSERT_EQ(CUDA_SUCCESS, cuMemAlloc(&p, 64));
	ASSERT_EQ(CUDA_SUCCESS, cuMemFree(p));
	ASSERT_EQ(CUDA_SUCCESS, cuThreadExchangeStreamCaptureMode(&mode));
	ASSERT_EQ(CU_STREAM_CAPTURE_MODE_RELAXED, mode);
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &g));
	ASSERT_NE(NULL, g);
	/* A context holding a capturing stream cannot be synchronised in any mode. */
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->t, CU_STREAM_CAPTURE_MODE_RELAXED));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuCtxSynchronize());
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->t, &g));
	ASSERT_EQ(CUDA_SUCCESS, cuCtxSynchronize());
}

struct other {
	CUcontext ctx;
	CUstream s;
	CUresult query;
};

static void *query_from_other_thread(void *arg)
{
	struct other *o = arg;

	cuCtxSetCurrent(o->ctx);
	o->query = cuStreamQuery(o->s);
	return NULL;
}

static CUresult query_in_thread(CUcontext ctx, CUstream s)
{
	struct other o = { ctx, s, CUDA_ERROR_UNKNOWN };
	pthread_t t;

	pthread_create(&t, NULL, query_from_other_thread, &o);
	pthread_join(t, NULL);
	return o.query;
}

TEST_F(cap, capture_modes_across_threads)
{
	CUgraph g;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
	ASSERT_EQ(CUDA_SUCCESS, query_in_thread(self->ctx, self->t));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, cuStreamQuery(self->t));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, query_in_thread(self->ctx, self->t));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_RELAXED));
	ASSERT_EQ(CUDA_SUCCESS, query_in_thread(self->ctx, self->t));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamQuery(self->t));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &g));
}

/* The legacy stream waits for blocking streams, so it is unusable while one captures. */
TEST_F(cap, legacy_stream_during_capture)
{
	CUstreamCaptureStatus st;
	CUgraph g;

	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
		  cuStreamBeginCapture(NULL, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_ERROR_ILLEGAL_STATE, cuStreamEndCapture(self->s, &g));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_RELAXED));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, cuStreamIsCapturing(NULL, &st));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_ACTIVE, status(self->s));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, ft_launch(self->mod, "k_10us", NULL));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_INVALIDATED, status(self->s));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));

	/* A non-blocking stream's capture leaves the legacy stream alone. */
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->t, CU_STREAM_CAPTURE_MODE_RELAXED));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "k_10us", NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->t, &g));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(NULL));
	ASSERT_EQ(1, ft_log(&self->env, k, FT_MAXK));
}

/* A stream joins a capture by waiting on its event, and must be joined back. */
TEST_F(cap, fork_and_join)
{
	CUstream side;
	CUevent fork_ev, join_ev, plain;
	CUgraphExec exec;
	CUgraph g = NULL;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamCreate(&side, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&fork_ev, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&join_ev, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_SUCCESS, cuEventCreate(&plain, CU_EVENT_DISABLE_TIMING));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(plain, self->t));

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "main_1000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(fork_ev, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamWaitEvent(side, fork_ev, 0));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_ACTIVE, status(side));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "side_2000us", side));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNMATCHED, cuStreamEndCapture(side, &g));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(join_ev, side));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamWaitEvent(self->s, join_ev, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &g));
	ASSERT_EQ(CU_STREAM_CAPTURE_STATUS_NONE, status(side));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphInstantiateWithFlags(&exec, g, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(exec, self->t));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(self->t));
	ASSERT_EQ(2, ft_log(&self->env, k, FT_MAXK));

	/* Forked and never joined back. */
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, cuEventRecord(fork_ev, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamWaitEvent(side, fork_ev, 0));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "side_2000us", side));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_UNJOINED, cuStreamEndCapture(self->s, &g));
	ASSERT_EQ(NULL, g);

	/* Waiting on uncaptured work from inside a capture crosses its boundary. */
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_ISOLATION, cuStreamWaitEvent(self->s, plain, 0));
	ASSERT_EQ(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, cuStreamEndCapture(self->s, &g));
}

/* Capture into a graph the caller made; a graph launch inside a capture is captured. */
TEST_F(cap, capture_to_graph_and_nested_launch)
{
	CUgraphExec inner_exec, outer_exec;
	CUgraph inner, outer, got;
	int n;

	ASSERT_EQ(CUDA_SUCCESS, cuGraphCreate(&inner, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCaptureToGraph(self->s, inner, NULL, NULL, 0,
							    CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_ERROR_ILLEGAL_STATE, cuGraphDestroy(inner));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "in_1000us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &got));
	ASSERT_EQ(inner, got);
	ASSERT_EQ(CUDA_SUCCESS, cuGraphInstantiateWithFlags(&inner_exec, inner, 0));

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(inner_exec, self->s));
	ASSERT_EQ(CUDA_SUCCESS, ft_launch(self->mod, "out_500us", self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &outer));
	ASSERT_EQ(0, ft_log(&self->env, k, FT_MAXK));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphInstantiateWithFlags(&outer_exec, outer, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(outer_exec, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(NULL));
	n = ft_log(&self->env, k, FT_MAXK);
	ASSERT_EQ(2, n);
	ASSERT_STREQ("in_1000us", k[0].name);
	ASSERT_STREQ("out_500us", k[1].name);
	ASSERT_EQ(CUDA_SUCCESS, cuGraphDestroy(inner));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphDestroy(outer));
}

static int host_runs;

static void host_fn(void *arg)
{
	host_runs++;
}

TEST_F(cap, captured_host_function)
{
	CUgraphExec exec;
	CUgraph g;

	ASSERT_EQ(CUDA_SUCCESS, cuStreamBeginCapture(self->s, CU_STREAM_CAPTURE_MODE_GLOBAL));
	ASSERT_EQ(CUDA_SUCCESS, cuLaunchHostFunc(self->s, host_fn, NULL));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamEndCapture(self->s, &g));
	ASSERT_EQ(0, host_runs);
	ASSERT_EQ(CUDA_SUCCESS, cuGraphInstantiateWithFlags(&exec, g, 0));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(exec, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuGraphLaunch(exec, self->s));
	ASSERT_EQ(CUDA_SUCCESS, cuStreamSynchronize(self->s));
	ASSERT_EQ(2, host_runs);
}

TEST_HARNESS_MAIN
