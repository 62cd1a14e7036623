# lib-faults.sh - what every fault script shares (sourced): the interop
# lab's namespaces, peers and dualiked (../lib.sh, ../lib-scenario.sh)
# brought up from a scenario given inline, and TAP lines without numbers
# (run-faults.sh numbers them). Each fault runs in its own namespaces
# (dlk-f<pid>-*), its folder ${TMPDIR:-/tmp}/dualike-fault.NAME.*; everything is torn
# down on exit. Addresses: the lab's only (192.0.2.0/24, 198.51.100.0/24).
#
#   fault_begin NAME            folder, prefix, traps
#   fault_up 'key = value' ...  a scenario (README.md keys, no expect needed):
#                               topology, both daemons configured and started
#   fault_ok COND_STATUS TEXT   one TAP line ("ok - NAME: TEXT")
#   fault_wait SECS CMD...      lab_wait, for conditions on the lab
#   fault_note TEXT             a TAP comment, kept for the run's summary

FAULT_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$FAULT_HOME/../lib.sh"
. "$FAULT_HOME/../lib-scenario.sh"

fault_failed=0

fault_begin() {
	FAULT_NAME=$1
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dualike-fault.$1.XXXXXX") || exit 1
	chmod 700 "$LAB_DIR"
	LAB_PREFIX=dlk-f$$
	trap fault_end EXIT
	trap 'exit 143' TERM INT
}

fault_end() {
	local rc=$?
	[ "$fault_failed" = 0 ] || fault_diagnose
	lab_teardown
	if [ "$fault_failed" = 0 ] && [ "${DUALIKE_INTEROP_KEEP:-}" != 1 ]; then
		rm -rf "$LAB_DIR"
	else
		lab_note "$FAULT_NAME: run folder kept: $LAB_DIR"
	fi
	return $rc
}

fault_diagnose() {
	local r f
	for r in gateway peer; do
		[ -n "${L_KIND[$r]:-}" ] || continue
		f=$("${L_KIND[$r]}_log" "$r" 2>/dev/null) || continue
		[ -f "$f" ] || continue
		lab_note "  --- last lines of $r's $(basename "$f")"
		grep -v 'vici client' "$f" | tail -n 12 | cut -c1-200 | sed 's/^/#     /'
	done
}

fault_ok() {
	if [ "$1" = 0 ]; then
		echo "ok - $FAULT_NAME: $2"
	else
		echo "not ok - $FAULT_NAME: $2"
		fault_failed=1
	fi
}

fault_note() { lab_note "$FAULT_NAME: $*"; }

fault_wait() { lab_wait "$@"; }

# fault_up LINE... : the scenario, then the lab as run-scenarios.sh builds it
fault_up() {
	local r k line
	{
		for line in "$@"; do echo "$line"; done
		echo "expect = dualiked.status.engines.ikev2 == true"
	} >"$LAB_DIR/fault.scn"
	scn_read "$LAB_DIR/fault.scn" 2>"$LAB_DIR/scenario.err" || {
		fault_ok 1 "the fault's scenario is valid: $(head -2 "$LAB_DIR/scenario.err")"; return 1; }
	declare -gA L_KIND=([peer]=${S[peer]} [gateway]=${S[gateway]}) L_DIR=([peer]=$LAB_DIR/peer [gateway]=$LAB_DIR/gateway)
	S[psk]=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
	lab_topology "${S[topology]}" "${S[family]}" 2>"$LAB_DIR/topology.err" || {
		fault_ok 1 "building the topology: $(head -2 "$LAB_DIR/topology.err")"; return 1; }
	for r in gateway peer; do
		k=${L_KIND[$r]}
		"${k}_configure" "$r" 2>"$LAB_DIR/$r.err" || {
			fault_ok 1 "configuring $k as $r: $(head -2 "$LAB_DIR/$r.err")"; return 1; }
		[ "$(type -t "fault_tune_$k")" = function ] && "fault_tune_$k" "$r"
		"${k}_start" "$r" 2>>"$LAB_DIR/$r.err" || {
			fault_ok 1 "starting $k as $r: $(head -2 "$LAB_DIR/$r.err")"; return 1; }
	done
	return 0
}

# fault_daemon_set ROLE 'key = value'... : lines added to dualiked's [daemon]
fault_daemon_set() {
	local r=$1 line f; shift
	f=${L_DIR[$r]}/dualike.conf
	for line in "$@"; do
		sed -i "/^\[daemon\]/a $line" "$f"
	done
}

# fault_charon_set ROLE 'key = value'... : lines added to strongSwan's charon { }
fault_charon_set() {
	local r=$1 line f; shift
	f=${L_DIR[$r]}/strongswan.conf
	for line in "$@"; do
		sed -i "0,/^charon {/s//charon {\n\t$line/" "$f"
	done
}

# fault_rss_kib PID : resident set size in KiB (VmRSS)
fault_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# fault_stat ROLE JQPATH : a number from `dualikectl --json stats` (0 if none)
fault_stat() {
	local v
	v=$(dualiked_json "$1" stats | jq -r "$2 // 0" 2>/dev/null)
	echo "${v:-0}"
}
