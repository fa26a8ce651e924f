//! Block YAML output as go-yaml's encoder writes data decoded from JSON: Helm's `toYaml`
//! (sigs.k8s.io/yaml over go-yaml v2), `toYamlPretty` (go-yaml v3, 2-space indent) and
//! kustomize's resource printer (sigs.k8s.io/yaml again).
//!
//! Map keys are written in go-yaml's "natural" order; strings are plain unless a plain spelling
//! would read back as another type (then double-quoted) or they hold a line break (then literal
//! blocks); libyaml's emitter may still quote a scalar it cannot write plain; plain and quoted
//! scalars fold at a space past column 80.

use std::borrow::Cow;
use std::cmp::Ordering;

/// A document to write, as it comes out of JSON. Its strings and keys borrow the document
/// it is made from: writing it copies no text but the output.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// A non-string scalar already spelled as go-yaml spells it (`null`, `true`, `1e+20`).
    Plain(Cow<'a, str>),
    /// A string; go-yaml's encoder picks its style.
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// A map's entries, written sorted by key in go-yaml's natural order.
    Map(Vec<(&'a str, Node<'a>)>),
}

/// Where a sequence that is a mapping value starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceIndent {
    /// go-yaml v2: `key:\n- item` (the sequence sits at its key's column).
    Indentless,
    /// go-yaml v3 with `SetIndent(2)`: `key:\n  - item`.
    Indented,
}

/// The document as go-yaml marshals it, ending with a newline.
pub fn to_string(doc: &Node, sequences: SequenceIndent) -> String {
    let mut emitter = Emitter {
        sequences,
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
    };
    emitter.node(doc, -1, Context::Root);
    emitter.write_indent(-1);
    emitter.out
}

/// go-yaml's map key order: runs of digits compare as numbers, letters sort after other
/// characters, otherwise by code point.
pub fn natural_key_order(a: &str, b: &str) -> Ordering {
    if natural_less(a, b) {
        Ordering::Less
    } else if natural_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn natural_less(a: &str, b: &str) -> bool {
    // go-yaml compares rune by rune; ASCII keys (nearly all) are compared as bytes, without
    // collecting the runes of both keys for every comparison of a sort.
    if a.is_ascii() && b.is_ascii() {
        return natural_less_runes(a.as_bytes(), b.as_bytes());
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    natural_less_runes(&ar, &br)
}

/// go-yaml's `keyList.Less` over the runes of two keys (bytes stand for ASCII runes).
fn natural_less_runes<R: Copy + Into<char>>(a: &[R], b: &[R]) -> bool {
    let ar = |i: usize| -> char { a[i].into() };
    let br = |i: usize| -> char { b[i].into() };
    let (a_len, b_len) = (a.len(), b.len());
    let mut i = 0;
    while i < a_len && i < b_len {
        if ar(i) == br(i) {
            i += 1;
            continue;
        }
        let al = ar(i).is_alphabetic();
        let bl = br(i).is_alphabetic();
        if al && bl {
            return ar(i) < br(i);
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar(i) == '0' || br(i) == '0' {
            let mut j = i;
            while j > 0 && ar(j - 1).is_ascii_digit() {
                j -= 1;
                if ar(j) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a_len && ar(ai).is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar(ai) as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < b_len && br(bi).is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br(bi) as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar(i) < br(i);
    }
    a_len < b_len
}

const BEST_WIDTH: usize = 80;
const BEST_INDENT: i64 = 2;
/// go-yaml writes a mapping key longer than this in the explicit `? key` form.
const MAX_SIMPLE_KEY_LEN: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    SequenceItem,
    MappingValue,
    SimpleKey,
    ComplexKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// How go-yaml's encoder asks for a string: literal when it has a line break, double-quoted when
/// a plain spelling would read back as another type, plain otherwise (the emitter may still
/// quote it).
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolves_to_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// go-yaml v2's `resolve("", s)` giving `!!str`: the shared YAML 1.1 resolver, plus timestamps,
/// which the resolver reads back as strings but go-yaml's encoder resolves as `!!timestamp`.
fn resolves_to_string(s: &str) -> bool {
    super::resolve::plain_resolves_to_string(s) && !is_timestamp(s)
}

/// YAML 1.1 base-60 floats (`12:30:00`), which go-yaml quotes for older parsers.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'+' || b[0] == b'-' || b[0].is_ascii_digit()) || !s.contains(':')
    {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(b[0] == b'+' || b[0] == b'-');
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group.len() {
            1 => true,
            2 => group[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml v2's `parseTimestamp`: Go's `time.Parse` with `2006-1-2T15:4:5.999999999Z07:00`
/// (also with `t`), `2006-1-2 15:4:5.999999999` or `2006-1-2`, including its range checks.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut rest = &b[5..];
    let Some(month) = go_number(&mut rest).filter(|m| (1..=12).contains(m)) else {
        return false;
    };
    let Some(after_dash) = rest.strip_prefix(b"-") else {
        return false;
    };
    rest = after_dash;
    let Some(day) = go_number(&mut rest) else {
        return false;
    };
    if day < 1 || day > days_in_month(month, year) {
        return false;
    }
    let with_zone = match rest {
        [] => return true,
        [b'T' | b't', time @ ..] => {
            rest = time;
            true
        }
        // A space in a Go layout matches a run of spaces.
        [b' ', ..] => {
            while let [b' ', time @ ..] = rest {
                rest = time;
            }
            false
        }
        _ => return false,
    };
    let limits = [24, 60, 60];
    for (i, limit) in limits.into_iter().enumerate() {
        if i > 0 {
            let Some(after_colon) = rest.strip_prefix(b":") else {
                return false;
            };
            rest = after_colon;
        }
        if go_number(&mut rest).filter(|n| *n < limit).is_none() {
            return false;
        }
    }
    // Fractional seconds: `.` or `,` and any number of digits.
    if let [b'.' | b',', digit, tail @ ..] = rest {
        if digit.is_ascii_digit() {
            rest = tail;
            while let [c, tail @ ..] = rest {
                if !c.is_ascii_digit() {
                    break;
                }
                rest = tail;
            }
        }
    }
    if !with_zone {
        return rest.is_empty();
    }
    match rest {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let two_digits = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
            };
            matches!(
                (two_digits(*h1, *h2), two_digits(*m1, *m2)),
                (Some(h), Some(m)) if h <= 24 && m <= 60
            )
        }
        _ => false,
    }
}

/// Go's `getnum(s, false)`: one digit, or two when a second follows.
fn go_number(rest: &mut &[u8]) -> Option<u32> {
    let n = rest
        .iter()
        .take(2)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if n == 0 {
        return None;
    }
    let value = rest[..n]
        .iter()
        .fold(0, |v, c| v * 10 + u32::from(c - b'0'));
    *rest = &rest[n..];
    Some(value)
}

fn days_in_month(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// go-yaml's notion of a printable character (tab is not one; nor is anything outside the Basic
/// Multilingual Plane).
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0A
        || (0x20..=0x7E).contains(&v)
        || (0xA0..=0xD7FF).contains(&v)
        || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
}

/// What libyaml's `yaml_emitter_analyze_scalar` concludes about a scalar (block context only:
/// the output never holds flow collections with content).
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = text.starts_with("---") || text.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut preceded_by_ws = true;
    // One pass with one character of lookahead (no Vec<char> of every string written).
    let mut chars = text.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let last = next.is_none();
        let followed_by_ws = next.is_none_or(|n| matches!(n, ' ' | '\t') || is_break(n));
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= first;
            trailing_break |= last;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = matches!(c, ' ' | '\t') || is_break(c);
        first = false;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The parts of libyaml's emitter state that decide spacing, breaks and indentation.
struct Emitter {
    sequences: SequenceIndent,
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// A line break inside a scalar's text; the next line starts at the indentation.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
        self.indention = true;
    }

    fn write_indent(&mut self, indent: i64) {
        let indent = indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    /// Writes a node whose parent block sits at `parent_indent` (-1 for the document root).
    fn node(&mut self, node: &Node, parent_indent: i64, ctx: Context) {
        match node {
            Node::Plain(text) => self.scalar(text, Style::Plain, parent_indent, ctx),
            Node::Str(text) => self.scalar(text, string_style(text), parent_indent, ctx),
            Node::Seq(items) if items.is_empty() => self.write_indicator("[]", true, false, false),
            Node::Map(entries) if entries.is_empty() => {
                self.write_indicator("{}", true, false, false)
            }
            Node::Seq(items) => self.block_sequence(items, parent_indent, ctx),
            Node::Map(entries) => self.block_mapping(entries, parent_indent),
        }
    }

    fn block_mapping(&mut self, entries: &[(&str, Node)], parent_indent: i64) {
        let indent = if parent_indent < 0 {
            0
        } else {
            parent_indent + BEST_INDENT
        };
        let mut sorted: Vec<&(&str, Node)> = entries.iter().collect();
        sorted.sort_by(|a, b| natural_key_order(a.0, b.0));
        for (key, value) in sorted {
            self.write_indent(indent);
            let style = string_style(key);
            if key.len() <= MAX_SIMPLE_KEY_LEN && !analyze(key).multiline {
                self.scalar(key, style, indent, Context::SimpleKey);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(key, style, indent, Context::ComplexKey);
                self.write_indent(indent);
                self.write_indicator(":", true, false, true);
            }
            crate::stack::deep(|| self.node(value, indent, Context::MappingValue));
        }
    }

    fn block_sequence(&mut self, items: &[Node], parent_indent: i64, ctx: Context) {
        let indentless = self.sequences == SequenceIndent::Indentless
            && ctx == Context::MappingValue
            && !self.indention;
        let indent = if parent_indent < 0 {
            0
        } else if indentless {
            parent_indent
        } else {
            parent_indent + BEST_INDENT
        };
        for item in items {
            self.write_indent(indent);
            self.write_indicator("-", true, false, true);
            crate::stack::deep(|| self.node(item, indent, Context::SequenceItem));
        }
    }

    fn scalar(&mut self, text: &str, requested: Style, parent_indent: i64, ctx: Context) {
        let a = analyze(text);
        let simple_key = ctx == Context::SimpleKey;
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && simple_key)) {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::DoubleQuoted;
        }
        let indent = if parent_indent < 0 {
            BEST_INDENT
        } else {
            parent_indent + BEST_INDENT
        };
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_flowing(text, indent, allow_breaks, false),
            Style::SingleQuoted => self.write_flowing(text, indent, allow_breaks, true),
            Style::DoubleQuoted => self.write_double_quoted(text, indent, allow_breaks),
            Style::Literal => self.write_literal(text, indent),
        }
    }

    /// Plain or single-quoted text: long lines fold at a space past the width, line breaks are
    /// doubled (libyaml's write_plain and write_single_quoted).
    fn write_flowing(&mut self, text: &str, indent: i64, allow_breaks: bool, quoted: bool) {
        if quoted {
            self.write_indicator("'", true, false, false);
        } else if !self.whitespace {
            self.put(' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut first = true;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            if c == ' ' {
                let inner = !quoted || (!first && next.is_some());
                if allow_breaks && !spaces && self.column > BEST_WIDTH && inner && next != Some(' ')
                {
                    self.write_indent(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(indent);
                }
                if quoted && c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
            first = false;
        }
        if quoted {
            self.write_indicator("'", false, false, false);
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, text: &str, indent: i64, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let mut spaces = false;
        let mut first = true;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (letter, width) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for d in format!("{v:0width$X}").chars() {
                            self.put(d);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !first && next.is_some() {
                    self.write_indent(indent);
                    if next == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
            first = false;
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, text: &str, indent: i64) {
        self.write_indicator("|", true, false, false);
        if text.starts_with(|c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut from_end = text.chars().rev();
        let chomp = match (from_end.next(), from_end.next()) {
            (None, _) => Some("-"),
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                self.write_break(c);
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(indent);
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_keys_order_as_their_runes_do() {
        let keys = [
            "a", "b", "a1", "a2", "a10", "a01", "a001", "1", "01", "10", "2", "_x", "-y", "Z", "z",
            "ab", "a.b", "x9y", "x10y", "0", "00", "", "a0b1", "a00b",
        ];
        for a in keys {
            for b in keys {
                let ar: Vec<char> = a.chars().collect();
                let br: Vec<char> = b.chars().collect();
                assert_eq!(
                    natural_less(a, b),
                    natural_less_runes(&ar, &br),
                    "{a:?} < {b:?}"
                );
            }
        }
        assert!(natural_less("a2", "a10"));
        assert!(natural_less("_x", "a"));
        assert!(natural_less("é1", "é10"));
    }

    fn map<'a>(entries: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
        Node::Map(entries)
    }

    fn v2(doc: &Node) -> String {
        to_string(doc, SequenceIndent::Indentless)
    }

    #[test]
    fn keys_sort_as_go_yaml() {
        let mut keys = vec![
            "a10", "a9", "a09", "A1", "_a", "1", "-x", "a1b", "a1_", "x1y", "x10",
        ];
        keys.sort_by(|a, b| natural_key_order(a, b));
        // The order kubectl kustomize prints (testdata/kustomize/yaml-values).
        assert_eq!(
            keys,
            ["-x", "_a", "1", "A1", "a1_", "a9", "a09", "a10", "a1b", "x10", "x1y"]
        );
    }

    #[test]
    fn string_quoting_matches_helm_and_kustomize() {
        // Each string as both `helm template` (toYaml) and `kubectl kustomize` (a ConfigMap
        // value) print it; the two agree on every one.
        let cases = [
            ("<<", "<<"),
            ("=", "="),
            ("0o17", "\"0o17\""),
            ("0O17", "\"0O17\""),
            ("1_000", "\"1_000\""),
            ("+.5", "\"+.5\""),
            ("-", "'-'"),
            (".", "."),
            ("0b101", "\"0b101\""),
            ("1:30", "\"1:30\""),
            ("1:60", "1:60"),
            ("190:20:30.15", "\"190:20:30.15\""),
            ("0x_1F", "\"0x_1F\""),
            ("_1", "_1"),
            ("1__0", "\"1__0\""),
            ("0xFFFFFFFFFFFFFFFF", "\"0xFFFFFFFFFFFFFFFF\""),
            ("0x10000000000000000", "0x10000000000000000"),
            (
                "0b11111111111111111111111111111111111111111111111111111111111111111111",
                "0b11111111111111111111111111111111111111111111111111111111111111111111",
            ),
            ("-9223372036854775809", "\"-9223372036854775809\""),
            ("18446744073709551616", "\"18446744073709551616\""),
            ("1e400", "1e400"),
            ("1.5e-400", "\"1.5e-400\""),
            (".5e3", "\".5e3\""),
            ("1.", "\"1.\""),
            ("+.inf", "\"+.inf\""),
            (".nan", "\".nan\""),
            ("NaN", "NaN"),
            ("Infinity", "Infinity"),
            ("2001-12-14", "\"2001-12-14\""),
            ("2001-1-1", "\"2001-1-1\""),
            (
                "2001-12-14t21:59:43.10-05:00",
                "\"2001-12-14t21:59:43.10-05:00\"",
            ),
            ("2001-12-14T21:59:43.10", "2001-12-14T21:59:43.10"),
            ("2001-12-14T21:59:43+0530", "2001-12-14T21:59:43+0530"),
            ("2001-12-14 21:59:43.10", "\"2001-12-14 21:59:43.10\""),
            ("2001-12-14  21:59:43", "\"2001-12-14  21:59:43\""),
            (
                "2001-12-14T21:59:43.1234567891Z",
                "\"2001-12-14T21:59:43.1234567891Z\"",
            ),
            ("2001-12-14T1:2:3Z", "\"2001-12-14T1:2:3Z\""),
            ("2001-12-14T21:59:43,5Z", "\"2001-12-14T21:59:43,5Z\""),
            ("2001-12-14T21:59:43.Z", "2001-12-14T21:59:43.Z"),
            ("2001-12-14T21:59:43+25:00", "2001-12-14T21:59:43+25:00"),
            ("2024-01-01T25:00:00Z", "2024-01-01T25:00:00Z"),
            ("2001-12-14T21:59:60Z", "2001-12-14T21:59:60Z"),
            ("2000-02-29", "\"2000-02-29\""),
            ("1900-02-29", "1900-02-29"),
            ("2001-02-30", "2001-02-30"),
            ("12001-12-14", "12001-12-14"),
            ("y", "\"y\""),
            ("off", "\"off\""),
            ("~", "\"~\""),
            ("0999", "\"0999\""),
            ("09.5", "\"09.5\""),
            ("1E+3", "\"1E+3\""),
            ("1e", "1e"),
            ("-0", "\"-0\""),
        ];
        for (input, want) in cases {
            let doc = map(vec![("k", Node::Str(input.into()))]);
            assert_eq!(v2(&doc), format!("k: {want}\n"), "{input:?}");
        }
    }

    #[test]
    fn a_kept_final_line_break_ends_the_document_without_a_marker() {
        // `kubectl kustomize` and Helm's toYaml print no `...` after a `|+` block.
        let doc = map(vec![("zzz", Node::Str("x\n\n".into()))]);
        assert_eq!(v2(&doc), "zzz: |+\n  x\n\n");
    }

    #[test]
    fn quoted_scalars_fold_only_between_inner_characters() {
        // As `helm template` prints these with toYaml: a double-quoted line breaks at a space
        // past the width and escapes the next space; a single-quoted one keeps its first and
        // last spaces; a literal block keeps its line breaks.
        let dq = format!("{}\t  b", "a".repeat(85));
        let sq = format!(" {} y z ", "x".repeat(78));
        let doc = map(vec![
            ("dq", Node::Str(dq.as_str().into())),
            ("lit", Node::Str("\n".into())),
            ("lit2", Node::Str(" a\n\n".into())),
            ("sq", Node::Str(sq.as_str().into())),
        ]);
        assert_eq!(
            v2(&doc),
            format!(
                "dq: \"{}\\t\n  \\ b\"\nlit: |2+\n\nlit2: |2+\n   a\n\nsq: ' {}\n  y z '\n",
                "a".repeat(85),
                "x".repeat(78)
            )
        );
    }

    #[test]
    fn sequence_indent_styles() {
        let doc = map(vec![(
            "l",
            Node::Seq(vec![Node::Plain("1".into()), Node::Str("a".into())]),
        )]);
        assert_eq!(v2(&doc), "l:\n- 1\n- a\n");
        assert_eq!(
            to_string(&doc, SequenceIndent::Indented),
            "l:\n  - 1\n  - a\n"
        );
    }
}
