//! Source files: decoded text, and byte offset to line/column conversion.
//!
//! Decoding follows what Kubernetes' reader accepts: UTF-8 with or without a byte
//! order mark, and UTF-16 with a BOM (transcoded to UTF-8; positions then refer to
//! characters, which is what lines and columns count anyway). Anything else is a
//! finding, not a crash.

use std::sync::Arc;

/// One loaded source: its display name, decoded text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as given or discovered, with `/` separators.
    pub name: Arc<str>,
    /// The decoded text (without a byte order mark).
    pub text: Arc<str>,
    line_starts: Vec<usize>,
    /// For a rendered target: the files its objects' spans point into, indexed
    /// by `FileId` (every span of a rendered node names the file that wrote it).
    files: Option<Arc<[Arc<SourceFile>]>>,
}

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl SourceFile {
    /// Creates a source from decoded text.
    pub fn new(name: Arc<str>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        // Held as long as the file may be shown: no spare capacity.
        line_starts.shrink_to_fit();
        Self {
            name,
            text,
            line_starts,
            files: None,
        }
    }

    /// The source of a rendered target: named after the target, with no text
    /// of its own; spans resolve into `files` by their `FileId`.
    pub fn rendered(name: Arc<str>, files: Vec<Arc<SourceFile>>) -> Self {
        Self {
            name,
            text: Arc::from(""),
            line_starts: vec![0],
            files: Some(files.into()),
        }
    }

    /// The source a span's bytes are in: this file, or for a rendered target
    /// the file that wrote the node.
    pub fn resolve(&self, file: crate::load::FileId) -> &SourceFile {
        match &self.files {
            Some(table) => table.get(file.0 as usize).map_or(self, |f| &**f),
            None => self,
        }
    }

    /// The files of a rendered target (empty for a plain file).
    pub fn parts(&self) -> &[Arc<SourceFile>] {
        self.files.as_deref().unwrap_or_default()
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The byte range of the line holding `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end.max(start))
    }
}

/// Why bytes could not be decoded as text.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Line of the first offending byte (1-based).
    pub line: usize,
    /// Column of the first offending byte (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Decodes file bytes: UTF-8 (BOM stripped) or UTF-16 with a BOM.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest.to_vec());
    }
    let utf16 = |big_endian: bool, body: &[u8]| -> Result<String, DecodeError> {
        if !body.len().is_multiple_of(2) {
            return Err(DecodeError {
                line: 1,
                column: 1,
                message: "UTF-16 file with an odd number of bytes".into(),
            });
        }
        let units = body.chunks_exact(2).map(|c| {
            if big_endian {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| DecodeError {
                line: 1,
                column: 1,
                message: "invalid UTF-16: unpaired surrogate".into(),
            })
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(false, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(true, rest),
        _ => decode_utf8(bytes),
    }
}

fn decode_utf8(bytes: Vec<u8>) -> Result<String, DecodeError> {
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let bytes = err.as_bytes();
        let before = String::from_utf8_lossy(&bytes[..valid]);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        DecodeError {
            line,
            column,
            message: format!(
                "not valid UTF-8 (byte 0x{:02X} at offset {valid}); YAML and JSON manifests must be UTF-8 or UTF-16 with a byte order mark",
                bytes[valid]
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let src = SourceFile::new("f".into(), "a: é\r\nb: x\n");
        assert_eq!(src.position(0), Position { line: 1, column: 1 });
        let b = src.text.find('b').unwrap_or_default();
        assert_eq!(src.position(b), Position { line: 2, column: 1 });
        let x = src.text.find('x').unwrap_or_default();
        assert_eq!(src.position(x), Position { line: 2, column: 4 });
        assert_eq!(src.line_range(0), (0, 5));
        assert_eq!(src.position(1000), Position { line: 3, column: 1 });
    }

    #[test]
    fn decodes_bom_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec()), Ok("a: 1".into()));
        assert_eq!(decode(vec![0xFF, 0xFE, b'a', 0, b':', 0]), Ok("a:".into()));
        assert_eq!(decode(vec![0xFE, 0xFF, 0, b'a']), Ok("a".into()));
        let err = decode(b"a: 1\nb: \xFF\n".to_vec()).err();
        assert_eq!(err.map(|e| (e.line, e.column)), Some((2, 4)));
    }
}
