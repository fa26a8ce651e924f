//! Output exactly as kustomize prints a resource: its JSON form re-encoded by
//! sigs.k8s.io/yaml (go-yaml v2), written by the shared go-yaml emitter.

use crate::go::json::json_float;
use crate::yaml::emit::{self, Node, SequenceIndent};
use crate::yaml::marshal;
use serde_json::Value;

/// One document as kustomize prints it (ends with a newline).
pub fn to_yaml(doc: &Value) -> String {
    emit::to_string(&to_node(doc), SequenceIndent::Indentless)
}

fn to_node(v: &Value) -> Node<'_> {
    match v {
        Value::Null => Node::Plain("null".into()),
        Value::Bool(b) => Node::Plain(if *b { "true" } else { "false" }.into()),
        Value::Number(n) => Node::Plain(number_to_text(n).into()),
        Value::String(s) => Node::Str(s.into()),
        Value::Array(items) => Node::Seq(items.iter().map(to_node).collect()),
        Value::Object(m) => Node::Map(m.iter().map(|(k, v)| (k.as_str(), to_node(v))).collect()),
    }
}

/// A number as it comes out of JSON → go-yaml v2: `encoding/json`'s text read back by
/// go-yaml (integral values that fit 64 bits are integers, the rest floats in `%g` form).
pub fn number_to_text(n: &serde_json::Number) -> String {
    let json = match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i.to_string(),
        (_, Some(u)) => u.to_string(),
        // serde_json holds only finite floats.
        _ => json_float(n.as_f64().unwrap_or(0.0)).unwrap_or_default(),
    };
    marshal::plain_number(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_go_json_then_go_yaml() {
        let text = |f: f64| number_to_text(&serde_json::Number::from_f64(f).unwrap());
        assert_eq!(text(2.0), "2");
        assert_eq!(text(1e20), "1e+20");
        assert_eq!(text(1e21), "1e+21");
        assert_eq!(text(1e19), "10000000000000000000");
        assert_eq!(text(-0.0), "0");
        assert_eq!(text(1e-7), "1e-07");
        assert_eq!(text(1.5e300), "1.5e+300");
        assert_eq!(text(1e-6), "1e-06");
        assert_eq!(text(0.1), "0.1");
        assert_eq!(text(1234567.5), "1.2345675e+06");
        assert_eq!(text(-0.5), "-0.5");
        assert_eq!(number_to_text(&u64::MAX.into()), "18446744073709551615");
    }
}
