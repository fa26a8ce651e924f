//! huandu/xstrings v1.5.0 (`convert.go`, `count.go`), the case conversions behind Sprig's
//! `camelcase`, `snakecase` and `kebabcase`. Both walk Go's runes: an invalid byte decodes as
//! `utf8.RuneError`, which xstrings cannot tell from a real U+FFFD, so both count as one.

use crate::go::unicode::{
    is_go_space, is_letter, is_number, is_punct, is_upper, to_lower, to_upper,
};
use crate::go::utf8::go_runes;
use std::ops::Range;

const RUNE_ERROR: char = char::REPLACEMENT_CHARACTER;

/// `_`, `-` and Go's white space join words.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_go_space(c)
}

/// xstrings' `isAlphabet`: a letter outside the common CJK blocks, which stand as words of
/// their own kind.
fn is_alphabet(c: char) -> bool {
    is_letter(c) && !matches!(c as u32, 0x4e00..=0x9fcc | 0x3400..=0x4d85 | 0x2_0000..=0x2_b81d)
}

/// A string's runes with the bytes each came from.
struct Runes<'a> {
    src: &'a [u8],
    runes: Vec<(char, Range<usize>)>,
}

impl<'a> Runes<'a> {
    fn new(src: &'a [u8]) -> Self {
        let mut at = 0;
        let runes = go_runes(src)
            .map(|r| {
                let (c, width) = match r {
                    Ok(c) => (c, c.len_utf8()),
                    Err(_) => (RUNE_ERROR, 1),
                };
                at += width;
                (c, at - width..at)
            })
            .collect();
        Runes { src, runes }
    }

    fn len(&self) -> usize {
        self.runes.len()
    }

    /// `nextValidRune`: the first rune from `at` that is not `RuneError` and how many runes
    /// it took to reach it; `prev` when only errors are left, all of them taken.
    fn next_valid(&self, at: usize, prev: char) -> (char, usize) {
        let rest = self.runes.get(at..).unwrap_or_default();
        match rest.iter().position(|(c, _)| *c != RUNE_ERROR) {
            Some(i) => (rest[i].0, i + 1),
            None => (prev, rest.len()),
        }
    }

    /// Extends a word ending at `end`, whose last rune is `last`, while `keep` holds.
    fn extend(&self, mut end: usize, mut last: char, keep: impl Fn(char) -> bool) -> usize {
        while end < self.len() {
            let (c, n) = self.next_valid(end, last);
            if !keep(c) {
                break;
            }
            end += n;
            last = c;
        }
        end
    }

    /// `nextWord`: the kind of the word starting at rune `start` and where it ends.
    fn next_word(&self, start: usize) -> (Kind, usize) {
        if start >= self.len() {
            return (Kind::Invalid, start);
        }
        let (r, n) = self.next_valid(start, RUNE_ERROR);
        let end = start + n;
        if r == RUNE_ERROR {
            return (Kind::Invalid, end);
        }
        if is_connector(r) {
            (Kind::Connector, self.extend(end, r, is_connector))
        } else if is_punct(r) {
            (Kind::Punct, self.extend(end, r, is_punct))
        } else if is_upper(r) {
            (Kind::Upper, self.upper_word_end(end, r))
        } else if is_alphabet(r) {
            let lower = |c| is_alphabet(c) && !is_upper(c);
            (Kind::Alphabet, self.extend(end, r, lower))
        } else if is_number(r) {
            (Kind::Number, self.extend(end, r, is_number))
        } else {
            let other = |c| !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c));
            (Kind::Other, self.extend(end, r, other))
        }
    }

    /// After a capital: a run of capitals, less the last one when a lower-case letter follows
    /// it (`HTTPServer` is `HTTP` and `Server`), or the capital with its lower-case letters.
    fn upper_word_end(&self, mut end: usize, first: char) -> usize {
        if end >= self.len() {
            return end;
        }
        let (r, n) = self.next_valid(end, first);
        if is_upper(r) {
            let (mut last, mut last_width) = (r, n);
            end += n;
            while end < self.len() {
                let (c, n) = self.next_valid(end, last);
                last = c;
                if !is_upper(c) {
                    break;
                }
                last_width = n;
                end += n;
            }
            if end < self.len() && is_alphabet(last) {
                end -= last_width;
            }
            end
        } else if is_alphabet(r) {
            self.extend(end + n, r, |c| is_alphabet(c) && !is_upper(c))
        } else {
            end
        }
    }

    fn bytes(&self, word: Range<usize>) -> &'a [u8] {
        match (self.runes.get(word.start), word.end.checked_sub(1)) {
            (Some(first), Some(last)) if word.start < word.end => {
                let to = self.runes.get(last).map_or(first.1.end, |r| r.1.end);
                self.src.get(first.1.start..to).unwrap_or_default()
            }
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Past the end, or nothing but invalid runes.
    Invalid,
    Number,
    Upper,
    /// Letters that are not capitals.
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `toLower`: capitals lowered and connectors replaced in capital and connector
/// words; any other word copied byte for byte.
fn push_lower(out: &mut Vec<u8>, runes: &Runes<'_>, kind: Kind, word: Range<usize>, joint: char) {
    if kind != Kind::Upper && kind != Kind::Connector {
        out.extend_from_slice(runes.bytes(word));
        return;
    }
    let mut buf = [0; 4];
    for (c, _) in runes.runes.get(word).unwrap_or_default() {
        let c = if is_connector(*c) {
            joint
        } else if is_upper(*c) {
            to_lower(*c)
        } else {
            *c
        };
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// `ToSnakeCase` (`joint` `_`) and `ToKebabCase` (`-`): words lowered and joined by `joint`.
/// A number stays with the word before it (`Bld4Floor` → `bld4_floor`) unless letters follow
/// it (`http2xx` → `http_2xx`); punctuation and connectors get no joint next to them.
pub(super) fn to_delimited_case(src: &[u8], joint: char) -> Vec<u8> {
    let runes = Runes::new(src);
    let mut out = Vec::with_capacity(src.len());
    let mut buf = [0; 4];
    let joint_bytes = joint.encode_utf8(&mut buf).as_bytes().to_vec();
    let (mut kind, mut end) = runes.next_word(0);
    let mut start = 0;
    // Takes the next word into (kind, start, end).
    macro_rules! advance {
        () => {{
            start = end;
            (kind, end) = runes.next_word(start);
        }};
    }
    // The letters and numbers from the current word on, then a joint unless the text ends or
    // punctuation or a connector comes next.
    macro_rules! letters_and_numbers {
        () => {{
            while kind == Kind::Alphabet || kind == Kind::Number {
                push_lower(&mut out, &runes, kind, start..end, joint);
                advance!();
            }
            if !matches!(kind, Kind::Invalid | Kind::Punct | Kind::Connector) {
                out.extend_from_slice(&joint_bytes);
            }
        }};
    }
    while end < runes.len() {
        if kind != Kind::Connector {
            push_lower(&mut out, &runes, kind, start..end, joint);
        }
        let (prev, last) = (kind, start..end);
        advance!();
        match prev {
            Kind::Number => letters_and_numbers!(),
            Kind::Connector => push_lower(&mut out, &runes, prev, last, joint),
            Kind::Punct => {}
            _ if kind != Kind::Number => {
                if kind != Kind::Connector && kind != Kind::Punct {
                    out.extend_from_slice(&joint_bytes);
                }
            }
            _ if end >= runes.len() => {}
            _ => {
                let number = start..end;
                advance!();
                if kind == Kind::Alphabet {
                    out.extend_from_slice(&joint_bytes);
                    push_lower(&mut out, &runes, Kind::Number, number, joint);
                    letters_and_numbers!();
                } else {
                    push_lower(&mut out, &runes, Kind::Number, number, joint);
                    if kind != Kind::Connector && kind != Kind::Punct {
                        out.extend_from_slice(&joint_bytes);
                    }
                }
            }
        }
    }
    push_lower(&mut out, &runes, kind, start..end, joint);
    out
}

/// `ToCamelCase`: connectors dropped and the rune after each upper-cased. A word that starts
/// with a capital has the capitals right after it lowered (`HTTPServer` → `Httpserver`,
/// `NoHTTPS` stays); other runes stay as they are. Leading connectors stay, a connector before
/// another one stays, and a text of connectors alone gets its last one twice (`_` → `__`).
pub(super) fn to_camel_case(src: &[u8]) -> String {
    let runes: Vec<char> = Runes::new(src).runes.into_iter().map(|r| r.0).collect();
    let mut out = String::with_capacity(src.len());
    let Some(lead) = runes.iter().position(|c| !is_connector(*c)) else {
        out.extend(runes.iter());
        out.extend(runes.last());
        return out;
    };
    out.extend(&runes[..lead]);
    // Whether the capitals that follow are lowered: the word began with a capital and only
    // capitals have come since.
    let mut lowering = is_upper(runes[lead]);
    let mut r0 = to_upper(runes[lead]);
    for &c in &runes[lead + 1..] {
        let r1 = r0;
        r0 = c;
        if !is_connector(r1) {
            out.push(r1);
            if lowering && is_upper(r0) {
                r0 = to_lower(r0);
            } else {
                lowering = false;
            }
        } else if is_connector(r0) {
            out.push(r1);
        } else {
            lowering = is_upper(r0);
            r0 = to_upper(r0);
        }
    }
    out.push(r0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snake(s: &str) -> String {
        String::from_utf8_lossy(&to_delimited_case(s.as_bytes(), '_')).into_owned()
    }

    /// Expected values are helm v4.1.4's `snakecase`, `kebabcase` and `camelcase` output.
    #[test]
    fn snake_and_kebab_case_as_xstrings() {
        let cases = [
            ("", ""),
            ("_", "_"),
            ("-", "_"),
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("userID2", "user_id2"),
            ("a1b2C3", "a_1b2_c3"),
            ("k8sAPI", "k_8s_api"),
            ("C3PO", "c3_po"),
            ("get2HTTPResponse", "get2_http_response"),
            ("12ab34CD", "12ab34_cd"),
            ("a\tb", "a_b"),
            ("  spaced  out ", "__spaced__out_"),
            ("foo.Bar", "foo.bar"),
            ("ǅemal", "ǅemal"),
            ("ÜberÉcole", "über_école"),
            ("emoji😀case", "emoji_😀_case"),
            ("a😀B", "a_😀_b"),
            ("$var", "$_var"),
            ("a$b", "a_$_b"),
        ];
        for (input, want) in cases {
            assert_eq!(snake(input), want, "{input:?}");
        }
        let kebab = to_delimited_case(b"HTTP20xOK a$b", '-');
        assert_eq!(kebab, b"http-20x-ok-a-$-b");
    }

    #[test]
    fn invalid_bytes_are_copied_or_written_as_rune_error() {
        // helm v4.1.4: a word copied whole keeps its bytes; one rewritten rune by rune (capitals,
        // connectors, and all of camelcase) gets U+FFFD for each invalid byte.
        assert_eq!(to_delimited_case(b"a\xffb", '_'), b"a\xffb");
        assert_eq!(to_delimited_case(b"1\xffa", '_'), b"1\xffa");
        assert_eq!(to_delimited_case(b"\xff\xfe", '-'), b"\xff\xfe");
        assert_eq!(
            to_delimited_case(b"ab\xffCd", '_'),
            "ab_\u{fffd}cd".as_bytes()
        );
        assert_eq!(
            to_delimited_case(b"AB\xffCD", '_'),
            "ab\u{fffd}cd".as_bytes()
        );
        assert_eq!(to_camel_case(b"a_\xffb"), "A\u{fffd}b");
    }

    #[test]
    fn camel_case_as_xstrings() {
        let cases = [
            ("", ""),
            ("_", "__"),
            ("-", "--"),
            ("   ", "    "),
            ("a", "A"),
            ("_a", "_A"),
            ("a__b", "A_B"),
            ("ab_", "Ab_"),
            ("_complex__case_", "_Complex_Case_"),
            ("http_server", "HttpServer"),
            ("HTTPServer", "Httpserver"),
            ("NoHTTPS", "NoHTTPS"),
            ("HTTP20xOK", "Http20xOK"),
            ("userID", "UserID"),
            ("aB_CD", "ABCd"),
            ("x-YZ-abc", "XYzAbc"),
            ("ABC  DEF", "Abc Def"),
            ("1ABC", "1ABC"),
            ("a\tb", "AB"),
            ("FOO.BAR", "Foo.BAR"),
            ("ΟΔΟΣ_x", "ΟδοσX"),
            ("ǅAB", "ǄAB"),
            ("AǅB", "AǅB"),
            ("ǅemal", "Ǆemal"),
            ("über_cool", "ÜberCool"),
        ];
        for (input, want) in cases {
            assert_eq!(to_camel_case(input.as_bytes()), want, "{input:?}");
        }
    }
}
