//! Go's `unicode/utf8` decoding of strings, which are bytes in Go: a byte that does not start
//! a valid UTF-8 sequence is one `RuneError` of width 1, so `range`, `utf8.RuneCount`,
//! `strings.Map` and `strconv.Quote` each see it as one rune of its own.

/// A Go string's runes as Go's `range` and `utf8.DecodeRune` read them: each byte that does
/// not start a valid UTF-8 sequence is one `Err(byte)` (Go's `RuneError` of width 1).
pub fn go_runes(bytes: &[u8]) -> impl Iterator<Item = Result<char, u8>> + '_ {
    let mut rest = bytes;
    let mut pending_invalid = 0usize;
    let mut valid = "".chars();
    std::iter::from_fn(move || loop {
        if let Some(c) = valid.next() {
            return Some(Ok(c));
        }
        if pending_invalid > 0 {
            pending_invalid -= 1;
            let (&b, tail) = rest.split_first()?;
            rest = tail;
            return Some(Err(b));
        }
        if rest.is_empty() {
            return None;
        }
        let (text, tail) = match std::str::from_utf8(rest) {
            Ok(text) => (text, &[][..]),
            Err(e) => {
                let (head, tail) = rest.split_at(e.valid_up_to());
                pending_invalid = e.error_len().unwrap_or(tail.len());
                // `head` is the valid prefix the error reports.
                (std::str::from_utf8(head).unwrap_or_default(), tail)
            }
        };
        valid = text.chars();
        rest = tail;
    })
}

/// A Go string's text with each invalid byte read as U+FFFD (what Go's rune-wise functions,
/// `strings.Map`, `ToUpper`, `range`, make of it); borrowed when the bytes are UTF-8.
pub fn go_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => go_runes(bytes)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_invalid_byte_is_one_rune() {
        // "日" and the first two bytes of "本" (a cut 3-byte sequence), then a lone 0xff.
        let runes: Vec<_> = go_runes(b"\xe6\x97\xa5\xe6\x97a\xff").collect();
        assert_eq!(runes, [Ok('日'), Err(0xe6), Err(0x97), Ok('a'), Err(0xff)]);
        assert_eq!(go_text(b"\xe6\x97\xa5\xe6\x97"), "日\u{fffd}\u{fffd}");
        assert!(matches!(go_text(b"ok"), std::borrow::Cow::Borrowed("ok")));
    }
}
