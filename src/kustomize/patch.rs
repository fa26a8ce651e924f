//! Patches: strategic merge (with Kubernetes' list merge keys for built-in
//! kinds), JSON 6902, and the target selectors that pick what they patch.

use super::kustfile::Selector;
use super::resource::{ResMap, Resource};
use super::KustomizeError;
use crate::budget::{self, LimitExceeded};
use crate::go::regexp;
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};

/// Kinds whose schema kustomize knows, so their lists merge by key.
fn is_builtin_kind(kind: &str) -> bool {
    matches!(
        kind,
        "Pod"
            | "PodTemplate"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "CronJob"
            | "Service"
            | "ServiceAccount"
            | "ConfigMap"
            | "Secret"
            | "Namespace"
            | "PersistentVolumeClaim"
            | "PersistentVolume"
            | "Ingress"
            | "NetworkPolicy"
            | "HorizontalPodAutoscaler"
            | "PodDisruptionBudget"
            | "Role"
            | "ClusterRole"
            | "RoleBinding"
            | "ClusterRoleBinding"
    )
}

/// The merge keys of a list field in the Kubernetes schema (by field name and
/// the list's parent field).
fn merge_keys(field: &str, parent: &str) -> Option<&'static [&'static str]> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => &["name"],
        "volumeMounts" => &["mountPath"],
        "volumeDevices" => &["devicePath"],
        "hostAliases" => &["ip"],
        "topologySpreadConstraints" => &["topologyKey", "whenUnsatisfiable"],
        "readinessGates" => &["conditionType"],
        "ports" if parent == "spec" => &["port", "protocol"],
        "ports" => &["containerPort", "protocol"],
        _ => return None,
    })
}

pub struct SmpContext {
    /// Lists merge by key (a built-in kind, or a custom OpenAPI schema given).
    pub keyed: bool,
}

/// Applies a strategic-merge patch to `dest`. Returns false when the patch
/// deletes the whole object (`$patch: delete` at its top).
///
/// Each patch node and each element of the lists it merges into is a step of the input's
/// work budget, charged before the merge: patches times targets stay bounded.
pub fn strategic_merge(
    dest: &mut Value,
    patch: &Value,
    keyed: bool,
) -> Result<bool, LimitExceeded> {
    budget::charge_work(nodes(patch))?;
    if directive(patch) == Some("delete") {
        return Ok(false);
    }
    let ctx = SmpContext { keyed };
    merge_value(dest, patch, "", "", &ctx)?;
    Ok(true)
}

/// Bytes a node copied into a resource is counted as holding: a JSON value with its key and
/// its place in the map.
const NODE_BYTES: u64 = 128;

/// Charges `nodes` copied into a resource to the input's bytes: patches growing their
/// targets (or copies doubling a document) hold what they make.
fn charge_copy(nodes: u64) -> Result<(), LimitExceeded> {
    budget::charge_bytes(nodes.saturating_mul(NODE_BYTES))
}

/// [`clean`], charged as a copy.
fn copied(v: &Value) -> Result<Value, LimitExceeded> {
    let copy = clean(v);
    charge_copy(nodes(&copy))?;
    Ok(copy)
}

/// The nodes of a value (each scalar, list and map counts one): the work of walking or
/// copying it.
fn nodes(v: &Value) -> u64 {
    1 + match v {
        Value::Object(m) => m.values().map(|v| crate::stack::deep(|| nodes(v))).sum(),
        Value::Array(a) => a.iter().map(|v| crate::stack::deep(|| nodes(v))).sum(),
        _ => 0,
    }
}

fn directive(v: &Value) -> Option<&str> {
    v.get("$patch").and_then(Value::as_str)
}

fn is_directive_key(k: &str) -> bool {
    k == "$patch"
        || k == "$retainKeys"
        || k.starts_with("$setElementOrder/")
        || k.starts_with("$deleteFromPrimitiveList/")
}

/// A patch value without its directives, as it lands where nothing existed.
fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !is_directive_key(k))
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|x| directive(x) != Some("delete"))
                .map(clean)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge_value(
    dest: &mut Value,
    patch: &Value,
    field: &str,
    parent: &str,
    ctx: &SmpContext,
) -> Result<(), LimitExceeded> {
    match patch {
        Value::Object(pm) => {
            if directive(patch) == Some("replace") || !dest.is_object() {
                *dest = copied(patch)?;
                return Ok(());
            }
            let Value::Object(dm) = dest else {
                return Ok(());
            };
            crate::stack::deep(|| merge_map(dm, pm, field, ctx))?;
        }
        Value::Array(pa) => {
            let keys = if ctx.keyed {
                merge_keys(field, parent)
            } else {
                None
            };
            match (keys, dest) {
                (Some(keys), Value::Array(da)) => {
                    crate::stack::deep(|| merge_keyed_list(da, pa, keys, field, ctx))?
                }
                (_, dest) => *dest = copied(patch)?,
            }
        }
        other => *dest = other.clone(),
    }
    Ok(())
}

fn merge_map(
    dm: &mut Map<String, Value>,
    pm: &Map<String, Value>,
    field: &str,
    ctx: &SmpContext,
) -> Result<(), LimitExceeded> {
    for (k, pv) in pm {
        if is_directive_key(k) {
            continue;
        }
        if pv.is_null() {
            dm.shift_remove(k);
            continue;
        }
        if directive(pv) == Some("delete") {
            dm.shift_remove(k);
            continue;
        }
        match dm.get_mut(k) {
            Some(dv) => merge_value(dv, pv, k, field, ctx)?,
            None => {
                dm.insert(k.clone(), copied(pv)?);
            }
        }
    }
    Ok(())
}

fn key_of(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            v.get(*k)
                .map(super::resource::scalar_string)
                .unwrap_or_default()
        })
        .collect()
}

/// kyaml's associative merge: the patch's elements first, in patch order
/// (merged into the first dest element not yet merged with the same keys), then the dest
/// elements the patch does not name. Dest elements are found by their keys in a map, so
/// long lists merge in linear time.
fn merge_keyed_list(
    da: &mut Vec<Value>,
    pa: &[Value],
    keys: &[&str],
    field: &str,
    ctx: &SmpContext,
) -> Result<(), LimitExceeded> {
    budget::charge_work(da.len() as u64)?;
    if pa.iter().any(|p| directive(p) == Some("replace")) {
        *da = pa
            .iter()
            .filter(|p| directive(p) != Some("replace"))
            .map(copied)
            .collect::<Result<_, _>>()?;
        return Ok(());
    }
    // kyaml keys the list by the merge keys some element gives a value.
    let used: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| da.iter().chain(pa).any(|e| !key_of(e, &[k])[0].is_empty()))
        .collect();
    if used.len() > 1 {
        return merge_multi_keyed_list(da, pa, &used, field, ctx);
    }
    let keys = if used.is_empty() { keys } else { &used[..] };
    let mut by_key: HashMap<Vec<String>, VecDeque<usize>> = HashMap::new();
    for (i, d) in da.iter().enumerate() {
        by_key.entry(key_of(d, keys)).or_default().push_back(i);
    }
    let mut dest: Vec<Option<Value>> = std::mem::take(da).into_iter().map(Some).collect();
    let mut out = Vec::new();
    for p in pa {
        let found = by_key
            .get_mut(&key_of(p, keys))
            .and_then(VecDeque::pop_front);
        if directive(p) == Some("delete") {
            if let Some(i) = found {
                dest[i] = None;
            }
            continue;
        }
        match found.and_then(|i| dest[i].take()) {
            Some(mut d) => {
                merge_value(&mut d, p, "", field, ctx)?;
                out.push(d);
            }
            None => out.push(copied(p)?),
        }
    }
    out.extend(dest.into_iter().flatten());
    *da = out;
    Ok(())
}

/// kyaml's associative merge by several keys (a port and its protocol): a
/// patch element merges into the dest element with exactly its key values;
/// one whose values differ from a dest element's only where one side has
/// none (a port without protocol against the same port with one) is taken
/// for that element by kyaml's `mergeValues` yet found in neither source
/// under the completed values, so it changes nothing; the others are new
/// and come first, then the dest elements in their order.
fn merge_multi_keyed_list(
    da: &mut Vec<Value>,
    pa: &[Value],
    keys: &[&str],
    field: &str,
    ctx: &SmpContext,
) -> Result<(), LimitExceeded> {
    // Each patch element is compared with every dest element, as kyaml does.
    budget::charge_work((pa.len() as u64).saturating_mul(da.len() as u64))?;
    let dest_keys: Vec<Vec<String>> = da.iter().map(|d| key_of(d, keys)).collect();
    let mut added = Vec::new();
    for p in pa {
        let pk = key_of(p, keys);
        if let Some(i) = dest_keys.iter().position(|dk| *dk == pk) {
            if directive(p) == Some("delete") {
                da[i] = Value::Null;
            } else {
                merge_value(&mut da[i], p, "", field, ctx)?;
            }
            continue;
        }
        let completes = dest_keys.iter().any(|dk| values_complete(dk, &pk));
        if !completes && directive(p) != Some("delete") {
            added.push(copied(p)?);
        }
    }
    added.extend(std::mem::take(da).into_iter().filter(|d| !d.is_null()));
    *da = added;
    Ok(())
}

/// kyaml's `match` of two key-value lists: at least one value shared, and
/// any other pair differing only because one side is empty.
fn values_complete(a: &[String], b: &[String]) -> bool {
    let mut shared = false;
    for (x, y) in a.iter().zip(b) {
        if x == y {
            shared = true;
        } else if !x.is_empty() && !y.is_empty() {
            return false;
        }
    }
    shared && a.len() == b.len()
}

/// A JSON 6902 operation that does not apply, in the words of the JSON patch library
/// kustomize uses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonPatchError {
    /// `add` under a path that is not there (the operation's path).
    #[error("add operation does not apply: doc is missing path: \"{0}\"")]
    AddMissing(String),
    /// `add` into a list at an index that is not a number.
    #[error("add operation does not apply: bad index {0}")]
    AddBadIndex(String),
    /// `add` into a list past its end.
    #[error("add operation does not apply: index {0} out of bounds")]
    AddOutOfBounds(usize),
    /// `remove` (or `move`) of a path that is not there.
    #[error("remove operation does not apply: doc is missing path: \"{0}\"")]
    RemoveMissing(String),
    /// `replace` of a path that is not there.
    #[error("replace operation does not apply: doc is missing key: {0}")]
    ReplaceMissing(String),
    /// `copy` from a path that is not there.
    #[error("copy operation does not apply: doc is missing from path: {0}")]
    CopyMissing(String),
    /// `test` of a value that differs.
    #[error("testing value {0} failed")]
    TestFailed(String),
    /// An operation that is none of the six.
    #[error("Unexpected kind: {0}")]
    UnknownOp(String),
    /// A path without `/`.
    #[error("invalid JSON pointer: {0}")]
    InvalidPointer(String),
}

/// Applies JSON 6902 operations to a document. Each operation's nodes, and the nodes a
/// `copy` copies, are steps of the input's work budget: copies doubling the document cannot
/// run without end.
pub fn json6902(doc: &mut Value, ops: &[Value]) -> Result<(), KustomizeError> {
    for op in ops {
        let copy_nodes = match op.get("op").and_then(Value::as_str) {
            Some("copy") => op
                .get("from")
                .and_then(Value::as_str)
                .and_then(|from| doc.pointer(from))
                .map_or(0, nodes),
            _ => 0,
        };
        let made = nodes(op) + copy_nodes;
        budget::charge_work(made)
            .and_then(|()| charge_copy(made))
            .map_err(KustomizeError::Limit)?;
        apply_op(doc, op).map_err(KustomizeError::JsonPatch)?;
    }
    Ok(())
}

fn apply_op(doc: &mut Value, op: &Value) -> Result<(), JsonPatchError> {
    let name = op.get("op").and_then(Value::as_str).unwrap_or("");
    let path = op.get("path").and_then(Value::as_str).unwrap_or("");
    match name {
        "add" => add(doc, path, op.get("value").cloned().unwrap_or(Value::Null)),
        "remove" => remove(doc, path).map(drop),
        "replace" => {
            let target = doc
                .pointer_mut(path)
                .ok_or_else(|| JsonPatchError::ReplaceMissing(path.to_string()))?;
            *target = op.get("value").cloned().unwrap_or(Value::Null);
            Ok(())
        }
        "move" => {
            let from = op.get("from").and_then(Value::as_str).unwrap_or("");
            let v = remove(doc, from)?;
            add(doc, path, v)
        }
        "copy" => {
            let from = op.get("from").and_then(Value::as_str).unwrap_or("");
            let v = doc
                .pointer(from)
                .cloned()
                .ok_or_else(|| JsonPatchError::CopyMissing(from.to_string()))?;
            add(doc, path, v)
        }
        "test" => {
            let expected = op.get("value").cloned().unwrap_or(Value::Null);
            if doc.pointer(path) != Some(&expected) {
                return Err(JsonPatchError::TestFailed(path.to_string()));
            }
            Ok(())
        }
        other => Err(JsonPatchError::UnknownOp(other.to_string())),
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_parent(path: &str) -> Result<(&str, String), JsonPatchError> {
    let i = path
        .rfind('/')
        .ok_or_else(|| JsonPatchError::InvalidPointer(path.to_string()))?;
    Ok((&path[..i], unescape(&path[i + 1..])))
}

fn add(doc: &mut Value, path: &str, v: Value) -> Result<(), JsonPatchError> {
    if path.is_empty() {
        *doc = v;
        return Ok(());
    }
    let (parent, last) = split_parent(path)?;
    let missing = || JsonPatchError::AddMissing(path.to_string());
    let target = doc.pointer_mut(parent).ok_or_else(missing)?;
    match target {
        Value::Object(m) => {
            m.insert(last, v);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" {
                a.push(v);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| JsonPatchError::AddBadIndex(last.clone()))?;
            if i > a.len() {
                return Err(JsonPatchError::AddOutOfBounds(i));
            }
            a.insert(i, v);
            Ok(())
        }
        _ => Err(missing()),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, JsonPatchError> {
    let (parent, last) = split_parent(path)?;
    let missing = || JsonPatchError::RemoveMissing(path.to_string());
    let target = doc.pointer_mut(parent).ok_or_else(missing)?;
    match target {
        Value::Object(m) => m.shift_remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| missing())?;
            if i >= a.len() {
                return Err(missing());
            }
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

fn anchored(pattern: &str) -> Result<regexp::Regex, KustomizeError> {
    regexp::compile(&format!("^(?:{pattern})$"))
        .map_err(|e| KustomizeError::build(format!("invalid selector regex '{pattern}': {e}")))
}

/// One selector field compiled once per selection, as kustomize's `NewSelectorRegex` does
/// (an empty pattern matches everything).
fn field_regex(pattern: &str) -> Result<Option<regexp::Regex>, KustomizeError> {
    if pattern.is_empty() {
        return Ok(None);
    }
    anchored(pattern).map(Some)
}

fn matches_field(re: &Option<regexp::Regex>, values: &[&str]) -> bool {
    re.as_ref()
        .is_none_or(|re| values.iter().any(|v| re.is_match(v)))
}

/// A selector's regex fields, compiled.
struct SelectorRegex<'a> {
    sel: &'a Selector,
    group: Option<regexp::Regex>,
    version: Option<regexp::Regex>,
    kind: Option<regexp::Regex>,
    name: Option<regexp::Regex>,
    namespace: Option<regexp::Regex>,
}

impl<'a> SelectorRegex<'a> {
    fn new(sel: &'a Selector) -> Result<Self, KustomizeError> {
        Ok(SelectorRegex {
            sel,
            group: field_regex(&sel.group)?,
            version: field_regex(&sel.version)?,
            kind: field_regex(&sel.kind)?,
            name: field_regex(&sel.name)?,
            namespace: field_regex(&sel.namespace)?,
        })
    }
}

/// kustomize's `ResMap.Select`: original or current name/namespace, GVK,
/// label and annotation selectors.
pub fn select(res: &ResMap, sel: &Selector) -> Result<Vec<usize>, KustomizeError> {
    select_among(res, sel, false)
}

/// Selection as kustomize's replacements select: by the current id or any
/// id the resource had before (every former name and namespace).
pub fn select_by_any_id(res: &ResMap, sel: &Selector) -> Result<Vec<usize>, KustomizeError> {
    select_among(res, sel, true)
}

/// Every resource a selection examines is a step of the input's work budget, so selectors
/// times resources (wildcard replacements over many objects) cannot run without end.
fn select_among(res: &ResMap, sel: &Selector, history: bool) -> Result<Vec<usize>, KustomizeError> {
    budget::charge_work(res.items.len() as u64).map_err(KustomizeError::Limit)?;
    let sel = SelectorRegex::new(sel)?;
    Ok(res
        .items
        .iter()
        .enumerate()
        .filter(|(_, r)| selects(r, &sel, history))
        .map(|(i, _)| i)
        .collect())
}

fn effective_ns(r: &Resource, ns: &str) -> String {
    if ns.is_empty() && !r.is_cluster_scoped() {
        "default".into()
    } else {
        ns.into()
    }
}

fn selects(r: &Resource, sel: &SelectorRegex<'_>, history: bool) -> bool {
    if !(matches_field(&sel.kind, &[r.kind()])
        && matches_field(&sel.group, &[r.group()])
        && matches_field(&sel.version, &[r.version()]))
    {
        return false;
    }
    if sel.name.is_some() {
        let mut names = vec![r.orig_name.as_str(), r.name()];
        if history {
            names.extend(r.names.iter().map(String::as_str));
        }
        if !matches_field(&sel.name, &names) {
            return false;
        }
    }
    if sel.namespace.is_some() {
        let mut namespaces = vec![effective_ns(r, &r.orig_ns), effective_ns(r, r.namespace())];
        if history {
            namespaces.extend(r.namespaces.iter().map(|n| effective_ns(r, n)));
        }
        let ns: Vec<&str> = namespaces.iter().map(String::as_str).collect();
        if !matches_field(&sel.namespace, &ns) {
            return false;
        }
    }
    (sel.sel.label_selector.is_empty()
        || label_selector_matches(&sel.sel.label_selector, &r.labels()))
        && (sel.sel.annotation_selector.is_empty()
            || label_selector_matches(&sel.sel.annotation_selector, &r.annotations()))
}

/// Kubernetes label selector syntax: `k=v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
pub fn label_selector_matches(selector: &str, labels: &[(String, String)]) -> bool {
    let get = |k: &str| {
        labels
            .iter()
            .find(|(lk, _)| lk == k)
            .map(|(_, v)| v.as_str())
    };
    for term in split_terms(selector) {
        let term = term.trim();
        if term.is_empty() {
            continue;
        }
        let ok = if let Some((k, v)) = term.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, set)) = term.split_once(" notin ") {
            let set = parse_set(set);
            get(k.trim()).is_none_or(|v| !set.contains(&v.to_string()))
        } else if let Some((k, set)) = term.split_once(" in ") {
            let set = parse_set(set);
            get(k.trim()).is_some_and(|v| set.contains(&v.to_string()))
        } else if let Some(k) = term.strip_prefix('!') {
            get(k.trim()).is_none()
        } else {
            get(term).is_some()
        };
        if !ok {
            return false;
        }
    }
    true
}

fn split_terms(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn parse_set(s: &str) -> Vec<String> {
    s.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(|x| x.trim().to_string())
        .collect()
}

pub fn keyed_lists(kind: &str, custom_schema: bool) -> bool {
    custom_schema || is_builtin_kind(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::{InputBudget, InputLimits, LimitKind};
    use serde_json::json;
    use std::sync::Arc;

    fn budget(max_bytes: u64, max_work: u64) -> Arc<InputBudget> {
        InputBudget::new(InputLimits {
            max_bytes,
            max_renders: 10,
            max_work,
        })
    }

    #[test]
    fn keyed_lists_merge_each_patch_element_into_the_first_unmerged_one_of_its_key() {
        let mut dest = json!({"containers": [
            {"name": "a", "n": 1}, {"name": "b"}, {"name": "a", "n": 2}, {"name": "d"}
        ]});
        let patch = json!({"containers": [
            {"name": "a", "x": 1}, {"name": "a", "x": 2}, {"name": "c"},
            {"name": "b", "$patch": "delete"}
        ]});
        assert_eq!(strategic_merge(&mut dest, &patch, true), Ok(true));
        assert_eq!(
            dest,
            json!({"containers": [
                {"name": "a", "n": 1, "x": 1}, {"name": "a", "n": 2, "x": 2}, {"name": "c"},
                {"name": "d"}
            ]})
        );
    }

    #[test]
    fn patches_times_targets_stop_at_the_work_budget() {
        let patch = json!({"data": {"a": null, "b": null}});
        let limit = budget(1 << 30, 100).run(|| {
            (0..1000).try_for_each(|_| strategic_merge(&mut json!({}), &patch, true).map(drop))
        });
        assert_eq!(limit.unwrap_err().kind, LimitKind::InputWork);
    }

    /// The texts are those the code gave before the errors were typed (kustomize's JSON
    /// patch library's words, checked by the conformance suite and tests/hostile.rs).
    #[test]
    fn operations_that_do_not_apply_say_why() {
        let cases = [
            (
                json!({"op": "add", "path": "/a/b", "value": 1}),
                "add operation does not apply: doc is missing path: \"/a/b\"",
            ),
            (
                json!({"op": "add", "path": "/l/5", "value": 1}),
                "add operation does not apply: index 5 out of bounds",
            ),
            (
                json!({"op": "remove", "path": "/x"}),
                "remove operation does not apply: doc is missing path: \"/x\"",
            ),
            (
                json!({"op": "replace", "path": "/x", "value": 1}),
                "replace operation does not apply: doc is missing key: /x",
            ),
            (
                json!({"op": "copy", "from": "/x", "path": "/y"}),
                "copy operation does not apply: doc is missing from path: /x",
            ),
            (
                json!({"op": "test", "path": "/l", "value": 1}),
                "testing value /l failed",
            ),
            (json!({"op": "swap", "path": "/l"}), "Unexpected kind: swap"),
        ];
        for (op, message) in cases {
            let mut doc = json!({"l": [1]});
            let err = json6902(&mut doc, &[op]).unwrap_err();
            assert!(matches!(err, KustomizeError::JsonPatch(_)), "{err:?}");
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn copies_doubling_a_document_stop_at_the_budget() {
        // Each copy adds the whole of `data` to itself under a new key.
        let doubling: Vec<Value> = (0..64)
            .map(|i| json!({"op": "copy", "from": "/data", "path": format!("/data/x{i}")}))
            .collect();
        let mut doc = json!({"data": {"a": "b"}});
        let result = budget(1 << 20, 1 << 40).run(|| json6902(&mut doc, &doubling));
        let Err(KustomizeError::Limit(limit)) = result else {
            panic!("{result:?}");
        };
        assert_eq!(limit.kind, LimitKind::InputBytes);
        // 1 MiB at 128 bytes a node: 8,192 nodes copied, about as many as the document had.
        assert!(nodes(&doc) <= 2 * 8192, "{}", nodes(&doc));
    }
}
