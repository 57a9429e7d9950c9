#!/usr/bin/env bash
# Turn the serial log of a guest-ksft run into flat TAP: every binary's test
# lines renumbered into one stream with their `#` diagnostics, plus a
# `not ok` for each binary that crashed, hung or never ran, and one line on
# the health of the guest kernel.
#
# usage: ksft-tap.sh SERIAL_LOG NAME...   (exit status non-zero on any failure)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log=${1:?usage: ksft-tap.sh SERIAL_LOG NAME...}
shift

verdict=$(bash "$here/check-log.sh" "$log")
vrc=$?

tr -d '\r' < "$log" | awk -v names="$*" -v verdict="$verdict" -v vrc="$vrc" '
function emit(ok, text) {
	n++
	printf "%s %d %s\n", ok ? "ok" : "not ok", n, text
	if (!ok)
		failed++
}
BEGIN { nn = split(names, order, " ") }
match($0, /RTSLOT-KSFT-BEGIN [^ ]+/) {
	cur = substr($0, RSTART + 18, RLENGTH - 18)
	began[cur] = 1; plan[cur] = -1; seen[cur] = 0; bad[cur] = 0
	next
}
match($0, /RTSLOT-KSFT-END [^ ]+ [0-9]+/) {
	split(substr($0, RSTART, RLENGTH), f, " ")
	name = f[2]; rc = f[3] + 0
	ended[name] = 1
	if (plan[name] >= 0 && seen[name] < plan[name])
		emit(0, name ": only " seen[name] " of " plan[name] " tests reported")
	else if (rc == 137)
		emit(0, name ": killed after the per-binary time limit")
	else if (rc != 0 && !bad[name])
		emit(0, name ": exited with status " rc " without a failed test")
	cur = ""
	next
}
cur != "" && /^[ \t]*1\.\.[0-9]+/ {
	sub(/^[ \t]*1\.\./, ""); plan[cur] = $0 + 0
	next
}
# Diagnostics stay, for tests/tools/tap-summary.sh to show under a failure.
cur != "" && /^[ \t]*#/ {
	print
	next
}
cur != "" && /^[ \t]*(not )?ok [0-9]+/ {
	line = $0
	sub(/^[ \t]*/, "", line)
	ok = line !~ /^not /
	sub(/^(not )?ok [0-9]+ */, "", line)
	seen[cur]++
	if (!ok)
		bad[cur]++
	emit(ok, cur ": " line)
}
END {
	for (i = 1; i <= nn; i++) {
		name = order[i]
		if (!(name in began))
			emit(0, name ": did not run")
		else if (!(name in ended))
			emit(0, name ": did not finish (" seen[name] " tests reported)")
	}
	if (vrc != 0)
		emit(0, "guest: " verdict)
	else
		emit(1, "guest: kernel log clean, no oops/BUG/WARN/panic, guest finished")
	printf "1..%d\n", n
	exit failed ? 1 : 0
}'
