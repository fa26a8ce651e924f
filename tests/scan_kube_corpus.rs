//! The `system: kube` goldens of ../shared/corpus/kube: images and archive digests must match.

mod common;

use pkglens::scan::{self, ScanOptions};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

fn sorted_unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    items
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("list")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

/// The kube corpus folder and its goldens (path and content), in path order; None without
/// ../shared.
fn corpus_goldens() -> Option<(PathBuf, Vec<(PathBuf, Value)>)> {
    let corpus = common::shared_dir()?.join("corpus/kube");
    let mut paths: Vec<PathBuf> = fs::read_dir(corpus.join("expected"))
        .expect("expected/")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    let goldens = paths
        .into_iter()
        .map(|path| {
            let golden = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
            (path, golden)
        })
        .collect();
    Some((corpus, goldens))
}

#[test]
fn kube_goldens_match_exactly() {
    let Some((corpus, goldens)) = corpus_goldens() else {
        return;
    };
    let (mut total, mut matched) = (0, 0);
    let mut failures = Vec::new();
    for (golden_path, golden) in goldens {
        if golden["system"] != "kube" {
            continue;
        }
        total += 1;
        let name = golden_path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let input = corpus.join(golden["archive"].as_str().unwrap());
        let mut results = Vec::new();
        scan::scan(&[input], &ScanOptions::default(), |r| results.push(r)).unwrap();
        let wanted_entry = golden["entry"].as_str().map(str::to_string);
        let Some(result) = results.iter().find(|r| r.source.entry == wanted_entry) else {
            failures.push(format!("{name}: no result for entry {wanted_entry:?}"));
            continue;
        };
        let component_images = sorted_unique(
            result
                .components
                .iter()
                .flat_map(|c| c.images.iter().map(|i| i.reference.as_str())),
        );
        let all_images = sorted_unique(result.images.iter().map(|i| i.reference.as_str()));
        let mut problems = Vec::new();
        if component_images != strings(&golden["images"]) {
            problems.push(format!(
                "images {component_images:?} != {:?}",
                golden["images"]
            ));
        }
        if all_images != strings(&golden["all_images"]) {
            problems.push(format!(
                "all_images {all_images:?} != {:?}",
                golden["all_images"]
            ));
        }
        let components: Vec<String> = result
            .components
            .iter()
            .map(|c| format!("{} {} {}", c.kind, c.name, c.source))
            .collect();
        let golden_components: Vec<String> = golden["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| {
                w["hook"].is_null()
                    && ["Deployment", "DaemonSet", "StatefulSet"]
                        .contains(&w["kind"].as_str().unwrap())
            })
            .map(|w| {
                format!(
                    "{} {} {}",
                    w["kind"].as_str().unwrap(),
                    w["name"].as_str().unwrap(),
                    w["template"].as_str().unwrap()
                )
            })
            .collect();
        if components != golden_components {
            problems.push(format!(
                "components {components:?} != {golden_components:?}"
            ));
        }
        if result.source.sha256.as_deref() != golden["archive_sha256"].as_str() {
            problems.push(format!(
                "sha256 {:?} != {}",
                result.source.sha256, golden["archive_sha256"]
            ));
        }
        if !result.problems.is_empty() {
            problems.push(format!("unexpected problems {:?}", result.problems));
        }
        if problems.is_empty() {
            matched += 1;
        } else {
            failures.push(format!("{name}: {}", problems.join("; ")));
        }
    }
    println!("kube goldens: {matched}/{total} exact");
    for failure in &failures {
        println!("  MISMATCH {failure}");
    }
    assert!(total > 0, "no kube goldens found");
    assert!(
        failures.is_empty(),
        "{} kube goldens differ",
        failures.len()
    );
}

/// Every golden's input (at its `entry`, when it names one) is scanned as the system the golden
/// names: a lone kustomization file is a kustomization, a folder of manifests is `kube`.
#[test]
fn every_golden_is_scanned_as_its_system() {
    let Some((corpus, goldens)) = corpus_goldens() else {
        return;
    };
    let mut mismatches = Vec::new();
    for (golden_path, golden) in goldens {
        let entry = golden["entry"].as_str().map(str::to_string);
        let options = ScanOptions {
            entry: entry.clone(),
            ..ScanOptions::default()
        };
        let input = corpus.join(golden["archive"].as_str().unwrap());
        let mut results = Vec::new();
        scan::scan(&[input], &options, |r| results.push(r)).unwrap();
        // Without an entry, an input with several roots gives one result each.
        let systems: Vec<String> = results
            .iter()
            .filter(|r| r.source.entry == entry)
            .map(|r| r.system.to_string())
            .collect();
        if systems != [golden["system"].as_str().unwrap()] {
            mismatches.push(format!("{}: {systems:?}", golden_path.display()));
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
