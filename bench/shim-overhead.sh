#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The shim's per-launch cost: cuapp launches empty kernels on the fake
# driver alone, then under librtslot-cuda.so with rtslotd (user backend,
# the task holding its lease, so every timed launch takes the fast path),
# alternating for --rounds rounds on the same machine; the medians and
# their difference and ratio are printed last.
#
#   bench/shim-overhead.sh CUAPP SHIM_LIB FAKECUDA_DIR RTSLOTD [--rounds N] [--launches N]
set -euo pipefail
cuapp=$1 shim=$2 fake=$3 rtslotd=$4
shift 4
rounds=7 launches=200000
while (($#)); do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--launches) launches=$2; shift 2 ;;
	*) echo "shim-overhead: unknown argument $1" >&2; exit 2 ;;
	esac
done
work=$(mktemp -d)
trap '[[ -n ${rd:-} ]] && kill "$rd" 2>/dev/null; rm -rf "$work" /dev/shm/fakecuda-bench-$$' EXIT
"$rtslotd" -s "$work/rtslotd.sock" -b user -q & rd=$!
for _ in $(seq 50); do [[ -S $work/rtslotd.sock ]] && break; sleep 0.1; done
export LD_LIBRARY_PATH=$fake FAKECUDA_DEVICE=/fakecuda-bench-$$

run() {	# $1: label, then env for cuapp
	local label=$1
	shift
	env "$@" "$cuapp" bench --launches="$launches" | sed -n 's/.*ns_per_launch=\([0-9.]*\).*/\1/p' |
		sed "s/^/$label /"
}

for ((i = 0; i < rounds; i++)); do
	run driver
	# A lease of a second: the timed launches never need a new one.
	run shim LD_PRELOAD="$shim" RTSLOT_SOCKET="$work/rtslotd.sock" RTSLOT_QUANTUM_US=1000000
	run gate LD_PRELOAD="$shim" RTSLOT_SOCKET="$work/rtslotd.sock" RTSLOT_QUANTUM_US=1000000 \
		RTSLOT_SAMPLE=1048576
done > "$work/runs"
median() { grep "^$1 " "$work/runs" | awk '{print $2}' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
d=$(median driver) s=$(median shim) g=$(median gate)
echo "bench-shim: $rounds rounds x $launches launches of an empty kernel on the fake driver (medians)"
awk -v d="$d" -v s="$s" -v g="$g" 'BEGIN {
	printf "  driver alone:                       %7.1f ns per launch\n", d
	printf "  shim, gate only (sampling off):     %7.1f ns per launch  (+%.1f ns, ratio %.2f)\n", g, g - d, g / d
	printf "  shim as shipped (1 in 256 sampled):  %7.1f ns per launch  (+%.1f ns, ratio %.2f)\n", s, s - d, s / d
}'
