//! `tollgate render --origins`: every rendered value with the place that
//! wrote it last (the base, the patch, the kustomization field, the generator).

use crate::{root, tollgate_in};

#[test]
fn origins_name_the_line_that_wrote_each_field() {
    let dir = root().join("tests/fixtures/render");
    let run = tollgate_in(&dir, &["render", "--origins", "overlays/prod"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = |pointer: &str| -> String {
        run.stdout
            .lines()
            .skip_while(|l| !l.contains("Deployment shop/prod-web"))
            .find(|l| l.split('\t').next() == Some(pointer))
            .and_then(|l| l.split('\t').nth(1))
            .unwrap_or("")
            .to_owned()
    };
    // The patch file wrote replicas, the `images` entry the tag, `namePrefix`
    // the name and the reference to the generated ConfigMap, `namespace` the
    // namespace; the selector is the base's own.
    assert_eq!(line("/spec/replicas"), "overlays/prod/replicas.yaml:6:13");
    assert_eq!(
        line("/spec/template/spec/containers/0/image"),
        "overlays/prod/kustomization.yaml:7:13"
    );
    assert_eq!(
        line("/metadata/name"),
        "overlays/prod/kustomization.yaml:2:13"
    );
    assert_eq!(
        line("/metadata/namespace"),
        "overlays/prod/kustomization.yaml:1:12"
    );
    assert_eq!(
        line("/spec/template/spec/containers/0/envFrom/0/configMapRef/name"),
        "overlays/prod/kustomization.yaml:2:13"
    );
    assert_eq!(
        line("/spec/selector/matchLabels/app"),
        "base/deployment.yaml:9:12"
    );
    insta::assert_snapshot!(run.stdout);
}
