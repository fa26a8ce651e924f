//! The Astra Control "Package" resource (`--format astra`), derived from a ScanResult.
//!
//! Astra's schema is stricter than ours in places, and nothing is invented to satisfy it:
//! - `images` lists only references Astra can express (a tag and a sha256 digest, within its
//!   length limits); every other image gets a `packageStateDetails` entry saying why it is left out.
//! - `packageVersion` must be SemVer: a chart's version when it is, else `0.0.0` (kustomize and
//!   plain manifests carry no version).
//! - `id` is the Package id's UUID; a package that could not be read has none, and then gets
//!   a UUIDv5 over its source path (see [`crate::records::ids::package_id`]).
//! - Timestamps are the Package's; a package that could not be read has none and gets the Unix
//!   epoch, so the output stays deterministic.

use crate::records::{ids, timestamp, ImageEntry, ScanResult, State};
use serde::Serialize;

const MEDIA_TYPE: &str = "application/astra-package";
const NAME_LIMIT: usize = 31;
const IMAGE_NAME_LIMIT: usize = 63;
const TAG_LIMIT: usize = 31;
const ARTIFACT_NAME_LIMIT: usize = 63;
const UNREPRESENTABLE_IMAGE: &str = "urn:pkglens:astra:image-not-representable";

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
    pub artifacts: Vec<Artifact>,
    pub metadata: Metadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateTransition {
    pub from: &'static str,
    pub to: Vec<State>,
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
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub labels: Vec<Label>,
    pub creation_timestamp: String,
    pub modification_timestamp: String,
    pub created_by: String,
    pub modified_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub name: String,
    pub value: String,
}

/// The Astra Package for one scanned package.
pub fn astra_package(result: &ScanResult) -> AstraPackage {
    let system = result.system.to_string();
    let source_name = file_name(&result.source.path);
    let (id, title, created, modified, author) = match &result.package {
        Some(p) => (
            p.id.trim_start_matches("pkg_").to_string(),
            p.title.clone(),
            p.created_on.clone(),
            p.last_modified_on.clone(),
            p.created_by.clone(),
        ),
        None => {
            let epoch = timestamp::rfc3339(0);
            let id = ids::package_id(&system, &result.source.path, None);
            let id = id.trim_start_matches("pkg_").to_string();
            (
                id,
                source_name.to_string(),
                epoch.clone(),
                epoch,
                "pkglens".to_string(),
            )
        }
    };
    let version = result.release.as_ref().and_then(|r| r.version.clone());
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
    for entry in &result.images {
        match astra_image(entry) {
            Ok(image) => images.push(image),
            Err(why) => details.push(StateDetail {
                type_uri: UNREPRESENTABLE_IMAGE.to_string(),
                title: "Image not representable in Astra".to_string(),
                detail: format!("{}: {why}", entry.reference),
            }),
        }
    }
    let mut labels = vec![Label {
        name: "system".into(),
        value: system,
    }];
    labels.push(Label {
        name: "source".into(),
        value: result.source.path.clone(),
    });
    if let Some(entry) = &result.source.entry {
        labels.push(Label {
            name: "entry".into(),
            value: entry.clone(),
        });
    }
    AstraPackage {
        media_type: MEDIA_TYPE,
        version: "1.0",
        id,
        package_name: truncate_chars(&title, NAME_LIMIT),
        package_version: version
            .as_deref()
            .filter(|v| is_semver(v))
            .unwrap_or("0.0.0")
            .to_string(),
        package_type: "install",
        severity_level: "recommended",
        package_state: result.state,
        // A scan verifies the package and ends in the state it reports.
        package_state_transitions: vec![StateTransition {
            from: "verifying",
            to: vec![result.state],
        }],
        package_state_details: details,
        images,
        artifacts: result
            .source
            .sha256
            .as_ref()
            .map(|sha| Artifact {
                artifact_name: truncate_chars(source_name, ARTIFACT_NAME_LIMIT),
                artifact_identifier: format!("sha256:{sha}"),
                artifact_path: result.source.path.clone(),
                artifact_version: version.filter(|v| v.chars().count() <= TAG_LIMIT),
            })
            .into_iter()
            .collect(),
        metadata: Metadata {
            labels,
            creation_timestamp: created,
            modification_timestamp: modified,
            created_by: author.clone(),
            modified_by: author,
        },
    }
}

/// Splits an image entry into Astra's name/path/tag/digest, or says why it cannot.
fn astra_image(entry: &ImageEntry) -> Result<AstraImage, &'static str> {
    let digest = entry
        .digest
        .clone()
        .ok_or("Astra requires a digest and the reference is not pinned")?;
    let tag = entry
        .tag
        .clone()
        .ok_or("Astra requires a tag and the reference has only a digest")?;
    if tag.chars().count() > TAG_LIMIT {
        return Err("the tag is longer than Astra's 31 characters");
    }
    let (dirs, name) = entry
        .repository
        .rsplit_once('/')
        .unwrap_or(("", &entry.repository));
    if name.chars().count() > IMAGE_NAME_LIMIT {
        return Err("the image name is longer than Astra's 63 characters");
    }
    Ok(AstraImage {
        image_name: name.to_string(),
        image_path: format!("/{dirs}"),
        image_tag: tag,
        image_digest: digest,
    })
}

fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit_once('/').map_or(trimmed, |(_, name)| name)
}

fn truncate_chars(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

/// SemVer 2.0.0 with an optional leading `v`, as Astra's `packageVersion` pattern accepts.
fn is_semver(version: &str) -> bool {
    let version = version.strip_prefix('v').unwrap_or(version);
    let (core, build) = match version.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (version, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (core, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|pre| {
            pre.split('.')
                .all(|id| ident(id) && (numeric(id) || !id.bytes().all(|b| b.is_ascii_digit())))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_versions() {
        for ok in [
            "1.2.3",
            "v0.1.0",
            "1.0.0-rc.1",
            "1.0.0+build.5",
            "2.31.10-beta-2",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in ["1.2", "01.2.3", "1.2.3-01", "1.2.3-", "latest", "1.2.3+"] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    fn image(repository: &str, tag: Option<&str>, digest: Option<&str>) -> ImageEntry {
        ImageEntry {
            reference: "ref".into(),
            registry: "docker.io".into(),
            repository: repository.into(),
            tag: tag.map(Into::into),
            digest: digest.map(Into::into),
            used_by: Vec::new(),
        }
    }

    #[test]
    fn images_need_tag_and_digest() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let ok = astra_image(&image("bitnami/nginx", Some("1.25"), Some(&digest))).unwrap();
        assert_eq!(
            (ok.image_name.as_str(), ok.image_path.as_str()),
            ("nginx", "/bitnami")
        );
        assert!(astra_image(&image("nginx", Some("1"), None)).is_err());
        assert!(astra_image(&image("nginx", None, Some(&digest))).is_err());
        assert_eq!(
            astra_image(&image("nginx", Some("1"), Some(&digest)))
                .unwrap()
                .image_path,
            "/"
        );
    }
}
