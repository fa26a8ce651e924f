//! Helm's `--set` family parser (`key.path[0]=value,other=value`), with the same typing rules,
//! escapes, limits and failure cases as Helm's strvals package.

use serde_json::{Map, Value};

/// Largest list index `--set` accepts (Helm's guard against huge allocations).
const MAX_INDEX: i64 = 65536;
/// Deepest `a.b.c` nesting `--set` accepts.
const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How the value to the right of `=` becomes data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: `true`/`false`/`null`/int64 are typed, everything else is a string.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: the value is a JSON document.
    Json,
    /// `--set-file`: the value names a file whose content becomes the string.
    File,
}

/// A `--set`-style argument Helm's strvals parser refuses, with its message.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// A `--set-file` (or `-f`) file that could not be read, worded as Go's `os.ReadFile` error
/// (`open PATH: no such file or directory`).
pub type ReadFileError = crate::go::os::PathError;

/// Reads the file a `--set-file` value names.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Result<String, ReadFileError>;

fn err<T>(msg: impl Into<String>) -> Result<T, StrvalsError> {
    Err(StrvalsError(msg.into()))
}

/// Why reading stopped: a stop rune, or the end of input.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Rune(char),
    Eof,
}

/// Parses one `--set`-style argument into `dest`. `read_file` resolves `--set-file` paths.
pub fn parse_into(
    line: &str,
    dest: &mut Map<String, Value>,
    kind: SetKind,
    read_file: ReadFile<'_>,
) -> Result<(), StrvalsError> {
    Parser::new(line, Mode::Set(kind), read_file).parse(dest)
}

/// Parses one `--set-literal` argument: the key path splits as usual, the value is taken verbatim.
pub fn parse_literal_into(line: &str, dest: &mut Map<String, Value>) -> Result<(), StrvalsError> {
    // A literal value never names a file, so nothing is read.
    Parser::new(line, Mode::Literal, &|path| {
        Err(ReadFileError::read_file(
            path,
            &std::io::ErrorKind::Unsupported.into(),
        ))
    })
    .parse(dest)
}

/// Helm's two parsers: the `--set` family's, and `--set-literal`'s, which has no `\` escapes,
/// no `,` between assignments and takes the rest of the line as the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Set(SetKind),
    Literal,
}

/// `key` ends either at the end of input (Helm's io.EOF, which stops parsing quietly) or with an error.
enum KeyError {
    Eof,
    Fail(StrvalsError),
}

impl From<StrvalsError> for KeyError {
    fn from(e: StrvalsError) -> Self {
        KeyError::Fail(e)
    }
}

fn fail<T>(msg: impl Into<String>) -> Result<T, KeyError> {
    Err(KeyError::Fail(StrvalsError(msg.into())))
}

fn set(data: &mut Map<String, Value>, key: &str, val: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), val);
    }
}

/// Go's name for a value's dynamic type, as Helm's type-assertion panics print it.
fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn conversion_panic(found: &Value, wanted: &str) -> StrvalsError {
    StrvalsError(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {wanted}",
        go_type_name(found)
    ))
}

fn set_index(list: &mut Vec<Value>, index: i64, val: Value) -> Result<(), StrvalsError> {
    if index < 0 {
        return err(format!("negative {index} index not allowed"));
    }
    if index > MAX_INDEX {
        return err(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Null);
    }
    list[index] = val;
    Ok(())
}

/// `strconv.Atoi` as far as index parsing needs it.
fn atoi(s: &str) -> Result<i64, StrvalsError> {
    s.parse::<i64>().map_err(|e| {
        let why = if matches!(
            e.kind(),
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
        ) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        StrvalsError(format!(
            "error parsing index: strconv.Atoi: parsing \"{s}\": {why}"
        ))
    })
}

/// `--set` typing: booleans and null case-insensitively, int64 when it fits and has no leading zero.
pub fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::from(0i64);
    }
    if !text.is_empty() && !text.starts_with('0') && is_go_parse_int(text) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::from(i);
        }
    }
    Value::String(text.to_string())
}

/// Go's ParseInt(base 10) accepts an optional sign then digits only (no `_` in base 10).
fn is_go_parse_int(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

struct Parser<'a> {
    input: Vec<char>,
    pos: usize,
    mode: Mode,
    read_file: ReadFile<'a>,
}

impl<'a> Parser<'a> {
    fn new(line: &str, mode: Mode, read_file: ReadFile<'a>) -> Self {
        Parser {
            input: line.chars().collect(),
            pos: 0,
            mode,
            read_file,
        }
    }

    fn parse(&mut self, dest: &mut Map<String, Value>) -> Result<(), StrvalsError> {
        loop {
            match self.key(dest, 0) {
                Ok(()) => continue,
                Err(KeyError::Eof) => return Ok(()),
                Err(KeyError::Fail(e)) => return Err(e),
            }
        }
    }

    fn next(&mut self) -> Option<char> {
        let c = self.input.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Reads up to (and consumes) a stop rune; outside literal mode `\` escapes the next rune.
    fn runes_until(&mut self, stop: &[char]) -> (String, Stop) {
        let mut out = String::new();
        loop {
            match self.next() {
                None => return (out, Stop::Eof),
                Some(c) if stop.contains(&c) => return (out, Stop::Rune(c)),
                Some('\\') if self.mode != Mode::Literal => match self.next() {
                    None => return (out, Stop::Eof),
                    Some(n) => out.push(n),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn reader(&self, text: &str) -> Result<Value, StrvalsError> {
        match self.mode {
            Mode::Set(SetKind::Typed) => Ok(typed_value(text)),
            Mode::Set(SetKind::File) => (self.read_file)(text)
                .map(Value::String)
                .map_err(|e| StrvalsError(e.to_string())),
            Mode::Set(SetKind::String | SetKind::Json) | Mode::Literal => {
                Ok(Value::String(text.to_string()))
            }
        }
    }

    fn key(&mut self, data: &mut Map<String, Value>, nested: usize) -> Result<(), KeyError> {
        let stops: &[char] = match self.mode {
            Mode::Set(_) => &['=', '[', ',', '.'],
            Mode::Literal => &['=', '[', '.'],
        };
        let (k, stop) = self.runes_until(stops);
        match stop {
            Stop::Eof => {
                if k.is_empty() {
                    Err(KeyError::Eof)
                } else {
                    fail(format!("key {k:?} has no value"))
                }
            }
            Stop::Rune('[') => {
                let index = self.key_index()?;
                let mut list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::Array(l)) => l.clone(),
                    Some(other) => return Err(conversion_panic(other, "[]interface {}").into()),
                };
                let result = self.list_item(&mut list, index, nested);
                set(data, &k, Value::Array(list));
                result
            }
            Stop::Rune('=') => {
                let (value, input_ended) = self.assigned_value()?;
                set(data, &k, value);
                if input_ended {
                    Err(KeyError::Eof)
                } else {
                    Ok(())
                }
            }
            Stop::Rune(',') => {
                set(data, &k, Value::String(String::new()));
                fail(format!("key {k:?} has no value (cannot end with ,)"))
            }
            Stop::Rune(_) => {
                // '.': descend into (or create) the map under k.
                let nested = nested + 1;
                if nested > MAX_NESTED_NAME_LEVEL {
                    return fail(format!("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"));
                }
                let mut inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Object(m)) => m.clone(),
                    Some(other) => {
                        return Err(conversion_panic(other, "map[string]interface {}").into())
                    }
                };
                let result = self.key(&mut inner, nested);
                if result.is_ok() && inner.is_empty() {
                    return fail(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Object(inner));
                }
                result
            }
        }
    }

    /// The value after `=`, and whether the input ended right at the `=` (Helm then stores an
    /// empty string and, under a key, stops parsing).
    fn assigned_value(&mut self) -> Result<(Value, bool), KeyError> {
        let kind = match self.mode {
            Mode::Literal => {
                let (text, _) = self.runes_until(&[]);
                return Ok((Value::String(text), false));
            }
            Mode::Set(kind) => kind,
        };
        if kind == SetKind::Json {
            return Ok((self.json_value()?, false));
        }
        match self.val_list()? {
            ValList::List(l) => Ok((Value::Array(l), false)),
            ValList::Eof => Ok((Value::String(String::new()), true)),
            ValList::NotList => {
                let (text, _) = self.runes_until(&[',']);
                Ok((self.reader(&text)?, false))
            }
        }
    }

    /// `--set-json`: an empty value is null; otherwise one JSON document, then optional blanks and a comma.
    fn json_value(&mut self) -> Result<Value, KeyError> {
        if self.empty_val() {
            return Ok(Value::Null);
        }
        let rest: String = self.input[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return fail(e.to_string()),
            None => return fail("unexpected EOF"),
        };
        let consumed_bytes = stream.byte_offset();
        self.pos += rest[..consumed_bytes].chars().count();
        self.empty_val();
        Ok(json_numbers_as_float(value))
    }

    /// Consumes blanks up to a comma or the end (true: the value is empty); stops before anything else.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.input.get(self.pos) {
                None => return true,
                Some(',') => {
                    self.pos += 1;
                    return true;
                }
                Some(c) if c.is_whitespace() => self.pos += 1,
                Some(_) => return false,
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, KeyError> {
        let (v, stop) = self.runes_until(&[']']);
        if stop == Stop::Eof {
            return Err(KeyError::Eof);
        }
        Ok(atoi(&v)?)
    }

    fn val_list(&mut self) -> Result<ValList, KeyError> {
        match self.input.get(self.pos) {
            None => return Ok(ValList::Eof),
            Some('{') => self.pos += 1,
            Some(_) => return Ok(ValList::NotList),
        }
        let mut list = Vec::new();
        loop {
            let (text, stop) = self.runes_until(&[',', '}']);
            match stop {
                Stop::Eof => return fail("list must terminate with '}'"),
                Stop::Rune('}') => {
                    if self.input.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    list.push(self.reader(&text)?);
                    return Ok(ValList::List(list));
                }
                Stop::Rune(_) => list.push(self.reader(&text)?),
            }
        }
    }

    fn list_item(
        &mut self,
        list: &mut Vec<Value>,
        index: i64,
        nested: usize,
    ) -> Result<(), KeyError> {
        if index < 0 {
            return fail(format!("negative {index} index not allowed"));
        }
        let (k, stop) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return fail(format!("unexpected data at end of array index: {k:?}"));
        }
        match stop {
            Stop::Eof => Err(KeyError::Eof),
            Stop::Rune('=') => {
                let (value, _) = self.assigned_value()?;
                Ok(set_index(list, index, value)?)
            }
            Stop::Rune('[') => {
                let next_index = self.key_index()?;
                let mut inner = match list.get(index as usize) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(l)) => l.clone(),
                    Some(other) => return Err(conversion_panic(other, "[]interface {}").into()),
                };
                self.list_item(&mut inner, next_index, nested)?;
                Ok(set_index(list, index, Value::Array(inner))?)
            }
            Stop::Rune(_) => {
                // '.': a map inside the list element (replacing a non-map element).
                let mut inner = match list.get(index as usize) {
                    Some(Value::Object(m)) => m.clone(),
                    _ => Map::new(),
                };
                self.key(&mut inner, nested)?;
                Ok(set_index(list, index, Value::Object(inner))?)
            }
        }
    }
}

enum ValList {
    List(Vec<Value>),
    NotList,
    Eof,
}

/// Go decodes every JSON number into float64; serde_json keeps integers, so convert them.
pub fn json_numbers_as_float(v: Value) -> Value {
    match v {
        Value::Number(n) if !n.is_f64() => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Number(n)),
        Value::Array(items) => Value::Array(items.into_iter().map(json_numbers_as_float).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, json_numbers_as_float(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unreadable_files_in_go_words() {
        // As helm v4.1.4 words `--set-file a=DIR` and `-f FILE/x`.
        let fail = |path: &str| match std::fs::read(path) {
            Err(e) => ReadFileError::read_file(path, &e).to_string(),
            Ok(_) => panic!("{path} was read"),
        };
        let dir = env!("CARGO_MANIFEST_DIR");
        assert_eq!(fail(dir), format!("read {dir}: is a directory"));
        let under_file = format!("{dir}/Cargo.toml/x");
        assert_eq!(
            fail(&under_file),
            format!("open {under_file}: not a directory")
        );
        let missing = format!("{dir}/no-such-file");
        assert_eq!(
            fail(&missing),
            format!("open {missing}: no such file or directory")
        );
    }

    fn no_files(path: &str) -> Result<String, ReadFileError> {
        Err(ReadFileError::read_file(
            path,
            &std::io::ErrorKind::NotFound.into(),
        ))
    }

    fn parse(line: &str, kind: SetKind) -> Result<Value, StrvalsError> {
        let mut m = Map::new();
        parse_into(line, &mut m, kind, &no_files)?;
        Ok(Value::Object(m))
    }

    #[test]
    fn typing_follows_helm() {
        let v = parse("a=1,b=true,c=007,d=1.5,e=null,f=0,g=-5", SetKind::Typed).unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "b": true, "c": "007", "d": "1.5", "e": null, "f": 0, "g": -5})
        );
        assert!(v["a"].is_i64());
    }

    #[test]
    fn lists_indexes_and_escapes() {
        assert_eq!(
            parse("a={x,y}", SetKind::Typed).unwrap(),
            json!({"a": ["x", "y"]})
        );
        assert_eq!(
            parse("a[2]=z", SetKind::Typed).unwrap(),
            json!({"a": [null, null, "z"]})
        );
        assert_eq!(
            parse("a[0][1]=x", SetKind::Typed).unwrap(),
            json!({"a": [[null, "x"]]})
        );
        assert_eq!(
            parse(r"a\.b=x\,y", SetKind::Typed).unwrap(),
            json!({"a.b": "x,y"})
        );
        assert_eq!(
            parse("a.b[1].c=x", SetKind::Typed).unwrap(),
            json!({"a": {"b": [null, {"c": "x"}]}})
        );
        assert_eq!(parse("a=1,", SetKind::Typed).unwrap(), json!({"a": 1}));
        assert_eq!(parse("=1", SetKind::Typed).unwrap(), json!({}));
    }

    #[test]
    fn errors_match_helm() {
        assert_eq!(
            parse("a", SetKind::Typed).unwrap_err().0,
            "key \"a\" has no value"
        );
        assert!(parse("a=[1,2]", SetKind::Typed).is_err());
        assert_eq!(
            parse("a[70000]=1", SetKind::Typed).unwrap_err().0,
            "index of 70000 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            parse("a[-1]=1", SetKind::Typed).unwrap_err().0,
            "negative -1 index not allowed"
        );
        let mut m = Map::new();
        parse_into("a=1", &mut m, SetKind::Typed, &no_files).unwrap();
        assert_eq!(
            parse_into("a.b=2", &mut m, SetKind::Typed, &no_files).unwrap_err().0,
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"
        );
    }

    #[test]
    fn json_and_literal() {
        let v = parse(r#"a={"b":1},c="x,y""#, SetKind::Json).unwrap();
        assert_eq!(v, json!({"a": {"b": 1.0}, "c": "x,y"}));
        assert!(v["a"]["b"].is_f64());
        assert_eq!(parse("a=", SetKind::Json).unwrap(), json!({"a": null}));
        let mut m = Map::new();
        parse_literal_into("a.b=x,y=z", &mut m).unwrap();
        assert_eq!(Value::Object(m), json!({"a": {"b": "x,y=z"}}));
        // Literal mode keeps backslashes and reads list items' values verbatim too.
        let mut m = Map::new();
        parse_literal_into(r"a\b=c\,d", &mut m).unwrap();
        parse_literal_into("l[1]=x,{y}", &mut m).unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"a\\b": "c\\,d", "l": [null, "x,{y}"]})
        );
    }
}
