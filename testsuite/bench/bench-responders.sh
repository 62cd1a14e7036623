#!/bin/bash
# bench-responders.sh - IKEv2 PSK responder setup rate (and IKEv1 Main
# Mode + Quick Mode, group v1-modp2048): dualiked vs strongSwan charon vs
# Libreswan pluto, in one run, same generator (dualike-load), same
# proposals. A benchmark, not a test: it asserts nothing about time, it
# prints figures.
#
#   sudo testsuite/bench/bench-responders.sh [BUILD]
#   sudo testsuite/bench/bench-responders.sh --memory N [BUILD]
#       instead: dualiked's RSS holding N established IKE SAs with one
#       child each (kernel none), and bytes per SA. Each SA has its own
#       identity (dualike-load --id-template init%u.bench): the generator
#       sends INITIAL_CONTACT, and with one identity for all, dualiked
#       would drop each older SA (RFC 7296 2.4) and hold one. dualiked's
#       conn then accepts any remote_id, its PSK found by its own id.
#   sudo testsuite/bench/bench-responders.sh --rekey N [BUILD]
#       instead: dualiked as responder to N CREATE_CHILD_SA child rekeys
#       (over BENCH_COUNT SAs set up first), per group without and with PFS
#       (the group's KE in every rekey): rekeys/s and responder CPU per rekey.
#   sudo testsuite/bench/bench-responders.sh --callgrind N [BUILD]
#       instead: dualiked as responder under valgrind --tool=callgrind,
#       counters zeroed once it is up, N SAs per group, then instructions
#       (Ir, every thread) per established handshake: a figure that does
#       not depend on the machine's load.
#
# Two namespaces on a veth: "init" (192.0.2.1, plus 198.51.100.1-254 as
# source addresses, one per SA round robin, so responders see distinct
# peers and traffic selectors) runs dualike-load; "resp" (192.0.2.2) runs
# the responder. No kernel ESP anywhere: dualiked `kernel = none`;
# charon with kernel-netlink and the lab's XFRM shim (testsuite/interop/
# xfrm-shim.c; SAs answered in userspace, policies in the namespace's
# kernel), `dos_protection = no`, 32 threads, log level 0; pluto with the
# shim, plutodebug=none, uniqueids=no.
# Each SA: IKE_SA_INIT + IKE_AUTH with one child (ESP aes128gcm16), no PFS.
# Group v1-GROUP: IKEv1 instead, Main Mode with the PSK (aes128-sha256-
# GROUP) + one Quick Mode (ESP aes128-sha256, the transform all three take
# in IKEv1), no PFS: dualiked `version = ikev1`, charon `version = 1`,
# pluto `ikev2=no` (ikev1-policy=accept); dualike-load --version 1.
# The crypto bound is ke-bench's one-core rate for the group, measured in
# this run: 1e6 / (keypair + derive) microseconds.
#
# Environment: BENCH_COUNT (10000 SAs per run: with 2000 the first second, when
# every new peer is pinned to disk, weighs too much), BENCH_WINDOW (200 in
# flight), BENCH_GROUPS ("x25519 ecp256 modp2048 v1-modp2048"), BENCH_RESPONDERS
# ("dualiked strongswan libreswan"), BENCH_PIN (1: responder on CPU 0,
# generator on CPU 1; 0: unpinned),
# BENCH_WORKERS (generator processes, dualike-load --workers; 1), BENCH_NICE
# (nice value for responders and generator, e.g. -5; none by default),
# BENCH_TIME (--memory: the generator's time limit, 3600 s), BENCH_SETTLE_S
# (--memory: how long after the burst the settled RSS is read, 12 s),
# BENCH_DPD_DELAY (--memory: dualiked's dpd_delay, 0: off),
# BENCH_DAEMON_EXTRA (more [daemon] lines for dualiked, e.g.
# "crypto_inline = always"),
# BENCH_COOKIE_THRESHOLD (dualiked's cookie_threshold, 1000000: no COOKIEs,
# as charon's dos_protection = no; 64 is the daemon's default), BENCH_LOAD_EXTRA
# (more dualike-load options for every rate run, e.g. "--ke-reuse 100").
# Each rate line also gives the generator's own CPU seconds (the
# dualike-load processes, user+system, from their rusage).
set -u
MEMORY=
CALLGRIND=
if [ "${1:-}" = --memory ]; then MEMORY=${2:?--memory N}; shift 2; fi
if [ "${1:-}" = --callgrind ]; then CALLGRIND=${2:?--callgrind N}; shift 2; fi
REKEY=
if [ "${1:-}" = --rekey ]; then REKEY=${2:?--rekey N}; shift 2; fi
LOAD_EXTRA=() PFS= # rekey mode: generator options, the responder's pfs
RESP_WRAP=() # callgrind mode: valgrind in front of dualiked
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=$(cd "${1:-${DUALIKE_BUILDDIR:-$HERE/../..}}" && pwd)
COUNT=${BENCH_COUNT:-10000}
WINDOW=${BENCH_WINDOW:-200}
KE_GROUPS=${BENCH_GROUPS:-x25519 ecp256 modp2048 v1-modp2048}
RESPONDERS=${BENCH_RESPONDERS:-dualiked strongswan libreswan}
PIN=${BENCH_PIN:-1}
WORKERS=${BENCH_WORKERS:-1}
NICE=()
[ -n "${BENCH_NICE:-}" ] && NICE=(nice -n "$BENCH_NICE")
PSK=bench-psk-0123456789
LOAD=$BUILD/src/dualike-load

[ "$(id -u)" = 0 ] || { echo "bench-responders.sh: needs root (namespaces)" >&2; exit 2; }
[ -x "$LOAD" ] && [ -x "$BUILD/src/dualiked" ] && [ -x "$BUILD/testsuite/bench/ke-bench" ] ||
	{ echo "bench-responders.sh: build $BUILD first (src/dualike-load, src/dualiked, testsuite/bench/ke-bench)" >&2; exit 2; }

. "$HERE/../interop/lib.sh"
LAB_PREFIX=dlk-bench-$$
LAB_DIR=$(mktemp -d /tmp/dualike-bench.XXXXXX)
declare -A L_DIR
trap 'lab_teardown; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$LAB_DIR"' EXIT

pin_resp=() pin_init=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ]; then
	pin_resp=(taskset -c 0) pin_init=(taskset -c 1)
fi
pin_resp=("${NICE[@]}" "${pin_resp[@]}") pin_init=("${NICE[@]}" "${pin_init[@]}")

# ---- the network ----
NS_I=$(lab_ns init) && NS_R=$(lab_ns resp) &&
	lab_veth "$NS_I" e0 "$NS_R" e0 &&
	lab_addr "$NS_I" e0 192.0.2.1/24 && lab_addr "$NS_R" e0 192.0.2.2/24 ||
	{ echo "bench-responders.sh: cannot build the namespaces" >&2; exit 2; }
for i in $(seq 1 254); do echo "address add 198.51.100.$i/32 dev e0"; done | ip -n "$NS_I" -batch - ||
	exit 2
ip -n "$NS_R" route add 198.51.100.0/24 dev e0
LAB_SHIM=$LAB_DIR/xfrm-shim.so
lab_build_shim "$LAB_SHIM" || echo "# the XFRM shim did not build: $(head -2 "$LAB_SHIM.err")"

# ---- responders ----
# prop_ls TOKENS: dualike/strongSwan tokens in Libreswan's words
prop_ls() { ls_algs "$1"; }
# A bench group: "x25519" (IKEv2) or "v1-modp2048" (IKEv1 Main Mode + Quick Mode):
# its IKE version, its KE group and its ESP proposal
grp_v() { case $1 in v1-*) echo 1 ;; *) echo 2 ;; esac; }
grp_ke() { echo "${1#v1-}"; }
grp_esp() { if [ "$(grp_v "$1")" = 1 ]; then echo aes128-sha256; else echo aes128gcm16; fi; }

start_dualiked() { # GROUP [REMOTE_ID]  (REMOTE_ID empty: any identity)
	local d=$LAB_DIR/dualiked rid=${2-init.bench}
	rm -rf "$d"; mkdir -p "$d/run" "$d/state"
	{ dualiked_daemon_section "$d" 192.0.2.2 error; cat; } >"$d/dualike.conf" <<EOT
# no COOKIE round trip at a window of 200 half-open SAs (the default, 64,
# asks nearly every SA for one): as charon's dos_protection = no
cookie_threshold = ${BENCH_COOKIE_THRESHOLD:-1000000}
${BENCH_DAEMON_EXTRA:-}

[conn bench]
version = ikev$(grp_v "$1")
local = 192.0.2.2
remote = %any
local_id = resp.bench
${rid:+remote_id = $rid}
auth = psk
ike = aes128-sha256-$(grp_ke "$1")
esp = $(grp_esp "$1")
${PFS:+pfs = $PFS}
${CONN_EXTRA:-}
EOT
	echo "default any" >"$d/peers.policy"
	printf 'resp.bench %s : PSK "%s"\n' "${rid:-%any}" "$PSK" >"$d/secrets"
	chmod 600 "$d/secrets"
	ip netns exec "$NS_R" "${pin_resp[@]}" "${RESP_WRAP[@]}" "$BUILD/src/dualiked" -f -c "$d/dualike.conf" \
		</dev/null >"$d/dualiked.log" 2>&1 &
	lab_track resp $! "${RESP_COMM:-dualiked}"
	L_DIR[resp]=$d
	lab_wait "${DUALIKED_START_S:-10}" timeout 5 "$BUILD/src/dualikectl" -s "$d/run/dualiked.sock" status ||
		{ echo "dualiked did not start: $(tail -3 "$d/dualiked.log")" >&2; return 1; }
}

start_strongswan() { # GROUP
	local d=$LAB_DIR/strongswan pid
	rm -rf "$d"; mkdir -p "$d/run" "$d/swanctl"
	[ -x "$LAB_CHARON" ] || { echo "charon is not installed ($LAB_CHARON)" >&2; return 1; }
	cat >"$d/strongswan.conf" <<EOT
charon {
	load = $ss_plugins kernel-netlink socket-default vici
	dos_protection = no
	threads = 32
	init_limit_half_open = 0
	ikesa_table_size = 4096
	plugins {
		vici {
			socket = unix://$d/run/charon.vici
		}
	}
	filelog {
		bench {
			path = $d/charon.log
			default = 0
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
swanctl {
	socket = unix://$d/run/charon.vici
}
EOT
	cat >"$d/swanctl/swanctl.conf" <<EOT
connections {
	bench {
		version = $(grp_v "$1")
		mobike = no
		local_addrs = 192.0.2.2
		remote_addrs = %any
		proposals = aes128-sha256-$(grp_ke "$1")
		local {
			auth = psk
			id = resp.bench
		}
		remote {
			auth = psk
			id = init.bench
		}
		children {
			net {
				esp_proposals = $(grp_esp "$1")
			}
		}
	}
}
secrets {
	ike-bench {
		id-1 = resp.bench
		id-2 = init.bench
		secret = "$PSK"
	}
}
EOT
	ip netns exec "$NS_R" unshare --mount --propagation private -- \
		env STRONGSWAN_CONF="$d/strongswan.conf" LD_PRELOAD="$LAB_SHIM" \
		DUALIKE_XFRM_SHIM_LOG=/dev/null "${pin_resp[@]}" \
		sh -c 'mount --bind "$1" /run && exec "$2"' charon-bench "$d/run" "$LAB_CHARON" \
		</dev/null >"$d/charon.stdout" 2>&1 &
	pid=$!
	lab_track resp "$pid" charon
	lab_wait 15 test -S "$d/run/charon.vici" &&
		lab_wait 10 env STRONGSWAN_CONF="$d/strongswan.conf" SWANCTL_DIR="$d/swanctl" swanctl --stats &&
		timeout 10 env STRONGSWAN_CONF="$d/strongswan.conf" SWANCTL_DIR="$d/swanctl" \
			swanctl --load-all >"$d/load.out" 2>&1 ||
		{ echo "charon did not start: $(tail -3 "$d/charon.stdout" "$d/load.out" 2>/dev/null)" >&2; return 1; }
}

start_libreswan() { # GROUP
	local d=$LAB_DIR/libreswan pid
	rm -rf "$d"; mkdir -p "$d/run" "$d/nss" "$d/ipsec.d"
	[ -x "$LS_EXEC/pluto" ] || { echo "pluto is not unpacked ($LS_EXEC)" >&2; return 1; }
	cat >"$d/ipsec.conf" <<EOT
config setup
	uniqueids=no
	plutodebug=none
	$([ "$(grp_v "$1")" = 1 ] && echo "ikev1-policy=accept")

conn bench
	authby=secret
	left=192.0.2.2
	leftid=@resp.bench
	right=%any
	rightid=@init.bench
	leftupdown=%disabled
	ikev2=$([ "$(grp_v "$1")" = 1 ] && echo no || echo yes)
	ike=$(prop_ls "aes128-sha256-$(grp_ke "$1")")
	esp=$(prop_ls "$(grp_esp "$1")")
	$([ "$(grp_v "$1")" = 1 ] && echo "pfs=no")
	auto=add
EOT
	printf '@resp.bench @init.bench : PSK "%s"\n' "$PSK" >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
	certutil -N -d "sql:$d/nss" --empty-password >/dev/null
	ip netns exec "$NS_R" unshare --mount --propagation private -- \
		env LD_PRELOAD="$LAB_SHIM" DUALIKE_XFRM_SHIM_LOG=/dev/null "${pin_resp[@]}" \
		sh -c 'mount -t overlay lab-libexec -o "lowerdir=$1/usr/libexec:/usr/libexec" /usr/libexec &&
			shift && exec /usr/libexec/ipsec/pluto "$@"' pluto-bench "$LAB_LIBRESWAN" \
		--nofork --config "$d/ipsec.conf" --secretsfile "$d/ipsec.secrets" \
		--ipsecdir "$d/ipsec.d" --nssdir "$d/nss" --rundir "$d/run" \
		--logfile "$d/pluto.log" --dumpdir "$d/run" \
		</dev/null >"$d/pluto.stdout" 2>&1 &
	pid=$!
	lab_track resp "$pid" pluto
	lab_wait 15 test -S "$d/run/pluto.ctl" &&
		lab_wait 10 grep -q 'listening for IKE messages' "$d/pluto.log" &&
		lab_wait 10 sh -c "'$LS_EXEC/whack' --ctlsocket '$d/run/pluto.ctl' --status | grep -q '\"bench\"'" ||
		{ echo "pluto did not start: $(tail -2 "$d/pluto.stdout" "$d/pluto.log" 2>/dev/null)" >&2; return 1; }
}

# run_load GROUP : one generator run; its JSON on stdout, the generator's
# CPU seconds (user+system, its worker processes included) in $LAB_DIR/gen.cpu
read -r -a BENCH_EXTRA <<<"${BENCH_LOAD_EXTRA:-}"
run_load() {
	/usr/bin/time -f '%U %S' -o "$LAB_DIR/gen.time" \
		ip netns exec "$NS_I" "${pin_init[@]}" env DUALIKE_LOAD_PSK="$PSK" "$LOAD" --json --no-progress \
		--version "$(grp_v "$1")" \
		--workers "$WORKERS" --count "$COUNT" --window "$WINDOW" --time 120 --retransmit-timeout 2000 \
		--ike "aes128-sha256-$(grp_ke "$1")" --esp "$(grp_esp "$1")" \
		--local-id init.bench --remote-id resp.bench \
		--src-range 198.51.100.1-198.51.100.254 "${LOAD_EXTRA[@]}" "${BENCH_EXTRA[@]}" 192.0.2.2
	tail -1 "$LAB_DIR/gen.time" | awk '{ printf "%.2f", $1 + $2 }' >"$LAB_DIR/gen.cpu" 2>/dev/null
}

# cpu_s PID : user+system CPU seconds of the process and its threads so far
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null; }
json_num() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1" | head -1; }
group_name() { case ${1#v1-} in x25519) echo Curve25519 ;; ecp256) echo ECP_256 ;; modp2048) echo MODP_2048 ;; esac; }

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

if [ -n "$MEMORY" ]; then
	echo "# dualiked RSS with $MEMORY IKE SAs + children (kernel none), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
	# dualike-load leaves when its SAs are up and answers few liveness checks on
	# the way: with the default dpd_delay (30 s) dualiked would declare the first
	# peers dead (dpd_timeout) while it still counts the last ones
	CONN_EXTRA="dpd_delay = ${BENCH_DPD_DELAY:-0}"
	start_dualiked x25519 "" || exit 1
	pid=$(lab_pid resp)
	before=$(rss_kib "$pid")
	out=$(ip netns exec "$NS_I" "${NICE[@]}" env DUALIKE_LOAD_PSK="$PSK" "$LOAD" --json --no-progress \
		--workers "$WORKERS" --count "$MEMORY" --window "$WINDOW" --time "${BENCH_TIME:-3600}" \
		--retransmit-timeout 2000 \
		--ike aes128-sha256-x25519 --esp aes128gcm16 --id-template 'init%u.bench' --remote-id resp.bench \
		--src-range 198.51.100.1-198.51.100.254 192.0.2.2)
	sleep 1
	after=$(rss_kib "$pid")
	# dualiked returns the burst's freed heap once it calms down (src/mem_trim.c, 5 s ticks)
	sleep "${BENCH_SETTLE_S:-12}"
	settled=$(rss_kib "$pid")
	# a listing of 100,000 SAs takes minutes on a busy machine
	sas=$(timeout $((60 + MEMORY / 200)) "$BUILD/src/dualikectl" -s "$LAB_DIR/dualiked/run/dualiked.sock" --json list-sas |
		grep -o '"ESTABLISHED"' | wc -l)
	est=$(json_num "$out" established)
	timeout 5 "$BUILD/src/dualikectl" -s "$LAB_DIR/dualiked/run/dualiked.sock" --json stats |
		tr -d ' \n' | sed 's/^/# dualiked stats: /'; echo
	echo "generator: established $est/$MEMORY at $(json_num "$out" established_per_s)/s; dualiked lists $sas established IKE SAs"
	awk -v b="$before" -v a="$after" -v n="${est:-0}" 'BEGIN {
		printf "dualiked RSS %.1f MiB before, %.1f MiB with %d SAs: %.0f bytes per IKE SA + child\n",
			b / 1024, a / 1024, n, (n > 0) ? (a - b) * 1024 / n : 0 }'
	awk -v b="$before" -v a="$settled" -v n="${est:-0}" -v s="${BENCH_SETTLE_S:-12}" 'BEGIN {
		printf "dualiked RSS %.1f MiB %d s after the burst: %.0f bytes per IKE SA + child\n",
			a / 1024, s, (n > 0) ? (a - b) * 1024 / n : 0 }'
	echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit 0
fi

if [ -n "$REKEY" ]; then
	echo "# dualiked responder: $REKEY child rekeys over $COUNT IKE SAs, per group without and with PFS, $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
	for g in $KE_GROUPS; do
		for PFS in "" "$g"; do
			# one identity per SA, or INITIAL_CONTACT (RFC 7296 2.4) leaves one SA
			LOAD_EXTRA=(--id-template 'init%u.bench' --rekey "$REKEY" ${PFS:+--pfs "$PFS"})
			start_dualiked "$g" "" || continue
			pid=$(lab_pid resp)
			out=$(run_load "$g")
			cpu=$(cpu_s "$pid")
			lab_stop resp
			printf 'rekey %-9s PFS %-9s %8s rekeys/s  %s/%s rekeyed  setup %s/%s  responder CPU %s s in all  load %s\n' \
				"$g" "${PFS:-none}" "$(json_num "$out" rekeys_per_s)" "$(json_num "$out" rekeys)" "$REKEY" \
				"$(json_num "$out" established)" "$COUNT" "${cpu:-n/a}" "$(cut -d' ' -f1 /proc/loadavg)"
			echo "#   $out"
		done
	done
	exit 0
fi

if [ -n "$CALLGRIND" ]; then
	echo "# dualiked responder under callgrind, $CALLGRIND SAs per group, $(date -u +%FT%TZ)"
	COUNT=$CALLGRIND DUALIKED_START_S=60 RESP_COMM=callgrind-amd64
	for g in $KE_GROUPS; do
		cg=$LAB_DIR/callgrind.$g
		RESP_WRAP=(valgrind --tool=callgrind "--callgrind-out-file=$cg.%p")
		start_dualiked "$g" || { echo "dualiked $g: did not start under valgrind"; continue; }
		pid=$(lab_pid resp)
		callgrind_control -z "$pid" >/dev/null 2>&1 || echo "# callgrind_control -z $pid failed"
		out=$(run_load "$g")
		callgrind_control -d "$pid" >/dev/null 2>&1 || echo "# callgrind_control -d $pid failed"
		sleep 1
		# the dump taken after the load: counts since the zeroing
		ir=$(cat "$cg".*.* 2>/dev/null | awk '/^(summary|totals):/ { if ($2 > m) m = $2 } END { print m + 0 }')
		lab_stop resp
		est=$(json_num "$out" established)
		awk -v g="$g" -v ir="$ir" -v n="${est:-0}" 'BEGIN {
			printf "callgrind %-9s %12.0f instructions for %d handshakes: %.0f Ir per IKE SA + child (responder)\n",
				g, ir, n, (n > 0) ? ir / n : 0 }'
	done
	RESP_WRAP=()
	exit 0
fi

echo "# bench-responders.sh: $(date -u +%FT%TZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r)"
echo "# $COUNT SAs per run, window $WINDOW, pinned=$PIN, build $BUILD"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
KE=$("${pin_resp[@]}" "$BUILD/testsuite/bench/ke-bench" --quick)
declare -A RATE MSPERSA
# ms_per_sa CPU_S ESTABLISHED
ms_per_sa() { awk -v c="$1" -v n="$2" 'BEGIN { if (c != "" && n+0 > 0) printf "%.2f", 1000 * c / n; else print "n/a" }'; }
for g in $KE_GROUPS; do
	bound=$(awk -v n="$(group_name "$g")" '$2 == n {print $NF}' <<<"$KE")
	for r in $RESPONDERS; do
		lab_stop resp
		# a responder stopped with thousands of SAs may leave its policies
		# behind (pluto is killed after 5 s): each starts from an empty SPD
		ip -n "$NS_R" xfrm policy flush 2>/dev/null
		ip -n "$NS_R" xfrm state flush 2>/dev/null
		if ! "start_$r" "$g"; then
			RATE[$r/$g]=n/a
			printf '%-10s %-9s  not run\n' "$r" "$g"
			continue
		fi
		out=$(run_load "$g")
		cpu=$(cpu_s "$(lab_pid resp)")
		[ "$r" = dualiked ] && timeout 5 "$BUILD/src/dualikectl" -s "$LAB_DIR/dualiked/run/dualiked.sock" \
			--json stats >"$LAB_DIR/dualiked-stats.$g.json" 2>&1
		rate=$(json_num "$out" established_per_s)
		RATE[$r/$g]=${rate:-n/a}
		est=$(json_num "$out" established)
		gcpu=$(cat "$LAB_DIR/gen.cpu" 2>/dev/null)
		MSPERSA[$r/$g]=$(ms_per_sa "$cpu" "$est")
		printf '%-10s %-11s  %8s est/s  established %s/%s (children %s)  p50 %s ms  p99 %s ms  retransmits %s  responder CPU %s s (%s ms/SA)  generator CPU %s s (%s ms/SA)  load %s\n' \
			"$r" "$g" "${rate:-n/a}" "$est" "$COUNT" "$(json_num "$out" children)" \
			"$(json_num "$out" p50)" "$(json_num "$out" p99)" "$(json_num "$out" retransmits)" "${cpu:-n/a}" \
			"${MSPERSA[$r/$g]}" "${gcpu:-n/a}" "$(ms_per_sa "$gcpu" "$est")" "$(cut -d' ' -f1 /proc/loadavg)"
		grep -o '"failures":{[^}]*}' <<<"$out" | grep -v '{}' | sed 's/^/#   /'
		grep -o '"dropped":{[^}]*}' <<<"$out" | sed "s/^/#   generator /"
		lab_stop resp
	done
	d=${RATE[dualiked/$g]:-n/a} s=${RATE[strongswan/$g]:-n/a} l=${RATE[libreswan/$g]:-n/a}
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2fx", a / b; else print "n/a" }'; }
	cd_=${MSPERSA[dualiked/$g]:-n/a} cs=${MSPERSA[strongswan/$g]:-n/a} cl=${MSPERSA[libreswan/$g]:-n/a}
	printf '== %-11s dualiked/strongSwan %s  dualiked/Libreswan %s  CPU per SA dualiked/strongSwan %s dualiked/Libreswan %s  crypto bound %s hs/s/core (ke-bench), dualiked at %s\n' \
		"$g" "$(ratio "$d" "$s")" "$(ratio "$d" "$l")" "$(ratio "$cd_" "$cs" | sed 's/x$//')" \
		"$(ratio "$cd_" "$cl" | sed 's/x$//')" "${bound:-n/a}" \
		"$(awk -v a="$d" -v b="$bound" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }')"
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
