# Sourced by the tests of the suite's own tools (tests/tools/test-*.sh):
# a scratch folder removed at exit, TAP lines numbered, and the closing plan.
#
#   tap_begin NAME      $work is a fresh folder; every line says "NAME: "
#   tap_eq GOT WANT DESC    ok when GOT is WANT, else both shown
#   tap_ok COND DESC        ok when eval COND succeeds, else $work/out shown
#   tap_end             the plan, and exit 1 when any case failed

tap_begin() {
	tap_name=$1 tap_n=0 tap_failed=0
	work=$(mktemp -d "${TMPDIR:-/tmp}/rtslot-$1.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
}

tap_line() {
	tap_n=$((tap_n + 1))
	if (($1)); then
		echo "ok $tap_n $tap_name: $2"
	else
		echo "not ok $tap_n $tap_name: $2"
		tap_failed=1
	fi
}

tap_eq() {
	if [[ $1 == "$2" ]]; then
		tap_line 1 "$3"
	else
		tap_line 0 "$3"
		printf '#   expected: %s\n#   got:      %s\n' "$2" "$1"
	fi
}

tap_ok() {
	if eval "$1"; then
		tap_line 1 "$2"
	else
		tap_line 0 "$2"
		[[ -r $work/out ]] && head -n 40 "$work/out" | sed 's/^/#   | /'
	fi
}

tap_end() {
	echo "1..$tap_n"
	exit $tap_failed
}
