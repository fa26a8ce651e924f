//! `scan --catalog`: inputs whose sha256 and flags match what the catalog holds are not
//! scanned again (their stored results are handed out instead, so the output is the same as a
//! full scan's); the others are scanned and their results replace the stored ones, input by
//! input, in the parent process as they arrive.

use super::{Catalog, CatalogError};
use crate::input::sha256_hex;
use crate::input::{self, Input};
use crate::records::ScanResult;
use crate::scan::{self, InOrder, ScanError, ScanOptions};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::PathBuf;
use thiserror::Error;

/// Why a catalog scan stopped.
#[derive(Debug, Error)]
pub enum CatalogScanError {
    /// The catalog could not be read or written.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The scan itself could not run (threads, workers).
    #[error(transparent)]
    Scan(#[from] ScanError),
}

/// What a catalog scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatalogScanCounts {
    /// Inputs scanned (new, changed, or scanned under other flags).
    pub scanned: usize,
    /// Inputs unchanged since the catalog stored them (same sha256 and flags).
    pub skipped: usize,
    /// Inputs the catalog held inside the scanned folders that are no longer there.
    pub removed: usize,
}

/// The fingerprint of everything besides an input's bytes that shapes its results: the scan
/// options (values, release, namespace, limits...), the isolation limits, pkglens's version.
/// Worker threads do not change results and are left out.
pub(crate) fn flags_fingerprint(options: &ScanOptions) -> String {
    let mut shaping = options.clone();
    shaping.jobs = None;
    let isolation = options
        .isolation
        .as_ref()
        .map(|i| (i.max_seconds, i.max_memory));
    let key = serde_json::json!({
        "pkglens": env!("CARGO_PKG_VERSION"),
        "options": shaping,
        "isolation": isolation,
    });
    sha256_hex(key.to_string().as_bytes())
}

/// Scans `inputs` (what `paths` stand for, see [`scan::discover`]) against `catalog` (see the
/// module docs) and hands every input's results, stored or new, to `emit` in input order. A failed catalog write stops further writes and is returned
/// once the scan is done (the results are still all handed out).
pub fn scan_with_catalog(
    catalog: &mut Catalog,
    paths: &[PathBuf],
    inputs: &[Input],
    options: &ScanOptions,
    mut emit: impl FnMut(Vec<ScanResult>),
) -> Result<CatalogScanCounts, CatalogScanError> {
    let flags = flags_fingerprint(options);
    // Stored and new results alike are handed out in input order.
    let mut merge = InOrder::new(|_, results: Vec<ScanResult>| emit(results));
    let mut counts = CatalogScanCounts::default();
    // Reading and hashing every input is most of an unchanged re-scan: on all the cores the
    // scan may use, as the scan itself would.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.unwrap_or(0))
        .build()
        .map_err(ScanError::from)?;
    let sha256s: Vec<Option<String>> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| input::content_sha256(input, &options.limits))
            .collect()
    });
    // The inputs to scan, with their index among all inputs and the sha256 read now; the
    // stored result documents of the others. One read transaction, one query for what every
    // input was stored with.
    let (to_scan, documents) = catalog.reading(|catalog| {
        let known = catalog.stored_inputs()?;
        let mut to_scan: Vec<(usize, Option<String>)> = Vec::new();
        let mut documents = Vec::new();
        for ((index, input), sha256) in inputs.iter().enumerate().zip(sha256s) {
            let path = input.display();
            let unchanged = sha256.is_some()
                && known
                    .get(&path)
                    .is_some_and(|stored| stored.sha256 == sha256 && stored.flags == flags);
            let stored = if unchanged {
                catalog.input_documents(&path)?
            } else {
                Vec::new()
            };
            if stored.is_empty() {
                to_scan.push((index, sha256));
            } else {
                documents.push((index, stored));
            }
        }
        Ok((to_scan, documents))
    })?;
    let catalog_path = catalog.path().to_path_buf();
    let stored: Vec<(usize, Vec<ScanResult>)> = pool.install(|| {
        documents
            .into_par_iter()
            .map(|(index, documents)| {
                let results = documents
                    .iter()
                    .map(|document| super::parse_record(&catalog_path, document))
                    .collect::<Result<_, _>>()?;
                Ok((index, results))
            })
            .collect::<Result<_, CatalogError>>()
    })?;
    counts.skipped = stored.len();
    for (index, results) in stored {
        merge.push(index, results);
    }
    counts.scanned = to_scan.len();
    let mut run = catalog.begin_scan()?;
    let mut write_error = None;
    let scanned: Vec<Input> = to_scan.iter().map(|(i, _)| inputs[*i].clone()).collect();
    scan::scan_inputs(&scanned, options, |at, results| {
        let (index, read_sha256) = &to_scan[at];
        if write_error.is_none() {
            // The sha256 the results were made from (the worker's read), else the one read now.
            let sha256 = results
                .iter()
                .find_map(|r| r.source.sha256.as_deref())
                .or(read_sha256.as_deref());
            let path = inputs[*index].display();
            write_error = run.record(&path, sha256, &flags, &results).err();
        }
        merge.push(*index, results);
    })?;
    if let Some(error) = write_error {
        return Err(error.into());
    }
    let folders: Vec<String> = paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| p.display().to_string())
        .collect();
    let seen: HashSet<String> = inputs.iter().map(Input::display).collect();
    counts.removed = run.prune(&folders, &seen)?;
    run.finish()?;
    Ok(counts)
}
