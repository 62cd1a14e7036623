# lib-topology.sh - the scenario's network (sourced by lib.sh).
#
# Two roles: "peer" (the implementation under test against us) and "gateway"
# (dualiked, or a second peer in the baselines). For each role ROLE it sets
#   L_NS[ROLE]     namespace            L_ADDR[ROLE]  its outer address
#   L_SEEN[ROLE]   the address the other role sees it as (NAT: the router's)
#   L_TS[ROLE]     its tunnel-inner subnet, whose first host is on its lo
#   L_ID[ROLE]     its IKE identity (FQDN)
#
# direct, ipv4:  peer e0 192.0.2.1/24 ---- gateway e0 192.0.2.2/24
# direct, ipv6:  peer e0 fd00:d1::1/64 --- gateway e0 fd00:d1::2/64
# nat, ipv4:     peer e0 198.51.100.2/25 -- i0 198.51.100.1/25 router
#                o0 192.0.2.1/24 (masquerade) -- gateway e0 192.0.2.2/24;
#                the gateway has no route to 198.51.100.0/25, it sees only
#                192.0.2.1
# inner subnets: peer 198.51.100.128/26 (fd00:d1:1::/64),
#                gateway 198.51.100.192/26 (fd00:d1:2::/64)

declare -A L_NS L_ADDR L_SEEN L_TS L_ID

# lab_topology TOPOLOGY FAMILY : build it; 0 or 1 with a reason on stderr
lab_topology() {
	local topo=$1 fam=$2 ns r
	L_ID[peer]=peer.example.org
	L_ID[gateway]=gw.example.org
	case $topo/$fam in
	direct/ipv4|nat/ipv4)
		L_TS[peer]=198.51.100.128/26 L_TS[gateway]=198.51.100.192/26 ;;
	direct/ipv6)
		L_TS[peer]=fd00:d1:1::/64 L_TS[gateway]=fd00:d1:2::/64 ;;
	*)
		echo "topology '$topo' with family '$fam' is not supported (direct/ipv4, direct/ipv6, nat/ipv4)" >&2
		return 1 ;;
	esac
	for r in peer gateway; do
		ns=$(lab_ns "$r") || return 1
		L_NS[$r]=$ns
		lab_addr "$ns" lo "$(lab_first_host "${L_TS[$r]}")" || return 1
	done
	case $topo/$fam in
	direct/ipv4)
		lab_veth "${L_NS[peer]}" e0 "${L_NS[gateway]}" e0 &&
		lab_addr "${L_NS[peer]}" e0 192.0.2.1/24 &&
		lab_addr "${L_NS[gateway]}" e0 192.0.2.2/24 || return 1
		L_ADDR[peer]=192.0.2.1 L_ADDR[gateway]=192.0.2.2 ;;
	direct/ipv6)
		lab_veth "${L_NS[peer]}" e0 "${L_NS[gateway]}" e0 &&
		lab_addr "${L_NS[peer]}" e0 fd00:d1::1/64 &&
		lab_addr "${L_NS[gateway]}" e0 fd00:d1::2/64 || return 1
		L_ADDR[peer]=fd00:d1::1 L_ADDR[gateway]=fd00:d1::2 ;;
	nat/ipv4)
		ns=$(lab_ns router) || return 1
		L_NS[router]=$ns
		lab_veth "${L_NS[peer]}" e0 "$ns" i0 &&
		lab_veth "$ns" o0 "${L_NS[gateway]}" e0 &&
		lab_addr "${L_NS[peer]}" e0 198.51.100.2/25 &&
		lab_addr "$ns" i0 198.51.100.1/25 &&
		lab_addr "$ns" o0 192.0.2.1/24 &&
		lab_addr "${L_NS[gateway]}" e0 192.0.2.2/24 &&
		ip -n "${L_NS[peer]}" route add 192.0.2.0/24 via 198.51.100.1 &&
		lab_nat "$ns" i0 o0 || return 1
		L_ADDR[peer]=198.51.100.2 L_ADDR[gateway]=192.0.2.2 ;;
	esac
	L_SEEN[gateway]=${L_ADDR[gateway]}
	L_SEEN[peer]=${L_ADDR[peer]}
	[ "$topo" = nat ] && L_SEEN[peer]=192.0.2.1
	# a second peer (scenario key second_peer), "peer2": its own namespace
	# on a second link to the gateway (gateway e1 -- peer2 e0 192.0.2.3/32,
	# host routes both ways, so the gateway keeps its one address
	# 192.0.2.2), inner subnet 198.51.100.64/26, identity peer2.example.org
	if [ -n "${S[second_peer]:-}" ]; then
		[ "$topo/$fam" = direct/ipv4 ] ||
			{ echo "second_peer needs topology = direct, family = ipv4" >&2; return 1; }
		ns=$(lab_ns peer2) || return 1
		L_NS[peer2]=$ns L_ADDR[peer2]=192.0.2.3 L_SEEN[peer2]=192.0.2.3
		L_TS[peer2]=198.51.100.64/26 L_ID[peer2]=peer2.example.org L_OTHER[peer2]=gateway
		lab_addr "$ns" lo "$(lab_first_host "${L_TS[peer2]}")" &&
		lab_veth "$ns" e0 "${L_NS[gateway]}" e1 &&
		lab_addr "$ns" e0 192.0.2.3/32 &&
		ip -n "$ns" route add 192.0.2.2/32 dev e0 &&
		ip -n "${L_NS[gateway]}" route add 192.0.2.3/32 dev e1 || return 1
	fi
	return 0
}

# lab_first_host SUBNET : its first host as ADDR/32 or ADDR/128
lab_first_host() {
	case $1 in
	*:*) echo "${1%%::/*}::1/128" ;;
	*) local a=${1%/*}; echo "${a%.*}.$((${a##*.} + 1))/32" ;;
	esac
}

# lab_other ROLE : the other role (L_OTHER[ROLE] when set, as in demo.sh)
declare -A L_OTHER
lab_other() {
	if [ -n "${L_OTHER[$1]:-}" ]; then echo "${L_OTHER[$1]}"
	elif [ "$1" = peer ]; then echo gateway
	else echo peer; fi
}

# lab_drop_ip_fragments : (scenario key drop_ip_fragments = yes) every IP
# fragment that reaches the peer's or the gateway's namespace is dropped, as
# on the NATs and firewalls RFC 7383 1 is about: IPv4 packets with More
# Fragments set or a non-zero Fragment Offset, IPv6 packets with a Fragment
# header. Hooked at prerouting priority -500, before the kernel's
# defragmentation (-400) could put them together. Counted per namespace.
lab_drop_ip_fragments() {
	local r
	for r in peer gateway; do
		ip netns exec "${L_NS[$r]}" nft -f - <<NFT || return 1
table inet dualike_no_ipfrag {
	counter dropped { }
	chain prerouting {
		type filter hook prerouting priority -500; policy accept;
		ip frag-off & 0x2000 != 0 counter name dropped drop
		ip frag-off & 0x1fff != 0 counter name dropped drop
		exthdr frag exists counter name dropped drop
	}
}
NFT
	done
}

# lab_ipfrag_dropped ROLE : IP fragments dropped so far on the way into ROLE
lab_ipfrag_dropped() {
	ip netns exec "${L_NS[$1]}" nft -j list counter inet dualike_no_ipfrag dropped 2>/dev/null |
		jq -r '[.nftables[] | select(.counter) | .counter.packets][0] // "(no rule)"'
}
