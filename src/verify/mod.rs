//! Air-gapped verification of what a scan found against what was carried in with it: the
//! images of `--image-store`s (`store`), the `index.yaml` of chart repository folders
//! (`repository`) and the `.prov` files beside chart archives (`provenance`).
//!
//! It runs once per run, in the process that prints the results, over each ScanResult as it
//! comes: stores and indexes are read once, not per package or per worker.

#[cfg(feature = "internals")]
pub mod provenance;
#[cfg(not(feature = "internals"))]
pub(crate) mod provenance;
#[cfg(feature = "internals")]
pub mod repository;
#[cfg(not(feature = "internals"))]
pub(crate) mod repository;
#[cfg(feature = "internals")]
pub mod store;
#[cfg(not(feature = "internals"))]
pub(crate) mod store;

use crate::image_ref;
use crate::input::read;
use crate::records::problem::{instance_uri, Problem, ProblemKind};
use crate::records::{ScanResult, SourceFormat};
use crate::unpack::Limits;
pub use provenance::KeyringError;
use provenance::{Keyring, Verdict, PROVENANCE_SUFFIX};
use repository::Repositories;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use store::{Held, ImageStores, StoreError};
use thiserror::Error;

/// Why a run cannot check what it was asked to check against.
#[derive(Debug, Error)]
pub enum VerifyError {
    /// An image store cannot be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A keyring cannot be read.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
}

/// Largest provenance file read.
const MAX_PROVENANCE_BYTES: u64 = 1024 * 1024;

/// What a run checks its results against.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    /// The `--image-store`s, when any is named (the `missing` gate asks them too).
    pub stores: Option<Arc<ImageStores>>,
    repositories: Repositories,
    /// `--keyring`: the keys a provenance signature must come from.
    keyring: Option<Keyring>,
}

impl Verifier {
    /// Reads the image stores, the `index.yaml` of every named folder that has one (at most
    /// the total size one package may have) and the keyring.
    pub fn load(
        stores: &[PathBuf],
        inputs: &[PathBuf],
        keyring: Option<&Path>,
        limits: &Limits,
    ) -> Result<Self, VerifyError> {
        let stores = match stores.is_empty() {
            true => None,
            false => Some(Arc::new(ImageStores::load(stores, limits)?)),
        };
        Ok(Self {
            stores,
            repositories: Repositories::load(inputs, limits.max_total_size),
            keyring: keyring.map(Keyring::load).transpose()?,
        })
    }

    /// Checks one result, adding what is found to its problems (its state follows).
    pub fn apply(&self, result: &mut ScanResult) {
        self.repositories.apply(result);
        self.check_provenance(result);
        if let Some(stores) = &self.stores {
            apply_image_stores(stores, result);
        }
    }

    /// Checks the `.prov` beside a chart archive, when there is one.
    fn check_provenance(&self, result: &mut ScanResult) {
        let archive = matches!(
            result.source.format,
            SourceFormat::Tgz | SourceFormat::Tar | SourceFormat::Zip
        );
        let Some(sha256) = result.source.sha256.clone().filter(|_| archive) else {
            return;
        };
        let prov_path = format!("{}{PROVENANCE_SUFFIX}", result.source.path);
        if !Path::new(&prov_path).is_file() {
            return;
        }
        let file_name = Path::new(&result.source.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let verdict = match read::read_path(Path::new(&prov_path), MAX_PROVENANCE_BYTES) {
            Err(err) => Verdict::Invalid(format!("cannot be read: {err}")),
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => provenance::check(&text, &file_name, &sha256, self.keyring.as_ref()),
                Err(_) => Verdict::Invalid("is not UTF-8 text".into()),
            },
        };
        let (kind, detail) = match verdict {
            Verdict::Verified => return,
            Verdict::SumOnly => (
                ProblemKind::ProvenanceUnverified,
                "its sum matches the archive; the signature was not checked (no --keyring)"
                    .to_string(),
            ),
            Verdict::SumMismatch(detail) => (ProblemKind::ProvenanceMismatch, detail),
            Verdict::Invalid(detail) => (ProblemKind::ProvenanceInvalid, detail),
        };
        let problem = Problem::new(
            kind,
            format!("{prov_path}: {detail}"),
            instance_uri(&result.source.path),
        );
        result.add_problems([problem]);
    }

    /// Results for what the repositories name but the scan could not read: archives their
    /// indexes list that are absent, indexes that do not parse.
    pub fn unscanned_results(&self) -> Vec<ScanResult> {
        self.repositories.unscanned_results()
    }
}

/// Checks `result`'s images against the stores: each one a store holds gets the digest the
/// store knows (unless its reference pins one); an image whose stored manifest does not match
/// its digest is a `corrupt` problem; the images the package needs (those only Helm tests use
/// left out, as `--format images` leaves them out) that no store holds are one problem listing
/// them, and the package is `incomplete`. Candidate images get digests too, but a candidate
/// no store holds is no problem: it is only a guess (the `missing` gate with `candidates`
/// still fails on it).
pub(crate) fn apply_image_stores(stores: &ImageStores, result: &mut ScanResult) {
    let mut digests: HashMap<String, String> = HashMap::new();
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    let instance = instance_uri(&result.source.path);
    let mut look = |reference: &str, needed: bool| {
        let Ok(parsed) = image_ref::parse(reference) else {
            return; // already a problem of the package
        };
        match stores.holds(&parsed) {
            Held::Yes { digest } => {
                if let (None, Some(digest)) = (&parsed.digest, digest) {
                    digests.insert(reference.to_string(), digest.to_string());
                }
            }
            Held::Corrupt { store, defect } => problems.push(Problem::new(
                ProblemKind::ImageStoreCorrupt,
                format!("image {reference} in image store {store}: {defect}"),
                instance.clone(),
            )),
            Held::No if needed => missing.push(reference.to_string()),
            Held::No => {}
        }
    };
    for image in &result.images {
        look(&image.reference, !image.only_in_tests());
    }
    for candidate in &result.candidate_images {
        look(&candidate.reference, false);
    }
    if !missing.is_empty() {
        problems.push(Problem::new(
            ProblemKind::ImageMissing,
            format!("in none of the image stores: {}", missing.join(", ")),
            instance,
        ));
    }
    let fill = |reference: &str, digest: &mut Option<String>| {
        if digest.is_none() {
            *digest = digests.get(reference).cloned();
        }
    };
    for image in &mut result.images {
        fill(&image.reference, &mut image.digest);
    }
    for candidate in &mut result.candidate_images {
        fill(&candidate.reference, &mut candidate.digest);
    }
    for image in result.components.iter_mut().flat_map(|c| &mut c.images) {
        fill(&image.reference, &mut image.digest);
    }
    result.add_problems(problems);
}
