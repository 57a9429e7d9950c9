#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# make bench-bpf and make bpf-pictures, inside the QEMU guest.
#   bpf-guest bench CYCLES ROUNDS  the per-event overhead (bench/bpf_overhead.c)
#   bpf-guest pictures             a mix of four tasks under rtslotctl lat and
#                                  trace; their output goes to the console
#                                  between markers, for the host to plot
set -eu

echo "guest: Linux $(uname -r), $(grep -c '^processor' /proc/cpuinfo) vCPUs," \
	"QEMU TCG (emulated: absolute times are inflated)"
case $1 in
bench)
	echo "command: bpf_overhead $2 $3"
	bpf_overhead "$2" "$3"
	;;
pictures)
	d=/sys/class/rtslot/rtslot0
	echo edf > $d/policy
	echo log > $d/overrun_action
	echo 1000000 > $d/overrun_grace_us
	# Three reserved tasks under EDF, one of which (detect) holds past
	# its deadline each time, and a best-effort one.
	cat > /tmp/mix <<'MIX'
w="rtslotctl work --quiet"
$w --name cam --runtime-us 2000 --period-us 10000 --est-us 1500 --hold-us 1200 \
	--jobs 60 --interval-us 10000 &
$w --name lidar --runtime-us 4000 --period-us 20000 --est-us 3000 --hold-us 2500 \
	--jobs 30 --interval-us 20000 &
$w --name detect --runtime-us 2000 --deadline-us 5000 --period-us 30000 --est-us 1500 \
	--hold-us 6000 --jobs 20 --interval-us 30000 &
$w --name planner --est-us 2000 --hold-us 2000 --jobs 24 --interval-us 25000 &
wait
MIX
	rtslotctl lat -n -- sh /tmp/mix > /tmp/lat.txt
	rtslotctl trace -o /tmp/trace.json -- sh /tmp/mix
	echo "BPF-LAT-BEGIN"; cat /tmp/lat.txt; echo "BPF-LAT-END"
	echo "BPF-TRACE-BEGIN"; cat /tmp/trace.json; echo "BPF-TRACE-END"
	;;
esac
