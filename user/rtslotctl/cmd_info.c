// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl info: what the device says about itself (RTSLOT_IOC_GET_INFO)
 * and what its sysfs directory shows: settings, tasks, slots, counters.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rtslotctl.h"

static const char *const settings[] = {
	"name", "preempt_mode", "preempt_latency_us", "guard_us", "switch_us",
	"frame_us", "policy", "overrun_action", "overrun_grace_us",
};

static void help(void)
{
	printf("usage: rtslotctl info [-d N]\n\n"
	       "Show /dev/rtslotN as RTSLOT_IOC_GET_INFO reports it, then the sysfs\n"
	       "attributes of /sys/class/rtslot/rtslotN: the settings, and the\n"
	       "read-only tasks, slots and stats files.\n\n"
	       "  -d, --device N   device number N of /dev/rtslotN (default 0)\n"
	       "  -h, --help       show this help\n");
}

static void print_info(const struct rtslot_info *in)
{
	printf(RTSLOT_DEV_FMT ": accelerator %.*s, ABI version %u%s\n", in->index,
	       (int)sizeof(in->name), in->name, in->abi_version,
	       in->abi_version == RTSLOT_ABI_VERSION ? "" : " (rtslotctl knows another)");
	printf("  preempt_mode        %s\n", rtslot_preempt_name(in->preempt_mode));
	printf("  policy              %s\n", rtslot_policy_name(in->policy));
	printf("  overrun_action      %s\n", rtslot_overrun_name(in->overrun_action));
	printf("  tasks               %u\n", in->ntasks);
	printf("  slots               %u (active table)\n", in->nslots);
	printf("  frame_ns            %llu\n", (unsigned long long)in->frame_ns);
	printf("  guard_ns            %llu (effective, used by the grant rule)\n",
	       (unsigned long long)in->guard_ns);
	printf("  switch_ns           %llu\n", (unsigned long long)in->switch_ns);
	printf("  preempt_latency_ns  %llu\n", (unsigned long long)in->preempt_latency_ns);
	/* A module older than the epoch fields fills in less. */
	if (in->size < RTSLOT_INFO_SIZE_VER1)
		return;
	printf("  table_epoch_ns      %llu (frame 0 of the active table, 0: none)\n",
	       (unsigned long long)in->table_epoch_ns);
	if (in->pending_epoch_ns)
		printf("  pending             %u slots at %llu\n", in->pending_nslots,
		       (unsigned long long)in->pending_epoch_ns);
}

/* Prints every line of a multi-line attribute indented; "(empty)" if none. */
static int print_block(unsigned int index, const char *attr, const char *header)
{
	char buf[8192];
	char *line, *save = NULL;
	int n = rtslot_sysfs_read(index, attr, buf, sizeof(buf));

	if (n < 0)
		return n;
	printf("%s:\n", attr);
	if (header)
		printf("  # %s\n", header);
	if (!n) {
		printf("  (empty)\n");
		return 0;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("  %s\n", line);
	return 0;
}

static int print_sysfs(unsigned int index)
{
	char buf[256];
	size_t i;
	int n, err = 0;

	printf("\n" RTSLOT_SYSFS_FMT ":\n", index);
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		n = rtslot_sysfs_read(index, settings[i], buf, sizeof(buf));
		if (n < 0) {
			printf("  %-19s (unreadable: %s)\n", settings[i], strerror(-n));
			err = n;
			continue;
		}
		printf("  %-19s %s\n", settings[i], buf);
	}
	n = print_block(index, "tasks", "id pid state prio runtime_ns deadline_ns "
			"period_ns requests grants misses overruns name");
	if (!n)
		n = print_block(index, "slots", "index start_ns length_ns owner");
	if (!n)
		n = print_block(index, "stats", NULL);
	return n ? n : err;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rtslot_info info;
	struct rtslot_dev d;
	unsigned int index = 0;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (ctl_parse_device("info", optarg, &index))
				return EXIT_USAGE;
			break;
		case 'h':
			help();
			return 0;
		default:
			ctl_bad_option("info", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage_err("info", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (ctl_open("info", &d, index))
		return EXIT_FAIL;
	ret = rtslot_get_info(&d, &info);
	rtslot_close(&d);
	if (ret) {
		ctl_err("info", "RTSLOT_IOC_GET_INFO", ret);
		return EXIT_FAIL;
	}
	print_info(&info);
	fflush(stdout);
	ret = print_sysfs(index);
	if (ret) {
		char dir[64];

		snprintf(dir, sizeof(dir), RTSLOT_SYSFS_FMT, index);
		ctl_err("info", dir, ret);
		return EXIT_FAIL;
	}
	return 0;
}
