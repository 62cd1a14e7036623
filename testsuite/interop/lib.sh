# lib.sh - the interop lab's core, sourced by run-scenarios.sh and demo.sh:
# network namespaces, veth links, a NAT router, bounded waits, and processes
# stopped by PID only. The peers live in lib-strongswan.sh, lib-libreswan.sh
# and lib-dualiked.sh (sourced at the end), each with the same functions:
#   KIND_configure ROLE   write the instance's files from the scenario
#   KIND_start ROLE       start it in its namespace (returns when it answers)
#   KIND_initiate ROLE    start the negotiation (in the background, bounded)
#   KIND_ike_state ROLE   ESTABLISHED, CONNECTING or NONE
#   KIND_child_state ROLE INSTALLED, NONE or the peer's own word
#   KIND_states ROLE      one line of the peer's own view, for diagnostics
#   KIND_log ROLE         path of the daemon's log
#
# Rules kept here, and relied on by every caller:
#   * namespaces are named $LAB_PREFIX-NAME ("dlk-<runner pid>-<n>-NAME"),
#     recorded in $LAB_DIR/netns and deleted by lab_teardown;
#   * addresses come only from 192.0.2.0/24, 198.51.100.0/24 and fd00::/8,
#     tunnel-inner ones on the namespaces' loopbacks; nothing is sent
#     anywhere else (no default route leaves the lab's namespaces);
#   * every wait is bounded in time and in count;
#   * a process is recorded with its PID and name when started and stopped
#     by that PID after checking /proc/PID/comm still names it.

LAB_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_LIBRESWAN=${DUALIKE_LIBRESWAN:-/opt/dualike-lab/libreswan}
LAB_CHARON=${DUALIKE_CHARON:-/usr/lib/ipsec/charon}

lab_note() { printf '# %s\n' "$*"; }

# lab_wait SECONDS CMD... : run CMD every 0.1 s until it succeeds, at most
# SECONDS long and SECONDS*10 times.
lab_wait() {
	local secs=$1 i end; shift
	end=$((SECONDS + secs))
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
	return 1
}

# lab_track NAME PID COMM : remember a process we started
lab_track() {
	mkdir -p "$LAB_DIR/pids"
	echo "$2 $3" >"$LAB_DIR/pids/$1"
}

# lab_pid NAME : the PID recorded under NAME (empty if none)
lab_pid() {
	local pid comm
	[ -f "$LAB_DIR/pids/$1" ] || return 0
	read -r pid comm <"$LAB_DIR/pids/$1"
	echo "$pid"
}

# lab_stop NAME : SIGTERM the recorded process if /proc still names it as
# recorded, up to 5 s, then SIGKILL. Anything else is left alone.
lab_stop() {
	local f=$LAB_DIR/pids/$1 pid comm i state
	[ -f "$f" ] || return 0
	read -r pid comm <"$f"
	rm -f "$f"
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || { lab_reap "$pid"; return 0; }
		[ -n "$state" ] && [ "$state" != Z ] || { lab_reap "$pid"; return 0; }
		sleep 0.1
	done
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && kill -KILL "$pid" 2>/dev/null
	lab_reap "$pid"
}

# lab_reap PID : collect an exited child of this shell (no zombie is left)
lab_reap() { wait "$1" 2>/dev/null; return 0; }

# lab_ns NAME : make namespace $LAB_PREFIX-NAME with its loopback up; prints
# the full name
lab_ns() {
	local ns=$LAB_PREFIX-$1
	ip netns add "$ns" || return 1
	echo "$ns" >>"$LAB_DIR/netns"
	ip -n "$ns" link set lo up
	# IPv6 addresses usable at once (no duplicate address detection wait)
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	echo "$ns"
}

# lab_veth NS1 IF1 NS2 IF2 : a veth pair between two namespaces, both up
lab_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# lab_addr NS IF ADDR/PLEN : an address (IPv6 without DAD)
lab_addr() {
	case $3 in
	*:*) ip -n "$1" addr add "$3" dev "$2" nodad ;;
	*) ip -n "$1" addr add "$3" dev "$2" ;;
	esac
}

# lab_nat NS INSIDE_IF OUTSIDE_IF : the namespace forwards and masquerades
# what leaves through OUTSIDE_IF (nftables; the table lives and dies with
# the namespace)
lab_nat() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec "$1" nft -f - <<EOF
table ip dualike_lab_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "$3" masquerade
	}
}
EOF
}

# lab_teardown : stop every recorded process, delete every recorded
# namespace and any other namespace with our prefix. Safe to call twice.
lab_teardown() {
	local f ns
	if [ -d "$LAB_DIR/pids" ]; then
		for f in "$LAB_DIR"/pids/*; do
			[ -e "$f" ] && lab_stop "$(basename "$f")"
		done
	fi
	if [ -f "$LAB_DIR/netns" ]; then
		while read -r ns; do
			ip netns del "$ns" 2>/dev/null
		done <"$LAB_DIR/netns"
		rm -f "$LAB_DIR/netns"
	fi
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in "$LAB_PREFIX"-*) ip netns del "$ns" 2>/dev/null ;; esac
	done
	return 0
}

# lab_can_netns : can this process make namespaces at all?
lab_can_netns() {
	local ns=$LAB_PREFIX-probe
	ip netns add "$ns" 2>/dev/null || return 1
	ip netns del "$ns"
}

. "$LAB_HOME/lib-topology.sh"
. "$LAB_HOME/lib-dualiked.sh"
. "$LAB_HOME/lib-strongswan.sh"
. "$LAB_HOME/lib-libreswan.sh"

# lab_build_shim OUT : compile the XFRM shim (xfrm-shim.c) to OUT; the file
# is written under a temporary name and renamed, so a running pluto keeps
# its copy
lab_build_shim() {
	gcc -std=c11 -O2 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Werror -shared -fPIC -o "$1.tmp.$$" "$LAB_HOME/xfrm-shim.c" -ldl \
		2>"$1.err" && mv -f "$1.tmp.$$" "$1"
}

# lab_shim : path of the built shim ($LAB_SHIM), or fail with the reason
lab_shim() {
	[ -n "${LAB_SHIM:-}" ] && [ -f "$LAB_SHIM" ] && { echo "$LAB_SHIM"; return 0; }
	echo "the XFRM shim is not built (${LAB_SHIM:-LAB_SHIM unset}): $(head -3 "${LAB_SHIM:-/dev/null}.err" 2>/dev/null)" >&2
	return 1
}
