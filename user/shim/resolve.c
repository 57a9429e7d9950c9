// SPDX-License-Identifier: GPL-2.0
/*
 * librtslot-cuda.so resolution: how apps reach the hooks (the linked
 * symbols, dlsym, cuGetProcAddress) and how the hooks reach the real
 * driver (only ever through libcuda's own handle and cuGetProcAddress,
 * never RTLD_NEXT or RTLD_DEFAULT, which would find the hooks again).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"
#include "shim_gen.h"

typedef void *(*dlsym_fn)(void *, const char *);
typedef CUresult (CUDAAPI *getproc_v2_fn)(const char *, void **, int, cuuint64_t,
					   CUdriverProcAddressQueryResult *);
typedef CUresult (CUDAAPI *getproc_v1_fn)(const char *, void **, int, cuuint64_t);

static dlsym_fn real_dlsym_fn;

/* dlsym itself is interposed: the real one comes by version from libc. */
static dlsym_fn real_dlsym(void)
{
	dlsym_fn f = __atomic_load_n(&real_dlsym_fn, __ATOMIC_ACQUIRE);

	if (f)
		return f;
	f = (dlsym_fn)dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
	if (!f)
		f = (dlsym_fn)dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.2.5");
	__atomic_store_n(&real_dlsym_fn, f, __ATOMIC_RELEASE);
	return f;
}

static void *libcuda;
static getproc_v2_fn getproc_v2;
static getproc_v1_fn getproc_v1;
static pthread_once_t libcuda_once = PTHREAD_ONCE_INIT;

/*
 * By the time a hook runs the app has loaded the driver (it linked it,
 * dlsym'ed it or asked its cuGetProcAddress), so this finds the loaded
 * copy; RTSLOT_LIBCUDA names another for tests.
 */
static void libcuda_open(void)
{
	const char *path = getenv("RTSLOT_LIBCUDA");
	dlsym_fn sym = real_dlsym();

	libcuda = dlopen(path && *path ? path : "libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
	if (!libcuda || !sym)
		return;
	getproc_v2 = (getproc_v2_fn)sym(libcuda, "cuGetProcAddress_v2");
	getproc_v1 = (getproc_v1_fn)sym(libcuda, "cuGetProcAddress");
}

static void *libcuda_handle(void)
{
	pthread_once(&libcuda_once, libcuda_open);
	return libcuda;
}

void *shim_driver_sym(const char *name, unsigned int version, int per_thread)
{
	cuuint64_t flags = per_thread ? CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM :
					CU_GET_PROC_ADDRESS_LEGACY_STREAM;
	CUdriverProcAddressQueryResult st;
	void *p = NULL;

	if (!libcuda_handle())
		return NULL;
	if (getproc_v2) {
		if (getproc_v2(name, &p, (int)version, flags, &st) || st != CU_GET_PROC_ADDRESS_SUCCESS)
			return NULL;
	} else if (!getproc_v1 || getproc_v1(name, &p, (int)version, flags)) {
		return NULL;
	}
	return p;
}

void *shim_real(struct shim_entry *e)
{
	void *p = __atomic_load_n(&e->real, __ATOMIC_ACQUIRE);

	if (p)
		return p;
	if (!strcmp(e->base, "cuGetProcAddress")) {
		libcuda_handle();
		p = e->version >= 12000 ? (void *)getproc_v2 : (void *)getproc_v1;
	} else {
		p = shim_driver_sym(e->base, e->version, (int)e->per_thread);
	}
	/* A hook must never call itself: a driver that hands ours back is not one. */
	if (p == e->hook)
		p = NULL;
	if (p)
		__atomic_store_n(&e->real, p, __ATOMIC_RELEASE);
	return p;
}

/*
 * What cuGetProcAddress resolved, as a hook: of each kind (legacy and
 * per-thread) the newest variant introduced at or below the version
 * asked, and of those the one whose real function is the one the driver
 * just returned.  A driver that returned something else keeps its answer.
 */
static void *hook_for(const char *symbol, int version, void *got)
{
	struct shim_entry *best[2] = { NULL, NULL };
	unsigned int i;
	int k;

	for (i = 0; i < SHIM_NENTRIES; i++) {
		struct shim_entry *e = &shim_entries[i];

		if ((int)e->version > version || strcmp(e->base, symbol))
			continue;
		if (!best[e->per_thread] || best[e->per_thread]->version < e->version)
			best[e->per_thread] = e;
	}
	for (k = 0; k < 2; k++)
		if (best[k] && shim_real(best[k]) == got)
			return best[k]->hook;
	if (best[0] || best[1])
		shim_debug("%s at %d: the driver's answer is no known variant; not hooked",
			   symbol, version);
	return NULL;
}

static CUresult after_lookup(CUresult r, const char *symbol, void **pfn, int version)
{
	void *hook;

	shim_init();
	if (r != CUDA_SUCCESS || !symbol || !pfn || !*pfn || symbol[0] != 'c' || symbol[1] != 'u')
		return r;
	hook = hook_for(symbol, version, *pfn);
	if (hook)
		*pfn = hook;
	return r;
}

CUresult rts_cuGetProcAddress(struct shim_entry *e, const char *symbol, void **pfn,
				     int version, cuuint64_t flags)
{
	rts_pfn_cuGetProcAddress real = shim_real(e);

	if (!real)
		return CUDA_ERROR_NOT_FOUND;
	return after_lookup(real(symbol, pfn, version, flags), symbol, pfn, version);
}

CUresult rts_cuGetProcAddress_v12000(struct shim_entry *e, const char *symbol, void **pfn,
				     int version, cuuint64_t flags,
				     CUdriverProcAddressQueryResult *status)
{
	rts_pfn_cuGetProcAddress_v12000 real = shim_real(e);

	if (!real)
		return CUDA_ERROR_NOT_FOUND;
	/* The driver writes symbolStatus; the hook only swaps the pointer. */
	return after_lookup(real(symbol, pfn, version, flags, status), symbol, pfn, version);
}

static int in_libcuda(void *p)
{
	Dl_info info;
	const char *base;

	if (!dladdr(p, &info) || !info.dli_fname)
		return 0;
	base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	return !strncmp(base, "libcuda.so", 10);
}

/* A cu* name the shim exports, looked up in libcuda (or in the shim). */
static void *dlsym_hook(void *handle, const char *name)
{
	unsigned int i;
	void *p;

	for (i = 0; i < SHIM_NENTRIES; i++) {
		struct shim_entry *e = &shim_entries[i];

		if (!e->abi || strcmp(e->abi, name))
			continue;
		p = real_dlsym()(handle, name);
		if (p && (p == e->hook || in_libcuda(p))) {
			shim_init();
			return e->hook;
		}
		return NULL;
	}
	return NULL;
}

/*
 * Only cu* names (exact matches in the table, so cudnn* and cublas* pass)
 * are looked at.  RTLD_NEXT is answered relative to the caller, which
 * glibc reads off the return address: those lookups, like every other
 * name, go to the real dlsym as a tail call, so the caller is still the
 * app's code and not the shim's.
 */
__attribute__((visibility("default"))) void *dlsym(void *handle, const char *name)
{
	void *hook;

	if (name[0] == 'c' && name[1] == 'u' && handle != RTLD_NEXT) {
		hook = dlsym_hook(handle, name);
		if (hook)
			return hook;
	}
	return real_dlsym()(handle, name);
}

static struct shim_driver drv;
static const struct shim_driver *drv_ok;
static pthread_once_t drv_once = PTHREAD_ONCE_INIT;

static void driver_resolve(void)
{
	drv.ctx_get_current = shim_driver_sym("cuCtxGetCurrent", CUDA_VERSION, 0);
	drv.ctx_set_current = shim_driver_sym("cuCtxSetCurrent", CUDA_VERSION, 0);
	drv.event_create = shim_driver_sym("cuEventCreate", CUDA_VERSION, 0);
	drv.event_record = shim_driver_sym("cuEventRecord", CUDA_VERSION, 0);
	drv.event_record_pt = shim_driver_sym("cuEventRecord", CUDA_VERSION, 1);
	drv.event_query = shim_driver_sym("cuEventQuery", CUDA_VERSION, 0);
	drv.event_destroy = shim_driver_sym("cuEventDestroy", CUDA_VERSION, 0);
	if (drv.ctx_get_current && drv.ctx_set_current && drv.event_create &&
	    drv.event_record && drv.event_record_pt && drv.event_query && drv.event_destroy)
		drv_ok = &drv;
	else
		shim_debug("the driver lacks event calls: kernel durations are not measured");
}

const struct shim_driver *shim_driver(void)
{
	pthread_once(&drv_once, driver_resolve);
	return drv_ok;
}
