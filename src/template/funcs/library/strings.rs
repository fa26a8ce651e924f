//! Sprig's string functions. Go strings are byte strings: `trunc`, `substr` and `abbrev` cut at
//! byte offsets and `nospace` walks bytes; case mapping is Go's rune-by-rune simple mapping.

use super::super::{CallCtx, FuncMap, Param};
use super::xstrings::{to_camel_case, to_delimited_case};
use super::{check_built_bytes, strval, strval_text, too_large, MAX_BUILT_ITEMS};
use crate::go::strconv::quote_bytes;
use crate::go::strings::{find_bytes, replace_bytes, split_bytes};
use crate::go::unicode::{is_go_space, to_lower, to_upper};
use crate::template::fmt::format_value_bytes;
use crate::template::value::go_runes;
use crate::template::value::{Entries, FuncError, Key, List, ListType, Map, MapType, Value};
use std::sync::Arc;

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Int, Str};
    map.add("trim", &[Str], None, |_, a| {
        Ok(Value::str(
            a[0].as_str().unwrap_or("").trim_matches(is_go_space),
        ))
    });
    map.add("trimAll", &[Str, Str], None, trim_all);
    map.add("trimall", &[Str, Str], None, trim_all);
    map.add("trimPrefix", &[Str, Str], None, |_, a| {
        Ok(match bytes(&a[1]).strip_prefix(bytes(&a[0])) {
            Some(rest) => Value::go_substring(rest),
            None => a[1].clone(),
        })
    });
    map.add("trimSuffix", &[Str, Str], None, |_, a| {
        Ok(match bytes(&a[1]).strip_suffix(bytes(&a[0])) {
            Some(rest) => Value::go_substring(rest),
            None => a[1].clone(),
        })
    });
    map.add("upper", &[Str], None, |_, a| {
        Ok(Value::str(
            text(&a[0]).chars().map(to_upper).collect::<String>(),
        ))
    });
    map.add("lower", &[Str], None, |_, a| {
        Ok(Value::str(
            text(&a[0]).chars().map(to_lower).collect::<String>(),
        ))
    });
    map.add("title", &[Str], None, |_, a| {
        Ok(Value::str(title(text(&a[0]))))
    });
    map.add("untitle", &[Str], None, |_, a| {
        Ok(Value::str(untitle(text(&a[0]))))
    });
    map.add("swapcase", &[Str], None, |_, a| {
        Ok(Value::str(swapcase(text(&a[0]))))
    });
    map.add("repeat", &[Int, Str], None, repeat);
    map.add("substr", &[Int, Int, Str], None, substr);
    map.add("trunc", &[Int, Str], None, trunc);
    map.add("nospace", &[Str], None, |_, a| {
        Ok(Value::str(nospace(text(&a[0]))))
    });
    map.add("abbrev", &[Int, Str], None, |_, a| {
        let width = int(&a[0]);
        Ok(if width < 4 {
            a[1].clone()
        } else {
            Value::go_string(abbreviate(bytes(&a[1]), 0, width))
        })
    });
    map.add("abbrevboth", &[Int, Int, Str], None, |_, a| {
        let (left, right) = (int(&a[0]), int(&a[1]));
        let keep = right < 4 || (left > 0 && right < 7);
        Ok(if keep {
            a[2].clone()
        } else {
            Value::go_string(abbreviate(bytes(&a[2]), left, right))
        })
    });
    map.add("initials", &[Str], None, |_, a| {
        let initials: String = text(&a[0])
            .split(is_go_space)
            .filter_map(|w| w.chars().next())
            .collect();
        Ok(Value::str(initials))
    });
    map.add("wrap", &[Int, Str], None, |_, a| {
        Ok(Value::go_string(wrap(
            bytes(&a[1]),
            int(&a[0]),
            b"\n",
            false,
        )))
    });
    map.add("wrapWith", &[Int, Str, Str], None, |_, a| {
        Ok(Value::go_string(wrap(
            bytes(&a[2]),
            int(&a[0]),
            bytes(&a[1]),
            true,
        )))
    });
    map.add("contains", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(
            find_bytes(bytes(&a[1]), bytes(&a[0])).is_some(),
        ))
    });
    map.add("hasPrefix", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(bytes(&a[1]).starts_with(bytes(&a[0]))))
    });
    map.add("hasSuffix", &[Str, Str], None, |_, a| {
        Ok(Value::Bool(bytes(&a[1]).ends_with(bytes(&a[0]))))
    });
    map.add("quote", &[], Some(Any), |_, a| {
        let quoted = bounded_texts(
            "quote",
            a.iter()
                .filter(|v| !v.is_nil())
                .map(|v| quote_bytes(strval(v).string_bytes().unwrap_or_default(), false)),
        )?;
        Ok(Value::str(quoted.join(" ")))
    });
    map.add("squote", &[], Some(Any), |_, a| {
        let quoted = bounded_texts(
            "squote",
            a.iter()
                .filter(|v| !v.is_nil())
                .map(|v| [&b"'"[..], &format_value_bytes(v), b"'"].concat()),
        )?;
        Ok(Value::go_string(quoted.join(&b' ')))
    });
    map.add("cat", &[], Some(Any), |_, a| {
        let parts = bounded_texts(
            "cat",
            a.iter().filter(|v| !v.is_nil()).map(format_value_bytes),
        )?;
        Ok(Value::go_string(parts.join(&b' ')))
    });
    map.add("indent", &[Int, Str], None, |_, a| {
        indent(int(&a[0]), bytes(&a[1]), b"").map(Value::go_string)
    });
    map.add("nindent", &[Int, Str], None, |_, a| {
        indent(int(&a[0]), bytes(&a[1]), b"\n").map(Value::go_string)
    });
    map.add("replace", &[Str, Str, Str], None, |_, a| {
        let (old, new, src) = (bytes(&a[0]), bytes(&a[1]), bytes(&a[2]));
        // Go's Replace with an empty `old` inserts `new` around every rune.
        let count = match old.is_empty() {
            true => go_runes(src).count() + 1,
            false => split_bytes(src, old).count() - 1,
        };
        let size = src.len() as u128 + count as u128 * new.len() as u128;
        check_built_bytes("replace", size)?;
        Ok(Value::go_string(replace_bytes(src, old, new)))
    });
    map.add("plural", &[Str, Str, Int], None, |_, a| {
        Ok(if int(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    map.add("snakecase", &[Str], None, |_, a| {
        Ok(Value::go_string(to_delimited_case(bytes(&a[0]), '_')))
    });
    map.add("kebabcase", &[Str], None, |_, a| {
        Ok(Value::go_string(to_delimited_case(bytes(&a[0]), '-')))
    });
    map.add("camelcase", &[Str], None, |_, a| {
        Ok(Value::str(to_camel_case(bytes(&a[0]))))
    });
    map.add("toString", &[Any], None, |_, a| Ok(strval(&a[0])));
    map.add("toStrings", &[Any], None, |_, a| {
        Ok(string_list(strslice("toStrings", &a[0])?))
    });
    map.add("split", &[Str, Str], None, |_, a| {
        Ok(indexed_map(text(&a[1]).split_go(text(&a[0]), -1)))
    });
    map.add("splitn", &[Str, Int, Str], None, |_, a| {
        Ok(indexed_map(text(&a[2]).split_go(text(&a[0]), int(&a[1]))))
    });
    map.add("splitList", &[Str, Str], None, |_, a| {
        Ok(string_list(text(&a[1]).split_go(text(&a[0]), -1)))
    });
    map.add("join", &[Str, Any], None, |_, a| {
        let (separator, items) = (text(&a[0]), strslice("join", &a[1])?);
        let size = items.iter().map(|i| i.len() as u128).sum::<u128>()
            + separator.len() as u128 * items.len().saturating_sub(1) as u128;
        check_built_bytes("join", size)?;
        Ok(Value::str(items.join(separator)))
    });
    map.add("sortAlpha", &[Any], None, |_, a| {
        let mut items = match a[0].clone().collection_view() {
            list @ (Value::List(_) | Value::Bytes(_)) => strslice("sortAlpha", &list)?,
            other => vec![strval_text(&other)],
        };
        items.sort();
        Ok(string_list(items))
    });
    map.add("hello", &[], None, |_, _| Ok(Value::str("Hello!")));
}

/// A string argument's text (an invalid byte reads as U+FFFD, as Go's rune-wise functions
/// read it).
fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A string argument's bytes, for the functions that cut, compare or copy bytes.
fn bytes(v: &Value) -> &[u8] {
    v.string_bytes().unwrap_or_default()
}

fn int(v: &Value) -> i64 {
    v.as_int().unwrap_or(0)
}

fn trim_all(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let (cutset, s) = (text(&a[0]), text(&a[1]));
    Ok(Value::str(s.trim_matches(|c| cutset.contains(c))))
}

/// Go's `unicode.ToTitle`: like upper case except for the four Latin digraphs.
fn to_title(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        c => to_upper(c),
    }
}

fn is_title_case(c: char) -> bool {
    matches!(
        c,
        'ǅ' | 'ǈ' | 'ǋ' | 'ǲ' | '\u{1fbc}' | '\u{1fcc}' | '\u{1ffc}'
    ) || matches!(c as u32, 0x1f88..=0x1f8f | 0x1f98..=0x1f9f | 0x1fa8..=0x1faf)
}

/// Go's deprecated `strings.Title`: title-case the first letter of every word.
fn title(s: &str) -> String {
    let is_separator = |c: char| -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        is_go_space(c)
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-case the first letter of every whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`.
fn swapcase(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                whitespace = false;
                to_lower(c)
            } else if c.is_lowercase() {
                if whitespace {
                    whitespace = false;
                    to_title(c)
                } else {
                    to_upper(c)
                }
            } else {
                whitespace = is_go_space(c);
                c
            }
        })
        .collect()
}

fn repeat(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let (count, s) = (int(&a[0]), text(&a[1]));
    if count < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    if (count as u128) * (s.len() as u128) > MAX_BUILT_ITEMS as u128 {
        return Err(too_large("repeat"));
    }
    Ok(Value::str(s.repeat(count as usize)))
}

fn substr(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let (start, end, s) = (int(&a[0]), int(&a[1]), bytes(&a[2]));
    let len = s.len() as i64;
    let out_of_range =
        |msg: String| FuncError::new(format!("runtime error: slice bounds out of range {msg}"));
    if start < 0 {
        if end < 0 || end > len {
            return Err(out_of_range(format!("[:{end}] with length {len}")));
        }
        return Ok(Value::go_substring(&s[..end as usize]));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(out_of_range(format!("[{start}:{len}]")));
        }
        return Ok(Value::go_substring(&s[start as usize..]));
    }
    if start > end {
        return Err(out_of_range(format!("[{start}:{end}]")));
    }
    Ok(Value::go_substring(&s[start as usize..end as usize]))
}

fn trunc(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let (c, s) = (int(&a[0]), bytes(&a[1]));
    let len = s.len() as i64;
    Ok(if c < 0 && len + c > 0 {
        Value::go_substring(&s[(len + c) as usize..])
    } else if c >= 0 && len > c {
        Value::go_substring(&s[..c as usize])
    } else {
        a[1].clone()
    })
}

/// goutils `DeleteWhiteSpace`, which walks bytes as if each were a Latin-1 rune: multi-byte
/// characters come out re-encoded byte by byte, and bytes that are Latin-1 spaces vanish.
fn nospace(s: &str) -> String {
    let is_latin1_space =
        |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0);
    if !s.bytes().any(is_latin1_space) {
        return s.to_string();
    }
    s.bytes()
        .filter(|&b| !is_latin1_space(b))
        .map(char::from)
        .collect()
}

/// goutils `AbbreviateFull` (byte offsets).
fn abbreviate(s: &[u8], offset: i64, max_width: i64) -> Vec<u8> {
    let len = s.len() as i64;
    if s.is_empty() || len <= max_width {
        return s.to_vec();
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return [&s[..(max_width - 3) as usize], b"..."].concat();
    }
    if max_width < 7 {
        return s.to_vec();
    }
    if offset + max_width - 3 < len {
        let tail = abbreviate(&s[offset as usize..], 0, max_width - 3);
        return [&b"..."[..], &tail].concat();
    }
    [&b"..."[..], &s[(len - (max_width - 3)) as usize..]].concat()
}

/// goutils `WrapCustom` (byte offsets).
fn wrap(b: &[u8], width: i64, newline: &[u8], wrap_long_words: bool) -> Vec<u8> {
    if b.is_empty() {
        return Vec::new();
    }
    let newline = if newline.is_empty() { b"\n" } else { newline };
    let width = width.max(1) as usize;
    let len = b.len();
    let mut offset = 0;
    let mut out = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end]
            .iter()
            .rposition(|&c| c == b' ')
            .map(|i| i + offset);
        match space {
            Some(at) => {
                out.extend_from_slice(&b[offset..at]);
                out.extend_from_slice(newline);
                offset = at + 1;
            }
            None if wrap_long_words => {
                out.extend_from_slice(&b[offset..width + offset]);
                out.extend_from_slice(newline);
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..len]);
                        offset = len;
                    }
                    Some(i) => {
                        out.extend_from_slice(&b[offset..i + end]);
                        out.extend_from_slice(newline);
                        offset = i + end + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..len]);
    out
}

/// Sprig's `indent` (`nindent` puts `head`, a newline, first), over a string's bytes.
fn indent(spaces: i64, s: &[u8], head: &[u8]) -> Result<Vec<u8>, FuncError> {
    if spaces < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    let lines = s.iter().filter(|&&b| b == b'\n').count() + 1;
    if (spaces as u128) * (lines as u128) + s.len() as u128 > MAX_BUILT_ITEMS as u128 {
        return Err(too_large("indent"));
    }
    let pad = vec![b' '; spaces as usize];
    let newline_pad = [&b"\n"[..], &pad].concat();
    Ok([head, &pad, &replace_bytes(s, b"\n", &newline_pad)].concat())
}

/// Go's `strings.SplitN` (`n < 0` means all; an empty separator splits into characters).
trait SplitGo {
    fn split_go(&self, sep: &str, n: i64) -> Vec<String>;
}

impl SplitGo for str {
    fn split_go(&self, sep: &str, n: i64) -> Vec<String> {
        if n == 0 {
            return Vec::new();
        }
        if sep.is_empty() {
            let chars: Vec<String> = self.chars().map(String::from).collect();
            if n > 0 && (n as usize) < chars.len() {
                let head: Vec<String> = chars[..n as usize - 1].to_vec();
                let rest: String = chars[n as usize - 1..].concat();
                return head.into_iter().chain(std::iter::once(rest)).collect();
            }
            return chars;
        }
        if n < 0 {
            self.split(sep).map(String::from).collect()
        } else {
            self.splitn(n as usize, sep).map(String::from).collect()
        }
    }
}

/// Sprig's `split`/`splitn` result: `map[string]string` keyed `_0`, `_1`, …
fn indexed_map(parts: Vec<String>) -> Value {
    let entries: Entries = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (Key::from(format!("_{i}")), Value::str(p)))
        .collect();
    Value::Map(Map::new(entries).with_type(MapType::Strings))
}

/// A `[]string` of the items (shared strings, such as map keys, are not copied).
pub(crate) fn string_list(items: impl IntoIterator<Item = impl Into<Arc<str>>>) -> Value {
    Value::List(List::new(
        ListType::Str,
        items.into_iter().map(Value::str).collect(),
    ))
}

/// Sprig's `strslice`: a list's non-nil items as strings, a non-list as a one-item list;
/// refused (for `what`) once the strings add up past what one call may return.
fn strslice(what: &str, v: &Value) -> Result<Vec<String>, FuncError> {
    Ok(match &v.clone().collection_view() {
        Value::List(list) => bounded_texts(
            what,
            list.items().iter().filter(|i| !i.is_nil()).map(strval_text),
        )?,
        Value::Bytes(bytes) => bytes.iter().map(|b| b.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval_text(other)],
    })
}

/// The texts made of a call's items, refused (for `what`) once they add up past what one
/// call may return: each text is bounded by itself, but a list may hold one huge value
/// (or one value sharing itself) many times over.
fn bounded_texts<T: AsRef<[u8]>>(
    what: &str,
    texts: impl Iterator<Item = T>,
) -> Result<Vec<T>, FuncError> {
    let mut total = 0u128;
    texts
        .map(|t| {
            total += t.as_ref().len() as u128;
            check_built_bytes(what, total).map(|()| t)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_like_go() {
        assert_eq!("straße".chars().map(to_upper).collect::<String>(), "STRAßE");
        assert_eq!(
            "ñandú ǆ ﬁ".chars().map(to_upper).collect::<String>(),
            "ÑANDÚ Ǆ ﬁ"
        );
        assert_eq!(
            "İSTANBUL".chars().map(to_lower).collect::<String>(),
            "istanbul"
        );
        assert_eq!("ΟΔΟΣ".chars().map(to_lower).collect::<String>(), "οδοσ");
        assert_eq!(
            title("hello-world foo_bar o'neil x.y 3rd"),
            "Hello-World Foo_bar O'Neil X.Y 3rd"
        );
        assert_eq!(title("élan ǆemal"), "Élan ǅemal");
        assert_eq!(title("hELLO wORLD"), "HELLO WORLD");
        assert_eq!(untitle("HELLO"), "hELLO");
        assert_eq!(swapcase("This Is A.Test 123 abc"), "tHIS iS a.tEST 123 ABC");
        assert_eq!(swapcase("Ärger über ǅ"), "äRGER ÜBER ǆ");
    }

    #[test]
    fn byte_oriented_functions() {
        assert_eq!(nospace(" a b\tc\nd "), "abcd");
        assert_eq!(nospace("a\u{a0}b\u{3000}c"), "aÂbã\u{80}\u{80}c");
        assert_eq!(nospace("é ü"), "Ã©Ã¼");
        assert_eq!(abbreviate(b"hello world", 0, 5), b"he...");
        assert_eq!(abbreviate(b"1234 5678 9123", 5, 10), b"...5678...");
        assert_eq!(abbreviate(b"abcdefghijkl", 0, 7), b"abcd...");
        assert_eq!(abbreviate(b"abcdefghijklmnop", 10, 7), b"...k...");
    }

    #[test]
    fn wraps_like_goutils() {
        let w = |s: &str, width, newline: &str, long| {
            String::from_utf8(wrap(s.as_bytes(), width, newline.as_bytes(), long)).unwrap()
        };
        assert_eq!(w("Hello World", 5, "\n", false), "Hello\nWorld");
        assert_eq!(w("abcdefgh ij", 3, "\n", false), "abcdefgh\nij");
        assert_eq!(
            w(
                "the quick brown fox jumps over the lazy dog",
                10,
                "\n",
                false
            ),
            "the quick\nbrown fox\njumps over\nthe lazy\ndog"
        );
        assert_eq!(w("abcdefghij kl", 4, "|", true), "abcd|efgh|ij|kl");
        assert_eq!(w("a b c", 0, "\n", false), "a\nb\nc");
    }

    #[test]
    fn splits_like_go() {
        assert_eq!("a,b,,c".split_go(",", -1), vec!["a", "b", "", "c"]);
        assert_eq!("".split_go(",", -1), vec![""]);
        assert_eq!("héllo".split_go("", -1), vec!["h", "é", "l", "l", "o"]);
        assert_eq!("foo$bar$baz".split_go("$", 2), vec!["foo", "bar$baz"]);
        assert!("foo$bar".split_go("$", 0).is_empty());
    }
}
