#!/bin/bash
# keys-match-test.sh - TAP tests of the key oracle (keys-match.sh) on made-up
# SA records, and on Wireshark's own esp_sa sample when the vectors folder
# is there (DUALIKE_VECTORS). Needs no root and no peers.
set -u
here=$(cd "$(dirname "$0")" && pwd)
km=$here/keys-match.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keys-match-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$tmp/out"; }

# check NAME WANT_RC REGEX ARGS... : keys-match.sh ARGS exits WANT_RC and
# its output matches REGEX (extended, one line)
check() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	"$km" "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$re" "$tmp/out"; then ok "$name"; else
		echo "exit $rc, wanted $want; wanted a line matching: $re" >>"$tmp/out"; not_ok "$name"; fi
}

K1=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff01020304
K2=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100a1a2a3a4
E1=000102030405060708090a0b0c0d0e0f
A1=101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f
E2=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
A2=e0e1e2e3e4e5e6e7e8e9eaebecedeeefd0d1d2d3d4d5d6d7d8d9dadbdcdddedf

# sa OP SPI SRC DST DIR ALGS... : one shim log line
sa() {
	local op=$1 spi=$2 src=$3 dst=$4 dir=$5
	shift 5
	echo "sa op=$op proto=esp spi=$spi src=$src dst=$dst dir=$dir mode=tunnel reqid=1 $* comp=none encap=none esn=0"
}
gcm() { echo "enc=none auth=none aead=rfc4106(gcm(aes)):$1:128"; }
cbc() { echo "enc=cbc(aes):$1 auth=hmac(sha256):$2:${3:-128} aead=none"; }

# gateway 192.0.2.2 and peer 192.0.2.1, AES-GCM-256, one SA each way
{ echo "allocspi proto=esp spi=0x0000a001 dst=192.0.2.2"
  sa NEWSA 0x0000b001 192.0.2.2 192.0.2.1 out "$(gcm $K2)"
  sa UPDSA 0x0000a001 192.0.2.1 192.0.2.2 in "$(gcm $K1)"
  echo "delsa proto=esp spi=0x0000a001 dst=192.0.2.2"; } >"$tmp/gw.log"
{ sa NEWSA 0x0000a001 192.0.2.1 192.0.2.2 out "$(gcm $K1)"
  sa UPDSA 0x0000b001 192.0.2.2 192.0.2.1 in "$(gcm $K2)"; } >"$tmp/peer.log"
check "two shim logs with equal keys match" 0 '^2 SA pairs match, 0 mismatched$' "$tmp/gw.log" "$tmp/peer.log"
check "a MATCH line names SPI, addresses and algorithm" 0 '^MATCH +esp spi=0x0000a001 192\.0\.2\.1->192\.0\.2\.2 \(B out, A in\): aead=rfc4106\(gcm\(aes\)\) 128$' "$tmp/gw.log" "$tmp/peer.log"

sed 's/aead=rfc4106(gcm(aes)):0/aead=rfc4106(gcm(aes)):1/' "$tmp/peer.log" >"$tmp/flip.log"
check "a flipped key digit is a MISMATCH naming the field" 1 "^MISMATCH esp spi=0x0000a001 .*aead differs: B=rfc4106\\(gcm\\(aes\\)\\):1.* A=rfc4106\\(gcm\\(aes\\)\\):0" "$tmp/gw.log" "$tmp/flip.log"
check "the flipped key's summary" 1 '^1 SA pairs match, 1 mismatched$' "$tmp/gw.log" "$tmp/flip.log"

sed 's/:128 comp/:96 comp/' "$tmp/peer.log" >"$tmp/icv.log"
check "a different ICV length is a MISMATCH" 1 'aead differs' "$tmp/gw.log" "$tmp/icv.log"

grep -v 'spi=0x0000b001' "$tmp/peer.log" >"$tmp/missing.log"
check "an outbound SA the other side lacks is MISSING" 1 '^MISSING +esp spi=0x0000b001 192\.0\.2\.2->192\.0\.2\.1: A installed it outbound, B has no such SA$' "$tmp/gw.log" "$tmp/missing.log"

sed 's/UPDSA proto=esp spi=0x0000b001 src=192.0.2.2 dst=192.0.2.1 dir=in/UPDSA proto=esp spi=0x0000b001 src=192.0.2.2 dst=192.0.2.1 dir=out/' "$tmp/peer.log" >"$tmp/dir.log"
check "the same SA outbound on both sides is a MISMATCH" 1 'dir differs' "$tmp/gw.log" "$tmp/dir.log"

grep 'spi=0x0000a001 .* dir=in' "$tmp/gw.log" >"$tmp/gw1.log"; grep 'spi=0x0000a001' "$tmp/peer.log" >"$tmp/peer1.log"
check "one direction only is not enough (N >= 2)" 1 '^1 SA pairs match, 0 mismatched$' "$tmp/gw1.log" "$tmp/peer1.log"

sed 's/dst=192.0.2.1 dir=out/dst=192.0.2.1 dir=?/; s/src=192.0.2.2 dst=192.0.2.1 dir=in/src=192.0.2.2 dst=192.0.2.1 dir=?/' "$tmp/gw.log" >"$tmp/gwq.log"
check "dir=? is decided by -a" 0 '^2 SA pairs match, 0 mismatched$' -a 192.0.2.2 "$tmp/gwq.log" "$tmp/peer.log"

# the key log: dualiked's esp_sa table (common/keylog.c keylog_fmt_esp)
mkdir -m 700 "$tmp/keylog"
{ echo "\"IPv4\",\"192.0.2.2\",\"192.0.2.1\",\"0x0000b002\",\"AES-CBC [RFC3602]\",\"0x$E2\",\"HMAC-SHA-256-128 [RFC4868]\",\"0x$A2\""
  echo "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x0000a002\",\"AES-CBC [RFC3602]\",\"0x$E1\",\"HMAC-SHA-256-128 [RFC4868]\",\"0x$A1\""
  echo "\"IPv4\",\"192.0.2.2\",\"192.0.2.1\",\"0x0000b003\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x${K2^^}\",\"NULL\",\"\""
  echo "\"IPv4\",\"192.0.2.1\",\"192.0.2.2\",\"0x0000a003\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x$K1\",\"NULL\",\"\""
} >"$tmp/keylog/esp_sa"
{ sa NEWSA 0x0000a002 192.0.2.1 192.0.2.2 out "$(cbc $E1 $A1)"
  sa UPDSA 0x0000b002 192.0.2.2 192.0.2.1 in "$(cbc $E2 $A2)"
  sa NEWSA 0x0000a003 192.0.2.1 192.0.2.2 out "$(gcm $K1)"
  sa UPDSA 0x0000b003 192.0.2.2 192.0.2.1 in "$(gcm $K2)"; } >"$tmp/peer2.log"
check "a key log folder and a shim log match (AES-CBC/HMAC-SHA-256-128, AES-GCM-16)" 0 '^4 SA pairs match, 0 mismatched$' -a 192.0.2.2 "$tmp/keylog" "$tmp/peer2.log"
check "Wireshark's HMAC-SHA-256-128 is the kernel's hmac(sha256) with 128 bits" 0 '^MATCH +esp spi=0x0000b002 .*: enc=cbc\(aes\) auth=hmac\(sha256\) 128$' -a 192.0.2.2 "$tmp/keylog" "$tmp/peer2.log"
sed 's/:128 aead=none/:96 aead=none/' "$tmp/peer2.log" >"$tmp/peer96.log"
check "hmac(sha256) truncated to 96 bits is not HMAC-SHA-256-128" 1 '^MISMATCH esp spi=0x0000a002 .*auth differs' -a 192.0.2.2 "$tmp/keylog" "$tmp/peer96.log"
check "a key log without its addresses is not judged" 1 'NOTE +A: 4 SA\(s\) of unknown direction' "$tmp/keylog/esp_sa" "$tmp/peer2.log"
check "an SA of unknown direction is no inbound partner" 1 '^MISMATCH esp spi=0x0000a002 .*dir differs: B=out A=\?' "$tmp/keylog/esp_sa" "$tmp/peer2.log"

# NAT: the peer logs its inside address, the gateway sees the router's
sed 's/192\.0\.2\.1/198.51.100.2/g' "$tmp/peer2.log" >"$tmp/nat.log"
check "without -n a NAT's addresses do not pair" 1 'MISSING' -a 192.0.2.2 "$tmp/keylog" "$tmp/nat.log"
check "-n pairs by SPI across a NAT" 0 '^4 SA pairs match, 0 mismatched$' -n -a 192.0.2.2 "$tmp/keylog" "$tmp/nat.log"

check "an unreadable side is a usage error" 2 'cannot read' "$tmp/nothing" "$tmp/peer.log"

# Wireshark's own sample table, paired with shim lines made from it
tmpl=${DUALIKE_VECTORS:-$here/../../../shared/vectors}/captures/wireshark/esp_sa.tmpl
if [ -f "$tmpl" ]; then
	awk -F, '{ for (i = 1; i <= NF; i++) gsub(/"/, "", $i); out = ($2 == "192.168.0.100") ? "out" : "in"
		printf "sa op=NEWSA proto=esp spi=%s src=%s dst=%s dir=%s mode=tunnel reqid=1 enc=cbc(aes):%s auth=hmac(sha1):%s:96 aead=none comp=none encap=none esn=0\n",
			$4, $2, $3, out, substr($6, 3), substr($8, 3) }' "$tmpl" >"$tmp/ws.log"
	check "Wireshark's esp_sa sample (AES-CBC, HMAC-SHA-1-96) is read" 0 '^2 SA pairs match, 0 mismatched$' -a 192.168.0.1 "$tmpl" "$tmp/ws.log"
else
	n=$((n + 1)); echo "ok $n - Wireshark's esp_sa sample # SKIP no vectors folder ($tmpl)"
fi

echo "1..$n"
[ $failed = 0 ]
