#!/usr/bin/env bash
# Draw what rtslotctl made in make bpf-pictures: the job-response histogram
# of every task (rtslotctl lat -n output) and a window of the timeline
# (rtslotctl trace JSON), each as PNG and SVG.
# usage: plot-bpf.sh LAT.txt TRACE.json OUT_DIR [FROM_MS LEN_MS]
# (FROM_MS defaults to the first job, to the 10 ms below it)
set -euo pipefail

lat=${1:?usage: plot-bpf.sh LAT.txt TRACE.json OUT_DIR [FROM_MS LEN_MS]}
trace=${2:?usage: plot-bpf.sh LAT.txt TRACE.json OUT_DIR [FROM_MS LEN_MS]}
out=${3:?usage: plot-bpf.sh LAT.txt TRACE.json OUT_DIR [FROM_MS LEN_MS]}
from=${4:-}
len=${5:-150}
command -v gnuplot >/dev/null || { echo "plot-bpf: gnuplot missing; run 'make deps'" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# lat -n: "task N NAME, pid P, ..." then "  job response ...:" and rows
# "LO -> HI : COUNT |...|" with LO a power of two of nanoseconds.
awk -v dir="$tmp" '
	/^task [0-9]+ [^ (]+, pid / { name = $3; sub(/,$/, "", name); kind = ""; next }
	/^  [a-z]/ { kind = $0; next }
	kind ~ /job response/ && /->/ {
		lo = $1 + 0; k = lo ? int(log(lo) / log(2) + 0.5) : 0
		if (!(name in idx)) { idx[name] = n++; names[idx[name]] = name }
		c[idx[name], k] = $5; if (k < kmin || kmin == "") kmin = k; if (k > kmax) kmax = k
	}
	END {
		for (k = kmin; k <= kmax; k++) {
			ns = 2 ^ k
			lbl = ns >= 1e6 ? sprintf("%.3g ms", ns / 1e6) : sprintf("%.3g us", ns / 1e3)
			printf "\"%s\"", lbl > (dir "/hist")
			for (i = 0; i < n; i++)
				printf " %d", c[i, k] + 0 > (dir "/hist")
			printf "\n" > (dir "/hist")
		}
		for (i = 0; i < n; i++)
			printf "%s%s", i ? " " : "", names[i] > (dir "/names")
		printf "\n" > (dir "/names")
	}' "$lat"
read -r -a names < "$tmp/names"
plot="plot" sep=
for i in "${!names[@]}"; do
	plot+="$sep '$tmp/hist' using $((i + 2)):xtic(1) title '${names[$i]}'"
	sep=,
done
for term in "pngcairo size 1000,480 font ',10'" "svg size 1000,480 dynamic font ',10'"; do
	ext=png
	[[ $term == svg* ]] && ext=svg
	gnuplot <<GP
set terminal $term
set output '$out/bpf-lat.$ext'
set termoption noenhanced
set title "rtslotctl lat: job response (lease request to release), log2 buckets, per task"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xlabel 'response time, bucket lower bound'
set ylabel 'jobs'
set xtics rotate by -35
set grid ytics
set key top right
$plot
GP
done

# The trace: one event per line, keys in a fixed order (cmd_trace.c).
if [[ -z $from ]]; then
	from=$(grep -o '"name":"job","pid":[0-9]*,"tid":[0-9]*,"ts":[0-9.]*' "$trace" |
		sed 's/.*"ts"://' | sort -n | head -n1 | awk '{ printf "%d", int($1 / 10000) * 10 }')
	from=${from:-0}
fi
awk -v from="$from" -v len="$len" -v dir="$tmp" '
	function num(k,   m) {
		if (match($0, "\"" k "\":-?[0-9.]+")) return substr($0, RSTART + length(k) + 3, RLENGTH - length(k) - 3) + 0
		return -1
	}
	/"ph":"M"/ && /"thread_name"/ {
		tid = num("tid")
		if (match($0, /"args":\{"name":"[^" ]*/)) names[tid] = substr($0, RSTART + 16, RLENGTH - 16)
		next
	}
	/"ph":"X"/ || /"ph":"i"/ {
		tid = num("tid"); if (!(tid in row)) { row[tid] = nrow++ }
		ts = num("ts") / 1000 - from; d = num("dur") / 1000
		if (ts + d < 0 || ts > len) next
		if (/"name":"job"/) printf "%d %f %f\n", row[tid], ts, d > (dir "/jobs")
		else if (/"name":"lease"/) printf "%d %f %f\n", row[tid], ts, d > (dir "/leases")
		else if (/"name":"miss"/) printf "%d %f\n", row[tid], ts > (dir "/misses")
	}
	END {
		for (t in row) printf "set ytics add (\"%s\" %d)\n", (t in names) ? names[t] : t, row[t] > (dir "/ytics")
		printf "set yrange [-0.6:%f]\n", nrow - 0.4 > (dir "/ytics")
	}' "$trace"
touch "$tmp/jobs" "$tmp/leases" "$tmp/misses"
plot="plot '$tmp/jobs' using (\$2 + \$3 / 2):1:(\$3 / 2):(0.3) with boxxyerror fs solid 0.35 lc rgb '#8ab4e8' title 'waiting (request to grant)', \
 '$tmp/leases' using (\$2 + \$3 / 2):1:(\$3 / 2):(0.3) with boxxyerror fs solid 0.9 lc rgb '#204a87' title 'holding the lease'"
[[ -s $tmp/misses ]] && plot+=", '$tmp/misses' using 2:(\$1 + 0.42) with points pt 11 ps 1.3 lc rgb '#cc0000' title 'deadline miss'"
for term in "pngcairo size 1200,420 font ',10'" "svg size 1200,420 dynamic font ',10'"; do
	ext=png
	[[ $term == svg* ]] && ext=svg
	gnuplot <<GP
set terminal $term
set output '$out/bpf-trace.$ext'
set termoption noenhanced
set title "rtslotctl trace: $len ms of four tasks on /dev/rtslot0 (EDF), from the BPF probes"
set xlabel 'time (ms)'
set xrange [0:$len]
set grid xtics
set key outside bottom center horizontal
set ytics ()
load '$tmp/ytics'
$plot
GP
done
