//! The Helm goldens of ../shared/corpus/helm (real charts, helm v4.1.4 output): how many scans
//! find exactly helm's images, how many renders are byte-identical to helm's stdout, and whether
//! every chart helm fails on yields a problem. Figures are printed and held to the floors in
//! `tests/helm_corpus_floors.txt`.

mod common;

use flate2::read::GzDecoder;
use pkglens::helm::loader::load_archive;
use pkglens::helm::render::{render_chart, RenderOptions};
use pkglens::helm::values::{merge_user_values, ValueOptions};
use pkglens::scan::{self, ScanOptions};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Default)]
struct Outcome {
    name: String,
    helm_ok: bool,
    deterministic: bool,
    images_exact: bool,
    render_identical: bool,
    failure_reported: bool,
    detail: String,
}

fn render_options(corpus: &Path, golden: &Value) -> RenderOptions {
    let mut opts = ValueOptions::default();
    if let Some(values) = golden["render"]["values"].as_str() {
        let text = std::fs::read_to_string(corpus.join(values)).expect("values file");
        opts.value_files.push((values.to_string(), text));
    }
    RenderOptions {
        release_name: "release".into(),
        namespace: "default".into(),
        values: merge_user_values(&opts, &|p| Err(format!("open {p}: not allowed")))
            .expect("values"),
        ..RenderOptions::default()
    }
}

fn check(corpus: &Path, golden_path: &Path) -> Outcome {
    let golden: Value =
        serde_json::from_slice(&std::fs::read(golden_path).expect("golden")).expect("golden JSON");
    let mut out = Outcome {
        name: golden_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        helm_ok: golden["render"]["ok"] == Value::Bool(true),
        deterministic: golden["render"]["deterministic"] != Value::Bool(false),
        ..Outcome::default()
    };
    let archive = corpus.join(golden["archive"].as_str().expect("archive"));
    let options = render_options(corpus, &golden);
    let scan_options = ScanOptions {
        jobs: Some(1),
        helm: RenderOptions { ..options.clone() },
        ..ScanOptions::default()
    };
    let mut results = Vec::new();
    let scanned = scan::scan(std::slice::from_ref(&archive), &scan_options, |r| {
        results.push(r)
    });
    let Some(result) = results.first().filter(|_| scanned.is_ok()) else {
        out.detail = "no scan result".into();
        return out;
    };
    if out.helm_ok {
        let components: BTreeSet<String> = result
            .components
            .iter()
            .flat_map(|c| c.images.iter().map(|i| i.reference.clone()))
            .collect();
        let all: BTreeSet<String> = result.images.iter().map(|i| i.reference.clone()).collect();
        out.images_exact = components == strings(&golden["images"])
            && all == strings(&golden["all_images"])
            && result.problems.is_empty();
        if !out.images_exact {
            out.detail = format!(
                "images {components:?} want {:?}; all {all:?} want {:?}; problems {:?}",
                strings(&golden["images"]),
                strings(&golden["all_images"]),
                result
                    .problems
                    .iter()
                    .map(|p| &p.detail)
                    .collect::<Vec<_>>()
            );
        }
        let want = golden["rendered"].as_str().map(|r| {
            let mut text = String::new();
            let bytes = std::fs::read(corpus.join(r)).expect("rendered");
            GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .expect("gunzip");
            text
        });
        let got = std::fs::read(&archive)
            .ok()
            .and_then(|bytes| load_archive(&bytes).ok())
            .and_then(|chart| render_chart(chart, &options).ok())
            .map(|r| r.output);
        out.render_identical = want.is_some() && got == want;
    } else {
        out.failure_reported = !result.problems.is_empty() && result.components.is_empty();
        out.images_exact = out.failure_reported;
    }
    out
}

fn floors() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(common::repo_root().join("tests/helm_corpus_floors.txt"))
        .expect("tests/helm_corpus_floors.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
        })
        .collect()
}

#[test]
fn helm_corpus_figures() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus/helm");
    let mut goldens: Vec<PathBuf> = std::fs::read_dir(corpus.join("expected"))
        .expect("expected/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    goldens.sort();
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = goldens.get(i) else {
                    break;
                };
                let outcome = check(&corpus, path);
                outcomes.lock().expect("outcomes").push(outcome);
            });
        }
    });
    let mut outcomes = outcomes.into_inner().expect("outcomes");
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    let figures: BTreeMap<String, usize> = [
        ("images_exact", count(&|o| o.images_exact)),
        ("render_identical", count(&|o| o.render_identical)),
        ("failures_reported", count(&|o| o.failure_reported)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let helm_ok = count(&|o| o.helm_ok);
    println!(
        "images exact: {}/{} goldens",
        figures["images_exact"],
        outcomes.len()
    );
    println!(
        "render byte-identical: {}/{} charts helm renders ({} of them deterministic)",
        figures["render_identical"],
        helm_ok,
        count(&|o| o.helm_ok && o.deterministic)
    );
    println!(
        "helm failures reported as problems: {}/{}",
        figures["failures_reported"],
        outcomes.len() - helm_ok
    );
    if std::env::var_os("CORPUS_LOG").is_some() {
        for o in outcomes
            .iter()
            .filter(|o| !o.images_exact || (o.helm_ok && !o.render_identical))
        {
            println!(
                "{}: images_exact={} render_identical={} {}",
                o.name, o.images_exact, o.render_identical, o.detail
            );
        }
    }
    let below: Vec<String> = floors()
        .into_iter()
        .filter(|(k, floor)| figures.get(k).copied().unwrap_or(0) < *floor)
        .map(|(k, floor)| {
            format!(
                "{k}: {} < floor {floor}",
                figures.get(&k).copied().unwrap_or(0)
            )
        })
        .collect();
    assert!(
        below.is_empty(),
        "figures below their floor (CORPUS_LOG=1 lists the misses): {below:?}"
    );
}
