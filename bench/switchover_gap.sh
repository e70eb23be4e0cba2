#!/usr/bin/env bash
# Switchover write gap: the longest time a client cannot commit while the
# leader hands over to a replica through POST /switchover, for pgwarden and,
# in the same run, Debian's Python Patroni 3.0.2 with the same YAML (one
# 3-member demo cluster after the other, scripts/demo). A client
# (pgwarden-write-gap, libpq multi-host with target_session_attrs=read-write)
# commits one INSERT after another and reconnects at once when refused.
# Figures only, no assertion.
#
#   PGWARDEN_DEMO_BIN=build/x/apps/pgwarden-etcd3/pgwarden-etcd3 \
#   PGWARDEN_WRITE_GAP=build/x/bench/pgwarden-write-gap bench/switchover_gap.sh [rounds=3]
#
# SWITCHOVER_PATRONI=0 skips Python Patroni. Runs as root (the demo needs it).
set -euo pipefail
. "$(dirname "$0")/private_tmp.sh" "$0" "$@"
cd "$(dirname "$0")/.."
rounds=${1:-3}
probe=${PGWARDEN_WRITE_GAP:-build/default/bench/pgwarden-write-gap}
[ -x "$probe" ] || { echo "build pgwarden-write-gap first (PGWARDEN_WRITE_GAP=path)" >&2; exit 2; }
state_file=/tmp/pgwarden-demo.state
trap '[ -f "$state_file" ] && scripts/demo stop >/dev/null 2>&1 || true' EXIT

yml_port() { sed -n "/^$2:/{n;s/.*:\([0-9]*\)\$/\1/p}" "$1"; }
role_of() { curl -s --max-time 1 "http://127.0.0.1:$1/patroni" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("role",""))' 2>/dev/null || true; }
streaming_of() {
  curl -s --max-time 1 "http://127.0.0.1:$1/patroni" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for r in d.get("replication", []) if r.get("state") == "streaming"))' 2>/dev/null || echo 0
}

measure() {   # $1 = pgwarden | patroni
  local impl=$1 log=/tmp/switchover-demo-$1.log
  echo "==> $impl: starting a 3-member demo cluster"
  PGWARDEN_DEMO_IMPL=$impl scripts/demo >"$log" 2>&1 || { tail -30 "$log"; return 1; }
  # shellcheck disable=SC1090
  . "$state_file"
  local hosts="" ports="" apis=() names=() i
  for i in 1 2 3; do
    hosts="$hosts${hosts:+,}127.0.0.1"
    ports="$ports${ports:+,}$(yml_port "$DEMO_DIR/node$i/patroni.yml" postgresql)"
    apis+=("$(yml_port "$DEMO_DIR/node$i/patroni.yml" restapi)"); names+=("node$i")
  done
  local conninfo="host=$hosts port=$ports user=postgres password=demo-superuser dbname=postgres target_session_attrs=read-write connect_timeout=2"
  for r in $(seq 1 "$rounds"); do
    local leader=-1
    for i in 0 1 2; do case $(role_of "${apis[$i]}") in primary|master) leader=$i ;; esac; done
    [ "$leader" -ge 0 ] || { echo "    no leader found"; return 1; }
    local cand=$(( (leader + 1) % 3 ))
    "$probe" "$conninfo" 12 >/tmp/switchover-probe.out 2>&1 &
    local probe_pid=$!
    sleep 3
    curl -s --max-time 30 -XPOST "http://127.0.0.1:${apis[$leader]}/switchover" \
      -d "{\"leader\":\"${names[$leader]}\",\"candidate\":\"${names[$cand]}\"}" >/tmp/switchover-answer.out || true
    wait "$probe_pid" || true
    [ -n "${SWITCHOVER_VERBOSE:-}" ] && cat /tmp/switchover-probe.out
    printf '    round %d: %s -> %s: %s (answer: %s)\n' "$r" "${names[$leader]}" "${names[$cand]}" \
      "$(grep 'write gap' /tmp/switchover-probe.out || echo 'no commit')" "$(head -c 80 /tmp/switchover-answer.out)"
    # Next round once the new leader has both replicas streaming again.
    for _ in $(seq 1 600); do
      [ "$(streaming_of "${apis[$cand]}")" = 2 ] && break
      sleep 0.1
    done
  done
  scripts/demo stop >/dev/null
}

[ "${SWITCHOVER_PGWARDEN:-1}" = 1 ] && measure pgwarden
if [ "${SWITCHOVER_PATRONI:-1}" = 1 ] && [ -x /usr/bin/patroni ]; then measure patroni; fi
