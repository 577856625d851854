//! Stable finding fingerprints for SARIF `partialFingerprints` and baselines.
//!
//! A fingerprint must survive unrelated edits: it hashes what a finding *is*
//! (rule, file, resource identity, JSON pointer) and, only when there is no
//! pointer, the trimmed text of the offending line — never line numbers.

use crate::model::finding::Finding;
use crate::model::source::SourceFile;

/// FNV-1a, 64 bits: tiny, fast and stable across Rust versions (unlike `Hasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// The fingerprint of a finding, as 16 hex digits.
pub(crate) fn of(finding: &Finding, source: Option<&SourceFile>) -> String {
    let resource = finding.resource.as_ref().map(|r| {
        format!(
            "{}|{}|{}|{}",
            r.api_version,
            r.kind,
            r.namespace.as_deref().unwrap_or(""),
            r.name.as_deref().unwrap_or("")
        )
    });
    let anchor = match (&finding.path, source) {
        (Some(path), _) => path.clone(),
        (None, Some(src)) => {
            let (start, end) = src.line_range(finding.span.start);
            src.text[start..end].trim().to_owned()
        }
        (None, None) => String::new(),
    };
    format!(
        "{:016x}",
        fnv1a(&[
            &finding.rule,
            &finding.file,
            resource.as_deref().unwrap_or(""),
            &anchor,
            if finding.path.is_none() {
                &finding.message
            } else {
                ""
            }
        ])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Span;
    use crate::model::finding::Severity;
    use crate::model::rules;
    use std::sync::Arc;

    #[test]
    fn moving_a_finding_keeps_its_fingerprint() {
        let a = SourceFile::new(Arc::from("f.yaml"), "a: 1\nkey: [\n");
        let b = SourceFile::new(Arc::from("f.yaml"), "# new comment\n\na: 1\nkey: [\n");
        let fa = Finding::at(&a, Span::new(5, 8), rules::SYNTAX, Severity::Error, "bad");
        let fb = Finding::at(&b, Span::new(20, 23), rules::SYNTAX, Severity::Error, "bad");
        assert_ne!(fa.start, fb.start);
        assert_eq!(of(&fa, Some(&a)), of(&fb, Some(&b)));
        let mut other = fa.clone();
        other.rule = rules::DUPLICATE_KEY;
        assert_ne!(of(&fa, Some(&a)), of(&other, Some(&a)));
        assert_eq!(of(&fa, Some(&a)).len(), 16);
    }
}
