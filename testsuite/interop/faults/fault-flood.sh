#!/bin/bash
# fault-flood.sh - 100,000 IKE_SA_INIT requests (ike-flood.c: well-formed,
# fresh SPI, nonce and key share each) from 200 source addresses added to
# the peer namespace's interface, paced at 2,500/s and bounded to 60 s,
# to dualiked's lab address only. Meanwhile strongSwan, from the peer's own
# address, initiates IKEv2. Asserted:
#   - dualiked switches to cookies (RFC 7296 2.6: ikev2_engine.cookies_sent
#     grows, the flood sees COOKIE answers);
#   - its resident memory stays under the bound (VmRSS sampled every 0.2 s);
#   - the legitimate peer establishes while the flood still runs;
#   - after the flood the half-open SAs are gone and dualiked still answers.
#
#   peer ns: strongSwan 192.0.2.1 + flood 192.0.2.10-209 (e0) ---- e0 192.0.2.2 dualiked
set -u
. "$(dirname "$0")/lib-faults.sh"
count=${DUALIKE_FLOOD_COUNT:-100000}
rate=${DUALIKE_FLOOD_RATE:-2500}
rss_bound_kib=${DUALIKE_FLOOD_RSS_KIB:-65536}   # 64 MiB
srcs=200

fault_tune_strongswan() {
	fault_charon_set "$1" "retransmit_timeout = 1.0" "retransmit_base = 1.4" "retransmit_tries = 8"
}

flood_bin() {
	local b=$LAB_BUILD/testsuite/interop/faults/ike-flood
	[ -x "$b" ] && { echo "$b"; return 0; }
	gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$LAB_DIR/ike-flood" "$FAULT_HOME/ike-flood.c" 2>"$LAB_DIR/ike-flood.err" &&
		echo "$LAB_DIR/ike-flood"
}

ss_up() { [ "$(strongswan_ike_state peer)" = ESTABLISHED ] && [ "$(strongswan_child_state peer)" = INSTALLED ]; }
flood_running() { [ -n "$fpid" ] && kill -0 "$fpid" 2>/dev/null; }

fault_begin flood
bin=$(flood_bin)
fault_ok $? "the flood generator is built ($bin)"
fault_up "peer = strongswan" "version = ikev2" "initiator = peer" "ike = aes128-sha256-x25519" \
	"esp = aes128gcm16" "timeout = 60" || exit 1
for ((i = 0; i < srcs; i++)); do
	echo "addr add 192.0.2.$((10 + i))/24 dev e0"
done | ip -n "${L_NS[peer]}" -batch - 2>"$LAB_DIR/addrs.err"
fault_ok $? "$srcs flood source addresses on the peer namespace's e0 (192.0.2.10-$((9 + srcs)))"

dpid=$(lab_pid gateway-dualiked)
rss0=$(fault_rss_kib "$dpid")
cookies0=$(fault_stat gateway '.ikev2_engine.cookies_sent')
# RSS sampler: every 0.2 s, at most 120 s, the peak into a file
( peak=0; for ((k = 0; k < 600; k++)); do
	r=$(fault_rss_kib "$dpid"); [ -n "$r" ] || break
	[ "$r" -gt "$peak" ] && { peak=$r; echo "$peak" >"$LAB_DIR/rss.peak"; }
	[ -f "$LAB_DIR/flood.done" ] && break
	sleep 0.2
done ) &
spid=$!

t0=$SECONDS
ip netns exec "${L_NS[peer]}" "$bin" -d "${L_ADDR[gateway]}" -s 192.0.2.10 -k "$srcs" \
	-c "$count" -r "$rate" -t 60 >"$LAB_DIR/flood.out" 2>&1 &
fpid=$!
lab_track flood "$fpid" ike-flood
sleep 1
flood_running
fault_ok $? "the flood is running"
strongswan_initiate peer
fault_wait 50 ss_up; up=$?
during=no; flood_running && during=yes
fault_ok $up "strongSwan establishes IKEv2 + child during the flood ($((SECONDS - t0)) s after it began)"
[ "$during" = yes ]
fault_ok $? "... while the flood was still running"
for ((k = 0; k < 700 && $(flood_running; echo $?) == 0; k++)); do sleep 0.1; done
lab_reap "$fpid"
touch "$LAB_DIR/flood.done"
wait "$spid" 2>/dev/null
line=$(tail -1 "$LAB_DIR/flood.out")
fault_note "flood: $line"
sent=$(sed -n 's/^sent \([0-9]*\) .*/\1/p' <<<"$line")
[ "${sent:-0}" -ge "$count" ]
fault_ok $? "$count IKE_SA_INIT requests sent within the 60 s bound ($line)"
cookies=$(( $(fault_stat gateway '.ikev2_engine.cookies_sent') - cookies0 ))
seen=$(sed -n 's/.*cookies \([0-9]*\),.*/\1/p' <<<"$line")
[ "$cookies" -gt 0 ] && [ "${seen:-0}" -gt 0 ]
fault_ok $? "dualiked switched to cookies (cookies_sent +$cookies; the flood saw ${seen:-0} COOKIE answers)"
peak=$(cat "$LAB_DIR/rss.peak" 2>/dev/null || echo 0)
fault_note "dualiked VmRSS: $rss0 KiB before, peak $peak KiB during the flood (bound $rss_bound_kib KiB)"
if grep -q 'fsanitize=address' "$LAB_BUILD/Makefile" 2>/dev/null; then
	# ASan's shadow memory and quarantine are in the RSS: no bound to judge
	echo "ok - $FAULT_NAME: dualiked's RSS under $((rss_bound_kib / 1024)) MiB # SKIP ASan build (peak $((peak / 1024)) MiB with shadow memory)"
else
	[ "$peak" -gt 0 ] && [ "$peak" -lt "$rss_bound_kib" ]
	fault_ok $? "dualiked's RSS stayed under $((rss_bound_kib / 1024)) MiB (peak $((peak / 1024)) MiB, $rss0 KiB before)"
fi
settle() { [ "$(dualiked_json gateway list-sas | jq '[.ike_sas[]?] | length')" = 1 ]; }
fault_wait 60 settle
fault_ok $? "after the flood the half-open SAs are gone: one IKE SA left ($(dualiked_json gateway list-sas | jq '[.ike_sas[]?] | length'))"
ss_up && [ "$(dualiked_ike_state gateway)" = ESTABLISHED ]
fault_ok $? "the legitimate SA is still up and dualiked answers"
dualiked_json gateway stats | jq -c '{packets_in, drops, ikev2_engine}' 2>/dev/null | sed 's/^/# flood stats: /'
