//! The catalog: every ScanResult of `scan --catalog FILE` kept in an embedded SQLite database,
//! so that a repository can be scanned again and again (unchanged inputs skipped) and one
//! package asked for by its id (`get`, `serve`), or two states compared (`diff`).
//!
//! - `schema`: the versioned tables and their migrations.
//! - [`store`]: the write side; every input's results are replaced in one transaction, so a
//!   kill mid-scan never leaves half a record, and a scan that was cut short is continued by
//!   the next one.
//! - [`lookup`]: the read side (packages, components, Astra packages by id).
//! - [`scan`]: a scan that skips inputs whose sha256 and flags are unchanged.
//! - [`diff`]: packages added, removed and changed between two states.
//!
//! The database runs in WAL mode: readers (`serve`) see either the old or the new results of
//! an input while a scan writes, never a mix.

pub mod diff;
pub mod lookup;
pub mod scan;
#[cfg(feature = "internals")]
pub mod schema;
#[cfg(not(feature = "internals"))]
pub(crate) mod schema;
pub mod store;

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// How long a statement waits for a lock another process holds (a scan's write transaction
/// lasts one input; a migration a moment).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the catalog could not be opened, read or written.
#[derive(Debug, Error)]
pub enum CatalogError {
    /// SQLite failed on the catalog file.
    #[error("catalog {path}: {source}")]
    Sqlite {
        /// The catalog file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A catalog opened for reading does not exist.
    #[error("catalog {0}: no such file (`pkglens scan --catalog FILE ...` makes one)")]
    Missing(PathBuf),
    /// The file is not a pkglens catalog.
    #[error("{0} is not a pkglens catalog")]
    NotACatalog(PathBuf),
    /// The catalog's schema is newer than this pkglens knows.
    #[error(
        "catalog {path} has schema version {found}; this pkglens knows up to {known} \
         (a newer pkglens made it)"
    )]
    TooNew {
        /// The catalog file.
        path: PathBuf,
        /// The schema version the file has.
        found: i64,
        /// The newest schema version this pkglens knows.
        known: i64,
    },
    /// A stored record is not a ScanResult this pkglens can read.
    #[error("catalog {path}: a stored record does not parse ({source})")]
    Record {
        /// The catalog file.
        path: PathBuf,
        /// Why the record does not parse.
        source: serde_json::Error,
    },
}

/// An open catalog: one SQLite connection.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
}

impl Catalog {
    /// Opens the catalog at `path`, creating it when missing, and migrates it to the current
    /// schema (what `scan --catalog` does).
    pub fn open_or_create(path: &Path) -> Result<Self, CatalogError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags)
    }

    /// Opens an existing catalog (migrating it when an older pkglens made it).
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        if !path.exists() {
            return Err(CatalogError::Missing(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags)
    }

    /// A read-only connection to a catalog [`Catalog::open`] has already checked and migrated
    /// (one per `serve` worker).
    pub(crate) fn open_reader(path: &Path) -> Result<Self, CatalogError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite_error(path))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(sqlite_error(path))?;
        let catalog = Self {
            conn,
            path: path.to_path_buf(),
        };
        schema::check(&catalog.conn, path)?;
        Ok(catalog)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Self, CatalogError> {
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite_error(path))?;
        let mut catalog = Self {
            conn,
            path: path.to_path_buf(),
        };
        catalog.configure()?;
        schema::migrate(&mut catalog.conn, path)?;
        Ok(catalog)
    }

    fn configure(&self) -> Result<(), CatalogError> {
        let error = sqlite_error(&self.path);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(&error)?;
        // Nothing is written to a file that is not a catalog.
        schema::recognise(&self.conn, &self.path)?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(&error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(error(rusqlite::Error::InvalidQuery));
        }
        // In WAL mode NORMAL keeps every commit atomic; a power loss may lose the last ones.
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(&error)
    }

    /// The catalog's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self) -> impl Fn(rusqlite::Error) -> CatalogError + '_ {
        sqlite_error(&self.path)
    }
}

/// A stored record (JSON) read back; `path` is the catalog's, for the error.
fn parse_record<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|source| CatalogError::Record {
        path: path.to_path_buf(),
        source,
    })
}

fn sqlite_error(path: &Path) -> impl Fn(rusqlite::Error) -> CatalogError + '_ {
    move |source| match source {
        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase => {
            CatalogError::NotACatalog(path.to_path_buf())
        }
        source => CatalogError::Sqlite {
            path: path.to_path_buf(),
            source,
        },
    }
}
