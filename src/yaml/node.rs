//! The loaded YAML tree.

use super::resolve::{resolve, Resolved};

/// How a scalar was written in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar as written: its text after unescaping/folding, its style and its explicit tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
    /// The explicit tag, with the standard prefix shortened to `!!` (`!!str`, `!!int`, `!custom`).
    pub tag: Option<String>,
}

impl Scalar {
    pub fn plain(text: impl Into<String>) -> Self {
        Scalar {
            text: text.into(),
            style: ScalarStyle::Plain,
            tag: None,
        }
    }

    /// The scalar's value by YAML 1.1 rules, as go-yaml v2 (Helm, Kubernetes) reads it.
    pub fn resolve(&self) -> Result<Resolved, super::YamlError> {
        resolve(self)
    }
}

/// A YAML node; mappings keep their entries in source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    Mapping(Vec<(Node, Node)>),
}

impl Node {
    /// The empty plain scalar, which YAML reads as null (an empty document, a key with no value).
    pub fn null() -> Self {
        Node::Scalar(Scalar::plain(""))
    }

    /// True for a scalar that resolves to null (`~`, `null`, empty).
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Scalar(s) if matches!(s.resolve(), Ok(Resolved::Null)))
    }

    /// The text of a scalar node, whatever its style.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The value of `key` in a mapping whose keys are scalars; the last entry wins, as in go-yaml.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Mapping(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}
