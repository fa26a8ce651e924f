//! Candidate images end to end: testdata/scan-candidates/operator is a chart whose operator
//! names the images it deploys in flags, env values, a custom resource and a ConfigMap, with a
//! Helm test and Bitnami's `images` annotation. What helm v4.1.4 renders for it (`helm template
//! release operator`) holds exactly the images asserted here.

mod common;

use serde_json::Value;

const CHART: &str = "testdata/scan-candidates/operator";

fn scan() -> Value {
    let mut results = common::scan_json(&[CHART]);
    assert_eq!(results.len(), 1);
    results.remove(0)
}

#[test]
fn candidates_with_where_they_were_found() {
    let result = scan();
    let images: Vec<&str> = common::strings_at(&result["images"], "reference");
    assert_eq!(
        images,
        ["registry.example.com/acme/operator:2.1.0", "busybox:1.36"]
    );
    let found: Vec<String> = result["candidate_images"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["found_in"].as_array().unwrap().iter().map(move |f| {
                format!(
                    "{} <- {} {} {} {} {} ({})",
                    c["reference"].as_str().unwrap(),
                    f["kind"].as_str().unwrap(),
                    f["name"].as_str().unwrap(),
                    f["namespace"].as_str().unwrap_or("-"),
                    f["source"].as_str().unwrap(),
                    f["path"].as_str().unwrap(),
                    f["reason"].as_str().unwrap(),
                )
            })
        })
        .collect();
    let containers = "spec.template.spec.containers[0]";
    assert_eq!(
        found,
        [
            "registry.example.com/acme/postgres:16.4 <- ConfigMap release-defaults - operator/templates/configmap.yaml data.backup-image (configmap)".to_string(),
            format!("registry.example.com/acme/postgres:16.4 <- Deployment release-operator - operator/templates/deployment.yaml {containers}.env[0].value (env)"),
            format!("quay.io/acme/solver:2.1.0 <- Deployment release-operator - operator/templates/deployment.yaml {containers}.args[1] (argument)"),
            format!("ghcr.io/acme/agent:2.1.0 <- Deployment release-operator - operator/templates/deployment.yaml {containers}.args[3] (argument)"),
            "registry.example.com/acme/server:2.1.0 <- Server release-server default operator/templates/server.yaml spec.image (image-map)".to_string(),
            "registry.example.com/acme/exporter:0.9 <- Server release-server default operator/templates/server.yaml spec.exporter.image (image-field)".to_string(),
        ]
    );
    let server = &result["candidate_images"][3];
    assert_eq!(server["registry"], "registry.example.com");
    assert_eq!(server["repository"], "acme/server");
    assert_eq!(server["tag"], "2.1.0");
    assert_eq!(server["digest"], Value::Null);
}

#[test]
fn bitnami_images_annotation_is_declared_and_drift_leaves_tests_out() {
    let result = scan();
    assert_eq!(
        result["declared_images"],
        serde_json::json!([
            "registry.example.com/acme/operator:2.1.0",
            "registry.example.com/acme/server:2.1.0",
            "docker.io/bitnami/os-shell:12-debian-12-r51"
        ])
    );
    assert_eq!(result["state"], "available");
    let problems = result["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        problems[0]["type"],
        "urn:pkglens:problem:image-annotation-drift"
    );
    assert_eq!(
        problems[0]["detail"],
        r#"declared but not rendered: ["docker.io/bitnami/os-shell:12-debian-12-r51"]; rendered but not declared: ["ghcr.io/acme/agent:2.1.0", "quay.io/acme/solver:2.1.0", "registry.example.com/acme/exporter:0.9", "registry.example.com/acme/postgres:16.4"]"#
    );
}

fn images_format(extra: &[&str]) -> String {
    let mut args = vec!["scan", "--format", "images"];
    args.extend_from_slice(extra);
    args.push(CHART);
    let (code, stdout, stderr) = common::pkglens(&args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn images_format_lists_what_a_mirror_needs() {
    let needed = "ghcr.io/acme/agent:2.1.0\n\
                  quay.io/acme/solver:2.1.0\n\
                  registry.example.com/acme/exporter:0.9\n\
                  registry.example.com/acme/operator:2.1.0\n\
                  registry.example.com/acme/postgres:16.4\n\
                  registry.example.com/acme/server:2.1.0\n";
    assert_eq!(images_format(&[]), needed);
    assert_eq!(
        images_format(&["--include-tests"]),
        format!("busybox:1.36\n{needed}")
    );
    assert_eq!(
        images_format(&["--no-candidates"]),
        "registry.example.com/acme/operator:2.1.0\n"
    );
    assert_eq!(
        images_format(&["--no-candidates", "--include-tests"]),
        "busybox:1.36\nregistry.example.com/acme/operator:2.1.0\n"
    );
}

#[test]
fn table_lists_each_image_under_its_package() {
    let (code, stdout, stderr) = common::pkglens(&["scan", "--format", "table", CHART]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("STATE"), "{stdout}");
    assert!(lines[1].starts_with("available  helm"), "{stdout}");
    assert_eq!(
        lines[2..9],
        [
            "  busybox:1.36 (test)",
            "  registry.example.com/acme/operator:2.1.0",
            "  ghcr.io/acme/agent:2.1.0 (candidate)",
            "  quay.io/acme/solver:2.1.0 (candidate)",
            "  registry.example.com/acme/exporter:0.9 (candidate)",
            "  registry.example.com/acme/postgres:16.4 (candidate)",
            "  registry.example.com/acme/server:2.1.0 (candidate)",
        ]
    );
}
