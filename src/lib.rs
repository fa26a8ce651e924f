//! pkglens: an offline inspector and scanner for Kubernetes package archives.
//!
//! The library follows the data flow of a scan: input → unpack → detect package →
//! render (helm | kustomize | raw) → Kubernetes objects → workloads and images →
//! records → output.

pub mod files;
pub mod template;
pub mod yaml;
