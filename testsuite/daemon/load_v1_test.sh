#!/bin/bash
# load_v1_test.sh - dualike-load --version 1 (IKEv1 Main Mode + Quick Mode,
# PSK) against a real dualiked responder (kernel none), each in its own
# network namespace joined by a veth (the interop lab's lib.sh):
#
#   init 192.0.2.1 (+ 198.51.100.1-8) ---veth--- 192.0.2.2 resp (dualiked)
#
# Asserts the established and child counts, the --json fields, Quick Mode
# rekeys (--rekey), the Delete phase (the responder is left with no SA),
# Aggressive Mode, two generator processes (their own source ports, so
# NAT-T floats to 4500), and a wrong PSK: no SA, each failure counted with
# its reason. Needs root and iproute2; otherwise SKIP. TAP.
set -u
build=${DUALIKE_BUILDDIR:-$(pwd)}
src=${DUALIKE_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
load=$build/src/dualike-load
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

[ -x "$load" ] && [ -x "$build/src/dualiked" ] || { echo "1..0 # SKIP not built in $build"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (network namespaces)"; exit 0; }
command -v ip >/dev/null || { echo "1..0 # SKIP no iproute2"; exit 0; }
. "$src/testsuite/interop/lib.sh"
LAB_PREFIX=dlk-loadv1-$$
LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dualike-load-v1.XXXXXX")
trap 'lab_teardown; [ -n "${KEEP:-}" ] || rm -rf "$LAB_DIR"' EXIT
lab_can_netns || { echo "1..0 # SKIP cannot make network namespaces"; exit 0; }

NS_I=$(lab_ns init) && NS_R=$(lab_ns resp) && lab_veth "$NS_I" e0 "$NS_R" e0 &&
	lab_addr "$NS_I" e0 192.0.2.1/24 && lab_addr "$NS_R" e0 192.0.2.2/24 ||
	{ echo "1..0 # SKIP the namespaces could not be built"; exit 0; }
for i in $(seq 1 8); do ip -n "$NS_I" addr add "198.51.100.$i/32" dev e0; done
ip -n "$NS_R" route add 198.51.100.0/24 dev e0

PSK=load-v1-test-psk
d=$LAB_DIR/resp
mkdir -p "$d/run" "$d/state"
{ dualiked_daemon_section "$d" 192.0.2.2 warn; cat; } >"$d/dualike.conf" <<EOT

[conn bench]
version = auto
local = 192.0.2.2
remote = %any
local_id = resp.bench
auth = psk
ike = aes128-sha256-modp2048
esp = aes128-sha256
aggressive_psk_ok = yes
EOT
echo "default any" >"$d/peers.policy"
printf 'resp.bench %%any : PSK "%s"\n' "$PSK" >"$d/secrets"
chmod 600 "$d/secrets"
ip netns exec "$NS_R" "$build/src/dualiked" -f -c "$d/dualike.conf" </dev/null >"$d/dualiked.log" 2>&1 &
lab_track resp $! dualiked
ctl() { timeout 5 "$build/src/dualikectl" -s "$d/run/dualiked.sock" "$@"; }
lab_wait 10 ctl status || { echo "1..0 # SKIP dualiked did not start: $(tail -2 "$d/dualiked.log")"; exit 0; }

# gen ARGS... : one generator run in the init namespace; JSON on stdout, status in $rc
gen() {
	out=$(ip netns exec "$NS_I" env DUALIKE_LOAD_PSK="${GEN_PSK:-$PSK}" "$load" --version 1 --json \
		--no-progress --time 60 --retransmit-timeout 500 --local-id init.bench \
		--remote-id resp.bench "$@" 192.0.2.2 2>"$LAB_DIR/gen.err")
	rc=$?
}
num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$out" | head -1; }
# ISAKMP SAs dualiked lists (IKEv1 rows carry cookies), and how many are established
v1_sas() { ctl --json list-sas | grep -o '"cky_i"' | wc -l; }
v1_est() { ctl --json list-sas | grep -o '"state": *"ESTABLISHED", *"version": *1' | wc -l; }

echo "1..18"
gen --count 20 --window 5 --id-template 'init%u.bench' --src-range 198.51.100.1-198.51.100.8
ok $rc "20 Main Mode + Quick Mode SAs: exit 0 ($(head -c 300 "$LAB_DIR/gen.err"))"
[ "$(num established)" = 20 ]; ok $? "established 20 (json: $out)"
[ "$(num children)" = 20 ]; ok $? "one IPsec SA pair each"
grep -q '"version":1,"mode":"IKEv1 Main Mode + Quick Mode"' <<<"$out"; ok $? "json names IKEv1 Main Mode + Quick Mode"
grep -q '"ike":"aes128-sha256-modp2048"' <<<"$out" && grep -q '"esp":"aes128-sha256"' <<<"$out"
ok $? "json carries the IKEv1 default proposals"
grep -q '"failures":{}' <<<"$out"; ok $? "no failure"
[ "$(v1_est)" = 20 ]; ok $? "dualiked holds the 20 ISAKMP SAs established ($(v1_est))"

# PFS in IKEv1 is the connection's: the responder now asks a KE of every Quick Mode
lab_stop resp
sed -i 's/^esp = .*/&\npfs = modp2048/' "$d/dualike.conf"
ip netns exec "$NS_R" "$build/src/dualiked" -f -c "$d/dualike.conf" </dev/null >>"$d/dualiked.log" 2>&1 &
lab_track resp $! dualiked
lab_wait 10 ctl status
gen --count 8 --window 8 --id-template 'init%u.bench' --src-range 198.51.100.1-198.51.100.8 \
	--rekey 8 --pfs modp2048 --delete --hold 1
[ "$(num established)" = 8 ] && [ "$(num rekeys)" = 8 ]
ok $? "8 SAs with PFS modp2048, then 8 Quick Mode rekeys (json: $out)"
grep -q '"pfs":"modp2048"' <<<"$out"; ok $? "json names the rekeys' PFS group"
[ "$(num deleted)" = 8 ]; ok $? "the Delete phase deleted 8 ISAKMP SAs"
for _ in $(seq 1 50); do [ "$(v1_sas)" = 0 ] && break; sleep 0.1; done
[ "$(v1_sas)" = 0 ]
ok $? "after the Deletes dualiked holds no IKEv1 SA ($(v1_sas))"

lab_stop resp
sed -i '/^pfs = /d' "$d/dualike.conf"
ip netns exec "$NS_R" "$build/src/dualiked" -f -c "$d/dualike.conf" </dev/null >>"$d/dualiked.log" 2>&1 &
lab_track resp $! dualiked
lab_wait 10 ctl status
# one source address per SA in flight: dualiked drops every SA of a peer address,
# half-made ones too, on the INITIAL-CONTACT of that address's first SA (v1_info.c)
gen --aggressive --count 4 --window 4 --id-template 'aggr%u.bench' --src-range 198.51.100.1-198.51.100.8
[ $rc = 0 ] && [ "$(num established)" = 4 ]; ok $? "Aggressive Mode: 4 of 4 ($out)"
grep -q '"mode":"IKEv1 Aggressive Mode + Quick Mode"' <<<"$out"; ok $? "json names Aggressive Mode"

gen --workers 2 --count 6 --window 4 --src-ports 4 --src-port-base 31000 --id-template 'w%u.bench' \
	--src-range 198.51.100.1-198.51.100.8
[ $rc = 0 ] && [ "$(num established)" = 6 ]; ok $? "two generator processes from their own ports: 6 of 6 ($out)"

# the same loop drives IKEv2 (load_v2.c): the responder's conn answers both versions
gen --version 2 --ike aes128-sha256-modp2048 --esp aes128-sha256 --count 5 --window 5 --id-template 'v2-%u.bench' --src-range 198.51.100.1-198.51.100.8
[ $rc = 0 ] && [ "$(num established)" = 5 ] && grep -q '"version":2,"mode":"IKEv2"' <<<"$out"
ok $? "--version 2 on the same responder: 5 of 5 IKEv2 SAs ($out)"

GEN_PSK=not-the-psk gen --count 3 --window 3 --retransmit-tries 2 --retransmit-timeout 200
[ $rc = 1 ]; ok $? "a wrong PSK: exit status 1"
[ "$(num established)" = 0 ] && [ "$(num failed)" = 3 ]; ok $? "a wrong PSK: 0 established, 3 failed ($out)"
grep -q '"failures":{"[^"]*MM_I3[^"]*":3}' <<<"$out"; ok $? "the 3 failures share one reason: no answer to MM5 (MM_I3)"

exit $((failed > 0))
