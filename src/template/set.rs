//! A set of named templates as Helm builds it (every file parsed into one namespace), the
//! process-wide parse cache, execution limits and the errors of parsing and executing.

use super::ast::{is_empty_list, List};
use super::exec::Exec;
use super::funcs::{helm_funcs, FuncMap};
use super::parser::{parse, Parsed, SyntaxError};
use super::value::{FuncError, Value};
use crate::budget::LimitKind;
use crate::text_cache::{Cached, TextCache};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

/// Bounds on one execution; each one hit is an error, never a hang or a crash.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nested `template`/`include`/`tpl` calls: above Helm's 1000 nested `include`s of one
    /// name, even for a few names that include each other in a ring (1001 of each), so that
    /// Helm's own error comes first; low enough that the chain of errors such a ring makes
    /// (each `include` wraps the one below) stays short to print and to drop.
    pub max_depth: usize,
    /// Nodes and commands evaluated, over every file executed in one set (one chart with its
    /// subcharts), calls charged for the size of what they take and make and for costly work.
    pub max_steps: u64,
    /// Bytes of output produced (including what `include` and `tpl` return).
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 4096,
            max_steps: 50_000_000,
            max_output: 256 << 20,
        }
    }
}

/// Where the key and certificate generators take RSA keys from, and how hard `bcrypt` works.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeySource {
    /// A new key for every call, as Helm does: what `render` prints may be deployed.
    #[default]
    Fresh,
    /// One key per size for the whole process, and bcrypt hashes at its lowest cost: for a
    /// scan, which keeps no key or hash it renders.
    Pooled,
}

/// A failure to parse or execute a template, with Go's wording.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `template: NAME:LINE: message`
    #[error("template: {name}:{line}: {message}")]
    Parse {
        /// The template's name.
        name: String,
        /// The line of the error (from 1).
        line: usize,
        /// Go's message.
        message: String,
    },
    /// `template: NAME:LINE:COL: executing "TEMPLATE" at <NODE>: message`, or a limit.
    #[error("{0}")]
    Exec(Box<ExecError>),
}

impl TemplateError {
    /// The safety limit this failure hit, if it was one.
    pub fn limit(&self) -> Option<LimitKind> {
        match self {
            TemplateError::Exec(e) => e.limit(),
            TemplateError::Parse { .. } => None,
        }
    }
}

/// Why an execution failed, whatever `include`s and `tpl`s the failure passed through on its
/// way out: the kind of its innermost cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecErrorKind {
    /// A safety limit: steps, nesting, output, the size of a call's result.
    Limit(LimitKind),
    /// A field of a value that is not there (`nil pointer evaluating interface {}.b`).
    Missing,
    /// A value of the wrong type where it is used: an argument, a field, a range, a command.
    Type,
    /// A template, function or variable that is not defined.
    Undefined,
    /// A function's own error (`error calling F: ...`).
    Call,
    /// Helm's `fail` or `required`: the chart's own message.
    Fail,
    /// `tpl` text that does not parse.
    Parse,
}

/// Where an execution failed: Go's `FILE:LINE:COL`, the template executing and the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorAt {
    /// The file the template was parsed from (Go's `ParseName`).
    pub file: Arc<str>,
    /// The line (from 1).
    pub line: usize,
    /// Bytes from the start of the line (Go's column).
    pub col: usize,
    /// The template executing (a file or a `define`).
    pub template: String,
    /// The node's text as Go prints it.
    pub node: String,
}

/// What went wrong at a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecDetail {
    /// The executor's own message.
    Message(String),
    /// A function or method call failed: Go's `error calling F: ERROR`.
    Call {
        /// The function or method called.
        func: String,
        /// Its error.
        error: FuncError,
    },
}

impl fmt::Display for ExecDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecDetail::Message(m) => f.write_str(m),
            ExecDetail::Call { func, error } => write!(f, "error calling {func}: {error}"),
        }
    }
}

/// An execution error: Go's `template: FILE:LINE:COL: executing "NAME" at <NODE>: DETAIL`
/// when it happened at a node; just the detail when Go gives no place (a template that does
/// not exist, a limit of the whole execution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    /// Where it happened, when Go names a place.
    pub at: Option<ErrorAt>,
    /// The kind of the innermost cause.
    pub kind: ExecErrorKind,
    /// What went wrong.
    pub detail: ExecDetail,
}

impl ExecError {
    /// An error Go reports without a place.
    pub(crate) fn bare(kind: ExecErrorKind, message: String) -> Self {
        ExecError {
            at: None,
            kind,
            detail: ExecDetail::Message(message),
        }
    }

    /// Go's `ExecuteTemplate` of a name the set does not hold.
    pub(crate) fn no_template(name: &str) -> Self {
        ExecError::bare(
            ExecErrorKind::Undefined,
            format!("template: no template \"{name}\" associated with template \"gotpl\""),
        )
    }

    /// The safety limit this error hit, if it was one.
    pub fn limit(&self) -> Option<LimitKind> {
        match self.kind {
            ExecErrorKind::Limit(kind) => Some(kind),
            _ => None,
        }
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = &self.at {
            write!(
                f,
                "template: {}:{}:{}: executing \"{}\" at <{}>: ",
                at.file, at.line, at.col, at.template, at.node
            )?;
        }
        self.detail.fmt(f)
    }
}

impl std::error::Error for ExecError {}

/// One named template: the body and where it was written.
#[derive(Debug)]
pub struct Template {
    pub name: String,
    /// The file the body was parsed from (Go's `ParseName`).
    pub parse_name: Arc<str>,
    /// The file's text: the tree's spans are of it, and errors count lines and columns in it.
    pub source: Arc<str>,
    pub root: Arc<List>,
}

/// Templates by name, as Helm's single `text/template` set: every file's body under its file
/// name, and every `define`/`block` under its own name. Later definitions replace earlier ones
/// unless they are empty (Go's rule), so add files in Helm's parse order.
#[derive(Debug)]
pub struct TemplateSet {
    pub(super) templates: HashMap<String, Arc<Template>>,
    pub(super) funcs: &'static FuncMap,
    pub limits: Limits,
    /// Steps every execution so far has taken: the step limit is for the whole set.
    pub(super) steps_used: AtomicU64,
    pub keys: KeySource,
}

impl Default for TemplateSet {
    fn default() -> Self {
        TemplateSet::new(Limits::default())
    }
}

impl TemplateSet {
    pub fn new(limits: Limits) -> Self {
        TemplateSet::with_funcs(limits, helm_funcs())
    }

    /// A set whose templates may call `funcs` only (a `--name-template` has Sprig's, no Helm's).
    pub fn with_funcs(limits: Limits, funcs: &'static FuncMap) -> Self {
        TemplateSet {
            templates: HashMap::new(),
            funcs,
            limits,
            steps_used: AtomicU64::new(0),
            keys: KeySource::Fresh,
        }
    }

    /// Parses `text` (through the shared cache) and adds it under `name` along with the
    /// templates it defines.
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        let funcs = self.funcs;
        // The cache is keyed by text alone and its trees hold Helm's functions: another
        // registry parses for itself.
        let parsed = if std::ptr::eq(funcs, helm_funcs()) {
            parse_cached(text, funcs)
        } else {
            parse(text, funcs).map(Arc::new)
        };
        let parsed = parsed.map_err(|e| TemplateError::Parse {
            name: name.to_string(),
            line: e.line,
            message: e.message,
        })?;
        let parse_name: Arc<str> = name.into();
        let source = &parsed.source;
        self.insert(name, &parse_name, source, parsed.root.clone());
        for (define, body) in &parsed.defines {
            self.insert(define, &parse_name, source, body.clone());
        }
        Ok(())
    }

    fn insert(&mut self, name: &str, parse_name: &Arc<str>, source: &Arc<str>, root: Arc<List>) {
        if is_empty_list(&root, source) && self.templates.contains_key(name) {
            return;
        }
        self.templates.insert(
            name.to_string(),
            Arc::new(Template {
                name: name.to_string(),
                parse_name: parse_name.clone(),
                source: source.clone(),
                root,
            }),
        );
    }

    /// Executes template `name` with `data` as `.` and `$`, as Helm does: `missingkey=zero`,
    /// and every `<no value>` in the output erased. The output is the bytes the template wrote,
    /// UTF-8 or not, as Go's are.
    pub fn execute(&self, name: &str, data: &Value) -> Result<Vec<u8>, TemplateError> {
        self.execute_plain(name, data)
            .map(super::exec::erase_no_value)
    }

    /// Executes template `name` as Go's `Template.Execute` does, `<no value>` left in (what
    /// helm's `--name-template` gets).
    pub fn execute_plain(&self, name: &str, data: &Value) -> Result<Vec<u8>, TemplateError> {
        Exec::new(self).run_named(name, data.clone())
    }
}

/// Stack one execution may use, over all the segments it grows (see [`crate::stack`]), before
/// nesting is refused: control structures nested in templates nested in templates multiply
/// each other, and only their stack bounds them all. Far more than any chart uses.
pub(super) const EXEC_STACK_BUDGET: usize = 96 << 20;

/// What the parse cache of a process may hold, texts and trees. The corpus's 120 charts
/// hold 15 MiB of distinct template text (52 MiB more parsed, 3.4 times the text), of which
/// the 2.4 MiB that more than one chart includes save 40% of all parsing: those, and the
/// chart in progress, fit. A whole-corpus cache kept each scan worker at 166 MiB over 1,000
/// archives; with this one, 58 MiB, for the same CPU time (versions of one chart follow each
/// other).
const PARSE_CACHE_BYTES: usize = 24 << 20;

/// Texts larger than this are parsed every time, never cached: a huge `tpl` text is seldom
/// parsed twice, and would evict everything else.
const MAX_CACHED_TEXT: usize = 1 << 20;

/// A parsed tree holds its text (names and text are spans of it), and is counted for the
/// text's bytes and its own lists and boxes ([`Parsed::heap_bytes`]).
impl Cached for Arc<Parsed> {
    fn text(&self) -> &[u8] {
        self.source.as_bytes()
    }

    fn bytes(&self) -> usize {
        self.source.len() + self.heap_bytes()
    }
}

/// Parses through the process-wide cache keyed by the text: the same library chart in a
/// thousand archives is parsed once. Parse errors are not cached.
pub(super) fn parse_cached(
    text: &str,
    funcs: &'static FuncMap,
) -> Result<Arc<Parsed>, SyntaxError> {
    static CACHE: OnceLock<TextCache<Arc<Parsed>>> = OnceLock::new();
    if text.len() > MAX_CACHED_TEXT {
        return parse(text, funcs).map(Arc::new);
    }
    CACHE
        .get_or_init(|| TextCache::new(PARSE_CACHE_BYTES))
        .get_or_make(text.as_bytes(), || parse(text, funcs).map(Arc::new))
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    /// A lookup finds the tree of exactly the text asked for: the same text again is a hit
    /// (the very tree), a text of the same length differing in one byte is not.
    #[test]
    fn a_hit_is_the_tree_of_the_same_text() {
        let a = format!(
            "{}{{{{ .Values.hit_a }}}}{}",
            "x".repeat(300),
            "y".repeat(300)
        );
        let b = a.replace("hit_a", "hit_b");
        let first = parse_cached(&a, helm_funcs()).expect("parses");
        let again = parse_cached(&a.clone(), helm_funcs()).expect("parses");
        assert!(Arc::ptr_eq(&first, &again));
        let other = parse_cached(&b, helm_funcs()).expect("parses");
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(&*other.source, b.as_str());
    }
}
