//! `tollgate init` and `tollgate completions`: getting a repository started.
//!
//! `init` writes a commented `.tollgate.yaml` in the current directory (never
//! over an existing one unless `--force`) and prints the pre-commit snippet to
//! add; it writes nothing else. `completions` prints a shell completion script.

use std::io::Write;
use std::path::Path;

use anyhow::bail;
use clap::CommandFactory;

use crate::Exit;
use crate::cli::{Cli, CompletionsArgs, InitArgs};

/// The starter config: every key commented with its default.
pub const STARTER: &str = r#"# tollgate configuration. Reference: docs/configuration.md; JSON Schema:
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

/// The pre-commit snippet `init` prints.
pub const PRE_COMMIT: &str = r#"# Add to .pre-commit-config.yaml:
repos:
  - repo: https://github.com/tollgate/tollgate
    rev: v0.1.0
    hooks:
      - id: tollgate          # staged YAML/JSON files
      - id: tollgate-test     # Rego unit tests, when .rego files change
"#;

/// Writes `.tollgate.yaml` in `cwd`.
pub fn run_init(args: &InitArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let path = cwd.join(crate::config::FILE_NAME);
    if path.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            crate::config::FILE_NAME
        );
    }
    std::fs::write(&path, STARTER)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "wrote {}\n", crate::config::FILE_NAME)?;
    out.write_all(PRE_COMMIT.as_bytes())?;
    Ok(Exit::Clean)
}

/// Prints a completion script for a shell.
pub fn run_completions(args: &CompletionsArgs) -> anyhow::Result<Exit> {
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
        let options = crate::config::parse(".tollgate.yaml", STARTER.as_bytes().to_vec());
        assert!(
            options.is_ok(),
            "{:?}",
            options.err().map(|e| e.to_string())
        );
    }
}
