// SPDX-License-Identifier: GPL-2.0
/*
 * The process: cuInit (attach to the shared device, take a process slot),
 * the driver version, the handle registry that lets every entry point
 * reject a bad handle instead of following it, and fork.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fc.h"

struct fc_process fc = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

struct fc_entry {
	const void *p;			/* NULL: free; &tomb: deleted */
	enum fc_type type;
	struct fc_ctx *owner;
};

static struct fc_entry *reg;
static size_t reg_cap, reg_used;	/* used counts tombstones too */
static const char tomb;

void *fc_zalloc(size_t n)
{
	return calloc(1, n);
}

int fc_lock(void)
{
	if (!__atomic_load_n(&fc.inited, __ATOMIC_ACQUIRE))
		return -FC_ENOTINIT;
	pthread_mutex_lock(&fc.lock);
	return 0;
}

void fc_unlock(void)
{
	pthread_mutex_unlock(&fc.lock);
}

static size_t hash_ptr(const void *p)
{
	uint64_t x = (uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static struct fc_entry *find(const void *p)
{
	size_t i, n;

	if (!reg_cap || !p)
		return NULL;
	for (i = hash_ptr(p) & (reg_cap - 1), n = 0; n < reg_cap;
	     i = (i + 1) & (reg_cap - 1), n++) {
		if (!reg[i].p)
			return NULL;
		if (reg[i].p == p)
			return &reg[i];
	}
	return NULL;
}

static int grow(void)
{
	struct fc_entry *old = reg;
	size_t i, oldcap = reg_cap, cap = reg_cap ? reg_cap * 2 : 256;

	/* Mostly tombstones: rehash at the same size. */
	if (oldcap && reg_used > oldcap / 2) {
		size_t live = 0;

		for (i = 0; i < oldcap; i++)
			live += old[i].p && old[i].p != &tomb;
		if (live < oldcap / 4)
			cap = oldcap;
	}
	reg = fc_zalloc(cap * sizeof(*reg));
	if (!reg) {
		reg = old;
		return -ENOMEM;
	}
	reg_cap = cap;
	reg_used = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].p && old[i].p != &tomb)
			fc_reg_add((void *)old[i].p, old[i].type, old[i].owner);
	free(old);
	return 0;
}

int fc_reg_add(void *p, enum fc_type t, struct fc_ctx *owner)
{
	size_t i;

	if ((reg_used + 1) * 2 > reg_cap && grow())
		return -ENOMEM;
	for (i = hash_ptr(p) & (reg_cap - 1);; i = (i + 1) & (reg_cap - 1)) {
		if (!reg[i].p || reg[i].p == &tomb)
			break;
	}
	if (!reg[i].p)
		reg_used++;
	reg[i] = (struct fc_entry){ p, t, owner };
	return 0;
}

void *fc_reg_get(const void *p, enum fc_type t)
{
	struct fc_entry *e = find(p);

	return e && e->type == t ? (void *)p : NULL;
}

void fc_reg_del(const void *p)
{
	struct fc_entry *e = find(p);

	if (e) {
		e->p = &tomb;
		e->owner = NULL;
	}
}

/* fn may delete entries (deletion never moves one), not add them. */
void fc_reg_foreach(void (*fn)(void *p, enum fc_type t, struct fc_ctx *owner, void *arg),
		    void *arg)
{
	size_t i;

	for (i = 0; i < reg_cap; i++)
		if (reg[i].p && reg[i].p != &tomb)
			fn((void *)reg[i].p, reg[i].type, reg[i].owner, arg);
}

/*
 * A forked child starts as a process that never called cuInit: it may
 * call it and become a client of its own (the real driver refuses; tests
 * are easier to write this way).
 */
static void atfork_child(void)
{
	pthread_mutex_init(&fc.lock, NULL);
	fc.inited = false;
	if (fc.dev)
		fc_shm_close(fc.dev);
	fc.dev = NULL;
	fc.primary = NULL;
	fc.captures = NULL;
	reg = NULL;
	reg_cap = reg_used = 0;
	fc_log_atfork_child();
	fc_ctx_atfork_child();
	fc_capture_atfork_child();
	fc_launch_atfork_child();
	fc_mem_atfork_child();
}

static void once(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

static uint64_t default_ns(void)
{
	const char *s = getenv("FAKECUDA_DEFAULT_US");
	unsigned long long us;
	char *end;

	if (!s || !*s)
		return 10000;
	us = strtoull(s, &end, 10);
	if (*end || us > 1000000000ULL) {
		fprintf(stderr, "fakecuda: FAKECUDA_DEFAULT_US=%s ignored\n", s);
		return 10000;
	}
	return us * 1000ULL;
}

/* Another process may write this process's log: it needs a path from /. */
static const char *log_path(char *buf, size_t size)
{
	const char *log = getenv("FAKECUDA_LOG");
	size_t n;

	if (!log || !*log || log[0] == '/')
		return log;
	if (!getcwd(buf, size))
		return log;
	n = strlen(buf);
	if (n + 1 + strlen(log) >= size)
		return log;
	buf[n] = '/';
	strcpy(buf + n + 1, log);
	return buf;
}

CUresult CUDAAPI cuInit(unsigned int flags)
{
	static pthread_once_t o = PTHREAD_ONCE_INIT;
	const char *name = getenv("FAKECUDA_DEVICE");
	char logbuf[FC_PATH_LEN];
	struct fc_shm *d;
	int err, slot;

	if (flags)
		return CUDA_ERROR_INVALID_VALUE;
	pthread_once(&o, once);
	pthread_mutex_lock(&fc.lock);
	if (fc.inited)
		goto out;
	if (!name || !*name)
		name = FC_DEFAULT_DEVICE;
	err = fc_shm_open(name, true, &d);
	if (err) {
		if (err == -EPROTO)
			fprintf(stderr, "fakecuda: %s was made by another build of fakecuda; "
				"remove it with fakecuda-stat --unlink --device %s\n", name, name);
		else
			fprintf(stderr, "fakecuda: cannot open device %s: %s\n", name,
				strerror(-err));
		pthread_mutex_unlock(&fc.lock);
		return CUDA_ERROR_NO_DEVICE;
	}
	err = fc_shm_lock(d);
	if (!err) {
		slot = fc_shm_register(d, getpid(), log_path(logbuf, sizeof(logbuf)));
		fc_shm_unlock(d);
		err = slot < 0 ? slot : 0;
	}
	if (err) {
		fc_shm_close(d);
		pthread_mutex_unlock(&fc.lock);
		return fc_result(err);
	}
	fc.dev = d;
	fc.slot = (uint32_t)slot;
	fc.pid = getpid();
	fc.default_ns = default_ns();
	__atomic_store_n(&fc.inited, true, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&fc.lock);
	return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDriverGetVersion(int *version)
{
	if (!version)
		return CUDA_ERROR_INVALID_VALUE;
	*version = FC_DRIVER_VERSION;
	return CUDA_SUCCESS;
}
