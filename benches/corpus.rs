//! Bulk cataloging speed: one `scan` over every chart archive of ../shared/corpus/helm (and the
//! kustomize/manifest inputs of ../shared/corpus/kube), on one worker and on all cores. Without
//! the corpus beside the repository there is nothing to measure, and the bench says so.

// Only `corpus_dir` is used here; the generator and setup serve the other benches.
#[allow(dead_code)]
#[path = "common/repository.rs"]
mod repository;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pkglens::scan::{self, ScanOptions};
use std::hint::black_box;
use std::path::PathBuf;

/// The inputs of one corpus: the helm chart archives, or the kube archives and folders.
fn inputs(kind: &str) -> Option<Vec<PathBuf>> {
    let dir = repository::corpus_dir(kind)?;
    let folders: &[&str] = match kind {
        "helm" => &["charts"],
        _ => &["archives", "trees"],
    };
    let mut paths: Vec<PathBuf> = folders
        .iter()
        .filter_map(|f| std::fs::read_dir(dir.join(f)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    Some(paths)
}

fn scan_all(paths: &[PathBuf], jobs: Option<usize>) -> usize {
    let options = ScanOptions {
        jobs,
        source_date_epoch: Some(0),
        ..ScanOptions::default()
    };
    let mut images = 0;
    let scanned = scan::scan(paths, &options, |result| images += result.images.len());
    assert!(scanned.is_ok(), "scan failed: {scanned:?}");
    images
}

fn corpus(c: &mut Criterion) {
    for kind in ["helm", "kube"] {
        let Some(paths) = inputs(kind) else {
            println!("SKIPPED: ../shared/corpus/{kind} is not beside the repository");
            continue;
        };
        let mut group = c.benchmark_group(format!("scan_{kind}_corpus"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(paths.len() as u64));
        group.bench_function("one_worker", |b| {
            b.iter(|| black_box(scan_all(&paths, Some(1))))
        });
        group.bench_function("all_cores", |b| {
            b.iter(|| black_box(scan_all(&paths, None)))
        });
        group.finish();
    }
}

criterion_group!(benches, corpus);
criterion_main!(benches);
