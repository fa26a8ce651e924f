//! BurntSushi/toml v1.6.0's encoder (`encode.go`, `meta.go`'s key quoting), which Helm's
//! `toToml` runs over a template value: a map's plain keys first, then its tables, each group
//! byte-sorted; nested headers indented two spaces a level; nulls in maps left out, a null in
//! a list refused wherever the list lies.

use crate::go::strconv::format_float;
use crate::go::time::{GoTime, Location};
use crate::template::value::{Entries, Key, Value, MAX_VALUE_DEPTH};

/// Why the encoder refuses a value; Helm's `toToml` returns the message as its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum TomlError {
    #[error("toml: cannot encode array with nil element")]
    NilElement,
    /// A list of tables with no key to write it under: the value itself.
    #[error("toml: top-level values must be Go maps or structs")]
    NoKey,
    /// Nesting past [`MAX_VALUE_DEPTH`] (a map holding itself), where Go would run out of stack.
    #[error("toml: value nested too deeply")]
    TooDeep,
}

/// `tomlTypeOfGo`, as far as the encoder's choices go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TomlType {
    Hash,
    ArrayOfHashes,
    Other,
}

/// The document for `v` (not nil: Helm's `toToml` of nil fails before the encoder runs).
pub(super) fn encode(v: &Value) -> Result<Vec<u8>, TomlError> {
    let mut enc = Encoder { out: Vec::new() };
    enc.encode(&[], v, 0)?;
    Ok(enc.out)
}

/// A value's TOML type; `None` for nil (a nil interface, a nil list). Checks every list on
/// the way for nil elements, as `isTableArray` does.
fn toml_type(v: &Value, depth: usize) -> Result<Option<TomlType>, TomlError> {
    let depth = deeper(depth)?;
    Ok(match v {
        Value::Nil => None,
        Value::List(l) if l.is_nil() => None,
        Value::Map(_) => Some(TomlType::Hash),
        Value::List(l) => {
            let mut all_tables = !l.items().is_empty();
            for item in l.items().iter() {
                let item_type = crate::stack::deep(|| toml_type(item, depth))?;
                match item_type {
                    None => return Err(TomlError::NilElement),
                    Some(TomlType::Hash) => {}
                    Some(_) => all_tables = false,
                }
            }
            Some(match all_tables {
                true => TomlType::ArrayOfHashes,
                false => TomlType::Other,
            })
        }
        _ => Some(TomlType::Other),
    })
}

fn deeper(depth: usize) -> Result<usize, TomlError> {
    match depth < MAX_VALUE_DEPTH {
        true => Ok(depth + 1),
        false => Err(TomlError::TooDeep),
    }
}

struct Encoder {
    out: Vec<u8>,
}

impl Encoder {
    fn write(&mut self, s: &[u8]) {
        self.out.extend_from_slice(s);
    }

    /// A line break, unless nothing has been written yet.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push(b'\n');
        }
    }

    fn indent(&mut self, key: &[Key]) {
        for _ in 1..key.len() {
            self.write(b"  ");
        }
    }

    fn encode(&mut self, key: &[Key], v: &Value, depth: usize) -> Result<(), TomlError> {
        let depth = deeper(depth)?;
        match v {
            Value::Nil => Ok(()),
            Value::Map(m) => self.table(key, &m.snapshot(), depth),
            Value::List(l) if toml_type(v, depth)? == Some(TomlType::ArrayOfHashes) => {
                if key.is_empty() {
                    return Err(TomlError::NoKey);
                }
                for item in l.items().iter() {
                    if let Value::Map(m) = item {
                        self.newline();
                        self.indent(key);
                        self.write(b"[[");
                        self.write(&key_path(key));
                        self.write(b"]]");
                        self.newline();
                        self.map(key, &m.snapshot(), false, depth)?;
                    }
                }
                Ok(())
            }
            _ => self.key_value(key, v, false, depth),
        }
    }

    /// `eTable`: a header for a key (after a blank line at the top level), then the entries.
    fn table(&mut self, key: &[Key], entries: &Entries, depth: usize) -> Result<(), TomlError> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.indent(key);
            self.write(b"[");
            self.write(&key_path(key));
            self.write(b"]");
            self.newline();
        }
        self.map(key, entries, false, depth)
    }

    /// `eMap`: plain entries, then tables; inline as `{k = v, ...}`, where a comma follows
    /// every plain entry's place when tables come after, and a left-out null's place too.
    fn map(
        &mut self,
        key: &[Key],
        entries: &Entries,
        inline: bool,
        depth: usize,
    ) -> Result<(), TomlError> {
        let (mut plain, mut tables) = (Vec::new(), Vec::new());
        for (k, v) in entries {
            match toml_type(v, depth)? {
                Some(TomlType::Hash | TomlType::ArrayOfHashes) => tables.push((k, v, true)),
                kind => plain.push((k, v, kind.is_some())),
            }
        }
        if inline {
            self.write(b"{");
        }
        let trailing_comma = !tables.is_empty();
        for (group, trailing_comma) in [(plain, trailing_comma), (tables, false)] {
            let last = group.len().saturating_sub(1);
            for (i, (k, v, present)) in group.into_iter().enumerate() {
                if !present {
                    continue;
                }
                if inline {
                    self.key_value(std::slice::from_ref(k), v, true, depth)?;
                    if trailing_comma || i != last {
                        self.write(b", ");
                    }
                } else {
                    let child: Vec<Key> = key.iter().cloned().chain([Key::clone(k)]).collect();
                    crate::stack::deep(|| self.encode(&child, v, depth))?;
                }
            }
        }
        if inline {
            self.write(b"}");
        }
        Ok(())
    }

    /// `writeKeyValue`: `key = value` (the value alone without a key), a line break after
    /// unless inline.
    fn key_value(
        &mut self,
        key: &[Key],
        v: &Value,
        inline: bool,
        depth: usize,
    ) -> Result<(), TomlError> {
        let Some(last) = key.last() else {
            return self.element(v, depth);
        };
        self.indent(key);
        self.write(&bare_or_quoted(last));
        self.write(b" = ");
        self.element(v, depth)?;
        if !inline {
            self.newline();
        }
        Ok(())
    }

    /// `eElement`: a value in a key/value pair or an array.
    fn element(&mut self, v: &Value, depth: usize) -> Result<(), TomlError> {
        let depth = deeper(depth)?;
        match v {
            Value::Nil => return Err(TomlError::NilElement),
            Value::Bool(b) => self.write(b.to_string().as_bytes()),
            Value::Int(n) | Value::Int64(n) => self.write(n.to_string().as_bytes()),
            Value::Float(f) => self.write(float(*f).as_bytes()),
            Value::Str(_) | Value::RawStr(_) => {
                let quoted = quoted(v.string_bytes().unwrap_or_default());
                self.write(&quoted);
            }
            Value::Bytes(b) => {
                let items: Vec<String> = b.iter().map(u8::to_string).collect();
                self.write(format!("[{}]", items.join(", ")).as_bytes());
            }
            Value::List(l) => {
                self.write(b"[");
                for (i, item) in l.items().iter().enumerate() {
                    if i > 0 {
                        self.write(b", ");
                    }
                    crate::stack::deep(|| self.element(item, depth))?;
                }
                self.write(b"]");
            }
            Value::Map(m) => self.map(&[], &m.snapshot(), true, depth)?,
            Value::Object(o) => match o
                .as_any()
                .and_then(|a| a.downcast_ref::<super::dates::TimeValue>())
            {
                Some(t) => self.write(datetime(&t.0).as_bytes()),
                None => {
                    let text = super::strval_text(v);
                    self.write(&quoted(text.as_bytes()));
                }
            },
        }
        Ok(())
    }
}

/// A `time.Time` unquoted: RFC 3339 with nanoseconds, or the local form of the zones the
/// decoder gives local date-times, dates and times (`encode.go`'s `eElement`).
fn datetime(t: &GoTime) -> String {
    let layout = match &t.location {
        Location::Fixed { name, offset: 0 } => match name.as_str() {
            "datetime-local" => "2006-01-02T15:04:05.999999999",
            "date-local" => "2006-01-02",
            "time-local" => "15:04:05.999999999",
            _ => "2006-01-02T15:04:05.999999999Z07:00",
        },
        _ => "2006-01-02T15:04:05.999999999Z07:00",
    };
    t.format(layout)
}

/// Floats always show a decimal point or an exponent; NaN and infinities as TOML spells them.
fn float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let s = format_float(f, 'g', -1);
    match s.contains(['.', 'e']) {
        true => s,
        false => format!("{s}.0"),
    }
}

/// A basic string: `"` and `\` escaped, control characters as short escapes or `\u00xx`.
fn quoted(s: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f | 0x7f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            b => out.push(b),
        }
    }
    out.push(b'"');
    out
}

/// A key piece bare when it is all ASCII letters, digits, `_` and `-`, quoted otherwise.
fn bare_or_quoted(piece: &str) -> Vec<u8> {
    let bare = !piece.is_empty()
        && piece
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match bare {
        true => piece.as_bytes().to_vec(),
        false => quoted(piece.as_bytes()),
    }
}

/// A dotted header key.
fn key_path(key: &[Key]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, piece) in key.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        out.extend(bare_or_quoted(piece));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::helm_data::tests::map;
    use super::*;

    fn toml(v: &Value) -> String {
        match encode(v) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => e.to_string(),
        }
    }

    /// Expected texts are helm v4.1.4's `toToml` output.
    #[test]
    fn documents_as_burntsushi_writes_them() {
        let doc = map(vec![
            ("title", Value::str("x")),
            ("num", Value::Float(1.0)),
            ("owner", map(vec![("name", Value::str("me"))])),
            (
                "list",
                Value::list(vec![Value::Float(1.0), Value::Float(2.0)]),
            ),
            ("b", Value::Bool(true)),
            ("empty", map(vec![])),
        ]);
        assert_eq!(
            toml(&doc),
            "b = true\nlist = [1.0, 2.0]\nnum = 1.0\ntitle = \"x\"\n\n[empty]\n\n[owner]\n  name = \"me\"\n"
        );
        let nested = map(vec![
            ("z", map(vec![("yy", map(vec![("x", Value::Float(1.0))]))])),
            ("a b", Value::str("top\u{1b}")),
            (
                "arr",
                Value::list(vec![
                    map(vec![("k", Value::Float(1.0))]),
                    map(vec![("k", Value::Float(2.0))]),
                ]),
            ),
        ]);
        assert_eq!(
            toml(&nested),
            "\"a b\" = \"top\\u001b\"\n\n[[arr]]\n  k = 1.0\n\n[[arr]]\n  k = 2.0\n\n[z]\n  [z.yy]\n    x = 1.0\n"
        );
        assert_eq!(toml(&Value::str("str")), "\"str\"");
        // Dates from `fromToml` go back unquoted, local kinds in their own forms.
        let dates = super::super::helm_data::from_toml(
            "dt = 1979-05-27T07:32:00Z\ndto = 1979-05-27T00:32:00-07:00\n\
             ldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00.5\n",
        );
        assert_eq!(
            toml(&dates),
            "dt = 1979-05-27T07:32:00Z\ndto = 1979-05-27T00:32:00-07:00\nld = 1979-05-27\n\
             ldt = 1979-05-27T07:32:00\nlt = 07:32:00.5\n"
        );
        assert_eq!(
            toml(&Value::list(vec![Value::Int(1), Value::Int(2)])),
            "[1, 2]"
        );
    }

    #[test]
    fn nulls_are_left_out_of_maps_and_refused_in_lists() {
        let with_null = map(vec![("a", Value::Int(1)), ("n", Value::Nil)]);
        assert_eq!(toml(&with_null), "a = 1\n");
        assert_eq!(toml(&map(vec![("a", Value::Nil)])), "");
        // Inline, a left-out last entry still leaves its comma; tables come after the comma.
        let inline = Value::list(vec![
            Value::Int(1),
            map(vec![("a", Value::Int(1)), ("b", Value::Nil)]),
            map(vec![("a", Value::Int(1)), ("t", map(vec![]))]),
        ]);
        assert_eq!(toml(&inline), "[1, {a = 1, }, {a = 1, t = {}}]");
        let nil_element = map(vec![
            ("a", Value::Int(1)),
            (
                "deep",
                map(vec![("l", Value::list(vec![Value::Int(1), Value::Nil]))]),
            ),
        ]);
        assert_eq!(
            toml(&nil_element),
            "toml: cannot encode array with nil element"
        );
        let nested = Value::list(vec![Value::list(vec![Value::Nil])]);
        assert_eq!(toml(&nested), "toml: cannot encode array with nil element");
    }

    #[test]
    fn a_list_of_tables_needs_a_key() {
        let tables = Value::list(vec![map(vec![("b", Value::Int(1))])]);
        assert_eq!(
            toml(&tables),
            "toml: top-level values must be Go maps or structs"
        );
        let under_key = map(vec![("k", tables)]);
        assert_eq!(toml(&under_key), "[[k]]\n  b = 1\n");
    }
}
