/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rtslotctl: the subcommands (one file each) and the few helpers they share
 * for parsing arguments and reporting errors at the command line.
 */
#ifndef RTSLOTCTL_H
#define RTSLOTCTL_H

#include <stdint.h>

#include <rtslot/dev.h>

/* Exit codes: 0 done, 1 the operation failed, 2 the command line was wrong. */
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct ctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_info(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_work(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_admit(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_lat(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* Each prints its own message naming cmd and returns -errno. */
int ctl_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min,
		  uint64_t max, uint64_t *out);
int ctl_parse_us(const char *cmd, const char *opt, const char *s, uint64_t min_us,
		 uint64_t max_us, uint64_t *out_ns);
int ctl_parse_device(const char *cmd, const char *s, unsigned int *index);
int ctl_open(const char *cmd, struct rtslot_dev *d, unsigned int index);

/* Report a failed library call: "rtslotctl CMD: WHAT: strerror". */
void ctl_err(const char *cmd, const char *what, int err);
/*
 * After getopt_long() returned c, '?' or ':' (the optstring starts with
 * ':' and opterr is 0, so that the message is ours alone).
 */
void ctl_bad_option(const char *cmd, int c, char **argv);
/* Report a wrong command line and point at --help. */
void ctl_usage_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* RTSLOTCTL_H */
