/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The rtslotd wire protocol: versioned fixed-size messages over an AF_UNIX
 * SOCK_SEQPACKET socket, shared by rtslotd, its client library and tests.
 * docs/rtslotd.md describes every message; this header is the contract.
 */
#ifndef RTSLOT_PROTO_H
#define RTSLOT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define RSP_VERSION		1
#define RSP_DEFAULT_SOCKET	"/run/rtslot/rtslotd.sock"

#define RSP_NAME_LEN		32
#define RSP_TEXT_LEN		192
#define RSP_MAX_VARIANTS	8
#define RSP_MAX_ACCELS		8
/* No message is longer; a receiver's buffer one byte longer sees overlong ones. */
#define RSP_MAX_MSG		512
/* Fixed-point fractions (variant scale and accuracy) are in parts per million. */
#define RSP_PPM			1000000U
#define RSP_SCALE_MAX_PPM	(16U * RSP_PPM)

/*
 * Every message starts with this header.  size is the whole message and
 * must equal the fixed size of its type; flags must be 0; a reply echoes
 * the seq of the request it answers.
 */
struct rsp_hdr {
	uint16_t version;		/* RSP_VERSION */
	uint16_t type;			/* enum rsp_type */
	uint32_t size;
	uint32_t seq;
	uint32_t flags;			/* must be 0 */
};

enum rsp_type {
	/* Requests: client to daemon.  Each gets exactly one reply. */
	RSP_HELLO = 1,			/* rsp_hello -> WELCOME */
	RSP_REGISTER = 2,		/* rsp_register (+ fd in kmod mode) -> ACCEPTED | REJECTED */
	RSP_UNREGISTER = 3,		/* rsp_task_ref -> OK */
	RSP_JOB_BEGIN = 4,		/* rsp_job_begin -> ADVICE */
	RSP_JOB_END = 5,		/* rsp_job_end -> ADVICE */
	RSP_LEASE_REQUEST = 6,		/* rsp_lease_req -> LEASE (user backend) */
	RSP_LEASE_RENEW = 7,		/* rsp_lease_req -> LEASE */
	RSP_LEASE_RELEASE = 8,		/* rsp_lease_release -> LEASE */
	RSP_LEASE_CANCEL = 9,		/* rsp_task_ref -> LEASE */
	RSP_STATS = 10,			/* rsp_hdr only -> STATS_REPLY */
	RSP_REQUEST_LAST = RSP_STATS,

	/* Replies: daemon to client. */
	RSP_WELCOME = 0x81,		/* rsp_welcome */
	RSP_OK = 0x82,			/* rsp_task_ref */
	RSP_ERROR = 0x83,		/* rsp_error */
	RSP_ACCEPTED = 0x84,		/* rsp_accepted (+ lease page fd in user mode) */
	RSP_REJECTED = 0x85,		/* rsp_rejected */
	RSP_ADVICE = 0x86,		/* rsp_advice */
	RSP_LEASE = 0x87,		/* rsp_lease */
	RSP_STATS_REPLY = 0x88,		/* rsp_stats */
	RSP_REPLY_LAST = RSP_STATS_REPLY,
};

enum rsp_backend {
	RSP_BACKEND_USER = 0,		/* rtslotd hosts the slot core, lease page is a memfd */
	RSP_BACKEND_KMOD = 1,		/* rtslot.ko: leases through /dev/rtslotN */
};

enum rsp_policy {
	RSP_POLICY_FIFO = 0,
	RSP_POLICY_RR = 1,
	RSP_POLICY_FP = 2,
	RSP_POLICY_EDF = 3,
	RSP_POLICY_SLOT = 4,
};

/* Same values as enum rs_criticality. */
enum rsp_criticality {
	RSP_CRIT_HIGH = 0,
	RSP_CRIT_LOW = 1,
	RSP_CRIT_BEST_EFFORT = 2,
};

/* Where a registered task stands (ACCEPTED and ADVICE). */
enum rsp_status {
	RSP_ST_ADMITTED = 0,		/* reserved time, deadlines guaranteed by analysis */
	RSP_ST_BEST_EFFORT = 1,		/* runs in slack, no guarantee; reason says why */
	RSP_ST_LEARNING = 2,		/* best effort until its execution time is learned */
};

struct rsp_hello {
	struct rsp_hdr hdr;
	uint32_t version;		/* highest protocol version the client speaks */
	uint32_t __pad;
	char name[RSP_NAME_LEN];	/* client's name for logs, may be empty */
};

struct rsp_accel {
	char name[RSP_NAME_LEN];
	int32_t dev_index;		/* N of /dev/rtslotN in kmod mode, else -1 */
	uint32_t __pad;
};

struct rsp_welcome {
	struct rsp_hdr hdr;
	uint32_t version;		/* RSP_VERSION */
	uint32_t backend;		/* enum rsp_backend */
	uint32_t policy;		/* enum rsp_policy */
	uint32_t naccels;
	uint32_t client_id;
	uint32_t __pad;
	struct rsp_accel accel[RSP_MAX_ACCELS];
};

struct rsp_variant {
	char name[RSP_NAME_LEN];
	uint32_t scale_ppm;		/* execution-time factor, 1..RSP_SCALE_MAX_PPM */
	uint32_t accuracy_ppm;		/* 0..RSP_PPM */
};

/*
 * Times of the task model are whole microseconds, as in task-set files.
 * wcet_us 0: unknown, learned from JOB_END reports.  max_kernel_us: the
 * longest non-preemptible kernel (0: wcet_us / kernels).  In kmod mode the
 * client has created its task on /dev/rtslot<dev_index>: it passes that
 * file with SCM_RIGHTS and its id in dev_task_id (else 0 and no fd).
 */
struct rsp_register {
	struct rsp_hdr hdr;
	char name[RSP_NAME_LEN];
	char accel[RSP_NAME_LEN];	/* empty: the first accelerator */
	uint64_t period_us;
	uint64_t deadline_us;		/* 0: the period (none for best effort) */
	uint64_t offset_us;		/* release phase within the frame */
	uint64_t jitter_us;
	uint64_t wcet_us;
	uint64_t max_kernel_us;
	uint32_t kernels;		/* 0 is taken as 1 */
	int32_t priority;		/* larger is more important */
	uint32_t criticality;		/* enum rsp_criticality */
	uint32_t nvariants;		/* 0..RSP_MAX_VARIANTS; unused entries zero */
	uint32_t dev_task_id;
	uint32_t __pad;
	struct rsp_variant variant[RSP_MAX_VARIANTS];
};

/* UNREGISTER, LEASE_CANCEL, and the OK reply. */
struct rsp_task_ref {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t __pad;
};

struct rsp_job_begin {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t __pad;
	uint64_t release_ns;		/* CLOCK_MONOTONIC activation; 0: now */
};

struct rsp_job_end {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t variant;		/* the variant that ran */
	uint64_t duration_ns;		/* accelerator time the job took, measured */
	uint64_t end_ns;		/* CLOCK_MONOTONIC completion; 0: now */
};

struct rsp_lease_req {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t __pad;
	uint64_t est_ns;		/* the work to run next, > 0 */
};

struct rsp_lease_release {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t __pad;
	uint64_t actual_ns;		/* 0: unknown; statistics only */
};

struct rsp_error {
	struct rsp_hdr hdr;
	int32_t err;			/* negative errno */
	uint16_t req_type;		/* the type it answers, 0 when unreadable */
	uint16_t __pad;
	char text[RSP_TEXT_LEN];
};

struct rsp_accepted {
	struct rsp_hdr hdr;
	uint32_t task_id;		/* the handle in later messages */
	uint32_t status;		/* enum rsp_status */
	uint32_t variant;		/* the variant to run */
	uint32_t dev_task_id;		/* the task's id on the device (lease page task_id) */
	uint64_t runtime_ns;		/* the reservation; all 0 for best effort */
	uint64_t deadline_ns;
	uint64_t period_ns;
	uint64_t wcet_us;		/* the model's execution time of the variant */
	uint64_t epoch_ns;		/* frame 0 starts here (CLOCK_MONOTONIC), 0: none */
	uint64_t frame_ns;		/* release at epoch + offset + k * period */
	char reason[RSP_TEXT_LEN];	/* why not admitted, else empty */
};

struct rsp_rejected {
	struct rsp_hdr hdr;
	int32_t err;			/* -ENOSPC: does not fit; -EINVAL: bad parameters */
	uint32_t __pad;
	char reason[RSP_TEXT_LEN];
};

struct rsp_advice {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t status;		/* enum rsp_status */
	uint32_t variant;		/* run this variant from the next job on */
	uint32_t __pad;
	uint64_t generation;		/* bumped whenever the advice changes */
	uint64_t wcet_us;
	uint64_t epoch_ns;
	uint64_t frame_ns;
	char reason[RSP_TEXT_LEN];
};

struct rsp_lease {
	struct rsp_hdr hdr;
	uint32_t task_id;
	uint32_t state;			/* enum rtslot_lease_state after the request */
	uint64_t generation;
	uint64_t lease_end_ns;
	uint64_t held_ns;		/* RELEASE: grant to release */
};

/* Daemon-wide accounting, for operators and the integration tests. */
struct rsp_stats {
	struct rsp_hdr hdr;
	uint32_t clients;		/* connected now */
	uint32_t tasks;			/* registered now */
	uint32_t admitted;		/* of which RSP_ST_ADMITTED */
	uint32_t learning;		/* of which RSP_ST_LEARNING */
	uint32_t holders;		/* tasks holding a lease now (user backend) */
	uint32_t waiters;		/* tasks waiting for one now */
	uint64_t connections;		/* since start */
	uint64_t registrations;
	uint64_t rejections;
	uint64_t unregistrations;
	uint64_t cleanups;		/* tasks freed because their client went away */
	uint64_t errors;		/* error replies sent */
	uint64_t jobs;			/* JOB_END reports */
	/*
	 * Jobs that missed: reports that ended past the job's deadline, or,
	 * where telemetry is on, the module's misses of rtslotd's tasks.
	 */
	uint64_t job_misses;
	uint64_t replans;		/* re-admissions after learning */
	uint64_t grants;		/* the slot cores' counters, summed */
	uint64_t releases;
	uint64_t cancels;
	uint64_t revokes;
	uint64_t overruns;
	uint64_t misses;
};

/* Every message, for the parser. */
union rsp_msg {
	struct rsp_hdr hdr;
	struct rsp_hello hello;
	struct rsp_welcome welcome;
	struct rsp_register reg;
	struct rsp_task_ref ref;
	struct rsp_job_begin begin;
	struct rsp_job_end end;
	struct rsp_lease_req lreq;
	struct rsp_lease_release lrel;
	struct rsp_error error;
	struct rsp_accepted accepted;
	struct rsp_rejected rejected;
	struct rsp_advice advice;
	struct rsp_lease lease;
	struct rsp_stats stats;
};

/* The wire layout is fixed: these sizes never change within a version. */
_Static_assert(sizeof(struct rsp_hdr) == 16, "rsp_hdr");
_Static_assert(sizeof(struct rsp_hello) == 56, "rsp_hello");
_Static_assert(sizeof(struct rsp_welcome) == 360, "rsp_welcome");
_Static_assert(sizeof(struct rsp_register) == 472, "rsp_register");
_Static_assert(sizeof(struct rsp_task_ref) == 24, "rsp_task_ref");
_Static_assert(sizeof(struct rsp_job_begin) == 32, "rsp_job_begin");
_Static_assert(sizeof(struct rsp_job_end) == 40, "rsp_job_end");
_Static_assert(sizeof(struct rsp_lease_req) == 32, "rsp_lease_req");
_Static_assert(sizeof(struct rsp_lease_release) == 32, "rsp_lease_release");
_Static_assert(sizeof(struct rsp_error) == 216, "rsp_error");
_Static_assert(sizeof(struct rsp_accepted) == 272, "rsp_accepted");
_Static_assert(sizeof(struct rsp_rejected) == 216, "rsp_rejected");
_Static_assert(sizeof(struct rsp_advice) == 256, "rsp_advice");
_Static_assert(sizeof(struct rsp_lease) == 48, "rsp_lease");
_Static_assert(sizeof(struct rsp_stats) == 160, "rsp_stats");
_Static_assert(sizeof(union rsp_msg) <= RSP_MAX_MSG, "RSP_MAX_MSG");

/* The fixed size of a message type; 0 for an unknown type. */
size_t rsp_size(uint16_t type);
const char *rsp_type_name(uint16_t type);
static inline int rsp_is_request(uint16_t type)
{
	return type >= RSP_HELLO && type <= RSP_REQUEST_LAST;
}

/* Fill in a header for a message of this type. */
void rsp_init(struct rsp_hdr *h, uint16_t type, uint32_t seq);

/*
 * Parse one datagram of len bytes into m.  Total and strict: returns the
 * message type, or a negative errno and leaves in m->hdr whatever header
 * could be read (zeroed when none):
 *   -EBADMSG	shorter than a header
 *   -EPROTONOSUPPORT	version is not RSP_VERSION
 *   -EOPNOTSUPP	unknown type
 *   -EMSGSIZE	len or hdr.size differs from the type's size
 *   -EINVAL	flags, padding or unused bytes not zero, a name without
 *		its NUL, an enum or count out of range
 * A message that parses encodes back to exactly the bytes it came from.
 */
int rsp_parse(const void *buf, size_t len, union rsp_msg *m);

/* Copy a string into a fixed field: NUL-padded; -ENAMETOOLONG if it does not fit. */
int rsp_set_name(char *field, size_t size, const char *s);

#endif /* RTSLOT_PROTO_H */
