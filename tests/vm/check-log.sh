#!/usr/bin/env bash
# Judge a guest's serial log: did the kernel stay healthy, and did the guest
# command finish?  Shared by run-guest.sh and the kselftest TAP builder.
#
# usage: check-log.sh SERIAL_LOG
# Prints one line and exits with:
#   0  clean; the line is the guest command's exit status (a number)
#   1  kernel failure; the line says which (oops, BUG, WARN, panic, lockup)
#   2  no exit marker: the guest hung, was killed, or powered off early
#   3  guest setup failed (the module did not load)
set -uo pipefail

log=${1:?usage: check-log.sh SERIAL_LOG}
[[ -r $log ]] || { echo "no serial log at $log"; exit 2; }

# Ordered so the root cause wins over what it triggers: a WARN under
# panic_on_warn is reported as the WARN, not as the panic that follows.
patterns=(
	'WARN|WARNING: (CPU|at )'
	'BUG|kernel BUG at|BUG: '
	'oops|Oops[: ]|general protection fault|invalid opcode: '
	'UBSAN|UBSAN: '
	'KASAN|KASAN: '
	'lockup|soft lockup|hard LOCKUP|rcu.*(stall|detected stalls)|blocked for more than [0-9]+ seconds'
	'panic|Kernel panic'
	'stack dump|Call Trace:'
)

tr -d '\r' < "$log" > "${log}.clean.$$" || exit 2
trap 'rm -f "${log}.clean.$$"' EXIT

for p in "${patterns[@]}"; do
	kind=${p%%|*} re=${p#*|}
	line=$(grep -m1 -E -- "$re" "${log}.clean.$$") || continue
	# Strip the printk timestamp; keep the line short enough for TAP.
	line=$(sed -E 's/^\[ *[0-9.]+\] *//' <<<"$line" | cut -c1-160)
	echo "kernel $kind: $line"
	exit 1
done

if line=$(grep -m1 -oE 'RTSLOT-GUEST-ERROR .*' "${log}.clean.$$"); then
	echo "guest setup failed: ${line#RTSLOT-GUEST-ERROR }"
	exit 3
fi
if rc=$(grep -m1 -oE 'RTSLOT-GUEST-EXIT [0-9]+' "${log}.clean.$$"); then
	echo "${rc##* }"
	exit 0
fi
echo "no exit marker: the guest hung or stopped before its command finished"
exit 2
