//! YAML output exactly as Helm's `toYaml` (sigs.k8s.io/yaml over go-yaml v2) and `toYamlPretty`
//! (go-yaml v3 with a 2-space indent) write it.
//!
//! `toYaml` marshals to JSON first, reads that JSON back with go-yaml v2 (so JSON numbers become
//! ints or floats by v2's rules and map keys are re-sorted by its "natural" key order), then
//! emits it with libyaml's emitter: block style, sequences inside mappings not indented, strings
//! that would read back as something else double-quoted, strings with line breaks as literal
//! blocks, plain and quoted scalars folded past column 80. This module ports the parts of that
//! pipeline that decide the bytes.

use super::gojson::{format_float, Json};
use crate::yaml::{Resolved, Scalar};
use std::cmp::Ordering;

/// Which go-yaml writes the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `toYaml`: go-yaml v2 via sigs.k8s.io/yaml (sequences in mappings are not indented).
    V2,
    /// `toYamlPretty`: go-yaml v3 with `SetIndent(2)` (sequences in mappings indented).
    V3Pretty,
}

/// `yaml.Marshal(v)` for a value already turned into Go's JSON, with its final newline.
pub fn marshal(doc: &Json, flavor: Flavor) -> String {
    let node = Node::from_json(doc);
    let mut emitter = Emitter::new(flavor);
    emitter.emit_node(&node, Context::Root);
    emitter.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

#[derive(Debug)]
enum Node {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn from_json(json: &Json) -> Node {
        match json {
            Json::Null => Node::Scalar("null".into(), Style::Plain),
            Json::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
            Json::Number(text) => Node::Scalar(resolve_number(text), Style::Plain),
            Json::Str(s) => Node::Scalar(s.clone(), string_style(s)),
            Json::Array(items) => Node::Seq(items.iter().map(Node::from_json).collect()),
            Json::Object(entries) => {
                let mut entries: Vec<(String, Node)> = entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v)))
                    .collect();
                entries.sort_by(|a, b| natural_key_order(&a.0, &b.0));
                Node::Map(entries)
            }
        }
    }
}

/// go-yaml v2 reads a JSON number as int64, then uint64, then float64 (printed with `%g`).
fn resolve_number(text: &str) -> String {
    if let Ok(i) = text.parse::<i64>() {
        return i.to_string();
    }
    if let Ok(u) = text.parse::<u64>() {
        return u.to_string();
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_infinite() => if f > 0.0 { ".inf" } else { "-.inf" }.to_string(),
        Ok(f) => format_float(f, 'g', -1),
        Err(_) => text.to_string(),
    }
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
    matches!(Scalar::plain(s).resolve(), Ok(Resolved::Str(_))) && !is_yaml_timestamp(s)
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

/// go-yaml v2's timestamp check: `YYYY-M-D` optionally followed by a time, as its formats parse.
fn is_yaml_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let take_num = |t: &str, max_len: usize| -> Option<(u32, usize)> {
        let n = t
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count()
            .min(max_len);
        if n == 0 {
            return None;
        }
        t[..n].parse().ok().map(|v| (v, n))
    };
    let Some((month, n)) = take_num(rest, 2) else {
        return false;
    };
    let rest = &rest[n..];
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let Some((day, n)) = take_num(rest, 2) else {
        return false;
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let rest = &rest[n..];
    if rest.is_empty() {
        return true;
    }
    // Date and time: 15:4:5 with optional fraction, separated by T/t/space, optional zone.
    let Some(time) = rest.strip_prefix(['T', 't', ' ']) else {
        return false;
    };
    let mut parts = time.splitn(3, ':');
    let (Some(h), Some(m), Some(sec)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let small = |t: &str| !t.is_empty() && t.len() <= 2 && t.bytes().all(|c| c.is_ascii_digit());
    if !small(h) || !small(m) {
        return false;
    }
    let sec_digits = sec.bytes().take_while(u8::is_ascii_digit).count();
    if sec_digits == 0 || sec_digits > 2 {
        return false;
    }
    let mut tail = &sec[sec_digits..];
    if let Some(frac) = tail.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        tail = &frac[n..];
    }
    if rest.starts_with(' ') {
        return tail.is_empty();
    }
    tail.is_empty() || tail == "Z" || {
        let zone = tail.as_bytes();
        zone.len() == 6 && (zone[0] == b'+' || zone[0] == b'-') && zone[3] == b':'
    }
}

/// go-yaml's map key order: runs of digits compare as numbers, letters sort before other
/// characters, otherwise by code point.
pub fn natural_key_order(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let less = |x: &[char], y: &[char]| -> bool {
        for i in 0..x.len().min(y.len()) {
            if x[i] == y[i] {
                continue;
            }
            let xl = x[i].is_alphabetic();
            let yl = y[i].is_alphabetic();
            if xl && yl {
                return x[i] < y[i];
            }
            if xl || yl {
                return yl;
            }
            let (mut xn, mut yn) = (0i64, 0i64);
            if x[i] == '0' || y[i] == '0' {
                let mut j = i;
                while j > 0 && x[j - 1].is_ascii_digit() {
                    j -= 1;
                    if x[j] != '0' {
                        xn = 1;
                        yn = 1;
                        break;
                    }
                }
            }
            let mut xi = i;
            while xi < x.len() && x[xi].is_ascii_digit() {
                xn = xn.wrapping_mul(10).wrapping_add(x[xi] as i64 - '0' as i64);
                xi += 1;
            }
            let mut yi = i;
            while yi < y.len() && y[yi].is_ascii_digit() {
                yn = yn.wrapping_mul(10).wrapping_add(y[yi] as i64 - '0' as i64);
                yi += 1;
            }
            if xn != yn {
                return xn < yn;
            }
            if xi != yi {
                return xi < yi;
            }
            return x[i] < y[i];
        }
        x.len() < y.len()
    };
    if less(&ar, &br) {
        Ordering::Less
    } else if less(&br, &ar) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    SeqItem,
    MapValue,
    SimpleKey,
    ComplexKey,
}

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

/// The parts of libyaml's emitter state that decide spacing, breaks and indentation.
struct Emitter {
    flavor: Flavor,
    out: String,
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    whitespace: bool,
    indention: bool,
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (0xA0..=0xD7FF).contains(&c)
        || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// What libyaml's `yaml_emitter_analyze_scalar` concludes about a scalar.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(value: &str) -> Analysis {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace =
            i + 1 >= n || matches!(chars[i + 1], ' ' | '\t') || is_break(chars[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= i + 1 == n;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i + 1 == n;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = matches!(c, ' ' | '\t') || is_break(c);
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

impl Emitter {
    fn new(flavor: Flavor) -> Self {
        Emitter {
            flavor,
            out: String::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
        }
    }

    fn finish(mut self) -> String {
        // Document end: break the last line unless already at its start.
        self.indent = -1;
        self.write_indent();
        self.out
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn emit_node(&mut self, node: &Node, ctx: Context) {
        match node {
            Node::Scalar(text, style) => self.emit_scalar(text, *style, ctx),
            Node::Seq(items) if items.is_empty() => self.emit_empty("[", "]"),
            Node::Map(entries) if entries.is_empty() => self.emit_empty("{", "}"),
            Node::Seq(items) => {
                let indentless = match self.flavor {
                    Flavor::V2 => ctx == Context::MapValue && !self.indention,
                    Flavor::V3Pretty => false,
                };
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.emit_node(item, Context::SeqItem);
                }
                self.pop_indent();
            }
            Node::Map(entries) => {
                self.increase_indent(false, false);
                for (key, value) in entries {
                    self.write_indent();
                    let key_style = string_style(key);
                    if key.len() <= 128 && !analyze(key).multiline {
                        self.emit_scalar(key, key_style, Context::SimpleKey);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.emit_scalar(key, key_style, Context::ComplexKey);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.emit_node(value, Context::MapValue);
                }
                self.pop_indent();
            }
        }
    }

    fn emit_empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn emit_scalar(&mut self, value: &str, requested: Style, ctx: Context) {
        let analysis = analyze(value);
        let simple_key = ctx == Context::SimpleKey;
        let mut style = requested;
        if simple_key && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain
            && (!analysis.block_plain_allowed || (value.is_empty() && simple_key))
        {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let escaped = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match escaped {
                    Some(e) => self.put(e),
                    None => {
                        let v = c as u32;
                        let (prefix, width) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(prefix);
                        for k in (0..width).rev() {
                            let digit = (v >> (k * 4)) & 0xF;
                            self.put(
                                char::from_digit(digit, 16)
                                    .unwrap_or('0')
                                    .to_ascii_uppercase(),
                            );
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
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
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        if let Some(&first) = chars.first() {
            if first == ' ' || is_break(first) {
                self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
            }
        }
        let chomp = match chars.len() {
            0 => Some("-"),
            n if !is_break(chars[n - 1]) => Some("-"),
            1 => Some("+"),
            n if is_break(chars[n - 2]) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                    breaks = false;
                }
                self.put(c);
                self.indention = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Json {
        Json::Str(text.into())
    }

    fn obj(entries: Vec<(&str, Json)>) -> Json {
        Json::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    fn num(text: &str) -> Json {
        Json::Number(text.into())
    }

    #[test]
    fn sorts_keys_naturally() {
        let doc = obj(vec![
            ("zeta", num("1")),
            ("alpha", num("2")),
            ("Beta", num("3")),
            ("_u", num("4")),
            ("10", num("5")),
            ("9", num("6")),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "_u: 4\n\"9\": 6\n\"10\": 5\nBeta: 3\nalpha: 2\nzeta: 1\n"
        );
    }

    #[test]
    fn quotes_strings_as_go_yaml_does() {
        let cases = [
            ("yes", "\"yes\""),
            ("Y", "\"Y\""),
            ("False", "\"False\""),
            ("1.0", "\"1.0\""),
            ("", "\"\""),
            ("~", "\"~\""),
            ("0x1F", "\"0x1F\""),
            ("0o17", "\"0o17\""),
            ("017", "\"017\""),
            ("1e3", "\"1e3\""),
            ("1_000", "\"1_000\""),
            ("a: b", "'a: b'"),
            ("a:b", "a:b"),
            ("# c", "'# c'"),
            ("a #b", "'a #b'"),
            ("*a", "'*a'"),
            ("- x", "'- x'"),
            ("-", "'-'"),
            ("---", "'---'"),
            (" lead", "' lead'"),
            ("trail ", "'trail '"),
            ("2024-01-01", "\"2024-01-01\""),
            ("12:30:00", "\"12:30:00\""),
            (".inf", "\".inf\""),
            ("'", "''''"),
            ("\"", "'\"'"),
            ("a, b", "a, b"),
            ("=", "="),
            ("<<", "<<"),
            ("...", "'...'"),
            ("+1", "\"+1\""),
            ("1.2.3", "1.2.3"),
            ("ü", "ü"),
            ("a\tb", "\"a\\tb\""),
            ("x  \ny", "\"x  \\ny\""),
        ];
        for (input, want) in cases {
            let doc = obj(vec![("k", s(input))]);
            assert_eq!(
                marshal(&doc, Flavor::V2),
                format!("k: {want}\n"),
                "{input:?}"
            );
        }
    }

    #[test]
    fn writes_block_strings_with_hints() {
        let doc = obj(vec![
            ("leadsp", s("  indented\nnext")),
            ("nl", s("line1\nline2\n")),
            ("nonl", s("line1\nline2")),
            ("onlynl", s("\n")),
            ("twonl", s("a\n\n")),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "leadsp: |2-\n    indented\n  next\nnl: |\n  line1\n  line2\nnonl: |-\n  line1\n  line2\nonlynl: |2+\n\ntwonl: |+\n  a\n\n"
        );
    }

    #[test]
    fn writes_numbers_and_collections() {
        let doc = obj(vec![
            ("big", num("12345678901")),
            ("e", num("100000000000000000000")),
            ("f", num("1.5")),
            ("neg", num("-0")),
            ("small", num("1e-7")),
            ("el", Json::Array(vec![])),
            ("em", obj(vec![])),
            ("nul", Json::Null),
            (
                "l",
                Json::Array(vec![
                    obj(vec![
                        ("name", s("a")),
                        ("ports", Json::Array(vec![num("1"), num("2")])),
                    ]),
                    obj(vec![("name", s("b")), ("env", obj(vec![("K", s("V"))]))]),
                ]),
            ),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "big: 12345678901\ne: 1e+20\nel: []\nem: {}\nf: 1.5\nl:\n- name: a\n  ports:\n  - 1\n  - 2\n- env:\n    K: V\n  name: b\nneg: 0\nnul: null\nsmall: 1e-07\n"
        );
    }

    #[test]
    fn pretty_indents_sequences() {
        let doc = Json::Array(vec![
            obj(vec![
                ("name", s("a")),
                ("ports", Json::Array(vec![num("1"), num("2")])),
            ]),
            obj(vec![("name", s("b")), ("env", obj(vec![("K", s("V"))]))]),
        ]);
        assert_eq!(
            marshal(&doc, Flavor::V3Pretty),
            "- name: a\n  ports:\n    - 1\n    - 2\n- env:\n    K: V\n  name: b\n"
        );
    }

    #[test]
    fn folds_long_plain_scalars() {
        let long = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh iiiiiiiiii jjjjjjjjjj";
        let doc = obj(vec![("long", s(long)), ("u", s("héllo ☃"))]);
        assert_eq!(
            marshal(&doc, Flavor::V2),
            "long: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg\n  hhhhhhhhhh iiiiiiiiii jjjjjjjjjj\nu: héllo ☃\n"
        );
    }

    #[test]
    fn writes_top_level_scalars() {
        assert_eq!(marshal(&s("hello"), Flavor::V2), "hello\n");
        assert_eq!(marshal(&s("yes"), Flavor::V2), "\"yes\"\n");
        assert_eq!(marshal(&Json::Null, Flavor::V2), "null\n");
        assert_eq!(marshal(&obj(vec![]), Flavor::V2), "{}\n");
        assert_eq!(marshal(&Json::Array(vec![]), Flavor::V2), "[]\n");
    }
}
