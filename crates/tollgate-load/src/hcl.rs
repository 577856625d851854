//! HCL2 (`.tf`, `.tfvars`, `.hcl`) into a spanned tree, in the shape conftest
//! gives policies (its HCL2 parser is tmccombs/hcl2json):
//!
//! - an attribute is a key whose value is its expression;
//! - a block `type "l1" "l2" { … }` is `type.l1.l2`, a list of bodies: blocks
//!   with the same type and labels add bodies to the same list;
//! - literals (numbers, strings, `true`, `null`, tuples and objects of them)
//!   are values; anything that needs evaluating (references, function calls,
//!   operators, conditionals, `for`) is its source text wrapped in `${…}`, and a
//!   string template is its literal parts with each interpolation as `${…}`.
//!
//! Parsing is hcl-edit's, which keeps the byte range of every attribute, key,
//! label and expression: every node of the tree points at its source.

use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::structure::{BlockLabel, Body, Structure};
use hcl_edit::template::{Element, Template};

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

/// Loads one HCL2 file: one document, or a `syntax` problem at its position.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    if let Some(problem) = crate::guard::nesting(text, limits) {
        loaded.problems.push(problem);
        return loaded;
    }
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            // The parser may stop inside a multi-byte character: the
            // finding starts at that character.
            let mut at = e.location().offset().min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            loaded.problems.push(Problem::error(
                rules::SYNTAX,
                format!("HCL: {}", e.message()),
                Span::new(at, at),
            ));
            return loaded;
        }
    };
    let mut b = Builder {
        text,
        limits,
        problems: Vec::new(),
        nodes: 0,
    };
    let whole = Span::new(0, text.trim_end().len());
    let root = b.body(&body, whole, 0);
    let failed = b.problems.iter().any(|p| p.rule != rules::DUPLICATE_KEY);
    loaded.problems = b.problems;
    if !failed {
        loaded.documents.push(Document { index: 0, root });
    }
    loaded
}

struct Builder<'t> {
    text: &'t str,
    limits: &'t Limits,
    problems: Vec<Problem>,
    nodes: usize,
}

fn span_of(s: &impl hcl_edit::Span, fallback: Span) -> Span {
    s.span().map_or(fallback, |r| Span::new(r.start, r.end))
}

impl Builder<'_> {
    fn source(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    fn string(&mut self, s: String, span: Span) -> Node {
        if s.len() > self.limits.max_string_length {
            self.problems.push(Problem::error(
                rules::STRING_LIMIT,
                format!(
                    "string of {} bytes is longer than the limit of {} bytes",
                    s.len(),
                    self.limits.max_string_length
                ),
                span,
            ));
            return Node::new(Value::Null, span);
        }
        Node::new(Value::String(s), span)
    }

    fn count(&mut self, span: Span) -> bool {
        self.nodes += 1;
        if self.nodes == self.limits.max_nodes + 1 {
            self.problems.push(Problem::error(
                rules::NODE_LIMIT,
                format!("more than {} nodes in one document", self.limits.max_nodes),
                span,
            ));
        }
        self.nodes <= self.limits.max_nodes
    }

    fn body(&mut self, body: &Body, span: Span, depth: usize) -> Node {
        let mut entries: Vec<Entry> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key_span = span_of(&attr.key, span);
                    let key = attr.key.as_str().to_owned();
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        let line = crate::line_of(self.text, first.key_span.start);
                        self.problems.push(Problem::error(
                            rules::DUPLICATE_KEY,
                            format!("attribute `{key}` is already defined on line {line}"),
                            key_span,
                        ));
                        continue;
                    }
                    let value = self.expr(&attr.value, key_span, depth + 1);
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                Structure::Block(block) => {
                    let block_span = span_of(block, span);
                    let mut keys = vec![(
                        block.ident.as_str().to_owned(),
                        span_of(&block.ident, block_span),
                    )];
                    for label in &block.labels {
                        let (text, s) = match label {
                            BlockLabel::Ident(i) => (i.as_str().to_owned(), span_of(i, block_span)),
                            BlockLabel::String(s) => (s.value().clone(), span_of(s, block_span)),
                        };
                        keys.push((text, s));
                    }
                    let inner = self.body(&block.body, block_span, depth + 1);
                    if !self.insert_block(&mut entries, &keys, inner, block_span) {
                        let name: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
                        self.problems.push(Problem::error(
                            rules::SYNTAX,
                            format!(
                                "HCL: block `{}` conflicts with an attribute of the same name",
                                name.join(".")
                            ),
                            block_span,
                        ));
                    }
                }
            }
        }
        Node::new(Value::Map(entries), span)
    }

    /// Puts a block body under `keys` (type, labels…): maps for all but the
    /// last key, a list of bodies under the last.
    fn insert_block(
        &mut self,
        entries: &mut Vec<Entry>,
        keys: &[(String, Span)],
        body: Node,
        block_span: Span,
    ) -> bool {
        let Some(((key, key_span), rest)) = keys.split_first() else {
            return false;
        };
        let pos = match entries.iter().position(|e| &e.key == key) {
            Some(p) => p,
            None => {
                let value = if rest.is_empty() {
                    Node::new(Value::Seq(Vec::new()), block_span)
                } else {
                    Node::new(Value::Map(Vec::new()), block_span)
                };
                entries.push(Entry {
                    key: key.clone(),
                    key_span: *key_span,
                    value,
                });
                entries.len() - 1
            }
        };
        let target = &mut entries[pos].value;
        match (&mut target.value, rest.is_empty()) {
            (Value::Seq(items), true) => {
                items.push(body);
                true
            }
            (Value::Map(inner), false) => self.insert_block(inner, rest, body, block_span),
            _ => false,
        }
    }

    fn wrapped(&mut self, span: Span) -> Node {
        let text = format!("${{{}}}", self.source(span));
        self.string(text, span)
    }

    fn expr(&mut self, expr: &Expression, fallback: Span, depth: usize) -> Node {
        let span = span_of(expr, fallback);
        if !self.count(span) {
            return Node::new(Value::Null, span);
        }
        if depth > self.limits.max_depth {
            self.problems.push(Problem::error(
                rules::DEPTH_LIMIT,
                format!("nesting deeper than {} levels", self.limits.max_depth),
                span,
            ));
            return Node::new(Value::Null, span);
        }
        match expr {
            Expression::Null(_) => Node::new(Value::Null, span),
            Expression::Bool(b) => Node::new(Value::Bool(*b.value()), span),
            Expression::Number(n) => Node::new(number(n.value()), span),
            Expression::String(s) => self.string(s.value().clone(), span),
            Expression::Array(items) => {
                let items = items
                    .iter()
                    .map(|e| self.expr(e, span, depth + 1))
                    .collect();
                Node::new(Value::Seq(items), span)
            }
            Expression::Object(object) => {
                let mut entries: Vec<Entry> = Vec::new();
                for (key, value) in object.iter() {
                    let (key, key_span) = match key {
                        ObjectKey::Ident(i) => (i.as_str().to_owned(), span_of(i, span)),
                        ObjectKey::Expression(e) => {
                            let ks = span_of(e, span);
                            let k = match e {
                                Expression::String(s) => s.value().clone(),
                                Expression::Variable(v) => v.as_str().to_owned(),
                                Expression::Traversal(_) => self.source(ks).to_owned(),
                                other => match self.expr(other, ks, depth + 1).value {
                                    Value::String(s) => s,
                                    _ => self.source(ks).to_owned(),
                                },
                            };
                            (k, ks)
                        }
                    };
                    let value = self.expr(value.expr(), key_span, depth + 1);
                    if let Some(e) = entries.iter_mut().find(|e| e.key == key) {
                        e.value = value;
                    } else {
                        entries.push(Entry {
                            key,
                            key_span,
                            value,
                        });
                    }
                }
                Node::new(Value::Map(entries), span)
            }
            Expression::StringTemplate(t) => self.template(t, span),
            Expression::HeredocTemplate(h) => {
                let mut h = h.clone();
                h.dedent();
                self.template(&h.template, span)
            }
            Expression::Parenthesis(p) => {
                // hcl2json unwraps nothing here: a parenthesised expression is
                // evaluated, so keep its source.
                let inner = p.inner();
                if is_literal(inner) {
                    let mut n = self.expr(inner, span, depth + 1);
                    n.span = span;
                    n
                } else {
                    self.wrapped(span)
                }
            }
            Expression::UnaryOp(op) => {
                let operand = &op.expr;
                match (op.operator.value(), operand) {
                    (UnaryOperator::Neg, Expression::Number(n)) => {
                        let v = match number(n.value()) {
                            Value::Int(i) => Value::Int(-i),
                            Value::UInt(u) => Value::Float(-(u as f64)),
                            Value::Float(f) => Value::Float(-f),
                            other => other,
                        };
                        Node::new(v, span)
                    }
                    (UnaryOperator::Not, Expression::Bool(b)) => {
                        Node::new(Value::Bool(!*b.value()), span)
                    }
                    _ => self.wrapped(span),
                }
            }
            Expression::Variable(_)
            | Expression::Conditional(_)
            | Expression::FuncCall(_)
            | Expression::Traversal(_)
            | Expression::BinaryOp(_)
            | Expression::ForExpr(_) => self.wrapped(span),
        }
    }

    /// A template as hcl2json writes it: literal parts as they read,
    /// interpolations as `${source}`, directives as their source.
    fn template(&mut self, t: &Template, span: Span) -> Node {
        let mut out = String::new();
        for element in t.iter() {
            match element {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => {
                    let s = span_of(&i.expr, span);
                    out.push_str("${");
                    out.push_str(self.source(s));
                    out.push('}');
                }
                Element::Directive(d) => {
                    let s = span_of(d.as_ref(), span);
                    out.push_str(self.source(s));
                }
            }
        }
        self.string(out, span)
    }
}

fn is_literal(e: &Expression) -> bool {
    matches!(
        e,
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) | Expression::String(_)
    )
}

fn number(n: &hcl_edit::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::Int(i)
    } else if let Some(u) = n.as_u64() {
        Value::UInt(u)
    } else {
        Value::Float(n.as_f64().unwrap_or(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        l.documents[0].root.clone()
    }

    fn line(text: &str, n: &Node, pointer: &str) -> usize {
        crate::line_of(text, n.pointer_span(pointer).span.start)
    }

    #[test]
    fn blocks_are_label_objects_holding_lists_of_bodies() {
        let text = "resource \"aws_lb_listener\" \"web\" {\n  port = 80\n  protocol = \"HTTP\"\n  tags = { env = \"prod\" }\n}\n\nresource \"aws_lb_listener\" \"api\" {\n  protocol = \"HTTPS\"\n  ingress {\n    cidr = [\"0.0.0.0/0\"]\n  }\n}\n";
        let r = root(text);
        let json = r.to_json();
        assert_eq!(
            json["resource"]["aws_lb_listener"]["web"][0]["protocol"],
            "HTTP"
        );
        assert_eq!(json["resource"]["aws_lb_listener"]["web"][0]["port"], 80);
        assert_eq!(
            json["resource"]["aws_lb_listener"]["api"][0]["ingress"][0]["cidr"][0],
            "0.0.0.0/0"
        );
        assert_eq!(
            line(text, &r, "/resource/aws_lb_listener/web/0/protocol"),
            3
        );
        assert_eq!(
            line(text, &r, "/resource/aws_lb_listener/web/0/tags/env"),
            4
        );
        assert_eq!(
            line(text, &r, "/resource/aws_lb_listener/api/0/ingress/0/cidr/0"),
            10
        );
        // The key of an attribute is underlined at its column.
        let s = r
            .pointer_span("/resource/aws_lb_listener/web/0/protocol")
            .span;
        assert_eq!(&text[s.start..s.end], "\"HTTP\"");
    }

    #[test]
    fn references_and_templates_are_source_text() {
        let text = "locals {\n  a = var.name\n  b = \"${var.env}-x\"\n  c = upper(\"x\")\n  d = -1\n  e = 1 + 2\n  f = <<EOT\nhello\nEOT\n}\n";
        let j = root(text).to_json();
        let l = &j["locals"][0];
        assert_eq!(l["a"], "${var.name}");
        assert_eq!(l["b"], "${var.env}-x");
        assert_eq!(l["c"], "${upper(\"x\")}");
        assert_eq!(l["d"], -1);
        assert_eq!(l["e"], "${1 + 2}");
        assert_eq!(l["f"], "hello\n");
    }

    #[test]
    fn a_syntax_error_inside_a_multibyte_character_starts_at_that_character() {
        // Found by the load_hcl fuzz target: the parser's offset was the
        // second byte of `ߌ`.
        let text = "rource \"ar%az%u\\\\\\\\\\\\\\\\vvvvvdi\u{0}fsk\" \u{7cc}";
        let loaded = load(text, &Limits::default());
        let problem = &loaded.problems[0];
        assert_eq!(problem.rule, rules::SYNTAX);
        assert!(text.is_char_boundary(problem.span.start), "{problem:?}");
        crate::invariants::check(text, crate::Syntax::Hcl2);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let text = "resource \"a\" \"b\" {\n  x = \n}\n";
        let l = load(text, &Limits::default());
        assert!(l.documents.is_empty());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
    }

    #[test]
    fn duplicate_attributes_are_reported() {
        let text = "a = 1\na = 2\n";
        let l = load(text, &Limits::default());
        // hcl-edit rejects a redefined attribute as a syntax error, at the second.
        assert_eq!(l.problems[0].rule, rules::SYNTAX, "{:?}", l.problems);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
    }
}
