// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome/Perfetto trace-event JSON for the simulator: one process per
 * accelerator, one thread per task, kernels as spans, releases and misses
 * as instants.  Streamed, so a long run does not sit in memory.
 */
#include <stdlib.h>

#include <json-c/json.h>

#include "sim_internal.h"

#define TRACE_DEFAULT_MAX	200000

struct sim_trace {
	FILE *f;
	uint64_t n, max;
};

struct sim_trace *sim_trace_open(FILE *f, uint64_t max_events)
{
	struct sim_trace *tr = calloc(1, sizeof(*tr));

	if (!tr)
		return NULL;
	tr->f = f;
	tr->max = max_events ? max_events : TRACE_DEFAULT_MAX;
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
	return tr;
}

static void put_string(FILE *f, const char *s)
{
	struct json_object *o = json_object_new_string(s);

	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), f);
	json_object_put(o);
}

static int room(struct sim_trace *tr)
{
	if (tr->n >= tr->max)
		return 0;
	if (tr->n++)
		fputs(",\n", tr->f);
	return 1;
}

static void meta(struct sim_trace *tr, const char *what, int pid, int tid, const char *name)
{
	if (!room(tr))
		return;
	fprintf(tr->f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
		what, pid, tid);
	put_string(tr->f, name);
	fputs("}}", tr->f);
}

void sim_trace_names(struct sim_trace *tr, const struct rs_taskset *ts)
{
	uint32_t i;

	for (i = 0; i < ts->naccels; i++)
		meta(tr, "process_name", (int)i, 0, ts->accels[i].name);
	for (i = 0; i < ts->ntasks; i++)
		meta(tr, "thread_name", ts->tasks[i].accel, (int)i, ts->tasks[i].name);
}

void sim_trace_span(struct sim_trace *tr, int accel, int task, const char *name,
		    uint64_t start, uint64_t dur)
{
	if (!room(tr))
		return;
	fprintf(tr->f, "{\"ph\":\"X\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,"
		"\"ts\":%llu,\"dur\":%llu}", name, accel, task,
		(unsigned long long)start, (unsigned long long)dur);
}

void sim_trace_instant(struct sim_trace *tr, int accel, int task, const char *name,
		       uint64_t at)
{
	if (!room(tr))
		return;
	fprintf(tr->f, "{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"pid\":%d,\"tid\":%d,"
		"\"ts\":%llu}", name, accel, task, (unsigned long long)at);
}

void sim_trace_close(struct sim_trace *tr)
{
	fputs("\n]}\n", tr->f);
	free(tr);
}
