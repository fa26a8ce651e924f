//! The kustomization file model (`kustomization.yaml`), read as kustomize
//! reads it: YAML 1.1 through JSON (sigs.k8s.io/yaml), unknown fields ignored.

use super::{decode, DocumentError, KustomizeError};
use crate::yaml;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Kustomization {
    pub api_version: String,
    pub kind: String,
    pub resources: Vec<String>,
    pub bases: Vec<String>,
    pub components: Vec<String>,
    pub namespace: String,
    pub name_prefix: String,
    pub name_suffix: String,
    pub common_labels: Map<String, Value>,
    pub labels: Vec<LabelArgs>,
    pub common_annotations: Map<String, Value>,
    pub images: Vec<ImageArgs>,
    pub image_tags: Vec<ImageArgs>,
    pub replicas: Vec<ReplicaArgs>,
    pub patches: Vec<PatchArgs>,
    pub patches_strategic_merge: Vec<String>,
    pub patches_json6902: Vec<PatchArgs>,
    pub config_map_generator: Vec<GeneratorArgs>,
    pub secret_generator: Vec<GeneratorArgs>,
    pub generator_options: Option<GeneratorOptions>,
    pub vars: Vec<VarArgs>,
    pub replacements: Vec<Value>,
    pub crds: Vec<String>,
    pub configurations: Vec<String>,
    pub transformers: Vec<String>,
    pub generators: Vec<String>,
    pub validators: Vec<String>,
    pub sort_options: Option<SortOptions>,
    pub helm_charts: Vec<Value>,
    pub helm_globals: Option<super::helmcharts::HelmGlobals>,
    pub openapi: Map<String, Value>,
    pub build_metadata: Vec<String>,
    /// The name of the file it was read from (`kustomization.yaml`, ...).
    #[serde(skip)]
    pub file_name: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabelArgs {
    pub pairs: Map<String, Value>,
    pub include_selectors: bool,
    pub include_templates: bool,
    pub fields: Vec<FieldSpecArgs>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FieldSpecArgs {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub path: String,
    pub create: bool,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ImageArgs {
    pub name: String,
    pub new_name: String,
    pub new_tag: String,
    pub digest: String,
    pub tag_suffix: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReplicaArgs {
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Selector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PatchArgs {
    pub path: String,
    pub patch: String,
    pub target: Option<Selector>,
    pub options: Map<String, Value>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GeneratorOptions {
    pub labels: Map<String, Value>,
    pub annotations: Map<String, Value>,
    pub disable_name_suffix_hash: Option<bool>,
    pub immutable: Option<bool>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GeneratorArgs {
    pub name: String,
    pub namespace: String,
    pub behavior: String,
    pub files: Vec<String>,
    pub literals: Vec<String>,
    pub envs: Vec<String>,
    pub env: String,
    pub options: Option<GeneratorOptions>,
    #[serde(rename = "type")]
    pub secret_type: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VarArgs {
    pub name: String,
    pub objref: ObjRef,
    pub fieldref: FieldRef,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjRef {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub api_version: String,
    pub group: String,
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FieldRef {
    pub field_path: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SortOptions {
    pub order: String,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LegacySortOptions {
    pub order_first: Vec<String>,
    pub order_last: Vec<String>,
}

pub const COMPONENT_KIND: &str = "Component";
pub const KUSTOMIZATION_KIND: &str = "Kustomization";

impl Kustomization {
    /// Reads the kustomization file `file`; `shown_dir` is its folder as messages name it.
    pub fn parse(text: &str, file: &str, shown_dir: &str) -> Result<Self, KustomizeError> {
        let malformed = |e| KustomizeError::MalformedYaml {
            file: file.to_string(),
            error: DocumentError::Yaml(e),
        };
        let node = yaml::load_one(text, &yaml::Limits::default()).map_err(malformed)?;
        let json = yaml::to_json(&node).map_err(malformed)?;
        // An empty document, and fields left empty (`components:`), mean "none".
        let json = match json {
            Value::Object(m) => {
                Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
            }
            _ => Value::Object(Map::new()),
        };
        let empty = json.as_object().is_some_and(is_empty);
        let mut k: Kustomization = decode::from_value(json)
            .map_err(|e| KustomizeError::InvalidKustomization(format!("{file}: {e}")))?;
        // Legacy `bases` are resources, `imageTags` images (kustomize's FixKustomization).
        let bases = std::mem::take(&mut k.bases);
        k.resources.extend(bases);
        let image_tags = std::mem::take(&mut k.image_tags);
        k.images.extend(image_tags);
        if empty {
            return Err(KustomizeError::build("kustomization.yaml is empty"));
        }
        let problems = k.field_problems();
        if !problems.is_empty() {
            return Err(KustomizeError::build(format!(
                "Failed to read kustomization file under {shown_dir}:\n{}",
                problems.join("\n")
            )));
        }
        if k.kind.is_empty() {
            k.kind = KUSTOMIZATION_KIND.into();
        }
        Ok(k)
    }

    /// kustomize's `EnforceFields`: a known kind, and the apiVersion that
    /// kind requires when one is given.
    fn field_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.kind.is_empty() && self.kind != KUSTOMIZATION_KIND && self.kind != COMPONENT_KIND {
            problems.push(format!(
                "kind should be {KUSTOMIZATION_KIND} or {COMPONENT_KIND}"
            ));
        }
        let required = if self.kind == COMPONENT_KIND {
            "kustomize.config.k8s.io/v1alpha1"
        } else {
            "kustomize.config.k8s.io/v1beta1"
        };
        if !self.api_version.is_empty() && self.api_version != required {
            problems.push(format!("apiVersion for {} should be {required}", self.kind));
        }
        problems
    }

    pub fn is_component(&self) -> bool {
        self.kind == COMPONENT_KIND
    }
}

/// kustomize's `CheckEmpty`: after `FixKustomization`, the kustomization equals an empty
/// one but for apiVersion and kind (Go's reflect.DeepEqual, where an empty list or map that
/// was written differs from one left out). `fields` are the non-null fields of the file;
/// the legacy lists are appended to others, which stay nil when they add nothing.
fn is_empty(fields: &Map<String, Value>) -> bool {
    let fills = |key: &str, names: &[&str]| names.iter().any(|f| decode::fills_field(key, f));
    fields.iter().all(|(key, value)| {
        if fills(key, &["apiVersion", "kind"]) {
            true
        } else if fills(key, &["bases", "imageTags", "helmChartInflationGenerator"]) {
            value.as_array().is_some_and(Vec::is_empty)
        } else if fills(key, &["namePrefix", "nameSuffix", "namespace"]) {
            value.as_str() == Some("")
        } else {
            false
        }
    })
}

/// A string map from a kustomization (labels, annotations): values are
/// stringified the way JSON decoding into `map[string]string` would need.
pub fn string_map(m: &Map<String, Value>) -> Vec<(String, String)> {
    m.iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.clone(), s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_match_case_insensitively_as_go_json_does() {
        let k = Kustomization::parse(
            "nameprefix: p-\nNAMESUFFIX: -s\npatchesJSON6902: []\nresources: [a.yaml]\n",
            "kustomization.yaml",
            ".",
        )
        .unwrap();
        assert_eq!(k.name_prefix, "p-");
        assert_eq!(k.name_suffix, "-s");
        assert_eq!(k.resources, ["a.yaml"]);
        // Nested structs match the same way: kustomize spells it `fieldPath`.
        let k = Kustomization::parse(
            "vars:\n- name: V\n  objref: {kind: Service, name: s, apiVersion: v1}\n  fieldref: {fieldPath: spec.x}\n- name: W\n  OBJREF: {Name: t}\n  fieldref: {fieldpath: spec.y}\n",
            "kustomization.yaml",
            ".",
        )
        .unwrap();
        assert_eq!(k.vars[0].fieldref.field_path, "spec.x");
        assert_eq!(k.vars[1].objref.name, "t");
        assert_eq!(k.vars[1].fieldref.field_path, "spec.y");
    }

    #[test]
    fn a_component_needs_the_v1alpha1_api_version() {
        let bad =
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\nresources: [a.yaml]\n";
        let err = Kustomization::parse(bad, "c/kustomization.yaml", "/abs/c").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Failed to read kustomization file under /abs/c:\napiVersion for Component should be kustomize.config.k8s.io/v1alpha1"
        );
        let good =
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [a.yaml]\n";
        assert!(Kustomization::parse(good, "c/kustomization.yaml", "c").is_ok());
        assert!(Kustomization::parse("kind: Other\nresources: []\n", "k.yaml", ".").is_err());
    }

    /// Each input as kubectl kustomize v5.6.0 took it: refused as empty, or built.
    #[test]
    fn an_empty_kustomization_is_refused_as_kustomize_checks_it() {
        let parse = |text: &str| Kustomization::parse(text, "kustomization.yaml", ".");
        for empty in [
            "",
            "# nothing\n",
            "resources:\n",
            "bases: []\n",
            "imageTags: []\n",
            "namespace: \"\"\nNamePrefix: \"\"\n",
            "kind: Component\napiVersion: kustomize.config.k8s.io/v1alpha1\n",
            "kind: Other\n",
        ] {
            let err = parse(empty).map(|_| ()).unwrap_err();
            assert_eq!(err.to_string(), "kustomization.yaml is empty", "{empty:?}");
        }
        // A list or map written empty is no longer the zero value Go compares with.
        for kept in [
            "resources: []\n",
            "commonLabels: {}\n",
            "generatorOptions: {}\n",
            "openapi: {}\n",
            "bases: []\nbuildMetadata: []\n",
        ] {
            assert!(parse(kept).is_ok(), "{kept:?}");
        }
    }

    #[test]
    fn legacy_image_tags_are_images() {
        let k = Kustomization::parse(
            "images: [{name: a, newTag: \"1\"}]\nimageTags: [{name: b, newTag: \"2\"}]\n",
            "kustomization.yaml",
            ".",
        )
        .unwrap();
        let names: Vec<&str> = k.images.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
