//! Every record the binary prints for the testdata inputs validates against the project's
//! schema copy in schema/, output is deterministic, and `pkglens schema` prints those copies.

mod common;

use common::{load_schema, validate_all, SCHEMAS};
use serde_json::Value;
use std::fs;

const TESTDATA_INPUTS: [&str; 5] = [
    "testdata/scan",
    "testdata/scan-candidates/operator",
    "testdata/scan-kustomize/hello",
    "testdata/scan/kube-web/deployment.yaml",
    "testdata/scan/kube-web/agents.json",
];

#[test]
fn testdata_results_validate_against_the_schemas() {
    let results = common::scan_json(&TESTDATA_INPUTS);
    // chart + plain manifests in testdata/scan, the chart with candidate images, the
    // kustomization, two single files.
    assert_eq!(results.len(), 6, "{results:#?}");
    assert!(results.iter().any(|r| r["candidate_images"].is_array()));
    validate_all("ScanResult", &results);
    let packages: Vec<Value> = results.iter().map(|r| r["package"].clone()).collect();
    validate_all("Package", &packages);
    let components: Vec<Value> = results
        .iter()
        .flat_map(|r| r["components"].as_array().unwrap().clone())
        .collect();
    assert!(!components.is_empty());
    validate_all("PackageComponent", &components);
    let problems: Vec<Value> = results
        .iter()
        .flat_map(|r| r["problems"].as_array().unwrap().clone())
        .collect();
    validate_all("ErrorModel", &problems);
}

#[test]
fn validation_catches_a_broken_record() {
    let mut results = common::scan_json(&["testdata/scan/kube-web/deployment.yaml"]);
    results[0]["package"]["unexpected"] = Value::Bool(true);
    let outcome = std::panic::catch_unwind(|| validate_all("ScanResult", &results));
    assert!(
        outcome.is_err(),
        "additionalProperties: false must reject it"
    );
}

#[test]
fn output_is_deterministic_and_ndjson_matches_json() {
    let (_, first, _) = common::pkglens(&["scan", "testdata/scan", "-j", "2"]);
    let (_, second, _) = common::pkglens(&["scan", "testdata/scan", "-j", "1"]);
    assert_eq!(first, second);
    let (_, ndjson, _) = common::pkglens(&["scan", "--format", "ndjson", "testdata/scan"]);
    let lines: Vec<Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array: Vec<Value> = serde_json::from_str(&first).unwrap();
    assert_eq!(lines, array);
}

#[test]
fn schema_command_prints_the_project_copies() {
    for name in SCHEMAS.iter().copied().chain(["astra/Package"]) {
        let (code, stdout, _) = common::pkglens(&["schema", name]);
        assert_eq!(code, 0, "{name}");
        let expected =
            fs::read_to_string(common::repo_root().join(format!("schema/{name}.json"))).unwrap();
        assert_eq!(stdout.trim_end(), expected.trim_end(), "{name}");
    }
    let (code, _, stderr) = common::pkglens(&["schema", "NoSuchSchema"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown schema"));
}

#[test]
fn astra_output_validates_against_the_astra_schema() {
    let mut args = vec!["scan", "--format", "astra"];
    args.extend_from_slice(&TESTDATA_INPUTS);
    args.push("no/such/chart.tgz");
    let (code, stdout, stderr) = common::pkglens(&args);
    // The missing input exits 2, and still gets its (corrupt) package.
    assert_eq!(code, 2, "{stderr}");
    let packages: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(packages.len(), 7);
    let schema = load_schema("astra/Package");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("astra schema compiles");
    for package in &packages {
        let errors: Vec<String> = validator
            .iter_errors(package)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{package:#}");
    }
    let chart = packages
        .iter()
        .find(|p| p["packageName"] == "hello" && p["packageVersion"] == "0.1.0")
        .expect("the chart");
    assert_eq!(chart["packageState"], "available");
    let pinned = packages
        .iter()
        .flat_map(|p| p["images"].as_array().unwrap())
        .find(|i| i["imageName"] == "busybox")
        .expect("the pinned busybox image");
    assert_eq!(pinned["imagePath"], "/library");
    assert_eq!(pinned["imageTag"], "1.36");
}
