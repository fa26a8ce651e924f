//! Error bodies, `application/problem+json`, in the two APIs' styles: the Chkk API's ErrorModel
//! (RFC 9457 with `type: about:blank` and the status's reason phrase as `title`, `errors` naming
//! the offending parameter), and Astra's problem details (a numbered `type` URI, a fixed title
//! and detail per problem, `status` as a string).

use serde::Serialize;

/// The longest echo of a rejected parameter in an error body.
const VALUE_ECHO_MAX: usize = 200;

/// One ErrorDetail of an ErrorModel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    /// Where the error is, e.g. `path.id`.
    pub location: String,
    /// What is wrong there.
    pub message: String,
    /// The offending value (shortened when long).
    pub value: String,
}

/// The Chkk API's ErrorModel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorModel {
    /// The `type` URI (`about:blank`).
    #[serde(rename = "type")]
    pub type_uri: &'static str,
    /// The status's reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// The offending parameters, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
}

impl ErrorModel {
    /// A problem with `status` (its reason phrase as title) and `detail`.
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        Self {
            type_uri: "about:blank",
            title: reason_phrase(status),
            status,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A 400 for a path parameter that is not what the endpoint takes.
    pub fn bad_parameter(name: &str, value: &str, message: &str) -> Self {
        Self {
            errors: vec![ErrorDetail {
                location: format!("path.{name}"),
                message: message.to_string(),
                value: echo(value),
            }],
            ..Self::new(400, format!("path parameter {name} {message}"))
        }
    }
}

/// One entry of an Astra problem's `invalidParams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidParam {
    /// The parameter's name.
    pub name: String,
    /// Why its value is refused.
    pub reason: String,
}

/// An Astra problem detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AstraProblem {
    /// Astra's numbered `type` URI.
    #[serde(rename = "type")]
    pub type_uri: &'static str,
    /// Astra's fixed title for the problem.
    pub title: &'static str,
    /// Astra's fixed detail for the problem.
    pub detail: String,
    /// Astra writes the status as a string.
    pub status: String,
    /// The offending parameters, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<InvalidParam>,
}

impl AstraProblem {
    /// Astra's problem 2, what "Retrieve a package" answers for an id it does not hold.
    pub fn collection_not_found() -> Self {
        Self {
            type_uri: "https://astra.netapp.io/problems/2",
            title: "Collection not found",
            detail: "The collection specified in the request URI wasn't found.".into(),
            status: "404".into(),
            invalid_params: Vec::new(),
        }
    }

    /// Astra's problem 5 for a malformed parameter (Astra names path and query parameters
    /// alike in `invalidParams`).
    pub fn invalid_parameter(name: &str, reason: &str) -> Self {
        Self {
            type_uri: "https://astra.netapp.io/problems/5",
            title: "Invalid query parameters",
            detail: "The supplied query parameters are invalid.".into(),
            status: "400".into(),
            invalid_params: vec![InvalidParam {
                name: name.to_string(),
                reason: reason.to_string(),
            }],
        }
    }

    /// A failure of pkglens itself (Astra defines no number for it).
    pub fn internal(detail: String) -> Self {
        Self {
            type_uri: "about:blank",
            title: reason_phrase(500),
            detail,
            status: "500".into(),
            invalid_params: Vec::new(),
        }
    }
}

/// A rejected value as an error body repeats it: cut short, never the whole of a huge one.
fn echo(value: &str) -> String {
    value.chars().take(VALUE_ECHO_MAX).collect()
}

/// The reason phrases of the statuses `serve` answers with.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}
