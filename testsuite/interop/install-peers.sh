#!/bin/bash
# install-peers.sh - install the interop lab's peers on Debian 12 (as root).
#
#   testsuite/interop/install-peers.sh [--check]
#
# strongSwan 5.9.8 and the lab's tools come from apt (the list is
# dev/packages-interop.txt). Libreswan 4.10 cannot be installed beside
# strongSwan (its package declares Conflicts: ike-server,
# strongswan-libcharon, strongswan-starter), so its .deb is fetched with
# `apt-get download` and unpacked with `dpkg -x` into $DUALIKE_LIBRESWAN
# (default /opt/dualike-lab/libreswan); its shared libraries are ordinary
# packages and come from apt. Nothing is fetched from anywhere but the
# configured Debian mirror. Idempotent: when everything is there it only
# checks (well under a second). --check: say what is missing, exit 1 if
# anything is, install nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
list=$src/dev/packages-interop.txt
ls_root=${DUALIKE_LIBRESWAN:-/opt/dualike-lab/libreswan}
check_only=
[ "${1:-}" = --check ] && check_only=1

missing=()
while read -r pkg; do
	case $pkg in ''|'#'*) continue ;; esac
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$pkg")
done <"$list"
have_ls=
[ -x "$ls_root/usr/libexec/ipsec/pluto" ] && have_ls=1

if [ -n "$check_only" ]; then
	[ ${#missing[@]} = 0 ] || echo "missing packages: ${missing[*]}"
	[ -n "$have_ls" ] || echo "missing: Libreswan in $ls_root"
	[ ${#missing[@]} = 0 ] && [ -n "$have_ls" ]
	exit
fi
[ "$(id -u)" = 0 ] || { echo "install-peers.sh: run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# A package's maintainer script may try to start a service (an IKE daemon in
# the root namespace is not wanted): refuse service starts while we install,
# unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d made_policy=
restore() { [ -z "$made_policy" ] || rm -f "$policy"; }
trap restore EXIT
if [ ${#missing[@]} != 0 ] || [ -z "$have_ls" ]; then
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\n# dualike install-peers.sh: no service starts\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made_policy=1
	fi
	timeout 600 apt-get update -qq
fi
if [ ${#missing[@]} != 0 ]; then
	echo "install-peers.sh: apt-get install ${missing[*]}"
	timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -z "$have_ls" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/dualike-libreswan.XXXXXX")
	trap 'rm -rf "$tmp"; restore' EXIT
	chmod 755 "$tmp"      # apt's download sandbox user must write here
	(cd "$tmp" && timeout 300 apt-get download -qq libreswan)
	deb=$(echo "$tmp"/libreswan_*.deb)
	[ -f "$deb" ] || { echo "install-peers.sh: apt-get download libreswan gave no .deb" >&2; exit 1; }
	rm -rf "$ls_root.new"
	mkdir -p "$ls_root.new"
	dpkg -x "$deb" "$ls_root.new"
	cp "$deb" "$ls_root.new/"
	rm -rf "$ls_root"
	mv "$ls_root.new" "$ls_root"
	echo "install-peers.sh: unpacked $(basename "$deb") into $ls_root"
fi

# Every shared library pluto, whack and addconn need must resolve.
for b in pluto whack addconn; do
	if ldd "$ls_root/usr/libexec/ipsec/$b" | grep 'not found'; then
		echo "install-peers.sh: $b has unresolved libraries (see above)" >&2
		exit 1
	fi
done
echo "strongSwan $(dpkg-query -W -f='${Version}' strongswan-charon), $("$ls_root/usr/libexec/ipsec/pluto" --version 2>&1 | head -1) in $ls_root"
