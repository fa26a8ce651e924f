//! Output exactly as kustomize prints a resource: its JSON form re-encoded by
//! sigs.k8s.io/yaml (go-yaml v2), written by the shared go-yaml emitter.

use crate::go::json::format_float;
use crate::yaml::emit::{self, Node, SequenceIndent};
use serde_json::Value;

/// One document as kustomize prints it (ends with a newline).
pub fn to_yaml(doc: &Value) -> String {
    emit::to_string(&to_node(doc), SequenceIndent::Indentless)
}

fn to_node(v: &Value) -> Node {
    match v {
        Value::Null => Node::Plain("null".into()),
        Value::Bool(b) => Node::Plain(b.to_string()),
        Value::Number(n) => Node::Plain(number_to_text(n)),
        Value::String(s) => Node::Str(s.clone()),
        Value::Array(items) => Node::Seq(items.iter().map(to_node).collect()),
        Value::Object(m) => Node::Map(m.iter().map(|(k, v)| (k.clone(), to_node(v))).collect()),
    }
}

/// A number as it comes out of JSON → go-yaml v2: integral values that fit
/// 64 bits print as integers, everything else with Go's `%g` shortest form.
pub fn number_to_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if f >= i64::MIN as f64 && f < i64::MAX as f64 {
            return (f as i64).to_string();
        }
        if f >= 0.0 && f < u64::MAX as f64 {
            return (f as u64).to_string();
        }
    }
    format_float(f, 'g', -1)
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
        assert_eq!(text(1.5e300), "1.5e+300");
        assert_eq!(text(1e-6), "1e-06");
        assert_eq!(text(0.1), "0.1");
        assert_eq!(text(1234567.5), "1.2345675e+06");
        assert_eq!(text(-0.5), "-0.5");
        assert_eq!(number_to_text(&u64::MAX.into()), "18446744073709551615");
    }
}
