//! Builds `Node` trees from yaml-rust2's event stream.

use super::node::{Node, Scalar, ScalarStyle};
use super::{Limits, YamlError};
use crate::budget::{self, LimitKind};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

/// Loads every document of a YAML stream. An empty stream has no documents; an empty document
/// (`---` alone) is a null scalar.
pub fn load_all(text: &str, limits: &Limits) -> Result<Vec<Node>, YamlError> {
    load(text, limits, Documents::All)
}

/// Loads a stream's first document as go-yaml v2's `Unmarshal` (and so sigs.k8s.io/yaml, as
/// helm reads Chart.yaml, values and `fromYaml`) decodes it: the parser is asked for nothing
/// past that document's end, so what follows it (another document, or text that cannot start
/// one, such as a key less indented than the first) is never read. `None` for an empty stream.
pub fn load_first(text: &str, limits: &Limits) -> Result<Option<Node>, YamlError> {
    Ok(load(text, limits, Documents::First)?.into_iter().next())
}

/// How much of a stream a load reads.
#[derive(Clone, Copy, PartialEq)]
enum Documents {
    All,
    First,
}

fn load(text: &str, limits: &Limits, documents: Documents) -> Result<Vec<Node>, YamlError> {
    let (mut nodes, whole) = load_repairing(text, limits, documents)
        .map_err(|error| empty_flow_key_error(text, limits, documents, error))?;
    if whole && ends_inside_block_scalar(text) {
        if let Some(last) = nodes.last_mut() {
            unclip_final_block_scalar(last);
        }
    }
    Ok(nodes)
}

/// Whether the text's last line has no line break and holds content (not a comment), so a block
/// scalar that is the text's last node runs to its very end.
fn ends_inside_block_scalar(text: &str) -> bool {
    let last_line = text.rsplit('\n').next().unwrap_or_default().trim();
    !last_line.is_empty() && !last_line.starts_with('#')
}

/// A block scalar running to the end of a text without a final line break has no line break to
/// clip in libyaml (and so go-yaml); yaml-rust2 adds one.
fn unclip_final_block_scalar(node: &mut Node) {
    match node {
        Node::Scalar(s) => {
            if matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded)
                && s.text.ends_with('\n')
            {
                s.text.pop();
            }
        }
        Node::Sequence(items) => {
            if let Some(last) = items.last_mut() {
                unclip_final_block_scalar(last);
            }
        }
        Node::Mapping(entries) => {
            if let Some((_, v)) = entries.last_mut() {
                unclip_final_block_scalar(v);
            }
        }
    }
}

/// The documents, and whether they run to the text's end.
type Loaded = (Vec<Node>, bool);

fn load_repairing(text: &str, limits: &Limits, documents: Documents) -> Result<Loaded, YamlError> {
    let first_error = match Loader::new(limits, documents).run(text) {
        Ok(loaded) => return Ok(loaded),
        Err(e) => e,
    };
    // yaml-rust2 refuses some texts that libyaml, and so go-yaml, reads: a blank added where it
    // wants one, which libyaml's reading does not see, and the text is loaded again.
    let mut text = text.to_string();
    let mut error = first_error.clone();
    for _ in 0..MAX_REPAIRS {
        let YamlError::Syntax {
            line,
            column,
            message,
        } = &error
        else {
            break;
        };
        let repaired = match message.as_str() {
            // Lines inside a flow collection or a quoted scalar indented at or before the key
            // that holds it: libyaml ignores indentation there, where leading blanks are
            // folded away or carry no meaning.
            "invalid indentation" | "invalid indentation in flow construct" => {
                indent_line(&text, *line, *column)
            }
            "invalid indentation in quoted scalar" => indent_continuation(&text, *line),
            // A `#` right after a quoted scalar or a flow collection starts a comment in
            // libyaml (scan_to_next_token skips it wherever a token may start); a tab after
            // a `:` is the blank libyaml wants there.
            "comments must be separated from other tokens by whitespace"
            | "':' must be followed by a valid YAML whitespace" => {
                insert_blank(&text, *line, *column)
            }
            _ => None,
        };
        let Some(repaired) = repaired else {
            break;
        };
        text = repaired;
        match Loader::new(limits, documents).run(&text) {
            Ok(loaded) => return Ok(loaded),
            Err(e) => error = e,
        }
    }
    Err(first_error)
}

/// yaml-rust2's refusal of more content after a quoted scalar on its line.
const TRAILING_CONTENT: &str = "invalid trailing content after double-quoted scalar";
/// yaml-rust2's words for a tab in the indentation of a plain scalar's next line.
const PLAIN_SCALAR_TAB: &str = "while scanning a plain scalar, found a tab";
/// yaml-rust2's words for a tab in the indentation of a block scalar's content.
const BLOCK_SCALAR_TAB: &str = "a block scalar content cannot start with a tab";

/// The first line (1-based) from `line` on whose indentation holds a tab, where libyaml
/// reports a tab that breaks a scalar's indentation.
fn indentation_tab_line(text: &str, line: usize) -> usize {
    text.split('\n')
        .enumerate()
        .skip(line.saturating_sub(1))
        .find(|(_, l)| l.trim_start_matches(' ').starts_with('\t'))
        .map_or(line, |(number, _)| number + 1)
}

/// How many blanks one text may be given before its first error stands.
const MAX_REPAIRS: usize = 16;

/// The text with the first line after `line` (1-based, where a quoted scalar starts) that is
/// not blank and not indented past it indented one column past it.
fn indent_continuation(text: &str, line: usize) -> Option<String> {
    let indentation = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let pieces: Vec<&str> = text.split_inclusive('\n').collect();
    let base = indentation(pieces.get(line.checked_sub(1)?)?);
    let target = (line..pieces.len())
        .find(|&i| !pieces[i].trim().is_empty() && indentation(pieces[i]) <= base)?;
    let mut out = String::with_capacity(text.len() + base + 1);
    for (i, piece) in pieces.iter().enumerate() {
        if i == target {
            out.push_str(&" ".repeat(base + 1 - indentation(piece)));
        }
        out.push_str(piece);
    }
    Some(out)
}

/// The text with a blank inserted before the character at `line` and `column` (1-based,
/// counted in characters).
fn insert_blank(text: &str, line: usize, column: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 1);
    let mut found = false;
    for (number, piece) in text.split_inclusive('\n').enumerate() {
        if number + 1 == line {
            let at = piece
                .char_indices()
                .nth(column.checked_sub(1)?)
                .map(|(at, _)| at)?;
            out.push_str(&piece[..at]);
            out.push(' ');
            out.push_str(&piece[at..]);
            found = true;
        } else {
            out.push_str(piece);
        }
    }
    found.then_some(out)
}

/// The text with one more blank before line `line` (1-based) when only blanks come before
/// `column` (1-based) on it.
fn indent_line(text: &str, line: usize, column: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 1);
    let mut found = false;
    for (number, piece) in text.split_inclusive('\n').enumerate() {
        if number + 1 == line {
            let before = piece.get(..column.checked_sub(1)?)?;
            if !before.bytes().all(|b| b == b' ') {
                return None;
            }
            out.push(' ');
            found = true;
        }
        out.push_str(piece);
    }
    found.then_some(out)
}

/// Most empty flow collections [`empty_flow_key_error`] tries, the last ones before the error.
const MAX_EMPTY_FLOW_CANDIDATES: usize = 4;

/// yaml-rust2's complaints about a simple key that must be one (it stands at its block
/// collection's indentation) but has no ':' after it.
const REQUIRED_KEY_ERRORS: [&str; 2] = ["simple key expected", "simple key expect ':'"];

/// go-yaml's error where a line opens with an empty flow collection at its block collection's
/// indentation (`  {}` under `  key: v`, what `toYaml` of an empty value gives at a key's
/// indentation). Closing an empty flow collection makes go-yaml's scanner forget that its
/// opening bracket may start a simple key (scannerc.go's `decrease_flow_level` drops the
/// per-token entry the bracket's key was filed under, as no key inside replaced it), so the
/// bracket reaches the parser as it is: a parser error where the block collection wants its
/// next key or `-` entry, at the bracket, instead of yaml-rust2's missing ':' afterwards. A
/// stray closing bracket in its place gives yaml-rust2's parser that error at that place.
fn empty_flow_key_error(
    text: &str,
    limits: &Limits,
    documents: Documents,
    error: YamlError,
) -> YamlError {
    let YamlError::Syntax {
        line: error_line,
        message,
        ..
    } = &error
    else {
        return error;
    };
    if !REQUIRED_KEY_ERRORS.contains(&message.as_str()) {
        return error;
    }
    let mut candidates = Vec::new();
    let mut offset = 0;
    for (number, piece) in text.split_inclusive('\n').enumerate() {
        let line = number + 1;
        if line > *error_line {
            break;
        }
        let indent = piece.len() - piece.trim_start_matches(' ').len();
        let start = offset + indent;
        offset += piece.len();
        if let Some(close) = empty_flow_collection_at(text, start) {
            candidates.push((line, indent, start, close));
        }
    }
    // Each candidate costs a parse of the whole text: only those nearest the error are tried
    // (yaml-rust2 stops at the token after the collection), so a text full of `{}` lines
    // costs a few parses, not one a line.
    let nearest = candidates.len().saturating_sub(MAX_EMPTY_FLOW_CANDIDATES);
    for &(line, indent, start, close) in &candidates[nearest..] {
        let mut bare = text.to_string();
        bare.replace_range(start..start + 1, close);
        if let Err(
            found @ YamlError::Syntax {
                line: found_line,
                column,
                ..
            },
        ) = Loader::new(limits, documents).run(&bare)
        {
            if found_line == line && column == indent + 1 {
                return found;
            }
        }
    }
    error
}

/// The closing bracket of the empty flow collection (`{}`, `[ ]`, blanks and line breaks
/// allowed inside) that opens at byte `start` of `text`, if one does.
fn empty_flow_collection_at(text: &str, start: usize) -> Option<&'static str> {
    let rest = text.get(start..)?;
    let close = match rest.as_bytes().first()? {
        b'{' => "}",
        b'[' => "]",
        _ => return None,
    };
    rest[1..]
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with(close)
        .then_some(close)
}

/// What one node costs in memory besides its text, for the input's byte budget.
const NODE_BYTES: usize = std::mem::size_of::<Node>();

/// Loads a stream that holds at most one document; an empty stream is null.
pub fn load_one(text: &str, limits: &Limits) -> Result<Node, YamlError> {
    let mut docs = load_all(text, limits)?;
    match docs.len() {
        0 => Ok(Node::null()),
        1 => Ok(docs.remove(0)),
        _ => Err(YamlError::Value(
            "expected a single document in the stream".into(),
        )),
    }
}

/// What a node costs: its nodes and its scalars' bytes.
#[derive(Clone, Copy, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Collection {
    Sequence,
    Mapping,
}

/// A collection being built: its children are `Loader::children` from `start` on (a mapping's
/// alternate keys and values), so each collection is allocated once, at its exact size, when
/// it closes.
struct Open {
    kind: Collection,
    start: usize,
    /// Where its first token starts (a character index): `[` or `{` for a flow collection.
    at: usize,
    /// The anchor it will be registered under when it closes (0 for none).
    anchor: usize,
    /// Its size so far: itself and its children.
    size: Size,
}

struct Loader<'l> {
    limits: &'l Limits,
    open: Vec<Open>,
    /// The children of every open collection, innermost last.
    children: Vec<Node>,
    /// Anchored nodes with their sizes, so an alias is charged what it copies.
    anchors: HashMap<usize, (Node, Size)>,
    total: Size,
    /// Whether an alias was expanded (then a node count over the limit is alias abuse).
    aliased: bool,
    documents: Vec<Node>,
    wanted: Documents,
}

impl<'l> Loader<'l> {
    fn new(limits: &'l Limits, wanted: Documents) -> Self {
        Loader {
            wanted,
            limits,
            open: Vec::new(),
            children: Vec::new(),
            anchors: HashMap::new(),
            total: Size::default(),
            aliased: false,
            documents: Vec::new(),
        }
    }

    fn run(mut self, text: &str) -> Result<Loaded, YamlError> {
        let mut parser = Parser::new_from_str(text);
        loop {
            let next = parser.next_token();
            if let Err(e) = &next {
                // yaml-rust2 wants `...` between a document and a directive after it; go-yaml's
                // parser ends the document there, so a load of the first one is done.
                if self.wanted == Documents::First
                    && e.info() == "missing explicit document end marker before directive"
                    && self.open.is_empty()
                    && !self.documents.is_empty()
                {
                    return self.done(false);
                }
            }
            let (event, mark) = next.map_err(|e| {
                if e.info() == "while parsing node, found unknown anchor" {
                    // go-yaml's decoder finds it, and names it without a line.
                    return YamlError::UnknownAnchor(alias_name(text, e.marker().index()));
                }
                let message = match e.info() {
                    TRAILING_CONTENT => self.trailing_content_problem(text, e.marker().index()),
                    other => other,
                };
                YamlError::Syntax {
                    line: match message {
                        // libyaml reports an unterminated scalar where the text ends.
                        m if m.ends_with("found unexpected end of stream") => {
                            text.matches('\n').count() + 1
                        }
                        // libyaml marks the tab; yaml-rust2 the scalar it breaks.
                        PLAIN_SCALAR_TAB | BLOCK_SCALAR_TAB => {
                            indentation_tab_line(text, e.marker().line())
                        }
                        _ => e.marker().line(),
                    },
                    column: e.marker().col() + 1,
                    message: message.to_string(),
                }
            })?;
            match event {
                Event::StreamEnd => return self.done(true),
                Event::DocumentEnd if self.wanted == Documents::First => {
                    // An implicit end is marked where the next token starts.
                    return self.done(mark.index() >= text.chars().count());
                }
                Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                }
                Event::Alias(id) => {
                    // The parser knows every anchor defined so far: one not finished yet is
                    // the alias's own ancestor.
                    let Some(&(_, size)) = self.anchors.get(&id) else {
                        return Err(YamlError::AnchorInItself(alias_name(text, mark.index())));
                    };
                    self.aliased = true;
                    // Charged before the copy is made.
                    self.charge(size)?;
                    if let Some((node, _)) = self.anchors.get(&id) {
                        let node = node.clone();
                        self.finish(node, size, 0)?;
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let size = Size {
                        nodes: 1,
                        bytes: text.len(),
                    };
                    self.charge(size)?;
                    let scalar = Scalar {
                        text,
                        style: scalar_style(style),
                        tag: tag.map(tag_name),
                    };
                    self.finish(Node::Scalar(scalar), size, anchor)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.open_collection(Collection::Sequence, anchor, mark.index())?
                }
                Event::MappingStart(anchor, _) => {
                    self.open_collection(Collection::Mapping, anchor, mark.index())?
                }
                Event::SequenceEnd | Event::MappingEnd => self.close_collection()?,
            }
        }
    }

    /// libyaml's problem where yaml-rust2 refuses content after a quoted scalar on its line
    /// (at character `at`): libyaml reads on, and the next token is either one its scanner
    /// refuses there (a `-` or `?` indicator in block context) or one the parser does not
    /// expect after a node of the innermost collection. yaml-rust2's own words stay where the
    /// scalar is a block mapping's key or no collection holds it.
    fn trailing_content_problem(&self, text: &str, at: usize) -> &'static str {
        let Some(open) = self.open.last() else {
            return TRAILING_CONTENT;
        };
        let mut rest = text.chars().skip(at);
        let (next, after) = (rest.next(), rest.next());
        let indicator = after.is_none_or(|c| c.is_whitespace());
        let flow = text
            .chars()
            .nth(open.at)
            .is_some_and(|c| c == '[' || c == '{');
        match (open.kind, flow) {
            _ if !flow && indicator && next == Some('-') => {
                "block sequence entries are not allowed in this context"
            }
            _ if !flow && indicator && next == Some('?') => {
                "mapping keys are not allowed in this context"
            }
            (Collection::Mapping, false) if (self.children.len() - open.start) % 2 == 1 => {
                "while parsing a block mapping, did not find expected key"
            }
            (Collection::Mapping, false) => TRAILING_CONTENT,
            (Collection::Sequence, false) => {
                "while parsing a block collection, did not find expected '-' indicator"
            }
            (Collection::Sequence, true) => "while parsing a flow sequence, expected ',' or ']'",
            (Collection::Mapping, true) => {
                "while parsing a flow mapping, did not find expected ',' or '}'"
            }
        }
    }

    fn done(self, whole: bool) -> Result<Loaded, YamlError> {
        // What the documents hold counts against the input's bytes in all.
        let held = self
            .total
            .bytes
            .saturating_add(self.total.nodes * NODE_BYTES);
        budget::charge_bytes(held as u64).map_err(YamlError::Limit)?;
        Ok((self.documents, whole))
    }

    fn charge(&mut self, size: Size) -> Result<(), YamlError> {
        self.total.add(size);
        if self.total.nodes > self.limits.max_nodes {
            if self.aliased {
                let error = YamlError::TooManyNodes(self.limits.max_nodes);
                budget::exceeded(LimitKind::YamlSize, &error);
                return Err(error);
            }
            return Err(YamlError::Limit(budget::exceeded(
                LimitKind::YamlSize,
                format_args!("document has more than {} nodes", self.limits.max_nodes),
            )));
        }
        if self.total.bytes > self.limits.max_bytes {
            return Err(YamlError::Limit(budget::exceeded(
                LimitKind::YamlSize,
                format_args!(
                    "document holds more than {} bytes of scalars{}",
                    self.limits.max_bytes,
                    if self.aliased {
                        " with its aliases"
                    } else {
                        ""
                    }
                ),
            )));
        }
        Ok(())
    }

    fn open_collection(
        &mut self,
        kind: Collection,
        anchor: usize,
        at: usize,
    ) -> Result<(), YamlError> {
        if self.open.len() >= self.limits.max_depth {
            let error = YamlError::TooDeep(self.limits.max_depth);
            budget::exceeded(LimitKind::YamlNesting, &error);
            return Err(error);
        }
        let one = Size { nodes: 1, bytes: 0 };
        self.charge(one)?;
        self.open.push(Open {
            kind,
            start: self.children.len(),
            at,
            anchor,
            size: one,
        });
        Ok(())
    }

    fn close_collection(&mut self) -> Result<(), YamlError> {
        let Some(open) = self.open.pop() else {
            return Err(YamlError::Value("unbalanced collection end".into()));
        };
        let node = if open.kind == Collection::Mapping {
            let count = self.children.len() - open.start;
            if !count.is_multiple_of(2) {
                return Err(YamlError::Value("mapping key without a value".into()));
            }
            let mut entries = Vec::with_capacity(count / 2);
            let mut children = self.children.drain(open.start..);
            while let (Some(key), Some(value)) = (children.next(), children.next()) {
                entries.push((key, value));
            }
            Node::Mapping(entries)
        } else {
            Node::Sequence(self.children.split_off(open.start))
        };
        self.finish(node, open.size, open.anchor)
    }

    /// Registers a completed node under its anchor and adds it to its parent (or the documents).
    fn finish(&mut self, node: Node, size: Size, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.open.last_mut() {
            None => self.documents.push(node),
            Some(parent) => {
                parent.size.add(size);
                self.children.push(node);
            }
        }
        Ok(())
    }
}

fn scalar_style(style: TScalarStyle) -> ScalarStyle {
    match style {
        TScalarStyle::Plain => ScalarStyle::Plain,
        TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        TScalarStyle::Literal => ScalarStyle::Literal,
        TScalarStyle::Folded => ScalarStyle::Folded,
    }
}

/// `!!str` for the standard YAML tags whatever handle spelled them; other tags as written.
fn tag_name(tag: Tag) -> String {
    const STANDARD: &str = "tag:yaml.org,2002:";
    if tag.handle == "!!" || tag.handle == STANDARD {
        format!("!!{}", tag.suffix)
    } else if let Some(rest) = tag.suffix.strip_prefix(STANDARD) {
        format!("!!{rest}")
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// The name of the alias (`*name`) that starts at character `index` of the text.
fn alias_name(text: &str, index: usize) -> String {
    text.chars()
        .skip(index)
        .skip_while(|&c| c == '*')
        .take_while(|&c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Resolved;

    fn load(text: &str) -> Vec<Node> {
        load_all(text, &Limits::default()).unwrap()
    }

    #[test]
    fn keeps_order_styles_and_tags() {
        let docs = load("b: 1\na: 'yes'\nc: !!str 12\nd: |\n  x\n");
        let Node::Mapping(entries) = &docs[0] else {
            panic!("not a mapping")
        };
        let keys: Vec<_> = entries.iter().map(|(k, _)| k.as_str().unwrap()).collect();
        assert_eq!(keys, ["b", "a", "c", "d"]);
        let value = |k| match docs[0].get(k) {
            Some(Node::Scalar(s)) => s.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(value("a").style, ScalarStyle::SingleQuoted);
        assert_eq!(value("a").resolve().unwrap(), Resolved::Str("yes".into()));
        assert_eq!(value("c").tag.as_deref(), Some("!!str"));
        assert_eq!(value("d").style, ScalarStyle::Literal);
        assert_eq!(value("d").text, "x\n");
    }

    #[test]
    fn multiple_and_empty_documents() {
        let docs = load("a: 1\n---\n---\n- x\n");
        assert_eq!(docs.len(), 3);
        assert!(docs[1].is_null());
        assert!(matches!(&docs[2], Node::Sequence(items) if items.len() == 1));
        assert!(load("").is_empty());
        assert!(load("# only a comment\n").is_empty());
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let docs = load("base: &b {x: 1}\nuse: *b\n");
        assert_eq!(docs[0].get("use"), docs[0].get("base"));
    }

    #[test]
    fn nested_collections_keep_their_own_children() {
        let docs = load("- a: [1, {b: 2, c: []}, 3]\n  d: &x {e: [4]}\n- *x\n- []\n---\n[]\n");
        let json: Vec<_> = docs
            .iter()
            .map(|d| crate::yaml::to_json(d).unwrap())
            .collect();
        assert_eq!(
            json,
            [
                serde_json::json!([{"a": [1, {"b": 2, "c": []}, 3], "d": {"e": [4]}}, {"e": [4]}, []]),
                serde_json::json!([])
            ]
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let err = load_all(&text, &Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::TooManyNodes(_)), "{err:?}");
    }

    #[test]
    fn aliases_of_big_scalars_are_charged_their_bytes() {
        let big = "x".repeat(1 << 20);
        let mut text = format!("a: &a {big}\n");
        for i in 0..200 {
            text.push_str(&format!("b{i}: *a\n"));
        }
        let err = load_all(&text, &Limits::default()).unwrap_err();
        assert_eq!(err.limit().map(|l| l.kind), Some(LimitKind::YamlSize));
        assert!(
            err.to_string()
                .contains("bytes of scalars with its aliases"),
            "{err}"
        );
        // Fifty copies fit.
        let fits: String = text.lines().take(50).map(|l| format!("{l}\n")).collect();
        assert_eq!(load(&fits)[0].get("b40"), load(&fits)[0].get("a"));
    }

    #[test]
    fn many_keys_without_aliases_are_not_called_aliasing() {
        let limits = Limits {
            max_nodes: 1_000,
            ..Limits::default()
        };
        let text: String = (0..1_000).map(|i| format!("k{i}: v\n")).collect();
        let err = load_all(&text, &limits).unwrap_err();
        assert!(!err.to_string().contains("aliasing"), "{err}");
        assert_eq!(err.limit().map(|l| l.kind), Some(LimitKind::YamlSize));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let err = load_all(&block, &Limits::default()).unwrap_err();
        assert_eq!(err, YamlError::TooDeep(256));
        // The parser refuses deep flow nesting itself; either way it is an error, not a crash.
        let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(load_all(&flow, &Limits::default()).is_err());
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err = load_all("a: 1\nb: [\n", &Limits::default()).unwrap_err();
        assert!(
            matches!(err, YamlError::Syntax { line, .. } if line >= 2),
            "{err:?}"
        );
    }

    #[test]
    fn flow_collections_ignore_indentation_as_go_yaml_does() {
        let nested =
            "a:\n  - name: x\n    command: [\n      \"sh\",\n    \"-c\"\n    ]\n    other: 1\n";
        let top = "command: [\n\"sh\",\n  \"-c\"\n]\nother: {\nk: v\n}\n";
        for text in [nested, top] {
            let json = crate::yaml::to_json(&load(text)[0]).unwrap();
            let command = json.pointer("/a/0/command").or(json.pointer("/command"));
            assert_eq!(command, Some(&serde_json::json!(["sh", "-c"])), "{text}");
        }
        let err = load_all("a: [\nb: c\n", &Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::Syntax { .. }), "{err:?}");
    }

    #[test]
    fn an_empty_flow_collection_at_a_key_indentation_fails_in_the_parser_as_in_go_yaml() {
        // helm v4.1.4's `YAML parse error` for each text.
        let error = |text: &str| load_all(text, &Limits::default()).unwrap_err().to_string();
        assert_eq!(
            error("kind: A\nspec:\n  selector:\n    m: 1\n\n  {}\n"),
            "yaml: line 5: did not find expected key"
        );
        assert_eq!(
            error("spec:\n  a: 1\n  [\n   ]\nb: 2\n"),
            "yaml: line 2: did not find expected key"
        );
        assert_eq!(
            error("list:\n  - a\n  []\n"),
            "yaml: line 2: did not find expected '-' indicator"
        );
        // A key inside the collection keeps go-yaml's scanner error.
        assert_eq!(
            error("spec:\n  a: 1\n  {b: 1}\n"),
            "yaml: line 4: could not find expected ':'"
        );
    }

    #[test]
    fn a_block_scalar_ending_the_text_keeps_no_invented_line_break() {
        // Expectations from go-yaml (helm's fromYaml): no break to clip, none kept.
        let text_of = |yaml: &str| {
            let json = crate::yaml::to_json(&load(yaml)[0]).unwrap();
            json["k"].as_str().map(str::to_string)
        };
        assert_eq!(text_of("k: |\n  v").as_deref(), Some("v"));
        assert_eq!(text_of("k: |+\n  v").as_deref(), Some("v"));
        assert_eq!(text_of("k: |\n  v\n").as_deref(), Some("v\n"));
        assert_eq!(text_of("k: |\n  v\n# c").as_deref(), Some("v\n"));
    }

    #[test]
    fn load_one_rejects_streams() {
        assert!(load_one("a: 1\n---\nb: 2\n", &Limits::default()).is_err());
        assert!(load_one("", &Limits::default()).unwrap().is_null());
    }
}
