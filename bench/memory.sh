#!/usr/bin/env bash
# Peak resident memory of `tollgate check` on real trees (issue 16, point 7:
# at most 150 MB).
#
#   bench/memory.sh              build the release binary, then measure
#   TOLLGATE=path bench/memory.sh measure that binary instead of building one
#   bench/memory.sh DIR...        also each DIR (a repository's checkout), and
#                                 all of them in one run from their parent
#
# Trees, each checked with the defaults (rendering on, embedded schemas, the
# CRD catalog, the built-in pack), 2 threads, JSON report to /dev/null, from
# the directory that holds it (so that Kustomize targets render as they do
# for a user in that repository):
#   - ../shared/corpus/kustomize/kubeflow+manifests  (kubeflow/manifests)
#   - ../shared/corpus/kustomize                     (six Kustomize repositories)
#   - ../shared/corpus/real                          (seven GitOps repositories)
# A tree whose folder is absent is skipped with a message. Peak RSS comes from
# /usr/bin/time (GNU) when present, else from python3's wait4.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS="$ROOT/../shared/corpus"
cd "$ROOT"

if [ -z "${TOLLGATE:-}" ]; then
    cargo build --release --quiet
    TOLLGATE="$ROOT/target/release/tollgate"
fi
TOLLGATE=$(cd "$(dirname "$TOLLGATE")" && pwd)/$(basename "$TOLLGATE")

# peak DIR ARG: peak RSS in KB and wall seconds of `tollgate check ARG`, run in DIR.
peak() {
    local dir=$1 arg=$2
    if /usr/bin/time -f '%M' true >/dev/null 2>&1; then
        (cd "$dir" && TOLLGATE_JOBS=2 /usr/bin/time -f '%M %e' "$TOLLGATE" check "$arg" \
            --format json --output /dev/null 2>&1 >/dev/null | tail -n 1)
    else
        (cd "$dir" && TOLLGATE_JOBS=2 python3 -c '
import os, sys, time
start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, _, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, round(time.monotonic() - start, 2))
' "$TOLLGATE" check "$arg" --format json --output /dev/null 2>/dev/null)
    fi
}

printf '%-40s %12s %8s\n' tree 'peak RSS MB' seconds
for dir in "$@"; do
    read -r kb secs < <(peak "$dir" .)
    printf '%-40s %12d %8s\n' "$(basename "$dir")" $((kb / 1024)) "$secs"
done
if [ $# -gt 1 ]; then
    parent=$(cd "$(dirname "$1")" && pwd)
    read -r kb secs < <(peak "$parent" .)
    printf '%-40s %12d %8s\n' "all $# together" $((kb / 1024)) "$secs"
fi
for spec in "kustomize:kubeflow+manifests" "kustomize:." "real:."; do
    dir="$CORPUS/${spec%%:*}"
    arg=${spec#*:}
    name="${spec%%:*}/${arg}"
    [ "$arg" = . ] && name="${spec%%:*}"
    if [ ! -d "$dir/$arg" ]; then
        echo "bench/memory.sh: no $dir/$arg: skipping $name" >&2
        continue
    fi
    read -r kb secs < <(peak "$dir" "$arg")
    printf '%-40s %12d %8s\n' "$name" $((kb / 1024)) "$secs"
done
