#!/bin/bash
# run-long.sh BUILDDIR [SECONDS] [RUNS] [JOBS] - the long fuzz run noted in the
# robustness issue: every libFuzzer target until RUNS executions (default ten
# million) or SECONDS (default 1800) pass, JOBS targets at a time (default 2),
# from the seed corpus plus whatever an earlier long run kept in
# BUILDDIR/testsuite/fuzz/NAME.corpus. Not part of `make check`: it is run by
# hand and its summary lines (executions, coverage, corpus, findings) go into
# the issue note. Crash reproducers stay in BUILDDIR/testsuite/fuzz/.
set -u
build=$(cd "$1" && pwd) secs=${2:-1800} runs=${3:-10000000} jobs=${4:-2}
src=$(cd "$(dirname "$0")/../.." && pwd)
fz=$build/testsuite/fuzz

one() {
	local bin=$1 name corpus seeds rc
	name=$(basename "$bin")
	corpus=$fz/$name.corpus
	mkdir -p "$corpus"
	seeds=$src/testsuite/fuzz/${name%_fuzz}_seeds
	[ -d "$seeds" ] && cp -rn "$seeds"/. "$corpus"/
	(cd "$fz" && "$bin" -max_total_time="$secs" -runs="$runs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" \
		>"$name.long.out" 2>&1)
	rc=$?
	local done cov ft execs
	done=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$fz/$name.long.out" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$fz/$name.long.out" | tail -1)
	ft=$(grep -o 'ft: [0-9]*' "$fz/$name.long.out" | tail -1)
	execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$fz/$name.long.out" | awk '{print $2}')
	echo "$name: rc=$rc ${done:-no Done line}; executions=${execs:-?} $cov $ft corpus=$(ls "$corpus" | wc -l) files"
}

export -f one
export fz src secs runs
ls "$fz"/*_fuzz | xargs -P "$jobs" -I{} bash -c 'one {}'
