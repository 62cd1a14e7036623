#!/bin/bash
# demo.sh - dualike's main job on this machine: one dualiked gateway and
# two peers in network namespaces, one IKEv1-only (Libreswan 4.10, Main
# Mode) and one IKEv2-only (strongSwan 5.9.8). Each peer initiates; then
# the gateway's view (dualikectl status, stats, migration-report, list-sas)
# and each peer's own view are printed, and everything is cleaned up.
#
#   sudo testsuite/interop/demo.sh [BUILD_DIR]
#
# BUILD_DIR holds src/dualiked and src/dualikectl (default: $DUALIKE_BUILDDIR,
# else ./build); the demo builds nothing. Missing peers are installed with
# install-peers.sh (Debian packages; Libreswan unpacked beside strongSwan).
#
#   legacy   Libreswan, IKEv1 only   e0 192.0.2.2/26     lo 192.0.2.193 (192.0.2.192/26)
#   gateway  dualiked                l0 192.0.2.1/26     lo 192.0.2.129 (192.0.2.128/26)
#                                    m0 198.51.100.1/26
#   modern   strongSwan, IKEv2 only  e0 198.51.100.2/26  lo 198.51.100.129 (198.51.100.128/26)
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-${DUALIKE_BUILDDIR:-$(cd "$here/../.." && pwd)/build}}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "demo.sh: no build folder ${1:-}" >&2; exit 1; }
export DUALIKE_BUILDDIR=$build
[ "$(id -u)" = 0 ] || { echo "demo.sh: needs root (network namespaces); run: sudo $0 $build" >&2; exit 1; }
[ -x "$build/src/dualiked" ] || { echo "demo.sh: $build/src/dualiked is not built" >&2; exit 1; }
if ! "$here/install-peers.sh" --check >/dev/null; then
	echo "== installing the peers (testsuite/interop/install-peers.sh)"
	"$here/install-peers.sh" || exit 1
fi
. "$here/lib.sh"

LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dualike-demo.XXXXXX") LAB_PREFIX=dlk-$$-demo
chmod 700 "$LAB_DIR"
finish() { lab_teardown; rm -rf "$LAB_DIR"; }
trap finish EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*"; }
ctl() {
	printf '$ dualikectl %s\n' "$*"
	"$build/src/dualikectl" -s "$LAB_DIR/gateway/run/dualiked.sock" "$@" 2>&1 | sed 's/^/  /'
}

# --- network ----------------------------------------------------------------
declare -A S L_KIND L_DIR
psk_legacy=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
psk_modern=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
for r in gateway legacy modern; do
	L_NS[$r]=$(lab_ns "$r") || exit 1
	L_DIR[$r]=$LAB_DIR/$r
	mkdir -p "${L_DIR[$r]}"
done
lab_veth "${L_NS[gateway]}" l0 "${L_NS[legacy]}" e0 &&
lab_veth "${L_NS[gateway]}" m0 "${L_NS[modern]}" e0 &&
lab_addr "${L_NS[gateway]}" l0 192.0.2.1/26 &&
lab_addr "${L_NS[gateway]}" m0 198.51.100.1/26 &&
lab_addr "${L_NS[gateway]}" lo 192.0.2.129/32 &&
lab_addr "${L_NS[legacy]}" e0 192.0.2.2/26 &&
lab_addr "${L_NS[legacy]}" lo 192.0.2.193/32 &&
lab_addr "${L_NS[modern]}" e0 198.51.100.2/26 &&
lab_addr "${L_NS[modern]}" lo 198.51.100.129/32 || { echo "demo.sh: building the network failed" >&2; exit 1; }
# The peers' counterparts: the gateway as each of them sees it.
L_ADDR[legacy]=192.0.2.2 L_ID[legacy]=legacy.example.org L_TS[legacy]=192.0.2.192/26
L_ADDR[modern]=198.51.100.2 L_ID[modern]=modern.example.org L_TS[modern]=198.51.100.128/26
L_ADDR[gw-l]=192.0.2.1 L_ID[gw-l]=gw.example.org L_TS[gw-l]=192.0.2.128/26
L_ADDR[gw-m]=198.51.100.1 L_ID[gw-m]=gw.example.org L_TS[gw-m]=192.0.2.128/26
for r in legacy modern gw-l gw-m; do L_SEEN[$r]=${L_ADDR[$r]}; done
L_OTHER[legacy]=gw-l L_OTHER[modern]=gw-m

say "network: namespaces ${L_NS[legacy]} -- ${L_NS[gateway]} -- ${L_NS[modern]}"
echo "  legacy  (Libreswan, IKEv1 only)  192.0.2.2     protects 192.0.2.192/26"
echo "  gateway (dualiked)               192.0.2.1, 198.51.100.1, protects 192.0.2.128/26"
echo "  modern  (strongSwan, IKEv2 only) 198.51.100.2  protects 198.51.100.128/26"

# --- the gateway ----------------------------------------------------------------
g=${L_DIR[gateway]}
mkdir -p "$g/run" "$g/state"
cat >"$g/dualike.conf" <<EOF
[daemon]
listen = 192.0.2.1, 198.51.100.1
kernel = none
control_socket = $g/run/dualiked.sock
state_dir = $g/state
log_target = stderr

[conn branch-legacy]
version = ikev1
local = 192.0.2.1
remote = 192.0.2.2
local_id = gw.example.org
remote_id = legacy.example.org
auth = psk
ike = aes128-sha1-modp2048
esp = aes128-sha1
pfs = modp2048
local_ts = 192.0.2.128/26
remote_ts = 192.0.2.192/26

[conn office-v2]
version = ikev2
local = 198.51.100.1
remote = 198.51.100.2
local_id = gw.example.org
remote_id = modern.example.org
auth = psk
ike = aes256-sha256-x25519
esp = aes256gcm16
local_ts = 192.0.2.128/26
remote_ts = 198.51.100.128/26
EOF
cat >"$g/peers.policy" <<'EOF'
# the legacy branch cannot speak IKEv2 yet; the office already moved
192.0.2.2       ikev1
198.51.100.2    ikev2
default         ikev2
EOF
printf 'gw.example.org legacy.example.org : PSK "%s"\ngw.example.org modern.example.org : PSK "%s"\n' \
	"$psk_legacy" "$psk_modern" >"$g/secrets"
chmod 600 "$g/secrets"
say "dualiked in ${L_NS[gateway]} (kernel backend none: this kernel has no ESP)"
ip netns exec "${L_NS[gateway]}" "$build/src/dualiked" -f -c "$g/dualike.conf" </dev/null >"$g/dualiked.log" 2>&1 &
lab_track gateway-dualiked $! dualiked
L_KIND[gateway]=dualiked
lab_wait 10 dlk_ctl gateway status || { cat "$g/dualiked.log"; exit 1; }
ctl status

# --- the peers --------------------------------------------------------------------
start_peer() {   # ROLE KIND VERSION MODE IKE ESP PFS PSK
	S=([version]=$3 [mode]=$4 [ike]=$5 [esp]=$6 [pfs]=$7 [psk]=$8 [initiator]=$1 [timeout]=10)
	L_KIND[$1]=$2
	{ "${2}_configure" "$1" && "${2}_start" "$1"; } 2>"${L_DIR[$1]}/start.err" ||
		{ echo "demo.sh: starting $2: $(cat "${L_DIR[$1]}/start.err")" >&2; exit 1; }
	"${2}_initiate" "$1"
}
# Libreswan finishes child SAs here only with the lab's XFRM shim
LAB_SHIM=$LAB_DIR/xfrm-shim.so
lab_build_shim "$LAB_SHIM" || { cat "$LAB_SHIM.err" >&2; exit 1; }
say "the peers initiate: Libreswan (IKEv1 Main Mode) and strongSwan (IKEv2)"
start_peer legacy libreswan ikev1 main aes128-sha1-modp2048 aes128-sha1 modp2048 "$psk_legacy"
echo "  legacy: whack --initiate --name lab (IKEv1 Main Mode, aes128-sha1-modp2048)"
start_peer modern strongswan ikev2 "" aes256-sha256-x25519 aes256gcm16 none "$psk_modern"
echo "  modern: swanctl --initiate --ike lab (IKEv2, aes256-sha256-x25519)"

stat() { dualiked_json gateway stats | jq -r ".packets_in.$1" 2>/dev/null; }
engines=$(dualiked_json gateway status | jq -r '"\(.engines.ikev1) \(.engines.ikev2)"')
arrived() { [ "$(stat ikev1)" -ge 1 ] && [ "$(stat ikev2)" -ge 1 ]; }
established() {
	[ "$(libreswan_ike_state legacy)" = ESTABLISHED ] && [ "$(strongswan_ike_state modern)" = ESTABLISHED ]
}
lab_wait 15 arrived || echo "  (not every first message arrived within 15 s)"
[ "$engines" = "false false" ] || lab_wait 20 established || echo "  (not both peers established within 20 s)"
sleep 1

say "what dualiked saw"
ctl status
ctl stats
ctl migration-report
ctl list-sas
echo "the daemon's log:"
sed 's/^/  /' "$g/dualiked.log"

say "each peer's own view"
echo "legacy (Libreswan): whack --showstates"
ls_whack legacy --showstates 2>&1 | grep -F '"lab"' | sed 's/^/  /'
echo "  => IKE SA: $(libreswan_ike_state legacy)"
echo "modern (strongSwan): swanctl --list-sas"
ss_ctl modern 5 --list-sas 2>&1 | sed 's/^/  /'
echo "  => IKE SA: $(strongswan_ike_state modern)"

say "what this shows"
if [ "$engines" = "false false" ]; then
	cat <<EOF
  The dispatcher routed the Libreswan peer's Main Mode messages to the IKEv1
  engine ($(stat ikev1) in) and the strongSwan peer's IKE_SA_INIT to the IKEv2
  engine ($(stat ikev2) in), each allowed by peers.policy for that address.
  The IKEv1 and IKEv2 engines are not built yet: they count each message and
  drop it (drops: engine), so neither peer gets an answer and no SA is made;
  the peers keep retransmitting until this demo stops them.
EOF
else
	echo "  engines built (IKEv1 IKEv2): $engines"
	echo "  legacy IKEv1 IKE SA: $(libreswan_ike_state legacy), child: $(libreswan_child_state legacy)"
	echo "  modern IKEv2 IKE SA: $(strongswan_ike_state modern), child: $(strongswan_child_state modern)"
fi
say "cleaning up"
lab_teardown
echo "  namespaces and daemons stopped"
