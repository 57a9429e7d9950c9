/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the rtslot kselftests: the device and its sysfs, the
 * trace buffer, and child processes that queue for leases.
 */
#ifndef RTSLOT_TEST_H
#define RTSLOT_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <rtslot.h>

#define RT_DEV		"/dev/rtslot0"
#define RT_SYSFS	"/sys/class/rtslot/rtslot0"
#define RT_TRACE	"/sys/kernel/tracing"
/* Where tests/vm/run-guest.sh --module puts the module in the guest. */
#define RT_KO_DEFAULT	"/lib/rtslot/rtslot.ko"

#define USEC(x)	((uint64_t)(x) * 1000ULL)
#define MSEC(x)	((uint64_t)(x) * 1000000ULL)
#define SEC(x)	((uint64_t)(x) * 1000000000ULL)

/* TCG is slow and shared: waits for "something that must happen" are long. */
#define RT_SETTLE	SEC(30)

uint64_t rt_now(void);
void rt_sleep(uint64_t ns);

/* Device calls: 0 (or a file descriptor) on success, else -errno. */
int rt_open(void);
int rt_ioctl(int fd, unsigned long cmd, void *arg);
int rt_info(int fd, struct rtslot_info *info);
int rt_task_create(int fd, const char *name, uint32_t *id);
int rt_open_task(const char *name, uint32_t *id);
int rt_reserve(int fd, uint64_t runtime, uint64_t deadline, uint64_t period, int prio);
/* And the bound of its leases' work (0: the device's default). */
int rt_reserve_bounded(int fd, uint64_t runtime, uint64_t deadline, uint64_t period,
		       int prio, uint64_t max_lease);
int rt_request(int fd, uint64_t est, uint64_t timeout, struct rtslot_lease_request *out);
int rt_renew(int fd, uint64_t est, uint64_t timeout, struct rtslot_lease_request *out);
int rt_release(int fd, uint64_t actual, uint64_t *held);
int rt_set_table(int fd, const struct rtslot_slot *slots, uint32_t nslots);

/* The lease page: NULL and errno set on failure. */
const struct rtslot_lease_page *rt_map_page(int fd);
/* A consistent copy, by the seqcount protocol of the UAPI header. */
void rt_page_read(const struct rtslot_lease_page *page, struct rtslot_lease_page *out);

/* sysfs attributes of rtslot0, by name; values without the newline. */
int rt_attr_read(const char *attr, char *buf, size_t len);
int rt_attr_write(const char *attr, const char *val);
int rt_attr_u64(const char *attr, uint64_t *val);
int rt_attr_set_u64(const char *attr, uint64_t val);
int rt_stat(const char *key, uint64_t *val);

/* One line of the `tasks` attribute. */
struct rt_task_row {
	uint32_t id;
	int pid;
	char state[16];
	int prio;
	uint64_t runtime, deadline, period;
	uint64_t requests, grants, misses, overruns;
	char name[RTSLOT_NAME_LEN];
};
int rt_task_row(uint32_t id, struct rt_task_row *row);
/* Tasks in @state (NULL: all). */
int rt_count_tasks(const char *state);
/* Poll until @n tasks are in @state; -ETIMEDOUT after @timeout. */
int rt_wait_tasks(const char *state, int n, uint64_t timeout);
int rt_wait_task_state(uint32_t id, const char *state, uint64_t timeout);

/* The active table as `slots` shows it; the count or -errno. */
int rt_slots_read(struct rtslot_slot *slots, unsigned int max);

/*
 * Device configuration: every writable attribute.  Tests start from the
 * module defaults and put back what they found.
 */
#define RT_NATTRS	10
struct rt_config {
	char val[RT_NATTRS][32];
};
extern const struct rt_config rt_defaults;
int rt_config_save(struct rt_config *c);
/* Removes any table first, so that frame_us may change. */
int rt_config_apply(const struct rt_config *c);
int rt_clear_table(void);
/* Fixture setup: save, wait for earlier tests' tasks to be gone, reset. */
int rt_setup(struct rt_config *saved);

/* Trace events of rtslot: enable and clear, read back, disable. */
int rt_trace_begin(void);
int rt_trace_end(void);
/* The whole buffer, malloc()ed and NUL-terminated; NULL on error. */
char *rt_trace_read(void);
/*
 * The first line at or after @from of @event for @task (0: any task); the
 * returned pointer is the line's field text, the line ends at '\n'.
 */
const char *rt_trace_find(const char *from, const char *event, uint32_t task);
int rt_field_u64(const char *fields, const char *key, uint64_t *val);
int rt_field_s64(const char *fields, const char *key, int64_t *val);
int rt_field_str(const char *fields, const char *key, char *buf, size_t len);

/* Memory shared with children (MAP_SHARED | MAP_ANONYMOUS), zeroed. */
void *rt_shared(size_t len);

/*
 * A child running @fn(arg, idx), _exit()ing with its return value; it dies
 * with the test process (PR_SET_PDEATHSIG) so that no task outlives a
 * failed test.
 */
typedef int (*rt_child_fn)(void *arg, int idx);
pid_t rt_spawn(rt_child_fn fn, void *arg, int idx);
/* Exit status, 128 + signal when killed, -ETIMEDOUT (child killed). */
int rt_reap(pid_t pid, uint64_t timeout);

/*
 * A child that creates a task, optionally reserves, and asks for one lease:
 * the usual actor of the ordering tests.  Fill the "in" part, spawn
 * rt_waiter_main with a struct rt_group and the waiter's index.
 */
struct rt_waiter {
	/* in */
	bool reserve;			/* call SET_RESERVATION first */
	int prio;
	uint64_t runtime, deadline, period;
	uint64_t est, timeout;
	/*
	 * Before the counted request: hold a lease this long (a reservation
	 * enters its request spent), then wait for the group's go.
	 */
	uint64_t spend;
	/* out */
	uint32_t id;			/* set once the task exists */
	int ready;			/* task created, request coming */
	int err;			/* of the request */
	int release_err;
	uint64_t order;			/* 1 for the first grant of the group */
	uint64_t requested_ns;		/* clock read before the request */
	uint64_t returned_ns;		/* and after it */
	uint64_t granted_ns;		/* from the lease page */
	uint64_t lease_end_ns;
	uint64_t released_ns;		/* clock read after the release */
};

#define RT_MAX_WAITERS	64
struct rt_group {
	uint64_t seq;
	int go;				/* for waiters that spend first */
	struct rt_waiter w[RT_MAX_WAITERS];
};
int rt_waiter_main(void *group, int idx);
/*
 * Granted and woken by the grant, not by its own timeout: a wait that
 * ends only at the timeout still returns the lease, so a lost wakeup
 * shows only here.
 */
bool rt_woken_in_time(const struct rt_waiter *w);
/* Spawn waiter @idx and wait until its request is queued. */
pid_t rt_start_waiter(struct rt_group *g, int idx);

#endif /* RTSLOT_TEST_H */
