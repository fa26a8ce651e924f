//! The data templates run over, modelled on the Go values Helm hands to `text/template`.
//!
//! Go's dynamic types are visible to charts (`printf "%T"`, Sprig's `typeOf`/`kindOf`, the
//! `int`-vs-`float64` errors of comparisons), so every [`Value`] knows its Go type:
//!
//! | variant            | Go type (`%T`)                                   | from                          |
//! |--------------------|--------------------------------------------------|-------------------------------|
//! | `Nil`              | `<nil>` (nil interface / missing value)          | YAML `null`, missing keys     |
//! | `Bool`             | `bool`                                           |                               |
//! | `Int`              | `int`                                            | literals, `len`, `atoi`, …    |
//! | `Int64`            | `int64`                                          | `--set a=1`, Sprig math       |
//! | `Float`            | `float64`                                        | every YAML/JSON number        |
//! | `Str`              | `string`                                         |                               |
//! | `RawStr`           | `string` whose bytes are not valid UTF-8         | `trunc`/`substr` mid-character, `b64dec` |
//! | `Bytes`            | `[]uint8`                                        | `.Files.GetBytes`             |
//! | `List`             | `[]interface {}` / `[]string` / `[]int`          | [`ListType`]                  |
//! | `Map`              | `map[string]interface {}` / `common.Values`      | [`MapType`]                   |
//! | `Object`           | whatever [`Object::type_name`] says              | `.Chart`, `.Files`, time, semver |
//!
//! Maps are Go reference types: cloning a `Value::Map` clones a handle, and a mutation through
//! one handle (Sprig `set`, `unset`, `merge`) is visible through every other, as in Go. Lists
//! are immutable and shared (`Arc`), so cloning any `Value` is cheap.

use super::set::{ExecError, ExecErrorKind};
use crate::budget::LimitExceeded;
pub use crate::go::utf8::{go_runes, go_text};
use crate::poison::IgnorePoison;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// One Go value as a template sees it.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// A nil interface: YAML `null`, a missing map key (Helm renders with `missingkey=zero`),
    /// an absent `.` — printed by an action as `<no value>` (which Helm then erases).
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`.
    Int(i64),
    /// Go `int64`.
    Int64(i64),
    /// Go `float64`.
    Float(f64),
    Str(Arc<str>),
    /// A Go `string` that is not valid UTF-8 (Go strings are bytes): never valid UTF-8, so
    /// every string is exactly one of `Str` or `RawStr` (see [`Value::go_string`]).
    RawStr(Arc<RawStr>),
    /// Go `[]byte`.
    Bytes(Arc<[u8]>),
    List(List),
    Map(Map),
    /// A Go struct, pointer or named type with fields and methods (see [`Object`]).
    Object(Arc<dyn Object>),
}

/// The bytes of a Go string that are not valid UTF-8, with their text view.
///
/// Functions that measure, slice, compare, hash or print a string see [`RawStr::bytes`], as
/// Go does; functions that read it rune by rune (`upper`, `title`, `range` over runes) see
/// [`RawStr::text`], where each invalid sequence reads as U+FFFD, as Go's `utf8` decoding
/// reads it. The view is made once, so both are free to use.
#[derive(Debug)]
pub struct RawStr {
    bytes: Box<[u8]>,
    text: Box<str>,
}

impl RawStr {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The element type of a Go slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListType {
    /// `[]interface {}`
    Any,
    /// `[]string`
    Str,
    /// `[]int`
    Int,
    /// `[][]interface {}` (Sprig's `chunk`)
    Lists,
}

/// An immutable, shared Go slice.
#[derive(Clone, Debug)]
pub struct List {
    pub elem: ListType,
    items: Arc<Vec<Value>>,
    /// A nil slice (`var s []T`): empty like `[]T{}`, but `toJson` says `null`, `%#v` says
    /// `[]T(nil)` and `deepEqual` tells the two apart. Sprig's `concat`, `rest` and `initial`
    /// return one for no items.
    nil: bool,
}

impl List {
    pub fn new(elem: ListType, items: Vec<Value>) -> Self {
        List {
            elem,
            items: Arc::new(items),
            nil: false,
        }
    }

    /// A nil slice of the given element type.
    pub fn nil(elem: ListType) -> Self {
        List {
            elem,
            items: Arc::new(Vec::new()),
            nil: true,
        }
    }

    /// The items as a slice, or a nil slice when there are none.
    pub fn or_nil(elem: ListType, items: Vec<Value>) -> Self {
        if items.is_empty() {
            List::nil(elem)
        } else {
            List::new(elem, items)
        }
    }

    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// A `[]interface {}`.
    pub fn any(items: Vec<Value>) -> Self {
        List::new(ListType::Any, items)
    }

    pub fn items(&self) -> &[Value] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&Value> {
        self.items.get(index)
    }

    /// Where the items live: the slice's backing array (Go's `UnsafePointer` of a slice).
    pub fn addr(&self) -> usize {
        Arc::as_ptr(&self.items) as *const () as usize
    }

    pub fn type_name(&self) -> &'static str {
        match self.elem {
            ListType::Any => "[]interface {}",
            ListType::Str => "[]string",
            ListType::Int => "[]int",
            ListType::Lists => "[][]interface {}",
        }
    }
}

/// The Go type of a map handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapType {
    /// `map[string]interface {}`
    Any,
    /// Helm's `common.Values` (the type of `.Values` itself; nested maps are `Any`).
    Values,
    /// `map[string]string` (Sprig's `split`); not assignable to a `map[string]interface {}`
    /// parameter.
    Strings,
}

/// A map key: shared, so copying a map's entries or ranging over them copies no key text.
/// `Arc<str>` orders as `str` does (bytewise), Go's printing/ranging order.
pub type Key = Arc<str>;

/// The entries of a map, in Go's printing/ranging order (byte-sorted keys).
pub type Entries = BTreeMap<Key, Value>;

/// Deepest nesting of lists and maps that functions walking a whole value (`deepCopy`,
/// `deepEqual`) follow: recursion that deep fits any stack, and a map holding itself ends.
pub const MAX_VALUE_DEPTH: usize = 1_000;

/// Drops values without recursion: a list or map nested a million deep (`dict` in a `range`)
/// would otherwise overflow the stack as each level drops the next. The children of every
/// list or map this was the last owner of are moved out and dropped one by one.
fn drop_iteratively(mut pending: Vec<Value>) {
    while let Some(value) = pending.pop() {
        match value {
            Value::List(mut list) => {
                if let Some(items) = Arc::get_mut(&mut list.items) {
                    pending.append(items);
                }
            }
            Value::Map(mut map) => {
                if let Some(entries) = Arc::get_mut(&mut map.entries) {
                    let entries = entries.get_mut().ignore_poison();
                    pending.extend(std::mem::take(entries).into_values());
                }
            }
            _ => {}
        }
    }
}

impl Drop for List {
    fn drop(&mut self) {
        if let Some(items) = Arc::get_mut(&mut self.items) {
            if items
                .iter()
                .any(|v| matches!(v, Value::List(_) | Value::Map(_)))
            {
                drop_iteratively(std::mem::take(items));
            }
        }
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        if let Some(entries) = Arc::get_mut(&mut self.entries) {
            let entries = entries.get_mut().ignore_poison();
            if entries
                .values()
                .any(|v| matches!(v, Value::List(_) | Value::Map(_)))
            {
                drop_iteratively(std::mem::take(entries).into_values().collect());
            }
        }
    }
}

/// A shared, mutable Go map (`map[string]interface {}`).
///
/// Clones share the entries. Access goes through short-lived locks: never hold the guard of
/// [`Map::read`]/[`Map::write`] while calling back into templates or touching the same map again
/// (`merge $m $m`): take a [`Map::snapshot`] first.
#[derive(Clone)]
pub struct Map {
    pub ty: MapType,
    entries: Arc<RwLock<Entries>>,
    /// A nil map (`var m map[string]string`): empty like `{}`, but `toJson` says `null`.
    nil: bool,
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.snapshot()).finish()
    }
}

impl Default for Map {
    fn default() -> Self {
        Map::new(Entries::new())
    }
}

impl Map {
    /// A `map[string]interface {}` holding `entries`.
    pub fn new(entries: Entries) -> Self {
        Map {
            ty: MapType::Any,
            entries: Arc::new(RwLock::new(entries)),
            nil: false,
        }
    }

    /// A nil map of the given type (Helm's `.Chart.Annotations` when Chart.yaml has none).
    pub fn nil(ty: MapType) -> Self {
        Map {
            ty,
            entries: Arc::new(RwLock::new(Entries::new())),
            nil: true,
        }
    }

    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// What a missing key gives under Helm's `missingkey=zero`: the zero value of the
    /// element type (`""` for a `map[string]string`, nil for interfaces).
    pub fn missing_entry(&self) -> Value {
        match self.ty {
            MapType::Strings => Value::str(""),
            MapType::Any | MapType::Values => Value::Nil,
        }
    }

    /// The same entries seen as another Go map type (e.g. `common.Values` for `.Values`).
    pub fn with_type(mut self, ty: MapType) -> Self {
        self.ty = ty;
        self
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Entries> {
        // A poisoned lock means a panic elsewhere already failed the render; the data is intact.
        self.entries.read().ignore_poison()
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, Entries> {
        self.entries.write().ignore_poison()
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.read().contains_key(key)
    }

    pub fn insert(&self, key: impl Into<Key>, value: Value) -> Option<Value> {
        self.write().insert(key.into(), value)
    }

    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// A copy of the entries (values are shared handles, so this is shallow and cheap).
    pub fn snapshot(&self) -> Entries {
        self.read().clone()
    }

    pub fn keys(&self) -> Vec<Key> {
        self.read().keys().cloned().collect()
    }

    /// Whether both handles are the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.entries, &other.entries)
    }

    /// Where the shared entries live: the map's identity (Go's map pointer).
    pub fn addr(&self) -> usize {
        Arc::as_ptr(&self.entries) as *const () as usize
    }

    pub fn type_name(&self) -> &'static str {
        match self.ty {
            MapType::Any => "map[string]interface {}",
            MapType::Values => "common.Values",
            MapType::Strings => "map[string]string",
        }
    }
}

/// The error of a function or method call, worded as Go/Sprig/Helm word it (the executor adds
/// `error calling NAME: ` and the template position).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FuncError {
    /// The function's own message.
    #[error("{0}")]
    Message(String),
    /// Helm's `fail` and `required`: the chart's message.
    #[error("{0}")]
    Fail(String),
    /// The call would pass a safety limit.
    #[error("{0}")]
    Limit(LimitExceeded),
    /// A template the call ran (`include`) failed, or the execution's own limit was hit.
    #[error("{0}")]
    Template(Box<ExecError>),
    /// Helm's `tpl` of a text that does not parse (`text` quoted as Go's `%q`).
    #[error("cannot parse template {text}: template: gotpl:{line}: {message}")]
    TplParse {
        /// The text, as Go's `%q` quotes it.
        text: String,
        /// The line of the parse error.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// Helm's `tpl` of a text whose execution failed (`text` quoted as Go's `%q`).
    #[error("error during tpl function execution for {text}: {error}")]
    Tpl {
        /// The text, as Go's `%q` quotes it.
        text: String,
        /// Why its execution failed.
        error: Box<ExecError>,
    },
}

impl FuncError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        FuncError::Message(message.into())
    }

    /// What kind of failure this makes the call's execution error.
    pub fn kind(&self) -> ExecErrorKind {
        match self {
            FuncError::Message(_) => ExecErrorKind::Call,
            FuncError::Fail(_) => ExecErrorKind::Fail,
            FuncError::Limit(limit) => ExecErrorKind::Limit(limit.kind),
            FuncError::Template(error) | FuncError::Tpl { error, .. } => error.kind,
            FuncError::TplParse { .. } => ExecErrorKind::Parse,
        }
    }
}

/// A Go struct, pointer or named non-map type exposed to templates: `.Chart` (`*chart.Metadata`),
/// `.Capabilities`, `.Files`, `time.Time`, `*semver.Version`, …
///
/// Field access `.Name` asks [`Object::method_arity`] first (Go resolves methods before fields),
/// then [`Object::field`]; a name that is neither fails with Go's
/// `can't evaluate field Name in type <type_name>`.
pub trait Object: Send + Sync + fmt::Debug {
    /// Go's `%T`, e.g. `*chart.Metadata`, `time.Time`, `*semver.Version`.
    fn type_name(&self) -> &str;

    /// `reflect.Kind` name for Sprig's `kindOf`: `ptr`, `struct`, `map`, …
    fn kind_name(&self) -> &str {
        "ptr"
    }

    /// The value of the exported field `name`, if the type has one.
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    /// The number of arguments method `name` takes, if the type has such a method.
    fn method_arity(&self, _name: &str) -> Option<usize> {
        None
    }

    /// Calls method `name` (the executor has checked `args.len()` against `method_arity`).
    fn call_method(&self, name: &str, _args: &[Value]) -> Result<Value, FuncError> {
        Err(FuncError::new(format!(
            "can't evaluate field {name} in type {}",
            self.type_name()
        )))
    }

    /// Go's `%v` rendering of the value (e.g. `&{name 1.0.0 ...}`, `2024-01-02 03:04:05 +0000 UTC`).
    fn go_format(&self) -> String;

    /// Go's `String()` method (fmt prefers it for `%v`/`%s`) when the type has one.
    fn go_stringer(&self) -> Option<String> {
        None
    }

    /// Go's `String()` on the pointer of a value type: `text/template` prints an addressable
    /// value (reached through fields or variables) with it, but a function gets a copy,
    /// which has no such method.
    fn addressable_stringer(&self) -> Option<String> {
        None
    }

    /// Whether Go's template truth test sees the value as non-empty (non-nil pointers are true).
    fn truthy(&self) -> bool {
        true
    }

    /// For a Go named map or slice type that has methods (Helm's `engine.files`,
    /// `common.VersionSet`): the same data as a plain `Value::Map` or `Value::List`, which
    /// `range`, `len`, `index`, comparisons and serialisation see.
    fn as_collection(&self) -> Option<Value> {
        None
    }

    /// For a Go named map type: what a missing key gives, the zero value of its element type
    /// (a plain map's is nil).
    fn missing_entry(&self) -> Value {
        Value::Nil
    }

    /// What `encoding/json` writes for the value (`toJson`, and `toYaml`, which goes through
    /// JSON), when it is not an empty object.
    fn json(&self) -> Option<Json> {
        None
    }

    /// The concrete Rust type, for functions whose Go parameter is this type (Sprig's date
    /// functions take a `time.Time`, semver methods a `*semver.Version`).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// The methods of Helm's `common.Values` (the type of `.Values`), which Go resolves before
/// map keys: `.Values.AsMap`, `.Values.Table "a.b"`, `.Values.PathValue "a.b.c"`.
#[derive(Debug)]
pub struct ValuesMethods(Map);

impl ValuesMethods {
    /// The method object when `name` is a method of `m`'s Go type.
    pub fn for_method(m: &Map, name: &str) -> Option<ValuesMethods> {
        let is_method = matches!(name, "AsMap" | "Table" | "PathValue");
        (m.ty == MapType::Values && is_method).then(|| ValuesMethods(m.clone()))
    }

    /// Helm's `Values.Table`: the sub-map at a dotted path.
    fn table(&self, path: &str) -> Result<Map, FuncError> {
        let mut table = self.0.clone();
        for key in path.split('.') {
            table = match table.get(key) {
                Some(Value::Map(m)) => m,
                _ => return Err(FuncError::new(format!("\"{key}\" is not a table"))),
            };
        }
        Ok(table.with_type(MapType::Values))
    }
}

impl Object for ValuesMethods {
    fn type_name(&self) -> &str {
        "common.Values"
    }

    fn kind_name(&self) -> &str {
        "map"
    }

    fn method_arity(&self, name: &str) -> Option<usize> {
        match name {
            "AsMap" => Some(0),
            "Table" | "PathValue" => Some(1),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let arg = args.first().and_then(Value::as_str).unwrap_or_default();
        match name {
            "AsMap" => Ok(Value::Map(self.0.clone().with_type(MapType::Any))),
            "Table" => self.table(arg).map(Value::Map),
            _ => {
                if arg.is_empty() {
                    return Err(FuncError::new("YAML path cannot be empty"));
                }
                let (parent, key) = match arg.rsplit_once('.') {
                    Some((parent, key)) => (self.table(parent).ok(), key),
                    None => (Some(self.0.clone()), arg),
                };
                match parent.and_then(|t| t.get(key)) {
                    Some(Value::Map(_)) | None => {
                        Err(FuncError::new(format!("\"{key}\" is not a value")))
                    }
                    Some(v) => Ok(v),
                }
            }
        }
    }

    fn go_format(&self) -> String {
        super::fmt::format_value(&Value::Map(self.0.clone()))
    }
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// A Go string of any bytes: `Str` when they are UTF-8, `RawStr` when not.
    pub fn go_string(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(text) => Value::str(text),
            Err(e) => {
                let text = go_text(e.as_bytes()).into();
                Value::RawStr(Arc::new(RawStr {
                    bytes: e.into_bytes().into(),
                    text,
                }))
            }
        }
    }

    /// A Go string made of part of another's bytes (`trunc`, `substr`): as cheap as a copy
    /// of the part when it is UTF-8.
    pub fn go_substring(bytes: &[u8]) -> Value {
        match std::str::from_utf8(bytes) {
            Ok(text) => Value::str(text),
            Err(_) => Value::go_string(bytes.to_vec()),
        }
    }

    /// A `[]interface {}` value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::any(items))
    }

    /// A fresh `map[string]interface {}` value.
    pub fn map(entries: Entries) -> Value {
        Value::Map(Map::new(entries))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Go's `%T`.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) | Value::RawStr(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(l) => l.type_name(),
            Value::Map(m) => m.type_name(),
            Value::Object(o) => o.type_name(),
        }
    }

    /// `reflect.Kind` name (Sprig's `kindOf`): `invalid`, `bool`, `int`, `int64`, `float64`,
    /// `string`, `slice`, `map`, or the object's kind.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) | Value::RawStr(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go's template truth (`if`, `with`, `and`, `or`, `not`): false for nil, `false`, zero
    /// numbers, empty strings, lists and maps.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n) | Value::Int64(n) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::RawStr(_) => true,
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// A string's text: a `RawStr` reads with U+FFFD for its invalid bytes (see [`RawStr`]).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::RawStr(r) => Some(r.text()),
            _ => None,
        }
    }

    /// A string's bytes, as Go holds them.
    pub fn string_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::RawStr(r) => Some(r.bytes()),
            _ => None,
        }
    }

    /// The integer of an `int` or `int64`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) | Value::Int64(n) => Some(*n),
            _ => None,
        }
    }

    /// A JSON document as Helm holds it after its YAML→JSON step: every number is `float64`,
    /// objects are `map[string]interface {}`, arrays `[]interface {}`.
    pub fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Nil,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Value::str(s.as_str()),
            Json::Array(items) => Value::list(items.iter().map(Value::from_json).collect()),
            Json::Object(obj) => Value::map(
                obj.iter()
                    .map(|(k, v)| (Key::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// A named map/slice object (see [`Object::as_collection`]) as its plain map or list; any
    /// other value as it is.
    pub fn collection_view(self) -> Value {
        match &self {
            Value::Object(o) => o.as_collection().unwrap_or(self),
            _ => self,
        }
    }

    /// Whether a walk over the whole value (encoding, printing or copying it) meets more than
    /// `limit` items, map entries and string bytes, counted as the walk meets them: a list or
    /// map held in several places counts once for each. Sharing makes that exponential in the
    /// memory the value takes (`$d = dict "l" $d "r" $d` in a loop), so walkers ask first.
    /// The count stops at `limit`, or [`MAX_VALUE_DEPTH`] levels down (a map holding itself).
    pub fn walk_exceeds(&self, limit: u64) -> bool {
        let mut left = limit;
        !self.walk_within(&mut left, MAX_VALUE_DEPTH)
    }

    fn walk_within(&self, left: &mut u64, depth: usize) -> bool {
        let own = 1 + self.string_bytes().map_or(0, |b| b.len() as u64);
        let Some(rest) = left.checked_sub(own) else {
            return false;
        };
        *left = rest;
        // Past the walkers' own depth limit they stop (or fail) by themselves.
        let Some(inner) = depth.checked_sub(1) else {
            return true;
        };
        match self {
            Value::List(l) => l
                .items()
                .iter()
                .all(|v| crate::stack::deep(|| v.walk_within(left, inner))),
            Value::Map(m) => {
                // Taken out of the lock first: a map may hold itself.
                let entries: Vec<(Key, Value)> = m
                    .read()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                entries.iter().all(|(k, v)| {
                    *left = left.saturating_sub(k.len() as u64);
                    crate::stack::deep(|| v.walk_within(left, inner))
                })
            }
            _ => true,
        }
    }

    /// A deep copy: new maps all the way down (Sprig's `deepCopy`, Helm's values coalescing).
    /// A copy sharing nothing mutable; `None` when the value nests deeper than
    /// [`MAX_VALUE_DEPTH`] (a map holding itself nests without end).
    pub fn deep_copy(&self) -> Option<Value> {
        self.deep_copy_within(MAX_VALUE_DEPTH)
    }

    fn deep_copy_within(&self, depth: usize) -> Option<Value> {
        let inner = depth.checked_sub(1);
        Some(match self {
            Value::List(l) if l.is_nil() => self.clone(),
            Value::List(l) => Value::List(List::new(
                l.elem,
                l.items()
                    .iter()
                    .map(|v| crate::stack::deep(|| v.deep_copy_within(inner?)))
                    .collect::<Option<_>>()?,
            )),
            Value::Map(m) => {
                let entries = m
                    .snapshot()
                    .into_iter()
                    .map(|(k, v)| Some((k, crate::stack::deep(|| v.deep_copy_within(inner?))?)))
                    .collect::<Option<_>>()?;
                Value::Map(Map::new(entries).with_type(m.ty))
            }
            other => other.clone(),
        })
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::str(s)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl From<List> for Value {
    fn from(l: List) -> Self {
        Value::List(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_shared_references() {
        let m = Map::default();
        let alias = Value::Map(m.clone());
        m.insert("a", Value::Int(1));
        match alias {
            Value::Map(a) => assert_eq!(a.get("a").and_then(|v| v.as_int()), Some(1)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn keys_order_bytewise_and_are_shared_by_copies() {
        let m = Map::default();
        for key in ["b", "é", "B", "10", "9", "a"] {
            m.insert(key, Value::Nil);
        }
        let keys: Vec<Key> = ["10", "9", "B", "a", "b", "é"].map(Key::from).into();
        assert_eq!(m.keys(), keys);
        assert!(m.contains_key("é") && m.get("10").is_some());
        let (copy, again) = (m.snapshot(), m.keys());
        assert!(copy.keys().zip(&again).all(|(a, b)| Arc::ptr_eq(a, b)));
    }

    #[test]
    fn json_numbers_are_float64() {
        let v = Value::from_json(&serde_json::json!({"a": 1, "b": [true, null]}));
        let Value::Map(m) = v else { panic!() };
        assert_eq!(
            m.get("a").map(|v| v.type_name().to_string()),
            Some("float64".into())
        );
        assert_eq!(m.keys(), [Key::from("a"), Key::from("b")]);
    }

    #[test]
    fn values_nested_a_million_deep_drop_and_copy_without_overflow() {
        let mut value = Value::Nil;
        for _ in 0..1_000_000 {
            let mut entries = Entries::new();
            entries.insert("a".into(), value);
            value = Value::map(entries);
            value = Value::list(vec![value]);
        }
        // Copying walks MAX_VALUE_DEPTH levels, growing the test thread's 2 MiB stack as needed.
        let copy = value.deep_copy();
        let selfish = Map::default();
        selfish.insert("self", Value::Map(selfish.clone()));
        let self_copy = Value::Map(selfish.clone()).deep_copy();
        // The cycle keeps itself alive (as in Go, until collected): break it.
        selfish.write().clear();
        assert!(copy.is_none() && self_copy.is_none());
        // Dropped here, on the test thread's small stack.
        drop(value);
    }

    #[test]
    fn walks_count_shared_values_each_time_they_are_met() {
        // {l: d, r: d} forty times over: 2^40 leaves in a few hundred bytes.
        let mut doubled = Value::str("x");
        for _ in 0..40 {
            let mut entries = Entries::new();
            entries.insert("l".into(), doubled.clone());
            entries.insert("r".into(), doubled);
            doubled = Value::map(entries);
        }
        assert!(doubled.walk_exceeds(1 << 26));
        // One level: the map, two keys of one byte, two strings of one byte each met once.
        let mut entries = Entries::new();
        entries.insert("l".into(), Value::str("x"));
        entries.insert("r".into(), Value::str("x"));
        let small = Value::map(entries);
        assert!(!small.walk_exceeds(7));
        assert!(small.walk_exceeds(6));
        // A list holding one string three times counts its bytes three times.
        let big = Value::str("y".repeat(100));
        let thrice = Value::list(vec![big.clone(), big.clone(), big]);
        assert!(!thrice.walk_exceeds(304));
        assert!(thrice.walk_exceeds(303));
        // A map holding itself is counted down to the depth where the walkers stop (or fail)
        // by themselves: a map and a four-byte key a level.
        let selfish = Map::default();
        selfish.insert("self", Value::Map(selfish.clone()));
        let levels = MAX_VALUE_DEPTH as u64;
        assert!(!Value::Map(selfish.clone()).walk_exceeds(5 * levels + 1));
        assert!(Value::Map(selfish.clone()).walk_exceeds(5 * levels - 1));
        selfish.write().clear();
    }

    #[test]
    fn deep_copy_detaches_maps() {
        let inner = Map::default();
        let outer = Map::default();
        outer.insert("in", Value::Map(inner.clone()));
        let copy = Value::Map(outer).deep_copy().unwrap();
        inner.insert("x", Value::Bool(true));
        let Value::Map(c) = copy else { panic!() };
        let Some(Value::Map(ci)) = c.get("in") else {
            panic!()
        };
        assert!(ci.is_empty());
    }
}
