//! Air-gapped verification of what a scan found against what was carried in with it: the
//! images of `--image-store`s ([`store`]) and the `index.yaml` of chart repository folders
//! ([`repository`]).
//!
//! It runs once per run, in the process that prints the results, over each ScanResult as it
//! comes: stores and indexes are read once, not per package or per worker.

pub mod repository;
pub mod store;

use crate::image_ref;
use crate::records::problem::{instance_uri, Problem, ProblemKind};
use crate::records::{ScanResult, State};
use crate::unpack::Limits;
use repository::Repositories;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
pub use store::{Held, ImageStores, StoreError};

/// What a run checks its results against.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    /// The `--image-store`s, when any is named (the `missing` gate asks them too).
    pub stores: Option<Arc<ImageStores>>,
    repositories: Repositories,
}

impl Verifier {
    /// Reads the image stores, and the `index.yaml` of every named folder that has one (at
    /// most the total size one package may have).
    pub fn load(
        stores: &[PathBuf],
        inputs: &[PathBuf],
        limits: &Limits,
    ) -> Result<Self, StoreError> {
        let stores = match stores.is_empty() {
            true => None,
            false => Some(Arc::new(ImageStores::load(stores, limits)?)),
        };
        Ok(Self {
            stores,
            repositories: Repositories::load(inputs, limits.max_total_size),
        })
    }

    /// Checks one result, adding what is found to its problems (its state follows).
    pub fn apply(&self, result: &mut ScanResult) {
        self.repositories.apply(result);
        if let Some(stores) = &self.stores {
            apply_image_stores(stores, result);
        }
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
pub fn apply_image_stores(stores: &ImageStores, result: &mut ScanResult) {
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
    result.state = result.state.max(State::from_problems(&problems));
    result.problems.extend(problems);
}
