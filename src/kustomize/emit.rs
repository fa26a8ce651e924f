//! Output exactly as kustomize prints a resource: its JSON form re-encoded by
//! sigs.k8s.io/yaml (go-yaml v2), written by the shared go-yaml emitter.

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
    go_format_g(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`.
pub fn go_format_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddde±x".
    let e = format!("{:e}", f.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    } else if exp < 0 {
        format!("{sign}0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else {
        let point = (exp + 1) as usize;
        if digits.len() <= point {
            format!("{sign}{}{}", digits, "0".repeat(point - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..point], &digits[point..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_strconv_g() {
        // Values from Go's strconv.FormatFloat(f, 'g', -1, 64).
        assert_eq!(go_format_g(1.5e300), "1.5e+300");
        assert_eq!(go_format_g(1e-6), "1e-06");
        assert_eq!(go_format_g(0.1), "0.1");
        assert_eq!(go_format_g(123456.5), "123456.5");
        assert_eq!(go_format_g(1234567.5), "1.2345675e+06");
        assert_eq!(go_format_g(1e21), "1e+21");
        assert_eq!(go_format_g(-0.5), "-0.5");
    }
}
