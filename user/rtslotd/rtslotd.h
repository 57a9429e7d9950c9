/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtslotd internals: the daemon, its accelerators, clients and tasks, and
 * the interfaces between the files that implement them.
 */
#ifndef RTSLOTD_H
#define RTSLOTD_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <rtslot.h>

#include "rtslot/proto.h"
#include "rtslot/slotcore.h"
#include "rtslot/taskset.h"

#define RD_MAX_UIDS		32
#define RD_REASON_LEN		RSP_TEXT_LEN

/* A tiny intrusive doubly-linked list. */
struct rd_list {
	struct rd_list *next, *prev;
};

#define rd_container(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))
#define rd_list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)
#define rd_list_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

static inline void rd_list_init(struct rd_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline void rd_list_add_tail(struct rd_list *n, struct rd_list *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static inline void rd_list_del(struct rd_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	rd_list_init(n);
}

enum rd_backend_kind {
	RD_BACKEND_AUTO = -1,
	RD_BACKEND_USER = RSP_BACKEND_USER,
	RD_BACKEND_KMOD = RSP_BACKEND_KMOD,
};

/* Where measured hold times and misses come from (docs/rtslotd.md). */
enum rd_telemetry_mode {
	RD_TELEMETRY_AUTO,		/* the BPF probes when they can load, else none */
	RD_TELEMETRY_BPF,		/* the BPF probes, or rtslotd does not start */
	RD_TELEMETRY_OFF,		/* job reports only */
};

struct rd_accel_cfg {
	char name[RSP_NAME_LEN];
	int dev_index;			/* /dev/rtslotN in kmod mode; -1: by position */
	int preempt;			/* enum rs_preempt_mode */
	int overrun_action;		/* enum rs_overrun_action */
	uint64_t preempt_latency_us;
	uint64_t switch_us;
	uint64_t guard_us;
	uint64_t frame_us;		/* fifo/rr/fp/edf; slot plans its own */
	uint64_t overrun_grace_us;
	uint64_t timeslice_us;		/* rr: the shortest lease (user backend) */
	uint64_t unknown_kernel_us;	/* the q of a task that declared none */
};

struct rd_learn_cfg {
	double quantile;		/* of recent durations, default 0.99 */
	double margin;			/* estimate = quantile * (1 + margin) */
	double drift;			/* re-admit when the estimate moves by this share */
	uint32_t window;		/* recent durations kept */
	uint32_t min_samples;		/* before an estimate is used */
};

struct rd_config {
	char socket[108];
	uint32_t socket_mode;
	int backend;			/* enum rd_backend_kind */
	int policy;			/* enum rsp_policy */
	int telemetry;			/* enum rd_telemetry_mode */
	int rt_priority;		/* SCHED_FIFO priority of the daemon, 0: unchanged */
	uint32_t naccels;
	struct rd_accel_cfg accel[RSP_MAX_ACCELS];
	struct rd_learn_cfg learn;
	uint32_t max_clients;
	uint32_t max_tasks;		/* per client */
	uint32_t max_clients_per_uid;	/* root is counted only in max_clients */
	uint32_t max_tasks_per_uid;
	uint32_t hello_timeout_ms;	/* a connection that says nothing is closed */
	uint32_t nuids;			/* 0: any peer may use the socket */
	uid_t uids[RD_MAX_UIDS];
	/*
	 * Who may have what SCHED_DEADLINE gives only with CAP_SYS_NICE: high
	 * criticality, a priority above the ceiling, a reservation.
	 */
	uint32_t npriv_uids, npriv_gids;
	uid_t priv_uids[RD_MAX_UIDS];
	gid_t priv_gids[RD_MAX_UIDS];
	int32_t priority_ceiling;
	int unprivileged_reservations;
	int verbose;
};

/* config.c */
void rd_config_defaults(struct rd_config *c);
/* -errno with a message naming the field in err. */
int rd_config_load(struct rd_config *c, const char *path, char *err, size_t len);
int rd_config_parse(struct rd_config *c, const char *json, char *err, size_t len);
int rd_policy_parse(const char *s);
int rd_backend_parse(const char *s);
int rd_telemetry_parse(const char *s);
const char *rd_policy_name(int policy);
const char *rd_telemetry_name(int mode);
void rd_config_print(const struct rd_config *c, int fd);

/* learn.c: execution-time learning from job-end reports. */
struct rd_learn {
	uint64_t *ring;			/* durations normalised to variant scale 1, ns */
	uint32_t cap, n, head;
	uint64_t total;
};

int rd_learn_init(struct rd_learn *l, uint32_t window);
void rd_learn_free(struct rd_learn *l);
void rd_learn_add(struct rd_learn *l, uint64_t ns);
/* The longest time in a task's model (period, execution time, ...), registered or learned. */
#define RD_TIME_MAX_US		(RS_PERIOD_MAX_NS / 1000)
/* The estimate in us, rounded up, at most RD_TIME_MAX_US; 0 before min_samples. */
uint64_t rd_learn_estimate_us(const struct rd_learn *l, const struct rd_learn_cfg *c);
/* Has the estimate moved away from the model by more than the drift share? */
int rd_learn_drifted(uint64_t model_us, uint64_t est_us, const struct rd_learn_cfg *c);

struct rd_dev;
struct rd_client;
struct rd_daemon;

/* One registered task: its model, its admission state, its backend state. */
struct rd_task {
	struct rs_task core;		/* user backend: the slot core's task */
	struct rd_list dev_link, client_link;
	struct rd_dev *dev;
	struct rd_client *client;
	uint32_t id;			/* handle in the protocol, daemon-unique */
	uint32_t devid;			/* the task's id on the device */

	/* The model, in the task-set format (wcet_us of variant 0 scale 1). */
	struct rs_task_spec spec;
	uint64_t base_wcet_us;		/* execution time at scale 1; 0 unknown */
	uint64_t base_q_us;		/* longest kernel at scale 1; 0 unknown */
	uint32_t nvariants;
	uint32_t scale_ppm[RSP_MAX_VARIANTS];
	uint32_t accuracy_ppm[RSP_MAX_VARIANTS];

	/* Admission result. */
	uint32_t status;		/* enum rsp_status */
	uint32_t variant;
	uint64_t advice_gen;
	char reason[RD_REASON_LEN];
	uint64_t runtime_ns, deadline_ns, period_ns;	/* as given to the backend */
	uint64_t lease_max_ns;		/* likewise: the q admission charges it */
	int32_t prio, applied_prio;	/* applied_prio -1: never given */

	struct rd_learn learn;
	uint64_t job_release_ns;	/* of the job in progress, 0: none */
	uint64_t job_misses;		/* this task's share of rd_daemon.st.job_misses */

	/* Telemetry (kmod): what the kernel measured since the last JOB_END. */
	uint64_t held_ns;		/* the releases' held_ns, summed */
	uint64_t grant_ts_ns;		/* of the lease held, 0: none */

	/* user backend: the lease page */
	int memfd;
	struct rtslot_lease_page *page;
	struct rtslot_lease_page shown;	/* what the page last said */
	/* kmod backend: the client's /dev/rtslotN file */
	int devfd;
};

/* How a backend hosts the leases: the slot core here, or rtslot.ko. */
struct rd_backend {
	const char *name;
	int kind;			/* enum rd_backend_kind */
	int (*dev_init)(struct rd_dev *d, char *why, size_t len);
	void (*dev_fini)(struct rd_dev *d);
	/* fd: the client's device file (kmod), else -1; consumed on success. */
	int (*task_attach)(struct rd_dev *d, struct rd_task *t, int fd, char *why, size_t len);
	void (*task_detach)(struct rd_dev *d, struct rd_task *t);
	/* The fd to pass to the client with ACCEPTED (closed once sent), or -1. */
	int (*task_fd)(struct rd_task *t);
	/* lease_max_ns: the most work one lease may cover, 0: the device's default. */
	int (*set_reservation)(struct rd_dev *d, struct rd_task *t, uint64_t runtime_ns,
			       uint64_t deadline_ns, uint64_t period_ns, int32_t prio,
			       uint64_t lease_max_ns);
	int (*set_frame)(struct rd_dev *d, uint64_t frame_ns);
	/* Owners are rd_task.devid; nslots == 0 removes the table. */
	int (*set_table)(struct rd_dev *d, const struct rs_table *tab);
	/* The frame's epoch for release phasing: 0 when no table runs. */
	uint64_t (*epoch)(struct rd_dev *d);
	/* enum rsp_type of a LEASE_* request; -errno, -EOPNOTSUPP in kmod mode. */
	int (*lease)(struct rd_dev *d, struct rd_task *t, int type, uint64_t arg,
		     struct rsp_lease *out);
	uint64_t (*next_event)(struct rd_dev *d, uint64_t now);
	void (*tick)(struct rd_dev *d, uint64_t now);
	void (*stats)(struct rd_dev *d, struct rsp_stats *s);
};

extern const struct rd_backend rd_backend_user, rd_backend_kmod;

/* One accelerator. */
struct rd_dev {
	struct rd_daemon *dd;
	const struct rd_accel_cfg *cfg;
	const struct rd_backend *be;
	struct rd_list tasks;
	uint32_t ntasks;
	/* A plan waiting for the frame to change (only with no table running). */
	int plan_pending;
	uint64_t plan_frame_ns;
	struct rs_table plan;
	uint64_t frame_ns;		/* the frame in force */
	/* Misses and held times of its tasks come from the BPF probes. */
	int telemetry;
	/* backend state */
	struct rs_dev core;		/* user */
	int kfd;			/* kmod: rtslotd's own file of /dev/rtslotN */
	int kindex;
};

struct rtslot_probes;

struct rd_daemon {
	struct rd_config cfg;
	const struct rd_backend *be;
	struct rtslot_probes *probes;	/* NULL: telemetry off */
	uint64_t probe_drops;		/* ring buffer losses already logged */
	uint32_t ndevs;
	struct rd_dev *dev[RSP_MAX_ACCELS];
	struct rd_list clients;
	uint32_t nclients;
	uint32_t next_client_id, next_task_id;
	int quit;
	struct rsp_stats st;		/* the counters; gauges are filled on demand */
};

/* The daemon's clock: CLOCK_MONOTONIC ns, as the lease page uses. */
uint64_t rd_now(void);
void rd_log(const struct rd_daemon *dd, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define RD_ERR	0
#define RD_INFO	1
#define RD_DBG	2

/* backend.c: choosing the backend, building the devices. */
int rd_devs_init(struct rd_daemon *dd, char *why, size_t len);
void rd_devs_fini(struct rd_daemon *dd);
/* "" finds the first accelerator. */
struct rd_dev *rd_dev_find(struct rd_daemon *dd, const char *name);
/* When the loop must wake next for the devices (UINT64_MAX: never), and the wake-up. */
uint64_t rd_devs_next_event(struct rd_daemon *dd, uint64_t now);
void rd_devs_tick(struct rd_daemon *dd, uint64_t now);

/*
 * telemetry.c: the BPF probes on rtslot.ko's tracepoints (kmod backend).
 * Open: 0 with telemetry on or off as the mode and the system allow
 * (off: one line logged saying why), -errno with why when mode "bpf"
 * cannot be had.
 */
int rd_telemetry_open(struct rd_daemon *dd, char *why, size_t len);
void rd_telemetry_close(struct rd_daemon *dd);
/* Readable when events wait (poll it), -1 when telemetry is off. */
int rd_telemetry_fd(const struct rd_daemon *dd);
/* Take in every event waiting in the ring buffer, without blocking. */
void rd_telemetry_drain(struct rd_daemon *dd);
/*
 * At JOB_END: the accelerator time to learn from, the kernel's held time
 * of the job's leases when telemetry has one, else what the client
 * reported; the held sum starts again from 0.
 */
uint64_t rd_telemetry_job_time(struct rd_task *t, uint64_t reported_ns);

/* admission.c */
/* 0: accepted (t->status says how), 1: rejected (why), -errno. */
int rd_admit(struct rd_dev *d, struct rd_task *t, char *why, size_t len);
/* After t left the device (or before it is freed): re-plan the rest. */
void rd_admit_remove(struct rd_dev *d);
/* After learning moved t's execution time: re-check, re-plan. */
void rd_admit_update(struct rd_dev *d, struct rd_task *t);
/* Periodic: apply a plan that waits for the frame to change. */
void rd_admit_poll(struct rd_dev *d);
uint64_t rd_task_wcet_us(const struct rd_task *t, uint32_t variant);

/* The buffers of a client's one socket operation in flight. */
#define RD_MAX_FDS	4
struct rd_io {
	int kind;			/* RD_IO_RECV or RD_IO_SEND, owned by loop.c */
	unsigned char buf[RSP_MAX_MSG + 1];
	size_t len;
	int fd_out;			/* to pass with the reply and close, -1 none */
	struct iovec iov;
	struct msghdr msg;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * RD_MAX_FDS)];
	} ctl;
};

enum rd_client_state {
	RD_CL_NEW,			/* HELLO first */
	RD_CL_READY,
	RD_CL_CLOSING,			/* close once the last reply is sent */
};

struct rd_client {
	struct rd_daemon *dd;
	struct rd_list link;
	struct rd_list tasks;
	uint32_t ntasks;
	int fd;
	uint32_t id;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int state;			/* enum rd_client_state */
	int denied;			/* its uid may not use rtslotd */
	int privileged;			/* CAP_SYS_NICE, or listed (privilege.c) */
	uint64_t hello_by;		/* closed if still RD_CL_NEW then */
	char name[RSP_NAME_LEN];
	struct rd_io io;
};

/* client.c: one client's protocol state machine. */
struct rd_client *rd_client_new(struct rd_daemon *dd, int fd);
/* Unregisters its tasks (cleanup) and closes its socket. */
void rd_client_free(struct rd_client *c);
/*
 * A datagram of len bytes is in c->io.buf, with the fds it carried: a
 * reply is left in c->io for the loop to send.  Unused fds are closed.
 */
void rd_client_handle(struct rd_client *c, size_t len, int *fds, int nfds);
/*
 * privilege.c: whether the peer pid (uid, gid from SO_PEERCRED) has
 * CAP_SYS_NICE in rtslotd's user namespace or is listed in the config.
 */
int rd_peer_privileged(const struct rd_config *c, pid_t pid, uid_t uid, gid_t gid);
/*
 * What an unprivileged client may not have of r: NULL when nothing, else
 * why, for the reason it is registered as best effort with.
 */
const char *rd_privilege_needed(const struct rd_config *c, const struct rsp_register *r);

/* The connections of uid, and in *tasks the tasks they registered. */
uint32_t rd_uid_clients(struct rd_daemon *dd, uid_t uid, uint32_t *tasks);
/* The earliest HELLO deadline of a new client; UINT64_MAX when none. */
uint64_t rd_clients_next_event(struct rd_daemon *dd);
/* Shuts the sockets of clients past it: their receive ends, and frees them. */
void rd_clients_expire(struct rd_daemon *dd, uint64_t now);
void rd_fill_stats(struct rd_daemon *dd, struct rsp_stats *s);

/* loop.c: the liburing event loop; returns when dd->quit is set. */
int rd_loop_run(struct rd_daemon *dd, int listen_fd, int signal_fd);

/* task.c: registration, jobs and leases of one client's tasks. */
struct rd_task *rd_task_find(struct rd_client *c, uint32_t id);
/*
 * 0: the reply (ACCEPTED or REJECTED) is in *reply, *fd_out to pass along;
 * *fd (the client's device file, or -1) is set to -1 when the task took it.
 */
int rd_task_register(struct rd_client *c, const struct rsp_register *r, int *fd,
		     union rsp_msg *reply, int *fd_out);
/* cleanup: the client went away without unregistering. */
void rd_task_free(struct rd_task *t, int cleanup);
void rd_task_job_begin(struct rd_task *t, const struct rsp_job_begin *b);
/* -EINVAL for a variant the task does not have. */
int rd_task_job_end(struct rd_task *t, const struct rsp_job_end *e);
void rd_task_advice(const struct rd_task *t, struct rsp_advice *a);

/* sock.c: the listening socket. */
int rd_listen(const struct rd_config *c, char *why, size_t len);
void rd_unlisten(const struct rd_config *c, int fd);

#endif /* RTSLOTD_H */
