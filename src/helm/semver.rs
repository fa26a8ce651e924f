//! Helm's `IsCompatibleRange`, over the function library's Masterminds/semver port.

use crate::go::semver::Constraints;
pub use crate::go::semver::Version;

/// Whether `version` satisfies `constraint`; an unparsable constraint or version is not
/// compatible (an empty constraint included).
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    match (Constraints::parse(constraint), Version::parse(version)) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_compatible_range;

    #[test]
    fn ranges_as_helm_checks_them() {
        assert!(is_compatible_range("0.1.0", "0.1.0"));
        assert!(!is_compatible_range("0.2.0", "0.1.0"));
        assert!(is_compatible_range("~0.1", "0.1.0"));
        assert!(is_compatible_range("16.x.x", "16.7.27"));
        assert!(is_compatible_range(">= 1.0.0, < 2.0.0", "1.5.0"));
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(!is_compatible_range(">=1.0.0", "1.5.0-rc.1"));
    }
}
