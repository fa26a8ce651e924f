//! Resources and their ids as kustomize tracks them: the current id, the id
//! at load time, and the names a resource had before transformers renamed it.

use super::KustomizeError;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// How a generated resource combines with one of the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    Create,
    Merge,
    Replace,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub obj: Value,
    /// Namespace and name at load time.
    pub orig_ns: String,
    pub orig_name: String,
    /// Every name the resource has carried, oldest first (the current one last).
    pub names: Vec<String>,
    /// Every namespace it has been in, oldest first.
    pub namespaces: Vec<String>,
    /// (kind, name, namespace) it had before each kind change a patch made.
    pub former_kinds: Vec<(String, String, String)>,
    /// Set for generator output that still needs its content-hash suffix.
    pub needs_hash: bool,
    pub behavior: Option<Behavior>,
    /// The ids stored before each transformer that may rename it ran,
    /// oldest first (kustomize's previousNames/previousNamespaces/
    /// previousKinds build annotations); name references follow them.
    pub prev_ids: Vec<PrevId>,
    /// Name prefixes and suffixes applied, outermost last (kustomize's
    /// build annotations of the prefix and suffix transformers).
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// The vars whose object reference named this resource where the var
    /// was declared.
    pub ref_var_names: Vec<String>,
    /// The file it came from (the kustomization file for generated ones).
    pub source: String,
    /// Where its file wrote a mapping value as nothing (`key:`), until a merge walks them.
    pub empty_nulls: Vec<super::value::Path>,
}

/// A kind, name and effective namespace a resource had (kustomize stores
/// no group or version: those are read from the current apiVersion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrevId {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// kustomize's placeholder namespace of cluster-scoped ids.
pub const NOT_A_NAMESPACE: &str = "~X";

impl Resource {
    pub fn new(obj: Value) -> Self {
        let name = str_at(&obj, &["metadata", "name"])
            .unwrap_or("")
            .to_string();
        let ns = str_at(&obj, &["metadata", "namespace"])
            .unwrap_or("")
            .to_string();
        Resource {
            former_kinds: Vec::new(),
            orig_ns: ns.clone(),
            orig_name: name.clone(),
            names: vec![name],
            namespaces: vec![ns],
            obj,
            needs_hash: false,
            behavior: None,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            ref_var_names: Vec::new(),
            source: String::new(),
            empty_nulls: Vec::new(),
        }
    }

    /// kustomize's `StorePreviousId`: remembers the current id before a
    /// transformer may change it.
    pub fn store_previous_id(&mut self) {
        let id = PrevId {
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.id().effective_namespace(),
        };
        self.prev_ids.push(id);
    }

    /// The build annotations kustomize keeps on the resource while it builds (utils'
    /// `BuildAnnotation*`, each a CSV that `appendCsvAnnotation` grows, skipping empty
    /// values): its stored former ids and the name prefixes and suffixes it received.
    /// The generator's annotations are not kept here.
    fn build_annotations(&self) -> Vec<(&'static str, String)> {
        let csv = |values: Vec<&str>| {
            values
                .into_iter()
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
                .join(",")
        };
        // kyaml's TotallyNotANamespace, where ids print our placeholder.
        fn namespace(ns: &str) -> &str {
            match ns {
                NOT_A_NAMESPACE => "_non_namespaceable_",
                ns => ns,
            }
        }
        let ids = &self.prev_ids;
        [
            (
                "internal.config.kubernetes.io/previousNames",
                csv(ids.iter().map(|p| p.name.as_str()).collect()),
            ),
            (
                "internal.config.kubernetes.io/previousNamespaces",
                csv(ids.iter().map(|p| namespace(&p.namespace)).collect()),
            ),
            (
                "internal.config.kubernetes.io/previousKinds",
                csv(ids.iter().map(|p| p.kind.as_str()).collect()),
            ),
            (
                "internal.config.kubernetes.io/prefixes",
                csv(self.prefixes.iter().map(String::as_str).collect()),
            ),
            (
                "internal.config.kubernetes.io/suffixes",
                csv(self.suffixes.iter().map(String::as_str).collect()),
            ),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    }

    /// Runs `patch` on the object as kustomize's PatchTransformer runs a JSON patch: on the
    /// object carrying its build annotations (so `/metadata/annotations` is there to patch),
    /// which are restored after it and taken off, as kustomize's build finally does; an
    /// annotations map left empty goes too.
    pub fn with_build_annotations<T>(&mut self, patch: impl FnOnce(&mut Value) -> T) -> T {
        let build = self.build_annotations();
        if let Some(meta) = self.obj.get_mut("metadata").and_then(Value::as_object_mut) {
            let annotations = meta
                .entry("annotations")
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Some(annotations) = annotations.as_object_mut() {
                for (key, value) in &build {
                    annotations.insert((*key).to_string(), Value::String(value.clone()));
                }
            }
        }
        let result = patch(&mut self.obj);
        if let Some(meta) = self.obj.get_mut("metadata").and_then(Value::as_object_mut) {
            let emptied = match meta.get_mut("annotations").and_then(Value::as_object_mut) {
                Some(annotations) => {
                    for (key, _) in &build {
                        annotations.shift_remove(*key);
                    }
                    annotations.is_empty()
                }
                None => false,
            };
            if emptied {
                meta.shift_remove("annotations");
            }
        }
        result
    }

    /// The stored former ids, with the current group and version.
    pub fn prev_res_ids(&self) -> Vec<ResId> {
        self.prev_ids
            .iter()
            .map(|p| ResId {
                group: self.group().to_string(),
                version: self.version().to_string(),
                kind: p.kind.clone(),
                name: p.name.clone(),
                namespace: p.namespace.clone(),
            })
            .collect()
    }

    /// The id the resource was loaded with: the first stored, else the current.
    pub fn org_id(&self) -> ResId {
        self.prev_res_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.id())
    }

    pub fn kind(&self) -> &str {
        str_at(&self.obj, &["kind"]).unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        str_at(&self.obj, &["apiVersion"]).unwrap_or("")
    }

    pub fn group(&self) -> &str {
        split_api_version(self.api_version()).0
    }

    pub fn version(&self) -> &str {
        split_api_version(self.api_version()).1
    }

    pub fn name(&self) -> &str {
        str_at(&self.obj, &["metadata", "name"]).unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        str_at(&self.obj, &["metadata", "namespace"]).unwrap_or("")
    }

    pub fn set_name(&mut self, name: &str) {
        set_at(
            &mut self.obj,
            &["metadata", "name"],
            Value::String(name.to_string()),
        );
        if self.names.last().map(String::as_str) != Some(name) {
            self.names.push(name.to_string());
        }
    }

    pub fn set_namespace(&mut self, ns: &str) {
        set_at(
            &mut self.obj,
            &["metadata", "namespace"],
            Value::String(ns.to_string()),
        );
        if self.namespaces.last().map(String::as_str) != Some(ns) {
            self.namespaces.push(ns.to_string());
        }
    }

    pub fn id(&self) -> ResId {
        ResId {
            group: self.group().to_string(),
            version: self.version().to_string(),
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// True when `id` names this resource now or under a former name/namespace.
    pub fn matches_any_id(&self, id: &ResId) -> bool {
        let former = |(kind, name, ns): &(String, String, String)| {
            *kind == id.kind && *name == id.name && ns_equal(ns, &id.namespace)
        };
        if self.former_kinds.iter().any(former) {
            return true;
        }
        if !(self.kind() == id.kind
            && self.group() == id.group
            && (id.version.is_empty() || self.version() == id.version))
        {
            return false;
        }
        let ns_ok = self.namespaces.iter().any(|ns| ns_equal(ns, &id.namespace));
        ns_ok && self.names.contains(&id.name)
    }

    pub fn labels(&self) -> Vec<(String, String)> {
        string_pairs(self.obj.pointer("/metadata/labels"))
    }

    pub fn annotations(&self) -> Vec<(String, String)> {
        string_pairs(self.obj.pointer("/metadata/annotations"))
    }
}

fn string_pairs(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| scalar_string(v)),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A scalar as text (for label values and var values that are not strings).
pub fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => super::emit::number_to_text(n),
        other => other.to_string(),
    }
}

/// kustomize treats an empty namespace and `default` as the same.
pub fn ns_equal(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        if s.is_empty() {
            "default".to_string()
        } else {
            s.to_string()
        }
    };
    norm(a) == norm(b)
}

pub fn split_api_version(av: &str) -> (&str, &str) {
    match av.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", av),
    }
}

/// A group, version and kind, any part empty to match all (kustomize's `resid.Gvk`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn new(group: &str, version: &str, kind: &str) -> Self {
        Gvk {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// kustomize's `Gvk.String()`: `Kind.version.group`.
    pub fn display(&self) -> String {
        gvk_text(&self.group, &self.version, &self.kind)
    }
}

/// kustomize's `Gvk.String()` of these parts, each empty one a placeholder.
fn gvk_text(group: &str, version: &str, kind: &str) -> String {
    format!(
        "{}.{}.{}",
        or_placeholder(kind, "[noKind]"),
        or_placeholder(version, "[noVer]"),
        or_placeholder(group, "[noGrp]")
    )
}

/// An id part as kustomize prints it: `placeholder` when empty.
pub(super) fn or_placeholder<'s>(part: &'s str, placeholder: &'s str) -> &'s str {
    if part.is_empty() {
        placeholder
    } else {
        part
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResId {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`, each empty part
    /// a placeholder (`[noKind]`, `[noVer]`, `[noGrp]`, `[noName]`, `[noNs]`).
    pub fn display(&self) -> String {
        format!(
            "{}/{}.{}",
            self.gvk_display(),
            or_placeholder(&self.name, "[noName]"),
            or_placeholder(&self.namespace, "[noNs]")
        )
    }

    /// Go's `%#v` of a kustomize `ResId`, as some of its messages print an id.
    pub fn go_syntax(&self) -> String {
        let q = crate::go::strconv::quote;
        format!(
            "resid.ResId{{Gvk:resid.Gvk{{Group:{}, Version:{}, Kind:{}, isClusterScoped:{}}}, Name:{}, Namespace:{}}}",
            q(&self.group),
            q(&self.version),
            q(&self.kind),
            self.is_cluster_scoped(),
            q(&self.name),
            q(&self.namespace)
        )
    }

    /// kustomize's `Gvk.String()`: `Kind.version.group`.
    pub fn gvk_display(&self) -> String {
        gvk_text(&self.group, &self.version, &self.kind)
    }

    /// What `same` compares, for hashing.
    fn key(&self) -> (String, String, String, String, String) {
        let ns = if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        };
        (
            self.group.clone(),
            self.version.clone(),
            self.kind.clone(),
            self.name.clone(),
            ns.to_string(),
        )
    }

    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.kind, &self.group)
    }

    /// kustomize's `EffectiveNamespace`: a placeholder for cluster-scoped
    /// kinds, `default` for an empty namespace.
    pub fn effective_namespace(&self) -> String {
        if self.is_cluster_scoped() {
            NOT_A_NAMESPACE.to_string()
        } else if self.namespace.is_empty() {
            "default".to_string()
        } else {
            self.namespace.clone()
        }
    }

    /// Whether the group, version and kind fit `selector` (empty parts match all).
    pub fn is_selected(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    pub fn same(&self, other: &ResId) -> bool {
        self.group == other.group
            && self.version == other.version
            && self.kind == other.kind
            && self.name == other.name
            && ns_equal(&self.namespace, &other.namespace)
    }
}

pub fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str()
}

pub fn set_at(v: &mut Value, path: &[&str], new: Value) {
    let mut cur = v;
    for p in &path[..path.len() - 1] {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        let entry = m
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        cur = entry;
    }
    if let Value::Object(m) = cur {
        m.insert(path[path.len() - 1].to_string(), new);
    }
}

/// Kubernetes' built-in kinds that are not namespaced, with their API
/// groups (kustomize reads this from its built-in schema, by group and kind:
/// a custom `Namespace` of another group is namespaced, as custom resources
/// are; kinds newer than that schema, such as ValidatingAdmissionPolicy, are
/// namespaced for kustomize too).
const CLUSTER_SCOPED: &[(&str, &[&str])] = &[
    ("Namespace", &[""]),
    ("Node", &[""]),
    ("PersistentVolume", &[""]),
    ("ComponentStatus", &[""]),
    ("StorageClass", &["storage.k8s.io"]),
    ("CSIDriver", &["storage.k8s.io"]),
    ("CSINode", &["storage.k8s.io"]),
    ("VolumeAttachment", &["storage.k8s.io"]),
    ("CustomResourceDefinition", &["apiextensions.k8s.io"]),
    ("ClusterRole", &["rbac.authorization.k8s.io"]),
    ("ClusterRoleBinding", &["rbac.authorization.k8s.io"]),
    ("PriorityClass", &["scheduling.k8s.io"]),
    (
        "MutatingWebhookConfiguration",
        &["admissionregistration.k8s.io"],
    ),
    (
        "ValidatingWebhookConfiguration",
        &["admissionregistration.k8s.io"],
    ),
    ("APIService", &["apiregistration.k8s.io"]),
    ("RuntimeClass", &["node.k8s.io"]),
    ("PodSecurityPolicy", &["policy", "extensions"]),
    ("IngressClass", &["networking.k8s.io"]),
    ("CertificateSigningRequest", &["certificates.k8s.io"]),
    ("FlowSchema", &["flowcontrol.apiserver.k8s.io"]),
    (
        "PriorityLevelConfiguration",
        &["flowcontrol.apiserver.k8s.io"],
    ),
    ("TokenReview", &["authentication.k8s.io"]),
    ("SelfSubjectAccessReview", &["authorization.k8s.io"]),
    ("SelfSubjectRulesReview", &["authorization.k8s.io"]),
    ("SubjectAccessReview", &["authorization.k8s.io"]),
    ("StorageVersion", &["internal.apiserver.k8s.io"]),
];

fn is_cluster_scoped(kind: &str, group: &str) -> bool {
    CLUSTER_SCOPED
        .iter()
        .any(|(k, groups)| *k == kind && groups.contains(&group))
}

impl Resource {
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(self.kind(), self.group())
    }
}

/// The resources of one kustomization being built, in order.
#[derive(Debug, Default, Clone)]
pub struct ResMap {
    pub items: Vec<Resource>,
}

impl ResMap {
    /// Adds a resource; an id already present is kustomize's "already registered" error.
    pub fn append(&mut self, r: Resource) -> Result<(), KustomizeError> {
        let id = r.id();
        if self.items.iter().any(|x| x.id().same(&id)) {
            return Err(KustomizeError::build(format!(
                "may not add resource with an already registered id: {}",
                id.display()
            )));
        }
        self.items.push(r);
        Ok(())
    }

    /// Adds many resources with the same check as `append`, in linear time.
    pub fn append_all(&mut self, other: ResMap) -> Result<(), KustomizeError> {
        let mut seen: HashSet<(String, String, String, String, String)> =
            self.items.iter().map(|r| r.id().key()).collect();
        for r in other.items {
            let id = r.id();
            if !seen.insert(id.key()) {
                return Err(KustomizeError::build(format!(
                    "may not add resource with an already registered id: {}",
                    id.display()
                )));
            }
            self.items.push(r);
        }
        Ok(())
    }

    /// Indexes of resources whose current or former id is `id`.
    pub fn find_by_any_id(&self, id: &ResId) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, r)| r.matches_any_id(id))
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
mod scope_tests {
    use super::{is_cluster_scoped, ResId};

    #[test]
    fn ids_print_as_kustomize_prints_them() {
        let id = |group: &str, version: &str, kind: &str, name: &str, namespace: &str| ResId {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.into(),
        };
        assert_eq!(
            id("apps", "v1", "Deployment", "d", "ns").display(),
            "Deployment.v1.apps/d.ns"
        );
        assert_eq!(
            id("", "", "", "", "").display(),
            "[noKind].[noVer].[noGrp]/[noName].[noNs]"
        );
        assert_eq!(
            id("", "v1", "Namespace", "n\"q", "").go_syntax(),
            "resid.ResId{Gvk:resid.Gvk{Group:\"\", Version:\"v1\", Kind:\"Namespace\", isClusterScoped:true}, Name:\"n\\\"q\", Namespace:\"\"}"
        );
    }

    #[test]
    fn cluster_scope_is_known_by_group_and_kind() {
        assert!(is_cluster_scoped("Namespace", ""));
        assert!(!is_cluster_scoped("Namespace", "servicebus.azure.com"));
        assert!(is_cluster_scoped(
            "ClusterRole",
            "rbac.authorization.k8s.io"
        ));
        assert!(!is_cluster_scoped("Deployment", "apps"));
    }
}
