//! Values as Helm computes them: values files, the `--set` family, and the coalescing of user
//! values with chart defaults down the subchart tree (nulls delete, maps merge, lists replace,
//! `global` copied into every subchart).

use super::chart::Chart;
use super::strvals::{self, json_numbers_as_float, SetKind};
use crate::yaml;
use serde_json::{Map, Value as Json};

/// A values tree: values.yaml, the user's values, or the two coalesced.
pub type Values = Map<String, Json>;

const GLOBAL_KEY: &str = "global";

/// Loads a values document stream (values.yaml or a `-f` file): every document must be a
/// mapping (or empty); later documents merge over earlier ones; numbers become float64.
pub(crate) fn load_values(text: &str) -> Result<Values, String> {
    // Helm reads a values file as if it ended with a line break: a block scalar that runs to
    // the end of the file keeps its final `\n` (helm v4.1.4), unlike `fromYaml` or Chart.yaml.
    let terminated;
    let text = match text.ends_with('\n') {
        true => text,
        false => {
            terminated = format!("{text}\n");
            &terminated
        }
    };
    let docs = yaml::load_all(text, &yaml::Limits::default()).map_err(|e| {
        format!("cannot unmarshal yaml document: error converting YAML to JSON: {e}")
    })?;
    let mut values = Values::new();
    for doc in docs {
        let json = yaml::to_json(&doc).map_err(|e| {
            format!("cannot unmarshal yaml document: error converting YAML to JSON: {e}")
        })?;
        match json_numbers_as_float(json) {
            Json::Object(map) => values = merge_maps(values, map),
            Json::Null => {}
            other => {
                return Err(format!(
                    "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                ))
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
    read_file: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Values, String> {
    let mut base = Values::new();
    for (path, text) in &opts.value_files {
        let current = load_values(text).map_err(|e| format!("failed to parse {path}: {e}"))?;
        base = merge_maps(base, current);
    }
    for value in &opts.json_values {
        let trimmed = value.trim();
        if trimmed.starts_with('{') {
            let parsed: Json = serde_json::from_str(trimmed)
                .map_err(|_| format!("failed parsing --set-json data JSON: {value}"))?;
            match json_numbers_as_float(parsed) {
                Json::Object(map) => base = merge_maps(base, map),
                _ => return Err(format!("failed parsing --set-json data JSON: {value}")),
            }
        } else {
            strvals::parse_into(value, &mut base, SetKind::Json, read_file)
                .map_err(|_| format!("failed parsing --set-json data {value}"))?;
        }
    }
    for value in &opts.values {
        strvals::parse_into(value, &mut base, SetKind::Typed, read_file)
            .map_err(|e| format!("failed parsing --set data: {e}"))?;
    }
    for value in &opts.string_values {
        strvals::parse_into(value, &mut base, SetKind::String, read_file)
            .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
    }
    for value in &opts.file_values {
        strvals::parse_into(value, &mut base, SetKind::File, read_file)
            .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
    }
    for value in &opts.literal_values {
        strvals::parse_literal_into(value, &mut base)
            .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
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

/// Helm's `CoalesceValues` (`merge == false`: nulls delete keys) and `MergeValues`
/// (`merge == true`: nulls are kept) of a chart and the values given for it.
pub(crate) fn coalesce(chart: &Chart, vals: Values, merge: bool) -> Result<Values, String> {
    let mut dest = vals;
    coalesce_values(chart, &mut dest, merge);
    coalesce_deps(chart, &mut dest, merge)?;
    Ok(dest)
}

fn coalesce_deps(chart: &Chart, dest: &mut Values, merge: bool) -> Result<(), String> {
    for sub in &chart.dependencies {
        let name = sub.name().to_string();
        let mut section = match dest.remove(&name) {
            None => Values::new(),
            Some(Json::Object(m)) => m,
            Some(other) => {
                let msg = format!("type mismatch on {name}: {}", go_percent_t(&other));
                dest.insert(name, other);
                return Err(msg);
            }
        };
        coalesce_globals(&mut section, dest);
        let section = coalesce(sub, section, merge)?;
        dest.insert(name, Json::Object(section));
    }
    Ok(())
}

/// Copies the parent's `global` into a subchart's section, the parent winning for scalars and
/// merging top-down into tables.
fn coalesce_globals(dest: &mut Values, src: &Values) {
    let mut dg = match dest.get(GLOBAL_KEY) {
        None => Values::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => return,
    };
    let sg = match src.get(GLOBAL_KEY) {
        None => Values::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => return,
    };
    for (key, val) in sg {
        match val {
            Json::Object(table) => match dg.get(&key) {
                None => {
                    dg.insert(key, Json::Object(table));
                }
                Some(Json::Object(existing)) => {
                    let mut merged = table;
                    coalesce_tables(&mut merged, existing.clone(), true);
                    dg.insert(key, Json::Object(merged));
                }
                Some(_) => {}
            },
            other => {
                if !matches!(dg.get(&key), Some(Json::Object(_))) {
                    dg.insert(key, other);
                }
            }
        }
    }
    dest.insert(GLOBAL_KEY.to_string(), Json::Object(dg));
}

/// Fills `v` (the values given for chart `c`) with the chart's defaults.
fn coalesce_values(chart: &Chart, v: &mut Values, merge: bool) {
    for (key, default) in &chart.values {
        match v.get_mut(key) {
            Some(Json::Null) if !merge => {
                v.remove(key);
            }
            Some(Json::Object(dest)) => {
                if let Json::Object(src) = default {
                    let is_subchart = chart.dependencies.iter().any(|d| d.name() == key);
                    coalesce_tables(dest, src.clone(), merge || is_subchart);
                }
            }
            Some(_) => {}
            None => {
                v.insert(key.clone(), default.clone());
            }
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `src` fills what `dst` lacks; `dst` wins; a null in `dst`
/// deletes the key unless merging.
pub(crate) fn coalesce_tables(dst: &mut Values, mut src: Values, merge: bool) {
    for (key, val) in dst.iter() {
        if val.is_null() {
            src.insert(key.clone(), Json::Null);
        }
    }
    for (key, val) in src {
        match dst.get_mut(&key) {
            Some(Json::Null) if !merge => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(Json::Object(dv)) => {
                if let Json::Object(table) = val {
                    coalesce_tables(dv, table, merge);
                }
            }
            Some(_) => {}
        }
    }
}

/// `Values.Table`: the map at a dotted path.
pub(crate) fn table<'v>(values: &'v Values, path: &str) -> Option<&'v Values> {
    let mut current = values;
    for part in path.split('.') {
        match current.get(part) {
            Some(Json::Object(m)) => current = m,
            _ => return None,
        }
    }
    Some(current)
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

    fn chart(values: Json, deps: Vec<Chart>, name: &str) -> Chart {
        let mut c = Chart::default();
        c.metadata.name = name.into();
        c.values = obj(values);
        c.dependencies = deps;
        c
    }

    #[test]
    fn nulls_delete_maps_merge_lists_replace() {
        let c = chart(
            json!({"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2]}),
            vec![],
            "c",
        );
        let out = coalesce(
            &c,
            obj(json!({"a": null, "m": {"x": null, "z": 3}, "l": [9]})),
            false,
        )
        .unwrap();
        assert_eq!(Json::Object(out), json!({"m": {"y": 2, "z": 3}, "l": [9]}));
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
        let out = coalesce(&top, Values::new(), false).unwrap();
        assert_eq!(
            Json::Object(out),
            json!({"global": {"p": 1}, "sub": {"global": {"p": 1, "s": 2}, "x": 1}})
        );
    }

    #[test]
    fn subchart_section_must_be_a_table() {
        let sub = chart(json!({}), vec![], "sub");
        let top = chart(json!({}), vec![sub], "top");
        let err = coalesce(&top, obj(json!({"sub": "s"})), false).unwrap_err();
        assert_eq!(err, "type mismatch on sub: %!t(string=s)");
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
        let out = merge_user_values(&opts, &|_| Err("no".into())).unwrap();
        assert_eq!(Json::Object(out), json!({"a": "set", "b": 1.0, "c": "2"}));
    }

    #[test]
    fn values_documents_merge() {
        let v = load_values("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(v.len(), 2);
        assert!(load_values("- 1\n")
            .unwrap_err()
            .contains("cannot unmarshal array"));
    }
}
