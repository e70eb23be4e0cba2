#!/usr/bin/env bash
# Health checks against the running daemons, as HAProxy does them: `wrk`
# (HTTP/1.1 keep-alive, 32 connections, one wrk thread) on GET /primary of the
# leader and GET /replica and /health of a replica of the 3-member demo
# cluster (scripts/demo), then of the same cluster of Debian's Python Patroni
# 3.0.2 with the same YAML, one after the other. Prints requests per second
# and the 99th percentile latency. Figures only, no assertion.
#
#   PGWARDEN_DEMO_BIN=build/x/apps/pgwarden-etcd3/pgwarden-etcd3 bench/health_checks.sh [seconds=10]
#
# HEALTH_PATRONI=0 skips Python Patroni. Runs as root (the demo needs it).
set -euo pipefail
. "$(dirname "$0")/private_tmp.sh" "$0" "$@"
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (scripts/setup installs it)" >&2; exit 2; }
state_file=/tmp/pgwarden-demo.state
trap '[ -f "$state_file" ] && scripts/demo stop >/dev/null 2>&1 || true' EXIT

yml_port() { sed -n "/^$2:/{n;s/.*:\([0-9]*\)\$/\1/p}" "$1"; }
role_of() { curl -s --max-time 1 "http://127.0.0.1:$1/patroni" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("role",""))' 2>/dev/null || true; }

run_wrk() {   # $1 = label, $2 = url
  local out
  out=$(wrk -t1 -c32 -d"${secs}s" --latency "$2" 2>&1)
  printf '    %-28s %10s req/s   p99 %s\n' "$1" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

measure() {   # $1 = pgwarden | patroni
  local impl=$1 log=/tmp/health-demo-$1.log leader="" replica="" i port
  echo "==> $impl: starting a 3-member demo cluster"
  PGWARDEN_DEMO_IMPL=$impl scripts/demo >"$log" 2>&1 || { tail -30 "$log"; return 1; }
  # shellcheck disable=SC1090
  . "$state_file"
  for i in 1 2 3; do
    port=$(yml_port "$DEMO_DIR/node$i/patroni.yml" restapi)
    case $(role_of "$port") in primary|master) leader=$port ;; *) replica=$port ;; esac
  done
  run_wrk "GET /primary (leader)" "http://127.0.0.1:$leader/primary"
  run_wrk "GET /replica (replica)" "http://127.0.0.1:$replica/replica"
  run_wrk "GET /health (replica)" "http://127.0.0.1:$replica/health"
  scripts/demo stop >/dev/null
}

measure pgwarden
if [ "${HEALTH_PATRONI:-1}" = 1 ] && [ -x /usr/bin/patroni ]; then measure patroni; fi
