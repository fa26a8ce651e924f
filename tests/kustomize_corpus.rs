//! Corpus check for our kustomize build against goldens made with
//! `kubectl kustomize` (kustomize v5.6.0) in ../shared/corpus/kube:
//! (a) images exact per golden (a failing golden must fail for us too) and
//! (b) build output byte-identical to kubectl's, and (c) every image grep finds in kubectl's
//! output (`image:` lines, `--...image...=` flags) is a pod-spec or candidate image of our build.
//! The figures are printed; each measure's passing goldens are listed in
//! tests/kustomize_corpus_passing.txt (`MEASURE/GOLDEN`, one a line): a listed one that fails
//! fails the test by name, a newly passing one is printed to be added.

mod common;

use pkglens::candidates::candidates_of;
use pkglens::files::FileTree;
use pkglens::kustomize;
use pkglens::objects::KubeObject;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

fn read_tree(corpus: &Path, golden: &Value) -> FileTree {
    let mut tree = FileTree::new();
    match golden["archive"]
        .as_str()
        .filter(|a| corpus.join(a).is_file())
    {
        Some(archive) => {
            let path = corpus.join(archive);
            let file = std::fs::File::open(&path).unwrap();
            if archive.ends_with(".zip") {
                let mut zip = zip::ZipArchive::new(file).unwrap();
                for i in 0..zip.len() {
                    let mut f = zip.by_index(i).unwrap();
                    if f.is_dir() {
                        continue;
                    }
                    let name = f.name().to_string();
                    let mut data = Vec::new();
                    f.read_to_end(&mut data).unwrap();
                    tree.insert(name, data);
                }
            } else {
                let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
                for entry in tar.entries().unwrap() {
                    let mut entry = entry.unwrap();
                    if !entry.header().entry_type().is_file() {
                        continue;
                    }
                    let name = entry
                        .path()
                        .unwrap()
                        .to_string_lossy()
                        .trim_start_matches("./")
                        .to_string();
                    let mut data = Vec::new();
                    entry.read_to_end(&mut data).unwrap();
                    tree.insert(name, data);
                }
            }
        }
        None => {
            let dir = match golden["archive"].as_str() {
                Some(a) => corpus.join(a),
                None => corpus
                    .join("trees")
                    .join(golden["name"].as_str().unwrap_or_default()),
            };
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
                let entry = entry.unwrap();
                if entry.file_type().is_file() {
                    let rel = entry
                        .path()
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .to_string();
                    tree.insert(rel, std::fs::read(entry.path()).unwrap());
                }
            }
        }
    }
    tree
}

fn top_folder(tree: &FileTree) -> String {
    let mut top: Option<String> = None;
    for (p, _) in tree.iter() {
        let Some((first, _)) = p.split_once('/') else {
            return String::new();
        };
        match &top {
            None => top = Some(first.to_string()),
            Some(t) if t != first => return String::new(),
            _ => {}
        }
    }
    top.unwrap_or_default()
}

const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
];

/// (images of non-hook Deployments/DaemonSets/StatefulSets, images of all workloads).
fn images(docs: &[Value]) -> (Vec<String>, Vec<String>) {
    let mut components = BTreeSet::new();
    let mut all = BTreeSet::new();
    for d in docs {
        let kind = d["kind"].as_str().unwrap_or("");
        if !WORKLOADS.contains(&kind) {
            continue;
        }
        let spec = match kind {
            "Pod" => &d["spec"],
            "CronJob" => &d["spec"]["jobTemplate"]["spec"]["template"]["spec"],
            _ => &d["spec"]["template"]["spec"],
        };
        let hook = d["metadata"]["annotations"]["helm.sh/hook"].is_string();
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            for c in spec[list].as_array().into_iter().flatten() {
                if let Some(img) = c["image"].as_str() {
                    all.insert(img.to_string());
                    if !hook && matches!(kind, "Deployment" | "DaemonSet" | "StatefulSet") {
                        components.insert(img.to_string());
                    }
                }
            }
        }
    }
    (components.into_iter().collect(), all.into_iter().collect())
}

/// The pod-spec images and candidate images of built objects.
fn reported_images(docs: &[Value]) -> BTreeSet<String> {
    let (_, all) = images(docs);
    let candidates = docs.iter().filter_map(|value| {
        candidates_of(&KubeObject {
            source: String::new(),
            value: value.clone(),
        })
    });
    all.into_iter()
        .chain(candidates.flat_map(|c| c.candidates.into_iter().map(|c| c.reference)))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

#[test]
fn kustomize_corpus_images_and_bytes() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus/kube");
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus.join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    // (MEASURE/GOLDEN, passed) for each measure a golden takes part in.
    let mut cases: Vec<(String, bool)> = Vec::new();
    let mut failures = Vec::new();
    for path in names {
        let mut golden: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if golden["system"] != "kustomize" {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let input_name = stem.split('@').next().unwrap().to_string();
        golden["name"] = Value::String(input_name);
        let tree = read_tree(&corpus, &golden);
        let top = top_folder(&tree);
        let entry = golden["entry"].as_str().unwrap_or("");
        let root = match (top.is_empty(), entry.is_empty()) {
            (true, _) => entry.to_string(),
            (false, true) => top.clone(),
            (false, false) => format!("{top}/{entry}"),
        };
        let built = kustomize::build_documents(&tree, &root);
        let ok = golden["render"]["ok"].as_bool().unwrap_or(false);
        let images_exact = match (&built, ok) {
            (Err(_), false) => true,
            (Ok(docs), true) => {
                let (c, a) = images(docs);
                let exact = c == strings(&golden["images"]) && a == strings(&golden["all_images"]);
                if !exact {
                    failures.push(format!("{stem}: images differ"));
                }
                exact
            }
            (Ok(_), false) => {
                failures.push(format!("{stem}: built, but kustomize fails"));
                false
            }
            (Err(e), true) => {
                failures.push(format!("{stem}: {e}"));
                false
            }
        };
        cases.push((format!("images/{stem}"), images_exact));
        if let Some(rendered) = golden["rendered"].as_str() {
            let mut expected = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(corpus.join(rendered)).unwrap())
                .read_to_string(&mut expected)
                .unwrap();
            let identical = match kustomize::build(&tree, &root) {
                Ok(out) if out == expected => true,
                Ok(_) => {
                    failures.push(format!("{stem}: output bytes differ"));
                    false
                }
                Err(_) => false,
            };
            cases.push((format!("bytes/{stem}"), identical));
            let reported = built
                .as_ref()
                .map(|d| reported_images(d))
                .unwrap_or_default();
            let missed: Vec<String> = common::grepped_images(&expected)
                .into_iter()
                .filter(|i| !reported.contains(i))
                .collect();
            if !missed.is_empty() {
                failures.push(format!("{stem}: grep finds unreported {missed:?}"));
            }
            cases.push((format!("candidates/{stem}"), missed.is_empty()));
        }
    }
    for f in &failures {
        println!("  {f}");
    }
    let figure = |measure: &str| {
        let of: Vec<bool> = cases
            .iter()
            .filter(|(name, _)| name.split('/').next() == Some(measure))
            .map(|(_, passed)| *passed)
            .collect();
        let passed = of.iter().filter(|p| **p).count();
        let pct = 100.0 * passed as f64 / of.len().max(1) as f64;
        format!("{passed}/{} ({pct:.1}%)", of.len())
    };
    println!(
        "kustomize corpus: images exact {}, bytes identical {}",
        figure("images"),
        figure("bytes")
    );
    println!(
        "kustomize corpus: every image grep finds reported (images or candidates) {}",
        figure("candidates")
    );
    common::keep_passing("kustomize_corpus_passing.txt", &cases);
}
