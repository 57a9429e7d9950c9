// SPDX-License-Identifier: GPL-2.0
/*
 * rtslotctl gen: random task sets for experiments, in the task-set format.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtslot/gen.h"
#include "rtslotctl.h"

static const char gen_help[] =
	"usage: rtslotctl gen --tasks N --util U [--method M] [--umax F]\n"
	"                     [--periods-ms LIST] [--kernels MIN-MAX] [--deadline-min F]\n"
	"                     [--bcet-ratio F] [--switch-us N] [--seed N] [-o FILE]\n"
	"\n"
	"Draw N tasks on one accelerator whose utilisations add up to U, none above\n"
	"--umax, uniformly among all such sets; U may exceed 1 (overload) up to\n"
	"N * --umax.  The same options and --seed give the same set.\n"
	"  --method M         how the utilisations are drawn (auto):\n"
	"                       uunifast      UUniFast-Discard: draws again while a task\n"
	"                                     is above --umax, 10000 times at most\n"
	"                       randfixedsum  Randfixedsum: no redraws, any U up to\n"
	"                                     N * --umax\n"
	"                       auto          uunifast while U <= --umax (it never\n"
	"                                     redraws there), randfixedsum above\n"
	"  --umax F           the largest utilisation of one task, 0.001..1 (1)\n"
	"  --periods-ms LIST  periods to draw from, comma-separated (10,20,25,50,100)\n"
	"  --kernels MIN-MAX  kernels per job (4-16)\n"
	"  --deadline-min F   deadlines drawn in [F*T, T] (1.0: implicit deadlines)\n"
	"  --bcet-ratio F     bcet = F * wcet (0.5)\n"
	"  --switch-us N      the accelerator's switch cost (0)\n"
	"  --seed N           the draw (0)\n"
	"  -o FILE            write there instead of standard output\n";

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_periods(char *s, struct rs_gen_params *p)
{
	char *tok, *save = NULL;
	uint64_t ms;

	p->nperiods = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (p->nperiods == RS_GEN_MAX_PERIODS ||
		    ctl_parse_u64("gen", "--periods-ms", tok, 1, 10000, &ms))
			return -EINVAL;
		p->periods_us[p->nperiods++] = ms * 1000;
	}
	return p->nperiods ? 0 : -EINVAL;
}

static int parse_method(const char *s, int *method)
{
	static const char *const names[] = {
		[RS_GEN_AUTO] = "auto",
		[RS_GEN_UUNIFAST] = "uunifast",
		[RS_GEN_RANDFIXEDSUM] = "randfixedsum",
	};
	int i;

	for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		if (!strcmp(s, names[i])) {
			*method = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int bad(const char *what)
{
	ctl_usage_err("gen", "%s", what);
	return EXIT_USAGE;
}

static int parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	unsigned int a, b;
	char tail;

	if (sscanf(s, "%u-%u%c", &a, &b, &tail) != 2 || !a || a > b || b > RS_SPEC_MAX_KERNELS)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tasks", required_argument, NULL, 'n' },
		{ "util", required_argument, NULL, 'u' },
		{ "method", required_argument, NULL, 'm' },
		{ "umax", required_argument, NULL, 'U' },
		{ "periods-ms", required_argument, NULL, 'P' },
		{ "kernels", required_argument, NULL, 'k' },
		{ "deadline-min", required_argument, NULL, 'D' },
		{ "bcet-ratio", required_argument, NULL, 'b' },
		{ "switch-us", required_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rs_gen_params p;
	struct rs_taskset ts;
	const char *out = NULL;
	int c, have_n = 0, have_u = 0, ret;
	uint64_t v;
	char *json;
	FILE *f;

	rs_gen_defaults(&p);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (ctl_parse_u64("gen", "--tasks", optarg, 1, 10000, &v))
				return EXIT_USAGE;
			p.ntasks = (uint32_t)v;
			have_n = 1;
			break;
		case 'u':
			if (parse_double(optarg, 0.001, 10000, &p.utilization))
				return bad("--util wants a number in 0.001..10000");
			have_u = 1;
			break;
		case 'm':
			if (parse_method(optarg, &p.method))
				return bad("--method wants auto, uunifast or randfixedsum");
			break;
		case 'U':
			if (parse_double(optarg, 0.001, 1, &p.umax))
				return bad("--umax wants a number in 0.001..1");
			break;
		case 'P':
			if (parse_periods(optarg, &p))
				return bad("--periods-ms wants 1 to 32 comma-separated periods of 1..10000 ms");
			break;
		case 'k':
			if (parse_range(optarg, &p.kernels_min, &p.kernels_max))
				return bad("--kernels wants MIN-MAX with 1 <= MIN <= MAX <= 4096");
			break;
		case 'D':
			if (parse_double(optarg, 0.01, 1, &p.deadline_min))
				return bad("--deadline-min wants 0.01..1");
			break;
		case 'b':
			if (parse_double(optarg, 0, 1, &p.bcet_ratio))
				return bad("--bcet-ratio wants 0..1");
			break;
		case 'S':
			if (ctl_parse_u64("gen", "--switch-us", optarg, 0, 1000000, &p.switch_us))
				return EXIT_USAGE;
			break;
		case 's':
			if (ctl_parse_u64("gen", "--seed", optarg, 0, UINT64_MAX, &p.seed))
				return EXIT_USAGE;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(gen_help, stdout);
			return 0;
		default:
			ctl_bad_option("gen", c, argv);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return bad("unexpected arguments after the options");
	if (!have_n || !have_u)
		return bad("--tasks and --util are required");
	/* The library refuses this too, but only the command line can say why. */
	if (p.utilization > p.ntasks * p.umax * (1 + 1e-12)) {
		ctl_usage_err("gen",
			      "--util %g is more than --tasks %u times --umax %g (%g): no set of tasks can add up to it",
			      p.utilization, p.ntasks, p.umax, p.ntasks * p.umax);
		return EXIT_USAGE;
	}

	ret = rs_gen_taskset(&p, &ts);
	if (ret == -EDOM) {
		fprintf(stderr,
			"rtslotctl gen: UUniFast-Discard found no draw with every task at or below --umax %g; use --method randfixedsum (or auto)\n",
			p.umax);
		return EXIT_FAIL;
	}
	if (ret) {
		ctl_err("gen", "drawing the task set", ret);
		return EXIT_FAIL;
	}
	json = rs_taskset_to_json(&ts);
	rs_taskset_free(&ts);
	f = out ? fopen(out, "w") : stdout;
	if (!json || !f) {
		fprintf(stderr, "rtslotctl gen: %s: %s\n", out ? out : "output", strerror(errno));
		free(json);
		return EXIT_FAIL;
	}
	fprintf(f, "%s\n", json);
	free(json);
	if (out && fclose(f)) {
		fprintf(stderr, "rtslotctl gen: %s: %s\n", out, strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}
