//! Conformance with `kubectl kustomize` (Kustomize v5.5.0) on the shared
//! corpus of real trees: every root of `ROOTS.tsv` is rendered natively and
//! compared, object by object, with kubectl's render in `expected/`.
//!
//! Each root gets one result: `identical-in-order`, `identical` (same
//! objects, another order), `differs <pointers>`, `error-parity` (kubectl
//! failed and so did we), `unsupported` (we declined a feature) or
//! `error-mismatch` (one side failed, the other did not). The results are
//! checked against `tests/conformance-baseline.tsv`: the test fails when a
//! root does worse than its baseline. `UPDATE_BASELINE=1` rewrites the
//! baseline. The corpus is not part of the repository; without it the test
//! prints a message and passes.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use tollgate_kustomize::{DiskFiles, LoadRestrictor, Options, RENDER_UNSUPPORTED, render};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/kustomize")
}

fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance-baseline.tsv")
}

/// How good a result is (higher is better); `differs` loses a little per pointer.
fn score(result: &str) -> i64 {
    let kind = result.split(' ').next().unwrap_or("");
    match kind {
        "identical-in-order" | "error-parity" => 1_000_000,
        "identical" => 999_999,
        "differs" => {
            let pointers = result.split(' ').count() as i64 - 1;
            500_000 - pointers.min(400_000)
        }
        "unsupported" => 1000,
        _ => 0,
    }
}

fn read_expected(corpus: &Path, root: &str) -> Option<Result<String, String>> {
    let stem = root.replace('/', "__");
    let dir = corpus.join("expected");
    if let Ok(text) = std::fs::read_to_string(dir.join(format!("{stem}.error"))) {
        return Some(Err(text));
    }
    if let Ok(text) = std::fs::read_to_string(dir.join(format!("{stem}.yaml"))) {
        return Some(Ok(text));
    }
    let bytes = std::fs::read(dir.join(format!("{stem}.yaml.gz"))).ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .ok()?;
    Some(Ok(text))
}

fn object_id(v: &serde_json::Value) -> String {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_owned()
    };
    format!(
        "{}|{}|{}|{}",
        s("/apiVersion"),
        s("/kind"),
        s("/metadata/namespace"),
        s("/metadata/name")
    )
}

fn keyed(objects: Vec<serde_json::Value>) -> Vec<(String, serde_json::Value)> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    objects
        .into_iter()
        .map(|o| {
            let id = object_id(&o);
            let n = seen.entry(id.clone()).or_insert(0);
            *n += 1;
            let id = if *n > 1 { format!("{id}#{n}") } else { id };
            (id, o)
        })
        .collect()
}

fn diff(a: &serde_json::Value, b: &serde_json::Value, pointer: &str, out: &mut Vec<String>) {
    use serde_json::Value as J;
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            for (k, v) in x {
                let p = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                match y.get(k) {
                    Some(w) => diff(v, w, &p, out),
                    None => out.push(p),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!(
                    "{pointer}/{}",
                    k.replace('~', "~0").replace('/', "~1")
                ));
            }
        }
        (J::Array(x), J::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                match (x.get(i), y.get(i)) {
                    (Some(v), Some(w)) => diff(v, w, &format!("{pointer}/{i}"), out),
                    _ => out.push(format!("{pointer}/{i}")),
                }
            }
        }
        (J::Number(x), J::Number(y)) => {
            if x.as_f64() != y.as_f64() || x.is_f64() != y.is_f64() && x.as_i64() != y.as_i64() {
                out.push(pointer.to_owned());
            }
        }
        _ => {
            if a != b {
                out.push(pointer.to_owned());
            }
        }
    }
}

/// Compares kubectl's render with ours.
fn compare(expected: &str, actual: Vec<serde_json::Value>) -> String {
    let loaded = tollgate_load::load(expected, tollgate_load::Syntax::Yaml, &Default::default());
    let want = keyed(loaded.documents.iter().map(|d| d.root.to_json()).collect());
    let got = keyed(actual);
    let got_map: BTreeMap<&str, &serde_json::Value> =
        got.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let want_map: BTreeMap<&str, &serde_json::Value> =
        want.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut pointers = Vec::new();
    for (id, w) in &want {
        match got_map.get(id.as_str()) {
            None => pointers.push(format!("missing:{id}")),
            Some(g) => {
                let mut d = Vec::new();
                diff(w, g, "", &mut d);
                pointers.extend(d.into_iter().map(|p| format!("{id}{p}")));
            }
        }
    }
    for (id, _) in &got {
        if !want_map.contains_key(id.as_str()) {
            pointers.push(format!("extra:{id}"));
        }
    }
    if !pointers.is_empty() {
        pointers.truncate(30);
        return format!("differs {}", pointers.join(" "));
    }
    let want_order: Vec<&str> = want.iter().map(|(k, _)| k.as_str()).collect();
    let got_order: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    if want_order == got_order {
        "identical-in-order".to_owned()
    } else {
        "identical".to_owned()
    }
}

#[test]
fn corpus_conformance() {
    let corpus = corpus();
    let Ok(roots) = std::fs::read_to_string(corpus.join("ROOTS.tsv")) else {
        println!(
            "conformance: corpus not found at {}; skipped",
            corpus.display()
        );
        return;
    };
    let files = DiskFiles::new(&corpus).expect("corpus root");
    let mut results: BTreeMap<String, String> = BTreeMap::new();
    let mut details: Vec<String> = Vec::new();
    let mut byte_identical = 0usize;
    let mut byte_diffs: Vec<String> = Vec::new();
    for line in roots.lines().filter(|l| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let root = cols.next().unwrap_or("").to_owned();
        let outcome = cols.next().unwrap_or("");
        let options = Options {
            load_restrictor: if outcome == "ok-load-restrictor-none" {
                LoadRestrictor::None
            } else {
                LoadRestrictor::RootOnly
            },
            ..Options::default()
        };
        let rendered = render(&files, &root, &options);
        let expected = read_expected(&corpus, &root);
        let unsupported = rendered
            .problems
            .iter()
            .any(|p| p.rule == RENDER_UNSUPPORTED);
        let result = match expected {
            None => "error-mismatch (no expected render)".to_owned(),
            Some(Err(_)) => {
                if rendered.problems.is_empty() {
                    "error-mismatch".to_owned()
                } else {
                    "error-parity".to_owned()
                }
            }
            Some(Ok(text)) => {
                if unsupported {
                    "unsupported".to_owned()
                } else if !rendered.problems.is_empty() {
                    "error-mismatch".to_owned()
                } else {
                    let ours = tollgate_kustomize::emit::yaml(&rendered.resources);
                    if ours == text {
                        byte_identical += 1;
                    } else if let Some((i, (w, g))) = text
                        .lines()
                        .zip(ours.lines())
                        .enumerate()
                        .find(|(_, (w, g))| w != g)
                    {
                        byte_diffs.push(format!("{root}:{}: want {w:?} got {g:?}", i + 1));
                    } else {
                        byte_diffs.push(format!(
                            "{root}: {} bytes wanted, {} written",
                            text.len(),
                            ours.len()
                        ));
                    }
                    compare(
                        &text,
                        rendered
                            .resources
                            .iter()
                            .map(|r| r.node.to_json())
                            .collect(),
                    )
                }
            }
        };
        if let Some(p) = rendered.problems.first() {
            let file = rendered
                .files
                .get(p.span.file.0 as usize)
                .map_or("?", |f| f.path.as_str());
            details.push(format!(
                "{root}: {} {} at {file}: {}",
                result, p.rule, p.message
            ));
        } else if result.starts_with("differs") {
            details.push(format!("{root}: {result}"));
        }
        results.insert(root, result);
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in results.values() {
        *counts.entry(r.split(' ').next().unwrap_or("")).or_insert(0) += 1;
    }
    println!("conformance: {} roots: {counts:?}", results.len());
    for d in &details {
        println!("  {d}");
    }
    println!("conformance: {byte_identical} renders byte-identical to kubectl's output");
    for d in &byte_diffs {
        println!("  bytes {d}");
    }
    let table: String = results
        .iter()
        .map(|(root, r)| format!("{root}\t{r}\n"))
        .collect();
    if std::env::var_os("UPDATE_BASELINE").is_some() {
        std::fs::write(baseline_path(), table).expect("write baseline");
        println!("conformance: baseline rewritten");
        return;
    }
    let baseline = std::fs::read_to_string(baseline_path()).unwrap_or_default();
    let mut worse = Vec::new();
    for line in baseline.lines() {
        let Some((root, before)) = line.split_once('\t') else {
            continue;
        };
        let now = results.get(root).map_or("absent", String::as_str);
        if score(now) < score(before) {
            worse.push(format!("{root}: {before} -> {now}"));
        }
    }
    assert!(
        worse.is_empty(),
        "roots worse than the baseline:\n{}",
        worse.join("\n")
    );
}
