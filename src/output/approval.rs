//! The approval report: what changed between base and head, what the checks
//! found (new or existing), who must approve, and the digests an auditor needs
//! to re-check it later. Rendered as markdown (a PR comment), JSON (versioned)
//! or an unsigned in-toto Statement v1.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::input::git::FileChange;
use crate::model::finding::Finding;
use crate::pipeline::review::targets;
use crate::stages::diff as resources;

/// The version of the report's JSON shape.
pub(crate) const REPORT_VERSION: u32 = 1;

pub(crate) use crate::model::finding::Status;
pub(crate) use crate::pipeline::review::{Approval, Digests, Review, TargetReview, Verdict};

/// One finding of the JSON approval report.
pub(crate) fn finding_json(f: &Finding, status: Status) -> Value {
    let mut v = json!({
        "rule": f.rule.as_ref(),
        "severity": f.severity.as_str(),
        "status": status,
        "message": f.message,
        "file": f.file.as_ref(),
        "line": f.start.line,
        "column": f.start.column,
        "end_line": f.end.line,
        "end_column": f.end.column,
    });
    if let Some(r) = &f.resource {
        v["resource"] = json!(r);
    }
    if let Some(p) = &f.path {
        v["path"] = json!(p);
    }
    if let Some(w) = &f.waived {
        v["waived"] = json!(w);
    }
    if !f.targets.is_empty() {
        // A finding on rendered objects: every target that renders it.
        v["targets"] = json!(f.targets.iter().map(|t| &**t).collect::<Vec<_>>());
    }
    v
}

fn file_change_json(c: &FileChange) -> Value {
    match c {
        FileChange::Added { path } => json!({"status": "added", "path": path}),
        FileChange::Modified { path } => json!({"status": "modified", "path": path}),
        FileChange::Renamed { from, to } => {
            json!({"status": "renamed", "path": to, "old_path": from})
        }
        FileChange::Deleted { path } => json!({"status": "deleted", "old_path": path}),
    }
}

impl Review {
    /// One target's entry of the JSON report: its rendered changes, the
    /// findings its renders and rendered changes produced, its approvals.
    fn target_json(&self, t: &TargetReview) -> Value {
        let findings: Vec<Value> = self
            .findings
            .iter()
            .filter(|(f, _)| f.targets.iter().any(|n| **n == *t.target))
            .map(|(f, s)| finding_json(f, *s))
            .collect();
        let approvals: Vec<&Approval> = self
            .approvals
            .iter()
            .filter(|a| a.target.as_deref() == Some(t.target.as_str()))
            .collect();
        let mut v = json!({
            "target": t.target,
            "changes": t.changes,
            "findings": findings,
            "approvals": approvals,
        });
        if !t.problems.is_empty() {
            v["problems"] = json!(t.problems);
        }
        v
    }

    /// Resources changed: by file, plus every target's rendered changes.
    fn changed_resources(&self) -> usize {
        self.changes.len() + self.targets.iter().map(|t| t.changes.len()).sum::<usize>()
    }

    /// The JSON report.
    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "version": REPORT_VERSION,
            "tool": { "name": "tollgate", "version": env!("CARGO_PKG_VERSION") },
            "base": self.base,
            "head": self.head,
            "head_kind": self.head_kind,
            "verdict": self.verdict.as_str(),
            "files": self.files.iter().map(file_change_json).collect::<Vec<_>>(),
            "changes": self.changes,
            "targets": self.targets.iter().map(|t| self.target_json(t)).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(|(f, s)| finding_json(f, *s)).collect::<Vec<_>>(),
            "approvals": self.approvals,
            "digests": self.digests,
        });
        if let Some(t) = &self.timestamp {
            v["timestamp"] = json!(t);
        }
        v
    }

    /// An in-toto Statement v1 about the head commit, with a predicate modelled
    /// on SLSA's Verification Summary Attestation. Unsigned: sign it with
    /// existing tools (cosign attest, in-toto).
    pub(crate) fn to_intoto(&self) -> Value {
        let mut inputs: Vec<Value> = self
            .digests
            .inputs
            .iter()
            .map(|(path, digest)| json!({"uri": path, "digest": {"sha256": digest.trim_start_matches("sha256:")}}))
            .collect();
        inputs.insert(0, json!({"uri": format!("git+commit:{}", self.base), "digest": {"gitCommit": self.base}, "annotations": {"role": "base"}}));
        let mut predicate = json!({
            "verifier": { "id": "https://github.com/tollgate/tollgate", "version": { "tollgate": env!("CARGO_PKG_VERSION") } },
            "policy": { "uri": "tollgate:policy-set", "digest": { "sha256": self.digests.policy_set.trim_start_matches("sha256:") } },
            "inputAttestations": inputs,
            "verificationResult": if self.verdict == Verdict::Fail { "FAILED" } else { "PASSED" },
            "verdict": self.verdict.as_str(),
            "schemaSet": { "sha256": self.digests.schema_set.trim_start_matches("sha256:") },
            "approvals": self.approvals,
            "findings": {
                "new": self.findings.iter().filter(|(_, s)| *s == Status::New).count(),
                "existing": self.findings.iter().filter(|(_, s)| *s == Status::Existing).count(),
            },
        });
        if let Some(t) = &self.timestamp {
            predicate["timeVerified"] = json!(t);
        }
        json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{ "name": format!("git+commit:{}", self.head), "digest": { "gitCommit": self.head } }],
            "predicateType": "https://slsa.dev/verification_summary/v1",
            "predicate": predicate,
        })
    }

    /// The markdown report, sized for a pull-request comment.
    pub(crate) fn to_markdown(&self) -> String {
        let mut md = String::new();
        let icon = match self.verdict {
            Verdict::Pass => "✅",
            Verdict::ApprovalRequired => "🟡",
            Verdict::Fail => "❌",
        };
        let new = self
            .findings
            .iter()
            .filter(|(f, s)| *s == Status::New && f.waived.is_none())
            .count();
        let existing = self
            .findings
            .iter()
            .filter(|(f, s)| *s == Status::Existing && f.waived.is_none())
            .count();
        let waived = self
            .findings
            .iter()
            .filter(|(f, _)| f.waived.is_some())
            .count();
        let _ = writeln!(md, "## {icon} tollgate: {}\n", self.verdict.as_str());
        let _ = writeln!(
            md,
            "`{}`..`{}` ({}) · {} files changed · {} resources changed · {new} new findings · {existing} existing · {waived} waived · {} approvals required\n",
            short(&self.base),
            short(&self.head),
            self.head_kind,
            self.files.len(),
            self.changed_resources(),
            self.approvals.len()
        );
        if !self.approvals.is_empty() {
            let by_target = self.approvals.iter().any(|a| a.target.is_some());
            if by_target {
                md.push_str("### Required approvals\n\n| group | target | resource | reason |\n|---|---|---|---|\n");
            } else {
                md.push_str(
                    "### Required approvals\n\n| group | resource | reason |\n|---|---|---|\n",
                );
            }
            for a in &self.approvals {
                let target = match (&a.target, by_target) {
                    (Some(t), _) => format!(" {} |", cell(t)),
                    (None, true) => " (files) |".to_owned(),
                    (None, false) => String::new(),
                };
                let _ = writeln!(
                    md,
                    "| **{}** |{target} {} | {} |",
                    cell(&a.group),
                    cell(&a.resource.to_string()),
                    cell(&a.reason)
                );
            }
            md.push('\n');
        }
        if !self.targets.is_empty() {
            md.push_str("### Changes by target\n\n");
            for t in &self.targets {
                self.target_markdown(&mut md, t);
            }
        }
        if !self.changes.is_empty() {
            if self.targets.is_empty() {
                md.push_str("### Changed resources\n\n");
            } else {
                md.push_str("### Changed resources of files no target renders\n\n");
            }
            for c in &self.changes {
                // `file:line`, at base for a delete.
                let at = |file: &String, line: Option<usize>| match line {
                    Some(l) => format!("`{file}:{l}`"),
                    None => format!("`{file}`"),
                };
                let place = match (&c.old_file, &c.file) {
                    (Some(old), Some(new)) if old != new => {
                        format!("{} → {}", at(old, c.old_line), at(new, c.line))
                    }
                    (_, Some(f)) => at(f, c.line),
                    (Some(f), None) => at(f, c.old_line),
                    (None, None) => String::new(),
                };
                let _ = writeln!(
                    md,
                    "- **{}** {} ({place})",
                    c.operation.as_str(),
                    c.resource
                );
                for f in c.fields.iter().take(20) {
                    let _ = writeln!(md, "  - `{}`", resources::describe(f).replace('`', "'"));
                }
                if c.fields.len() > 20 {
                    let _ = writeln!(md, "  - … and {} more fields", c.fields.len() - 20);
                }
            }
            md.push('\n');
        }
        let list = |md: &mut String, status: Status| {
            for (f, _) in self
                .findings
                .iter()
                .filter(|(f, s)| *s == status && f.waived.is_none())
            {
                let _ = writeln!(
                    md,
                    "- **{}** `{}` {}:{}:{} — {}",
                    f.severity.as_str(),
                    f.rule,
                    f.file,
                    f.start.line,
                    f.start.column,
                    f.message
                );
            }
        };
        if new > 0 {
            md.push_str("### New findings\n\n");
            list(&mut md, Status::New);
            md.push('\n');
        }
        if existing > 0 {
            let _ = writeln!(
                md,
                "<details><summary>{existing} existing findings (already on the base)</summary>\n"
            );
            list(&mut md, Status::Existing);
            md.push_str("\n</details>\n\n");
        }
        if waived > 0 {
            md.push_str("### Waived\n\n");
            for (f, _) in self.findings.iter().filter(|(f, _)| f.waived.is_some()) {
                let _ = writeln!(
                    md,
                    "- `{}` {}:{} — {} (waived: {})",
                    f.rule,
                    f.file,
                    f.start.line,
                    f.message,
                    f.waived.as_deref().unwrap_or("")
                );
            }
            md.push('\n');
        }
        let _ = writeln!(
            md,
            "<sub>tollgate {} · base `{}` · head `{}` · policy set `{}`</sub>",
            env!("CARGO_PKG_VERSION"),
            self.base,
            self.head,
            self.digests.policy_set
        );
        md
    }
}

impl Review {
    /// One target's section: a line per field change, "target: resource
    /// pointer old → new (file:line)", and a line per created, deleted or
    /// renamed object.
    fn target_markdown(&self, md: &mut String, t: &TargetReview) {
        let name = t.target.replace('`', "'");
        let _ = writeln!(
            md,
            "#### `{name}` · {} resources changed\n",
            t.changes.len()
        );
        for p in &t.problems {
            let _ = writeln!(md, "- ⚠️ {}", p.replace('`', "'"));
        }
        if t.changes.is_empty() && t.problems.is_empty() {
            let _ = writeln!(md, "- no rendered change");
        }
        for c in &t.changes {
            let at = |source: &Option<String>| {
                source
                    .as_ref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            };
            match c.operation {
                "create" | "delete" => {
                    let _ = writeln!(
                        md,
                        "- {name}: **{}** {}{}",
                        c.operation,
                        c.resource,
                        at(&c.source)
                    );
                }
                "rename" => {
                    let old = c
                        .old_resource
                        .as_ref()
                        .and_then(|r| r.name.clone())
                        .unwrap_or_default();
                    let _ = writeln!(
                        md,
                        "- {name}: **rename** {} (was `{old}`){}",
                        c.resource,
                        at(&c.source)
                    );
                }
                _ => {}
            }
            let indent = if matches!(c.operation, "create" | "delete" | "rename") {
                "  "
            } else {
                ""
            };
            let shown = if indent.is_empty() {
                c.fields.len()
            } else {
                20
            };
            for f in c.fields.iter().take(shown.min(50)) {
                let line = format!(
                    "{} {} → {}",
                    f.field.path,
                    targets::show(f.field.old.as_ref()),
                    targets::show(f.field.new.as_ref())
                );
                if indent.is_empty() {
                    let _ = writeln!(
                        md,
                        "- {name}: {} `{}`{}",
                        c.resource,
                        line.replace('`', "'"),
                        at(&f.source)
                    );
                } else {
                    let _ = writeln!(md, "  - `{}`{}", line.replace('`', "'"), at(&f.source));
                }
            }
            if c.fields.len() > shown.min(50) {
                let _ = writeln!(
                    md,
                    "{indent}- … and {} more fields",
                    c.fields.len() - shown.min(50)
                );
            }
            for r in &c.references {
                let _ = writeln!(
                    md,
                    "  - reference rewritten: {} `{}`",
                    r.resource,
                    r.path.replace('`', "'")
                );
            }
        }
        md.push('\n');
    }
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use crate::model::digest::sha256;

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
