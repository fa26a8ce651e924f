//! Field specs: which field of which kinds a transformer touches
//! (`path: spec/selector/matchLabels`, `kind: Deployment`, `create: true`),
//! with kustomize's built-in defaults.

use super::kustfile::FieldSpecArgs;
use super::resource::{Gvk, Resource};
use super::value::parse_documents;
use super::KustomizeError;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Extra field specs from a kustomization's `configurations` files, merged
/// up the tree of kustomizations (kustomize's TransformerConfig).
#[derive(Debug, Default, Clone)]
pub struct TransformerConfig {
    pub common_labels: Vec<FieldSpec>,
    /// Extra fields for every `labels:` entry.
    pub labels: Vec<FieldSpec>,
    /// Extra fields for `labels:` entries with `includeTemplates`.
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    /// (the named resources' kind, field naming one).
    pub name_reference: Vec<(Gvk, FieldSpec)>,
    /// The fields `namePrefix` and `nameSuffix` change: kustomize's default
    /// (`metadata/name` of every kind) merged with `configurations`.
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    /// The fields a `replicas:` entry sets: kustomize's default (`spec/replicas` of the four
    /// replicated workload kinds) merged with `configurations`, as `namePrefix`'s are.
    pub replicas: Vec<FieldSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ConfigFile {
    common_labels: Vec<FieldSpecArgs>,
    labels: Vec<FieldSpecArgs>,
    template_labels: Vec<FieldSpecArgs>,
    common_annotations: Vec<FieldSpecArgs>,
    images: Vec<FieldSpecArgs>,
    var_reference: Vec<FieldSpecArgs>,
    namespace: Vec<FieldSpecArgs>,
    name_reference: Vec<NameRefArgs>,
    name_prefix: Vec<FieldSpecArgs>,
    name_suffix: Vec<FieldSpecArgs>,
    replicas: Vec<FieldSpecArgs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct NameRefArgs {
    group: String,
    version: String,
    kind: String,
    field_specs: Vec<FieldSpecArgs>,
}

impl TransformerConfig {
    pub fn parse(text: &str, file: &str) -> Result<Self, KustomizeError> {
        let mut out = TransformerConfig::default();
        for doc in parse_documents(text, file)? {
            // sigs.k8s.io/yaml's UnmarshalStrict, as kustomize reads these files.
            let c: ConfigFile = super::decode::from_value_strict(doc).map_err(|e| {
                KustomizeError::build(format!("error unmarshaling JSON: while decoding JSON: {e}"))
            })?;
            let specs =
                |l: Vec<FieldSpecArgs>| l.into_iter().map(FieldSpec::from).collect::<Vec<_>>();
            out.common_labels.extend(specs(c.common_labels));
            out.labels.extend(specs(c.labels));
            out.template_labels.extend(specs(c.template_labels));
            out.common_annotations.extend(specs(c.common_annotations));
            out.images.extend(specs(c.images));
            out.var_reference.extend(specs(c.var_reference));
            out.namespace.extend(specs(c.namespace));
            merge_specs(&mut out.name_prefix, specs(c.name_prefix))?;
            merge_specs(&mut out.name_suffix, specs(c.name_suffix))?;
            merge_specs(&mut out.replicas, specs(c.replicas))?;
            for n in c.name_reference {
                for f in n.field_specs {
                    let target = Gvk::new(&n.group, &n.version, &n.kind);
                    out.name_reference.push((target, f.into()));
                }
            }
        }
        Ok(out)
    }

    /// The configuration one kustomization contributes: kustomize's
    /// defaults merged with its `configurations` files (already merged).
    pub fn with_defaults(files: TransformerConfig) -> Result<Self, KustomizeError> {
        let name = || vec![FieldSpec::new("", "", "metadata/name", false)];
        let replicated = [
            "Deployment",
            "ReplicationController",
            "ReplicaSet",
            "StatefulSet",
        ];
        let mut replicas = Vec::new();
        merge_specs(
            &mut replicas,
            replicated
                .iter()
                .map(|kind| FieldSpec::new(kind, "", "spec/replicas", true))
                .collect(),
        )?;
        let mut out = TransformerConfig {
            name_prefix: name(),
            name_suffix: name(),
            replicas,
            ..TransformerConfig::default()
        };
        out.merge(files)?;
        Ok(out)
    }

    /// Merges `other` in. The name prefix/suffix and replicas field specs merge as
    /// kustomize's `FsSlice.MergeAll` (a spec already covered by one
    /// selecting its kinds at the same path is dropped), then are sorted by
    /// kind as kustomize sorts them: which specs survive depends on it.
    pub fn merge(&mut self, other: TransformerConfig) -> Result<(), KustomizeError> {
        merge_specs(&mut self.name_prefix, other.name_prefix)?;
        merge_specs(&mut self.name_suffix, other.name_suffix)?;
        merge_specs(&mut self.replicas, other.replicas)?;
        self.common_labels.extend(other.common_labels);
        self.labels.extend(other.labels);
        self.template_labels.extend(other.template_labels);
        self.common_annotations.extend(other.common_annotations);
        self.images.extend(other.images);
        self.var_reference.extend(other.var_reference);
        self.namespace.extend(other.namespace);
        self.name_reference.extend(other.name_reference);
        Ok(())
    }
}

/// kustomize's `FsSlice.MergeAll` followed by its sort.
fn merge_specs(into: &mut Vec<FieldSpec>, incoming: Vec<FieldSpec>) -> Result<(), KustomizeError> {
    for x in incoming {
        let covered = into
            .iter()
            .find(|s| s.path == x.path && s.gvk_selected_by(&x.gvk()));
        match covered {
            Some(s) if s.create != x.create => {
                return Err(KustomizeError::build("conflicting fieldspecs"))
            }
            Some(_) => {}
            None => into.push(x),
        }
    }
    into.sort_by_key(|s| {
        let order = super::accumulate::kind_order(&s.kind);
        let part = |p: &str, none: &str| {
            if p.is_empty() {
                none.to_string()
            } else {
                p.to_string()
            }
        };
        let stable = format!(
            "{}_{}_{}",
            part(&s.group, "~G"),
            part(&s.version, "~V"),
            part(&s.kind, "~K")
        );
        (order, stable)
    });
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub path: String,
    pub create: bool,
}

impl From<FieldSpecArgs> for FieldSpec {
    fn from(f: FieldSpecArgs) -> Self {
        FieldSpec {
            group: f.group,
            version: f.version,
            kind: f.kind,
            path: f.path,
            create: f.create,
        }
    }
}

impl FieldSpec {
    pub fn new(kind: &str, group: &str, path: &str, create: bool) -> Self {
        FieldSpec {
            group: group.into(),
            version: String::new(),
            kind: kind.into(),
            path: path.into(),
            create,
        }
    }

    pub fn applies_to(&self, r: &Resource) -> bool {
        (self.kind.is_empty() || self.kind == r.kind())
            && (self.group.is_empty() || self.group == r.group())
            && (self.version.is_empty() || self.version == r.version())
    }

    /// The kinds the spec selects.
    pub fn gvk(&self) -> Gvk {
        Gvk::new(&self.group, &self.version, &self.kind)
    }

    /// kustomize's `Gvk.IsSelected` of this spec's own group, version and
    /// kind by `selector` (its empty parts match anything).
    fn gvk_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// The path's segments, honouring `\/` escapes; a `[]` suffix (a list,
    /// walked element by element and never created) stays for `visit`.
    pub fn segments(&self) -> Vec<String> {
        split_path(&self.path)
    }
}

pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Calls `f` on every value the path reaches, creating missing mappings
/// along the way when `create` (the last segment is created as `Null`).
pub fn visit(v: &mut Value, segs: &[String], create: bool, f: &mut dyn FnMut(&mut Value)) {
    if segs.is_empty() {
        f(v);
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                visit(item, segs, create, f);
            }
        }
        Value::Object(m) => {
            // `name[]` names a list: walked when present, never created.
            let (key, is_list) = match segs[0].strip_suffix("[]") {
                Some(k) => (k, true),
                None => (segs[0].as_str(), false),
            };
            if !m.contains_key(key) {
                if !create || is_list {
                    return;
                }
                let fresh = if segs.len() == 1 {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                };
                m.insert(key.to_string(), fresh);
            }
            if let Some(child) = m.get_mut(key) {
                visit(child, &segs[1..], create, f);
            }
        }
        _ => {}
    }
}

/// Runs `f` at every field any matching spec names in `r`.
pub fn apply(specs: &[FieldSpec], r: &mut Resource, f: &mut dyn FnMut(&mut Value)) {
    let matching: Vec<&FieldSpec> = specs.iter().filter(|s| s.applies_to(r)).collect();
    for spec in matching {
        visit(&mut r.obj, &spec.segments(), spec.create, f);
    }
}

fn fs(kind: &str, group: &str, path: &str, create: bool) -> FieldSpec {
    FieldSpec::new(kind, group, path, create)
}

const WORKLOADS_WITH_TEMPLATE: &[(&str, &str)] = &[
    ("ReplicationController", ""),
    ("Deployment", ""),
    ("ReplicaSet", ""),
    ("DaemonSet", ""),
    ("StatefulSet", "apps"),
    ("Job", "batch"),
];

/// `metadata/labels` plus pod-template labels (kustomize's metadataLabels).
pub fn metadata_labels() -> Vec<FieldSpec> {
    template_meta("labels")
}

pub fn common_annotations() -> Vec<FieldSpec> {
    template_meta("annotations")
}

fn template_meta(field: &str) -> Vec<FieldSpec> {
    let mut v = vec![fs("", "", &format!("metadata/{field}"), true)];
    for (kind, group) in WORKLOADS_WITH_TEMPLATE {
        v.push(fs(
            kind,
            group,
            &format!("spec/template/metadata/{field}"),
            true,
        ));
    }
    v.push(fs(
        "CronJob",
        "batch",
        &format!("spec/jobTemplate/metadata/{field}"),
        true,
    ));
    v.push(fs(
        "CronJob",
        "batch",
        &format!("spec/jobTemplate/spec/template/metadata/{field}"),
        true,
    ));
    v
}

/// kustomize's commonLabels field specs: metadata, templates and selectors.
pub fn common_labels() -> Vec<FieldSpec> {
    let mut v = vec![
        fs("Service", "", "spec/selector", true),
        fs("ReplicationController", "", "spec/selector", true),
        fs("Deployment", "", "spec/selector/matchLabels", true),
    ];
    let affinity = [
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
    ];
    for p in affinity {
        v.push(fs("Deployment", "apps", p, false));
    }
    v.push(fs("ReplicaSet", "", "spec/selector/matchLabels", true));
    v.push(fs("DaemonSet", "", "spec/selector/matchLabels", true));
    v.push(fs("StatefulSet", "apps", "spec/selector/matchLabels", true));
    v.push(fs(
        "StatefulSet",
        "apps",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ));
    for p in affinity {
        v.push(fs("StatefulSet", "apps", p, false));
    }
    v.push(fs("Job", "batch", "spec/selector/matchLabels", false));
    v.push(fs(
        "CronJob",
        "batch",
        "spec/jobTemplate/spec/selector/matchLabels",
        false,
    ));
    v.push(fs(
        "PodDisruptionBudget",
        "policy",
        "spec/selector/matchLabels",
        false,
    ));
    v.push(fs(
        "NetworkPolicy",
        "networking.k8s.io",
        "spec/podSelector/matchLabels",
        false,
    ));
    v.push(fs(
        "NetworkPolicy",
        "networking.k8s.io",
        "spec/ingress/from/podSelector/matchLabels",
        false,
    ));
    v.push(fs(
        "NetworkPolicy",
        "networking.k8s.io",
        "spec/egress/to/podSelector/matchLabels",
        false,
    ));
    v.extend(metadata_labels());
    v
}

/// Fields holding `$(VAR)` references kustomize substitutes by default
/// (its varReference configuration, quirks included: CronJob's nfs path
/// lacks a `spec`, StatefulSets look in their volume claim templates).
pub fn var_references() -> Vec<FieldSpec> {
    let mut v = Vec::new();
    let pod_specs: [(&str, &str, &str); 7] = [
        (
            "CronJob",
            "spec/jobTemplate/spec/template/spec",
            "spec/jobTemplate/spec/template/volumes/nfs/server",
        ),
        (
            "DaemonSet",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "Deployment",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "Job",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        ("Pod", "spec", "spec/volumes/nfs/server"),
        (
            "ReplicaSet",
            "spec/template/spec",
            "spec/template/spec/volumes/nfs/server",
        ),
        (
            "StatefulSet",
            "spec/template/spec",
            "spec/volumeClaimTemplates/spec/nfs/server",
        ),
    ];
    for (kind, base, nfs) in pod_specs {
        for c in ["containers", "initContainers"] {
            for f in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                v.push(fs(kind, "", &format!("{base}/{c}/{f}"), false));
            }
        }
        v.push(fs(kind, "", nfs, false));
    }
    v.push(fs(
        "Deployment",
        "",
        "spec/template/metadata/annotations",
        false,
    ));
    v.push(fs("Ingress", "", "spec/rules/host", false));
    v.push(fs("Ingress", "", "spec/tls/hosts", false));
    v.push(fs("Ingress", "", "spec/tls/secretName", false));
    v.push(fs("Service", "", "spec/ports/port", false));
    v.push(fs("Service", "", "spec/ports/targetPort", false));
    v.push(fs("PersistentVolume", "", "spec/nfs/server", false));
    v.push(fs("", "", "metadata/labels", false));
    v.push(fs("", "", "metadata/annotations", false));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// kubectl kustomize v5.6.0's errors for `configurations` files of these shapes.
    #[test]
    fn a_configuration_file_is_read_strictly() {
        let refused = |text: &str| TransformerConfig::parse(text, "c.yaml").unwrap_err();
        assert_eq!(
            refused("commonLabels:\n- path: spec/x\n  kind: ConfigMap\n  bogus: 1\n").to_string(),
            "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\""
        );
        assert_eq!(
            refused("nameReference:\n- kind: ConfigMap\n  fieldSpecs: [{path: x, kind: Foo}]\n  bogus: 1\n")
                .to_string(),
            "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\""
        );
        assert!(
            TransformerConfig::parse("replicas:\n- path: spec/count\n  kind: C\n", "c.yaml")
                .is_ok()
        );
    }

    /// The replicas field specs: kustomize's four defaults in its kind order (kubectl lists
    /// them so in its "does not match a config" error), a configured one merged in by kind,
    /// and a configured copy of a default dropped as kustomize's MergeAll drops it.
    #[test]
    fn replicas_field_specs_merge_into_the_defaults() {
        let kinds = |c: &TransformerConfig| -> Vec<String> {
            c.replicas.iter().map(|s| s.gvk().display()).collect()
        };
        let defaults = TransformerConfig::with_defaults(TransformerConfig::default()).unwrap();
        assert_eq!(
            kinds(&defaults),
            [
                "Deployment.[noVer].[noGrp]",
                "StatefulSet.[noVer].[noGrp]",
                "ReplicaSet.[noVer].[noGrp]",
                "ReplicationController.[noVer].[noGrp]"
            ]
        );
        let files = TransformerConfig::parse(
            "replicas:\n- {path: spec/size, kind: Thing, group: example.com, create: true}\n- {path: spec/replicas, kind: Deployment, create: true}\n",
            "c.yaml",
        )
        .unwrap();
        let merged = TransformerConfig::with_defaults(files).unwrap();
        assert_eq!(merged.replicas.len(), 5);
        assert!(kinds(&merged).contains(&"Thing.[noVer].example.com".to_string()));
    }

    #[test]
    fn a_list_segment_is_walked_but_never_created() {
        let segs = split_path("spec/volumeClaimTemplates[]/metadata/labels");
        let mut absent = json!({"spec": {}});
        visit(&mut absent, &segs, true, &mut |v| *v = json!({"a": "b"}));
        assert_eq!(absent, json!({"spec": {}}));
        let mut present = json!({"spec": {"volumeClaimTemplates": [{"metadata": {}}]}});
        visit(&mut present, &segs, true, &mut |v| *v = json!({"a": "b"}));
        assert_eq!(
            present,
            json!({"spec": {"volumeClaimTemplates": [{"metadata": {"labels": {"a": "b"}}}]}})
        );
    }
}
