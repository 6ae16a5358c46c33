#!/usr/bin/env bash
# Creates a few demo deals through the admin API (with gbctl) when the server has none.
#
#   scripts/seed-demo.sh <gbctl binary>      with GBCTL_SERVER and GBCTL_TOKEN set
set -euo pipefail

GROUPBUY_SCRIPT_NAME="seed-demo.sh"
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

gbctl="${1:?usage: seed-demo.sh <gbctl binary>}"

existing="$("${gbctl}" deals list --limit 1 --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))')"
if [[ "${existing}" != "0" ]]; then
    log "demo deals: the catalog already has deals, nothing added"
    exit 0
fi

starts="$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)"
ends="$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)"
later="$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)"

# title | description | list | group | size | limit per user | stock | status | starts
deals=(
    "Alphonso mangoes, 5 kg|Ripe, from Ratnagiri; ships chilled.|3200|1990|3|2|500|active|${starts}"
    "Lychee crate, 2 kg|Fresh lychees picked this week.|2400|1490|2|3|300|active|${starts}"
    "Noise-cancelling earbuds|Wireless, 30 h battery, USB-C case.|12900|7900|5|1|150|active|${starts}"
    "Cast-iron skillet, 28 cm|Pre-seasoned; oven safe to 260 °C.|5900|3900|4|2|80|active|${starts}"
    "Winter duvet, queen|Down alternative, machine washable.|8900|5400|3|1|60|draft|${later}"
)

for deal in "${deals[@]}"; do
    IFS='|' read -r title description list group size limit stock status start <<<"${deal}"
    "${gbctl}" deals create --title "${title}" --description "${description}" --currency EUR \
        --list-price "${list}" --group-price "${group}" --group-size "${size}" --group-time-limit 86400 \
        --starts-at "${start}" --ends-at "${ends}" --per-user-limit "${limit}" --status "${status}" \
        --stock "${stock}" --json >/dev/null
    log "demo deal: ${title} (${status})"
done
