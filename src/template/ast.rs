//! The parse tree of a template, shaped like Go's `text/template/parse` nodes.
//!
//! Positions are byte offsets into the template text; line and column are computed only when
//! an error is reported. `Display` renders nodes as Go's `String()` does, for the `at <...>` part
//! of execution errors.

use super::value::Value;
use std::fmt;

/// A list of nodes (a template body, a branch).
pub type List = Vec<Node>;

#[derive(Debug)]
pub enum Node {
    Text(Box<str>),
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
    pub pos: usize,
    pub name: String,
    pub pipe: Option<Pipe>,
}

/// A pipeline: optional variable declarations, then commands joined by `|`.
#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    /// `$x = ...` rather than `$x := ...`.
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

#[derive(Debug)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Operand>,
}

#[derive(Debug)]
pub enum Operand {
    /// `.A.B`
    Field {
        pos: usize,
        idents: Vec<String>,
    },
    /// `$x.A.B` (`fields` empty for a bare variable)
    Variable {
        pos: usize,
        name: String,
        fields: Vec<String>,
    },
    /// `(pipeline).A.B` and other field chains on a term
    Chain {
        pos: usize,
        node: Box<Operand>,
        fields: Vec<String>,
    },
    /// A function name.
    Identifier {
        pos: usize,
        name: String,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    Str {
        pos: usize,
        /// The literal as written (for messages).
        quoted: Box<str>,
        /// The Go string it stands for (`\xff` escapes make bytes that need not be UTF-8).
        value: Value,
    },
    Pipe(Box<Pipe>),
}

impl Operand {
    pub fn pos(&self) -> usize {
        match self {
            Operand::Field { pos, .. }
            | Operand::Variable { pos, .. }
            | Operand::Chain { pos, .. }
            | Operand::Identifier { pos, .. }
            | Operand::Dot(pos)
            | Operand::Nil(pos)
            | Operand::Bool(pos, _)
            | Operand::Number(pos, _)
            | Operand::Str { pos, .. } => *pos,
            Operand::Pipe(p) => p.pos,
        }
    }
}

/// A number literal with every Go reading of it that is exact (as `parse.NumberNode`).
#[derive(Debug)]
pub struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    pub is_char: bool,
    pub is_complex: bool,
    /// The imaginary part of a complex literal such as `1i`.
    pub imag: f64,
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} := ", self.decl.join(", "))?;
        }
        for (i, cmd) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{cmd}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match arg {
                Operand::Pipe(p) => write!(f, "({p})")?,
                other => write!(f, "{other}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field { idents, .. } => {
                for id in idents {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Operand::Variable { name, fields, .. } => {
                f.write_str(name)?;
                for id in fields {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Operand::Chain { node, fields, .. } => {
                match node.as_ref() {
                    Operand::Pipe(p) => write!(f, "({p})")?,
                    other => write!(f, "{other}")?,
                }
                for id in fields {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Operand::Identifier { name, .. } => f.write_str(name),
            Operand::Dot(_) => f.write_str("."),
            Operand::Nil(_) => f.write_str("nil"),
            Operand::Bool(_, b) => write!(f, "{b}"),
            Operand::Number(_, n) => f.write_str(&n.text),
            Operand::Str { quoted, .. } => f.write_str(quoted),
            Operand::Pipe(p) => write!(f, "{p}"),
        }
    }
}

/// Whether a body holds only whitespace text (Go's `IsEmptyTree`): such a definition never
/// replaces an existing one.
pub fn is_empty_list(list: &List) -> bool {
    list.iter().all(|node| match node {
        Node::Text(t) => t.trim().is_empty(),
        _ => false,
    })
}
