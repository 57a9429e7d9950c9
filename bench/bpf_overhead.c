// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench-bpf: what the probes add to each traced event.  One task requests
 * and releases leases without contention (three rtslot events per cycle:
 * request, grant, release) with the tracepoints disabled, with ftrace
 * recording them, with the BPF probes attached, and with the probes also
 * streaming every event to the ring buffer; rounds alternate so that all
 * modes see the same machine.  Prints medians per cycle and the ratios.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rtslot/dev.h>
#include <rtslot/probes.h>

#define EVENTS_PER_CYCLE	3
#define MAX_ROUNDS		64

enum mode { M_OFF, M_FTRACE, M_BPF, M_STREAM, M_N };

static const char *const mode_names[M_N] = {
	[M_OFF] = "tracepoints off",
	[M_FTRACE] = "ftrace events on",
	[M_BPF] = "BPF probes",
	[M_STREAM] = "BPF probes, every event streamed",
};

static volatile int draining;

static int ftrace(const char *tracefs, int on)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/events/rtslot/enable", tracefs);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, on ? "1" : "0", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* The consumer a real tool would be, on the other CPU. */
static void *drain(void *arg)
{
	struct rtslot_probes *p = arg;

	while (draining)
		rtslot_probes_poll(p, 100);
	return NULL;
}

static int cycles(struct rtslot_dev *d, long n, double *ns_per_cycle)
{
	uint64_t t0, t1;
	long i;
	int ret;

	t0 = rtslot_now_ns();
	for (i = 0; i < n; i++) {
		/* 1 s of work asked for: no stall of the guest makes it overrun. */
		ret = rtslot_lease_request(d, 1000000000ULL, 0, NULL);
		if (!ret)
			ret = rtslot_lease_release(d, 0, NULL);
		if (ret)
			return ret;
	}
	t1 = rtslot_now_ns();
	*ns_per_cycle = (double)(t1 - t0) / (double)n;
	return 0;
}

static int round_of(enum mode m, struct rtslot_dev *d, long n, double *ns)
{
	struct rtslot_probes_opts o = { .dev = RTSLOT_BPF_ANY, .stream = m == M_STREAM };
	struct rtslot_probes *p = NULL;
	const char *tfs = rtslot_tracefs();
	pthread_t th;
	char err[512];
	int ret;

	if (m == M_FTRACE && (ret = ftrace(tfs, 1)))
		return ret;
	if (m == M_BPF || m == M_STREAM) {
		ret = rtslot_probes_open(&p, &o, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "bpf-overhead: %s\n", err);
			return ret;
		}
	}
	if (m == M_STREAM) {
		draining = 1;
		pthread_create(&th, NULL, drain, p);
	}
	ret = cycles(d, n, ns);
	if (m == M_STREAM) {
		draining = 0;
		pthread_join(th, NULL);
		if (rtslot_probes_drops(p))
			fprintf(stderr, "bpf-overhead: %llu events dropped\n",
				(unsigned long long)rtslot_probes_drops(p));
	}
	rtslot_probes_close(p);
	if (m == M_FTRACE)
		ftrace(tfs, 0);
	return ret;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double res[M_N][MAX_ROUNDS], med[M_N], warm;
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5, r, m, ret;
	struct rtslot_dev d;

	if (n < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bpf_overhead [CYCLES [ROUNDS]]\n");
		return 2;
	}
	if (!rtslot_tracefs()) {
		fprintf(stderr, "bpf-overhead: tracefs is not mounted\n");
		return 1;
	}
	ret = rtslot_open(&d, 0);
	if (!ret)
		ret = rtslot_task_create(&d, "bench-bpf");
	if (ret) {
		fprintf(stderr, "bpf-overhead: /dev/rtslot0: %s\n", strerror(-ret));
		return 1;
	}
	ftrace(rtslot_tracefs(), 0);
	cycles(&d, n / 4 + 1, &warm);
	for (r = 0; r < rounds; r++)
		for (m = 0; m < M_N; m++) {
			ret = round_of(m, &d, n, &res[m][r]);
			if (ret) {
				fprintf(stderr, "bpf-overhead: %s: %s\n", mode_names[m], strerror(-ret));
				return 1;
			}
		}
	printf("bench-bpf: %ld request+release cycles (%d rtslot events each) x %d rounds\n",
	       n, EVENTS_PER_CYCLE, rounds);
	for (m = 0; m < M_N; m++) {
		qsort(res[m], rounds, sizeof(double), cmp);
		med[m] = res[m][rounds / 2];
	}
	for (m = 0; m < M_N; m++)
		printf("bench-bpf: %-34s %9.0f ns/cycle  x%.3f  %+7.0f ns per event\n",
		       mode_names[m], med[m], med[m] / med[M_OFF],
		       (med[m] - med[M_OFF]) / EVENTS_PER_CYCLE);
	rtslot_close(&d);
	return 0;
}
