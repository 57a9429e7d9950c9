#!/usr/bin/env bash
# tests/tools/check-repeat.sh on a made-up stage whose tests pass, fail in
# some runs, or go missing when a run stops early.  Prints TAP.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/tap-lib.sh"
tap_begin check-repeat

# Run i of stage "fake": "steady" always passes, "flaky (i ms)" fails in
# run 2, and run 3 stops before "late", which passes where it runs.
cat > "$work/Makefile" <<'MK'
check-fake:
	@mkdir -p $(BUILD)/results; i=$$(($$(cat count 2>/dev/null || echo 0) + 1)); \
	echo $$i > count; \
	{ echo "ok 1 steady"; \
	  if [ $$i = 2 ]; then echo "not ok 2 flaky ($$i ms)"; else echo "ok 2 flaky ($$i ms)"; fi; \
	  [ $$i = 3 ] || echo "ok 3 late"; \
	} > $(BUILD)/results/fake.tap; [ $$i != 2 ]
MK

# The outer make's flags and variables are not the made-up stage's.
(cd "$work" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL BUILD=$work/build \
	bash "$here/check-repeat.sh" 3 "$work/repeat" fake) > "$work/out" 2>&1
rc=$?
has() { grep -qF -- "$1" "$work/out"; }
tap_ok '((rc != 0))' "fails when a test failed in some run"
tap_ok 'has "fake:    failed in 1 of 3 runs (runs 2): flaky"' \
	"names the test, its runs, without what varies in its name"
tap_ok '! has "steady"' "a test that always passed is not listed"
tap_ok 'has "fake:    1 tests passed where they ran but were missing from some runs"' \
	"a run that stopped early is said once, not per test"
tap_ok '[[ -s $work/repeat/run2/fake.tap && -s $work/repeat/summary ]]' "each run's TAP and the summary are kept"
tap_ok 'has "check-repeat: 3 tests, 3 runs each: 2 flaky or failing"' "the closing count"

tap_end
