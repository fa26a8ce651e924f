//! Kubernetes objects → image references outside pod-spec `image` fields ("candidates"): the
//! images operators, custom resources and configuration name, which a mirror needs as much as
//! the pod specs' own.
//!
//! Sources, each with the reason the records give:
//! - `image-field`: a string under an image-named key anywhere in any object;
//! - `image-map`: a `{registry, repository, tag, digest}` map under an image-named key, joined
//!   as charts join it;
//! - `argument`: a container `args`/`command` flag named for an image (`--x-image=REF`,
//!   `--x-image REF`);
//! - `env`: an `env` entry whose name ends with `IMAGE` or starts with OLM's `RELATED_IMAGE_`;
//! - `configmap`: a ConfigMap `data` value under an image-named key.
//!
//! A key names an image when its last word is `image`: `image`, `baseImage`, `FOO_IMAGE`,
//! `foo-image`, `foo.image`; not `imagePullPolicy` or `imageTag`. Outside image maps only
//! references with a `/`, a tag or a digest count: a bare word (`latest`, `enabled`,
//! `image-provider`) under such a name is more often something else than an image.

use crate::image_ref;
use crate::objects::{KubeObject, ObjectIdentity};
use serde::Serialize;
use serde_json::{Map, Value};

/// Why a reference is a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A string under an image-named key (`image`, `fooImage`, ...).
    ImageField,
    /// A `{registry, repository, tag, digest}` map under an image-named key, joined as charts join it.
    ImageMap,
    /// A container `args`/`command` flag named for an image (`--x-image=REF`).
    Argument,
    /// An `env` value whose name ends with `IMAGE` or starts with `RELATED_IMAGE_`.
    Env,
    /// A ConfigMap `data` value under an image-named key.
    Configmap,
}

/// One reference found in an object and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The reference as found (trimmed), or as an image map's parts join.
    pub reference: String,
    /// The field path, e.g. `spec.image` or `spec.containers[0].args[3]`.
    pub path: String,
    pub reason: Reason,
}

/// The candidates of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectCandidates {
    pub object: ObjectIdentity,
    pub candidates: Vec<Candidate>,
}

/// Fields nested deeper than this hold no image worth reporting (and bound the walk).
const MAX_DEPTH: usize = 64;

/// The candidates of `object`, in document order; `None` when it has none.
pub fn candidates_of(object: &KubeObject) -> Option<ObjectCandidates> {
    let mut walker = Walker {
        is_configmap: object.value.get("kind").and_then(Value::as_str) == Some("ConfigMap"),
        path: Vec::new(),
        found: Vec::new(),
    };
    walker.walk(&object.value, 0);
    (!walker.found.is_empty()).then(|| ObjectCandidates {
        object: object.identity(),
        candidates: walker.found,
    })
}

/// Whether a field, flag or ConfigMap key names an image: its last word is `image`.
pub fn names_an_image(key: &str) -> bool {
    let last = key.rsplit(|c: char| !c.is_ascii_alphanumeric()).next();
    last.is_some_and(|word| word.eq_ignore_ascii_case("image") || word.ends_with("Image"))
}

/// Whether an env variable names an image: like a key, or OLM's `RELATED_IMAGE_<name>`.
fn env_names_an_image(name: &str) -> bool {
    let related = "RELATED_IMAGE_";
    names_an_image(name)
        || name
            .get(..related.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(related))
}

/// `text` (trimmed) when it is a well-formed reference.
fn well_formed_reference(text: &str) -> Option<&str> {
    let text = text.trim();
    image_ref::parse(text).ok().map(|_| text)
}

/// `text` when it is a well-formed reference with a `/`, a tag or a digest.
fn qualified_reference(text: &str) -> Option<&str> {
    let text = well_formed_reference(text)?;
    let parsed = image_ref::parse(text).ok()?;
    (text.contains('/') || parsed.tag.is_some() || parsed.digest.is_some()).then_some(text)
}

/// A chart-style image map joined as Bitnami's `common.images.image` and most charts join it:
/// `[registry/]repository[:tag]`, a digest taking the tag's place (`repository@digest`).
/// `repository` is required; the other parts are optional; any part not text (or a number,
/// for a tag such as `1.25`) means the map is something else.
fn joined_image_map(map: &Map<String, Value>) -> Option<String> {
    let part = |key: &str| -> Result<Option<String>, ()> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(Value::Number(n)) if key == "tag" => Ok(Some(n.to_string())),
            Some(_) => Err(()),
        }
    };
    let repository = part("repository").ok()??;
    let registry = part("registry").ok()?;
    let tag = part("tag").ok()?;
    let digest = part("digest").ok()?;
    let mut reference = match registry {
        Some(registry) => format!("{registry}/{repository}"),
        None => repository,
    };
    match (digest, tag) {
        (Some(digest), _) => {
            reference.push('@');
            reference.push_str(&digest);
        }
        (None, Some(tag)) => {
            reference.push(':');
            reference.push_str(&tag);
        }
        (None, None) => {}
    }
    image_ref::parse(&reference).ok().map(|_| reference)
}

/// A step of a field path.
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

struct Walker<'a> {
    is_configmap: bool,
    path: Vec<Segment<'a>>,
    found: Vec<Candidate>,
}

impl<'a> Walker<'a> {
    fn walk(&mut self, value: &'a Value, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    self.path.push(Segment::Key(key));
                    self.visit_field(key, child);
                    self.walk(child, depth + 1);
                    self.path.pop();
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.path.push(Segment::Index(index));
                    self.walk(item, depth + 1);
                    self.path.pop();
                }
            }
            _ => {}
        }
    }

    /// The field at the current path, named `key`.
    fn visit_field(&mut self, key: &str, value: &'a Value) {
        if names_an_image(key) {
            match value {
                Value::String(text) => {
                    let in_data =
                        self.is_configmap && matches!(self.path[..], [Segment::Key("data"), _]);
                    let reason = if in_data {
                        Reason::Configmap
                    } else {
                        Reason::ImageField
                    };
                    let reference = if self.in_container_list() {
                        well_formed_reference(text)
                    } else {
                        qualified_reference(text)
                    };
                    if let Some(reference) = reference {
                        self.push(reference.to_string(), None, None, reason);
                    }
                }
                Value::Object(map) => {
                    if let Some(reference) = joined_image_map(map) {
                        self.push(reference, None, None, Reason::ImageMap);
                    }
                }
                _ => {}
            }
        }
        match (key, value) {
            ("args" | "command", Value::Array(items)) => self.visit_flags(items),
            ("env", Value::Array(items)) => self.visit_env(items),
            _ => {}
        }
    }

    /// Whether the current field is a container's `image` (a pod spec inside a custom
    /// resource): there a bare name such as `nginx` is an image as in any pod spec.
    fn in_container_list(&self) -> bool {
        matches!(
            self.path[..],
            [.., Segment::Key(list), Segment::Index(_), Segment::Key("image")]
                if ["containers", "initContainers", "ephemeralContainers"].contains(&list)
        )
    }

    /// `--x-image=REF`, `-x-image=REF` and `--x-image REF`, in list items or inside one item
    /// (a shell command line); the path names the item that holds the reference.
    fn visit_flags(&mut self, items: &[Value]) {
        let words: Vec<(usize, &str)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_str().map(|s| (i, s)))
            .flat_map(|(i, s)| s.split_whitespace().map(move |w| (i, w)))
            .collect();
        for (at, &(index, word)) in words.iter().enumerate() {
            let Some(flag) = word.strip_prefix('-') else {
                continue;
            };
            let flag = flag.strip_prefix('-').unwrap_or(flag);
            let (name, value, value_index) = match flag.split_once('=') {
                Some((name, value)) => (name, value, index),
                None => match words.get(at + 1) {
                    Some(&(next_index, next)) => (flag, next, next_index),
                    None => continue,
                },
            };
            if !names_an_image(name) {
                continue;
            }
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            if let Some(reference) = qualified_reference(value) {
                self.push(
                    reference.to_string(),
                    Some(Segment::Index(value_index)),
                    None,
                    Reason::Argument,
                );
            }
        }
    }

    /// `env` entries `{name, value}` whose name names an image.
    fn visit_env(&mut self, items: &[Value]) {
        for (index, item) in items.iter().enumerate() {
            let name = item.get("name").and_then(Value::as_str);
            let value = item.get("value").and_then(Value::as_str);
            let (Some(name), Some(value)) = (name, value) else {
                continue;
            };
            if !env_names_an_image(name) {
                continue;
            }
            if let Some(reference) = qualified_reference(value) {
                self.push(
                    reference.to_string(),
                    Some(Segment::Index(index)),
                    Some("value"),
                    Reason::Env,
                );
            }
        }
    }

    /// Records a candidate at the current path, extended by an index and a key when given.
    fn push(
        &mut self,
        reference: String,
        index: Option<Segment<'_>>,
        key: Option<&str>,
        reason: Reason,
    ) {
        let mut path = render_path(&self.path);
        if let Some(index) = index {
            push_segment(&mut path, &index);
        }
        if let Some(key) = key {
            push_segment(&mut path, &Segment::Key(key));
        }
        self.found.push(Candidate {
            reference,
            path,
            reason,
        });
    }
}

fn render_path(segments: &[Segment<'_>]) -> String {
    let mut path = String::new();
    for segment in segments {
        push_segment(&mut path, segment);
    }
    path
}

/// `.key` (no dot first), `[index]`, and `["key"]` for keys a dotted path cannot show.
fn push_segment(path: &mut String, segment: &Segment<'_>) {
    match segment {
        Segment::Index(index) => path.push_str(&format!("[{index}]")),
        Segment::Key(key)
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
        }
        Segment::Key(key) => {
            path.push('[');
            path.push_str(&Value::String(key.to_string()).to_string());
            path.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(value: Value) -> Vec<(String, String, Reason)> {
        let object = KubeObject {
            source: "chart/templates/x.yaml".into(),
            value,
        };
        candidates_of(&object)
            .map(|c| c.candidates)
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.reference, c.path, c.reason))
            .collect()
    }

    fn one(reference: &str, path: &str, reason: Reason) -> Vec<(String, String, Reason)> {
        vec![(reference.into(), path.into(), reason)]
    }

    #[test]
    fn custom_resource_spec_image() {
        let object = KubeObject {
            source: "kps/templates/prometheus.yaml".into(),
            value: json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
                "metadata": {"name": "k", "namespace": "mon"},
                "spec": {"image": "quay.io/prometheus/prometheus:v3.1.0", "imagePullPolicy": "IfNotPresent"}}),
        };
        let found = candidates_of(&object).unwrap();
        assert_eq!(found.object.kind, "Prometheus");
        assert_eq!(found.object.name, "k");
        assert_eq!(found.object.namespace.as_deref(), Some("mon"));
        assert_eq!(found.object.source, "kps/templates/prometheus.yaml");
        assert_eq!(
            found.candidates,
            [Candidate {
                reference: "quay.io/prometheus/prometheus:v3.1.0".into(),
                path: "spec.image".into(),
                reason: Reason::ImageField
            }]
        );
    }

    #[test]
    fn image_named_fields_of_every_spelling() {
        let found = found(json!({"kind": "Thing", "spec": {
            "baseImage": "quay.io/thanos/thanos:v0.3",
            "SIDECAR_IMAGE": "ghcr.io/a/sidecar:1",
            "agents": [{"config-reloader-image": "reg.io/r@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d"}]
        }}));
        let references: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            references,
            [
                "quay.io/thanos/thanos:v0.3",
                "ghcr.io/a/sidecar:1",
                "reg.io/r@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d",
            ]
        );
        assert_eq!(found[2].1, "spec.agents[0].config-reloader-image");
    }

    #[test]
    fn split_image_map_is_joined_as_charts_join_it() {
        assert_eq!(
            found(json!({"kind": "Agent", "spec": {"image": {
                "registry": "docker.io", "repository": "grafana/agent", "tag": "v0.44.2",
                "pullPolicy": "IfNotPresent"}}})),
            one(
                "docker.io/grafana/agent:v0.44.2",
                "spec.image",
                Reason::ImageMap
            )
        );
        let digest = "sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d";
        assert_eq!(
            found(
                json!({"kind": "X", "initImage": {"repository": "busybox", "tag": 1.36, "digest": digest}})
            ),
            one(&format!("busybox@{digest}"), "initImage", Reason::ImageMap)
        );
        assert_eq!(
            found(json!({"kind": "X", "image": {"repository": "bitnami/redis", "tag": 7}})),
            one("bitnami/redis:7", "image", Reason::ImageMap)
        );
    }

    #[test]
    fn image_flags_with_equals_or_as_the_next_argument() {
        let found = found(
            json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{
                "name": "controller", "image": "quay.io/jetstack/cert-manager-controller:v1.18.2",
                "args": ["--v=2", "--acme-http01-solver-image=quay.io/jetstack/acmesolver:v1.18.2",
                         "--executor-image", "docker.io/bitnami/argo-workflow-exec:3.7.1",
                         "--executor-image-pull-policy", "IfNotPresent"],
                "command": ["sh", "-c", "exec app -x-image='ghcr.io/o/x:2' --other"]
            }]}}}}),
        );
        let containers = "spec.template.spec.containers[0]";
        let expected: Vec<(String, String, Reason)> = [
            (
                "quay.io/jetstack/cert-manager-controller:v1.18.2",
                "image",
                Reason::ImageField,
            ),
            (
                "quay.io/jetstack/acmesolver:v1.18.2",
                "args[1]",
                Reason::Argument,
            ),
            (
                "docker.io/bitnami/argo-workflow-exec:3.7.1",
                "args[3]",
                Reason::Argument,
            ),
            ("ghcr.io/o/x:2", "command[2]", Reason::Argument),
        ]
        .into_iter()
        .map(|(r, p, reason)| (r.to_string(), format!("{containers}.{p}"), reason))
        .collect();
        // Fields come in key order (the pod spec's own image is dropped later, as it is in `images`).
        let mut found = found;
        found.sort_by(|a, b| a.1.cmp(&b.1));
        let mut expected = expected;
        expected.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(found, expected);
    }

    #[test]
    fn related_image_and_image_env_values() {
        let found = found(
            json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{
                "name": "operator",
                "env": [
                    {"name": "RELATED_IMAGE_POSTGRES", "value": "registry.example.com/pg/postgres:16"},
                    {"name": "OPERATOR_IMAGE", "value": "quay.io/op/operator:v1"},
                    {"name": "IMAGE_PROVIDER_HOST", "value": "image-provider"},
                    {"name": "IMAGE_PROVIDER_ADDR", "value": "image-provider:8081"},
                    {"name": "WATCH_NAMESPACE", "value": "quay.io/not/an-image-name:1"},
                    {"name": "DEFAULT_IMAGE", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}
                ]
            }]}}}}),
        );
        let env = "spec.template.spec.containers[0].env";
        assert_eq!(
            found,
            [
                (
                    "registry.example.com/pg/postgres:16".to_string(),
                    format!("{env}[0].value"),
                    Reason::Env
                ),
                (
                    "quay.io/op/operator:v1".to_string(),
                    format!("{env}[1].value"),
                    Reason::Env
                ),
            ]
        );
    }

    #[test]
    fn configmap_data_under_image_named_keys() {
        assert_eq!(
            found(
                json!({"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {
                    "queue-sidecar-image": "gcr.io/knative-releases/queue:v1.15\n",
                    "log-level": "info",
                    "config.yaml": "image: quay.io/in/a-file:1\n",
                    "registry.image": "not an image"
                }})
            ),
            one(
                "gcr.io/knative-releases/queue:v1.15",
                "data.queue-sidecar-image",
                Reason::Configmap
            )
        );
    }

    #[test]
    fn fields_that_hold_no_image_give_nothing() {
        assert!(found(json!({"kind": "Alertmanager", "spec": {
            "image": "",
            "imagePullPolicy": "Always",
            "imagePullSecrets": [{"name": "regcred"}],
            "imageTag": "v1.2.3",
            "sidecarImage": "{{ .Values.sidecar.image }}",
            "initImage": "repo/app:{{.Chart.AppVersion}}",
            "defaultImage": "${IMAGE}",
            "fallbackImage": "<no value>",
            "description": "the image quay.io/prometheus/alertmanager:v1 runs the alerts",
            "helpImage": "Use the nginx image for the front end",
            "bareImage": "latest",
            "enabledImage": true,
            "image-versions": ["quay.io/a/b:1"]
        }}))
        .is_empty());
    }

    #[test]
    fn crd_schemas_name_images_without_holding_any() {
        assert!(found(json!({"kind": "CustomResourceDefinition", "spec": {"versions": [{"schema": {
            "openAPIV3Schema": {"properties": {"image": {"type": "string", "description": "Image to run"},
                "thanosImage": {"type": "object", "properties": {
                    "repository": {"type": "string"}, "tag": {"type": "string"}}}}}}}]}})).is_empty());
    }

    #[test]
    fn key_names() {
        for yes in [
            "image",
            "Image",
            "IMAGE",
            "baseImage",
            "FOO_IMAGE",
            "foo-image",
            "a.image",
            "OCIImage",
        ] {
            assert!(names_an_image(yes), "{yes}");
        }
        for no in [
            "imagePullPolicy",
            "images",
            "imageTag",
            "baseimage",
            "imagePullSecrets",
            "IMAGE_TAG",
            "",
        ] {
            assert!(!names_an_image(no), "{no}");
        }
        assert!(env_names_an_image("RELATED_IMAGE_FOO"));
        assert!(!env_names_an_image("IMAGE_PROVIDER_HOST"));
    }

    #[test]
    fn paths_quote_keys_with_dots() {
        let mut path = String::new();
        for segment in [
            Segment::Key("data"),
            Segment::Key("a.image"),
            Segment::Index(2),
        ] {
            push_segment(&mut path, &segment);
        }
        assert_eq!(path, r#"data["a.image"][2]"#);
    }

    #[test]
    fn bare_names_count_only_as_container_images() {
        assert_eq!(
            found(
                json!({"kind": "MyResource", "spec": {"template": {"spec": {"containers": [
                {"name": "app", "image": "nginx"}]}}, "image": "nginx"}})
            ),
            one(
                "nginx",
                "spec.template.spec.containers[0].image",
                Reason::ImageField
            )
        );
    }

    #[test]
    fn walks_stop_at_a_depth() {
        let mut value = json!({"image": "quay.io/deep/image:1"});
        for _ in 0..MAX_DEPTH + 5 {
            value = json!({ "a": value });
        }
        assert!(found(value).is_empty());
    }
}
