//! The layering holds: every `crate::` path in `src/` points to the same layer
//! or one below it, and the import graph of the modules (layer::module) has no
//! cycle. The layers and their order are documented in `docs/architecture.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Layers from the bottom up; a layer may use the ones before it.
const LAYERS: &[&str] = &[
    "load", "model", "settings", "input", "stages", "pipeline", "output", "app",
];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// (module of the file, text) for every source file; the module is the path
/// under `src/` without the extension (`stages/policy/eval`).
fn sources() -> Vec<(Vec<String>, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("src/ is readable");
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let rel = path.strip_prefix(&root).expect("under src");
        let mut parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let text = std::fs::read_to_string(path).expect("readable source");
        out.push((parts, text));
    }
    out
}

/// Code without comments (doc comments name modules in prose).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `crate::a::b` paths a file names: (a, b) with b possibly empty.
fn crate_paths(text: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let text = code(text);
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let first = ident(rest);
        let after = &rest[first.len()..];
        if let Some(group) = after.strip_prefix("::{") {
            // `crate::model::{finding, source}`
            let inner: String = group.chars().take_while(|c| *c != '}').collect();
            for item in inner.split(',') {
                out.insert((first.clone(), ident(item.trim())));
            }
        } else {
            out.insert((
                first,
                after.strip_prefix("::").map(ident).unwrap_or_default(),
            ));
        }
    }
    out
}

fn layer_of(module: &[String]) -> Option<&str> {
    module
        .first()
        .map(String::as_str)
        .filter(|l| rank(l).is_some())
}

#[test]
fn no_upward_import() {
    let mut upward = Vec::new();
    for (module, text) in sources() {
        let Some(layer) = layer_of(&module) else {
            continue; // lib.rs and main.rs sit on top
        };
        for (target, _) in crate_paths(&text) {
            if let (Some(from), Some(to)) = (rank(layer), rank(&target))
                && to > from
            {
                upward.push(format!(
                    "src/{}: {layer} uses crate::{target}",
                    module.join("/")
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up the layers (see docs/architecture.md):\n{}",
        upward.join("\n")
    );
}

#[test]
fn module_graph_has_no_cycle() {
    // Nodes: `layer::module` (or the layer itself for one-file layers).
    let node = |a: &str, b: &str| {
        if b.is_empty() || b.chars().next().is_some_and(char::is_uppercase) {
            a.to_owned()
        } else {
            format!("{a}::{b}")
        }
    };
    let modules: BTreeSet<String> = sources()
        .iter()
        .filter_map(|(m, _)| {
            layer_of(m)?;
            Some(node(&m[0], m.get(1).map_or("", String::as_str)))
        })
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in sources() {
        if layer_of(&module).is_none() {
            continue;
        }
        let from = node(&module[0], module.get(1).map_or("", String::as_str));
        for (a, b) in crate_paths(&text) {
            let to = node(&a, &b);
            let to = if modules.contains(&to) { to } else { a.clone() };
            if to != from && modules.contains(&to) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let start = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle = stack[start..].to_vec();
                cycle.push(n.to_owned());
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in &modules {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(n, &edges, &mut state, &mut stack) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_checker_sees_imports() {
    // The scanner itself: a grouped import and a plain path are both seen,
    // comments are not.
    let paths = crate_paths(
        "use crate::model::{finding, source};\n// crate::app::x\nlet x = crate::stages::schema::Catalog::new();",
    );
    let want: BTreeSet<(String, String)> = [
        ("model", "finding"),
        ("model", "source"),
        ("stages", "schema"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(paths, want);
}
