//! A safe event stream over libyaml's parser (the `libyaml-rs` crate).
//!
//! libyaml is the parser go-yaml v2 was ported from, so it accepts and rejects the
//! same syntax as the reader Kubernetes uses (sigs.k8s.io/yaml). This module is the
//! only place in tollgate with `unsafe` code: it owns the parser state, copies every
//! event out into plain Rust values and frees libyaml's allocations at once, so the
//! rest of the loader never sees a raw pointer. Positions are byte offsets into the
//! input slice; lines and columns are computed later from the source text.
#![allow(unsafe_code, reason = "the one wrapper around libyaml's C-style API")]

use std::ffi::CStr;
use std::mem::MaybeUninit;

use libyaml_rs as sys;

/// Scalar presentation style, reduced to what resolution needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarStyle {
    /// Unquoted: subject to YAML 1.1 implicit typing.
    Plain,
    /// Single, double quoted, literal or folded: always a string.
    Quoted,
}

/// One parser event with the byte range it covers.
#[derive(Debug)]
pub(crate) enum Event {
    DocumentStart,
    DocumentEnd,
    Scalar {
        value: String,
        style: ScalarStyle,
        tag: Option<String>,
        anchor: Option<String>,
    },
    SequenceStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        tag: Option<String>,
    },
    MappingEnd,
    Alias {
        anchor: String,
    },
    StreamEnd,
}

/// A syntax error reported by libyaml.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    /// Byte offset of the problem, relative to the parser's input.
    pub offset: usize,
    /// libyaml's description of the problem.
    pub problem: String,
    /// What the parser was doing, when libyaml says.
    pub context: Option<String>,
}

/// A pull parser over one UTF-8 input slice.
pub(crate) struct Parser<'input> {
    raw: Box<MaybeUninit<sys::yaml_parser_t>>,
    // The parser holds a pointer into this slice; the borrow keeps it alive.
    _input: &'input [u8],
    finished: bool,
}

impl<'input> Parser<'input> {
    /// Creates a parser over `input`, which must stay borrowed while parsing.
    pub(crate) fn new(input: &'input [u8]) -> Self {
        let mut raw = Box::new(MaybeUninit::<sys::yaml_parser_t>::uninit());
        // SAFETY: `raw` points to writable memory for a parser; initialize zeroes it
        // and allocates its buffers. `input` outlives the parser through `'input`.
        unsafe {
            let ptr = raw.as_mut_ptr();
            if sys::yaml_parser_initialize(ptr).fail {
                // libyaml's initialize only fails on allocation failure, which aborts
                // in the Rust port before reaching here.
                unreachable_init();
            }
            sys::yaml_parser_set_encoding(ptr, sys::YAML_UTF8_ENCODING);
            sys::yaml_parser_set_input_string(ptr, input.as_ptr(), input.len() as u64);
        }
        Self {
            raw,
            _input: input,
            finished: false,
        }
    }

    /// Returns the next event with its start and end byte offsets.
    pub(crate) fn next_event(&mut self) -> Result<(Event, usize, usize), SyntaxError> {
        if self.finished {
            return Ok((Event::StreamEnd, 0, 0));
        }
        let mut event = MaybeUninit::<sys::yaml_event_t>::uninit();
        // SAFETY: the parser was initialized in `new`; `event` is written by
        // yaml_parser_parse on success and deleted below before it goes out of scope.
        unsafe {
            let parser = self.raw.as_mut_ptr();
            if sys::yaml_parser_parse(parser, event.as_mut_ptr()).fail {
                self.finished = true;
                return Err(read_error(&*parser));
            }
            let ev = event.as_mut_ptr();
            let start = (*ev).start_mark.index as usize;
            let end = (*ev).end_mark.index as usize;
            let converted = convert(&*ev);
            sys::yaml_event_delete(ev);
            if matches!(converted, Some(Event::StreamEnd)) {
                self.finished = true;
            }
            match converted {
                Some(event) => Ok((event, start, end)),
                // Stream start carries nothing we use: read on.
                None => self.next_event(),
            }
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: the parser was initialized in `new` and is deleted exactly once.
        unsafe { sys::yaml_parser_delete(self.raw.as_mut_ptr()) }
    }
}

#[cold]
fn unreachable_init() {
    // Allocation failure inside libyaml-rs aborts the process already; keep the
    // branch so a future version that returns failure is not silently ignored.
    std::process::abort();
}

/// Copies a libyaml string (NUL-terminated, or with explicit length) into Rust.
///
/// # Safety
/// `ptr` must be null or point to a valid NUL-terminated string.
unsafe fn opt_string(ptr: *const u8) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: libyaml strings are NUL-terminated (caller contract).
    let cstr = unsafe { CStr::from_ptr(ptr.cast()) };
    Some(String::from_utf8_lossy(cstr.to_bytes()).into_owned())
}

/// # Safety
/// `ev` must be an event freshly produced by `yaml_parser_parse`.
unsafe fn convert(ev: &sys::yaml_event_t) -> Option<Event> {
    // SAFETY: each union field is read only for the event type that defines it.
    unsafe {
        Some(match ev.type_ {
            sys::YAML_STREAM_START_EVENT | sys::YAML_NO_EVENT => return None,
            sys::YAML_STREAM_END_EVENT => Event::StreamEnd,
            sys::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
            sys::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
            sys::YAML_ALIAS_EVENT => Event::Alias {
                anchor: opt_string(ev.data.alias.anchor).unwrap_or_default(),
            },
            sys::YAML_SCALAR_EVENT => {
                let s = ev.data.scalar;
                let bytes = if s.value.is_null() {
                    &[][..]
                } else {
                    std::slice::from_raw_parts(s.value, s.length as usize)
                };
                let style = match s.style {
                    sys::YAML_PLAIN_SCALAR_STYLE | sys::YAML_ANY_SCALAR_STYLE => ScalarStyle::Plain,
                    _ => ScalarStyle::Quoted,
                };
                Event::Scalar {
                    // Valid UTF-8 (the usual case) is checked by the fast
                    // validator; anything else is replaced as before.
                    value: std::str::from_utf8(bytes).map_or_else(
                        |_| String::from_utf8_lossy(bytes).into_owned(),
                        str::to_owned,
                    ),
                    style,
                    tag: opt_string(s.tag),
                    anchor: opt_string(s.anchor),
                }
            }
            sys::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
                anchor: opt_string(ev.data.sequence_start.anchor),
                tag: opt_string(ev.data.sequence_start.tag),
            },
            sys::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
            sys::YAML_MAPPING_START_EVENT => Event::MappingStart {
                anchor: opt_string(ev.data.mapping_start.anchor),
                tag: opt_string(ev.data.mapping_start.tag),
            },
            sys::YAML_MAPPING_END_EVENT => Event::MappingEnd,
            _ => return None,
        })
    }
}

/// # Safety
/// `parser` must be an initialized parser whose last call failed.
unsafe fn read_error(parser: &sys::yaml_parser_t) -> SyntaxError {
    // SAFETY: problem/context are static C strings set by libyaml, or null.
    unsafe {
        let problem =
            opt_string(parser.problem.cast()).unwrap_or_else(|| "invalid YAML".to_owned());
        let context = opt_string(parser.context.cast());
        let offset = if parser.problem_mark.index == 0 && parser.problem_offset != 0 {
            parser.problem_offset as usize
        } else {
            parser.problem_mark.index as usize
        };
        SyntaxError {
            offset,
            problem,
            context,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(input: &str) -> Vec<Event> {
        let mut p = Parser::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            match p.next_event() {
                Ok((Event::StreamEnd, _, _)) => break,
                Ok((e, _, _)) => out.push(e),
                Err(e) => panic!("{e:?}"),
            }
        }
        out
    }

    #[test]
    fn scalars_keep_style_tag_and_anchor() {
        let ev = events("a: &x 'q'\nb: !Ref y\n");
        let scalars: Vec<_> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Scalar {
                    value,
                    style,
                    tag,
                    anchor,
                } => Some((value.as_str(), *style, tag.clone(), anchor.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            scalars[1],
            ("q", ScalarStyle::Quoted, None, Some("x".into()))
        );
        assert_eq!(
            scalars[3],
            ("y", ScalarStyle::Plain, Some("!Ref".into()), None)
        );
    }

    #[test]
    fn offsets_are_bytes_not_characters() {
        let input = "# ünïcödé ✓\nkey: värde\nnext: x\n";
        let mut p = Parser::new(input.as_bytes());
        let mut found = None;
        while let Ok((e, start, _)) = p.next_event() {
            match e {
                Event::Scalar { value, .. } if value == "next" => found = Some(start),
                Event::StreamEnd => break,
                _ => {}
            }
        }
        assert_eq!(found, input.find("next"));
    }

    #[test]
    fn syntax_error_has_offset() {
        let input = "a: b\n c: d\n";
        let mut p = Parser::new(input.as_bytes());
        let err = loop {
            match p.next_event() {
                Ok((Event::StreamEnd, _, _)) => panic!("expected an error"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert_eq!(
            err.problem,
            "mapping values are not allowed in this context"
        );
        assert_eq!(err.offset, 7);
    }
}
