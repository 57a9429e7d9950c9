// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotctl admit: which tasks of a task set the admission analysis of a
 * policy accepts, and why the others are refused.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rtslot/analysis.h"
#include "rtslot/sim.h"
#include "rtslot/taskset.h"
#include "rtslotctl.h"

static const char admit_help[] =
	"usage: rtslotctl admit --taskset FILE --policy edf|fp|slot [--json]\n"
	"\n"
	"Admit the tasks one by one, most critical first, each against those\n"
	"admitted before it, as rtslotd does.  edf: the demand-bound test with\n"
	"non-preemptive blocking; fp: response-time analysis with blocking; slot:\n"
	"the planner lays out a table in which no job misses.  fifo and rr give no\n"
	"guarantee and are refused.  Exit status 0 when every task is admitted,\n"
	"1 when some are not (or the file cannot be read), 2 on a bad command line.\n";

static int test_of(int policy)
{
	switch (policy) {
	case RS_SIM_EDF:
		return RS_TEST_EDF;
	case RS_SIM_FP:
		return RS_TEST_FP;
	case RS_SIM_SLOT:
		return RS_TEST_SLOT;
	default:
		return -1;
	}
}

static void print_json(const struct rs_taskset *ts, int policy, int rejected,
		       const struct rs_task_verdict *v)
{
	struct json_object *root = json_object_new_object();
	struct json_object *tasks = json_object_new_array();
	uint32_t i;

	json_object_object_add(root, "policy", json_object_new_string(rs_sim_policy_name(policy)));
	json_object_object_add(root, "admitted", json_object_new_boolean(!rejected));
	for (i = 0; i < ts->ntasks; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(ts->tasks[i].name));
		json_object_object_add(o, "admitted", json_object_new_boolean(v[i].admitted));
		json_object_object_add(o, "reason", json_object_new_string(v[i].reason));
		if (policy == RS_SIM_FP && v[i].admitted && v[i].response_us)
			json_object_object_add(o, "response_bound_us",
					       json_object_new_int64((int64_t)v[i].response_us));
		json_object_array_add(tasks, o);
	}
	json_object_object_add(root, "tasks", tasks);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(root);
}

static void print_text(const struct rs_taskset *ts, int policy, int rejected,
		       const struct rs_task_verdict *v)
{
	uint32_t i;

	printf("policy %s: %s\n", rs_sim_policy_name(policy),
	       rejected ? "not every task is admitted" : "every task is admitted");
	for (i = 0; i < ts->ntasks; i++) {
		printf("  %-16s %s", ts->tasks[i].name, v[i].admitted ? "admitted" : "rejected");
		if (v[i].admitted && v[i].response_us)
			printf(" (responds within %llu us)", (unsigned long long)v[i].response_us);
		if (!v[i].admitted)
			printf(": %s", v[i].reason);
		putchar('\n');
	}
}

int cmd_admit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "taskset", required_argument, NULL, 't' },
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rs_task_verdict *v;
	const char *path = NULL;
	struct rs_taskset ts;
	int c, json = 0, policy = -1, rejected;
	char why[256];

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			path = optarg;
			break;
		case 'p':
			policy = rs_sim_policy_parse(optarg);
			if (policy < 0 || test_of(policy) < 0) {
				ctl_usage_err("admit", "%s '%s': edf, fp or slot (fifo and rr guarantee nothing)",
					      policy < 0 ? "no policy" : "nothing to analyse for", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(admit_help, stdout);
			return 0;
		default:
			ctl_bad_option("admit", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage_err("admit", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!path || policy < 0) {
		ctl_usage_err("admit", "--taskset and --policy are required");
		return EXIT_USAGE;
	}
	if (rs_taskset_load(path, &ts, why, sizeof(why))) {
		fprintf(stderr, "rtslotctl admit: %s\n", why);
		return EXIT_FAIL;
	}
	v = calloc(ts.ntasks, sizeof(*v));
	rejected = v ? rs_admit(&ts, test_of(policy), v) : -1;
	if (rejected < 0) {
		fprintf(stderr, "rtslotctl admit: out of memory\n");
		free(v);
		rs_taskset_free(&ts);
		return EXIT_FAIL;
	}
	if (json)
		print_json(&ts, policy, rejected, v);
	else
		print_text(&ts, policy, rejected, v);
	free(v);
	rs_taskset_free(&ts);
	return rejected ? EXIT_FAIL : 0;
}
