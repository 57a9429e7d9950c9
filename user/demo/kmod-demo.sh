#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# make demo, inside the QEMU guest: rtslot.ko granting leases to contending
# rtslotctl work processes, first in EDF order, then inside a slot table.
# Needs rtslotctl in PATH and the module loaded; exits non-zero on failure.

set -eu

DEV=0
SYS=/sys/class/rtslot/rtslot$DEV
TR=/sys/kernel/tracing
WORK=/tmp/rtslot-demo
FAILED=0

say() { printf '\n=== %s\n' "$*"; }
fail() { echo "demo: FAILED: $*" >&2; FAILED=1; }

# The value of KEY in the stats attribute.
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$SYS/stats"; }

show_tasks() {
	if [ -s $SYS/tasks ]; then cat $SYS/tasks; else echo "  (all done already)"; fi
}

# Wait (up to 30 s) until each listed id file exists.
wait_ids() {
	n=0
	for f in "$@"; do
		while [ ! -s "$f" ]; do
			n=$((n + 1))
			[ $n -lt 3000 ] || { fail "no task id in $f"; return 1; }
			sleep 0.01
		done
	done
}

# Wait for the listed pids; any non-zero exit fails the demo.
wait_all() {
	for p in "$@"; do
		wait "$p" || fail "rtslotctl work (pid $p) exited with $?"
	done
}

echo "################################################################"
echo "# rtslot kernel module demo (rtslot.ko in a QEMU guest)."
echo "# The arbiter rtslotd does not exist yet: here slot tables are set"
echo "# by hand with rtslotctl, and the work is CPU busy-loops standing"
echo "# in for accelerator kernels."
echo "################################################################"

say "the device: RTSLOT_IOC_GET_INFO and /sys/class/rtslot/rtslot$DEV"
ls -l /dev/rtslot$DEV
rtslotctl info -d $DEV

say "tracing on: events/rtslot"
[ -d $TR/events ] || mount -t tracefs tracefs $TR
ls $TR/events/rtslot
echo 0 > $TR/tracing_on
echo > $TR/trace
echo 1 > $TR/events/rtslot/enable
echo 1 > $TR/tracing_on

rm -rf $WORK && mkdir -p $WORK

# ---------------------------------------------------------------- EDF
say "part 1: policy edf, two periodic reserved tasks and a best-effort hog"
echo "  rt-a: reservation 2 ms every 10 ms; one job of 1.2 ms per period"
echo "  rt-b: reservation 3 ms every 15 ms, deadline 12 ms; one job of 2 ms per period"
echo "  be-c: best effort, jobs of 1.5 ms back to back: it gets what the others leave"
echo edf > $SYS/policy
echo "policy: $(cat $SYS/policy)"
rtslotctl work -d $DEV --name rt-a --runtime-us 2000 --period-us 10000 \
	--est-us 1500 --hold-us 1200 --interval-us 10000 --jobs 20 --timeout-ms 10000 -q \
	--id-file $WORK/a.id --sync-file $WORK/go-edf > $WORK/edf-a.out &
pa=$!
rtslotctl work -d $DEV --name rt-b --runtime-us 3000 --deadline-us 12000 \
	--period-us 15000 --est-us 2500 --hold-us 2000 --interval-us 15000 --jobs 14 \
	--timeout-ms 10000 -q --id-file $WORK/b.id --sync-file $WORK/go-edf \
	> $WORK/edf-b.out &
pb=$!
rtslotctl work -d $DEV --name be-c --est-us 2000 --hold-us 1500 --jobs 100 \
	--timeout-ms 10000 -q --id-file $WORK/c.id --sync-file $WORK/go-edf \
	> $WORK/edf-c.out &
pc=$!
wait_ids $WORK/a.id $WORK/b.id $WORK/c.id
echo "tasks, created and not started:"
cat $SYS/tasks
touch $WORK/go-edf
sleep 0.1
echo "tasks, while running (state: idle, waiting or holding):"
show_tasks
wait_all $pa $pb $pc
for t in a b c; do tail -n +2 $WORK/edf-$t.out; done
echo "(late: a job ended after its release plus its deadline, as the application"
echo " sees it; kernel misses: grants or releases after the deadline of the"
echo " reservation's current server period, see docs/architecture.md)"
echo "stats after part 1:"
cat $SYS/stats
[ "$(stat_of grants)" -ge 134 ] || fail "part 1: fewer grants than the 134 jobs"

# ---------------------------------------------------------------- table
say "part 2: policy table, a 10 ms frame split by hand (rtslotd would plan it)"
echo table > $SYS/policy
echo "policy: $(cat $SYS/policy), frame_us: $(cat $SYS/frame_us)"
rm -f $WORK/*.id
rtslotctl work -d $DEV --name slot-a --est-us 1500 --hold-us 1200 --interval-us 10000 \
	--jobs 20 --timeout-ms 10000 -q --id-file $WORK/a.id --sync-file $WORK/go-table \
	> $WORK/tab-a.out &
pa=$!
rtslotctl work -d $DEV --name slot-b --est-us 2500 --hold-us 2000 --interval-us 10000 \
	--jobs 20 --timeout-ms 10000 -q --id-file $WORK/b.id --sync-file $WORK/go-table \
	> $WORK/tab-b.out &
pb=$!
rtslotctl work -d $DEV --name slack-c --est-us 600 --hold-us 500 --jobs 150 \
	--timeout-ms 10000 -q --id-file $WORK/c.id --sync-file $WORK/go-table \
	> $WORK/tab-c.out &
pc=$!
wait_ids $WORK/a.id $WORK/b.id $WORK/c.id
ida=$(cat $WORK/a.id)
idb=$(cat $WORK/b.id)
switches=$(stat_of table_switches)
echo "slot-a (one 1.2 ms job per 10 ms) owns [0, 3 ms), slot-b (one 2 ms job per 10 ms)"
echo "owns [3, 6 ms), [6, 10 ms) is slack; slack-c (best effort, 0.5 ms jobs back to"
echo "back) runs in the slack and in what the owners give back early:"
rtslotctl table -d $DEV --slot "$ida:0:3000" --slot "$idb:3000:3000" --slot slack:6000:4000
echo "slots:"
cat $SYS/slots
touch $WORK/go-table
sleep 0.1
echo "tasks, while running:"
show_tasks
wait_all $pa $pb $pc
for t in a b c; do tail -n +2 $WORK/tab-$t.out; done
echo "stats after part 2 (reclaims: slot time given back early became slack):"
cat $SYS/stats
[ "$(stat_of table_switches)" -gt "$switches" ] || fail "part 2: no table switch"
rtslotctl table -d $DEV --clear
echo 0 > $TR/tracing_on

# ---------------------------------------------------------------- trace
say "trace excerpt: the table switch and the grants and releases after it"
awk '/rtslot_table_switch/ { on = 1 }
     on && /rtslot_(table_switch|lease_grant|lease_release)/ { print; if (++n == 14) exit }' \
	$TR/trace | sed 's/^ *//'
say "trace event counts"
for e in task_join task_leave lease_request lease_grant lease_release \
	 deadline_miss overrun table_switch; do
	printf '  %-14s %s\n' $e "$(grep -c "rtslot_$e:" $TR/trace || true)"
done
grep -q 'rtslot_table_switch:' $TR/trace || fail "no rtslot_table_switch event traced"
grep -q 'rtslot_lease_grant:' $TR/trace || fail "no rtslot_lease_grant event traced"

if [ $FAILED -ne 0 ]; then
	say "demo FAILED"
	exit 1
fi
say "demo done: the kernel module granted leases under edf and inside a slot table"
