# lib-scenario.sh - reading a scenario file and judging its expectations
# (sourced by run-scenarios.sh). The format is in README.md beside this file.

declare -A S            # scenario settings
POLICY=()               # peers.policy lines for dualiked
EXPECT=()               # "SUBJECT OP VALUE"
AFTER=()                # expectations judged after the action

scn_keys=" name description skip topology family peer gateway version mode ike esp pfs initiator timeout peer_kernel gateway_kernel libreswan_ike libreswan_esp strongswan_ike action peer_local_ts peer_remote_ts gateway_local_ts gateway_remote_ts second_peer limit auth gateway_cert peer_cert signature drop_ip_fragments "

# auth = pubkey: one test PKI per scenario (testsuite/lib/make-pki.sh) in
# $LAB_DIR/pki; lab_cert ROLE names the role's make-pki.sh certificate
# (gateway_cert, default gw-rsa; peer_cert, default peer-rsa: NAME.pem,
# NAME-chain.pem with the intermediate, NAME.key). Besides make-pki.sh's
# files, peer-expired (the peer's identity, expired in 2021).
lab_pki() {
	[ -f "$LAB_DIR/pki/peer-expired.pem" ] && return 0
	sh "$LAB_HOME/../lib/make-pki.sh" "$LAB_DIR/pki" >"$LAB_DIR/pki.log" 2>&1 ||
		{ echo "make-pki.sh failed: $(tail -3 "$LAB_DIR/pki.log")" >&2; return 1; }
	# peer-expired: the peer's identity, valid 2020-01-01 .. 2021-01-01
	(cd "$LAB_DIR/pki" && printf '%s\n' 'organization = "dualike test"' 'unit = "expired"' \
		'cn = "peer.example.org"' 'dns_name = "peer.example.org"' signing_key tls_www_client \
		'activation_date = "2020-01-01 00:00:00 UTC"' 'expiration_date = "2021-01-01 00:00:00 UTC"' \
		>peer-expired.tmpl && umask 077 &&
		certtool --generate-privkey --key-type rsa --bits 2048 --outfile peer-expired.key &&
		certtool --generate-certificate --load-privkey peer-expired.key --load-ca-certificate inter.pem \
			--load-ca-privkey inter.key --template peer-expired.tmpl --outfile peer-expired.pem &&
		cat peer-expired.pem inter.pem >peer-expired-chain.pem) >>"$LAB_DIR/pki.log" 2>&1 ||
		{ echo "certtool (peer-expired) failed: $(tail -3 "$LAB_DIR/pki.log")" >&2; return 1; }
}
lab_cert() { if [ "$1" = peer ]; then echo "${S[peer_cert]:-peer-rsa}"; else echo "${S[gateway_cert]:-gw-rsa}"; fi; }

trim() { local v=$1; v=${v#"${v%%[![:space:]]*}"}; echo "${v%"${v##*[![:space:]]}"}"; }

# scn_read FILE : fill S, POLICY, EXPECT; 1 with "FILE:LINE: problem" on stderr
scn_read() {
	local f=$1 n=0 line key val bad=0
	S=([topology]=direct [family]=ipv4 [gateway]=dualiked [version]=ikev2
		[ike]=aes256-sha256-modp2048 [esp]=aes256gcm16 [pfs]=none
		[initiator]=peer [timeout]=15)
	S[name]=$(basename "$f" .scn)
	POLICY=() EXPECT=() AFTER=()
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=$(trim "${line%%#*}")
		[ -n "$line" ] || continue
		case $line in *=*) ;; *)
			echo "$f:$n: expected 'key = value'" >&2; bad=1; continue ;;
		esac
		key=$(trim "${line%%=*}") val=$(trim "${line#*=}")
		case $key in
		expect) EXPECT+=("$val") ;;
		after) AFTER+=("$val") ;;
		policy) POLICY+=("$val") ;;
		dualiked_conn|libreswan_conn|dualiked_daemon)   # lines added to that daemon's conn "lab" ([daemon])
			S[$key]+="${S[$key]:+$'\n'}$val" ;;
		*)
			if [[ $scn_keys == *" $key "* ]]; then S[$key]=$val
			else echo "$f:$n: unknown key '$key'" >&2; bad=1; fi ;;
		esac
	done <"$f"
	[ "${S[initiator]}" = dualiked ] && S[initiator]=gateway
	[ "${S[version]}" = ikev1 ] && S[mode]=${S[mode]:-main}
	case ${S[peer]:-} in strongswan|libreswan) ;; *)
		echo "$f: peer must be strongswan or libreswan" >&2; bad=1 ;; esac
	case ${S[gateway]} in dualiked|strongswan|libreswan) ;; *)
		echo "$f: gateway must be dualiked, strongswan or libreswan" >&2; bad=1 ;; esac
	case ${S[version]} in ikev1|ikev2) ;; *)
		echo "$f: version must be ikev1 or ikev2" >&2; bad=1 ;; esac
	case ${S[mode]:-main} in main|aggressive) ;; *)
		echo "$f: mode must be main or aggressive" >&2; bad=1 ;; esac
	case ${S[second_peer]:-strongswan ikev2} in strongswan\ ikev[12]|libreswan\ ikev[12]) ;; *)
		echo "$f: second_peer must be 'strongswan|libreswan ikev1|ikev2'" >&2; bad=1 ;; esac
	case ${S[drop_ip_fragments]:-no} in yes|no) ;; *)
		echo "$f: drop_ip_fragments must be yes or no" >&2; bad=1 ;; esac
	case ${S[initiator]} in peer|gateway) ;; *)
		echo "$f: initiator must be peer, gateway or dualiked" >&2; bad=1 ;; esac
	[[ ${S[timeout]} =~ ^[0-9]+$ ]] || { echo "$f: timeout must be whole seconds" >&2; bad=1; }
	[[ ${S[limit]:-0} =~ ^[0-9]+$ ]] || { echo "$f: limit must be whole seconds" >&2; bad=1; }
	[ ${#EXPECT[@]} -gt 0 ] || { echo "$f: no expect lines" >&2; bad=1; }
	case ${S[action]:-} in ''|gateway\ *|peer\ *) ;; *)
		echo "$f: action must be 'gateway COMMAND...' or 'peer COMMAND...'" >&2; bad=1 ;; esac
	if [ -n "${S[action]:-}" ] && [ ${#AFTER[@]} -eq 0 ]; then
		echo "$f: an action needs 'after' lines to judge it" >&2; bad=1
	fi
	return $bad
}

declare -A scn_cache    # one evaluation round's command outputs

# scn_value SUBJECT : the current value of SUBJECT (see README.md); for
# ROLE.log subjects the log's path
scn_value() {
	local subj=$1 role=${1%%.*} what=${1#*.} kind cmd path len=
	case $role in
	keys)   # the key oracle between the gateway and the peer (keys-match.sh)
		scn_key_oracle "$what"; return ;;
	dualiked)
		[ "${S[gateway]}" = dualiked ] || { echo "(no dualiked in this scenario)"; return; }
		role=gateway ;;
	peer|gateway|peer2) ;;
	*) echo "(unknown subject $subj)"; return ;;
	esac
	kind=${L_KIND[$role]}
	case $what in
	ike_state) "${kind}_ike_state" "$role"; return ;;
	child_state) "${kind}_child_state" "$role"; return ;;
	log) "${kind}_log" "$role"; return ;;
	xfrm.log) echo "${L_DIR[$role]}/xfrm-sa.log"; return ;;   # the shim's SA log (its path)
	ipfrag_dropped) lab_ipfrag_dropped "$role"; return ;;     # drop_ip_fragments = yes
	xfrm_sas)   # SAs the XFRM shim answered for this role (Libreswan)
		grep -cE '^sa op=(NEWSA|UPDSA) ' "${L_DIR[$role]}/xfrm-sa.log" 2>/dev/null || true; return ;;
	xfrm_policy)   # the role's kernel IPsec policies: "SRC>DST:DIR ..." sorted
		ip -n "${L_NS[$role]}" xfrm policy 2>/dev/null | awk '$1 == "src" && $3 == "dst" { s = $2; d = $4 }
			$1 == "dir" && s != "" { print s ">" d ":" $2; s = "" }' | sort | tr '\n' ' '; return ;;
	esac
	if [ "$kind" != dualiked ]; then echo "(unknown subject $subj)"; return; fi
	cmd=stats path=$what
	case ${what%%.*} in
	stats|status|list-sas|list-conns|migration-report|pins)
		cmd=${what%%.*} path=${what#*.}; [ "$path" = "$what" ] && path= ;;
	esac
	case $path in *'#') len=1 path=${path%'#'} ;; esac
	[ -n "${scn_cache[$cmd]+x}" ] || scn_cache[$cmd]=$(dualiked_json "$role" "$cmd")
	jq -r --arg p "$path" --arg len "$len" '
		(if $p == "" then . else getpath($p | split(".") | map(tonumber? // .)) end) as $v
		| if $len != "" then ($v | length)
		  elif $v == null then "(none)"
		  elif ($v | type) == "object" or ($v | type) == "array" then ($v | tojson)
		  else ($v | tostring) end' <<<"${scn_cache[$cmd]:-null}" 2>/dev/null || echo "(no answer)"
}

# scn_check "SUBJECT OP VALUE" : 0 if it holds; sets scn_got to what was seen
scn_check() {
	local subj op want got
	read -r subj op want <<<"$1"
	if [ "${subj##*.}" = log ]; then
		got=$(scn_value "$subj")
		scn_got=$(basename "$got")
		case $op in
		'~') grep -Eq -- "$want" "$got" 2>/dev/null ;;
		'!~') [ -f "$got" ] && ! grep -Eq -- "$want" "$got" ;;
		*) scn_got="(a log takes ~ or !~)"; return 1 ;;
		esac
		return
	fi
	got=$(scn_value "$subj")
	scn_got=$got
	if [[ $got =~ ^-?[0-9]+$ && $want =~ ^-?[0-9]+$ ]]; then
		case $op in
		'==') [ "$got" -eq "$want" ] ;; '!=') [ "$got" -ne "$want" ] ;;
		'>=') [ "$got" -ge "$want" ] ;; '<=') [ "$got" -le "$want" ] ;;
		'>') [ "$got" -gt "$want" ] ;; '<') [ "$got" -lt "$want" ] ;;
		*) return 1 ;;
		esac
		return
	fi
	case $op in
	'==') [ "$got" = "$want" ] ;;
	'!=') [ "$got" != "$want" ] ;;
	'~') [[ $got =~ $want ]] ;;
	'!~') ! [[ $got =~ $want ]] ;;
	*) scn_got="$got (operator $op needs numbers)"; return 1 ;;
	esac
}

# scn_all_hold : one evaluation round; 0 if every expectation holds
scn_all_hold() {
	local e
	scn_cache=()
	for e in "${EXPECT[@]}"; do
		scn_check "$e" || return 1
	done
	return 0
}

# scn_key_side ROLE : what ROLE installed, as keys-match.sh reads it: the
# shim's SA log, or dualiked's key log folder; fails with the reason
scn_key_side() {
	local r=$1 d=${L_DIR[$1]}
	case ${L_KIND[$r]}/${S[${r}_kernel]:-} in
	dualiked/shim|strongswan/netlink|libreswan/shim|libreswan/) echo "$d/xfrm-sa.log" ;;
	dualiked/*) echo "$d/keylog" ;;
	*) echo "(no key record for ${L_KIND[$r]} with ${r}_kernel = ${S[${r}_kernel]:-its default}; strongSwan needs netlink)"; return 1 ;;
	esac
}

# scn_key_oracle WHAT : keys.match (SA pairs with equal keys), keys.mismatch
# (mismatched or missing), keys.verdict (the summary line) between the
# gateway and the peer, from one keys-match.sh run per evaluation round
scn_key_oracle() {
	local g p nat= sum
	if [ -z "${scn_cache[keys]+x}" ]; then
		g=$(scn_key_side gateway) || { echo "$g"; return; }
		p=$(scn_key_side peer) || { echo "$p"; return; }
		[ -e "$g" ] && [ -e "$p" ] || { echo "(no SA recorded yet)"; return; }
		[ "${S[topology]}" = nat ] && nat=-n
		scn_cache[keys]=$("$LAB_HOME/keys-match.sh" $nat -a "${L_ADDR[gateway]}" -b "${L_ADDR[peer]}" "$g" "$p" 2>&1)
		printf '%s\n' "${scn_cache[keys]}" >"$LAB_DIR/keys-match.out"
	fi
	sum=$(grep -E '^[0-9]+ SA pairs match, [0-9]+ mismatched$' <<<"${scn_cache[keys]}" | tail -1)
	case $1 in
	match) [ -n "$sum" ] && echo "${sum%% *}" || echo "(keys-match.sh: $(tail -1 <<<"${scn_cache[keys]}"))" ;;
	mismatch) [ -n "$sum" ] && { sum=${sum#*, }; echo "${sum%% *}"; } || echo "(keys-match.sh: $(tail -1 <<<"${scn_cache[keys]}"))" ;;
	verdict) echo "${sum:-(no verdict)}" ;;
	*) echo "(unknown subject keys.$1: match, mismatch or verdict)" ;;
	esac
}

# scn_key_control : the oracle's negative control on this run's own SAs: a
# copy of the peer's SA log with one key digit of its first outbound SA
# flipped must be reported MISMATCH. Prints one TAP line; 1 if it fails.
scn_key_control() {
	local g p nat= out copy=$LAB_DIR/keys-control.log
	g=$(scn_key_side gateway) && p=$(scn_key_side peer) && [ -f "$p" ] || {
		echo "not ok - ${S[name]}: key oracle negative control: no SA log of the peer"; return 1; }
	awk '
	!done && /^sa op=(NEWSA|UPDSA) / && / dir=out / {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(enc|auth|aead)=[^:]+:[0-9a-f]/) {
				c = index($i, ":") + 1
				d = substr($i, c, 1) == "0" ? "1" : "0"
				$i = substr($i, 1, c - 1) d substr($i, c + 1)
				done = 1
				break
			}
	}
	{ print }' "$p" >"$copy"
	[ "${S[topology]}" = nat ] && nat=-n
	out=$("$LAB_HOME/keys-match.sh" $nat -a "${L_ADDR[gateway]}" -b "${L_ADDR[peer]}" "$g" "$copy" 2>&1)
	printf '%s\n' "$out" >"$LAB_DIR/keys-control.out"
	if ! cmp -s "$p" "$copy" && grep -q '^MISMATCH .* differs: ' <<<"$out" &&
		! "$LAB_HOME/keys-match.sh" $nat -a "${L_ADDR[gateway]}" -b "${L_ADDR[peer]}" "$g" "$copy" >/dev/null 2>&1; then
		echo "ok - ${S[name]}: key oracle negative control: one flipped key digit is reported (got $(grep -m1 -o '^MISMATCH [^:]*:  [a-z]* differs' <<<"$out"); $(tail -1 <<<"$out"))"
	else
		echo "not ok - ${S[name]}: key oracle negative control: one flipped key digit was not reported (got $(tail -1 <<<"$out"))"
		return 1
	fi
}

# scn_action : run the scenario's action with the role's own control tool
# (dualikectl, swanctl, whack); its output goes to the role's folder
scn_action() {
	local role=${S[action]%% *} words=${S[action]#* }
	# shellcheck disable=SC2086 # the words are the command's arguments
	case ${L_KIND[$role]} in
	dualiked) dlk_ctl "$role" $words ;;
	# `peer --vanish`: charon is killed with SIGKILL, so no Delete leaves
	# (what `whack --shutdown --leave-state` is for pluto); swanctl has no such command
	strongswan) if [ "$words" = --vanish ]; then
			local pid; pid=$(lab_pid "$role-charon")
			[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = charon ] && kill -KILL "$pid"
		else ss_ctl "$role" 20 $words; fi ;;
	libreswan) ls_whack "$role" $words ;;
	esac >"${L_DIR[$role]}/action.out" 2>&1
}
