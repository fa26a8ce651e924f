//! pkglens: an offline inspector and scanner for Kubernetes package archives.
//!
//! The library follows the data flow of a scan: input → unpack → detect package →
//! render (helm | kustomize | raw) → Kubernetes objects → workloads and images →
//! records → output.

#![forbid(unsafe_code)]

pub mod budget;
pub mod candidates;
pub mod catalog;
pub mod detect;
pub mod files;
pub mod gate;
pub mod go;
pub mod helm;
pub mod image_ref;
pub mod input;
pub mod kustomize;
pub mod notice;
pub mod objects;
pub mod output;
pub mod records;
pub mod scan;
pub mod serve;
pub mod stack;
pub mod template;
pub mod terminal;
pub mod unpack;
pub mod verify;
pub mod workload;
pub mod yaml;
