#!/usr/bin/env bash
# Footprint of the HA daemons at rest: starts the 3-node demo cluster
# (scripts/demo, one etcd + three pgwarden-etcd3) and, when Debian's Python
# Patroni 3.0.2 is installed, a second 3-node cluster of /usr/bin/patroni on
# the same etcd with the same YAML (another scope, ports and data dirs).
# Once both are streaming it prints, per daemon process (its PostgreSQL
# children excluded):
#   RSS       VmRSS of /proc/<pid>/status at the end of the window, with its
#             RssAnon/RssFile split, and Pss of /proc/<pid>/smaps_rollup
#   threads   Threads of /proc/<pid>/status, min..max over the window
#   cpu       utime+stime (/proc/<pid>/stat) used during the idle window, in
#             clock ticks (10 ms); sched: the threads' schedstat run time, in ns
# and stops everything it started (by PID). Figures only, no assertion.
#
#   PGWARDEN_DEMO_BIN=build/x/apps/pgwarden-etcd3/pgwarden-etcd3 bench/footprint.sh [seconds=60]
#
# FOOTPRINT_PATRONI=0 skips Python Patroni. Runs as root (the demo needs it).
set -euo pipefail
# A private /tmp, so that this never touches a demo someone else runs.
. "$(dirname "$0")/private_tmp.sh" "$0" "$@"
cd "$(dirname "$0")/.."
window=${1:-60}
state_file=/tmp/pgwarden-demo.state
want_patroni=${FOOTPRINT_PATRONI:-1}

if [ -f "$state_file" ]; then
  echo "a demo is running ($state_file exists): stop it first with scripts/demo stop" >&2
  exit 1
fi

py_pids=""
py_dirs=""
cleanup() {
  for pid in $py_pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 150); do
    alive=0
    for pid in $py_pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.2
  done
  for pid in $py_pids; do kill -KILL "$pid" 2>/dev/null || true; done
  for d in $py_dirs; do
    if [ -f "$d/data/postmaster.pid" ]; then kill -QUIT "$(head -1 "$d/data/postmaster.pid")" 2>/dev/null || true; fi
  done
  [ -f "$state_file" ] && scripts/demo stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "==> starting the pgwarden demo cluster"
scripts/demo >/tmp/footprint-demo.log 2>&1 || { tail -40 /tmp/footprint-demo.log; exit 1; }
# shellcheck disable=SC1090
. "$state_file"
etcd_hosts=$(sed -n '/^etcd3:/{n;s/.*hosts: *//p}' "$DEMO_DIR/node1/patroni.yml")

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

names="node1 node2 node3"
declare -A pid_of
for i in 1 2 3; do v="NODE${i}_PID"; pid_of[node$i]=${!v}; done

if [ "$want_patroni" = 1 ] && [ -x /usr/bin/patroni ]; then
  echo "==> starting Python Patroni $(/usr/bin/patroni --version 2>/dev/null | awk '{print $2}') on the same etcd"
  for i in 1 2 3; do
    d="$DEMO_DIR/py$i"; mkdir -p "$d"
    api=$(free_port); pg=$(free_port)
    old_api=$(sed -n '/^restapi:/{n;s/.*:\([0-9]*\)$/\1/p}' "$DEMO_DIR/node$i/patroni.yml")
    old_pg=$(sed -n '/^postgresql:/{n;s/.*:\([0-9]*\)$/\1/p}' "$DEMO_DIR/node$i/patroni.yml")
    sed -e "s/^scope: demo$/scope: demo-patroni/" -e "s/^name: node$i$/name: py$i/" \
        -e "s/:$old_api\$/:$api/" -e "s/:$old_pg\$/:$pg/" -e "s#$DEMO_DIR/node$i#$d#g" \
        "$DEMO_DIR/node$i/patroni.yml" >"$d/patroni.yml"
    chown -R postgres:postgres "$d"
    setsid setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/lib/postgresql USER=postgres \
      PYTHONUNBUFFERED=1 /usr/bin/patroni "$d/patroni.yml" >"$d/patroni.log" 2>&1 &
    pid_of[py$i]=$!
    py_pids="$py_pids $!"; py_dirs="$py_dirs $d"
    echo "    py$i: REST API 127.0.0.1:$api, PostgreSQL 127.0.0.1:$pg"
  done
  echo -n "==> waiting for the Patroni cluster to stream "
  ok=0
  for _ in $(seq 1 900); do
    n=$(for i in 1 2 3; do
          port=$(sed -n '/^restapi:/{n;s/.*:\([0-9]*\)$/\1/p}' "$DEMO_DIR/py$i/patroni.yml")
          curl -s --max-time 1 "http://127.0.0.1:$port/patroni" | python3 -c '
import json, sys
try: d = json.load(sys.stdin)
except Exception: sys.exit(0)
if d.get("role") in ("master", "primary"):
    print(sum(1 for r in d.get("replication", []) if r.get("state") == "streaming"))' 2>/dev/null
        done | sort -n | tail -1) || true   # curl fails until the API listens (pipefail)
    if [ "$n" = 2 ]; then ok=1; break; fi
    echo -n "."; sleep 0.2
  done
  echo
  if [ $ok = 1 ]; then names="$names py1 py2 py3"
  else echo "    Python Patroni did not reach two streaming replicas; logs: $DEMO_DIR/py*/patroni.log (not measured)"; fi
elif [ "$want_patroni" = 1 ]; then
  echo "==> /usr/bin/patroni not found: pgwarden only"
fi

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Time on CPU in ns of the threads alive now (schedstat: exact, not in ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'; }
rollup_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "==> settling 5 s, then measuring ${window} s of idle"
sleep 5
declare -A t0 ns0 tmin tmax
for n in $names; do
  p=${pid_of[$n]}; t0[$n]=$(cpu_ticks "$p"); ns0[$n]=$(cpu_ns "$p")
  th=$(status_field "$p" Threads); tmin[$n]=$th; tmax[$n]=$th
done
for _ in $(seq 1 "$window"); do
  sleep 1
  for n in $names; do
    th=$(status_field "${pid_of[$n]}" Threads)
    [ -n "$th" ] || continue
    [ "$th" -lt "${tmin[$n]}" ] && tmin[$n]=$th
    [ "$th" -gt "${tmax[$n]}" ] && tmax[$n]=$th
  done
done

printf '\n%-8s %-9s %8s %8s %8s %8s %8s %8s %12s %12s\n' daemon impl pid RSS_KiB anon file Pss_KiB threads \
  "cpu_ms/${window}s" "sched_ms/${window}s"
for n in $names; do
  p=${pid_of[$n]}
  impl=pgwarden; case $n in py*) impl=patroni ;; esac
  if ! kill -0 "$p" 2>/dev/null; then printf '%-8s %-10s %8s  (exited)\n' "$n" "$impl" "$p"; continue; fi
  t1=$(cpu_ticks "$p"); ns1=$(cpu_ns "$p")
  cpu_ms=$(( (t1 - t0[$n]) * 1000 / hz ))
  sched_ms=$(awk -v a="${ns0[$n]}" -v b="$ns1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
  rss=$(status_field "$p" VmRSS)
  anon=$(status_field "$p" RssAnon); file=$(status_field "$p" RssFile); pss=$(rollup_field "$p" Pss)
  th="${tmin[$n]}"; [ "${tmin[$n]}" = "${tmax[$n]}" ] || th="${tmin[$n]}..${tmax[$n]}"
  printf '%-8s %-9s %8s %8s %8s %8s %8s %8s %12s %12s\n' "$n" "$impl" "$p" "$rss" "$anon" "$file" "$pss" "$th" \
    "$cpu_ms" "$sched_ms"
done
echo
echo "==> stopping"
