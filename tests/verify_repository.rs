//! Chart repository folders: each archive against its `index.yaml` entry (digest, name,
//! version), archives listed but absent and present but unlisted; a 15 MB index with 15,000
//! entries loads fast. Repositories are built here; every record printed validates.

mod common;

use common::archives::{deployment, tgz_under_pkg};
use common::{path_str, pkglens, problems, scan_results, scratch_dir};
use pkglens::input::sha256_hex;
use pkglens::verify::repository::parse_index;
use serde_json::Value;
use std::fmt::Write as _;
use std::fs;
use std::time::Instant;

/// A chart archive `name` `version` running one nginx Deployment.
fn chart(name: &str, version: &str) -> Vec<u8> {
    let chart_yaml = format!("apiVersion: v2\nname: {name}\nversion: {version}\n");
    tgz_under_pkg(&[
        ("Chart.yaml", chart_yaml.as_str()),
        ("templates/deployment.yaml", &deployment(name, "nginx:1.27")),
    ])
}

/// One index entry as `helm repo index` writes it, with a few fields the check ignores.
fn entry(name: &str, version: &str, digest: &str, url: &str) -> String {
    format!(
        "  - apiVersion: v2\n    appVersion: 1.0.0\n    created: \"2026-01-01T00:00:00Z\"\n    \
         description: A chart\n    digest: {digest}\n    maintainers:\n    - email: a@example.com\n      \
         name: A\n    name: {name}\n    urls:\n    - {url}\n    version: {version}\n"
    )
}

fn by_file<'a>(results: &'a [Value], file: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["source"]["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("{file} in {results:#?}"))
}

#[test]
fn each_archive_is_checked_against_its_index_entry() {
    let dir = scratch_dir("repo-check");
    let web = chart("web", "1.0.0");
    let api = chart("api", "2.0.0");
    let nginx = chart("nginx", "22.1.1");
    // valkey's content saved under nginx's name; the index holds nginx's real digest.
    let swapped = chart("valkey", "1.0.0");
    fs::write(dir.join("web-1.0.0.tgz"), &web).unwrap();
    fs::write(dir.join("api-2.0.0.tgz"), &api).unwrap();
    fs::write(dir.join("nginx-22.1.1.tgz"), &swapped).unwrap();
    fs::write(dir.join("extra-0.1.0.tgz"), chart("extra", "0.1.0")).unwrap();
    let mut index = String::from("apiVersion: v1\nentries:\n  api:\n");
    // An absolute URL names the folder's archive of the same file name.
    index += &entry(
        "api",
        "2.0.0",
        &sha256_hex(&api),
        "https://charts.example.com/api-2.0.0.tgz",
    );
    index += "  gone:\n";
    index += &entry("gone", "1.0.0", &sha256_hex(b"gone"), "gone-1.0.0.tgz");
    index += "  nginx:\n";
    index += &entry("nginx", "22.1.1", &sha256_hex(&nginx), "nginx-22.1.1.tgz");
    index += "  web:\n";
    index += &entry("web", "1.0.0", &sha256_hex(&web), "./web-1.0.0.tgz");
    index += "generated: \"2026-01-01T00:00:00Z\"\n";
    fs::write(dir.join("index.yaml"), index).unwrap();

    let (code, results, _) = scan_results(&[path_str(&dir)]);
    assert_eq!(code, 0);
    assert_eq!(results.len(), 5, "{results:#?}");
    for file in ["web-1.0.0.tgz", "api-2.0.0.tgz"] {
        let result = by_file(&results, file);
        assert_eq!(result["state"], "available", "{file}");
        assert_eq!(problems(result), [], "{file}");
    }
    let path = |file: &str| dir.join(file).display().to_string();
    let swapped_result = by_file(&results, "nginx-22.1.1.tgz");
    assert_eq!(swapped_result["state"], "corrupt");
    assert_eq!(
        problems(swapped_result),
        [
            (
                "chart-digest-mismatch".to_string(),
                format!(
                    "index.yaml lists {} as nginx 22.1.1 with digest {}; the archive's sha256 is {}",
                    path("nginx-22.1.1.tgz"),
                    sha256_hex(&nginx),
                    sha256_hex(&swapped)
                )
            ),
            (
                "chart-index-mismatch".to_string(),
                format!(
                    "index.yaml lists {} as nginx 22.1.1; its Chart.yaml says valkey 1.0.0",
                    path("nginx-22.1.1.tgz")
                )
            ),
        ]
    );
    // Present but unlisted: an advisory, the package itself is fine.
    let extra = by_file(&results, "extra-0.1.0.tgz");
    assert_eq!(extra["state"], "available");
    assert_eq!(
        problems(extra),
        [(
            "chart-unlisted".to_string(),
            format!(
                "{} is beside index.yaml but no entry names it",
                path("extra-0.1.0.tgz")
            )
        )]
    );
    // Listed but absent: a result of its own, after the scanned ones.
    let gone = &results[4];
    assert_eq!(gone["source"]["path"], path("gone-1.0.0.tgz"));
    assert_eq!(gone["state"], "incomplete");
    assert_eq!(
        problems(gone),
        [(
            "chart-absent".to_string(),
            format!(
                "index.yaml lists gone 1.0.0 at {}, which is not there",
                path("gone-1.0.0.tgz")
            )
        )]
    );
    // The gate sees them all.
    let (code, _, stderr) = pkglens(&["scan", "--fail-on", "problems", path_str(&dir)]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr.matches("pkglens: gate failed: ").count(),
        4,
        "{stderr}"
    );
}

#[test]
fn an_index_that_does_not_parse_is_a_result_of_its_own() {
    let dir = scratch_dir("repo-bad-index");
    fs::write(dir.join("web-1.0.0.tgz"), chart("web", "1.0.0")).unwrap();
    fs::write(dir.join("index.yaml"), "entries: [\n").unwrap();
    let (_, results, _) = scan_results(&[path_str(&dir)]);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["state"], "available");
    assert_eq!(
        results[1]["source"]["path"],
        path_str(&dir.join("index.yaml"))
    );
    assert_eq!(results[1]["state"], "corrupt");
    assert_eq!(problems(&results[1])[0].0, "chart-index-invalid");
}

/// An index the size of a big public repository's: 15,000 entries, about 15 MB.
fn big_index(entries: usize) -> String {
    let mut index = String::from("apiVersion: v1\nentries:\n");
    let charts = entries / 50;
    for chart in 0..charts {
        writeln!(index, "  chart-{chart}:").unwrap();
        for version in 0..50 {
            let name = format!("chart-{chart}");
            let digest = sha256_hex(format!("{chart}-{version}").as_bytes());
            write!(
                index,
                "  - annotations:\n      category: Infrastructure\n      images: |\n        - name: \
                 {name}\n          image: docker.io/acme/{name}:1.{version}.0-debian-12-r0\n        - \
                 name: os-shell\n          image: docker.io/acme/os-shell:12-debian-12-r{version}\n      \
                 licenses: Apache-2.0\n    apiVersion: v2\n    appVersion: 1.{version}.0\n    created: \
                 \"2026-01-01T00:00:00.000000000Z\"\n    dependencies:\n    - name: common\n      \
                 repository: oci://registry-1.docker.io/acme\n      tags:\n      - acme-common\n      \
                 version: 2.x.x\n    description: {name} is a chart whose description runs on for a \
                 while, as real descriptions do, to give the entry its real size.\n    digest: \
                 {digest}\n    home: https://acme.example.com\n    icon: \
                 https://acme.example.com/icons/{name}.svg\n    keywords:\n    - {name}\n    - web\n    \
                 maintainers:\n    - name: Acme\n      url: https://github.com/acme/charts\n    name: \
                 {name}\n    sources:\n    - https://github.com/acme/charts/tree/main/acme/{name}\n    \
                 urls:\n    - https://charts.example.com/{name}-{version}.0.0.tgz\n    version: \
                 {version}.0.0\n"
            )
            .unwrap();
        }
    }
    index += "generated: \"2026-01-01T00:00:00Z\"\n";
    index
}

#[test]
fn a_15_mb_index_with_15000_entries_loads_fast() {
    let index = big_index(15_000);
    assert!(index.len() > 15_000_000, "{} bytes", index.len());
    let start = Instant::now();
    let entries = parse_index(&index).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(entries.len(), 15_000);
    assert_eq!(entries[14_999].name, "chart-299");
    assert_eq!(entries[14_999].version, "49.0.0");
    println!(
        "index of {} bytes, {} entries: loaded in {elapsed:?}",
        index.len(),
        entries.len()
    );
    // Well under a second in a release build; a debug build is several times slower.
    let bound = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
    assert!(elapsed.as_secs_f64() < bound, "{elapsed:?}");
    // The scan of a mirror holding it: the archives it lists by absolute URL are elsewhere.
    let dir = scratch_dir("repo-big");
    fs::write(dir.join("index.yaml"), &index).unwrap();
    fs::write(dir.join("chart-0-0.0.0.tgz"), chart("chart-0", "0.0.0")).unwrap();
    let (code, results, _) = scan_results(&[path_str(&dir)]);
    assert_eq!(code, 0);
    assert_eq!(results.len(), 1);
    // Its content is not what the index says (the digest is made up): found and said.
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(problems(&results[0])[0].0, "chart-digest-mismatch");
}
