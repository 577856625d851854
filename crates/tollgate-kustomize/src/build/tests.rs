//! Tests of the build: resources, nested directories, components, cycles,
//! duplicate ids, the load restrictor, and the file dependency set.

use crate::{LoadRestrictor, MemoryFiles, Options, RENDER_ERROR, RENDER_UNSUPPORTED, render};

fn names(r: &crate::Rendered) -> Vec<String> {
    r.resources
        .iter()
        .map(|r| format!("{}/{}", r.id().kind, r.id().name))
        .collect()
}

#[test]
fn resources_files_and_directories() {
    let files = MemoryFiles::from_pairs([
        (
            "app/kustomization.yaml",
            "resources:\n- dep.yaml\n- ../base\n",
        ),
        (
            "app/dep.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: web\n",
        ),
        (
            "base/kustomization.yaml",
            "bases: []\nresources:\n- ns.yaml\n",
        ),
        (
            "base/ns.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n",
        ),
    ]);
    let r = render(&files, "app", &Options::default());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(
        names(&r),
        ["Namespace/prod", "Service/web", "Deployment/web"]
    );
    let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "app/kustomization.yaml",
            "app/dep.yaml",
            "base/kustomization.yaml",
            "base/ns.yaml"
        ]
    );
    // Spans point into the file the object came from.
    let ns = &r.resources[0];
    let file = &r.files[ns.node.span.file.0 as usize];
    assert_eq!(file.path, "base/ns.yaml");
    let name = ns.node.get("metadata").unwrap().get("name").unwrap();
    assert_eq!(&file.text[name.span.start..name.span.end], "prod");
}

#[test]
fn duplicate_ids_and_cycles_are_errors() {
    let files = MemoryFiles::from_pairs([
        ("a/kustomization.yaml", "resources:\n- x.yaml\n- y.yaml\n"),
        (
            "a/x.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        (
            "a/y.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n",
        ),
        ("b/kustomization.yaml", "resources:\n- ../c\n"),
        ("c/kustomization.yaml", "resources:\n- ../b\n"),
    ]);
    let r = render(&files, "a", &Options::default());
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].rule, RENDER_ERROR);
    assert!(
        r.problems[0].message.contains("already registered id"),
        "{}",
        r.problems[0].message
    );
    assert!(r.resources.is_empty());
    let r = render(&files, "b", &Options::default());
    assert!(
        r.problems[0].message.contains("cycle detected"),
        "{}",
        r.problems[0].message
    );
}

#[test]
fn load_restrictor_applies_to_files_not_directories() {
    let files = MemoryFiles::from_pairs([
        (
            "app/kustomization.yaml",
            "resources:\n- ../shared/cm.yaml\n",
        ),
        (
            "shared/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let r = render(&files, "app", &Options::default());
    assert_eq!(r.problems[0].rule, RENDER_ERROR);
    assert!(r.problems[0].message.contains("is not in or below"));
    let text = &r.files[0].text;
    let span = r.problems[0].span;
    assert_eq!(&text[span.start..span.end], "../shared/cm.yaml");
    let none = Options {
        load_restrictor: LoadRestrictor::None,
        ..Options::default()
    };
    let r = render(&files, "app", &none);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(names(&r), ["ConfigMap/c"]);
}

#[test]
fn remote_and_missing_resources() {
    let files = MemoryFiles::from_pairs([
        (
            "k/kustomization.yaml",
            "resources:\n- https://github.com/org/repo//deploy?ref=v1\n",
        ),
        ("m/kustomization.yaml", "resources:\n- nope.yaml\n"),
    ]);
    let r = render(&files, "k", &Options::default());
    assert_eq!(r.problems[0].rule, RENDER_UNSUPPORTED);
    let r = render(&files, "m", &Options::default());
    assert_eq!(r.problems[0].rule, RENDER_ERROR);
    assert_eq!(r.files.len(), 1);
}

#[test]
fn components_need_component_kind() {
    let files = MemoryFiles::from_pairs([
        (
            "app/kustomization.yaml",
            "resources:\n- cm.yaml\ncomponents:\n- ../comp\n",
        ),
        (
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        (
            "comp/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- sa.yaml\n",
        ),
        (
            "comp/sa.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: s\n",
        ),
        ("bad/kustomization.yaml", "components:\n- ../app\n"),
    ]);
    let r = render(&files, "app", &Options::default());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(names(&r), ["ServiceAccount/s", "ConfigMap/c"]);
    let r = render(&files, "bad", &Options::default());
    assert!(
        r.problems[0].message.contains("expected kind 'Component'"),
        "{}",
        r.problems[0].message
    );
}

#[test]
fn empty_annotations_are_dropped_at_load() {
    // kubectl kustomize drops `annotations:` null or {} but keeps `labels: {}`.
    let files = MemoryFiles::from_pairs([
        ("kustomization.yaml", "resources:\n- a.yaml\n"),
        (
            "a.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  annotations:\n  labels: {}\n",
        ),
    ]);
    let r = render(&files, "", &Options::default());
    let meta = r.resources[0].node.get("metadata").unwrap();
    assert!(meta.get("annotations").is_none());
    assert!(meta.get("labels").is_some());
}

/// The text a span covers, in the render's file table.
fn spanned(r: &crate::Rendered, span: crate::Span) -> (&str, &str) {
    let f = &r.files[span.file.0 as usize];
    (f.path.as_str(), &f.text[span.start..span.end])
}

#[test]
fn provenance_through_an_overlay() {
    let files = MemoryFiles::from_pairs([
        (
            "base/kustomization.yaml",
            "resources:\n- dep.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - A=1\n",
        ),
        (
            "base/dep.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.0\n      volumes:\n      - name: c\n        configMap:\n          name: cfg\n",
        ),
        (
            "prod/kustomization.yaml",
            "resources:\n- ../base\nnamespace: prod\nnamePrefix: p-\nimages:\n- name: nginx\n  newTag: \"1.25\"\npatches:\n- path: replicas.yaml\n",
        ),
        (
            "prod/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
        ),
    ]);
    let r = render(&files, "prod", &Options::default());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let dep = r
        .resources
        .iter()
        .find(|x| x.id().kind == "Deployment")
        .unwrap();
    let meta = dep.node.get("metadata").unwrap();
    assert_eq!(meta.get("name").unwrap().as_str(), Some("p-web"));
    // The namespace was written by the overlay's `namespace:` value.
    assert_eq!(
        spanned(&r, meta.get("namespace").unwrap().span),
        ("prod/kustomization.yaml", "prod")
    );
    // The replica count comes from the patch file.
    let replicas = dep.node.get("spec").unwrap().get("replicas").unwrap();
    assert_eq!(spanned(&r, replicas.span), ("prod/replicas.yaml", "3"));
    let spec = dep
        .node
        .get("spec")
        .unwrap()
        .get("template")
        .unwrap()
        .get("spec")
        .unwrap();
    let crate::Value::Seq(containers) = &spec.get("containers").unwrap().value else {
        panic!("containers");
    };
    let image = containers[0].get("image").unwrap();
    assert_eq!(image.as_str(), Some("nginx:1.25"));
    assert_eq!(spanned(&r, image.span).0, "prod/kustomization.yaml");
    // The container name is untouched: it keeps the base's span.
    assert_eq!(
        spanned(&r, containers[0].get("name").unwrap().span),
        ("base/dep.yaml", "app")
    );
    // The generated ConfigMap got its hash and the reference followed it.
    let crate::Value::Seq(volumes) = &spec.get("volumes").unwrap().value else {
        panic!("volumes");
    };
    let cm_ref = volumes[0].get("configMap").unwrap().get("name").unwrap();
    let cm = r
        .resources
        .iter()
        .find(|x| x.id().kind == "ConfigMap")
        .unwrap();
    assert_eq!(cm_ref.as_str(), Some(cm.id().name.as_str()));
    assert!(cm.id().name.starts_with("p-cfg-"), "{}", cm.id().name);
    // Every file the render read is in the table, kustomizations included.
    let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
    for p in [
        "prod/kustomization.yaml",
        "base/kustomization.yaml",
        "base/dep.yaml",
        "prod/replicas.yaml",
    ] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
    // The emitted YAML is what kubectl kustomize prints for this tree.
    let out = crate::emit::yaml(&r.resources);
    assert!(
        out.starts_with(
            "apiVersion: v1\ndata:\n  A: \"1\"\nkind: ConfigMap\nmetadata:\n  name: p-cfg-"
        ),
        "{out}"
    );
}

/// Null annotations print as the text they were written with, `"null"`
/// after a JSON 6902 patch; null labels stay null; a strategic merge patch
/// first drops the empty ones (`kubectl kustomize`, v5.5.0).
#[test]
fn null_annotations_print_as_written() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    a:\n  annotations:\n    a:\n    b: ~\n    c: null\n    d: NULL\n";
    let render_with = |kustomization: &str| {
        let files =
            MemoryFiles::from_pairs([("k/cm.yaml", cm), ("k/kustomization.yaml", kustomization)]);
        let r = render(&files, "k", &Options::default());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        r.to_yaml()
    };
    let plain = render_with("resources: [cm.yaml]\n");
    assert!(
        plain.contains("  annotations:\n    a: \"\"\n    b: \"~\"\n    c: \"null\"\n    d: \"NULL\"\n  labels:\n    a: null\n"),
        "{plain}"
    );
    let smp = render_with(
        "resources: [cm.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c, labels: {z: z}}\n",
    );
    assert!(
        smp.contains(
            "  annotations:\n    b: \"~\"\n    c: \"null\"\n    d: \"NULL\"\n  labels:\n    z: z\n"
        ),
        "{smp}"
    );
    let json = render_with(
        "resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n    - op: add\n      path: /metadata/annotations/e\n      value: null\n",
    );
    assert!(
        json.contains("  annotations:\n    a: \"null\"\n    b: \"null\"\n    c: \"null\"\n    d: \"null\"\n    e: \"null\"\n"),
        "{json}"
    );
}
