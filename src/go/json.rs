//! A JSON document as Go's `encoding/json` writes it.
//!
//! Helm's `toJson`, `toYaml` (which marshals to JSON first, then to YAML) and `toToml` all see
//! template data through this tree: map keys sorted bytewise, numbers already spelled as Go
//! spells them, strings escaped as Go escapes them.

use std::borrow::Cow;
use std::sync::Arc;

/// A JSON value whose numbers keep Go's spelling (`1e+21`, `0.000001`, `9223372036854775807`).
///
/// Strings and keys are shared with the template data the document is made from: building
/// it copies no text.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text as `encoding/json` writes it.
    Number(String),
    Str(Arc<str>),
    /// A Go string whose bytes are not UTF-8: each invalid byte is written `\ufffd`.
    RawStr(Vec<u8>),
    Array(Vec<Json>),
    /// Entries in output order (Go sorts map keys bytewise; struct fields keep their order).
    Object(Vec<(Arc<str>, Json)>),
}

/// A JSON document read in place, node by node: Go's JSON of template data ([`Json`]) or a
/// parsed document (`serde_json::Value`, as kustomize's resources are held). Whatever reads
/// JSON documents (the YAML marshaller) reads both kinds through this, copying neither.
pub trait JsonDoc: Sized {
    /// An object's entries, in output order.
    type Entries<'a>: Iterator<Item = (&'a str, &'a Self)>
    where
        Self: 'a;

    fn shape(&self) -> Shape<'_, Self>;
}

/// One node of a [`JsonDoc`].
pub enum Shape<'a, D: JsonDoc + 'a> {
    Null,
    Bool(bool),
    /// The number's text as `encoding/json` writes it.
    Number(Cow<'a, str>),
    /// A string as Go's JSON reads back: each byte that is not UTF-8 is U+FFFD.
    Str(Cow<'a, str>),
    Array(&'a [D]),
    Object(D::Entries<'a>),
}

impl JsonDoc for Json {
    type Entries<'a> = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, Json)>,
        fn(&'a (Arc<str>, Json)) -> (&'a str, &'a Json),
    >;

    fn shape(&self) -> Shape<'_, Self> {
        match self {
            Json::Null => Shape::Null,
            Json::Bool(b) => Shape::Bool(*b),
            Json::Number(text) => Shape::Number(Cow::Borrowed(text)),
            Json::Str(s) => Shape::Str(Cow::Borrowed(s)),
            Json::RawStr(bytes) => Shape::Str(super::utf8::go_text(bytes)),
            Json::Array(items) => Shape::Array(items),
            Json::Object(entries) => Shape::Object(entries.iter().map(json_entry as fn(_) -> _)),
        }
    }
}

impl JsonDoc for serde_json::Value {
    type Entries<'a> = std::iter::Map<
        serde_json::map::Iter<'a>,
        fn((&'a String, &'a serde_json::Value)) -> (&'a str, &'a serde_json::Value),
    >;

    fn shape(&self) -> Shape<'_, Self> {
        use serde_json::Value;
        match self {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(*b),
            Value::Number(n) => Shape::Number(Cow::Owned(json_number(n))),
            Value::String(s) => Shape::Str(Cow::Borrowed(s)),
            Value::Array(items) => Shape::Array(items),
            Value::Object(entries) => Shape::Object(entries.iter().map(serde_entry as fn(_) -> _)),
        }
    }
}

fn json_entry((key, value): &(Arc<str>, Json)) -> (&str, &Json) {
    (key, value)
}

fn serde_entry<'a>(
    (key, value): (&'a String, &'a serde_json::Value),
) -> (&'a str, &'a serde_json::Value) {
    (key, value)
}

/// `encoding/json`'s spelling of a parsed number: integers that fit 64 bits as integers, the
/// rest as float64.
pub fn json_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i.to_string(),
        (_, Some(u)) => u.to_string(),
        // serde_json holds only finite floats.
        _ => json_float(n.as_f64().unwrap_or(0.0)).unwrap_or_default(),
    }
}

/// How to lay out the encoded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStyle {
    /// Escape `<`, `>` and `&` as `\u003c`… (`json.Marshal`; `toRawJson` turns it off).
    pub escape_html: bool,
    /// `json.MarshalIndent(v, "", "  ")` when true.
    pub pretty: bool,
}

/// `encoding/json`'s spelling of a float64, or None for NaN and ±Inf (which Go refuses with
/// `json: unsupported value: NaN`).
pub fn json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = super::strconv::format_float(f, 'e', -1);
        // Go shortens a two-digit negative exponent: 1e-07 → 1e-7.
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 2] == "e-" && &s[n - 2..n - 1] == "0" {
            s.remove(n - 2);
        }
        Some(s)
    } else {
        Some(super::strconv::format_float(f, 'f', -1))
    }
}

impl Json {
    /// The encoded text, without the trailing newline `json.Encoder` would add.
    pub fn encode(&self, style: JsonStyle) -> String {
        let mut out = String::new();
        self.write(&mut out, style, 0);
        out
    }

    fn write(&self, out: &mut String, style: JsonStyle, depth: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Str(s) => write_json_string(out, s, style.escape_html),
            Json::RawStr(bytes) => write_json_bytes(out, bytes, style.escape_html),
            Json::Array(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline_indent(out, style, depth + 1);
                    crate::stack::deep(|| item.write(out, style, depth + 1));
                }
                newline_indent(out, style, depth);
                out.push(']');
            }
            Json::Object(entries) => {
                if entries.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline_indent(out, style, depth + 1);
                    write_json_string(out, key, style.escape_html);
                    out.push(':');
                    if style.pretty {
                        out.push(' ');
                    }
                    crate::stack::deep(|| value.write(out, style, depth + 1));
                }
                newline_indent(out, style, depth);
                out.push('}');
            }
        }
    }
}

fn newline_indent(out: &mut String, style: JsonStyle, depth: usize) {
    if style.pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

/// A JSON string literal with Go's escapes.
pub fn write_json_string(out: &mut String, s: &str, escape_html: bool) {
    write_json_runes(out, s.chars().map(Ok), escape_html);
}

/// A JSON string literal of a Go string's bytes: `encoding/json` writes each byte that is not
/// UTF-8 as `\ufffd`.
pub fn write_json_bytes(out: &mut String, bytes: &[u8], escape_html: bool) {
    write_json_runes(out, super::utf8::go_runes(bytes), escape_html);
}

fn write_json_runes(
    out: &mut String,
    runes: impl Iterator<Item = Result<char, u8>>,
    escape_html: bool,
) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for rune in runes {
        let Ok(c) = rune else {
            out.push_str("\\ufffd");
            continue;
        };
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_json_numbers_like_encoding_json() {
        assert_eq!(json_float(1e21).as_deref(), Some("1e+21"));
        assert_eq!(json_float(1e-6).as_deref(), Some("0.000001"));
        assert_eq!(json_float(1e20).as_deref(), Some("100000000000000000000"));
        assert_eq!(json_float(1e-7).as_deref(), Some("1e-7"));
        assert_eq!(json_float(100.0).as_deref(), Some("100"));
        assert_eq!(json_float(-0.0).as_deref(), Some("-0"));
        assert_eq!(
            json_float(12345678901234567890.0).as_deref(),
            Some("12345678901234567000")
        );
        assert_eq!(json_float(f64::NAN), None);
    }

    #[test]
    fn writes_each_invalid_byte_as_a_replacement_escape() {
        // encoding/json: an invalid byte is `\ufffd`; a real U+FFFD is written as it is.
        let doc = Json::RawStr(b"\xe6\x97\xa5\xe6\x97 \xef\xbf\xbd".to_vec());
        assert_eq!(
            doc.encode(JsonStyle {
                escape_html: true,
                pretty: false
            }),
            "\"日\\ufffd\\ufffd \u{fffd}\""
        );
    }

    #[test]
    fn escapes_strings_like_go() {
        let doc = Json::Object(vec![("h".into(), Json::Str("<a>&b\u{1}é".into()))]);
        let html = JsonStyle {
            escape_html: true,
            pretty: false,
        };
        assert_eq!(doc.encode(html), r#"{"h":"\u003ca\u003e\u0026b\u0001é"}"#);
        let raw = JsonStyle {
            escape_html: false,
            pretty: false,
        };
        assert_eq!(doc.encode(raw), "{\"h\":\"<a>&b\\u0001é\"}");
    }

    #[test]
    fn indents_like_marshal_indent() {
        let doc = Json::Object(vec![
            ("a".into(), Json::Object(vec![])),
            (
                "b".into(),
                Json::Array(vec![Json::Number("1".into()), Json::Number("2".into())]),
            ),
            ("c".into(), Json::Array(vec![])),
        ]);
        let pretty = JsonStyle {
            escape_html: true,
            pretty: true,
        };
        assert_eq!(
            doc.encode(pretty),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": []\n}"
        );
    }
}
