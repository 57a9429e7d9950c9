// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl work: a synthetic accelerator client.  It creates a task, then
 * for each job requests a lease, busy-holds it as if the accelerator ran,
 * releases it, and finally reports what each job waited and whether it
 * met its deadline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtslotctl.h"
#include "work.h"

static void help(void)
{
	printf("usage: rtslotctl work [-d N] --name NAME --est-us E --hold-us H --jobs N\n"
	       "                      [--runtime-us R --period-us P [--deadline-us D]]\n"
	       "                      [--prio N] [--interval-us I] [--timeout-ms T]\n"
	       "                      [--id-file F] [--sync-file F] [--quiet]\n\n"
	       "Create a task on /dev/rtslotN and print its id; then, N times: request a\n"
	       "lease for work of E us, hold it for H us of CLOCK_MONOTONIC (busy), and\n"
	       "release it.  At the end print each job's grant wait and the misses.\n"
	       "H > E models a task whose estimate is too low: it may overrun its lease.\n\n"
	       "  -d, --device N       device number N of /dev/rtslotN (default 0)\n"
	       "  -n, --name NAME      task name shown in sysfs and traces (< %d chars)\n"
	       "  -e, --est-us E       estimated duration each request asks for (> 0)\n"
	       "  -H, --hold-us H      how long each job really holds the lease\n"
	       "  -j, --jobs N         number of jobs\n"
	       "  -r, --runtime-us R   reservation: budget per period (CAP_SYS_NICE)\n"
	       "  -p, --period-us P    reservation: period\n"
	       "  -D, --deadline-us D  reservation: relative deadline (default P)\n"
	       "  -P, --prio N         fixed priority 0..%d, larger first (CAP_SYS_NICE)\n"
	       "  -i, --interval-us I  release job k at start + k*I (default 0: each job\n"
	       "                       as soon as the previous one ends)\n"
	       "  -t, --timeout-ms T   give up a request after T ms (default 0: never)\n"
	       "  -o, --id-file F      also write the task id to F (atomically)\n"
	       "  -w, --sync-file F    after creating the task, wait until F exists\n"
	       "                       before the first job\n"
	       "  -q, --quiet          print the summary only, not one line per job\n"
	       "  -h, --help           show this help\n\n"
	       "A job is late when it ends after its release plus D.  The kernel's own\n"
	       "miss and overrun counts (sysfs tasks) are printed beside.\n",
	       RTSLOT_NAME_LEN, RTSLOT_PRIO_MAX);
}

static int parse_args(int argc, char **argv, struct work_opts *o)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "est-us", required_argument, NULL, 'e' },
		{ "hold-us", required_argument, NULL, 'H' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "runtime-us", required_argument, NULL, 'r' },
		{ "period-us", required_argument, NULL, 'p' },
		{ "deadline-us", required_argument, NULL, 'D' },
		{ "prio", required_argument, NULL, 'P' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "id-file", required_argument, NULL, 'o' },
		{ "sync-file", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const uint64_t max_us = RTSLOT_PERIOD_MAX_NS / 1000;
	const char *cmd = "work";
	uint64_t v;
	int c, ret = 0;

	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, ":d:n:e:H:j:r:p:D:P:i:t:o:w:qh",
					opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ret = ctl_parse_device(cmd, optarg, &o->index);
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'e':
			ret = ctl_parse_us(cmd, "--est-us", optarg, 1, max_us, &o->est_ns);
			break;
		case 'H':
			ret = ctl_parse_us(cmd, "--hold-us", optarg, 0, max_us, &o->hold_ns);
			break;
		case 'j':
			ret = ctl_parse_u64(cmd, "--jobs", optarg, 1, 1000000, &o->jobs);
			break;
		case 'r':
			ret = ctl_parse_us(cmd, "--runtime-us", optarg, 1, max_us, &o->runtime_ns);
			break;
		case 'p':
			ret = ctl_parse_us(cmd, "--period-us", optarg, 1, max_us, &o->period_ns);
			break;
		case 'D':
			ret = ctl_parse_us(cmd, "--deadline-us", optarg, 1, max_us, &o->deadline_ns);
			break;
		case 'P':
			ret = ctl_parse_u64(cmd, "--prio", optarg, 0, RTSLOT_PRIO_MAX, &v);
			o->prio = (int)v;
			o->has_prio = 1;
			break;
		case 'i':
			ret = ctl_parse_us(cmd, "--interval-us", optarg, 0, max_us, &o->interval_ns);
			break;
		case 't':
			ret = ctl_parse_u64(cmd, "--timeout-ms", optarg, 0, 3600000, &v);
			o->timeout_ns = v * 1000000;
			break;
		case 'o':
			o->id_file = optarg;
			break;
		case 'w':
			o->sync_file = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			help();
			exit(0);
		default:
			ctl_bad_option(cmd, c, argv);
			return -EINVAL;
		}
	}
	if (ret)
		return ret;
	if (optind < argc) {
		ctl_usage_err(cmd, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!o->name || !o->est_ns || !o->jobs || o->hold_ns == UINT64_MAX) {
		ctl_usage_err(cmd, "--name, --est-us, --hold-us and --jobs are required");
		return -EINVAL;
	}
	if (strlen(o->name) >= RTSLOT_NAME_LEN) {
		ctl_usage_err(cmd, "--name is longer than %d characters", RTSLOT_NAME_LEN - 1);
		return -EINVAL;
	}
	if (!o->runtime_ns != !o->period_ns || (o->deadline_ns && !o->runtime_ns)) {
		ctl_usage_err(cmd, "a reservation needs --runtime-us and --period-us "
			      "(--deadline-us is optional)");
		return -EINVAL;
	}
	if (o->runtime_ns && !o->deadline_ns)
		o->deadline_ns = o->period_ns;
	if (o->runtime_ns > o->deadline_ns || o->deadline_ns > o->period_ns) {
		ctl_usage_err(cmd, "a reservation needs runtime <= deadline <= period");
		return -EINVAL;
	}
	return 0;
}

/* Write "ID\n" to a temporary name, then rename: readers never see half. */
static int write_id_file(const char *path, uint32_t id)
{
	char tmp[4096];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%u\n", id);
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

static void wait_for_file(const char *path)
{
	const struct timespec ms = { 0, 1000000 };

	while (access(path, F_OK))
		nanosleep(&ms, NULL);
}

/* The kernel's errno for SET_RESERVATION, in the terms of this command. */
static void report_reservation(int err)
{
	if (err == -EPERM)
		fprintf(stderr, "rtslotctl work: --runtime-us and --prio need CAP_SYS_NICE\n");
	else if (err == -EBUSY)
		fprintf(stderr, "rtslotctl work: the reservation does not fit: the device's "
			"reservations would use more than 100%%\n");
	else
		ctl_err("work", "RTSLOT_IOC_SET_RESERVATION", err);
}

static int setup(struct rtslot_dev *d, const struct work_opts *o)
{
	int ret;

	ret = rtslot_task_create(d, o->name);
	if (ret) {
		ctl_err("work", "RTSLOT_IOC_TASK_CREATE", ret);
		return ret;
	}
	ret = rtslot_lease_map(d);
	if (ret) {
		ctl_err("work", "mapping the lease page", ret);
		return ret;
	}
	if (o->runtime_ns || o->has_prio) {
		ret = rtslot_set_reservation(d, o->runtime_ns, o->deadline_ns, o->period_ns,
					     o->prio, 0);
		if (ret) {
			report_reservation(ret);
			return ret;
		}
	}
	printf("task %u\n", d->task_id);
	fflush(stdout);
	if (o->id_file) {
		ret = write_id_file(o->id_file, d->task_id);
		if (ret) {
			ctl_err("work", o->id_file, ret);
			return ret;
		}
	}
	if (o->sync_file)
		wait_for_file(o->sync_file);
	return 0;
}

int cmd_work(int argc, char **argv)
{
	struct work_opts o = { .hold_ns = UINT64_MAX };
	struct work_job *jobs;
	struct rtslot_dev d;
	uint64_t done = 0;
	int ret;

	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;
	jobs = calloc(o.jobs, sizeof(*jobs));
	if (!jobs) {
		ctl_err("work", "allocating the job log", -ENOMEM);
		return EXIT_FAIL;
	}
	if (ctl_open("work", &d, o.index)) {
		free(jobs);
		return EXIT_FAIL;
	}
	ret = setup(&d, &o);
	if (!ret) {
		ret = work_run(&d, &o, jobs, &done);
		/* Jobs that finished before a failure are still worth seeing. */
		if (!ret || done)
			work_report(&d, &o, jobs, done);
	}
	rtslot_close(&d);
	free(jobs);
	return ret ? EXIT_FAIL : 0;
}
