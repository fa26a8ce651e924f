//! `replacements`: copy a field of one resource into fields of others
//! (whole values, or one `delimiter`-separated part of them).

use super::decode;
use super::kustfile::Selector;
use super::loader::Loader;
use super::patch;
use super::resource::{ResId, ResMap};
use super::value::parse_documents;
use super::KustomizeError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A `replacements` entry (kustomize's ReplacementField): one inline, or the file
/// holding some. It serializes as Go marshals it (empty fields left out but `select`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Replacement {
    #[serde(skip_serializing_if = "String::is_empty")]
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<Target>,
}

/// kustomize's SourceSelector: a resource id and the field read from it.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
struct Source {
    #[serde(skip_serializing_if = "String::is_empty")]
    group: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    field_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Options>,
}

impl Source {
    /// The resource id the source names (kustomize prints it in its errors).
    fn res_id(&self) -> ResId {
        ResId {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }

    fn selector(&self) -> Selector {
        Selector {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            ..Selector::default()
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
struct Target {
    select: Option<Selector>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reject: Vec<Selector>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    field_paths: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Options>,
}

/// kustomize's FieldOptions (`encoding` is read and, in v5.6.0, unused).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
struct Options {
    #[serde(skip_serializing_if = "String::is_empty")]
    delimiter: String,
    #[serde(skip_serializing_if = "is_zero")]
    index: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    encoding: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    create: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The `replacements` entries of a ReplacementTransformer's configuration.
pub fn configured_entries(config: &Value) -> Result<Vec<Replacement>, KustomizeError> {
    #[derive(Default, Deserialize)]
    #[serde(default)]
    struct Config {
        replacements: Vec<Replacement>,
    }
    let c: Config = decode::from_value(config.clone())
        .map_err(|e| KustomizeError::build(format!("invalid replacement: {e}")))?;
    Ok(c.replacements)
}

/// Runs a kustomization's `replacements` entries (inline, or files holding them).
/// As ReplacementTransformer's Config, every entry is read before any runs, and one
/// naming a file with inline fields is refused; `configured` reports such failures as
/// kustomize reports configuring its builtin transformer.
pub fn run(
    ldr: &Loader,
    res: &mut ResMap,
    entries: &[Replacement],
    configured: &dyn Fn(KustomizeError) -> KustomizeError,
) -> Result<(), KustomizeError> {
    let mut loaded = Vec::with_capacity(entries.len());
    for r in entries {
        if r.path.is_empty() {
            loaded.push(r.clone());
            continue;
        }
        if r.source.is_some() || !r.targets.is_empty() {
            return Err(configured(KustomizeError::build(
                "cannot specify both path and inline replacement",
            )));
        }
        let text = ldr.load_text(&r.path).map_err(configured)?;
        for doc in parse_documents(&text, &r.path).map_err(configured)? {
            let list = match doc {
                Value::Array(items) => items,
                other => vec![other],
            };
            for item in list {
                let r: Replacement = decode::from_value(item)
                    .map_err(|e| KustomizeError::build(format!("{}: {e}", r.path)))?;
                loaded.push(r);
            }
        }
    }
    loaded.iter().try_for_each(|r| apply(res, r))
}

fn apply(res: &mut ResMap, r: &Replacement) -> Result<(), KustomizeError> {
    let Some(source) = &r.source else {
        return Err(KustomizeError::build("replacement is missing its source"));
    };
    let value = source_value(res, source)?;
    for target in &r.targets {
        let Some(select) = &target.select else {
            return Err(KustomizeError::build(
                "target must specify resources to select",
            ));
        };
        let mut chosen = patch::select_by_any_id(res, select)?;
        for reject in &target.reject {
            let rejected = patch::select_by_any_id(res, reject)?;
            chosen.retain(|i| !rejected.contains(i));
        }
        let options = target.options.clone().unwrap_or_default();
        for i in chosen {
            for path in &target.field_paths {
                let segs = split_field_path(path);
                let obj = &mut res.items[i].obj;
                let mut found = false;
                set_path(obj, &segs, options.create, &mut |v| {
                    found = true;
                    // Each target holds a copy: replacements copying a resource into
                    // itself double it every time.
                    patch::charge_copy_of(&value).map_err(KustomizeError::Limit)?;
                    replace_value(v, &value, &options)
                })?;
                if !found && !segs.iter().any(|s| s == "*") {
                    return Err(KustomizeError::build(format!(
                        "unable to find field \"{path}\" in replacement target"
                    )));
                }
            }
        }
    }
    Ok(())
}

fn source_value(res: &mut ResMap, source: &Source) -> Result<Value, KustomizeError> {
    let selector = source.selector();
    let found = patch::select_by_any_id(res, &selector)?;
    let idx = match found.as_slice() {
        [i] => *i,
        [] => {
            return Err(KustomizeError::build(format!(
                "nothing selected by {}:{}",
                selector.kind, selector.name
            )))
        }
        _ => {
            return Err(KustomizeError::build(format!(
                "multiple matches for selector {}:{}",
                selector.kind, selector.name
            )))
        }
    };
    let path = if source.field_path.is_empty() {
        "metadata.name"
    } else {
        &source.field_path
    };
    let mut value = None;
    // Reading creates nothing (`create` is false), so the resource is read in place: a
    // copy of it for each replacement would double what a self-copying one holds.
    set_path(
        &mut res.items[idx].obj,
        &split_field_path(path),
        false,
        &mut |v| {
            value = Some(v.clone());
            Ok(())
        },
    )?;
    // kyaml's IsNilOrEmpty: a null, `{}` or `[]` is as missing as an absent field.
    let value = value
        .filter(|v| {
            !(v.is_null()
                || v.as_object().is_some_and(Map::is_empty)
                || v.as_array().is_some_and(Vec::is_empty))
        })
        .ok_or_else(|| {
            KustomizeError::build(format!(
                "fieldPath `{path}` is missing for replacement source {}",
                source.res_id().display()
            ))
        })?;
    let options = source.options.clone().unwrap_or_default();
    if options.delimiter.is_empty() {
        return Ok(value);
    }
    // kustomize's getRefinedValue: one part of a scalar's text, as a string.
    let text = delimited_text(&value)?;
    let part = usize::try_from(options.index)
        .ok()
        .and_then(|i| text.split(options.delimiter.as_str()).nth(i))
        .ok_or_else(|| {
            KustomizeError::build(format!(
                "options.index {} is out of bounds for value {text}",
                options.index
            ))
        })?;
    Ok(Value::String(part.to_string()))
}

/// The text of a scalar a delimiter splits; kustomize splits nothing else.
fn delimited_text(v: &Value) -> Result<String, KustomizeError> {
    if v.is_object() || v.is_array() {
        return Err(KustomizeError::build(
            "delimiter option can only be used with scalar nodes",
        ));
    }
    Ok(super::resource::scalar_string(v))
}

/// kustomize's `setFieldValue`: with a delimiter, the source's text replaces the target
/// text's part at `index` (a negative index puts it first, one past the end last). A
/// scalar target takes only the text and keeps its type (a string stays a string, an int
/// reads the text as an int); a field just created has none, so the text resolves as a
/// plain scalar would. Any other target takes the source's value whole.
fn replace_value(v: &mut Value, new: &Value, options: &Options) -> Result<(), KustomizeError> {
    let scalar = |x: &Value| !(x.is_object() || x.is_array());
    let text = if options.delimiter.is_empty() {
        if !(scalar(v) && scalar(new)) {
            *v = new.clone();
            return Ok(());
        }
        super::resource::scalar_string(new)
    } else {
        let current = delimited_text(v)?;
        let mut parts: Vec<&str> = current.split(options.delimiter.as_str()).collect();
        let text = super::resource::scalar_string(new);
        match usize::try_from(options.index) {
            Err(_) => parts.insert(0, &text),
            Ok(i) if i >= parts.len() => parts.push(&text),
            Ok(i) => parts[i] = &text,
        }
        parts.join(&options.delimiter)
    };
    let tag = match v {
        Value::String(_) => Some("!!str"),
        Value::Bool(_) => Some("!!bool"),
        Value::Number(n) if n.is_f64() => Some("!!float"),
        Value::Number(_) => Some("!!int"),
        _ => None,
    };
    *v = super::value::scalar_value(&text, crate::yaml::ScalarStyle::Plain, tag)
        .unwrap_or(Value::String(text));
    Ok(())
}

/// `a.b.[name=x].c`, `a.b[name=x]`, `a.0`, `a.*`: dots outside brackets separate.
fn split_field_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => {
                if depth == 0 && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
                // kyaml's SmarterPathSplitter: a bracketed element spanning a
                // dot is a map key (`[cert-manager.io/inject-ca-from]`) unless
                // it holds `=`, which makes it a list entry selector.
                if depth == 0 && cur.starts_with('[') && cur.contains('.') && !cur.contains('=') {
                    cur = cur.trim_matches(|c| c == '[' || c == ']').to_string();
                }
            }
            '.' if depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

type Visit<'f> = dyn FnMut(&mut Value) -> Result<(), KustomizeError> + 'f;

/// Calls `f` on every value the path reaches, creating missing mapping
/// fields when `create`.
fn set_path(
    v: &mut Value,
    segs: &[String],
    create: bool,
    f: &mut Visit,
) -> Result<(), KustomizeError> {
    let Some((seg, rest)) = segs.split_first() else {
        return f(v);
    };
    if let Some(cond) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let (k, want) = cond.split_once('=').unwrap_or((cond, ""));
        if let Value::Array(items) = v {
            for item in items.iter_mut() {
                let hit = item.get(k).map(super::resource::scalar_string).as_deref() == Some(want);
                if hit {
                    set_path(item, rest, create, f)?;
                }
            }
        }
        return Ok(());
    }
    if seg == "*" {
        match v {
            Value::Array(items) => {
                for item in items.iter_mut() {
                    set_path(item, rest, create, f)?;
                }
            }
            Value::Object(m) => {
                for item in m.values_mut() {
                    set_path(item, rest, create, f)?;
                }
            }
            _ => {}
        }
        return Ok(());
    }
    match v {
        Value::Array(items) => {
            if let Some(item) = seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                set_path(item, rest, create, f)?;
            }
            Ok(())
        }
        Value::Object(m) => {
            if !m.contains_key(seg.as_str()) {
                if !create {
                    return Ok(());
                }
                let fresh = if rest.is_empty() {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                };
                m.insert(seg.clone(), fresh);
            }
            match m.get_mut(seg.as_str()) {
                Some(child) => set_path(child, rest, create, f),
                None => Ok(()),
            }
        }
        Value::Null if create => {
            *v = Value::Object(Map::new());
            set_path(v, segs, create, f)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{replace_value, split_field_path, KustomizeError, Options};
    use serde_json::{json, Value};

    /// As kubectl kustomize v5.6.0 wrote them (case replacements-scalar-types).
    #[test]
    fn a_scalar_target_keeps_its_type_and_takes_the_text() {
        let replaced = |target: Value, source: Value, delimiter: &str, index: i64| {
            let mut v = target;
            let options = Options {
                delimiter: delimiter.into(),
                index,
                ..Options::default()
            };
            replace_value(&mut v, &source, &options).map(|()| v)
        };
        assert_eq!(replaced(json!(1), json!("3"), "", 0), Ok(json!(3)));
        assert_eq!(replaced(json!("b"), json!(1), "", 0), Ok(json!("1")));
        // A created field is null until set: the text reads as a plain scalar.
        assert_eq!(replaced(Value::Null, json!("3"), "", 0), Ok(json!(3)));
        assert_eq!(
            replaced(json!("x"), json!({"a": 1}), "", 0),
            Ok(json!({"a": 1}))
        );
        assert_eq!(
            replaced(json!("nginx:1.0"), json!("v2"), ":", 5),
            Ok(json!("nginx:1.0:v2"))
        );
        assert_eq!(
            replaced(Value::Null, json!("v2"), "-", -1),
            Ok(json!("v2-"))
        );
        assert_eq!(replaced(json!("a:b"), json!("c"), ":", 0), Ok(json!("c:b")));
        assert!(replaced(json!({"a": 1}), json!("c"), ":", 0).is_err());
    }

    #[test]
    fn bracketed_elements_split_as_kyamls_smarter_path_splitter() {
        // A dotted key in brackets is one map key, brackets dropped.
        assert_eq!(
            split_field_path("metadata.annotations.[cert-manager.io/inject-ca-from]"),
            ["metadata", "annotations", "cert-manager.io/inject-ca-from"]
        );
        // With `=` it selects a list entry and keeps its brackets.
        assert_eq!(
            split_field_path("spec.containers.[name=a.b].image"),
            ["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(split_field_path("a.[name=x].c"), ["a", "[name=x]", "c"]);
    }

    /// Builds `kustomization` over a ConfigMap whose annotation `e` is written as nothing.
    fn built(kustomization: &str, file: &str) -> Result<String, KustomizeError> {
        let mut tree = crate::files::FileTree::new();
        tree.insert(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    e:\n    s: \"\"\ndata: {}\nbinaryData:\n  a: b\n"
                .as_bytes()
                .to_vec(),
        );
        tree.insert("r.yaml", file.as_bytes().to_vec());
        tree.insert("kustomization.yaml", kustomization.as_bytes().to_vec());
        super::super::build(&tree, "")
    }

    /// The errors kubectl kustomize v5.6.0 gave for these.
    #[test]
    fn a_null_or_empty_source_is_missing_as_kyamls_is_nil_or_empty() {
        let with_source = |field: &str| {
            built(
                &format!("resources: [cm.yaml]\nreplacements:\n- source: {{kind: ConfigMap, fieldPath: {field}}}\n  targets: [{{select: {{kind: ConfigMap}}, fieldPaths: [binaryData.a]}}]\n"),
                "",
            )
        };
        for field in ["metadata.annotations.e", "metadata.nothing", "data"] {
            assert_eq!(
                with_source(field).unwrap_err().to_string(),
                format!("fieldPath `{field}` is missing for replacement source ConfigMap.[noVer].[noGrp]/[noName].[noNs]")
            );
        }
        // An empty string is a value.
        assert!(with_source("metadata.annotations.s")
            .unwrap()
            .contains("binaryData:\n  a: \"\"\n"));
    }

    #[test]
    fn an_entry_naming_a_file_has_no_inline_fields() {
        let file = "- source: {kind: ConfigMap}\n  targets: [{select: {kind: ConfigMap}, fieldPaths: [data.x]}]\n";
        // Refused while configuring, before the entry before it runs (its target is missing).
        let err = built(
            "resources: [cm.yaml]\nreplacements:\n- source: {kind: ConfigMap}\n  targets: [{select: {kind: ConfigMap}, fieldPaths: [data.x]}]\n- path: r.yaml\n  source: {kind: ConfigMap, fieldPath: metadata.name}\n",
            file,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "trouble configuring builtin ReplacementTransformer with config: `\nReplacements:\n- source:\n    kind: ConfigMap\n  targets:\n  - fieldPaths:\n    - data.x\n    select:\n      kind: ConfigMap\n- path: r.yaml\n  source:\n    fieldPath: metadata.name\n    kind: ConfigMap\n`: cannot specify both path and inline replacement"
        );
        let ok = "resources: [cm.yaml]\nreplacements:\n- path: r.yaml\n";
        let file = "- source: {kind: ConfigMap}\n  targets: [{select: {kind: ConfigMap}, fieldPaths: [binaryData.a]}]\n";
        assert!(built(ok, file).unwrap().contains("binaryData:\n  a: cm\n"));
    }
}
