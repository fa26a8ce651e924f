//! Tokens of Go's `text/template`, with Go's rules for trim markers, comments and literals.
//!
//! The whole text is lexed up front; a lexical error becomes an `Error` token at the point where
//! Go's lexer would report it, so the parser reports whichever error Go would meet first.

use super::ast::{Pos, Span};
use crate::go::{strconv, unicode};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Bool,
    /// A printable ASCII character with no other meaning (`,`, `/`, …).
    Char,
    CharConstant,
    Number,
    String,
    RawString,
    Identifier,
    /// `.Name`
    Field,
    /// `$` or `$name`
    Variable,
    Dot,
    Pipe,
    Declare,
    Assign,
    LeftParen,
    RightParen,
    Keyword(Keyword),
    Error,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Keyword {
    fn from_word(word: &str) -> Option<Keyword> {
        Some(match word {
            "block" => Keyword::Block,
            "break" => Keyword::Break,
            "continue" => Keyword::Continue,
            "define" => Keyword::Define,
            "else" => Keyword::Else,
            "end" => Keyword::End,
            "if" => Keyword::If,
            "nil" => Keyword::Nil,
            "range" => Keyword::Range,
            "template" => Keyword::Template,
            "with" => Keyword::With,
            _ => return None,
        })
    }
}

/// One token: its kind and the bytes of the template text it covers. Small and `Copy`: the
/// parser peeks at and backs up over thousands of them. An `Error` token covers nothing: its
/// message is [`Lexed::error`]. Lines are not kept: a token's line is the count of newlines
/// before it, which only an error message needs (see [`line_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Span,
}

impl Token {
    /// Go's rendering of a token whose text is `text` in `unexpected X in Y` messages.
    pub fn describe(&self, text: &str) -> String {
        match self.kind {
            Kind::Eof => "EOF".to_string(),
            Kind::Keyword(_) => format!("<{text}>"),
            _ if text.chars().count() > 10 => {
                let short: String = text.chars().take(10).collect();
                format!("{}...", strconv::quote(&short))
            }
            _ => strconv::quote(text),
        }
    }
}

/// The tokens of a text, ending with `Eof` or with an `Error` token whose message is `error`.
#[derive(Debug)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub error: Option<String>,
}

/// The 1-based line of byte `pos` of `text`.
pub fn line_at(text: &str, pos: usize) -> usize {
    1 + text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

const LEFT: &[u8] = b"{{";
const RIGHT: &[u8] = b"}}";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's lexer: `_`, a letter or a decimal digit, by Go's `unicode` tables.
fn is_alnum(c: char) -> bool {
    c == '_' || unicode::is_letter(c) || unicode::is_digit(c)
}

/// Lexes the whole text. Positions are [`Pos`]: a longer text is one error.
pub fn lex(input: &str) -> Lexed {
    let mut lx = Lexer {
        input,
        pos: 0,
        start: 0,
        // Chart templates run to a token per 8 bytes (the corpus' 3,496 texts: 1.88M tokens
        // in 15.3 MB): most of the growing is done once.
        tokens: Vec::with_capacity(input.len() / 8),
        error: None,
        paren_depth: 0,
    };
    if Pos::try_from(input.len()).is_err() {
        lx.error(format!(
            "template text of {} bytes is too large",
            input.len()
        ));
    } else {
        lx.run();
    }
    Lexed {
        tokens: lx.tokens,
        error: lx.error,
    }
}

/// Where the next `a` followed by `b` starts, from byte `from` on. A byte search is exact in
/// UTF-8 text for ASCII `a` and `b`: no byte of a multi-byte character is ASCII.
fn find_ascii_pair(input: &str, from: usize, a: u8, b: u8) -> Option<usize> {
    let bytes = input.as_bytes();
    let mut at = from;
    loop {
        // `str::find` of one ASCII character is a `memchr`.
        let found = at + input.get(at..)?.find(char::from(a))?;
        if bytes.get(found + 1) == Some(&b) {
            return Some(found);
        }
        at = found + 1;
    }
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    tokens: Vec<Token>,
    error: Option<String>,
    paren_depth: usize,
}

enum Flow {
    Continue,
    Stop,
}

impl Lexer<'_> {
    fn rest(&self) -> &[u8] {
        &self.input.as_bytes()[self.pos..]
    }

    fn peek_byte(&self) -> Option<u8> {
        self.input.as_bytes().get(self.pos).copied()
    }

    fn peek(&self) -> Option<char> {
        match self.peek_byte()? {
            b if b.is_ascii() => Some(char::from(b)),
            _ => self.input[self.pos..].chars().next(),
        }
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn emit(&mut self, kind: Kind) {
        // `lex` refused texts whose positions do not fit.
        self.tokens.push(Token {
            kind,
            span: Span {
                start: self.start as Pos,
                end: self.pos as Pos,
            },
        });
        self.start = self.pos;
    }

    fn error(&mut self, message: String) -> Flow {
        self.pos = self.start;
        self.emit(Kind::Error);
        self.error = Some(message);
        Flow::Stop
    }

    fn accept(&mut self, valid: &[u8]) -> bool {
        match self.peek_byte() {
            Some(c) if valid.contains(&c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &[u8]) {
        while self.accept(valid) {}
    }

    fn run(&mut self) {
        loop {
            let flow = self.lex_text();
            if let Flow::Stop = flow {
                return;
            }
        }
    }

    /// Text up to the next action (or the end).
    fn lex_text(&mut self) -> Flow {
        let Some(delim_at) = find_ascii_pair(self.input, self.pos, LEFT[0], LEFT[1]) else {
            self.pos = self.input.len();
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.emit(Kind::Eof);
            return Flow::Stop;
        };
        let bytes = self.input.as_bytes();
        let trim = has_left_trim_marker(&bytes[delim_at + LEFT.len()..]);
        self.pos = if trim {
            let text = &bytes[self.pos..delim_at];
            let spaces = text.iter().rev().take_while(|&&c| is_space(c)).count();
            delim_at - spaces
        } else {
            delim_at
        };
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.pos = delim_at;
        self.ignore_to_here();
        self.lex_left_delim()
    }

    fn ignore_to_here(&mut self) {
        self.start = self.pos;
    }

    fn lex_left_delim(&mut self) -> Flow {
        self.pos += LEFT.len();
        let trim = has_left_trim_marker(self.rest());
        let after_marker = if trim { 2 } else { 0 };
        if self.rest()[after_marker..].starts_with(b"/*") {
            self.pos += after_marker;
            self.ignore_to_here();
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.pos += after_marker;
        self.ignore_to_here();
        self.paren_depth = 0;
        self.lex_inside_action()
    }

    fn lex_comment(&mut self) -> Flow {
        // From after the `/*`, as Go: `{{/*/}}` is not closed.
        let Some(end) = find_ascii_pair(self.input, self.pos + 2, b'*', b'/') else {
            return self.error("unclosed comment".into());
        };
        self.pos = end + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        self.ignore_to_here();
        self.finish_right_delim(trim, false);
        Flow::Continue
    }

    /// Whether the input is at `}}` or ` -}}`, and whether it is the trimming form.
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn finish_right_delim(&mut self, trim: bool, emit: bool) {
        if trim {
            self.pos += 2;
            self.ignore_to_here();
        }
        self.pos += RIGHT.len();
        if emit {
            self.emit(Kind::RightDelim);
        }
        if trim {
            self.pos += self.rest().iter().take_while(|&&c| is_space(c)).count();
        }
        self.ignore_to_here();
    }

    fn lex_inside_action(&mut self) -> Flow {
        loop {
            let (delim, trim) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    self.finish_right_delim(trim, true);
                    return Flow::Continue;
                }
                return self.error("unclosed left paren".into());
            }
            let Some(c) = self.next_char() else {
                return self.error("unclosed action".into());
            };
            let flow = match c {
                c if c.is_ascii() && is_space(c as u8) => {
                    self.pos -= 1;
                    self.lex_space();
                    Flow::Continue
                }
                '=' => {
                    self.emit(Kind::Assign);
                    Flow::Continue
                }
                ':' => {
                    if self.next_char() != Some('=') {
                        return self.error("expected :=".into());
                    }
                    self.emit(Kind::Declare);
                    Flow::Continue
                }
                '|' => {
                    self.emit(Kind::Pipe);
                    Flow::Continue
                }
                '"' => self.lex_escaped(b'"', Kind::String, "unterminated quoted string"),
                '`' => self.lex_raw_quote(),
                '$' => self.lex_variable(),
                '\'' => {
                    self.lex_escaped(b'\'', Kind::CharConstant, "unterminated character constant")
                }
                '.' if !matches!(self.peek_byte(), Some(b'0'..=b'9')) => {
                    self.lex_field_or_variable(Kind::Field)
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos = self.start;
                    self.lex_number()
                }
                c if is_alnum(c) => {
                    self.pos = self.start;
                    self.lex_identifier()
                }
                '(' => {
                    self.paren_depth += 1;
                    self.emit(Kind::LeftParen);
                    Flow::Continue
                }
                ')' => {
                    if self.paren_depth == 0 {
                        return self.error("unexpected right paren".into());
                    }
                    self.paren_depth -= 1;
                    self.emit(Kind::RightParen);
                    Flow::Continue
                }
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.emit(Kind::Char);
                    Flow::Continue
                }
                c => self.error(format!(
                    "unrecognized character in action: {}",
                    unicode_sharp(c)
                )),
            };
            if let Flow::Stop = flow {
                return Flow::Stop;
            }
        }
    }

    fn lex_space(&mut self) {
        let count = self.rest().iter().take_while(|&&c| is_space(c)).count();
        self.pos += count;
        // A space directly before `-}}` belongs to the trim marker.
        let before = &self.input.as_bytes()[self.pos - 1..];
        if has_right_trim_marker(before) && before[2..].starts_with(RIGHT) {
            self.pos -= 1;
            if count == 1 {
                return;
            }
        }
        self.emit(Kind::Space);
    }

    /// A quoted literal with backslash escapes, ending at `close` on the same line. Bytes are
    /// enough: the quotes, `\\` and newline are ASCII, and an escape skips the character after
    /// the backslash, whose further bytes (if any) are none of them.
    fn lex_escaped(&mut self, close: u8, kind: Kind, unterminated: &str) -> Flow {
        loop {
            match self.peek_byte() {
                None | Some(b'\n') => return self.error(unterminated.into()),
                // As Go: an escape carries a literal neither past the end nor over a line.
                Some(b'\\')
                    if matches!(self.input.as_bytes().get(self.pos + 1), None | Some(b'\n')) =>
                {
                    return self.error(unterminated.into())
                }
                Some(b'\\') => self.pos += 2,
                Some(c) => {
                    self.pos += 1;
                    if c == close {
                        break;
                    }
                }
            }
        }
        self.emit(kind);
        Flow::Continue
    }

    fn lex_raw_quote(&mut self) -> Flow {
        match self.input[self.pos..].find('`') {
            Some(close) => {
                self.pos += close + 1;
                self.emit(Kind::RawString);
                Flow::Continue
            }
            None => self.error("unterminated raw quoted string".into()),
        }
    }

    fn lex_variable(&mut self) -> Flow {
        if self.at_terminator() {
            self.emit(Kind::Variable);
            return Flow::Continue;
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> Flow {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return Flow::Continue;
        }
        if !self.accept_word() {
            return self.bad_character();
        }
        self.emit(kind);
        Flow::Continue
    }

    /// Consumes letters, digits and `_`; whether a terminator follows, as Go requires.
    fn accept_word(&mut self) -> bool {
        while let Some(b) = self.peek_byte() {
            let len = if b.is_ascii() {
                if !(b.is_ascii_alphanumeric() || b == b'_') {
                    break;
                }
                1
            } else {
                match self.peek() {
                    Some(c) if is_alnum(c) => c.len_utf8(),
                    _ => break,
                }
            };
            self.pos += len;
        }
        self.at_terminator()
    }

    fn bad_character(&mut self) -> Flow {
        let c = self.peek().unwrap_or('\u{0}');
        self.error(format!("bad character {}", unicode_sharp(c)))
    }

    fn at_terminator(&self) -> bool {
        match self.peek_byte() {
            None => true,
            Some(c) if is_space(c) => true,
            Some(b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_identifier(&mut self) -> Flow {
        if !self.accept_word() {
            return self.bad_character();
        }
        let word = &self.input[self.start..self.pos];
        let kind = if let Some(k) = Keyword::from_word(word) {
            Kind::Keyword(k)
        } else if word == "true" || word == "false" {
            Kind::Bool
        } else {
            Kind::Identifier
        };
        self.emit(kind);
        Flow::Continue
    }

    fn lex_number(&mut self) -> Flow {
        if !self.scan_number() {
            let text = self.input[self.start..self.pos].to_string();
            return self.error(format!("bad number syntax: {}", strconv::quote(&text)));
        }
        self.emit(Kind::Number);
        Flow::Continue
    }

    fn scan_number(&mut self) -> bool {
        self.accept(b"+-");
        let mut digits: &[u8] = b"0123456789_";
        if self.accept(b"0") {
            if self.accept(b"xX") {
                digits = b"0123456789abcdefABCDEF_";
            } else if self.accept(b"oO") {
                digits = b"01234567_";
            } else if self.accept(b"bB") {
                digits = b"01_";
            }
        }
        self.accept_run(digits);
        if self.accept(b".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept(b"eE") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        if digits.len() == 23 && self.accept(b"pP") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        self.accept(b"i");
        if matches!(self.peek(), Some(c) if is_alnum(c)) {
            self.next_char();
            return false;
        }
        true
    }
}

/// Go's `%#U`: `U+00E9 'é'`, the character itself only when it is printable.
fn unicode_sharp(c: char) -> String {
    if strconv::is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

fn has_left_trim_marker(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim_marker(b: &[u8]) -> bool {
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        lex(src).tokens.into_iter().map(|t| t.kind).collect()
    }

    fn texts(src: &str) -> Vec<&str> {
        lex(src).tokens.iter().map(|t| t.span.of(src)).collect()
    }

    fn error(src: &str) -> Option<String> {
        lex(src).error
    }

    #[test]
    fn trim_markers_eat_surrounding_space() {
        let toks = texts("a  \n{{- 1 -}}\n  b");
        assert_eq!(toks[0], "a");
        assert_eq!(toks[2], "1");
        assert_eq!(toks[4], "b");
    }

    #[test]
    fn trim_markers_eat_only_ascii_space_next_to_multibyte_text() {
        // U+0120 and U+010A end in the bytes of ' ' and '\n': they are text, not space.
        assert_eq!(
            texts("x\u{120}\u{10a} \t{{- 1 -}}\r\n\u{10a}\u{120}y"),
            ["x\u{120}\u{10a}", "{{", "1", "}}", "\u{10a}\u{120}y", ""]
        );
        assert_eq!(texts("é{{- 1 -}}é"), ["é", "{{", "1", "}}", "é", ""]);
    }

    #[test]
    fn delimiters_are_found_among_multibyte_characters() {
        // `{` alone, and `{` right after a multi-byte character, are not a delimiter.
        assert_eq!(
            texts("日{本{{ 1 }}語{"),
            ["日{本", "{{", " ", "1", " ", "}}", "語{", ""]
        );
        assert_eq!(texts("{é{{1}}"), ["{é", "{{", "1", "}}", ""]);
        assert_eq!(texts("é{{{1}}"), ["é", "{{", "{", "1", "}}", ""]);
        assert_eq!(kinds("a{"), vec![Kind::Text, Kind::Eof]);
    }

    #[test]
    fn negative_number_is_not_a_trim_marker() {
        assert_eq!(
            kinds("{{-3}}"),
            vec![Kind::LeftDelim, Kind::Number, Kind::RightDelim, Kind::Eof]
        );
    }

    #[test]
    fn comments_vanish() {
        let toks = texts("a {{- /* x */ -}} b");
        assert_eq!(toks[0], "a");
        assert_eq!(toks[1], "b");
        assert_eq!(texts("{{/* é */}}x{{/**/}}"), ["x", ""]);
        assert_eq!(error("{{/* x *}}").as_deref(), Some("unclosed comment"));
        assert_eq!(
            error("{{/* x */ }}").as_deref(),
            Some("comment ends before closing delimiter")
        );
    }

    #[test]
    fn lines_count_newlines_before_a_position() {
        let src = "a\nb{{\n.x }}";
        let toks = lex(src).tokens;
        let field = toks.iter().find(|t| t.kind == Kind::Field).unwrap();
        assert_eq!(line_at(src, field.span.start as usize), 3);
        assert_eq!(line_at(src, 0), 1);
        assert_eq!(line_at("é\n", 3), 2);
        assert_eq!(line_at("a\n", 99), 2);
    }

    #[test]
    fn literals_span_their_quotes() {
        assert_eq!(
            texts("{{ \"a\\\"é\" `x\ny` 'é' }}")[2..7],
            ["\"a\\\"é\"", " ", "`x\ny`", " ", "'é'"]
        );
    }

    #[test]
    fn words_take_unicode_letters() {
        assert_eq!(texts("{{ $é.ü }}")[2..4], ["$é", ".ü"]);
        assert_eq!(kinds("{{ é }}")[2], Kind::Identifier);
        assert_eq!(
            error("{{ $x☺ }}").as_deref(),
            Some("bad character U+263A '☺'")
        );
        // Words are letters and decimal digits by Go's tables (checked against helm v4.1.4):
        // a letter number or a superscript is not part of one, though Rust calls both
        // alphanumeric.
        assert_eq!(texts("{{ $٣.中 }}")[2..4], ["$٣", ".中"]);
        assert_eq!(
            error("{{ Ⅻ }}").as_deref(),
            Some("unrecognized character in action: U+216B 'Ⅻ'")
        );
        assert_eq!(
            error("{{ .aⅫ }}").as_deref(),
            Some("bad character U+216B 'Ⅻ'")
        );
        assert_eq!(
            error("{{ $x² := 1 }}").as_deref(),
            Some("bad character U+00B2 '²'")
        );
    }

    #[test]
    fn an_error_ends_the_tokens_at_its_start() {
        let src = "ab{{ 1 \"x }}";
        let lexed = lex(src);
        let last = lexed.tokens.last().unwrap();
        assert_eq!(last.kind, Kind::Error);
        assert_eq!((last.span.start, last.span.end), (7, 7));
        assert_eq!(lexed.error.as_deref(), Some("unterminated quoted string"));
        assert_eq!(
            error("{{ `x }}").as_deref(),
            Some("unterminated raw quoted string")
        );
    }

    #[test]
    fn comments_close_after_their_opening() {
        assert_eq!(error("{{/*/}}").as_deref(), Some("unclosed comment"));
        assert_eq!(texts("{{/*/*/}}x"), ["x", ""]);
    }

    #[test]
    fn escapes_do_not_carry_literals_over_lines() {
        let cases = [
            ("{{ \"a\\\nb\" }}", "unterminated quoted string"),
            ("{{ '\\\n' }}", "unterminated character constant"),
            ("{{ \"a\\", "unterminated quoted string"),
        ];
        for (src, want) in cases {
            assert_eq!(error(src).as_deref(), Some(want), "{src:?}");
        }
        assert_eq!(texts("{{ \"\\\"é\\é\" }}")[2], "\"\\\"é\\é\"");
    }

    #[test]
    fn errors_name_characters_as_go_sharp_u() {
        let cases = [
            (
                "{{ \u{263a} }}",
                "unrecognized character in action: U+263A '\u{263a}'",
            ),
            ("{{ \u{1} }}", "unrecognized character in action: U+0001"),
            ("{{ 3x }}", "bad number syntax: \"3x\""),
            ("{{ 3é }}", "bad number syntax: \"3é\""),
        ];
        for (src, want) in cases {
            assert_eq!(error(src).as_deref(), Some(want), "{src:?}");
        }
    }

    #[test]
    fn tokens_are_described_with_go_quoting() {
        let token = Token {
            kind: Kind::String,
            span: Span { start: 0, end: 0 },
        };
        assert_eq!(token.describe("a\u{7f}"), "\"a\\x7f\"");
        assert_eq!(token.describe("0123456789ab"), "\"0123456789\"...");
    }
}
