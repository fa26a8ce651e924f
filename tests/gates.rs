//! CI gates: exit codes, `--fail-on` rules with their one-line failures on stderr, and
//! `--format sarif`; every ScanResult printed validates against the schema copies.

mod common;

use common::{pkglens, validate_all};
use serde_json::{json, Value};

const SHOP: &str = "testdata/gates/shop";
const DEPLOYMENT: &str = "testdata/gates/shop/templates/deployment.yaml";
const WORKER: &str = "testdata/gates/shop/templates/worker.yaml";
const API: &str =
    "ghcr.io/acme/api:1.2@sha256:1111111111111111111111111111111111111111111111111111111111111111";
const MIGRATE: &str =
    "ghcr.io/acme/migrate@sha256:2222222222222222222222222222222222222222222222222222222222222222";

/// Runs `pkglens scan ARGS...`; returns (exit code, the ScanResults, the gate failure lines).
fn scan(args: &[&str]) -> (i32, Vec<Value>, Vec<String>) {
    let mut full = vec!["scan"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = pkglens(&full);
    let results: Vec<Value> = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON array ({e}), exit {code}: {stderr}\n{stdout}"));
    validate_all("ScanResult", &results);
    let failures = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("pkglens: gate failed: "))
        .map(str::to_string)
        .collect();
    (code, results, failures)
}

fn line(rule: &str, image: &str, file: &str, message: &str) -> String {
    format!("shop: {rule}: {image} in {file}: {message}")
}

#[test]
fn a_missing_input_exits_2_and_every_other_result_is_still_printed() {
    let (code, results, _) = scan(&["testdata/gates/no-such-chart", SHOP]);
    assert_eq!(code, 2);
    assert_eq!(results.len(), 2, "{results:#?}");
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(
        results[0]["problems"][0]["type"],
        "urn:pkglens:problem:input-unreadable"
    );
    assert_eq!(results[1]["package"]["title"], "shop");
    assert_eq!(results[1]["state"], "available");
    // A gate failing as well does not hide the unreadable input.
    let (code, results, _) = scan(&["--fail-on", "latest", SHOP, "testdata/gates/nope.tgz"]);
    assert_eq!((code, results.len()), (2, 2));
}

#[test]
fn without_a_gate_problems_and_risky_images_exit_0() {
    let (code, _, failures) = scan(&[SHOP, "testdata/scan-candidates/operator"]);
    assert_eq!(code, 0);
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn problems_include_advisories_and_advisories_is_a_gate_of_its_own() {
    // The operator chart renders in full (`available`) but its declared images drift.
    let operator = "testdata/scan-candidates/operator";
    for gate in ["problems", "advisories"] {
        let (code, results, failures) = scan(&["--fail-on", gate, operator]);
        assert_eq!(results[0]["state"], "available");
        assert_eq!(code, 1, "{gate}");
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].starts_with(&format!(
                "operator: {gate}: - in testdata/scan-candidates/operator: Declared images \
                 differ from rendered ones: declared but not rendered"
            )),
            "{failures:?}"
        );
    }
    let (code, _, failures) = scan(&["--fail-on", "problems,advisories", SHOP]);
    assert_eq!((code, failures.len()), (0, 0), "{failures:?}");
    // An incomplete package fails `problems` but is no advisory.
    let (code, _, _) = scan(&["--fail-on", "advisories", "testdata/scan/kube-web"]);
    assert_eq!(code, 0);
}

#[test]
fn latest_fails_on_the_latest_tag_and_on_no_tag_without_a_digest() {
    let (code, _, failures) = scan(&["--fail-on", "latest", SHOP]);
    assert_eq!(code, 1);
    let no_tag = "image nginx has neither tag nor digest (it means :latest)";
    assert_eq!(
        failures,
        [
            line("latest", "nginx", DEPLOYMENT, no_tag),
            line("latest", "nginx", WORKER, no_tag),
            line(
                "latest",
                "registry.example.com/acme/worker:latest",
                WORKER,
                "image registry.example.com/acme/worker:latest uses the latest tag"
            ),
        ]
    );
}

#[test]
fn unpinned_takes_candidates_when_asked_and_lists_combine() {
    let unpinned = |image: &str, file: &str| {
        line(
            "unpinned",
            image,
            file,
            &format!("image {image} is not pinned by a digest"),
        )
    };
    let (code, _, failures) = scan(&["--fail-on", "unpinned", SHOP]);
    assert_eq!(code, 1);
    let worker = "registry.example.com/acme/worker:latest";
    let expected = vec![
        unpinned("nginx", DEPLOYMENT),
        unpinned("nginx", WORKER),
        unpinned(worker, WORKER),
    ];
    assert_eq!(failures, expected);
    // Comma list and repeated flag mean the same; candidates adds the flag-named sidecar.
    let (code, _, with_candidates) = scan(&[
        "--fail-on",
        "unpinned,candidates",
        "--fail-on",
        "latest",
        SHOP,
    ]);
    assert_eq!(code, 1);
    assert_eq!(with_candidates.len(), 7, "{with_candidates:?}");
    assert!(with_candidates.contains(&unpinned("quay.io/acme/sidecar:2.0", DEPLOYMENT)));
    assert!(!with_candidates
        .iter()
        .any(|l| l.contains(API) || l.contains(MIGRATE)));
}

#[test]
fn registry_gate_normalises_docker_hub_and_takes_path_prefixes() {
    let outside = |image: &str, file: &str, place: &str| {
        line(
            "registry",
            image,
            file,
            &format!("image {image} comes from {place}, outside the allowed registries"),
        )
    };
    let (code, _, failures) = scan(&[
        "--fail-on",
        "registry",
        "--allowed-registries",
        "ghcr.io/acme,registry.example.com",
        SHOP,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        failures,
        [
            outside("nginx", DEPLOYMENT, "docker.io/library/nginx"),
            outside("nginx", WORKER, "docker.io/library/nginx"),
        ]
    );
    // `nginx` is Docker Hub's, under any spelling of it; a prefix is a whole path component.
    let (code, _, failures) = scan(&[
        "--fail-on",
        "registry",
        "--allowed-registries",
        "index.docker.io/nginx",
        "--allowed-registries",
        "ghcr.io/acme/ap,registry.example.com",
        SHOP,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        failures,
        [
            outside(API, DEPLOYMENT, "ghcr.io/acme/api"),
            outside(MIGRATE, DEPLOYMENT, "ghcr.io/acme/migrate"),
        ]
    );
    let (code, _, failures) = scan(&[
        "--fail-on=registry,candidates",
        "--allowed-registries=docker.io,ghcr.io,registry.example.com,quay.io/acme",
        SHOP,
    ]);
    assert_eq!((code, failures.len()), (0, 0), "{failures:?}");
}

#[test]
fn an_archive_failure_names_the_archive_and_the_file_inside() {
    let dir = common::scratch_dir("gates-archive");
    let chart = std::fs::read(common::repo_root().join(SHOP).join("Chart.yaml")).unwrap();
    let values = b"image: nginx:latest\n";
    let template = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: {{ .Values.image }}\n";
    let archive = dir.join("shop-1.0.0.tgz");
    std::fs::write(
        &archive,
        common::archives::tgz(&[
            common::archives::TarEntry::file("shop/Chart.yaml", &chart),
            common::archives::TarEntry::file("shop/values.yaml", values),
            common::archives::TarEntry::file("shop/templates/pod.yaml", template),
        ]),
    )
    .unwrap();
    let path = common::path_str(&archive);
    let (code, _, failures) = scan(&["--fail-on", "latest", path]);
    assert_eq!(code, 1);
    assert_eq!(
        failures,
        [format!(
            "shop: latest: nginx:latest in {path} (shop/templates/pod.yaml): image nginx:latest \
             uses the latest tag"
        )]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn gate_usage_errors_exit_2() {
    for args in [
        &["scan", "--fail-on", "nope", SHOP][..],
        &["scan", "--fail-on", "registry", SHOP],
        &["scan", "--allowed-registries", "docker.io", SHOP],
        &[
            "scan",
            "--fail-on",
            "registry",
            "--allowed-registries",
            "nginx",
            SHOP,
        ],
    ] {
        let (code, stdout, stderr) = pkglens(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        assert!(!stderr.is_empty(), "{args:?}");
    }
}

/// The essential shape of a SARIF 2.1.0 log, as code hosts read it (a subset of the OASIS
/// schema: what GitHub's and GitLab's importers require).
fn sarif_schema() -> Value {
    let location = json!({
        "type": "object", "required": ["physicalLocation"],
        "properties": { "physicalLocation": {
            "type": "object", "required": ["artifactLocation"],
            "properties": { "artifactLocation": {
                "type": "object", "required": ["uri"],
                "properties": { "uri": { "type": "string", "format": "uri-reference" } }
            }}
        }}
    });
    let result = json!({
        "type": "object",
        "required": ["ruleId", "message", "locations"],
        "properties": {
            "ruleId": { "type": "string" },
            "ruleIndex": { "type": "integer", "minimum": 0 },
            "level": { "enum": ["none", "note", "warning", "error"] },
            "message": {
                "type": "object", "required": ["text"],
                "properties": { "text": { "type": "string", "minLength": 1 } }
            },
            "locations": { "type": "array", "minItems": 1, "items": location }
        }
    });
    let rule = json!({
        "type": "object", "required": ["id"],
        "properties": {
            "id": { "type": "string" },
            "shortDescription": { "type": "object", "required": ["text"] }
        }
    });
    let driver = json!({
        "type": "object", "required": ["name"],
        "properties": {
            "name": { "type": "string", "minLength": 1 },
            "version": { "type": "string" },
            "rules": { "type": "array", "items": rule }
        }
    });
    let run = json!({
        "type": "object",
        "required": ["tool", "results"],
        "properties": {
            "tool": {
                "type": "object", "required": ["driver"],
                "properties": { "driver": driver }
            },
            "results": { "type": "array", "items": result }
        }
    });
    json!({
        "type": "object",
        "required": ["version", "$schema", "runs"],
        "properties": {
            "version": { "const": "2.1.0" },
            "$schema": { "type": "string", "format": "uri" },
            "runs": { "type": "array", "minItems": 1, "items": run }
        }
    })
}

fn sarif(args: &[&str]) -> (i32, Value) {
    let mut full = vec!["scan", "--format", "sarif"];
    full.extend_from_slice(args);
    let (code, stdout, stderr) = pkglens(&full);
    let log: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no SARIF ({e}), exit {code}: {stderr}\n{stdout}"));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the SARIF subset compiles");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
    (code, log)
}

#[test]
fn sarif_has_one_result_per_failure_located_at_the_template() {
    let (code, log) = sarif(&["--fail-on", "latest,unpinned", SHOP]);
    assert_eq!(code, 1);
    let run = &log["runs"][0];
    let rules: Vec<&str> = common::strings_at(&run["tool"]["driver"]["rules"], "id");
    assert_eq!(rules, ["unpinned", "latest"]);
    let results = run["results"].as_array().unwrap();
    let located: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index], r["ruleId"]);
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            // Repository-relative: the file is there, under the working directory.
            assert!(common::repo_root().join(uri).is_file(), "{uri}");
            (r["ruleId"].as_str().unwrap(), uri)
        })
        .collect();
    assert_eq!(
        located,
        [
            ("unpinned", DEPLOYMENT),
            ("unpinned", WORKER),
            ("latest", DEPLOYMENT),
            ("latest", WORKER),
            ("unpinned", WORKER),
            ("latest", WORKER),
        ]
    );
    assert_eq!(
        results[2]["message"]["text"],
        line(
            "latest",
            "nginx",
            DEPLOYMENT,
            "image nginx has neither tag nor digest (it means :latest)"
        )
    );
}

#[test]
fn sarif_without_a_gate_reports_the_problems_and_exits_0() {
    let (code, log) = sarif(&["testdata/scan-candidates/operator", SHOP]);
    assert_eq!(code, 0);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{log:#}");
    assert_eq!(results[0]["ruleId"], "problems");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/scan-candidates/operator"
    );
    let (code, log) = sarif(&["testdata/gates/absent"]);
    assert_eq!(code, 2);
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "problems");
}
