#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unmodified PyTorch processes sharing one NVIDIA GPU, without and with
# rtslot: a 30 Hz resnet50 task with a deadline against best-effort hogs
# (mobilenet_v3, a transformer encoder, resnet50).  For each number of
# hogs (1..3) both runs go back to back on the same machine; the table
# gives the deadline task's p50/p99/miss ratio and the hogs' throughput.
#
#   bench/gpu/run.sh [--seconds S] [--hogs "1 2 3"] [--deadline-ms D] [--out FILE]
#
# Needs: an NVIDIA GPU and driver, python3 with torch and torchvision,
# and `make shim rtslotd` built in this checkout (run.sh builds them).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=20 hogs="1 2 3" deadline=20 out=
while (($#)); do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--hogs) hogs=$2; shift 2 ;;
	--deadline-ms) deadline=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

command -v nvidia-smi >/dev/null || { echo "run.sh: no nvidia-smi: this needs an NVIDIA GPU" >&2; exit 1; }
python3 -c 'import torch, torchvision; assert torch.cuda.is_available()' 2>/dev/null ||
	{ echo "run.sh: python3 cannot import torch/torchvision with CUDA" >&2; exit 1; }
make -C "$top" --no-print-directory shim rtslotd >/dev/null
shim=$top/build/user/librtslot-cuda.so
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
sock=$work/rtslotd.sock
cat > "$work/rtslotd.json" <<JSON
{ "socket": "$sock", "backend": "user", "policy": "edf",
  "accelerators": [ { "name": "gpu0", "preempt": "launch" } ] }
JSON
hog_models=(mobilenet_v3 encoder resnet50)
task=$top/bench/gpu/pt_task.py

# One scenario: $1 = managed (0/1), $2 = number of hogs.  JSON lines to stdout.
scenario() {
	local managed=$1 n=$2 i pids=() env=()
	if ((managed)); then
		env=(LD_PRELOAD="$shim" RTSLOT_SOCKET="$sock")
		"$top/build/user/rtslotd" -c "$work/rtslotd.json" -q & local daemon=$!
		sleep 1
	fi
	for ((i = 0; i < n; i++)); do
		env "${env[@]}" RTSLOT_TASK="hog$i" python3 "$task" --mode hog \
			--model "${hog_models[i]}" --seconds $((seconds + 10)) --name "hog$i" \
			> "$work/hog$i.json" & pids+=($!)
	done
	sleep 5	# the hogs are loaded and running before the deadline task starts
	env "${env[@]}" RTSLOT_TASK=camera RTSLOT_PERIOD_MS=33.333 RTSLOT_DEADLINE_MS="$deadline" \
		RTSLOT_PRIORITY=10 python3 "$task" --mode periodic --model resnet50 \
		--deadline-ms "$deadline" --seconds "$seconds" --name camera
	wait "${pids[@]}"
	cat "$work"/hog*.json
	rm -f "$work"/hog*.json
	if ((managed)); then kill "$daemon"; wait "$daemon" || true; fi
}

table=$work/table.md
{
	echo "| hogs | rtslot | camera p50 ms | camera p99 ms | camera miss ratio | hog inferences/s |"
	echo "|---|---|---|---|---|---|"
} > "$table"
for n in $hogs; do
	for managed in 0 1; do
		scenario "$managed" "$n" > "$work/run.json"
		python3 - "$work/run.json" "$n" "$managed" >> "$table" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
cam = next(r for r in rows if r["name"] == "camera")
hog = sum(r["throughput_per_s"] for r in rows if r["mode"] == "hog")
print("| %s | %s | %.2f | %.2f | %.3f | %.1f |" % (sys.argv[2], "yes" if sys.argv[3] == "1" else "no",
      cam["p50_ms"], cam["p99_ms"], cam["miss_ratio"], hog))
PY
	done
done
gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1)
{
	echo "GPU: $gpu; $seconds s per run; deadline $deadline ms at 30 Hz; $(date -u +%F)"
	echo
	cat "$table"
} | tee ${out:+"$out"}
