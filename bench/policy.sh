#!/usr/bin/env bash
# Users' Rego at compiled speed (issue 17): tollgate with a 4-rule conftest-style
# policy (bench/policy/conftest4: memory limits, latest tag, privileged,
# runAsNonRoot), `--policy DIR --no-builtin`, side by side with the OPA Go engine
# in a conftest loop (bench/peers/opa_loop.py --conftest: PyYAML + one OPA query
# per rule per document), on generated corpora of 2,000 and 10,000 files.
#
#   bench/policy.sh [--runs N] [FILES...]     default: 2000 10000, 5 runs
#
# Needs python3, hyperfine and target/release/tollgate (never builds). Installs
# PyYAML and opa-golib-python-bindings (pinned as in bench/peers) into
# bench/out/policy/venv once. Writes bench/out/policy.md. For each corpus, in one
# run: tollgate on the VM (default) and with --policy-engine interpreter
# (hyperfine median, 2 threads, whole process), then the OPA loop (median of 3),
# and the finding counts per rule of both (they must agree).
set -euo pipefail
RUNS=5
SIZES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) SIZES+=("$1") ;;
    esac
    shift
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(2000 10000)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
TG="$ROOT/target/release/tollgate"
POLICY="$ROOT/bench/policy/conftest4"
VENV="$OUT/policy/venv"
[ -x "$TG" ] || { echo "bench/policy.sh: cargo build --release first" >&2; exit 2; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import opa_bindings, yaml" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "$(grep -i '^pyyaml==' "$ROOT/bench/peers/requirements.txt")"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --ignore-requires-python opa-golib-python-bindings==0.4.4
fi
REPORT="$OUT/policy.md"
{
    echo "# Users' Rego: tollgate (VM, interpreter) and the OPA loop"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); policy bench/policy/conftest4 (4 rules)."
    echo
    echo "| files | documents | tollgate VM s | tollgate interpreter s | OPA loop s | OPA / VM | OPA / interpreter | findings (tollgate = OPA) |"
    echo "|---|---|---|---|---|---|---|---|"
} >"$REPORT"
for n in "${SIZES[@]}"; do
    C="$OUT/corpus-$n"
    if [ ! -d "$C" ]; then
        python3 "$ROOT/bench/gen-corpus.py" --files "$n" --seed 1 --out "$C" >/dev/null
    fi
    [ -d "$C/.git" ] || git -C "$C" init -q
    cmd="$TG check . --no-builtin -p $POLICY --format json --output /dev/null"
    (cd "$C" && hyperfine -N -i --style none --warmup 1 --runs "$RUNS" --export-json "$OUT/policy/hf-$n.json" \
        "$cmd" "$cmd --policy-engine interpreter" >/dev/null 2>&1)
    opa=()
    for _ in 1 2 3; do
        s=$( { /usr/bin/env time -f %e "$VENV/bin/python" "$ROOT/bench/peers/opa_loop.py" --conftest "$C" "$POLICY" >"$OUT/policy/opa-$n.json"; } 2>&1 | tail -1)
        opa+=("$s")
    done
    (cd "$C" && $TG check . --no-builtin -p "$POLICY" --format json --output "$OUT/policy/tollgate-$n.json" || true)
    python3 - "$OUT/policy" "$n" "${opa[@]}" >>"$REPORT" <<'PY'
import collections, json, statistics, sys
d, n, opa = sys.argv[1], sys.argv[2], sorted(float(x) for x in sys.argv[3:])
hf = json.load(open(f"{d}/hf-{n}.json"))["results"]
vm, interp = hf[0]["median"], hf[1]["median"]
o = statistics.median(opa)
t = json.load(open(f"{d}/tollgate-{n}.json"))
ours = collections.Counter(f["rule"].split(".", 1)[1] for f in t["findings"] if f["rule"].startswith("main."))
theirs = json.load(open(f"{d}/opa-{n}.json"))
same = dict(ours) == {k: v for k, v in theirs["by_rule"].items() if v}
print(f"| {n} | {t['summary']['documents']} | {vm:.3f} | {interp:.3f} | {o:.3f} | {o / vm:.1f}x | {o / interp:.1f}x | "
      f"{sum(ours.values())} = {theirs['violations']}: {'same per rule' if same else 'DIFFERENT ' + str(dict(ours)) + ' ' + str(theirs['by_rule'])} |")
PY
done
cat "$REPORT"
