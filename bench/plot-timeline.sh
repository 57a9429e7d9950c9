#!/usr/bin/env bash
# Draw a window of a simulator trace (rtslotctl sim --trace) as a timeline:
# one row per task, a box per kernel, a cross per deadline miss.
# usage: plot-timeline.sh TRACE.json OUT_PREFIX [FROM_US LEN_US] [TITLE]
set -euo pipefail

trace=${1:?usage: plot-timeline.sh TRACE.json OUT_PREFIX [FROM_US LEN_US] [TITLE]}
out=${2:?usage: plot-timeline.sh TRACE.json OUT_PREFIX [FROM_US LEN_US] [TITLE]}
from=${3:-0}
len=${4:-200000}
title=${5:-rtslot simulator timeline}
command -v gnuplot >/dev/null || { echo "plot-timeline: gnuplot missing; run 'make deps'" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The writer puts one event per line with fixed keys (user/sim/trace.c).
awk -v from="$from" -v to="$((from + len))" -v dir="$tmp" '
	function field(k,   m) {
		if (match($0, "\"" k "\":(\"[^\"]*\"|[0-9]+)")) {
			m = substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
			gsub(/"/, "", m)
			return m
		}
		return ""
	}
	/"ph":"M"/ && /thread_name/ {
		tid = field("tid")
		if (match($0, /"args":\{"name":"[^"]*"/))
			names[tid] = substr($0, RSTART + 16, RLENGTH - 17)
		n++
		next
	}
	/"ph":"X"/ {
		ts = field("ts") + 0; d = field("dur") + 0
		if (ts + d >= from && ts <= to)
			printf("%s %f %f\n", field("tid"), (ts - from) / 1000, d / 1000) > (dir "/spans")
		next
	}
	/"name":"miss"/ {
		ts = field("ts") + 0
		if (ts >= from && ts <= to)
			printf("%s %f\n", field("tid"), (ts - from) / 1000) > (dir "/misses")
	}
	END {
		for (t in names)
			printf("set ytics add (\"%s\" %d)\n", names[t], t) > (dir "/ytics")
		printf("set yrange [-0.6:%f]\n", n - 0.4) > (dir "/ytics")
	}' "$trace"
touch "$tmp/spans" "$tmp/misses"

plot="plot '$tmp/spans' using (\$2 + \$3 / 2):1:(\$3 / 2):(0.35) with boxxyerror fs solid 0.7 lc rgb '#3465a4' notitle"
[[ -s $tmp/misses ]] && plot+=", '$tmp/misses' using 2:1 with points pt 2 ps 2 lw 2 lc rgb '#cc0000' title 'deadline miss'"
for term in "pngcairo size 1200,420 font ',10'" "svg size 1200,420 dynamic font ',10'"; do
	ext=png
	[[ $term == svg* ]] && ext=svg
	gnuplot <<GP
set terminal $term
set output '$out.$ext'
set termoption noenhanced
set title "$title"
set xlabel 'time (ms)'
set xrange [0:$len / 1000.0]
set grid xtics
set key top right
set ytics ()
load '$tmp/ytics'
$plot
GP
done
