//! Our own `kustomize build` (kustomize v5.6.0, as `kubectl kustomize` runs it),
//! offline and confined to the package's files.
//!
//! Stages: the kustomization file model (`kustfile`), loading with kustomize's
//! load restrictions (`loader`), resources and their ids (`resource`),
//! generators (`generators`), transformers (`transform`, `fieldspec`,
//! `nameref`), patches (`patch`), replacements and vars, ordering and output
//! (`emit`).

mod accumulate;
mod crds;
mod decode;
#[cfg(feature = "internals")]
pub mod emit;
#[cfg(not(feature = "internals"))]
pub(crate) mod emit;
mod fieldspec;
mod generators;
mod helmcharts;
mod kustfile;
mod loader;
mod nameref;
mod origin;
mod patch;
mod replacements;
mod resource;
mod roots;
mod transform;
#[cfg(feature = "internals")]
pub mod value;
#[cfg(not(feature = "internals"))]
pub(crate) mod value;
mod vars;

use crate::files::FileTree;

pub use loader::Files;
pub use patch::{JsonPatchError, StepError};
pub use roots::{find_roots, is_kustomization_dir};
pub use value::DocumentError;

/// Why a kustomization could not be built; messages follow kustomize's wording.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KustomizeError {
    /// No kustomization file in the folder (kustomize's message names the folder).
    #[error("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{0}'")]
    MissingKustomization(String),
    /// More than one kustomization file in one folder.
    #[error("Found multiple kustomization files under: {0}")]
    MultipleKustomizations(String),
    /// A file that is not valid YAML.
    #[error("MalformedYAMLError: {error} in File: {file}")]
    MalformedYaml {
        /// The file.
        file: String,
        /// Why it is not.
        error: DocumentError,
    },
    /// A kustomization file that is not a valid Kustomization.
    #[error("invalid Kustomization: {0}")]
    InvalidKustomization(String),
    /// A remote base or URL, which an offline build cannot load.
    #[error(
        "remote resource '{0}' cannot be loaded offline (remote bases and URLs are not supported)"
    )]
    Remote(String),
    /// A file outside the kustomization's folder, which the load restrictor refuses.
    #[error("security; file '{path}' is not in or below '{root}'")]
    OutsideRoot {
        /// The file.
        path: String,
        /// The kustomization's folder.
        root: String,
    },
    /// A path leaving the archive being built.
    #[error(
        "'{0}' lies outside the archive: inside an archive nothing may be loaded from outside it"
    )]
    OutsideArchive(String),
    /// A JSON 6902 patch operation that does not apply.
    #[error("{0}")]
    JsonPatch(JsonPatchError),
    /// Any other failure, in kustomize's words.
    #[error("{0}")]
    Build(String),
    /// A safety limit (nesting, visits, the input's bytes or renders).
    #[error("{0}")]
    Limit(crate::budget::LimitExceeded),
}

impl KustomizeError {
    fn build(msg: impl Into<String>) -> Self {
        KustomizeError::Build(msg.into())
    }

    /// This failure behind kustomize's context (`accumulating resources: ...`), as Go's
    /// `errors.WrapPrefixf` writes it; a safety limit stays itself, so a scan still tells
    /// it apart.
    fn context(self, prefix: impl std::fmt::Display) -> Self {
        if self.limit().is_some() {
            return self;
        }
        KustomizeError::Build(format!("{prefix}: {self}"))
    }

    /// The safety limit this failure hit, if it was one (as [`crate::helm::HelmError::limit`]).
    pub fn limit(&self) -> Option<crate::budget::LimitKind> {
        match self {
            KustomizeError::Limit(limit) => Some(limit.kind),
            KustomizeError::MalformedYaml { error, .. } => error.limit(),
            _ => None,
        }
    }
}

/// Build flags (kustomize's defaults when `Default`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// `--enable-helm`: inflate `helmCharts` (with our own Helm renderer).
    pub enable_helm: bool,
}

/// One object of a build and the file it came from: the resource file it
/// was loaded from, or the kustomization file whose generator made it.
#[derive(Debug, Clone)]
pub(crate) struct BuiltObject {
    pub value: serde_json::Value,
    pub source: String,
}

/// The objects of the kustomization at `root` of `files`, in the order
/// `kustomize build` prints them, each with its source file. Charged to the input's budget
/// (a budget of its own when no input is being scanned).
pub(crate) fn build_objects(
    files: Files<'_>,
    root: &str,
    options: &BuildOptions,
) -> Result<Vec<BuiltObject>, KustomizeError> {
    crate::budget::within_input(|| accumulate::build(files, root, options))
}

/// The documents `kustomize build ROOT` prints, in order.
pub fn build_documents(
    tree: &FileTree,
    root: &str,
) -> Result<Vec<serde_json::Value>, KustomizeError> {
    build_documents_with(Files::in_tree(tree), root, &BuildOptions::default())
}

/// The documents of the kustomization at `root` of `files` (a tree, with or
/// without the disk around it).
pub(crate) fn build_documents_with(
    files: Files<'_>,
    root: &str,
    options: &BuildOptions,
) -> Result<Vec<serde_json::Value>, KustomizeError> {
    let objects = build_objects(files, root, options)?;
    Ok(objects.into_iter().map(|o| o.value).collect())
}

/// The YAML stream `kustomize build ROOT` prints (`root` is a folder path in
/// the tree, "" for the top).
pub fn build(tree: &FileTree, root: &str) -> Result<String, KustomizeError> {
    build_with(Files::in_tree(tree), root, &BuildOptions::default())
}

/// [`build`] over `files` (which may reach the disk around a folder), with `options`.
pub fn build_with(
    files: Files<'_>,
    root: &str,
    options: &BuildOptions,
) -> Result<String, KustomizeError> {
    let docs = build_documents_with(files, root, options)?;
    let mut out = String::new();
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&emit::to_yaml(doc));
    }
    Ok(out)
}
