//! The `crds:` field: OpenAPI definition files (type name → `{Schema: ...}`)
//! whose `x-kubernetes-*` property extensions add field specs, as kustomize's
//! accumulator derives a transformer config from CRD definitions.
//!
//! A definition counts when its properties hold `kind`, `apiVersion` and
//! `metadata`; its kind is the type name after the last dot. Its properties
//! are walked, following `$ref` into other definitions of the same file:
//! `x-kubernetes-annotation` adds a commonAnnotations spec,
//! `x-kubernetes-label-selector` a commonLabels spec, and
//! `x-kubernetes-object-ref-kind` with `x-kubernetes-object-ref-api-version`
//! a name reference to that kind at `<path>/<x-kubernetes-object-ref-name-key
//! or "name">`.

use super::fieldspec::{FieldSpec, TransformerConfig};
use super::resource::Gvk;
use super::value::parse_documents;
use super::KustomizeError;
use serde_json::{Map, Value};

const X_ANNOTATION: &str = "x-kubernetes-annotation";
const X_LABEL_SELECTOR: &str = "x-kubernetes-label-selector";
const X_REF_VERSION: &str = "x-kubernetes-object-ref-api-version";
const X_REF_KIND: &str = "x-kubernetes-object-ref-kind";
const X_REF_NAME_KEY: &str = "x-kubernetes-object-ref-name-key";

/// The transformer config one CRD definitions file adds.
pub fn config_from_crd_file(text: &str, file: &str) -> Result<TransformerConfig, KustomizeError> {
    let mut out = TransformerConfig::default();
    for doc in parse_documents(text, file)? {
        let Value::Object(defs) = doc else {
            return Err(KustomizeError::build(format!(
                "{file}: a CRD definitions file must map type names to definitions"
            )));
        };
        for (name, def) in &defs {
            let props = properties(def);
            if !["kind", "apiVersion", "metadata"]
                .iter()
                .all(|k| props.is_some_and(|p| p.contains_key(*k)))
            {
                continue;
            }
            let kind = name.rsplit('.').next().unwrap_or(name);
            walk(&mut out, kind, &defs, name, &mut Vec::new(), 0);
        }
    }
    Ok(out)
}

fn properties(def: &Value) -> Option<&Map<String, Value>> {
    def.get("Schema")?.get("properties")?.as_object()
}

/// Adds the specs `type_name`'s properties carry, reached from a `kind`
/// object at `path`. `depth` bounds `$ref` cycles.
fn walk(
    out: &mut TransformerConfig,
    kind: &str,
    defs: &Map<String, Value>,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) {
    const MAX_REF_DEPTH: usize = 64;
    let Some(props) = defs.get(type_name).and_then(properties) else {
        return;
    };
    for (prop, schema) in props {
        path.push(prop.clone());
        let ext = |key: &str| schema.get(key).and_then(Value::as_str);
        let spec = |p: &[String]| FieldSpec::new(kind, "", &p.join("/"), false);
        if ext(X_ANNOTATION).is_some() {
            out.common_annotations.push(spec(path));
        }
        if ext(X_LABEL_SELECTOR).is_some() {
            out.common_labels.push(spec(path));
        }
        if let (Some(ref_version), Some(ref_kind)) = (ext(X_REF_VERSION), ext(X_REF_KIND)) {
            let mut name_path = path.clone();
            name_path.push(ext(X_REF_NAME_KEY).unwrap_or("name").to_string());
            let target = Gvk::new("", ref_version, ref_kind);
            out.name_reference.push((target, spec(&name_path)));
        }
        if let Some(target) = ext("$ref") {
            if depth < MAX_REF_DEPTH {
                walk(out, kind, defs, target, path, depth + 1);
            }
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFS: &str = r#"{
  "example.com/v1.Widget": {"Schema": {"properties": {
    "apiVersion": {}, "kind": {}, "metadata": {},
    "spec": {"$ref": "example.com/v1.WidgetSpec"}}}},
  "example.com/v1.WidgetSpec": {"Schema": {"properties": {
    "configRef": {"x-kubernetes-object-ref-api-version": "v1",
                  "x-kubernetes-object-ref-kind": "ConfigMap",
                  "$ref": "example.com/v1.Ref"},
    "ownerRef": {"x-kubernetes-object-ref-api-version": "v1",
                 "x-kubernetes-object-ref-kind": "Secret",
                 "x-kubernetes-object-ref-name-key": "secretName"},
    "notes": {"x-kubernetes-annotation": ""},
    "pick": {"x-kubernetes-label-selector": ""}}}},
  "example.com/v1.Ref": {"Schema": {"properties": {"name": {}}}},
  "example.com/v1.NotAType": {"Schema": {"properties": {
    "kind": {}, "ref": {"x-kubernetes-object-ref-api-version": "v1",
                        "x-kubernetes-object-ref-kind": "Secret"}}}}
}"#;

    #[test]
    fn crd_extensions_become_field_specs_of_the_kind() {
        let c = config_from_crd_file(DEFS, "crd.json").unwrap();
        let refs: Vec<(&str, &str, &str)> = c
            .name_reference
            .iter()
            .map(|(k, s)| (k.kind.as_str(), s.kind.as_str(), s.path.as_str()))
            .collect();
        assert_eq!(
            refs,
            [
                ("ConfigMap", "Widget", "spec/configRef/name"),
                ("Secret", "Widget", "spec/ownerRef/secretName"),
            ]
        );
        assert_eq!(c.common_annotations[0].path, "spec/notes");
        assert_eq!(c.common_labels[0].path, "spec/pick");
        assert_eq!(c.common_labels[0].kind, "Widget");
    }

    #[test]
    fn yaml_definitions_read_like_json() {
        let yaml = "a.B:\n  Schema:\n    properties:\n      kind: {}\n      apiVersion: {}\n      metadata: {}\n      x:\n        x-kubernetes-object-ref-api-version: v1\n        x-kubernetes-object-ref-kind: Secret\n";
        let c = config_from_crd_file(yaml, "crd.yaml").unwrap();
        assert_eq!(c.name_reference[0].1.path, "x/name");
        assert_eq!(c.name_reference[0].1.kind, "B");
    }
}
