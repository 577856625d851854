//! Rego policies: compiled once per run, evaluated on every object.
//!
//! A [`PolicySet`] is one regorus [`Engine`] holding the user's policies (from
//! `--policy` or the default `policy/` and `policies/` directories), the embedded
//! pack ([`pack`]) and `--data`, plus the list of rules that count, read
//! statically from the sources ([`scan`]) with conftest's conventions: packages
//! `main` (or `--namespace` globs, or all), rules `deny*`/`violation*` (errors)
//! and `warn*` (warnings), `exception` rules that waive them. Each rayon worker
//! evaluates with its own clone of the compiled engine ([`eval`]).

pub(crate) mod change;
pub(crate) mod convert;
pub(crate) mod eval;
pub(crate) mod explain;
pub(crate) mod metadata;
pub mod pack;
pub(crate) mod scan;
pub(crate) mod sources;
pub(crate) mod testing;
pub(crate) mod vm;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::anyhow;
use regorus::Engine;

use crate::model::finding::RuleLevel;
use crate::model::finding::Severity;
use crate::settings::{PodSecurity, PodTemplate, PolicyEngine};
use convert::RegoError;
use metadata::Metadata;
pub use sources::PolicySource;

/// Packages of the embedded pack start with this; they are always evaluated.
pub const PACK_PREFIX: &str = "tollgate.";

/// How to build a [`PolicySet`].
#[derive(Clone, Debug)]
pub struct PolicyOptions {
    /// Policy files and directories (`--policy`; else the default directories).
    pub paths: Vec<PathBuf>,
    /// Data files and directories (`--data`).
    pub data: Vec<PathBuf>,
    /// Load the embedded pack.
    pub builtin: bool,
    /// Package globs whose rules count (default `main`).
    pub namespaces: Vec<String>,
    /// Count the rules of every package.
    pub all_namespaces: bool,
    /// Time allowed for all policies on one document.
    pub timeout: Duration,
    /// Per-rule levels from the config (`off` rules are not evaluated).
    pub levels: BTreeMap<String, RuleLevel>,
    /// Where the built-in pack is evaluated.
    pub engine: PolicyEngine,
    /// The Pod Security level and version the pack checks (`pod_security:`).
    pub pod_security: Option<PodSecurity>,
    /// Rows added to the pack's pod-template table (`pod_templates:`).
    pub pod_templates: Vec<PodTemplate>,
    /// `--combine`: users' rules see one input, every document as `{path, contents}`.
    pub combine: bool,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        Self {
            paths: Vec::new(),
            data: Vec::new(),
            builtin: true,
            namespaces: vec!["main".to_owned()],
            all_namespaces: false,
            timeout: Duration::from_secs(2),
            levels: BTreeMap::new(),
            engine: PolicyEngine::Auto,
            pod_security: None,
            pod_templates: Vec::new(),
            combine: false,
        }
    }
}

/// One rule that produces findings.
#[derive(Clone, Debug)]
pub struct PolicyRule {
    /// The stable id: `custom.id`, else `<package>.<rule>`.
    pub id: String,
    /// The package.
    pub package: String,
    /// The rule name (`deny_privileged`).
    pub name: String,
    /// `data.<package>.<name>`, the path evaluated.
    pub query: String,
    /// Severity after annotations and config.
    pub severity: Severity,
    /// False when the config turns it off.
    pub enabled: bool,
    /// The policy file of its first definition, and its line.
    pub file: String,
    /// 1-based line of the first definition.
    pub line: usize,
    /// Its annotations.
    pub metadata: Metadata,
    /// Whether it comes from the embedded pack.
    pub builtin: bool,
}

/// The compiled policies of one run.
#[derive(Debug)]
pub struct PolicySet {
    pub(crate) engine: Engine,
    /// Identifies this set to per-thread engine clones.
    pub(crate) generation: u64,
    /// Counted rules, sorted by id.
    pub rules: Vec<PolicyRule>,
    /// Packages (selected) that define `exception`.
    pub(crate) exception_packages: Vec<String>,
    /// Time allowed per document.
    pub timeout: Duration,
    /// The sources, for `explain`.
    pub sources: Vec<PolicySource>,
    /// Where the built-in pack is evaluated.
    pub(crate) engine_choice: PolicyEngine,
    /// Kinds of the config's `pod_templates` rows: pod rules run on them too.
    pub(crate) extra_pod_kinds: Vec<String>,
    /// `--combine`: users' rules run once, on the combined input
    /// ([`Self::check_combined`]), not per document.
    pub combine: bool,
    /// The run's directory, when a user's policy reads `data.conftest`: each
    /// evaluation then sees `data.conftest.file` `{name, dir}` of its file.
    pub(crate) file_root: Option<PathBuf>,
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

impl PolicySet {
    /// Reads, compiles and validates the policies. An error (exit 2) names the
    /// policy file, line and column.
    pub fn load(options: &PolicyOptions, cwd: &Path) -> anyhow::Result<Self> {
        let sources = sources::collect(&options.paths, cwd, options.builtin, false)?;
        let mut data = sources::data(&options.data, cwd)?;
        if options.builtin
            && let Some(settings) = pack::settings_data(options)
        {
            data.push(("<pod_security settings>".to_owned(), settings));
        }
        let mut set = Self::compile(sources, data, options)?;
        set.file_root = set.reads_conftest_data().then(|| cwd.to_path_buf());
        Ok(set)
    }

    /// Whether a user's policy may read `data.conftest` (`data.conftest.file`).
    fn reads_conftest_data(&self) -> bool {
        self.sources
            .iter()
            .any(|s| !s.builtin && s.text.contains("conftest"))
    }

    /// Compiles already-read sources.
    pub fn compile(
        sources: Vec<PolicySource>,
        data: Vec<(String, regorus::Value)>,
        options: &PolicyOptions,
    ) -> anyhow::Result<Self> {
        let mut engine = new_engine(&sources, data)?;
        let selected = |package: &str| {
            // Change policies run once per changed resource, never per document.
            !package.starts_with(change::CHANGE_PREFIX)
                && (package.starts_with(PACK_PREFIX)
                    || options.all_namespaces
                    || options.namespaces.iter().any(|ns| glob_match(ns, package)))
        };
        let mut rules: BTreeMap<(String, String), PolicyRule> = BTreeMap::new();
        let mut exception_packages = BTreeSet::new();
        for source in &sources {
            let module = scan::scan(&source.name, &source.text);
            if !selected(&module.package) {
                continue;
            }
            for head in &module.rules {
                if head.name == "exception" {
                    exception_packages.insert(module.package.clone());
                    continue;
                }
                let default = if scan::is_failure(&head.name) {
                    Severity::Error
                } else if scan::is_warning(&head.name) {
                    Severity::Warning
                } else {
                    continue;
                };
                let key = (module.package.clone(), head.name.clone());
                if let Some(rule) = rules.get_mut(&key) {
                    // Later bodies of the same rule may carry the annotations.
                    if rule.metadata == Metadata::default()
                        && let Some(m) = &head.metadata
                    {
                        rule.metadata = m.clone();
                    }
                    continue;
                }
                rules.insert(
                    key,
                    PolicyRule {
                        id: String::new(),
                        package: module.package.clone(),
                        name: head.name.clone(),
                        query: format!("data.{}.{}", module.package, head.name),
                        severity: default,
                        enabled: true,
                        file: source.name.clone(),
                        line: head.line,
                        metadata: head.metadata.clone().unwrap_or_default(),
                        builtin: source.builtin,
                    },
                );
            }
        }
        let mut rules: Vec<PolicyRule> = rules.into_values().collect();
        for rule in &mut rules {
            rule.id = rule
                .metadata
                .id
                .clone()
                .unwrap_or_else(|| format!("{}.{}", rule.package, rule.name));
            if let Some(s) = rule.metadata.severity {
                rule.severity = s;
            }
            match options.levels.get(&rule.id) {
                Some(RuleLevel::Off) => rule.enabled = false,
                Some(level) => {
                    if let Some(s) = level.severity() {
                        rule.severity = s;
                    }
                }
                None => {}
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.query.cmp(&b.query)));
        let exception_packages: Vec<String> = exception_packages.into_iter().collect();
        validate(&mut engine, &rules, &exception_packages, options.timeout)?;
        Ok(Self {
            engine,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            rules,
            exception_packages,
            timeout: options.timeout,
            sources,
            engine_choice: options.engine,
            extra_pod_kinds: options
                .pod_templates
                .iter()
                .map(|t| t.kind.clone())
                .collect(),
            combine: options.combine,
            file_root: None,
        })
    }

    /// This set with the Pod Security levels of the namespaces found in the
    /// repository (`namespace → level`, from their `enforce` labels), which the
    /// pack applies to the objects of those namespaces (`data.tollgate_namespaces`).
    pub fn with_namespace_levels(
        &self,
        levels: &BTreeMap<String, PodSecurity>,
    ) -> anyhow::Result<Self> {
        let mut engine = self.engine.clone();
        let map: serde_json::Map<String, serde_json::Value> = levels
            .iter()
            .map(|(ns, p)| (ns.clone(), pack::pod_security_value(p)))
            .collect();
        let json = serde_json::json!({ "tollgate_namespaces": map });
        let value = regorus::Value::from_json_str(&json.to_string())
            .map_err(|e| anyhow!("namespace levels: {e:#}"))?;
        engine
            .add_data(value)
            .map_err(|e| anyhow!("namespace levels cannot be merged under `data.`: {e:#}"))?;
        Ok(Self {
            engine,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            rules: self.rules.clone(),
            exception_packages: self.exception_packages.clone(),
            timeout: self.timeout,
            sources: self.sources.clone(),
            engine_choice: self.engine_choice,
            extra_pod_kinds: self.extra_pod_kinds.clone(),
            combine: self.combine,
            file_root: self.file_root.clone(),
        })
    }

    /// Rules that are evaluated.
    pub fn enabled_rules(&self) -> impl Iterator<Item = &PolicyRule> {
        self.rules.iter().filter(|r| r.enabled)
    }

    /// The enabled pack rules compiled for the VM; `None` with `policy.engine:
    /// interpreter` or when they do not compile. Each worker compiles its own
    /// (about 2 ms): a program shared by two threads made them bump the same
    /// reference counts (its constants are `Arc`s) and cost 8 % of the 2-thread
    /// throughput on the 10,000-file corpus.
    pub(crate) fn vm_program(&self) -> Option<std::sync::Arc<regorus::rvm::Program>> {
        if self.engine_choice == PolicyEngine::Interpreter {
            return None;
        }
        let rules: Vec<&PolicyRule> = self
            .enabled_rules()
            .filter(|r| eval::is_pack_rule(r))
            .collect();
        vm::compile(&self.engine, &rules)
    }
}

impl PolicySet {
    /// Users' enabled rules (every counted rule but the pack's), in order.
    pub(crate) fn user_rules(&self) -> Vec<&PolicyRule> {
        self.enabled_rules()
            .filter(|r| !eval::is_pack_rule(r))
            .collect()
    }

    /// Users' rules and exceptions compiled for the VM; `None` with
    /// `policy.engine: interpreter`, when there are none, or when the VM
    /// compiler refuses them (then they run on the interpreter). Compiled per
    /// worker, as [`Self::vm_program`].
    pub(crate) fn vm_user_program(&self) -> Option<std::sync::Arc<regorus::rvm::Program>> {
        if self.engine_choice == PolicyEngine::Interpreter {
            return None;
        }
        vm::compile_user(&self.engine, &self.user_rules(), &self.exception_packages)
    }
}

/// A fresh engine with `sources` and `data` loaded (Rego v1).
pub(crate) fn new_engine(
    sources: &[PolicySource],
    data: Vec<(String, regorus::Value)>,
) -> anyhow::Result<Engine> {
    let mut engine = Engine::new();
    engine.set_rego_v0(false);
    for source in sources {
        engine
            .add_policy(source.name.clone(), source.text.clone())
            .map_err(|e| anyhow!("policy does not compile: {}", RegoError::parse(&e)))?;
    }
    for (name, value) in data {
        engine
            .add_data(value)
            .map_err(|e| anyhow!("data file {name} cannot be merged under `data.`: {e:#}"))?;
    }
    Ok(engine)
}

/// Evaluates each counted rule once on `{}`: regorus reports unknown functions
/// only when it evaluates them, and they must stop the run before it starts.
fn validate(
    engine: &mut Engine,
    rules: &[PolicyRule],
    exceptions: &[String],
    timeout: Duration,
) -> anyhow::Result<()> {
    engine.set_input(regorus::Value::new_object());
    // Bounded like a document; a rule that is slow on `{}` is not an error here.
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: timeout,
        check_interval: std::num::NonZeroU32::MIN.saturating_add(63),
    });
    let queries = rules
        .iter()
        .map(|r| r.query.clone())
        .chain(exceptions.iter().map(|p| format!("data.{p}.exception")));
    for query in queries {
        if let Err(e) = engine.eval_rule(query) {
            let parsed = RegoError::parse(&e);
            let m = &parsed.message;
            if m.contains("could not find function")
                || m.contains("unknown function")
                || m.contains("undefined function")
                || m.contains("not supported")
            {
                return Err(anyhow!("policy does not compile: {parsed}"));
            }
        }
    }
    Ok(())
}

/// `*` in a namespace glob matches any run of characters (dots included).
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> PolicySource {
        PolicySource {
            name: name.into(),
            text: text.into(),
            builtin: false,
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("main", "main"));
        assert!(glob_match("ma*", "main"));
        assert!(glob_match("*", "a.b"));
        assert!(glob_match("a.*.c", "a.b.c"));
        assert!(!glob_match("c*", "main"));
    }

    #[test]
    fn rules_ids_and_severities() {
        let text = "package main\n\n# METADATA\n# custom:\n#   id: no-root\n#   severity: warning\ndeny_root contains \"x\" if input.root\n\nwarn contains \"w\" if input.w\n\nother := 1\n";
        let options = PolicyOptions {
            builtin: false,
            ..PolicyOptions::default()
        };
        let set = PolicySet::compile(vec![source("p.rego", text)], Vec::new(), &options);
        let rules: Vec<_> = set
            .map(|s| s.rules.iter().map(|r| (r.id.clone(), r.severity)).collect())
            .unwrap_or_default();
        assert_eq!(
            rules,
            vec![
                ("main.warn".to_owned(), Severity::Warning),
                ("no-root".to_owned(), Severity::Warning)
            ]
        );
    }

    #[test]
    fn unknown_function_fails_at_load_with_location() {
        let text = "package main\n\ndeny contains msg if {\n  msg := no_such_fn(input)\n}\n";
        let options = PolicyOptions {
            builtin: false,
            ..PolicyOptions::default()
        };
        let err = PolicySet::compile(vec![source("p.rego", text)], Vec::new(), &options)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("p.rego:4:"), "{err}");
        assert!(err.contains("no_such_fn"), "{err}");
    }

    #[test]
    fn syntax_error_has_location() {
        let options = PolicyOptions::default();
        let err = PolicySet::compile(
            vec![source(
                "bad.rego",
                "package main\n\ndeny[msg] {\n  msg := 1\n}\n",
            )],
            Vec::new(),
            &options,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.starts_with("policy does not compile: bad.rego:3:"),
            "{err}"
        );
    }
}
