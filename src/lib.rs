//! pkglens: an offline inspector and scanner for Kubernetes package archives.
//!
//! The library follows the data flow of a scan: input → unpack → detect package →
//! render (helm | kustomize | raw) → Kubernetes objects → workloads and images →
//! records → output.
//!
//! # Public API
//!
//! [`scan::scan`] with [`scan::ScanOptions`] turns paths into [`records::ScanResult`]s, which
//! [`output::ResultWriter`] prints, [`gate::Policy`] checks, [`verify::Verifier`] completes and
//! [`catalog::Catalog`] keeps (served by [`serve::Server`]). [`helm::render::render_chart`] and
//! [`kustomize::build`] are `pkglens render` and `pkglens build`. The engines below them (the
//! template engine, YAML, Go's libraries, objects and workloads) are crate-private; the
//! `internals` feature makes them public for the fuzz targets, benchmarks and integration
//! tests, with no stability promise.

#![forbid(unsafe_code)]
// The public surface is documented, and names every type it hands out.
#![cfg_attr(not(feature = "internals"), warn(missing_docs, unnameable_types))]

pub mod budget;
pub mod catalog;
pub mod detect;
pub mod epoch;
pub mod files;
pub mod gate;
pub mod helm;
pub mod image_ref;
pub mod input;
pub mod kustomize;
pub mod notice;
pub mod output;
pub mod records;
pub mod scan;
pub mod serve;
pub mod template;
pub mod terminal;
pub mod unpack;
pub mod verify;

// The engines under the public modules: crate-private, public with `internals`.
#[cfg(feature = "internals")]
pub mod candidates;
#[cfg(not(feature = "internals"))]
pub(crate) mod candidates;
#[cfg(feature = "internals")]
pub mod go;
#[cfg(not(feature = "internals"))]
pub(crate) mod go;
#[cfg(feature = "internals")]
pub mod objects;
#[cfg(not(feature = "internals"))]
pub(crate) mod objects;
#[cfg(feature = "internals")]
pub mod stack;
#[cfg(not(feature = "internals"))]
pub(crate) mod stack;
#[cfg(feature = "internals")]
pub mod workload;
#[cfg(not(feature = "internals"))]
pub(crate) mod workload;
#[cfg(feature = "internals")]
pub mod yaml;
#[cfg(not(feature = "internals"))]
pub(crate) mod yaml;

// Crate-wide plumbing.
mod poison;
mod text_cache;
