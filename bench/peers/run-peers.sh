#!/usr/bin/env bash
# Peer comparison (issue 7): tollgate side by side with checkov, kubernetes-models (ajv)
# and the OPA engine in a conftest-style loop, on the same corpus, in one run.
#
#   bench/peers/run-peers.sh [CORPUS]     default bench/out/corpus-10000
#     --scale-corpus DIR   also run checkov (and tollgate) on DIR to show how checkov
#                          scales (default bench/out/corpus-1000 when it exists)
#     --no-scale           skip that
#     --no-checkov         skip checkov altogether (5.6 min and 2.7 GB on 10,000 files here)
#     --runs N             hyperfine runs for the fast commands (default 5; slow peers run once)
#
# Writes bench/out/peers.md (and the raw measurements under bench/out/peers/results/).
# Installs the peers, at the versions pinned in this directory, into bench/out/peers/venv
# (Python venv: requirements.txt, plus opa-golib-python-bindings) and bench/out/peers/node
# (npm ci of package-lock.json), once; reinstalls when the pins change. Needs python3
# (3.11 was used), node + npm (20 was used), hyperfine, network access to PyPI and npm.
# Never builds: it times bench/out/peers/tollgate (or $TOLLGATE), copied from
# target/release/tollgate when it is missing. The OPA loop is given the Rego pack embedded
# in that binary (extract_pack.py), so both evaluate the same rules. About 10 minutes on
# corpus-10000 (2 CPUs), plus about a minute for the first installation.
#
# Method: every peer is timed right after the tollgate command it is compared with, so
# both see the same machine load (the load average is recorded with each). Fast commands
# (tollgate, kubernetes-models, PyYAML parse) are timed with hyperfine (median of N runs,
# one warm-up); the slow ones (OPA loop, checkov) once. Peak RSS and CPU time come from
# one run under measure.py (wait4: largest single process, as `/usr/bin/time -v`; plus the
# sampled sum over the process tree, which matters for checkov's worker processes).
set -euo pipefail

CORPUS=""
SCALE=""
NO_SCALE=0
NO_CHECKOV=0
RUNS=5
while [ $# -gt 0 ]; do
    case "$1" in
        --scale-corpus) SCALE=$2; shift ;;
        --no-scale) NO_SCALE=1 ;;
        --no-checkov) NO_CHECKOV=1 ;;
        --runs) RUNS=$2; shift ;;
        -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
        -*) echo "run-peers.sh: unknown option $1" >&2; exit 2 ;;
        *) CORPUS=$1 ;;
    esac
    shift
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/bench/peers"
OUT="$ROOT/bench/out"
PEERS="$OUT/peers"
RES="$PEERS/results"
VENV="$PEERS/venv"
NODE_DIR="$PEERS/node"
PACK="$PEERS/pack"
CORPUS=$(cd "${CORPUS:-$OUT/corpus-10000}" && pwd)
if [ "$NO_SCALE" = 0 ] && [ "$NO_CHECKOV" = 0 ]; then
    SCALE=${SCALE:-$OUT/corpus-1000}
    if [ -d "$SCALE" ]; then SCALE=$(cd "$SCALE" && pwd); else SCALE=""; fi
else
    SCALE=""
fi
OPA_BINDINGS="opa-golib-python-bindings==0.4.4"
mkdir -p "$RES"

for tool in python3 node npm hyperfine; do
    command -v "$tool" >/dev/null || { echo "run-peers.sh: $tool is needed" >&2; exit 2; }
done

TOLLGATE=${TOLLGATE:-$PEERS/tollgate}
case "$TOLLGATE" in /*) ;; *) TOLLGATE="$PWD/$TOLLGATE" ;; esac
if [ ! -x "$TOLLGATE" ]; then
    [ -x "$ROOT/target/release/tollgate" ] || { echo "run-peers.sh: no $TOLLGATE and no target/release/tollgate (cargo build --release first)" >&2; exit 2; }
    cp "$ROOT/target/release/tollgate" "$TOLLGATE"
fi

# The OPA loop evaluates the pack embedded in the timed binary (written out to PACK), not
# policies/kubernetes/, which may have moved on since the binary was built.
if python3 "$HERE/extract_pack.py" "$TOLLGATE" "$PACK" >/dev/null; then
    POLICIES=$PACK
    if diff -rq "$PACK" "$ROOT/policies/kubernetes" >/dev/null 2>&1; then
        PACK_NOTE="the pack embedded in the timed binary ($(ls "$PACK" | wc -l) files), the same as policies/kubernetes/ in the working tree"
    else
        PACK_NOTE="the pack embedded in the timed binary ($(ls "$PACK" | wc -l) files; it differs from policies/kubernetes/ in the working tree now: $({ diff -rq "$PACK" "$ROOT/policies/kubernetes" 2>&1 || true; } | sed -n 's|^Files .*/\([^/]*\) and .* differ$|\1|p' | paste -sd, - | sed "s/,/, /g"))"
    fi
else
    POLICIES="$ROOT/policies/kubernetes"
    PACK_NOTE="policies/kubernetes/ of the working tree (could not extract the pack from the binary)"
fi

SCRIPT_START=$(date +%s)
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# --- installation (once per set of pins) ---------------------------------------------
PY_STAMP=$(cat "$HERE/requirements.txt" <(echo "$OPA_BINDINGS") | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$PY_STAMP" ]; then
    log "installing the Python peers into $VENV..."
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -r "$HERE/requirements.txt"
    # Its metadata says Requires-Python >= 3.14, but the wheel is py3-none (a Go c-shared
    # library behind a stdlib ctypes wrapper) and works on 3.11: its own pack tests pass.
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --ignore-requires-python "$OPA_BINDINGS"
    echo "$PY_STAMP" >"$VENV/.stamp"
fi
NODE_STAMP=$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -c1-16)
if [ "$(cat "$NODE_DIR/.stamp" 2>/dev/null)" != "$NODE_STAMP" ]; then
    log "installing the npm peers into $NODE_DIR..."
    rm -rf "$NODE_DIR"
    mkdir -p "$NODE_DIR"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$NODE_DIR/"
    # kubernetes-models 5 declares node >= 22; it runs on node 20 (engine-strict off).
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --engine-strict=false --loglevel=error >&2)
    echo "$NODE_STAMP" >"$NODE_DIR/.stamp"
fi
# Next to its node_modules, so its bare imports resolve.
cp "$HERE/k8s_models.mjs" "$NODE_DIR/k8s_models.mjs"

PY="$VENV/bin/python"
CHECKOV="$VENV/bin/checkov"
# No update check, no download of guidelines or external modules: offline and quiet.
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE

# --- measurement helpers ---------------------------------------------------------------
# One run under measure.py: RES/NAME.json (wall, CPU, RSS, load), stdout to RES/NAME.out.
meas() { # name command...
    local name=$1
    shift
    python3 "$HERE/measure.py" "$RES/$name.json" --stdout "$RES/$name.out" -- "$@"
}
# hyperfine median over RUNS (one warm-up): RES/NAME.hf.json.
hf() { # name runs command-string
    hyperfine -N --style none --warmup 1 --runs "$2" -i --export-json "$RES/$1.hf.json" "$3" >/dev/null 2>&1
}
j() { # file python-expression-on-d
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
hf_median() { j "$RES/$1.hf.json" '"%.3f" % d["results"][0]["median"]'; }
hf_min() { j "$RES/$1.hf.json" '"%.3f" % min(d["results"][0]["times"])'; }
# tollgate runs from inside the corpus (its own git repository), as bench/run.sh does:
# the default policy directories (policy/, policies/) are looked up at the repository
# root of the working directory, and from this repository that would add its policies/.
tg() { # name corpus jobs [extra args]: hyperfine + one measured run of tollgate
    local name=$1 dir=$2 jobs=$3
    shift 3
    (cd "$dir" && hf "$name" "$RUNS" "$TOLLGATE check . --jobs $jobs --format json --output /dev/null $*")
    (cd "$dir" && meas "$name" "$TOLLGATE" check . --jobs "$jobs" --format json --output /dev/null "$@")
}
tg_json() { # corpus output [extra args]: one report, for the counts
    local dir=$1 out=$2
    shift 2
    (cd "$dir" && "$TOLLGATE" check . --format json --output "$out" "$@") || true
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

ROWS=""
row() { # tool what wall cpu rss tree tg2 tg1 load
    local ratio2 ratio1
    ratio2=$(python3 -c 'import sys; print("%.1f×" % (float(sys.argv[1]) / float(sys.argv[2])))' "$3" "$7")
    ratio1=$(python3 -c 'import sys; print("%.1f×" % (float(sys.argv[1]) / float(sys.argv[2])))' "$3" "$8")
    ROWS+="| $1 | $2 | $3 | $4 | $5 | $6 | $7 / $8 | $ratio2 | $ratio1 | $9 |"$'\n'
}
tg_row() { # label what name-2t name-1t load
    ROWS+="| **$1** | $2 | $(hf_median "$3") | $(cpu "$3") | $(rss "$3") | $(tree "$3") | $(hf_median "$3") / $(hf_median "$4") | (reference) | | $5 |"$'\n'
}
cpu() { j "$RES/$1.json" '"%.2f" % (d["user_s"] + d["sys_s"])'; }
rss() { j "$RES/$1.json" '"%.0f" % d["maxrss_mb"]'; }
tree() { j "$RES/$1.json" '"%.0f" % d["tree_rss_mb"] + (" (%d procs)" % d["processes"] if d["processes"] > 1 else "")'; }

# The pack's own unit tests on OPA (not timed): the pack loads on OPA, and does OPA agree
# with what the pack's tests expect? (Also fails early, before any timing, if it does not load.)
"$PY" "$HERE/opa_loop.py" --tests "$POLICIES" >"$RES/opa-tests.out"

STATS=$(cd "$CORPUS" && "$TOLLGATE" check . --stats --format json --output /dev/null 2>&1 >/dev/null | grep '^stats: [0-9]* files' || true)
read -r FILES DOCS MB < <(echo "$STATS" | sed -n 's/^stats: \([0-9]*\) files, \([0-9]*\) documents, \([0-9.]*\) MB.*/\1 \2 \3/p')
log "corpus $CORPUS: $FILES files, $DOCS documents, $MB MB"

# --- 1. kubernetes-models vs tollgate schema-only --------------------------------------
log "tollgate --no-builtin (schema only)..."
L=$(loadavg)
tg tg-schema-2t "$CORPUS" 2 --no-builtin
tg tg-schema-1t "$CORPUS" 1 --no-builtin
tg_json "$CORPUS" "$RES/tollgate-schema.json" --no-builtin
tg_row "tollgate \`--no-builtin\`" "schema only: embedded Kubernetes schemas + the corpus CRD, strict" tg-schema-2t tg-schema-1t "$L"
log "kubernetes-models..."
L=$(loadavg)
hf k8s-models 3 "node $NODE_DIR/k8s_models.mjs $CORPUS"
meas k8s-models node "$NODE_DIR/k8s_models.mjs" "$CORPUS"
row "kubernetes-models (node)" "js-yaml parse + \`new Model(doc).validate()\` (ajv), 1 thread, not strict" \
    "$(hf_median k8s-models)" "$(cpu k8s-models)" "$(rss k8s-models)" "$(tree k8s-models)" \
    "$(hf_median tg-schema-2t)" "$(hf_median tg-schema-1t)" "$L"

# --- 2. PyYAML parse (reference) and the OPA loop vs tollgate full check ----------------
log "tollgate full check..."
L=$(loadavg)
tg tg-full-2t "$CORPUS" 2
tg tg-full-1t "$CORPUS" 1
tg_json "$CORPUS" "$RES/tollgate-full.json"
tg_row "tollgate (full check)" "schemas (strict) + the 23-rule built-in pack" tg-full-2t tg-full-1t "$L"
log "PyYAML parse only..."
L=$(loadavg)
hf pyyaml-parse 3 "$PY $HERE/opa_loop.py --parse-only $CORPUS"
meas pyyaml-parse "$PY" "$HERE/opa_loop.py" --parse-only "$CORPUS"
LOADER=$(j "$RES/pyyaml-parse.out" 'd["loader"]')
row "PyYAML parse only (reference)" "\`yaml.load_all\` ($LOADER) of every file, nothing else, 1 thread" \
    "$(hf_median pyyaml-parse)" "$(cpu pyyaml-parse)" "$(rss pyyaml-parse)" "$(tree pyyaml-parse)" \
    "$(hf_median tg-full-2t)" "$(hf_median tg-full-1t)" "$L"
log "OPA loop (one run)..."
tg tg-full-2t-opa "$CORPUS" 2
tg tg-full-1t-opa "$CORPUS" 1
L=$(loadavg)
meas opa-loop "$PY" "$HERE/opa_loop.py" "$CORPUS" "$POLICIES"
[ "$(j "$RES/opa-loop.json" 'd["exit"]')" = 0 ] || { tail -5 "$RES/opa-loop.json.stderr" >&2; exit 1; }
row "OPA engine, conftest-style loop (Python)" "PyYAML ($LOADER) + one OPA query per rule per document ($(j "$RES/opa-loop.out" 'd["queries"]') queries), 1 thread" \
    "$(j "$RES/opa-loop.json" '"%.3f" % d["wall_s"]')" "$(cpu opa-loop)" "$(rss opa-loop)" "$(tree opa-loop)" \
    "$(hf_median tg-full-2t-opa)" "$(hf_median tg-full-1t-opa)" "$L"

# --- 3. checkov vs tollgate full check ---------------------------------------------------
checkov_run() { # name corpus
    meas "$1" "$CHECKOV" -d "$2" --framework kubernetes --quiet --compact --skip-download -o json
}
if [ "$NO_CHECKOV" = 0 ]; then
    if [ -n "$SCALE" ]; then
        log "checkov on $SCALE (one run)..."
        tg tg-full-2t-scale "$SCALE" 2
        tg tg-full-1t-scale "$SCALE" 1
        L=$(loadavg)
        checkov_run checkov-scale "$SCALE"
        row "checkov --framework kubernetes, on $(basename "$SCALE")" "its Kubernetes checks (one run)" \
            "$(j "$RES/checkov-scale.json" '"%.3f" % d["wall_s"]')" "$(cpu checkov-scale)" "$(rss checkov-scale)" "$(tree checkov-scale)" \
            "$(hf_median tg-full-2t-scale)" "$(hf_median tg-full-1t-scale)" "$L"
    fi
    log "checkov on $CORPUS (one run, about 10 minutes)..."
    tg tg-full-2t-ck "$CORPUS" 2
    tg tg-full-1t-ck "$CORPUS" 1
    L=$(loadavg)
    checkov_run checkov "$CORPUS"
    row "checkov --framework kubernetes" "its Kubernetes checks, worker processes (one run)" \
        "$(j "$RES/checkov.json" '"%.3f" % d["wall_s"]')" "$(cpu checkov)" "$(rss checkov)" "$(tree checkov)" \
        "$(hf_median tg-full-2t-ck)" "$(hf_median tg-full-1t-ck)" "$L"
    log "tollgate full check again, after checkov..."
    tg tg-full-2t-after "$CORPUS" 2
fi

# --- report --------------------------------------------------------------------------------
# What each tool found, and the OPA loop's violations against tollgate's pack findings.
FINDINGS=$(python3 - "$RES" "$POLICIES" "$NO_CHECKOV" "$SCALE" "$ROOT" <<'EOF'
import collections, glob, json, os, re, sys
res, policies, no_checkov, scale = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
# Paths in the report relative to the repository, not this machine's.
rel = lambda text: text.replace(sys.argv[5] + "/", "")
ids = set()
for path in glob.glob(os.path.join(policies, "*.rego")):
    if path.endswith("_test.rego"):
        continue
    m = re.search(r"^#\s+id:\s*(\S+)", open(path).read(), re.M)
    if m:
        ids.add(m.group(1))
full = json.load(open(os.path.join(res, "tollgate-full.json")))
schema = json.load(open(os.path.join(res, "tollgate-schema.json")))
tg_pack = collections.Counter(f["rule"] for f in full["findings"] if f["rule"] in ids)
tg_schema = collections.Counter(f["rule"] for f in schema["findings"])
opa = json.load(open(os.path.join(res, "opa-loop.out")))
km = json.load(open(os.path.join(res, "k8s-models.out")))
parse = json.load(open(os.path.join(res, "pyyaml-parse.out")))
out = []
p = out.append
p("## What each tool found\n")
p(f"- **tollgate schema only**: {sum(tg_schema.values())} findings "
  f"({', '.join(f'{k} {v}' for k, v in tg_schema.most_common())}) in {schema['summary']['documents']} documents.")
p(f"- **kubernetes-models**: {km['files']} files, {km['documents']} documents parsed, "
  f"{km['files_unparsed']} files js-yaml could not parse (their documents are not checked), "
  f"{km['with_model']} documents with a model: {km['valid']} valid, {km['invalid']} invalid; "
  f"{km['no_model']} without a model ({', '.join(f'{k}: {v}' for k, v in km['no_model_kinds'].items())}).")
if km["parse_error_samples"]:
    p(f"  First parse error: `{rel(km['parse_error_samples'][0])}`.")
if km["invalid_samples"]:
    p(f"  First invalid: `{rel(km['invalid_samples'][0])}`.")
p(f"- **PyYAML parse** ({parse['loader']}, PyYAML {parse['pyyaml']}): {parse['files']} files, {parse['documents']} documents.")
p(f"- **OPA loop**: {opa['documents']} documents × {opa['rules']} rules = {opa['queries']} queries, "
  f"{opa['violations']} violations; {opa['unserializable_queries']} queries skipped (input not JSON); "
  f"parse {opa['parse_seconds']} s + evaluation {opa['eval_seconds']} s inside the script.")
t = json.load(open(os.path.join(res, "opa-tests.out")))
p(f"- **The pack's own tests on OPA** (`*_test.rego`, not timed): {t['passed']} of {t['tests']} pass"
  + (f"; failing: {', '.join('`' + x + '`' for x in t['failed'])}." if t["failed"] else "."))
p(f"- **tollgate pack findings** (full check, rules of the pack only): {sum(tg_pack.values())}.")
p("")
p("| pack rule | tollgate | OPA loop | difference |")
p("|---|---|---|---|")
for rule in sorted(set(tg_pack) | set(opa["by_rule"])):
    a, b = tg_pack.get(rule, 0), opa["by_rule"].get(rule, 0)
    p(f"| {rule} | {a} | {b} | {b - a:+d} |")
p(f"| **total** | {sum(tg_pack.values())} | {opa['violations']} | {opa['violations'] - sum(tg_pack.values()):+d} |")
p("")
for name, label in (("checkov-scale", os.path.basename(scale) if scale else ""), ("checkov", "the main corpus")):
    path = os.path.join(res, name + ".out")
    if no_checkov or not os.path.exists(path) or not os.path.getsize(path):
        continue
    d = json.load(open(path))
    d = d[0] if isinstance(d, list) else d
    s = d["summary"]
    p(f"- **checkov** on {label}: {s['resource_count']} resources, {s['passed']} checks passed, "
      f"{s['failed']} failed, {s['parsing_errors']} parsing errors (checkov {s['checkov_version']}).")
print("\n".join(out))
EOF
)

ELAPSED=$(($(date +%s) - SCRIPT_START))
VERSIONS="tollgate $("$TOLLGATE" --version | cut -d' ' -f2); checkov $("$CHECKOV" --version 2>/dev/null); \
opa-golib-python-bindings $("$VENV/bin/pip" show opa-golib-python-bindings 2>/dev/null | sed -n 's/^Version: //p'); \
PyYAML $("$PY" -c 'import yaml; print(yaml.__version__)') ($LOADER); \
Python $("$PY" -c 'import platform; print(platform.python_version())'); \
kubernetes-models $(node -p "require('$NODE_DIR/node_modules/kubernetes-models/package.json').version"), \
ajv $(node -p "require('$NODE_DIR/node_modules/ajv/package.json').version"), \
js-yaml $(node -p "require('$NODE_DIR/node_modules/js-yaml/package.json').version"); node $(node --version); \
$(hyperfine --version)."

REPORT="$OUT/peers.md"
{
    echo "# tollgate and its peers"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); corpus \`$(basename "$CORPUS")\`: $FILES files, $DOCS documents, $MB MB. The whole script took $((ELAPSED / 60)) min $((ELAPSED % 60)) s."
    echo
    echo "$VERSIONS"
    echo
    echo "Rego pack given to OPA: $PACK_NOTE."
    echo
    echo "*wall s*: hyperfine median of $RUNS runs (tollgate), of 3 (kubernetes-models, PyYAML), or one run (OPA loop, checkov)."
    echo "*CPU s* (user + sys) and *peak RSS* (the largest single process, as \`/usr/bin/time -v\`) from one run;"
    echo "*tree RSS*: peak of the RSS summed over the process tree, sampled every 0.2 s (an upper bound for forked workers)."
    echo "*tollgate s*: the tollgate command each peer is compared with (full check, or \`--no-builtin\` for the schema validator),"
    echo "timed just before the peer, 2 threads (the default) / \`--jobs 1\`. *×* = peer wall / tollgate wall: how many times faster tollgate is."
    echo "*load*: /proc/loadavg (1, 5, 15 min) just before the peer's run (the machine is shared)."
    echo
    echo "| tool | what it does | wall s | CPU s | peak RSS MB | tree RSS MB | tollgate s (2t / 1t) | × vs 2t | × vs 1t | load |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '%s' "$ROWS"
    if [ "$NO_CHECKOV" = 0 ]; then
        echo
        echo "tollgate full check right after checkov: $(hf_median tg-full-2t-after) s (2 threads), load $(loadavg)."
    fi
    echo
    echo "$FINDINGS"
} >"$REPORT"
cat "$REPORT"
log "written to $REPORT (raw measurements in $RES)"
