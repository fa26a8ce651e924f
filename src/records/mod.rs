//! The output records: Package, PackageComponent, ScanResult (and ErrorModel in [`problem`]),
//! shaped as the schemas in `schema/` say, and built deterministically from a rendered package.

#[cfg(feature = "internals")]
pub mod astra;
#[cfg(not(feature = "internals"))]
pub(crate) mod astra;
#[cfg(feature = "internals")]
pub mod ids;
#[cfg(not(feature = "internals"))]
pub(crate) mod ids;
pub mod problem;
pub mod schemas;
#[cfg(feature = "internals")]
pub mod timestamp;
#[cfg(not(feature = "internals"))]
pub(crate) mod timestamp;

use crate::candidates::ObjectCandidates;
pub use crate::candidates::Reason;
use crate::detect::System;
use crate::files::FileTree;
use crate::helm::manifests::is_test_hook;
use crate::image_ref;
use crate::input::{sha256_hex, Input, InputKind, ManifestFormat};
use crate::unpack::ArchiveFormat;
pub use crate::workload::ContainerType;
use crate::workload::Workload;
use problem::{Problem, ProblemKind, Severity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Who the records say created them.
const CREATED_BY: &str = "pkglens";

/// The kind of input a package came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// A gzipped tar archive.
    Tgz,
    /// A tar archive.
    Tar,
    /// A zip archive.
    Zip,
    /// A folder.
    Dir,
    /// A YAML manifest file.
    Yaml,
    /// A JSON manifest file.
    Json,
}

impl SourceFormat {
    /// The format the records name for `input`; for an input that could not be read, the
    /// one its name suggests.
    pub fn of(input: &Input) -> Self {
        match &input.kind {
            InputKind::Archive(format) => Self::of_archive(*format),
            InputKind::Directory { .. } => Self::Dir,
            InputKind::Manifest(ManifestFormat::Yaml) => Self::Yaml,
            InputKind::Manifest(ManifestFormat::Json) => Self::Json,
            InputKind::Unreadable(_) | InputKind::Unsafe(_) | InputKind::TooLarge(_) => {
                let name = input.path.to_string_lossy();
                match ArchiveFormat::from_file_name(&name) {
                    Some(format) => Self::of_archive(format),
                    None if name.ends_with(".json") => Self::Json,
                    None if name.ends_with(".yaml") || name.ends_with(".yml") => Self::Yaml,
                    None => Self::Dir,
                }
            }
        }
    }

    /// The format the records name for an archive of `format`.
    pub(crate) fn of_archive(format: ArchiveFormat) -> Self {
        match format {
            ArchiveFormat::Tar => Self::Tar,
            ArchiveFormat::TarGz => Self::Tgz,
            ArchiveFormat::Zip => Self::Zip,
        }
    }
}

/// Where a package came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The input as the user named it (or the archive inside a chart repository folder).
    pub path: String,
    /// The package root inside the input; `None` when it is the input's root.
    pub entry: Option<String>,
    /// The kind of input.
    pub format: SourceFormat,
    /// sha256 of the input file; `None` for a directory.
    pub sha256: Option<String>,
    /// Size of the input file in bytes; `None` for a directory.
    pub size: Option<u64>,
}

/// How completely a package was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Read and rendered in full.
    Available,
    /// Read, but something it needs is missing or failed.
    Incomplete,
    /// The input cannot be read as a package.
    Corrupt,
}

impl State {
    /// The state the worst problem leaves a package in.
    pub(crate) fn from_problems(problems: &[Problem]) -> State {
        match problems.iter().map(Problem::severity).max() {
            Some(Severity::Corrupt) => State::Corrupt,
            Some(Severity::Incomplete) => State::Incomplete,
            Some(Severity::Advisory) | None => State::Available,
        }
    }
}

/// A Helm chart's version and appVersion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The chart's `version`.
    pub version: Option<String>,
    /// The chart's `appVersion`.
    pub app_version: Option<String>,
}

/// The Package record (Chkk Artifact Register).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The package system.
    pub system: System,
    /// Display name: the chart's name, else a name taken from the input.
    pub title: String,
    /// Deterministic id, `pkg_` + UUIDv5 (see the README).
    pub id: String,
    /// The chart's description, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who created the record (`pkglens`).
    pub created_by: String,
    /// When the record was created (RFC 3339).
    pub created_on: String,
    /// Who last modified the record (`pkglens`).
    pub last_modified_by: String,
    /// When the record was last modified (RFC 3339).
    pub last_modified_on: String,
}

/// One image of a component's pod template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerImage {
    /// The image string exactly as the pod spec holds it.
    pub reference: String,
    /// The registry host, `docker.io` when the reference names none.
    pub registry: String,
    /// The path inside the registry (`library/nginx` for `nginx`).
    pub repository: String,
    /// The tag as written, if any.
    pub tag: Option<String>,
    /// The digest pinned in the reference or resolved from an image store, if known.
    pub digest: Option<String>,
    /// The container that uses the image.
    pub container: String,
    /// Which list of the pod spec the container is in.
    pub container_type: ContainerType,
}

/// The PackageComponent record: a non-hook Deployment, DaemonSet or StatefulSet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageComponent {
    /// Deterministic id, `pkgc_` + UUIDv5 of package, kind, namespace and name.
    pub id: String,
    /// The id of the package the component belongs to.
    pub package_id: String,
    /// The object's `kind`.
    pub kind: String,
    /// The object's `apiVersion`.
    pub api_version: String,
    /// The object's `metadata.name`.
    pub name: String,
    /// The object's `metadata.namespace` as rendered, if set.
    pub namespace: Option<String>,
    /// The template or manifest file that produced the object.
    pub source: String,
    /// The images of its pod template.
    pub images: Vec<DockerImage>,
    /// Who created the record (`pkglens`).
    pub created_by: String,
    /// When the record was created (RFC 3339).
    pub created_on: String,
    /// Who last modified the record (`pkglens`).
    pub last_modified_by: String,
    /// When the record was last modified (RFC 3339).
    pub last_modified_on: String,
}

/// Where one image is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsedBy {
    /// The object's `kind`.
    pub kind: String,
    /// The object's `metadata.name`.
    pub name: String,
    /// The object's `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// The container that uses the image.
    pub container: String,
    /// Which list of the pod spec the container is in.
    pub container_type: ContainerType,
    /// The template or manifest file that produced the object.
    pub source: String,
    /// The `helm.sh/hook` annotation, when the object is a Helm hook.
    pub hook: Option<String>,
}

/// One distinct image reference of the package, with every place it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageEntry {
    /// The image string exactly as written.
    pub reference: String,
    /// The registry host, `docker.io` when the reference names none.
    pub registry: String,
    /// The path inside the registry (`library/nginx` for `nginx`).
    pub repository: String,
    /// The tag as written, if any.
    pub tag: Option<String>,
    /// The digest pinned in the reference or resolved from an image store, if known.
    pub digest: Option<String>,
    /// Every container that uses it.
    pub used_by: Vec<UsedBy>,
}

/// Where a candidate image was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundIn {
    /// The object's `kind`.
    pub kind: String,
    /// The object's `metadata.name`.
    pub name: String,
    /// The object's `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// The template or manifest file that produced the object.
    pub source: String,
    /// The field path inside the object, e.g. `spec.image`.
    pub path: String,
    /// Why the value counts as an image.
    pub reason: Reason,
    /// The `helm.sh/hook` annotation, when the object is a Helm hook.
    pub hook: Option<String>,
}

/// One distinct image reference found outside pod-spec `image` fields (see
/// `crate::candidates`), with every place it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateImage {
    /// The image string as found (a map's parts joined).
    pub reference: String,
    /// The registry host, `docker.io` when the reference names none.
    pub registry: String,
    /// The path inside the registry (`library/nginx` for `nginx`).
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest pinned in the reference or resolved from an image store, if known.
    pub digest: Option<String>,
    /// Every place it was found.
    pub found_in: Vec<FoundIn>,
}

/// One file of the package, identified by its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    /// The path inside the input.
    pub path: String,
    /// sha256 of the file's bytes.
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
}

/// The document a scan emits for each package found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanResult {
    /// Where the package came from.
    pub source: Source,
    /// The package system.
    pub system: System,
    /// How completely the package was read (from its worst problem).
    pub state: State,
    /// The Package record; `None` when the input held no package.
    pub package: Option<Package>,
    /// A Helm chart's version and appVersion.
    pub release: Option<Release>,
    /// The package's workloads (non-hook Deployments, DaemonSets, StatefulSets).
    pub components: Vec<PackageComponent>,
    /// Every distinct image of every pod-bearing object, with where it is used.
    pub images: Vec<ImageEntry>,
    /// Image references found outside pod-spec image fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidate_images: Vec<CandidateImage>,
    /// Images the chart declares in its Chart.yaml annotations, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_images: Vec<String>,
    /// Digests of the package's files.
    pub files: Vec<FileDigest>,
    /// What went wrong, if anything (ErrorModel records).
    pub problems: Vec<Problem>,
}

/// Whether every one of these `helm.sh/hook` annotations makes its object a Helm test.
fn all_tests<'a>(mut hooks: impl Iterator<Item = &'a Option<String>>) -> bool {
    hooks.all(|hook| hook.as_deref().is_some_and(is_test_hook))
}

impl ImageEntry {
    /// Whether only Helm tests use the image.
    pub fn only_in_tests(&self) -> bool {
        all_tests(self.used_by.iter().map(|u| &u.hook))
    }
}

impl CandidateImage {
    /// Whether the image was found only in Helm tests.
    pub fn only_in_tests(&self) -> bool {
        all_tests(self.found_in.iter().map(|f| &f.hook))
    }
}

impl ScanResult {
    /// Adds `problems` found after the result was made (by the checks against image stores,
    /// repository indexes, provenance): its state becomes the worse of what it was and what
    /// they call for.
    pub fn add_problems(&mut self, problems: impl IntoIterator<Item = Problem>) {
        let first_added = self.problems.len();
        self.problems.extend(problems);
        self.state = self
            .state
            .max(State::from_problems(&self.problems[first_added..]));
    }

    /// The distinct references a mirror of the package needs, sorted: `images`, and
    /// `candidate_images` when `candidates`; an image only Helm tests use only when `tests`.
    pub fn needed_images(&self, candidates: bool, tests: bool) -> BTreeSet<&str> {
        let images = self
            .images
            .iter()
            .filter(|i| tests || !i.only_in_tests())
            .map(|i| i.reference.as_str());
        let candidates = self
            .candidate_images
            .iter()
            .filter(|_| candidates)
            .filter(|c| tests || !c.only_in_tests())
            .map(|c| c.reference.as_str());
        images.chain(candidates).collect()
    }
}

/// The digests of the files `owns` accepts, paths as they are in the tree.
pub(crate) fn file_digests(tree: &FileTree, owns: impl Fn(&str) -> bool) -> Vec<FileDigest> {
    tree.iter()
        .filter(|(path, _)| owns(path))
        .map(|(path, data)| FileDigest {
            path: path.to_string(),
            sha256: sha256_hex(data),
            size: data.len() as u64,
        })
        .collect()
}

/// What is known about a package before its workloads are added.
#[derive(Debug, Clone)]
pub(crate) struct PackageFacts {
    pub system: System,
    pub title: String,
    pub description: Option<String>,
    pub release: Option<Release>,
    /// Chart repository URL, when known: part of the package id.
    pub repository: Option<String>,
    pub declared_images: Vec<String>,
    /// Seconds since the epoch for `created_on` / `last_modified_on`.
    pub timestamp: i64,
}

/// Builds the ScanResult of a package from its workloads and candidate images, in render
/// order. Invalid image references become problems (with the offending string) and are left
/// out of the lists.
pub(crate) fn build_result(
    source: Source,
    facts: PackageFacts,
    files: Vec<FileDigest>,
    workloads: &[Workload],
    candidates: &[ObjectCandidates],
    mut problems: Vec<Problem>,
) -> ScanResult {
    let time = timestamp::rfc3339(facts.timestamp);
    let package_id = ids::package_id(
        &facts.system.to_string(),
        &facts.title,
        facts.repository.as_deref(),
    );
    let mut components = Vec::new();
    let mut images: Vec<ImageEntry> = Vec::new();
    for workload in workloads {
        let mut component_images = Vec::new();
        for container in &workload.containers {
            let parsed = match image_ref::parse(&container.image) {
                Ok(parsed) => parsed,
                Err(err) => {
                    problems.push(Problem::new(
                        ProblemKind::ImageInvalid,
                        format!(
                            "{} {} container {:?} ({}): {err}",
                            workload.object.kind,
                            workload.object.name,
                            container.name,
                            workload.object.source
                        ),
                        problem::instance_uri(&source.path),
                    ));
                    continue;
                }
            };
            let used_by = UsedBy {
                kind: workload.object.kind.clone(),
                name: workload.object.name.clone(),
                namespace: workload.object.namespace.clone(),
                container: container.name.clone(),
                container_type: container.container_type,
                source: workload.object.source.clone(),
                hook: workload.object.hook.clone(),
            };
            match images.iter_mut().find(|i| i.reference == container.image) {
                Some(entry) => entry.used_by.push(used_by),
                None => images.push(ImageEntry {
                    reference: container.image.clone(),
                    registry: parsed.registry.clone(),
                    repository: parsed.repository.clone(),
                    tag: parsed.tag.clone(),
                    digest: parsed.digest.clone(),
                    used_by: vec![used_by],
                }),
            }
            component_images.push(DockerImage {
                reference: container.image.clone(),
                registry: parsed.registry,
                repository: parsed.repository,
                tag: parsed.tag,
                digest: parsed.digest,
                container: container.name.clone(),
                container_type: container.container_type,
            });
        }
        if workload.is_component() && workload.object.name.is_empty() {
            // A PackageComponent needs a name; Kubernetes would refuse the object anyway.
            problems.push(Problem::new(
                ProblemKind::NotAnObject,
                format!(
                    "{} in {} has no metadata.name",
                    workload.object.kind, workload.object.source
                ),
                problem::instance_uri(&source.path),
            ));
        } else if workload.is_component() {
            components.push(PackageComponent {
                id: ids::component_id(
                    &package_id,
                    &workload.object.kind,
                    workload.object.namespace.as_deref(),
                    &workload.object.name,
                ),
                package_id: package_id.clone(),
                kind: workload.object.kind.clone(),
                api_version: workload.object.api_version.clone(),
                name: workload.object.name.clone(),
                namespace: workload.object.namespace.clone(),
                source: workload.object.source.clone(),
                images: component_images,
                created_by: CREATED_BY.into(),
                created_on: time.clone(),
                last_modified_by: CREATED_BY.into(),
                last_modified_on: time.clone(),
            });
        }
    }
    ScanResult {
        source,
        system: facts.system,
        state: State::from_problems(&problems),
        package: Some(Package {
            system: facts.system,
            title: facts.title,
            id: package_id,
            description: facts.description,
            created_by: CREATED_BY.into(),
            created_on: time.clone(),
            last_modified_by: CREATED_BY.into(),
            last_modified_on: time,
        }),
        release: facts.release,
        components,
        candidate_images: candidate_entries(candidates, &images),
        images,
        declared_images: facts.declared_images,
        files,
        problems,
    }
}

/// Registry, repository, tag and digest of a parsed reference.
type ImageParts<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>);

/// One entry per distinct candidate reference, in first-seen order, leaving out those `images`
/// already lists (the same string, or the same parts written another way).
fn candidate_entries(found: &[ObjectCandidates], images: &[ImageEntry]) -> Vec<CandidateImage> {
    let known_references: HashSet<&str> = images.iter().map(|i| i.reference.as_str()).collect();
    let known_parts: HashSet<ImageParts<'_>> = images
        .iter()
        .map(|i| {
            (
                &*i.registry,
                &*i.repository,
                i.tag.as_deref(),
                i.digest.as_deref(),
            )
        })
        .collect();
    let mut entries: Vec<CandidateImage> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for object in found {
        for candidate in &object.candidates {
            let Ok(parsed) = image_ref::parse(&candidate.reference) else {
                continue;
            };
            let parts = (
                &*parsed.registry,
                &*parsed.repository,
                parsed.tag.as_deref(),
                parsed.digest.as_deref(),
            );
            if known_references.contains(candidate.reference.as_str())
                || known_parts.contains(&parts)
            {
                continue;
            }
            let found_in = FoundIn {
                kind: object.object.kind.clone(),
                name: object.object.name.clone(),
                namespace: object.object.namespace.clone(),
                source: object.object.source.clone(),
                path: candidate.path.clone(),
                reason: candidate.reason,
                hook: object.object.hook.clone(),
            };
            match index_of.get(&candidate.reference) {
                Some(&at) => entries[at].found_in.push(found_in),
                None => {
                    index_of.insert(candidate.reference.clone(), entries.len());
                    entries.push(CandidateImage {
                        reference: candidate.reference.clone(),
                        registry: parsed.registry,
                        repository: parsed.repository,
                        tag: parsed.tag,
                        digest: parsed.digest,
                        found_in: vec![found_in],
                    });
                }
            }
        }
    }
    entries
}

/// The result of an input whose scan was stopped before it ended (a worker killed by a signal
/// or a limit): `incomplete`, whatever the problem's kind, since the input itself may be fine.
pub(crate) fn interrupted_result(source: Source, problem: Problem) -> ScanResult {
    ScanResult {
        state: State::Incomplete,
        ..unreadable_result(source, System::Kube, vec![problem])
    }
}

/// The ScanResult of an input that could not be read as a package: no records, only problems.
pub(crate) fn unreadable_result(
    source: Source,
    system: System,
    problems: Vec<Problem>,
) -> ScanResult {
    ScanResult {
        source,
        system,
        state: State::from_problems(&problems).max(State::Corrupt),
        package: None,
        release: None,
        components: Vec::new(),
        images: Vec::new(),
        candidate_images: Vec::new(),
        declared_images: Vec::new(),
        files: Vec::new(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_problems_raise_the_state_and_never_lower_it() {
        let source = Source {
            path: "x.tgz".into(),
            entry: None,
            format: SourceFormat::Tgz,
            sha256: None,
            size: None,
        };
        // A stopped scan is incomplete though its problem alone would make it corrupt.
        let stopped = Problem::new(ProblemKind::LimitExceeded, "stopped", "file:x.tgz");
        let mut result = interrupted_result(source, stopped);
        assert_eq!(result.state, State::Incomplete);
        let unlisted = Problem::new(ProblemKind::ChartUnlisted, "unlisted", "file:x.tgz");
        result.add_problems([unlisted]);
        assert_eq!(result.state, State::Incomplete);
        let mismatch = Problem::new(ProblemKind::ChartDigestMismatch, "digest", "file:x.tgz");
        result.add_problems([mismatch]);
        assert_eq!(result.state, State::Corrupt);
        assert_eq!(result.problems.len(), 3);
    }
}
