/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the rtslotd integration tests: a daemon on a socket in a
 * temporary directory, clients, raw messages, and waits with hang guards.
 */
#ifndef RD_TEST_H
#define RD_TEST_H

#include <stdint.h>
#include <sys/types.h>

#include "rtslot/client.h"
#include "rtslot/proto.h"

/* Waits for something that must happen; only a hang guard, never a measurement. */
#define RDT_SETTLE_NS	(20ULL * 1000 * 1000 * 1000)
/*
 * Overruns only logged: for tests whose subject is not revocation, so that
 * a client paused past its lease end plus the 1 ms grace on a loaded host
 * does not lose the lease it is about to renew or release.
 */
#define RDT_KEEP_LEASES \
	", \"accelerators\": [ { \"name\": \"gpu0\", \"overrun_action\": \"log\" } ]"

struct rdt {
	pid_t pid;
	char dir[40];
	char cfg[96];
	char sock[96];
	char log[96];
};

/*
 * Start rtslotd (the binary in $RTSLOTD_BIN, else build/user/rtslotd) with
 * the user backend, policy, and extra top-level JSON fields (may be NULL,
 * else a string starting with a comma).  0 once it answers on its socket.
 */
int rdt_start(struct rdt *d, const char *policy, const char *extra);
/* The same, the daemon limited to nofile open files (hard limit). */
int rdt_start_nofile(struct rdt *d, const char *policy, const char *extra,
		     unsigned long nofile);
/* Write the configuration only (for tests that run the binary themselves). */
int rdt_write_config(struct rdt *d, const char *policy, const char *extra);
/* SIGTERM, wait: 0 when it exited with status 0 (sanitizers found nothing). */
/* Lines of the daemon's log that contain what; -1 without a log. */
int rdt_log_lines(const struct rdt *d, const char *what);
int rdt_stop(struct rdt *d);
/* Copy the daemon's -v log to stderr, for a failure's diagnosis. */
void rdt_dump_log(const struct rdt *d);
/* Remove the temporary directory (after rdt_stop). */
void rdt_cleanup(struct rdt *d);
const char *rdt_bin(void);

int rdt_connect(const struct rdt *d, struct rtslotc **c);
/* A periodic task, deadline = period, one kernel per job unless set after. */
void rdt_params(struct rtslotc_params *p, const char *name, uint64_t period_us,
		uint64_t wcet_us);
int rdt_stats(const struct rdt *d, struct rsp_stats *s);

/* Open file descriptors of a process. */
int rdt_fd_count(pid_t pid);

/* A plain SEQPACKET connection, no HELLO; and one raw exchange on it. */
int rdt_raw_connect(const struct rdt *d);
/* Send, receive one reply: its parsed type or -errno; *fd_out a passed fd or -1. */
int rdt_raw_call(int fd, const void *buf, size_t len, int fd_in, union rsp_msg *reply,
		 int *fd_out);
/* A HELLO on a raw connection: 0 when WELCOME came back. */
int rdt_raw_hello(int fd);

/*
 * One LEASE_* request on c for t without waiting for a grant: the state
 * rtslotd answers (enum rtslot_lease_state), or -errno (an ERROR's too).
 */
int rdt_lease_msg(struct rtslotc *c, struct rtslotc_task *t, uint16_t type, uint64_t est_ns);

/* Wait until the page's state is state (0) or the hang guard passes (-ETIME). */
int rdt_wait_state(const struct rtslot_lease_page *p, uint32_t state, uint64_t timeout_ns);
uint64_t rdt_now(void);
void rdt_sleep_us(uint64_t us);

#endif /* RD_TEST_H */
