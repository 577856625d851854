#!/usr/bin/env bash
# Rendered change review at scale: a staged edit to one base shared by 10 of 200
# overlays, reviewed by `tollgate check --changed --staged` (issue 14, item 7:
# within 150 ms).
#
#   bench/review.sh            10 timed runs after 3 warm-ups
#   bench/review.sh --quick    fewer repetitions (a smoke run)
#
# TOLLGATE=/path/to/tollgate bench/review.sh times that binary instead of building one.
#
# Needs python3 and git; hyperfine when installed (apt-get install -y hyperfine),
# otherwise the best of N runs timed by python3. Prints a markdown report on
# stdout and writes it to bench/out/review.md. Everything it generates lives
# under bench/out/ (gitignored).
#
# The repository: 20 bases (base-00 … base-19: a Deployment, a Service and a
# configMapGenerator each) and 200 overlays (overlays/env-000 … env-199; overlay i
# includes base i % 20, so each base is shared by 10 overlays; each overlay has a
# namespace, a name prefix, common labels, an images entry, a generator and a
# strategic-merge patch). One commit; then `base-00/deployment.yaml` gets a new
# replica count and image tag, staged. What the review does: snapshot the index
# and HEAD, build the kustomization graph at both, find the 10 overlays that
# include base-00, render each at base and at head, diff them, check the 10 head
# renders and the 10 base renders (schemas, the whole built-in pack) for statuses.
#
# What is measured, whole process (start-up included), from the repository root:
# - `tollgate check --changed --staged` (text output to /dev/null);
# - `tollgate report --staged --format json` (the approval report);
# - the `--stats` breakdown of one `check --changed --staged` run.
set -euo pipefail

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help)
            sed -n '2,29p' "$0"
            exit 0
            ;;
        *)
            echo "bench/review.sh: unknown argument $arg" >&2
            exit 2
            ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
cd "$ROOT"

for tool in python3 git; do
    command -v "$tool" >/dev/null || {
        echo "bench/review.sh: $tool is needed" >&2
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
    echo "bench/review.sh: build failed" >&2
    exit 2
}

RUNS=$([ "$QUICK" = 1 ] && echo 3 || echo 10)
WARMUP=$([ "$QUICK" = 1 ] && echo 1 || echo 3)

REPO="$OUT/review-repo"
if [ ! -f "$REPO/.complete" ]; then
    echo "building the 200-overlay, 20-base repository..." >&2
    rm -rf "$REPO"
    mkdir -p "$REPO"
    python3 - "$REPO" <<'PY'
import os, sys
repo = sys.argv[1]
def w(path, text):
    path = os.path.join(repo, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
for b in range(20):
    d = "bases/base-%02d" % b
    app = "app%02d" % b
    w(d + "/kustomization.yaml", f"""resources:
- deployment.yaml
- service.yaml
configMapGenerator:
- name: {app}-config
  literals:
  - LOG_LEVEL=info
""")
    w(d + "/deployment.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  labels:
    app: {app}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      containers:
      - name: {app}
        image: registry.example.com/{app}:1.0.0
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: {app}-config
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
    w(d + "/service.yaml", f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
spec:
  selector:
    app: {app}
  ports:
  - port: 80
    targetPort: 8080
""")
for i in range(200):
    b = i % 20
    app = "app%02d" % b
    d = "overlays/env-%03d" % i
    w(d + "/kustomization.yaml", f"""resources:
- ../../bases/base-{b:02d}
namespace: env-{i:03d}
namePrefix: e{i:03d}-
commonLabels:
  env: env-{i:03d}
images:
- name: registry.example.com/{app}
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
  name: {app}
spec:
  template:
    spec:
      containers:
      - name: {app}
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
# The staged edit: base-00's replicas and image tag.
sed -i 's/^  replicas: 2$/  replicas: 3/; s/app00:1\.0\.0/app00:1.1.0/' "$REPO/bases/base-00/deployment.yaml"
git -C "$REPO" add bases/base-00/deployment.yaml

# The review must see the 10 overlays of base-00 and nothing else.
TARGETS=$(cd "$REPO" && "$TOLLGATE" report --staged --format json |
    python3 -c 'import json,sys; print(" ".join(t["target"] for t in json.load(sys.stdin)["targets"]))')
COUNT=$(echo "$TARGETS" | wc -w)
[ "$COUNT" = 10 ] || {
    echo "bench/review.sh: expected 10 reviewed targets, got $COUNT: $TARGETS" >&2
    exit 2
}

# "min median" in milliseconds of one command, run from the repository.
timed() { # command
    if command -v hyperfine >/dev/null; then
        local json="$OUT/hyperfine-review.json"
        (cd "$REPO" && hyperfine --style none --warmup "$WARMUP" --runs "$RUNS" -i -N \
            --export-json "$json" "$1" >/dev/null 2>&1)
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %.1f" % (min(r["times"])*1e3, r["median"]*1e3))' "$json"
    else
        (cd "$REPO" && python3 - "$WARMUP" "$RUNS" "$1" <<'PY'
import shlex, statistics, subprocess, sys, time
warmup, runs, cmd = int(sys.argv[1]), int(sys.argv[2]), shlex.split(sys.argv[3])
times = []
for i in range(warmup + runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if i >= warmup:
        times.append(time.perf_counter() - t)
print("%.1f %.1f" % (min(times) * 1e3, statistics.median(times) * 1e3))
PY
        )
    fi
}
TIMER=$(command -v hyperfine >/dev/null && echo "hyperfine $(hyperfine --version | cut -d' ' -f2), -N" || echo "best of $RUNS (python3 perf_counter)")

echo "timing check --changed --staged ($RUNS runs)..." >&2
read -r CHECK_MIN CHECK_MED < <(timed "$TOLLGATE check --changed --staged")
echo "timing report --staged ($RUNS runs)..." >&2
read -r REPORT_MIN REPORT_MED < <(timed "$TOLLGATE report --staged --format json")
GOAL=$(python3 -c "import sys; print('met' if float(sys.argv[1]) <= 150 else 'missed')" "$CHECK_MIN")
STATS=$(cd "$REPO" && "$TOLLGATE" check --changed --staged --stats 2>&1 >/dev/null | grep '^stats:' || true)
git -C "$REPO" reset -q --hard

REPORT="$OUT/review.md"
{
    echo "# tollgate rendered change review"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "tollgate $("$TOLLGATE" --version | cut -d' ' -f2), timer: $TIMER, $WARMUP warm-ups, $RUNS runs."
    echo
    echo "Repository: 20 bases, 200 overlays (each base shared by 10), $(git -C "$REPO" ls-files | wc -l) files; staged: one base edit (replicas and image tag)."
    echo "Reviewed targets: $COUNT."
    echo
    echo "| command | min | median |"
    echo "|---|---|---|"
    echo "| \`tollgate check --changed --staged\` | $CHECK_MIN ms | $CHECK_MED ms |"
    echo "| \`tollgate report --staged --format json\` | $REPORT_MIN ms | $REPORT_MED ms |"
    echo
    echo "Goal (issue 14): \`check --changed --staged\` within 150 ms: $GOAL."
    echo
    echo '```text'
    echo "$STATS"
    echo '```'
} | tee "$REPORT"
echo "written to $REPORT" >&2
