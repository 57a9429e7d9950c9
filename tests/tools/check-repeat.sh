#!/usr/bin/env bash
# Run test stages N times and say, per test, in how many runs it failed:
# how a flaky test is found before it costs a landing.  Each run's TAP and
# make output stay under OUT/run<i>/.
#
# usage: check-repeat.sh N OUT STAGE...   (run by `make check-repeat`)
# Exit status non-zero when any test failed in any run.
set -uo pipefail

n=${1:?usage: check-repeat.sh N OUT STAGE...}
out=${2:?usage: check-repeat.sh N OUT STAGE...}
shift 2
(($#)) || { echo "check-repeat: no stages given" >&2; exit 2; }
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "check-repeat: N must be a positive number, not '$n'" >&2; exit 2; }
results=${BUILD:?check-repeat: BUILD is not set (run it through make)}/results

rm -rf "$out"
for ((i = 1; i <= n; i++)); do
	mkdir -p "$out/run$i" "$results"
	for s in "$@"; do
		start=$SECONDS
		rm -f "$results/$s.tap"
		make --no-print-directory "check-$s" > "$out/run$i/$s.out" 2>&1
		rc=$?
		if [[ -s $results/$s.tap ]]; then
			cp "$results/$s.tap" "$out/run$i/$s.tap"
		else
			echo "not ok 1 stage $s left no results (make: status $rc)" > "$out/run$i/$s.tap"
		fi
		for f in "$results/$s".*log; do
			[[ -e $f ]] && cp "$f" "$out/run$i/"
		done
		bad=$(grep -cE '^[ \t]*not ok [0-9]+' "$out/run$i/$s.tap")
		echo "check-repeat: run $i/$n, $s: $bad failed ($((SECONDS - start)) s)"
	done
done

# A test is its line less the number and what varies from run to run (a
# count in parentheses at the end, a skip's reason).
for s in "$@"; do
	for ((i = 1; i <= n; i++)); do
		awk -v run="$i" -v stage="$s" '
			/^[ \t]*(not )?ok [0-9]+/ {
				bad = $0 ~ /^[ \t]*not ok/
				name = $0
				sub(/^[ \t]*(not )?ok [0-9]+ *(- )?/, "", name)
				sub(/ *# *[Ss][Kk][Ii][Pp].*$/, "", name)
				sub(/ *\([^()]*\)$/, "", name)
				print stage "\t" name "\t" run "\t" bad
			}' "$out/run$i/$s.tap"
	done
done | awk -F '\t' -v runs="$n" '
	{
		key = $1 "\t" $2
		if (!(key in seen)) order[++k] = key
		seen[key]++
		failed[key] += $4
		if ($4) which[key] = which[key] " " $3
		total++
	}
	END {
		bad = 0
		for (i = 1; i <= k; i++) {
			key = order[i]
			if (!failed[key])
				continue
			split(key, f, "\t")
			printf "%-8s failed in %d of %d runs (runs%s): %s\n", f[1] ":", failed[key],
			       runs, which[key], f[2]
			bad++
		}
		# A run that stopped early (a hung guest) leaves tests out: say so
		# once per run, not once per test.
		for (i = 1; i <= k; i++) {
			key = order[i]
			if (failed[key] || seen[key] == runs)
				continue
			split(key, f, "\t")
			missing[f[1]]++
			bad++
		}
		for (st in missing)
			printf "%-8s %d tests passed where they ran but were missing from some runs " \
			       "(a run that stopped early: see its failures above)\n", st ":", missing[st]
		printf "check-repeat: %d tests, %d runs each: %d flaky or failing\n", k, runs, bad
		exit bad > 0
	}' | tee "$out/summary"
exit "${PIPESTATUS[1]}"
