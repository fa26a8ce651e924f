//! Go's `text/template` builtins as Helm has them (without `slice`: Sprig's, registered by the
//! library, replaces Go's), and Helm's `include` and `tpl`, which need the executor.

use super::{CallCtx, FuncMap, Param};
use crate::template::fmt::{format_value, sprint, sprintf, sprintln};
use crate::template::value::{go_runes, FuncError, Value};

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Str};
    // `and`/`or` short-circuit: the executor evaluates their arguments itself.
    map.add("and", &[Any], Some(Any), and_or_unreachable);
    map.add("or", &[Any], Some(Any), and_or_unreachable);
    map.add("not", &[Any], None, not);
    map.add("len", &[Any], None, len);
    map.add("index", &[Any], Some(Any), index);
    map.add("print", &[], Some(Any), print);
    map.add("printf", &[Str], Some(Any), printf);
    map.add("println", &[], Some(Any), println);
    map.add("html", &[], Some(Any), html);
    map.add("js", &[], Some(Any), js);
    map.add("urlquery", &[], Some(Any), urlquery);
    map.add("call", &[Any], Some(Any), call);
    map.add("eq", &[Any], Some(Any), eq);
    map.add("ne", &[Any, Any], None, ne);
    map.add("lt", &[Any, Any], None, lt);
    map.add("le", &[Any, Any], None, le);
    map.add("gt", &[Any, Any], None, gt);
    map.add("ge", &[Any, Any], None, ge);
    map.add("include", &[Str, Any], None, include);
    map.add("tpl", &[Str, Any], None, tpl);
}

fn and_or_unreachable(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(args.last().cloned().unwrap_or_default())
}

fn not(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!args[0].truthy()))
}

fn len(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let n = match &args[0].clone().collection_view() {
        Value::Str(s) => s.len(),
        Value::RawStr(r) => r.bytes().len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Nil => {
            return Err(FuncError::new(
                "reflect: call of reflect.Value.Type on zero Value",
            ))
        }
        other => return Err(FuncError::new(format!("len of type {}", other.type_name()))),
    };
    Ok(Value::Int(n as i64))
}

/// Go's `index`: successive indexes into lists, strings and maps.
fn index(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let mut item = args[0].clone();
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for key in &args[1..] {
        // A named map type's missing key gives its element type's zero value.
        let missing = match &item {
            Value::Object(o) => o.missing_entry(),
            Value::Map(m) => m.missing_entry(),
            _ => Value::Nil,
        };
        item = match &item.clone().collection_view() {
            Value::Nil => return Err(FuncError::new("index of nil pointer")),
            Value::List(l) => {
                let i = index_arg(key, l.len())?;
                l.get(i).cloned().ok_or_else(slice_out_of_range)?
            }
            Value::Str(_) | Value::RawStr(_) => {
                let s = item.string_bytes().unwrap_or_default();
                let i = index_arg(key, s.len())?;
                Value::Int(*s.get(i).ok_or_else(slice_out_of_range)? as i64)
            }
            Value::Bytes(b) => {
                let i = index_arg(key, b.len())?;
                Value::Int(*b.get(i).ok_or_else(slice_out_of_range)? as i64)
            }
            Value::Map(m) => match key {
                // Map keys are text: a key that is not UTF-8 is held as its text view.
                k @ (Value::Str(_) | Value::RawStr(_)) => {
                    m.get(k.as_str().unwrap_or_default()).unwrap_or(missing)
                }
                Value::Nil => return Err(FuncError::new("value is nil; should be of type string")),
                other => {
                    return Err(FuncError::new(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )))
                }
            },
            other => {
                return Err(FuncError::new(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn slice_out_of_range() -> FuncError {
    FuncError::new("reflect: slice index out of range")
}

fn index_arg(key: &Value, len: usize) -> Result<usize, FuncError> {
    let x = match key {
        Value::Int(n) | Value::Int64(n) => *n,
        Value::Nil => return Err(FuncError::new("cannot index slice/array with nil")),
        other => {
            return Err(FuncError::new(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )))
        }
    };
    if x < 0 || x as u64 > len as u64 {
        return Err(FuncError::new(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

fn print(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(sprint(args))
}

fn printf(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let format = args[0].as_str().unwrap_or_default();
    super::library::check_built_bytes("printf", printf_size_bound(format, &args[1..]))?;
    Ok(sprintf(format, &args[1..]))
}

/// More than `Sprintf` can print for strings and byte strings: the format, then for every
/// verb its width (Go caps widths at 10^6) and the longest argument (any verb may name any
/// argument). Checked before printing, so `printf "%s%s" $s $s` in a loop cannot double its
/// way past the memory.
fn printf_size_bound(format: &str, args: &[Value]) -> u128 {
    const MAX_WIDTH: u128 = 1_000_000;
    let longest = args
        .iter()
        .map(|a| match a {
            Value::Str(s) => s.len(),
            Value::RawStr(r) => r.bytes().len(),
            // `%v` prints bytes as decimal numbers: up to four characters a byte.
            Value::Bytes(b) => b.len() * 4,
            _ => 0,
        })
        .max()
        .unwrap_or(0) as u128;
    let mut bound = format.len() as u128;
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        rest = &rest[at + 1..];
        let spec = rest.trim_start_matches(['+', '-', '#', ' ', '0']);
        let digits = spec.bytes().take_while(u8::is_ascii_digit).count();
        let width = match spec.starts_with(['*', '[']) {
            true => MAX_WIDTH,
            false => spec[..digits.min(7)]
                .parse::<u128>()
                .unwrap_or(0)
                .min(MAX_WIDTH),
        };
        bound += width + longest;
    }
    bound
}

fn println(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(sprintln(args))
}

/// Go's `evalArgs` for the escapers: one string as is, otherwise `Sprint` with nil shown as
/// `<no value>`.
fn escaper_input(args: &[Value]) -> Value {
    if let [s @ (Value::Str(_) | Value::RawStr(_))] = args {
        return s.clone();
    }
    let shown: Vec<Value> = args
        .iter()
        .map(|a| match a {
            Value::Nil => Value::str("<no value>"),
            other => other.clone(),
        })
        .collect();
    sprint(&shown)
}

/// Runs an escaper over a Go string's runes: an invalid byte is kept as it is, as Go's
/// escapers keep it.
fn escape_runes(args: &[Value], escape: impl Fn(char, &mut String)) -> Value {
    let input = escaper_input(args);
    let bytes = input.string_bytes().unwrap_or_default();
    let mut out = Vec::with_capacity(bytes.len());
    let mut buf = String::new();
    for rune in go_runes(bytes) {
        match rune {
            Ok(c) => {
                buf.clear();
                escape(c, &mut buf);
                out.extend_from_slice(buf.as_bytes());
            }
            Err(b) => out.push(b),
        }
    }
    Value::go_string(out)
}

fn html(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(escape_runes(args, |c, out| match c {
        '\0' => out.push('\u{FFFD}'),
        '"' => out.push_str("&#34;"),
        '\'' => out.push_str("&#39;"),
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }))
}

fn js(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(escape_runes(args, |c, out| match c {
        '\\' => out.push_str("\\\\"),
        '\'' => out.push_str("\\'"),
        '"' => out.push_str("\\\""),
        '<' => out.push_str("\\u003C"),
        '>' => out.push_str("\\u003E"),
        '&' => out.push_str("\\u0026"),
        '=' => out.push_str("\\u003D"),
        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
        c if c.is_ascii() => out.push(c),
        c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
            out.push_str(&format!("\\u{:04X}", c as u32))
        }
        c => out.push(c),
    }))
}

fn urlquery(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let input = escaper_input(args);
    let bytes = input.string_bytes().unwrap_or_default();
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::str(out))
}

/// Templates never hold Go function values, so `call` can only fail as Go's does.
fn call(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    match &args[0] {
        Value::Nil => Err(FuncError::new("call of nil")),
        s @ (Value::Str(_) | Value::RawStr(_)) => Err(FuncError::new(format!(
            "non-function {} of type string",
            crate::go::strconv::quote_bytes(s.string_bytes().unwrap_or_default(), false)
        ))),
        other => Err(FuncError::new(format!(
            "non-function {} of type {}",
            format_value(other),
            other.type_name()
        ))),
    }
}

/// Go's comparison classes (`basicKind`).
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) | Value::RawStr(_) => Kind::Str,
        _ => Kind::Other,
    }
}

fn incompatible(a: &Value, b: &Value) -> FuncError {
    FuncError::new(format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

fn equal(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (ka, kb) = (basic_kind(a), basic_kind(b));
    if ka != kb {
        if !a.is_nil() && !b.is_nil() {
            return Err(incompatible(a, b));
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        _ if ka == Kind::Str => a.string_bytes() == b.string_bytes(),
        _ if ka == Kind::Int => a.as_int() == b.as_int(),
        (Value::Nil, other) | (other, Value::Nil) => other.is_nil(),
        (Value::Map(_) | Value::List(_) | Value::Bytes(_), _) => {
            return Err(FuncError::new(format!(
                "non-comparable type {}: {}",
                format_value(b),
                b.type_name()
            )))
        }
        (_, Value::Map(_) | Value::List(_) | Value::Bytes(_)) => {
            return Err(FuncError::new(format!(
                "non-comparable type {}: {}",
                format_value(b),
                b.type_name()
            )))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.go_format() == y.go_format()
        }
        _ => false,
    })
}

fn eq(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    if args.len() < 2 {
        return Err(FuncError::new("missing argument for comparison"));
    }
    for other in &args[1..] {
        if equal(&args[0], other)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn ne(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!equal(&args[0], &args[1])?))
}

fn less(a: &Value, b: &Value) -> Result<bool, FuncError> {
    let (ka, kb) = (basic_kind(a), basic_kind(b));
    if ka == Kind::Other || kb == Kind::Other {
        return Err(FuncError::new("invalid type for comparison"));
    }
    if ka != kb {
        return Err(incompatible(a, b));
    }
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        _ if ka == Kind::Str => Ok(a.string_bytes() < b.string_bytes()),
        _ if ka == Kind::Int => Ok(a.as_int() < b.as_int()),
        _ => Err(FuncError::new("invalid type for comparison")),
    }
}

fn lt(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(less(&args[0], &args[1])?))
}

fn le(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(
        less(&args[0], &args[1])? || equal(&args[0], &args[1])?,
    ))
}

fn gt(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(
        !(less(&args[0], &args[1])? || equal(&args[0], &args[1])?),
    ))
}

fn ge(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!less(&args[0], &args[1])?))
}

fn include(ctx: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let name = args[0].as_str().unwrap_or_default();
    ctx.include(name, args[1].clone())
}

fn tpl(ctx: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let text = args[0].as_str().unwrap_or_default();
    ctx.tpl(text, args[1].clone())
}
