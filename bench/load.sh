#!/usr/bin/env bash
# Load benchmark of the web service on loopback with wrk (Debian package `wrk`).
#
#   bench/load.sh [seconds] [connections]
#   LOG=/tmp/beslissingen.log bench/load.sh ...   # with `serve --log`
#
# Starts the release build on a free port with the shipped rule sets and posts one
# complete case (Nijmegen, decided by the availability budget) and one incomplete case
# (national rules, two facts given) over and over. Prints wrk's summary with latency
# percentiles for each.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
connections="${2:-32}"

cargo build --release --quiet
out="$(mktemp)"
target/release/wiebetaalt serve --rules rules --addr 127.0.0.1:0 ${LOG:+--log "$LOG"} >"$out" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q http "$out" && break; sleep 0.1; done
url="$(grep -o 'http://[0-9.:]*' "$out")"

run() {
  local name="$1" path="$2" body="$3"
  local script
  script="$(mktemp --suffix=.lua)"
  cat >"$script" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
LUA
  echo "== $name"
  wrk --latency -t2 -c"$connections" -d"${seconds}s" -s "$script" "$url$path"
  rm -f "$script"
}

run "Nijmegen, complete case" /api/v1/regelsets/nijmegen/decisions \
  '{"peildatum":"2025-09-01","soort":"persoonlijke_verzorging","verbonden_met_verpleging":false,"leeftijd":9,"wlz_indicatie":false,"onder_schooltijd":true,"zorguren_per_week":6,"woongemeente":"wijchen"}'
run "Landelijk, incomplete case" /api/v1/regelsets/landelijk/decisions \
  '{"peildatum":"2025-09-01","soort":"behandeling","problematiek":["angst_depressie"]}'
