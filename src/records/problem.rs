//! Problems (the ErrorModel record): what went wrong with one input, without stopping the batch.

use serde::{Deserialize, Serialize};

/// How bad a problem is for the package it is found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth telling, but the package is still read and rendered in full.
    Advisory,
    /// Something the package needs is missing or failed: `state: incomplete`.
    Incomplete,
    /// The input cannot be read as a package: `state: corrupt`.
    Corrupt,
}

/// The stable kinds of problem. Each has a URI (`type`), a short stable title and a severity;
/// the specific text goes in the problem's `detail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input path does not exist or cannot be read.
    InputUnreadable,
    /// The bytes are not a readable archive (bad magic, truncated, broken compression).
    ArchiveUnreadable,
    /// An archive entry escapes the package, or is a device or another special file.
    UnsafeEntry,
    /// The archive breaks a safety limit (entries, sizes, expansion ratio, nesting).
    LimitExceeded,
    /// Nothing in the input looks like a package (no Chart.yaml, kustomization or manifest).
    NoPackage,
    /// Chart.yaml is missing fields or does not parse.
    ChartInvalid,
    /// A manifest document is not valid YAML or JSON.
    DocumentInvalid,
    /// A document parses but is not a Kubernetes object (for example a bare list or scalar).
    NotAnObject,
    /// A container's image is not a valid Docker/OCI reference.
    ImageInvalid,
    /// This build has no Kustomize builder yet: images cannot be known.
    KustomizeUnavailable,
    /// A renderer ran and failed (the detail holds the renderer's error text).
    RenderFailed,
    /// Chart.yaml's image annotations and the rendered images disagree (advisory).
    ImageAnnotationDrift,
    /// pkglens itself failed on the input (a bug); the rest of the batch goes on.
    InternalError,
    /// The worker process scanning the input died (a signal, a stack overflow, memory beyond
    /// its address-space limit); the rest of the batch goes on.
    RendererCrashed,
    /// Images the package needs are in none of the `--image-store`s.
    ImageMissing,
    /// An image store holds an image whose manifest does not match its digest.
    ImageStoreCorrupt,
    /// A chart archive's sha256 is not the digest its repository's `index.yaml` gives it.
    ChartDigestMismatch,
    /// A chart archive's Chart.yaml names another chart or version than its `index.yaml` entry.
    ChartIndexMismatch,
    /// A chart archive beside `index.yaml` that no entry names (advisory).
    ChartUnlisted,
    /// An archive `index.yaml` names (by a relative URL) is not in the folder.
    ChartAbsent,
    /// A chart repository's `index.yaml` cannot be read.
    ChartIndexInvalid,
    /// A chart's `.prov` gives its archive another sha256 (or does not list it).
    ProvenanceMismatch,
    /// A chart's `.prov` is no clear-signed provenance, or no `--keyring` key signed it.
    ProvenanceInvalid,
    /// A chart's `.prov` sum matches, but its signature was not checked (no `--keyring`).
    ProvenanceUnverified,
}

impl ProblemKind {
    fn slug(self) -> &'static str {
        match self {
            Self::InputUnreadable => "input-unreadable",
            Self::ArchiveUnreadable => "archive-unreadable",
            Self::UnsafeEntry => "unsafe-entry",
            Self::LimitExceeded => "limit-exceeded",
            Self::NoPackage => "no-package",
            Self::ChartInvalid => "chart-invalid",
            Self::DocumentInvalid => "document-invalid",
            Self::NotAnObject => "not-an-object",
            Self::ImageInvalid => "image-invalid",
            Self::KustomizeUnavailable => "kustomize-unavailable",
            Self::RenderFailed => "render-failed",
            Self::ImageAnnotationDrift => "image-annotation-drift",
            Self::InternalError => "internal-error",
            Self::RendererCrashed => "renderer-crashed",
            Self::ImageMissing => "image-missing",
            Self::ImageStoreCorrupt => "image-store-corrupt",
            Self::ChartDigestMismatch => "chart-digest-mismatch",
            Self::ChartIndexMismatch => "chart-index-mismatch",
            Self::ChartUnlisted => "chart-unlisted",
            Self::ChartAbsent => "chart-absent",
            Self::ChartIndexInvalid => "chart-index-invalid",
            Self::ProvenanceMismatch => "provenance-mismatch",
            Self::ProvenanceInvalid => "provenance-invalid",
            Self::ProvenanceUnverified => "provenance-unverified",
        }
    }

    /// The kind's short, stable title.
    pub fn title(self) -> &'static str {
        match self {
            Self::InputUnreadable => "Input cannot be read",
            Self::ArchiveUnreadable => "Archive cannot be read",
            Self::UnsafeEntry => "Unsafe archive entry",
            Self::LimitExceeded => "Safety limit exceeded",
            Self::NoPackage => "No package found",
            Self::ChartInvalid => "Invalid Chart.yaml",
            Self::DocumentInvalid => "Document does not parse",
            Self::NotAnObject => "Document is not a Kubernetes object",
            Self::ImageInvalid => "Invalid image reference",
            Self::KustomizeUnavailable => "Kustomize rendering not available",
            Self::RenderFailed => "Rendering failed",
            Self::ImageAnnotationDrift => "Declared images differ from rendered ones",
            Self::InternalError => "Internal error",
            Self::RendererCrashed => "Renderer crashed",
            Self::ImageMissing => "Images missing from the image stores",
            Self::ImageStoreCorrupt => "Image store content does not match its digest",
            Self::ChartDigestMismatch => "Chart archive does not match its index digest",
            Self::ChartIndexMismatch => "Chart archive is not the chart its index entry names",
            Self::ChartUnlisted => "Chart archive not in the repository index",
            Self::ChartAbsent => "Chart archive listed in the index is absent",
            Self::ChartIndexInvalid => "Repository index does not parse",
            Self::ProvenanceMismatch => "Chart archive does not match its provenance",
            Self::ProvenanceInvalid => "Provenance signature not valid",
            Self::ProvenanceUnverified => "Provenance signature not checked",
        }
    }

    /// How bad the kind is for its package.
    pub fn severity(self) -> Severity {
        match self {
            Self::InputUnreadable
            | Self::ArchiveUnreadable
            | Self::UnsafeEntry
            | Self::LimitExceeded
            | Self::NoPackage
            | Self::InternalError
            | Self::ImageStoreCorrupt
            | Self::ChartDigestMismatch
            | Self::ChartIndexMismatch
            | Self::ChartIndexInvalid
            | Self::ProvenanceMismatch
            | Self::ProvenanceInvalid => Severity::Corrupt,
            Self::ChartInvalid
            | Self::DocumentInvalid
            | Self::NotAnObject
            | Self::ImageInvalid
            | Self::KustomizeUnavailable
            | Self::RenderFailed
            | Self::RendererCrashed
            | Self::ImageMissing
            | Self::ChartAbsent => Severity::Incomplete,
            Self::ImageAnnotationDrift | Self::ChartUnlisted | Self::ProvenanceUnverified => {
                Severity::Advisory
            }
        }
    }

    /// The kind's `type` URI.
    pub fn type_uri(self) -> String {
        format!("{TYPE_URI_PREFIX}{}", self.slug())
    }

    /// Every kind, for reading a problem back from its record (its `type`).
    pub const ALL: [ProblemKind; 24] = [
        Self::InputUnreadable,
        Self::ArchiveUnreadable,
        Self::UnsafeEntry,
        Self::LimitExceeded,
        Self::NoPackage,
        Self::ChartInvalid,
        Self::DocumentInvalid,
        Self::NotAnObject,
        Self::ImageInvalid,
        Self::KustomizeUnavailable,
        Self::RenderFailed,
        Self::ImageAnnotationDrift,
        Self::InternalError,
        Self::RendererCrashed,
        Self::ImageMissing,
        Self::ImageStoreCorrupt,
        Self::ChartDigestMismatch,
        Self::ChartIndexMismatch,
        Self::ChartUnlisted,
        Self::ChartAbsent,
        Self::ChartIndexInvalid,
        Self::ProvenanceMismatch,
        Self::ProvenanceInvalid,
        Self::ProvenanceUnverified,
    ];

    /// The kind a problem record's `type` names.
    pub(crate) fn from_type_uri(uri: &str) -> Option<ProblemKind> {
        let slug = uri.strip_prefix(TYPE_URI_PREFIX)?;
        Self::ALL.into_iter().find(|kind| kind.slug() == slug)
    }
}

/// The `instance` of a problem with `input`: a `file:` URI of its path.
pub(crate) fn instance_of(input: &crate::input::Input) -> String {
    instance_uri(&input.display())
}

/// A problem's `instance` for an input path: a `file:` URI (the schema asks for `format: uri`),
/// relative paths kept relative (`file:charts/web.tgz`), absolute ones as `file:///abs/path`,
/// and every byte outside RFC 3986's unreserved set and `/` percent-encoded.
pub(crate) fn instance_uri(path: &str) -> String {
    let scheme = if path.starts_with('/') {
        "file://"
    } else {
        "file:"
    };
    format!("{scheme}{}", percent_encode_path(path))
}

/// `path` with every byte outside RFC 3986's unreserved set and `/` percent-encoded: a URI
/// path (or a relative reference) naming the same file.
pub(crate) fn percent_encode_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

const TYPE_URI_PREFIX: &str = "urn:pkglens:problem:";

/// HTTP-style status for problems caused by the input (the contract's "422 for bad input").
const STATUS_UNPROCESSABLE: u16 = 422;

/// One ErrorModel record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The `type` URI of the problem's kind.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// The kind's short, stable title.
    pub title: String,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// The input the problem belongs to, as a URI (see `instance_uri`).
    pub instance: String,
    /// HTTP-style status: 422, the input is at fault.
    pub status: u16,
}

impl Problem {
    /// A problem of `kind` with `detail`, about the input `instance` names.
    pub fn new(kind: ProblemKind, detail: impl Into<String>, instance: impl Into<String>) -> Self {
        Self {
            type_uri: kind.type_uri(),
            title: kind.title().to_string(),
            detail: detail.into(),
            instance: instance.into(),
            status: STATUS_UNPROCESSABLE,
        }
    }

    /// The problem's kind, read from its `type` (`None` for a type pkglens does not know).
    pub fn kind(&self) -> Option<ProblemKind> {
        ProblemKind::from_type_uri(&self.type_uri)
    }

    /// How bad the problem is: its kind's severity (an unknown `type` counts as the worst).
    pub fn severity(&self) -> Severity {
        self.kind().map_or(Severity::Corrupt, ProblemKind::severity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new kind breaks this match: add it to [`ProblemKind::ALL`] as well.
    fn position(kind: ProblemKind) -> usize {
        use ProblemKind::*;
        match kind {
            InputUnreadable => 0,
            ArchiveUnreadable => 1,
            UnsafeEntry => 2,
            LimitExceeded => 3,
            NoPackage => 4,
            ChartInvalid => 5,
            DocumentInvalid => 6,
            NotAnObject => 7,
            ImageInvalid => 8,
            KustomizeUnavailable => 9,
            RenderFailed => 10,
            ImageAnnotationDrift => 11,
            InternalError => 12,
            RendererCrashed => 13,
            ImageMissing => 14,
            ImageStoreCorrupt => 15,
            ChartDigestMismatch => 16,
            ChartIndexMismatch => 17,
            ChartUnlisted => 18,
            ChartAbsent => 19,
            ChartIndexInvalid => 20,
            ProvenanceMismatch => 21,
            ProvenanceInvalid => 22,
            ProvenanceUnverified => 23,
        }
    }

    #[test]
    fn every_kind_reads_back_from_its_type() {
        for (index, kind) in ProblemKind::ALL.into_iter().enumerate() {
            assert_eq!(position(kind), index);
            assert_eq!(ProblemKind::from_type_uri(&kind.type_uri()), Some(kind));
        }
        assert_eq!(ProblemKind::from_type_uri("urn:pkglens:problem:nope"), None);
        let problem = Problem::new(ProblemKind::RenderFailed, "x", "file:a");
        assert_eq!(problem.severity(), Severity::Incomplete);
    }

    #[test]
    fn instance_uris_encode_paths() {
        assert_eq!(
            instance_uri("charts/web-1.0.tgz"),
            "file:charts/web-1.0.tgz"
        );
        assert_eq!(
            instance_uri("/srv/my charts/a#b.zip"),
            "file:///srv/my%20charts/a%23b.zip"
        );
        assert_eq!(instance_uri("ü"), "file:%C3%BC");
    }
}
