//! The OpenAPI 3.1 document of `serve` (`GET /openapi.json`), its component schemas made from
//! the project's schema copies (`schema/`): each file's `$ref`s to another file become
//! references to that component. Astra's problem body, which no schema copy describes, is
//! written here as Astra's API reference gives it.

use crate::records::schemas::SCHEMAS;
use serde_json::{json, Map, Value};

/// The component name of a schema copy: its file name, `astra/Package` → `AstraPackage`.
fn component_name(schema: &str) -> String {
    schema.split('/').map(capitalized).collect()
}

fn capitalized(part: &str) -> String {
    let mut chars = part.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Rewrites `"$ref": "X.json"` into a reference to the component X, everywhere in `value`.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                match inner {
                    Value::String(target) if key == "$ref" => {
                        if let Some(file) = target.strip_suffix(".json") {
                            *target = format!("#/components/schemas/{}", component_name(file));
                        }
                    }
                    _ => rewrite_refs(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// A schema copy as an OpenAPI component: its `$id` and `$schema` (the document's dialect is
/// 2020-12 already) dropped, its references rewritten.
pub fn component(text: &str) -> Value {
    let mut schema: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut schema {
        map.remove("$id");
        map.remove("$schema");
    }
    rewrite_refs(&mut schema);
    schema
}

fn astra_problem_schema() -> Value {
    json!({
        "title": "Astra problem",
        "description": "An Astra Control API problem detail (RFC 7807; status as a string).",
        "type": "object",
        "required": ["type", "title", "detail", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "status": {"type": "string", "pattern": "^[1-5][0-9][0-9]$"},
            "correlationID": {"type": "string"},
            "invalidParams": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name", "reason"],
                    "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}
                }
            }
        },
        "additionalProperties": true
    })
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn content(media_type: &str, schema: Value) -> Value {
    json!({ media_type: {"schema": schema} })
}

fn path_parameter(name: &str, description: &str, pattern: &str) -> Value {
    json!({
        "name": name,
        "in": "path",
        "required": true,
        "description": description,
        "schema": {"type": "string", "pattern": pattern}
    })
}

const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// The Chkk-style error responses of an endpoint taking a package id.
fn chkk_errors() -> Value {
    let problem = || content("application/problem+json", schema_ref("ErrorModel"));
    json!({
        "400": {"description": "The package id is malformed", "content": problem()},
        "404": {"description": "The catalog holds no such package", "content": problem()},
        "default": {"description": "Error", "content": problem()}
    })
}

fn chkk_operation(id: &str, summary: &str, ok: Value) -> Value {
    let package = path_parameter(
        "package",
        "The package id (pkg_ and a UUID).",
        &format!("^pkg_{}", &UUID_PATTERN[1..]),
    );
    let mut responses =
        json!({"200": {"description": "OK", "content": content("application/json", ok)}});
    if let (Value::Object(all), Value::Object(errors)) = (&mut responses, chkk_errors()) {
        all.extend(errors);
    }
    json!({"get": {
        "operationId": id,
        "summary": summary,
        "parameters": [package],
        "responses": responses
    }})
}

/// The whole document.
pub fn document() -> Value {
    let mut schemas: Map<String, Value> = SCHEMAS
        .iter()
        .filter(|(name, _)| *name != "ScanResult")
        .map(|(name, text)| (component_name(name), component(text)))
        .collect();
    schemas.insert("AstraProblem".into(), astra_problem_schema());
    let astra_problem = || content("application/problem+json", schema_ref("AstraProblem"));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "pkglens catalog",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Read-only answers from a pkglens catalog (`pkglens scan --catalog`): \
                the Get Package endpoints of the Chkk API and of the Astra Control API."
        },
        "paths": {
            "/packages/{package}/": chkk_operation(
                "get-package",
                "Get Package",
                schema_ref("Package")
            ),
            "/packages/{package}/components/": chkk_operation(
                "list-package-components",
                "List the PackageComponents of a package (its latest release)",
                json!({"type": "array", "items": schema_ref("PackageComponent")})
            ),
            "/accounts/{account_id}/core/v1/packages/{package_id}": {"get": {
                "operationId": "retrieve-astra-package",
                "summary": "Retrieve a package (Astra)",
                "parameters": [
                    path_parameter("account_id", "Any account: the catalog has one.", ".+"),
                    path_parameter("package_id", "The Astra package id.", UUID_PATTERN)
                ],
                "responses": {
                    "200": {
                        "description": "The Astra package",
                        "content": content("application/astra-package+json", schema_ref("AstraPackage"))
                    },
                    "400": {"description": "Invalid parameters", "content": astra_problem()},
                    "404": {"description": "Not found", "content": astra_problem()}
                }
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {
                    "description": "The OpenAPI document",
                    "content": content("application/json", json!({"type": "object"}))
                }}
            }}
        },
        "components": {"schemas": schemas}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_references_become_component_references() {
        let package = component(include_str!("../../schema/Package.json"));
        assert_eq!(
            package["properties"]["versioning"]["$ref"],
            "#/components/schemas/Versioning"
        );
        assert!(package.get("$id").is_none());
        // A property named `$schema` is data, not the schema's own dialect: it stays.
        assert!(package["properties"]["$schema"].is_object());
        assert_eq!(component_name("astra/Package"), "AstraPackage");
    }

    #[test]
    fn every_reference_resolves() {
        let document = document();
        let text = document.to_string();
        for target in text.split("\"#/components/schemas/").skip(1) {
            let name = &target[..target.find('"').unwrap()];
            assert!(
                document["components"]["schemas"].get(name).is_some(),
                "{name}"
            );
        }
    }
}
