//! Go's `text/template/parse` rules: actions, pipelines, control structures, `define`/`block`,
//! variable scoping checked at parse time, and Go's error messages.

use super::ast::{
    is_empty_list, Branch, Command, Heap, List, Node, Number, Operand, Pipe, Pos, Shown, Span,
    TemplateCall,
};
use super::funcs::FuncMap;
use super::lexer::{lex, line_at, Keyword, Kind, Lexed, Token};
use super::value::{go_text, Value};
use crate::go::strconv;
use std::collections::HashMap;
use std::sync::Arc;

/// A parse failure: the 1-based line and Go's message (without the `template: NAME:LINE: `
/// prefix, which the caller adds with the file's name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// A parsed template text: the body of the text itself and the templates it defines
/// (`define` and `block`), in order of appearance, with the text their spans are of.
#[derive(Debug)]
pub struct Parsed {
    pub source: Arc<str>,
    pub root: Arc<List>,
    pub defines: Vec<(String, Arc<List>)>,
}

impl Parsed {
    /// The heap the tree holds besides its text's bytes, near enough to budget a cache by:
    /// its lists and boxes (see [`Heap`]), its definitions' names, and the `Arc`s that share
    /// it, its text and its bodies.
    pub fn heap_bytes(&self) -> usize {
        // An `Arc`'s block: its two counts, then the value.
        let arc_counts = 2 * std::mem::size_of::<usize>();
        let arc_of_list = arc_counts + std::mem::size_of::<List>();
        let mut heap = Heap::default();
        // The shared block of the parsed template itself, and its text's beyond the bytes.
        heap.allocation(arc_counts + std::mem::size_of::<Parsed>());
        heap.allocation(arc_counts);
        heap.allocation(arc_of_list);
        heap.list(&self.root);
        for (name, body) in &self.defines {
            heap.allocation(name.len());
            heap.allocation(arc_of_list);
            heap.list(body);
        }
        heap.allocation(self.defines.capacity() * std::mem::size_of::<(String, Arc<List>)>());
        heap.bytes
    }
}

/// Parses a template text. `funcs` is consulted for Go's `function "x" not defined` check, and
/// the tree refers to the functions it calls.
pub fn parse(text: &str, funcs: &'static FuncMap) -> Result<Parsed, SyntaxError> {
    let Lexed { tokens, error } = lex(text);
    let mut p = Parser {
        source: text,
        tokens,
        lex_error: error.unwrap_or_default(),
        at: 0,
        taken: 0,
        vars: vec!["$"],
        range_depth: 0,
        depth: 0,
        funcs,
        defines: Vec::new(),
        define_at: HashMap::new(),
        nodes: Vec::new(),
        cmds: Vec::new(),
        args: Vec::new(),
    };
    let root = p.parse_root()?;
    Ok(Parsed {
        source: text.into(),
        root: Arc::new(root),
        defines: p.defines,
    })
}

struct Parser<'t> {
    source: &'t str,
    /// The tokens, ending with `Eof` or an `Error` whose message is `lex_error`.
    tokens: Vec<Token>,
    lex_error: String,
    at: usize,
    /// Where the last token taken starts (Go reports errors at its line).
    taken: Pos,
    vars: Vec<&'t str>,
    range_depth: usize,
    /// Nesting of pipelines and control structures, bounded so hostile input cannot exhaust
    /// the stack (Go bounds it too: `max expression depth exceeded`).
    depth: usize,
    funcs: &'static FuncMap,
    defines: Vec<(String, Arc<List>)>,
    /// Where each name sits in `defines`: a text of many defines is found in without
    /// searching them all (Go keeps its tree set in a map too).
    define_at: HashMap<String, usize>,
    // Lists being built, innermost last: each is moved out into a slice of its exact size
    // when complete (one allocation, no slack), and the buffers serve the whole text.
    nodes: Vec<Node>,
    cmds: Vec<Command>,
    args: Vec<Operand>,
}

type Res<T> = Result<T, SyntaxError>;

/// Deepest nesting of parentheses and control structures accepted.
const MAX_DEPTH: usize = 1000;

/// What ended an item list.
enum End {
    End,
    Else,
}

impl<'t> Parser<'t> {
    fn error<T>(&self, message: impl Into<String>) -> Res<T> {
        Err(SyntaxError {
            line: line_at(self.source, self.taken as usize),
            message: message.into(),
        })
    }

    fn next(&mut self) -> Token {
        let tok = self.peek();
        self.at += 1;
        self.taken = tok.span.start;
        tok
    }

    fn peek(&self) -> Token {
        // Past the end, the last token (EOF or an error) repeats.
        self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    /// A token's text (not an error's: its message is `lex_error`).
    fn text(&self, tok: Token) -> &'t str {
        tok.span.of(self.source)
    }

    fn backup(&mut self) {
        self.at -= 1;
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Kind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn unexpected<T>(&self, tok: Token, context: &str) -> Res<T> {
        if tok.kind == Kind::Error {
            return self.error(self.lex_error.clone());
        }
        let described = tok.describe(self.text(tok));
        self.error(format!("unexpected {described} in {context}"))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> Res<Token> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(t, context);
        }
        Ok(t)
    }

    fn parse_root(&mut self) -> Res<List> {
        let start = self.nodes.len();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let mark = self.at;
                self.next();
                if self.next_non_space().kind == Kind::Keyword(Keyword::Define) {
                    self.parse_definition()?;
                    continue;
                }
                self.at = mark;
            }
            match self.text_or_action()? {
                Item::Node(n) => self.nodes.push(n),
                Item::End => return self.error("unexpected {{end}}"),
                Item::Else => return self.error("unexpected {{else}}"),
            }
        }
        Ok(self.nodes.drain(start..).collect())
    }

    /// Runs `body` as the parse of a separate template (`define`, `block`): fresh variables
    /// and range depth.
    fn in_new_template<T>(&mut self, body: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        let vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let depth = std::mem::replace(&mut self.range_depth, 0);
        let result = body(self);
        self.vars = vars;
        self.range_depth = depth;
        result
    }

    /// The body of a `define` or `block`, up to its `{{end}}`.
    fn definition_body(&mut self, context: &str) -> Res<List> {
        self.in_new_template(|p| match p.item_list()? {
            (list, End::End) => Ok(list),
            (_, End::Else) => p.error(format!("unexpected {{{{else}}}} in {context}")),
        })
    }

    fn add_define(&mut self, name: String, list: List) -> Res<()> {
        if let Some(existing) = self
            .define_at
            .get(&name)
            .and_then(|&at| self.defines.get_mut(at))
        {
            if is_empty_list(&existing.1, self.source) {
                existing.1 = Arc::new(list);
                return Ok(());
            }
            if !is_empty_list(&list, self.source) {
                return self.error(format!(
                    "template: multiple definition of template \"{name}\""
                ));
            }
            return Ok(());
        }
        self.define_at.insert(name.clone(), self.defines.len());
        self.defines.push((name, Arc::new(list)));
        Ok(())
    }

    fn parse_definition(&mut self) -> Res<()> {
        let context = "define clause";
        let tok = self.next_non_space();
        if tok.kind != Kind::String && tok.kind != Kind::RawString {
            return self.unexpected(tok, context);
        }
        let name = self.unquote_name(tok)?;
        self.expect(Kind::RightDelim, context)?;
        let list = self.definition_body(context)?;
        self.add_define(name, list)
    }

    fn item_list(&mut self) -> Res<(List, End)> {
        let start = self.nodes.len();
        while self.peek_non_space().kind != Kind::Eof {
            let end = match self.text_or_action()? {
                Item::Node(n) => {
                    self.nodes.push(n);
                    continue;
                }
                Item::End => End::End,
                Item::Else => End::Else,
            };
            return Ok((self.nodes.drain(start..).collect(), end));
        }
        self.error("unexpected EOF")
    }

    fn text_or_action(&mut self) -> Res<Item> {
        let tok = self.next_non_space();
        match tok.kind {
            Kind::Text => Ok(Item::Node(Node::Text(tok.span))),
            Kind::LeftDelim => self.action(),
            _ => self.unexpected(tok, "input"),
        }
    }

    fn action(&mut self) -> Res<Item> {
        let tok = self.next_non_space();
        let node = match tok.kind {
            Kind::Keyword(Keyword::Block) => self.block_control()?,
            Kind::Keyword(Keyword::Break) => self.loop_control("break")?,
            Kind::Keyword(Keyword::Continue) => self.loop_control("continue")?,
            Kind::Keyword(Keyword::Else) => return self.else_control(),
            Kind::Keyword(Keyword::End) => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Item::End);
            }
            Kind::Keyword(Keyword::If) => Node::If(Box::new(self.parse_control("if")?)),
            Kind::Keyword(Keyword::Range) => Node::Range(Box::new(self.parse_control("range")?)),
            Kind::Keyword(Keyword::Template) => self.template_control()?,
            Kind::Keyword(Keyword::With) => Node::With(Box::new(self.parse_control("with")?)),
            _ => {
                self.backup();
                let pipe = self.pipeline("command", Kind::RightDelim)?;
                Node::Action(pipe)
            }
        };
        Ok(Item::Node(node))
    }

    fn loop_control(&mut self, word: &str) -> Res<Node> {
        let tok = self.next_non_space();
        if tok.kind != Kind::RightDelim {
            return self.unexpected(tok, &format!("{{{{{word}}}}}"));
        }
        if self.range_depth == 0 {
            return self.error(format!("{{{{{word}}}}} outside {{{{range}}}}"));
        }
        Ok(if word == "break" {
            Node::Break
        } else {
            Node::Continue
        })
    }

    fn else_control(&mut self) -> Res<Item> {
        let peek = self.peek_non_space();
        if matches!(
            peek.kind,
            Kind::Keyword(Keyword::If) | Kind::Keyword(Keyword::With)
        ) {
            return Ok(Item::Else);
        }
        self.expect(Kind::RightDelim, "else")?;
        Ok(Item::Else)
    }

    fn parse_control(&mut self, context: &str) -> Res<Branch> {
        let mark = self.vars.len();
        self.descend()?;
        let result = crate::stack::deep(|| self.parse_control_inner(context));
        self.depth -= 1;
        self.vars.truncate(mark);
        result
    }

    fn descend(&mut self) -> Res<()> {
        if self.depth >= MAX_DEPTH {
            return self.error("max expression depth exceeded");
        }
        self.depth += 1;
        Ok(())
    }

    fn parse_control_inner(&mut self, context: &str) -> Res<Branch> {
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let End::Else = end {
            let chained = match self.peek().kind {
                Kind::Keyword(Keyword::If) if context == "if" => Some("if"),
                Kind::Keyword(Keyword::With) if context == "with" => Some("with"),
                _ => None,
            };
            if let Some(kw) = chained {
                self.next();
                let inner = self.parse_control(kw)?;
                let node = if kw == "if" {
                    Node::If(Box::new(inner))
                } else {
                    Node::With(Box::new(inner))
                };
                else_list = Some(Box::new([node]) as List);
            } else {
                let (list, end) = self.item_list()?;
                if let End::Else = end {
                    return self.error("expected end; found {{else}}");
                }
                else_list = Some(list);
            }
        }
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, tok: Token, context: &str) -> Res<String> {
        match tok.kind {
            Kind::String | Kind::RawString => self.unquote_name(tok),
            _ => self.unexpected(tok, context),
        }
    }

    /// `"name" [pipeline]}}` after `template` or `block`.
    fn template_call(&mut self, context: &str) -> Res<TemplateCall> {
        let tok = self.next_non_space();
        let name = self.template_name(tok, context)?;
        let pipe = if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            Some(self.pipeline(context, Kind::RightDelim)?)
        } else {
            None
        };
        Ok(TemplateCall {
            pos: tok.span.start,
            name: name.into(),
            pipe,
        })
    }

    fn template_control(&mut self) -> Res<Node> {
        Ok(Node::Template(Box::new(
            self.template_call("template clause")?,
        )))
    }

    fn block_control(&mut self) -> Res<Node> {
        let context = "block clause";
        let call = self.template_call(context)?;
        let list = self.definition_body(context)?;
        self.add_define(call.name.to_string(), list)?;
        Ok(Node::Template(Box::new(call)))
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> Res<Pipe> {
        self.descend()?;
        let result = crate::stack::deep(|| self.pipeline_inner(context, end));
        self.depth -= 1;
        result
    }

    fn pipeline_inner(&mut self, context: &str, end: Kind) -> Res<Pipe> {
        let pos = self.peek_non_space().span.start;
        let mut decl = Vec::new();
        let is_assign = self.declarations(&mut decl, context)?;
        let start = self.cmds.len();
        loop {
            let tok = self.next_non_space();
            match tok.kind {
                k if k == end => {
                    self.check_pipeline(&self.cmds[start..], context)?;
                    return Ok(Pipe {
                        pos,
                        is_assign,
                        decl: decl.into_boxed_slice(),
                        cmds: self.cmds.drain(start..).collect(),
                    });
                }
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Keyword(Keyword::Nil)
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    self.cmds.push(cmd);
                }
                _ => return self.unexpected(tok, context),
            }
        }
    }

    /// Declared or assigned variables, into `decl`; whether they are assigned (`=`).
    fn declarations(&mut self, decl: &mut Vec<Span>, context: &str) -> Res<bool> {
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                return Ok(false);
            }
            let mark = self.at;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    self.next_non_space();
                    decl.push(v.span);
                    self.vars.push(self.text(v));
                    return Ok(next.kind == Kind::Assign);
                }
                Kind::Char if self.text(next) == "," => {
                    self.next_non_space();
                    decl.push(v.span);
                    self.vars.push(self.text(v));
                    if context == "range" && decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                            _ => return self.error("range can only initialize variables"),
                        }
                    }
                    return self.error(format!("too many declarations in {context}"));
                }
                _ => {
                    self.at = mark;
                    return Ok(false);
                }
            }
        }
    }

    fn check_pipeline(&self, cmds: &[Command], context: &str) -> Res<()> {
        if cmds.is_empty() {
            return self.error(format!("missing value for {context}"));
        }
        for (i, cmd) in cmds.iter().enumerate().skip(1) {
            if matches!(
                cmd.args.first(),
                Some(
                    Operand::Bool(..)
                        | Operand::Dot(_)
                        | Operand::Nil(_)
                        | Operand::Number(..)
                        | Operand::Str { .. }
                )
            ) {
                return self.error(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> Res<Command> {
        let pos = self.peek_non_space().span.start;
        let start = self.args.len();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                self.args.push(op);
            }
            let tok = self.next();
            match tok.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(tok, "operand"),
            }
            break;
        }
        if self.args.len() == start {
            return self.error("empty command");
        }
        Ok(Command {
            pos,
            args: self.args.drain(start..).collect(),
        })
    }

    fn operand(&mut self) -> Res<Option<Operand>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        // The field tokens of a chain follow each other: the chain is one span of the text.
        let chain_pos = self.peek().span.start;
        let mut fields = Span {
            start: chain_pos,
            end: chain_pos,
        };
        while self.peek().kind == Kind::Field {
            fields.end = self.next().span.end;
        }
        Ok(Some(match node {
            // Go gives the joined node the position of the chain: its second field.
            Operand::Field { chain, .. } => Operand::Field {
                pos: chain_pos,
                chain: Span {
                    start: chain.start,
                    end: fields.end,
                },
            },
            Operand::Variable {
                name, fields: own, ..
            } => Operand::Variable {
                pos: chain_pos,
                name,
                fields: Span {
                    start: own.start.min(fields.start),
                    end: fields.end,
                },
            },
            Operand::Bool(..)
            | Operand::Str { .. }
            | Operand::Number(..)
            | Operand::Nil(_)
            | Operand::Dot(_) => {
                let node = Shown(&node, self.source);
                return self.error(format!("unexpected . after term \"{node}\""));
            }
            other => Operand::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> Res<Option<Operand>> {
        let tok = self.next_non_space();
        let pos = tok.span.start;
        let text = self.text(tok);
        Ok(Some(match tok.kind {
            Kind::Identifier => {
                let Some(func) = self.funcs.get(text) else {
                    return self.error(format!("function \"{text}\" not defined"));
                };
                Operand::Function { pos, func }
            }
            Kind::Dot => Operand::Dot(pos),
            Kind::Keyword(Keyword::Nil) => Operand::Nil(pos),
            Kind::Variable => {
                let whole = tok.span;
                let name_len = text.find('.').unwrap_or(text.len());
                let name = &text[..name_len];
                if !self.vars.contains(&name) {
                    return self.error(format!("undefined variable \"{name}\""));
                }
                let name_end = whole.start + name_len as Pos;
                Operand::Variable {
                    pos: chain_pos(pos, text, 0),
                    name: Span {
                        start: whole.start,
                        end: name_end,
                    },
                    fields: Span {
                        start: name_end,
                        end: whole.end,
                    },
                }
            }
            Kind::Field => Operand::Field {
                pos: chain_pos(pos, text, 1),
                chain: tok.span,
            },
            Kind::Bool => Operand::Bool(pos, text == "true"),
            Kind::CharConstant | Kind::Number => {
                let is_char = tok.kind == Kind::CharConstant;
                let number = match parse_number(text, tok.span, is_char) {
                    Ok(n) => n,
                    Err(msg) => return self.error(msg),
                };
                Operand::Number(pos, Box::new(number))
            }
            Kind::LeftParen => {
                let pipe = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                Operand::Pipe(Box::new(pipe))
            }
            Kind::String | Kind::RawString => {
                let value = self.unquote(tok)?;
                Operand::Str {
                    pos,
                    quoted: tok.span,
                    value: Value::go_string(value),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    /// A string literal's bytes (`\x` and octal escapes write single bytes, as in Go).
    fn unquote(&self, tok: Token) -> Res<Vec<u8>> {
        match unquote(self.text(tok)) {
            Some(s) => Ok(s),
            None => self.error("invalid syntax"),
        }
    }

    /// A template name's literal, as text.
    fn unquote_name(&self, tok: Token) -> Res<String> {
        self.unquote(tok).map(|name| go_text(&name).into_owned())
    }
}

enum Item {
    Node(Node),
    End,
    Else,
}

/// Where Go places a field or variable chain (`.a.b`, `$x.a`) that starts at `pos`: at its
/// second part, the first `.` found from byte `from` of its text; a lone part stays at `pos`.
fn chain_pos(pos: Pos, text: &str, from: usize) -> Pos {
    text.get(from..)
        .and_then(|rest| rest.find('.'))
        .map_or(pos, |dot| pos + (from + dot) as Pos)
}

/// Go's `strconv.Unquote` for `"..."` and `` `...` `` literals.
pub fn unquote(text: &str) -> Option<Vec<u8>> {
    if let Some(raw) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        return Some(raw.replace('\r', "").into_bytes());
    }
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        // Most literals: no escapes, the bytes as written.
        return Some(inner.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            '\\' => unescape(&mut chars, '"')?,
            c => Escape::Rune(c),
        };
        match c {
            Escape::Rune(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Escape::Byte(b) => out.push(b),
        }
    }
    Some(out)
}

/// What an escape sequence stands for: a rune (`\n`, `\u00e9`) or, for `\x` and octal
/// escapes, one byte (a rune of that value in a character literal).
enum Escape {
    Rune(char),
    Byte(u8),
}

impl Escape {
    fn rune(self) -> char {
        match self {
            Escape::Rune(c) => c,
            Escape::Byte(b) => char::from(b),
        }
    }
}

/// One escape sequence after the backslash.
fn unescape(chars: &mut std::str::Chars<'_>, quote: char) -> Option<Escape> {
    let c = chars.next()?;
    Some(Escape::Rune(match c {
        'a' => '\u{7}',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{b}',
        '\\' => '\\',
        c if c == quote => c,
        'x' => return Some(Escape::Byte(u8::try_from(hex_value(chars, 2)?).ok()?)),
        'u' => char::from_u32(hex_value(chars, 4)?)?,
        'U' => char::from_u32(hex_value(chars, 8)?)?,
        '0'..='7' => {
            let mut v = c.to_digit(8)?;
            for _ in 0..2 {
                v = v * 8 + chars.next()?.to_digit(8)?;
            }
            return Some(Escape::Byte(u8::try_from(v).ok()?));
        }
        _ => return None,
    }))
}

fn hex_value(chars: &mut std::str::Chars<'_>, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..n {
        v = v.checked_mul(16)? + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

/// Go's `parse.newNumber`: every exact reading of a number or character literal `text`
/// (which is at `span`).
fn parse_number(text: &str, span: Span, is_char: bool) -> Result<Number, String> {
    let mut n = Number {
        text: span,
        int: None,
        uint: None,
        float: None,
        is_char,
        is_complex: false,
        imag: 0.0,
    };
    if is_char {
        let inner = text
            .strip_prefix('\'')
            .and_then(|t| t.strip_suffix('\''))
            .ok_or_else(|| "malformed character constant".to_string())?;
        let mut chars = inner.chars();
        let c = match chars.next() {
            Some('\\') => unescape(&mut chars, '\'').ok_or("invalid syntax")?.rune(),
            Some(c) => c,
            None => return Err(format!("malformed character constant: {text}")),
        };
        if chars.next().is_some() {
            return Err(format!("malformed character constant: {text}"));
        }
        let v = c as u32;
        n.int = Some(v as i64);
        n.uint = Some(v as u64);
        n.float = Some(v as f64);
        return Ok(n);
    }
    if let Some(imag) = text.strip_suffix('i') {
        n.is_complex = true;
        n.imag =
            strconv::parse_float(imag).map_err(|_| format!("illegal number syntax: \"{text}\""))?;
        return Ok(n);
    }
    n.uint = strconv::parse_uint(text, 0).ok();
    n.int = strconv::parse_int(text, 0).ok();
    if n.int == Some(0) {
        n.uint = Some(0);
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Ok(f) = strconv::parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: \"{text}\""));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && f.abs() < 9.2e18 {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!("illegal number syntax: \"{text}\""));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::helm_funcs;

    /// A literal's readings, as the parser makes them.
    fn number(text: &str, is_char: bool) -> Result<Number, String> {
        let whole = Span {
            start: 0,
            end: text.len() as Pos,
        };
        parse_number(text, whole, is_char)
    }

    fn err(src: &str) -> String {
        parse(src, helm_funcs()).unwrap_err().message
    }

    #[test]
    fn go_parse_errors() {
        assert_eq!(err("{{ }}"), "missing value for command");
        assert_eq!(
            err("{{ \"a\" | \"b\" }}"),
            "non executable command in pipeline stage 2"
        );
        assert_eq!(err("{{ if 1 }}"), "unexpected EOF");
        assert_eq!(err("{{ $nope }}"), "undefined variable \"$nope\"");
        assert_eq!(err("{{ else }}"), "unexpected {{else}}");
        assert_eq!(err("{{ break }}"), "{{break}} outside {{range}}");
        assert_eq!(
            err("{{ if 1 }}{{ else with 2 }}{{ end }}"),
            "unexpected <with> in input"
        );
        assert_eq!(err("{{ .Values.0 }}"), "unexpected \".0\" in operand");
        assert_eq!(err("{{ nofunc 1 }}"), "function \"nofunc\" not defined");
        assert_eq!(err("{{ .Values.a\n"), "unclosed action");
        assert_eq!(err("{{ (print 1 }}"), "unclosed left paren");
    }

    #[test]
    fn numbers_as_go_reads_them() {
        let n = number("0x1F", false).unwrap();
        assert_eq!(n.int, Some(31));
        let n = number("1_000", false).unwrap();
        assert_eq!(n.int, Some(1000));
        let n = number("0x1p4", false).unwrap();
        assert_eq!(n.float, Some(16.0));
        let n = number("1e3", false).unwrap();
        assert_eq!((n.int, n.float), (Some(1000), Some(1000.0)));
        let n = number("'a'", true).unwrap();
        assert_eq!(n.int, Some(97));
        assert_eq!(number("012", false).unwrap().int, Some(10));
        // `+` is ParseInt's, not ParseUint's; the imaginary part is ParseFloat's (decimal).
        let n = number("+5", false).unwrap();
        assert_eq!((n.int, n.uint), (Some(5), None));
        assert_eq!(number("012i", false).unwrap().imag, 12.0);
        assert!(number("0x1Fi", false).is_err());
        assert!(number("1e400", false).is_err());
    }

    #[test]
    fn defines_are_collected() {
        let p = parse(
            "{{ define \"a\" }}x{{ end }}y{{ block \"b\" . }}z{{ end }}",
            helm_funcs(),
        )
        .unwrap();
        let names: Vec<_> = p.defines.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(p.root.len(), 2);
    }

    /// Go's redefinition rules hold among many defines (found by name, not by a search of
    /// all of them, which made 200,000 defines a minute's parse): an empty body gives way to a
    /// full one, a second full body is refused, and the first-seen order stays.
    #[test]
    fn redefinitions_are_found_among_many_defines() {
        let many: String = (0..100_000)
            .map(|i| format!("{{{{ define \"d{i}\" }}}}{{{{ end }}}}"))
            .collect();
        let p = parse(
            &format!("{many}{{{{ define \"d7\" }}}}seven{{{{ end }}}}"),
            helm_funcs(),
        )
        .unwrap();
        assert_eq!(p.defines.len(), 100_000);
        assert_eq!(p.defines[7].0, "d7");
        assert_eq!(p.defines[7].1.len(), 1);
        let twice = format!(
            "{many}{{{{ define \"d9\" }}}}a{{{{ end }}}}{{{{ define \"d9\" }}}}b{{{{ end }}}}"
        );
        let err = parse(&twice, helm_funcs()).unwrap_err();
        assert_eq!(
            err.message,
            "template: multiple definition of template \"d9\""
        );
    }
}
