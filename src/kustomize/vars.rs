//! Legacy `vars`: `$(NAME)` in the fields kustomize scans is replaced by a
//! field of a named resource, once all names are final.

use super::fieldspec::{self, apply, TransformerConfig};
use super::kustfile::VarArgs;
use super::resource::{scalar_string, ResId, ResMap};
use super::KustomizeError;
use serde_json::Value;

/// kustomize's `MergeVars`, run where the vars are declared (after that
/// kustomization's transformers): the one resource the var's objref names,
/// by its current id or any id it had, is marked as the var's source; more
/// than one is an error, none leaves the var unresolvable later.
pub fn mark_sources(res: &mut ResMap, vars: &[VarArgs]) -> Result<(), KustomizeError> {
    for var in vars {
        let o = &var.objref;
        let (mut group, mut version) = (o.group.as_str(), o.version.as_str());
        if !o.api_version.is_empty() {
            let parts: Vec<&str> = o.api_version.split('/').collect();
            match parts.as_slice() {
                [g, v] => (group, version) = (g, v),
                [v] => version = v,
                _ => {}
            }
        }
        let target = ResId {
            group: group.to_string(),
            version: version.to_string(),
            kind: o.kind.clone(),
            name: o.name.clone(),
            namespace: o.namespace.clone(),
        };
        let with_namespace = !target.namespace.is_empty() || target.is_cluster_scoped();
        let names = |id: &ResId| {
            id.name == target.name
                && id.group == target.group
                && id.version == target.version
                && id.kind == target.kind
                && (!with_namespace || id.effective_namespace() == target.effective_namespace())
        };
        let found: Vec<usize> = res
            .items
            .iter()
            .enumerate()
            .filter(|(_, r)| r.prev_res_ids().iter().chain([&r.id()]).any(names))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => res.items[*i].ref_var_names.push(var.name.clone()),
            [] => {}
            _ => {
                return Err(KustomizeError::build(format!(
                    "found {} resId matches for var {} (unable to disambiguate)",
                    found.len(),
                    var.name
                )))
            }
        }
    }
    Ok(())
}

/// kustomize's `ResolveVars`: each var takes the field of the resource
/// marked as its source, and `$(NAME)` is replaced in the var reference fields.
pub fn resolve(
    res: &mut ResMap,
    vars: &[VarArgs],
    config: &TransformerConfig,
) -> Result<(), KustomizeError> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values: Vec<(String, Value)> = Vec::new();
    for var in vars {
        let Some(idx) = res
            .items
            .iter()
            .position(|r| r.ref_var_names.contains(&var.name))
        else {
            return Err(KustomizeError::build(format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                var.name
            )));
        };
        let path = if var.fieldref.field_path.is_empty() {
            "metadata.name"
        } else {
            &var.fieldref.field_path
        };
        let v = lookup_field(&res.items[idx].obj, path).ok_or_else(|| {
            KustomizeError::build(format!(
                "field specified in var '{}' not found in corresponding resource",
                var.name
            ))
        })?;
        // Only scalars replace; anything else leaves `$(NAME)` in place.
        if !(v.is_object() || v.is_array() || v.is_null()) {
            values.push((var.name.clone(), v));
        }
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

/// kustomize's refvar filter: a string field is expanded; in a map, each
/// direct string value; in a list, each string item.
fn substitute(v: &mut Value, values: &[(String, Value)]) {
    match v {
        Value::String(s) => *v = expand(s, values),
        Value::Array(items) => {
            for item in items.iter_mut() {
                if let Value::String(s) = item {
                    *item = expand(s, values);
                }
            }
        }
        Value::Object(m) => {
            for item in m.values_mut() {
                if let Value::String(s) = item {
                    *item = expand(s, values);
                }
            }
        }
        _ => {}
    }
}

/// kustomize's `DoReplacements`: `$(NAME)` of a known var is replaced, `$$`
/// is one dollar; a field that is exactly `$(NAME)` takes the var's value
/// with its type (a number stays a number).
fn expand(s: &str, values: &[(String, Value)]) -> Value {
    let lookup = |name: &str| values.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&s[checkpoint..cursor]);
            let rest = &s[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match lookup(name) {
                            Some(value) if s.len() == name.len() + 3 => return value.clone(),
                            Some(value) => out.push_str(&scalar_string(value)),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        close + 1
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$` and the next character, kept (a whole character).
                    let next = rest.chars().next().map_or(1, char::len_utf8);
                    out.push('$');
                    out.push_str(&rest[..next]);
                    next
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint <= s.len() {
        out.push_str(&s[checkpoint..]);
    }
    Value::String(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expands_as_kustomize_do_replacements() {
        let values = vec![
            ("PORT".to_string(), json!(8080)),
            ("HOST".to_string(), json!("db")),
        ];
        assert_eq!(expand("$(PORT)", &values), json!(8080));
        assert_eq!(expand("$(HOST):$(PORT)", &values), json!("db:8080"));
        assert_eq!(expand("$$(HOST)", &values), json!("$(HOST)"));
        assert_eq!(expand("$(OTHER) $(HOST", &values), json!("$(OTHER) $(HOST"));
        assert_eq!(expand("cost $5", &values), json!("cost $5"));
        assert_eq!(expand("end$", &values), json!("end$"));
    }
}
