//! A set of named templates as Helm builds it (every file parsed into one namespace), the
//! process-wide parse cache, execution limits and the errors of parsing and executing.

use super::ast::{is_empty_list, List};
use super::exec::Exec;
use super::funcs::{helm_funcs, FuncMap};
use super::parser::{parse, Parsed, SyntaxError};
use super::value::{FuncError, Value};
use crate::budget::LimitKind;
use crate::poison::IgnorePoison;
use hashbrown::HashTable;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, OnceLock};

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

/// The process-wide parse cache, bounded by the bytes its entries hold: the texts' own and
/// their parsed trees' (lists and boxes: names and text are spans of the text). When a new
/// entry would pass the budget, entries go least recently used first, in two segments (a
/// segmented LRU): entries never found again since they came in (the one-off templates of
/// distinct charts) go first while they hold more than a fifth of the budget
/// ([`FRESH_SHARE_DIVISOR`]), so they cannot push out the templates many charts include
/// (library charts); below that share, entries found again go first, so that the
/// templates of the chart in progress stay.
///
/// Entries are keyed by their text itself (the tree's own copy, shared): a lookup hashes the
/// text once with std's SipHash under this process's random keys (faster than a digest, and
/// the texts come from the input: without the keys no one can make texts collide), each entry
/// keeps its hash so that growing the table never hashes a text again, and a hit is confirmed by
/// comparing the texts, so no collision, chance or crafted, can return another text's tree.
struct ParseCache {
    entries: HashTable<CacheEntry>,
    /// Sum of the entries' `bytes`.
    bytes: usize,
    /// What the entries may hold together.
    budget: usize,
    /// Counts lookups: an entry's `last_used` is the count at its last hit.
    clock: u64,
}

struct CacheEntry {
    /// The hash of the tree's text.
    hash: u64,
    parsed: Arc<Parsed>,
    /// The text's bytes and its tree's ([`Parsed::heap_bytes`]): the tree holds the text.
    bytes: usize,
    last_used: u64,
    /// Whether it was found again after it came in.
    reused: bool,
}

/// The part of the parse cache's budget kept for entries not found again yet, when entries
/// must go: a fifth, the rest for those found again.
const FRESH_SHARE_DIVISOR: usize = 5;

/// What the parse cache of a process may hold, texts and trees. The corpus's 120 charts
/// hold 15 MiB of distinct template text (52 MiB more parsed, 3.4 times the text), of which
/// the 2.4 MiB that more than one chart includes save 40% of all parsing: those, and the
/// chart in progress, fit. A whole-corpus cache kept each scan worker at 166 MiB over 1,000 archives; with
/// this one, 58 MiB, for the same CPU time (versions of one chart follow each other).
const PARSE_CACHE_BYTES: usize = 24 << 20;

/// Texts larger than this are parsed every time, never cached: a huge `tpl` text is seldom
/// parsed twice, and would evict everything else.
const MAX_CACHED_TEXT: usize = 1 << 20;

impl ParseCache {
    fn new(budget: usize) -> Self {
        ParseCache {
            entries: HashTable::new(),
            bytes: 0,
            budget,
            clock: 0,
        }
    }

    fn get(&mut self, hash: u64, text: &str) -> Option<Arc<Parsed>> {
        self.clock += 1;
        let entry = self
            .entries
            .find_mut(hash, |entry| *entry.parsed.source == *text)?;
        entry.last_used = self.clock;
        entry.reused = true;
        Some(entry.parsed.clone())
    }

    /// Keeps `parsed` (its text and its tree, the text hashing to `hash`) unless it alone
    /// passes the budget, evicting the least recently used entries down to three quarters of
    /// the budget when it would not fit: evictions then come seldom, each sorting the entries
    /// once.
    fn insert(&mut self, hash: u64, parsed: Arc<Parsed>) {
        let bytes = parsed.source.len() + parsed.heap_bytes();
        let text = &parsed.source;
        if bytes > self.budget
            || self
                .entries
                .find(hash, |entry| entry.parsed.source == *text)
                .is_some()
        {
            return;
        }
        if self.bytes + bytes > self.budget {
            self.evict_down_to((self.budget / 4 * 3).saturating_sub(bytes));
        }
        self.bytes += bytes;
        self.clock += 1;
        let last_used = self.clock;
        self.entries.insert_unique(
            hash,
            CacheEntry {
                hash,
                parsed,
                bytes,
                last_used,
                reused: false,
            },
            |entry| entry.hash,
        );
    }

    /// Evicts down to `target` bytes, least recently used first: from the entries never
    /// found again while they hold more than their share, else from those found again.
    fn evict_down_to(&mut self, target: usize) {
        let (reused, fresh): (Vec<_>, Vec<_>) = self.entries_by_age().partition(|e| e.reused);
        let mut fresh_bytes: usize = fresh.iter().map(|e| e.bytes).sum();
        let fresh_share = self.budget / FRESH_SHARE_DIVISOR;
        let (mut reused, mut fresh) = (reused.into_iter(), fresh.into_iter());
        while self.bytes > target {
            let next = if fresh_bytes > fresh_share {
                fresh.next().or_else(|| reused.next())
            } else {
                reused.next().or_else(|| fresh.next())
            };
            let Some(aged) = next else {
                break;
            };
            if !aged.reused {
                fresh_bytes -= aged.bytes;
            }
            self.remove(aged.hash, &aged.parsed);
        }
    }

    /// Every entry's hash, tree, bytes and whether it was reused, least recently used first.
    fn entries_by_age(&self) -> impl Iterator<Item = AgedEntry> {
        let mut by_age: Vec<_> = self
            .entries
            .iter()
            .map(|entry| {
                (
                    entry.last_used,
                    AgedEntry {
                        hash: entry.hash,
                        parsed: entry.parsed.clone(),
                        bytes: entry.bytes,
                        reused: entry.reused,
                    },
                )
            })
            .collect();
        by_age.sort_unstable_by_key(|(last_used, _)| *last_used);
        by_age.into_iter().map(|(_, aged)| aged)
    }

    fn remove(&mut self, hash: u64, parsed: &Arc<Parsed>) {
        if let Ok(found) = self
            .entries
            .find_entry(hash, |entry| Arc::ptr_eq(&entry.parsed, parsed))
        {
            let (entry, _) = found.remove();
            self.bytes -= entry.bytes;
        }
    }
}

/// An entry as eviction sees it.
struct AgedEntry {
    hash: u64,
    parsed: Arc<Parsed>,
    bytes: usize,
    reused: bool,
}

/// Parses through the process-wide cache keyed by the text: the same library chart in a
/// thousand archives is parsed once. Parse errors are not cached.
pub(super) fn parse_cached(
    text: &str,
    funcs: &'static FuncMap,
) -> Result<Arc<Parsed>, SyntaxError> {
    /// The cache, and the hasher of its texts: std's `RandomState` (SipHash-1-3, keys drawn
    /// per process), used once per lookup, outside the lock, for `get` and `insert` both.
    static CACHE: OnceLock<(RandomState, Mutex<ParseCache>)> = OnceLock::new();
    if text.len() > MAX_CACHED_TEXT {
        return parse(text, funcs).map(Arc::new);
    }
    let (hasher, cache) = CACHE.get_or_init(|| {
        (
            RandomState::new(),
            Mutex::new(ParseCache::new(PARSE_CACHE_BYTES)),
        )
    });
    let hash = hasher.hash_one(text);
    if let Some(hit) = cache.lock().ignore_poison().get(hash, text) {
        return Ok(hit);
    }
    let parsed = Arc::new(parse(text, funcs)?);
    cache.lock().ignore_poison().insert(hash, parsed.clone());
    Ok(parsed)
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    fn parsed(text: &str) -> Entry {
        let tree = Arc::new(parse(text, helm_funcs()).expect("parses"));
        (tree, text.into())
    }

    /// The hash tests file texts under (fixed keys: any one hasher will do).
    fn hash_of(text: &str) -> u64 {
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(text)
    }

    fn put(cache: &mut ParseCache, tree: Arc<Parsed>) {
        cache.insert(hash_of(&tree.source), tree);
    }

    fn lookup(cache: &mut ParseCache, text: &str) -> Option<Arc<Parsed>> {
        cache.get(hash_of(text), text)
    }

    /// A parsed tree and its cache key, its text.
    type Entry = (Arc<Parsed>, Arc<str>);

    /// The trees and keys of `n` distinct texts of one size, and the bytes each costs.
    fn same_size_entries(n: usize) -> (Vec<Entry>, usize) {
        let entries: Vec<_> = (0..n)
            .map(|i| {
                parsed(&format!("{{{{ .Values.a{i}.b.c }}}} {}\n", "x".repeat(200)).repeat(20))
            })
            .collect();
        let one = entries[0].0.source.len() + entries[0].0.heap_bytes();
        (entries, one)
    }

    /// Past its byte budget the cache lets the least recently used entries go, never holds
    /// more than the budget, and keeps no entry larger than the budget at all.
    #[test]
    fn the_byte_budget_evicts_the_least_recently_used() {
        let (entries, one) = same_size_entries(4);
        // Room for three entries, not four.
        let mut cache = ParseCache::new(one * 3 + one / 2);
        for (tree, _) in entries.iter().take(3) {
            put(&mut cache, tree.clone());
        }
        assert!(lookup(&mut cache, &entries[0].1).is_some());
        put(&mut cache, entries[3].0.clone());
        assert!(cache.bytes <= cache.budget);
        // The first was used last but one; the second, never since its insertion, went.
        assert!(lookup(&mut cache, &entries[1].1).is_none());
        assert!(lookup(&mut cache, &entries[0].1).is_some());
        assert!(lookup(&mut cache, &entries[3].1).is_some());

        let mut small = ParseCache::new(one / 2);
        put(&mut small, entries[0].0.clone());
        assert!(lookup(&mut small, &entries[0].1).is_none());
        assert_eq!(small.bytes, 0);
    }

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

    /// A template found again (a library chart's) outlives newer one-off templates while
    /// those hold more than their share, where plain LRU would let it go first; below that
    /// share, the one-off templates (the chart in progress) stay and reused ones go.
    #[test]
    fn a_segmented_lru_keeps_reused_entries_and_the_chart_in_progress() {
        let (entries, one) = same_size_entries(6);
        let insert = |cache: &mut ParseCache, i: usize| put(cache, entries[i].0.clone());

        // Room for three and a half entries, a fifth of it for one-off entries.
        let mut cache = ParseCache::new(one * 3 + one / 2);
        insert(&mut cache, 0);
        assert!(lookup(&mut cache, &entries[0].1).is_some());
        insert(&mut cache, 1);
        insert(&mut cache, 2);
        insert(&mut cache, 3);
        assert!(cache.bytes <= cache.budget);
        assert!(
            lookup(&mut cache, &entries[0].1).is_some(),
            "the reused entry stays"
        );
        assert!(
            lookup(&mut cache, &entries[1].1).is_none(),
            "the oldest one-off goes"
        );
        assert!(lookup(&mut cache, &entries[3].1).is_some());

        // Room for five and a half: one older one-off entry, within its share, stays while
        // the least recently used reused entries go.
        let mut cache = ParseCache::new(one * 5 + one / 2);
        insert(&mut cache, 4);
        for (i, (_, key)) in entries.iter().enumerate().take(4) {
            insert(&mut cache, i);
            assert!(lookup(&mut cache, key).is_some());
        }
        insert(&mut cache, 5);
        assert!(cache.bytes <= cache.budget);
        assert!(
            lookup(&mut cache, &entries[4].1).is_some(),
            "the one-off entry stays"
        );
        assert!(lookup(&mut cache, &entries[0].1).is_none());
        assert!(lookup(&mut cache, &entries[5].1).is_some());
        assert!(lookup(&mut cache, &entries[3].1).is_some());
    }
}
