// SPDX-License-Identifier: GPL-2.0
/*
 * The lease page's reader (include/rtslot/dev.h), the shim's fast path:
 * a consistent copy, the grant rule on it, and no endless spin on a
 * writer that died between its two increments of seq.
 */
#include <string.h>

#include "rtslot/dev.h"
#include "kselftest_harness.h"

static void held(struct rtslot_lease_page *p, uint64_t end, uint64_t guard)
{
	memset(p, 0, sizeof(*p));
	p->seq = 2;
	p->state = RTSLOT_LEASE_HELD;
	p->generation = 7;
	p->lease_end_ns = end;
	p->guard_ns = guard;
	p->granted_ns = end / 2;
}

TEST(a_settled_page_is_copied)
{
	struct rtslot_lease_page p;
	struct rtslot_lease_snap s;

	held(&p, 1000000, 100);
	rtslot_lease_read(&p, &s);
	EXPECT_EQ(RTSLOT_LEASE_HELD, s.state);
	EXPECT_EQ(7, s.generation);
	EXPECT_EQ(1000000, s.lease_end_ns);
	EXPECT_EQ(100, s.guard_ns);
	EXPECT_EQ(500000, s.granted_ns);
}

TEST(the_grant_rule_on_a_snapshot)
{
	struct rtslot_lease_page p;

	held(&p, 1000000, 100);
	EXPECT_TRUE(rtslot_lease_fits(&p, 899900, 100000));
	EXPECT_FALSE(rtslot_lease_fits(&p, 899901, 100000));
	EXPECT_FALSE(rtslot_lease_fits(&p, 1, 1000000));
	EXPECT_FALSE(rtslot_lease_fits(&p, 1, UINT64_MAX));
	p.yield_requested = 1;
	EXPECT_FALSE(rtslot_lease_fits(&p, 1, 0));
}

TEST(a_writer_that_died_mid_write_reads_as_no_lease)
{
	struct rtslot_lease_page p;
	struct rtslot_lease_snap s;

	held(&p, UINT64_MAX, 0);
	p.seq = 3;	/* odd, and it will stay so */
	rtslot_lease_read(&p, &s);
	EXPECT_EQ(RTSLOT_LEASE_NONE, s.state);
	EXPECT_EQ(0, s.lease_end_ns);
	EXPECT_FALSE(rtslot_lease_fits(&p, 1, 0));
}

TEST_HARNESS_MAIN
