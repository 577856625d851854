//! `tollgate init` and `tollgate completions`.

use super::tollgate_in;

#[test]
fn init_writes_a_valid_config_and_never_overwrites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = tollgate_in(dir.path(), &["init"], None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.starts_with("wrote .tollgate.yaml\n"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("id: tollgate"));
    let written = std::fs::read_to_string(dir.path().join(".tollgate.yaml")).expect("written");
    // The written config is accepted by a check.
    std::fs::write(dir.path().join("a.yaml"), "a: 1\n").expect("write");
    let check = tollgate_in(dir.path(), &["check", "a.yaml"], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    std::fs::write(dir.path().join(".tollgate.yaml"), "exclude: [mine]\n").expect("write");
    let again = tollgate_in(dir.path(), &["init"], None);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".tollgate.yaml")).expect("read"),
        "exclude: [mine]\n"
    );
    let forced = tollgate_in(dir.path(), &["init", "--force"], None);
    assert_eq!(forced.code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".tollgate.yaml")).expect("read"),
        written
    );
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
