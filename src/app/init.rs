//! `tollgate init` and `tollgate completions`: getting a repository started.
//!
//! `init` writes a commented `.tollgate.yaml` in the current directory (never
//! over an existing one unless `--force`) and prints the pre-commit snippet to
//! add; it writes nothing else. `completions` prints a shell completion script.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::Exit;
use crate::app::cli::{Cli, CompletionsArgs, InitArgs};

/// The starter config: every key commented with its default.
pub(crate) const STARTER: &str = r#"# tollgate configuration. Reference: docs/configuration.md; JSON Schema:
# schemas/config.schema.json in the tollgate repository.

# Files a directory walk skips (globs relative to this file).
exclude:
  - "vendor/**"

# Schemas: the Kubernetes version to validate against (default: the newest
# embedded), and directories of extra JSON Schemas (kubeconform naming works).
schemas:
  # kubernetes_version: "1.30"
  # directories: ["schemas/crds"]
  missing: warning

# Policies: Rego directories besides the built-in pack (policy/ and policies/
# are loaded by default when they exist).
policy:
  builtin: true

# Per-rule levels: off, info, warning or error.
rules: {}
#  service-type-exposed: off

# Findings accepted on purpose; each needs a reason and an owner.
waivers: []
#  - rules: [image-tag-latest]
#    files: "apps/legacy/**"
#    reason: "pinned by the vendor; tracked in TICKET-123"
#    owner: platform-team
#    expires: "2027-01-31"

# The lowest severity that fails the run.
fail_on: error
"#;

/// The example policy `init` writes.
pub(crate) const EXAMPLE_POLICY: &str = r#"# An example conftest-style policy: tollgate evaluates package `main` on every
# document (input = the document). Results with `path` land on their line.
package main

# METADATA
# title: Deployments name an owner
# custom:
#   id: owner-label-missing
#   severity: warning
warn contains {"msg": sprintf("%s %s has no team.example.com/owner label", [input.kind, input.metadata.name]), "path": "/metadata"} if {
	input.kind == "Deployment"
	not input.metadata.labels["team.example.com/owner"]
}
"#;

/// The example policy's unit test (`tollgate test` runs it).
pub(crate) const EXAMPLE_TEST: &str = r#"package main

test_owner_label_missing_warns if {
	count(warn) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}}
}

test_owner_label_present_passes if {
	count(warn) == 0 with input as {"kind": "Deployment", "metadata": {"name": "web", "labels": {"team.example.com/owner": "payments"}}}
}
"#;

/// The pre-commit config `init` writes (and prints when one exists already).
pub(crate) const PRE_COMMIT: &str = r#"# pre-commit hooks (https://pre-commit.com); run `pre-commit install` once.
repos:
  - repo: https://github.com/tollgate/tollgate
    rev: v0.1.0
    hooks:
      - id: tollgate          # staged YAML/JSON files
      - id: tollgate-test     # Rego unit tests, when .rego files change
"#;

/// Writes `.tollgate.yaml` in `cwd`.
pub(crate) fn run_init(_args: &InitArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let files = [
        (crate::app::config::FILE_NAME, STARTER),
        ("policy/example.rego", EXAMPLE_POLICY),
        ("policy/example_test.rego", EXAMPLE_TEST),
        (".pre-commit-config.yaml", PRE_COMMIT),
    ];
    let mut out = std::io::stdout().lock();
    for (name, text) in files {
        let path = cwd.join(name);
        if path.exists() || path.is_symlink() {
            writeln!(out, "kept    {name} (exists; not overwritten)")?;
            if name == ".pre-commit-config.yaml" {
                let hooks: String = PRE_COMMIT
                    .lines()
                    .skip(1)
                    .map(|l| format!("        {l}\n"))
                    .collect();
                writeln!(out, "        add these hooks to it:\n{}", hooks.trim_end())?;
            }
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", parent.display()))?;
        }
        // create_new: never replace a file that appeared meanwhile.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot write {name}: {e}"))?;
        file.write_all(text.as_bytes())?;
        writeln!(out, "wrote   {name}")?;
    }
    writeln!(
        out,
        "\nnext: tollgate check && tollgate test && pre-commit install"
    )?;
    Ok(Exit::Clean)
}

/// Prints the man page (roff).
pub(crate) fn run_man() -> anyhow::Result<Exit> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(Exit::Clean)
}

/// Prints a completion script for a shell.
pub(crate) fn run_completions(args: &CompletionsArgs) -> anyhow::Result<Exit> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "tollgate", &mut out);
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::STARTER;

    #[test]
    fn starter_config_is_valid() {
        let options = crate::app::config::parse(".tollgate.yaml", STARTER.as_bytes().to_vec());
        assert!(
            options.is_ok(),
            "{:?}",
            options.err().map(|e| e.to_string())
        );
    }
}
