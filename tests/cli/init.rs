//! `tollgate init` and `tollgate completions`.

use super::tollgate_in;

#[test]
fn init_in_an_empty_directory_then_check_and_test_succeed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let first = tollgate_in(d, &["init"], None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    insta::assert_snapshot!(first.stdout);
    for f in [
        ".tollgate.yaml",
        "policy/example.rego",
        "policy/example_test.rego",
        ".pre-commit-config.yaml",
    ] {
        assert!(d.join(f).is_file(), "{f}");
    }
    let check = tollgate_in(d, &["check"], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let test = tollgate_in(d, &["test"], None);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(
        test.stdout.contains("test_owner_label_missing_warns"),
        "{}",
        test.stdout
    );
    // The example policy is live: a Deployment without the label gets its warning.
    std::fs::write(
        d.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n",
    )
    .expect("write");
    let warned = tollgate_in(d, &["check", "deploy.yaml", "--format", "json"], None);
    assert!(
        warned.stdout.contains("owner-label-missing"),
        "{}",
        warned.stdout
    );
}

#[test]
fn init_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join(".tollgate.yaml"), "exclude: [mine]\n").expect("write");
    std::fs::write(d.join(".pre-commit-config.yaml"), "repos: []\n").expect("write");
    let run = tollgate_in(d, &["init"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("kept    .tollgate.yaml (exists; not overwritten)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("add these hooks to it:"),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read_to_string(d.join(".tollgate.yaml")).expect("read"),
        "exclude: [mine]\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join(".pre-commit-config.yaml")).expect("read"),
        "repos: []\n"
    );
    assert!(d.join("policy/example.rego").is_file());
}

#[test]
fn man_page_is_generated_from_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = tollgate_in(dir.path(), &["man"], None);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with(".ie"),
        "{}",
        &run.stdout[..run.stdout.len().min(200)]
    );
    assert!(run.stdout.contains("tollgate"));
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (shell, marker) in [
        ("bash", "_tollgate()"),
        ("zsh", "#compdef tollgate"),
        ("fish", "complete -c tollgate"),
    ] {
        let run = tollgate_in(dir.path(), &["completions", shell], None);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains(marker), "{shell}");
        assert!(
            run.stdout.contains("changed"),
            "{shell} completes check's flags"
        );
    }
}
