//! Evaluating a [`PolicySet`] on the objects of one file.
//!
//! Each rayon worker thread keeps its own clone of the compiled engine (cloning
//! shares the parsed modules; it costs well under a microsecond) and, once a
//! document needs it, its own VM for the built-in pack ([`super::vm`]), keyed by
//! the set's generation so a later run in the same process never reuses a stale one.
//! Every counted rule is evaluated with `input` = the object, as conftest does.
//! A rule that errors gives a `policy-error` finding and the others still run;
//! when the per-document time budget runs out, a `policy-timeout` finding ends
//! that document's evaluation.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use regorus::Engine;
use regorus::utils::limits::ExecutionTimerConfig;

use super::convert::{self, RegoError, Violation};
use super::{PolicyRule, PolicySet, pack, scan};
use crate::load::Span;
use crate::model::finding::{Finding, Severity};
use crate::model::resource::Object;
use crate::model::source::{Position, SourceFile};

/// Rule id of a policy that failed at run time on a document.
pub(crate) use crate::model::rules::POLICY_ERROR;
/// Rule id of a document whose evaluation ran out of time.
pub(crate) use crate::model::rules::POLICY_TIMEOUT;

/// One worker's evaluators: the engine (always) and the pack's VM (`None` until
/// a document needs it; `Some(None)` when the pack does not compile to it), for
/// the set of this generation.
struct Worker {
    generation: u64,
    engine: Engine,
    vm: Option<Option<regorus::rvm::RegoVM>>,
    /// Users' rules and exceptions on the VM, as `vm`.
    user_vm: Option<Option<regorus::rvm::RegoVM>>,
    /// The file whose `data.conftest.file` the user VM holds.
    vm_file: Option<Arc<str>>,
    /// The file whose `data.conftest.file` the engine holds.
    engine_file: Option<Arc<str>>,
}

/// Which counted rules one evaluation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Every rule and exception.
    All,
    /// The built-in pack only (`--combine`: users' rules see the combined input).
    Pack,
    /// Users' rules and exceptions only (the combined input).
    Users,
}

/// The file name conftest gives the combined input (`--combine`).
pub(crate) const COMBINED: &str = "Combined";

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

impl PolicySet {
    /// Evaluates every enabled rule on every object, appending findings.
    pub fn check(&self, src: &SourceFile, objects: &[Object], out: &mut Vec<Finding>) {
        self.check_indexed(src, objects, out, true);
    }

    /// [`Self::check`], with or without the kind index (tests compare both).
    fn check_indexed(
        &self,
        src: &SourceFile,
        objects: &[Object],
        out: &mut Vec<Finding>,
        indexed: bool,
    ) {
        if self.rules.iter().all(|r| !r.enabled) {
            return;
        }
        WORKER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot
                .as_ref()
                .is_none_or(|w| w.generation != self.generation)
            {
                *slot = Some(Worker {
                    generation: self.generation,
                    engine: self.engine.clone(),
                    vm: None,
                    user_vm: None,
                    vm_file: None,
                    engine_file: None,
                });
            }
            if let Some(worker) = slot.as_mut() {
                let scope = if self.combine {
                    Scope::Pack
                } else {
                    Scope::All
                };
                for object in objects {
                    // `data.conftest.file`: the file that wrote the document.
                    let file = src.resolve(object.node.span.file).name.clone();
                    self.check_object(worker, src, object, out, indexed, scope, &file);
                }
            }
        });
    }

    /// `--combine`: users' rules and exceptions evaluated once, on the array
    /// of `{path, contents}` of every document of `files` (conftest's
    /// combined input, in file order). A result whose `path` starts with an
    /// index (`[2, "contents", "spec"]`, `"2.contents.spec"`, `/2/contents/spec`)
    /// lands on that document's line, and names its resource; one with `_loc`
    /// on that line; any other on the file `Combined`, line 1.
    pub fn check_combined(&self, files: &[(Arc<SourceFile>, Vec<Object>)], out: &mut Vec<Finding>) {
        if self.user_rules().is_empty() && self.exception_packages.is_empty() {
            return;
        }
        let (src, object, ids) = combined_input(files);
        let mut found = Vec::new();
        WORKER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot
                .as_ref()
                .is_none_or(|w| w.generation != self.generation)
            {
                *slot = Some(Worker {
                    generation: self.generation,
                    engine: self.engine.clone(),
                    vm: None,
                    user_vm: None,
                    vm_file: None,
                    engine_file: None,
                });
            }
            if let Some(worker) = slot.as_mut() {
                let file: Arc<str> = Arc::from(COMBINED);
                self.check_object(worker, &src, &object, &mut found, true, Scope::Users, &file);
            }
        });
        for mut f in found {
            // `/N/contents/...`: document N's resource, and the pointer inside it.
            if let Some(path) = f.path.take() {
                let mut tokens = path.splitn(4, '/').skip(1);
                let index = tokens.next().and_then(|t| t.parse::<usize>().ok());
                match (index, tokens.next(), tokens.next()) {
                    (Some(i), Some("contents"), rest) if i < ids.len() => {
                        f.resource = ids[i].clone();
                        f.path = Some(rest.map_or_else(String::new, |r| format!("/{r}")));
                    }
                    (Some(i), _, _) if i < ids.len() => {
                        f.resource = ids[i].clone();
                    }
                    _ => f.path = Some(path),
                }
            }
            out.push(f);
        }
    }

    /// The data documents with `conftest.file` = `{name, dir}` of `file` (a
    /// display name, relative to the run's directory; `dir` absolute, as
    /// conftest gives it).
    fn file_data(&self, file: &str) -> regorus::Value {
        let root = self
            .file_root
            .as_deref()
            .unwrap_or(std::path::Path::new("/"));
        let (name, dir) = file_info(root, file);
        let mut info = regorus::value::Object::default();
        info.insert(regorus::Value::from("name"), regorus::Value::from(name));
        info.insert(regorus::Value::from("dir"), regorus::Value::from(dir));
        let mut data = self.engine.get_data();
        if let Ok(map) = data.as_object_mut() {
            let key = regorus::Value::from("conftest");
            let mut conftest = map
                .get(&key)
                .filter(|c| c.as_object().is_ok())
                .cloned()
                .unwrap_or_else(regorus::Value::new_object);
            if let Ok(c) = conftest.as_object_mut() {
                c.insert(regorus::Value::from("file"), regorus::Value::from(info));
            }
            map.insert(key, conftest);
        }
        data
    }

    #[allow(clippy::too_many_arguments, reason = "one evaluation's whole context")]
    fn check_object(
        &self,
        worker: &mut Worker,
        src: &SourceFile,
        obj: &Object,
        out: &mut Vec<Finding>,
        indexed: bool,
        scope: Scope,
        file: &Arc<str>,
    ) {
        // The kind index: pack rules that cannot match this kind are not run.
        let kind = obj.node.get("kind").and_then(|k| k.as_str());
        let rules: Vec<&PolicyRule> = self
            .enabled_rules()
            .filter(|r| match scope {
                Scope::All => true,
                Scope::Pack => is_pack_rule(r),
                Scope::Users => !is_pack_rule(r),
            })
            .filter(|r| {
                !indexed
                    || !is_pack_rule(r)
                    || pack::applies(pack_package(r), kind)
                    || kind.is_some_and(|k| self.extra_pod_kinds.iter().any(|e| e == k))
            })
            .collect();
        let exception_packages: &[String] = if scope == Scope::Pack {
            &[]
        } else {
            &self.exception_packages
        };
        if rules.is_empty() && exception_packages.is_empty() {
            return;
        }
        let input = convert::node_to_value(&obj.node);
        let engine = &mut worker.engine;
        engine.set_input(input.clone());
        let deadline = Instant::now() + self.timeout;
        let mut timed_out = false;
        // `package`: evaluate a whole package tree, which `eval_rule` refuses.
        let run =
            |engine: &mut Engine, query: &str, package: bool| -> Result<regorus::Value, String> {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(String::new());
                }
                engine.set_execution_timer_config(ExecutionTimerConfig {
                    limit: left,
                    check_interval: NonZeroU32::MIN.saturating_add(63),
                });
                let result = if package {
                    engine.eval_query(query.to_owned(), false).map(|r| {
                        r.result
                            .into_iter()
                            .next()
                            .and_then(|r| r.expressions.into_iter().next())
                            .map_or(regorus::Value::Undefined, |e| e.value)
                    })
                } else {
                    engine.eval_rule(query.to_owned())
                };
                result.map_err(|e| {
                    let text = format!("{e:#}");
                    if text.contains("exceeded time limit") {
                        String::new()
                    } else {
                        RegoError::parse(&e).to_string()
                    }
                })
            };
        // Users' rules and the exceptions, first on the worker's VM in one
        // execution: a run-time error the interpreter would report ends that run
        // (`vm::user_machine`), and the document then goes to the interpreter
        // as before, rule by rule, which names the rule in a `policy-error`.
        let has_user = rules.iter().any(|r| !is_pack_rule(r));
        let mut user_values: Option<regorus::Value> = None;
        if (has_user || !exception_packages.is_empty())
            && let Some(vm) = worker.user_vm.get_or_insert_with(|| {
                self.vm_user_program()
                    .and_then(|p| super::vm::user_machine(p, self.engine.get_data()))
            })
        {
            // `data.conftest.file` (only when a user's policy reads it).
            if self.file_root.is_some() && worker.vm_file.as_ref() != Some(file) {
                worker.vm_file = vm
                    .set_data(self.file_data(file))
                    .ok()
                    .map(|()| file.clone());
            }
            match super::vm::run(
                vm,
                input.clone(),
                deadline.saturating_duration_since(Instant::now()),
            ) {
                Ok(value) => user_values = value,
                Err(()) => timed_out = true,
            }
        }
        // The interpreter evaluates users' rules when the VM did not: it
        // needs `data.conftest.file` too (set once per file, as it costs
        // the engine a new preparation).
        if user_values.is_none()
            && (has_user || !exception_packages.is_empty())
            && self.file_root.is_some()
            && worker.engine_file.as_ref() != Some(file)
        {
            engine.clear_data();
            worker.engine_file = engine
                .add_data(self.file_data(file))
                .ok()
                .map(|()| file.clone());
        }
        // conftest exceptions: sets of rule names, per package.
        let mut waived: BTreeSet<(String, String)> = BTreeSet::new();
        for package in exception_packages {
            if timed_out {
                break;
            }
            let value = match &user_values {
                Some(all) => Ok(super::vm::user_value(all, "exceptions", package)),
                None => run(engine, &format!("data.{package}.exception"), false),
            };
            match value {
                Ok(value) => {
                    for name in exception_names(&value) {
                        waived.insert((package.clone(), name));
                    }
                }
                Err(e) if e.is_empty() => timed_out = true,
                Err(e) => {
                    out.push(self.error_finding(src, obj, &format!("data.{package}.exception"), &e))
                }
            }
        }
        // The pack in one evaluation: its shared helpers (pod specs, containers)
        // are computed once per document instead of once per rule. First on the
        // worker's VM (`vm.rs`); when the VM gives no result, the whole pack on
        // the interpreter; on an error there, one evaluation per rule names the
        // rule that failed. A document that only a few pack rules apply to (a
        // ConfigMap, a Service) runs just those on the interpreter: one
        // evaluation has a fixed cost of several rules.
        let mut pack_values: Option<regorus::Value> = None;
        let whole_pack = rules.iter().filter(|r| is_pack_rule(r)).count() >= PACK_QUERY_FROM;
        if whole_pack
            && !timed_out
            && let Some(vm) = worker.vm.get_or_insert_with(|| {
                self.vm_program()
                    .and_then(|p| super::vm::machine_with_data(p, self.engine.get_data()))
            })
        {
            match super::vm::run(
                vm,
                input,
                deadline.saturating_duration_since(Instant::now()),
            ) {
                Ok(value) => pack_values = value,
                Err(()) => timed_out = true,
            }
        }
        if whole_pack && pack_values.is_none() && !timed_out {
            match run(engine, PACK_QUERY, true) {
                Ok(value) => pack_values = Some(value),
                Err(e) if e.is_empty() => timed_out = true,
                Err(_) => {}
            }
        }
        for rule in rules {
            if timed_out {
                break;
            }
            let result = match (&pack_values, &user_values) {
                (Some(all), _) if is_pack_rule(rule) => Ok(pack_value(all, rule)),
                (_, Some(all)) if !is_pack_rule(rule) => {
                    Ok(super::vm::user_value(all, "rules", &rule.query))
                }
                _ => run(engine, &rule.query, false),
            };
            match result {
                Ok(value) => {
                    let reason = waiver(rule, &waived);
                    for v in convert::violations(&value) {
                        let mut f = finding(src, obj, rule, v);
                        f.waived = reason.clone();
                        out.push(f);
                    }
                }
                Err(e) if e.is_empty() => timed_out = true,
                Err(e) => out.push(self.error_finding(src, obj, &rule.id, &e)),
            }
        }
        if timed_out {
            let mut f = Finding::at(
                src,
                obj.node.span,
                POLICY_TIMEOUT,
                Severity::Error,
                format!(
                    "policies did not finish on this document within {} ms; raise `policy.timeout_ms` or simplify the policy",
                    self.timeout.as_millis()
                ),
            );
            f.resource = obj.id.clone();
            out.push(f);
        }
    }

    fn error_finding(&self, src: &SourceFile, obj: &Object, rule: &str, error: &str) -> Finding {
        let mut f = Finding::at(
            src,
            obj.node.span,
            POLICY_ERROR,
            Severity::Error,
            format!("policy {rule} failed on this document: {error}"),
        );
        f.resource = obj.id.clone();
        f
    }
}

/// The packages of the pack's rules, evaluated together.
const PACK_QUERY: &str = "data.tollgate.kubernetes";

pub(crate) fn is_pack_rule(rule: &PolicyRule) -> bool {
    rule.builtin && rule.package.starts_with("tollgate.kubernetes.")
}

/// From this many applicable pack rules on, the whole pack is evaluated at once.
const PACK_QUERY_FROM: usize = 4;

/// A pack rule's package after `tollgate.kubernetes.`.
fn pack_package(rule: &PolicyRule) -> &str {
    rule.package
        .strip_prefix("tollgate.kubernetes.")
        .unwrap_or_default()
}

/// A pack rule's value inside the value of [`PACK_QUERY`].
fn pack_value(all: &regorus::Value, rule: &PolicyRule) -> regorus::Value {
    let package = pack_package(rule);
    all.as_object()
        .ok()
        .and_then(|o| o.get(&regorus::Value::from(package)))
        .and_then(|p| p.as_object().ok())
        .and_then(|p| p.get(&regorus::Value::from(rule.name.as_str())))
        .cloned()
        .unwrap_or(regorus::Value::Undefined)
}

/// The names an `exception` rule returned (`[["run_as_root"]]` or `["a"]`).
fn exception_names(value: &regorus::Value) -> Vec<String> {
    let Ok(json) = serde_json::to_value(value) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let mut push = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => names.push(s.clone()),
        serde_json::Value::Array(items) => {
            names.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)));
        }
        _ => {}
    };
    match &json {
        serde_json::Value::Array(items) => items.iter().for_each(&mut push),
        other => push(other),
    }
    names
}

/// Why a rule's results are waived for this document, if they are: an exception
/// in its package naming it (conftest), or any exception naming its id.
fn waiver(rule: &PolicyRule, waived: &BTreeSet<(String, String)>) -> Option<String> {
    let short = scan::exception_name(&rule.name);
    waived
        .iter()
        .find(|(pkg, name)| (pkg == &rule.package && name == short) || name == &rule.id)
        .map(|(pkg, name)| format!("data.{pkg}.exception[_][_] == \"{name}\""))
}

/// Locates one result: `path`, then `_loc`, then the resource's first line.
fn finding(src: &SourceFile, obj: &Object, rule: &PolicyRule, v: Violation) -> Finding {
    let mut f = match (&v.pointer, &v.loc) {
        (Some(pointer), _) => {
            let at = obj.node.pointer_span(pointer);
            Finding::at(src, at.span, rule.id.clone().into(), rule.severity, v.msg)
        }
        (None, Some((file, line))) if same_file(&src.name, file) => {
            let start = line_start(&src.text, *line);
            let (_, end) = src.line_range(start);
            Finding::at(
                src,
                Span::new(start, end),
                rule.id.clone().into(),
                rule.severity,
                v.msg,
            )
        }
        (None, Some((file, line))) => {
            let mut f = Finding::whole_file(file.as_str().into(), rule.id.clone().into(), v.msg);
            f.severity = rule.severity;
            f.start = Position {
                line: *line,
                column: 1,
            };
            f.end = f.start;
            f
        }
        (None, None) => Finding::at(
            src,
            obj.node.span,
            rule.id.clone().into(),
            rule.severity,
            v.msg,
        ),
    };
    // A `_loc` in another file has no span in this one.
    f.resource = if *f.file == *src.name {
        obj.resource_at(f.span.start)
    } else {
        obj.id.clone()
    };
    f.path = v.pointer;
    f.metadata = v.metadata.map(Box::new);
    f
}

/// The one input of `--combine`: every document of `files` as
/// `{path, contents}`, in a tree whose spans still point into each file (a
/// table of sources, as for a rendered target; the array itself and its
/// entries' keys are in the file `Combined`), and each document's identity.
fn combined_input(
    files: &[(Arc<SourceFile>, Vec<Object>)],
) -> (
    SourceFile,
    Object,
    Vec<Option<crate::model::resource::ResourceId>>,
) {
    use crate::load::{Entry, FileId, Node, Value};
    let mut table: Vec<Arc<SourceFile>> = Vec::new();
    let mut items = Vec::new();
    let mut ids = Vec::new();
    // Spans in no file of the table resolve to the combined source itself.
    let nowhere = Span::new(0, 0).in_file(FileId(u32::MAX));
    for (src, objects) in files {
        let offset = u32::try_from(table.len()).unwrap_or(u32::MAX);
        if src.parts().is_empty() {
            table.push(src.clone());
        } else {
            table.extend(src.parts().iter().cloned());
        }
        for obj in objects {
            let path = src.resolve(obj.node.span.file).name.to_string();
            let mut contents = obj.node.clone();
            shift_files(&mut contents, offset);
            let span = contents.span;
            items.push(Node::new(
                Value::Map(vec![
                    Entry {
                        key: "path".to_owned(),
                        key_span: nowhere,
                        value: Node::new(Value::String(path), span),
                    },
                    Entry {
                        key: "contents".to_owned(),
                        key_span: nowhere,
                        value: contents,
                    },
                ]),
                span,
            ));
            ids.push(obj.id.clone());
        }
    }
    let src = SourceFile::rendered(Arc::from(COMBINED), table);
    let object = Object {
        document: 0,
        item: None,
        node: Node::new(Value::Seq(items), nowhere),
        id: None,
    };
    (src, object, ids)
}

/// Moves every span of `node` (keys included) `offset` files further in a table.
fn shift_files(node: &mut crate::load::Node, offset: u32) {
    use crate::load::{FileId, Value};
    let shift = |f: FileId| FileId(f.0.saturating_add(offset));
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span.file = shift(n.span.file);
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span.file = shift(e.key_span.file);
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// conftest's `data.conftest.file` of a display name: `name` (the base name)
/// and `dir` (the absolute directory, cleaned), from the run's directory.
pub(crate) fn file_info(root: &std::path::Path, display: &str) -> (String, String) {
    use std::path::Component;
    let mut parts: Vec<String> = Vec::new();
    let joined = root.join(display);
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    let name = parts.pop().unwrap_or_default();
    (name, format!("/{}", parts.join("/")))
}

fn same_file(name: &str, loc: &str) -> bool {
    name == loc || name.ends_with(&format!("/{loc}")) || loc.ends_with(&format!("/{name}"))
}

/// Byte offset where 1-based `line` starts (the end of the text when past it).
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Limits, Syntax, load};
    use crate::stages::policy::{PolicyOptions, PolicySource};

    fn run(policy: &str, yaml: &str, timeout_ms: u64) -> Vec<Finding> {
        let options = PolicyOptions {
            builtin: false,
            timeout: std::time::Duration::from_millis(timeout_ms),
            ..PolicyOptions::default()
        };
        let sources = vec![PolicySource {
            name: "p.rego".into(),
            text: policy.into(),
            builtin: false,
        }];
        let set = PolicySet::compile(sources, Vec::new(), &options);
        let src = SourceFile::new(Arc::from("f.yaml"), yaml);
        let objects =
            crate::model::resource::objects(load(yaml, Syntax::Yaml, &Limits::default()).documents);
        let mut out = Vec::new();
        if let Ok(set) = set {
            set.check(&src, &objects, &mut out);
        }
        out
    }

    #[test]
    fn path_points_into_the_second_document() {
        let policy = "package main\n\ndeny contains {\"msg\": \"bad\", \"path\": \"spec.x\"} if input.spec.x == 1\n";
        let out = run(policy, "a: 1\n---\nkind: K\nspec:\n  y: 0\n  x: 1\n", 2000);
        let lines: Vec<_> = out
            .iter()
            .map(|f| (f.rule.to_string(), f.start.line))
            .collect();
        assert_eq!(lines, vec![("main.deny".to_owned(), 6)]);
    }

    #[test]
    fn no_path_points_at_the_resource_first_line() {
        let policy = "package main\n\nwarn contains \"w\" if input.kind == \"K\"\n";
        let out = run(policy, "a: 1\n---\n# c\nkind: K\n", 2000);
        assert_eq!(
            out.iter().map(|f| f.start.line).collect::<Vec<_>>(),
            vec![4]
        );
        assert_eq!(out[0].severity, Severity::Warning);
    }

    #[test]
    fn exceptions_waive() {
        let policy = "package main\n\ndeny_root contains \"r\" if true\n\nexception contains [\"root\"] if input.ok\n";
        let out = run(policy, "ok: true\n---\nok: false\n", 2000);
        let waived: Vec<_> = out.iter().map(|f| f.waived.is_some()).collect();
        assert_eq!(waived, vec![true, false]);
    }

    #[test]
    fn runtime_error_is_a_finding() {
        let policy = "package main\n\ndeny contains x if { x := 1 / input.d }\n\nwarn contains \"still runs\" if true\n";
        let out = run(policy, "d: 0\n", 2000);
        let rules: Vec<_> = out.iter().map(|f| f.rule.to_string()).collect();
        assert_eq!(rules, vec!["policy-error", "main.warn"]);
        assert!(out[0].message.contains("p.rego:3:"), "{}", out[0].message);
    }

    /// A document with something for every pack rule to object to, whatever
    /// its kind: pod specs in every place, RBAC rules, Service, Ingress, Secret
    /// and GitOps fields, no namespace.
    fn everything_bad(kind: &str) -> String {
        let pod = "{hostNetwork: true, hostPID: true, securityContext: {sysctls: [{name: kernel.msgmax, value: '1'}], seLinuxOptions: {user: x}}, volumes: [{name: v, hostPath: {path: /}}], containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 80}], securityContext: {privileged: true, allowPrivilegeEscalation: true, procMount: Unmasked, runAsUser: 0, capabilities: {add: [SYS_ADMIN]}}}]}";
        format!(
            "apiVersion: v1\nkind: {kind}\nmetadata:\n  name: x\n  annotations: {{container.apparmor.security.beta.kubernetes.io/c: unconfined}}\nspec:\n  type: LoadBalancer\n  source: {{targetRevision: HEAD}}\n  ref: {{branch: main}}\n  rules: [{{host: a}}]\n  template: {{spec: {pod}}}\n  jobTemplate: {{spec: {{template: {{spec: {pod}}}}}}}\n  containers: {containers}\n  hostNetwork: true\n  volumes: [{{name: v, hostPath: {{path: /}}}}]\nrules: [{{apiGroups: ['*'], resources: ['*'], verbs: ['*']}}]\nroleRef: {{kind: ClusterRole, name: cluster-admin}}\ndata: {{password: c2VjcmV0}}\nstringData: {{token: abc}}\n",
            containers = "[{name: c, image: nginx, securityContext: {privileged: true}}]"
        )
    }

    /// The kind index changes nothing: every kind the pack names, and some it
    /// does not, give the same findings with and without it.
    #[test]
    fn kind_index_gives_the_same_findings() {
        let set = match PolicySet::load(&PolicyOptions::default(), std::path::Path::new("/")) {
            Ok(set) => set,
            Err(e) => panic!("the pack compiles: {e:#}"),
        };
        let mut kinds: Vec<&str> = pack::POD_KINDS.to_vec();
        for (_, applies) in pack::APPLIES {
            if let pack::Applies::Kinds(k) = applies {
                kinds.extend(k.iter());
            }
        }
        kinds.extend(["Widget", "List", "Namespace", "ClusterRoleBinding"]);
        let mut total = 0;
        for kind in kinds {
            let yaml = everything_bad(kind);
            let src = SourceFile::new(Arc::from("f.yaml"), yaml.as_str());
            let objects = crate::model::resource::objects(
                load(&yaml, Syntax::Yaml, &Limits::default()).documents,
            );
            let (mut indexed, mut full) = (Vec::new(), Vec::new());
            set.check_indexed(&src, &objects, &mut indexed, true);
            set.check_indexed(&src, &objects, &mut full, false);
            let key = |f: &Finding| (f.rule.to_string(), f.start.line, f.message.clone());
            let mut a: Vec<_> = indexed.iter().map(key).collect();
            let mut b: Vec<_> = full.iter().map(key).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{kind}");
            total += a.len();
        }
        // The documents do trip rules: the comparison is not vacuous.
        assert!(total > 50, "{total}");
    }

    /// A small deterministic generator (xorshift) for the differential test.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
    }

    /// A securityContext with a random subset of what the pack reads, values
    /// right, wrong and of the wrong type.
    fn security_context(g: &mut Gen, pod: bool) -> serde_json::Value {
        use serde_json::json;
        if g.chance(8) {
            return json!("not-an-object");
        }
        let mut sc = serde_json::Map::new();
        let bools = [json!(true), json!(false), json!("true"), json!(null)];
        let mut maybe = |g: &mut Gen, key: &str, values: &[serde_json::Value]| {
            if g.chance(45) {
                sc.insert(
                    key.to_owned(),
                    values[(g.next() % values.len() as u64) as usize].clone(),
                );
            }
        };
        maybe(g, "runAsNonRoot", &bools);
        maybe(g, "runAsUser", &[json!(0), json!(1000), json!("0")]);
        let profile = |t: &str| json!({"type": t});
        maybe(
            g,
            "seccompProfile",
            &[
                profile("RuntimeDefault"),
                profile("Localhost"),
                profile("Unconfined"),
                json!({}),
                json!("RuntimeDefault"),
            ],
        );
        maybe(
            g,
            "seLinuxOptions",
            &[
                json!({"type": "container_t"}),
                json!({"user": "x"}),
                json!({"type": "spc_t"}),
                json!({}),
            ],
        );
        if pod {
            maybe(
                g,
                "sysctls",
                &[
                    json!([{"name": "kernel.shm_rmid_forced", "value": "1"}]),
                    json!([{"name": "kernel.msgmax", "value": "1"}]),
                    json!([{"name": 5}]),
                ],
            );
        } else {
            maybe(g, "privileged", &bools);
            maybe(g, "allowPrivilegeEscalation", &bools);
            maybe(g, "procMount", &[json!("Unmasked"), json!("Default")]);
            maybe(
                g,
                "capabilities",
                &[
                    json!({"drop": ["ALL"]}),
                    json!({"drop": ["NET_RAW"], "add": ["SYS_ADMIN"]}),
                    json!({"add": ["NET_BIND_SERVICE"]}),
                    json!({"add": [7, "SYS_ADMIN"], "drop": [null]}),
                    json!({"add": "SYS_ADMIN"}),
                    json!({"drop": "ALL"}),
                    json!({}),
                ],
            );
        }
        serde_json::Value::Object(sc)
    }

    fn container(g: &mut Gen, i: usize) -> serde_json::Value {
        use serde_json::json;
        let mut c = serde_json::Map::new();
        if !g.chance(10) {
            c.insert("name".into(), json!(format!("c{i}")));
        }
        let image = g.pick(&[
            "nginx",
            "nginx:latest",
            "nginx:1.27",
            "reg.io:5000/app",
            "reg.io:5000/app:2.0",
            "app@sha256:abc",
            "",
        ]);
        if g.chance(90) {
            c.insert("image".into(), json!(image));
        } else {
            c.insert("image".into(), json!(5));
        }
        if g.chance(60) {
            c.insert("securityContext".into(), security_context(g, false));
        }
        if g.chance(50) {
            c.insert(
                "resources".into(),
                json!({"limits": {"memory": "1Gi"}, "requests": {"cpu": "1"}}),
            );
        } else if g.chance(30) {
            c.insert("resources".into(), json!({"requests": {"cpu": "1"}}));
        }
        for probe in ["readinessProbe", "livenessProbe"] {
            if g.chance(50) {
                c.insert(probe.into(), json!({"httpGet": {"path": "/", "port": 80}}));
            }
        }
        if g.chance(30) {
            let port = if g.chance(50) {
                json!({"containerPort": 80, "hostPort": 8080})
            } else {
                json!({"containerPort": 80})
            };
            c.insert("ports".into(), json!([port, "80"]));
        } else if g.chance(5) {
            c.insert("ports".into(), json!(80));
        }
        serde_json::Value::Object(c)
    }

    fn pod_spec(g: &mut Gen) -> serde_json::Value {
        use serde_json::json;
        let mut spec = serde_json::Map::new();
        for field in ["initContainers", "containers", "ephemeralContainers"] {
            let n = match field {
                "containers" => 1 + g.next() % 3,
                _ => g.next() % 2,
            };
            if n > 0 || field == "containers" {
                let items: Vec<_> = (0..n as usize).map(|i| container(g, i)).collect();
                spec.insert(field.into(), serde_json::Value::Array(items));
            }
        }
        if g.chance(5) {
            spec.insert("containers".into(), json!("oops"));
        }
        if g.chance(60) {
            spec.insert("securityContext".into(), security_context(g, true));
        }
        for key in ["hostNetwork", "hostPID", "hostIPC"] {
            if g.chance(15) {
                spec.insert(key.into(), json!(g.chance(70)));
            }
        }
        if g.chance(20) {
            spec.insert(
                "volumes".into(),
                json!([{"name": "v", "hostPath": {"path": "/var/run/docker.sock"}}, {"name": "e", "emptyDir": {}}, "oops", {"hostPath": "/"}]),
            );
        } else if g.chance(5) {
            spec.insert("volumes".into(), json!({"v": {"hostPath": {"path": "/"}}}));
        }
        serde_json::Value::Object(spec)
    }

    /// One random object of a pod-bearing kind.
    fn random_object(g: &mut Gen) -> serde_json::Value {
        use serde_json::json;
        let kind = g.pick(pack::POD_KINDS);
        let mut metadata = serde_json::Map::new();
        if !g.chance(10) {
            metadata.insert("name".into(), json!("web"));
        } else if g.chance(50) {
            metadata.insert("name".into(), json!(7));
        }
        if g.chance(60) {
            metadata.insert("namespace".into(), json!("shop"));
        }
        if g.chance(5) {
            metadata.insert("annotations".into(), json!("oops"));
        } else if g.chance(20) {
            metadata.insert(
                "annotations".into(),
                json!({"container.apparmor.security.beta.kubernetes.io/c0": g.pick(&["unconfined", "runtime/default"])}),
            );
        }
        let pod = pod_spec(g);
        let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": pod});
        let spec = match kind {
            "Pod" => pod,
            "CronJob" => {
                json!({"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}})
            }
            _ => json!({"replicas": 2, "template": template}),
        };
        json!({"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec})
    }

    /// The built-in pack, compiled for `engine`, with `pod_security` in force.
    fn pack(
        engine: crate::settings::PolicyEngine,
        pod_security: Option<crate::settings::PodSecurity>,
    ) -> PolicySet {
        let options = PolicyOptions {
            engine,
            pod_security,
            ..PolicyOptions::default()
        };
        match PolicySet::load(&options, std::path::Path::new("/")) {
            Ok(set) => set,
            Err(e) => panic!("the pack compiles: {e:#}"),
        }
    }

    /// The VM and the interpreter sets for `pod_security`.
    fn both(pod_security: Option<crate::settings::PodSecurity>) -> (PolicySet, PolicySet) {
        let vm = pack(crate::settings::PolicyEngine::Auto, pod_security);
        let interpreter = pack(crate::settings::PolicyEngine::Interpreter, pod_security);
        assert!(vm.vm_program().is_some(), "the pack compiles to the VM");
        (vm, interpreter)
    }

    /// Checks `object` with both sets, asserts they agree finding for finding
    /// (rule, line, message) and that none is a `policy-error` (wrong types
    /// are the schema check's to report), and returns the findings.
    fn agree(
        vm: &PolicySet,
        interpreter: &PolicySet,
        object: &serde_json::Value,
        case: &str,
    ) -> Vec<(String, usize, String)> {
        let text = serde_json::to_string_pretty(object).unwrap_or_default();
        let src = SourceFile::new(Arc::from("f.json"), text.as_str());
        let objects = crate::model::resource::objects(
            load(&text, Syntax::Json, &Limits::default()).documents,
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        vm.check(&src, &objects, &mut a);
        interpreter.check(&src, &objects, &mut b);
        let key = |f: &Finding| (f.rule.to_string(), f.start.line, f.message.clone());
        let a: Vec<_> = a.iter().map(key).collect();
        let b: Vec<_> = b.iter().map(key).collect();
        assert_eq!(a, b, "{case}: {text}");
        assert!(
            a.iter().all(|(rule, _, _)| rule != "policy-error"),
            "{case}: {a:?}\n{text}"
        );
        a
    }

    /// The compiled VM and the interpreter agree on the whole pack, finding for
    /// finding, over a few hundred random pod-bearing objects that mix every
    /// field the pack reads, at both levels, with values of the wrong type.
    /// (The VM once skipped the `else` of functions; this test caught it.)
    #[test]
    fn vm_and_interpreter_agree_on_the_pack() {
        let (vm, interpreter) = both(None);
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut total = 0;
        let mut rules = BTreeSet::new();
        for case in 0..300 {
            let object = random_object(&mut g);
            let a = agree(&vm, &interpreter, &object, &format!("case {case}"));
            total += a.len();
            rules.extend(a.into_iter().map(|(rule, _, _)| rule));
        }
        // Not vacuous: many findings, from most of the pod rules.
        assert!(total > 1000, "{total}");
        assert!(rules.len() >= 15, "{rules:?}");
    }

    /// The same with a Pod Security level in force (the `pss-*` rules read the
    /// level and version from the set's data, which the VM must see too).
    #[test]
    fn vm_and_interpreter_agree_on_the_pack_at_a_level() {
        for setting in [
            "baseline@v1.18",
            "restricted@v1.24",
            "restricted",
            "baseline@v1.35",
        ] {
            let (vm, interpreter) = both(crate::settings::PodSecurity::parse(setting).ok());
            let mut g = Gen(0x2545_f491_4f6c_dd1d);
            let mut pss = 0;
            for case in 0..100 {
                let object = random_object(&mut g);
                let a = agree(
                    &vm,
                    &interpreter,
                    &object,
                    &format!("{setting} case {case}"),
                );
                pss += a
                    .iter()
                    .filter(|(rule, _, _)| rule.starts_with("pss-"))
                    .count();
            }
            assert!(pss > 100, "{setting}: {pss}");
        }
    }

    #[test]
    fn file_info_is_conftests() {
        let root = std::path::Path::new("/repo/sub");
        assert_eq!(
            file_info(root, "envs/prod/app.yaml"),
            ("app.yaml".into(), "/repo/sub/envs/prod".into())
        );
        assert_eq!(file_info(root, "../x.tf"), ("x.tf".into(), "/repo".into()));
        assert_eq!(file_info(root, "-"), ("-".into(), "/repo/sub".into()));
        assert_eq!(
            file_info(root, COMBINED),
            ("Combined".into(), "/repo/sub".into())
        );
    }

    /// A users' set for `engine`, reading `data.conftest.file` from `/repo`.
    fn file_set(policy: &str, engine: crate::settings::PolicyEngine) -> PolicySet {
        let options = PolicyOptions {
            builtin: false,
            engine,
            ..PolicyOptions::default()
        };
        let sources = vec![PolicySource {
            name: "p.rego".into(),
            text: policy.into(),
            builtin: false,
        }];
        let mut set = match PolicySet::compile(sources, Vec::new(), &options) {
            Ok(set) => set,
            Err(e) => panic!("compiles: {e:#}"),
        };
        assert!(set.reads_conftest_data());
        set.file_root = Some(std::path::PathBuf::from("/repo"));
        set
    }

    /// `data.conftest.file` is the same on the VM and the interpreter, file
    /// after file on one worker (the data changes between files), and the VM
    /// does run these rules (the comparison is not the interpreter twice).
    #[test]
    fn vm_and_interpreter_agree_on_conftest_file() {
        use crate::settings::PolicyEngine;
        let policy = "package main\n\ndeny contains msg if {\n  input.debug\n  endswith(data.conftest.file.dir, \"/prod\")\n  msg := sprintf(\"%s in %s\", [data.conftest.file.name, data.conftest.file.dir])\n}\n\nwarn contains data.conftest.file.name if input.debug\n";
        let vm = file_set(policy, PolicyEngine::Auto);
        let interpreter = file_set(policy, PolicyEngine::Interpreter);
        assert!(vm.vm_user_program().is_some(), "the VM runs the rules");
        assert!(interpreter.vm_user_program().is_none());
        let files = [
            "envs/prod/a.yaml",
            "envs/dev/a.yaml",
            "envs/prod/b.yaml",
            "b.yaml",
            "envs/prod/b.yaml",
        ];
        let mut seen = Vec::new();
        for name in files {
            let text = "debug: true\n";
            let src = SourceFile::new(Arc::from(name), text);
            let objects = crate::model::resource::objects(
                load(text, Syntax::Yaml, &Limits::default()).documents,
            );
            let (mut a, mut b) = (Vec::new(), Vec::new());
            vm.check(&src, &objects, &mut a);
            interpreter.check(&src, &objects, &mut b);
            let key = |f: &Finding| (f.rule.to_string(), f.message.clone());
            let a: Vec<_> = a.iter().map(key).collect();
            let b: Vec<_> = b.iter().map(key).collect();
            assert_eq!(a, b, "{name}");
            seen.extend(a);
        }
        assert_eq!(
            seen.iter()
                .filter(|(r, _)| r == "main.deny")
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>(),
            vec![
                "a.yaml in /repo/envs/prod",
                "b.yaml in /repo/envs/prod",
                "b.yaml in /repo/envs/prod"
            ]
        );
        assert_eq!(seen.len(), 8, "{seen:?}");
    }

    /// `--combine`: one evaluation on `[{path, contents}]`; results land on
    /// the document their `path` names, or on `Combined`.
    #[test]
    fn combined_results_land_on_their_document() {
        let policy = "package main\n\ndeny contains {\"msg\": \"b\", \"path\": [i, \"contents\", \"b\"]} if {\n  some i\n  input[i].contents.b\n}\n\nwarn contains sprintf(\"%d\", [count(input)]) if true\n";
        for engine in [
            crate::settings::PolicyEngine::Auto,
            crate::settings::PolicyEngine::Interpreter,
        ] {
            let options = PolicyOptions {
                builtin: false,
                engine,
                combine: true,
                ..PolicyOptions::default()
            };
            let sources = vec![PolicySource {
                name: "p.rego".into(),
                text: policy.into(),
                builtin: false,
            }];
            let Ok(set) = PolicySet::compile(sources, Vec::new(), &options) else {
                panic!("compiles")
            };
            let file = |name: &str, text: &str| {
                let src = Arc::new(SourceFile::new(Arc::from(name), text.to_owned()));
                let objects = crate::model::resource::objects(
                    load(text, Syntax::Yaml, &Limits::default()).documents,
                );
                (src, objects)
            };
            let files = vec![
                file("one.yaml", "a: 1\n"),
                file("two.yaml", "a: 2\n---\nx: 0\nb: true\n"),
            ];
            // Per document, users' rules do not run.
            let mut per_doc = Vec::new();
            set.check(&files[1].0, &files[1].1, &mut per_doc);
            assert!(per_doc.is_empty(), "{per_doc:?}");
            let mut out = Vec::new();
            set.check_combined(&files, &mut out);
            let got: Vec<_> = out
                .iter()
                .map(|f| {
                    format!(
                        "{} {}:{} {} {:?}",
                        f.rule, f.file, f.start.line, f.message, f.path
                    )
                })
                .collect();
            assert_eq!(
                got,
                vec![
                    "main.deny two.yaml:4 b Some(\"/b\")",
                    "main.warn Combined:1 3 None"
                ],
                "{engine:?}"
            );
        }
    }

    #[test]
    fn slow_policy_times_out() {
        let policy = "package main\n\ndeny contains x if {\n  some x in numbers.range(1, 3000)\n  some y in numbers.range(1, 3000)\n  x * y < 0\n}\n";
        let out = run(policy, "n: 0\n", 50);
        let rules: Vec<_> = out.iter().map(|f| f.rule.to_string()).collect();
        assert_eq!(rules, vec!["policy-timeout"]);
    }
}
