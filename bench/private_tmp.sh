# Sourced by the benchmarks that start demo clusters (footprint.sh,
# switchover_gap.sh). scripts/demo keeps its state in /tmp/pgwarden-demo.state
# and stops any demo that file names; so that a benchmark never touches a demo
# someone else runs, it re-executes itself with a private /tmp (a mount
# namespace with a bind mount). Without unshare it refuses to start while that
# file exists. Usage, first thing in the script:  . bench/private_tmp.sh "$0" "$@"
if [ -z "${PGWARDEN_PRIVATE_TMP:-}" ] && unshare -m --propagation private true 2>/dev/null; then
  self=$(readlink -f "$1")
  shift
  priv=$(mktemp -d /tmp/pgwarden-bench-XXXXXX)
  chmod 1777 "$priv"
  rc=0
  unshare -m --propagation private env PGWARDEN_PRIVATE_TMP=1 \
    bash -c 'mount --bind "$1" /tmp && shift && exec "$@"' _ "$priv" "$self" "$@" || rc=$?
  rm -rf "$priv"
  exit $rc
fi
if [ -z "${PGWARDEN_PRIVATE_TMP:-}" ] && [ -f /tmp/pgwarden-demo.state ]; then
  echo "a demo is running (/tmp/pgwarden-demo.state exists): stop it first with scripts/demo stop" >&2
  exit 1
fi
