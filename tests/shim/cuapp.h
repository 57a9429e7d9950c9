/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cuapp: a small CUDA driver API program the shim's tests and benchmarks
 * run, with and without librtslot-cuda.so preloaded, on the fake driver.
 * It links libcuda like a real app and prints what it saw as key=value.
 */
#ifndef CUAPP_H
#define CUAPP_H

#include <stdint.h>

#include <cuda.h>

struct cuapp {
	CUcontext ctx;
	CUmodule mod;
};

#define CHECK(call) do {							\
	CUresult r_ = (call);							\
	if (r_ != CUDA_SUCCESS)							\
		cuapp_die(#call, r_);						\
} while (0)

void cuapp_die(const char *what, CUresult r) __attribute__((noreturn));
void cuapp_init(struct cuapp *a);
/* The fake driver runs a kernel named ..._<N>us for N microseconds. */
CUfunction cuapp_kernel(struct cuapp *a, unsigned int us);
CUresult cuapp_launch(CUfunction f, CUstream s);
uint64_t cuapp_now(void);
void cuapp_sleep_until(uint64_t t);
long cuapp_arg(int argc, char **argv, const char *name, long dflt);

int cuapp_paths(int argc, char **argv);
int cuapp_capture(int argc, char **argv);
int cuapp_fork(int argc, char **argv);
int cuapp_threads(int argc, char **argv);
int cuapp_periodic(int argc, char **argv);
int cuapp_hog(int argc, char **argv);
int cuapp_bench(int argc, char **argv);
int cuapp_markers(int argc, char **argv);

#endif
