//! Helm's dependency processing before rendering: aliases, `condition` and `tags` deciding which
//! subcharts take part, and `import-values` copying child values up into the parent.

use super::chart::{Chart, Dependency};
use super::log::{Level, Log};
use super::semver::is_compatible_range;
use super::values::{
    coalesce, coalesce_tables, path_value, table, table_lookup, Defaults, Values, ValuesError,
};
use crate::budget::{self, LimitExceeded, LimitKind};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::HashSet;

/// Dependencies Chart.yaml declares that `charts/` does not hold (their names, in order).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("found in Chart.yaml, but missing in charts/ directory: {}", .0.join(", "))]
pub struct MissingDependencies(pub Vec<String>);

/// Helm's `CheckDependencies`: every declared dependency must be present in `charts/`.
pub fn check_dependencies(chart: &Chart) -> Result<(), MissingDependencies> {
    let Some(declared) = &chart.metadata.dependencies else {
        return Ok(());
    };
    let missing: Vec<String> = declared
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.clone())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MissingDependencies(missing))
    }
}

/// Why dependency processing failed: helm's message, or a limit on the charts it builds.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DependencyError {
    /// Values that do not coalesce (a subchart's section that is not a table).
    #[error("{0}")]
    Values(ValuesError),
    /// Too many chart instances (subcharts and aliases) for one render or input.
    #[error("{0}")]
    Limit(LimitExceeded),
}

/// Helm's `ProcessDependencies`: enables/disables and aliases subcharts, then imports values;
/// `log` gets the warnings helm logs on the way.
pub fn process_dependencies(
    chart: &mut Chart,
    vals: &Values,
    log: &mut Log,
) -> Result<(), DependencyError> {
    process_enabled(chart, vals, "", &mut 1, log)?;
    process_import_values(chart, log);
    Ok(())
}

/// The chart `dep` refers to among `charts`, renamed to the alias when there is one.
fn aliased(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let found = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = found.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

/// Most chart instances (the chart, its subcharts, every alias a copy) one render builds:
/// aliases of charts that alias charts multiply (8 aliases, 6 levels deep: 262 144 charts).
pub const MAX_CHART_INSTANCES: usize = 1_000;

/// Counts one more chart instance, refusing the render past [`MAX_CHART_INSTANCES`].
fn count_instance(instances: &mut usize) -> Result<(), LimitExceeded> {
    *instances += 1;
    if *instances > MAX_CHART_INSTANCES {
        return Err(budget::exceeded(
            LimitKind::ChartInstances,
            format_args!(
                "more than {MAX_CHART_INSTANCES} charts (subcharts and their aliases) in one render"
            ),
        ));
    }
    budget::charge_render("charts")
}

fn process_enabled(
    chart: &mut Chart,
    vals: &Values,
    path: &str,
    instances: &mut usize,
    log: &mut Log,
) -> Result<(), DependencyError> {
    let Some(mut declared) = chart.metadata.dependencies.take() else {
        return Ok(());
    };
    // Charts in charts/ that no declaration matches stay as they are.
    let mut kept: Vec<Chart> = chart
        .dependencies
        .iter()
        .filter(|existing| {
            !declared.iter().any(|req| {
                existing.name() == req.name
                    && is_compatible_range(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in declared.iter_mut() {
        // Counted before the copy is made.
        count_instance(instances).map_err(DependencyError::Limit)?;
        if let Some(c) = aliased(&chart.dependencies, req) {
            kept.push(c);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    chart.dependencies = kept;
    chart.metadata.dependencies = Some(declared.clone());
    let cvals =
        coalesce(Defaults::of(chart), vals.clone(), false, log).map_err(DependencyError::Values)?;

    process_tags(&mut declared, &cvals, log);
    process_conditions(&mut declared, &cvals, path, log);

    let disabled: HashSet<String> = declared
        .iter()
        .filter(|d| !d.enabled)
        .map(|d| d.name.clone())
        .collect();
    chart.dependencies.retain(|c| !disabled.contains(c.name()));
    declared.retain(|d| !disabled.contains(&d.name));
    for sub in chart.dependencies.iter_mut() {
        let subpath = format!("{path}{}.", sub.name());
        process_enabled(sub, &cvals, &subpath, instances, log)?;
    }
    chart.metadata.dependencies = Some(declared);
    Ok(())
}

/// A condition or tag that is set but not a boolean: ignored, with helm's warning.
fn non_bool(log: &mut Log, what: &str, name: &str, dep: &Dependency) {
    log.push(
        Level::Warn,
        "returned non-bool value",
        &[(what, name), ("chart", &dep.name)],
    );
}

fn process_tags(declared: &mut [Dependency], cvals: &Values, log: &mut Log) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    for dep in declared.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for tag in &dep.tags {
            match tags.get(tag) {
                Some(Json::Bool(true)) => has_true = true,
                Some(Json::Bool(false)) => has_false = true,
                Some(_) => non_bool(log, "tag", tag, dep),
                None => {}
            }
        }
        dep.enabled = has_true || !has_false;
    }
}

fn process_conditions(declared: &mut [Dependency], cvals: &Values, path: &str, log: &mut Log) {
    for dep in declared.iter_mut() {
        for condition in dep.condition.trim().split(',') {
            if condition.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{condition}")) {
                Some(Json::Bool(b)) => {
                    dep.enabled = *b;
                    break;
                }
                Some(_) => non_bool(log, "path", condition, dep),
                None => {}
            }
        }
    }
}

fn path_to_map(path: &str, data: Values) -> Values {
    if path == "." {
        return data;
    }
    let mut current = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Json::Object(current));
        current = m;
    }
    current
}

/// Go's `%v` of an `import-values` field (strings as they are, numbers and booleans printed).
fn go_print(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => "<nil>".into(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn process_import_values(chart: &mut Chart, log: &mut Log) {
    for sub in chart.dependencies.iter_mut() {
        process_import_values(sub, log);
    }
    let Some(mut declared) = chart.metadata.dependencies.take() else {
        return;
    };
    // Merging (not coalescing) the chart's own values keeps nulls, as Helm does here. They are
    // replaced by the result below, so they are moved into it rather than copied.
    let cvals = coalesce(Defaults::own_taken(chart), Values::new(), true, log).unwrap_or_default();
    let mut imported = Values::new();
    for dep in declared.iter_mut() {
        let mut rewritten = Vec::new();
        for iv in &dep.import_values {
            let (child, parent, missing_msg) = match iv {
                Json::Object(m) => (
                    go_print(m.get("child")),
                    go_print(m.get("parent")),
                    "ImportValues missing table from chart",
                ),
                Json::String(s) => (
                    format!("exports.{s}"),
                    ".".to_string(),
                    "ImportValues missing table",
                ),
                _ => continue,
            };
            let mut entry = Map::new();
            entry.insert("child".into(), Json::String(child.clone()));
            entry.insert("parent".into(), Json::String(parent.clone()));
            rewritten.push(Json::Object(entry));
            match table_lookup(&cvals, &format!("{}.{child}", dep.name)) {
                Ok(found) => {
                    let incoming = path_to_map(&parent, found.clone());
                    let mut merged = imported;
                    coalesce_tables(&mut merged, Cow::Owned(incoming), true, log);
                    imported = merged;
                }
                Err(missing) => {
                    let error = missing.to_string();
                    // The string form names no chart (helm pkg/chart/v2/util/dependencies.go).
                    let attrs: &[(&str, &str)] = if iv.is_string() {
                        &[("error", &error)]
                    } else {
                        &[("chart", &dep.name), ("error", &error)]
                    };
                    log.push(Level::Warn, missing_msg, attrs);
                }
            }
        }
        dep.import_values = rewritten;
    }
    let mut values = cvals;
    coalesce_tables(&mut values, Cow::Owned(imported), true, log);
    chart.values = values;
    chart.metadata.dependencies = Some(declared);
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

    fn sub(name: &str, values: Json) -> Chart {
        let mut c = Chart::default();
        c.metadata.name = name.into();
        c.metadata.version = "0.1.0".into();
        c.values = obj(values);
        c
    }

    fn dep(name: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: "0.1.0".into(),
            ..Default::default()
        }
    }

    #[test]
    fn condition_disables_and_alias_renames() {
        let mut top = sub("top", json!({}));
        top.dependencies = vec![sub("sub", json!({"x": 1}))];
        let mut a = dep("sub");
        a.alias = "first".into();
        a.condition = "first.enabled".into();
        let mut b = dep("sub");
        b.alias = "second".into();
        top.metadata.dependencies = Some(vec![a, b]);
        process_dependencies(
            &mut top,
            &obj(json!({"first": {"enabled": false}})),
            &mut Log::default(),
        )
        .unwrap();
        let names: Vec<&str> = top.dependencies.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["second"]);
    }

    #[test]
    fn import_values_both_forms() {
        let mut top = sub("top", json!({"k1": "parent"}));
        top.dependencies = vec![sub(
            "sub",
            json!({"data": {"a": 1}, "exports": {"mine": {"k1": "child", "k2": "child"}}}),
        )];
        let mut d = dep("sub");
        d.import_values = vec![
            json!({"child": "data", "parent": "imported"}),
            json!("mine"),
        ];
        top.metadata.dependencies = Some(vec![d]);
        process_dependencies(&mut top, &Values::new(), &mut Log::default()).unwrap();
        assert_eq!(top.values["imported"], json!({"a": 1}));
        assert_eq!(top.values["k1"], json!("parent"));
        assert_eq!(top.values["k2"], json!("child"));
    }

    #[test]
    fn what_is_set_but_unusable_is_logged_as_helm_logs_it() {
        // helm v4.1.4 on `--set sub.enabled=yes --set tags.t=1`, for a subchart with condition
        // `sub.enabled,other.x`, tag `t` and import-values `missing` and {child: a.b, parent: z}.
        let mut top = sub("m", json!({}));
        top.dependencies = vec![sub("sub", json!({}))];
        let mut d = dep("sub");
        d.condition = "sub.enabled,other.x".into();
        d.tags = vec!["t".into()];
        d.import_values = vec![json!("missing"), json!({"child": "a.b", "parent": "z"})];
        top.metadata.dependencies = Some(vec![d]);
        let mut log = Log::default();
        let vals = obj(json!({"sub": {"enabled": "yes"}, "tags": {"t": 1}}));
        process_dependencies(&mut top, &vals, &mut log).unwrap();
        assert_eq!(
            log.lines(),
            [
                r#"level=WARN msg="returned non-bool value" tag=t chart=sub"#,
                r#"level=WARN msg="returned non-bool value" path=sub.enabled chart=sub"#,
                r#"level=WARN msg="ImportValues missing table" error="\"exports\" is not a table""#,
                r#"level=WARN msg="ImportValues missing table from chart" chart=sub error="\"a\" is not a table""#,
            ]
        );
    }

    #[test]
    fn missing_dependency_is_reported() {
        let mut top = sub("top", json!({}));
        top.metadata.dependencies = Some(vec![dep("ghost")]);
        assert!(check_dependencies(&top)
            .unwrap_err()
            .to_string()
            .ends_with("directory: ghost"));
    }
}
