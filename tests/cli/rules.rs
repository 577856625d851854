//! The rule registry is the one list: the docs are generated from it, and
//! every rule a run emits is in it (or is a rule of the built-in pack).

use std::collections::BTreeSet;

use tollgate::model::rules::REGISTRY;

use crate::{json, root, tollgate_in};

/// `docs/rules.md` as the registry renders it.
fn rules_doc() -> String {
    let mut out = String::from(
        "# Built-in rules\n\n\
         Generated from the rule registry (`src/model/rules.rs`) by \
         `UPDATE_RULES_DOC=1 cargo test --test cli rules`; do not edit by hand.\n\
         The built-in policy pack's rules are in [`policies.md`](policies.md).\n\n\
         | rule | default | title |\n|---|---|---|\n",
    );
    for r in REGISTRY {
        out.push_str(&format!(
            "| [`{}`](#{}) | {:?} | {} |\n",
            r.id, r.id, r.severity, r.title
        ));
    }
    for r in REGISTRY {
        out.push_str(&format!(
            "\n## {}\n\n**{}** (default: {:?})\n\n{}\n",
            r.id, r.title, r.severity, r.description
        ));
    }
    out.to_lowercase_severity()
}

trait Lower {
    fn to_lowercase_severity(self) -> String;
}

impl Lower for String {
    fn to_lowercase_severity(self) -> String {
        self.replace("| Error |", "| error |")
            .replace("| Warning |", "| warning |")
            .replace("| Info |", "| info |")
            .replace("(default: Error)", "(default: error)")
            .replace("(default: Warning)", "(default: warning)")
            .replace("(default: Info)", "(default: info)")
    }
}

#[test]
fn rules_doc_is_generated_from_the_registry() {
    let path = root().join("docs/rules.md");
    let want = rules_doc();
    if std::env::var_os("UPDATE_RULES_DOC").is_some() {
        std::fs::write(&path, &want).expect("write docs/rules.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        have, want,
        "docs/rules.md is stale: run UPDATE_RULES_DOC=1 cargo test --test cli rules"
    );
}

#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    for r in REGISTRY {
        assert!(
            readme.contains(&format!("`{}`", r.id)),
            "README does not list `{}`",
            r.id
        );
    }
}

/// The ids of the built-in pack's rules (one file per rule).
fn pack_ids() -> BTreeSet<String> {
    tollgate::stages::policy::pack::PACK
        .iter()
        .filter_map(|(name, _)| name.rsplit('/').next()?.strip_suffix(".rego"))
        .filter(|n| !n.ends_with("_test") && *n != "lib")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_emitted_rule_is_registered() {
    let pack = pack_ids();
    let mut dirs = vec![root().join("examples"), root().join("tests/fixtures")];
    let corpus = root().join("../shared/corpus/real");
    if corpus.is_dir() {
        dirs.push(corpus);
    } else {
        eprintln!("skipping ../shared/corpus/real: not present");
    }
    let mut seen = BTreeSet::new();
    for dir in dirs {
        let run = tollgate_in(&dir, &["check", "--format", "json", "."], None);
        let report = json(&run);
        for f in report["findings"].as_array().into_iter().flatten() {
            if let Some(rule) = f["rule"].as_str() {
                seen.insert(rule.to_owned());
            }
        }
    }
    let unknown: Vec<&String> = seen
        .iter()
        .filter(|id| tollgate::model::rules::lookup(id).is_none() && !pack.contains(*id))
        // user policies in the fixtures bring their own ids (`package.rule` or METADATA ids)
        .filter(|id| !id.contains('.'))
        .collect();
    assert!(
        seen.len() > 5,
        "the runs emitted too few rules to prove anything: {seen:?}"
    );
    assert!(
        unknown.is_empty(),
        "emitted but not registered: {unknown:?}"
    );
}
