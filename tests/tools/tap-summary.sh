#!/usr/bin/env bash
# Add up the flat TAP that each test stage left in RESULTS/<stage>.tap and
# print the closing `N passed, N failed` line; non-zero on any failure.
set -uo pipefail

dir=${1:?usage: tap-summary.sh RESULTS_DIR STAGE...}
shift
pass=0 fail=0 skip=0
for s in "$@"; do
	f=$dir/$s.tap
	if [[ ! -s $f ]]; then
		echo "not ok - stage $s left no results"
		fail=$((fail + 1))
		continue
	fi
	read -r p x k < <(awk '
		/^[ \t]*not ok [0-9]+/ { x++; next }
		/^[ \t]*ok [0-9]+/ { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) k++; else p++ }
		END { print p + 0, x + 0, k + 0 }' "$f")
	grep -E '^[ \t]*not ok [0-9]+' "$f" | sed "s/^[ \t]*/[$s] /"
	printf '%-8s %4d passed, %d failed, %d skipped\n' "$s:" "$p" "$x" "$k"
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + k))
done
if ((skip)); then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
((fail == 0))
