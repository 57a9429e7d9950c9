// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot-bpf: what the probes need from the system, checked up front so
 * that a tool can say "not root" or "module not loaded" instead of passing
 * on a libbpf error; libbpf's log; walking the maps.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif
#define TRACEFS_MAGIC_NR	0x74726163
#define DEBUGFS_MAGIC_NR	0x64626720

static bool verbose;
static char last_warn[320];

int rb_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;
	size_t n;

	/* The first warning names the cause; the ones after it report the fallout. */
	if (level == LIBBPF_WARN && !last_warn[0]) {
		va_copy(copy, ap);
		vsnprintf(last_warn, sizeof(last_warn), fmt, copy);
		va_end(copy);
		n = strlen(last_warn);
		while (n && last_warn[n - 1] == '\n')
			last_warn[--n] = '\0';
	}
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void rb_libbpf_setup(void)
{
	last_warn[0] = '\0';
	libbpf_set_print(libbpf_log);
}

const char *rb_libbpf_first(void)
{
	return last_warn[0] ? last_warn : "no message from libbpf";
}

void rtslot_bpf_verbose(bool on)
{
	verbose = on;
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static bool privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	if (has_cap(d, CAP_SYS_ADMIN))
		return true;
	return has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON);
}

/* Where tracefs is, as libbpf looks for it: its own mount, or in debugfs. */
const char *rtslot_tracefs(void)
{
	static const char *const where[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	struct statfs fs;
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", where[i]);
		if (!statfs(where[i], &fs) && (fs.f_type == TRACEFS_MAGIC_NR ||
					       fs.f_type == DEBUGFS_MAGIC_NR) &&
		    !access(path, F_OK))
			return where[i];
	}
	return NULL;
}

int rtslot_bpf_check(unsigned int needs, char *err, size_t errlen)
{
	const char *tfs = NULL;
	char path[128];

	if ((needs & RTSLOT_NEED_PRIV) && !privileged())
		return rb_fail(err, errlen, -EPERM,
			       "needs root (or CAP_BPF and CAP_PERFMON) to load BPF programs");
	if (needs & (RTSLOT_NEED_TRACEFS | RTSLOT_NEED_MODULE)) {
		tfs = rtslot_tracefs();
		if (!tfs)
			return rb_fail(err, errlen, -ENOENT,
				       "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
	}
	if (needs & RTSLOT_NEED_MODULE) {
		snprintf(path, sizeof(path), "%s/events/rtslot", tfs);
		if (access(path, F_OK)) {
			if (access("/sys/module/rtslot", F_OK))
				return rb_fail(err, errlen, -ENODEV,
					       "rtslot.ko is not loaded (insmod rtslot.ko)");
			return rb_fail(err, errlen, -ENODEV,
				       "rtslot.ko is loaded but %s has no rtslot events", tfs);
		}
	}
	if ((needs & RTSLOT_NEED_BTF) && access("/sys/kernel/btf/vmlinux", R_OK))
		return rb_fail(err, errlen, -ENOENT,
			       "the kernel has no BTF (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF)");
	return 0;
}

int rb_map_walk(int fd, size_t key_size, size_t val_size, rb_walk_fn fn, void *ctx)
{
	char *key = calloc(2, key_size), *next = key + key_size;
	void *val = calloc(1, val_size);
	void *prev = NULL;
	int ret = 0;

	if (!key || !val) {
		ret = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		/* Deleted since: go on from it all the same. */
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		ret = fn(ctx, key, val);
		if (ret)
			goto out;
	}
out:
	free(key);
	free(val);
	return ret;
}
