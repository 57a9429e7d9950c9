// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the task-set generator: Randfixedsum's sums, bounds,
 * seeds and distribution, the choice of method, and `rtslotctl gen` itself.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtslot/gen.h"
#include "rtslot/taskset.h"
#include "kselftest_harness.h"

#ifndef RTSLOTCTL
#define RTSLOTCTL "build/user/rtslotctl"
#endif

static uint64_t seeded(uint64_t seed)
{
	return seed * 0x9e3779b97f4a7c15ULL + 1;
}

TEST(randfixedsum_hits_the_sum_inside_the_bounds)
{
	static const struct { uint32_t n; double sum, lo, hi; int draws; } c[] = {
		{ 1, 0.7, 0, 1, 10 }, { 2, 1.2, 0, 1, 1000 }, { 3, 1.5, 0, 1, 1000 },
		{ 8, 2.5, 0, 1, 1000 }, { 8, 2.5, 0, 0.4, 1000 }, { 8, 7.99, 0, 1, 1000 },
		{ 8, 0.01, 0, 1, 1000 }, { 8, 3.0, 0, 1, 1000 }, { 5, 2.2, 0.2, 0.9, 1000 },
		{ 4, -1.0, -0.5, 0.5, 1000 }, { 200, 150.3, 0, 1, 50 }, { 500, 37.5, 0, 0.1, 20 },
		{ 8, 8.0, 0, 1, 3 }, { 8, 0.0, 0, 1, 3 }, { 3, 0.9, 0, 0.3, 3 },
	};
	double x[500];
	unsigned int i, j;
	uint64_t rng = seeded(1);
	int draw;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		double tol = 1e-9 * fmax(fabs(c[i].sum), 1e-300);

		for (draw = 0; draw < c[i].draws; draw++) {
			double sum = 0;

			ASSERT_EQ(0, rs_randfixedsum(&rng, c[i].n, c[i].sum, c[i].lo, c[i].hi, x));
			for (j = 0; j < c[i].n; j++) {
				ASSERT_LE(c[i].lo, x[j]) TH_LOG("case %u draw %d x[%u]", i, draw, j);
				ASSERT_GE(c[i].hi, x[j]) TH_LOG("case %u draw %d x[%u]", i, draw, j);
				sum += x[j];
			}
			ASSERT_GE(tol, fabs(sum - c[i].sum))
				TH_LOG("case %u draw %d: sum %.17g", i, draw, sum);
		}
	}
}

TEST(randfixedsum_refuses_what_no_vector_can_be)
{
	uint64_t rng = seeded(2);
	double x[4];

	EXPECT_EQ(-EDOM, rs_randfixedsum(&rng, 4, 4.01, 0, 1, x));
	EXPECT_EQ(-EDOM, rs_randfixedsum(&rng, 4, 1.3, 0, 0.3, x));
	EXPECT_EQ(-EDOM, rs_randfixedsum(&rng, 4, 0.7, 0.2, 1, x));
	EXPECT_EQ(-EINVAL, rs_randfixedsum(&rng, 0, 0, 0, 1, x));
	EXPECT_EQ(-EINVAL, rs_randfixedsum(&rng, 4, 1, 1, 0, x));
	EXPECT_EQ(-EINVAL, rs_randfixedsum(&rng, 4, NAN, 0, 1, x));
}

TEST(randfixedsum_is_the_same_for_the_same_seed)
{
	double a[16], b[16];
	uint64_t r1 = seeded(7), r2 = seeded(7), r3 = seeded(8);
	int draw;

	for (draw = 0; draw < 100; draw++) {
		ASSERT_EQ(0, rs_randfixedsum(&r1, 16, 5.5, 0, 1, a));
		ASSERT_EQ(0, rs_randfixedsum(&r2, 16, 5.5, 0, 1, b));
		ASSERT_EQ(0, memcmp(a, b, sizeof(a)));
	}
	ASSERT_EQ(0, rs_randfixedsum(&r3, 16, 5.5, 0, 1, b));
	EXPECT_NE(0, memcmp(a, b, sizeof(a)));
}

/*
 * Uniform on { y in [0,1]^3 : sum y = 1.5 } (a hexagon), each coordinate
 * has the tent density (1/2 + t)/(3/4) below 1/2 and (3/2 - t)/(3/4)
 * above: the length of the hexagon's slice at y_i = t.  Its cdf below 1/2:
 */
static double hexagon_cdf(double t)
{
	if (t > 0.5)
		return 1 - hexagon_cdf(1 - t);
	return (t / 2 + t * t / 2) / 0.75;
}

/*
 * A sample of 300000, compared bin by bin with the exact marginal at five
 * standard deviations (so another seed passes too), each coordinate on
 * its own (the shuffle must have mixed them), plus mean s/n, variance
 * 5/72 and the mirror symmetry t -> 1 - t.  Normalising uniform draws to
 * the sum, even keeping only those inside the cube, fails this.
 */
#define HEX_N		300000
#define HEX_BINS	20

TEST(randfixedsum_marginal_is_the_exact_one)
{
	static unsigned int hist[3][HEX_BINS];
	double mean[3] = { 0 }, var[3] = { 0 }, x[3];
	uint64_t rng = seeded(3);
	int i, j, b;

	for (i = 0; i < HEX_N; i++) {
		ASSERT_EQ(0, rs_randfixedsum(&rng, 3, 1.5, 0, 1, x));
		for (j = 0; j < 3; j++) {
			b = (int)(x[j] * HEX_BINS);
			hist[j][b < HEX_BINS ? b : HEX_BINS - 1]++;
			mean[j] += x[j];
			var[j] += (x[j] - 0.5) * (x[j] - 0.5);
		}
	}
	for (j = 0; j < 3; j++) {
		/* sd 0.2635 and 0.0700 over sqrt(HEX_N): 0.00048 and 0.00013. */
		EXPECT_GE(0.0025, fabs(mean[j] / HEX_N - 0.5)) TH_LOG("mean of x[%d]", j);
		EXPECT_GE(0.00065, fabs(var[j] / HEX_N - 5.0 / 72)) TH_LOG("variance of x[%d]", j);
		for (b = 0; b < HEX_BINS; b++) {
			double p = hexagon_cdf((b + 1.0) / HEX_BINS) - hexagon_cdf((double)b / HEX_BINS);
			double want = p * HEX_N, sd = sqrt(HEX_N * p * (1 - p));
			unsigned int mirror = hist[j][HEX_BINS - 1 - b];

			EXPECT_GE(5 * sd, fabs(hist[j][b] - want))
				TH_LOG("x[%d] bin %d: %u, want %.0f", j, b, hist[j][b], want);
			EXPECT_GE(5 * sqrt(hist[j][b] + mirror), fabs((double)hist[j][b] - mirror))
				TH_LOG("x[%d] bin %d: %u, its mirror %u", j, b, hist[j][b], mirror);
		}
	}
}

/*
 * Against an independent oracle on a scaled box: the first n-1 values
 * uniform in [lo, hi], the last making up the sum, kept when it fits, is
 * uniform on the same set.  Histograms compared as two samples.
 */
#define ORACLE_N	100000
#define ORACLE_BINS	10

TEST(randfixedsum_agrees_with_rejection_sampling)
{
	static unsigned int got[4][ORACLE_BINS], ref[4][ORACLE_BINS];
	const double lo = 0.1, hi = 0.8, sum = 1.9;
	uint64_t rng = seeded(4), orng = seeded(5);
	double x[4];
	int i, j, b, kept;

	for (i = 0; i < ORACLE_N; i++) {
		ASSERT_EQ(0, rs_randfixedsum(&rng, 4, sum, lo, hi, x));
		for (j = 0; j < 4; j++) {
			b = (int)((x[j] - lo) / (hi - lo) * ORACLE_BINS);
			got[j][b < ORACLE_BINS ? b : ORACLE_BINS - 1]++;
		}
	}
	for (kept = 0; kept < ORACLE_N;) {
		double rest = sum;

		for (j = 0; j < 3; j++) {
			x[j] = lo + (hi - lo) * rs_rng_unit(&orng);
			rest -= x[j];
		}
		if (rest < lo || rest > hi)
			continue;
		x[3] = rest;
		for (j = 0; j < 4; j++) {
			b = (int)((x[j] - lo) / (hi - lo) * ORACLE_BINS);
			ref[j][b < ORACLE_BINS ? b : ORACLE_BINS - 1]++;
		}
		kept++;
	}
	for (j = 0; j < 4; j++) {
		for (b = 0; b < ORACLE_BINS; b++) {
			unsigned int g = got[j][b], r = ref[j][b];

			EXPECT_GE(5 * sqrt(g + r + 1.0), fabs((double)g - r))
				TH_LOG("x[%d] bin %d: %u, oracle %u", j, b, g, r);
		}
	}
}

static double total_util(const struct rs_taskset *ts, double *max)
{
	double u = 0, t;
	uint32_t i;

	*max = 0;
	for (i = 0; i < ts->ntasks; i++) {
		t = (double)ts->tasks[i].wcet_us / ts->tasks[i].period_us;
		u += t;
		*max = fmax(*max, t);
	}
	return u;
}

TEST(generator_draws_overload_with_randfixedsum)
{
	struct rs_gen_params p;
	struct rs_taskset ts;
	double u, max;

	rs_gen_defaults(&p);
	p.ntasks = 8;
	p.utilization = 7;
	p.seed = 11;
	/* UUniFast-Discard keeps about one draw in a million here. */
	p.method = RS_GEN_UUNIFAST;
	EXPECT_EQ(-EDOM, rs_gen_taskset(&p, &ts));
	p.method = RS_GEN_AUTO;
	ASSERT_EQ(0, rs_gen_taskset(&p, &ts));
	u = total_util(&ts, &max);
	rs_taskset_free(&ts);
	/* wcet is rounded to 1 us of a period of at least 10 ms. */
	EXPECT_GE(8 * 0.5e-4, fabs(u - 7));
	EXPECT_GE(1.0, max);

	p.utilization = 2.5;
	p.umax = 0.4;
	ASSERT_EQ(0, rs_gen_taskset(&p, &ts));
	u = total_util(&ts, &max);
	rs_taskset_free(&ts);
	EXPECT_GE(8 * 0.5e-4, fabs(u - 2.5));
	EXPECT_GE(0.4 + 0.5e-4, max);

	p.utilization = 3.3;
	EXPECT_EQ(-EINVAL, rs_gen_taskset(&p, &ts));
	p.umax = 0;
	p.utilization = 0.5;
	EXPECT_EQ(-EINVAL, rs_gen_taskset(&p, &ts));
}

/*
 * Up to U = umax the sets are UUniFast's, draw for draw as before
 * Randfixedsum came: the sweep and the property tests keep their sets.
 */
TEST(generator_keeps_the_uunifast_sets_below_one)
{
	static const uint64_t want[][2] = { { 25000, 2364 }, { 10000, 418 }, { 25000, 311 } };
	struct rs_gen_params p;
	struct rs_taskset a, b;
	int i;

	rs_gen_defaults(&p);
	p.ntasks = 10;
	p.utilization = 0.8;
	p.seed = 3;
	ASSERT_EQ(0, rs_gen_taskset(&p, &a));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(want[i][0], a.tasks[i].period_us) TH_LOG("task %d", i);
		EXPECT_EQ(want[i][1], a.tasks[i].wcet_us) TH_LOG("task %d", i);
	}
	p.method = RS_GEN_UUNIFAST;
	ASSERT_EQ(0, rs_gen_taskset(&p, &b));
	for (i = 0; i < 10; i++)
		EXPECT_EQ(a.tasks[i].wcet_us, b.tasks[i].wcet_us);
	rs_taskset_free(&b);
	/* The other method draws other sets from the same seed, as valid. */
	p.method = RS_GEN_RANDFIXEDSUM;
	ASSERT_EQ(0, rs_gen_taskset(&p, &b));
	EXPECT_NE(a.tasks[0].wcet_us, b.tasks[0].wcet_us);
	rs_taskset_free(&b);
	rs_taskset_free(&a);
}

/* Run rtslotctl gen with args, its standard error into errf; its exit code. */
static int run_gen(const char *args, const char *errf)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "%s gen %s 2>%s", RTSLOTCTL, args, errf);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_has(const char *path, const char *what)
{
	char buf[1024] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return strstr(buf, what) != NULL;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);
	size_t n;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

TEST(rtslotctl_gen_writes_an_overloaded_set_the_parser_reads)
{
	char dir[] = "/tmp/rtslot-gen-XXXXXX", set[64], again[64], errf[64], args[256];
	char err[256] = "", *a, *b;
	struct rs_taskset ts;
	double u, max;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(set, sizeof(set), "%s/set.json", dir);
	snprintf(again, sizeof(again), "%s/again.json", dir);
	snprintf(errf, sizeof(errf), "%s/err", dir);

	snprintf(args, sizeof(args), "--util 2.5 --tasks 8 --seed 5 -o %s", set);
	ASSERT_EQ(0, run_gen(args, errf));
	ASSERT_EQ(0, rs_taskset_load(set, &ts, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(8, ts.ntasks);
	u = total_util(&ts, &max);
	EXPECT_GE(8 * 0.5e-4, fabs(u - 2.5));
	EXPECT_GE(1.0, max);
	rs_taskset_free(&ts);

	snprintf(args, sizeof(args), "--util 2.5 --tasks 8 --seed 5 --method randfixedsum -o %s",
		 again);
	ASSERT_EQ(0, run_gen(args, errf));
	a = slurp(set);
	b = slurp(again);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_STREQ(a, b);
	free(a);
	free(b);

	EXPECT_EQ(2, run_gen("--util 9 --tasks 8", errf));
	EXPECT_TRUE(file_has(errf, "more than --tasks 8 times --umax 1 (8)"));
	EXPECT_EQ(2, run_gen("--util 2.5 --tasks 8 --umax 0.3", errf));
	EXPECT_TRUE(file_has(errf, "(2.4)"));
	EXPECT_EQ(2, run_gen("--util 2 --tasks 8 --method best", errf));
	EXPECT_TRUE(file_has(errf, "--method wants auto, uunifast or randfixedsum"));
	EXPECT_EQ(1, run_gen("--util 7 --tasks 8 --method uunifast -o /dev/null", errf));
	EXPECT_TRUE(file_has(errf, "use --method randfixedsum"));

	unlink(set);
	unlink(again);
	unlink(errf);
	rmdir(dir);
}

TEST_HARNESS_MAIN
