//! `pkglens diff`: packages added, removed and changed between two states of a catalog (before
//! and after its latest scan) or between two catalogs; for a changed package, the images its
//! results use that were added and removed.

use super::{Catalog, CatalogError};
use crate::records::ScanResult;
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Which state of a catalog to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// What the catalog holds now.
    Current,
    /// What it held before its latest scan started.
    BeforeLatestScan,
}

/// A package as one state holds it: all its stored results.
#[derive(Debug, Clone, Default)]
struct PackageState {
    system: String,
    title: String,
    /// The stored ScanResults (JSON), sorted: equal lists mean an unchanged package.
    documents: Vec<String>,
    sources: BTreeSet<String>,
    images: BTreeSet<String>,
}

/// The packages of one state, by id.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    packages: BTreeMap<String, PackageState>,
}

impl Catalog {
    /// The packages the catalog holds in `state`.
    pub fn snapshot(&self, state: State) -> Result<Snapshot, CatalogError> {
        let error = self.error();
        let latest: i64 = self
            .conn
            .query_row("SELECT max(id) FROM scans", [], |row| row.get(0))
            .optional()
            .map_err(&error)?
            .flatten()
            .unwrap_or(0);
        let query = match state {
            State::Current => {
                "SELECT document FROM results WHERE package_id IS NOT NULL \
                 AND superseded_in IS NULL AND added_in <= ?1"
            }
            State::BeforeLatestScan => {
                "SELECT document FROM results WHERE package_id IS NOT NULL AND added_in < ?1 \
                 AND (superseded_in IS NULL OR superseded_in = ?1)"
            }
        };
        let documents: Vec<String> = self
            .conn
            .prepare(query)
            .and_then(|mut statement| {
                statement
                    .query_map([latest], |row| row.get(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(&error)?;
        let mut snapshot = Snapshot::default();
        for document in documents {
            let result: ScanResult = super::parse_record(&self.path, &document)?;
            let Some(package) = &result.package else {
                continue;
            };
            let entry = snapshot.packages.entry(package.id.clone()).or_default();
            entry.system = package.system.to_string();
            entry.title = package.title.clone();
            entry.sources.insert(match &result.source.entry {
                Some(inner) => format!("{}#{inner}", result.source.path),
                None => result.source.path.clone(),
            });
            entry
                .images
                .extend(result.images.iter().map(|i| i.reference.clone()));
            entry.documents.push(document);
        }
        for package in snapshot.packages.values_mut() {
            package.documents.sort();
        }
        Ok(snapshot)
    }
}

/// A package added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageSummary {
    /// The package id (`pkg_...`).
    pub id: String,
    /// The package system (`helm`, `kustomize`, `kube`).
    pub system: String,
    /// The package's display name.
    pub title: String,
    /// The inputs (`path` or `path#entry`) its results come from.
    pub sources: Vec<String>,
}

/// A package both states hold, with different results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    /// The package id (`pkg_...`).
    pub id: String,
    /// The package system (`helm`, `kustomize`, `kube`).
    pub system: String,
    /// The package's display name.
    pub title: String,
    /// Inputs (`path` or `path#entry`) whose results hold the package only in the later state.
    pub sources_added: Vec<String>,
    /// Inputs whose results held the package only in the earlier state.
    pub sources_removed: Vec<String>,
    /// Image references the package uses only in the later state.
    pub images_added: Vec<String>,
    /// Image references the package used only in the earlier state.
    pub images_removed: Vec<String>,
}

/// What changed from one state to another, each list sorted by package id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogDiff {
    /// Packages only the later state holds.
    pub added: Vec<PackageSummary>,
    /// Packages only the earlier state holds.
    pub removed: Vec<PackageSummary>,
    /// Packages both hold, with other inputs or images.
    pub changed: Vec<PackageChange>,
}

impl CatalogDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

fn summary(id: &str, package: &PackageState) -> PackageSummary {
    PackageSummary {
        id: id.to_string(),
        system: package.system.clone(),
        title: package.title.clone(),
        sources: package.sources.iter().cloned().collect(),
    }
}

fn difference(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

/// What changed from `old` to `new`.
pub fn diff(old: &Snapshot, new: &Snapshot) -> CatalogDiff {
    let mut result = CatalogDiff::default();
    for (id, after) in &new.packages {
        match old.packages.get(id) {
            None => result.added.push(summary(id, after)),
            Some(before) if before.documents != after.documents => {
                result.changed.push(PackageChange {
                    id: id.clone(),
                    system: after.system.clone(),
                    title: after.title.clone(),
                    sources_added: difference(&after.sources, &before.sources),
                    sources_removed: difference(&before.sources, &after.sources),
                    images_added: difference(&after.images, &before.images),
                    images_removed: difference(&before.images, &after.images),
                })
            }
            Some(_) => {}
        }
    }
    for (id, before) in &old.packages {
        if !new.packages.contains_key(id) {
            result.removed.push(summary(id, before));
        }
    }
    result
}
