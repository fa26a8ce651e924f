//! Legacy `vars`: `$(NAME)` in the fields kustomize scans is replaced by a
//! field of a named resource, once all names are final.

use super::fieldspec::{self, apply, TransformerConfig};
use super::kustfile::VarArgs;
use super::resource::{scalar_string, split_api_version, ResMap};
use super::KustomizeError;
use serde_json::Value;

pub fn resolve(
    res: &mut ResMap,
    vars: &[VarArgs],
    config: &TransformerConfig,
) -> Result<(), KustomizeError> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values: Vec<(String, String)> = Vec::new();
    for var in vars {
        let o = &var.objref;
        let (mut group, mut version) = split_api_version(&o.api_version);
        if !o.group.is_empty() {
            group = &o.group;
        }
        if !o.version.is_empty() {
            version = &o.version;
        }
        let found: Vec<usize> = res
            .items
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.kind() == o.kind
                    && (o.api_version.is_empty() && o.group.is_empty() || r.group() == group)
                    && (version.is_empty() || r.version() == version)
                    && r.names.contains(&o.name)
                    && (o.namespace.is_empty() || r.namespaces.contains(&o.namespace))
            })
            .map(|(i, _)| i)
            .collect();
        let idx = match found.as_slice() {
            [i] => *i,
            [] => {
                return Err(KustomizeError::build(format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    var.name
                )))
            }
            _ => {
                return Err(KustomizeError::build(format!(
                    "found {} resId matches for var {} (unable to disambiguate)",
                    found.len(),
                    var.name
                )))
            }
        };
        let path = if var.fieldref.fieldpath.is_empty() {
            "metadata.name"
        } else {
            &var.fieldref.fieldpath
        };
        let v = lookup_field(&res.items[idx].obj, path).ok_or_else(|| {
            KustomizeError::build(format!(
                "field specified in var '{}' not found in corresponding resource",
                var.name
            ))
        })?;
        values.push((var.name.clone(), scalar_string(&v)));
    }
    let mut specs = fieldspec::var_references();
    specs.extend(config.var_reference.iter().cloned());
    for r in res.items.iter_mut() {
        apply(&specs, r, &mut |v| substitute(v, &values));
    }
    Ok(())
}

/// A dotted field path with optional `[index]` parts (`spec.ports[0].port`).
fn lookup_field(obj: &Value, path: &str) -> Option<Value> {
    let mut cur = obj;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
    }
    Some(cur.clone())
}

fn substitute(v: &mut Value, values: &[(String, String)]) {
    match v {
        Value::String(s) => *s = expand(s, values),
        Value::Array(items) => items.iter_mut().for_each(|i| substitute(i, values)),
        Value::Object(m) => m.values_mut().for_each(|i| substitute(i, values)),
        _ => {}
    }
}

/// Replaces `$(NAME)` for known names; `$$` escapes a dollar, as in Kubernetes.
fn expand(s: &str, values: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                let name = &after[..j];
                match values.iter().find(|(n, _)| n == name) {
                    Some((_, val)) => out.push_str(val),
                    None => {
                        out.push_str("$(");
                        out.push_str(name);
                        out.push(')');
                    }
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
