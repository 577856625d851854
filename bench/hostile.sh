#!/usr/bin/env bash
# Hostile inputs: each shape doubled several times, to show tollgate's time grows
# at most linearly with the input (a pull request from a fork must not stall the gate).
#
#   bench/hostile.sh            4 sizes per shape (n, 2n, 4n, 8n), 5 runs each
#   bench/hostile.sh --quick    2 runs each (a smoke run)
#
# Needs python3, hyperfine. Prints a markdown report on stdout and writes it to
# bench/out/hostile.md; the inputs live under bench/out/hostile/ (gitignored).
#
# Each run is the release binary, `tollgate check FILE --format json --output /dev/null`
# (whole process, start-up included), hyperfine minimum over the runs. *ratio* is the
# time against the previous size, the input being twice as long: linear is 2.0 or
# less (less while start-up still weighs), quadratic is 4.0. A ratio above 2.5 is
# flagged, and the script exits 1.
#
# The shapes:
# - flow-seq-in-block: `a: [[[…]]]`, n levels (libyaml walks every open flow
#   level on each token: quadratic before the loader stopped at limits.max_depth);
# - flow-map-in-block: `a: {a: {a: …x}}`, n levels;
# - flow-seq-top: `[[[…]]]` at the top level, n levels;
# - flow-seq-json: the same in a `.json` file (the JSON parser);
# - block-seq-deep: `a:` then `- - - … x`, n levels of block sequences;
# - block-map-deep: mappings nested 200 levels by indentation, repeated side by side;
# - plain-colon-hash: one plain scalar of n `x:y#z ` pieces (`:` and `#` that start
#   nothing);
# - plain-multiline: one plain scalar continued over n lines of `x:y#z`;
# - anchors: n anchored items `- &aN {k: vN}`, every 8th followed by an alias;
# - duplicate-keys: `a: 1` n times (n-1 duplicate-key findings, each naming a line).
set -euo pipefail

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help)
            sed -n '2,28p' "$0"
            exit 0
            ;;
        *)
            echo "bench/hostile.sh: unknown argument $arg" >&2
            exit 2
            ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
DIR="$OUT/hostile"
mkdir -p "$DIR"
cd "$ROOT"

for tool in python3 hyperfine; do
    command -v "$tool" >/dev/null || {
        echo "bench/hostile.sh: $tool is needed" >&2
        exit 2
    }
done

echo "building the release binary..." >&2
cargo build --release --bin tollgate >&2
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
TOLLGATE="$TARGET_DIR/release/tollgate"
[ -x "$TOLLGATE" ] || {
    echo "bench/hostile.sh: build failed" >&2
    exit 2
}
RUNS=$([ "$QUICK" = 1 ] && echo 2 || echo 5)

# Writes DIR/<shape>-<n>.<ext> for every shape and size; prints "shape n path" lines.
python3 - "$DIR" >"$DIR/inputs.txt" <<'EOF'
import sys
out = sys.argv[1]

def block_map_deep(n):
    # 200 levels by indentation, repeated until the text is about n * 20 bytes.
    one = "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "x\n"
    one = "- " + one.replace("\n", "\n  ").rstrip(" ")
    reps = max(1, n * 20 // len(one))
    return "items:\n" + "".join("  " + line + "\n" for line in (one * reps).splitlines())

def anchors(n):
    items = []
    for i in range(n):
        items.append(f"- &a{i} {{k: v{i}}}\n")
        if i % 8 == 7:
            items.append(f"- *a{i - 3}\n")
    return "list:\n" + "".join(items)

shapes = {
    "flow-seq-in-block": (25_000, "yaml", lambda n: "a: " + "[" * n + "]" * n + "\n"),
    "flow-map-in-block": (25_000, "yaml", lambda n: "a: " + "{a: " * n + "x" + "}" * n + "\n"),
    "flow-seq-top": (25_000, "yaml", lambda n: "[" * n + "]" * n + "\n"),
    "flow-seq-json": (25_000, "json", lambda n: "[" * n + "]" * n + "\n"),
    "block-seq-deep": (25_000, "yaml", lambda n: "a:\n" + "- " * n + "x\n"),
    "block-map-deep": (25_000, "yaml", block_map_deep),
    "plain-colon-hash": (25_000, "yaml", lambda n: "a: " + "x:y#z " * n + "\n"),
    "plain-multiline": (25_000, "yaml", lambda n: "a: x\n" + "  x:y#z\n" * n),
    "anchors": (10_000, "yaml", anchors),
    "duplicate-keys": (25_000, "yaml", lambda n: "a: 1\n" * n),
}
for name, (base, ext, make) in shapes.items():
    for k in range(4):
        n = base << k
        path = f"{out}/{name}-{n}.{ext}"
        with open(path, "w") as f:
            f.write(make(n))
        print(name, n, path)
EOF

seconds() { # file
    hyperfine --style none --warmup 1 --runs "$RUNS" -i -N \
        --export-json "$OUT/hyperfine.json" \
        "$TOLLGATE check $1 --format json --output /dev/null" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f" % min(r["times"]))' "$OUT/hyperfine.json"
}

ROWS=""
WORST=0
FLAGGED=""
PREV_SHAPE=""
PREV_T=""
while read -r shape n path; do
    echo "measuring $shape n=$n..." >&2
    t=$(seconds "$path")
    kb=$(($(wc -c <"$path") / 1024))
    if [ "$shape" = "$PREV_SHAPE" ]; then
        ratio=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$t" "$PREV_T")
        if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 2.5 else 1)" "$ratio"; then
            FLAGGED+=" $shape@$n"
        fi
        WORST=$(python3 -c "import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))" "$WORST" "$ratio")
    else
        ratio="-"
    fi
    ROWS+="| $shape | $n | $kb | $t | $ratio |"$'\n'
    PREV_SHAPE=$shape
    PREV_T=$t
done <"$DIR/inputs.txt"

REPORT="$OUT/hostile.md"
{
    echo "# tollgate on hostile inputs"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "tollgate $("$TOLLGATE" --version | cut -d' ' -f2). Seconds: whole process, minimum of $RUNS runs."
    echo "*ratio*: time against the previous (half as long) input; linear is at most 2.0."
    echo
    echo "| shape | n | KB | seconds | ratio |"
    echo "|---|---|---|---|---|"
    printf '%s' "$ROWS"
    echo
    echo "Largest ratio: $WORST."
    if [ -n "$FLAGGED" ]; then
        echo "Above 2.5 (superlinear?):$FLAGGED"
    fi
} | tee "$REPORT"
echo "written to $REPORT" >&2
[ -z "$FLAGGED" ]
