#!/bin/bash
# run-scenarios.sh - the interop lab: run scenarios (testsuite/interop/
# scenarios/*.scn, format in README.md) in network namespaces with dualiked
# and strongSwan / Libreswan peers, and print TAP: one line per expectation.
#
#   run-scenarios.sh                       every scenario
#   run-scenarios.sh scenarios/NAME.scn... only these
#
# Environment: DUALIKE_BUILDDIR (the build to test; set by make check),
#   DUALIKE_INTEROP=no (skip everything), DUALIKE_INTEROP_JOBS (parallel
#   scenarios, default 2), DUALIKE_INTEROP_LIMIT (seconds per scenario,
#   default 60), DUALIKE_INTEROP_KEEP=1 (keep the run folder even when all
#   passed; it is always kept after a failure).
# A scenario is reported as SKIP, with the reason, when not run as root,
# when namespaces cannot be made, or when its peers are not installed
# (testsuite/interop/install-peers.sh installs them).
set -u
caller_dir=$PWD
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/lib-scenario.sh"

# --- one scenario (run by the main part below, in its own process) --------
# run_one FILE RUNROOT PREFIX : TAP lines without numbers on stdout
run_one() {
	local file=$1 r k t0=$SECONDS deadline e ok=1 why
	LAB_DIR=$2/$(basename "$file" .scn) LAB_PREFIX=$3
	mkdir -p "$LAB_DIR" && chmod 700 "$LAB_DIR"
	trap lab_teardown EXIT
	trap 'exit 143' TERM INT
	scn_read "$file" 2>"$LAB_DIR/scenario.err" || {
		echo "not ok - ${S[name]}: the scenario file is not valid"
		sed 's/^/#   /' "$LAB_DIR/scenario.err"; return 1; }
	declare -gA L_KIND=([peer]=${S[peer]} [gateway]=${S[gateway]}) L_DIR=([peer]=$LAB_DIR/peer [gateway]=$LAB_DIR/gateway)
	[ -z "${S[second_peer]:-}" ] || L_KIND[peer2]=${S[second_peer]%% *} L_DIR[peer2]=$LAB_DIR/peer2
	S[psk]=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
	lab_note "${S[name]}: ${S[description]:-}"
	if ! lab_topology "${S[topology]}" "${S[family]}" 2>"$LAB_DIR/topology.err"; then
		echo "not ok - ${S[name]}: building the topology: $(head -3 "$LAB_DIR/topology.err")"; return 1
	fi
	if [ "${S[drop_ip_fragments]:-no}" = yes ] && ! lab_drop_ip_fragments 2>"$LAB_DIR/ipfrag.err"; then
		echo "not ok - ${S[name]}: dropping IP fragments: $(head -3 "$LAB_DIR/ipfrag.err")"; return 1
	fi
	for r in gateway peer; do
		k=${L_KIND[$r]}
		{ "${k}_configure" "$r" && "${k}_start" "$r"; } 2>"$LAB_DIR/$r.err" || {
			echo "not ok - ${S[name]}: starting $k as $r: $(head -3 "$LAB_DIR/$r.err")"
			lab_diagnose; return 1; }
	done
	if [ -n "${S[second_peer]:-}" ]; then
		k=${L_KIND[peer2]}
		{ lab_as_second_peer "${k}_configure" peer2 && "${k}_start" peer2; } 2>"$LAB_DIR/peer2.err" || {
			echo "not ok - ${S[name]}: starting $k as the second peer: $(head -3 "$LAB_DIR/peer2.err")"
			lab_diagnose; return 1; }
	fi
	"${L_KIND[${S[initiator]}]}_initiate" "${S[initiator]}"
	[ -z "${S[second_peer]:-}" ] || lab_as_second_peer "${L_KIND[peer2]}_initiate" peer2
	# poll until every expectation holds or the scenario's time is up, then
	# give late events a moment and judge once more
	deadline=$((SECONDS + S[timeout]))
	for ((k = 0; k < S[timeout] * 4; k++)); do
		scn_all_hold && break
		[ $SECONDS -lt $deadline ] || break
		sleep 0.25
	done
	sleep 1
	scn_cache=()
	for e in "${EXPECT[@]}"; do
		if scn_check "$e"; then
			echo "ok - ${S[name]}: $e (got $scn_got)"
		else
			echo "not ok - ${S[name]}: $e (got $scn_got)"; ok=0
		fi
	done
	# an action (a rekey, a delete...) and what must hold after it
	if [ -n "${S[action]:-}" ]; then
		scn_action && why=done || why="exit $?"
		lab_note "${S[name]}: action '${S[action]}': $why: $(head -c 200 "${L_DIR[${S[action]%% *}]}/action.out" | tr '\n' ' ')"
		EXPECT=("${AFTER[@]}")
		deadline=$((SECONDS + S[timeout]))
		for ((k = 0; k < S[timeout] * 4; k++)); do
			scn_cache=()
			scn_all_hold && break
			[ $SECONDS -lt $deadline ] || break
			sleep 0.25
		done
		sleep 1
		scn_cache=()
		for e in "${AFTER[@]}"; do
			if scn_check "$e"; then
				echo "ok - ${S[name]}: after ${S[action]#* }: $e (got $scn_got)"
			else
				echo "not ok - ${S[name]}: after ${S[action]#* }: $e (got $scn_got)"; ok=0
			fi
		done
	fi
	# a scenario that judges keys also proves the oracle can fail
	if [[ " ${EXPECT[*]}" == *" keys."* ]]; then
		scn_key_control || ok=0
	fi
	lab_note "${S[name]}: $((SECONDS - t0)) s, ${S[initiator]} (${L_KIND[${S[initiator]}]}) initiated ${S[version]}${S[mode]:+ ${S[mode]}}, ${S[topology]} ${S[family]}"
	for r in peer gateway ${S[second_peer]:+peer2}; do
		lab_note "  $r ${L_KIND[$r]} ${L_ADDR[$r]}: $("${L_KIND[$r]}_states" "$r")"
	done
	[ $ok = 1 ] || lab_diagnose
	return $((1 - ok))
}

# lab_as_second_peer CMD... : CMD with the scenario's settings as the second
# peer's (second_peer = KIND VERSION) configuration takes them: its version,
# no IKEv1 mode, and it initiates
lab_as_second_peer() {
	local v=${S[version]} i=${S[initiator]} m=${S[mode]:-} rc
	S[version]=${S[second_peer]#* } S[initiator]=peer2 S[mode]=
	"$@"; rc=$?
	S[version]=$v S[initiator]=$i S[mode]=$m
	return $rc
}

# lab_diagnose : the last lines of every daemon's log, as TAP comments
lab_diagnose() {
	local r f
	lab_note "  run folder: $LAB_DIR"
	for r in gateway peer ${S[second_peer]:+peer2}; do
		f=$("${L_KIND[$r]}_log" "$r" 2>/dev/null) || continue
		[ -f "$f" ] || continue
		lab_note "  --- last lines of $r's $(basename "$f")"
		grep -v 'vici client' "$f" | tail -n 12 | cut -c1-200 | sed 's/^/#     /'
	done
}

if [ "${1:-}" = --one ]; then
	shift
	run_one "$@"
	exit
fi

# --- the main part -------------------------------------------------------------
cd "$here" || exit 1
files=()
for f in "$@"; do  # absolute, so every job finds it whatever its folder
	case "$f" in /*) files+=("$f") ;; *) files+=("$caller_dir/$f") ;; esac
done
[ ${#files[@]} -gt 0 ] || files=("$here"/scenarios/*.scn)
jobs_max=${DUALIKE_INTEROP_JOBS:-2}
limit=${DUALIKE_INTEROP_LIMIT:-60}

# A reason that skips everything, or empty.
global_skip=
if [ "${DUALIKE_INTEROP:-}" = no ]; then
	global_skip="DUALIKE_INTEROP=no"
elif [ "$(id -u)" != 0 ]; then
	global_skip="the interop lab needs root (network and mount namespaces)"
elif ! command -v jq >/dev/null || ! command -v nft >/dev/null || ! command -v unshare >/dev/null; then
	global_skip="jq, nft or unshare missing (testsuite/interop/install-peers.sh)"
else
	LAB_PREFIX=dlk-$$
	lab_can_netns || global_skip="network namespaces cannot be made here"
fi

RUN_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/dualike-interop.XXXXXX") || exit 1
chmod 700 "$RUN_ROOT"
# Say that a scenario run is going on, for faults/run-faults.sh, which
# waits for it: one file per run, named by our pid, gone when we end.
if [ -z "$global_skip" ]; then
	mkdir -p /tmp/dualike-lab-runs && echo $$ >"/tmp/dualike-lab-runs/$$"
	trap 'rm -f "/tmp/dualike-lab-runs/$$"' EXIT
fi
declare -A job_of=() done_rc=() limit_of=()
n=0 passed=0 failed=0 skipped=0

# emit FILE : print a job's TAP lines with their numbers
emit() {
	local line
	while IFS= read -r line; do
		case $line in
		'ok '*) n=$((n + 1)); echo "ok $n ${line#ok }"
			case $line in *'# SKIP'*) skipped=$((skipped + 1)) ;; *) passed=$((passed + 1)) ;; esac ;;
		'not ok'*) n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n ${line#not ok }" ;;
		*) echo "$line" ;;
		esac
	done <"$1"
}

# sweep : stop whatever a job left behind (a killed job cannot clean up)
sweep() {
	local d
	for d in "$RUN_ROOT"/*/; do
		[ -d "$d" ] && LAB_DIR=${d%/} LAB_PREFIX=dlk-$$ lab_teardown
	done
	LAB_DIR=$RUN_ROOT LAB_PREFIX=dlk-$$ lab_teardown
}
on_signal() {
	local pid
	for pid in "${job_of[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	wait
	sweep
	exit 130
}
trap on_signal INT TERM

# reap : wait for one job to end and note its exit status
reap() {
	local pid rc j
	wait -n -p pid; rc=$?
	for j in "${!job_of[@]}"; do
		[ "${job_of[$j]}" = "$pid" ] && { done_rc[$j]=$rc; unset "job_of[$j]"; }
	done
}

# flush : print, in file order, the results of the jobs that are done
next_print=0
flush() {
	local o rc
	while [ -n "${done_rc[$next_print]+x}" ]; do
		o=$RUN_ROOT/$(printf %03d $next_print)
		rc=${done_rc[$next_print]}
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			{ echo "not ok - $(basename "${files[$next_print]}" .scn): did not finish within ${limit_of[$next_print]} s"
			  echo "#   run folder: $RUN_ROOT/$(basename "${files[$next_print]}" .scn)"; } >>"$o.tap"
		fi
		emit "$o.tap"
		[ -s "$o.err" ] && sed 's/^/# stderr: /' "$o.err" | head -20
		next_print=$((next_print + 1))
	done
}

if [ -z "$global_skip" ]; then
	# the XFRM shim (Libreswan, strongSwan with netlink, dualiked with shim),
	# built once for all jobs
	LAB_SHIM=$RUN_ROOT/xfrm-shim.so
	lab_build_shim "$LAB_SHIM" || true
	export LAB_SHIM
fi

for ((i = 0; i < ${#files[@]}; i++)); do
	f=${files[$i]} out=$RUN_ROOT/$(printf %03d $i)
	reason=$global_skip one_limit=$limit
	if [ -z "$reason" ] && scn_read "$f" 2>/dev/null; then
		# a scenario's own limit (key `limit`) may only raise the default
		[ "${S[limit]:-0}" -gt "$limit" ] && one_limit=${S[limit]}
		reason=${S[skip]:-}
		for k in "${S[peer]}" "${S[gateway]}"; do
			[ -n "$reason" ] && break
			reason=$("${k}_available") && reason=
		done
	fi
	if [ -n "$reason" ]; then
		echo "ok - $(basename "$f" .scn) # SKIP $reason" >"$out.tap"
		done_rc[$i]=0
	else
		while [ ${#job_of[@]} -ge "$jobs_max" ]; do reap; done
		timeout -k 5 "$one_limit" "$here/$(basename "$0")" --one "$f" "$RUN_ROOT" "dlk-$$-$i" >"$out.tap" 2>"$out.err" &
		job_of[$i]=$! limit_of[$i]=$one_limit
	fi
	flush
done
while [ ${#job_of[@]} -gt 0 ]; do reap; flush; done

sweep
echo "1..$n"
echo "# interop lab: $passed passed, $failed failed, $skipped skipped"
if [ $failed = 0 ] && [ "${DUALIKE_INTEROP_KEEP:-}" != 1 ]; then
	rm -rf "$RUN_ROOT"
else
	echo "# run folder kept: $RUN_ROOT"
fi
[ $failed = 0 ]
