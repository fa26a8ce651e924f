//! Resource documents as kustomize sees them: YAML read with go-yaml v3's
//! rules (kyaml), held as JSON values (kustomize's transformers and output all
//! go through the JSON form).

use super::KustomizeError;
use crate::budget::LimitKind;
use crate::go::base64;
use crate::yaml::{self, Node, PlainNumber, ScalarStyle, YamlError};
use serde_json::{Map, Number, Value};

/// Why a YAML document is no resource kustomize can hold, in kyaml's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DocumentError {
    /// Not YAML, or over a YAML limit.
    #[error("{0}")]
    Yaml(YamlError),
    /// A mapping that repeats a key (kustomize decodes strictly).
    #[error("yaml: unmarshal errors: mapping key {0:?} already defined")]
    DuplicateKey(String),
    /// A mapping key that is a sequence or a mapping.
    #[error("mapping keys must be scalars")]
    KeyNotScalar,
    /// A `!!binary` scalar that is not base64.
    #[error("yaml: !!binary value contains invalid base64 data")]
    Binary,
    /// A value JSON cannot hold (an infinity or NaN), as YAML wrote it or as Rust prints it.
    #[error("json: unsupported value: {0}")]
    Unsupported(String),
    /// A resource document that is not a mapping.
    #[error("resource is not a mapping")]
    NotAMapping,
}

impl DocumentError {
    /// The YAML safety limit reading hit, if it did.
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            DocumentError::Yaml(e) => e.limit().map(|l| l.kind),
            _ => None,
        }
    }
}

/// Parses every document of a YAML (or JSON) stream, dropping empty ones.
pub fn parse_documents(text: &str, file: &str) -> Result<Vec<Value>, KustomizeError> {
    let mut docs = Vec::new();
    parse_each(text, file, Nulls::Resource, |_, doc| docs.push(doc))?;
    Ok(docs)
}

/// [`parse_documents`] for strategic merge patches, their labels and annotations read as
/// `nulls` says.
pub fn parse_patches(text: &str, file: &str, nulls: Nulls) -> Result<Vec<Value>, KustomizeError> {
    let mut docs = Vec::new();
    parse_each(text, file, nulls, |_, doc| docs.push(doc))?;
    Ok(docs)
}

/// How a document's labels and annotations written as nulls are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// A resource: an annotation with text (`~`, `null`) is that text, as kustomize's
    /// final rewrite of the annotations reads it; one written as nothing stays a null
    /// until then.
    Resource,
    /// A patch merged as parsed (kyaml's merge2 reads its nodes): each annotation
    /// written as a null is a null, which the merge deletes.
    Deleting,
    /// A patch ResMap.ApplySmPatch merges: its copy's labels and annotations are set
    /// from their text (CopyMergeMetaDataFieldsFrom), a null written as nothing "".
    Text,
}

/// One step of a path into a document: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Where a value lies in a document.
pub type Path = Vec<Step>;

/// [`parse_documents`], each document with the paths of its mapping values written as
/// nothing (`key:`), which JSON holds as null like an explicit `null` or `~`, but which
/// kyaml's merge drops (see `patch::drop_empty_nulls`).
pub fn parse_resources(text: &str, file: &str) -> Result<Vec<(Value, Vec<Path>)>, KustomizeError> {
    let mut docs = Vec::new();
    parse_each(text, file, Nulls::Resource, |node, doc| {
        let mut empty = Vec::new();
        empty_nulls(node, &mut Vec::new(), &mut empty);
        docs.push((doc, empty));
    })?;
    Ok(docs)
}

/// Hands `keep` every document of the stream that is not empty, with the node it came from.
fn parse_each(
    text: &str,
    file: &str,
    nulls: Nulls,
    mut keep: impl FnMut(&Node, Value),
) -> Result<(), KustomizeError> {
    let malformed = |error| KustomizeError::MalformedYaml {
        file: file.to_string(),
        error,
    };
    let nodes = yaml::load_all(text, &yaml::Limits::default())
        .map_err(|e| malformed(DocumentError::Yaml(e)))?;
    for node in &nodes {
        let mut v = to_value(node).map_err(malformed)?;
        normalize_annotations(node, &mut v, nulls).map_err(malformed)?;
        if !v.is_null() {
            keep(node, v);
        }
    }
    Ok(())
}

/// Collects into `found` the paths (below `at`) of the mapping values of `node` that are
/// nulls with no text: kyaml keeps a null it reads as `null` or `~` through a merge
/// (MakePersistentNullNode, for a value whose text is not empty), and clears the others.
fn empty_nulls(node: &Node, at: &mut Path, found: &mut Vec<Path>) {
    match node {
        Node::Scalar(_) => {}
        Node::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Step::Index(i));
                crate::stack::deep(|| empty_nulls(item, at, found));
                at.pop();
            }
        }
        Node::Mapping(entries) => {
            for (k, v) in entries {
                let Ok(key) = mapping_key(k) else { continue };
                at.push(Step::Key(key));
                if is_empty_null(v) {
                    found.push(at.clone());
                } else {
                    crate::stack::deep(|| empty_nulls(v, at, found));
                }
                at.pop();
            }
        }
    }
}

/// Whether `node` is a null with no text (`key:`).
fn is_empty_null(node: &Node) -> bool {
    matches!(node, Node::Scalar(s)
        if s.text.is_empty()
            && s.style == ScalarStyle::Plain
            && matches!(scalar_value(&s.text, s.style, s.tag.as_deref()), Ok(Value::Null)))
}

/// Converts a node by go-yaml v3's resolution rules (YAML 1.2-like: `yes` is a
/// string; `012` and `0o12` are octal; `1_000` is an integer).
pub fn to_value(node: &Node) -> Result<Value, DocumentError> {
    match node {
        Node::Scalar(s) => scalar_value(&s.text, s.style, s.tag.as_deref()),
        Node::Sequence(items) => items
            .iter()
            .map(to_value)
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Node::Mapping(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let key = mapping_key(k)?;
                // kustomize decodes objects strictly: a repeated key is an error.
                if map.contains_key(&key) {
                    return Err(DocumentError::DuplicateKey(key));
                }
                map.insert(key, to_value(v)?);
            }
            Ok(Value::Object(map))
        }
    }
}

/// kustomize rewrites `metadata.annotations` from each value's source text
/// (GetAnnotations/SetAnnotations) when it strips its own build annotations,
/// and drops the field when it is empty. It does so once the build is done: an
/// annotation written as nothing is still a null until then (a patch's deletes
/// it, a merge clears the resource's), so it stays one here and
/// [`write_null_annotations`] gives it its text at the end.
fn normalize_annotations(node: &Node, v: &mut Value, nulls: Nulls) -> Result<(), DocumentError> {
    let fields: &[&str] = if nulls == Nulls::Text {
        &["annotations", "labels"]
    } else {
        &["annotations"]
    };
    for field in fields {
        let Some(written) = node.get("metadata").and_then(|m| m.get(field)) else {
            continue;
        };
        let normalized = annotations_value(written, nulls)?;
        if let Some(Value::Object(meta)) = v.get_mut("metadata") {
            match normalized {
                Value::Object(m) if !m.is_empty() => {
                    meta.insert((*field).into(), Value::Object(m));
                }
                Value::Object(_) | Value::Null => {
                    meta.shift_remove(*field);
                }
                other => {
                    meta.insert((*field).into(), other);
                }
            }
        }
    }
    Ok(())
}

/// Sets each annotation of `obj` still a null to `text`: kustomize's final rewrite reads
/// an empty text for one written as nothing, `null` for one a JSON patch wrote.
pub fn write_null_annotations(obj: &mut Value, text: &str) {
    let annotations = obj
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut);
    for value in annotations.into_iter().flat_map(|m| m.values_mut()) {
        if value.is_null() {
            *value = Value::String(text.to_string());
        }
    }
}

fn annotations_value(v: &Node, nulls: Nulls) -> Result<Value, DocumentError> {
    match v {
        Node::Mapping(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let null = match nulls {
                    Nulls::Resource => is_empty_null(v),
                    Nulls::Deleting => to_value(v)?.is_null(),
                    Nulls::Text => false,
                };
                let value = if null {
                    Value::Null
                } else {
                    Value::String(v.as_str().unwrap_or("").to_string())
                };
                map.insert(mapping_key(k)?, value);
            }
            Ok(Value::Object(map))
        }
        other => to_value(other),
    }
}

/// A mapping key as JSON sees it: the key's value stringified.
fn mapping_key(k: &Node) -> Result<String, DocumentError> {
    let Node::Scalar(s) = k else {
        return Err(DocumentError::KeyNotScalar);
    };
    Ok(match scalar_value(&s.text, s.style, s.tag.as_deref())? {
        Value::String(s) => s,
        Value::Null => "null".into(),
        other => other.to_string(),
    })
}

pub fn scalar_value(
    text: &str,
    style: ScalarStyle,
    tag: Option<&str>,
) -> Result<Value, DocumentError> {
    let plain = style == ScalarStyle::Plain;
    match tag {
        Some("!!str") => return Ok(Value::String(text.into())),
        Some("!!binary") => {
            return base64::decode(text)
                .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned()))
                .map_err(|_| DocumentError::Binary)
        }
        Some("!!int") | Some("!!float") | Some("!!bool") | Some("!!null") | Some("!!timestamp") => {
            let v = resolve_plain(text)?;
            return Ok(v);
        }
        Some(t) if !t.starts_with("!!") => return Ok(Value::String(text.into())),
        _ => {}
    }
    if !plain {
        return Ok(Value::String(text.into()));
    }
    resolve_plain(text)
}

fn resolve_plain(text: &str) -> Result<Value, DocumentError> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(DocumentError::Unsupported(text.to_string()));
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if matches!(first, b'+' | b'-' | b'0'..=b'9') {
        if let Some(ts) = parse_timestamp(text) {
            return Ok(Value::String(ts));
        }
    }
    if matches!(first, b'.' | b'+' | b'-' | b'0'..=b'9') {
        match yaml::resolve_number(text) {
            Some(PlainNumber::Int(i)) => return Ok(Value::Number(i.into())),
            Some(PlainNumber::Uint(u)) => return Ok(Value::Number(u.into())),
            Some(PlainNumber::Float(f)) => return float_value(f),
            None => {}
        }
    }
    Ok(Value::String(text.into()))
}

fn float_value(f: f64) -> Result<Value, DocumentError> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| DocumentError::Unsupported(f.to_string()))
}

/// The timestamp forms go-yaml reads (`2006-1-2`, `2006-1-2T15:4:5Z07:00`,
/// `2006-1-2 15:4:5`), rendered as Go's JSON encoding of the time (RFC 3339).
pub fn parse_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some((&s[i..i + 1], &s[i + 1..]))),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let year = parts.next()?;
    let month: u32 = small_number(parts.next()?)?;
    let day: u32 = small_number(parts.next()?)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let Some((sep, time)) = rest else {
        return Some(format!("{year}-{month:02}-{day:02}T00:00:00Z"));
    };
    let (clock, zone) = if sep == " " {
        (time, "Z".to_string())
    } else if let Some(c) = time.strip_suffix('Z') {
        (c, "Z".to_string())
    } else {
        let i = time.rfind(['+', '-'])?;
        let z = &time[i..];
        if z.len() != 6 || &z[3..4] != ":" {
            return None;
        }
        (&time[..i], z.to_string())
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((h, f)) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|c| c.is_ascii_digit()) => {
            (h, f.trim_end_matches('0'))
        }
        Some(_) => return None,
        None => (clock, ""),
    };
    let mut hp = hms.split(':');
    let h = small_number(hp.next()?)?;
    let m = small_number(hp.next()?)?;
    let sec = small_number(hp.next()?)?;
    if hp.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Some(format!(
        "{year}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}{frac}{zone}"
    ))
}

fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A YAML limit hit in a resource file is a limit, whatever kustomize's message wraps
    /// it in; other malformed documents are not.
    #[test]
    fn nulls_written_as_nothing_are_told_apart() {
        let docs = parse_resources("a:\nb: null\nc: ~\nd: ''\nl:\n- x:\n- ~\n", "f.yaml").unwrap();
        let key = |k: &str| Step::Key(k.into());
        assert_eq!(
            docs[0].1,
            [vec![key("a")], vec![key("l"), Step::Index(0), key("x")]]
        );
    }

    #[test]
    fn documents_over_a_yaml_limit_are_limits() {
        let deep: String = (0..300)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        let err = parse_documents(&deep, "deep.yaml").unwrap_err();
        assert_eq!(err.limit(), Some(LimitKind::YamlNesting));
        assert_eq!(
            err.to_string(),
            "MalformedYAMLError: yaml: nesting deeper than 256 levels in File: deep.yaml"
        );
        let err = parse_documents("a: 1\na: 2\n", "dup.yaml").unwrap_err();
        assert_eq!(err.limit(), None);
        assert_eq!(
            err.to_string(),
            "MalformedYAMLError: yaml: unmarshal errors: mapping key \"a\" already defined in File: dup.yaml"
        );
    }
}
