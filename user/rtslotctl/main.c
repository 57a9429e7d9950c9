// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl: command-line front end of rtslot.  Finds the subcommand and
 * hands it the rest of the command line; each lives in its own cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "rtslotctl.h"

static const struct ctl_cmd cmds[] = {
	{ "info", cmd_info, "show a device: its settings, tasks, slot table and counters" },
	{ "table", cmd_table, "install or remove a device's slot table" },
	{ "work", cmd_work, "run a task that requests, holds and releases leases" },
	{ "sim", cmd_sim, "simulate a task set under a policy, on a virtual clock" },
	{ "admit", cmd_admit, "which tasks of a task set a policy's analysis admits" },
	{ "gen", cmd_gen, "draw a random task set" },
	{ "lat", cmd_lat, "latency histograms of tasks (BPF): wait, hold, response, run queue" },
	{ "top", cmd_top, "live per-task table (BPF): rates, p50/p99, misses, share" },
	{ "trace", cmd_trace, "record leases and jobs (BPF) as a Perfetto/Chrome trace" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rtslotctl COMMAND [OPTIONS]\n"
		"       rtslotctl help COMMAND\n\n"
		"Control and exercise rtslot: the kernel module (/dev/rtslot<N>), the\n"
		"simulator and admission analysis over task-set files (docs/taskset.md),\n"
		"and the BPF probes that watch tasks live (docs/bpf.md).\n\n"
		"commands:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'rtslotctl COMMAND --help' describes the options of COMMAND.\n");
}

static const struct ctl_cmd *find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ctl_cmd *c;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		c = find(argv[2]);
		if (c) {
			help_argv[0] = argv[2];
			return c->run(2, help_argv);
		}
		fprintf(stderr, "rtslotctl: no command '%s'\n", argv[2]);
		return EXIT_USAGE;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "rtslotctl: no command '%s' (see rtslotctl --help)\n", argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
