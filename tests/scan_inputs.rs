//! Input discovery end to end: chart repository folders, archives of every format, single
//! manifest files, chart folders with subchart archives, and what each record says about them.

mod common;

use common::archives::{self, TarEntry};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fs;

fn by_path<'a>(results: &'a [Value], suffix: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["source"]["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no result for {suffix}: {results:#?}"))
}

#[test]
fn chart_repository_folder_scans_every_archive_but_not_its_index() {
    let repo = common::scratch_dir("repo");
    let alpha = archives::deployment_chart_tgz("alpha", "1.2.3");
    fs::write(repo.join("alpha-1.2.3.tgz"), &alpha).unwrap();
    fs::write(
        repo.join("beta-0.1.0.tgz"),
        archives::deployment_chart_tgz("beta", "0.1.0"),
    )
    .unwrap();
    fs::write(repo.join("index.yaml"), "apiVersion: v1\nentries: {}\n").unwrap();
    let results = common::scan_json(&[common::path_str(&repo)]);
    assert_eq!(results.len(), 2, "{results:#?}");
    let alpha_result = by_path(&results, "alpha-1.2.3.tgz");
    assert_eq!(alpha_result["system"], "helm");
    assert_eq!(alpha_result["package"]["title"], "alpha");
    assert_eq!(alpha_result["release"]["version"], "1.2.3");
    assert_eq!(alpha_result["release"]["app_version"], "9.9");
    assert_eq!(alpha_result["source"]["format"], "tgz");
    assert_eq!(alpha_result["source"]["entry"], Value::Null);
    assert_eq!(
        alpha_result["source"]["sha256"],
        hex::encode(Sha256::digest(&alpha))
    );
    assert_eq!(alpha_result["source"]["size"], alpha.len());
    // The chart is rendered as `helm template` would: its Deployment's image is found.
    assert_eq!(alpha_result["state"], "available", "{alpha_result:#}");
    assert_eq!(alpha_result["images"][0]["reference"], "nginx:1.27");
    let files: Vec<&str> = common::strings_at(&alpha_result["files"], "path");
    assert_eq!(
        files,
        ["alpha/Chart.yaml", "alpha/templates/deployment.yaml"]
    );
    assert_eq!(
        by_path(&results, "beta-0.1.0.tgz")["package"]["title"],
        "beta"
    );
    fs::remove_dir_all(repo).unwrap();
}

#[test]
fn tar_zip_yaml_and_json_inputs_are_read() {
    let dir = common::scratch_dir("formats");
    let manifest = archives::deployment("web", "quay.io/org/web:2");
    fs::write(
        dir.join("plain.tar"),
        archives::tar(&[TarEntry::file("bundle/web.yaml", manifest.as_bytes())]),
    )
    .unwrap();
    fs::write(
        dir.join("plain.zip"),
        archives::zip(&[("web.yaml", manifest.as_bytes())]),
    )
    .unwrap();
    fs::write(dir.join("single.yaml"), &manifest).unwrap();
    let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}"#;
    fs::write(dir.join("pod.json"), json).unwrap();
    let inputs: Vec<String> = ["plain.tar", "plain.zip", "single.yaml", "pod.json"]
        .iter()
        .map(|n| dir.join(n).display().to_string())
        .collect();
    let args: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let results = common::scan_json(&args);
    let summary: Vec<(&str, &str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["source"]["format"].as_str().unwrap(),
                r["package"]["title"].as_str().unwrap(),
                r["images"][0]["reference"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("tar", "bundle", "quay.io/org/web:2"),
            ("zip", "plain", "quay.io/org/web:2"),
            ("yaml", "single", "quay.io/org/web:2"),
            ("json", "pod", "busybox"),
        ]
    );
    assert!(results.iter().all(|r| r["state"] == "available"));
    // A Pod is no component, but its image is listed with where it is used.
    let pod = &results[3];
    assert_eq!(pod["components"], Value::Array(vec![]));
    assert_eq!(pod["images"][0]["repository"], "library/busybox");
    assert_eq!(pod["images"][0]["used_by"][0]["kind"], "Pod");
    assert_eq!(pod["images"][0]["used_by"][0]["source"], "pod.json");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn chart_folder_keeps_its_subchart_archives() {
    let dir = common::scratch_dir("chartdir");
    fs::create_dir_all(dir.join("charts")).unwrap();
    fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 2.0.0\n",
    )
    .unwrap();
    fs::write(
        dir.join("charts/child-1.0.0.tgz"),
        archives::deployment_chart_tgz("child", "1.0.0"),
    )
    .unwrap();
    let results = common::scan_json(&[common::path_str(&dir)]);
    assert_eq!(
        results.len(),
        1,
        "the subchart archive is part of the chart: {results:#?}"
    );
    assert_eq!(results[0]["package"]["title"], "parent");
    assert_eq!(results[0]["source"]["format"], "dir");
    assert_eq!(results[0]["source"]["sha256"], Value::Null);
    let files = results[0]["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["path"] == "charts/child-1.0.0.tgz"));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn broken_documents_and_images_make_a_package_incomplete_not_lost() {
    let dir = common::scratch_dir("broken");
    let good = archives::deployment("good", "nginx:1.27");
    let bad_image = archives::deployment("bad", "Nginx:Latest");
    fs::write(
        dir.join("mixed.yaml"),
        format!("{good}---\nkind: [unclosed\n---\n{bad_image}"),
    )
    .unwrap();
    let results = common::scan_json(&[common::path_str(&dir.join("mixed.yaml"))]);
    let result = &results[0];
    assert_eq!(result["state"], "incomplete");
    let titles: Vec<&str> = common::strings_at(&result["problems"], "title");
    assert_eq!(
        titles,
        ["Document does not parse", "Invalid image reference"]
    );
    assert!(result["problems"][1]["detail"]
        .as_str()
        .unwrap()
        .contains("Nginx:Latest"));
    assert_eq!(result["images"].as_array().unwrap().len(), 1);
    assert_eq!(result["components"].as_array().unwrap().len(), 2);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn timestamps_come_from_source_date_epoch_and_missing_inputs_are_corrupt() {
    let (code, stdout, _) =
        common::pkglens(&["scan", "testdata/scan/kube-web/db.yml", "no/such/input.tgz"]);
    // A missing input path exits 2, after every result is printed.
    assert_eq!(code, 2);
    let results: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results[0]["package"]["created_on"], "2023-11-14T22:13:20Z");
    assert_eq!(results[1]["state"], "corrupt");
    assert_eq!(results[1]["source"]["format"], "tgz");
    assert_eq!(results[1]["problems"][0]["title"], "Input cannot be read");
    assert_eq!(
        results[1]["problems"][0]["instance"],
        "file:no/such/input.tgz"
    );
}

#[test]
fn entry_picks_one_package_root_and_a_missing_one_is_a_problem() {
    let results = common::scan_json(&["--entry", "./chart-hello/", "testdata/scan"]);
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["source"]["entry"], "chart-hello");
    assert_eq!(results[0]["package"]["title"], "hello");
    let missing = common::scan_json(&["--entry", "nope", "testdata/scan"]);
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["state"], "corrupt");
    assert_eq!(missing[0]["problems"][0]["title"], "No package found");
}

#[test]
fn symlinks_in_folders_are_followed_inside_and_refused_outside() {
    let outside = common::scratch_dir("symlink-target");
    fs::write(outside.join("secret.yaml"), "kind: Secret\n").unwrap();
    let dir = common::scratch_dir("symlinks");
    fs::write(
        dir.join("real.yaml"),
        archives::deployment("web", "nginx:1.27"),
    )
    .unwrap();
    std::os::unix::fs::symlink("real.yaml", dir.join("alias.yaml")).unwrap();
    let inside = common::scan_json(&[common::path_str(&dir)]);
    assert_eq!(inside[0]["state"], "available");
    let files: Vec<&str> = common::strings_at(&inside[0]["files"], "path");
    assert_eq!(files, ["alias.yaml", "real.yaml"]);
    std::os::unix::fs::symlink(outside.join("secret.yaml"), dir.join("leak.yaml")).unwrap();
    // In a walked folder the link is refused on its own; the packages beside it stay whole.
    let leaking = common::scan_json(&[common::path_str(&dir)]);
    assert_eq!(leaking.len(), 2, "{leaking:#?}");
    assert_eq!(leaking[0]["state"], "available");
    assert!(leaking[1]["source"]["path"]
        .as_str()
        .unwrap()
        .ends_with("leak.yaml"));
    assert_eq!(leaking[1]["state"], "corrupt");
    assert_eq!(leaking[1]["problems"][0]["title"], "Unsafe archive entry");
    // A chart folder is read whole, as helm reads it: the link makes the chart corrupt.
    fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    let chart = common::scan_json(&[common::path_str(&dir)]);
    assert_eq!(chart.len(), 1);
    assert_eq!(chart[0]["state"], "corrupt");
    assert_eq!(chart[0]["problems"][0]["title"], "Unsafe archive entry");
    fs::remove_dir_all(dir).unwrap();
    fs::remove_dir_all(outside).unwrap();
}

/// A link in a folder that leads round in a loop (to a folder holding it, which a walk
/// following links enters without end, as helm's does; or to links that lead back) is said,
/// as a link leaving the folder is, where before it was dropped without a word.
#[test]
fn link_loops_in_folders_are_refused() {
    let dir = common::scratch_dir("folder-loops");
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(
        dir.join("real.yaml"),
        archives::deployment("web", "nginx:1.27"),
    )
    .unwrap();
    std::os::unix::fs::symlink(".", dir.join("sub/self")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("b.yaml", dir.join("a.yaml")).unwrap();
    std::os::unix::fs::symlink("a.yaml", dir.join("b.yaml")).unwrap();
    // A link to a folder that does not hold it is no loop.
    std::os::unix::fs::symlink("sub", dir.join("aside")).unwrap();
    let results = common::scan_json(&[common::path_str(&dir)]);
    let refused: Vec<(&str, &str)> = results[1..]
        .iter()
        .map(|r| {
            let path = r["source"]["path"].as_str().unwrap();
            let shown = path.strip_prefix(common::path_str(&dir)).unwrap();
            (shown, r["problems"][0]["detail"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        refused,
        [
            (
                "/a.yaml",
                r#"link "a.yaml" leads round in a loop, through "b.yaml""#
            ),
            (
                "/b.yaml",
                r#"link "b.yaml" leads round in a loop, through "a.yaml""#
            ),
            (
                "/sub/self",
                r#"link "sub/self" leads round in a loop, through ".""#
            ),
            (
                "/sub/up",
                r#"link "sub/up" leads round in a loop, through "..""#
            ),
        ]
    );
    assert_eq!(results[0]["state"], "available");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_deployment_without_a_name_is_a_problem_not_a_nameless_component() {
    let dir = common::scratch_dir("nameless");
    let nameless = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: nginx\n";
    fs::write(dir.join("d.yaml"), nameless).unwrap();
    let results = common::scan_json(&[common::path_str(&dir.join("d.yaml"))]);
    assert_eq!(results[0]["state"], "incomplete");
    assert_eq!(results[0]["components"], Value::Array(vec![]));
    assert_eq!(results[0]["images"][0]["reference"], "nginx");
    fs::remove_dir_all(dir).unwrap();
}

/// `now`, the random functions and the records' timestamps all read SOURCE_DATE_EPOCH, so a
/// value that is not whole seconds stops scan, render and build before any work, where it
/// would otherwise read as unset and make the output silently unreproducible.
#[test]
fn an_invalid_source_date_epoch_is_refused_by_every_command_that_renders() {
    for args in [
        &["scan", "testdata/scan/kube-web/db.yml"][..],
        &["render", "testdata/scan/chart-hello"][..],
        &["build", "testdata/kustomize/build-metadata/overlay"][..],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_pkglens"))
            .args(args)
            .current_dir(common::repo_root())
            .env("SOURCE_DATE_EPOCH", "2023-11-14")
            .output()
            .expect("pkglens runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(output.stdout.is_empty(), "{args:?} printed output");
        assert!(
            stderr.contains(r#"SOURCE_DATE_EPOCH="2023-11-14" is not a number of seconds"#),
            "{args:?}: {stderr}"
        );
    }
}

/// What `kustomize build DIR` builds is what a scan of DIR finds: an overlay folder holding
/// nothing but its kustomization (its resources above it), and a Component given alone.
/// Expected images are kubectl kustomize v5.6.0's for these folders.
#[test]
fn a_kustomization_folder_scans_as_kustomize_builds_it() {
    for (folder, image) in [
        ("dev", "registry.example.com/web:1.1"),
        ("sidecar", "registry.example.com/migrate:3"),
    ] {
        let path = format!("testdata/scan-kustomize/layered/{folder}");
        let results = common::scan_json(&[&path]);
        assert_eq!(results.len(), 1, "{results:#?}");
        let result = &results[0];
        assert_eq!(result["system"], "kustomize", "{result:#}");
        assert_eq!(result["state"], "available", "{result:#}");
        assert_eq!(common::strings_at(&result["images"], "reference"), [image]);
    }
}
