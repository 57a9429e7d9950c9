// SPDX-License-Identifier: GPL-2.0
/*
 * A CUDA application with known numbers of calls, for the observe-only
 * tests: linked with -lcuda against the fake libcuda as real apps link.
 *
 * usage: cuda_app LAUNCH LAUNCH_EX GRAPH STREAM_SYNC CTX_SYNC [--wait]
 *
 * Makes exactly that many calls of cuLaunchKernel, cuLaunchKernelEx,
 * cuGraphLaunch, cuStreamSynchronize and cuCtxSynchronize, plus one
 * cuLaunchKernel into the capture that builds the graph when GRAPH > 0.
 * With --wait it reads one byte from stdin after setting up CUDA and
 * before the first counted call, so a tracer can attach to its maps.
 */
#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHECK(call)							\
	do {								\
		CUresult __r = (call);					\
		if (__r != CUDA_SUCCESS) {				\
			fprintf(stderr, "cuda_app: %s: error %d\n", #call, (int)__r); \
			exit(1);					\
		}							\
	} while (0)

int main(int argc, char **argv)
{
	static const char image[] = "fake image";
	CUlaunchConfig cfg = {
		.gridDimX = 1, .gridDimY = 1, .gridDimZ = 1,
		.blockDimX = 32, .blockDimY = 1, .blockDimZ = 1,
	};
	long n[5];
	CUcontext ctx;
	CUmodule mod;
	CUfunction f;
	CUstream s;
	CUgraph g;
	CUgraphExec ge;
	char go;
	int i;
	long k;

	if (argc < 6) {
		fprintf(stderr, "usage: cuda_app LAUNCH LAUNCH_EX GRAPH STREAM_SYNC CTX_SYNC [--wait]\n");
		return 2;
	}
	for (i = 0; i < 5; i++)
		n[i] = atol(argv[i + 1]);
	CHECK(cuInit(0));
	CHECK(cuDevicePrimaryCtxRetain(&ctx, 0));
	CHECK(cuCtxSetCurrent(ctx));
	CHECK(cuModuleLoadData(&mod, image));
	CHECK(cuModuleGetFunction(&f, mod, "k_20us"));
	CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
	cfg.hStream = s;
	if (argc > 6 && read(0, &go, 1) != 1)
		return 1;

	for (k = 0; k < n[0]; k++)
		CHECK(cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, s, NULL, NULL));
	for (k = 0; k < n[1]; k++)
		CHECK(cuLaunchKernelEx(&cfg, f, NULL, NULL));
	if (n[2]) {
		CHECK(cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_GLOBAL));
		CHECK(cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, s, NULL, NULL));
		CHECK(cuStreamEndCapture(s, &g));
		CHECK(cuGraphInstantiate(&ge, g, 0));
		for (k = 0; k < n[2]; k++)
			CHECK(cuGraphLaunch(ge, s));
	}
	for (k = 0; k < n[3]; k++)
		CHECK(cuStreamSynchronize(s));
	for (k = 0; k < n[4]; k++)
		CHECK(cuCtxSynchronize());
	return 0;
}
