// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the simulator: exact counts on small sets, the baselines
 * against the gated policies, and the property that whatever the analysis
 * (or the planner) admits never misses with worst-case execution times.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rtslot/analysis.h"
#include "rtslot/gen.h"
#include "rtslot/planner.h"
#include "rtslot/sim.h"
#include "kselftest_harness.h"

static int load(const char *tasks, struct rs_taskset *ts)
{
	char json[4096], err[256];
	int ret;

	snprintf(json, sizeof(json),
		 "{ \"accelerators\": [ { \"name\": \"gpu0\" } ], \"tasks\": [ %s ] }", tasks);
	ret = rs_taskset_parse(json, ts, err, sizeof(err));
	if (ret)
		fprintf(stderr, "# parse: %s\n", err);
	return ret;
}

static int sim(const struct rs_taskset *ts, int policy, uint64_t dur, int wcet,
	       struct rs_sim_result *r)
{
	struct rs_sim_opts o = { .policy = policy, .duration_us = dur, .wcet = wcet, .seed = 1 };
	char why[256];
	int ret = rs_simulate(ts, &o, r, why, sizeof(why));

	if (ret)
		fprintf(stderr, "# simulate %s: %s\n", rs_sim_policy_name(policy), why);
	return ret;
}

TEST(policy_names_round_trip)
{
	int p;

	for (p = 0; p < RS_SIM_NPOLICIES; p++)
		EXPECT_EQ(p, rs_sim_policy_parse(rs_sim_policy_name(p)));
	EXPECT_EQ(-EINVAL, rs_sim_policy_parse("edff"));
}

TEST(one_task_alone_counts_exactly)
{
	struct rs_sim_result r;
	struct rs_taskset ts;
	int p;

	ASSERT_EQ(0, load("{ \"name\": \"a\", \"period_us\": 10000, \"wcet_us\": 1000,"
			  " \"kernels\": 4 }", &ts));
	for (p = 0; p < RS_SIM_NPOLICIES; p++) {
		ASSERT_EQ(0, sim(&ts, p, 100000, 1, &r));
		EXPECT_EQ(10, r.jobs) TH_LOG("%s", rs_sim_policy_name(p));
		EXPECT_EQ(0, r.misses);
		EXPECT_EQ(1000, r.tasks[0].resp_p50_us);
		EXPECT_EQ(1000, r.tasks[0].resp_max_us);
		EXPECT_EQ(10000, r.tasks[0].busy_us);
		rs_sim_result_free(&r);
	}
	rs_taskset_free(&ts);
}

TEST(default_duration_is_two_hyperperiods_or_ten_seconds)
{
	struct rs_taskset ts;

	ASSERT_EQ(0, load("{ \"name\": \"a\", \"period_us\": 3000000, \"wcet_us\": 1 },"
			  "{ \"name\": \"b\", \"period_us\": 7000000, \"wcet_us\": 1 }", &ts));
	EXPECT_EQ(42000000, rs_sim_default_duration(&ts));
	rs_taskset_free(&ts);
	ASSERT_EQ(0, load("{ \"name\": \"a\", \"period_us\": 3000, \"wcet_us\": 1 }", &ts));
	EXPECT_EQ(10000000, rs_sim_default_duration(&ts));
	rs_taskset_free(&ts);
}

/*
 * A camera task with a tight deadline and a long inference in 2 ms
 * kernels: a GPU left alone (fifo) runs the long job through and the
 * camera misses; every gated policy preempts at kernel boundaries.
 */
#define CAMERA_AND_HOG \
	"{ \"name\": \"cam\", \"period_us\": 10000, \"deadline_us\": 5000, \"wcet_us\": 2000," \
	" \"kernels\": 2, \"priority\": 10 }," \
	"{ \"name\": \"big\", \"period_us\": 100000, \"wcet_us\": 50000, \"kernels\": 25," \
	" \"priority\": 1 }"

TEST(gated_policies_keep_the_camera_on_time)
{
	struct rs_sim_result r;
	struct rs_taskset ts;

	ASSERT_EQ(0, load(CAMERA_AND_HOG, &ts));
	ASSERT_EQ(0, sim(&ts, RS_SIM_FIFO, 1000000, 1, &r));
	EXPECT_LT(0, r.tasks[0].misses);
	rs_sim_result_free(&r);
	ASSERT_EQ(0, sim(&ts, RS_SIM_RR, 1000000, 1, &r));
	EXPECT_LT(0, r.tasks[0].misses);
	rs_sim_result_free(&r);
	ASSERT_EQ(0, sim(&ts, RS_SIM_EDF, 1000000, 1, &r));
	EXPECT_EQ(0, r.misses);
	EXPECT_EQ(100, r.tasks[0].jobs);
	EXPECT_GE(4000, r.tasks[0].resp_max_us);
	rs_sim_result_free(&r);
	ASSERT_EQ(0, sim(&ts, RS_SIM_FP, 1000000, 1, &r));
	EXPECT_EQ(0, r.misses);
	rs_sim_result_free(&r);
	ASSERT_EQ(0, sim(&ts, RS_SIM_SLOT, 1000000, 1, &r));
	EXPECT_EQ(0, r.misses);
	EXPECT_EQ(10, r.tasks[1].jobs);
	rs_sim_result_free(&r);
	rs_taskset_free(&ts);
}

TEST(runs_are_reproducible_from_the_seed)
{
	struct rs_sim_opts o = { .policy = RS_SIM_EDF, .duration_us = 1000000, .seed = 7 };
	struct rs_sim_result a, b, c;
	struct rs_taskset ts;
	char why[256];

	ASSERT_EQ(0, load("{ \"name\": \"a\", \"period_us\": 10000, \"wcet_us\": 3000,"
			  " \"bcet_us\": 1000, \"kernels\": 3 }", &ts));
	ASSERT_EQ(0, rs_simulate(&ts, &o, &a, why, sizeof(why)));
	ASSERT_EQ(0, rs_simulate(&ts, &o, &b, why, sizeof(why)));
	o.seed = 8;
	ASSERT_EQ(0, rs_simulate(&ts, &o, &c, why, sizeof(why)));
	EXPECT_EQ(a.tasks[0].busy_us, b.tasks[0].busy_us);
	EXPECT_NE(a.tasks[0].busy_us, c.tasks[0].busy_us);
	EXPECT_LE(1000, a.tasks[0].resp_p50_us);
	EXPECT_GE(3000, a.tasks[0].resp_max_us);
	rs_sim_result_free(&a);
	rs_sim_result_free(&b);
	rs_sim_result_free(&c);
	rs_taskset_free(&ts);
}

TEST(trace_is_json_with_one_span_per_kernel)
{
	struct rs_sim_opts o = { .policy = RS_SIM_SLOT, .duration_us = 100000, .wcet = 1 };
	struct json_object *root, *ev;
	struct rs_sim_result r;
	struct rs_taskset ts;
	char *buf = NULL, why[256];
	size_t len = 0, i, spans = 0;

	ASSERT_EQ(0, load(CAMERA_AND_HOG, &ts));
	o.trace = open_memstream(&buf, &len);
	ASSERT_EQ(0, rs_simulate(&ts, &o, &r, why, sizeof(why)));
	fclose(o.trace);
	root = json_tokener_parse(buf);
	ASSERT_NE(NULL, root);
	ASSERT_TRUE(json_object_object_get_ex(root, "traceEvents", &ev));
	for (i = 0; i < json_object_array_length(ev); i++) {
		struct json_object *e = json_object_array_get_idx(ev, i), *ph;

		ASSERT_TRUE(json_object_object_get_ex(e, "ph", &ph));
		spans += !strcmp(json_object_get_string(ph), "X");
	}
	/* 10 camera jobs of 2 kernels, one big job of 25. */
	EXPECT_EQ(45, spans);
	json_object_put(root);
	free(buf);
	rs_sim_result_free(&r);
	rs_taskset_free(&ts);
}

TEST(slot_reports_a_set_it_cannot_plan)
{
	struct rs_sim_opts o = { .policy = RS_SIM_SLOT, .duration_us = 100000, .wcet = 1 };
	struct rs_sim_result r;
	struct rs_taskset ts;
	char why[256] = "";

	ASSERT_EQ(0, load("{ \"name\": \"a\", \"period_us\": 1000, \"wcet_us\": 700 },"
			  "{ \"name\": \"b\", \"period_us\": 1000, \"wcet_us\": 700 }", &ts));
	EXPECT_GT(0, rs_simulate(&ts, &o, &r, why, sizeof(why)));
	EXPECT_EQ(0, strncmp(why, "slot: cannot plan gpu0: ", 24)) TH_LOG("%s", why);
	rs_sim_result_free(&r);
	rs_taskset_free(&ts);
}

/*
 * The blocking the analysis charges is real: one long kernel of b that
 * starts just before a arrives makes a miss, whatever the policy.
 */
TEST(a_long_kernel_blocks_even_under_edf)
{
	struct rs_task_verdict v[2];
	struct rs_sim_result r;
	struct rs_taskset ts;

	ASSERT_EQ(0, load("{ \"name\": \"a\", \"period_us\": 4000, \"offset_us\": 100,"
			  " \"wcet_us\": 1000, \"priority\": 2 },"
			  "{ \"name\": \"b\", \"period_us\": 20000, \"wcet_us\": 5000 }", &ts));
	EXPECT_EQ(1, rs_admit(&ts, RS_TEST_EDF, v));
	ASSERT_EQ(0, sim(&ts, RS_SIM_EDF, 200000, 1, &r));
	EXPECT_LT(0, r.tasks[0].misses);
	rs_sim_result_free(&r);
	rs_taskset_free(&ts);
}

/*
 * The guarantee, on 240 random sets: what the EDF test admits never
 * misses under edf with worst-case times, what response-time analysis
 * admits never misses under fp, and a set the planner lays out never
 * misses under slot.  Each half of the sets has a switch cost.
 */
TEST(admitted_sets_never_miss_with_worst_case_times)
{
	int admitted[3] = { 0 }, set;

	for (set = 0; set < 240; set++) {
		struct rs_task_verdict v[8];
		struct rs_gen_params p;
		struct rs_sim_result r;
		struct rs_taskset ts;
		struct rs_plan *plan = malloc(sizeof(*plan));
		char why[256];
		uint64_t dur;

		rs_gen_defaults(&p);
		p.seed = (uint64_t)set + 1;
		p.ntasks = 3 + set % 4;
		p.utilization = 0.3 + 0.05 * (set % 14);
		p.deadline_min = set % 3 ? 0.7 : 1.0;
		p.switch_us = set % 2 ? 20 : 0;
		ASSERT_EQ(0, rs_gen_taskset(&p, &ts));
		dur = 2 * rs_taskset_hyperperiod(&ts, UINT64_MAX / 4);

		if (rs_admit(&ts, RS_TEST_EDF, v) == 0) {
			admitted[0]++;
			ASSERT_EQ(0, sim(&ts, RS_SIM_EDF, dur, 1, &r));
			EXPECT_EQ(0, r.misses) TH_LOG("edf, set %d", set);
			rs_sim_result_free(&r);
		}
		if (rs_admit(&ts, RS_TEST_FP, v) == 0) {
			admitted[1]++;
			ASSERT_EQ(0, sim(&ts, RS_SIM_FP, dur, 1, &r));
			EXPECT_EQ(0, r.misses) TH_LOG("fp, set %d", set);
			rs_sim_result_free(&r);
		}
		if (rs_plan_table(&ts, 0, NULL, plan, why, sizeof(why)) == 0) {
			admitted[2]++;
			ASSERT_EQ(0, sim(&ts, RS_SIM_SLOT, dur, 1, &r));
			EXPECT_EQ(0, r.misses) TH_LOG("slot, set %d", set);
			rs_sim_result_free(&r);
		}
		free(plan);
		rs_taskset_free(&ts);
	}
	/* The property must have been exercised, not vacuously true. */
	EXPECT_LT(120, admitted[0]);
	EXPECT_LT(100, admitted[1]);
	EXPECT_LT(100, admitted[2]);
	TH_LOG("admitted: edf %d, fp %d, slot %d of 240", admitted[0], admitted[1], admitted[2]);
}

TEST(generator_hits_the_utilization)
{
	struct rs_gen_params p;
	struct rs_taskset ts;
	double u = 0;
	uint32_t i;
	char *json;

	rs_gen_defaults(&p);
	p.ntasks = 10;
	p.utilization = 0.8;
	p.seed = 3;
	ASSERT_EQ(0, rs_gen_taskset(&p, &ts));
	for (i = 0; i < ts.ntasks; i++)
		u += (double)ts.tasks[i].wcet_us / ts.tasks[i].period_us;
	EXPECT_LT(0.79, u);
	EXPECT_GT(0.81, u);
	json = rs_taskset_to_json(&ts);
	rs_taskset_free(&ts);
	ASSERT_EQ(0, rs_taskset_parse(json, &ts, (char[256]){ 0 }, 256));
	EXPECT_EQ(10, ts.ntasks);
	free(json);
	rs_taskset_free(&ts);
	p.utilization = 11;
	EXPECT_EQ(-EINVAL, rs_gen_taskset(&p, &ts));
}

TEST_HARNESS_MAIN
