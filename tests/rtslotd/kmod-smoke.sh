#!/bin/sh
# Guest side of `make rtslotd-kmod-smoke`: rtslotd with the kmod backend
# over the loaded rtslot.ko, then the smoke client (flat TAP), then a clean
# stop.  Run by tests/vm/run-guest.sh with /bin/rtslotd and /bin/kmod_smoke.
sock=/tmp/rtslotd.sock
# TCG is slow: overruns are only logged, so no lease is revoked under the test.
echo '{ "accelerators": [ { "name": "gpu0", "overrun_action": "log" } ] }' \
	> /tmp/rtslotd.json
/bin/rtslotd -c /tmp/rtslotd.json --backend kmod --policy slot --socket $sock -v \
	2>/tmp/rtslotd.log &
pid=$!
i=0
while [ ! -S $sock ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
/bin/kmod_smoke $sock
rc=$?
kill -TERM $pid
wait $pid
drc=$?
[ $drc -eq 0 ] && echo "ok 100 kmod_smoke.rtslotd_clean_exit" ||
	echo "not ok 100 kmod_smoke.rtslotd_clean_exit (status $drc)"
sed 's/^/# /' /tmp/rtslotd.log
[ $rc -eq 0 ] && [ $drc -eq 0 ]
