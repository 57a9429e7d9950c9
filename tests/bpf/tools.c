// SPDX-License-Identifier: GPL-2.0
/*
 * In the QEMU guest with rtslot.ko: rtslotctl lat, top and trace around
 * an rtslotctl work of known jobs and misses report exactly those, in
 * their text, their Prometheus file and their trace JSON; and they say
 * so when they cannot run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "kselftest_harness.h"
#include "probes_test.h"

#define OUT	"/tmp/bt-tools.out"

static const char *ctl(void)
{
	const char *p = getenv("RTSLOTCTL");

	return p ? p : "/bin/rtslotctl";
}

/* Run argv with stdout and stderr in OUT, as uid (-1: ours); its exit status. */
static int run(char *const argv[], int uid, char **out)
{
	pid_t pid;
	int status, fd;
	FILE *f;
	long n;

	fflush(NULL);
	pid = fork();
	if (!pid) {
		fd = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		if (uid >= 0 && (setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	*out = NULL;
	f = fopen(OUT, "r");
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		*out = calloc(1, n + 1);
		if (*out && fread(*out, 1, n, f) != (size_t)n)
			**out = '\0';
		fclose(f);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A number that follows "what" on the line of the task named name. */
static long task_field(const char *out, const char *name, const char *what)
{
	char tag[64];
	const char *line, *eol, *p;

	snprintf(tag, sizeof(tag), " %s, pid ", name);
	line = strstr(out, tag);
	if (!line)
		return -1;
	eol = strchr(line, '\n');
	for (p = line; p && (!eol || p < eol); p++) {
		if (!strncmp(p, what, strlen(what)) && p[-1] == ' ') {
			while (p > line && p[-2] >= '0' && p[-2] <= '9')
				p--;
			return strtol(p - 1, NULL, 10);
		}
	}
	return -1;
}

/* The "count N" of the histogram titled title, after the task's line. */
static long hist_count(const char *out, const char *name, const char *title)
{
	char tag[64];
	const char *p;

	snprintf(tag, sizeof(tag), " %s, pid ", name);
	p = strstr(out, tag);
	if (p)
		p = strstr(p, title);
	/* The summary line under the buckets, not the header's "count". */
	if (p)
		p = strstr(p, "\n     count ");
	return p ? strtol(p + 12, NULL, 10) : -1;
}

FIXTURE(tools) {
	struct rt_config saved;
	char *out;
};

FIXTURE_SETUP(tools)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	ASSERT_EQ(0, rt_attr_write("overrun_action", "log"));
	ASSERT_EQ(0, rt_attr_write("overrun_grace_us", "1000000"));
}

FIXTURE_TEARDOWN(tools)
{
	free(self->out);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

TEST_F_TIMEOUT(tools, lat_counts_jobs, 120)
{
	char *argv[] = { (char *)ctl(), "lat", "--no-runq", "--", (char *)ctl(), "work",
			 "--name", "latw", "--est-us", "1000", "--hold-us", "200",
			 "--jobs", "20", "--quiet", NULL };

	ASSERT_EQ(0, run(argv, -1, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_EQ(20, task_field(self->out, "latw", "grants"));
	EXPECT_EQ(20, task_field(self->out, "latw", "releases"));
	EXPECT_EQ(0, task_field(self->out, "latw", "misses"));
	EXPECT_EQ(20, hist_count(self->out, "latw", "lease wait"));
	EXPECT_EQ(20, hist_count(self->out, "latw", "lease hold"));
	EXPECT_EQ(20, hist_count(self->out, "latw", "job response"));
}

/* Each job holds 6 ms against a 5 ms deadline: one miss per job. */
TEST_F_TIMEOUT(tools, lat_counts_misses, 120)
{
	char *argv[] = { (char *)ctl(), "lat", "-k", "wait,slack", "--", (char *)ctl(), "work",
			 "--name", "latm", "--runtime-us", "2000", "--period-us", "5000",
			 "--est-us", "1000", "--hold-us", "6000", "--jobs", "4",
			 "--interval-us", "12000", "--quiet", NULL };

	ASSERT_EQ(0, run(argv, -1, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_EQ(4, task_field(self->out, "latm", "misses"));
	EXPECT_EQ(4, hist_count(self->out, "latm", "lease wait"));
	EXPECT_EQ(NULL, strstr(self->out, "deadline slack"));
}

static const char *prom_line(const char *text, const char *metric, const char *name)
{
	const char *p = text, *eol;
	char tag[64];

	snprintf(tag, sizeof(tag), "name=\"%s\"", name);
	while ((p = strstr(p, metric))) {
		eol = strchr(p, '\n');
		if ((p == text || p[-1] == '\n') && p[strlen(metric)] == '{') {
			const char *t = strstr(p, tag);

			if (t && (!eol || t < eol))
				return p;
		}
		p += strlen(metric);
	}
	return NULL;
}

static long prom_value(const char *line)
{
	const char *sp = strchr(line, '}');

	return sp ? strtol(sp + 1, NULL, 10) : -1;
}

TEST_F_TIMEOUT(tools, top_row_and_prometheus, 120)
{
	char *argv[] = { (char *)ctl(), "top", "--count", "1", "-i", "600", "--prom",
			 "/tmp/bt.prom", "--", (char *)ctl(), "work", "--name", "topw",
			 "--est-us", "1000", "--hold-us", "300", "--jobs", "15", "--quiet", NULL };
	unsigned int dev, task;
	unsigned long long jobs;
	const char *row, *line;
	char name[32];
	char *prom = NULL, *cat[] = { "/bin/cat", "/tmp/bt.prom", NULL };
	int pid;

	ASSERT_EQ(0, run(argv, -1, &self->out));
	TH_LOG("%s", self->out);
	row = strstr(self->out, " topw ");
	ASSERT_NE(NULL, row);
	while (row > self->out && row[-1] != '\n')
		row--;
	ASSERT_EQ(5, sscanf(row, "%u %u %d %31s %llu", &dev, &task, &pid, name, &jobs));
	EXPECT_STREQ("topw", name);
	EXPECT_EQ(15, jobs);

	ASSERT_EQ(0, run(cat, -1, &prom));
	line = prom_line(prom, "rtslot_task_grants_total", "topw");
	ASSERT_NE(NULL, line);
	EXPECT_EQ(15, prom_value(line));
	line = prom_line(prom, "rtslot_task_wait_seconds_count", "topw");
	ASSERT_NE(NULL, line);
	EXPECT_EQ(15, prom_value(line));
	line = prom_line(prom, "rtslot_task_deadline_misses_total", "topw");
	ASSERT_NE(NULL, line);
	EXPECT_EQ(0, prom_value(line));
	EXPECT_NE(NULL, strstr(prom, "# TYPE rtslot_task_response_seconds histogram"));
	free(prom);
}

struct spans {
	int task;
	int jobs, leases, misses, missed_jobs;
};

static void count_event(struct json_object *e, struct spans *s)
{
	struct json_object *v, *args, *o;
	const char *ph, *name;
	int tid;

	if (!json_object_object_get_ex(e, "ph", &v))
		return;
	ph = json_object_get_string(v);
	json_object_object_get_ex(e, "name", &v);
	name = json_object_get_string(v);
	json_object_object_get_ex(e, "tid", &v);
	tid = json_object_get_int(v);
	if (!strcmp(ph, "M") && !strcmp(name, "thread_name") &&
	    json_object_object_get_ex(e, "args", &args) &&
	    json_object_object_get_ex(args, "name", &o) &&
	    !strncmp(json_object_get_string(o), "trw (task ", 10))
		s->task = tid;
	if (tid != s->task)
		return;
	if (!strcmp(ph, "X") && !strcmp(name, "job")) {
		s->jobs++;
		if (json_object_object_get_ex(e, "args", &args) &&
		    json_object_object_get_ex(args, "outcome", &o) &&
		    !strcmp(json_object_get_string(o), "missed"))
			s->missed_jobs++;
	}
	s->leases += !strcmp(ph, "X") && !strcmp(name, "lease");
	s->misses += !strcmp(ph, "i") && !strcmp(name, "miss");
}

TEST_F_TIMEOUT(tools, trace_spans, 120)
{
	char *argv[] = { (char *)ctl(), "trace", "-o", "/tmp/bt.json", "--", (char *)ctl(),
			 "work", "--name", "trw", "--runtime-us", "2000", "--period-us", "5000",
			 "--est-us", "1000", "--hold-us", "6000", "--jobs", "5",
			 "--interval-us", "12000", "--quiet", NULL };
	struct json_object *root, *evs;
	struct spans s = { .task = -1 };
	size_t i, n;
	int pass;

	ASSERT_EQ(0, run(argv, -1, &self->out));
	TH_LOG("%s", self->out);
	root = json_object_from_file("/tmp/bt.json");
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "traceEvents", &evs));
	n = json_object_array_length(evs);
	/* Names come last in the file: find the task first, then count. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			if (!pass) {
				struct spans probe = { .task = -1 };

				count_event(json_object_array_get_idx(evs, i), &probe);
				if (probe.task >= 0)
					s.task = probe.task;
				continue;
			}
			count_event(json_object_array_get_idx(evs, i), &s);
		}
	ASSERT_LT(0, s.task);
	EXPECT_EQ(5, s.jobs);
	EXPECT_EQ(5, s.leases);
	EXPECT_EQ(5, s.misses);
	EXPECT_EQ(5, s.missed_jobs);
	json_object_put(root);
}

TEST_F(tools, says_what_is_missing)
{
	char *argv[] = { (char *)ctl(), "lat", "1", "1", NULL };

	EXPECT_EQ(1, run(argv, 65534, &self->out));
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "needs root"));
}

TEST_HARNESS_MAIN
