#!/usr/bin/env bash
# Kustomize rendering, side by side: tollgate's native renderer against a loop of
# `kubectl kustomize` over the same roots of the Kustomize corpus.
#
#   bench/render.sh            the corpus roots, and the 200-overlay hook case
#   bench/render.sh --quick    fewer repetitions (a smoke run)
#   bench/render.sh --no-hooks skip the 200-overlay repository
#
# TOLLGATE=/path/to/tollgate bench/render.sh times that binary instead of building one.
#
# Needs python3, git, hyperfine and kubectl (Kustomize v5.5.0). Reads
# ../shared/corpus/kustomize/ROOTS.tsv (skips with a message when it is absent),
# prints a markdown report on stdout and writes it to bench/out/render.md.
# Everything it generates lives under bench/out/ (gitignored).
#
# What is measured, whole process, hyperfine minimum (and median) after a warm-up:
# - tollgate: ONE `tollgate render` invocation over all `ok` roots, plus one
#   `tollgate render --load-restrictor none` over the `ok-load-restrictor-none`
#   roots (two processes in one shell script, output to /dev/null);
# - kubectl: a shell loop of `kubectl kustomize ROOT` over the `ok` roots, then
#   `kubectl kustomize --load-restrictor LoadRestrictionsNone ROOT` over the
#   others, output to /dev/null;
# - the ratio kubectl / tollgate (issue goal: at least 20×).
# Both run from the corpus directory on the root paths as ROOTS.tsv writes them.
# Hooks: a generated git repository with a base and 200 overlays (a patch, a
# configMapGenerator and images each); 5 overlay files modified and staged;
# `tollgate check FILE...` as pre-commit passes them (renders the 5 overlays).
set -euo pipefail

QUICK=0
HOOKS=1
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        --no-hooks) HOOKS=0 ;;
        -h | --help)
            sed -n '2,28p' "$0"
            exit 0
            ;;
        *)
            echo "bench/render.sh: unknown argument $arg" >&2
            exit 2
            ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
CORPUS="$ROOT/../shared/corpus/kustomize"
mkdir -p "$OUT"
cd "$ROOT"

if [ ! -f "$CORPUS/ROOTS.tsv" ]; then
    echo "bench/render.sh: no $CORPUS/ROOTS.tsv: skipping (the Kustomize corpus is kept outside this repository)" >&2
    exit 0
fi
CORPUS=$(cd "$CORPUS" && pwd)
for tool in python3 git hyperfine kubectl; do
    command -v "$tool" >/dev/null || {
        echo "bench/render.sh: $tool is needed" >&2
        exit 2
    }
done

if [ -n "${TOLLGATE:-}" ]; then
    echo "using TOLLGATE=$TOLLGATE (not rebuilt)" >&2
else
    echo "building the release binary..." >&2
    cargo build --release --bin tollgate >&2
    TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    TOLLGATE="$TARGET_DIR/release/tollgate"
fi
[ -x "$TOLLGATE" ] || {
    echo "bench/render.sh: build failed" >&2
    exit 2
}

RUNS=$([ "$QUICK" = 1 ] && echo 2 || echo 10)
KRUNS=$([ "$QUICK" = 1 ] && echo 1 || echo 3)

mapfile -t OK < <(awk -F'\t' '$2 == "ok" { print $1 }' "$CORPUS/ROOTS.tsv")
mapfile -t OK_NONE < <(awk -F'\t' '$2 == "ok-load-restrictor-none" { print $1 }' "$CORPUS/ROOTS.tsv")
OBJECTS=$(awk -F'\t' '$2 ~ /^ok/ { n += $3 } END { print n }' "$CORPUS/ROOTS.tsv")

# The two commands, as scripts (the root lists are too long for a hyperfine argument).
TG_SCRIPT="$OUT/render-tollgate.sh"
KC_SCRIPT="$OUT/render-kubectl.sh"
{
    echo "#!/usr/bin/env bash"
    echo "cd '$CORPUS'"
    printf '%q render' "$TOLLGATE"
    printf ' %q' "${OK[@]}"
    echo ' >/dev/null'
    if [ "${#OK_NONE[@]}" -gt 0 ]; then
        printf '%q render --load-restrictor none' "$TOLLGATE"
        printf ' %q' "${OK_NONE[@]}"
        echo ' >/dev/null'
    fi
    echo "exit 0"
} >"$TG_SCRIPT"
{
    echo "#!/usr/bin/env bash"
    echo "cd '$CORPUS'"
    printf 'for r in'
    printf ' %q' "${OK[@]}"
    echo '; do kubectl kustomize "$r" >/dev/null; done'
    if [ "${#OK_NONE[@]}" -gt 0 ]; then
        printf 'for r in'
        printf ' %q' "${OK_NONE[@]}"
        echo '; do kubectl kustomize --load-restrictor LoadRestrictionsNone "$r" >/dev/null; done'
    fi
    echo "exit 0"
} >"$KC_SCRIPT"
chmod +x "$TG_SCRIPT" "$KC_SCRIPT"

# Every root must render: a failing root would make tollgate look faster.
(cd "$CORPUS" && "$TOLLGATE" render "${OK[@]}" >/dev/null 2>"$OUT/render-stderr.txt") ||
    echo "bench/render.sh: tollgate render reported errors (see $OUT/render-stderr.txt)" >&2
if [ "${#OK_NONE[@]}" -gt 0 ]; then
    (cd "$CORPUS" && "$TOLLGATE" render --load-restrictor none "${OK_NONE[@]}" >/dev/null 2>>"$OUT/render-stderr.txt") ||
        echo "bench/render.sh: tollgate render --load-restrictor none reported errors" >&2
fi

# "min median" in seconds of one command.
timed() { # runs warmup script
    local json="$OUT/hyperfine-render.json"
    hyperfine --style none --warmup "$2" --runs "$1" -N --export-json "$json" "$3" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f %.4f" % (min(r["times"]), r["median"]))' "$json"
}

echo "timing tollgate render (${#OK[@]} + ${#OK_NONE[@]} roots, $RUNS runs)..." >&2
read -r TG_MIN TG_MED < <(timed "$RUNS" 2 "$TG_SCRIPT")
echo "timing the kubectl kustomize loop ($KRUNS runs)..." >&2
read -r KC_MIN KC_MED < <(timed "$KRUNS" 1 "$KC_SCRIPT")
RATIO=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$KC_MIN" "$TG_MIN")
GOAL=$(python3 -c "import sys; print('met' if float(sys.argv[1]) >= 20 else 'missed')" "$RATIO")

HOOK_ROWS=""
if [ "$HOOKS" = 1 ]; then
    REPO="$OUT/render-hooks-repo"
    if [ ! -f "$REPO/.complete" ]; then
        echo "building the 200-overlay repository..." >&2
        rm -rf "$REPO"
        mkdir -p "$REPO/base"
        python3 - "$REPO" <<'PY'
import os, sys
repo = sys.argv[1]
def w(path, text):
    path = os.path.join(repo, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
w("base/kustomization.yaml", "resources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\n")
w("base/deployment.yaml", """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.0.0
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: web-config
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            cpu: 500m
            memory: 256Mi
        securityContext:
          runAsNonRoot: true
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
""")
w("base/service.yaml", """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
""")
w("base/configmap.yaml", """apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
""")
for i in range(200):
    d = "overlays/env-%03d" % i
    w(d + "/kustomization.yaml", f"""resources:
- ../../base
namespace: env-{i:03d}
namePrefix: e{i:03d}-
commonLabels:
  env: env-{i:03d}
images:
- name: registry.example.com/web
  newTag: 1.0.{i}
configMapGenerator:
- name: extra
  literals:
  - INDEX={i}
patches:
- path: patch.yaml
""")
    w(d + "/patch.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {1 + i % 5}
  template:
    spec:
      containers:
      - name: web
        env:
        - name: INDEX
          value: "{i}"
""")
PY
        git -C "$REPO" init -q
        git -C "$REPO" -c user.name=bench -c user.email=bench@example.com add -A
        git -C "$REPO" -c user.name=bench -c user.email=bench@example.com commit -qm overlays
        touch "$REPO/.complete"
    fi
    git -C "$REPO" reset -q --hard
    STAGED=()
    for i in 000 050 100 150 199; do
        STAGED+=("overlays/env-$i/patch.yaml")
        printf '# touched by bench/render.sh\n' >>"$REPO/overlays/env-$i/patch.yaml"
    done
    git -C "$REPO" add -- "${STAGED[@]}"
    HOOK_RUNS=$([ "$QUICK" = 1 ] && echo 5 || echo 30)
    hook_row() { # label command
        (cd "$REPO" && hyperfine --style none --warmup 3 --runs "$HOOK_RUNS" -i -N \
            --export-json "$OUT/hyperfine-render.json" "$2" >/dev/null 2>&1)
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("| %s | %.1f ms | %.1f ms |" % (sys.argv[2], min(r["times"])*1e3, r["median"]*1e3))' "$OUT/hyperfine-render.json" "$1"
    }
    echo "timing the hook case..." >&2
    HOOK_ROWS+=$(hook_row "\`tollgate check\` on the 5 staged patch files (renders their 5 overlays)" "$TOLLGATE check ${STAGED[*]}")$'\n'
    HOOK_ROWS+=$(hook_row "\`tollgate check --no-render\` on the same files (as written)" "$TOLLGATE check --no-render ${STAGED[*]}")$'\n'
    HOOK_ROWS+=$(hook_row "\`tollgate render\` of the 5 overlays" "$TOLLGATE render overlays/env-000 overlays/env-050 overlays/env-100 overlays/env-150 overlays/env-199")$'\n'
    git -C "$REPO" reset -q --hard
fi

{
    echo "# tollgate rendering benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "tollgate $("$TOLLGATE" --version | cut -d' ' -f2), $(kubectl version --client 2>/dev/null | head -1), Kustomize $(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p')."
    echo
    echo "Kustomize corpus: ${#OK[@]} \`ok\` roots and ${#OK_NONE[@]} \`ok-load-restrictor-none\` roots, $OBJECTS objects in kubectl's renders."
    echo "Whole processes, output to /dev/null; seconds are hyperfine minimum and median ($RUNS runs for tollgate, $KRUNS for kubectl)."
    echo
    echo "| command | min s | median s |"
    echo "|---|---|---|"
    echo "| tollgate: \`tollgate render ROOT...\` (one process) + \`tollgate render --load-restrictor none ROOT...\` | $TG_MIN | $TG_MED |"
    echo "| kubectl: \`for r in ROOT...; do kubectl kustomize \$r; done\` (+ \`--load-restrictor LoadRestrictionsNone\`) | $KC_MIN | $KC_MED |"
    echo
    echo "kubectl / tollgate: **${RATIO}×** (goal 20×: $GOAL)."
    if [ -n "$HOOK_ROWS" ]; then
        echo
        echo "## Hooks (base + 200 overlays, 5 staged overlay patches, whole process)"
        echo
        echo "| command | min | median |"
        echo "|---|---|---|"
        printf '%s' "$HOOK_ROWS"
    fi
} | tee "$OUT/render.md"
echo "written to $OUT/render.md" >&2
