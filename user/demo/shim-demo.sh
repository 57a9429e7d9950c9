#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo, on the host: real processes under librtslot-cuda.so on the
# fake accelerator (tests/fakecuda: one kernel at a time, FIFO across
# processes, as a GPU left to itself).  A 30 Hz camera task with a 16 ms
# deadline and two best-effort hogs, first left alone, then each under the
# shim with rtslotd (user backend, EDF): one table, side by side.
#
#   user/demo/shim-demo.sh CUAPP SHIM_LIB FAKECUDA_DIR RTSLOTD [JOBS]
set -euo pipefail
cuapp=$1 shim=$2 fake=$3 rtslotd=$4 jobs=${5:-60}
work=$(mktemp -d)
trap '[[ -n ${rd:-} ]] && kill "$rd" 2>/dev/null; rm -rf "$work" /dev/shm/fakecuda-demo-$$-*' EXIT
export LD_LIBRARY_PATH=$fake
warm=24
hog_ms=$(( (jobs + warm + 8) * 34 ))

# $1: 1 under the shim.  Leaves camera.$1, hog0.$1, hog1.$1 in $work.
mix() {
	local pre=() i pids=()
	((${1})) && pre=(LD_PRELOAD="$shim" RTSLOT_SOCKET="$work/rtslotd.sock")
	export FAKECUDA_DEVICE=/fakecuda-demo-$$-$1
	for i in 0 1; do
		env "${pre[@]}" "$cuapp" hog --kernel-us=2000 --depth=8 --ms=$hog_ms > "$work/hog$i.$1" &
		pids+=($!)
	done
	env "${pre[@]}" RTSLOT_TASK=camera RTSLOT_PERIOD_MS=33.333 RTSLOT_DEADLINE_MS=16 \
		RTSLOT_PRIORITY=10 "$cuapp" periodic --period-us=33333 --deadline-us=16000 \
		--kernels=4 --kernel-us=1000 --jobs="$jobs" --warmup=$warm --fifo=10 > "$work/camera.$1"
	wait "${pids[@]}"
}

val() { tr ' ' '\n' < "$2" | sed -n "s/^$1=//p" | head -n 1; }

echo "=== The shim: a 30 Hz camera task (4 x 1 ms kernels, deadline 16 ms) against two"
echo "    best-effort hogs (2 ms kernels, 8 queued) on the fake accelerator; $jobs jobs"
echo "    counted after $warm of warm-up (while rtslotd learns the camera's execution time)"
mix 0
"$rtslotd" -s "$work/rtslotd.sock" -b user -p edf -q & rd=$!
# The arbiter answers before the tasks it arbitrates run again.
chrt -f -p 20 "$rd" 2>/dev/null || echo "(rtslotd stays SCHED_OTHER: not root?)"
for _ in $(seq 50); do [[ -S $work/rtslotd.sock ]] && break; sleep 0.1; done
mix 1
kill "$rd"; wait "$rd" || true; rd=

printf '\n%-8s %-10s %6s %7s %9s %9s %13s\n' rtslot task jobs misses "p50 ms" "p99 ms" "hog kernels"
for m in 0 1; do
	c=$work/camera.$m
	printf '%-8s %-10s %6s %7s %9.1f %9.1f %13s\n' "$( ((m)) && echo yes || echo no)" camera \
		"$(val jobs "$c")" "$(val misses "$c")" "$(val p50_us "$c")e-3" "$(val p99_us "$c")e-3" \
		"$(( $(val kernels "$work/hog0.$m") + $(val kernels "$work/hog1.$m") ))"
done
echo
echo "Under rtslot the hogs wait for the camera at kernel boundaries; alone, the camera"
echo "queues behind everything the hogs have already launched."
