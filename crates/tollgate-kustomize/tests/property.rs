//! Property test against `kubectl kustomize` (Kustomize v5.5.0): random
//! overlays built from the features tollgate renders are written to a temporary
//! directory, rendered natively (`render` + `emit::yaml`) and by kubectl, and
//! compared: the same error-or-success, the same set of objects field by field
//! (`tollgate_load` parse + `to_json`), and byte-identical YAML.
//!
//! A case is a base (Deployment, Service, ConfigMap; the Deployment refers to
//! the ConfigMap and to a generated ConfigMap) and one or two overlay levels,
//! each with a random combination of `namespace`, `namePrefix`/`nameSuffix`,
//! `commonLabels`, `labels` (with `includeSelectors`/`includeTemplates`),
//! `commonAnnotations`, `images` (`newName`, `newTag`, `digest`), `replicas`,
//! `configMapGenerator` literals (create or merge), a strategic-merge patch
//! (replicas, env, a new container, a container deleted) and a JSON 6902 op.
//! The generator is a seeded splitmix64, so a failure names its seed and case.
//!
//! `PROPERTY_SEED` and `PROPERTY_CASES` override the seed (default 1) and the
//! number of cases (default 40). `PROPERTY_KEEP=1` keeps the failing trees and
//! prints where. Without kubectl the test prints a message and passes.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use tollgate_kustomize::{DiskFiles, Options, render};

/// splitmix64: small, seeded, good enough to pick features.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
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
        image: nginx:1.19
        ports:
        - containerPort: 8080
        env:
        - name: MODE
          value: base
        envFrom:
        - configMapRef:
            name: settings
      - name: cache
        image: redis
      volumes:
      - name: config
        configMap:
          name: web-config
"#;

const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
"#;

const CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
  port: "8080"
"#;

/// Values whose YAML quoting kustomize is picky about.
const TRICKY: &[&str] = &[
    "plain",
    "\"yes\"",
    "\"0755\"",
    "\"1.0\"",
    "\"a: b\"",
    "two words",
    "\"true\"",
    "'#hash'",
    "x-1",
];

/// One overlay level's kustomization and extra files; `generated` tells the
/// next level whether `settings` exists already (so it merges, not creates).
fn overlay(rng: &mut Rng, level: usize, base: &str, generated: &mut bool) -> Vec<(String, String)> {
    let mut k = String::new();
    let mut files = Vec::new();
    let _ = writeln!(k, "resources:\n- {base}");
    if rng.chance(35) {
        let _ = writeln!(k, "namespace: {}", rng.pick(&["prod", "team-a", "default"]));
    }
    if rng.chance(40) {
        let _ = writeln!(k, "namePrefix: p{level}-");
    }
    if rng.chance(30) {
        let _ = writeln!(k, "nameSuffix: -s{level}");
    }
    if rng.chance(35) {
        let key = rng.pick(&["tier", "app", "env"]);
        let value = rng.pick(TRICKY);
        let _ = writeln!(k, "commonLabels:\n  {key}: {value}");
    }
    if rng.chance(35) {
        let key = rng.pick(&["team", "app", "version"]);
        let value = rng.pick(&["core", "web2", "v1", "\"1\""]);
        let _ = writeln!(k, "labels:\n- pairs:\n    {key}: {value}");
        if rng.chance(50) {
            let _ = writeln!(k, "  includeSelectors: {}", rng.chance(50));
        }
        if rng.chance(40) {
            let _ = writeln!(k, "  includeTemplates: {}", rng.chance(50));
        }
    }
    if rng.chance(35) {
        let _ = writeln!(k, "commonAnnotations:");
        for key in ["owner", "note"] {
            if rng.chance(70) {
                let _ = writeln!(k, "  {key}: {}", rng.pick(TRICKY));
            }
        }
        let _ = writeln!(k, "  level: \"{level}\"");
    }
    if rng.chance(40) {
        let _ = writeln!(k, "images:");
        let name = rng.pick(&["nginx", "redis", "busybox"]);
        let _ = writeln!(k, "- name: {name}");
        let mut any = false;
        if rng.chance(50) {
            let _ = writeln!(
                k,
                "  newName: {}",
                rng.pick(&[
                    "registry.example.com/web",
                    "ghcr.io/x/y",
                    "localhost:5000/n"
                ])
            );
            any = true;
        }
        if rng.chance(50) {
            let _ = writeln!(
                k,
                "  newTag: {}",
                rng.pick(&["\"1.21\"", "latest", "v2.0.1"])
            );
            any = true;
        }
        if rng.chance(30) || !any {
            let _ = writeln!(k, "  digest: sha256:{}", "ab12".repeat(16));
        }
    }
    if rng.chance(30) {
        let _ = writeln!(k, "replicas:\n- name: web\n  count: {}", rng.below(6));
    }
    if rng.chance(45) {
        let _ = writeln!(k, "configMapGenerator:\n- name: settings");
        if *generated {
            let _ = writeln!(k, "  behavior: {}", rng.pick(&["merge", "replace"]));
        }
        let _ = writeln!(k, "  literals:");
        for (i, key) in ["A", "B", "C"].iter().enumerate() {
            if i == 0 || rng.chance(50) {
                let _ = writeln!(
                    k,
                    "  - {key}={}",
                    rng.pick(&["x", "1", "true", "with space", "l{level}"])
                );
            }
        }
        if rng.chance(20) {
            let _ = writeln!(k, "  options:\n    disableNameSuffixHash: true");
        }
        *generated = true;
    }
    let strategic = rng.chance(45);
    let json = rng.chance(35);
    if strategic || json {
        let _ = writeln!(k, "patches:");
    }
    if strategic {
        let mut p =
            String::from("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n");
        if rng.chance(60) {
            let _ = writeln!(p, "  replicas: {}", 1 + rng.below(9));
        }
        let mut containers = Vec::new();
        if rng.chance(60) {
            containers.push(format!(
                "      - name: web\n        env:\n        - name: {}\n          value: {}\n",
                rng.pick(&["MODE", "EXTRA"]),
                rng.pick(&["prod", "\"1\"", "l2"])
            ));
        }
        if rng.chance(30) {
            containers.push("      - name: sidecar\n        image: busybox:1.36\n".to_owned());
        }
        if rng.chance(20) {
            containers.push("      - name: cache\n        $patch: delete\n".to_owned());
        }
        if !containers.is_empty() {
            let _ = writeln!(p, "  template:\n    spec:\n      containers:");
            p.push_str(&containers.concat());
        }
        files.push((format!("patch-{level}.yaml"), p));
        let _ = writeln!(k, "- path: patch-{level}.yaml");
    }
    if json {
        let op = rng.pick(&[
            "- op: add\n      path: /metadata/labels/patched\n      value: json",
            "- op: replace\n      path: /spec/replicas\n      value: 7",
            "- op: add\n      path: /spec/template/spec/containers/0/args\n      value: [\"--v=2\"]",
            "- op: remove\n      path: /spec/template/spec/containers/0/ports",
        ]);
        let _ = writeln!(
            k,
            "- target:\n    kind: Deployment\n    name: web\n  patch: |-\n    {op}"
        );
    }
    files.push(("kustomization.yaml".to_owned(), k));
    files
}

/// A whole case: `(path, text)` pairs and the directory to render.
fn case(rng: &mut Rng) -> (Vec<(String, String)>, &'static str) {
    let mut files = vec![
        ("base/deployment.yaml".to_owned(), DEPLOYMENT.to_owned()),
        ("base/service.yaml".to_owned(), SERVICE.to_owned()),
        ("base/configmap.yaml".to_owned(), CONFIGMAP.to_owned()),
        (
            "base/kustomization.yaml".to_owned(),
            "resources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\n".to_owned(),
        ),
    ];
    let mut generated = false;
    for (path, text) in overlay(rng, 1, "../base", &mut generated) {
        files.push((format!("o1/{path}"), text));
    }
    if rng.chance(50) {
        for (path, text) in overlay(rng, 2, "../o1", &mut generated) {
            files.push((format!("o2/{path}"), text));
        }
        (files, "o2")
    } else {
        (files, "o1")
    }
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Objects of a YAML stream as JSON strings, sorted (the set compared).
fn object_set(yaml: &str) -> Vec<String> {
    let loaded = tollgate_load::load(yaml, tollgate_load::Syntax::Yaml, &Default::default());
    let mut out: Vec<String> = loaded
        .documents
        .iter()
        .map(|d| format!("{:#}", d.root.to_json()))
        .collect();
    out.sort();
    out
}

/// The first line that differs, for the message.
fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}: kubectl `{w}`, tollgate `{g}`", i + 1);
        }
    }
    format!(
        "kubectl has {} lines, tollgate {}",
        want.lines().count(),
        got.lines().count()
    )
}

/// How a case that agrees agreed.
#[derive(Debug, PartialEq)]
enum Agreement {
    /// Both rendered, byte-identical.
    Identical,
    /// Both refused the kustomization.
    BothFailed,
}

/// Compares one case; `Err` describes the difference.
fn check(dir: &Path, target: &str) -> Result<Agreement, String> {
    let kubectl = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.join(target))
        .output()
        .map_err(|e| format!("kubectl: {e}"))?;
    let files = DiskFiles::new(dir).map_err(|e| e.to_string())?;
    let rendered = render(&files, target, &Options::default());
    let errors: Vec<&str> = rendered
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    match (kubectl.status.success(), errors.is_empty()) {
        (false, false) => return Ok(Agreement::BothFailed),
        (false, true) => {
            return Err(format!(
                "kubectl failed, tollgate rendered: {}",
                String::from_utf8_lossy(&kubectl.stderr).trim()
            ));
        }
        (true, false) => return Err(format!("tollgate failed, kubectl rendered: {errors:?}")),
        (true, true) => {}
    }
    let want = String::from_utf8_lossy(&kubectl.stdout).into_owned();
    let got = tollgate_kustomize::emit::yaml(&rendered.resources);
    if want == got {
        return Ok(Agreement::Identical);
    }
    let (ws, gs) = (object_set(&want), object_set(&got));
    if ws != gs {
        let only_kubectl: Vec<&String> = ws.iter().filter(|o| !gs.contains(o)).collect();
        let only_ours: Vec<&String> = gs.iter().filter(|o| !ws.contains(o)).collect();
        return Err(format!(
            "objects differ\n--- only in kubectl's render:\n{}\n--- only in tollgate's render:\n{}",
            only_kubectl
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            only_ours
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
    Err(format!(
        "same objects, different bytes: {}",
        first_difference(&want, &got)
    ))
}

#[test]
fn random_overlays_render_as_kubectl() {
    if !kubectl_available() {
        println!("kubectl not found: skipping the property test against kubectl kustomize");
        return;
    }
    let seed: u64 = std::env::var("PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let cases: usize = std::env::var("PROPERTY_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let keep = std::env::var_os("PROPERTY_KEEP").is_some();
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let (mut identical, mut both_failed) = (0, 0);
    for n in 0..cases {
        let (files, target) = case(&mut rng);
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in &files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        match check(dir.path(), target) {
            Ok(Agreement::Identical) => identical += 1,
            Ok(Agreement::BothFailed) => both_failed += 1,
            Err(why) => {
                let mut report = format!("seed {seed} case {n} ({target}): {why}\n");
                for (path, text) in files.iter().filter(|(p, _)| !p.starts_with("base/")) {
                    let _ = write!(report, "# {path}\n{text}");
                }
                if keep {
                    let kept = dir.keep();
                    let _ = writeln!(report, "kept in {}", kept.display());
                }
                failures.push(report);
            }
        }
    }
    println!(
        "seed {seed}: {cases} cases, {identical} byte-identical, {both_failed} refused by both, {} differ",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases differ from kubectl kustomize:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Known difference found by this test (seeds 2 and 11 with
/// `PROPERTY_CASES=60`), kept as a reproducer: kustomize's label filter gives
/// every field it creates for one key of one resource the same YAML node, and
/// a later in-place update of one of them (a plain `labels` entry on
/// `metadata/labels`) shows through all of them. So an overlay's
/// selector-less label also rewrites the template label (and the selectors)
/// that a base's `includeTemplates`/`includeSelectors`/`commonLabels` created
/// with the same key; tollgate leaves those as the base set them.
#[test]
#[ignore = "known difference from kustomize: shared label value nodes (see the doc comment)"]
fn overlay_label_rewrites_a_base_template_label_as_kubectl() {
    if !kubectl_available() {
        println!("kubectl not found: skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("base/kustomization.yaml", "resources:\n- d.yaml\n"),
        (
            "base/d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n",
        ),
        (
            "o1/kustomization.yaml",
            "resources:\n- ../base\nlabels:\n- pairs:\n    version: \"1\"\n  includeTemplates: true\n",
        ),
        (
            "o2/kustomization.yaml",
            "resources:\n- ../o1\nlabels:\n- pairs:\n    version: web2\n",
        ),
    ];
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    // kubectl: spec.template.metadata.labels.version is `web2`, not "1".
    assert_eq!(check(dir.path(), "o2"), Ok(Agreement::Identical));
}
