//! Image references: any string must parse or be refused, never panic; what parses is
//! normalised (a registry, a repository without upper case, a digest of the one accepted form).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::image_ref;

fuzz_target!(|data: &[u8]| {
    let Ok(reference) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = image_ref::parse(reference) {
        assert!(!parsed.registry.is_empty());
        assert!(!parsed.repository.is_empty());
        assert!(!parsed.repository.chars().any(|c| c.is_ascii_uppercase()));
        if let Some(digest) = &parsed.digest {
            assert!(digest.starts_with("sha256:") && digest.len() == 71);
        }
    }
});
