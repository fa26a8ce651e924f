//! A JSON document as Go's `encoding/json` writes it, and Go's `strconv.FormatFloat`.
//!
//! Helm's `toJson`, `toYaml` (which marshals to JSON first, then to YAML) and `toToml` all see
//! template data through this tree: map keys sorted bytewise, numbers already spelled as Go
//! spells them, strings escaped as Go escapes them.

/// A JSON value whose numbers keep Go's spelling (`1e+21`, `0.000001`, `9223372036854775807`).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number's text as `encoding/json` writes it.
    Number(String),
    Str(String),
    /// A Go string whose bytes are not UTF-8: each invalid byte is written `\ufffd`.
    RawStr(Vec<u8>),
    Array(Vec<Json>),
    /// Entries in output order (Go sorts map keys bytewise; struct fields keep their order).
    Object(Vec<(String, Json)>),
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
        let mut s = format_float(f, 'e', -1);
        // Go shortens a two-digit negative exponent: 1e-07 → 1e-7.
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 2] == "e-" && &s[n - 2..n - 1] == "0" {
            s.remove(n - 2);
        }
        Some(s)
    } else {
        Some(format_float(f, 'f', -1))
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `fmt` in `e`, `f`, `g` and `prec` -1
/// (shortest) or a fixed precision.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = f.is_sign_negative();
    let (digits, point) = decimal_digits(f.abs(), fmt, prec);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    match fmt {
        'e' => {
            let frac_digits = if prec < 0 {
                digits.len().saturating_sub(1)
            } else {
                prec as usize
            };
            push_exponent_form(&mut out, &digits, point, frac_digits);
        }
        'f' => {
            let frac_digits = if prec < 0 {
                (digits.len() as i32 - point).max(0) as usize
            } else {
                prec as usize
            };
            push_fixed_form(&mut out, &digits, point, frac_digits);
        }
        _ => {
            let shortest = prec < 0;
            let mut eprec = if shortest {
                digits.len() as i32
            } else {
                prec.max(1)
            };
            if eprec > digits.len() as i32 && digits.len() as i32 >= point {
                eprec = digits.len() as i32;
            }
            if shortest {
                eprec = 6;
            }
            let exp = point - 1;
            if exp < -4 || exp >= eprec {
                push_exponent_form(&mut out, &digits, point, digits.len().saturating_sub(1));
            } else {
                let frac = (digits.len() as i32 - point).max(0) as usize;
                push_fixed_form(&mut out, &digits, point, frac);
            }
        }
    }
    out
}

/// The decimal digits of `abs` (no leading zeros, at least one digit) and the position of the
/// decimal point relative to them: value = 0.d1d2… × 10^point.
fn decimal_digits(abs: f64, fmt: char, prec: i32) -> (Vec<u8>, i32) {
    let text = if prec < 0 {
        format!("{abs:e}")
    } else if fmt == 'f' {
        // Round at `prec` digits after the point, then re-read in exponent form.
        let fixed = format!("{abs:.*}", prec as usize);
        let v: f64 = fixed.parse().unwrap_or(0.0);
        if v == 0.0 {
            return (vec![b'0'], 1);
        }
        let (d, p) = decimal_digits(v, 'e', -1);
        return (d, p);
    } else {
        let sig = if fmt == 'e' { prec + 1 } else { prec.max(1) };
        format!("{abs:.*e}", (sig - 1).max(0) as usize)
    };
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    if digits.iter().all(|&d| d == b'0') {
        return (vec![b'0'], 1);
    }
    (digits, exponent + 1)
}

fn push_exponent_form(out: &mut String, digits: &[u8], point: i32, frac_digits: usize) {
    out.push(digits[0] as char);
    if frac_digits > 0 {
        out.push('.');
        for i in 1..=frac_digits {
            out.push(*digits.get(i).unwrap_or(&b'0') as char);
        }
    }
    let exp = if digits == [b'0'] { 0 } else { point - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
}

fn push_fixed_form(out: &mut String, digits: &[u8], point: i32, frac_digits: usize) {
    if point > 0 {
        for i in 0..point as usize {
            out.push(*digits.get(i).unwrap_or(&b'0') as char);
        }
    } else {
        out.push('0');
    }
    if frac_digits > 0 {
        out.push('.');
        for i in 0..frac_digits as i32 {
            let index = point + i;
            let d = if index < 0 {
                b'0'
            } else {
                *digits.get(index as usize).unwrap_or(&b'0')
            };
            out.push(d as char);
        }
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
                    item.write(out, style, depth + 1);
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
                    value.write(out, style, depth + 1);
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
    fn formats_floats_like_strconv() {
        assert_eq!(format_float(1e6, 'g', -1), "1e+06");
        assert_eq!(format_float(123456.0, 'g', -1), "123456");
        assert_eq!(format_float(1234567.0, 'g', -1), "1.234567e+06");
        assert_eq!(format_float(1e-7, 'g', -1), "1e-07");
        assert_eq!(format_float(0.0001, 'g', -1), "0.0001");
        assert_eq!(format_float(1.5, 'g', -1), "1.5");
        assert_eq!(format_float(-0.0, 'g', -1), "-0");
        assert_eq!(format_float(1e21, 'g', -1), "1e+21");
        assert_eq!(format_float(123456789012.0, 'g', -1), "1.23456789012e+11");
        assert_eq!(format_float(1234.5, 'e', -1), "1.2345e+03");
        assert_eq!(format_float(1234.5, 'e', 6), "1.234500e+03");
        assert_eq!(format_float(1.23456, 'f', 2), "1.23");
        assert_eq!(format_float(2.0, 'f', 1), "2.0");
        assert_eq!(format_float(0.000001, 'f', -1), "0.000001");
        assert_eq!(format_float(1e20, 'f', -1), "100000000000000000000");
    }

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
