//! The read side: a package by its `pkg_...` id, its components, an Astra package by its UUID.
//!
//! A package id names a package across its releases (the version is not part of the id), so
//! several stored results (`web-1.0.tgz`, `web-1.1.tgz`) may share it. The package answered is
//! the most recently modified one (ties: the greatest source path, then the later result of
//! that input), with `created_on` the earliest any of them has: the package's whole history.

use super::{Catalog, CatalogError};
use crate::records::Package;
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// The prefix of Chkk package ids.
const PACKAGE_ID_PREFIX: &str = "pkg_";

/// An id as `get` and `serve` take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageRef {
    /// `pkg_<uuid>`: a Package (all its releases).
    Package(String),
    /// `<uuid>`: one Astra package (one scanned release).
    Astra(String),
}

impl PackageRef {
    /// Reads `pkg_<uuid>` or a bare UUID (any case; stored ids are lower-case hyphenated).
    pub fn parse(text: &str) -> Option<Self> {
        match text.strip_prefix(PACKAGE_ID_PREFIX) {
            Some(uuid) => canonical_uuid(uuid).map(|u| Self::Package(format!("pkg_{u}"))),
            None => canonical_uuid(text).map(Self::Astra),
        }
    }
}

/// `pkg_<uuid>` as stored, when `text` is one.
pub(crate) fn parse_package_id(text: &str) -> Option<String> {
    match PackageRef::parse(text)? {
        PackageRef::Package(id) => Some(id),
        PackageRef::Astra(_) => None,
    }
}

/// A UUID in the stored form, when `text` is one written with hyphens.
pub(crate) fn canonical_uuid(text: &str) -> Option<String> {
    if text.len() != 36 {
        return None;
    }
    Uuid::try_parse(text)
        .ok()
        .map(|uuid| uuid.hyphenated().to_string())
}

/// One stored result of a package: what picks the one to answer with.
struct Release {
    modified_on: String,
    input_path: String,
    ordinal: i64,
    package: Option<String>,
}

impl Catalog {
    fn releases(&self, package_id: &str) -> Result<Vec<Release>, CatalogError> {
        self.conn
            .prepare_cached(
                "SELECT modified_on, input_path, ordinal, package FROM results \
                 WHERE package_id = ?1 AND superseded_in IS NULL",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([package_id], |row| {
                        Ok(Release {
                            modified_on: row.get(0)?,
                            input_path: row.get(1)?,
                            ordinal: row.get(2)?,
                            package: row.get(3)?,
                        })
                    })?
                    .collect::<Result<_, _>>()
            })
            .map_err(self.error())
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, text: &str) -> Result<T, CatalogError> {
        super::parse_record(&self.path, text)
    }

    /// The Package with this id (`pkg_...`, as stored), if the catalog holds it.
    pub fn package(&self, package_id: &str) -> Result<Option<Package>, CatalogError> {
        let releases = self.releases(package_id)?;
        let Some(latest) = latest(&releases) else {
            return Ok(None);
        };
        let Some(text) = &latest.package else {
            return Ok(None);
        };
        let mut package: Package = self.parse(text)?;
        for release in &releases {
            if let Some(other) = &release.package {
                let other: Package = self.parse(other)?;
                if other.created_on < package.created_on {
                    package.created_on = other.created_on;
                }
            }
        }
        Ok(Some(package))
    }

    /// The PackageComponents (a JSON array) of the package's latest release.
    pub fn components_json(&self, package_id: &str) -> Result<Option<String>, CatalogError> {
        self.latest_release_record(
            "SELECT components FROM results WHERE package_id = ?1 AND superseded_in IS NULL \
             ORDER BY modified_on DESC, input_path DESC, ordinal DESC LIMIT 1",
            package_id,
        )
    }

    /// The Astra package (JSON) of the package's latest release.
    pub fn astra_json_of_package(&self, package_id: &str) -> Result<Option<String>, CatalogError> {
        self.latest_release_record(
            "SELECT astra FROM results WHERE package_id = ?1 AND superseded_in IS NULL \
             ORDER BY modified_on DESC, input_path DESC, ordinal DESC LIMIT 1",
            package_id,
        )
    }

    /// One stored record of the package's latest release (the order [`latest`] picks by, in
    /// SQL: one statement reads one consistent state while a scan writes).
    fn latest_release_record(
        &self,
        query: &str,
        package_id: &str,
    ) -> Result<Option<String>, CatalogError> {
        self.conn
            .prepare_cached(query)
            .and_then(|mut statement| {
                statement
                    .query_row([package_id], |row| row.get(0))
                    .optional()
            })
            .map_err(self.error())
    }

    /// The Astra package (JSON) with this UUID, if the catalog holds it.
    pub fn astra_json(&self, astra_id: &str) -> Result<Option<String>, CatalogError> {
        self.astra_row(astra_id)
            .map(|row| row.map(|(astra, _)| astra))
    }

    /// The `pkg_...` id of the package the Astra package with this UUID is a release of.
    pub fn package_id_of_astra(&self, astra_id: &str) -> Result<Option<String>, CatalogError> {
        self.astra_row(astra_id)
            .map(|row| row.and_then(|(_, package_id)| package_id))
    }

    fn astra_row(&self, astra_id: &str) -> Result<Option<(String, Option<String>)>, CatalogError> {
        self.conn
            .prepare_cached(
                "SELECT astra, package_id FROM results WHERE astra_id = ?1 \
                 AND superseded_in IS NULL ORDER BY input_path, ordinal LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([astra_id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .map_err(self.error())
    }
}

/// The release a package id answers with (see the module docs).
fn latest(releases: &[Release]) -> Option<&Release> {
    releases.iter().max_by(|a, b| {
        (&a.modified_on, &a.input_path, a.ordinal).cmp(&(&b.modified_on, &b.input_path, b.ordinal))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_in_both_forms() {
        let uuid = "f949ca6d-8a5c-501c-af81-5c3f91542794";
        assert_eq!(
            PackageRef::parse(&format!("pkg_{uuid}")),
            Some(PackageRef::Package(format!("pkg_{uuid}")))
        );
        assert_eq!(
            PackageRef::parse(&uuid.to_uppercase()),
            Some(PackageRef::Astra(uuid.into()))
        );
        for bad in [
            "",
            "pkg_",
            "pkg_xyz",
            "nope",
            "f949ca6d8a5c501caf815c3f91542794",
            "pkg_{f949ca6d-8a5c-501c-af81-5c3f91542794}",
            "urn:uuid:f949ca6d-8a5c-501c-af81-5c3f91542794",
        ] {
            assert_eq!(PackageRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_latest_release_answers() {
        let release = |modified_on: &str, input_path: &str| Release {
            modified_on: modified_on.into(),
            input_path: input_path.into(),
            ordinal: 0,
            package: None,
        };
        let releases = [
            release("2024-01-01T00:00:00Z", "web-2.0.tgz"),
            release("2024-02-01T00:00:00Z", "web-1.0.tgz"),
            release("2024-02-01T00:00:00Z", "web-1.1.tgz"),
        ];
        assert_eq!(latest(&releases).unwrap().input_path, "web-1.1.tgz");
        assert!(latest(&[]).is_none());
    }
}
