//! Kustomize v5.5's default transformer configuration, as data.
//!
//! Each list is written as `(kind, group, version, path, create)` rows in
//! the order kustomize declares them; the name references of pod templates
//! (the same field under every workload kind) are expanded from one table of
//! pod-spec locations and one of pod-spec fields.

use super::{FieldSpec, FieldSpecs, FsSlice, Gvk, NameBackRef};

type Row<'a> = (&'a str, &'a str, &'a str, &'a str, bool);

fn rows(rows: &[Row<'_>]) -> FsSlice {
    rows.iter()
        .map(|(kind, group, version, path, create)| spec(kind, group, version, path, *create))
        .collect()
}

fn spec(kind: &str, group: &str, version: &str, path: &str, create: bool) -> FieldSpec {
    FieldSpec {
        gvk: Gvk {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
        },
        path: path.to_owned(),
        create,
    }
}

/// `metadata/labels` and the pod-template labels of every workload.
fn metadata_labels() -> FsSlice {
    rows(&[
        ("", "", "", "metadata/labels", true),
        (
            "ReplicationController",
            "",
            "v1",
            "spec/template/metadata/labels",
            true,
        ),
        ("Deployment", "", "", "spec/template/metadata/labels", true),
        ("ReplicaSet", "", "", "spec/template/metadata/labels", true),
        ("DaemonSet", "", "", "spec/template/metadata/labels", true),
        (
            "StatefulSet",
            "apps",
            "",
            "spec/template/metadata/labels",
            true,
        ),
        (
            "StatefulSet",
            "apps",
            "",
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        ),
        ("Job", "batch", "", "spec/template/metadata/labels", true),
        (
            "CronJob",
            "batch",
            "",
            "spec/jobTemplate/metadata/labels",
            true,
        ),
        (
            "CronJob",
            "batch",
            "",
            "spec/jobTemplate/spec/template/metadata/labels",
            true,
        ),
    ])
}

fn common_labels() -> FsSlice {
    let affinity = [
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
    ];
    let mut out = rows(&[
        ("Service", "", "v1", "spec/selector", true),
        ("ReplicationController", "", "v1", "spec/selector", true),
        ("Deployment", "", "", "spec/selector/matchLabels", true),
    ]);
    out.extend(
        affinity
            .iter()
            .map(|p| spec("Deployment", "apps", "", p, false)),
    );
    out.extend(rows(&[
        ("ReplicaSet", "", "", "spec/selector/matchLabels", true),
        ("DaemonSet", "", "", "spec/selector/matchLabels", true),
        ("StatefulSet", "apps", "", "spec/selector/matchLabels", true),
    ]));
    out.extend(
        affinity
            .iter()
            .map(|p| spec("StatefulSet", "apps", "", p, false)),
    );
    out.extend(rows(&[
        ("Job", "batch", "", "spec/selector/matchLabels", false),
        (
            "CronJob",
            "batch",
            "",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        (
            "PodDisruptionBudget",
            "policy",
            "",
            "spec/selector/matchLabels",
            false,
        ),
        (
            "NetworkPolicy",
            "networking.k8s.io",
            "",
            "spec/podSelector/matchLabels",
            false,
        ),
        (
            "NetworkPolicy",
            "networking.k8s.io",
            "",
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        (
            "NetworkPolicy",
            "networking.k8s.io",
            "",
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ]));
    out.extend(metadata_labels());
    out
}

fn common_annotations() -> FsSlice {
    rows(&[
        ("", "", "", "metadata/annotations", true),
        (
            "ReplicationController",
            "",
            "v1",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "Deployment",
            "",
            "",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "ReplicaSet",
            "",
            "",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "DaemonSet",
            "",
            "",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "StatefulSet",
            "",
            "",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "Job",
            "batch",
            "",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "CronJob",
            "batch",
            "",
            "spec/jobTemplate/metadata/annotations",
            true,
        ),
        (
            "CronJob",
            "batch",
            "",
            "spec/jobTemplate/spec/template/metadata/annotations",
            true,
        ),
    ])
}

/// Where each workload kind keeps its pod spec (kind, version, prefix).
const POD_SPECS: [(&str, &str, &str); 8] = [
    ("Pod", "v1", "spec"),
    ("PodTemplate", "", "template/spec"),
    ("Deployment", "", "spec/template/spec"),
    ("ReplicaSet", "", "spec/template/spec"),
    ("DaemonSet", "", "spec/template/spec"),
    ("StatefulSet", "", "spec/template/spec"),
    ("Job", "", "spec/template/spec"),
    ("CronJob", "", "spec/jobTemplate/spec/template/spec"),
];

const CONFIGMAP_IN_POD: [&str; 6] = [
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
];

const SECRET_IN_POD: [&str; 7] = [
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
];

fn in_pod_specs(fields: &[&str]) -> FsSlice {
    let mut out = Vec::new();
    for (kind, version, prefix) in POD_SPECS {
        for field in fields {
            out.push(spec(kind, "", version, &format!("{prefix}/{field}"), false));
        }
    }
    out
}

/// Workload kinds that name a ServiceAccount, PVC or PriorityClass in their
/// pod spec, with that pod spec's location.
const NAMED_IN_WORKLOADS: [(&str, &str); 7] = [
    ("Pod", "spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
];

fn in_workloads(field: &str) -> FsSlice {
    NAMED_IN_WORKLOADS
        .iter()
        .map(|(kind, prefix)| spec(kind, "", "", &format!("{prefix}/{field}"), false))
        .collect()
}

fn backref(kind: &str, group: &str, version: &str, referrers: FsSlice) -> NameBackRef {
    NameBackRef {
        gvk: Gvk {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: kind.to_owned(),
        },
        referrers,
    }
}

fn name_reference() -> Vec<NameBackRef> {
    let hpa = || {
        rows(&[(
            "HorizontalPodAutoscaler",
            "",
            "",
            "spec/scaleTargetRef/name",
            false,
        )])
    };
    let mut configmap = in_pod_specs(&CONFIGMAP_IN_POD);
    configmap.extend(rows(&[
        ("Node", "", "", "spec/configSource/configMap", false),
        ("Role", "", "", "rules/resourceNames", false),
        ("ClusterRole", "", "", "rules/resourceNames", false),
        (
            "Ingress",
            "",
            "",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
            false,
        ),
    ]));
    let mut secret = in_pod_specs(&SECRET_IN_POD);
    secret.extend(rows(&[
        ("Ingress", "", "", "spec/tls/secretName", false),
        (
            "Ingress",
            "",
            "",
            "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
            false,
        ),
        (
            "Ingress",
            "",
            "",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
            false,
        ),
        (
            "Ingress",
            "",
            "",
            "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
            false,
        ),
        ("Ingress", "", "", "spec/tls/secretName", false),
        ("ServiceAccount", "", "", "imagePullSecrets/name", false),
        ("StorageClass", "", "", "parameters/secretName", false),
        ("StorageClass", "", "", "parameters/adminSecretName", false),
        ("StorageClass", "", "", "parameters/userSecretName", false),
        ("StorageClass", "", "", "parameters/secretRef", false),
        ("Role", "", "", "rules/resourceNames", false),
        ("ClusterRole", "", "", "rules/resourceNames", false),
        (
            "Service",
            "serving.knative.dev",
            "v1",
            "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
            false,
        ),
        (
            "PersistentVolume",
            "",
            "",
            "spec/azureFile/secretName",
            false,
        ),
    ]));
    let admission = "admissionregistration.k8s.io";
    let rbac = "rbac.authorization.k8s.io";
    let mut service_account = rows(&[
        ("RoleBinding", rbac, "", "subjects", false),
        ("ClusterRoleBinding", rbac, "", "subjects", false),
    ]);
    service_account.extend(in_workloads("serviceAccountName"));
    vec![
        backref("Deployment", "", "", hpa()),
        backref("ReplicationController", "", "", hpa()),
        backref("ReplicaSet", "", "", hpa()),
        backref("StatefulSet", "", "", hpa()),
        backref("ConfigMap", "", "v1", configmap),
        backref("Secret", "", "v1", secret),
        backref(
            "Service",
            "",
            "v1",
            rows(&[
                ("StatefulSet", "apps", "", "spec/serviceName", false),
                (
                    "Ingress",
                    "",
                    "",
                    "spec/rules/http/paths/backend/serviceName",
                    false,
                ),
                ("Ingress", "", "", "spec/backend/serviceName", false),
                (
                    "Ingress",
                    "",
                    "",
                    "spec/rules/http/paths/backend/service/name",
                    false,
                ),
                ("Ingress", "", "", "spec/defaultBackend/service/name", false),
                (
                    "APIService",
                    "apiregistration.k8s.io",
                    "",
                    "spec/service/name",
                    false,
                ),
                (
                    "ValidatingWebhookConfiguration",
                    admission,
                    "",
                    "webhooks/clientConfig/service",
                    false,
                ),
                (
                    "MutatingWebhookConfiguration",
                    admission,
                    "",
                    "webhooks/clientConfig/service",
                    false,
                ),
            ]),
        ),
        backref(
            "Role",
            rbac,
            "",
            rows(&[("RoleBinding", rbac, "", "roleRef/name", false)]),
        ),
        backref(
            "ClusterRole",
            rbac,
            "",
            rows(&[
                ("RoleBinding", rbac, "", "roleRef/name", false),
                ("ClusterRoleBinding", rbac, "", "roleRef/name", false),
            ]),
        ),
        backref("ServiceAccount", "", "v1", service_account),
        backref(
            "PersistentVolumeClaim",
            "",
            "v1",
            in_workloads("volumes/persistentVolumeClaim/claimName"),
        ),
        backref(
            "PersistentVolume",
            "",
            "v1",
            rows(&[
                ("PersistentVolumeClaim", "", "", "spec/volumeName", false),
                ("ClusterRole", "", "", "rules/resourceNames", false),
            ]),
        ),
        backref(
            "StorageClass",
            "storage.k8s.io",
            "v1",
            rows(&[
                ("PersistentVolume", "", "", "spec/storageClassName", false),
                (
                    "PersistentVolumeClaim",
                    "",
                    "",
                    "spec/storageClassName",
                    false,
                ),
                (
                    "StatefulSet",
                    "",
                    "",
                    "spec/volumeClaimTemplates/spec/storageClassName",
                    false,
                ),
            ]),
        ),
        backref(
            "PriorityClass",
            "scheduling.k8s.io",
            "v1",
            in_workloads("priorityClassName"),
        ),
        // Kustomize writes the group with its version here, so this entry
        // never matches an IngressClass; kept as kustomize has it.
        backref(
            "IngressClass",
            "networking.k8s.io/v1",
            "v1",
            rows(&[("Ingress", "", "", "spec/ingressClassName", false)]),
        ),
        backref(
            "ValidatingAdmissionPolicy",
            admission,
            "",
            rows(&[(
                "ValidatingAdmissionPolicyBinding",
                admission,
                "",
                "spec/policyName",
                false,
            )]),
        ),
    ]
}

fn var_reference() -> FsSlice {
    let containers = |prefix: &str, kind: &str, out: &mut FsSlice| {
        for c in ["containers", "initContainers"] {
            for f in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                out.push(spec(kind, "", "", &format!("{prefix}/{c}/{f}"), false));
            }
        }
    };
    let mut out = Vec::new();
    containers("spec/jobTemplate/spec/template/spec", "CronJob", &mut out);
    out.push(spec(
        "CronJob",
        "",
        "",
        "spec/jobTemplate/spec/template/volumes/nfs/server",
        false,
    ));
    for kind in ["DaemonSet", "Deployment"] {
        containers("spec/template/spec", kind, &mut out);
        out.push(spec(
            kind,
            "",
            "",
            "spec/template/spec/volumes/nfs/server",
            false,
        ));
    }
    out.push(spec(
        "Deployment",
        "",
        "",
        "spec/template/metadata/annotations",
        false,
    ));
    out.extend(rows(&[
        ("Ingress", "", "", "spec/rules/host", false),
        ("Ingress", "", "", "spec/tls/hosts", false),
        ("Ingress", "", "", "spec/tls/secretName", false),
    ]));
    containers("spec/template/spec", "Job", &mut out);
    out.push(spec(
        "Job",
        "",
        "",
        "spec/template/spec/volumes/nfs/server",
        false,
    ));
    containers("spec", "Pod", &mut out);
    out.push(spec("Pod", "", "", "spec/volumes/nfs/server", false));
    containers("spec/template/spec", "ReplicaSet", &mut out);
    out.push(spec(
        "ReplicaSet",
        "",
        "",
        "spec/template/spec/volumes/nfs/server",
        false,
    ));
    out.extend(rows(&[
        ("Service", "", "", "spec/ports/port", false),
        ("Service", "", "", "spec/ports/targetPort", false),
    ]));
    containers("spec/template/spec", "StatefulSet", &mut out);
    out.extend(rows(&[
        (
            "StatefulSet",
            "",
            "",
            "spec/volumeClaimTemplates/spec/nfs/server",
            false,
        ),
        ("PersistentVolume", "", "", "spec/nfs/server", false),
        ("", "", "", "metadata/labels", false),
        ("", "", "", "metadata/annotations", false),
    ]));
    out
}

/// The unsorted default configuration.
pub(super) fn specs() -> FieldSpecs {
    let images = ["spec", "spec/template/spec"]
        .iter()
        .flat_map(|p| {
            ["containers", "initContainers"]
                .map(|c| spec("", "", "", &format!("{p}/{c}[]/image"), true))
        })
        .collect();
    FieldSpecs {
        name_prefix: rows(&[("", "", "", "metadata/name", false)]),
        name_suffix: rows(&[("", "", "", "metadata/name", false)]),
        namespace: rows(&[
            ("Namespace", "", "", "metadata/name", true),
            (
                "APIService",
                "apiregistration.k8s.io",
                "",
                "spec/service/namespace",
                true,
            ),
            (
                "CustomResourceDefinition",
                "apiextensions.k8s.io",
                "",
                "spec/conversion/webhook/clientConfig/service/namespace",
                false,
            ),
        ]),
        common_labels: common_labels(),
        labels: Vec::new(),
        template_labels: metadata_labels(),
        common_annotations: common_annotations(),
        name_reference: name_reference(),
        var_reference: var_reference(),
        images,
        replicas: [
            "Deployment",
            "ReplicationController",
            "ReplicaSet",
            "StatefulSet",
        ]
        .iter()
        .map(|k| spec(k, "", "", "spec/replicas", true))
        .collect(),
    }
}
