//! The function library Helm v4 gives chart templates: every Sprig v3 function except `env` and
//! `expandenv`, plus Helm's own data functions (`toYaml`, `fromJson`, `required`, `lookup`, …).
//! Go's template builtins and `include`/`tpl` live in the engine; this is the rest.
//!
//! Each family keeps Go's behaviour, including its odd corners (byte-indexed `trunc`, `add "1.5"`
//! being 1, `first` on a string failing) and its error texts, because charts depend on them.

mod certs;
mod crypto;
mod dates;
mod dicts;
mod encoding;
mod environment;
mod helm_data;
mod keygen;
mod lists;
mod math;
mod paths;
mod random;
mod reflection;
mod regex_funcs;
mod semver;
mod strings;
mod toml_encode;
mod urls;
mod xstrings;

use super::FuncMap;
pub(crate) use crate::template::fmt::format_value as go_format;
use crate::template::value::{FuncError, Key, Value, MAX_VALUE_DEPTH};
use std::collections::HashSet;

pub use helm_data::to_yaml;
pub(crate) use keygen::{pooled_rsa_key, supply_pooled_keys};
pub use paths::base as path_base;
pub(crate) use paths::clean as path_clean;

/// Registers the whole library.
pub(super) fn register(map: &mut FuncMap) {
    strings::register(map);
    lists::register(map);
    dicts::register(map);
    math::register(map);
    reflection::register(map);
    encoding::register(map);
    regex_funcs::register(map);
    paths::register(map);
    urls::register(map);
    dates::register(map);
    semver::register(map);
    random::register(map);
    crypto::register(map);
    certs::register(map);
    helm_data::register(map);
}

/// What Sprig's text functions have that Helm's chart templates lack or replace.
pub(super) fn register_sprig_only(map: &mut FuncMap) {
    environment::register(map);
}

/// Sprig's `strval`, as the Go string it makes: strings as they are, byte slices as the
/// string of their bytes, anything else as Go's `%v`.
pub(crate) fn strval(v: &Value) -> Value {
    match v {
        Value::Str(_) | Value::RawStr(_) => v.clone(),
        Value::Bytes(b) => Value::go_string(b.to_vec()),
        other => Value::go_string(crate::template::fmt::format_value_bytes(other)),
    }
}

/// [`strval`] as text (an invalid byte reads as U+FFFD), for lists of strings.
pub(crate) fn strval_text(v: &Value) -> String {
    strval(v).as_str().unwrap_or_default().to_string()
}

/// [`strval`] as a map key: a string's text is shared with it, not copied.
pub(crate) fn strval_key(v: &Value) -> Key {
    match strval(v) {
        Value::Str(text) => text,
        other => Key::from(other.as_str().unwrap_or_default()),
    }
}

/// Go's panic when reflection is asked for the type of a nil interface.
pub(crate) fn nil_pointer() -> FuncError {
    FuncError::new("runtime error: invalid memory address or nil pointer dereference")
}

/// Go's template truth, which Sprig's `empty` mirrors.
pub(crate) fn is_empty(v: &Value) -> bool {
    !v.truthy()
}

/// Go's `reflect.DeepEqual`: same dynamic types all the way down, then equal contents.
///
/// As Go, a pair of maps met again while comparing them (a map holding itself) is equal;
/// values nested deeper than [`MAX_VALUE_DEPTH`] are not.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    deep_equal_within(a, b, MAX_VALUE_DEPTH, &mut HashSet::new())
}

fn deep_equal_within(
    a: &Value,
    b: &Value,
    depth: usize,
    visited: &mut HashSet<(usize, usize)>,
) -> bool {
    let Some(depth) = depth.checked_sub(1) else {
        return false;
    };
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::RawStr(x), Value::RawStr(y)) => x.bytes() == y.bytes(),
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if x.elem != y.elem || x.is_nil() != y.is_nil() || x.len() != y.len() {
                return false;
            }
            // Go: slices over one array are equal, and a pair met before counts as equal
            // (had it differed, the walk would have ended there), so a list sharing its
            // items (`list $l $l` in a loop) compares in time linear in its memory.
            if x.addr() == y.addr() || !visited.insert((x.addr(), y.addr())) {
                return true;
            }
            x.items()
                .iter()
                .zip(y.items())
                .all(|(p, q)| crate::stack::deep(|| deep_equal_within(p, q, depth, visited)))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.ty != y.ty {
                return false;
            }
            if x.ptr_eq(y) || !visited.insert((x.addr(), y.addr())) {
                return true;
            }
            let (xs, ys) = (x.snapshot(), y.snapshot());
            xs.len() == ys.len()
                && xs.iter().all(|(k, v)| {
                    ys.get(k).is_some_and(|w| {
                        crate::stack::deep(|| deep_equal_within(v, w, depth, visited))
                    })
                })
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.go_format() == y.go_format()
        }
        _ => false,
    }
}

/// Upper bound on the items or bytes a single call may build, so `until 1e12` or
/// `repeat 1e12 "x"` fail instead of exhausting memory.
pub(crate) const MAX_BUILT_ITEMS: usize = 10_000_000;

/// Refuses, before building it, a string of `size` bytes larger than one call may return.
pub(crate) fn check_built_bytes(what: &str, size: u128) -> Result<(), FuncError> {
    if size > crate::template::MAX_CALL_RESULT_BYTES as u128 {
        return Err(too_large(what));
    }
    Ok(())
}

/// Refuses, before walking it, a value whose whole walk (encoding, printing or copying it)
/// would meet more than one call may return: see [`Value::walk_exceeds`].
pub(crate) fn check_walk_size(what: &str, v: &Value) -> Result<(), FuncError> {
    if v.walk_exceeds(crate::template::MAX_CALL_RESULT_BYTES as u64) {
        return Err(too_large(what));
    }
    Ok(())
}

/// The error of a call refusing to build a too large result (recorded as a limit).
pub(crate) fn too_large(what: &str) -> FuncError {
    FuncError::Limit(crate::budget::exceeded(
        crate::budget::LimitKind::TemplateValueSize,
        format_args!("{what}: result too large"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::{Entries, List};

    /// `list $l $l` forty times over, from a fresh leaf.
    fn doubled_list() -> Value {
        let mut doubled = Value::list(vec![Value::str("x")]);
        for _ in 0..40 {
            doubled = Value::list(vec![doubled.clone(), doubled]);
        }
        doubled
    }

    #[test]
    fn lists_sharing_their_items_compare_in_linear_time() {
        let (a, b) = (doubled_list(), doubled_list());
        // One array on both sides; then two arrays, each pair of levels met twice.
        assert!(deep_equal(&a, &a));
        assert!(deep_equal(&a, &b));
        let mut other = Value::list(vec![Value::str("y")]);
        for _ in 0..40 {
            other = Value::list(vec![other.clone(), other]);
        }
        assert!(!deep_equal(&a, &other));
    }

    #[test]
    fn walking_functions_refuse_values_that_share_themselves_past_the_limit() {
        let doubled = doubled_list();
        let err = check_walk_size("toJson", &doubled).expect_err("2^40 leaves are too many");
        assert!(
            err.to_string().contains("toJson: result too large"),
            "{err}"
        );
        assert!(check_walk_size("toJson", &Value::list(vec![Value::Int(1); 1000])).is_ok());
    }

    #[test]
    fn formats_values_like_go_sprint() {
        let mut entries = Entries::new();
        entries.insert("b".into(), Value::Int(1));
        entries.insert("a".into(), Value::list(vec![Value::Int(2)]));
        assert_eq!(go_format(&Value::map(entries)), "map[a:[2] b:1]");
        let list = Value::List(List::any(vec![Value::Int(1), Value::str("a"), Value::Nil]));
        assert_eq!(go_format(&list), "[1 a <nil>]");
        assert_eq!(go_format(&Value::Float(1e6)), "1e+06");
        assert_eq!(go_format(&Value::Float(2.5)), "2.5");
        assert_eq!(go_format(&Value::Bytes(b"hi".to_vec().into())), "[104 105]");
    }
}
