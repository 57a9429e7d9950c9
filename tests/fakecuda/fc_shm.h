/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtual accelerator as it lies in shared memory: the one layout that
 * libcuda.so.1, fakecuda-stat and the self-tests share.
 */
#ifndef FC_SHM_H
#define FC_SHM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define FC_SHM_MAGIC	0x616475636b6166ULL	/* "fakcuda" */
#define FC_SHM_VERSION	1		/* bump on any layout change */
#define FC_RING		4096		/* the push buffer, in records */
#define FC_NPROC	64
#define FC_NEVENT	8192		/* timing events of all processes */
#define FC_NAME_LEN	64
#define FC_PATH_LEN	256
#define FC_DEFAULT_DEVICE "/fakecuda-0"

enum fc_mode { FC_FIFO, FC_TIMESLICE };

/*
 * What a record is.  Only kernels take device time; markers (timing-event
 * positions) and waits (cuStreamWaitEvent) complete the moment they are
 * eligible; host functions complete when their process's helper says so.
 */
enum fc_kind { FC_KERNEL, FC_MARKER, FC_WAIT, FC_HOST };
enum fc_state { FC_FREE, FC_PENDING, FC_DONE };

#define FC_REC_STARTED	1u
#define FC_REC_DROPPED	2u

struct fc_rec {
	uint64_t seq;		/* submission order, from 1; slot = seq % FC_RING */
	uint64_t prev;		/* previous record of the same stream, 0 if none */
	uint64_t dep;		/* FC_WAIT: the record waited for */
	uint64_t submit_ns, start_ns, end_ns;
	uint64_t dur_ns, left_ns;
	uint64_t stream;	/* the handle as the application passed it */
	uint32_t state, kind, proc, ctx;
	uint32_t ev, evgen;	/* FC_MARKER: timing-event slot and its generation */
	uint32_t flags, pad;
	char name[FC_NAME_LEN];
};

struct fc_proc {
	int32_t pid;
	uint32_t alive;
	uint64_t starttime;	/* /proc/PID/stat field 22: tells a reused pid apart */
	uint64_t launches, graph_launches, kernels, completed, dropped, busy_ns;
	char log[FC_PATH_LEN];	/* FAKECUDA_LOG of that process, "" if none */
};

struct fc_evslot {
	uint32_t proc;		/* owner slot + 1; 0 when free */
	uint32_t gen;
	uint64_t seq;		/* the marker that completes it */
	uint64_t ts_ns;
	uint32_t done, pad;
};

struct fc_shm {
	uint64_t magic;
	uint32_t version, size;
	pthread_mutex_t lock;	/* process-shared, robust */
	uint32_t mode;
	uint32_t nzero;		/* pending markers and waits: settle() skips when 0 */
	uint64_t slice_ns;
	uint64_t t_ns;		/* the model has executed up to this instant */
	uint64_t next_seq, low_seq;	/* records below low_seq are all done */
	uint64_t running;	/* seq of the kernel holding the device, 0 if none */
	uint32_t cur_valid, cur_key;	/* timeslice: who owns the slice */
	uint64_t slice_end;
	uint64_t busy_ns, completed, dropped, submitted, recoveries;
	uint64_t reap_ns;
	uint32_t ev_hint, pad;
	struct fc_proc proc[FC_NPROC];
	struct fc_evslot ev[FC_NEVENT];
	struct fc_rec ring[FC_RING];
};

static inline struct fc_rec *fc_slot(struct fc_shm *d, uint64_t seq)
{
	return &d->ring[seq % FC_RING];
}

/* shm.c: the segment, its lock and the reaping of dead processes. */
int fc_shm_open(const char *name, bool create, struct fc_shm **out);
void fc_shm_close(struct fc_shm *d);
int fc_shm_lock(struct fc_shm *d);
void fc_shm_unlock(struct fc_shm *d);
void fc_shm_configure(struct fc_shm *d);
int fc_shm_register(struct fc_shm *d, int pid, const char *log);
void fc_shm_reap(struct fc_shm *d);
void fc_shm_reset(struct fc_shm *d);
bool fc_pid_alive(int pid, uint64_t starttime);
uint64_t fc_pid_starttime(int pid);
uint64_t fc_now(void);

/* engine.c: the model, run lazily under the lock up to the caller's now. */
void fc_advance(struct fc_shm *d, uint64_t now);
void fc_settle(struct fc_shm *d);
int fc_submit(struct fc_shm *d, const struct fc_rec *in, uint64_t *seq);
bool fc_seq_done(struct fc_shm *d, uint64_t seq);
uint64_t fc_eta(struct fc_shm *d, uint64_t seq);
void fc_host_done(struct fc_shm *d, uint64_t seq);
void fc_drop_proc(struct fc_shm *d, uint32_t proc);
void fc_repair(struct fc_shm *d);
int fc_ev_alloc(struct fc_shm *d, uint32_t proc, uint32_t *slot, uint32_t *gen);
void fc_ev_free(struct fc_shm *d, uint32_t slot, uint32_t gen);

/* log.c: FAKECUDA_LOG lines, queued under the lock, written after it. */
void fc_log_kernel(struct fc_shm *d, const struct fc_rec *r);
void fc_log_flush(void);
void fc_log_atfork_child(void);

#endif /* FC_SHM_H */
