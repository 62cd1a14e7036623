#!/bin/sh
# make-pki.sh DIR - a throw-away test PKI, made at test time with GnuTLS
# certtool (Debian: gnutls-bin). Used by the unit tests (cert_test,
# sig_test), the engines' exchange tests and the interop lab. Nothing here is
# secret; every run makes new keys. Takes a few seconds.
#
# Output in DIR (names are stable: tests and lab scenarios use them):
#
#   ca.pem ca.key               root CA "C=FI,O=dualike test,CN=dualike test root CA"
#   inter.pem inter.key         intermediate CA "...,CN=dualike test intermediate CA",
#                               signed by the root; every end-entity below is
#                               signed by it unless said otherwise
#   cacerts/ca.pem              the CA folder (trust anchors) for `ca = DIR`:
#                               the root only
#   crls/inter.crl              CRL of the intermediate revoking gw-revoked
#   inter.crl                   the same file (for `crl = FILE`)
#
#   End-entity certificates, ROLE = peer | gw (the lab's two ends):
#   ROLE-ALG.pem                the certificate alone (PEM)
#   ROLE-ALG.der                the same, DER
#   ROLE-ALG-chain.pem          the certificate then inter.pem (send both)
#   ROLE-ALG.key                its private key, PEM, mode 0600
#   ALG = rsa (RSA-2048), ecdsa256 (P-256), ecdsa384 (P-384),
#         ecdsa521 (P-521), ed25519
#   Subject DN: "C=FI,O=dualike test,OU=ALG,CN=ROLE.example.org"
#   subjectAltName: DNS:ROLE.example.org, email:ROLE@example.org,
#     IP: peer 192.0.2.1 fd00:d1::1 198.51.100.2; gw 192.0.2.2 fd00:d1::2
#   keyUsage digitalSignature; extendedKeyUsage serverAuth, clientAuth,
#   ipsecIKE (1.3.6.1.5.5.7.3.17)
#
#   Refusal cases (RSA-2048, identity of gw: CN/DNS gw.example.org, IP
#   192.0.2.2; OU names the case), each as NAME.pem NAME.der NAME-chain.pem
#   NAME.key:
#   gw-expired                  valid 2020-01-01 .. 2021-01-01
#   gw-notyet                   valid 2090-01-01 .. 2095-01-01
#   gw-revoked                  listed in inter.crl
#   gw-badku                    keyUsage keyEncipherment only (no signing)
#   gw-badeku                   extendedKeyUsage codeSigning, emailProtection
#                               only (no IKE purpose, RFC 4945 5.1.3.12)
#   Accepted variants: gw-serverauth (extendedKeyUsage serverAuth only, as
#   Windows clients ask of a gateway), gw-noeku (no extendedKeyUsage)
#   inter-stale.crl             CRL of the intermediate revoking gw-revoked,
#                               issued 2020-01-01, next update 2021-01-01
#   gw-unknown                  signed by unknown-ca (not in cacerts/);
#                               unknown-ca.pem unknown-ca.key
#   gw-loop                     signed by loop-a; loop-a.pem is signed by
#                               loop-b and loop-b.pem by loop-a (a cycle,
#                               no anchor): send gw-loop, loop-a, loop-b
#
# All validity periods other than the cases above: 2019-01-01 .. 2099-01-01.
# Exit status 0 when every file was made; otherwise the failing step is
# printed on stderr.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
if ! command -v certtool >/dev/null 2>&1; then
	echo "$0: certtool not found: install the Debian package gnutls-bin (apt-get install gnutls-bin)" >&2
	exit 77
fi

DIR=$1
mkdir -p "$DIR/cacerts" "$DIR/crls"
cd "$DIR"
umask 022
serial=1

log=certtool.log
: > "$log"
run() {
	if ! certtool --no-text "$@" >>"$log" 2>&1; then
		echo "$0: certtool $* failed; see $DIR/$log" >&2
		tail -5 "$log" >&2
		exit 1
	fi
}

# genkey FILE ALG
genkey() {
	case $2 in
	rsa) run --generate-privkey --key-type rsa --bits 2048 --outfile "$1" ;;
	ecdsa256) run --generate-privkey --key-type ecdsa --curve secp256r1 --outfile "$1" ;;
	ecdsa384) run --generate-privkey --key-type ecdsa --curve secp384r1 --outfile "$1" ;;
	ecdsa521) run --generate-privkey --key-type ecdsa --curve secp521r1 --outfile "$1" ;;
	ed25519) run --generate-privkey --key-type ed25519 --outfile "$1" ;;
	*) echo "$0: unknown key type $2" >&2; exit 1 ;;
	esac
	chmod 600 "$1"
}

# ca_template FILE CN [START END]
ca_template() {
	cat > "$1" <<EOF
organization = "dualike test"
country = FI
cn = "$2"
serial = $serial
activation_date = "${3:-2019-01-01 00:00:00 UTC}"
expiration_date = "${4:-2099-01-01 00:00:00 UTC}"
ca
cert_signing_key
crl_signing_key
EOF
	serial=$((serial + 1))
}

# ee_template FILE ROLE OU [START END [KU [EKU]]]
# EKU: the extendedKeyUsage OIDs, space-separated; "none" for no extension
ee_template() {
	cat > "$1" <<EOF
organization = "dualike test"
unit = "$3"
country = FI
cn = "$2.example.org"
dns_name = "$2.example.org"
email = "$2@example.org"
serial = $serial
activation_date = "${4:-2019-01-01 00:00:00 UTC}"
expiration_date = "${5:-2099-01-01 00:00:00 UTC}"
EOF
	for oid in ${7:-1.3.6.1.5.5.7.3.1 1.3.6.1.5.5.7.3.2 1.3.6.1.5.5.7.3.17}; do
		[ "$oid" = none ] || echo "key_purpose_oid = $oid" >> "$1"
	done
	# (certtool's tls_www_server would drop the email SAN: OIDs instead)
	case $2 in
	peer) printf 'ip_address = "192.0.2.1"\nip_address = "fd00:d1::1"\nip_address = "198.51.100.2"\n' >> "$1" ;;
	gw) printf 'ip_address = "192.0.2.2"\nip_address = "fd00:d1::2"\n' >> "$1" ;;
	esac
	if [ "${6:-sign}" = sign ]; then
		echo signing_key >> "$1"
	else
		echo encryption_key >> "$1"
	fi
	serial=$((serial + 1))
}

# ee NAME ROLE ALG OU ISSUER [START END [KU [EKU]]]
ee() {
	genkey "$1.key" "$3"
	ee_template "$1.tmpl" "$2" "$4" "${6:-}" "${7:-}" "${8:-sign}" "${9:-}"
	run --generate-certificate --load-privkey "$1.key" \
		--load-ca-certificate "$5.pem" --load-ca-privkey "$5.key" \
		--template "$1.tmpl" --outfile "$1.pem"
	run --certificate-info --infile "$1.pem" --outder --outfile "$1.der"
	cat "$1.pem" "$5.pem" > "$1-chain.pem"
	rm -f "$1.tmpl"
}

# root and intermediate
genkey ca.key rsa
ca_template ca.tmpl "dualike test root CA"
run --generate-self-signed --load-privkey ca.key --template ca.tmpl --outfile ca.pem
genkey inter.key rsa
ca_template inter.tmpl "dualike test intermediate CA"
run --generate-certificate --load-privkey inter.key --load-ca-certificate ca.pem \
	--load-ca-privkey ca.key --template inter.tmpl --outfile inter.pem
cp ca.pem cacerts/ca.pem

# the lab's end-entity certificates
for role in peer gw; do
	for alg in rsa ecdsa256 ecdsa384 ecdsa521 ed25519; do
		ee "$role-$alg" "$role" "$alg" "$alg" inter
	done
done

# refusal cases
ee gw-expired gw rsa expired inter "2020-01-01 00:00:00 UTC" "2021-01-01 00:00:00 UTC"
ee gw-notyet gw rsa notyet inter "2090-01-01 00:00:00 UTC" "2095-01-01 00:00:00 UTC"
ee gw-revoked gw rsa revoked inter
ee gw-badku gw rsa badku inter "2019-01-01 00:00:00 UTC" "2099-01-01 00:00:00 UTC" encrypt
ee gw-badeku gw rsa badeku inter "2019-01-01 00:00:00 UTC" "2099-01-01 00:00:00 UTC" sign \
	"1.3.6.1.5.5.7.3.3 1.3.6.1.5.5.7.3.4"
ee gw-serverauth gw rsa serverauth inter "2019-01-01 00:00:00 UTC" "2099-01-01 00:00:00 UTC" sign \
	1.3.6.1.5.5.7.3.1
ee gw-noeku gw rsa noeku inter "2019-01-01 00:00:00 UTC" "2099-01-01 00:00:00 UTC" sign none

cat > crl.tmpl <<EOF
crl_next_update = 36500
crl_number = 1
EOF
run --generate-crl --load-ca-privkey inter.key --load-ca-certificate inter.pem \
	--load-certificate gw-revoked.pem --template crl.tmpl --outfile inter.crl
cp inter.crl crls/inter.crl
cat > crl.tmpl <<EOF
crl_this_update_date = "2020-01-01 00:00:00 UTC"
crl_next_update_date = "2021-01-01 00:00:00 UTC"
crl_number = 2
EOF
run --generate-crl --load-ca-privkey inter.key --load-ca-certificate inter.pem \
	--load-certificate gw-revoked.pem --template crl.tmpl --outfile inter-stale.crl

genkey unknown-ca.key rsa
ca_template unknown-ca.tmpl "dualike test unknown CA"
run --generate-self-signed --load-privkey unknown-ca.key --template unknown-ca.tmpl \
	--outfile unknown-ca.pem
ee gw-unknown gw rsa unknown unknown-ca

# a cycle: loop-a signed by loop-b, loop-b signed by loop-a
genkey loop-a.key rsa
genkey loop-b.key rsa
ca_template loop-b.tmpl "dualike test loop CA B"
run --generate-self-signed --load-privkey loop-b.key --template loop-b.tmpl \
	--outfile loop-b-self.pem
ca_template loop-a.tmpl "dualike test loop CA A"
run --generate-certificate --load-privkey loop-a.key --load-ca-certificate loop-b-self.pem \
	--load-ca-privkey loop-b.key --template loop-a.tmpl --outfile loop-a.pem
ca_template loop-b.tmpl "dualike test loop CA B"
run --generate-certificate --load-privkey loop-b.key --load-ca-certificate loop-a.pem \
	--load-ca-privkey loop-a.key --template loop-b.tmpl --outfile loop-b.pem
rm -f loop-b-self.pem
ee gw-loop gw rsa loop loop-a
cat gw-loop.pem loop-a.pem loop-b.pem > gw-loop-chain.pem

rm -f ./*.tmpl
chmod 600 ./*.key
exit 0
