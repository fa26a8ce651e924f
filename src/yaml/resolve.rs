//! YAML 1.1 scalar resolution, following go-yaml v2 (which Helm and Kubernetes read YAML with).

use super::node::{Scalar, ScalarStyle};
use super::YamlError;
use crate::go::strconv;
use crate::go::utf8::go_text;
use std::borrow::Cow;

/// A scalar's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// A float, also used for integers beyond the range of i64 (Helm reads every number as float64).
    Float(f64),
    Str(String),
}

pub(super) fn resolve(scalar: &Scalar) -> Result<Resolved, YamlError> {
    let text = scalar.text.as_str();
    match scalar.tag.as_deref() {
        Some("!!str") => return Ok(Resolved::Str(text.to_string())),
        Some("!!null") => {
            return match resolve_plain(text) {
                Resolved::Null => Ok(Resolved::Null),
                other => Err(tag_mismatch(text, &other, "!!null")),
            }
        }
        Some("!!bool") => {
            return match resolve_plain(text) {
                Resolved::Bool(b) => Ok(Resolved::Bool(b)),
                other => Err(tag_mismatch(text, &other, "!!bool")),
            }
        }
        Some("!!int") => {
            return match resolve_plain(text) {
                Resolved::Int(i) => Ok(Resolved::Int(i)),
                other => Err(tag_mismatch(text, &other, "!!int")),
            }
        }
        Some("!!float") => {
            return match resolve_plain(text) {
                Resolved::Int(i) => Ok(Resolved::Float(i as f64)),
                Resolved::Float(f) => Ok(Resolved::Float(f)),
                other => Err(tag_mismatch(text, &other, "!!float")),
            }
        }
        Some("!!binary") => {
            // go-yaml v2 decodes the base64 (newlines skipped) to a Go string of the bytes;
            // encoding that as JSON reads each invalid byte as U+FFFD.
            return crate::go::base64::decode(text)
                .map(|bytes| Resolved::Str(go_text(&bytes).into_owned()))
                .map_err(|_| {
                    YamlError::Value("!!binary value contains invalid base64 data".into())
                });
        }
        _ => {}
    }
    if scalar.style == ScalarStyle::Plain {
        Ok(resolve_plain(text))
    } else {
        Ok(Resolved::Str(text.to_string()))
    }
}

/// go-yaml's `resolve` failure: the tag the text resolves to by itself, the text, the tag asked.
fn tag_mismatch(text: &str, resolved: &Resolved, tag: &str) -> YamlError {
    let own = match resolved {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Str(_) => "!!str",
    };
    YamlError::Value(format!("cannot decode {own} `{text}` as a {tag}"))
}

/// Resolves an untagged plain scalar the way go-yaml v2's `resolve` does.
fn resolve_plain(text: &str) -> Resolved {
    plain_non_string(text).unwrap_or_else(|| Resolved::Str(text.to_string()))
}

/// Whether an untagged plain scalar reads back as a string (without copying it, as the
/// emitter asks this of every string it writes).
pub(super) fn plain_resolves_to_string(text: &str) -> bool {
    plain_non_string(text).is_none()
}

/// What an untagged plain scalar resolves to when that is not a string.
fn plain_non_string(text: &str) -> Option<Resolved> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Resolved::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Some(Resolved::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Some(Resolved::Bool(false))
        }
        ".nan" | ".NaN" | ".NAN" => return Some(Resolved::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Resolved::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Resolved::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !matches!(first, b'.' | b'0'..=b'9' | b'+' | b'-') {
        return None;
    }
    match resolve_number(text)? {
        PlainNumber::Int(i) => Some(Resolved::Int(i)),
        // Helm reads every number as a float64 in the end.
        PlainNumber::Uint(u) => Some(Resolved::Float(u as f64)),
        PlainNumber::Float(f) => Some(Resolved::Float(f)),
    }
}

/// A number in an untagged plain scalar, as go-yaml (v2 and v3 alike) reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlainNumber {
    Int(i64),
    /// Beyond `i64`, within `u64`.
    Uint(u64),
    Float(f64),
}

/// go-yaml's `resolve` for a plain scalar that starts like a number: after a leading `.` the
/// text must be a Go float; otherwise, with every `_` dropped, a Go integer in any base
/// (`0x1F`, `0o17`, `0b101`, `017`), then an unsigned one, then a YAML-style float. Out of
/// range is not a number (the scalar stays a string).
pub fn resolve_number(text: &str) -> Option<PlainNumber> {
    if text.starts_with('.') {
        return strconv::parse_float(text).ok().map(PlainNumber::Float);
    }
    let plain: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.chars().filter(|&c| c != '_').collect())
    } else {
        Cow::Borrowed(text)
    };
    if let Ok(i) = strconv::parse_int(&plain, 0) {
        return Some(PlainNumber::Int(i));
    }
    if let Ok(u) = strconv::parse_uint(&plain, 0) {
        return Some(PlainNumber::Uint(u));
    }
    if is_yaml_style_float(&plain) {
        return strconv::parse_float(&plain).ok().map(PlainNumber::Float);
    }
    None
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Resolved {
        resolve(&Scalar::plain(text)).unwrap()
    }

    #[test]
    fn string_check_agrees_with_resolution() {
        for t in [
            "",
            "~",
            "yes",
            "yEs",
            "x",
            "1",
            "1_0",
            "0x1F",
            "1e3",
            "+.inf",
            ".5",
            "-",
            "1.2.3",
            "99999999999999999999",
            "0b2",
            "12:30",
        ] {
            let is_string = matches!(plain(t), Resolved::Str(_));
            assert_eq!(plain_resolves_to_string(t), is_string, "{t:?}");
        }
        assert!(!plain_resolves_to_string("1_000"));
        assert!(plain_resolves_to_string("1.2.3"));
    }

    #[test]
    fn yaml11_booleans_and_nulls() {
        for t in ["yes", "Yes", "YES", "y", "Y", "on", "ON", "true", "True"] {
            assert_eq!(plain(t), Resolved::Bool(true), "{t}");
        }
        for t in ["no", "n", "N", "off", "Off", "false", "FALSE"] {
            assert_eq!(plain(t), Resolved::Bool(false), "{t}");
        }
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(t), Resolved::Null, "{t}");
        }
        assert_eq!(plain("yEs"), Resolved::Str("yEs".into()));
        assert_eq!(plain("nULL"), Resolved::Str("nULL".into()));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        for style in [ScalarStyle::SingleQuoted, ScalarStyle::DoubleQuoted] {
            let s = Scalar {
                text: "yes".into(),
                style,
                tag: None,
            };
            assert_eq!(resolve(&s).unwrap(), Resolved::Str("yes".into()));
        }
    }

    #[test]
    fn integers_in_go_bases() {
        assert_eq!(plain("012"), Resolved::Int(10));
        assert_eq!(plain("0x1F"), Resolved::Int(31));
        assert_eq!(plain("0o17"), Resolved::Int(15));
        assert_eq!(plain("0b101"), Resolved::Int(5));
        assert_eq!(plain("1_000"), Resolved::Int(1000));
        assert_eq!(plain("-42"), Resolved::Int(-42));
        assert_eq!(plain("+7"), Resolved::Int(7));
        assert_eq!(plain("0"), Resolved::Int(0));
        assert_eq!(plain("09"), Resolved::Float(9.0));
        assert_eq!(
            plain("18446744073709551615"),
            Resolved::Float(18446744073709551615.0)
        );
    }

    #[test]
    fn floats_and_non_numbers() {
        assert_eq!(plain("1.5"), Resolved::Float(1.5));
        assert_eq!(plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(plain(".5"), Resolved::Float(0.5));
        assert_eq!(plain("-.5"), Resolved::Float(-0.5));
        assert_eq!(plain("1."), Resolved::Float(1.0));
        assert_eq!(plain(".inf"), Resolved::Float(f64::INFINITY));
        assert!(matches!(plain(".nan"), Resolved::Float(f) if f.is_nan()));
        for t in [
            "1.2.3",
            "2001-12-14",
            "-",
            "+",
            "1e",
            "0x",
            ".",
            "1:20",
            "inf",
            "1_0.5x",
            "1e400",
            ".1e400",
            "0x1p3",
            "._5",
        ] {
            assert_eq!(plain(t), Resolved::Str(t.into()), "{t}");
        }
    }

    #[test]
    fn underscores_where_go_yaml_takes_them() {
        // Text that does not start with `.` loses every `_` before it is read.
        for (text, want) in [("1__0", 10), ("-0b1_01", -5), ("0x_1F", 31)] {
            assert_eq!(plain(text), Resolved::Int(want), "{text}");
        }
        assert_eq!(plain("1_0.5_"), Resolved::Float(10.5));
        // A `.`-led scalar is ParseFloat's own: `_` only between digits.
        assert_eq!(plain(".5_0"), Resolved::Float(0.5));
    }

    #[test]
    fn explicit_tags() {
        let tagged = |text: &str, tag: &str| {
            resolve(&Scalar {
                text: text.into(),
                style: ScalarStyle::Plain,
                tag: Some(tag.into()),
            })
        };
        assert_eq!(tagged("12", "!!str").unwrap(), Resolved::Str("12".into()));
        assert_eq!(tagged("12", "!!float").unwrap(), Resolved::Float(12.0));
        assert!(tagged("abc", "!!int").is_err());
        // As helm v4.1.4 reads values: base64 decoded, an invalid byte as U+FFFD.
        assert_eq!(
            tagged("AAAA", "!!binary").unwrap(),
            Resolved::Str("\0\0\0".into())
        );
        assert_eq!(
            tagged("AAAA\nAAAA\n", "!!binary").unwrap(),
            Resolved::Str("\0".repeat(6))
        );
        assert_eq!(
            tagged("/w==", "!!binary").unwrap(),
            Resolved::Str("\u{fffd}".into())
        );
        assert_eq!(
            tagged("", "!!binary").unwrap(),
            Resolved::Str(String::new())
        );
        for bad in ["AAA", "AA AA"] {
            let err = tagged(bad, "!!binary").unwrap_err().to_string();
            assert_eq!(err, "yaml: !!binary value contains invalid base64 data");
        }
        assert_eq!(tagged("x", "!custom").unwrap(), Resolved::Str("x".into()));
    }
}
