// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl table: install a device's cyclic slot table from --slot
 * arguments, or remove it (RTSLOT_IOC_SET_TABLE).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslotctl.h"

static void help(void)
{
	printf("usage: rtslotctl table [-d N] --slot TASK:START_US:LEN_US [--slot ...]\n"
	       "       rtslotctl table [-d N] --clear\n\n"
	       "Install the slot table of /dev/rtslotN, or remove it.  The kernel takes\n"
	       "the new table at the next frame boundary of the running one (at once\n"
	       "when none runs).  Offsets are relative to the device's frame\n"
	       "(sysfs frame_us); slots must not overlap and must lie inside the frame.\n"
	       "Needs CAP_SYS_NICE.\n\n"
	       "  -d, --device N   device number N of /dev/rtslotN (default 0)\n"
	       "  -s, --slot TASK:START_US:LEN_US\n"
	       "                   a slot owned by task id TASK (as `rtslotctl work` or\n"
	       "                   `rtslotctl info` shows it), or by nobody when TASK is\n"
	       "                   0 or 'slack'; given in any order, up to %d\n"
	       "  -c, --clear      remove the table\n"
	       "  -h, --help       show this help\n", RTSLOT_MAX_SLOTS);
}

/* TASK:START_US:LEN_US, each part a plain decimal number. */
static int parse_slot(const char *arg, struct rtslot_slot *s)
{
	char buf[96], *task, *start, *len;
	uint64_t id, start_ns, len_ns;

	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	task = buf;
	start = strchr(task, ':');
	if (!start)
		goto bad;
	*start++ = '\0';
	len = strchr(start, ':');
	if (!len)
		goto bad;
	*len++ = '\0';
	if (!strcmp(task, "slack"))
		id = RTSLOT_SLOT_SLACK;
	else if (ctl_parse_u64("table", "--slot TASK", task, 0, UINT32_MAX, &id))
		return -EINVAL;
	if (ctl_parse_us("table", "--slot START_US", start, 0, RTSLOT_PERIOD_MAX_NS / 1000,
			 &start_ns) ||
	    ctl_parse_us("table", "--slot LEN_US", len, 1, RTSLOT_PERIOD_MAX_NS / 1000,
			 &len_ns))
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->task_id = (uint32_t)id;
	s->start_ns = start_ns;
	s->length_ns = len_ns;
	return 0;
bad:
	ctl_usage_err("table", "--slot '%s' is not TASK:START_US:LEN_US", arg);
	return -EINVAL;
}

static int by_start(const void *a, const void *b)
{
	const struct rtslot_slot *x = a, *y = b;

	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

/* The kernel's errno, in the terms of this command line. */
static void report(unsigned int index, int err, uint64_t frame_ns)
{
	switch (err) {
	case -EPERM:
		fprintf(stderr, "rtslotctl table: setting a slot table needs CAP_SYS_NICE\n");
		break;
	case -EINVAL:
		fprintf(stderr, "rtslotctl table: /dev/rtslot%u rejected the table: slots "
			"must not overlap and must lie inside the frame of %llu us\n",
			index, (unsigned long long)(frame_ns / 1000));
		break;
	case -ENOENT:
		fprintf(stderr, "rtslotctl table: a slot's TASK is not a live task of "
			"/dev/rtslot%u (see rtslotctl info)\n", index);
		break;
	default:
		ctl_err("table", "RTSLOT_IOC_SET_TABLE", err);
	}
}

static void print_table(const struct rtslot_slot *slots, unsigned int n, unsigned int index,
			uint64_t frame_ns)
{
	unsigned int i;

	if (!n) {
		printf("/dev/rtslot%u: slot table removed (at the next frame boundary)\n", index);
		return;
	}
	printf("/dev/rtslot%u: %u slots staged in a frame of %llu us (active from the "
	       "next frame boundary)\n", index, n, (unsigned long long)(frame_ns / 1000));
	for (i = 0; i < n; i++) {
		printf("  slot %u: %8llu us +%8llu us  ", i,
		       (unsigned long long)(slots[i].start_ns / 1000),
		       (unsigned long long)(slots[i].length_ns / 1000));
		if (slots[i].task_id == RTSLOT_SLOT_SLACK)
			printf("slack\n");
		else
			printf("task %u\n", slots[i].task_id);
	}
}

int cmd_table(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "slot", required_argument, NULL, 's' },
		{ "clear", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rtslot_slot slots[RTSLOT_MAX_SLOTS];
	struct rtslot_info info;
	struct rtslot_dev d;
	unsigned int index = 0, n = 0;
	int c, ret, clear = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:s:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (ctl_parse_device("table", optarg, &index))
				return EXIT_USAGE;
			break;
		case 's':
			if (n == RTSLOT_MAX_SLOTS) {
				ctl_usage_err("table", "more than %d slots", RTSLOT_MAX_SLOTS);
				return EXIT_USAGE;
			}
			if (parse_slot(optarg, &slots[n]))
				return EXIT_USAGE;
			n++;
			break;
		case 'c':
			clear = 1;
			break;
		case 'h':
			help();
			return 0;
		default:
			ctl_bad_option("table", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage_err("table", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (clear == !!n) {
		ctl_usage_err("table", "give either --slot (one or more) or --clear");
		return EXIT_USAGE;
	}
	qsort(slots, n, sizeof(slots[0]), by_start);

	if (ctl_open("table", &d, index))
		return EXIT_FAIL;
	ret = rtslot_get_info(&d, &info);
	if (ret) {
		rtslot_close(&d);
		ctl_err("table", "RTSLOT_IOC_GET_INFO", ret);
		return EXIT_FAIL;
	}
	ret = rtslot_set_table(&d, slots, n);
	rtslot_close(&d);
	if (ret) {
		report(index, ret, info.frame_ns);
		return EXIT_FAIL;
	}
	print_table(slots, n, index, info.frame_ns);
	return 0;
}
