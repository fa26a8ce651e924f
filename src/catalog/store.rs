//! The write side: scan generations, and each input's results replaced in one transaction.

use super::{Catalog, CatalogError};
use crate::records::astra::astra_package;
use crate::records::ScanResult;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::collections::{HashMap, HashSet};

/// What the catalog holds about one input: what its stored results were made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredInput {
    pub sha256: Option<String>,
    pub flags: String,
}

/// One scan writing to the catalog: a generation of results.
pub struct ScanRun<'a> {
    catalog: &'a mut Catalog,
    id: i64,
}

impl Catalog {
    /// Starts writing a scan. A scan that was cut short is continued (same generation, so
    /// `diff` still sees everything it changed); otherwise a new generation starts and the
    /// results the previous one replaced are dropped.
    pub fn begin_scan(&mut self) -> Result<ScanRun<'_>, CatalogError> {
        let path = self.path.clone();
        let error = super::sqlite_error(&path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        let last: Option<(i64, bool)> = tx
            .query_row(
                "SELECT id, finished FROM scans ORDER BY id DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(&error)?;
        let id = match last {
            Some((id, false)) => id,
            _ => {
                tx.execute("DELETE FROM results WHERE superseded_in IS NOT NULL", [])
                    .map_err(&error)?;
                tx.execute("INSERT INTO scans (finished) VALUES (0)", [])
                    .map_err(&error)?;
                tx.last_insert_rowid()
            }
        };
        tx.commit().map_err(&error)?;
        Ok(ScanRun { catalog: self, id })
    }

    /// Runs `read` in one read transaction: one lock and one page cache for many lookups
    /// (a re-scan reads every input's row), one consistent state.
    pub fn reading<T>(
        &self,
        read: impl FnOnce(&Self) -> Result<T, CatalogError>,
    ) -> Result<T, CatalogError> {
        let tx = self.conn.unchecked_transaction().map_err(self.error())?;
        let value = read(self)?;
        tx.commit().map_err(self.error())?;
        Ok(value)
    }

    /// What the catalog holds about every input, by path (one query for a whole re-scan).
    pub(crate) fn stored_inputs(&self) -> Result<HashMap<String, StoredInput>, CatalogError> {
        self.conn
            .prepare("SELECT path, sha256, flags FROM inputs")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| {
                        let input = StoredInput {
                            sha256: row.get(1)?,
                            flags: row.get(2)?,
                        };
                        Ok((row.get(0)?, input))
                    })?
                    .collect::<Result<_, _>>()
            })
            .map_err(self.error())
    }

    /// The live ScanResult documents (JSON) of the input at `path`, in the order the scan
    /// gave them.
    pub(crate) fn input_documents(&self, path: &str) -> Result<Vec<String>, CatalogError> {
        self.conn
            .prepare_cached(
                "SELECT document FROM results WHERE input_path = ?1 AND superseded_in IS NULL \
                 ORDER BY ordinal",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([path], |row| row.get(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(self.error())
    }

    /// The paths of the inputs the catalog holds.
    pub(crate) fn input_paths(&self) -> Result<Vec<String>, CatalogError> {
        self.conn
            .prepare("SELECT path FROM inputs ORDER BY path")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(self.error())
    }
}

/// The columns one ScanResult is stored in.
struct Row {
    package_id: Option<String>,
    astra_id: String,
    modified_on: String,
    package: Option<String>,
    components: String,
    astra: String,
    document: String,
}

impl Row {
    fn of(result: &ScanResult) -> Result<Self, serde_json::Error> {
        let astra = astra_package(result);
        Ok(Row {
            package_id: result.package.as_ref().map(|p| p.id.clone()),
            astra_id: astra.id.clone(),
            modified_on: result
                .package
                .as_ref()
                .map(|p| p.last_modified_on.clone())
                .unwrap_or_default(),
            package: result
                .package
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?,
            components: serde_json::to_string(&result.components)?,
            astra: serde_json::to_string(&astra)?,
            document: serde_json::to_string(result)?,
        })
    }
}

impl ScanRun<'_> {
    /// The catalog being written.
    pub fn catalog(&self) -> &Catalog {
        self.catalog
    }

    /// Replaces the results of the input at `path` with `results`, made from input bytes with
    /// `sha256` under `flags`: all of it or nothing (one transaction).
    pub fn record(
        &mut self,
        path: &str,
        sha256: Option<&str>,
        flags: &str,
        results: &[ScanResult],
    ) -> Result<(), CatalogError> {
        let catalog_path = self.catalog.path.clone();
        let rows = results
            .iter()
            .map(Row::of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| CatalogError::Record {
                path: catalog_path.clone(),
                source,
            })?;
        let error = super::sqlite_error(&catalog_path);
        let tx = self
            .catalog
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        supersede(&tx, path, self.id).map_err(&error)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO results (input_path, ordinal, package_id, astra_id, \
                     modified_on, package, components, astra, document, added_in) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(&error)?;
            for (ordinal, row) in rows.iter().enumerate() {
                insert
                    .execute(params![
                        path,
                        ordinal as i64,
                        row.package_id,
                        row.astra_id,
                        row.modified_on,
                        row.package,
                        row.components,
                        row.astra,
                        row.document,
                        self.id,
                    ])
                    .map_err(&error)?;
            }
        }
        tx.execute(
            "INSERT INTO inputs (path, sha256, flags, scan_id) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (path) DO UPDATE SET sha256 = ?2, flags = ?3, scan_id = ?4",
            params![path, sha256, flags, self.id],
        )
        .map_err(&error)?;
        tx.commit().map_err(&error)
    }

    /// Drops the inputs inside the scanned folders `folders` that this scan did not find
    /// (`seen`): their packages are gone from the repository. Returns how many were dropped.
    pub(crate) fn prune(
        &mut self,
        folders: &[String],
        seen: &HashSet<String>,
    ) -> Result<usize, CatalogError> {
        let gone: Vec<String> = self
            .catalog
            .input_paths()?
            .into_iter()
            .filter(|path| !seen.contains(path) && folders.iter().any(|f| is_within(path, f)))
            .collect();
        let error = super::sqlite_error(&self.catalog.path);
        let tx = self
            .catalog
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&error)?;
        for path in &gone {
            supersede(&tx, path, self.id).map_err(&error)?;
            tx.execute("DELETE FROM inputs WHERE path = ?1", [path])
                .map_err(&error)?;
        }
        tx.commit().map_err(&error)?;
        Ok(gone.len())
    }

    /// Marks the scan complete: the next one starts a new generation.
    pub fn finish(self) -> Result<(), CatalogError> {
        self.catalog
            .conn
            .execute("UPDATE scans SET finished = 1 WHERE id = ?1", [self.id])
            .map(|_| ())
            .map_err(self.catalog.error())
    }
}

/// Takes the live results of the input at `path` out of the current state: those this very
/// generation wrote go (a continued scan redoing an input), older ones are kept for `diff`.
fn supersede(tx: &rusqlite::Transaction<'_>, path: &str, scan: i64) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM results WHERE input_path = ?1 AND superseded_in IS NULL AND added_in = ?2",
        params![path, scan],
    )?;
    tx.execute(
        "UPDATE results SET superseded_in = ?2 WHERE input_path = ?1 AND superseded_in IS NULL",
        params![path, scan],
    )?;
    Ok(())
}

/// Whether the input path `path` is the folder `folder` or lies inside it.
fn is_within(path: &str, folder: &str) -> bool {
    let folder = folder.trim_end_matches('/');
    path == folder
        || folder.is_empty()
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::is_within;

    #[test]
    fn within_a_folder_means_below_it_not_beside_it() {
        assert!(is_within("charts/a.tgz", "charts"));
        assert!(is_within("charts/a.tgz", "charts/"));
        assert!(is_within("charts", "charts"));
        assert!(is_within("charts/sub/b.tgz", "charts"));
        assert!(!is_within("charts-old/a.tgz", "charts"));
        assert!(!is_within("other/a.tgz", "charts"));
    }
}
