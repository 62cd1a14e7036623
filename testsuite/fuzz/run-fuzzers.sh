#!/bin/bash
# run-fuzzers.sh BUILDDIR SECONDS - run every built libFuzzer target for a
# bounded time from its seed corpus (testsuite/fuzz/NAME_seeds/ when present).
# Prints one TAP line per target; a crash, leak or sanitizer report fails it
# and its reproducer is left in BUILDDIR/testsuite/fuzz/.
set -u
build=$1 secs=${2:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
for bin in "$build"/testsuite/fuzz/*_fuzz; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	n=$((n + 1))
	corpus=$(mktemp -d)
	seeds=$src/testsuite/fuzz/${name%_fuzz}_seeds
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	if (cd "$build/testsuite/fuzz" && "$bin" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 "$corpus" >"$name.out" 2>&1); then
		runs=$(grep -o 'Done [0-9]* runs' "$build/testsuite/fuzz/$name.out" | tail -1)
		echo "ok $n - $name: ${runs:-ran} in ${secs}s, no crash"
	else
		echo "not ok $n - $name: see $build/testsuite/fuzz/$name.out"
		tail -20 "$build/testsuite/fuzz/$name.out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
	rm -rf "$corpus"
done
echo "1..$n"
[ $failed = 0 ]
