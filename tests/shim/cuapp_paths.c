// SPDX-License-Identifier: GPL-2.0
/*
 * cuapp paths: the three ways an app reaches the driver (linked symbols,
 * dlsym, cuGetProcAddress as the CUDA runtime uses it), where each lands,
 * and a launch through each.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <cudaTypedefs.h>

#include "cuapp.h"
#include "rtslot/client.h"

static const char *where(const void *p)
{
	Dl_info info;
	const char *base;

	if (!p)
		return "none";
	if (!dladdr(p, &info) || !info.dli_fname)
		return "unknown";
	base = strrchr(info.dli_fname, '/');
	return base ? base + 1 : info.dli_fname;
}

static void getproc(const char *key, const char *sym, int version, cuuint64_t flags,
		    void **out)
{
	CUdriverProcAddressQueryResult st = (CUdriverProcAddressQueryResult)-1;
	void *p = NULL;
	CUresult r = cuGetProcAddress(sym, &p, version, flags, &st);

	printf("%s=%s %s_status=%d %s_result=%d\n", key, where(p), key, (int)st, key, (int)r);
	if (out)
		*out = p;
}

static void launch_via(const char *key, PFN_cuLaunchKernel_v4000 fn, CUfunction f)
{
	CUresult r = fn ? fn(f, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL) : CUDA_ERROR_NOT_FOUND;

	/* Context-wide: the end of the job whichever stream the variant took. */
	if (r == CUDA_SUCCESS)
		r = cuCtxSynchronize();
	printf("launch_%s=%d\n", key, (int)r);
}

int cuapp_paths(int argc, char **argv)
{
	void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	void *p_dflt, *p_pt, *p_old, *p_gp, *p_gp1, *p_v1;
	PFN_cuGetProcAddress_v11030 gp1;
	struct rtslot_shim_status st;
	struct cuapp a;
	CUfunction f;

	cuapp_init(&a);
	f = cuapp_kernel(&a, 100);

	printf("linked=%s\n", where((void *)&cuLaunchKernel));
	printf("linked_sync=%s\n", where((void *)&cuStreamSynchronize));
	printf("dlsym=%s\n", where(dlsym(cuda, "cuLaunchKernel")));
	printf("dlsym_ptsz=%s\n", where(dlsym(cuda, "cuLaunchKernel_ptsz")));
	printf("dlsym_default=%s\n", where(dlsym(RTLD_DEFAULT, "cuGraphLaunch")));
	printf("dlsym_unhooked=%s\n", where(dlsym(cuda, "cuMemAlloc_v2")));
	printf("dlsym_cudnn=%s\n", where(dlsym(cuda, "cudnnCreate")));

	getproc("gp", "cuLaunchKernel", 12000, CU_GET_PROC_ADDRESS_DEFAULT, &p_dflt);
	getproc("gp_pt", "cuLaunchKernel", 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM,
		&p_pt);
	printf("gp_pt_is_ptsz_export=%d\n", p_pt && p_pt == dlsym(RTLD_DEFAULT, "cuLaunchKernel_ptsz"));
	printf("gp_is_export=%d\n", p_dflt && p_dflt == dlsym(RTLD_DEFAULT, "cuLaunchKernel"));
	getproc("gp_capture_old", "cuStreamBeginCapture", 10000, CU_GET_PROC_ADDRESS_DEFAULT, &p_old);
	printf("gp_capture_old_is_v2=%d\n",
	       p_old && p_old == dlsym(RTLD_DEFAULT, "cuStreamBeginCapture_v2"));
	getproc("gp_self", "cuGetProcAddress", 12000, CU_GET_PROC_ADDRESS_DEFAULT, &p_gp);
	getproc("gp_self_v1", "cuGetProcAddress", 11030, CU_GET_PROC_ADDRESS_DEFAULT, &p_gp1);
	getproc("gp_unhooked", "cuMemAlloc", 12000, CU_GET_PROC_ADDRESS_DEFAULT, NULL);
	getproc("gp_too_old", "cuLaunchKernelEx", 11000, CU_GET_PROC_ADDRESS_DEFAULT, NULL);
	getproc("gp_missing", "cuNoSuchEntryPoint", 12000, CU_GET_PROC_ADDRESS_DEFAULT, NULL);

	/* The 4-argument form, as CUDA 11 runtimes fetch it by name. */
	gp1 = (PFN_cuGetProcAddress_v11030)dlsym(cuda, "cuGetProcAddress");
	printf("dlsym_gp_v1=%s\n", where((void *)gp1));
	p_v1 = NULL;
	if (gp1)
		gp1("cuLaunchKernel", &p_v1, 12000, CU_GET_PROC_ADDRESS_DEFAULT);
	printf("gp_v1=%s\n", where(p_v1));

	launch_via("linked", cuLaunchKernel, f);
	launch_via("dlsym", (PFN_cuLaunchKernel_v4000)dlsym(cuda, "cuLaunchKernel"), f);
	launch_via("getproc", (PFN_cuLaunchKernel_v4000)p_dflt, f);
	launch_via("getproc_pt", (PFN_cuLaunchKernel_v4000)p_pt, f);
	launch_via("getproc_v1", (PFN_cuLaunchKernel_v4000)p_v1, f);

	if (rtslot_shim_status && !rtslot_shim_status(&st))
		printf("shim_state=%u requests=%llu jobs=%llu ungated=%llu\n", st.state,
		       (unsigned long long)st.requests, (unsigned long long)st.jobs,
		       (unsigned long long)st.ungated);
	else
		printf("shim_state=absent\n");
	(void)argc;
	(void)argv;
	return 0;
}
