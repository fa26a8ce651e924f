//! The parse tree of a template, shaped like Go's `text/template/parse` nodes.
//!
//! The tree is compact because a process keeps thousands of them in its parse cache: names,
//! literals and text are [`Span`]s of the template text, which the parsed template holds once
//! (`parser::Parsed::source`), so a tree allocates only its lists and boxes; positions are byte
//! offsets (32-bit: the parser refuses larger texts), turned into line and column only when an
//! error is reported. [`Shown`] renders nodes as Go's `String()` does, for the `at <...>` part
//! of execution errors.

use super::funcs::Func;
use super::value::Value;
use std::fmt;

/// A byte offset in the template text.
pub type Pos = u32;

/// A range of bytes of the template text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    /// The text the span covers in `source`, the text its tree was parsed from.
    pub fn of(self, source: &str) -> &str {
        source
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The first name of a field chain (`.a.b`) and the rest of the chain (`.b`); none when
    /// the chain is empty. Spans, not text: the caller reads them where it can borrow.
    pub fn first_field(self, source: &str) -> Option<(Span, Span)> {
        let names = self.of(source).strip_prefix('.')?;
        let end = self.start + 1 + names.find('.').unwrap_or(names.len()) as Pos;
        let name = Span {
            start: self.start + 1,
            end,
        };
        Some((name, Span { start: end, ..self }))
    }
}

/// A list of nodes (a template body, a branch).
pub type List = Box<[Node]>;

#[derive(Debug)]
pub enum Node {
    Text(Span),
    /// `{{pipeline}}`
    Action(Pipe),
    If(Box<Branch>),
    With(Box<Branch>),
    Range(Box<Branch>),
    /// `{{template "name" pipeline}}` (and the call half of `{{block}}`)
    Template(Box<TemplateCall>),
    Break,
    Continue,
}

#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

#[derive(Debug)]
pub struct TemplateCall {
    pub pos: Pos,
    /// The unquoted name (escapes make it differ from its literal).
    pub name: Box<str>,
    pub pipe: Option<Pipe>,
}

/// A pipeline: optional variable declarations, then commands joined by `|`.
#[derive(Debug)]
pub struct Pipe {
    pub pos: Pos,
    /// `$x = ...` rather than `$x := ...`.
    pub is_assign: bool,
    pub decl: Box<[Span]>,
    pub cmds: Box<[Command]>,
}

#[derive(Debug)]
pub struct Command {
    pub pos: Pos,
    pub args: Box<[Operand]>,
}

#[derive(Debug)]
pub enum Operand {
    /// `.A.B` (its names read with [`Span::first_field`])
    Field {
        pos: Pos,
        chain: Span,
    },
    /// `$x.A.B` (`fields` empty for a bare variable)
    Variable {
        pos: Pos,
        name: Span,
        fields: Span,
    },
    /// `(pipeline).A.B` and other field chains on a term
    Chain {
        pos: Pos,
        node: Box<Operand>,
        fields: Span,
    },
    /// A function, found when parsing (the parser refuses names that are not defined).
    Function {
        pos: Pos,
        func: &'static Func,
    },
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    Number(Pos, Box<Number>),
    Str {
        pos: Pos,
        /// The literal as written (for messages).
        quoted: Span,
        /// The Go string it stands for (`\xff` escapes make bytes that need not be UTF-8).
        value: Value,
    },
    Pipe(Box<Pipe>),
}

impl Operand {
    pub fn pos(&self) -> usize {
        let pos = match self {
            Operand::Field { pos, .. }
            | Operand::Variable { pos, .. }
            | Operand::Chain { pos, .. }
            | Operand::Function { pos, .. }
            | Operand::Dot(pos)
            | Operand::Nil(pos)
            | Operand::Bool(pos, _)
            | Operand::Number(pos, _)
            | Operand::Str { pos, .. } => *pos,
            Operand::Pipe(p) => p.pos,
        };
        pos as usize
    }
}

/// A number literal with every Go reading of it that is exact (as `parse.NumberNode`).
#[derive(Debug)]
pub struct Number {
    pub text: Span,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    pub is_char: bool,
    pub is_complex: bool,
    /// The imaginary part of a complex literal such as `1i`.
    pub imag: f64,
}

/// A node that renders as Go prints it, given the text it was parsed from.
pub trait Render {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// A node with its template text, to display.
pub struct Shown<'a, T: ?Sized>(pub &'a T, pub &'a str);

impl<T: Render + ?Sized> fmt::Display for Shown<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.render(self.1, f)
    }
}

/// The node Go's executor last marked with `state.at`: an execution error is placed at it
/// and shows it in its `at <...>`, whichever node the failing step itself was about.
#[derive(Clone, Copy, Debug)]
pub enum At<'t> {
    Template(&'t TemplateCall),
    Pipe(&'t Pipe),
    Command(&'t Command),
    Operand(&'t Operand),
}

impl At<'_> {
    /// The node's byte offset in its template text (Go's `Node.Position`).
    pub fn pos(self) -> usize {
        match self {
            At::Template(call) => call.pos as usize,
            At::Pipe(pipe) => pipe.pos as usize,
            At::Command(cmd) => cmd.pos as usize,
            At::Operand(op) => op.pos(),
        }
    }
}

impl Render for At<'_> {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Template(call) => call.render(source, f),
            At::Pipe(pipe) => pipe.render(source, f),
            At::Command(cmd) => cmd.render(source, f),
            At::Operand(op) => op.render(source, f),
        }
    }
}

impl Render for Pipe {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.decl.iter().enumerate() {
            f.write_str(if i > 0 { ", " } else { "" })?;
            f.write_str(name.of(source))?;
        }
        if !self.decl.is_empty() {
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, cmd) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            cmd.render(source, f)?;
        }
        Ok(())
    }
}

impl Render for Command {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            arg.render_as_argument(source, f)?;
        }
        Ok(())
    }
}

impl Operand {
    /// As an argument or chain receiver: a pipeline in its parentheses.
    fn render_as_argument(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Pipe(p) => write!(f, "({})", Shown(p.as_ref(), source)),
            other => other.render(source, f),
        }
    }
}

impl Render for Operand {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field { chain: text, .. } | Operand::Str { quoted: text, .. } => {
                f.write_str(text.of(source))
            }
            Operand::Number(_, number) => number.render(source, f),
            Operand::Variable { name, fields, .. } => {
                f.write_str(name.of(source))?;
                f.write_str(fields.of(source))
            }
            Operand::Chain { node, fields, .. } => {
                node.render_as_argument(source, f)?;
                f.write_str(fields.of(source))
            }
            Operand::Function { func, .. } => f.write_str(func.name),
            Operand::Dot(_) => f.write_str("."),
            Operand::Nil(_) => f.write_str("nil"),
            Operand::Bool(_, b) => write!(f, "{b}"),
            Operand::Pipe(p) => p.render(source, f),
        }
    }
}

impl Render for Number {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text.of(source))
    }
}

/// Go's `TemplateNode.String`: `{{template "NAME" PIPELINE}}`, the name Go-quoted.
impl Render for TemplateCall {
    fn render(&self, source: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{{template {}", crate::go::strconv::quote(&self.name))?;
        if let Some(pipe) = &self.pipe {
            write!(f, " {}", Shown(pipe, source))?;
        }
        f.write_str("}}")
    }
}

/// Whether a body holds only whitespace text (Go's `IsEmptyTree`): such a definition never
/// replaces an existing one.
pub fn is_empty_list(list: &[Node], source: &str) -> bool {
    list.iter().all(|node| match node {
        Node::Text(t) => t.of(source).trim().is_empty(),
        _ => false,
    })
}

/// Sums the heap a tree holds, near enough to budget a cache by: every list and box it owns,
/// each allocation with the allocator's own overhead (spans hold nothing of their own).
#[derive(Default)]
pub struct Heap {
    pub bytes: usize,
}

impl Heap {
    /// A malloc'ed block's header and rounding, on average.
    const PER_ALLOCATION: usize = 16;

    pub fn allocation(&mut self, bytes: usize) {
        if bytes > 0 {
            self.bytes += bytes + Self::PER_ALLOCATION;
        }
    }

    pub fn slice<T>(&mut self, items: &[T]) {
        self.allocation(std::mem::size_of_val(items));
    }

    pub fn list(&mut self, list: &[Node]) {
        self.slice(list);
        for node in list {
            match node {
                Node::Action(pipe) => self.pipe(pipe),
                Node::If(branch) | Node::With(branch) | Node::Range(branch) => {
                    self.allocation(std::mem::size_of::<Branch>());
                    self.pipe(&branch.pipe);
                    self.list(&branch.list);
                    if let Some(else_list) = &branch.else_list {
                        self.list(else_list);
                    }
                }
                Node::Template(call) => {
                    self.allocation(std::mem::size_of::<TemplateCall>());
                    self.allocation(call.name.len());
                    if let Some(pipe) = &call.pipe {
                        self.pipe(pipe);
                    }
                }
                Node::Text(_) | Node::Break | Node::Continue => {}
            }
        }
    }

    fn pipe(&mut self, pipe: &Pipe) {
        self.slice(&pipe.decl);
        self.slice(&pipe.cmds);
        for command in pipe.cmds.iter() {
            self.slice(&command.args);
            command.args.iter().for_each(|arg| self.operand(arg));
        }
    }

    fn operand(&mut self, operand: &Operand) {
        match operand {
            Operand::Chain { node, .. } => {
                self.allocation(std::mem::size_of::<Operand>());
                self.operand(node);
            }
            Operand::Number(..) => self.allocation(std::mem::size_of::<Number>()),
            // An `Arc`'s block: its two counts, then the bytes.
            Operand::Str { value, .. } => self.allocation(
                value
                    .string_bytes()
                    .map_or(0, |bytes| 2 * std::mem::size_of::<usize>() + bytes.len()),
            ),
            Operand::Pipe(pipe) => {
                self.allocation(std::mem::size_of::<Pipe>());
                self.pipe(pipe);
            }
            Operand::Field { .. }
            | Operand::Variable { .. }
            | Operand::Function { .. }
            | Operand::Dot(_)
            | Operand::Nil(_)
            | Operand::Bool(..) => {}
        }
    }
}
