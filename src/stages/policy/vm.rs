//! The built-in pack on regorus' compiled virtual machine (RVM).
//!
//! The interpreter spends most of a pod-bearing document's time on bookkeeping
//! (rule lookups, contexts, per-rule state); the RVM runs the same compiled
//! policy about 2.5× faster (`docs/performance.md`). It differs in one way that
//! matters: a run-time error inside a rule body makes that body undefined
//! instead of failing the query, as OPA does with its default
//! `strict-builtin-errors = false`. The pack, whose rules guard against wrong
//! types and are tested against the interpreter on every kind they match
//! (tests below and in `eval.rs`), runs on the VM as upstream has it; a document the VM cannot finish (an error,
//! an undefined result) is evaluated again by the interpreter, which names the
//! failing rule in a `policy-error` finding.
//!
//! Users' rules run on a second program ([`user_entry_module`]) with the switch
//! tollgate's copy of regorus adds (`vendor/regorus/TOLLGATE-PATCH.md`): every
//! run-time error the interpreter would report ends the VM run, and that
//! document is evaluated on the interpreter, which reports it. A set the VM
//! compiler refuses stays on the interpreter (`docs/decisions.md`).
//!
//! Each worker thread compiles one program, on the first document that needs
//! it (about 2 ms; a program shared between threads costs more in contended
//! reference counts), from a clone of the set's engine plus one generated
//! module whose single rule gathers every enabled pack rule, so the shared
//! helpers (pod specs, containers) are computed once per document.

use std::collections::BTreeMap;
use std::sync::Arc;

use regorus::Engine;
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::vm::VmError;
use regorus::rvm::{Program, RegoVM};

use super::PolicyRule;

/// The package of the generated module.
const PACKAGE: &str = "tollgate.internal.vm_entry";
/// Its rule: `{"<pack package>": {"<rule>": value}}`, the shape of
/// `data.tollgate.kubernetes` that the interpreter path reads.
const ENTRY: &str = "data.tollgate.internal.vm_entry.results";

/// The generated module gathering `rules` (pack rules, package
/// `tollgate.kubernetes.<short>`), grouped by package, in a stable order.
pub(crate) fn entry_module(rules: &[&PolicyRule]) -> String {
    let mut packages: BTreeMap<&str, Vec<&PolicyRule>> = BTreeMap::new();
    for rule in rules {
        let short = rule
            .package
            .strip_prefix("tollgate.kubernetes.")
            .unwrap_or(&rule.package);
        packages.entry(short).or_default().push(rule);
    }
    let mut module = format!("package {PACKAGE}\n\nimport rego.v1\n\nresults := {{\n");
    for (short, rules) in packages {
        module.push_str(&format!("\t{short:?}: {{"));
        for (i, rule) in rules.iter().enumerate() {
            if i > 0 {
                module.push_str(", ");
            }
            module.push_str(&format!("{:?}: {}", rule.name, rule.query));
        }
        module.push_str("},\n");
    }
    module.push_str("}\n");
    module
}

/// Compiles `rules` to an RVM program; `None` when the engine or the VM
/// compiler refuses them (the interpreter then does all the work).
pub(crate) fn compile(engine: &Engine, rules: &[&PolicyRule]) -> Option<Arc<Program>> {
    if rules.is_empty() {
        return None;
    }
    let mut engine = engine.clone();
    engine
        .add_policy("<tollgate vm entry>".to_owned(), entry_module(rules))
        .ok()?;
    let entry: regorus::Rc<str> = ENTRY.into();
    let compiled = engine.compile_with_entrypoint(&entry).ok()?;
    Compiler::compile_from_policy(&compiled, &[ENTRY]).ok()
}

/// The package of the generated module for users' rules.
const USER_PACKAGE: &str = "tollgate.internal.vm_user";
/// Its rule: `{"rules": {"<query>": [value]}, "exceptions": {"<package>": [value]}}`.
const USER_ENTRY: &str = "data.tollgate.internal.vm_user.results";

/// The generated module gathering users' `rules` and the `exception` rules of
/// `exception_packages`. Each value is wrapped in an array comprehension
/// (`[x | x := data.main.deny]`), so a complete rule that is undefined on a
/// document leaves the others defined: `[]` (or, on the VM, `[undefined]`) is
/// undefined, `[v]` is `v`.
pub(crate) fn user_entry_module(rules: &[&PolicyRule], exception_packages: &[String]) -> String {
    let mut module =
        format!("package {USER_PACKAGE}\n\nimport rego.v1\n\nresults := {{\n\t\"rules\": {{\n");
    for rule in rules {
        module.push_str(&format!(
            "\t\t{:?}: [x | x := {}],\n",
            rule.query, rule.query
        ));
    }
    module.push_str("\t},\n\t\"exceptions\": {\n");
    for package in exception_packages {
        module.push_str(&format!(
            "\t\t{package:?}: [x | x := data.{package}.exception],\n"
        ));
    }
    module.push_str("\t},\n}\n");
    module
}

/// Compiles users' `rules` and exceptions to an RVM program; `None` when the
/// engine or the VM compiler refuses them (a construct the VM lacks: `with`,
/// `print`, `walk`, the `time` builtins, ...), and the interpreter then
/// evaluates them on every document.
pub(crate) fn compile_user(
    engine: &Engine,
    rules: &[&PolicyRule],
    exception_packages: &[String],
) -> Option<Arc<Program>> {
    if rules.is_empty() && exception_packages.is_empty() {
        return None;
    }
    let mut engine = engine.clone();
    engine
        .add_policy(
            "<tollgate vm user entry>".to_owned(),
            user_entry_module(rules, exception_packages),
        )
        .ok()?;
    let entry: regorus::Rc<str> = USER_ENTRY.into();
    let compiled = engine.compile_with_entrypoint(&entry).ok()?;
    Compiler::compile_from_policy(&compiled, &[USER_ENTRY]).ok()
}

/// A VM for users' rules: as [`machine_with_data`], and every run-time error
/// the interpreter would raise (a builtin's error, a division by zero, a
/// conflict between values, `some x in` a scalar) ends the run with an error
/// instead of making the rule body undefined (the switch tollgate adds to
/// regorus, `vendor/regorus/TOLLGATE-PATCH.md`), so [`run`] gives `Ok(None)`
/// and the caller asks the interpreter, which reports the `policy-error`.
pub(crate) fn user_machine(program: Arc<Program>, data: regorus::Value) -> Option<RegoVM> {
    let mut vm = machine_with_data(program, data)?;
    vm.set_strict_builtin_errors(true);
    vm.set_errors_end_run(true);
    Some(vm)
}

/// One value of [`user_entry_module`]'s result: `Undefined` when the rule was.
pub(crate) fn user_value(results: &regorus::Value, group: &str, key: &str) -> regorus::Value {
    let wrapped = results
        .as_object()
        .ok()
        .and_then(|o| o.get(&regorus::Value::from(group)))
        .and_then(|g| g.as_object().ok())
        .and_then(|g| g.get(&regorus::Value::from(key)));
    match wrapped.and_then(|w| w.as_array().ok()) {
        Some(array) if array.len() == 1 => {
            array.first().cloned().unwrap_or(regorus::Value::Undefined)
        }
        _ => regorus::Value::Undefined,
    }
}

/// A VM for one worker thread. No instruction budget: the per-document time
/// budget bounds it, as it bounds the interpreter.
pub(crate) fn machine(program: Arc<Program>) -> RegoVM {
    let mut vm = RegoVM::new();
    vm.load_program(program);
    vm.set_max_instructions(usize::MAX);
    vm
}

/// [`machine`] reading `data` (the set's data documents: `--data` and the
/// pack's settings, `data.tollgate_settings`); `None` when the VM refuses it,
/// and the interpreter then does all the work.
pub(crate) fn machine_with_data(program: Arc<Program>, data: regorus::Value) -> Option<RegoVM> {
    let mut vm = machine(program);
    vm.set_data(data).ok()?;
    Some(vm)
}

/// Runs the program on `input` within `limit`. `Ok(None)` when the VM could not
/// give a result (error or undefined): the caller evaluates with the
/// interpreter. `Err(())` when the time ran out.
pub(crate) fn run(
    vm: &mut RegoVM,
    input: regorus::Value,
    limit: std::time::Duration,
) -> Result<Option<regorus::Value>, ()> {
    vm.set_input(input);
    vm.set_execution_timer_config(Some(regorus::utils::limits::ExecutionTimerConfig {
        limit,
        check_interval: std::num::NonZeroU32::MIN.saturating_add(63),
    }));
    match vm.execute_entry_point_by_index(0) {
        Ok(value) if value.as_object().is_ok() => Ok(Some(value)),
        Ok(_) => Ok(None),
        Err(VmError::TimeLimitExceeded { .. }) => Err(()),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::policy::{PolicyOptions, PolicySet};

    fn pack() -> PolicySet {
        match PolicySet::load(&PolicyOptions::default(), std::path::Path::new("/")) {
            Ok(set) => set,
            Err(e) => panic!("the pack compiles: {e:#}"),
        }
    }

    #[test]
    fn the_whole_pack_compiles_to_the_vm() {
        let set = pack();
        let rules: Vec<&PolicyRule> = set.rules.iter().filter(|r| r.builtin).collect();
        assert!(rules.len() >= 20, "{}", rules.len());
        assert!(compile(&set.engine, &rules).is_some());
    }

    #[test]
    fn entry_module_groups_by_package() {
        let set = pack();
        let rules: Vec<&PolicyRule> = set
            .rules
            .iter()
            .filter(|r| r.id == "run-as-root" || r.id == "host-port")
            .collect();
        assert_eq!(
            entry_module(&rules),
            "package tollgate.internal.vm_entry\n\nimport rego.v1\n\nresults := {\n\t\"host_port\": {\"deny\": data.tollgate.kubernetes.host_port.deny},\n\t\"run_as_root\": {\"warn\": data.tollgate.kubernetes.run_as_root.warn},\n}\n"
        );
    }

    #[test]
    fn an_error_is_no_result_and_a_loop_runs_out_of_time() {
        let mut engine = Engine::new();
        engine.set_rego_v0(false);
        let policy = "package tollgate.kubernetes.t\n\nimport rego.v1\n\nwarn contains x if { x := 1 / input.d }\n\ndeny contains x if {\n  some x in numbers.range(1, 3000)\n  some y in numbers.range(1, 3000)\n  x * y < input.n\n}\n";
        assert!(engine.add_policy("t.rego".into(), policy.into()).is_ok());
        let rule = |name: &str| PolicyRule {
            id: name.into(),
            package: "tollgate.kubernetes.t".into(),
            name: name.into(),
            query: format!("data.tollgate.kubernetes.t.{name}"),
            severity: crate::model::finding::Severity::Error,
            enabled: true,
            file: "t.rego".into(),
            line: 1,
            metadata: Default::default(),
            builtin: true,
        };
        let (warn, deny) = (rule("warn"), rule("deny"));
        let Some(program) = compile(&engine, &[&warn]) else {
            panic!("compiles")
        };
        let mut vm = machine(program);
        let input = |d: i64| {
            regorus::Value::from_json_str(&format!("{{\"d\": {d}, \"n\": 0}}"))
                .unwrap_or(regorus::Value::Undefined)
        };
        let ok = run(&mut vm, input(1), std::time::Duration::from_secs(2));
        assert!(matches!(ok, Ok(Some(_))), "{ok:?}");
        // 1 / 0: the VM drops the body; the value is still an object, so the
        // caller's equivalence with the interpreter rests on the pack's tests.
        let zero = run(&mut vm, input(0), std::time::Duration::from_secs(2));
        assert!(zero.is_ok(), "{zero:?}");
        let Some(program) = compile(&engine, &[&deny]) else {
            panic!("compiles")
        };
        let mut vm = machine(program);
        let slow = run(&mut vm, input(1), std::time::Duration::from_millis(20));
        assert_eq!(slow, Err(()));
    }
}
