//! The catalog's tables, versioned with SQLite's `user_version` and migrated step by step.
//!
//! Version 1:
//! - `scans`: one row per scan generation; `finished` stays 0 while a scan runs, so a scan cut
//!   short (killed) is continued by the next one instead of starting a new generation.
//! - `inputs`: per input path, the sha256 and flags fingerprint its stored results were made
//!   with (what decides whether a re-scan may skip it).
//! - `results`: one row per ScanResult: the live ones have no `superseded_in`; those the
//!   latest scan replaced or removed are kept (until the next scan starts) for `diff`.
//!   `package`, `components` and `astra` hold the records `get`/`serve` answer with, so an
//!   answer never parses a whole ScanResult.

use super::{sqlite_error, CatalogError};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// `PRAGMA application_id` of a pkglens catalog ("PKGL").
const APPLICATION_ID: i64 = 0x504B_474C;

/// The migrations, in order: entry N brings a catalog from version N to N+1.
const MIGRATIONS: &[&str] = &["CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        finished INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE inputs (
        path TEXT PRIMARY KEY,
        sha256 TEXT,
        flags TEXT NOT NULL,
        scan_id INTEGER NOT NULL
    );
    CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        input_path TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        package_id TEXT,
        astra_id TEXT NOT NULL,
        modified_on TEXT NOT NULL,
        package TEXT,
        components TEXT NOT NULL,
        astra TEXT NOT NULL,
        document TEXT NOT NULL,
        added_in INTEGER NOT NULL,
        superseded_in INTEGER
    );
    CREATE INDEX results_live_package ON results(package_id) WHERE superseded_in IS NULL;
    CREATE INDEX results_live_astra ON results(astra_id) WHERE superseded_in IS NULL;
    CREATE INDEX results_input ON results(input_path, superseded_in);"];

/// The schema version this pkglens writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Refuses a database that is not a catalog of this or an older pkglens.
pub(super) fn recognise(conn: &Connection, path: &Path) -> Result<i64, CatalogError> {
    let error = sqlite_error(path);
    let id: i64 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(&error)?;
    let found = version(conn).map_err(&error)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
        .map_err(&error)?;
    let fresh = id == 0 && found == 0 && tables == 0;
    if !fresh && id != APPLICATION_ID {
        return Err(CatalogError::NotACatalog(path.to_path_buf()));
    }
    if found > CURRENT_VERSION {
        return Err(CatalogError::TooNew {
            path: path.to_path_buf(),
            found,
            known: CURRENT_VERSION,
        });
    }
    Ok(found)
}

/// Brings the catalog to [`CURRENT_VERSION`], one migration per transaction (a write lock
/// taken first, so two pkglens starting at once migrate once).
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), CatalogError> {
    let error = sqlite_error(path);
    if recognise(conn, path)? == CURRENT_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&error)?;
    let from = recognise(&tx, path)?;
    for (at, step) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        tx.execute_batch(step).map_err(&error)?;
        tx.pragma_update(None, "user_version", at as i64 + 1)
            .map_err(&error)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(&error)?;
    tx.commit().map_err(&error)
}

/// Checks, without writing, that a catalog is at [`CURRENT_VERSION`] (readers).
pub fn check(conn: &Connection, path: &Path) -> Result<(), CatalogError> {
    match recognise(conn, path)? {
        CURRENT_VERSION => Ok(()),
        _ => Err(CatalogError::NotACatalog(path.to_path_buf())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn temp_path(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "pkglens-catalog-schema-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("catalog.db")
    }

    #[test]
    fn a_new_catalog_is_at_the_current_version_and_reopens() {
        let path = temp_path("new");
        drop(Catalog::open_or_create(&path).unwrap());
        let catalog = Catalog::open(&path).unwrap();
        assert_eq!(version(&catalog.conn).unwrap(), CURRENT_VERSION);
        Catalog::open_reader(&path).unwrap();
    }

    #[test]
    fn a_newer_catalog_is_refused() {
        let path = temp_path("newer");
        drop(Catalog::open_or_create(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
        drop(conn);
        assert!(matches!(
            Catalog::open(&path),
            Err(CatalogError::TooNew { found, .. }) if found == CURRENT_VERSION + 1
        ));
    }

    #[test]
    fn other_files_are_refused_untouched() {
        let path = temp_path("other");
        std::fs::write(&path, "not a database at all, just text").unwrap();
        assert!(matches!(
            Catalog::open(&path),
            Err(CatalogError::NotACatalog(_))
        ));
        let other = temp_path("other-db");
        let conn = Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        drop(conn);
        assert!(matches!(
            Catalog::open(&other),
            Err(CatalogError::NotACatalog(_))
        ));
    }
}
