#!/bin/bash
# fault-restart.sh - kill -9 dualiked with an IKEv2 SA and its child up
# (kernel = xfrm through the lab's XFRM shim: SAs answered in the process,
# policies in the namespace's kernel), then start it again:
#   - what is left in the kernel (policies) is cleaned at start: dualiked
#     removes the policies and SAs whose IPsec endpoint is one of its own
#     addresses (src/daemon_kernel_cleanup.c);
#   - its pins (state_dir/pins) and configuration are intact;
#   - strongSwan (DPD 2 s, dpd_action = restart) finds the old SA dead and
#     establishes again; its child is installed on both sides.
#
#   peer (strongSwan) e0 192.0.2.1 ---------------- e0 192.0.2.2 dualiked
set -u
. "$(dirname "$0")/lib-faults.sh"
bound=${DUALIKE_FAULT_RESTART_BOUND:-60}

fault_tune_strongswan() {
	local f=${L_DIR[$1]}/swanctl/swanctl.conf
	fault_charon_set "$1" "retransmit_timeout = 1.0" "retransmit_base = 1.4" "retransmit_tries = 3"
	sed -i 's/^\(\s*\)mobike = no/&\n\1dpd_delay = 2s/; s/^\(\s*\)start_action = none/&\n\1dpd_action = restart/' "$f"
}

# SPD entries only: the IKE sockets' own bypass policies are listed as
# "socket in/out" and belong to the running daemon, not to a dead one
gw_policies() { ip -n "${L_NS[gateway]}" xfrm policy list 2>/dev/null | grep -cE '^[[:space:]]+dir '; }

ss_up() {
	[ "$(strongswan_ike_state peer)" = ESTABLISHED ] && [ "$(strongswan_child_state peer)" = INSTALLED ]
}
dl_up() {
	[ "$(dualiked_ike_state gateway)" = ESTABLISHED ] && [ "$(dualiked_child_state gateway)" != NONE ]
}
ss_reestablished() { ss_up && [ "$(strongswan_raw peer | head -1 | sed -n 's/^lab {uniqueid=\([0-9]*\).*/\1/p')" != "$old_id" ]; }

fault_begin restart
fault_up "peer = strongswan" "version = ikev2" "initiator = peer" "gateway_kernel = shim" \
	"ike = aes128-sha256-x25519" "esp = aes128gcm16" "timeout = $bound" || exit 1
strongswan_initiate peer
fault_wait "$bound" dl_up && fault_wait 10 ss_up
fault_ok $? "IKEv2 SA and child up before the kill"
old_id=$(strongswan_raw peer | head -1 | sed -n 's/^lab {uniqueid=\([0-9]*\).*/\1/p')
pols=$(gw_policies)
[ "$pols" -ge 2 ]
fault_ok $? "dualiked installed its policies in the namespace's kernel ($pols)"
d=${L_DIR[gateway]}
pins_before=$(dlk_ctl gateway pins 2>&1)
conns_before=$(dualiked_json gateway list-conns | jq -c '[.connections[]? | .name]' 2>/dev/null)
cp "$d/state/pins" "$LAB_DIR/pins.before" 2>/dev/null
grep -q "${L_SEEN[peer]}" <<<"$pins_before"
fault_ok $? "the peer is pinned to IKEv2 after its IKE_AUTH ($(tr '\n' ' ' <<<"$pins_before" | cut -c1-80))"

pid=$(lab_pid gateway-dualiked)
[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dualiked ] && kill -KILL "$pid"
lab_reap "$pid"
fault_wait 5 test ! -d "/proc/$pid"
fault_ok $? "kill -9 dualiked (pid $pid)"
left=$(gw_policies)
fault_note "after kill -9: $left policies left in the kernel by the dead daemon"

mv "$d/dualiked.log" "$d/dualiked.log.1"
dualiked_start gateway 2>"$LAB_DIR/restart.err"
fault_ok $? "dualiked starts again over the stale control socket and kernel state $(head -c 200 "$LAB_DIR/restart.err")"
grep -E 'stale|left by an earlier|clean' "$d/dualiked.log" | head -3 | sed 's/^/# restart: /'
[ "$(gw_policies)" = 0 ] || [ "$left" = 0 ]
fault_ok $? "stale policies cleaned at start ($left before the start, $(gw_policies) after)"
cmp -s "$LAB_DIR/pins.before" "$d/state/pins" && [ "$(dlk_ctl gateway pins 2>&1)" = "$pins_before" ]
fault_ok $? "pins intact across the crash"
[ "$(dualiked_json gateway list-conns | jq -c '[.connections[]? | .name]' 2>/dev/null)" = "$conns_before" ]
fault_ok $? "configuration intact (connections $conns_before)"

t0=$SECONDS
fault_wait "$bound" ss_reestablished
fault_ok $? "strongSwan finds the old SA dead (DPD) and establishes a new one ($((SECONDS - t0)) s)"
fault_wait 15 dl_up
fault_ok $? "dualiked holds the new IKE SA and child"
[ "$(gw_policies)" -ge 2 ]
fault_ok $? "its policies are installed again ($(gw_policies))"
grep -qE 'policy .* failed|kernel refused' "$d/dualiked.log"
[ $? != 0 ]
fault_ok $? "no kernel refusal after the restart"
