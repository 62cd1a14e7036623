#!/bin/sh
# soak.sh [CYCLES] - IKE SA + child SA create/delete cycles, IKEv2 then
# IKEv1, between two in-process engines (`none` kernel) under
# LeakSanitizer; prints RSS before/after. Not part of make check (minutes).
# Builds testsuite/regress/soak in an --enable-asan build dir:
#   BUILD=/path/to/asan-build testsuite/regress/soak.sh 10000
set -eu
cycles=${1:-10000}
build=${BUILD:-.}
make -C "$build" testsuite/regress/soak >/dev/null
for v in v2 v1; do
	# a small quarantine, so that RSS shows the engines, not ASan's freed-memory pool
	ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=1 "$build/testsuite/regress/soak" "$v" "$cycles"
done
echo "soak: no leaks reported (LeakSanitizer would have failed the run)"
