#!/bin/bash
# xfrm-shim-test.sh - TAP test of the lab's XFRM shim: builds xfrm-shim.c,
# then runs xfrm_shim_probe (built by make check) with the shim preloaded in
# a private network namespace where 192.0.2.1 is local. Needs root (network
# namespaces, and the shim answers through a netlink unicast, which needs
# CAP_NET_ADMIN); skipped with the reason otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
probe=${DUALIKE_BUILDDIR:-.}/testsuite/interop/xfrm_shim_probe
skip() { echo "1..0 # SKIP $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root (a network namespace, CAP_NET_ADMIN)"
[ -x "$probe" ] || skip "xfrm_shim_probe is not built ($probe; make check builds it)"
command -v gcc >/dev/null && command -v unshare >/dev/null && command -v ip >/dev/null ||
	skip "gcc, unshare or ip missing"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xfrm-shim-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$here/lib.sh"
lab_build_shim "$tmp/xfrm-shim.so" || { echo "1..1"; echo "not ok 1 - the shim builds"; sed 's/^/# /' "$tmp/xfrm-shim.so.err"; exit 1; }
unshare --net -- sh -c 'ip link set lo up && ip addr add 192.0.2.1/32 dev lo' 2>"$tmp/ns.err" ||
	skip "no network namespace here: $(head -1 "$tmp/ns.err")"
# an ASan build's runtime must come first; the shim after it is fine
unshare --net -- env LD_PRELOAD="$tmp/xfrm-shim.so" DUALIKE_XFRM_SHIM_LOG="$tmp/xfrm-sa.log" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	sh -c 'ip link set lo up && ip addr add 192.0.2.1/32 dev lo && exec "$0"' "$probe"
rc=$?
exit $rc
