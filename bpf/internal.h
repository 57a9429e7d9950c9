/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * librtslot-bpf internals shared by its loaders: error messages, libbpf's
 * log, the trace format check, the map walks and ELF symbols.
 */
#ifndef RTSLOT_BPF_INTERNAL_H
#define RTSLOT_BPF_INTERNAL_H

#include <rtslot/probes.h>

/* Write a one-line reason into err and return ret (a -errno). */
int rb_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Route libbpf's messages: kept (the last warning), printed when verbose. */
void rb_libbpf_setup(void);
/* The first warning libbpf printed since setup: why a load failed. */
const char *rb_libbpf_first(void);

/* Compare events/rtslot/<event>/format with rtslot_bpf.h's records. */
int rb_check_formats(const char *tracefs, char *err, size_t errlen);

/*
 * Walk a hash map whose keys are key_size bytes; fn sees key and value.
 * 0 after the whole map, fn's value when it stopped the walk, or -errno.
 */
typedef int (*rb_walk_fn)(void *ctx, const void *key, const void *val);
int rb_map_walk(int fd, size_t key_size, size_t val_size, rb_walk_fn fn, void *ctx);

/* File offset of function name in the ELF file path (for a uprobe). */
int rb_elf_func_offset(const char *path, const char *name, uint64_t *off);

#endif /* RTSLOT_BPF_INTERNAL_H */
