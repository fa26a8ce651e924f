//! Air-gapped verification of what a scan found against what was carried in with it: the
//! images of `--image-store`s ([`store`]).
//!
//! It runs once per run, in the process that prints the results, over each ScanResult as it
//! comes: stores are read once, not per package or per worker.

pub mod store;

use crate::image_ref;
use crate::records::problem::{instance_uri, Problem, ProblemKind};
use crate::records::{ScanResult, State};
use std::collections::HashMap;
pub use store::{Held, ImageStores, StoreError};

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
