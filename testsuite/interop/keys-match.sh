#!/bin/bash
# keys-match.sh - the interop lab's key-equality oracle: did two IKE peers
# install the same child SAs, direction by direction?
#
#   keys-match.sh [-n] [-a ADDRS] [-b ADDRS] SIDE_A SIDE_B
#
# A SIDE is what one peer installed, in one of two forms:
#   * the XFRM shim's SA log (xfrm-shim.c, DUALIKE_XFRM_SHIM_LOG): lines
#     "sa op=NEWSA|UPDSA proto= spi= src= dst= dir= mode= reqid= enc= auth=
#     aead= comp= encap= esn=";
#   * dualiked's key log: its folder (`[daemon] keylog`) or the esp_sa file in
#     it, Wireshark's ESP SA table: "IPv4","SRC","DST","0xSPI","ENCR NAME",
#     "0xKEY","AUTH NAME","0xKEY" (common/keylog.c keylog_fmt_esp), whose
#     names are mapped to the kernel's (see wireshark_to_kernel below).
# -a/-b ADDRS: the side's own addresses (comma separated). An SA whose src
#   is one of them is outbound, one whose dst is, inbound. A key log does not
#   say which way an SA goes, so its side needs them; a shim log says (dir=)
#   and uses them only where it could not tell (dir=?).
# -n: a NAT is between the sides, so each sees the other at another address:
#   SAs are paired by protocol and SPI only, and addresses are not compared.
#
# For every SA a side installed outbound, the other side must have installed
# the same protocol/SPI/destination inbound, with equal algorithms, keys and
# ICV lengths (and mode, compression, encapsulation and ESN where both sides
# record them). Prints one line per outbound SA:
#   MATCH      esp spi=0x... SRC->DST (A out, B in): the algorithms
#   MISMATCH   esp spi=0x... SRC->DST: FIELD differs: A=VALUE B=VALUE
#   MISSING    esp spi=0x... SRC->DST: A installed it outbound, B has no such SA
# NOTE lines for what is not judged (an inbound SA nobody sent on, SAs of
# unknown direction), then "N SA pairs match, M mismatched" (MISSING counts
# as mismatched). Exit 0 only if M = 0 and N >= 2 (one SA per direction at
# least); 1 otherwise; 2 on a usage error or an unreadable side.
# Where an SA was installed more than once (NEWSA then UPDSA), the last one
# counts.
set -u

usage() { echo "usage: $0 [-n] [-a ADDRS] [-b ADDRS] SIDE_A SIDE_B" >&2; exit 2; }

nat=0 addrs_a= addrs_b=
while getopts na:b: o; do
	case $o in
	n) nat=1 ;;
	a) addrs_a=$OPTARG ;;
	b) addrs_b=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 2 ] || usage

# side_file SIDE : the file to read (a key log folder holds esp_sa)
side_file() {
	if [ -d "$1" ]; then echo "$1/esp_sa"; else echo "$1"; fi
}

# normalize TAG FILE ADDRS : one record per SA on stdout, fields separated
# by tabs: TAG proto spi src dst dir mode enc auth aead comp encap esn;
# "-" where the source does not record a field
normalize() {
	local tag=$1 file=$2 addrs=$3
	awk -v tag="$tag" -v addrs="$addrs" -v OFS='\t' '
	BEGIN {
		n = split(addrs, a, ",")
		for (i = 1; i <= n; i++) if (a[i] != "") own[a[i]] = 1
	}
	function way(src, dst, dir) {
		if (dir == "in" || dir == "out") return dir
		if (src in own && !(dst in own)) return "out"
		if (dst in own && !(src in own)) return "in"
		return "?"
	}
	# Wireshark ESP SA table names (common/keylog.c) in the kernel words the
	# shim logs: NAME:KEY for a cipher, NAME:KEY:ICVBITS for integrity and
	# AEAD. "*" stands for any integrity algorithm with that ICV length
	# (Wireshark has one name for AES-XCBC-96 and AES-CMAC-96).
	function encr(name, key) {
		if (name == "NULL") return "enc=ecb(cipher_null):" key
		if (name == "TripleDES-CBC [RFC2451]") return "enc=cbc(des3_ede):" key
		if (name == "AES-CBC [RFC3602]") return "enc=cbc(aes):" key
		if (name == "AES-CTR [RFC3686]") return "enc=rfc3686(ctr(aes)):" key
		if (match(name, /^AES-GCM with (8|12|16) octet ICV \[RFC4106\]$/)) {
			split(name, w, " ")
			return "aead=rfc4106(gcm(aes)):" key ":" (w[3] * 8)
		}
		if (name == "ChaCha20 with Poly1305 [RFC7634]")
			return "aead=rfc7539esp(chacha20,poly1305):" key ":128"
		return "enc=unknown(" name "):" key
	}
	function integ(name, key) {
		if (name == "NULL") return "none"
		if (name == "HMAC-MD5-96 [RFC2403]") return "hmac(md5):" key ":96"
		if (name == "HMAC-SHA-1-96 [RFC2404]") return "hmac(sha1):" key ":96"
		if (name == "HMAC-SHA-256-128 [RFC4868]") return "hmac(sha256):" key ":128"
		if (name == "HMAC-SHA-384-192 [RFC4868]") return "hmac(sha384):" key ":192"
		if (name == "HMAC-SHA-512-256 [RFC4868]") return "hmac(sha512):" key ":256"
		if (name == "ANY 96 bit authentication [no checking]") return "*:" key ":96"
		return "unknown(" name "):" key
	}
	function hex(v) { v = tolower(v); sub(/^0x/, "", v); return v }
	# the shim log
	/^sa op=(NEWSA|UPDSA) / {
		delete f
		for (i = 3; i <= NF; i++) {
			eq = index($i, "=")
			if (eq > 1) f[substr($i, 1, eq - 1)] = substr($i, eq + 1)
		}
		print tag, f["proto"], tolower(f["spi"]), f["src"], f["dst"],
			way(f["src"], f["dst"], f["dir"]), f["mode"], f["enc"], f["auth"],
			f["aead"], f["comp"], f["encap"], ("esn" in f ? f["esn"] : "-")
		next
	}
	# the key log: "IPv4","SRC","DST","0xSPI","ENCR","0xKEY","AUTH","0xKEY"
	/^"IPv[46]",/ {
		line = $0
		sub(/^"/, "", line); sub(/"[ \t\r]*$/, "", line)
		if (split(line, c, "\",\"") != 8) { print "bad " FILENAME ": " FNR > "/dev/stderr"; next }
		e = encr(c[5], hex(c[6]))
		enc = "none"; aead = "none"
		if (e ~ /^aead=/) aead = substr(e, 6); else enc = substr(e, 5)
		spi = hex(c[4])
		while (length(spi) < 8) spi = "0" spi
		spi = "0x" spi
		print tag, "esp", spi, c[2], c[3], way(c[2], c[3], "?"), "-", enc,
			integ(c[7], hex(c[8])), aead, "-", "-", "-"
	}
	' "$file"
}

fa=$(side_file "$1") fb=$(side_file "$2")
for f in "$fa" "$fb"; do
	[ -r "$f" ] || { echo "keys-match: cannot read $f" >&2; exit 2; }
done

{ normalize A "$fa" "$addrs_a"; normalize B "$fb" "$addrs_b"; } | awk -F'\t' -v nat="$nat" '
	BEGIN {
		# the fields compared, and their columns in a record
		nf = split("src dst mode enc auth aead comp encap esn", names, " ")
		split("4 5 7 8 9 10 11 12 13", cols, " ")
		for (i = 1; i <= nf; i++) col[names[i]] = cols[i] + 0
	}
	{
		k = $2 " " $3 (nat ? "" : " " $5)
		if (!(($1, k) in rec)) order[$1, ++count[$1]] = k
		rec[$1, k] = $0
	}
	# does value X equal Y? "-" is unknown (equal to anything); "*:" in an
	# integrity value stands for any algorithm name
	function same(x, y) {
		if (x == y || x == "-" || y == "-") return 1
		if (x ~ /^\*:/) { sub(/^[^:]*:/, "", y); return substr(x, 3) == y }
		if (y ~ /^\*:/) { sub(/^[^:]*:/, "", x); return substr(y, 3) == x }
		return 0
	}
	# "NAME:KEY[:BITS]" without the key, for the MATCH line
	function alg(label, v,   p, n) {
		if (v == "none") return ""
		n = split(v, p, ":")
		return " " label "=" p[1] (n >= 3 ? " " p[3] : "")
	}
	function algs(f) { return alg("enc", f[8]) alg("auth", f[9]) alg("aead", f[10]) }
	END {
		match_n = 0; bad_n = 0
		for (si = 1; si <= 2; si++) {
			me = si == 1 ? "A" : "B"; them = si == 1 ? "B" : "A"
			for (j = 1; j <= count[me]; j++) {
				k = order[me, j]
				split(rec[me, k], f, "\t")
				what = f[2] " spi=" f[3] " " f[4] "->" f[5]
				if (f[6] == "?") { unknown[me]++; continue }
				if (f[6] != "out") {
					if (!((them, k) in rec)) { orphan[me]++ }
					continue
				}
				if (!((them, k) in rec)) {
					print "MISSING  " what ": " me " installed it outbound, " them " has no such SA"
					bad_n++; continue
				}
				split(rec[them, k], g, "\t")
				why = ""
				if (g[6] != "in") why = "  dir differs: " me "=out " them "=" g[6]
				for (i = 1; i <= nf; i++) {
					c = col[names[i]]
					if (nat && (names[i] == "src" || names[i] == "dst" || names[i] == "encap")) continue
					if (!same(f[c], g[c]))
						why = why "  " names[i] " differs: " me "=" f[c] " " them "=" g[c]
				}
				if (why != "") { print "MISMATCH " what ":" why; bad_n++ }
				else { print "MATCH    " what " (" me " out, " them " in):" algs(f); match_n++ }
			}
		}
		for (si = 1; si <= 2; si++) {
			me = si == 1 ? "A" : "B"
			if (orphan[me]) print "NOTE     " me ": " orphan[me] " inbound SA(s) the other side did not install outbound"
			if (unknown[me]) print "NOTE     " me ": " unknown[me] " SA(s) of unknown direction, not judged (give -" tolower(me) " ADDRS)"
		}
		print match_n " SA pairs match, " bad_n " mismatched"
		exit !(bad_n == 0 && match_n >= 2)
	}'
