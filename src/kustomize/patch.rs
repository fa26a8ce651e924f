//! Patches: strategic merge (with Kubernetes' list merge keys for built-in
//! kinds), JSON 6902, and the target selectors that pick what they patch.

use super::kustfile::Selector;
use super::resource::{ResMap, Resource};
use super::value::{Path, Step};
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

/// kyaml's merge (merge2 over walk's `walkMap` and `walkAssociativeSequence`) visits every
/// field of every mapping it reaches, through mappings and the items of lists merged by
/// key, and its FieldSetter clears a field whose value is a null it does not keep: one
/// written as nothing. `paths` are those nulls as the file wrote them; a list not merged by
/// key is not walked, so the nulls in it stay.
pub fn drop_empty_nulls(dest: &mut Value, paths: &[Path], keyed: bool) {
    for path in paths {
        let Some((Step::Key(last), parents)) = path.split_last() else {
            continue;
        };
        if let Some(m) = walked_map(dest, parents, keyed) {
            if m.get(last).is_some_and(Value::is_null) {
                m.shift_remove(last);
            }
        }
    }
}

/// The mapping at `path` in `dest`, when the merge's walk reaches it.
fn walked_map<'v>(
    dest: &'v mut Value,
    path: &[Step],
    keyed: bool,
) -> Option<&'v mut Map<String, Value>> {
    let (mut field, mut parent) = ("", "");
    let mut at = dest;
    for step in path {
        at = match (step, at) {
            (Step::Key(k), Value::Object(m)) => {
                parent = field;
                field = k;
                m.get_mut(k)?
            }
            (Step::Index(i), Value::Array(a)) if keyed && merge_keys(field, parent).is_some() => {
                parent = field;
                field = "";
                a.get_mut(*i)?
            }
            _ => return None,
        };
    }
    at.as_object_mut()
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
    charge_copy_of(&copy)?;
    Ok(copy)
}

/// Charges a copy of `v` put into a resource to the input's bytes: its nodes, and the text
/// of its strings and keys, which a node's share does not cover (one string may be megabytes).
pub(super) fn charge_copy_of(v: &Value) -> Result<(), LimitExceeded> {
    budget::charge_bytes(held_bytes(v))
}

fn held_bytes(v: &Value) -> u64 {
    let text = |s: &str| u64::try_from(s.len()).unwrap_or(u64::MAX);
    NODE_BYTES.saturating_add(match v {
        Value::String(s) => text(s),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| text(k).saturating_add(crate::stack::deep(|| held_bytes(v))))
            .fold(0, u64::saturating_add),
        Value::Array(a) => a
            .iter()
            .map(|v| crate::stack::deep(|| held_bytes(v)))
            .fold(0, u64::saturating_add),
        _ => 0,
    })
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
/// kustomize uses (evanphx/json-patch v4.12.0, `patch.go`; its `errors.Wrapf` puts the
/// cause after a colon).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonPatchError {
    /// A path, or a `from`, whose parent is not there (`findObject` found no container):
    /// `what` names the path as the operation's message does.
    #[error("{op} operation does not apply: {what}: missing value")]
    NoParent {
        /// The operation.
        op: &'static str,
        /// `doc is missing path: P` and the like.
        what: String,
    },
    /// `replace` of a list item that is not there.
    #[error("replace operation does not apply: doc is missing key: {0}: missing value")]
    ReplaceNoKey(String),
    /// An operation without its `path` (or `from`) field.
    #[error("{0}: missing value")]
    NoField(String),
    /// A container refused the step: `context` says which operation, on which path.
    #[error("{context}: {cause}")]
    Step {
        /// `error in add for path: 'P'` and the like.
        context: String,
        /// Why the container refused it.
        cause: StepError,
    },
    /// `test` of a value that differs.
    #[error("testing value {0} failed: test failed")]
    TestFailed(String),
    /// An operation that is none of the six.
    #[error("Unexpected kind: {0}")]
    UnknownOp(String),
}

/// Why an object or a list refused a step of a JSON patch (json-patch's container methods).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// A list index outside the list.
    #[error("Unable to access invalid index: {0}: invalid index referenced")]
    InvalidIndex(i64),
    /// A list index that is no number (Go's `strconv.Atoi` error).
    #[error("strconv.Atoi: parsing {0}: {1}")]
    NotANumber(String, String),
    /// `add` into a list at a key that is no number.
    #[error("value was not a proper array index: '{0}': {1}")]
    NotAnIndex(String, Box<StepError>),
    /// `remove` of an object key that is not there.
    #[error("Unable to remove nonexistent key: {0}: missing value")]
    NoKey(String),
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

/// An operation's string field (`path`, `from`); `None` when it is missing.
fn op_field<'a>(op: &'a Value, field: &str) -> Option<&'a str> {
    op.get(field).and_then(Value::as_str)
}

fn apply_op(doc: &mut Value, op: &Value) -> Result<(), JsonPatchError> {
    // The library reads a missing or null value as JSON null.
    let value = || op.get("value").cloned().unwrap_or(Value::Null);
    let name = op.get("op").and_then(Value::as_str).unwrap_or("unknown");
    let no_parent = |op: &'static str, what: &str, path: &str| JsonPatchError::NoParent {
        op,
        what: format!("{what}: {path}"),
    };
    match name {
        "add" => {
            let path = op_field(op, "path").ok_or_else(|| {
                JsonPatchError::NoField("add operation failed to decode path".into())
            })?;
            let (con, key) = find_object(doc, path)
                .ok_or_else(|| no_parent("add", "doc is missing path", &format!("\"{path}\"")))?;
            con.add(&key, value())
                .map_err(|cause| JsonPatchError::Step {
                    context: format!("error in add for path: '{path}'"),
                    cause,
                })
        }
        "remove" => {
            let path = op_field(op, "path").ok_or_else(|| {
                JsonPatchError::NoField("remove operation failed to decode path".into())
            })?;
            let (con, key) = find_object(doc, path).ok_or_else(|| {
                no_parent("remove", "doc is missing path", &format!("\"{path}\""))
            })?;
            con.remove(&key)
                .map(drop)
                .map_err(|cause| JsonPatchError::Step {
                    context: format!("error in remove for path: '{path}'"),
                    cause,
                })
        }
        "replace" => {
            let path = op_field(op, "path").ok_or_else(|| {
                JsonPatchError::NoField(
                    "replace operation failed to decode path: operation missing path field".into(),
                )
            })?;
            if path.is_empty() {
                *doc = value();
                return Ok(());
            }
            let (con, key) = find_object(doc, path)
                .ok_or_else(|| no_parent("replace", "doc is missing path", path))?;
            // An object takes a key it lacks; a list only replaces an item it has.
            match con {
                Container::Object(m) => {
                    m.insert(key, value());
                }
                Container::List(a) => {
                    let i = list_index(a, &key)
                        .map_err(|_| JsonPatchError::ReplaceNoKey(path.to_string()))?;
                    a[i] = value();
                }
            }
            Ok(())
        }
        "move" => {
            let from = op_field(op, "from").ok_or_else(|| {
                JsonPatchError::NoField(
                    "move operation failed to decode from: operation, missing from field".into(),
                )
            })?;
            let (con, key) = find_object(doc, from)
                .ok_or_else(|| no_parent("move", "doc is missing from path", from))?;
            // The library names the key, not the path, when taking the value out fails.
            let moved = con.remove(&key).map_err(|cause| JsonPatchError::Step {
                context: format!("error in move for path: '{key}'"),
                cause,
            })?;
            let path = op_field(op, "path").ok_or_else(|| {
                JsonPatchError::NoField(
                    "move operation failed to decode path: operation missing path field".into(),
                )
            })?;
            let (con, key) = find_object(doc, path)
                .ok_or_else(|| no_parent("move", "doc is missing destination path", path))?;
            con.add(&key, moved).map_err(|cause| JsonPatchError::Step {
                context: format!("error in move for path: '{path}'"),
                cause,
            })
        }
        "copy" => {
            let from = op_field(op, "from").ok_or_else(|| {
                JsonPatchError::NoField(
                    "copy operation failed to decode from: operation, missing from field".into(),
                )
            })?;
            let (con, key) = find_object(doc, from)
                .ok_or_else(|| no_parent("copy", "doc is missing from path", from))?;
            // A key the object lacks copies as null.
            let copied = con
                .get(&key)
                .map_err(|cause| JsonPatchError::Step {
                    context: format!("error in copy for from: '{from}'"),
                    cause,
                })?
                .cloned()
                .unwrap_or(Value::Null);
            let path = op_field(op, "path").ok_or_else(|| {
                JsonPatchError::NoField("copy operation failed to decode path".into())
            })?;
            let (con, key) = find_object(doc, path)
                .ok_or_else(|| no_parent("copy", "doc is missing destination path", path))?;
            con.add(&key, copied).map_err(|cause| JsonPatchError::Step {
                context: "error while adding value during copy".into(),
                cause,
            })
        }
        "test" => {
            let path = op_field(op, "path").ok_or_else(|| {
                JsonPatchError::NoField(
                    "test operation failed to decode path: operation missing path field".into(),
                )
            })?;
            let expected = value();
            if path.is_empty() {
                return (*doc == expected)
                    .then_some(())
                    .ok_or_else(|| JsonPatchError::TestFailed(path.to_string()));
            }
            let (con, key) =
                find_object(doc, path).ok_or_else(|| no_parent("test", "is missing path", path))?;
            let found = con.get(&key).map_err(|cause| JsonPatchError::Step {
                context: format!("error in test for path: '{path}'"),
                cause,
            })?;
            // A missing key and a null equal a null (or absent) value.
            let same = match found {
                None | Some(Value::Null) => expected.is_null(),
                Some(v) => *v == expected,
            };
            same.then_some(())
                .ok_or_else(|| JsonPatchError::TestFailed(path.to_string()))
        }
        other => Err(JsonPatchError::UnknownOp(other.to_string())),
    }
}

/// RFC 6901's unescaping of a path token, in one pass as the library's replacer does.
fn unescape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => {
                chars.next();
                out.push('/');
            }
            ('~', Some('0')) => {
                chars.next();
                out.push('~');
            }
            _ => out.push(c),
        }
    }
    out
}

/// An object or a list a JSON patch step works in (json-patch's `container`).
enum Container<'d> {
    Object(&'d mut Map<String, Value>),
    List(&'d mut Vec<Value>),
}

impl<'d> Container<'d> {
    fn of(v: &'d mut Value) -> Option<Self> {
        match v {
            Value::Object(m) => Some(Container::Object(m)),
            Value::Array(a) => Some(Container::List(a)),
            _ => None,
        }
    }
}

/// json-patch's `findObject`: the container holding the path's last token, and that token.
/// Every token but the first (what precedes the first `/`) and the last is walked; a
/// missing or null step, or a step into a scalar, finds nothing.
fn find_object<'d>(doc: &'d mut Value, path: &str) -> Option<(Container<'d>, String)> {
    let mut tokens: Vec<&str> = path.split('/').collect();
    if tokens.len() < 2 {
        return None;
    }
    let key = unescape(tokens.pop()?);
    let mut current = doc;
    for token in &tokens[1..] {
        let token = unescape(token);
        current = match current {
            Value::Object(m) => m.get_mut(&token)?,
            Value::Array(a) => {
                let i = list_index(a, &token).ok()?;
                a.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some((Container::of(current)?, key))
}

/// Go's `strconv.Atoi(key)`, with its error's text.
fn atoi(key: &str) -> Result<i64, StepError> {
    crate::go::strconv::parse_int(key, 10)
        .map_err(|e| StepError::NotANumber(crate::go::strconv::quote(key), e.to_string()))
}

/// The item of `list` that `key` names: a number, negative ones counting from the end
/// (the library's `SupportNegativeIndices`, on by default).
fn list_index(list: &[Value], key: &str) -> Result<usize, StepError> {
    index_in(atoi(key)?, list.len())
}

/// Where `idx` falls among `len` places, negative ones counting from the end.
fn index_in(idx: i64, len: usize) -> Result<usize, StepError> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let at = if idx < 0 { idx + len } else { idx };
    if at < 0 || at >= len {
        return Err(StepError::InvalidIndex(idx));
    }
    usize::try_from(at).map_err(|_| StepError::InvalidIndex(idx))
}

impl Container<'_> {
    /// `get`: an object answers `None` for a missing key, a list fails.
    fn get(&self, key: &str) -> Result<Option<&Value>, StepError> {
        match self {
            Container::Object(m) => Ok(m.get(key)),
            Container::List(a) => list_index(a, key).map(|i| a.get(i)),
        }
    }

    /// `add`: an object sets the key; a list inserts before the index, where the length
    /// itself and `-` append.
    fn add(self, key: &str, v: Value) -> Result<(), StepError> {
        match self {
            Container::Object(m) => {
                m.insert(key.to_string(), v);
            }
            Container::List(a) if key == "-" => a.push(v),
            Container::List(a) => {
                let idx =
                    atoi(key).map_err(|e| StepError::NotAnIndex(key.to_string(), Box::new(e)))?;
                // One more place than items: the length itself appends.
                let at = index_in(idx, a.len() + 1)?;
                a.insert(at, v);
            }
        }
        Ok(())
    }

    /// `remove`, giving back what it took out.
    fn remove(self, key: &str) -> Result<Value, StepError> {
        match self {
            Container::Object(m) => m
                .shift_remove(key)
                .ok_or_else(|| StepError::NoKey(key.to_string())),
            Container::List(a) => {
                let at = list_index(a, key)?;
                Ok(a.remove(at))
            }
        }
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

    /// Each operation on `{"data": {"a": "1", "n": null}, "l": [1, 2], "s": "str"}` with
    /// the text (or the result) kubectl kustomize v5.6.0 gave for it (evanphx/json-patch
    /// v4.12.0).
    #[test]
    fn operations_that_do_not_apply_say_why() {
        let cases = [
            (json!({"op": "replace", "path": "/nope/b", "value": "x"}), "replace operation does not apply: doc is missing path: /nope/b: missing value"),
            (json!({"op": "replace", "path": "/l/5", "value": "x"}), "replace operation does not apply: doc is missing key: /l/5: missing value"),
            (json!({"op": "replace", "path": "/l/-", "value": "x"}), "replace operation does not apply: doc is missing key: /l/-: missing value"),
            (json!({"op": "add", "path": "/nope/b", "value": "x"}), "add operation does not apply: doc is missing path: \"/nope/b\": missing value"),
            (json!({"op": "add", "path": "/l/5", "value": "x"}), "error in add for path: '/l/5': Unable to access invalid index: 5: invalid index referenced"),
            (json!({"op": "add", "path": "/l/w", "value": "x"}), "error in add for path: '/l/w': value was not a proper array index: 'w': strconv.Atoi: parsing \"w\": invalid syntax"),
            (json!({"op": "add", "path": "/l/99999999999999999999", "value": 1}), "error in add for path: '/l/99999999999999999999': value was not a proper array index: '99999999999999999999': strconv.Atoi: parsing \"99999999999999999999\": value out of range"),
            (json!({"op": "add", "path": "/l/0/x", "value": "x"}), "add operation does not apply: doc is missing path: \"/l/0/x\": missing value"),
            (json!({"op": "add", "path": "/data/n/x", "value": "x"}), "add operation does not apply: doc is missing path: \"/data/n/x\": missing value"),
            (json!({"op": "remove", "path": "/nope/b"}), "remove operation does not apply: doc is missing path: \"/nope/b\": missing value"),
            (json!({"op": "remove", "path": "/data/zz"}), "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value"),
            (json!({"op": "remove", "path": "/l/5"}), "error in remove for path: '/l/5': Unable to access invalid index: 5: invalid index referenced"),
            (json!({"op": "remove", "path": "/l/w"}), "error in remove for path: '/l/w': strconv.Atoi: parsing \"w\": invalid syntax"),
            (json!({"op": "test", "path": "/l", "value": 1}), "testing value /l failed: test failed"),
            (json!({"op": "test", "path": "/nope/x", "value": 1}), "test operation does not apply: is missing path: /nope/x: missing value"),
            (json!({"op": "test", "path": "/l/9", "value": 1}), "error in test for path: '/l/9': Unable to access invalid index: 9: invalid index referenced"),
            (json!({"op": "copy", "from": "/nope/zz", "path": "/data/c"}), "copy operation does not apply: doc is missing from path: /nope/zz: missing value"),
            (json!({"op": "copy", "from": "/data/a", "path": "/nope/c"}), "copy operation does not apply: doc is missing destination path: /nope/c: missing value"),
            (json!({"op": "copy", "from": "/l/7", "path": "/data/c"}), "error in copy for from: '/l/7': Unable to access invalid index: 7: invalid index referenced"),
            (json!({"op": "copy", "from": "/data/a", "path": "/l/9"}), "error while adding value during copy: Unable to access invalid index: 9: invalid index referenced"),
            (json!({"op": "move", "from": "/data/zz", "path": "/data/c"}), "error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value"),
            (json!({"op": "move", "from": "/nope/zz", "path": "/data/c"}), "move operation does not apply: doc is missing from path: /nope/zz: missing value"),
            (json!({"op": "move", "from": "/data/a", "path": "/nope/c"}), "move operation does not apply: doc is missing destination path: /nope/c: missing value"),
            (json!({"op": "move", "from": "/l/7", "path": "/data/c"}), "error in move for path: '7': Unable to access invalid index: 7: invalid index referenced"),
            (json!({"op": "move", "from": "/data/a", "path": "/l/9"}), "error in move for path: '/l/9': Unable to access invalid index: 9: invalid index referenced"),
            (json!({"op": "swap", "path": "/l"}), "Unexpected kind: swap"),
            (json!({"path": "/l"}), "Unexpected kind: unknown"),
            (json!({"op": "add", "value": 1}), "add operation failed to decode path: missing value"),
            (json!({"op": "remove"}), "remove operation failed to decode path: missing value"),
            (json!({"op": "replace", "value": 1}), "replace operation failed to decode path: operation missing path field: missing value"),
            (json!({"op": "move", "path": "/x"}), "move operation failed to decode from: operation, missing from field: missing value"),
            (json!({"op": "copy", "path": "/x"}), "copy operation failed to decode from: operation, missing from field: missing value"),
            (json!({"op": "move", "from": "/s"}), "move operation failed to decode path: operation missing path field: missing value"),
            (json!({"op": "copy", "from": "/s"}), "copy operation failed to decode path: missing value"),
            (json!({"op": "test", "value": 1}), "test operation failed to decode path: operation missing path field: missing value"),
        ];
        for (op, message) in cases {
            let mut doc = json!({"data": {"a": "1", "n": null}, "l": [1, 2], "s": "str"});
            let err = json6902(&mut doc, &[op]).unwrap_err();
            assert!(matches!(err, KustomizeError::JsonPatch(_)), "{err:?}");
            assert_eq!(err.to_string(), message);
        }
    }

    /// Operations that apply, with the documents kubectl kustomize v5.6.0 printed.
    #[test]
    fn operations_apply_as_the_json_patch_library_applies_them() {
        let doc = || json!({"data": {"a": "1", "n": null}, "l": [1, 2], "s": "str"});
        let cases = [
            // An object takes a key it lacks from `replace`.
            (
                json!({"op": "replace", "path": "/data/b", "value": "x"}),
                json!({"data": {"a": "1", "b": "x", "n": null}, "l": [1, 2], "s": "str"}),
            ),
            // Negative indexes count from the end; for `add` the end is one past the last.
            (
                json!({"op": "replace", "path": "/l/-1", "value": "x"}),
                json!({"data": {"a": "1", "n": null}, "l": [1, "x"], "s": "str"}),
            ),
            (
                json!({"op": "add", "path": "/l/-1", "value": "x"}),
                json!({"data": {"a": "1", "n": null}, "l": [1, 2, "x"], "s": "str"}),
            ),
            (
                json!({"op": "remove", "path": "/l/-1"}),
                json!({"data": {"a": "1", "n": null}, "l": [1], "s": "str"}),
            ),
            // A missing key and a null both equal null; a missing key copies as null.
            (
                json!({"op": "test", "path": "/data/zz", "value": null}),
                doc(),
            ),
            (
                json!({"op": "test", "path": "/data/n", "value": null}),
                doc(),
            ),
            (
                json!({"op": "copy", "from": "/data/zz", "path": "/data/c"}),
                json!({"data": {"a": "1", "c": null, "n": null}, "l": [1, 2], "s": "str"}),
            ),
            // Whatever precedes the first `/` is not walked.
            (
                json!({"op": "replace", "path": "data/b", "value": "x"}),
                json!({"b": "x", "data": {"a": "1", "n": null}, "l": [1, 2], "s": "str"}),
            ),
        ];
        for (op, expected) in cases {
            let mut patched = doc();
            json6902(&mut patched, std::slice::from_ref(&op)).unwrap();
            assert_eq!(patched, expected, "{op}");
        }
    }

    /// kubectl kustomize v5.6.0 after a strategic merge on a Deployment: the nulls
    /// written as nothing go where the merge walks (mappings, lists merged by key), the
    /// others stay.
    #[test]
    fn a_merge_drops_the_nulls_written_as_nothing_where_it_walks() {
        let key = |k: &str| Step::Key(k.into());
        let mut dest = json!({"spec": {
            "a": null, "b": null,
            "containers": [{"name": "c", "limits": null}],
            "tolerations": [{"key": "k", "value": null}],
        }});
        let empty = [
            vec![key("spec"), key("a")],
            vec![
                key("spec"),
                key("containers"),
                Step::Index(0),
                key("limits"),
            ],
            vec![
                key("spec"),
                key("tolerations"),
                Step::Index(0),
                key("value"),
            ],
        ];
        drop_empty_nulls(&mut dest, &empty, true);
        assert_eq!(
            dest,
            json!({"spec": {
                "b": null,
                "containers": [{"name": "c"}],
                "tolerations": [{"key": "k", "value": null}],
            }})
        );
        // Without a schema no list is merged by key, so none is walked.
        let mut custom = json!({"l": [{"name": "n", "v": null}]});
        drop_empty_nulls(
            &mut custom,
            &[vec![key("l"), Step::Index(0), key("v")]],
            false,
        );
        assert_eq!(custom, json!({"l": [{"name": "n", "v": null}]}));
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
