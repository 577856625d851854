//! Pod Security Standards: conformance with Kubernetes' own admission fixtures
//! (`../shared/corpus/pod-security/`, see its `EXPECTED.md`), and the level,
//! version, namespace label and pod-template table on the command line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::{Run, json, root, tollgate_in};

/// PSA check id → the pack rule that reports it.
const CHECKS: &[(&str, &str)] = &[
    ("privileged", "pss-privileged"),
    ("hostNamespaces", "pss-host-namespaces"),
    ("hostPathVolumes", "pss-host-path-volumes"),
    ("hostPorts", "pss-host-ports"),
    (
        "hostProbesAndHostLifecycle",
        "pss-host-probes-and-host-lifecycle",
    ),
    ("capabilities_baseline", "pss-capabilities-baseline"),
    ("appArmorProfile", "pss-apparmor-profile"),
    ("seLinuxOptions", "pss-selinux-options"),
    ("procMount", "pss-proc-mount"),
    ("seccompProfile_baseline", "pss-seccomp-profile-baseline"),
    ("sysctls", "pss-sysctls"),
    ("windowsHostProcess", "pss-windows-host-process"),
    ("allowPrivilegeEscalation", "pss-allow-privilege-escalation"),
    ("capabilities_restricted", "pss-capabilities-restricted"),
    ("procMount_restricted", "pss-proc-mount-restricted"),
    ("restrictedVolumes", "pss-restricted-volumes"),
    ("runAsNonRoot", "pss-run-as-non-root"),
    ("runAsUser", "pss-run-as-user"),
    (
        "seccompProfile_restricted",
        "pss-seccomp-profile-restricted",
    ),
];

/// The check a fail fixture names (`capabilities_baseline3.yaml`), after the
/// replacements restricted makes at `minor` (EXPECTED.md, "Restricted includes
/// baseline").
fn expected_check(file: &str, level: &str, minor: u32) -> Option<&'static str> {
    let prefix = file
        .trim_end_matches(".yaml")
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let check = CHECKS
        .iter()
        .map(|(c, _)| *c)
        .find(|c| c.to_lowercase() == prefix)?;
    Some(match (level, check) {
        ("restricted", "capabilities_baseline") if minor >= 22 => "capabilities_restricted",
        ("restricted", "seccompProfile_baseline") if minor >= 19 => "seccompProfile_restricted",
        ("restricted", "hostPathVolumes") => "restrictedVolumes",
        ("restricted", "procMount") if minor >= 35 => "procMount_restricted",
        _ => check,
    })
}

fn rule_of(check: &str) -> &'static str {
    CHECKS
        .iter()
        .find(|(c, _)| *c == check)
        .map_or("", |(_, r)| *r)
}

/// The fixture wrapped in a Deployment's `spec.template`, as upstream runs
/// every fixture a second time (the fixtures have only these four top-level keys).
fn as_deployment(pod: &str, name: &str) -> String {
    let mut out = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n"
    );
    for line in pod.lines() {
        if line.starts_with("apiVersion:") || line.starts_with("kind:") {
            continue;
        }
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `pss-*` rules reported per file name (the file's last path component,
/// with the kind: `pod/x.yaml`, `deploy/x.yaml`).
fn pss_findings(run: &Run) -> BTreeMap<String, BTreeSet<String>> {
    let report = json(run);
    let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        let rule = f["rule"].as_str().unwrap_or_default();
        if !rule.starts_with("pss-") {
            continue;
        }
        let file = f["file"].as_str().unwrap_or_default();
        let mut parts: Vec<&str> = file.rsplit('/').take(2).collect();
        parts.reverse();
        by_file
            .entry(parts.join("/"))
            .or_default()
            .insert(rule.to_owned());
    }
    by_file
}

#[derive(Default)]
struct Tally {
    fail: usize,
    fail_ok: usize,
    pass: usize,
    pass_ok: usize,
}

/// Every fixture of every level and version, as a Pod and inside a Deployment:
/// a fail fixture gets a finding from its check, a pass fixture no `pss-*`
/// finding. Prints agreement per level and version.
#[test]
fn conformance_with_the_admission_fixtures() {
    let corpus = root().join("../shared/corpus/pod-security/testdata");
    if !corpus.is_dir() {
        eprintln!(
            "skipping the Pod Security conformance test: ../shared/corpus/pod-security is not present"
        );
        return;
    }
    let mut table: Vec<(String, String, Tally)> = Vec::new();
    let mut disagreements: Vec<String> = Vec::new();
    for level in ["baseline", "restricted"] {
        let mut versions: Vec<u32> = std::fs::read_dir(corpus.join(level))
            .expect("level directory")
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_prefix("v1.")?
                    .parse()
                    .ok()
            })
            .collect();
        versions.sort_unstable();
        for minor in versions {
            let version = format!("v1.{minor}");
            let dir = corpus.join(level).join(&version);
            let work = tempfile::tempdir().expect("tempdir");
            let mut fixtures: Vec<(String, bool)> = Vec::new();
            for outcome in ["fail", "pass"] {
                let Ok(entries) = std::fs::read_dir(dir.join(outcome)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let text = std::fs::read_to_string(entry.path()).expect("fixture");
                    let stem = name.trim_end_matches(".yaml").replace('_', "-");
                    for (kind, body) in [
                        ("pod", text.clone()),
                        ("deploy", as_deployment(&text, &stem)),
                    ] {
                        let sub = work.path().join(format!("{outcome}-{kind}"));
                        std::fs::create_dir_all(&sub).expect("mkdir");
                        std::fs::write(sub.join(&name), body).expect("write");
                    }
                    fixtures.push((format!("{outcome}/{name}"), outcome == "fail"));
                }
            }
            let setting = format!("{level}@{version}");
            let run = tollgate_in(
                work.path(),
                &[
                    "check",
                    "--no-render",
                    "--pod-security",
                    &setting,
                    "--format",
                    "json",
                    ".",
                ],
                None,
            );
            assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
            let found = pss_findings(&run);
            let mut tally = Tally::default();
            for (fixture, fails) in &fixtures {
                let (outcome, name) = fixture.split_once('/').unwrap_or_default();
                for kind in ["pod", "deploy"] {
                    let key = format!("{outcome}-{kind}/{name}");
                    let rules = found.get(&key).cloned().unwrap_or_default();
                    let ok = if *fails {
                        tally.fail += 1;
                        let want = expected_check(name, level, minor).map(rule_of);
                        want.is_some_and(|w| rules.contains(w))
                    } else {
                        tally.pass += 1;
                        rules.is_empty()
                    };
                    if ok {
                        if *fails {
                            tally.fail_ok += 1;
                        } else {
                            tally.pass_ok += 1;
                        }
                    } else {
                        disagreements.push(format!("{setting} {key}: {rules:?}"));
                    }
                }
            }
            table.push((level.to_owned(), version, tally));
        }
    }
    let mut note = String::from(
        "Pod Security conformance (fixtures as Pods and as Deployment templates)\n\
         | level | version | fail caught | pass clean |\n|---|---|---|---|\n",
    );
    let mut totals: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for (level, version, t) in &table {
        note.push_str(&format!(
            "| {level} | {version} | {}/{} | {}/{} |\n",
            t.fail_ok, t.fail, t.pass_ok, t.pass
        ));
        let e = totals.entry(level.as_str()).or_default();
        e.0 += t.fail_ok;
        e.1 += t.fail;
        e.2 += t.pass_ok;
        e.3 += t.pass;
    }
    for (level, (fo, f, po, p)) in &totals {
        note.push_str(&format!("| {level} | all | {fo}/{f} | {po}/{p} |\n"));
    }
    eprintln!("{note}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements with the admission fixtures:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Runs `check --format json` on `dir` (a fixture directory) with `args`.
fn check(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, usize, String)>) {
    let mut all = vec!["check", "--no-render", "--format", "json"];
    all.extend_from_slice(args);
    all.push(".");
    let run = tollgate_in(dir, &all, None);
    let report = json(&run);
    let findings = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("pss-")))
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default() as usize,
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (run.code, findings)
}

fn fixtures(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/pod-security").join(name)
}

/// `(file, line, rule)` of each finding, sorted.
fn places(findings: &[(String, String, usize, String)]) -> Vec<(String, usize, String)> {
    let mut out: Vec<(String, usize, String)> = findings
        .iter()
        .map(|(file, rule, line, _)| (file.clone(), *line, rule.clone()))
        .collect();
    out.sort();
    out
}

fn p(file: &str, line: usize, rule: &str) -> (String, usize, String) {
    (file.to_owned(), line, rule.to_owned())
}

/// The version decides: the v1.29 sysctl and the v1.31 SELinux type fail at
/// v1.28 and pass at v1.31; each message names the level and version.
#[test]
fn level_and_version_on_the_command_line() {
    let dir = fixtures("versions");
    let (code, found) = check(&dir, &["--pod-security", "baseline@v1.28"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&found),
        vec![
            p("pod.yaml", 9, "pss-selinux-options"),
            p("pod.yaml", 11, "pss-sysctls")
        ]
    );
    assert!(
        found[1]
            .3
            .ends_with("(Pod Security baseline v1.28: sysctls)"),
        "{found:?}"
    );
    let (code, found) = check(&dir, &["--pod-security", "baseline@v1.31"]);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
    // Without a level the pack reports as it always has: no pss-* finding.
    let (_, found) = check(&dir, &[]);
    assert!(found.is_empty(), "{found:?}");
    // A bad value is a usage error.
    let run = tollgate_in(&dir, &["check", "--pod-security", "strict", "."], None);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("not a Pod Security level"),
        "{}",
        run.stderr
    );
}

/// `pod_security:` in the config: a Windows pod at restricted v1.24 fails the
/// checks it is exempt from only from v1.25; the flag overrides the config.
#[test]
fn level_and_version_in_the_config() {
    let dir = fixtures("config");
    let (code, found) = check(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&found),
        vec![
            p("windows.yaml", 12, "pss-allow-privilege-escalation"),
            p("windows.yaml", 12, "pss-capabilities-restricted"),
            p("windows.yaml", 12, "pss-seccomp-profile-restricted"),
        ]
    );
    let (code, found) = check(&dir, &["--pod-security", "restricted@v1.25"]);
    assert_eq!((code, found.len()), (0, 0), "{found:?}");
}

/// A namespace's `enforce` label applies to its workloads, over the default
/// level, as the admission controller applies it; other namespaces keep the
/// default (here none: the older rules report as before).
#[test]
fn namespace_label_applies_to_its_workloads() {
    let dir = fixtures("namespaces");
    let (code, found) = check(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&found),
        vec![
            p("team-a.yaml", 13, "pss-host-namespaces"),
            p("team-a.yaml", 19, "pss-capabilities-baseline"),
        ]
    );
    assert!(
        found[0]
            .3
            .contains("(Pod Security baseline v1.30: hostNamespaces)")
    );
    let (_, found) = check(&dir, &["--pod-security", "restricted@v1.25"]);
    let team_a: Vec<_> = places(&found)
        .into_iter()
        .filter(|(f, _, _)| f == "team-a.yaml")
        .collect();
    assert_eq!(team_a.len(), 2, "the label wins over the flag: {found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.0 == "team-b.yaml" && f.1 == "pss-run-as-non-root")
    );
}

/// Capability names are compared literally; restricted adds back only
/// NET_BIND_SERVICE and wants `drop: [ALL]` spelled so; hostProcess fails.
#[test]
fn capabilities_and_host_process() {
    let dir = fixtures("capabilities");
    let (_, found) = check(&dir, &["--pod-security", "baseline"]);
    assert_eq!(
        places(&found),
        vec![
            p("pod.yaml", 21, "pss-capabilities-baseline"),
            p("pod.yaml", 22, "pss-capabilities-baseline"),
            p("pod.yaml", 30, "pss-windows-host-process"),
        ]
    );
    let (_, found) = check(&dir, &["--pod-security", "restricted"]);
    assert_eq!(
        places(&found),
        vec![
            p("pod.yaml", 20, "pss-capabilities-restricted"),
            p("pod.yaml", 21, "pss-capabilities-restricted"),
            p("pod.yaml", 22, "pss-capabilities-restricted"),
            p("pod.yaml", 28, "pss-capabilities-restricted"),
            p("pod.yaml", 30, "pss-windows-host-process"),
        ]
    );
    // Without a level, today's rules accept all of it (the reason for the level).
    let (code, found) = check(&dir, &[]);
    assert_eq!((code, found.len()), (0, 0));
}

/// Custom resources with a pod template are checked on their lines.
#[test]
fn rollout_and_knative_service() {
    let dir = fixtures("crds");
    let (code, found) = check(&dir, &["--pod-security", "baseline"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&found),
        vec![
            p("knative.yaml", 12, "pss-privileged"),
            p("rollout.yaml", 13, "pss-host-namespaces"),
            p("rollout.yaml", 18, "pss-privileged"),
        ]
    );
    // Without a level the older rules catch them too (they did not before).
    let run = tollgate_in(
        &dir,
        &["check", "--no-render", "--format", "json", "."],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    let report = json(&run);
    let rules: BTreeSet<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains("privileged-container") && rules.contains("host-namespace"));
}

/// `pod_templates:` in the config adds a kind to the table.
#[test]
fn custom_pod_template_entry() {
    let dir = fixtures("custom");
    let (code, found) = check(&dir, &["--pod-security", "baseline"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&found),
        vec![
            p("runner.yaml", 8, "pss-host-namespaces"),
            p("runner.yaml", 13, "pss-privileged"),
        ]
    );
}
