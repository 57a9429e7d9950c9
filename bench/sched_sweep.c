// SPDX-License-Identifier: GPL-2.0
/*
 * Schedulability sweep: random task sets from U = 0.3 to 1.0; per policy
 * the share of sets with no miss in simulation, and the share its
 * admission analysis accepts.  Prints one CSV row per utilisation.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/analysis.h"
#include "rtslot/gen.h"
#include "rtslot/sim.h"

static const char usage[] =
	"usage: sched_sweep [--sets N] [--tasks N] [--umin U] [--umax U] [--step U]\n"
	"                   [--switch-us N] [--random] [--seed N]\n"
	"\n"
	"For each utilisation, draw N task sets (UUniFast-Discard, Randfixedsum\n"
	"above U = 1, periods 10/20/25/50/100 ms, 4..16 kernels, deadlines in\n"
	"[0.8 T, T]) and print one CSV row: the share of sets with no miss in\n"
	"simulation under each policy, then the share each admission analysis\n"
	"accepts (fifo and rr have none).  Jobs take their worst case unless\n"
	"--random draws them in [bcet, wcet].\n";

struct sweep {
	unsigned int sets, tasks;
	double umin, umax, step;
	uint64_t switch_us, seed;
	int random;
};

static int test_of(int policy)
{
	return policy == RS_SIM_EDF ? RS_TEST_EDF :
	       policy == RS_SIM_FP ? RS_TEST_FP :
	       policy == RS_SIM_SLOT ? RS_TEST_SLOT : -1;
}

static int point(const struct sweep *sw, double u, unsigned int idx)
{
	unsigned int sim_ok[RS_SIM_NPOLICIES] = { 0 }, an_ok[RS_SIM_NPOLICIES] = { 0 };
	struct rs_task_verdict *v = calloc(sw->tasks, sizeof(*v));
	unsigned int s;
	int p;

	if (!v)
		return -ENOMEM;
	for (s = 0; s < sw->sets; s++) {
		struct rs_gen_params gp;
		struct rs_taskset ts;
		char why[256];

		rs_gen_defaults(&gp);
		gp.ntasks = sw->tasks;
		gp.utilization = u;
		gp.deadline_min = 0.8;
		gp.switch_us = sw->switch_us;
		gp.seed = sw->seed * 1000003ULL + idx * 10007ULL + s;
		if (rs_gen_taskset(&gp, &ts))
			continue;
		for (p = 0; p < RS_SIM_NPOLICIES; p++) {
			struct rs_sim_opts o = {
				.policy = p, .duration_us = 2 * rs_taskset_hyperperiod(&ts, UINT64_MAX / 4),
				.wcet = !sw->random, .seed = gp.seed,
			};
			struct rs_sim_result r;

			/* A set the planner cannot lay out is not run under slot. */
			if (!rs_simulate(&ts, &o, &r, why, sizeof(why))) {
				sim_ok[p] += r.misses == 0;
				rs_sim_result_free(&r);
			}
			if (test_of(p) >= 0)
				an_ok[p] += rs_admit(&ts, test_of(p), v) == 0;
		}
		rs_taskset_free(&ts);
	}
	printf("%.2f", u);
	for (p = 0; p < RS_SIM_NPOLICIES; p++)
		printf(",%.4f", (double)sim_ok[p] / sw->sets);
	for (p = 0; p < RS_SIM_NPOLICIES; p++)
		if (test_of(p) >= 0)
			printf(",%.4f", (double)an_ok[p] / sw->sets);
	putchar('\n');
	fflush(stdout);
	free(v);
	return 0;
}

static int number(const char *s, double lo, double hi, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return end != s && !*end && *out >= lo && *out <= hi ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sets", required_argument, NULL, 'n' },
		{ "tasks", required_argument, NULL, 't' },
		{ "umin", required_argument, NULL, 'a' },
		{ "umax", required_argument, NULL, 'b' },
		{ "step", required_argument, NULL, 's' },
		{ "switch-us", required_argument, NULL, 'w' },
		{ "random", no_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sweep sw = { .sets = 200, .tasks = 5, .umin = 0.3, .umax = 1.0, .step = 0.05 };
	unsigned int i;
	double x;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case 'n':
			bad = number(optarg, 1, 1e6, &x);
			sw.sets = (unsigned int)x;
			break;
		case 't':
			bad = number(optarg, 1, 64, &x);
			sw.tasks = (unsigned int)x;
			break;
		case 'a':
			bad = number(optarg, 0.01, 4, &sw.umin);
			break;
		case 'b':
			bad = number(optarg, 0.01, 4, &sw.umax);
			break;
		case 's':
			bad = number(optarg, 0.001, 1, &sw.step);
			break;
		case 'w':
			bad = number(optarg, 0, 1e6, &x);
			sw.switch_us = (uint64_t)x;
			break;
		case 'r':
			sw.random = 1;
			break;
		case 'S':
			bad = number(optarg, 0, 1e15, &x);
			sw.seed = (uint64_t)x;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			bad = 1;
		}
		if (bad) {
			fprintf(stderr, "sched_sweep: bad value for option\n%s", usage);
			return 2;
		}
	}
	if (optind < argc || sw.umin > sw.umax) {
		fputs(usage, stderr);
		return 2;
	}
	puts("u,fifo,rr,fp,edf,slot,fp_admitted,edf_admitted,slot_admitted");
	for (i = 0; sw.umin + i * sw.step <= sw.umax + 1e-9; i++) {
		if (point(&sw, sw.umin + i * sw.step, i)) {
			fprintf(stderr, "sched_sweep: out of memory\n");
			return 1;
		}
	}
	return 0;
}
