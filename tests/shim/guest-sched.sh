#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the QEMU guest, with rtslot.ko loaded: the deadline task and two
# best-effort hogs on the fake accelerator, left alone and then under
# librtslot-cuda.so with rtslotd's kmod backend (leases are the module's
# ioctls and lease pages).  Times are long because TCG is slow (and slower
# on a loaded host): a 200 ms period, 32 ms of work against a 160 ms
# deadline, 16 ms hog kernels.  The
# camera states its execution time (RTSLOT_WCET_MS) and the hogs their
# longest kernel: learning is the host test's subject, the kmod path this one's.
# Prints TAP for tests/vm/ksft-tap.sh.

R=/opt/rtslot
export LD_LIBRARY_PATH=$R
# Under TCG a wakeup costs what a kernel does: the watchers poll less often.
export RTSLOT_POLL_US=500
SOCK=/tmp/rtslotd-shim.sock
CRIT="periodic --period-us=200000 --deadline-us=160000 --kernels=4 --kernel-us=8000 --jobs=20 --warmup=20 --fifo=10"
HOG="hog --kernel-us=16000 --depth=8 --ms=10000"
n=0

tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

val() { tr ' ' '\n' < "$2" | sed -n "s/^$1=//p" | head -n 1; }

# $1: 1 under the shim.  Output of the deadline task in /tmp/crit.$1.
mix() {
	pre=
	[ "$1" = 1 ] && pre=$R/librtslot-cuda.so
	export FAKECUDA_DEVICE=/fakecuda-guest-$1
	LD_PRELOAD=$pre RTSLOT_SOCKET=$SOCK RTSLOT_MAX_KERNEL_US=18000 $R/cuapp $HOG \
		> /tmp/hog0.$1 2>&1 &
	h0=$!
	LD_PRELOAD=$pre RTSLOT_SOCKET=$SOCK RTSLOT_MAX_KERNEL_US=18000 $R/cuapp $HOG \
		> /tmp/hog1.$1 2>&1 &
	h1=$!
	LD_PRELOAD=$pre RTSLOT_SOCKET=$SOCK RTSLOT_TASK=camera RTSLOT_PERIOD_MS=200 \
		RTSLOT_DEADLINE_MS=160 RTSLOT_WCET_MS=60 RTSLOT_PRIORITY=10 RTSLOT_VERBOSE=1 \
		$R/cuapp $CRIT \
		> /tmp/crit.$1 2> /tmp/crit.err.$1
	wait $h0 $h1
	echo "# $([ "$1" = 1 ] && echo with || echo without) rtslot: $(cat /tmp/crit.$1)"
	sed 's/^/#   camera: /' /tmp/crit.err.$1
}

echo "1..5"
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm

mix 0
misses=$(val misses /tmp/crit.0)
[ -n "$misses" ] && [ "$misses" -ge 10 ]
tap $? "unmanaged: the deadline task misses (${misses:-?} of 20)"

/bin/rtslotd --backend kmod --policy edf --socket $SOCK -v 2> /tmp/rtslotd.log &
rd=$!
i=0
while [ ! -S $SOCK ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mix 1
misses=$(val misses /tmp/crit.1)
[ "$misses" = 0 ]
tap $? "managed (kmod backend): the deadline task meets every deadline (${misses:-?} misses)"
[ "$(val jobs /tmp/crit.1)" = 20 ]
tap $? "managed: all 20 jobs ran"
k0=$(val kernels /tmp/hog0.1)
k1=$(val kernels /tmp/hog1.1)
[ "${k0:-0}" -gt 0 ] && [ "${k1:-0}" -gt 0 ]
tap $? "managed: both hogs made progress (${k0:-0} and ${k1:-0} kernels)"
kill -TERM $rd
wait $rd
tap $? "rtslotd (kmod backend) exited cleanly"
grep -v '^$' /tmp/rtslotd.log | sed 's/^/# rtslotd: /'
exit 0
