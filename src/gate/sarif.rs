//! Gate failures as a SARIF 2.1.0 log (`scan --format sarif`): one result per failure, its
//! `ruleId` the rule, located at the template or file, so code hosts annotate that file.

use super::{Failure, Rule};
use crate::records::problem::percent_encode_path;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SARIF_VERSION: &str = "2.1.0";

/// The SARIF log of `failures` for the rules `rules` (each rule described once, in the
/// driver, in this order). Paths are made relative to `base` (the working directory) when
/// they lie under it, as code hosts expect repository-relative URIs.
pub fn log(rules: &[Rule], failures: &[Failure], base: &Path) -> Value {
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name(),
                "name": rule.name(),
                "shortDescription": { "text": rule.description() },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = failures
        .iter()
        .map(|failure| {
            let mut result = json!({
                "ruleId": failure.rule.name(),
                "level": "error",
                "message": { "text": failure.to_string() },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": artifact_uri(&failure.location, base) }
                    }
                }],
            });
            if let Some(index) = rules.iter().position(|r| *r == failure.rule) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pkglens",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                }
            },
            "results": results,
        }]
    })
}

/// A location's URI: relative (`/`-separated, percent-encoded) when the path is relative or
/// under `base`, otherwise an absolute `file://` URI.
fn artifact_uri(location: &str, base: &Path) -> String {
    let path = Path::new(location);
    let relative: Option<PathBuf> = if path.is_absolute() {
        path.strip_prefix(base).ok().map(Path::to_path_buf)
    } else {
        Some(path.components().collect())
    };
    match relative {
        Some(relative) => {
            let parts: Vec<String> = relative
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            percent_encode_path(&parts.join("/"))
        }
        None => format!("file://{}", percent_encode_path(location)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_relative_uris_under_the_base() {
        let base = Path::new("/repo");
        assert_eq!(
            artifact_uri("./charts/web/templates/a b.yaml", base),
            "charts/web/templates/a%20b.yaml"
        );
        assert_eq!(artifact_uri("/repo/charts/web.tgz", base), "charts/web.tgz");
        assert_eq!(
            artifact_uri("/elsewhere/web.tgz", base),
            "file:///elsewhere/web.tgz"
        );
    }
}
