#!/bin/sh
# Runs inside the guest: each test program (the kselftest binaries, and what
# other parts add to check-vm) in turn, framed by the markers that
# tests/vm/ksft-tap.sh turns into one flat TAP stream.
#
# usage: guest-ksft DIR NAME...   (KSFT_BIN_TIMEOUT: seconds per binary)

dir=$1
shift
limit=${KSFT_BIN_TIMEOUT:-900}
status=0
for name in "$@"; do
	echo "RTSLOT-KSFT-BEGIN $name"
	# The harness bounds each test; this bounds a harness that hangs itself.
	timeout -s KILL "$limit" "$dir/$name"
	rc=$?
	echo "RTSLOT-KSFT-END $name $rc"
	[ "$rc" -eq 0 ] || status=1
done
exit $status
