/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotctl top --prom: the Prometheus textfile writer (user/rtslotctl/prom.c;
 * the metrics are listed in docs/bpf.md).
 */
#ifndef RTSLOTCTL_PROM_H
#define RTSLOTCTL_PROM_H

#include <stdint.h>

#include "probe_snap.h"

/* Counters and histograms since the probes started; 0 or -errno. */
int ctl_prom_write(const char *path, const struct ctl_snap *s, uint64_t drops);

#endif /* RTSLOTCTL_PROM_H */
