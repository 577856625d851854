//! Criterion benches, one group per pipeline stage: load (parse with spans),
//! schema (embedded Kubernetes schemas, strict), policy (the built-in pack, on
//! the VM and on the interpreter) and
//! diff (the resource diff). Input: a fixed, representative set of manifests
//! built in memory, so the benches need no files. Whole-process timings on
//! generated corpora are `bench/run.sh`'s job.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tollgate::load::{Limits, Syntax, load};
use tollgate::model::resource::objects;
use tollgate::model::source::SourceFile;
use tollgate::settings::{PolicyEngine, SchemaSettings};
use tollgate::stages::diff::{Located, diff};
use tollgate::stages::policy::{PolicyOptions, PolicySet};
use tollgate::stages::schema::{Catalog, FileContext};

fn deployment(i: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-{n}\n  labels: {{app: app-{i}}}\nspec:\n  replicas: {r}\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n        - name: app\n          image: ghcr.io/acme/app:1.{i}.0\n          ports: [{{containerPort: 8080}}]\n          env:\n            - {{name: MODE, value: \"prod\"}}\n            - {{name: LEVEL, value: \"info\"}}\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{cpu: 500m, memory: 256Mi}}\n          livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}}}\n          readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}\n          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {{drop: [ALL]}}\n",
        n = i % 7,
        r = 1 + i % 5
    )
}

fn service(i: usize) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\n  namespace: team-{n}\nspec:\n  selector: {{app: app-{i}}}\n  ports:\n    - port: 80\n      targetPort: 8080\n",
        n = i % 7
    )
}

fn configmap(i: usize) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{i}\n  namespace: team-{n}\ndata:\n  a: \"1\"\n  b: \"two\"\n",
        n = i % 7
    )
}

/// 300 documents in one stream: Deployments, Services and ConfigMaps.
fn corpus() -> String {
    (0..100)
        .map(|i| {
            format!(
                "{}---\n{}---\n{}---\n",
                deployment(i),
                service(i),
                configmap(i)
            )
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let text = corpus();
    let limits = Limits::default();
    let source = SourceFile::new(Arc::from("bench.yaml"), text.clone());
    let objs = objects(load(&text, Syntax::Yaml, &limits).documents);

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("load", |b| {
        b.iter(|| black_box(load(black_box(&text), Syntax::Yaml, &limits)))
    });

    match Catalog::new(&SchemaSettings::default(), Path::new(".")) {
        Ok(catalog) => {
            let context = FileContext {
                source: &source,
                path: None,
            };
            // Warm the validator cache once, as a real run does for its first object of a kind.
            black_box(catalog.check_file(&context, &objs));
            group.bench_function("schema", |b| {
                b.iter(|| black_box(catalog.check_file(&context, black_box(&objs))))
            });
        }
        Err(e) => eprintln!("schema bench skipped: {e}"),
    }

    // The default (the pack on regorus' compiled VM), and the pack on the
    // interpreter (`--policy-engine interpreter`) for comparison.
    for (name, engine) in [
        ("policy", PolicyEngine::Auto),
        ("policy-interpreter", PolicyEngine::Interpreter),
    ] {
        let options = PolicyOptions {
            engine,
            ..PolicyOptions::default()
        };
        match PolicySet::load(&options, Path::new(".")) {
            Ok(policies) => {
                group.bench_function(name, |b| {
                    b.iter(|| {
                        let mut out = Vec::new();
                        policies.check(&source, black_box(&objs), &mut out);
                        black_box(out)
                    })
                });
            }
            Err(e) => eprintln!("{name} bench skipped: {e}"),
        }
    }

    let located = |o: &tollgate::model::resource::Object| {
        o.id.clone().map(|id| Located {
            file: "bench.yaml".into(),
            id,
            value: o.node.to_json(),
        })
    };
    let base: Vec<Located> = objs.iter().filter_map(located).collect();
    let head: Vec<Located> = objs
        .iter()
        .filter_map(located)
        .map(|mut l| {
            if let Some(r) = l.value.pointer_mut("/spec/replicas") {
                *r = serde_json::json!(9);
            }
            l
        })
        .collect();
    group.bench_function("diff", |b| {
        b.iter(|| black_box(diff(black_box(base.clone()), black_box(head.clone()))))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
