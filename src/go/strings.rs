//! Go's `strings` functions over byte strings (Go's strings are bytes, UTF-8 or not).

use super::utf8::go_runes;

/// Where `needle` first occurs in `haystack` (Go's `strings.Index` over bytes).
pub fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
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
/// not space). Reads only the runes it trims and the first one it keeps at each end.
pub fn trim_space(bytes: &[u8]) -> &[u8] {
    let start = bytes.len()
        - go_runes(bytes)
            .take_while(|rune| rune.is_ok_and(char::is_whitespace))
            .fold(bytes.len(), |left, rune| {
                left - rune.map_or(1, char::len_utf8)
            });
    let mut end = bytes.len();
    while end > start {
        // The last rune starts at the last byte that is not a continuation byte (of at most 4).
        let from = (start..end)
            .rev()
            .take(4)
            .find(|&i| bytes[i] & 0xC0 != 0x80)
            .unwrap_or(end - 1);
        match std::str::from_utf8(&bytes[from..end]) {
            Ok(last) if last.chars().all(char::is_whitespace) => end = from,
            _ => break,
        }
    }
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_unicode_space_but_not_invalid_bytes() {
        assert_eq!(trim_space(b" \t\xc2\xa0a b\xe3\x80\x80\n "), b"a b");
        assert_eq!(trim_space(b"\n\xe6\x97 x \xa0\n"), b"\xe6\x97 x \xa0");
        assert_eq!(trim_space(" \u{3000} ".as_bytes()), b"");
        assert_eq!(trim_space(b""), b"");
    }

    #[test]
    fn replaces_bytes_as_go_replace_all() {
        assert_eq!(replace_bytes(b"a\xffb\xff", b"\xff", b"--"), b"a--b--");
        assert_eq!(
            replace_bytes(b"a\xff\xc3\xa9", b"", b"|"),
            b"|a|\xff|\xc3\xa9|"
        );
    }

    #[test]
    fn finds_bytes_as_go_index() {
        // strings.Index: the first occurrence, 0 for an empty needle, -1 (None) when absent.
        assert_eq!(find_bytes(b"abc", b"c"), Some(2));
        assert_eq!(find_bytes(b"xaaaa", b"aaa"), Some(1));
        assert_eq!(find_bytes(b"abc", b""), Some(0));
        assert_eq!(find_bytes(b"", b""), Some(0));
        assert_eq!(find_bytes(b"ab", b"abc"), None);
        assert_eq!(find_bytes(b"a\xff\n---b", b"\n---"), Some(2));
        let long = [b"x".repeat(5000), b"needle".to_vec()].concat();
        assert_eq!(find_bytes(&long, b"needle"), Some(5000));
    }

    #[test]
    fn splits_bytes_as_go_split() {
        assert_eq!(
            split_bytes(b"a\nb\n", b"\n").collect::<Vec<_>>(),
            [&b"a"[..], b"b", b""]
        );
    }
}
