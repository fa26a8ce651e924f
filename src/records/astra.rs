//! The Astra Control "Package" resource (`--format astra`), one per ScanResult.
//!
//! Mapping choices (the Astra schema is stricter than a scan): `packageVersion` is the chart
//! version when it is SemVer, else `0.0.0`; images are listed only when Astra can hold them
//! (a tag and a sha256 digest are required), the others are named in `packageStateDetails`;
//! the id is UUIDv5 over `astra\n{package id}\n{packageVersion}\n{source path}\n{entry}`.

use super::problem::instance_uri;
use super::{ids, ScanResult, State};
use serde::Serialize;

const PACKAGE_NAME_MAX: usize = 31;
const IMAGE_NAME_MAX: usize = 63;
const IMAGE_TAG_MAX: usize = 31;
const ARTIFACT_NAME_MAX: usize = 63;
const ARTIFACT_VERSION_MAX: usize = 31;
/// Used when a package has no SemVer version (plain manifests, kustomizations).
const NO_VERSION: &str = "0.0.0";
/// Used when a result has no Package record (an unreadable input) and so no timestamp.
const NO_TIMESTAMP: &str = "1970-01-01T00:00:00Z";
const CREATED_BY: &str = "pkglens";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AstraPackage {
    #[serde(rename = "type")]
    pub media_type: &'static str,
    pub version: &'static str,
    pub id: String,
    pub package_name: String,
    pub package_version: String,
    pub package_type: &'static str,
    pub severity_level: &'static str,
    pub package_state: State,
    pub package_state_transitions: Vec<StateTransition>,
    pub package_state_details: Vec<StateDetail>,
    pub images: Vec<AstraImage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    pub metadata: Metadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateTransition {
    pub from: &'static str,
    pub to: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateDetail {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AstraImage {
    pub image_name: String,
    pub image_path: String,
    pub image_tag: String,
    pub image_digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    pub artifact_name: String,
    pub artifact_identifier: String,
    pub artifact_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub name: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub labels: Vec<Label>,
    pub creation_timestamp: String,
    pub modification_timestamp: String,
    pub created_by: &'static str,
    pub modified_by: &'static str,
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// SemVer 2 as the Astra schema's pattern accepts it (an optional leading `v`).
fn is_semver(version: &str) -> bool {
    let core_and_rest = version.strip_prefix('v').unwrap_or(version);
    let (without_build, build) = match core_and_rest.split_once('+') {
        Some((v, b)) => (v, Some(b)),
        None => (core_and_rest, None),
    };
    let (core, pre) = match without_build.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (without_build, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident_ok =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|id| ident_ok(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id)))
        })
        && build.is_none_or(|b| b.split('.').all(ident_ok))
}

/// Astra's lifecycle: a package is verified into one of the three states; an incomplete one
/// can become available once what it lacks is supplied.
fn transitions() -> Vec<StateTransition> {
    vec![
        StateTransition {
            from: "verifying",
            to: vec!["corrupt", "incomplete", "available"],
        },
        StateTransition {
            from: "incomplete",
            to: vec!["available"],
        },
    ]
}

/// The Astra Package for one ScanResult.
pub fn astra_package(result: &ScanResult) -> AstraPackage {
    let file_name = result
        .source
        .path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let title = result
        .package
        .as_ref()
        .map_or(file_name.clone(), |p| p.title.clone());
    let version = result
        .release
        .as_ref()
        .and_then(|r| r.version.clone())
        .filter(|v| is_semver(v))
        .unwrap_or_else(|| NO_VERSION.to_string());
    let package_id = result.package.as_ref().map_or_else(
        || ids::package_id(&result.system.to_string(), &title, None),
        |p| p.id.clone(),
    );
    let id_key = format!(
        "astra\n{package_id}\n{version}\n{}\n{}",
        result.source.path,
        result.source.entry.as_deref().unwrap_or("")
    );
    let mut details: Vec<StateDetail> = result
        .problems
        .iter()
        .map(|p| StateDetail {
            type_uri: p.type_uri.clone(),
            title: p.title.clone(),
            detail: p.detail.clone(),
        })
        .collect();
    let mut images = Vec::new();
    for image in &result.images {
        let (path, name) = match image.repository.rsplit_once('/') {
            Some((path, name)) => (format!("/{path}"), name),
            None => ("/".to_string(), image.repository.as_str()),
        };
        // A reference with neither tag nor digest means `latest`, and that is what a store
        // that filled its digest holds.
        let implied_latest = image.tag.is_none() && !image.reference.contains('@');
        let tag = image
            .tag
            .clone()
            .or_else(|| implied_latest.then(|| "latest".to_string()));
        match (&tag, &image.digest) {
            (Some(tag), Some(digest))
                if tag.len() <= IMAGE_TAG_MAX && name.len() <= IMAGE_NAME_MAX =>
            {
                images.push(AstraImage {
                    image_name: name.to_string(),
                    image_path: path,
                    image_tag: tag.clone(),
                    image_digest: digest.clone(),
                })
            }
            _ => details.push(StateDetail {
                type_uri: "urn:pkglens:problem:astra-image-omitted".into(),
                title: "Image not representable in Astra".into(),
                detail: format!(
                    "{} needs a tag of at most {IMAGE_TAG_MAX} characters and a sha256 digest",
                    image.reference
                ),
            }),
        }
    }
    let artifacts = result
        .source
        .sha256
        .as_ref()
        .map(|sha| Artifact {
            artifact_name: truncate(&file_name, ARTIFACT_NAME_MAX),
            artifact_identifier: format!("sha256:{sha}"),
            artifact_path: instance_uri(&result.source.path),
            artifact_version: (version != NO_VERSION && version.len() <= ARTIFACT_VERSION_MAX)
                .then(|| version.clone()),
        })
        .into_iter()
        .collect();
    let timestamp = result
        .package
        .as_ref()
        .map_or(NO_TIMESTAMP.to_string(), |p| p.created_on.clone());
    let mut labels = vec![Label {
        name: "pkglens.io/system",
        value: result.system.to_string(),
    }];
    if let Some(entry) = &result.source.entry {
        labels.push(Label {
            name: "pkglens.io/entry",
            value: entry.clone(),
        });
    }
    AstraPackage {
        media_type: "application/astra-package",
        version: "1.0",
        id: ids::uuid_v5(&id_key),
        package_name: truncate(&title, PACKAGE_NAME_MAX),
        package_version: version,
        package_type: "install",
        severity_level: "recommended",
        package_state: result.state,
        package_state_transitions: transitions(),
        package_state_details: details,
        images,
        artifacts,
        metadata: Metadata {
            labels,
            creation_timestamp: timestamp.clone(),
            modification_timestamp: timestamp,
            created_by: CREATED_BY,
            modified_by: CREATED_BY,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_follows_the_schema_pattern() {
        for ok in [
            "1.2.3",
            "v0.1.0",
            "1.0.0-rc.1",
            "1.0.0-alpha-1+build.5",
            "10.20.30",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in [
            "1.2", "01.2.3", "1.2.3-01", "1.2.3-", "latest", "1.2.3+", "",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }
}
