//! Generator tests: expected objects and names are `kubectl kustomize`
//! (kustomize v5.5.0) outputs of the same trees.

use super::*;
use crate::files::Reader;
use crate::{MemoryFiles, Options};

fn yaml(text: &str) -> Node {
    let loaded = tollgate_load::load(text, tollgate_load::Syntax::Yaml, &Default::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.documents.into_iter().next().map(|d| d.root).unwrap()
}

/// Generates from `kustomization.yaml` in a memory tree; the kustomization
/// is file 0 (registered first), other files follow in read order.
fn generate(files: &[(&str, &str)]) -> (Result<Vec<Resource>, Problem>, Vec<String>) {
    let mem = MemoryFiles::from_pairs(files.iter().copied());
    let options = Options::default();
    let mut reader = Reader::new(&mem, &options);
    let (id, text) = reader
        .read_text("", "kustomization.yaml", Span::default())
        .unwrap();
    let mut kust = yaml(&text);
    kust.set_file(id);
    let out = run_generators(&kust, &mut |rel, at| reader.read_content("", rel, at));
    let paths = reader.table.iter().map(|f| f.path.clone()).collect();
    (out, paths)
}

fn hashed(mut res: Vec<Resource>) -> Vec<serde_json::Value> {
    add_hash_suffixes(&mut res).unwrap();
    res.iter().map(|r| r.node.to_json()).collect()
}

fn text_at<'a>(files: &'a [(&str, &'a str)], index: usize, span: Span) -> &'a str {
    &files[index].1[span.start..span.end]
}

#[test]
fn literals_envs_files_options_as_kubectl() {
    let files = [
        (
            "kustomization.yaml",
            r#"generatorOptions:
  labels: {g: "1", both: global}
  annotations: {ga: x}
configMapGenerator:
- name: cm
  namespace: ns1
  envs: [a.env]
  env: b.env
  literals: ["L1='single'", 'L2="dbl"', "L3=a=b", "L4=", "L5='x"]
  files: [sub/f.txt, renamed=sub/f.txt]
  options:
    labels: {both: local, l: "2"}
    immutable: true
- name: plain
  options: {disableNameSuffixHash: true}
secretGenerator:
- name: s
  literals: [a=b]
  files: [long.txt]
  type: kubernetes.io/tls
- name: empty
"#,
        ),
        ("a.env", "\u{feff}X=1\n  Y=\"q\"\nZ=a=b\n\n#c\n"),
        ("b.env", "k=v\n"),
        ("sub/f.txt", "hello\nworld\n"),
        ("long.txt", &"x".repeat(80)),
    ];
    let long = "x".repeat(80);
    let files = [
        files[0],
        files[1],
        files[2],
        files[3],
        ("long.txt", long.as_str()),
    ];
    let (res, _) = generate(&files);
    let got = hashed(res.unwrap());
    let expected = [
        r#"apiVersion: v1
data:
  L1: single
  L2: dbl
  L3: a=b
  L4: ""
  L5: '''x'
  X: "1"
  "Y": '"q"'
  Z: a=b
  f.txt: |
    hello
    world
  k: v
  renamed: |
    hello
    world
immutable: true
kind: ConfigMap
metadata:
  annotations:
    ga: x
  labels:
    both: local
    g: "1"
    l: "2"
  name: cm-b45kccfg29
  namespace: ns1
"#,
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  annotations:
    ga: x
  labels:
    both: global
    g: "1"
  name: plain
"#,
        r#"apiVersion: v1
data:
  a: Yg==
  long.txt: |
    eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eH
    h4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=
kind: Secret
metadata:
  annotations:
    ga: x
  labels:
    both: global
    g: "1"
  name: s-584684bfh6
type: kubernetes.io/tls
"#,
        r#"apiVersion: v1
data: {}
kind: Secret
metadata:
  annotations:
    ga: x
  labels:
    both: global
    g: "1"
  name: empty-46f8b28mk5
type: Opaque
"#,
    ];
    let expected: Vec<_> = expected.iter().map(|e| yaml(e).to_json()).collect();
    assert_eq!(got, expected);
}

#[test]
fn spans_point_at_literals_env_lines_files_and_options() {
    let kust = "configMapGenerator:\n- name: cm\n  envs: [a.env]\n  literals: [k=v]\n  files: [f.txt]\n  options: {labels: {app: x}}\n";
    let files = [
        ("kustomization.yaml", kust),
        ("a.env", "# c\n  A=1\r\n"),
        ("f.txt", "content\n"),
    ];
    let (res, paths) = generate(&files);
    assert_eq!(paths, ["kustomization.yaml", "a.env", "f.txt"]);
    let res = res.unwrap();
    let node = &res[0].node;
    let data = node.get("data").unwrap();
    let Value::Map(entries) = &data.value else {
        panic!()
    };
    let by_key = |k: &str| entries.iter().find(|e| e.key == k).unwrap();
    // The env line (without indentation and CR), in a.env (file 1).
    let a = by_key("A");
    assert_eq!(a.key_span.file, FileId(1));
    assert_eq!(text_at(&files, 1, a.key_span), "A=1");
    assert_eq!(a.value.span, a.key_span);
    // The literal, in the kustomization.
    let k = by_key("k");
    assert_eq!(k.key_span.file, FileId(0));
    assert_eq!(text_at(&files, 0, k.value.span), "k=v");
    // A file entry: key at the entry, value the whole file.
    let f = by_key("f.txt");
    assert_eq!(text_at(&files, 0, f.key_span), "f.txt");
    assert_eq!(f.value.span, Span::new(0, 8).in_file(FileId(2)));
    // Name and label from the entry.
    let meta = node.get("metadata").unwrap();
    assert_eq!(text_at(&files, 0, meta.get("name").unwrap().span), "cm");
    let label = meta.get("labels").unwrap().get("app").unwrap();
    assert_eq!(text_at(&files, 0, label.span), "x");
    // The object as a whole: the generator entry.
    assert_eq!(res[0].origin.file, FileId(0));
    assert!(text_at(&files, 0, res[0].origin).starts_with("name: cm"));
    assert_eq!(
        res[0].generated,
        Some(Generated {
            behavior: crate::resource::Behavior::Create,
            needs_hash: true
        })
    );
}

#[test]
fn env_line_without_equals_is_empty_not_the_environment() {
    // kubectl kustomize (v5.5) gives HOME: "" and keeps the key's trailing space.
    let files = [
        (
            "kustomization.yaml",
            "configMapGenerator:\n- name: cm\n  envs: [e.env]\n- name: cm2\n  literals: [\"k=v\"]\n",
        ),
        ("e.env", "A=1\nHOME\n# c\n  B = 2\n"),
    ];
    let got = hashed(generate(&files).0.unwrap());
    let expected = [
        "apiVersion: v1\ndata:\n  A: \"1\"\n  'B ': ' 2'\n  HOME: \"\"\nkind: ConfigMap\nmetadata:\n  name: cm-8d58h5hcb9\n",
        "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: cm2-bdg947hgcc\n",
    ];
    let expected: Vec<_> = expected.iter().map(|e| yaml(e).to_json()).collect();
    assert_eq!(got, expected);
}

#[test]
fn hash_of_binary_data_html_characters_and_immutable_secret() {
    // Objects as kubectl printed them; the hash must give kubectl's suffix.
    let cases = [
        (
            "apiVersion: v1\nbinaryData:\n  bin.dat: //4AAQ==\ndata:\n  t: a<b>&c\nkind: ConfigMap\nmetadata:\n  name: bin\n",
            "6tthffc7mb",
        ),
        (
            "apiVersion: v1\ndata:\n  u: \"é\\u2028\"\n  x: <&>\nkind: ConfigMap\nmetadata:\n  name: html\n",
            "69255dgfkk",
        ),
        (
            "apiVersion: v1\ndata:\n  p: cQ==\nimmutable: true\nkind: Secret\nmetadata:\n  labels:\n    app: x\n  name: imm\ntype: Opaque\n",
            "hb2dth72f6",
        ),
    ];
    for (text, hash) in cases {
        assert_eq!(content_hash(&yaml(text)).unwrap(), hash, "{text}");
    }
}

#[test]
fn hash_suffix_records_the_previous_id_once() {
    let files = [(
        "kustomization.yaml",
        "configMapGenerator:\n- name: cm2\n  literals: [k=v]\n",
    )];
    let mut res = generate(&files).0.unwrap();
    add_hash_suffixes(&mut res).unwrap();
    add_hash_suffixes(&mut res).unwrap();
    assert_eq!(res[0].id().name, "cm2-bdg947hgcc");
    assert_eq!(res[0].previous_ids.len(), 1);
    assert_eq!(res[0].previous_ids[0].name, "cm2");
    assert_eq!(res[0].previous_ids[0].kind, "ConfigMap");
    // The name keeps the span of the entry's `name`.
    let name = res[0].node.get("metadata").unwrap().get("name").unwrap();
    assert_eq!(text_at(&files, 0, name.span), "cm2");
}

#[test]
fn errors_as_kustomize() {
    let cases = [
        (
            "configMapGenerator:\n- name: x\n  literals: [a=1, a=2]\n",
            "configmap x illegally repeats the key `a`",
            "a=2",
        ),
        (
            "configMapGenerator:\n- literals: [b=1]\n",
            "a configmap must have a name",
            "literals: [b=1]",
        ),
        (
            "configMapGenerator:\n- name: a\n  literals: [b]\n",
            "loading KV pairs: literal sources [b]: invalid literal source b, expected key=value",
            "b",
        ),
        (
            "configMapGenerator:\n- name: a\n  files: [=x]\n",
            "loading KV pairs: file sources: [=x]: missing key name for file path \"x\" in source \"=x\"",
            "=x",
        ),
        (
            "configMapGenerator:\n- name: a\n  bogus: 1\n",
            "invalid Kustomization: json: unknown field \"bogus\"",
            "bogus",
        ),
        (
            "configMapGenerator:\n- name: a\n  files: [missing.txt]\n",
            "file 'missing.txt' does not exist",
            "missing.txt",
        ),
    ];
    for (kust, message, at) in cases {
        let files = [("kustomization.yaml", kust)];
        let err = generate(&files).0.unwrap_err();
        assert_eq!(err.message, message);
        assert_eq!(err.rule, crate::RENDER_ERROR);
        assert_eq!(text_at(&files, 0, err.span), at, "{message}");
    }
}

#[test]
fn parsers() {
    assert_eq!(kv::parse_literal("a='b'"), Some(("a".into(), "b".into())));
    assert_eq!(
        kv::parse_literal("a='b\""),
        Some(("a".into(), "'b\"".into()))
    );
    assert_eq!(kv::parse_literal("=b"), None);
    assert_eq!(
        kv::parse_file_source("dir/x.txt"),
        Ok(("x.txt".into(), "dir/x.txt".into()))
    );
    assert_eq!(
        kv::parse_file_source("k=dir/x.txt"),
        Ok(("k".into(), "dir/x.txt".into()))
    );
    assert!(kv::parse_file_source("k=").is_err());
    assert!(kv::parse_file_source("a=b=c").is_err());
    assert_eq!(base64_wrapped(b"b"), "Yg==");
    assert_eq!(base64_wrapped(b"ab"), "YWI=");
    assert_eq!(base64_wrapped(b"abc"), "YWJj");
}

#[test]
fn merge_and_replace_as_kubectl() {
    // base: a plain ConfigMap and two generated ones; the overlay merges
    // into the plain one, replaces one, merges into the unhashed one.
    let base = [(
        "kustomization.yaml",
        "configMapGenerator:\n- name: gen\n  literals: [z=1, a=2]\n  options:\n    labels: {base: \"yes\"}\n- name: gen2\n  literals: [x=1]\n  options: {disableNameSuffixHash: true}\n",
    )];
    let plain = yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  labels: {z: \"1\", a: \"2\"}\n  annotations: {keep: me}\ndata:\n  z: \"1\"\n  a: \"2\"\nother: field\n",
    );
    let plain_a = plain.get("data").unwrap().get("a").unwrap().span;
    let mut acc = vec![Resource::new(plain)];
    for r in generate(&base).0.unwrap() {
        absorb(&mut acc, r).unwrap();
    }
    let overlay = [(
        "kustomization.yaml",
        "configMapGenerator:\n- name: plain\n  behavior: merge\n  literals: [b=3, z=9]\n  options:\n    labels: {z: \"new\"}\n- name: gen\n  behavior: replace\n  literals: [only=1]\n- name: gen2\n  behavior: merge\n  literals: [y=1]\n",
    )];
    for r in generate(&overlay).0.unwrap() {
        absorb(&mut acc, r).unwrap();
    }
    // Provenance: the merged `a` is the base's, `z` and `b` the overlay's.
    let data = acc[0].node.get("data").unwrap();
    assert_eq!(data.get("a").unwrap().span, plain_a);
    assert_eq!(text_at(&overlay, 0, data.get("z").unwrap().span), "z=9");
    let got = hashed(acc);
    let expected = [
        "apiVersion: v1\ndata:\n  a: \"2\"\n  b: \"3\"\n  z: \"9\"\nkind: ConfigMap\nmetadata:\n  annotations:\n    keep: me\n  labels:\n    a: \"2\"\n    z: new\n  name: plain\n",
        "apiVersion: v1\ndata:\n  only: \"1\"\nkind: ConfigMap\nmetadata:\n  labels:\n    base: \"yes\"\n  name: gen-455c4ghbhc\n",
        "apiVersion: v1\ndata:\n  x: \"1\"\n  \"y\": \"1\"\nkind: ConfigMap\nmetadata:\n  name: gen2\n",
    ];
    let expected: Vec<_> = expected.iter().map(|e| yaml(e).to_json()).collect();
    assert_eq!(got, expected);
}

#[test]
fn absorb_errors_as_kustomize() {
    let files = [(
        "kustomization.yaml",
        "configMapGenerator:\n- name: plain\n  literals: [a=1]\n- name: nope\n  behavior: merge\n  literals: [a=1]\n",
    )];
    let mut made = generate(&files).0.unwrap().into_iter();
    let first = made.next().unwrap();
    let mut acc = vec![Resource::new(yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: default\n",
    ))];
    let err = absorb(&mut acc, first).unwrap_err();
    assert_eq!(
        err.message,
        "merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:\"\", Version:\"v1\", Kind:\"ConfigMap\", isClusterScoped:false}, Name:\"plain\", Namespace:\"\"} exists; behavior must be merge or replace"
    );
    assert!(text_at(&files, 0, err.span).starts_with("name: plain"));
    let err = absorb(&mut acc, made.next().unwrap()).unwrap_err();
    assert!(
        err.message
            .ends_with("Name:\"nope\", Namespace:\"\"} does not exist; cannot merge or replace"),
        "{}",
        err.message
    );
}

#[test]
fn hash_covers_the_final_data_only() {
    // kubectl: base `cm` (literal k=v) under an overlay with namespace,
    // namePrefix, commonLabels and a patch setting k: patched is named
    // p-cm-t5c9d2kg84: the hash is taken last, of the patched data, and
    // neither the name, namespace nor labels count.
    let node = yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-cm\n  namespace: other\n  labels: {a: b}\ndata:\n  k: patched\n",
    );
    assert_eq!(content_hash(&node).unwrap(), "t5c9d2kg84");
}

/// A `files` entry naming a file that is not UTF-8: base64 in a ConfigMap's
/// `binaryData` (text stays in `data`), base64 in a Secret's `data`, and
/// the hash covers `binaryData` (`kubectl kustomize` names these
/// `cm-5bhdcbkf9c` and `sec-2bgcg8g754`).
#[test]
fn binary_files_as_kubectl() {
    let mut mem = MemoryFiles::from_pairs([
        (
            "kustomization.yaml",
            "configMapGenerator:\n- name: cm\n  files:\n  - s=small.bin\n  literals:\n  - x=y\n\
             secretGenerator:\n- name: sec\n  files:\n  - small.bin\n  envs:\n  - ok.env\n",
        ),
        ("ok.env", "a=1\n"),
    ]);
    mem.insert_bytes("small.bin", &[0xff, 0xfe, 0x00, 0x01]);
    let options = Options::default();
    let mut reader = Reader::new(&mem, &options);
    let (id, text) = reader
        .read_text("", "kustomization.yaml", Span::default())
        .unwrap();
    let mut kust = yaml(&text);
    kust.set_file(id);
    let out = run_generators(&kust, &mut |rel, at| reader.read_content("", rel, at)).unwrap();
    // The binary value carries its `files` entry; the file is in the table.
    let bin = out[0].node.get("binaryData").unwrap().get("s").unwrap();
    assert_eq!(&text[bin.span.start..bin.span.end], "s=small.bin");
    assert!(reader.table.iter().any(|f| f.path == "small.bin"));
    let want = [
        "apiVersion: v1\nbinaryData:\n  s: //4AAQ==\ndata:\n  x: \"y\"\nkind: ConfigMap\nmetadata:\n  name: cm-5bhdcbkf9c\n",
        "apiVersion: v1\ndata:\n  a: MQ==\n  small.bin: //4AAQ==\nkind: Secret\nmetadata:\n  name: sec-2bgcg8g754\ntype: Opaque\n",
    ];
    assert_eq!(
        hashed(out),
        want.iter().map(|w| yaml(w).to_json()).collect::<Vec<_>>()
    );
}

/// An env file must be text: kustomize fails on a line with invalid UTF-8.
#[test]
fn binary_env_file_is_an_error() {
    let mut mem = MemoryFiles::from_pairs([(
        "kustomization.yaml",
        "secretGenerator:\n- name: s\n  envs:\n  - b.env\n",
    )]);
    mem.insert_bytes("b.env", b"a=1\n\xff=2\n");
    let options = Options::default();
    let mut reader = Reader::new(&mem, &options);
    let (id, text) = reader
        .read_text("", "kustomization.yaml", Span::default())
        .unwrap();
    let mut kust = yaml(&text);
    kust.set_file(id);
    let e = run_generators(&kust, &mut |rel, at| reader.read_content("", rel, at)).unwrap_err();
    assert_eq!(e.rule, crate::RENDER_ERROR);
    assert!(
        e.message.contains("line 2 has invalid utf8 bytes"),
        "{}",
        e.message
    );
}
