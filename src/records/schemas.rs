//! The record schemas (the project's copies in `schema/`), embedded at build time so the
//! binary needs no files beside it: `pkglens schema` prints them, `serve` builds its OpenAPI
//! document from them.

/// Each schema's name (its path under `schema/` without `.json`) and text.
pub const SCHEMAS: [(&str, &str); 8] = [
    ("DockerImage", include_str!("../../schema/DockerImage.json")),
    ("ErrorDetail", include_str!("../../schema/ErrorDetail.json")),
    ("ErrorModel", include_str!("../../schema/ErrorModel.json")),
    ("Package", include_str!("../../schema/Package.json")),
    (
        "PackageComponent",
        include_str!("../../schema/PackageComponent.json"),
    ),
    ("ScanResult", include_str!("../../schema/ScanResult.json")),
    ("Versioning", include_str!("../../schema/Versioning.json")),
    (
        "astra/Package",
        include_str!("../../schema/astra/Package.json"),
    ),
];
