#!/usr/bin/env bash
# tests/tools/tap-summary.sh on made-up stage results: a failing case shows
# its own diagnostics (and no one else's) above the closing line, a guest
# stage adds the kernel's warnings and last lines, long ones are capped.
# Prints TAP.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/tap-lib.sh"
tap_begin tap-summary

has() { grep -qF -- "$1" "$work/out"; }
line_of() { grep -nF -- "$1" "$work/out" | head -n1 | cut -d: -f1; }

cat > "$work/unit.tap" <<'EOF'
TAP version 13
1..3
# Starting 3 tests from 1 test cases.
#  RUN           core.passes ...
# core.passes: a note of a test that passed
#            OK  core.passes
ok 1 core.passes
#  RUN           core.broken ...
# tests/unit/x.c:12:broken:Expected 1 (1) == got (2)
#            FAIL  core.broken
not ok 2 core.broken
ok 3 core.skipped # SKIP not here
EOF
{
	echo "ok 1 shim_kmod: fine"
	for i in $(seq 1 150); do echo "#   trace: event $i"; done
	echo "not ok 2 shim_kmod: the deadline task meets every deadline (1 misses)"
	echo "1..2"
} > "$work/vm.tap"
{
	echo "[    1.0] Linux version 6.1"
	echo "[    2.0] WARNING: CPU: 0 PID: 1 at kmod/rtslot_main.c:99 rtslot_tick+0x1"
	echo "RTSLOT-KSFT-BEGIN shim_kmod"
	echo "RTSLOT-KSFT-END shim_kmod 1"
	echo "RTSLOT-GUEST-EXIT 1"
} > "$work/vm.log"

bash "$here/tap-summary.sh" "$work" unit vm gone > "$work/out" 2>&1
rc=$?
tap_ok '((rc != 0))' "fails when a case failed"
tap_ok '[[ $(tail -n1 "$work/out") == "2 passed, 3 failed, 1 skipped" ]]' \
	"the closing line comes last and counts every stage"
tap_ok 'has "--- [unit] not ok 2 core.broken" && has "x.c:12:broken:Expected 1 (1) == got (2)"' \
	"a failing case shows its own diagnostics"
tap_ok '! has "a note of a test that passed"' "and not those of the case before it"
tap_ok '(( $(line_of "x.c:12:broken") > $(line_of "unit:") ))' "diagnostics come under the stage summary"
tap_ok 'has "#   trace: event 100" && ! has "#   trace: event 101" && has "(50 more lines: $work/vm.tap)"' \
	"a long diagnostic is capped and says where the rest is"
tap_ok 'has "--- [vm] the guest'"'"'s kernel warnings" && has "WARNING: CPU: 0 PID: 1 at kmod/rtslot_main.c:99"' \
	"a guest stage shows the kernel's warnings"
tap_ok 'has "--- [vm] the guest'"'"'s last lines" && has "RTSLOT-GUEST-EXIT 1"' \
	"and the guest's last lines"
tap_ok 'has "not ok - stage gone left no results"' "a stage without results fails"

rm -f "$work/vm.log"
printf 'ok 1 a\nok 2 b\n1..2\n' > "$work/unit.tap"
bash "$here/tap-summary.sh" "$work" unit > "$work/out" 2>&1
rc=$?
tap_ok '((rc == 0)) && [[ $(tail -n1 "$work/out") == "2 passed, 0 failed" ]] && ! has "diagnostics"' \
	"a green run prints no diagnostics"

tap_end
