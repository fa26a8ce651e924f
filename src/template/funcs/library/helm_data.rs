//! Helm's data functions: YAML, JSON and TOML in and out, `required` and the offline `lookup`.
//!
//! Output goes through Go's `encoding/json` view of the data first (as sigs.k8s.io/yaml does for
//! `toYaml`), so numbers, key order and escaping match Helm's bytes.

use super::super::{FuncMap, Param};
use super::{check_walk_size, toml_encode};
use crate::go::json::{json_float, json_number, Json, JsonStyle};
use crate::go::time::{unix_seconds, GoTime, Location};
use crate::template::value::{Entries, FuncError, Key, Value};
use crate::yaml;
use crate::yaml::marshal::{self, Flavor};
use std::sync::Arc;

/// Nesting deeper than this is treated like Go's cycle error (a map that contains itself).
const MAX_DEPTH: usize = 1000;

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Str};
    map.add("toYaml", &[Any], None, |_, a| {
        check_walk_size("toYaml", &a[0])?;
        Ok(Value::str(to_yaml(&a[0])))
    });
    map.add("mustToYaml", &[Any], None, |_, a| {
        check_walk_size("mustToYaml", &a[0])?;
        let json = to_json(&a[0], 0).map_err(FuncError::new)?;
        Ok(Value::str(trim_newline(marshal::marshal(
            &json,
            Flavor::V2,
        ))))
    });
    map.add("toYamlPretty", &[Any], None, |_, a| {
        check_walk_size("toYamlPretty", &a[0])?;
        Ok(Value::str(
            to_json(&a[0], 0)
                .map(|j| trim_newline(marshal::marshal(&j, Flavor::V3Pretty)))
                .unwrap_or_default(),
        ))
    });
    map.add("fromYaml", &[Str], None, |_, a| {
        Ok(from_yaml_map(text(&a[0])))
    });
    map.add("fromYamlArray", &[Str], None, |_, a| {
        Ok(from_yaml_list(text(&a[0])))
    });
    map.add("toJson", &[Any], None, |_, a| {
        check_walk_size("toJson", &a[0])?;
        Ok(Value::str(to_json_text(&a[0]).unwrap_or_default()))
    });
    map.add("mustToJson", &[Any], None, |_, a| {
        check_walk_size("mustToJson", &a[0])?;
        to_json_text(&a[0]).map(Value::str).map_err(FuncError::new)
    });
    for (name, style, must) in [
        (
            "toPrettyJson",
            JsonStyle {
                escape_html: true,
                pretty: true,
            },
            false,
        ),
        (
            "mustToPrettyJson",
            JsonStyle {
                escape_html: true,
                pretty: true,
            },
            true,
        ),
        (
            "toRawJson",
            JsonStyle {
                escape_html: false,
                pretty: false,
            },
            false,
        ),
        (
            "mustToRawJson",
            JsonStyle {
                escape_html: false,
                pretty: false,
            },
            true,
        ),
    ] {
        let call: super::super::NativeFn = match (style.pretty, must) {
            (true, false) => |_, a| {
                check_walk_size("toPrettyJson", &a[0])?;
                Ok(Value::str(encode(&a[0], PRETTY).unwrap_or_default()))
            },
            (true, true) => |_, a| {
                check_walk_size("mustToPrettyJson", &a[0])?;
                encode(&a[0], PRETTY)
                    .map(Value::str)
                    .map_err(FuncError::new)
            },
            (false, false) => |_, a| {
                check_walk_size("toRawJson", &a[0])?;
                Ok(Value::str(encode(&a[0], RAW).unwrap_or_default()))
            },
            (false, true) => |_, a| {
                check_walk_size("mustToRawJson", &a[0])?;
                encode(&a[0], RAW).map(Value::str).map_err(FuncError::new)
            },
        };
        map.add(name, &[Any], None, call);
    }
    map.add("fromJson", &[Str], None, |_, a| {
        Ok(from_json_map(text(&a[0])))
    });
    map.add("fromJsonArray", &[Str], None, |_, a| {
        Ok(from_json_list(text(&a[0])))
    });
    map.add("mustFromJson", &[Str], None, |_, a| {
        serde_json::from_str::<serde_json::Value>(text(&a[0]))
            .map(|j| Value::from_json(&j))
            .map_err(|e| FuncError::new(go_json_error(&e, text(&a[0]))))
    });
    map.add("toToml", &[Any], None, |_, a| match &a[0] {
        // Go's reflection fails on a nil interface before the encoder starts.
        Value::Nil => Err(FuncError::new(
            "reflect: call of reflect.Value.Type on zero Value",
        )),
        v => {
            check_walk_size("toToml", v)?;
            Ok(Value::go_string(
                toml_encode::encode(v).unwrap_or_else(|e| e.to_string().into_bytes()),
            ))
        }
    });
    map.add("fromToml", &[Str], None, |_, a| Ok(from_toml(text(&a[0]))));
    map.add("required", &[Str, Any], None, |_, a| {
        let missing = match &a[1] {
            Value::Nil => true,
            Value::Str(s) => s.is_empty(),
            _ => false,
        };
        if missing {
            return Err(FuncError::Fail(text(&a[0]).to_string()));
        }
        Ok(a[1].clone())
    });
    // `helm template` has no cluster: every lookup finds nothing.
    map.add("lookup", &[Str, Str, Str, Str], None, |_, _| {
        Ok(Value::map(Entries::new()))
    });
}

const PRETTY: JsonStyle = JsonStyle {
    escape_html: true,
    pretty: true,
};
const RAW: JsonStyle = JsonStyle {
    escape_html: false,
    pretty: false,
};
const COMPACT: JsonStyle = JsonStyle {
    escape_html: true,
    pretty: false,
};

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// Helm's `toYaml`: the YAML text without its final newline, or "" when the value cannot be
/// marshalled.
pub fn to_yaml(v: &Value) -> String {
    to_json(v, 0)
        .map(|j| trim_newline(marshal::marshal(&j, Flavor::V2)))
        .unwrap_or_default()
}

/// Helm's `toJson` (`json.Marshal`), or Go's error text.
pub fn to_json_text(v: &Value) -> Result<String, String> {
    encode(v, COMPACT)
}

fn encode(v: &Value, style: JsonStyle) -> Result<String, String> {
    to_json(v, 0).map(|j| j.encode(style))
}

/// The value as `encoding/json` sees it, sharing the value's strings and keys.
fn to_json(v: &Value, depth: usize) -> Result<Json, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "json: unsupported value: encountered a cycle via {}",
            v.type_name()
        ));
    }
    Ok(match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) | Value::Int64(n) => Json::Number(n.to_string()),
        Value::Float(f) => Json::Number(json_float(*f).ok_or_else(|| {
            format!(
                "json: unsupported value: {}",
                crate::go::strconv::format_float(*f, 'g', -1)
            )
        })?),
        Value::Str(s) => Json::Str(Arc::clone(s)),
        Value::RawStr(r) => Json::RawStr(r.bytes().to_vec()),
        Value::Bytes(b) => Json::Str(crate::go::base64::encode(b).into()),
        Value::List(l) if l.is_nil() => Json::Null,
        Value::Map(m) if m.is_nil() => Json::Null,
        Value::List(l) => Json::Array(
            l.items()
                .iter()
                .map(|i| crate::stack::deep(|| to_json(i, depth + 1)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            // The entries are taken out of the lock first: a map may hold itself.
            let entries: Vec<(Key, Value)> = m
                .read()
                .iter()
                .map(|(k, v)| (Key::clone(k), v.clone()))
                .collect();
            Json::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| Ok((k, crate::stack::deep(|| to_json(&v, depth + 1))?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        Value::Object(o) => match o.json() {
            Some(j) => from_serde(&j),
            None => Json::Object(Vec::new()),
        },
    })
}

fn from_serde(j: &serde_json::Value) -> Json {
    match j {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Bool(*b),
        serde_json::Value::Number(n) => Json::Number(json_number(n)),
        serde_json::Value::String(s) => Json::Str(s.as_str().into()),
        serde_json::Value::Array(items) => Json::Array(items.iter().map(from_serde).collect()),
        serde_json::Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().into(), from_serde(v)))
                .collect(),
        ),
    }
}

/// The JSON document sigs.k8s.io/yaml makes of a YAML text (its first document), with Go's
/// error texts.
fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    let doc = yaml::load_first(text, &yaml::Limits::default())
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    match doc {
        None => Ok(serde_json::Value::Null),
        Some(doc) => yaml::to_json(&doc).map_err(|e| format!("error converting YAML to JSON: {e}")),
    }
}

fn json_kind(j: &serde_json::Value) -> &'static str {
    match j {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn error_map(message: String) -> Value {
    let mut entries = Entries::new();
    entries.insert("Error".into(), Value::str(message));
    Value::map(entries)
}

/// Helm's `fromYaml`: a map, with any error under the key `Error`.
fn from_yaml_map(text: &str) -> Value {
    match yaml_to_json(text) {
        Err(e) => error_map(e),
        Ok(serde_json::Value::Null) => Value::map(Entries::new()),
        Ok(j @ serde_json::Value::Object(_)) => Value::from_json(&j),
        Ok(other) => error_map(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// Helm's `fromYamlArray`: a list, or a one-item list holding the error.
fn from_yaml_list(text: &str) -> Value {
    match yaml_to_json(text) {
        Err(e) => Value::list(vec![Value::str(e)]),
        Ok(serde_json::Value::Null) => Value::list(Vec::new()),
        Ok(j @ serde_json::Value::Array(_)) => Value::from_json(&j),
        Ok(other) => Value::list(vec![Value::str(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
    }
}

/// Helm's `fromJson`: a map, with any error under the key `Error`.
fn from_json_map(text: &str) -> Value {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) => error_map(go_json_error(&e, text)),
        Ok(serde_json::Value::Null) => Value::map(Entries::new()),
        Ok(j @ serde_json::Value::Object(_)) => Value::from_json(&j),
        Ok(other) => error_map(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// Helm's `fromJsonArray`: a list, or a one-item list holding the error.
fn from_json_list(text: &str) -> Value {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) => Value::list(vec![Value::str(go_json_error(&e, text))]),
        Ok(serde_json::Value::Null) => Value::list(Vec::new()),
        Ok(j @ serde_json::Value::Array(_)) => Value::from_json(&j),
        Ok(other) => Value::list(vec![Value::str(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
    }
}

/// Go's wording of the common JSON syntax errors.
fn go_json_error(e: &serde_json::Error, text: &str) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let offending = text[line_start..]
        .chars()
        .nth(e.column().saturating_sub(1))
        .unwrap_or(' ');
    let message = e.to_string();
    if message.starts_with("key must be a string") {
        format!("invalid character '{offending}' looking for beginning of object key string")
    } else if message.starts_with("expected value") {
        format!("invalid character '{offending}' looking for beginning of value")
    } else if message.starts_with("trailing characters") {
        format!("invalid character '{offending}' after top-level value")
    } else {
        message
    }
}

/// Helm's `fromToml`: a map (integers are int64), with any error under `Error`.
pub(super) fn from_toml(text: &str) -> Value {
    match text.parse::<toml::Table>() {
        Ok(table) => toml_to_value(&toml::Value::Table(table)),
        Err(e) => error_map(e.message().to_string()),
    }
}

fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s.as_str()),
        toml::Value::Integer(i) => Value::Int64(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => super::dates::time_value(toml_time(d)),
        toml::Value::Array(items) => Value::list(items.iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => Value::map(
            t.iter()
                .map(|(k, v)| (Key::from(k.as_str()), toml_to_value(v)))
                .collect(),
        ),
    }
}

/// A TOML date-time as BurntSushi/toml decodes it (`valueDatetime`): a `time.Time` from
/// `time.ParseInLocation`, in the machine's zone (UTC here) when an offset matches it, else
/// in an unnamed fixed zone; the local kinds in the zero-offset zones `datetime-local`,
/// `date-local`, `time-local`, a lone time on 0000-01-01.
fn toml_time(d: &toml::value::Datetime) -> GoTime {
    use toml::value::Offset;
    let (year, month, day) = d
        .date
        .map_or((0, 1, 1), |t| (t.year as i64, t.month as u32, t.day as u32));
    let (hour, minute, second, nanos) = d.time.map_or((0, 0, 0, 0), |t| {
        (
            t.hour as u32,
            t.minute as u32,
            t.second as u32,
            t.nanosecond,
        )
    });
    let fixed = |name: &str, offset: i32| Location::Fixed {
        name: name.to_string(),
        offset,
    };
    let location = match (d.offset, d.date.is_some(), d.time.is_some()) {
        (Some(Offset::Z | Offset::Custom { minutes: 0 }), _, _) => Location::Utc,
        (Some(Offset::Custom { minutes }), _, _) => fixed("", minutes as i32 * 60),
        (None, true, true) => fixed("datetime-local", 0),
        (None, true, false) => fixed("date-local", 0),
        (None, false, _) => fixed("time-local", 0),
    };
    let offset = match &location {
        Location::Fixed { offset, .. } => *offset,
        _ => 0,
    };
    let unix = unix_seconds(year, month, day, hour, minute, second) - offset as i64;
    GoTime {
        unix,
        nanos,
        location,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::template::value::{List, ListType};

    /// A map of the entries, for the encoders' tests.
    pub(in crate::template::funcs::library) fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::map(
            entries
                .into_iter()
                .map(|(k, v)| (Key::from(k), v))
                .collect(),
        )
    }

    #[test]
    fn nil_maps_are_json_null() {
        use crate::template::value::{Map, MapType};
        let nil = Value::Map(Map::nil(MapType::Strings));
        assert_eq!(to_json_text(&nil).unwrap(), "null");
        assert_eq!(to_yaml(&nil), "null");
        let empty = Value::Map(Map::default().with_type(MapType::Strings));
        assert_eq!(to_json_text(&empty).unwrap(), "{}");
    }

    #[test]
    fn toml_dates_are_go_times() {
        // Expected texts from helm v4.1.4's `fromToml` printed with `{{ }}` and `toJson`.
        let doc = from_toml(
            "dt = 1979-05-27T07:32:00Z\ndto = 1979-05-27T00:32:00-07:00\n\
             ldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00\n\
             frac = 1979-05-27T07:32:00.999999Z\nzero = 1979-05-27T07:32:00+00:00\n",
        );
        let Value::Map(m) = &doc else {
            panic!("{doc:?}")
        };
        let shown = |k: &str| {
            let v = m.get(k).unwrap_or(Value::Nil);
            (
                crate::template::fmt::format_value(&v),
                to_json_text(&v).unwrap_or_default(),
            )
        };
        let own = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            shown("dt"),
            own("1979-05-27 07:32:00 +0000 UTC", r#""1979-05-27T07:32:00Z""#)
        );
        assert_eq!(
            shown("dto"),
            own(
                "1979-05-27 00:32:00 -0700 -0700",
                r#""1979-05-27T00:32:00-07:00""#
            )
        );
        assert_eq!(
            shown("ldt"),
            own(
                "1979-05-27 07:32:00 +0000 datetime-local",
                r#""1979-05-27T07:32:00Z""#
            )
        );
        assert_eq!(
            shown("ld"),
            own(
                "1979-05-27 00:00:00 +0000 date-local",
                r#""1979-05-27T00:00:00Z""#
            )
        );
        assert_eq!(
            shown("lt"),
            own(
                "0000-01-01 07:32:00 +0000 time-local",
                r#""0000-01-01T07:32:00Z""#
            )
        );
        assert_eq!(
            shown("frac"),
            own(
                "1979-05-27 07:32:00.999999 +0000 UTC",
                r#""1979-05-27T07:32:00.999999Z""#
            )
        );
        assert_eq!(
            shown("zero"),
            own("1979-05-27 07:32:00 +0000 UTC", r#""1979-05-27T07:32:00Z""#)
        );
    }

    #[test]
    fn to_yaml_goes_through_json() {
        let v = map(vec![
            ("b", Value::list(vec![Value::Int(1), Value::str("x")])),
            ("a", map(vec![("c", Value::Bool(true))])),
            ("f", Value::Float(1e6)),
            ("t", Value::Float(1e-6)),
        ]);
        assert_eq!(
            to_yaml(&v),
            "a:\n  c: true\nb:\n- 1\n- x\nf: 1000000\nt: 1e-06"
        );
        assert_eq!(to_yaml(&Value::Nil), "null");
        assert_eq!(to_yaml(&Value::str("yes")), "\"yes\"");
    }

    #[test]
    fn json_and_yaml_of_edge_values() {
        let v = map(vec![
            ("B", Value::str("yes")),
            ("a", Value::str("a: b")),
            ("10", Value::str("")),
            ("9", Value::str("2024-01-01")),
            ("em", map(vec![])),
            ("el", Value::list(vec![])),
            ("nil", Value::List(List::nil(ListType::Any))),
            ("n", Value::Nil),
            ("big", Value::Int64(i64::MAX)),
            ("f", Value::Float(12345678901234567890.0)),
            ("e", Value::Float(1e21)),
            ("h", Value::str("<&>")),
        ]);
        // encoding/json: keys bytewise, HTML escaped.
        assert_eq!(
            to_json_text(&v).unwrap(),
            r#"{"10":"","9":"2024-01-01","B":"yes","a":"a: b","big":9223372036854775807,"e":1e+21,"el":[],"em":{},"f":12345678901234567000,"h":"\u003c\u0026\u003e","n":null,"nil":null}"#
        );
        // go-yaml: keys in natural order, JSON numbers read back as int64 or float64.
        assert_eq!(
            to_yaml(&v),
            "\"9\": \"2024-01-01\"\n\"10\": \"\"\nB: \"yes\"\na: 'a: b'\nbig: 9223372036854775807\ne: 1e+21\nel: []\nem: {}\nf: 12345678901234567000\nh: <&>\n\"n\": null\nnil: null"
        );
    }

    #[test]
    fn json_shares_the_values_strings() {
        let text = Value::str("shared");
        let key: Key = Key::from("k");
        let v = Value::map([(Key::clone(&key), text.clone())].into_iter().collect());
        let Ok(Json::Object(entries)) = to_json(&v, 0) else {
            panic!("not an object")
        };
        let (Value::Str(original), (json_key, Json::Str(json_text))) = (&text, &entries[0]) else {
            panic!("not a string")
        };
        assert!(Arc::ptr_eq(original, json_text));
        assert!(Arc::ptr_eq(&key, json_key));
    }

    #[test]
    fn values_json_cannot_write_fail() {
        let nan = map(vec![("x", Value::Float(f64::NAN))]);
        assert_eq!(
            to_json_text(&nan).unwrap_err(),
            "json: unsupported value: NaN"
        );
        assert_eq!(to_yaml(&nan), "");
        let Value::Map(m) = map(vec![]) else { panic!() };
        m.insert("self", Value::Map(m.clone()));
        assert_eq!(
            to_json_text(&Value::Map(m.clone())).unwrap_err(),
            "json: unsupported value: encountered a cycle via map[string]interface {}"
        );
        // Break the cycle so the map can be freed.
        m.remove("self");
    }

    #[test]
    fn to_json_like_encoding_json() {
        let v = map(vec![("h", Value::str("<a>&b")), ("n", Value::Nil)]);
        assert_eq!(
            to_json_text(&v).unwrap(),
            r#"{"h":"\u003ca\u003e\u0026b","n":null}"#
        );
        assert_eq!(encode(&v, RAW).unwrap(), r#"{"h":"<a>&b","n":null}"#);
        let list = Value::List(List::any(vec![
            Value::Int(1),
            Value::Float(2.5),
            Value::Float(1e21),
        ]));
        assert_eq!(to_json_text(&list).unwrap(), "[1,2.5,1e+21]");
    }

    #[test]
    fn from_json_reports_go_errors() {
        let Value::Map(m) = from_json_map("{bad") else {
            panic!()
        };
        assert_eq!(
            m.get("Error")
                .and_then(|v| v.as_str().map(String::from))
                .as_deref(),
            Some("invalid character 'b' looking for beginning of object key string")
        );
        let Value::Map(m) = from_json_map("[1,2]") else {
            panic!()
        };
        assert_eq!(
            m.get("Error")
                .and_then(|v| v.as_str().map(String::from))
                .as_deref(),
            Some("json: cannot unmarshal array into Go value of type map[string]interface {}")
        );
    }
}
