//! values.schema.json: each chart's coalesced values are validated against its schema (and
//! each subchart's section against the subchart's), as Helm does before rendering.

use super::chart::Chart;
use super::values::Values;
use serde_json::Value as Json;

/// Helm's `ValidateAgainstSchema`: the problems of every chart in the tree, or `Ok`.
pub fn validate_values(chart: &Chart, values: &Values) -> Result<(), String> {
    let mut report = String::new();
    collect_violations(chart, values, &mut report);
    if report.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
        ))
    }
}

fn collect_violations(chart: &Chart, values: &Values, report: &mut String) {
    if let Some(schema) = &chart.schema {
        if let Err(problems) = validate_one(schema, values) {
            report.push_str(&format!("{}:\n{problems}", chart.name()));
        }
    }
    let empty = Values::new();
    for sub in &chart.dependencies {
        let section = match values.get(sub.name()) {
            Some(Json::Object(m)) => m,
            _ => &empty,
        };
        collect_violations(sub, section, report);
    }
}

fn validate_one(schema: &[u8], values: &Values) -> Result<(), String> {
    let schema: Json =
        serde_json::from_slice(schema).map_err(|e| format!("- invalid schema: {e}\n"))?;
    let validator =
        jsonschema::validator_for(&schema).map_err(|e| format!("- invalid schema: {e}\n"))?;
    let instance = Json::Object(values.clone());
    let problems: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("- at '{}': {e}\n", e.instance_path()))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn violations_name_the_chart() {
        let mut chart = Chart::default();
        chart.metadata.name = "c".into();
        chart.schema = Some(Arc::from(
            &br#"{"type":"object","properties":{"replicas":{"type":"integer"}},"required":["replicas"]}"#[..],
        ));
        let Json::Object(good) = json!({"replicas": 2.0}) else {
            unreachable!()
        };
        assert!(validate_values(&chart, &good).is_ok());
        let Json::Object(bad) = json!({"replicas": "two"}) else {
            unreachable!()
        };
        let err = validate_values(&chart, &bad).unwrap_err();
        assert!(err.contains("c:\n- at '/replicas'"), "{err}");
    }
}
