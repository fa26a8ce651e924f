//! Deterministic record ids: UUIDv5 over documented keys, so that the same package gets the
//! same id on every machine and every run.
//!
//! - Package: `pkg_` + UUIDv5(PKGLENS_NAMESPACE, "package\n{system}\n{title}\n{repository}")
//!   where `repository` is the chart repository URL when known, else empty. The version is
//!   deliberately not part of the key: versions are releases of one Package.
//! - PackageComponent: `pkgc_` + UUIDv5(PKGLENS_NAMESPACE,
//!   "component\n{package id}\n{kind}\n{namespace}\n{name}") with an empty namespace when none.

use uuid::Uuid;

/// UUIDv5(NAMESPACE_URL, "urn:pkglens"): pkglens's own namespace for every id it derives.
fn pkglens_namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:pkglens")
}

/// UUIDv5 of `key` in pkglens's namespace, hyphenated lower case.
pub fn uuid_v5(key: &str) -> String {
    Uuid::new_v5(&pkglens_namespace(), key.as_bytes()).to_string()
}

pub fn package_id(system: &str, title: &str, repository: Option<&str>) -> String {
    let key = format!("package\n{system}\n{title}\n{}", repository.unwrap_or(""));
    format!("pkg_{}", uuid_v5(&key))
}

pub fn component_id(package_id: &str, kind: &str, namespace: Option<&str>, name: &str) -> String {
    let key = format!(
        "component\n{package_id}\n{kind}\n{}\n{name}",
        namespace.unwrap_or("")
    );
    format!(
        "pkgc_{}",
        Uuid::new_v5(&pkglens_namespace(), key.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = package_id("helm", "cert-manager", None);
        assert_eq!(a, package_id("helm", "cert-manager", None));
        assert_ne!(a, package_id("kube", "cert-manager", None));
        assert_ne!(
            a,
            package_id("helm", "cert-manager", Some("https://charts.jetstack.io"))
        );
        assert!(a.starts_with("pkg_") && a.len() == 40);
        let c = component_id(&a, "Deployment", Some("ns"), "web");
        assert_ne!(c, component_id(&a, "Deployment", None, "web"));
        assert!(c.starts_with("pkgc_"));
    }

    #[test]
    fn ids_follow_the_documented_key() {
        // Pinned (computed independently with Python's uuid.uuid5) so ids never drift.
        assert_eq!(
            package_id("kube", "demo", None),
            "pkg_f949ca6d-8a5c-501c-af81-5c3f91542794"
        );
    }
}
