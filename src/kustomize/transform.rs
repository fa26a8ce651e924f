//! kustomize's built-in transformers: namespace, name prefix/suffix, labels,
//! annotations, images and replicas.

use super::fieldspec::{self, apply, FieldSpec, TransformerConfig};
use super::kustfile::{ImageArgs, ReplicaArgs, Selector};
use super::patch;
use super::resource::{ResMap, Resource};
use super::KustomizeError;
use serde_json::{Map, Value};

/// Namespace fields besides `metadata/namespace` that follow the namespace
/// (kustomize's default namespace field specs; a webhook's service namespace
/// is not one of them: it follows its Service by name reference).
fn namespace_references() -> Vec<FieldSpec> {
    vec![
        FieldSpec::new(
            "APIService",
            "apiregistration.k8s.io",
            "spec/service/namespace",
            true,
        ),
        FieldSpec::new(
            "CustomResourceDefinition",
            "apiextensions.k8s.io",
            "spec/conversion/webhook/clientConfig/service/namespace",
            false,
        ),
    ]
}

/// Sets the namespace of every namespaced resource (and the fields that name
/// one). Every resource first remembers its id, as kustomize's
/// NamespaceTransformer does, so that references to it can follow.
pub fn namespace(res: &mut ResMap, ns: &str, config: &TransformerConfig) {
    if ns.is_empty() {
        return;
    }
    let mut references = namespace_references();
    references.extend(config.namespace.iter().cloned());
    for r in res.items.iter_mut() {
        r.store_previous_id();
        apply(&references, r, &mut |v| *v = Value::String(ns.into()));
        // A core Namespace object takes the namespace as its name.
        if r.kind() == "Namespace" && r.api_version() == "v1" {
            r.set_name(ns);
        }
        if matches!(r.kind(), "RoleBinding" | "ClusterRoleBinding") {
            if let Some(Value::Array(subjects)) = r.obj.get_mut("subjects") {
                for s in subjects {
                    if s.get("name").and_then(Value::as_str) == Some("default") {
                        if let Value::Object(m) = s {
                            m.insert("namespace".into(), Value::String(ns.into()));
                        }
                    }
                }
            }
        }
        if r.is_cluster_scoped() {
            continue;
        }
        r.set_namespace(ns);
    }
}

/// Kinds whose names kustomize never prefixes or suffixes.
fn skips_prefix(kind: &str, group: &str) -> bool {
    kind == "CustomResourceDefinition"
        || kind == "Namespace"
        || (kind == "APIService" && group == "apiregistration.k8s.io")
}

/// The prefix and suffix transformers: adds `prefix` (when given) then
/// `suffix` to the names of the resources each `metadata/name` spec of
/// `name_specs` selects (the merged configuration, or a builtin plugin
/// config's fieldSpecs), once per such spec as kustomize does. Each resource
/// records the affix, even an empty one, and its id before a non-empty one,
/// for name references.
pub fn prefix_suffix(
    res: &mut ResMap,
    prefix: Option<&str>,
    suffix: Option<&str>,
    name_specs: &[FieldSpec],
) {
    let name_specs: Vec<&FieldSpec> = name_specs
        .iter()
        .filter(|s| s.path == "metadata/name")
        .collect();
    for r in res.items.iter_mut() {
        if skips_prefix(r.kind(), r.group()) {
            continue;
        }
        let selecting = name_specs.iter().filter(|s| s.applies_to(r)).count();
        for _ in 0..selecting {
            if let Some(p) = prefix {
                r.prefixes.push(p.to_string());
                if !p.is_empty() {
                    r.store_previous_id();
                    let new = format!("{p}{}", r.name());
                    r.set_name(&new);
                }
            }
            if let Some(s) = suffix {
                r.suffixes.push(s.to_string());
                if !s.is_empty() {
                    r.store_previous_id();
                    let new = format!("{}{s}", r.name());
                    r.set_name(&new);
                }
            }
        }
    }
}

/// Sets each pair in the string map found at every field the specs name.
pub fn set_map_entries(res: &mut ResMap, pairs: &[(String, String)], specs: &[FieldSpec]) {
    if pairs.is_empty() {
        return;
    }
    for r in res.items.iter_mut() {
        apply(specs, r, &mut |v| {
            if v.is_null() {
                *v = Value::Object(Map::new());
            }
            if let Value::Object(m) = v {
                for (k, val) in pairs {
                    m.insert(k.clone(), Value::String(val.clone()));
                }
            }
        });
    }
}

pub fn common_labels(res: &mut ResMap, pairs: &[(String, String)], config: &TransformerConfig) {
    let mut specs = fieldspec::common_labels();
    specs.extend(config.common_labels.iter().cloned());
    set_map_entries(res, pairs, &specs);
}

pub fn common_annotations(
    res: &mut ResMap,
    pairs: &[(String, String)],
    config: &TransformerConfig,
) {
    let mut specs = fieldspec::common_annotations();
    specs.extend(config.common_annotations.iter().cloned());
    set_map_entries(res, pairs, &specs);
}

/// kustomize's ReplicaCountTransformer: the count goes into every field a `replicas` field
/// spec names, in each resource that has (or had) the entry's name and is of a kind the spec
/// selects. A name no such resource has is refused.
pub fn replicas(
    res: &mut ResMap,
    args: &ReplicaArgs,
    config: &TransformerConfig,
) -> Result<(), KustomizeError> {
    let mut found = false;
    for spec in &config.replicas {
        let named = |r: &&mut Resource| r.names.contains(&args.name) && spec.applies_to(r);
        for r in res.items.iter_mut().filter(named) {
            found = true;
            apply(std::slice::from_ref(spec), r, &mut |v| {
                *v = Value::Number(args.count.into())
            });
        }
    }
    if found {
        return Ok(());
    }
    let kinds: Vec<String> = config.replicas.iter().map(|s| s.gvk().display()).collect();
    Err(KustomizeError::build(format!(
        "resource with name {} does not match a config with the following GVK [{}]",
        args.name,
        kinds.join(" ")
    )))
}

/// kustomize's `image.IsImageMatched`: the image is the `images` entry's name, read as a
/// regular expression as kustomize reads it, then optionally `:tag`, then optionally
/// `@sha256:digest` (tag and digest of the characters `[a-zA-Z0-9_.{}-]`).
struct ImageMatcher(Option<regex::Regex>);

impl ImageMatcher {
    fn new(name: &str) -> Self {
        // Pasted into the expression as kustomize pastes it (an alternation in the name
        // splits the whole expression). A name that is no valid expression matches nothing (kustomize ignores the
        // compile error and then fails on the nil expression).
        ImageMatcher(
            regex::Regex::new(&format!(
                "^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
            ))
            .ok(),
        )
    }

    fn matches(&self, image: &str) -> bool {
        self.0.as_ref().is_some_and(|re| re.is_match(image))
    }
}

/// kustomize's `image.Split`: name, tag and digest of an image reference.
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (at, colon) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (Some(a), c) if c.is_none() || a < c.unwrap_or(usize::MAX) => {
            let a = a + slash;
            (
                image[..a].to_string(),
                String::new(),
                image[a + 1..].to_string(),
            )
        }
        (Some(a), Some(c)) => {
            let (a, c) = (a + slash, c + slash);
            (
                image[..c].to_string(),
                image[c + 1..a].to_string(),
                image[a + 1..].to_string(),
            )
        }
        (None, Some(c)) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        _ => (image.to_string(), String::new(), String::new()),
    }
}

fn new_image(image: &str, args: &ImageArgs, matcher: &ImageMatcher) -> Option<String> {
    if !matcher.matches(image) {
        return None;
    }
    let (mut name, mut tag, mut digest) = split_image(image);
    if !args.new_name.is_empty() {
        name = args.new_name.clone();
    }
    if !args.new_tag.is_empty() && !args.digest.is_empty() {
        tag = args.new_tag.clone();
        digest = args.digest.clone();
    } else if !args.new_tag.is_empty() {
        tag = args.new_tag.clone();
        digest.clear();
    } else if !args.digest.is_empty() {
        tag.clear();
        digest = args.digest.clone();
    }
    if !args.tag_suffix.is_empty() {
        tag.push_str(&args.tag_suffix);
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    Some(name)
}

/// Updates `image` fields of every `containers`/`initContainers` list
/// anywhere in each resource (kustomize's legacy image filter), plus any
/// extra field specs (from `configurations`).
pub fn images(res: &mut ResMap, args: &ImageArgs, extra: &[FieldSpec]) {
    let matcher = ImageMatcher::new(&args.name);
    for r in res.items.iter_mut() {
        update_containers(&mut r.obj, args, &matcher);
        apply(extra, r, &mut |v| {
            if let Value::String(s) = v {
                if let Some(n) = new_image(s, args, &matcher) {
                    *s = n;
                }
            }
        });
    }
}

fn update_containers(v: &mut Value, args: &ImageArgs, matcher: &ImageMatcher) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "containers" || k == "initContainers" {
                    if let Value::Array(items) = child {
                        for c in items.iter_mut() {
                            if let Some(Value::String(img)) = c.get_mut("image") {
                                if let Some(n) = new_image(img, args, matcher) {
                                    *img = n;
                                }
                            }
                        }
                    }
                }
                update_containers(child, args, matcher);
            }
        }
        Value::Array(items) => {
            for item in items {
                update_containers(item, args, matcher);
            }
        }
        _ => {}
    }
}

/// kustomize's ValueAddTransformer: sets a field, or inserts the value as one
/// part of a `/`-separated path at `position` (1-based).
pub fn value_add(
    res: &mut ResMap,
    value: &str,
    selector: Option<&Selector>,
    field_path: &str,
    position: usize,
) -> Result<(), KustomizeError> {
    let targets: Vec<usize> = match selector {
        Some(sel) => patch::select(res, sel)?,
        None => (0..res.items.len()).collect(),
    };
    let segs = fieldspec::split_path(field_path);
    for i in targets {
        let r = &mut res.items[i];
        if segs == ["metadata", "namespace"] && r.is_cluster_scoped() {
            continue;
        }
        fieldspec::visit(&mut r.obj, &segs, true, &mut |v| {
            let new = if position == 0 {
                value.to_string()
            } else {
                let old = v.as_str().unwrap_or("");
                let mut parts: Vec<&str> = if old.is_empty() {
                    Vec::new()
                } else {
                    old.split('/').collect()
                };
                let at = (position - 1).min(parts.len());
                parts.insert(at, value);
                parts.join("/")
            };
            *v = Value::String(new);
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ImageMatcher;

    #[test]
    fn image_names_match_as_kustomizes_expression() {
        let nginx = ImageMatcher::new("nginx");
        assert!(nginx.matches("nginx"));
        assert!(nginx.matches("nginx:1.25"));
        assert!(nginx.matches(&format!("nginx@sha256:{}", "a".repeat(64))));
        assert!(nginx.matches(&format!("nginx:1.0@sha256:{}", "c".repeat(64))));
        assert!(!nginx.matches("nginx-exporter:1"));
        assert!(!nginx.matches("docker.io/nginx"));
        // The name is an expression: `.` matches any character.
        assert!(ImageMatcher::new("docker.io/nginx").matches("dockerXio/nginx:1"));
        assert!(!ImageMatcher::new("a(").matches("a("));
    }
}
