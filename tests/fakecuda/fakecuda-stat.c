// SPDX-License-Identifier: GPL-2.0
/*
 * fakecuda-stat: the counters of a virtual device as JSON, for tests that
 * may only talk CUDA to the applications they watch.  --reset clears the
 * counters, --unlink removes the device.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fc_shm.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: fakecuda-stat [--device NAME] [--reset | --unlink]\n"
		   "  NAME defaults to $FAKECUDA_DEVICE, else " FC_DEFAULT_DEVICE "\n");
}

static void print(struct fc_shm *d, const char *name)
{
	uint64_t s, pending = 0;
	const char *sep = "";
	uint32_t i;

	for (s = d->low_seq; s < d->next_seq; s++) {
		struct fc_rec *r = fc_slot(d, s);

		pending += r->seq == s && r->state == FC_PENDING && r->kind == FC_KERNEL;
	}
	printf("{\"device\":\"%s\",\"mode\":\"%s\",\"timeslice_us\":%llu,"
	       "\"model_ns\":%llu,\"busy_ns\":%llu,\"kernels_submitted\":%llu,"
	       "\"kernels_completed\":%llu,\"kernels_dropped\":%llu,\"pending\":%llu,"
	       "\"recoveries\":%llu,\"procs\":[",
	       name, d->mode == FC_TIMESLICE ? "timeslice" : "fifo",
	       (unsigned long long)d->slice_ns / 1000, (unsigned long long)d->t_ns,
	       (unsigned long long)d->busy_ns, (unsigned long long)d->submitted,
	       (unsigned long long)d->completed, (unsigned long long)d->dropped,
	       (unsigned long long)pending, (unsigned long long)d->recoveries);
	for (i = 0; i < FC_NPROC; i++) {
		struct fc_proc *p = &d->proc[i];

		if (!p->pid)
			continue;
		printf("%s{\"pid\":%d,\"alive\":%s,\"launches\":%llu,\"graph_launches\":%llu,"
		       "\"kernels\":%llu,\"kernels_completed\":%llu,\"kernels_dropped\":%llu,"
		       "\"busy_ns\":%llu}",
		       sep, p->pid, p->alive ? "true" : "false",
		       (unsigned long long)p->launches, (unsigned long long)p->graph_launches,
		       (unsigned long long)p->kernels, (unsigned long long)p->completed,
		       (unsigned long long)p->dropped, (unsigned long long)p->busy_ns);
		sep = ",";
	}
	printf("]}\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "reset", no_argument, NULL, 'r' },
		{ "unlink", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name = getenv("FAKECUDA_DEVICE");
	bool reset = false, unlink_it = false;
	struct fc_shm *d;
	int c, err;

	while ((c = getopt_long(argc, argv, "d:ruh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			name = optarg;
			break;
		case 'r':
			reset = true;
			break;
		case 'u':
			unlink_it = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (reset && unlink_it)) {
		usage(stderr);
		return 2;
	}
	if (!name || !*name)
		name = FC_DEFAULT_DEVICE;
	if (unlink_it) {
		if (shm_unlink(name) < 0) {
			perror(name);
			return 1;
		}
		return 0;
	}
	err = fc_shm_open(name, false, &d);
	if (err) {
		fprintf(stderr, "fakecuda-stat: %s: %s\n", name,
			err == -ENOENT ? "no such device (no process called cuInit yet)" :
			err == -EPROTO ? "made by another build of fakecuda (try --unlink)" :
			err == -ENODEV ? "not a fakecuda device, or not initialised yet" :
					 strerror(-err));
		return 1;
	}
	err = fc_shm_lock(d);
	if (err) {
		fprintf(stderr, "fakecuda-stat: %s: %s\n", name, strerror(-err));
		return 1;
	}
	fc_shm_reap(d);
	fc_advance(d, fc_now());
	if (reset)
		fc_shm_reset(d);
	else
		print(d, name);
	fc_shm_unlock(d);
	fc_shm_close(d);
	return 0;
}
