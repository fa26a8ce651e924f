//! The kustomization file model (`kustomization.yaml`), read as kustomize
//! reads it: YAML 1.1 through JSON (sigs.k8s.io/yaml), then strictly into
//! kustomize's types (api/types), so a field none of them has is refused.

use super::helmcharts::{self, HelmChartArgs, HelmGlobals, LegacyHelmChartArgs};
use super::replacements::Replacement;
use super::{decode, DocumentError, KustomizeError};
use crate::yaml;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Kustomization {
    pub api_version: String,
    pub kind: String,
    pub metadata: Option<ObjectMeta>,
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
    pub secret_generator: Vec<SecretArgs>,
    pub generator_options: Option<GeneratorOptions>,
    pub vars: Vec<VarArgs>,
    pub replacements: Vec<Replacement>,
    pub crds: Vec<String>,
    pub configurations: Vec<String>,
    pub transformers: Vec<String>,
    pub generators: Vec<String>,
    pub validators: Vec<String>,
    pub sort_options: Option<SortOptions>,
    pub helm_charts: Vec<HelmChartArgs>,
    pub helm_globals: Option<HelmGlobals>,
    /// The legacy form of `helmCharts` and `helmGlobals`.
    pub helm_chart_inflation_generator: Vec<LegacyHelmChartArgs>,
    pub openapi: Map<String, Value>,
    pub build_metadata: Vec<String>,
    /// The name of the file it was read from (`kustomization.yaml`, ...).
    #[serde(skip)]
    pub file_name: String,
}

/// The kustomization's own metadata, which kustomize reads and no build step uses.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: String,
    pub labels: Map<String, Value>,
    pub annotations: Map<String, Value>,
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

/// kustomize's Selector; it serializes as Go marshals it, empty fields left out.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Selector {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label_selector: String,
    #[serde(skip_serializing_if = "String::is_empty")]
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
}

/// A `secretGenerator` entry: a generator's arguments and the Secret's type.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct SecretArgs {
    #[serde(rename = "")]
    pub generator: GeneratorArgs,
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
        // An empty document means "none" (kustomize then finds it empty).
        let fields = match json {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        let empty = is_empty(&fields);
        let mut k: Kustomization = decode::from_value_strict(Value::Object(fields))
            .map_err(|e| KustomizeError::InvalidKustomization(e.to_string()))?;
        k.fix_legacy_fields();
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

    /// kustomize's `FixKustomization`: the legacy fields moved to their successors
    /// (`bases` to resources, `imageTags` to images, `helmChartInflationGenerator` to
    /// helmCharts and, unless given, helmGlobals).
    fn fix_legacy_fields(&mut self) {
        let bases = std::mem::take(&mut self.bases);
        self.resources.extend(bases);
        let image_tags = std::mem::take(&mut self.image_tags);
        self.images.extend(image_tags);
        let (charts, globals) = helmcharts::split_legacy(&self.helm_chart_inflation_generator);
        self.helm_chart_inflation_generator.clear();
        if self.helm_globals.is_none()
            && !(globals.chart_home.is_empty() && globals.config_home.is_empty())
        {
            self.helm_globals = Some(globals);
        }
        self.helm_charts.extend(charts);
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
/// was written differs from one left out, and a null leaves it out). `fields` are the
/// fields of the file; the legacy lists are appended to others, which stay nil when they
/// add nothing.
fn is_empty(fields: &Map<String, Value>) -> bool {
    let fills = |key: &str, names: &[&str]| names.iter().any(|f| decode::fills_field(key, f));
    fields.iter().all(|(key, value)| {
        if value.is_null() || fills(key, &["apiVersion", "kind"]) {
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

    /// The errors kubectl kustomize v5.6.0 gave, and what it built.
    #[test]
    fn unknown_fields_are_refused_at_any_depth_as_kustomize_decodes_strictly() {
        let refused = |text: &str| {
            let err = Kustomization::parse(text, "kustomization.yaml", ".").unwrap_err();
            err.to_string()
        };
        for (text, key) in [
            ("resources: [a.yaml]\nfoo: bar\n", "foo"),
            ("resources: [a.yaml]\nfoo:\n", "foo"),
            ("zzz: 1\nresources: [a.yaml]\naaa: bar\n", "aaa"),
            ("images:\n- name: a\n  newtag: x\n  bogus: 1\n", "bogus"),
            (
                "patches:\n- patch: p\n  target:\n    kind: ConfigMap\n    bogus: 1\n",
                "bogus",
            ),
            (
                "replacements:\n- source:\n    kind: ConfigMap\n    labelSelector: a=b\n",
                "labelSelector",
            ),
            (
                "configMapGenerator:\n- name: g\n  options:\n    bogus: 1\n",
                "bogus",
            ),
            (
                "configMapGenerator:\n- name: g\n  literals: [a=b]\n  type: Opaque\n",
                "type",
            ),
            ("metadata:\n  name: x\n  foo: 1\n", "foo"),
            ("helmCharts:\n- name: foo\n  zork: 1\n", "zork"),
            (
                "resources: [a.yaml]\nnamePref\u{130}x: p-\n",
                "namePref\u{130}x",
            ),
        ] {
            let expected = format!("invalid Kustomization: json: unknown field \"{key}\"");
            assert_eq!(refused(text), expected, "{text:?}");
        }
        let component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nzork: 1\n";
        assert_eq!(
            refused(component),
            "invalid Kustomization: json: unknown field \"zork\""
        );
        // Every field of kustomize's types, spelled in any case, is taken.
        let k = Kustomization::parse(
            "metadata: {name: x, namespace: ns, labels: {a: b}, annotations: {c: d}}\n\
             secretGenerator:\n- name: s\n  TYPE: kubernetes.io/tls\n  Options: {immutable: true}\n\
             helmGlobals: {chartHome: ch, configHome: cf}\n\
             helmCharts: [{name: foo, nameTemplate: x, debug: true}]\n\
             replacements:\n- source: {kind: C, options: {encoding: base64}}\n  targets: [{select: {name: c}, options: {create: true}}]\n",
            "kustomization.yaml",
            ".",
        )
        .unwrap();
        assert_eq!(k.secret_generator[0].secret_type, "kubernetes.io/tls");
        assert_eq!(k.secret_generator[0].generator.name, "s");
        assert_eq!(k.helm_charts.len(), 1);
    }

    #[test]
    fn a_legacy_helm_chart_inflation_generator_is_a_chart_and_its_globals() {
        let k = Kustomization::parse(
            "helmChartInflationGenerator:\n- chartName: foo\n  chartHome: ch\n  helmHome: hh\n  extraArgs: [a]\n",
            "kustomization.yaml",
            ".",
        )
        .unwrap();
        assert!(k.helm_chart_inflation_generator.is_empty());
        // kubectl's refusal without --enable-helm names the config made of them.
        let globals = k.helm_globals.clone().unwrap_or_default();
        assert_eq!(
            helmcharts::plugin_config(&globals, &k.helm_charts[0]),
            serde_json::json!({"chartHome": "ch", "configHome": "hh", "name": "foo"})
        );
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
