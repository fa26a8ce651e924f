//! Values as Helm computes them: values files, the `--set` family, and the coalescing of user
//! values with chart defaults down the subchart tree (nulls delete, maps merge, lists replace,
//! `global` copied into every subchart).

use super::chart::Chart;
use super::log::Log;
use super::schema::SchemaViolations;
use super::strvals::{self, json_numbers_as_float, ReadFile, ReadFileError, SetKind, StrvalsError};
use crate::budget::LimitExceeded;
use crate::yaml::{self, YamlError};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;

/// A values tree: values.yaml, the user's values, or the two coalesced.
pub type Values = Map<String, Json>;

/// Why values could not be read or coalesced, with Helm's message as its text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValuesError {
    /// A values document that is not YAML Helm can convert to JSON (or that hit a YAML limit).
    #[error("cannot unmarshal yaml document: error converting YAML to JSON: {0}")]
    Yaml(YamlError),
    /// A values file that apimachinery's YAML reader cannot split (what follows a `---`).
    #[error("error reading yaml document: invalid Yaml document separator: {0}")]
    Separator(String),
    /// A values document that is not a mapping (`found` is its JSON kind).
    #[error("cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {found} into Go value of type map[string]interface {{}}")]
    NotATable {
        /// The document's JSON kind.
        found: &'static str,
    },
    /// A `-f` file that could not be opened.
    #[error("{0}")]
    Open(ReadFileError),
    /// A `-f` file that does not load.
    #[error("failed to parse {path}: {error}")]
    File {
        /// The path as the user wrote it.
        path: String,
        /// Why it does not load.
        error: Box<ValuesError>,
    },
    /// A `--set-json` JSON object that does not parse (the argument as given).
    #[error("failed parsing --set-json data JSON: {0}")]
    SetJsonObject(String),
    /// A `--set-json` `key=JSON` argument that does not parse (the argument as given).
    #[error("failed parsing --set-json data {0}")]
    SetJson(String),
    /// A `--set`, `--set-string`, `--set-file` or `--set-literal` argument that does not parse.
    #[error("failed parsing {flag} data: {error}")]
    Set {
        /// The flag, as `--set-string`.
        flag: &'static str,
        /// Why the argument does not parse.
        error: StrvalsError,
    },
    /// A subchart's section that is not a table (`found` as Go's `%t` prints it).
    #[error("type mismatch on {name}: {found}")]
    TypeMismatch {
        /// The subchart's name.
        name: String,
        /// The section's value.
        found: String,
    },
    /// Values that values.schema.json refuses.
    #[error("{0}")]
    Schema(SchemaViolations),
}

impl ValuesError {
    /// The YAML safety limit that stopped reading a values file, if one did.
    pub fn limit(&self) -> Option<LimitExceeded> {
        match self {
            ValuesError::Yaml(e) => e.limit(),
            ValuesError::File { error, .. } => error.limit(),
            _ => None,
        }
    }
}

const GLOBAL_KEY: &str = "global";

/// Loads a values document stream (values.yaml or a `-f` file) as helm's `LoadValues`
/// (pkg/chart/v2/loader/load.go): apimachinery's YAML reader splits it, each piece is
/// unmarshalled on its own (its first document; its line numbers its own), each must be a
/// mapping (or empty), later ones merge over earlier ones; numbers become float64.
pub(crate) fn load_values(text: &str) -> Result<Values, ValuesError> {
    let mut values = Values::new();
    for doc in yaml::yaml_reader_documents(text).map_err(|e| ValuesError::Separator(e.0))? {
        let Some(node) =
            yaml::load_first(&doc, &yaml::Limits::default()).map_err(ValuesError::Yaml)?
        else {
            continue;
        };
        let json = yaml::to_json(&node).map_err(ValuesError::Yaml)?;
        match json_numbers_as_float(json) {
            Json::Object(map) => values = merge_maps(values, map),
            Json::Null => {}
            other => {
                return Err(ValuesError::NotATable {
                    found: json_kind(&other),
                })
            }
        }
    }
    Ok(values)
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Helm's `MergeMaps`: `b` over `a`, maps merged recursively, anything else replaced.
pub(crate) fn merge_maps(mut a: Values, b: Values) -> Values {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Json::Object(existing)), Json::Object(incoming)) => {
                let merged = merge_maps(std::mem::take(existing), incoming);
                *existing = merged;
            }
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
    a
}

/// The values given on the command line, in the order Helm applies them.
#[derive(Debug, Clone, Default)]
pub struct ValueOptions {
    /// `-f` files: (the path as the user wrote it, its text).
    pub value_files: Vec<(String, String)>,
    /// `--set-json` expressions.
    pub json_values: Vec<String>,
    /// `--set` expressions.
    pub values: Vec<String>,
    /// `--set-string` expressions.
    pub string_values: Vec<String>,
    /// `--set-file` expressions (`key=path`).
    pub file_values: Vec<String>,
    /// `--set-literal` expressions.
    pub literal_values: Vec<String>,
}

/// Helm's `values.Options.MergeValues`: files, then `--set-json`, `--set`, `--set-string`,
/// `--set-file`, `--set-literal`. `read_file` reads `--set-file` paths.
pub fn merge_user_values(
    opts: &ValueOptions,
    read_file: ReadFile<'_>,
) -> Result<Values, ValuesError> {
    let mut base = Values::new();
    for (path, text) in &opts.value_files {
        let current = load_values(text).map_err(|e| ValuesError::File {
            path: path.clone(),
            error: Box::new(e),
        })?;
        base = merge_maps(base, current);
    }
    for value in &opts.json_values {
        let trimmed = value.trim();
        if trimmed.starts_with('{') {
            let parsed: Json = serde_json::from_str(trimmed)
                .map_err(|_| ValuesError::SetJsonObject(value.clone()))?;
            match json_numbers_as_float(parsed) {
                Json::Object(map) => base = merge_maps(base, map),
                _ => return Err(ValuesError::SetJsonObject(value.clone())),
            }
        } else {
            strvals::parse_into(value, &mut base, SetKind::Json, read_file)
                .map_err(|_| ValuesError::SetJson(value.clone()))?;
        }
    }
    let set_error = |flag: &'static str| move |error| ValuesError::Set { flag, error };
    for value in &opts.values {
        strvals::parse_into(value, &mut base, SetKind::Typed, read_file)
            .map_err(set_error("--set"))?;
    }
    for value in &opts.string_values {
        strvals::parse_into(value, &mut base, SetKind::String, read_file)
            .map_err(set_error("--set-string"))?;
    }
    for value in &opts.file_values {
        strvals::parse_into(value, &mut base, SetKind::File, read_file)
            .map_err(set_error("--set-file"))?;
    }
    for value in &opts.literal_values {
        strvals::parse_literal_into(value, &mut base).map_err(set_error("--set-literal"))?;
    }
    Ok(base)
}

/// Go's `%t` of a value that is not a table, as Helm's "type mismatch" error prints it.
fn go_percent_t(v: &Json) -> String {
    match v {
        Json::Null => "%!t(<nil>)".into(),
        Json::Bool(b) => b.to_string(),
        Json::String(s) => format!("%!t(string={s})"),
        Json::Number(n) if n.is_f64() => format!("%!t(float64={})", n),
        Json::Number(n) => format!("%!t(int64={n})"),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(go_percent_t).collect::<Vec<_>>().join(" ")
        ),
        Json::Object(_) => "map[...]".into(),
    }
}

/// The defaults coalescing fills values from: a chart's values and its subcharts', each
/// borrowed from a chart that keeps them, or taken out of one whose values are not read again
/// (then none of them is copied: what the values lack is moved in).
pub(crate) struct Defaults<'c> {
    name: &'c str,
    values: Cow<'c, Values>,
    subcharts: Vec<Defaults<'c>>,
}

impl<'c> Defaults<'c> {
    /// The defaults of a chart that keeps them.
    pub(crate) fn of(chart: &'c Chart) -> Self {
        Defaults {
            name: chart.name(),
            values: Cow::Borrowed(&chart.values),
            subcharts: chart.dependencies.iter().map(Defaults::of).collect(),
        }
    }

    /// The defaults of a chart and its subcharts, taken out of them (their values are left
    /// empty).
    pub(crate) fn taken(chart: &'c mut Chart) -> Self {
        let (name, values, dependencies) = Self::take_own(chart);
        Defaults {
            name,
            values,
            subcharts: dependencies.iter_mut().map(Defaults::taken).collect(),
        }
    }

    /// The defaults of a chart whose own values are replaced after coalescing: those are taken
    /// out of it, its subcharts' are borrowed.
    pub(crate) fn own_taken(chart: &'c mut Chart) -> Self {
        let (name, values, dependencies) = Self::take_own(chart);
        Defaults {
            name,
            values,
            subcharts: dependencies.iter().map(Defaults::of).collect(),
        }
    }

    /// A chart's name and its own values, taken out of it, beside its subcharts.
    fn take_own(chart: &'c mut Chart) -> (&'c str, Cow<'c, Values>, &'c mut Vec<Chart>) {
        let Chart {
            metadata,
            values,
            dependencies,
            ..
        } = chart;
        let values = Cow::Owned(std::mem::take(values));
        (&metadata.name, values, dependencies)
    }
}

/// Where a table sits in the values, for the warnings helm logs (`m.child.obj`, helm's
/// `concatPrefix` chain): built as the walk descends, written out only for a warning.
#[derive(Clone, Copy)]
pub(crate) struct KeyPath<'a> {
    parent: Option<&'a KeyPath<'a>>,
    key: &'a str,
}

impl<'a> KeyPath<'a> {
    /// `key` under `parent` (none: the top of the values).
    fn under(parent: Option<&'a KeyPath<'a>>, key: &'a str) -> Self {
        KeyPath { parent, key }
    }
}

impl std::fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        f.write_str(self.key)
    }
}

/// Go's `%v` of a value, as helm's coalesce warnings print it.
fn go_print(value: &Json) -> String {
    crate::template::fmt::format_value(&super::objects::json_to_value(value))
}

/// Helm's `CoalesceValues` (`merge == false`: nulls delete keys) and `MergeValues`
/// (`merge == true`: nulls are kept) of a chart's defaults and the values given for it,
/// logging helm's warnings on tables met by other values.
pub(crate) fn coalesce(
    defaults: Defaults<'_>,
    vals: Values,
    merge: bool,
    log: &mut Log,
) -> Result<Values, ValuesError> {
    coalesce_under(None, defaults, vals, merge, log)
}

fn coalesce_under(
    prefix: Option<&KeyPath<'_>>,
    defaults: Defaults<'_>,
    vals: Values,
    merge: bool,
    log: &mut Log,
) -> Result<Values, ValuesError> {
    let mut dest = vals;
    let Defaults {
        name,
        values,
        subcharts,
    } = defaults;
    let at = KeyPath::under(prefix, name);
    let subchart_names: Vec<&str> = subcharts.iter().map(|sub| sub.name).collect();
    for_each_entry(values, |key, default| {
        // At a chart's top level a null deletes the key whatever the default is, and a value
        // that is not a table replaces a default table silently (`coalesceValues`), unlike in
        // the tables below it.
        match dest.get_mut(&*key) {
            None => {
                dest.insert(key.into_owned(), default.into_owned());
            }
            Some(Json::Null) if !merge => {
                dest.remove(&*key);
            }
            Some(Json::Object(dv)) => {
                // A subchart's section always merges (keeps nulls) with its defaults here.
                let merge_tables = merge || subchart_names.contains(&&*key);
                let table_at = KeyPath::under(Some(&at), &key);
                match into_table(default) {
                    Ok(table) => coalesce_tables_at(Some(&table_at), dv, table, merge_tables, log),
                    Err(other) if other.is_null() => {}
                    Err(_) => log.printf(&format!(
                        "warning: skipped value for {at}.{key}: Not a table."
                    )),
                }
            }
            Some(_) => {}
        }
    });
    coalesce_deps(&at, subcharts, &mut dest, merge, log)?;
    Ok(dest)
}

fn coalesce_deps(
    at: &KeyPath<'_>,
    subcharts: Vec<Defaults<'_>>,
    dest: &mut Values,
    merge: bool,
    log: &mut Log,
) -> Result<(), ValuesError> {
    for sub in subcharts {
        let name = sub.name.to_string();
        let mut section = match dest.remove(&name) {
            None => Values::new(),
            Some(Json::Object(m)) => m,
            Some(other) => {
                let found = go_percent_t(&other);
                dest.insert(name.clone(), other);
                return Err(ValuesError::TypeMismatch { name, found });
            }
        };
        coalesce_globals(at, &mut section, dest, log);
        let section = coalesce_under(Some(at), sub, section, merge, log)?;
        dest.insert(name, Json::Object(section));
    }
    Ok(())
}

/// Copies the parent's `global` into a subchart's section, the parent winning for scalars and
/// merging top-down into tables.
fn coalesce_globals(at: &KeyPath<'_>, dest: &mut Values, src: &Values, log: &mut Log) {
    let mut dg = match dest.get(GLOBAL_KEY) {
        None => Values::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => {
            log.printf("warning: skipping globals because destination global is not a table.");
            return;
        }
    };
    let sg = match src.get(GLOBAL_KEY) {
        None => Values::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => {
            log.printf("warning: skipping globals because source global is not a table.");
            return;
        }
    };
    for (key, val) in sg {
        match val {
            Json::Object(table) => match dg.get(&key) {
                None => {
                    dg.insert(key, Json::Object(table));
                }
                Some(Json::Object(existing)) => {
                    let mut merged = table;
                    let key_at = KeyPath::under(Some(at), &key);
                    coalesce_tables_at(
                        Some(&key_at),
                        &mut merged,
                        Cow::Borrowed(existing),
                        true,
                        log,
                    );
                    dg.insert(key, Json::Object(merged));
                }
                Some(_) => log.printf(&format!(
                    "Conflict: cannot merge map onto non-map for {}. Skipping.",
                    crate::go::strconv::quote(&key)
                )),
            },
            other => match dg.get(&key) {
                Some(Json::Object(_)) => log.printf(&format!("key {key} is table. Skipping")),
                _ => {
                    dg.insert(key, other);
                }
            },
        }
    }
    dest.insert(GLOBAL_KEY.to_string(), Json::Object(dg));
}

/// Helm's `CoalesceTables`/`MergeTables` of two tables at the top of the values.
pub(crate) fn coalesce_tables(dst: &mut Values, src: Cow<'_, Values>, merge: bool, log: &mut Log) {
    coalesce_tables_at(None, dst, src, merge, log);
}

/// Helm's `coalesceTablesFullKey`: `src` fills what `dst` lacks; `dst` wins. A null in `dst`
/// deletes the key only when coalescing over a default that is not null (the user removing a
/// chart default); a null over a null default, or for a key the defaults lack, stays. Of
/// borrowed `src`, only what `dst` lacks is copied.
fn coalesce_tables_at(
    at: Option<&KeyPath<'_>>,
    dst: &mut Values,
    src: Cow<'_, Values>,
    merge: bool,
    log: &mut Log,
) {
    for_each_entry(src, |key, val| {
        let key_at = KeyPath::under(at, &key);
        let delete_null = !merge && !val.is_null();
        fill(&key_at, dst, &key, val, delete_null, merge, log);
    });
}

/// Calls `f` with each entry of `table` in order: moved out of an owned table, borrowed from a
/// borrowed one.
fn for_each_entry<'a>(table: Cow<'a, Values>, mut f: impl FnMut(Cow<'a, str>, Cow<'a, Json>)) {
    match table {
        Cow::Borrowed(table) => table
            .iter()
            .for_each(|(key, val)| f(Cow::Borrowed(key), Cow::Borrowed(val))),
        Cow::Owned(table) => table
            .into_iter()
            .for_each(|(key, val)| f(Cow::Owned(key), Cow::Owned(val))),
    }
}

/// The table a default holds, borrowed or owned as the default is; any other value back.
fn into_table(value: Cow<'_, Json>) -> Result<Cow<'_, Values>, Cow<'_, Json>> {
    match value {
        Cow::Borrowed(Json::Object(table)) => Ok(Cow::Borrowed(table)),
        Cow::Owned(Json::Object(table)) => Ok(Cow::Owned(table)),
        other => Err(other),
    }
}

/// One entry (at `key_at`) of the defaults into `dst`: a null there deletes the key when
/// `delete_null`, a missing key takes the default, tables coalesce (with `merge_tables`),
/// anything else stays; a table met by a value that is not one is logged as helm logs it.
fn fill(
    key_at: &KeyPath<'_>,
    dst: &mut Values,
    key: &str,
    default: Cow<'_, Json>,
    delete_null: bool,
    merge_tables: bool,
    log: &mut Log,
) {
    match dst.get_mut(key) {
        Some(Json::Null) if delete_null => {
            dst.remove(key);
        }
        None => {
            dst.insert(key.to_string(), default.into_owned());
        }
        Some(Json::Object(dv)) => match into_table(default) {
            Ok(table) => coalesce_tables_at(Some(key_at), dv, table, merge_tables, log),
            Err(other) if other.is_null() => {}
            Err(other) => log.printf(&format!(
                "warning: destination for {key_at} is a table. Ignoring non-table value ({})",
                go_print(&other)
            )),
        },
        Some(Json::Null) => {}
        Some(_) => {
            if let Json::Object(_) = &*default {
                log.printf(&format!(
                    "warning: cannot overwrite table with non table for {key_at} ({})",
                    go_print(&default)
                ));
            }
        }
    }
}

/// `Values.Table`: the map at a dotted path.
pub(crate) fn table<'v>(values: &'v Values, path: &str) -> Option<&'v Values> {
    table_lookup(values, path).ok()
}

/// helm's `ErrNoTable`: the first key of a path that names no table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a table", crate::go::strconv::quote(.0))]
pub(crate) struct NoTable(String);

/// `Values.Table` with its error.
pub(crate) fn table_lookup<'v>(values: &'v Values, path: &str) -> Result<&'v Values, NoTable> {
    let mut current = values;
    for part in path.split('.') {
        match current.get(part) {
            Some(Json::Object(m)) => current = m,
            _ => return Err(NoTable(part.to_string())),
        }
    }
    Ok(current)
}

/// `Values.PathValue`: a non-table value at a dotted path.
pub(crate) fn path_value<'v>(values: &'v Values, path: &str) -> Option<&'v Json> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(values, p)?, k),
        None => (values, path),
    };
    parent.get(key).filter(|v| !v.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Json) -> Values {
        match v {
            Json::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn coalesce_tables_deletes_a_null_only_over_a_default() {
        // helm v4.1.4: a null removes a chart default; over a null default, or where the
        // defaults have no such key, it stays.
        let mut dst = obj(json!({"a": null, "b": 1, "c": null, "d": {"x": null}, "n": null}));
        let src = obj(json!({"c": 3, "e": 4, "d": {"x": 1, "y": 2}, "f": null, "n": null}));
        coalesce_tables(&mut dst, Cow::Borrowed(&src), false, &mut Log::default());
        // c goes (the last key takes its place), then e and f are added.
        let keys: Vec<&str> = dst.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "n", "d", "e", "f"]);
        assert_eq!(
            Json::Object(dst),
            json!({"a": null, "b": 1, "d": {"y": 2}, "e": 4, "f": null, "n": null})
        );

        let mut dst = obj(json!({"a": null, "c": null}));
        coalesce_tables(
            &mut dst,
            Cow::Owned(obj(json!({"c": 3}))),
            true,
            &mut Log::default(),
        );
        assert_eq!(Json::Object(dst), json!({"a": null, "c": null}));
    }

    fn chart(values: Json, deps: Vec<Chart>, name: &str) -> Chart {
        let mut c = Chart::default();
        c.metadata.name = name.into();
        c.values = obj(values);
        c.dependencies = deps;
        c
    }

    #[test]
    fn coalescing_logs_helms_warnings() {
        // helm v4.1.4 on chart `m` with these defaults and values (its order is Go's map
        // order, random: compared sorted).
        let c = chart(
            json!({"tbl": 5, "t2": {"a": [1, 2.5, "x"]}, "t3": {"a": {"b": 1.5e6, "c": true}}}),
            vec![],
            "m",
        );
        let user = obj(json!({"tbl": {"a": 1}, "t2": {"a": {"b": 1}}, "t3": {"a": 3}}));
        let mut log = Log::default();
        coalesce(Defaults::of(&c), user, false, &mut log).unwrap();
        let mut lines = log.lines().to_vec();
        lines.sort();
        assert_eq!(
            lines,
            [
                r#"level=INFO msg="warning: cannot overwrite table with non table for m.t3.a (map[b:1.5e+06 c:true])""#,
                r#"level=INFO msg="warning: destination for m.t2.a is a table. Ignoring non-table value ([1 2.5 x])""#,
                r#"level=INFO msg="warning: skipped value for m.tbl: Not a table.""#,
            ]
        );
        // A global that is not a table is skipped for each subchart.
        let top = chart(json!({}), vec![chart(json!({}), vec![], "sub")], "m");
        let mut log = Log::default();
        coalesce(
            Defaults::of(&top),
            obj(json!({"global": 1})),
            false,
            &mut log,
        )
        .unwrap();
        assert_eq!(
            log.lines(),
            [r#"level=INFO msg="warning: skipping globals because source global is not a table.""#]
        );
    }

    #[test]
    fn nulls_delete_maps_merge_lists_replace() {
        let c = chart(
            json!({"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2]}),
            vec![],
            "c",
        );
        let out = coalesce(
            Defaults::of(&c),
            obj(json!({"a": null, "m": {"x": null, "z": 3}, "l": [9]})),
            false,
            &mut Log::default(),
        )
        .unwrap();
        assert_eq!(Json::Object(out), json!({"m": {"y": 2, "z": 3}, "l": [9]}));
    }

    #[test]
    fn a_top_level_null_deletes_even_over_a_null_default() {
        // helm v4.1.4's coalesceValues drops a chart's own key set to null whatever its
        // default; a null for a key the chart lacks stays, as does one inside a subchart's
        // section until the subchart's own coalescing (which gives the section a `global`).
        let sub = chart(json!({"s": 1, "t": null}), vec![], "sub");
        let c = chart(json!({"n": null, "sub": {"s": 2}}), vec![sub], "c");
        let user = obj(json!({"n": null, "new": null, "sub": {"s": null, "t": null, "u": null}}));
        let out = coalesce(Defaults::of(&c), user, false, &mut Log::default()).unwrap();
        assert_eq!(
            Json::Object(out),
            json!({"new": null, "sub": {"global": {}, "u": null}})
        );
    }

    #[test]
    fn a_values_file_reads_as_if_it_ended_with_a_line_break() {
        // helm v4.1.4 prints "line1\nline2\n" for this values.yaml.
        let values = load_values("a: |\n  line1\n  line2").unwrap();
        assert_eq!(values["a"], json!("line1\nline2\n"));
    }

    #[test]
    fn globals_flow_down_not_up() {
        let sub = chart(json!({"global": {"s": 2}, "x": 1}), vec![], "sub");
        let top = chart(json!({"global": {"p": 1}}), vec![sub], "top");
        let out = coalesce(
            Defaults::of(&top),
            Values::new(),
            false,
            &mut Log::default(),
        )
        .unwrap();
        assert_eq!(
            Json::Object(out),
            json!({"global": {"p": 1}, "sub": {"global": {"p": 1, "s": 2}, "x": 1}})
        );
    }

    #[test]
    fn taken_defaults_coalesce_as_borrowed_ones() {
        let sub = chart(
            json!({"global": {"s": 2}, "x": 1, "gone": 1, "m": {"k": null, "j": 1}}),
            vec![],
            "sub",
        );
        let mut top = chart(
            json!({"global": {"p": 1}, "a": {"b": 1, "c": null}, "d": null, "sub": {"y": 2}}),
            vec![sub],
            "top",
        );
        let user = obj(json!({"a": {"c": 3, "n": null}, "sub": {"gone": null, "m": {"z": null}}}));
        let borrowed =
            coalesce(Defaults::of(&top), user.clone(), false, &mut Log::default()).unwrap();
        let taken = coalesce(Defaults::taken(&mut top), user, false, &mut Log::default()).unwrap();
        assert_eq!(borrowed, taken);
        // Same keys in the same order, nulls removed alike.
        let keys = |v: &Values| v.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&borrowed), keys(&taken));
        assert_eq!(
            keys(borrowed["sub"].as_object().unwrap()),
            keys(taken["sub"].as_object().unwrap())
        );
        assert!(top.values.is_empty() && top.dependencies[0].values.is_empty());
    }

    #[test]
    fn owned_tables_remove_nulls_in_the_order_borrowed_ones_do() {
        let dst = obj(json!({"a": null, "b": 1, "c": null, "d": {"x": null}}));
        let src = obj(json!({"c": 3, "e": 4, "d": {"x": 1, "y": 2}, "f": null}));
        let (mut borrowed, mut owned) = (dst.clone(), dst);
        coalesce_tables(
            &mut borrowed,
            Cow::Borrowed(&src),
            false,
            &mut Log::default(),
        );
        coalesce_tables(&mut owned, Cow::Owned(src), false, &mut Log::default());
        let keys = |v: &Values| v.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&owned), ["a", "b", "d", "e", "f"]);
        assert_eq!(keys(&borrowed), keys(&owned));
        assert_eq!(borrowed, owned);
    }

    #[test]
    fn subchart_section_must_be_a_table() {
        let sub = chart(json!({}), vec![], "sub");
        let top = chart(json!({}), vec![sub], "top");
        let err = coalesce(
            Defaults::of(&top),
            obj(json!({"sub": "s"})),
            false,
            &mut Log::default(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(string=s)");
    }

    #[test]
    fn user_values_order() {
        let opts = ValueOptions {
            value_files: vec![("f.yaml".into(), "a: file\nb: 1\n".into())],
            json_values: vec!["a=\"json\"".into()],
            values: vec!["a=set,c=1".into()],
            string_values: vec!["c=2".into()],
            ..Default::default()
        };
        let out = merge_user_values(&opts, &|path| {
            Err(ReadFileError::read_file(
                path,
                &std::io::ErrorKind::NotFound.into(),
            ))
        })
        .unwrap();
        assert_eq!(Json::Object(out), json!({"a": "set", "b": 1.0, "c": "2"}));
    }

    #[test]
    fn values_documents_merge() {
        let v = load_values("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(v.len(), 2);
        assert!(load_values("- 1\n")
            .unwrap_err()
            .to_string()
            .contains("cannot unmarshal array"));
    }

    #[test]
    fn values_documents_read_as_helms_load_values() {
        // helm v4.1.4's results for these values.yaml texts.
        let error = |text: &str| load_values(text).unwrap_err().to_string();
        // Each piece has its own line numbers.
        assert_eq!(
            error("a: b\n---\n- x\nc: d\n"),
            "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected '-' indicator"
        );
        assert_eq!(
            error("--- a\n... x\n"),
            "error reading yaml document: invalid Yaml document separator: a"
        );
        // Only a piece's first document is read: what cannot continue it is never reached.
        assert_eq!(
            Json::Object(load_values("  a: 1\nb: 2\n").unwrap()),
            json!({"a": 1.0})
        );
    }
}
