//! YAML loading shared by every stage: values, Chart.yaml, manifests, kustomizations.
//!
//! Parsing keeps what later stages need to reproduce Go's behaviour: each scalar's source text,
//! style and tag (so `"yes"` stays a string while a plain `yes` is a YAML 1.1 boolean, as in
//! Helm and Kubernetes), and mapping order (kustomize prints fields in input order). Aliases
//! are expanded under a node budget and nesting is bounded, so hostile documents fail cleanly.

pub mod emit;
mod json;
mod load;
pub mod marshal;
mod node;
mod resolve;
mod split;

pub use json::{format_float_key, to_json};
pub use load::{load_all, load_first, load_one};
pub use node::{Node, ScalarStyle};
pub use resolve::{resolve_number, PlainNumber, Resolved};
pub use split::{split_documents, yaml_reader_documents};

use crate::budget::{LimitExceeded, LimitKind};

/// Bounds on what one load may build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes a load may produce, counting every node an alias copies.
    pub max_nodes: usize,
    /// Most scalar bytes a load may produce, counting every byte an alias copies.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_nodes: 2_000_000,
            max_bytes: 100 << 20,
        }
    }
}

/// Why a YAML text could not be loaded or converted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum YamlError {
    /// The text is not well-formed YAML (`line` and `column` are 1-based; `message` is the
    /// parser's own). Printed as go-yaml prints its error (see `go_syntax_text`).
    #[error("yaml: {}", go_syntax_text(*line, message))]
    Syntax {
        /// The problem's line.
        line: usize,
        /// The problem's column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Collections nested deeper than the limit allows (the limit).
    #[error("yaml: nesting deeper than {0} levels")]
    TooDeep(usize),
    /// Aliases that would copy more nodes than the limit allows (the limit).
    #[error("yaml: document contains excessive aliasing (more than {0} nodes)")]
    TooManyNodes(usize),
    /// Too many nodes or scalar bytes without aliases to blame, or the input's byte budget.
    #[error("yaml: {0}")]
    Limit(LimitExceeded),
    /// An alias to an anchor not defined before it.
    #[error("yaml: unknown anchor '{0}' referenced")]
    UnknownAnchor(String),
    /// An alias inside the node its anchor names.
    #[error("yaml: anchor '{0}' value contains itself")]
    AnchorInItself(String),
    /// A scalar whose explicit tag or value cannot be represented (`!!int abc`, `.inf` in JSON).
    #[error("yaml: {0}")]
    Value(String),
    /// What sigs.k8s.io/yaml refuses once go-yaml has decoded the text (a null key, a number
    /// JSON cannot hold): its own words, without go-yaml's `yaml: `.
    #[error("{0}")]
    Json(String),
    /// The bytes are not UTF-8: go-yaml's reader refuses them before any YAML is read.
    #[error("yaml: {0}")]
    Encoding(&'static str),
}

/// The bytes as text, or go-yaml's reader error (`yaml_parser_update_buffer`) for the first
/// sequence that is not UTF-8: a continuation byte or `F8`–`FF` where a character starts, a
/// sequence cut short by the end, a sequence broken by a byte that does not continue it, an
/// overlong form, a surrogate or a code point past U+10FFFF.
pub fn utf8_text(bytes: &[u8]) -> Result<&str, YamlError> {
    let e = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let seq = &bytes[e.valid_up_to()..];
    let lead = seq.first().copied().unwrap_or_default();
    let (width, bits) = match lead {
        0xC0..=0xDF => (2, lead & 0x1F),
        0xE0..=0xEF => (3, lead & 0x0F),
        0xF0..=0xF7 => (4, lead & 0x07),
        _ => return Err(YamlError::Encoding("invalid leading UTF-8 octet")),
    };
    if seq.len() < width {
        return Err(YamlError::Encoding("incomplete UTF-8 octet sequence"));
    }
    let mut value = u32::from(bits);
    for &octet in &seq[1..width] {
        if octet & 0xC0 != 0x80 {
            return Err(YamlError::Encoding("invalid trailing UTF-8 octet"));
        }
        value = value << 6 | u32::from(octet & 0x3F);
    }
    let shortest = match width {
        2 => value >= 0x80,
        3 => value >= 0x800,
        _ => value >= 0x1_0000,
    };
    if !shortest {
        return Err(YamlError::Encoding("invalid length of a UTF-8 sequence"));
    }
    Err(YamlError::Encoding("invalid Unicode character"))
}

/// The problems of yaml-rust2 worded as libyaml (and so go-yaml) words them, with whether the
/// problem is the parser's (an unexpected token) rather than the scanner's.
const GO_PROBLEMS: [(&str, &str, bool); 19] = [
    (
        "while parsing a flow sequence, expected ',' or ']'",
        "did not find expected ',' or ']'",
        true,
    ),
    (
        "while parsing a flow mapping, did not find expected ',' or '}'",
        "did not find expected ',' or '}'",
        true,
    ),
    (
        "while parsing a block mapping, did not find expected key",
        "did not find expected key",
        true,
    ),
    (
        "while parsing a block collection, did not find expected '-' indicator",
        "did not find expected '-' indicator",
        true,
    ),
    (
        "while parsing a node, did not find expected node content",
        "did not find expected node content",
        true,
    ),
    (
        "did not find expected <document-start>",
        "did not find expected <document start>",
        true,
    ),
    (
        "did not find expected <document start>",
        "did not find expected <document start>",
        true,
    ),
    (
        "duplicate version directive",
        "found duplicate %YAML directive",
        true,
    ),
    (
        "the TAG directive must only be given at most once per handle in the same document",
        "found duplicate %TAG directive",
        true,
    ),
    (
        "the handle wasn't declared",
        "found undefined tag handle",
        true,
    ),
    (
        "while scanning a quoted scalar, found unexpected end of stream",
        "found unexpected end of stream",
        false,
    ),
    (
        "while parsing a quoted scalar, found unknown escape character",
        "found unknown escape character",
        false,
    ),
    (
        // libyaml's spelling.
        "while parsing a quoted scalar, did not find expected hexadecimal number",
        "did not find expected hexdecimal number",
        false,
    ),
    ("simple key expected", "could not find expected ':'", false),
    // yaml-rust2's words for the same problem found when the key goes stale.
    (
        "simple key expect ':'",
        "could not find expected ':'",
        false,
    ),
    // A tab where libyaml wants a token or an indentation space.
    (
        "tabs disallowed within this context (block indentation)",
        "found character that cannot start any token",
        false,
    ),
    (
        "while scanning a plain scalar, found a tab",
        "found a tab character that violates indentation",
        false,
    ),
    (
        "a block scalar content cannot start with a tab",
        "found a tab character where an indentation space is expected",
        false,
    ),
    (
        "while scanning a quoted scalar, found unexpected document indicator",
        "found unexpected document indicator",
        false,
    ),
];

/// go-yaml's text for a syntax error: libyaml's problem (go-yaml's `fail` prints the problem,
/// never libyaml's "while scanning …" context), after
/// `line N: ` unless the problem is on the first line. N is the problem's 0-based line for a
/// parser error and its 1-based line for a scanner error, as go-yaml's `fail` computes it.
pub fn go_syntax_text(line: usize, message: &str) -> String {
    let (problem, parser) = match GO_PROBLEMS.iter().find(|(ours, _, _)| *ours == message) {
        Some((_, theirs, parser)) => (*theirs, *parser),
        None if message.starts_with("unexpected character: ") => {
            ("found character that cannot start any token", false)
        }
        // yaml-rust2's scanner problems with their context; libyaml's words are the same.
        None => match message.split_once(", ") {
            Some((context, problem)) if message.starts_with("while ") && !context.contains(',') => {
                (problem, false)
            }
            _ => (message, false),
        },
    };
    match line.saturating_sub(1) {
        0 => problem.to_string(),
        zero_based if parser => format!("line {zero_based}: {problem}"),
        zero_based => format!("line {}: {problem}", zero_based + 1),
    }
}

impl YamlError {
    /// The safety limit this error is, if it is one.
    pub fn limit(&self) -> Option<LimitExceeded> {
        match self {
            YamlError::TooDeep(_) => Some(LimitExceeded::new(LimitKind::YamlNesting, self)),
            YamlError::TooManyNodes(_) => Some(LimitExceeded::new(LimitKind::YamlSize, self)),
            YamlError::Limit(limit) => Some(limit.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_fail_as_go_yaml_reader_fails() {
        // go-yaml v2 `readerc.go` problems, each checked against helm v4.1.4.
        let problem = |bytes: &[u8]| utf8_text(bytes).unwrap_err().to_string();
        assert_eq!(utf8_text(b"a: \xc3\xa9").ok(), Some("a: é"));
        assert_eq!(problem(b"a: \x97"), "yaml: invalid leading UTF-8 octet");
        assert_eq!(problem(b"a: \xff"), "yaml: invalid leading UTF-8 octet");
        assert_eq!(
            problem(b"a: \xe6\x97"),
            "yaml: incomplete UTF-8 octet sequence"
        );
        assert_eq!(problem(b"a: \xe6\nb"), "yaml: invalid trailing UTF-8 octet");
        assert_eq!(
            problem(b"a: \xc0\xaf"),
            "yaml: invalid length of a UTF-8 sequence"
        );
        assert_eq!(
            problem(b"a: \xed\xa0\x80"),
            "yaml: invalid Unicode character"
        );
        assert_eq!(
            problem(b"a: \xf4\x90\x80\x80"),
            "yaml: invalid Unicode character"
        );
    }
}

#[cfg(test)]
mod go_wording_tests {
    use super::*;

    #[test]
    fn errors_are_worded_as_go_yaml_words_them() {
        // helm v4.1.4's `fromYaml` errors for the same texts.
        let error = |text: &str| {
            load_all(text, &Limits::default())
                .and_then(|docs| docs.iter().try_for_each(|d| to_json(d).map(|_| ())))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("a: !!int x"),
            "yaml: cannot decode !!str `x` as a !!int"
        );
        assert_eq!(
            error("a: !!int 1.5"),
            "yaml: cannot decode !!float `1.5` as a !!int"
        );
        assert_eq!(
            error("a: !!null x"),
            "yaml: cannot decode !!str `x` as a !!null"
        );
        assert_eq!(
            error("x: 1\nb: [*yy]\n"),
            "yaml: unknown anchor 'yy' referenced"
        );
        assert_eq!(
            error("a: &x [1, *x]"),
            "yaml: anchor 'x' value contains itself"
        );
        assert_eq!(
            error("a: 1\nb"),
            "yaml: line 3: could not find expected ':'"
        );
        assert_eq!(error("a: \"\\q\""), "yaml: found unknown escape character");
        assert_eq!(
            error("a: \"\\xZZ\""),
            "yaml: did not find expected hexdecimal number"
        );
    }

    #[test]
    fn scanner_problems_go_without_their_context() {
        // helm v4.1.4's errors for these templates: go-yaml prints libyaml's problem only.
        let error = |text: &str| load_all(text, &Limits::default()).unwrap_err().to_string();
        assert_eq!(
            error("a: |0\n"),
            "yaml: found an indentation indicator equal to 0"
        );
        assert_eq!(error("a: !<x\n"), "yaml: did not find the expected '>'");
        assert_eq!(
            error("a: &\n"),
            "yaml: did not find expected alphabetic or numeric character"
        );
        assert_eq!(
            error("%YAML 1.x\n---\na: 1\n"),
            "yaml: did not find expected version number"
        );
        assert_eq!(
            error("x: 1\ny: 2\na: !e! b\n"),
            "yaml: line 3: did not find expected tag URI"
        );
    }

    #[test]
    fn tabs_are_refused_where_libyaml_refuses_them() {
        // helm v4.1.4's errors, with libyaml's line: the tab's own.
        let error = |text: &str| load_all(text, &Limits::default()).unwrap_err().to_string();
        assert_eq!(
            error("a:\n\t- b\n"),
            "yaml: line 2: found character that cannot start any token"
        );
        assert_eq!(
            error("a:\n  b\n\tc\n"),
            "yaml: line 3: found a tab character that violates indentation"
        );
        assert_eq!(
            error("a: >\n\tx\n"),
            "yaml: line 2: found a tab character where an indentation space is expected"
        );
    }

    #[test]
    fn content_after_a_quoted_scalar_fails_where_libyaml_reads_on() {
        // helm v4.1.4's errors: the next token is one the parser, or the scanner, refuses.
        let error = |text: &str| load_all(text, &Limits::default()).unwrap_err().to_string();
        assert_eq!(error("k: \"a\" \"b\"\n"), "yaml: did not find expected key");
        assert_eq!(
            error("x: 1\ny: 2\na: 'b''c' d\n"),
            "yaml: line 2: did not find expected key"
        );
        assert_eq!(
            error("a:\n  - \"x\" y\n"),
            "yaml: line 1: did not find expected '-' indicator"
        );
        assert_eq!(
            error("a: {\"b\" \"c\"}\n"),
            "yaml: did not find expected ',' or '}'"
        );
        assert_eq!(
            error("- \"a\" - b\n"),
            "yaml: block sequence entries are not allowed in this context"
        );
    }

    #[test]
    fn blanks_yaml_rust2_wants_and_libyaml_does_not_are_supplied() {
        // helm v4.1.4 reads each of these.
        let json = |text: &str| {
            let docs = load_all(text, &Limits::default()).unwrap();
            to_json(&docs[0]).unwrap().to_string()
        };
        assert_eq!(json("a: \"b\"#c\n"), r#"{"a":"b"}"#);
        assert_eq!(json("a: [1]#c\n"), r#"{"a":[1]}"#);
        assert_eq!(json("a:\t1\n"), r#"{"a":1}"#);
        assert_eq!(json("a:\n  b: 'x\ny'\n"), r#"{"a":{"b":"x y"}}"#);
        assert_eq!(json("a: \"x\ny\"\n"), r#"{"a":"x y"}"#);
    }

    #[test]
    fn a_first_document_load_reads_nothing_after_it() {
        // go-yaml's Unmarshal, as helm reads Chart.yaml and `fromYaml`: these load.
        let first = |text: &str| {
            let doc = load_first(text, &Limits::default()).unwrap().unwrap();
            to_json(&doc).unwrap().to_string()
        };
        assert_eq!(first("  a: 1\nb: 2\n"), r#"{"a":1}"#);
        assert_eq!(first("a: b\n---\nc: d: e\n"), r#"{"a":"b"}"#);
        assert_eq!(first("a: 1\n%YAML 1.1\n---\nb: 2\n"), r#"{"a":1}"#);
        // A block scalar ending the first of two documents keeps its line break.
        assert_eq!(first("a: |\n  x\n---\nb"), r#"{"a":"x\n"}"#);
        assert_eq!(load_first("", &Limits::default()).unwrap(), None);
        assert!(load_all("  a: 1\nb: 2\n", &Limits::default()).is_err());
    }
}
