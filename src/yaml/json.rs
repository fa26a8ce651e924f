//! YAML → JSON as sigs.k8s.io/yaml does it (the path Kubernetes objects and Helm values take).

use super::node::Node;
use super::resolve::Resolved;
use super::YamlError;
use crate::go::strconv;
use serde_json::{Map, Number, Value};

/// Converts a node to JSON: YAML 1.1 scalar resolution, keys turned into strings, merge keys
/// (`<<`) applied, mapping order kept. Infinity and NaN have no JSON form and are errors.
pub fn to_json(node: &Node) -> Result<Value, YamlError> {
    match node {
        Node::Scalar(scalar) => resolved_to_json(scalar.resolve()?),
        Node::Sequence(items) => items
            .iter()
            .map(|item| crate::stack::deep(|| to_json(item)))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Node::Mapping(entries) => {
            let mut map = Map::with_capacity(entries.len());
            // Explicit keys win over merged ones wherever they stand, as in go-yaml.
            for (key, value) in entries {
                if is_merge_key(key) {
                    merge_into(&mut map, value)?;
                }
            }
            for (key, value) in entries {
                if !is_merge_key(key) {
                    map.insert(
                        key_string(key, entries)?,
                        crate::stack::deep(|| to_json(value))?,
                    );
                }
            }
            Ok(Value::Object(map))
        }
    }
}

fn is_merge_key(key: &Node) -> bool {
    matches!(key, Node::Scalar(s) if s.text == "<<" && s.style == super::ScalarStyle::Plain && s.tag.is_none())
}

/// Applies `<<: *m` or `<<: [*a, *b]` (earlier mappings in the list win).
fn merge_into(map: &mut Map<String, Value>, value: &Node) -> Result<(), YamlError> {
    let sources: Vec<&Node> = match value {
        Node::Sequence(items) => items.iter().collect(),
        other => vec![other],
    };
    for source in sources {
        let Value::Object(merged) = to_json(source)? else {
            return Err(YamlError::Value(
                "map merge requires map or sequence of maps as the value".into(),
            ));
        };
        for (k, v) in merged {
            map.entry(k).or_insert(v);
        }
    }
    Ok(())
}

fn resolved_to_json(value: Resolved) -> Result<Value, YamlError> {
    Ok(match value {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Number(i.into()),
        Resolved::Float(f) => Value::Number(Number::from_f64(f).ok_or_else(|| {
            YamlError::Json(format!(
                "json: unsupported value: {}",
                strconv::format_float(f, 'g', -1)
            ))
        })?),
        Resolved::Str(s) => Value::String(s),
    })
}

/// JSON object keys as sigs.k8s.io/yaml makes them: strings as they are, booleans and numbers
/// printed; a null key refused by sigs.k8s.io/yaml and a collection key by go-yaml, each naming
/// Go values as `%#v` prints them (`convertToJSONable`; yaml.v2's `invalid map key`).
fn key_string(key: &Node, entries: &[(Node, Node)]) -> Result<String, YamlError> {
    let Node::Scalar(scalar) = key else {
        return Err(YamlError::Value(format!(
            "invalid map key: {}",
            go_value_syntax(key, false)?
        )));
    };
    Ok(match scalar.resolve()? {
        Resolved::Null => {
            // The Go map holds one nil key: the value of the last.
            let last = entries.iter().rev().find(
                |(k, _)| matches!(k, Node::Scalar(s) if matches!(s.resolve(), Ok(Resolved::Null))),
            );
            let value = match last {
                Some((_, value)) => go_value_syntax(value, false)?,
                None => "<nil>".into(),
            };
            return Err(YamlError::Json(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {value}"
            )));
        }
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Float(f) => format_float_key(f),
        Resolved::Str(s) => s,
    })
}

/// What go-yaml v2 decodes `node` to (`interface{}`), as Go's `%#v` prints it: a nil inside a
/// collection is a typed `interface {}(nil)`; mapping keys in `fmt`'s sorted order (by type,
/// then value) and, as in the Go map, the last of equal keys wins.
fn go_value_syntax(node: &Node, nested: bool) -> Result<String, YamlError> {
    Ok(match node {
        Node::Scalar(scalar) => match scalar.resolve()? {
            Resolved::Null if nested => "interface {}(nil)".into(),
            Resolved::Null => "<nil>".into(),
            Resolved::Bool(b) => b.to_string(),
            Resolved::Int(i) => i.to_string(),
            Resolved::Float(f) => strconv::format_float(f, 'g', -1),
            Resolved::Str(s) => strconv::quote(&s),
        },
        Node::Sequence(items) => {
            let items = items
                .iter()
                .map(|item| crate::stack::deep(|| go_value_syntax(item, true)))
                .collect::<Result<Vec<_>, _>>()?;
            format!("[]interface {{}}{{{}}}", items.join(", "))
        }
        Node::Mapping(entries) => {
            let mut keyed = entries
                .iter()
                .map(|(key, value)| Ok((KeyRank::of(key)?, key, value)))
                .collect::<Result<Vec<_>, YamlError>>()?;
            // Stable: equal keys stay in document order, and the Go map keeps the last.
            keyed.sort_by(|a, b| a.0.order(&b.0));
            let mut shown = Vec::with_capacity(keyed.len());
            for (i, (rank, key, value)) in keyed.iter().enumerate() {
                if keyed.get(i + 1).is_some_and(|next| rank.same_key(&next.0)) {
                    continue;
                }
                let key = crate::stack::deep(|| go_value_syntax(key, true))?;
                let value = crate::stack::deep(|| go_value_syntax(value, true))?;
                shown.push(format!("{key}:{value}"));
            }
            format!("map[interface {{}}]interface {{}}{{{}}}", shown.join(", "))
        }
    })
}

/// A decoded key's Go type and value, in the order `fmt` prints map keys of one type (across
/// types Go orders by type descriptor; strings before numbers is what helm v4.1.4 shows).
#[derive(PartialEq)]
enum KeyRank {
    Nil,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Collection,
}

impl KeyRank {
    fn of(key: &Node) -> Result<KeyRank, YamlError> {
        Ok(match key {
            Node::Scalar(s) => match s.resolve()? {
                Resolved::Null => KeyRank::Nil,
                Resolved::Str(s) => KeyRank::Str(s),
                Resolved::Int(i) => KeyRank::Int(i),
                Resolved::Float(f) => KeyRank::Float(f),
                Resolved::Bool(b) => KeyRank::Bool(b),
            },
            _ => KeyRank::Collection,
        })
    }

    /// Whether both are one key of a Go map: never a collection (whose key would be refused
    /// first) or NaN (`==` is false).
    fn same_key(&self, other: &KeyRank) -> bool {
        !matches!(self, KeyRank::Collection) && self == other
    }

    /// fmt's sorted order, total (a sort may panic on less): by type, then value; NaN before
    /// other floats (Go's internal/fmtsort), false before true.
    fn order(&self, other: &KeyRank) -> std::cmp::Ordering {
        let kind = |r: &KeyRank| match r {
            KeyRank::Nil => 0,
            KeyRank::Str(_) => 1,
            KeyRank::Int(_) => 2,
            KeyRank::Float(_) => 3,
            KeyRank::Bool(_) => 4,
            KeyRank::Collection => 5,
        };
        match (self, other) {
            (KeyRank::Str(a), KeyRank::Str(b)) => a.cmp(b),
            (KeyRank::Int(a), KeyRank::Int(b)) => a.cmp(b),
            (KeyRank::Float(a), KeyRank::Float(b)) => {
                let by_value = a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
                a.is_nan().cmp(&b.is_nan()).reverse().then(by_value)
            }
            (KeyRank::Bool(a), KeyRank::Bool(b)) => a.cmp(b),
            _ => kind(self).cmp(&kind(other)),
        }
    }
}

/// A float key as sigs.k8s.io/yaml spells it: Go's `strconv.FormatFloat(f, 'g', -1, 32)`
/// (float32 digits), with go-yaml's words for infinities and NaN.
pub fn format_float_key(f: f64) -> String {
    match strconv::format_float32(f as f32, 'g', -1).as_str() {
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        "NaN" => ".nan".into(),
        s => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{load_one, Limits};
    use serde_json::json;

    fn convert(text: &str) -> Result<Value, YamlError> {
        to_json(&load_one(text, &Limits::default()).unwrap())
    }

    #[test]
    fn scalars_keys_and_order() {
        let v = convert("z: yes\na: '1'\n1: x\ntrue: y\nn: ~\nf: 1.5\nlist: [1, \"2\"]\n").unwrap();
        assert_eq!(
            v,
            json!({"z": true, "a": "1", "1": "x", "true": true, "false": null, "f": 1.5, "list": [1, "2"]})
        );
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "1", "true", "false", "f", "list"]);
    }

    #[test]
    fn numeric_keys_print_as_go_does() {
        let v = convert("m:\n  1: one\n  1.5: a\n  0x10: hex\n  010: oct\n  1e3: exp\n  1e7: big\n  0.00001: tiny\n").unwrap();
        let keys: Vec<_> = v["m"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["1", "1.5", "16", "8", "1000", "1e+07", "1e-05"]);
        let v =
            convert("m:\n  0.1: a\n  .inf: b\n  -.inf: c\n  .nan: d\n  1.23456789e8: e\n").unwrap();
        let keys: Vec<_> = v["m"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["0.1", ".inf", "-.inf", ".nan", "1.2345679e+08"]);
    }

    #[test]
    fn null_keys_are_refused() {
        let err = convert("m:\n  ~: b\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"b\""
        );
        // Expectations from helm v4.1.4 (values files): the last of two null keys is the one
        // the Go map keeps; values as `%#v` prints them.
        let cases = [
            ("m:\n  null: a\n  ~: b\n", "\"b\""),
            ("m:\n  null: 3\n", "3"),
            (
                "m:\n  ~: [1, \"a\", 2.0, 1.5, true, null, {b: 1, a: 2}]\n",
                "[]interface {}{1, \"a\", 2, 1.5, true, interface {}(nil), map[interface {}]interface {}{\"a\":2, \"b\":1}}",
            ),
            (
                "m:\n  ~: {.nan: 1, 2.5: 2, 1.5: 4, a: 5, a: 6, -1.5: 7}\n",
                "map[interface {}]interface {}{\"a\":6, NaN:1, -1.5:7, 1.5:4, 2.5:2}",
            ),
            (
                "m:\n  ~: {b: 1, a: 2, 1: 3}\n",
                "map[interface {}]interface {}{\"a\":2, \"b\":1, 1:3}",
            ),
        ];
        for (text, value) in cases {
            assert_eq!(
                convert(text).unwrap_err().to_string(),
                format!("unsupported map key of type: %!s(<nil>), key: <nil>, value: {value}"),
                "{text}"
            );
        }
        // A collection as a key is go-yaml's own refusal.
        assert_eq!(
            convert("? [a, 1]\n: 1\n").unwrap_err().to_string(),
            "yaml: invalid map key: []interface {}{\"a\", 1}"
        );
        assert_eq!(
            convert("? {a: 1}\n: 1\n").unwrap_err().to_string(),
            "yaml: invalid map key: map[interface {}]interface {}{\"a\":1}"
        );
    }

    #[test]
    fn merge_keys() {
        let v = convert("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n").unwrap();
        assert_eq!(v["x"], json!({"a": 1, "b": 3}));
    }

    #[test]
    fn infinity_is_an_error() {
        // sigs.k8s.io/yaml's json.Marshal refuses it, in encoding/json's words only.
        assert_eq!(
            convert("a: .inf\n").unwrap_err().to_string(),
            "json: unsupported value: +Inf"
        );
    }
}
