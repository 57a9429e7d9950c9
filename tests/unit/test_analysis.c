// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the task-set parser and the admission analysis, on
 * task sets whose verdicts and response times are worked out by hand.
 */
#include <stdlib.h>
#include <string.h>

#include "rtslot/analysis.h"
#include "rtslot/gen.h"
#include "rtslot/taskset.h"
#include "kselftest_harness.h"

#define ACCEL "\"accelerators\": [ { \"name\": \"gpu0\" } ]"

static int parse(const char *json, struct rs_taskset *ts, char *err)
{
	return rs_taskset_parse(json, ts, err, 256);
}

TEST(parse_a_full_task)
{
	struct rs_taskset ts;
	char err[256] = "";
	const char *json = "{ \"accelerators\": [ { \"name\": \"gpu0\", \"preempt\": \"block\","
		" \"preempt_latency_us\": 30, \"switch_us\": 5 }, { \"name\": \"dla0\" } ],"
		" \"tasks\": [ { \"name\": \"det\", \"accelerator\": \"dla0\", \"period_us\": 33333,"
		" \"offset_us\": 100, \"jitter_us\": 50, \"wcet_us\": 11670, \"bcet_us\": 9000,"
		" \"kernels\": 12, \"max_kernel_us\": 2000, \"priority\": 7,"
		" \"criticality\": \"low\", \"variants\": [ { \"name\": \"full\", \"scale\": 1.0,"
		" \"accuracy\": 0.71 }, { \"name\": \"half\", \"scale\": 0.5, \"accuracy\": 0.6 } ] },"
		" { \"name\": \"be\", \"accelerator\": \"gpu0\", \"period_us\": 1000,"
		" \"kernels_us\": [ 100, 300, 200 ], \"criticality\": \"best_effort\" } ] }";

	ASSERT_EQ(0, parse(json, &ts, err)) TH_LOG("%s", err);
	ASSERT_EQ(2, ts.naccels);
	EXPECT_EQ(RS_PREEMPT_BLOCK, ts.accels[0].preempt);
	EXPECT_EQ(30, ts.accels[0].preempt_latency_us);
	ASSERT_EQ(2, ts.ntasks);
	EXPECT_EQ(1, ts.tasks[0].accel);
	EXPECT_EQ(33333, ts.tasks[0].deadline_us);	/* defaults to the period */
	EXPECT_EQ(9000, ts.tasks[0].bcet_us);
	EXPECT_EQ(RS_CRIT_LOW, ts.tasks[0].criticality);
	EXPECT_EQ(7, ts.tasks[0].priority);
	ASSERT_EQ(2, ts.tasks[0].nvariants);
	EXPECT_STREQ("half", ts.tasks[0].variants[1].name);
	/* kernels_us sets the job; a best-effort task may have no deadline. */
	EXPECT_EQ(600, ts.tasks[1].wcet_us);
	EXPECT_EQ(3, ts.tasks[1].kernels);
	EXPECT_EQ(0, ts.tasks[1].deadline_us);
	EXPECT_EQ(300, rs_task_max_kernel(&ts.tasks[1]));
	EXPECT_EQ(1, rs_taskset_find_task(&ts, "be"));

	rs_taskset_free(&ts);
}

/* Written back out by the generator's writer, a task set reads the same. */
TEST(json_round_trip)
{
	struct rs_taskset ts, ts2;
	char err[256] = "", *again;

	ASSERT_EQ(0, parse("{ " ACCEL ", \"tasks\": [ { \"name\": \"a\", \"period_us\": 100,"
			   " \"wcet_us\": 50, \"kernels\": 3, \"max_kernel_us\": 7,"
			   " \"variants\": [ { \"name\": \"v\", \"scale\": 0.5, \"accuracy\": 0.6 } ] },"
			   " { \"name\": \"be\", \"period_us\": 10, \"kernels_us\": [ 1, 3 ],"
			   " \"criticality\": \"best_effort\" } ] }", &ts, err)) TH_LOG("%s", err);
	again = rs_taskset_to_json(&ts);
	ASSERT_NE(NULL, again);
	ASSERT_EQ(0, parse(again, &ts2, err)) TH_LOG("%s", err);
	EXPECT_EQ(1, ts2.tasks[0].nvariants);
	EXPECT_EQ(0.6, ts2.tasks[0].variants[0].accuracy);
	EXPECT_EQ(7, ts2.tasks[0].max_kernel_us);
	EXPECT_EQ(3, ts2.tasks[1].kernels_us[1]);
	EXPECT_EQ(0, ts2.tasks[1].deadline_us);
	free(again);
	rs_taskset_free(&ts2);
	rs_taskset_free(&ts);
}

struct bad_case {
	const char *tasks;
	const char *message;
};

/* Each bad input is refused with a message naming its field. */
TEST(parse_errors_name_the_field)
{
	static const struct bad_case cases[] = {
		{ "{ \"name\": \"a\", \"wcet_us\": 1 }", "tasks[0].period_us: missing" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 1, \"perod\": 1 }",
		  "tasks[0].perod: unknown field" },
		{ "{ \"name\": \"a\", \"period_us\": -1, \"wcet_us\": 1 }",
		  "tasks[0].period_us: must not be negative" },
		{ "{ \"name\": \"a\", \"period_us\": 1.5, \"wcet_us\": 1 }",
		  "tasks[0].period_us: must be an integer" },
		{ "{ \"name\": \"a\", \"period_us\": 10 }", "tasks[0].wcet_us: missing or 0" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"bcet_us\": 3 }",
		  "tasks[0].bcet_us: must not exceed wcet_us" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"jitter_us\": 10 }",
		  "tasks[0].jitter_us: must be less than deadline_us" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"kernels_us\": [1, 2] }",
		  "tasks[0].wcet_us: is 2 but kernels_us add up to 3" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"kernels_us\": [1, 0] }",
		  "tasks[0].kernels_us: element 1 must be a positive integer" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"criticality\": \"hi\" }",
		  "tasks[0].criticality: must be one of high|low|best_effort" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"accelerator\": \"npu\" }",
		  "tasks[0].accelerator: no accelerator is named \"npu\"" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2 },"
		  " { \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2 }",
		  "tasks[1].name: \"a\" appears twice" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"variants\": "
		  "[ { \"name\": \"v\", \"accuracy\": 2 } ] }",
		  "tasks[0].variants[0].accuracy: must lie in [0, 1]" },
		{ "{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 2, \"deadline_us\": 0 }",
		  "tasks[0].deadline_us: must be positive" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rs_taskset ts;
		char json[1024], err[256] = "";

		snprintf(json, sizeof(json), "{ " ACCEL ", \"tasks\": [ %s ] }", cases[i].tasks);
		EXPECT_EQ(-EINVAL, parse(json, &ts, err));
		EXPECT_EQ(0, strncmp(err, cases[i].message, strlen(cases[i].message)))
			TH_LOG("case %u: got \"%s\"", i, err);
		EXPECT_EQ(0, ts.ntasks);
	}
}

TEST(parse_rejects_what_is_not_a_task_set)
{
	struct rs_taskset ts;
	char err[256];

	EXPECT_EQ(-EINVAL, parse("{ \"tasks\": [", &ts, err));
	EXPECT_EQ(0, strncmp(err, "not valid JSON", 14));
	EXPECT_EQ(-EINVAL, parse("[]", &ts, err));
	EXPECT_EQ(-EINVAL, parse("{ " ACCEL " }", &ts, err));
	EXPECT_STREQ("tasks: missing", err);
	EXPECT_EQ(-EINVAL, parse("{ " ACCEL ", \"tasks\": [] }", &ts, err));
	EXPECT_EQ(-ENOENT, rs_taskset_load("/nonexistent/set.json", &ts, err, 256));
}

TEST(job_split_into_kernels)
{
	struct rs_task_spec t = { .kernels = 3, .max_kernel_us = 4, .wcet_us = 11 };
	uint64_t k[8];

	ASSERT_EQ(3, rs_job_kernels(&t, 10, k, 8));
	EXPECT_EQ(4, k[0]);
	EXPECT_EQ(3, k[1]);
	EXPECT_EQ(3, k[2]);
	ASSERT_EQ(3, rs_job_kernels(&t, 11, k, 8));
	EXPECT_EQ(4, k[0]);
	EXPECT_EQ(3, k[1]);
	EXPECT_EQ(4, k[2]);
	ASSERT_EQ(3, rs_job_kernels(&t, 2, k, 8));
	EXPECT_EQ(2, k[0]);
	EXPECT_EQ(0, k[1] + k[2]);
	EXPECT_EQ(4, rs_task_max_kernel(&t));
	t.kernels = 1;
	ASSERT_EQ(1, rs_job_kernels(&t, 11, k, 8));
	EXPECT_EQ(11, k[0]);
}

static int admit(const char *tasks, enum rs_test test, struct rs_task_verdict *v,
		 struct rs_taskset *ts)
{
	char json[4096], err[256];

	snprintf(json, sizeof(json), "{ " ACCEL ", \"tasks\": [ %s ] }", tasks);
	if (parse(json, ts, err))
		return -1000;
	return rs_admit(ts, test, v);
}

/* (C, T): (1, 4), (2, 6), (3, 12) in 1 us kernels: U = 0.833. */
#define LIGHT_SET \
	"{ \"name\": \"a\", \"period_us\": 4, \"wcet_us\": 1 }," \
	"{ \"name\": \"b\", \"period_us\": 6, \"wcet_us\": 2, \"kernels\": 2 }," \
	"{ \"name\": \"c\", \"period_us\": 12, \"wcet_us\": 3, \"kernels\": 3 }"

TEST(edf_admits_a_light_set)
{
	struct rs_task_verdict v[3];
	struct rs_taskset ts;

	EXPECT_EQ(0, admit(LIGHT_SET, RS_TEST_EDF, v, &ts));
	EXPECT_EQ(1, v[0].admitted && v[1].admitted && v[2].admitted);
	rs_taskset_free(&ts);
}

TEST(edf_rejects_overload_with_the_reason)
{
	struct rs_task_verdict v[3];
	struct rs_taskset ts;

	/* The least important task is the one that does not fit. */
	EXPECT_EQ(1, admit("{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 6, \"priority\": 2 },"
			   "{ \"name\": \"b\", \"period_us\": 10, \"wcet_us\": 3, \"priority\": 1 },"
			   "{ \"name\": \"c\", \"period_us\": 10, \"wcet_us\": 2 }",
			   RS_TEST_EDF, v, &ts));
	EXPECT_EQ(1, v[0].admitted);
	EXPECT_EQ(1, v[1].admitted);
	EXPECT_EQ(0, v[2].admitted);
	EXPECT_STREQ("the tasks would need 110.0% of gpu0", v[2].reason);
	rs_taskset_free(&ts);
}

/*
 * U = 0.5, yet one 5 us kernel of b keeps a (C = 1, D = 4) from its
 * deadline: dbf(4) + 5 > 4.  Split into 1 us kernels, b blocks for 1 us.
 */
TEST(edf_accounts_for_non_preemptive_blocking)
{
	struct rs_task_verdict v[2];
	struct rs_taskset ts;

	EXPECT_EQ(1, admit("{ \"name\": \"a\", \"period_us\": 4, \"wcet_us\": 1, \"priority\": 1 },"
			   "{ \"name\": \"b\", \"period_us\": 20, \"wcet_us\": 5 }",
			   RS_TEST_EDF, v, &ts));
	EXPECT_EQ(1, v[0].admitted);
	EXPECT_EQ(0, v[1].admitted);
	EXPECT_STREQ("by t = 4 us the jobs due need 1 us, plus a kernel of b blocking for 5 us > 4 us",
		     v[1].reason);
	rs_taskset_free(&ts);

	EXPECT_EQ(0, admit("{ \"name\": \"a\", \"period_us\": 4, \"wcet_us\": 1, \"priority\": 1 },"
			   "{ \"name\": \"b\", \"period_us\": 20, \"wcet_us\": 5, \"kernels\": 5 }",
			   RS_TEST_EDF, v, &ts));
	rs_taskset_free(&ts);
}

TEST(edf_checks_deadlines_shorter_than_periods)
{
	struct rs_task_verdict v[2];
	struct rs_taskset ts;

	/* U = 0.6 but both due at 3: demand 4 > 3. */
	EXPECT_EQ(1, admit("{ \"name\": \"a\", \"period_us\": 10, \"deadline_us\": 3, \"wcet_us\": 2,"
			   " \"kernels\": 2, \"priority\": 1 },"
			   "{ \"name\": \"b\", \"period_us\": 5, \"deadline_us\": 3, \"wcet_us\": 2,"
			   " \"kernels\": 2 }", RS_TEST_EDF, v, &ts));
	EXPECT_EQ(0, v[1].admitted);
	rs_taskset_free(&ts);
}

/*
 * The classic response-time example (C, T) = (3, 7), (3, 12), (5, 20)
 * in 1 us kernels.  Worked by hand with blocking 1 and final kernels of
 * 1: a = 1 + 2 + 1 = 4; b = 1 + 2 + 3 + 1 = 7; c = 4 + 3*3 + 2*3 ... = 20.
 */
#define RTA_SET(dc) \
	"{ \"name\": \"a\", \"period_us\": 7, \"wcet_us\": 3, \"kernels\": 3, \"priority\": 3 }," \
	"{ \"name\": \"b\", \"period_us\": 12, \"wcet_us\": 3, \"kernels\": 3, \"priority\": 2 }," \
	"{ \"name\": \"c\", \"period_us\": 20, \"deadline_us\": " #dc ", \"wcet_us\": 5," \
	" \"kernels\": 5, \"priority\": 1 }"

TEST(fp_response_times_match_the_hand_analysis)
{
	struct rs_task_verdict v[3];
	struct rs_taskset ts;

	EXPECT_EQ(0, admit(RTA_SET(20), RS_TEST_FP, v, &ts));
	EXPECT_EQ(4, v[0].response_us);
	EXPECT_EQ(7, v[1].response_us);
	EXPECT_EQ(20, v[2].response_us);
	rs_taskset_free(&ts);

	EXPECT_EQ(1, admit(RTA_SET(19), RS_TEST_FP, v, &ts));
	EXPECT_EQ(0, v[2].admitted);
	EXPECT_STREQ("c could respond after 20 us, past its deadline of 19 us", v[2].reason);
	rs_taskset_free(&ts);
}

/*
 * With a non-preemptive final kernel, a later job of the busy period can
 * respond later than the first (Davis et al. 2007): a = (C 2, T 5),
 * b = (C 4 in two kernels of 2, T 7), no blocking.
 */
TEST(fp_checks_every_job_of_the_busy_period)
{
	struct rs_task_verdict v[2];
	struct rs_taskset ts;

	/*
	 * b, job 0: w = 2 + (w/5 + 1) * 2 -> w = 4, R = 4 + 2 = 6.
	 * Busy period: t = ceil(t/5)*2 + ceil(t/7)*4 -> 14 (2 jobs of b).
	 * Job 1: w = 6 + (w/5 + 1) * 2 -> w = 10 (floor(10/5) + 1 = 3: 12),
	 * w = 12 (floor(12/5) + 1 = 3: 12), R = 12 + 2 - 7 = 7.
	 */
	EXPECT_EQ(0, admit("{ \"name\": \"a\", \"period_us\": 5, \"wcet_us\": 2, \"priority\": 2 },"
			   "{ \"name\": \"b\", \"period_us\": 7, \"wcet_us\": 4, \"kernels\": 2,"
			   " \"priority\": 1 }", RS_TEST_FP, v, &ts));
	EXPECT_EQ(7, v[1].response_us);
	rs_taskset_free(&ts);
}

TEST(slot_admits_what_the_planner_can_lay_out)
{
	struct rs_task_verdict v[3];
	struct rs_taskset ts;

	EXPECT_EQ(0, admit("{ \"name\": \"a\", \"period_us\": 10, \"wcet_us\": 3 },"
			   "{ \"name\": \"b\", \"period_us\": 20, \"wcet_us\": 5, \"kernels\": 5 }",
			   RS_TEST_SLOT, v, &ts));
	rs_taskset_free(&ts);
	/* Over 300 runs in the 1001 us frame: more than a table holds. */
	EXPECT_EQ(1, admit("{ \"name\": \"a\", \"period_us\": 7, \"wcet_us\": 2, \"kernels\": 2,"
			   " \"priority\": 3 },"
			   "{ \"name\": \"b\", \"period_us\": 11, \"wcet_us\": 3, \"kernels\": 3,"
			   " \"priority\": 2 },"
			   "{ \"name\": \"c\", \"period_us\": 13, \"wcet_us\": 2, \"kernels\": 2 }",
			   RS_TEST_SLOT, v, &ts));
	EXPECT_EQ(1, v[0].admitted && v[1].admitted);
	EXPECT_STREQ("the plan needs more than the 256 slots a device holds", v[2].reason);
	rs_taskset_free(&ts);
	/* Two tasks of 0.7 each: the second cannot be laid out. */
	EXPECT_EQ(1, admit("{ \"name\": \"a\", \"period_us\": 1000, \"wcet_us\": 700, \"priority\": 1 },"
			   "{ \"name\": \"b\", \"period_us\": 1000, \"wcet_us\": 700 }",
			   RS_TEST_SLOT, v, &ts));
	EXPECT_EQ(1, v[0].admitted);
	EXPECT_EQ(0, v[1].admitted);
	EXPECT_STREQ("b would finish a job 400 us late even in the plan", v[1].reason);
	rs_taskset_free(&ts);
}

TEST(best_effort_kernels_count_as_blocking)
{
	struct rs_task_verdict v[2];
	struct rs_taskset ts;

	EXPECT_EQ(1, admit("{ \"name\": \"hog\", \"period_us\": 100, \"wcet_us\": 50,"
			   " \"criticality\": \"best_effort\" },"
			   "{ \"name\": \"cam\", \"period_us\": 40, \"wcet_us\": 5, \"priority\": 9 }",
			   RS_TEST_FP, v, &ts));
	/* cam goes first (high criticality); the hog's 50 us kernel breaks it. */
	EXPECT_EQ(1, v[1].admitted);
	EXPECT_EQ(0, v[0].admitted);
	EXPECT_STREQ("cam could respond after 55 us, past its deadline of 40 us"
		     " (a kernel of hog blocks it)", v[0].reason);
	rs_taskset_free(&ts);
}

static int one_task(const char *deadline, enum rs_test test, struct rs_task_verdict *v)
{
	struct rs_taskset ts;
	char json[512], err[256];
	int ret;

	snprintf(json, sizeof(json), "{ \"accelerators\": [ { \"name\": \"g\", \"switch_us\": 2 } ],"
		 " \"tasks\": [ { \"name\": \"a\", \"period_us\": 20, \"deadline_us\": %s,"
		 " \"wcet_us\": 6, \"kernels\": 2, \"jitter_us\": 1 } ] }", deadline);
	if (parse(json, &ts, err))
		return -1000;
	ret = rs_admit(&ts, test, v);
	rs_taskset_free(&ts);
	return ret;
}

/* C = 6 + 2 switches of 2 = 10, plus 1 us of release jitter: 11. */
TEST(switch_cost_and_jitter_inflate_the_analysis)
{
	struct rs_task_verdict v[1];

	EXPECT_EQ(0, one_task("11", RS_TEST_FP, v));
	EXPECT_EQ(11, v[0].response_us);
	EXPECT_EQ(0, one_task("11", RS_TEST_EDF, v));
	EXPECT_EQ(1, one_task("10", RS_TEST_FP, v));
	EXPECT_EQ(1, one_task("10", RS_TEST_EDF, v));
}

TEST_HARNESS_MAIN
