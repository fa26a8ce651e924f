//! Sprig's regular expressions. Go uses RE2; the `regex` crate implements the same semantics,
//! and [`crate::go::regexp`] reads Go's syntax for it. Plain forms fail on a bad pattern too (Sprig calls
//! `regexp.MustCompile`), except `regexMatch`, which returns false.

use super::super::{FuncMap, Param};
use super::check_built_bytes;
use super::strings::string_list;
use crate::go::regexp;
use crate::poison::IgnorePoison;
use crate::template::value::{FuncError, List, ListType, Value};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Compiled patterns are cached: charts call the same few in loops.
const CACHE_LIMIT: usize = 256;

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Int, Str};
    map.add("regexMatch", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(
            compile(text(&a[0])).is_ok_and(|re| re.is_match(text(&a[1]))),
        ))
    });
    map.add("mustRegexMatch", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(
            compile_must(text(&a[0]))?.is_match(text(&a[1])),
        ))
    });
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        let call = if must { find_all_must } else { find_all_panics };
        map.add(name, &[Str, Str, Int], None, call);
    }
    map.add("regexFind", &[Str, Str], None, |_, a| {
        find(compile_panics(text(&a[0]))?, text(&a[1]))
    });
    map.add("mustRegexFind", &[Str, Str], None, |_, a| {
        find(compile_must(text(&a[0]))?, text(&a[1]))
    });
    map.add("regexReplaceAll", &[Str, Str, Str], None, |_, a| {
        let re = compile_panics(text(&a[0]))?;
        replace_all_bounded(&re, text(&a[1]), text(&a[2]), false)
    });
    map.add("mustRegexReplaceAll", &[Str, Str, Str], None, |_, a| {
        let re = compile_must(text(&a[0]))?;
        replace_all_bounded(&re, text(&a[1]), text(&a[2]), false)
    });
    map.add("regexReplaceAllLiteral", &[Str, Str, Str], None, |_, a| {
        let re = compile_panics(text(&a[0]))?;
        replace_all_bounded(&re, text(&a[1]), text(&a[2]), true)
    });
    map.add(
        "mustRegexReplaceAllLiteral",
        &[Str, Str, Str],
        None,
        |_, a| {
            let re = compile_must(text(&a[0]))?;
            replace_all_bounded(&re, text(&a[1]), text(&a[2]), true)
        },
    );
    map.add("regexSplit", &[Str, Str, Int], None, |_, a| {
        let re = compile_panics(text(&a[0]))?;
        Ok(split(
            &re,
            text(&a[0]),
            text(&a[1]),
            a[2].as_int().unwrap_or(0),
        ))
    });
    map.add("mustRegexSplit", &[Str, Str, Int], None, |_, a| {
        let re = compile_must(text(&a[0]))?;
        Ok(split(
            &re,
            text(&a[0]),
            text(&a[1]),
            a[2].as_int().unwrap_or(0),
        ))
    });
    map.add("regexQuoteMeta", &[Str], None, |_, a| {
        Ok(Value::str(quote_meta(text(&a[0]))))
    });
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn find_all_panics(_: &mut super::super::CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    find_all(
        &*compile_panics(text(&a[0]))?,
        text(&a[1]),
        a[2].as_int().unwrap_or(0),
    )
}

fn find_all_must(_: &mut super::super::CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    find_all(
        &*compile_must(text(&a[0]))?,
        text(&a[1]),
        a[2].as_int().unwrap_or(0),
    )
}

/// Go's `FindAllString`: at most `n` matches (all when negative); nil when none.
fn find_all(re: &Regex, s: &str, n: i64) -> Result<Value, FuncError> {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let found: Vec<Value> = go_matches(re, s)
        .into_iter()
        .take(limit)
        .map(|(b, e)| Value::str(&s[b..e]))
        .collect();
    Ok(Value::List(List::or_nil(ListType::Str, found)))
}

fn find(re: Arc<Regex>, s: &str) -> Result<Value, FuncError> {
    Ok(Value::str(re.find(s).map_or("", |m| m.as_str())))
}

/// Match positions as Go enumerates them: an empty match right after the previous match is
/// skipped.
fn go_matches(re: &Regex, s: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for m in re.find_iter(s) {
        if m.start() == m.end() && out.last().is_some_and(|&(_, end)| end == m.start()) {
            continue;
        }
        out.push((m.start(), m.end()));
    }
    out
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, pattern: &str, s: &str, n: i64) -> Value {
    if n == 0 {
        return Value::Nil;
    }
    if !pattern.is_empty() && s.is_empty() {
        return string_list(vec![String::new()]);
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut parts = Vec::new();
    let (mut begin, mut end) = (0, 0);
    for (start, stop) in go_matches(re, s).into_iter().take(limit) {
        if n > 0 && parts.len() == limit - 1 {
            break;
        }
        end = start;
        if stop != 0 {
            parts.push(s[begin..end].to_string());
        }
        begin = stop;
    }
    if end != s.len() {
        parts.push(s[begin..].to_string());
    }
    string_list(parts)
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The error of Go's `regexp.Compile`.
/// `re.replace_all` (with `$name` expansion unless `literal`), refused as soon as the result
/// grows past what one call may return, so a replacement multiplying its input cannot
/// exhaust memory first.
fn replace_all_bounded(
    re: &Regex,
    src: &str,
    replacement: &str,
    literal: bool,
) -> Result<Value, FuncError> {
    let mut out = String::new();
    let mut last = 0;
    for captures in re.captures_iter(src) {
        let Some(whole) = captures.get(0) else {
            continue;
        };
        out.push_str(&src[last..whole.start()]);
        match literal {
            true => out.push_str(replacement),
            false => captures.expand(replacement, &mut out),
        }
        last = whole.end();
        check_built_bytes("regexReplaceAll", out.len() as u128)?;
    }
    out.push_str(&src[last..]);
    Ok(Value::str(out))
}

fn compile_must(pattern: &str) -> Result<Arc<Regex>, FuncError> {
    compile(pattern).map_err(FuncError::new)
}

/// The panic of Go's `regexp.MustCompile`.
fn compile_panics(pattern: &str) -> Result<Arc<Regex>, FuncError> {
    compile(pattern).map_err(|e| FuncError::new(format!("regexp: Compile(`{pattern}`): {e}")))
}

fn compile(pattern: &str) -> Result<Arc<Regex>, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().ignore_poison().get(pattern) {
        return Ok(re.clone());
    }
    let re = Arc::new(regexp::compile(pattern)?);
    let mut guard = cache.lock().ignore_poison();
    if guard.len() >= CACHE_LIMIT {
        guard.clear();
    }
    guard.insert(pattern.to_string(), re.clone());
    Ok(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(pattern: &str, s: &str, n: i64) -> Vec<String> {
        match find_all(&compile(pattern).unwrap(), s, n).unwrap() {
            Value::List(l) => l
                .items()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn finds_like_go() {
        assert_eq!(all("[2,4,6,8]", "123456789", -1), vec!["2", "4", "6", "8"]);
        assert_eq!(all("[2,4,6,8]", "123456789", 2), vec!["2", "4"]);
        assert_eq!(all("a*", "baaab", -1), vec!["", "aaa", ""]);
        assert_eq!(all("\\p{Greek}+", "abc αβγ def δ", -1), vec!["αβγ", "δ"]);
        assert_eq!(all("(?m)^\\w", "ab\ncd", -1), vec!["a", "c"]);
        assert!(compile("a(?=b)").is_err());
        assert!(!compile("a.b").unwrap().is_match("a\nb"));
        assert!(!compile("\\d").unwrap().is_match("٣"));
    }

    #[test]
    fn replaces_and_splits_like_go() {
        let re = compile("a(x*)b").unwrap();
        assert_eq!(re.replace_all("-ab-axxb-", "${1}W"), "-W-xxW-");
        assert_eq!(re.replace_all("-ab-axxb-", "$1W"), "---");
        assert_eq!(compile("o").unwrap().replace_all("foo", "$$"), "f$$");
        assert_eq!(compile("x*").unwrap().replace_all("abc", "-"), "-a-b-c-");
        let parts = |p: &str, s: &str, n: i64| match split(&compile(p).unwrap(), p, s, n) {
            Value::List(l) => l
                .items()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
            _ => Vec::<String>::new(),
        };
        assert_eq!(parts("z+", "pizza", -1), vec!["pi", "a"]);
        assert_eq!(parts("[,;]", "a,b;c,d", 2), vec!["a", "b;c,d"]);
        assert_eq!(parts("", "abc", -1), vec!["a", "b", "c"]);
    }

    #[test]
    fn quotes_metacharacters() {
        assert_eq!(quote_meta("1.2.3+[x]*?^$"), r"1\.2\.3\+\[x\]\*\?\^\$");
    }
}
