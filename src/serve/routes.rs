//! What `serve` answers for a method and a path, apart from HTTP itself (so it is tested
//! without a socket):
//!
//! - `GET /packages/{package}/`: the Package (Chkk "Get Package"), `application/json`;
//! - `GET /packages/{package}/components/`: its PackageComponents, a JSON array;
//! - `GET /accounts/{account_id}/core/v1/packages/{package_id}`: the Astra package (Astra
//!   "Retrieve a package"), `application/astra-package+json`, Astra problem bodies;
//! - `GET /openapi.json`: the OpenAPI document.
//!
//! A trailing `/` is optional on every path. Everything else is a 404 (405 for another method
//! on a known path), each with an ErrorModel body.

use super::problems::{AstraProblem, ErrorModel};
use crate::catalog::lookup::{canonical_uuid, parse_package_id};
use crate::catalog::{Catalog, CatalogError};
use serde::Serialize;

pub const JSON: &str = "application/json";
pub const PROBLEM_JSON: &str = "application/problem+json";
pub const ASTRA_PACKAGE_JSON: &str = "application/astra-package+json";

/// One answer: status, media type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    fn json(content_type: &'static str, body: String) -> Self {
        Self {
            status: 200,
            content_type,
            body: body.into_bytes(),
        }
    }

    fn problem<T: Serialize>(status: u16, problem: &T) -> Self {
        Self {
            status,
            content_type: PROBLEM_JSON,
            // A struct of strings always serializes.
            body: serde_json::to_vec(problem).unwrap_or_default(),
        }
    }

    fn error_model(problem: ErrorModel) -> Self {
        Self::problem(problem.status, &problem)
    }

    fn astra_problem(status: u16, problem: AstraProblem) -> Self {
        Self::problem(status, &problem)
    }
}

/// The endpoints, as matched from a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Package(String),
    Components(String),
    AstraPackage { package_id: String },
    OpenApi,
}

/// Percent-decodes one path segment; `None` when it is not valid (bad escape, not UTF-8).
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Matches a path (without its query) to an endpoint; `Err` holds the decoded-segment problem.
fn route(path: &str) -> Option<Result<Route, ErrorModel>> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let raw: Vec<&str> = trimmed.split('/').skip(1).collect();
    if !path.starts_with('/') || raw.iter().any(|s| s.is_empty()) {
        return None;
    }
    let segments: Vec<String> = match raw.iter().map(|s| decode_segment(s)).collect() {
        Some(segments) => segments,
        None => {
            return Some(Err(ErrorModel::new(
                400,
                "the path holds an invalid percent-encoding",
            )))
        }
    };
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let matched = match parts.as_slice() {
        ["openapi.json"] => Route::OpenApi,
        ["packages", package] => Route::Package(package.to_string()),
        ["packages", package, "components"] => Route::Components(package.to_string()),
        ["accounts", _account, "core", "v1", "packages", package_id] => Route::AstraPackage {
            package_id: package_id.to_string(),
        },
        _ => return None,
    };
    Some(Ok(matched))
}

fn internal(error: &CatalogError) -> Answer {
    Answer::error_model(ErrorModel::new(500, error.to_string()))
}

/// Answers one request. `openapi` is the OpenAPI document (built once).
pub fn answer(method: &str, path: &str, catalog: &Catalog, openapi: &str) -> Answer {
    let route = match route(path) {
        None => {
            return Answer::error_model(ErrorModel::new(
                404,
                "no such endpoint (GET /openapi.json lists them)",
            ))
        }
        Some(Err(problem)) => return Answer::error_model(problem),
        Some(Ok(route)) => route,
    };
    if method != "GET" && method != "HEAD" {
        return Answer::error_model(ErrorModel::new(
            405,
            format!("{method} is not allowed: the catalog is read-only (GET or HEAD)"),
        ));
    }
    match route {
        Route::OpenApi => Answer::json(JSON, openapi.to_string()),
        Route::Package(package) => {
            let Some(id) = parse_package_id(&package) else {
                return malformed_package(&package);
            };
            match catalog.package(&id) {
                Ok(Some(record)) => match serde_json::to_string(&record) {
                    Ok(body) => Answer::json(JSON, body),
                    Err(err) => Answer::error_model(ErrorModel::new(500, err.to_string())),
                },
                Ok(None) => unknown_package(&id),
                Err(err) => internal(&err),
            }
        }
        Route::Components(package) => {
            let Some(id) = parse_package_id(&package) else {
                return malformed_package(&package);
            };
            match catalog.components_json(&id) {
                Ok(Some(body)) => Answer::json(JSON, body),
                Ok(None) => unknown_package(&id),
                Err(err) => internal(&err),
            }
        }
        Route::AstraPackage { package_id } => {
            let Some(uuid) = canonical_uuid(&package_id) else {
                return Answer::astra_problem(
                    400,
                    AstraProblem::invalid_parameter(
                        "package_id",
                        "must be a UUID (8-4-4-4-12 hexadecimal digits)",
                    ),
                );
            };
            match catalog.astra_json(&uuid) {
                Ok(Some(body)) => Answer::json(ASTRA_PACKAGE_JSON, body),
                Ok(None) => Answer::astra_problem(404, AstraProblem::collection_not_found()),
                Err(err) => Answer::astra_problem(500, AstraProblem::internal(err.to_string())),
            }
        }
    }
}

fn malformed_package(given: &str) -> Answer {
    Answer::error_model(ErrorModel::bad_parameter(
        "package",
        given,
        "must be a package id: pkg_ followed by a UUID",
    ))
}

fn unknown_package(id: &str) -> Answer {
    Answer::error_model(ErrorModel::new(
        404,
        format!("the catalog holds no package {id}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_to_endpoints() {
        let id = "pkg_f949ca6d-8a5c-501c-af81-5c3f91542794";
        assert_eq!(
            route(&format!("/packages/{id}/")),
            Some(Ok(Route::Package(id.into())))
        );
        assert_eq!(
            route(&format!("/packages/{id}")),
            Some(Ok(Route::Package(id.into())))
        );
        assert_eq!(
            route("/packages/a%62c/components/"),
            Some(Ok(Route::Components("abc".into())))
        );
        assert_eq!(
            route("/accounts/acc/core/v1/packages/x"),
            Some(Ok(Route::AstraPackage {
                package_id: "x".into()
            }))
        );
        assert_eq!(route("/openapi.json"), Some(Ok(Route::OpenApi)));
        for unknown in [
            "",
            "/",
            "/packages",
            "/packages//",
            "//packages/x/",
            "x",
            "/a/b/c",
        ] {
            assert_eq!(route(unknown), None, "{unknown}");
        }
        assert!(matches!(route("/packages/%zz/"), Some(Err(_))));
        assert!(matches!(route("/packages/%ff/"), Some(Err(_))));
    }
}
