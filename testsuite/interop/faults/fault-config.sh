#!/bin/bash
# fault-config.sh - bad configuration and secrets against a running
# dualiked with an IKEv2 SA up (strongSwan), beyond what
# testsuite/daemon/daemon_test.sh covers (a 0644 secrets file at start, one
# bad dualike.conf reload):
#   - `dualikectl reload` with dualike.conf broken, secrets mode 0644 or
#     0640, a secrets line that does not parse, a peers.policy line that
#     does not parse: each refused with the problem named, the running
#     configuration kept, the SA untouched, the refusals counted;
#   - a good reload afterwards: taken, the SA still up;
#   - a start with a group-readable (0640) secrets file: refused, the fix
#     named; then with 0600: starts.
#
#   peer (strongSwan) e0 192.0.2.1 ---------------- e0 192.0.2.2 dualiked
set -u
. "$(dirname "$0")/lib-faults.sh"

up() {
	[ "$(dualiked_ike_state gateway)" = ESTABLISHED ] && [ "$(strongswan_ike_state peer)" = ESTABLISHED ]
}
status() { dualiked_json gateway status | jq -r "$1" 2>/dev/null; }
# the text status says "reloads: N (M refused)"
refused_count() { dlk_ctl gateway status 2>/dev/null | sed -n 's/.*(\([0-9]*\) refused).*/\1/p'; }

# refused_reload WHAT PATTERN : reload must fail, name PATTERN, keep everything
refused_reload() {
	local what=$1 pat=$2 out rc before
	before=$(refused_count)
	out=$(dlk_ctl gateway reload 2>&1); rc=$?
	[ $rc != 0 ] && grep -qE -- "$pat" <<<"$out"
	fault_ok $? "reload with $what: refused, naming the problem (exit $rc: $(grep -m1 -E -- "$pat" <<<"$out" | cut -c1-120))"
	[ "$(status '.connections')" = "$conns" ] && [ "$(dualiked_json gateway list-conns | jq -c '[.connections[]?.name]')" = "$names" ]
	fault_ok $? "reload with $what: the running configuration stays ($conns connection(s) $names)"
	up && [ "$(dualiked_json gateway list-sas | jq -r '.ike_sas[0].serial // empty')" = "$serial" ]
	fault_ok $? "reload with $what: the IKE SA #$serial is untouched"
	[ -n "$before" ] && [ "$(refused_count)" = $((before + 1)) ]
	fault_ok $? "reload with $what: counted as refused ($before -> $(refused_count))"
}

fault_begin config
fault_up "peer = strongswan" "version = ikev2" "initiator = peer" "ike = aes128-sha256-x25519" \
	"esp = aes128gcm16" "timeout = 30" || exit 1
strongswan_initiate peer
fault_wait 30 up
fault_ok $? "IKEv2 SA up"
d=${L_DIR[gateway]}
conns=$(status '.connections')
names=$(dualiked_json gateway list-conns | jq -c '[.connections[]?.name]')
serial=$(dualiked_json gateway list-sas | jq -r '.ike_sas[0].serial // empty')
cp "$d/dualike.conf" "$LAB_DIR/dualike.conf.good"
cp "$d/secrets" "$LAB_DIR/secrets.good"
cp "$d/peers.policy" "$LAB_DIR/peers.policy.good"

printf '\n[conn broken]\nversion = ikev3\nike = aes256-sha999-modp2048\n' >>"$d/dualike.conf"
refused_reload "dualike.conf broken" 'ikev3|sha999'
cp "$LAB_DIR/dualike.conf.good" "$d/dualike.conf"

chmod 644 "$d/secrets"
refused_reload "secrets mode 0644" 'chmod 600'
chmod 640 "$d/secrets"
refused_reload "secrets mode 0640" 'chmod 600'
chmod 600 "$d/secrets"

echo 'this line is no secret at all' >>"$d/secrets"
refused_reload "a secrets line that does not parse" 'secrets'
cp -p "$LAB_DIR/secrets.good" "$d/secrets"
chmod 600 "$d/secrets"

echo '192.0.2.1 ikev7' >>"$d/peers.policy"
refused_reload "a peers.policy line that does not parse" 'ikev7|peers.policy'
cp "$LAB_DIR/peers.policy.good" "$d/peers.policy"

out=$(dlk_ctl gateway reload 2>&1)
fault_ok $? "a good reload afterwards is taken ($(head -1 <<<"$out"))"
up
fault_ok $? "the SA is still up after all of it"

# A start with a group-readable secrets file: refused, the fix named.
dualiked_stop gateway
chmod 640 "$d/secrets"
out=$(ip netns exec "${L_NS[gateway]}" timeout 10 "$LAB_BUILD/src/dualiked" -f -c "$d/dualike.conf" 2>&1); rc=$?
[ $rc != 0 ] && [ $rc != 124 ] && grep -q 'chmod 600' <<<"$out"
fault_ok $? "a start with secrets mode 0640 is refused (exit $rc), the fix named"
# Mode 0600 but owned by another user, who could rewrite the PSKs: refused.
chmod 600 "$d/secrets"
chown nobody "$d/secrets"
out=$(ip netns exec "${L_NS[gateway]}" timeout 10 "$LAB_BUILD/src/dualiked" -f -c "$d/dualike.conf" 2>&1); rc=$?
[ $rc != 0 ] && [ $rc != 124 ] && grep -q 'owned by uid' <<<"$out"
fault_ok $? "a start with secrets owned by another user (nobody) is refused (exit $rc), the owner named"
chown "$(id -u)" "$d/secrets"
mv "$d/dualiked.log" "$d/dualiked.log.1"
dualiked_start gateway 2>"$LAB_DIR/restart.err"
fault_ok $? "with mode 0600 and our own file it starts again"
