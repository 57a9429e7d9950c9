#!/usr/bin/env bash
# Add up the flat TAP that each test stage left in RESULTS/<stage>.tap and
# print the closing `N passed, N failed` line; non-zero on any failure.
# Above that line, each failing case's own diagnostics (the `#` lines its
# stream printed since the case before it), and for a guest stage the
# guest's kernel warnings and last lines: a CI log shows only this output.
#
# usage: tap-summary.sh RESULTS_DIR STAGE...
#   TAP_DIAG_LINES: most lines shown per failing case (default 100)
#   TAP_DIAG_TOTAL: most diagnostic lines in all (default 600)
set -uo pipefail

dir=${1:?usage: tap-summary.sh RESULTS_DIR STAGE...}
shift
per_case=${TAP_DIAG_LINES:-100}
total=${TAP_DIAG_TOTAL:-600}
pass=0 fail=0 skip=0
diag=$(mktemp) || exit 1
trap 'rm -f "$diag"' EXIT

# The `#` lines before each `not ok`, back to the previous result line.
case_diagnostics() {
	awk -v stage="$1" -v cap="$per_case" -v file="$2" '
		/^[ \t]*(not )?ok [0-9]+/ {
			if ($0 ~ /^[ \t]*not ok/) {
				sub(/^[ \t]*/, "")
				printf "--- [%s] %s\n", stage, $0
				for (i = 1; i <= n && i <= cap; i++)
					print buf[i]
				if (n > cap)
					printf "#   (%d more lines: %s)\n", n - cap, file
				if (!n)
					print "#   (it printed no diagnostics)"
			}
			n = 0
			next
		}
		/^[ \t]*#/ { buf[++n] = $0 }' "$2"
}

# What a guest stage leaves beside its TAP: the serial log, stage.log.
guest_diagnostics() {
	local log=$dir/$1.log
	[[ -r $log ]] || return 0
	local warn
	warn=$(tr -d '\r' < "$log" | grep -E -A12 'WARNING: |BUG: |kernel BUG at|Oops|general protection|KASAN|UBSAN|soft lockup|hard LOCKUP|rcu.*stall|blocked for more than|Kernel panic|Call Trace:')
	echo "--- [$1] the guest's kernel warnings ($log)"
	if [[ -n $warn ]]; then head -n 60 <<<"$warn"; else echo "#   (none)"; fi
	echo "--- [$1] the guest's last lines"
	tr -d '\r' < "$log" | tail -n 25
}

for s in "$@"; do
	f=$dir/$s.tap
	if [[ ! -s $f ]]; then
		echo "not ok - stage $s left no results"
		echo "--- [$s] left no results: see the make output above" >> "$diag"
		fail=$((fail + 1))
		continue
	fi
	read -r p x k < <(awk '
		/^[ \t]*not ok [0-9]+/ { x++; next }
		/^[ \t]*ok [0-9]+/ { if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) k++; else p++ }
		END { print p + 0, x + 0, k + 0 }' "$f")
	grep -E '^[ \t]*not ok [0-9]+' "$f" | sed "s/^[ \t]*/[$s] /"
	printf '%-8s %4d passed, %d failed, %d skipped\n' "$s:" "$p" "$x" "$k"
	if ((x)); then
		case_diagnostics "$s" "$f" >> "$diag"
		[[ -r $dir/$s.log ]] && grep -q 'RTSLOT-KSFT-BEGIN' "$dir/$s.log" &&
			guest_diagnostics "$s" >> "$diag"
	fi
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + k))
done
if [[ -s $diag ]]; then
	echo "=== diagnostics of the failing cases (whole logs in $dir)"
	head -n "$total" "$diag"
	n=$(wc -l < "$diag")
	((n > total)) && echo "=== ($((n - total)) more lines cut)"
fi
if ((skip)); then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
((fail == 0))
