#!/usr/bin/env bash
# Whole-process benchmarks of tollgate, side by side with the parse-only baseline.
#
#   bench/run.sh            corpora of 100, 1,000 and 10,000 files, ../shared/corpus/real/
#   bench/run.sh --large    also 100,000 files (about 300 MB, several minutes)
#   bench/run.sh --quick    fewer repetitions (a smoke run)
#   bench/run.sh --tmpfs    corpora in /dev/shm/tollgate-bench instead of bench/out: files
#                           stay in memory, so the run measures tollgate, not the disk
#                           (this VM keeps only about 1 GB of page cache; the 300 MB
#                           100,000-file corpus is partly re-read from disk on every run)
#
# Needs python3, git, hyperfine and GNU time (/usr/bin/time). Prints a markdown
# report on stdout and writes it to bench/out/results.md. Everything it generates
# lives under bench/out/ (gitignored). Each corpus is its own git repository, so
# tollgate's default policy directories are looked up there, not in this repository.
#
# What is measured, per corpus, in one run:
# - parse-only: `benches/parse_only.rs` (discover + read + parse, same parser, same
#   rayon pool), best of N in-process runs, 1 and 2 threads;
# - full check: the release binary, `tollgate check` with defaults (embedded
#   schemas, strict, the whole built-in pack), JSON to /dev/null, hyperfine min
#   over N runs after a warm-up, 1 and 2 threads (whole process, start-up included);
# - peak RSS of the full check (2 threads), `/usr/bin/time -v`;
# - the `--stats` breakdown of one 2-thread run.
# Instant hooks: a 10,000-file git repository with 5 staged files, timing
# `tollgate check FILE...` as pre-commit passes them (and `--changed --staged`
# when the binary has it).
set -euo pipefail

LARGE=0
QUICK=0
TMPFS=0
for arg in "$@"; do
    case "$arg" in
        --large) LARGE=1 ;;
        --quick) QUICK=1 ;;
        --tmpfs) TMPFS=1 ;;
        -h | --help)
            sed -n '2,28p' "$0"
            exit 0
            ;;
        *)
            echo "bench/run.sh: unknown argument $arg" >&2
            exit 2
            ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
REAL="$ROOT/../shared/corpus/real"
CORPORA="$OUT"
STORAGE="disk (bench/out)"
if [ "$TMPFS" = 1 ]; then
    CORPORA=/dev/shm/tollgate-bench
    STORAGE="tmpfs ($CORPORA)"
fi
mkdir -p "$OUT"
cd "$ROOT"

for tool in python3 git hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || {
        echo "bench/run.sh: $tool is needed" >&2
        exit 2
    }
done

echo "building the release binary and the parse-only bench..." >&2
cargo build --release --bin tollgate >&2
PARSE_ONLY=$(cargo bench --no-run --bench parse_only --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "parse_only" and m.get("executable"):
        print(m["executable"])')
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
TOLLGATE="$TARGET_DIR/release/tollgate"
[ -x "$TOLLGATE" ] && [ -x "$PARSE_ONLY" ] || {
    echo "bench/run.sh: build failed" >&2
    exit 2
}

# A generated corpus, as its own git repository (generated once per size).
corpus() {
    local n=$1 dir="$CORPORA/corpus-$1"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        mkdir -p "$CORPORA"
        if [ "$CORPORA" != "$OUT" ] && [ -f "$OUT/corpus-$n/.complete" ]; then
            cp -r "$OUT/corpus-$n" "$dir"
            echo "$dir"
            return
        fi
        python3 bench/gen-corpus.py --files "$n" --seed 1 --out "$dir" >&2
        git -C "$dir" init -q
        printf '.complete\n' >"$dir/.gitignore"
        touch "$dir/.complete"
    fi
    echo "$dir"
}

runs_for() { # repetitions by corpus size
    local files=$1
    if [ "$QUICK" = 1 ]; then echo 2; elif [ "$files" -ge 50000 ]; then echo 2; elif [ "$files" -ge 5000 ]; then echo 5; else echo 10; fi
}

# Seconds: best in-process parse-only time.
parse_only() { # dir threads runs
    (cd "$1" && TOLLGATE_JOBS=$2 "$PARSE_ONLY" . "$3") | sed -n 's/.*best_seconds=\([0-9.]*\).*/\1/p'
}

# Seconds: hyperfine minimum of the full check.
full_check() { # dir threads runs
    local json="$OUT/hyperfine.json"
    (cd "$1" && hyperfine --style none --warmup 1 --runs "$3" -i \
        --export-json "$json" \
        "TOLLGATE_JOBS=$2 $TOLLGATE check . --format json --output /dev/null" >/dev/null 2>&1)
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.4f" % min(r["times"]))' "$json"
}

peak_rss_mb() { # dir threads
    (cd "$1" && TOLLGATE_JOBS=$2 /usr/bin/time -v "$TOLLGATE" check . --format json --output /dev/null 2>&1 >/dev/null |
        sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' | awk '{printf "%.0f", $1/1024}' || true)
}

stats_block() { # dir threads
    (cd "$1" && TOLLGATE_JOBS=$2 "$TOLLGATE" check . --stats --format json --output /dev/null 2>&1 >/dev/null | grep '^stats:' || true)
}

div() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b) if b else '-')" "$1" "$2"; }

REPORT="$OUT/results.md"
ROWS=""
STATS=""
declare -A CHECK2

measure() { # label dir
    local label=$1 dir=$2
    local files mb docs runs p1 p2 c1 c2 rss stats
    # Files, documents and MB as tollgate counts them (discovery rules applied).
    stats=$(stats_block "$dir" 2)
    read -r files docs mb < <(echo "$stats" | sed -n 's/^stats: \([0-9]*\) files, \([0-9]*\) documents, \([0-9.]*\) MB.*/\1 \2 \3/p')
    runs=$(runs_for "$files")
    echo "measuring $label ($files files, $runs runs)..." >&2
    p1=$(parse_only "$dir" 1 "$runs")
    p2=$(parse_only "$dir" 2 "$runs")
    c1=$(full_check "$dir" 1 "$runs")
    c2=$(full_check "$dir" 2 "$runs")
    rss=$(peak_rss_mb "$dir" 2)
    CHECK2[$label]=$c2
    ROWS+="| $label | $files | $docs | $mb | $p1 | $c1 | $(div "$c1" "$p1")× | $p2 | $c2 | $(div "$c2" "$p2")× | $(div "$c1" "$c2")× | $(python3 -c "print('%.0f' % ($files/$c2))") | $(python3 -c "print('%.1f' % ($mb/$c2))") | $rss |"$'\n'
    STATS+=$'\n'"$label (2 threads):"$'\n'$'\n''```text'$'\n'"$stats"$'\n''```'$'\n'
}

for n in 100 1000 10000; do
    measure "gen-$n" "$(corpus "$n")"
done
if [ "$LARGE" = 1 ]; then
    measure "gen-100000" "$(corpus 100000)"
fi
if [ -d "$REAL" ]; then
    if [ "$TMPFS" = 1 ]; then
        rm -rf "$CORPORA/real" && mkdir -p "$CORPORA" && cp -r "$REAL" "$CORPORA/real"
        measure "real" "$CORPORA/real"
    else
        measure "real" "$(cd "$REAL" && pwd)"
    fi
else
    echo "no $REAL: skipping the real corpus" >&2
fi

# Instant hooks: 5 staged files in a committed 10,000-file repository.
HOOKS="$OUT/hooks-repo"
if [ ! -f "$HOOKS/.complete" ]; then
    echo "building the hooks repository..." >&2
    rm -rf "$HOOKS"
    cp -r "$(corpus 10000)" "$HOOKS"
    rm -rf "$HOOKS/.git"
    git -C "$HOOKS" init -q
    git -C "$HOOKS" -c user.name=bench -c user.email=bench@example.com add -A
    git -C "$HOOKS" -c user.name=bench -c user.email=bench@example.com commit -qm corpus
    touch "$HOOKS/.complete"
fi
git -C "$HOOKS" reset -q --hard
mapfile -t STAGED < <(cd "$HOOKS" && git ls-files 'apps/*.yaml' | sed -n '1p;1000p;2000p;3000p;4000p')
for f in "${STAGED[@]}"; do
    printf '# touched by bench/run.sh\n' >>"$HOOKS/$f"
done
git -C "$HOOKS" add -- "${STAGED[@]}"
HOOK_RUNS=$([ "$QUICK" = 1 ] && echo 5 || echo 30)
hook_time() { # label command...
    local label=$1
    shift
    (cd "$HOOKS" && hyperfine --style none --warmup 3 --runs "$HOOK_RUNS" -i -N \
        --export-json "$OUT/hyperfine.json" "$*" >/dev/null 2>&1)
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("| %s | %.1f ms | %.1f ms |" % (sys.argv[2], min(r["times"])*1e3, r["median"]*1e3))' "$OUT/hyperfine.json" "$label"
}
HOOK_ROWS=$(hook_time "\`tollgate check\` on the 5 staged files (as pre-commit)" "$TOLLGATE check ${STAGED[*]}")$'\n'
if "$TOLLGATE" check --help | grep -q -- '--staged'; then
    HOOK_ROWS+=$(hook_time "\`tollgate check --changed --staged\`" "$TOLLGATE check --changed --staged")$'\n'
else
    HOOK_ROWS+="| \`tollgate check --changed --staged\` | not in this binary | |"$'\n'
fi
git -C "$HOOKS" reset -q --hard

SCALING=""
if [ -n "${CHECK2[gen-100000]:-}" ]; then
    SCALING="100,000 files take $(div "${CHECK2[gen-100000]}" "${CHECK2[gen-10000]}")× the time of 10,000 (2 threads; linear is 10×)."
else
    SCALING="10k→100k scaling: not measured (run with --large)."
fi

{
    echo "# tollgate benchmark results"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); corpora on $STORAGE."
    echo "tollgate $("$TOLLGATE" --version | cut -d' ' -f2), $(rustc --version | cut -d' ' -f2)."
    echo
    echo "Seconds are minima over repeated runs. *parse* is the in-process parse-only baseline"
    echo "(\`benches/parse_only.rs\`); *check* is the whole \`tollgate check\` process with the defaults"
    echo "(embedded schemas, strict, whole built-in pack). *ratio* = check / parse on the same threads."
    echo
    echo "| corpus | files | docs | MB | parse 1t s | check 1t s | ratio 1t | parse 2t s | check 2t s | ratio 2t | 1→2 threads | files/s 2t | MB/s 2t | peak RSS MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s' "$ROWS"
    echo
    echo "$SCALING"
    echo
    echo "## Instant hooks (10,000-file repository, 5 staged files, whole process)"
    echo
    echo "| command | min | median |"
    echo "|---|---|---|"
    printf '%s' "$HOOK_ROWS"
    echo
    echo "## Where the time went (\`tollgate check --stats\`)"
    printf '%s' "$STATS"
} | tee "$REPORT"
echo "written to $REPORT" >&2
