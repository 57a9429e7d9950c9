// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtslotctl trace: record the probes' event stream as a Chrome/Perfetto
 * trace-event JSON timeline: one process per device, one thread per task,
 * each job a span (request to release) holding its lease (grant to release),
 * misses, overruns and table switches as instants.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rtslotctl.h"
#include "probe.h"
#include "probe_open.h"

#define TRACE_MAX_EVENTS	1000000

struct trace_task {
	struct rtslot_task_key key;
	uint64_t req_ns, grant_ns, est_ns, deadline_ns;	/* the job in flight */
	bool waiting, holding, missed;
};

struct trace {
	struct ctl_probe_opts po;
	const char *out;
	FILE *f;
	uint64_t t0, n, max;
	struct trace_task *t;
	size_t nt, cap;
	uint32_t devs;			/* bit per device seen (first 32) */
	int err;
};

static void help(void)
{
	printf("usage: rtslotctl trace -o FILE [-d N] [-p PID] [-t TASK] [--duration S]\n"
	       "                       [--max-events N] [-v] [-- COMMAND [ARG...]]\n\n"
	       "Record what the rtslot tasks do, from the BPF probes, as a Chrome/Perfetto\n"
	       "trace-event JSON file (open it in ui.perfetto.dev or chrome://tracing):\n"
	       "one process per device, one thread per task; a \"job\" span from request\n"
	       "to release holds a \"lease\" span from grant to release; misses,\n"
	       "overruns and table switches are instants.  Times are kernel-measured,\n"
	       "in microseconds from the start of the recording.  Stops after S\n"
	       "seconds, when COMMAND exits, or on Ctrl-C.\n\n"
	       "  -o, --output FILE   where to write the trace (required)\n"
	       "  -d, --device N      only /dev/rtslotN\n"
	       "  -p, --pid PID       only tasks of process PID\n"
	       "  -t, --task ID       only task ID\n"
	       "  -D, --duration S    stop after S seconds\n"
	       "  -m, --max-events N  stop writing after N events (default %d)\n"
	       "  -v, --verbose       libbpf's messages\n"
	       "  -h, --help          show this help\n\n"
	       "Needs root (CAP_BPF and CAP_PERFMON), tracefs and rtslot.ko.\n",
	       TRACE_MAX_EVENTS);
}

static int parse_args(int argc, char **argv, struct trace *tr, struct ctl_run *r)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "task", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'D' },
		{ "max-events", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, ret = 0;

	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, "+:o:d:p:t:D:m:vh", opts, NULL)) != -1) {
		ret = ctl_filter_opt("trace", c, optarg, &tr->po);
		if (ret <= 0)
			continue;
		ret = 0;
		switch (c) {
		case 'o':
			tr->out = optarg;
			break;
		case 'D':
			ret = ctl_parse_u64("trace", "--duration", optarg, 1, 86400, &v);
			r->end_ns = v * 1000000000ULL;
			break;
		case 'm':
			ret = ctl_parse_u64("trace", "--max-events", optarg, 1, 100000000, &tr->max);
			break;
		case 'h':
			help();
			exit(0);
		default:
			ctl_bad_option("trace", c, argv);
			return -EINVAL;
		}
	}
	if (ret)
		return ret;
	if (!tr->out) {
		ctl_usage_err("trace", "-o FILE is required");
		return -EINVAL;
	}
	return ctl_run_args(r, argc, argv, optind, 0);
}

static struct trace_task *task_of(struct trace *tr, uint32_t dev, uint32_t task)
{
	struct trace_task *nt;
	size_t i;

	for (i = 0; i < tr->nt; i++)
		if (tr->t[i].key.dev == dev && tr->t[i].key.task == task)
			return &tr->t[i];
	if (tr->nt == tr->cap) {
		nt = realloc(tr->t, (tr->cap * 2 + 8) * sizeof(*nt));
		if (!nt)
			return NULL;
		tr->t = nt;
		tr->cap = tr->cap * 2 + 8;
	}
	nt = &tr->t[tr->nt++];
	memset(nt, 0, sizeof(*nt));
	nt->key.dev = dev;
	nt->key.task = task;
	if (dev < 32)
		tr->devs |= 1u << dev;
	return nt;
}

/* Microseconds from the start, to the nanosecond. */
static struct json_object *us(const struct trace *tr, uint64_t ns, bool relative)
{
	double v = relative ? ((double)ns - (double)tr->t0) / 1e3 : (double)ns / 1e3;
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

/* One event per line: the plot scripts read them line by line. */
static void emit(struct trace *tr, struct json_object *o)
{
	if (tr->n < tr->max) {
		fprintf(tr->f, "%s%s", tr->n ? ",\n" : "",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		tr->n++;
	}
	json_object_put(o);
}

static struct json_object *event(const char *ph, const char *name, uint32_t pid, uint32_t tid)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ph", json_object_new_string(ph));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	json_object_object_add(o, "tid", json_object_new_int64(tid));
	return o;
}

static void span(struct trace *tr, const struct trace_task *tt, const char *name,
		 uint64_t from, uint64_t to, struct json_object *args)
{
	struct json_object *o = event("X", name, tt->key.dev, tt->key.task);

	if (from < tr->t0)
		from = tr->t0;
	json_object_object_add(o, "ts", us(tr, from, true));
	json_object_object_add(o, "dur", us(tr, to > from ? to - from : 0, false));
	if (args)
		json_object_object_add(o, "args", args);
	emit(tr, o);
}

static void instant(struct trace *tr, const char *name, uint32_t pid, uint32_t tid,
		    uint64_t at, const char *scope, struct json_object *args)
{
	struct json_object *o = event("i", name, pid, tid);

	json_object_object_add(o, "s", json_object_new_string(scope));
	json_object_object_add(o, "ts", us(tr, at, true));
	if (args)
		json_object_object_add(o, "args", args);
	emit(tr, o);
}

/* End the job in flight at `end`: its span, and its lease's if it held one. */
static void job_end(struct trace *tr, struct trace_task *tt, uint64_t end, const char *outcome,
		    uint64_t job_from, uint64_t lease_from)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "outcome", json_object_new_string(outcome));
	if (tt->est_ns)
		json_object_object_add(a, "est_us", us(tr, tt->est_ns, false));
	if (tt->deadline_ns)
		json_object_object_add(a, "deadline_us", us(tr, tt->deadline_ns, true));
	if (lease_from) {
		json_object_object_add(a, "wait_us", us(tr, lease_from - job_from, false));
		span(tr, tt, "lease", lease_from, end, NULL);
	}
	span(tr, tt, "job", job_from, end, a);
	tt->waiting = tt->holding = tt->missed = false;
	tt->est_ns = tt->deadline_ns = 0;
}

static const char *met(const struct trace_task *tt)
{
	if (tt->missed)
		return "missed";
	return tt->deadline_ns ? "met" : "best effort";
}

static void on_release(struct trace *tr, struct trace_task *tt, const struct rtslot_event *ev)
{
	uint64_t lease = ev->ts_ns - ev->release.held_ns;

	/* The kernel's wait and hold place the job; our clock reads do not. */
	if (!tt->deadline_ns)
		tt->deadline_ns = ev->release.deadline_ns;
	job_end(tr, tt, ev->ts_ns, met(tt), lease - ev->release.wait_ns, lease);
}

static int on_event(void *ctx, const struct rtslot_event *ev)
{
	struct trace *tr = ctx;
	struct trace_task *tt;
	struct json_object *a;

	if (ev->kind == RTSLOT_EV_TABLE) {
		a = json_object_new_object();
		json_object_object_add(a, "nslots", json_object_new_int64(ev->table.nslots));
		json_object_object_add(a, "frame_us", us(tr, ev->table.frame_ns, false));
		instant(tr, "table", ev->dev, 0, ev->ts_ns, "p", a);
		return 0;
	}
	tt = task_of(tr, ev->dev, ev->task);
	if (!tt) {
		tr->err = -ENOMEM;
		return 0;
	}
	switch (ev->kind) {
	case RTSLOT_EV_REQUEST:
		tt->waiting = true;
		tt->req_ns = ev->ts_ns;
		tt->est_ns = ev->request.est_ns;
		tt->deadline_ns = ev->request.deadline_ns;
		break;
	case RTSLOT_EV_GRANT:
		tt->holding = true;
		tt->grant_ns = ev->ts_ns;
		if (!tt->waiting)
			tt->req_ns = ev->ts_ns - ev->grant.wait_ns;
		tt->waiting = false;
		break;
	case RTSLOT_EV_RELEASE:
		on_release(tr, tt, ev);
		break;
	case RTSLOT_EV_CANCEL:
		job_end(tr, tt, ev->ts_ns, "cancelled", ev->ts_ns - ev->cancel.wait_ns, 0);
		break;
	case RTSLOT_EV_MISS:
		tt->missed = true;
		a = json_object_new_object();
		json_object_object_add(a, "late_us", us(tr, ev->miss.now_ns -
						     ev->miss.deadline_ns, false));
		instant(tr, "miss", ev->dev, ev->task, ev->ts_ns, "t", a);
		break;
	case RTSLOT_EV_OVERRUN:
		a = json_object_new_object();
		json_object_object_add(a, "over_us", us(tr, ev->overrun.over_ns, false));
		json_object_object_add(a, "action", json_object_new_string(
			ev->overrun.action == 2 ? "throttle" : ev->overrun.action ? "revoke" : "log"));
		instant(tr, "overrun", ev->dev, ev->task, ev->ts_ns, "t", a);
		if (ev->overrun.action && tt->holding)
			job_end(tr, tt, ev->ts_ns, "revoked", tt->req_ns, tt->grant_ns);
		break;
	case RTSLOT_EV_LEAVE:
		if (tt->holding || tt->waiting)
			job_end(tr, tt, ev->ts_ns, "left", tt->req_ns,
				tt->holding ? tt->grant_ns : 0);
		break;
	}
	return 0;
}

static void meta(struct trace *tr, const char *what, uint32_t pid, uint32_t tid,
		 const char *name)
{
	struct json_object *o = event("M", what, pid, tid), *a = json_object_new_object();

	json_object_object_add(a, "name", json_object_new_string(name));
	json_object_object_add(o, "args", a);
	emit(tr, o);
}

static int name_task(void *ctx, const struct rtslot_task_key *k,
		     const struct rtslot_task_stats *st)
{
	struct trace *tr = ctx;
	char name[96];
	size_t i;

	for (i = 0; i < tr->nt; i++)
		if (tr->t[i].key.dev == k->dev && tr->t[i].key.task == k->task) {
			snprintf(name, sizeof(name), "%s (task %u, pid %d)",
				 st->name[0] ? st->name : "-", k->task, st->pid);
			meta(tr, "thread_name", k->dev, k->task, name);
		}
	return 0;
}

/* Jobs still in flight end with the recording; then names for the tracks. */
static void finish(struct trace *tr, struct rtslot_probes *p)
{
	uint64_t now = rtslot_now_ns();
	char name[64], accel[32];
	uint32_t dev;
	size_t i;

	for (i = 0; i < tr->nt; i++)
		if (tr->t[i].holding || tr->t[i].waiting)
			job_end(tr, &tr->t[i], now, "open", tr->t[i].req_ns,
				tr->t[i].holding ? tr->t[i].grant_ns : 0);
	tr->max = UINT64_MAX;
	for (dev = 0; dev < 32; dev++) {
		if (!(tr->devs & (1u << dev)))
			continue;
		if (rtslot_sysfs_read(dev, "name", accel, sizeof(accel)) < 0)
			snprintf(accel, sizeof(accel), "?");
		snprintf(name, sizeof(name), "rtslot%u (%s)", dev, accel);
		meta(tr, "process_name", dev, 0, name);
	}
	rtslot_probes_tasks(p, name_task, tr);
}

int cmd_trace(int argc, char **argv)
{
	struct trace tr = {
		.po = { .dev = RTSLOT_BPF_ANY, .stream = true }, .max = TRACE_MAX_EVENTS,
	};
	struct ctl_run r = { .cmd = "trace" };
	struct rtslot_probes *p;
	struct rtslot_cuda *c;
	int ret, wake, fin;

	if (parse_args(argc, argv, &tr, &r))
		return EXIT_USAGE;
	tr.f = fopen(tr.out, "w");
	if (!tr.f) {
		ctl_err("trace", tr.out, errno);
		return EXIT_FAIL;
	}
	tr.po.on_event = on_event;
	tr.po.ctx = &tr;
	tr.t0 = rtslot_now_ns();
	if (ctl_probes_open("trace", &tr.po, &p, &c)) {
		fclose(tr.f);
		remove(tr.out);
		return EXIT_FAIL;
	}
	fprintf(tr.f, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"clock\":\"CLOCK_MONOTONIC\","
		"\"start_ns\":%llu},\"traceEvents\":[\n", (unsigned long long)tr.t0);
	ret = ctl_run_start(&r, "rtslot leases and jobs");
	while (!ret) {
		wake = ctl_run_wait(&r, p);
		if (wake < 0)
			ret = wake;
		if (wake != CTL_REPORT)
			break;
	}
	finish(&tr, p);
	fprintf(tr.f, "\n]}\n");
	if (fclose(tr.f) && !ret)
		ret = -EIO;
	fin = ctl_run_finish(&r);
	if (!ret && rtslot_probes_drops(p))
		fprintf(stderr, "rtslotctl trace: %llu events lost (ring buffer full)\n",
			(unsigned long long)rtslot_probes_drops(p));
	if (!ret)
		fprintf(stderr, "rtslotctl trace: %llu events in %s\n",
			(unsigned long long)tr.n, tr.out);
	ctl_probes_close(p, c);
	if (ret || tr.err) {
		ctl_err("trace", "recording", ret ? ret : tr.err);
		return EXIT_FAIL;
	}
	return fin;
}
