//! `tollgate explain RULE`: a rule's annotations, where it is defined, and an
//! example it flags.
//!
//! The rule is looked up by id (`privileged-container`, `main.deny`) or by its
//! `data.` path among the counted rules of the loaded policy set.

use std::fmt::Write as _;

use super::{PolicyRule, PolicySet};

impl PolicySet {
    /// Finds a rule by id, `package.rule`, or `data.package.rule`.
    pub fn find(&self, wanted: &str) -> Option<&PolicyRule> {
        let path = wanted.strip_prefix("data.").unwrap_or(wanted);
        self.rules.iter().find(|r| r.id == wanted).or_else(|| {
            self.rules
                .iter()
                .find(|r| r.query == format!("data.{path}"))
        })
    }

    /// Ids of every counted rule, for "did you mean" lists.
    pub fn ids(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.id.as_str()).collect()
    }
}

/// Renders what `explain` prints for a rule.
pub(crate) fn render(rule: &PolicyRule) -> String {
    let m = &rule.metadata;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}",
        rule.id,
        m.title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Severity:   {}", rule.severity.as_str());
    if !rule.enabled {
        let _ = writeln!(out, "Status:     off (turned off in the config)");
    }
    let _ = writeln!(out, "Rule:       {}", rule.query);
    let origin = if rule.builtin { " (built-in pack)" } else { "" };
    let _ = writeln!(out, "Defined at: {}:{}{origin}", rule.file, rule.line);
    if let Some(help) = &m.help {
        let _ = writeln!(out, "Help:       {help}");
    }
    if let Some(d) = &m.description {
        let _ = writeln!(out, "\n{d}");
    }
    if let Some(r) = &m.remediation {
        let _ = writeln!(out, "\nRemediation:\n  {}", r.replace('\n', "\n  "));
    }
    if let Some(e) = &m.example {
        let _ = writeln!(out, "\nExample it flags:\n");
        for line in e.trim_end().lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}
