//! A static read of Rego source: the package, the rule heads and their lines,
//! `test_*` rules, and the `# METADATA` comment blocks above rules.
//!
//! regorus skips comments and has no API that lists rules with their names and
//! lines, so this small line scanner recovers what conftest's conventions need
//! (which rules count, where they are, what their annotations say). It relies on
//! the layout every formatter produces: rule heads start at column 1 and bodies
//! are indented. A head it misses is only a rule not reported; a false head is a
//! name that evaluates to undefined, which is harmless.

use super::metadata::{self, Metadata};

/// One rule definition found in a source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RuleHead {
    /// The rule's name (`deny_privileged`).
    pub name: String,
    /// 1-based line of the head.
    pub line: usize,
    /// The `# METADATA` block just above it, parsed.
    pub metadata: Option<Metadata>,
}

/// What a policy source declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Module {
    /// The file name the source was loaded as.
    pub path: String,
    /// The package (`main`, `tollgate.kubernetes.privileged`).
    pub package: String,
    /// Every rule head, in source order (one entry per definition).
    pub rules: Vec<RuleHead>,
}

/// Words that start a line without being a rule head.
const KEYWORDS: &[&str] = &[
    "package", "import", "default", "else", "not", "some", "every",
];

/// Scans a Rego source.
pub(crate) fn scan(path: &str, text: &str) -> Module {
    let mut module = Module {
        path: path.to_owned(),
        ..Module::default()
    };
    let mut pending: Option<Vec<String>> = None;
    let mut metadata_ready: Option<Metadata> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(comment) = trimmed.strip_prefix('#') {
            if comment.trim() == "METADATA" {
                pending = Some(Vec::new());
            } else if let Some(block) = pending.as_mut() {
                block.push(comment.strip_prefix(' ').unwrap_or(comment).to_owned());
            }
            continue;
        }
        if let Some(block) = pending.take() {
            metadata_ready = metadata::parse(&block.join("\n"));
        }
        if let Some(rest) = line.strip_prefix("package ") {
            module.package = rest.trim().to_owned();
            metadata_ready = None;
            continue;
        }
        if let Some(name) = head_name(line) {
            module.rules.push(RuleHead {
                name,
                line: index + 1,
                metadata: metadata_ready.take(),
            });
        } else if !trimmed.is_empty() {
            metadata_ready = None;
        }
    }
    module
}

/// The rule name a line starts, when it is a rule head.
fn head_name(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let name = &line[..end];
    if KEYWORDS.contains(&name) {
        return None;
    }
    let rest = line[end..].trim_start();
    let is_head = rest.is_empty()
        || ["contains", "if", "[", "{", "(", ":=", "=", "."]
            .iter()
            .any(|p| rest.starts_with(p));
    is_head.then(|| name.to_owned())
}

/// Rule names that conftest counts as failures: `deny`, `violation`, suffixed.
pub(crate) fn is_failure(name: &str) -> bool {
    counted(name, "deny") || counted(name, "violation")
}

/// Rule names that conftest counts as warnings: `warn`, suffixed.
pub(crate) fn is_warning(name: &str) -> bool {
    counted(name, "warn")
}

/// `^prefix(_[a-zA-Z0-9]+)*$`, conftest's pattern.
fn counted(name: &str, prefix: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix) else {
        return false;
    };
    rest.is_empty()
        || (rest.starts_with('_')
            && rest[1..]
                .split('_')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric())))
}

/// The name an `exception` rule uses for a rule: its name without the
/// `deny_`/`violation_`/`warn_` prefix (`deny_run_as_root` -> `run_as_root`).
pub(crate) fn exception_name(rule: &str) -> &str {
    ["deny_", "violation_", "warn_"]
        .iter()
        .find_map(|p| rule.strip_prefix(p))
        .unwrap_or(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_package_rules_and_metadata() {
        let text = "package main\n\nimport rego.v1\n\n# METADATA\n# title: No root\n# custom:\n#   id: no-root\ndeny_root contains msg if {\n  input.x\n  msg := \"a\"\n}\n\nwarn contains \"w\" if input.y\n\nhelper(x) := x\ntest_it if { true }\n";
        let m = scan("p.rego", text);
        assert_eq!(m.package, "main");
        let names: Vec<_> = m.rules.iter().map(|r| (r.name.as_str(), r.line)).collect();
        assert_eq!(
            names,
            vec![
                ("deny_root", 9),
                ("warn", 14),
                ("helper", 16),
                ("test_it", 17)
            ]
        );
        let meta = m.rules[0].metadata.clone().unwrap_or_default();
        assert_eq!(meta.id.as_deref(), Some("no-root"));
        assert!(m.rules[1].metadata.is_none());
    }

    #[test]
    fn conftest_name_patterns() {
        assert!(is_failure("deny"));
        assert!(is_failure("deny_privileged_pod"));
        assert!(is_failure("violation_x1"));
        assert!(!is_failure("denyall"));
        assert!(!is_failure("deny_"));
        assert!(is_warning("warn_a"));
        assert!(!is_warning("warning"));
        assert_eq!(exception_name("deny_run_as_root"), "run_as_root");
    }
}
