#!/bin/bash
# dev/deps.sh - install the Debian packages listed in dev/packages.txt (and any
# extra list files given as arguments) when some are missing. Run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here/packages.txt" "$@")
missing=()
for list in "${lists[@]}"; do
	while read -r pkg; do
		case "$pkg" in ''|'#'*) continue ;; esac
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$pkg")
	done < "$list"
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "dev/deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
