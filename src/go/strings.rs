//! Go's `strings` functions over byte strings (Go's strings are bytes, UTF-8 or not).

use super::utf8::go_runes;

/// Where `needle` first occurs in `haystack` (Go's `strings.Index` over bytes).
pub fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    match needle {
        [byte] => haystack.iter().position(|b| b == byte),
        _ => haystack.windows(needle.len()).position(|w| w == needle),
    }
}

/// The pieces of `s` between the non-overlapping occurrences of a non-empty `sep`.
pub fn split_bytes<'a>(s: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        match find_bytes(current, sep) {
            Some(at) => {
                rest = Some(&current[at + sep.len()..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Go's `strings.ReplaceAll` over bytes; an empty `old` puts `new` around every rune.
pub fn replace_bytes(src: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    if old.is_empty() {
        let mut out = new.to_vec();
        let mut at = 0;
        for rune in go_runes(src) {
            let width = rune.map_or(1, char::len_utf8);
            out.extend_from_slice(&src[at..at + width]);
            out.extend_from_slice(new);
            at += width;
        }
        return out;
    }
    let mut out = Vec::with_capacity(src.len());
    for (i, piece) in split_bytes(src, old).enumerate() {
        if i > 0 {
            out.extend_from_slice(new);
        }
        out.extend_from_slice(piece);
    }
    out
}

/// Go's `strings.TrimSpace` over a string's bytes (Unicode white space; an invalid byte is
/// not space).
pub fn trim_space(bytes: &[u8]) -> &[u8] {
    let mut start = None;
    let mut end = 0;
    let mut at = 0;
    for rune in go_runes(bytes) {
        let width = rune.map_or(1, char::len_utf8);
        if !rune.is_ok_and(char::is_whitespace) {
            start.get_or_insert(at);
            end = at + width;
        }
        at += width;
    }
    start.map_or(&[], |start| &bytes[start..end])
}
