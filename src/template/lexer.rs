//! Tokens of Go's `text/template`, with Go's rules for trim markers, comments and literals.
//!
//! The whole text is lexed up front; a lexical error becomes an `Error` token at the point where
//! Go's lexer would report it, so the parser reports whichever error Go would meet first.

use crate::go::strconv;
use std::borrow::Cow;

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

/// One token: its kind, its text (for `Error`, the message) and where it starts. The text is
/// borrowed from the template text (only an error message is owned): the parser takes and
/// peeks at tokens by copy, and a template has thousands of them.
#[derive(Clone, Debug)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: Cow<'a, str>,
    /// Byte offset in the template text.
    pub pos: usize,
    /// 1-based line of the token's start.
    pub line: usize,
}

impl Token<'_> {
    /// Go's rendering of a token in `unexpected X in Y` messages.
    pub fn describe(&self) -> String {
        match self.kind {
            Kind::Eof => "EOF".to_string(),
            Kind::Error => self.text.to_string(),
            Kind::Keyword(_) => format!("<{}>", self.text),
            _ if self.text.chars().count() > 10 => {
                let short: String = self.text.chars().take(10).collect();
                format!("{}...", strconv::quote(&short))
            }
            _ => strconv::quote(&self.text),
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Lexes the whole text.
pub fn lex(input: &str) -> Vec<Token<'_>> {
    let mut lx = Lexer {
        input,
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
        tokens: Vec::new(),
        paren_depth: 0,
    };
    lx.run();
    lx.tokens
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    tokens: Vec<Token<'a>>,
    paren_depth: usize,
}

enum Flow {
    Continue,
    Stop,
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn emit(&mut self, kind: Kind) {
        let input: &'a str = self.input;
        self.tokens.push(Token {
            kind,
            text: Cow::Borrowed(&input[self.start..self.pos]),
            pos: self.start,
            line: self.start_line,
        });
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, message: String) -> Flow {
        self.tokens.push(Token {
            kind: Kind::Error,
            text: Cow::Owned(message),
            pos: self.start,
            line: self.start_line,
        });
        Flow::Stop
    }

    fn advance_to(&mut self, pos: usize) {
        self.line += self.input[self.pos..pos]
            .bytes()
            .filter(|&b| b == b'\n')
            .count();
        self.pos = pos;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.next_char();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
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
        let Some(offset) = self.rest().find(LEFT) else {
            self.advance_to(self.input.len());
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.emit(Kind::Eof);
            return Flow::Stop;
        };
        let delim_at = self.pos + offset;
        let after = &self.input[delim_at + LEFT.len()..];
        let trim = has_left_trim_marker(after);
        let text_end = if trim {
            let text = &self.input[self.pos..delim_at];
            delim_at - (text.len() - text.trim_end_matches(|c: char| is_space(c as u8)).len())
        } else {
            delim_at
        };
        self.advance_to(text_end);
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.advance_to(delim_at);
        self.ignore_to_here();
        self.lex_left_delim()
    }

    fn ignore_to_here(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn lex_left_delim(&mut self) -> Flow {
        self.advance_to(self.pos + LEFT.len());
        let trim = has_left_trim_marker(self.rest());
        let after_marker = if trim { 2 } else { 0 };
        if self.rest()[after_marker..].starts_with("/*") {
            self.advance_to(self.pos + after_marker);
            self.ignore_to_here();
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.advance_to(self.pos + after_marker);
        self.ignore_to_here();
        self.paren_depth = 0;
        self.lex_inside_action()
    }

    fn lex_comment(&mut self) -> Flow {
        let Some(end) = self.rest().find("*/") else {
            return self.error("unclosed comment".into());
        };
        self.advance_to(self.pos + end + 2);
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
            self.advance_to(self.pos + 2);
            self.ignore_to_here();
        }
        self.advance_to(self.pos + RIGHT.len());
        if emit {
            self.emit(Kind::RightDelim);
        }
        if trim {
            let rest = self.rest();
            let skip = rest.len() - rest.trim_start_matches(|c: char| is_space(c as u8)).len();
            self.advance_to(self.pos + skip);
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
                    if c == '\n' {
                        self.line -= 1;
                    }
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
                '"' => self.lex_escaped('"', Kind::String, "unterminated quoted string"),
                '`' => self.lex_raw_quote(),
                '$' => self.lex_variable(),
                '\'' => {
                    self.lex_escaped('\'', Kind::CharConstant, "unterminated character constant")
                }
                '.' if !matches!(self.peek(), Some('0'..='9')) => {
                    self.lex_field_or_variable(Kind::Field)
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos = self.start;
                    self.line = self.start_line;
                    self.lex_number()
                }
                c if is_alnum(c) => {
                    self.pos = self.start;
                    self.line = self.start_line;
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
        let mut count = 0;
        while let Some(c) = self.peek() {
            if !(c.is_ascii() && is_space(c as u8)) {
                break;
            }
            self.next_char();
            count += 1;
        }
        // A space directly before `-}}` belongs to the trim marker.
        let before = &self.input[self.pos - 1..];
        if has_right_trim_marker(before) && before[2..].starts_with(RIGHT) {
            self.pos -= 1;
            if &self.input[self.pos..self.pos + 1] == "\n" {
                self.line -= 1;
            }
            if count == 1 {
                return;
            }
        }
        self.emit(Kind::Space);
    }

    /// A quoted literal with backslash escapes, ending at `close` on the same line.
    fn lex_escaped(&mut self, close: char, kind: Kind, unterminated: &str) -> Flow {
        loop {
            let c = match self.next_char() {
                Some('\\') => self.next_char().map(|_| '\\'),
                other => other,
            };
            match c {
                Some('\n') | None => return self.error(unterminated.into()),
                Some(c) if c == close => break,
                Some(_) => {}
            }
        }
        self.emit(kind);
        Flow::Continue
    }

    fn lex_raw_quote(&mut self) -> Flow {
        loop {
            match self.next_char() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(Kind::RawString);
        Flow::Continue
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
        while let Some(c) = self.peek() {
            if !is_alnum(c) {
                break;
            }
            self.next_char();
        }
        self.at_terminator()
    }

    fn bad_character(&mut self) -> Flow {
        let c = self.peek().unwrap_or('\u{0}');
        self.error(format!("bad character {}", unicode_sharp(c)))
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if c.is_ascii() && is_space(c as u8) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
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
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
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

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Kind> {
        lex(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn trim_markers_eat_surrounding_space() {
        let toks = lex("a  \n{{- 1 -}}\n  b");
        assert_eq!(toks[0].text, "a");
        assert_eq!(toks[2].text, "1");
        assert_eq!(toks[4].text, "b");
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
        let toks = lex("a {{- /* x */ -}} b");
        assert_eq!(toks[0].text, "a");
        assert_eq!(toks[1].text, "b");
    }

    #[test]
    fn lines_are_counted() {
        let toks = lex("a\nb{{\n.x }}");
        let field = toks.iter().find(|t| t.kind == Kind::Field).unwrap();
        assert_eq!(field.line, 3);
    }

    #[test]
    fn unterminated_string_is_an_error() {
        let toks = lex("{{ \"abc }}");
        assert_eq!(toks.last().unwrap().text, "unterminated quoted string");
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
        ];
        for (src, want) in cases {
            let toks = lex(src);
            let error = toks.iter().find(|t| t.kind == Kind::Error);
            assert_eq!(error.map(|t| t.text.as_ref()), Some(want), "{src:?}");
        }
    }

    #[test]
    fn tokens_are_described_with_go_quoting() {
        fn token(text: &str) -> Token<'_> {
            Token {
                kind: Kind::String,
                text: text.into(),
                pos: 0,
                line: 1,
            }
        }
        assert_eq!(token("a\u{7f}").describe(), "\"a\\x7f\"");
        assert_eq!(token("0123456789ab").describe(), "\"0123456789\"...");
    }
}
