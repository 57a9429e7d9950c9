/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fakecuda's process side: the objects behind CUDA handles, the process
 * state, and what the files of the library call in each other.
 */
#ifndef FC_H
#define FC_H

#include <cuda.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fc_shm.h"

#define FC_DRIVER_VERSION	13000
#define FC_CTX_STACK		16
#define FC_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Internal errors are negative errno values.  Conditions errno has no word
 * for get codes past its range; fc_result() maps both at the API edge.
 */
enum {
	FC_ENOTINIT = 4096,	/* CUDA_ERROR_NOT_INITIALIZED */
	FC_ENOCTX,		/* CUDA_ERROR_INVALID_CONTEXT */
	FC_ENOFILE,		/* CUDA_ERROR_FILE_NOT_FOUND */
	FC_ESTATE,		/* CUDA_ERROR_ILLEGAL_STATE */
	FC_ECAPTURE,		/* CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED */
	FC_EINVALIDATED,	/* CUDA_ERROR_STREAM_CAPTURE_INVALIDATED */
	FC_EUNMATCHED,		/* CUDA_ERROR_STREAM_CAPTURE_UNMATCHED */
	FC_EUNJOINED,		/* CUDA_ERROR_STREAM_CAPTURE_UNJOINED */
	FC_EISOLATION,		/* CUDA_ERROR_STREAM_CAPTURE_ISOLATION */
	FC_EIMPLICIT,		/* CUDA_ERROR_STREAM_CAPTURE_IMPLICIT */
	FC_ECAPTURED,		/* CUDA_ERROR_CAPTURED_EVENT */
	FC_EWRONGTHREAD,	/* CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD */
};

enum fc_type {
	FC_T_CTX = 1, FC_T_MODULE, FC_T_FUNC, FC_T_LIBRARY, FC_T_KERNEL,
	FC_T_STREAM, FC_T_EVENT, FC_T_GRAPH, FC_T_GEXEC,
};

enum fc_stream_kind { FC_S_USER, FC_S_LEGACY, FC_S_PTDS };

struct fc_capture;
struct fc_graph;

struct fc_stream {
	struct fc_ctx *ctx;
	enum fc_stream_kind kind;
	unsigned int flags;
	int prio;
	uint64_t serial;
	uint64_t last;			/* seq of its newest record */
	struct fc_stream *next;		/* in its context */
	/* Stream capture: the sequence it belongs to, and its part in it. */
	struct fc_capture *cap;
	bool forked, joined;
	uint64_t cap_nodes;
	CUgraphNode cap_dep[1];
	size_t ndeps;
};

struct fc_ctx {
	uint32_t id;
	bool primary, active;
	int refs;
	unsigned int flags;
	struct fc_stream legacy;
	struct fc_stream *streams;	/* the legacy stream, then the others */
};

struct fc_module {
	struct fc_ctx *ctx;		/* NULL for a library */
	struct fc_func *funcs;
};

/* A CUfunction; a CUkernel is one too (the driver lets either be launched). */
struct fc_func {
	struct fc_module *mod;
	struct fc_func *next;
	char *name;
	uint64_t dur_ns;
};

struct fc_event {
	struct fc_ctx *ctx;
	unsigned int flags;
	bool recorded, timing;
	uint64_t seq;			/* done when this record is */
	uint32_t slot, gen;		/* timing events: the shared slot */
	/* Last recorded inside a capture: which, on what stream, after what. */
	uint64_t cap_id;
	struct fc_stream *cap_stream;
	uint64_t cap_nodes;
};

enum fc_node_kind { FC_N_KERNEL, FC_N_HOST };

struct fc_node {
	enum fc_node_kind kind;
	char name[FC_NAME_LEN];
	uint64_t dur_ns;
	CUhostFn fn;
	void *data;
};

/* Nodes are kept in capture order: launching one runs them in that order. */
struct fc_graph {
	struct fc_node **nodes;
	size_t n, cap;
};

struct fc_gexec {
	struct fc_node *nodes;
	size_t n;
};

struct fc_capture {
	uint64_t id;
	struct fc_stream *origin;
	CUstreamCaptureMode mode;
	pthread_t thread;
	bool invalid;
	bool own_graph;			/* false for cuStreamBeginCaptureToGraph */
	struct fc_graph *graph;
	struct fc_capture *next;
};

struct fc_process {
	pthread_mutex_t lock;		/* every process-side structure */
	bool inited;
	int pid;
	struct fc_shm *dev;
	uint32_t slot;			/* this process in the segment */
	uint64_t default_ns;		/* FAKECUDA_DEFAULT_US */
	uint32_t next_ctx;
	uint64_t next_serial;
	struct fc_ctx *primary;
	struct fc_capture *captures;
	uint64_t next_capture;
};

extern struct fc_process fc;

/* core.c */
int fc_lock(void);
void fc_unlock(void);
int fc_reg_add(void *p, enum fc_type t, struct fc_ctx *owner);
void *fc_reg_get(const void *p, enum fc_type t);
void fc_reg_del(const void *p);
void fc_reg_foreach(void (*fn)(void *p, enum fc_type t, struct fc_ctx *owner, void *arg),
		    void *arg);
void *fc_zalloc(size_t n);

/* dev.c: the process's use of the shared device. */
int fc_dev_lock(void);
void fc_dev_unlock(void);
int fc_enqueue(struct fc_rec *r, uint64_t *seq);
int fc_wait(uint64_t seq);
bool fc_done(uint64_t seq);
void fc_sleep_until(uint64_t t);

/* errors.c */
CUresult fc_result(int err);

/* ctx.c */
int fc_ctx_current(struct fc_ctx **out);
struct fc_ctx *fc_ctx_get(CUcontext h);
void fc_ctx_atfork_child(void);
int fc_ctx_sync(struct fc_ctx *ctx, bool blocking_only);

/* stream.c */
void fc_stream_init(struct fc_stream *s, struct fc_ctx *ctx, enum fc_stream_kind kind);
int fc_stream_get(CUstream h, bool ptds, struct fc_stream **out);
uint64_t fc_stream_handle(const struct fc_stream *s);
int fc_stream_push(struct fc_stream *s, struct fc_rec *r, uint64_t *seq);
void fc_stream_free(struct fc_stream *s);
int fc_stream_wait_idle(struct fc_stream *s);

/* module.c */
uint64_t fc_name_duration(const char *name);
struct fc_func *fc_func_get(CUfunction h);
void fc_module_free(struct fc_module *m);

/* event.c */
void fc_event_free(struct fc_event *e);

/* launch.c */
void fc_launch_atfork_child(void);
int fc_launch_nodes(struct fc_stream *s, const struct fc_node *nodes, size_t n, bool graph);

/* memory.c */
void fc_mem_atfork_child(void);

/* capture.c */
struct fc_capture *fc_capture_find(uint64_t id);
int fc_capture_unsafe(void);
int fc_capture_legacy(struct fc_stream *s);
bool fc_capture_busy(struct fc_ctx *ctx);
void fc_capture_invalidate(struct fc_capture *c);
int fc_capture_node(struct fc_stream *s, const struct fc_node *n);
void fc_capture_drop_stream(struct fc_stream *s);
void fc_capture_atfork_child(void);

/* graph.c */
struct fc_graph *fc_graph_new(void);
int fc_graph_add(struct fc_graph *g, const struct fc_node *n, struct fc_node **out);
void fc_graph_free(struct fc_graph *g);

#endif /* FC_H */
