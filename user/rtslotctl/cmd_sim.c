// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotctl sim: run a task set on the simulator under one policy and
 * print what each task saw (a table, or JSON).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rtslot/sim.h"
#include "rtslot/taskset.h"
#include "rtslotctl.h"

static const char sim_help[] =
	"usage: rtslotctl sim --taskset FILE --policy fifo|rr|fp|edf|slot|all\n"
	"                     [--duration-ms N] [--seed N] [--wcet] [--quantum-us N]\n"
	"                     [--trace FILE] [--json]\n"
	"\n"
	"Simulate the task set on a virtual clock.  fifo and rr model what a GPU\n"
	"does unmanaged; fp, edf and slot run rtslot's slot core as the module does;\n"
	"all runs every policy and prints misses and p99 response side by side.\n"
	"  --duration-ms N  simulated time (default: two hyperperiods or 10 s, the longer)\n"
	"  --seed N         execution times drawn in [bcet_us, wcet_us] from this seed (1)\n"
	"  --wcet           every job takes wcet_us\n"
	"  --quantum-us N   rr time slice (1000)\n"
	"  --trace FILE     write a Chrome/Perfetto trace-event timeline\n"
	"  --json           JSON instead of a table\n";

static struct json_object *result_json(const struct rs_taskset *ts, int policy,
				       const struct rs_sim_result *r)
{
	struct json_object *root = json_object_new_object();
	struct json_object *tasks = json_object_new_array();
	struct json_object *sum = json_object_new_object();
	uint32_t i;

	json_object_object_add(root, "policy",
			       json_object_new_string(rs_sim_policy_name(policy)));
	json_object_object_add(root, "duration_us", json_object_new_int64((int64_t)r->duration_us));
	for (i = 0; i < ts->ntasks; i++) {
		const struct rs_sim_task_stats *t = &r->tasks[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(ts->tasks[i].name));
		json_object_object_add(o, "jobs", json_object_new_int64((int64_t)t->jobs));
		json_object_object_add(o, "misses", json_object_new_int64((int64_t)t->misses));
		json_object_object_add(o, "resp_p50_us", json_object_new_int64((int64_t)t->resp_p50_us));
		json_object_object_add(o, "resp_p99_us", json_object_new_int64((int64_t)t->resp_p99_us));
		json_object_object_add(o, "resp_max_us", json_object_new_int64((int64_t)t->resp_max_us));
		json_object_array_add(tasks, o);
	}
	json_object_object_add(root, "tasks", tasks);
	json_object_object_add(sum, "jobs", json_object_new_int64((int64_t)r->jobs));
	json_object_object_add(sum, "misses", json_object_new_int64((int64_t)r->misses));
	json_object_object_add(sum, "miss_ratio", json_object_new_double(r->miss_ratio));
	json_object_object_add(sum, "utilization", json_object_new_double(r->utilization));
	json_object_object_add(root, "summary", sum);
	return root;
}

static void print_table(const struct rs_taskset *ts, int policy, const struct rs_sim_result *r)
{
	uint32_t i;

	printf("policy %s, %.3f s simulated\n", rs_sim_policy_name(policy),
	       (double)r->duration_us / 1e6);
	printf("%-16s %8s %8s %10s %10s %10s\n", "task", "jobs", "misses", "p50_us",
	       "p99_us", "max_us");
	for (i = 0; i < ts->ntasks; i++) {
		const struct rs_sim_task_stats *t = &r->tasks[i];

		printf("%-16s %8llu %8llu %10llu %10llu %10llu\n", ts->tasks[i].name,
		       (unsigned long long)t->jobs, (unsigned long long)t->misses,
		       (unsigned long long)t->resp_p50_us, (unsigned long long)t->resp_p99_us,
		       (unsigned long long)t->resp_max_us);
	}
	printf("total: %llu jobs, %llu misses (%.2f%%), accelerator busy %.1f%%\n",
	       (unsigned long long)r->jobs, (unsigned long long)r->misses,
	       100.0 * r->miss_ratio, 100.0 * r->utilization);
}

/* Every policy on the same jobs (same seed): misses and p99 per task. */
static int compare(const struct rs_taskset *ts, struct rs_sim_opts *o)
{
	struct rs_sim_result r[RS_SIM_NPOLICIES];
	char why[256];
	uint32_t i;
	int p;

	for (p = 0; p < RS_SIM_NPOLICIES; p++) {
		o->policy = p;
		if (rs_simulate(ts, o, &r[p], why, sizeof(why))) {
			fprintf(stderr, "rtslotctl sim: %s: %s\n", rs_sim_policy_name(p), why);
			while (p--)
				rs_sim_result_free(&r[p]);
			return -1;
		}
	}
	printf("%.3f s simulated; each cell: deadline misses / p99 response (ms)\n",
	       (double)r[0].duration_us / 1e6);
	printf("%-16s", "task");
	for (p = 0; p < RS_SIM_NPOLICIES; p++)
		printf(" %15s", rs_sim_policy_name(p));
	putchar('\n');
	for (i = 0; i < ts->ntasks; i++) {
		printf("%-16s", ts->tasks[i].name);
		for (p = 0; p < RS_SIM_NPOLICIES; p++) {
			char cell[32];

			/* Best-effort work has no deadline to miss. */
			if (ts->tasks[i].deadline_us)
				snprintf(cell, sizeof(cell), "%llu / %.1f",
					 (unsigned long long)r[p].tasks[i].misses,
					 (double)r[p].tasks[i].resp_p99_us / 1000.0);
			else
				snprintf(cell, sizeof(cell), "- / %.1f",
					 (double)r[p].tasks[i].resp_p99_us / 1000.0);
			printf(" %15s", cell);
		}
		putchar('\n');
	}
	printf("%-16s", "miss ratio");
	for (p = 0; p < RS_SIM_NPOLICIES; p++) {
		char cell[32];

		snprintf(cell, sizeof(cell), "%.1f%%", 100.0 * r[p].miss_ratio);
		printf(" %15s", cell);
	}
	putchar('\n');
	for (p = 0; p < RS_SIM_NPOLICIES; p++)
		rs_sim_result_free(&r[p]);
	return 0;
}

int cmd_sim(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "taskset", required_argument, NULL, 't' },
		{ "policy", required_argument, NULL, 'p' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "wcet", no_argument, NULL, 'w' },
		{ "quantum-us", required_argument, NULL, 'q' },
		{ "trace", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rs_sim_opts o = { .policy = -1, .seed = 1 };
	const char *path = NULL, *trace = NULL;
	struct rs_sim_result r;
	struct rs_taskset ts;
	char why[256];
	uint64_t ms;
	int c, json = 0, all = 0, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			path = optarg;
			break;
		case 'p':
			all = !strcmp(optarg, "all");
			o.policy = all ? 0 : rs_sim_policy_parse(optarg);
			if (o.policy < 0) {
				ctl_usage_err("sim", "no policy '%s': fifo, rr, fp, edf, slot or all",
					      optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (ctl_parse_u64("sim", "--duration-ms", optarg, 1, 1000000000ULL, &ms))
				return EXIT_USAGE;
			o.duration_us = ms * 1000;
			break;
		case 's':
			if (ctl_parse_u64("sim", "--seed", optarg, 0, UINT64_MAX, &o.seed))
				return EXIT_USAGE;
			break;
		case 'w':
			o.wcet = 1;
			break;
		case 'q':
			if (ctl_parse_u64("sim", "--quantum-us", optarg, 1, 10000000, &o.rr_quantum_us))
				return EXIT_USAGE;
			break;
		case 'T':
			trace = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(sim_help, stdout);
			return 0;
		default:
			ctl_bad_option("sim", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_usage_err("sim", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!path || o.policy < 0) {
		ctl_usage_err("sim", "--taskset and --policy are required");
		return EXIT_USAGE;
	}

	ret = rs_taskset_load(path, &ts, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "rtslotctl sim: %s\n", why);
		return EXIT_FAIL;
	}
	if (all) {
		if (trace || json) {
			ctl_usage_err("sim", "--policy all prints a table: no --trace, no --json");
			rs_taskset_free(&ts);
			return EXIT_USAGE;
		}
		ret = compare(&ts, &o);
		rs_taskset_free(&ts);
		return ret ? EXIT_FAIL : 0;
	}
	if (trace) {
		o.trace = fopen(trace, "w");
		if (!o.trace) {
			fprintf(stderr, "rtslotctl sim: %s: %s\n", trace, strerror(errno));
			rs_taskset_free(&ts);
			return EXIT_FAIL;
		}
	}
	ret = rs_simulate(&ts, &o, &r, why, sizeof(why));
	if (o.trace && fclose(o.trace) && !ret) {
		fprintf(stderr, "rtslotctl sim: %s: %s\n", trace, strerror(errno));
		ret = -EIO;
	}
	if (ret) {
		if (ret != -EIO)
			fprintf(stderr, "rtslotctl sim: %s\n", why);
		rs_taskset_free(&ts);
		return EXIT_FAIL;
	}
	if (json) {
		struct json_object *root = result_json(&ts, o.policy, &r);

		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED));
		json_object_put(root);
	} else {
		print_table(&ts, o.policy, &r);
	}
	rs_sim_result_free(&r);
	rs_taskset_free(&ts);
	return 0;
}
