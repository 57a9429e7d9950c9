// SPDX-License-Identifier: GPL-2.0
/*
 * Modules, libraries and their functions.  No code is loaded: any image is
 * accepted, any name resolves, and a kernel's duration is read from its
 * name ("conv_1500us" runs 1500 us; other names FAKECUDA_DEFAULT_US).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc.h"

#define FC_MAX_US	1000000000ULL

uint64_t fc_name_duration(const char *name)
{
	size_t n = strlen(name), i;
	uint64_t us = 0;

	if (n < 4 || strcmp(name + n - 2, "us"))
		return fc.default_ns;
	i = n - 2;
	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == n - 2 || i == 0 || name[i - 1] != '_' || n - 2 - i > 10)
		return fc.default_ns;
	for (; i < n - 2; i++)
		us = us * 10 + (uint64_t)(name[i] - '0');
	return us > FC_MAX_US ? fc.default_ns : us * 1000ULL;
}

struct fc_func *fc_func_get(CUfunction h)
{
	struct fc_func *f = fc_reg_get(h, FC_T_FUNC);

	return f ? f : fc_reg_get(h, FC_T_KERNEL);
}

void fc_module_free(struct fc_module *m)
{
	struct fc_func *f, *next;

	for (f = m->funcs; f; f = next) {
		next = f->next;
		fc_reg_del(f);
		free(f->name);
		free(f);
	}
	fc_reg_del(m);
	free(m);
}

static int module_new(struct fc_module **out, bool library)
{
	struct fc_module *m;
	struct fc_ctx *ctx = NULL;
	int err;

	if (!library) {
		err = fc_ctx_current(&ctx);
		if (err)
			return err;
	}
	m = fc_zalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ctx = ctx;
	if (fc_reg_add(m, library ? FC_T_LIBRARY : FC_T_MODULE, ctx)) {
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

/* The same name gives the same handle, as the driver does. */
static int get_func(struct fc_module *m, const char *name, bool kernel, struct fc_func **out)
{
	struct fc_func *f;

	for (f = m->funcs; f; f = f->next) {
		if (!strcmp(f->name, name)) {
			*out = f;
			return 0;
		}
	}
	f = fc_zalloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->name = strdup(name);
	if (!f->name || fc_reg_add(f, kernel ? FC_T_KERNEL : FC_T_FUNC, NULL)) {
		free(f->name);
		free(f);
		return -ENOMEM;
	}
	f->mod = m;
	f->dur_ns = fc_name_duration(name);
	f->next = m->funcs;
	m->funcs = f;
	*out = f;
	return 0;
}

static int load(CUmodule *pmod, const void *image, const char *path)
{
	struct fc_module *m;
	int err;

	if (!pmod || (!image && !path))
		return -EINVAL;
	if (path && access(path, R_OK))
		return -FC_ENOFILE;
	err = fc_lock();
	if (err)
		return err;
	err = module_new(&m, false);
	if (!err)
		*pmod = (CUmodule)m;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuModuleLoad(CUmodule *module, const char *fname)
{
	if (!fname)
		return CUDA_ERROR_INVALID_VALUE;
	return fc_result(load(module, NULL, fname));
}

CUresult CUDAAPI cuModuleLoadData(CUmodule *module, const void *image)
{
	return fc_result(load(module, image, NULL));
}

CUresult CUDAAPI cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int n,
				    CUjit_option *options, void **values)
{
	if (n && (!options || !values))
		return CUDA_ERROR_INVALID_VALUE;
	return fc_result(load(module, image, NULL));
}

static int unload(void *h, enum fc_type t)
{
	struct fc_module *m;
	int err = fc_lock();

	if (err)
		return err;
	m = fc_reg_get(h, t);
	if (m)
		fc_module_free(m);
	else
		err = -EBADF;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuModuleUnload(CUmodule hmod)
{
	return fc_result(unload(hmod, FC_T_MODULE));
}

static int lookup(void **out, void *h, enum fc_type t, const char *name)
{
	struct fc_module *m;
	struct fc_func *f;
	int err;

	if (!out || !name)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	m = fc_reg_get(h, t);
	err = m ? get_func(m, name, t == FC_T_LIBRARY, &f) : -EBADF;
	if (!err)
		*out = f;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
{
	return fc_result(lookup((void **)hfunc, hmod, FC_T_MODULE, name));
}

CUresult CUDAAPI cuLibraryLoadData(CUlibrary *library, const void *code, CUjit_option *jit_opts,
				   void **jit_vals, unsigned int njit, CUlibraryOption *lib_opts,
				   void **lib_vals, unsigned int nlib)
{
	struct fc_module *m;
	int err;

	if (!library || !code || (njit && (!jit_opts || !jit_vals)) ||
	    (nlib && (!lib_opts || !lib_vals)))
		return CUDA_ERROR_INVALID_VALUE;
	err = fc_lock();
	if (err)
		return fc_result(err);
	err = module_new(&m, true);
	if (!err)
		*library = (CUlibrary)m;
	fc_unlock();
	return fc_result(err);
}

CUresult CUDAAPI cuLibraryUnload(CUlibrary library)
{
	return fc_result(unload(library, FC_T_LIBRARY));
}

CUresult CUDAAPI cuLibraryGetKernel(CUkernel *pkernel, CUlibrary library, const char *name)
{
	return fc_result(lookup((void **)pkernel, library, FC_T_LIBRARY, name));
}

/* A kernel's function in the current context: the kernel object itself. */
CUresult CUDAAPI cuKernelGetFunction(CUfunction *pfunc, CUkernel kernel)
{
	struct fc_ctx *ctx;
	int err;

	if (!pfunc)
		return CUDA_ERROR_INVALID_VALUE;
	err = fc_lock();
	if (err)
		return fc_result(err);
	err = fc_ctx_current(&ctx);
	if (!err && !fc_reg_get(kernel, FC_T_KERNEL))
		err = -EBADF;
	if (!err)
		*pfunc = (CUfunction)kernel;
	fc_unlock();
	return fc_result(err);
}

static int func_name(const char **name, void *h, bool kernel)
{
	struct fc_func *f;
	int err;

	if (!name)
		return -EINVAL;
	err = fc_lock();
	if (err)
		return err;
	f = kernel ? fc_reg_get(h, FC_T_KERNEL) : fc_func_get(h);
	if (f)
		*name = f->name;
	else
		err = -EBADF;
	fc_unlock();
	return err;
}

CUresult CUDAAPI cuFuncGetName(const char **name, CUfunction hfunc)
{
	return fc_result(func_name(name, hfunc, false));
}

CUresult CUDAAPI cuKernelGetName(const char **name, CUkernel hfunc)
{
	return fc_result(func_name(name, hfunc, true));
}
