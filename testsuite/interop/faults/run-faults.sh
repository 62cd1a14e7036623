#!/bin/bash
# run-faults.sh - the interop lab's fault scripts (testsuite/interop/faults/
# fault-*.sh), one after the other and alone (each makes its own
# namespaces; none runs beside another), each bounded in time. TAP.
#
#   run-faults.sh                 every fault
#   run-faults.sh fault-loss.sh   only these
#
# Environment as run-scenarios.sh: DUALIKE_BUILDDIR, DUALIKE_INTEROP=no,
# DUALIKE_INTEROP_KEEP=1; DUALIKE_FAULT_LIMIT (seconds per fault, 240).
# Without root, the peers or namespaces every fault is reported as SKIP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
limit=${DUALIKE_FAULT_LIMIT:-240}
files=()
for f in "$@"; do
	case $f in /*) files+=("$f") ;; */*) files+=("$PWD/$f") ;; *) files+=("$here/$f") ;; esac
done
[ ${#files[@]} -gt 0 ] || files=("$here"/fault-*.sh)

skip=
if [ "${DUALIKE_INTEROP:-}" = no ]; then
	skip="DUALIKE_INTEROP=no"
elif [ "$(id -u)" != 0 ]; then
	skip="the fault lab needs root (network and mount namespaces)"
elif ! command -v jq >/dev/null || ! command -v nft >/dev/null || ! command -v unshare >/dev/null; then
	skip="jq, nft or unshare missing (testsuite/interop/install-peers.sh)"
else
	LAB_PREFIX=dlk-fprobe-$$
	lab_can_netns || skip="network namespaces cannot be made here"
	reason=$(dualiked_available) || skip=$reason
	reason=$(strongswan_available) || skip=$reason
fi
# An ASan dualiked with the XFRM shim preloaded: ASan's runtime is not
# first in the library list, which it refuses unless told it is fine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
if [ -z "$skip" ]; then
	LAB_SHIM=$(mktemp -d "${TMPDIR:-/tmp}/dualike-fault-shim.XXXXXX")/xfrm-shim.so
	lab_build_shim "$LAB_SHIM" || true
	export LAB_SHIM
fi

# Never beside the scenarios (make -j runs tests in parallel): wait, bounded
# to 30 minutes, while a run-scenarios.sh of this machine is running. Each
# run leaves /tmp/dualike-lab-runs/PID while it runs (a file whose process
# is gone, left by a killed run, does not count). Matching command lines
# instead would find make itself, whose arguments name run-scenarios.sh.
scenario_runs() {
	local f c=0
	for f in /tmp/dualike-lab-runs/*; do
		[ -f "$f" ] || continue
		if kill -0 "${f##*/}" 2>/dev/null; then c=$((c + 1)); else rm -f "$f"; fi
	done
	echo $c
}
if [ -z "$skip" ]; then
	for ((w = 0; w < 1800 && $(scenario_runs) > 0; w++)); do
		sleep 1
	done
	[ "${w:-0}" -gt 0 ] && echo "# waited $w s for run-scenarios.sh to finish"
fi

n=0 passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
	name=$(basename "$f" .sh)
	if [ -n "$skip" ]; then
		n=$((n + 1)) skipped=$((skipped + 1))
		echo "ok $n - $name # SKIP $skip"
		continue
	fi
	out=$(mktemp)
	timeout -k 10 "$limit" bash "$f" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		'ok '*'# SKIP'*) n=$((n + 1)) skipped=$((skipped + 1)); echo "ok $n ${line#ok }" ;;
		'ok '*) n=$((n + 1)) passed=$((passed + 1)); echo "ok $n ${line#ok }" ;;
		'not ok'*) n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n ${line#not ok }" ;;
		*) echo "# ${line#\# }" ;;
		esac
	done <"$out"
	rm -f "$out"
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $name: did not finish within $limit s"
	fi
done
[ -n "${LAB_SHIM:-}" ] && rm -rf "$(dirname "$LAB_SHIM")"
echo "1..$n"
echo "# fault lab: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
