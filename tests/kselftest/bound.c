// SPDX-License-Identifier: GPL-2.0
/*
 * Lease bounds: the blocking an arbiter's analysis charges a task (its
 * non-preemptible unit) is the most work one lease of that task may cover,
 * best effort included: the device's be_max_us, or the task's own bound
 * from SET_RESERVATION, which the lease page shows.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rtslot_test.h"

FIXTURE(bound) {
	struct rt_config saved;
	int fd;
	uint32_t id;
	const struct rtslot_lease_page *page;
};

FIXTURE_SETUP(bound)
{
	ASSERT_EQ(0, rt_setup(&self->saved));
	ASSERT_EQ(0, rt_attr_write("policy", "edf"));
	self->fd = rt_open_task("bound", &self->id);
	ASSERT_LE(0, self->fd);
	self->page = rt_map_page(self->fd);
	ASSERT_NE(NULL, self->page);
}

FIXTURE_TEARDOWN(bound)
{
	close(self->fd);
	EXPECT_EQ(0, rt_config_apply(&self->saved));
}

static uint64_t page_bound(const struct rtslot_lease_page *page)
{
	struct rtslot_lease_page snap;

	rt_page_read(page, &snap);
	return snap.max_lease_ns;
}

/* Granted est, with a lease of est and nothing more (guard and switch are 0). */
static void lease_of_exactly(struct __test_metadata *_metadata, int fd,
			     const struct rtslot_lease_page *page, uint64_t est)
{
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;

	ASSERT_EQ(0, rt_request(fd, est, SEC(10), &out));
	rt_page_read(page, &snap);
	EXPECT_EQ(snap.granted_ns + est, out.lease_end_ns);
	EXPECT_EQ(0, rt_release(fd, 0, NULL));
}

TEST_F_TIMEOUT(bound, best_effort_stops_at_be_max, 120)
{
	struct rtslot_lease_request out;

	/* The default bounds nothing that fits a period. */
	EXPECT_EQ(SEC(10), page_bound(self->page));
	ASSERT_EQ(0, rt_attr_write("be_max_us", "2000"));
	EXPECT_EQ(MSEC(2), page_bound(self->page));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, MSEC(2) + 1, SEC(10), &out));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, SEC(10), SEC(10), &out));
	lease_of_exactly(_metadata, self->fd, self->page, MSEC(2));
}

TEST_F_TIMEOUT(bound, renewal_past_the_bound_keeps_the_lease, 120)
{
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;

	ASSERT_EQ(0, rt_attr_write("be_max_us", "2000"));
	ASSERT_EQ(0, rt_request(self->fd, MSEC(1), SEC(10), &out));
	EXPECT_EQ(-E2BIG, rt_renew(self->fd, MSEC(3), SEC(10), NULL));
	rt_page_read(self->page, &snap);
	EXPECT_EQ(RTSLOT_LEASE_HELD, snap.state);
	EXPECT_EQ(out.generation, snap.generation);
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));
}

TEST_F_TIMEOUT(bound, task_bound_comes_before_the_device_default, 120)
{
	struct rtslot_lease_request out;

	ASSERT_EQ(0, rt_attr_write("be_max_us", "2000"));
	ASSERT_EQ(0, rt_reserve_bounded(self->fd, 0, 0, 0, 0, MSEC(18)));
	EXPECT_EQ(MSEC(18), page_bound(self->page));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, MSEC(18) + 1, SEC(10), &out));
	lease_of_exactly(_metadata, self->fd, self->page, MSEC(18));
	/* Lower than the default works the same way. */
	ASSERT_EQ(0, rt_reserve_bounded(self->fd, 0, 0, 0, 0, USEC(500)));
	EXPECT_EQ(USEC(500), page_bound(self->page));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, MSEC(1), SEC(10), &out));
	/* 0 goes back to the device's. */
	ASSERT_EQ(0, rt_reserve_bounded(self->fd, 0, 0, 0, 0, 0));
	EXPECT_EQ(MSEC(2), page_bound(self->page));
}

TEST_F_TIMEOUT(bound, reservation_lease_ends_at_its_bound, 120)
{
	struct rtslot_lease_request out;
	struct rtslot_lease_page snap;

	/* Without a bound, the lease is the budget; the page says none. */
	ASSERT_EQ(0, rt_reserve(self->fd, MSEC(20), MSEC(500), MSEC(500), 0));
	EXPECT_EQ(0, page_bound(self->page));
	ASSERT_EQ(0, rt_request(self->fd, MSEC(4), SEC(10), &out));
	rt_page_read(self->page, &snap);
	EXPECT_EQ(snap.granted_ns + MSEC(20), out.lease_end_ns);
	EXPECT_EQ(0, rt_release(self->fd, 0, NULL));

	ASSERT_EQ(0, rt_reserve_bounded(self->fd, MSEC(20), MSEC(500), MSEC(500), 0, MSEC(6)));
	EXPECT_EQ(MSEC(6), page_bound(self->page));
	EXPECT_EQ(-E2BIG, rt_request(self->fd, MSEC(7), SEC(10), &out));
	/* The bound's worth of work, though 20 ms of budget are left. */
	lease_of_exactly(_metadata, self->fd, self->page, MSEC(6));
}

TEST_F_TIMEOUT(bound, bad_bound_einval_changes_nothing, 120)
{
	struct rt_task_row row;

	ASSERT_EQ(0, rt_reserve_bounded(self->fd, 0, 0, 0, 0, MSEC(3)));
	EXPECT_EQ(-EINVAL, rt_reserve_bounded(self->fd, MSEC(2), MSEC(5), MSEC(5), 0, 999));
	EXPECT_EQ(-EINVAL, rt_reserve_bounded(self->fd, MSEC(2), MSEC(5), MSEC(5), 0,
					      RTSLOT_PERIOD_MAX_NS + 1));
	ASSERT_EQ(0, rt_task_row(self->id, &row));
	EXPECT_EQ(0, row.runtime);
	EXPECT_EQ(MSEC(3), page_bound(self->page));
	/* A reservation refused leaves the old bound too. */
	EXPECT_EQ(-EINVAL, rt_reserve_bounded(self->fd, MSEC(6), MSEC(5), MSEC(5), 0, MSEC(1)));
	EXPECT_EQ(MSEC(3), page_bound(self->page));
}

TEST_F_TIMEOUT(bound, old_size_caller_gets_the_default, 120)
{
	struct rtslot_reservation r = {
		.size = RTSLOT_RESERVATION_SIZE_VER0,
		.runtime_ns = MSEC(2), .deadline_ns = MSEC(50), .period_ns = MSEC(50),
		.max_lease_ns = MSEC(1),	/* past the size: never read */
	};

	ASSERT_EQ(0, rt_attr_write("be_max_us", "2000"));
	ASSERT_EQ(0, rt_reserve_bounded(self->fd, 0, 0, 0, 0, MSEC(3)));
	ASSERT_EQ(0, rt_ioctl(self->fd, RTSLOT_IOC_SET_RESERVATION, &r));
	/* A reservation without a bound of its own: the budget alone. */
	EXPECT_EQ(0, page_bound(self->page));
}

TEST_HARNESS_MAIN
