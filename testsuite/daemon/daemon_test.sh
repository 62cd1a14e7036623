#!/bin/bash
# daemon_test.sh - dualiked as a process: configuration check, start, the
# dispatcher routing each version (counted in `dualikectl stats`), the version
# policy, IKEv2 pins and unpin, reload (good and refused), the secrets mode
# check, and shutdown. Loopback only, high ports, every wait bounded. TAP.
set -u
build=${DUALIKE_BUILDDIR:-$(pwd)}
dualiked=$build/src/dualiked
ctl=$build/src/dualikectl
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
check() { local d=$1; shift; "$@" >/dev/null 2>&1; ok $? "$d"; }

if [ ! -x "$dualiked" ] || [ ! -x "$ctl" ]; then
	echo "1..0 # SKIP dualiked/dualikectl not built in $build"; exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/dualike-daemon-test.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
port=$((20000 + $$ % 20000))
sock=$T/run/ctl.sock

daemon_section() { # daemon_section STATE_DIR: what every config here says in [daemon]
	cat <<CONF
[daemon]
listen = 127.0.0.1
ike_port = $port
natt_port = $((port + 1))
kernel = none
control_socket = $sock
state_dir = $1
log_target = stderr
CONF
}

write_conf() { # write_conf EXTRA_CONN_LINE
	{ daemon_section "$T/state"; cat; } > "$T/dualike.conf" <<CONF
keylog = $T/keys
log_level = debug

[conn legacy]
version = ikev1
remote = 127.0.0.2
auth = psk
ike = 3des-md5-modp1024
esp = aes128-sha1
ikev1_mode = aggressive
aggressive_psk_ok = yes

[conn modern]
version = ikev2
remote = 127.0.0.3
auth = psk
ike = aes256gcm16-prfsha256-x25519
esp = aes256gcm16
$1
CONF
}
# ike_header VERSION_BYTE [PREFIX]: a bare 28-byte IKE header (IKE_SA_INIT, length 28)
ike_header() { printf "${2:-}"'\x11\x22\x33\x44\x55\x66\x77\x88\0\0\0\0\0\0\0\0\x21'"$1"'\x22\x08\0\0\0\0\0\0\0\x1c'; }
send_ike() { ike_header "$1" > /dev/udp/127.0.0.1/$port; }
stat_of() { "$ctl" -s "$sock" --json stats | grep -o "\"$1\":{[^}]*}" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
wait_stat() { # wait_stat GROUP KEY VALUE: bounded to 2 s
	for _ in $(seq 1 40); do [ "$(stat_of "$1" "$2")" = "$3" ] && return 0; sleep 0.05; done; return 1
}
wait_stat_ge() { # wait_stat_ge GROUP KEY VALUE: at least VALUE, bounded to 3 s
	local v
	for _ in $(seq 1 60); do v=$(stat_of "$1" "$2"); [ "${v:-0}" -ge "$3" ] && return 0; sleep 0.05; done; return 1
}

write_conf ""
printf '127.0.0.1 ikev2\ndefault any\n' > "$T/peers.policy"
printf '127.0.0.2 : PSK "legacy-secret"\n' > "$T/secrets"
chmod 600 "$T/secrets"

check "--check-config accepts a good configuration" "$dualiked" --check-config -c "$T/dualike.conf"
out=$("$dualiked" --version); [[ $out == dualiked\ * ]]; ok $? "--version prints the version"
out=$("$dualiked" --list-algorithms); echo "$out" | grep -q "x25519.*31"; ok $? "--list-algorithms lists the registry"

cp "$T/dualike.conf" "$T/bad.conf"
printf '\n[conn broken]\nversion = ikev3\nike = aes256-sha999-modp2048\n' >> "$T/bad.conf"
out=$("$dualiked" --check-config -c "$T/bad.conf" 2>&1); rc=$?
[ $rc != 0 ]; ok $? "--check-config refuses a bad configuration (exit $rc)"
line=$(grep -n 'ikev3' "$T/bad.conf" | cut -d: -f1)
echo "$out" | grep -q "bad.conf:$line:"; ok $? "... naming the file and line of the bad version"
echo "$out" | grep -q "sha999"; ok $? "... and the unknown algorithm"

# IKEv1 signs with RSA and ECDSA keys (v1/v1_pubkey.c, RFC 4754): an ECDSA connection passes
# --check-config; an Ed25519 one is named, with why (no IKEv1 method)
src=${DUALIKE_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if command -v certtool >/dev/null && mkdir -p "$T/pki" && sh "$src/testsuite/lib/make-pki.sh" "$T/pki" >/dev/null 2>&1; then
	{ daemon_section "$T/state"; cat; } > "$T/ec.conf" <<CONF
ca = $T/pki/cacerts

[conn ec1]
version = ikev1
remote = 127.0.0.2
auth = pubkey
cert = $T/pki/gw-ecdsa256-chain.pem
key = $T/pki/gw-ecdsa256.key
CONF
	out=$("$dualiked" --check-config -c "$T/ec.conf" 2>/dev/null); rc=$?
	[ $rc = 0 ] && ! echo "$out" | grep -q "refused"
	ok $? "--check-config: an IKEv1 connection with an ECDSA P-256 key is accepted (exit $rc)"
	sed -i 's/ecdsa256/ed25519/g' "$T/ec.conf"
	out=$("$dualiked" --check-config -c "$T/ec.conf" 2>/dev/null); rc=$?
	[ $rc != 0 ]; ok $? "--check-config: an IKEv1 connection with an Ed25519 key is a problem (exit $rc)"
	echo "$out" | grep -q "^connection ec1: refused: .*no authentication method for an Ed25519 key"
	ok $? "... named, with the reason"
	sed -i 's/^version = ikev1/version = auto/' "$T/ec.conf"
	out=$("$dualiked" --check-config -c "$T/ec.conf" 2>/dev/null); rc=$?
	[ $rc = 0 ] && echo "$out" | grep -q "^connection ec1: version = auto: IKEv2 only, the IKEv1 fallback is refused"
	ok $? "... with version = auto: accepted (IKEv2 works), the IKEv1 fallback's refusal printed"
else
	for d in "an ECDSA IKEv1 connection accepted" "an Ed25519 IKEv1 connection refused" "... named" "... version = auto"; do
		n=$((n + 1)); echo "ok $n - $d # SKIP no certtool (testsuite/lib/make-pki.sh)"
	done
fi

chmod 644 "$T/secrets"
out=$("$dualiked" -f -c "$T/dualike.conf" 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "chmod"; ok $? "a secrets file others can read is refused, with the fix named"
chmod 600 "$T/secrets"

# A pin from an earlier run: 127.0.0.1 completed IKEv2 before.
mkdir -p "$T/state" && chmod 700 "$T/state"
printf 'dualike-pins 1\npin 127.0.0.1 1700000000 1700000000\nend 1\n' > "$T/state/pins"
"$dualiked" -f -c "$T/dualike.conf" 2>"$T/log" &
pid=$!
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ]; ok $? "the daemon starts and opens its control socket"
[ "$(stat -c %a "$sock")" = 600 ]; ok $? "control socket is mode 0600"
[ "$(stat -c %a "$T/keys/ikev2_decryption_table" 2>/dev/null)" = 600 ] &&
	[ -f "$T/keys/ikev1_decryption_table" ] && [ -f "$T/keys/esp_sa" ]
ok $? "the opt-in key log's three Wireshark tables exist, mode 0600"
"$ctl" -s "$sock" status | grep -q "kernel backend: none"; ok $? "dualikectl status"
"$ctl" -s "$sock" --json list-conns | grep -q '"name":"modern","version":"ikev2"'; ok $? "list-conns --json"

send_ike '\x20'
wait_stat packets_in ikev2 1; ok $? "an IKEv2 header is routed to the IKEv2 engine and counted"
send_ike '\x10'
wait_stat drops version-policy 1; ok $? "IKEv1 from a peer pinned to IKEv2 is refused and counted"
grep -q "pin of 127.0.0.1" "$T/log"; ok $? "... and the log says which pin refused it"
"$ctl" -s "$sock" pins | grep -q "127.0.0.1 pinned"; ok $? "dualikectl pins lists the pin"
"$ctl" -s "$sock" unpin 127.0.0.1 | grep -q unpinned; ok $? "dualikectl unpin"
grep -q "pin 127.0.0.1" "$T/state/pins"; [ $? != 0 ]; ok $? "the unpin is saved in the state directory"
send_ike '\x10'
wait_stat drops version-policy 2; ok $? "IKEv1 still refused: peers.policy says 127.0.0.1 ikev2"

printf '127.0.0.1 any\ndefault any\n' > "$T/peers.policy"
"$ctl" -s "$sock" reload | grep -q reloaded; ok $? "reload picks up the new policy"
send_ike '\x10'
wait_stat packets_in ikev1 1; ok $? "after reload, IKEv1 is routed to the IKEv1 engine"
send_ike '\x30'
wait_stat drops higher-major-version 1; ok $? "IKE 3.0 is counted as a higher major version"
# On the NAT-T port: the non-ESP marker then IKE reaches the engine. (A 0xFF
# keepalive never does: the kernel's UDP_ENCAP handler swallows it.)
ike_header '\x20' '\0\0\0\0' > /dev/udp/127.0.0.1/$((port + 1))
wait_stat packets_in ikev2 2; ok $? "marker + IKEv2 on the NAT-T port reaches the IKEv2 engine"
printf 'garbage' > /dev/udp/127.0.0.1/$port
wait_stat drops too-short 1; ok $? "a short datagram is dropped and counted"

cp "$T/bad.conf" "$T/dualike.conf"
out=$("$ctl" -s "$sock" reload 2>&1); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "ikev3"; ok $? "a bad reload is refused with its problems"
"$ctl" -s "$sock" --json status | grep -q '"connections":2'; ok $? "... and the running configuration stays"
"$ctl" -s "$sock" migration-report | grep -q "Aggressive Mode with a pre-shared key"; ok $? "migration-report flags aggressive mode with PSK"
"$ctl" -s "$sock" --json migration-report | grep -q '"connection":"modern".*"ready_for_ikev2":true'; ok $? "migration-report --json: the IKEv2 peer is ready"
"$ctl" -s "$sock" up nosuch >/dev/null 2>&1; [ $? = 1 ]; ok $? "up of an unknown connection fails with status 1"
"$ctl" -s "$sock" nonsense >/dev/null 2>&1; [ $? = 2 ]; ok $? "an unknown command gives status 2"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ $rc = 0 ]; ok $? "SIGTERM stops the daemon cleanly"
[ ! -e "$sock" ]; ok $? "the control socket is removed"

# version = auto towards a peer that never answers IKEv2: fall back to IKEv1
# (DESIGN.md "Versions per peer"); 127.0.0.9 has no IKE daemon.
{ daemon_section "$T/state-auto"; cat; } > "$T/auto.conf" <<CONF
retransmit_tries = 2
retransmit_timeout = 100ms

[conn silent]
version = auto
local = 127.0.0.1
remote = 127.0.0.9
auth = psk
ike = aes256-sha256-modp2048
esp = aes256-sha256
CONF
"$dualiked" -f -c "$T/auto.conf" 2>"$T/auto.log" &
pid=$!
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
"$ctl" -s "$sock" up silent | grep -q "IKEv2"; ok $? "up of a version = auto connection initiates IKEv2"
wait_stat_ge packets_out ikev1 1; ok $? "IKE_SA_INIT never answered: IKEv1 Main Mode goes out instead"
grep -q "never answered; fall back to IKEv1" "$T/auto.log"; ok $? "... and the log says why"
wait_stat_ge packets_out ikev2 2; ok $? "IKEv2 was tried first (initial send + 1 retransmission)"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ $rc = 0 ]; ok $? "SIGTERM stops the daemon cleanly"
[ ! -e "$sock" ]; ok $? "the control socket is removed"
echo "1..$n"
[ $failed = 0 ]
