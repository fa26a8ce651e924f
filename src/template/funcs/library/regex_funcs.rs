//! Sprig's regular expressions. Go uses RE2; the `regex` crate implements the same semantics,
//! and [`crate::go::regexp`] reads Go's syntax for it. Plain forms fail on a bad pattern too (Sprig calls
//! `regexp.MustCompile`), except `regexMatch`, which returns false.

use super::super::{FuncMap, Param};
use super::check_built_bytes;
use super::strings::string_list;
use crate::go::regexp::{self, Regex};
use crate::poison::IgnorePoison;
use crate::template::value::{FuncError, List, ListType, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What the compiled patterns a process caches may hold together (charts call the same few
/// in loops, so a few dozen fit): each pattern's text, its compiled automata and the lazy DFA
/// table its search cache can grow to.
const CACHE_BYTES: usize = 16 << 20;

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
    Ok(Value::str(re.find(s).map_or("", |m| &s[m.range()])))
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
        let Some(whole) = captures.get_group(0) else {
            continue;
        };
        out.push_str(&src[last..whole.start]);
        match literal {
            true => out.push_str(replacement),
            false => captures.interpolate_string_into(src, replacement, &mut out),
        }
        last = whole.end;
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
    static CACHE: OnceLock<Mutex<PatternCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((re, _)) = cache.lock().ignore_poison().entries.get(pattern) {
        return Ok(re.clone());
    }
    let re = Arc::new(regexp::compile(pattern)?);
    cache
        .lock()
        .ignore_poison()
        .insert(pattern, re.clone(), CACHE_BYTES);
    Ok(re)
}

/// Compiled patterns by their text, with the bytes each holds.
#[derive(Default)]
struct PatternCache {
    entries: HashMap<String, (Arc<Regex>, usize)>,
    /// Sum of the entries' bytes.
    bytes: usize,
}

impl PatternCache {
    /// Keeps `re`, emptying the cache first when it would pass `budget`; a pattern larger
    /// than the whole budget is not kept, nor one kept already.
    fn insert(&mut self, pattern: &str, re: Arc<Regex>, budget: usize) {
        let bytes = pattern.len() + re.memory_usage() + regexp::LAZY_DFA_CAPACITY;
        // Two threads may both have compiled it.
        if bytes > budget || self.entries.contains_key(pattern) {
            return;
        }
        if self.bytes + bytes > budget {
            self.entries.clear();
            self.bytes = 0;
        }
        self.entries.insert(pattern.to_string(), (re, bytes));
        self.bytes += bytes;
    }
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
        let replace = |p: &str, s: &str, r: &str, literal: bool| {
            let out = replace_all_bounded(&compile(p).unwrap(), s, r, literal).unwrap();
            out.as_str().unwrap().to_string()
        };
        assert_eq!(replace("a(x*)b", "-ab-axxb-", "${1}W", false), "-W-xxW-");
        assert_eq!(replace("a(x*)b", "-ab-axxb-", "$1W", false), "---");
        assert_eq!(replace("a(x*)b", "-ab-axxb-", "$1W", true), "-$1W-$1W-");
        assert_eq!(replace("o", "foo", "$$", false), "f$$");
        assert_eq!(replace("x*", "abc", "-", false), "-a-b-c-");
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

    /// The cache holds what its budget allows: it empties before passing it, keeps a pattern
    /// seen again once, and keeps none larger than the whole budget.
    #[test]
    fn the_pattern_cache_stays_within_its_byte_budget() {
        let patterns: Vec<String> = (0..6).map(|i| format!("a{i}(b+)c")).collect();
        let compiled: Vec<_> = patterns
            .iter()
            .map(|p| Arc::new(regexp::compile(p).unwrap()))
            .collect();
        let bytes: Vec<usize> = patterns
            .iter()
            .zip(&compiled)
            .map(|(p, re)| p.len() + re.memory_usage() + regexp::LAZY_DFA_CAPACITY)
            .collect();
        let four: usize = bytes[..4].iter().sum();
        // Room for the first four and not a fifth.
        let budget = four + bytes[4] / 2;
        let mut cache = PatternCache::default();
        for (pattern, re) in patterns.iter().zip(&compiled).take(4) {
            cache.insert(pattern, re.clone(), budget);
            cache.insert(pattern, re.clone(), budget);
        }
        assert_eq!((cache.entries.len(), cache.bytes), (4, four));
        cache.insert(&patterns[4], compiled[4].clone(), budget);
        assert_eq!(cache.entries.len(), 1);
        assert!(cache.entries.contains_key(&patterns[4]));
        assert_eq!(cache.bytes, bytes[4]);
        cache.insert(&patterns[5], compiled[5].clone(), bytes[5] - 1);
        assert!(!cache.entries.contains_key(&patterns[5]));
    }

    /// A pattern's compiled size counts: a large Unicode class repeated takes megabytes.
    #[test]
    fn compiled_patterns_report_the_memory_they_hold() {
        let small = regexp::compile("a+b").unwrap().memory_usage();
        let large = regexp::compile(r"\pL{100}").unwrap().memory_usage();
        assert!(large > 100 * small, "{small} vs {large}");
        assert!(large <= 10 << 20);
        assert_eq!(
            regexp::compile(r"\pL{1000}").unwrap_err(),
            r"error parsing regexp: expression too large: `\pL{1000}`"
        );
    }

    #[test]
    fn quotes_metacharacters() {
        assert_eq!(quote_meta("1.2.3+[x]*?^$"), r"1\.2\.3\+\[x\]\*\?\^\$");
    }
}
