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
                        key_string(key, value)?,
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
            YamlError::Value(format!(
                "json: unsupported value: {}",
                strconv::format_float(f, 'g', -1)
            ))
        })?),
        Resolved::Str(s) => Value::String(s),
    })
}

/// JSON object keys as sigs.k8s.io/yaml makes them: strings as they are, booleans and numbers
/// printed, null refused.
fn key_string(key: &Node, value: &Node) -> Result<String, YamlError> {
    let Node::Scalar(scalar) = key else {
        return Err(YamlError::Value(
            "unsupported map key: a sequence or mapping cannot be a JSON key".into(),
        ));
    };
    Ok(match scalar.resolve()? {
        Resolved::Null => {
            let shown = match value {
                Node::Scalar(s) => format!("{:?}", s.text),
                _ => "...".to_string(),
            };
            return Err(YamlError::Value(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {shown}"
            )));
        }
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Float(f) => format_float_key(f),
        Resolved::Str(s) => s,
    })
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
            "yaml: unsupported map key of type: %!s(<nil>), key: <nil>, value: \"b\""
        );
    }

    #[test]
    fn merge_keys() {
        let v = convert("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n").unwrap();
        assert_eq!(v["x"], json!({"a": 1, "b": 3}));
    }

    #[test]
    fn infinity_is_an_error() {
        assert!(convert("a: .inf\n").is_err());
    }
}
