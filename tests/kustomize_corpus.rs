//! Corpus check for our kustomize build against goldens made with
//! `kubectl kustomize` (kustomize v5.6.0) in ../shared/corpus/kube:
//! (a) images exact per golden (a failing golden must fail for us too) and
//! (b) build output byte-identical to kubectl's, and (c) every image grep finds in kubectl's
//! output (`image:` lines, `--...image...=` flags) is a pod-spec or candidate image of our build.
//! The figures are printed and must not fall below the floors in tests/kustomize_floors.txt.

mod common;

use pkglens::candidates::candidates_of;
use pkglens::files::FileTree;
use pkglens::kustomize;
use pkglens::objects::KubeObject;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let base = std::env::var_os("PKGLENS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let dir = base.join("corpus/kube");
    dir.is_dir().then_some(dir)
}

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

fn floors() -> (f64, f64, f64) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kustomize_floors.txt"),
    )
    .expect("tests/kustomize_floors.txt");
    let get = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .and_then(|(_, v)| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        get("images_percent"),
        get("bytes_percent"),
        get("candidates_percent"),
    )
}

#[test]
fn kustomize_corpus_images_and_bytes() {
    let Some(corpus) = corpus_dir() else {
        println!(
            "skipped: ../shared/corpus/kube is absent (set PKGLENS_SHARED to the shared folder)"
        );
        return;
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(corpus.join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let (mut img_ok, mut img_total, mut bytes_ok, mut bytes_total) = (0, 0, 0, 0);
    let (mut candidates_ok, mut candidates_total) = (0, 0);
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
        img_total += 1;
        let ok = golden["render"]["ok"].as_bool().unwrap_or(false);
        match (&built, ok) {
            (Err(_), false) => img_ok += 1,
            (Ok(docs), true) => {
                let (c, a) = images(docs);
                if c == strings(&golden["images"]) && a == strings(&golden["all_images"]) {
                    img_ok += 1;
                } else {
                    failures.push(format!("{stem}: images differ"));
                }
            }
            (Ok(_), false) => failures.push(format!("{stem}: built, but kustomize fails")),
            (Err(e), true) => failures.push(format!("{stem}: {e}")),
        }
        if let Some(rendered) = golden["rendered"].as_str() {
            bytes_total += 1;
            let mut expected = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(corpus.join(rendered)).unwrap())
                .read_to_string(&mut expected)
                .unwrap();
            match kustomize::build(&tree, &root) {
                Ok(out) if out == expected => bytes_ok += 1,
                Ok(_) => failures.push(format!("{stem}: output bytes differ")),
                Err(_) => {}
            }
            candidates_total += 1;
            let reported = built
                .as_ref()
                .map(|d| reported_images(d))
                .unwrap_or_default();
            let missed: Vec<String> = common::grepped_images(&expected)
                .into_iter()
                .filter(|i| !reported.contains(i))
                .collect();
            match missed.is_empty() {
                true => candidates_ok += 1,
                false => failures.push(format!("{stem}: grep finds unreported {missed:?}")),
            }
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let (img_pct, bytes_pct) = (pct(img_ok, img_total), pct(bytes_ok, bytes_total));
    let candidates_pct = pct(candidates_ok, candidates_total);
    for f in &failures {
        println!("  {f}");
    }
    println!("kustomize corpus: images exact {img_ok}/{img_total} ({img_pct:.1}%), bytes identical {bytes_ok}/{bytes_total} ({bytes_pct:.1}%)");
    println!("kustomize corpus: every image grep finds reported (images or candidates) {candidates_ok}/{candidates_total} ({candidates_pct:.1}%)");
    let (img_floor, bytes_floor, candidates_floor) = floors();
    assert!(
        candidates_pct >= candidates_floor,
        "candidates {candidates_pct:.1}% below floor {candidates_floor}%"
    );
    assert!(
        img_pct >= img_floor,
        "images {img_pct:.1}% below floor {img_floor}%"
    );
    assert!(
        bytes_pct >= bytes_floor,
        "bytes {bytes_pct:.1}% below floor {bytes_floor}%"
    );
}
