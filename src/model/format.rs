//! Well-known files that are not Kubernetes objects.
//!
//! A GitOps repository holds more YAML and JSON than manifests: Helm repository
//! indexes, kind cluster configs, component configs (`KubeletConfiguration` and
//! the like), kubeconfigs, CI pipelines, Renovate settings, plain-text bodies
//! named `*.json`, Go templates named `*.template.yaml`. Judging them as
//! Kubernetes gives only false errors ("has an apiVersion but no kind", "no
//! schema for kind.x-k8s.io/v1alpha4 Cluster"). [`recognise`] names the format
//! of such a file from its name, its text and its loaded objects; the pipeline
//! then skips it and counts it (`SkipReason::NotKubernetes`).

use crate::model::resource::Object;

/// A recognised format that is not Kubernetes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// A Helm chart repository `index.yaml` (`apiVersion` and `entries`, no kind).
    HelmRepoIndex,
    /// A kind (`kind.x-k8s.io`) cluster config.
    KindConfig,
    /// A component config read by a Kubernetes binary, not served by the API
    /// (`KubeletConfiguration`, `KubeProxyConfiguration`, kubeadm's, ...).
    ComponentConfig,
    /// A kubeconfig (`apiVersion: v1`, `kind: Config`).
    Kubeconfig,
    /// A Skaffold config (`apiVersion: skaffold/...`).
    Skaffold,
    /// A CI pipeline (Cloud Build, GitLab CI, Azure Pipelines, ...).
    CiConfig,
    /// A Renovate config.
    Renovate,
    /// A `*.json` file whose text is not a JSON object or array.
    PlainText,
    /// A Go template (`*.template.yaml` with `{{ }}`), not YAML until executed.
    GoTemplate,
}

impl Known {
    /// What the file is, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::HelmRepoIndex => "a Helm repository index",
            Self::KindConfig => "a kind cluster config",
            Self::ComponentConfig => "a Kubernetes component config",
            Self::Kubeconfig => "a kubeconfig",
            Self::Skaffold => "a Skaffold config",
            Self::CiConfig => "a CI pipeline",
            Self::Renovate => "a Renovate config",
            Self::PlainText => "plain text named .json",
            Self::GoTemplate => "a Go template",
        }
    }
}

/// API groups of component configs: files read by kubelet, kube-proxy,
/// kubeadm, the scheduler, the API server and the controller managers, never
/// applied to a cluster.
const COMPONENT_GROUPS: [&str; 10] = [
    "kubelet.config.k8s.io",
    "kubeproxy.config.k8s.io",
    "kubeadm.k8s.io",
    "bootstrap.kubeadm.k8s.io",
    "kubescheduler.config.k8s.io",
    "apiserver.config.k8s.io",
    "apiserver.k8s.io",
    "audit.k8s.io",
    "kubecontrollermanager.config.k8s.io",
    "cloudcontrollermanager.config.k8s.io",
];

/// CI pipeline files, by name.
const CI_NAMES: [&str; 14] = [
    "cloudbuild.yaml",
    "cloudbuild.yml",
    "cloudbuild.json",
    ".gitlab-ci.yml",
    "azure-pipelines.yml",
    "azure-pipelines.yaml",
    "bitbucket-pipelines.yml",
    ".travis.yml",
    "appveyor.yml",
    ".drone.yml",
    "buildspec.yml",
    "codefresh.yml",
    ".woodpecker.yml",
    "Taskfile.yml",
];

/// Renovate config files, by name.
const RENOVATE_NAMES: [&str; 5] = [
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
];

/// The format of a file that is not Kubernetes, if it is a well-known one.
/// `name` is the display name (`/` separators), `text` the decoded source and
/// `objects` what loading it gave.
pub fn recognise(name: &str, text: &str, objects: &[Object]) -> Option<Known> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".json") {
        let first = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next();
        if first.is_some_and(|c| c != '{' && c != '[') {
            return Some(Known::PlainText);
        }
    }
    if is_template_name(&lower) && text.contains("{{") {
        return Some(Known::GoTemplate);
    }
    if RENOVATE_NAMES.contains(&base) {
        return Some(Known::Renovate);
    }
    let identified: Vec<&Object> = objects.iter().filter(|o| o.id.is_some()).collect();
    if CI_NAMES.contains(&base) && identified.is_empty() {
        return Some(Known::CiConfig);
    }
    if base == "index.yaml"
        && !objects.is_empty()
        && objects.iter().all(|o| {
            o.node.get("apiVersion").is_some()
                && o.node.get("entries").is_some()
                && o.node.get("kind").is_none()
        })
    {
        return Some(Known::HelmRepoIndex);
    }
    // Every object one of these formats (a kubeadm file holds several configs).
    let mut found = None;
    for o in &identified {
        let id = o.id.as_ref()?;
        let group = id.group();
        let known = if group == "kind.x-k8s.io" {
            Known::KindConfig
        } else if COMPONENT_GROUPS.contains(&group) {
            Known::ComponentConfig
        } else if id.api_version == "v1" && id.kind == "Config" {
            Known::Kubeconfig
        } else if id.api_version.starts_with("skaffold/") {
            Known::Skaffold
        } else {
            return None;
        };
        found = found.or(Some(known));
    }
    found
}

/// `deployment.template.yaml`, `x.tmpl.yml`, `x.tpl.yaml`: the template
/// marker as an extension of its own (`etcd-controller-template.yaml` is a
/// name, and a broken one is reported as broken).
fn is_template_name(lower: &str) -> bool {
    let stem = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"));
    stem.is_some_and(|s| {
        [".template", ".tmpl", ".tpl"]
            .iter()
            .any(|t| s.ends_with(t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Limits, Syntax, load};

    fn known(name: &str, text: &str) -> Option<Known> {
        let syntax = Syntax::for_path(name);
        let objects =
            crate::model::resource::objects(load(text, syntax, &Limits::default()).documents);
        recognise(name, text, &objects)
    }

    #[test]
    fn formats_by_content_and_name() {
        assert_eq!(
            known("charts/index.yaml", "apiVersion: v1\nentries: {}\n"),
            Some(Known::HelmRepoIndex)
        );
        assert_eq!(
            known(
                "kind.yaml",
                "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n"
            ),
            Some(Known::KindConfig)
        );
        assert_eq!(
            known(
                "kubeadm.yaml",
                "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
            ),
            Some(Known::ComponentConfig)
        );
        assert_eq!(
            known("config", "apiVersion: v1\nkind: Config\nclusters: []\n"),
            Some(Known::Kubeconfig)
        );
        assert_eq!(known("www/404.json", "Not found\n"), Some(Known::PlainText));
        assert_eq!(
            known("a.template.yaml", "name: {{ .Name }}\n"),
            Some(Known::GoTemplate)
        );
        assert_eq!(
            known("cloudbuild.yaml", "steps: []\n"),
            Some(Known::CiConfig)
        );
        assert_eq!(known("renovate.json", "{}\n"), Some(Known::Renovate));
    }

    #[test]
    fn kubernetes_files_are_not_recognised() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
        assert_eq!(known("index.yaml", cm), None);
        assert_eq!(known("a.template.yaml", cm), None);
        assert_eq!(
            known("etcd-controller-template.yaml", "a: {{ .x }}-y\n"),
            None
        );
        assert_eq!(known("cm.json", "{\"apiVersion\": \"v1\"}"), None);
        // A component config beside a real object: the file is Kubernetes.
        assert_eq!(
            known(
                "mixed.yaml",
                "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
            ),
            None
        );
        assert_eq!(known("notes.yaml", "a: 1\n"), None);
    }
}
