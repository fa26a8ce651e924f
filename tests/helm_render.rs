//! `pkglens render` on the charts of testdata/charts (written for pkglens) against what helm
//! v4.1.4 printed for them: `expected/NAME.args` holds the arguments (one a line), `NAME.out`
//! helm's stdout, `NAME.rc` its exit status, `NAME.err` helm's stderr (the lines helm logs, as
//! a deprecated chart's warning, then for a failure its `Error: ` text). Output must be
//! byte-identical; a helm failure must be a pkglens failure with the same stderr.

mod common;

use common::archives::{self, TarEntry};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn testdata_charts_render_as_helm_does() {
    let dir = common::repo_root().join("testdata/charts");
    let mut cases: Vec<_> = std::fs::read_dir(dir.join("expected"))
        .expect("expected/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "args"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "the cases are missing");
    let mut failures = Vec::new();
    for args_path in cases {
        let name = args_path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let args: Vec<String> = std::fs::read_to_string(&args_path)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let want_rc: i32 = std::fs::read_to_string(args_path.with_extension("rc"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let want_out = std::fs::read_to_string(args_path.with_extension("out")).unwrap();
        let want_err = std::fs::read_to_string(args_path.with_extension("err")).ok();
        let output = Command::new(env!("CARGO_BIN_EXE_pkglens"))
            .arg("render")
            .args(&args)
            .current_dir(&dir)
            .output()
            .expect("pkglens runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let same_err = want_err.as_deref().is_none_or(|err| stderr == err);
        let ok = if want_rc == 0 {
            output.status.success() && stdout == want_out && same_err
        } else {
            !output.status.success() && same_err
        };
        if !ok {
            failures.push(format!(
                "{name}: rc {:?} (helm {want_rc})\n--- got\n{stdout}\n--- stderr\n{stderr}",
                output.status.code(),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The images of one ScanResult as (reference, [(kind, name, container, type, source, hook)]).
fn images_with_users(result: &Value) -> Vec<(String, Vec<[String; 6]>)> {
    let text = |v: &Value| v.as_str().unwrap_or("null").to_string();
    result["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|image| {
            let users = image["used_by"]
                .as_array()
                .expect("used_by")
                .iter()
                .map(|u| {
                    [
                        "kind",
                        "name",
                        "container",
                        "container_type",
                        "source",
                        "hook",
                    ]
                    .map(|key| text(&u[key]))
                })
                .collect();
            (text(&image["reference"]), users)
        })
        .collect()
}

fn problem_kinds(result: &Value) -> Vec<String> {
    result["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["type"].as_str().unwrap().to_string())
        .collect()
}

/// Every image names the template that produced it and its hook, in render order (helm prints
/// hooks after the other objects: `expected/hooked-default.out`); hooks and tests are no
/// components; Chart.yaml's declared images are kept and their drift is advisory.
#[test]
fn scan_names_the_template_and_hook_behind_each_image() {
    let results = common::scan_json(&["testdata/charts/hooked"]);
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["state"], "available");
    let user = |kind: &str, name: &str, container: &str, ty: &str, file: &str, hook: &str| {
        [kind, name, container, ty, file, hook].map(str::to_string)
    };
    let deployment = "hooked/templates/deployment.yaml";
    assert_eq!(
        images_with_users(result),
        [
            (
                "registry.example.com/app:3.4".to_string(),
                vec![
                    user(
                        "Deployment",
                        "release-app",
                        "app",
                        "container",
                        deployment,
                        "null"
                    ),
                    user(
                        "Pod",
                        "release-test",
                        "probe",
                        "container",
                        "hooked/templates/tests/test-connection.yaml",
                        "test"
                    ),
                ]
            ),
            (
                "busybox:1.36".to_string(),
                vec![
                    user(
                        "Deployment",
                        "release-app",
                        "wait",
                        "init",
                        deployment,
                        "null"
                    ),
                    user(
                        "CronJob",
                        "release-cleanup",
                        "cleanup",
                        "container",
                        "hooked/templates/cleanup.yaml",
                        "null"
                    ),
                ]
            ),
            (
                "registry.example.com/migrate:3.4".to_string(),
                vec![user(
                    "Job",
                    "release-migrate",
                    "migrate",
                    "container",
                    "hooked/templates/migrate-job.yaml",
                    "pre-install,pre-upgrade"
                )]
            ),
        ]
    );
    let components = result["components"].as_array().unwrap();
    assert_eq!(components.len(), 1, "{components:#?}");
    assert_eq!(components[0]["kind"], "Deployment");
    assert_eq!(components[0]["source"], deployment);
    assert_eq!(
        result["declared_images"],
        serde_json::json!([
            "registry.example.com/app:3.4",
            "registry.example.com/migrate:3.4",
            "registry.example.com/retired:1.0"
        ])
    );
    assert_eq!(
        problem_kinds(result),
        ["urn:pkglens:problem:image-annotation-drift"]
    );
    let detail = result["problems"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("\"registry.example.com/retired:1.0\"")
            && detail.contains("\"busybox:1.36\""),
        "{detail}"
    );
}

/// A chart folder's `.helmignore` applies as for `helm template DIR`
/// (`expected/ignoring-default.out`), also when the folder comes in a zip (helm cannot read
/// zips: it would render the unpacked folder); packed with plain tar (not `helm package`) the
/// same files are a chart archive, where helm applies no rules, so its broken hidden template
/// fails the render with helm's message.
#[test]
fn scan_applies_helmignore_to_chart_folders_only() {
    let results = common::scan_json(&["testdata/charts/ignoring"]);
    assert_eq!(results[0]["state"], "available", "{:#?}", results[0]);
    let images: Vec<_> = images_with_users(&results[0])
        .into_iter()
        .map(|(reference, _)| reference)
        .collect();
    assert_eq!(images, ["registry.example.com/app:2.1"]);
    assert_eq!(problem_kinds(&results[0]), Vec::<String>::new());

    let dir = common::scratch_dir("ignoring-tgz");
    let archive = packed_chart("ignoring", &dir);
    let zipped = dir.join("ignoring.zip");
    let files = chart_files("ignoring");
    let zip_entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, data)| (path.as_str(), data.as_slice()))
        .collect();
    std::fs::write(&zipped, archives::zip(&zip_entries)).unwrap();
    let results = common::scan_json(&[common::path_str(&zipped)]);
    assert_eq!(results[0]["state"], "available", "{:#?}", results[0]);
    assert_eq!(results[0]["images"].as_array().unwrap().len(), 1);
    let results = common::scan_json(&[common::path_str(&archive)]);
    assert_eq!(results[0]["state"], "incomplete");
    assert_eq!(
        problem_kinds(&results[0]),
        ["urn:pkglens:problem:render-failed"]
    );
    assert_eq!(
        results[0]["problems"][0]["detail"],
        "Error: parse error at (ignoring/templates/.hidden.yaml:1): missing value for if\n\nUse --debug flag to render out invalid YAML"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The files of a chart folder of testdata/charts, named `NAME/...` as in an archive.
fn chart_files(name: &str) -> Vec<(String, Vec<u8>)> {
    let chart_dir = common::repo_root().join("testdata/charts").join(name);
    walk(&chart_dir)
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&chart_dir).unwrap().to_str().unwrap();
            (format!("{name}/{relative}"), std::fs::read(&path).unwrap())
        })
        .collect()
}

/// A chart folder of testdata/charts packed with plain tar (not `helm package`) as `NAME.tgz`.
fn packed_chart(name: &str, into: &Path) -> PathBuf {
    let files = chart_files(name);
    let entries: Vec<TarEntry> = files
        .iter()
        .map(|(path, data)| TarEntry::file(path, data))
        .collect();
    let archive = into.join(format!("{name}.tgz"));
    std::fs::write(&archive, archives::tgz(&entries)).unwrap();
    archive
}

/// `pkglens render` of chart archives: helm v4.1.4 printed the same as for the folders, but
/// for umbrella, whose `.helmignore` helm does not apply to an archive (files/old.bak shows).
#[test]
fn chart_archives_render_as_helm_renders_them() {
    let dir = common::scratch_dir("render-archives");
    let expected = |name: &str| {
        let path = common::repo_root().join(format!("testdata/charts/expected/{name}.out"));
        std::fs::read_to_string(path).unwrap()
    };
    let cases = [
        ("hooked", vec![], expected("hooked-default")),
        ("valued", vec![], expected("valued-default")),
        (
            "umbrella",
            vec!["--namespace", "apps"],
            expected("umbrella-default").replace(
                "files: \"files/app.properties files/extra.yaml \"",
                "files: \"files/app.properties files/extra.yaml files/old.bak \"",
            ),
        ),
    ];
    for (name, flags, want) in cases {
        let archive = packed_chart(name, &dir);
        let mut args = vec!["render", "rel", common::path_str(&archive)];
        args.extend(flags);
        let (code, stdout, stderr) = common::pkglens(&args);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(stdout, want, "{name}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// A chart archive `name-0.1.0.tgz` with one Deployment and, in `charts/`, the archives given.
fn chart_archive(name: &str, subcharts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let chart_yaml = format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
    let deployment = archives::deployment(name, &format!("{name}:1.0"));
    let mut files = vec![
        (format!("{name}/Chart.yaml"), chart_yaml.into_bytes()),
        (
            format!("{name}/templates/deployment.yaml"),
            deployment.into_bytes(),
        ),
    ];
    for (file, data) in subcharts {
        files.push((format!("{name}/charts/{file}"), data.clone()));
    }
    let entries: Vec<TarEntry> = files
        .iter()
        .map(|(path, data)| TarEntry::file(path, data))
        .collect();
    archives::tgz(&entries)
}

/// A chart folder whose subchart archives nest `levels` deep: level1 holds level2 ...
fn nested_chart_folder(name: &str, levels: usize) -> PathBuf {
    let mut inner: Vec<(String, Vec<u8>)> = Vec::new();
    for level in (1..=levels).rev() {
        let sub = format!("level{level}");
        inner = vec![(format!("{sub}-0.1.0.tgz"), chart_archive(&sub, &inner))];
    }
    let dir = common::scratch_dir(name);
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: top\nversion: 0.1.0\n",
    )
    .unwrap();
    for (file, data) in inner {
        std::fs::write(dir.join("charts").join(file), data).unwrap();
    }
    dir
}

/// Subchart archives inside subchart archives render to any depth the limits allow (order and
/// Source paths as helm v4.1.4 prints them for the same chart), and deeper nesting is a
/// limit-exceeded problem, not unbounded work.
#[test]
fn nested_subchart_archives_are_bounded_by_the_nesting_limit() {
    let dir = nested_chart_folder("nested-charts", 3);
    let results = common::scan_json(&[common::path_str(&dir)]);
    assert_eq!(results[0]["state"], "available", "{:#?}", results[0]);
    let sources: Vec<_> = images_with_users(&results[0])
        .into_iter()
        .map(|(reference, users)| (reference, users[0][4].clone()))
        .collect();
    // helm renders deeper template paths first.
    let expected = [
        (
            "level3:1.0",
            "top/charts/level1/charts/level2/charts/level3/templates/deployment.yaml",
        ),
        (
            "level2:1.0",
            "top/charts/level1/charts/level2/templates/deployment.yaml",
        ),
        ("level1:1.0", "top/charts/level1/templates/deployment.yaml"),
    ]
    .map(|(i, s)| (i.to_string(), s.to_string()));
    assert_eq!(sources, expected);

    // As for the input archive itself, a broken safety limit makes the package corrupt.
    let results = common::scan_json(&["--max-nesting", "2", common::path_str(&dir)]);
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(
        problem_kinds(&results[0]),
        ["urn:pkglens:problem:limit-exceeded"]
    );
    assert_eq!(
        results[0]["problems"][0]["detail"],
        "error unpacking subchart level1-0.1.0.tgz in top: error unpacking subchart \
         level2-0.1.0.tgz in level1: error unpacking subchart level3-0.1.0.tgz in level2: \
         archive nested more than 2 levels deep"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Entries count over all subchart archives together: many archives, each small, cannot
/// add up to unbounded work.
#[test]
fn fanned_out_subchart_archives_share_one_entry_budget() {
    let leaves: Vec<(String, Vec<u8>)> = (0..12)
        .map(|i| {
            let name = format!("leaf{i}");
            (format!("{name}-0.1.0.tgz"), chart_archive(&name, &[]))
        })
        .collect();
    let dir = common::scratch_dir("fanned-out");
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: top\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("charts/mid-0.1.0.tgz"),
        chart_archive("mid", &leaves),
    )
    .unwrap();
    // mid holds 14 entries, each leaf 2: 38 in all, every archive alone under 30.
    let results = common::scan_json(&[common::path_str(&dir)]);
    assert_eq!(results[0]["state"], "available", "{:#?}", results[0]);
    assert_eq!(results[0]["images"].as_array().unwrap().len(), 13);
    let results = common::scan_json(&["--max-entries", "30", common::path_str(&dir)]);
    assert_eq!(
        problem_kinds(&results[0]),
        ["urn:pkglens:problem:limit-exceeded"]
    );
    let detail = results[0]["problems"][0]["detail"].as_str().unwrap();
    assert!(
        detail.ends_with("archive holds more than 30 entries"),
        "{detail}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `scan` takes helm's value and release flags for every chart it renders.
#[test]
fn scan_renders_charts_with_the_given_values_and_release() {
    let results = common::scan_json(&[
        "--release-name",
        "web",
        "-n",
        "prod",
        "-f",
        "testdata/charts/valued-inputs/over2.yaml",
        "--set-string",
        "image=registry.example.com/valued:3.0",
        "testdata/charts/valued",
    ]);
    assert_eq!(results[0]["state"], "available", "{:#?}", results[0]);
    let images = images_with_users(&results[0]);
    assert_eq!(images.len(), 1, "{images:?}");
    assert_eq!(images[0].0, "registry.example.com/valued:3.0");
    assert_eq!(images[0].1[0][1], "web-valued");
    assert_eq!(images[0].1[0][4], "valued/templates/deployment.yaml");
}

/// A chart helm refuses is a render-failed problem whose detail is helm's error as
/// `expected/NAME.err` holds it (what helm printed for the same chart and values).
#[test]
fn scan_reports_helms_error_for_charts_helm_refuses() {
    let cases: [(&str, &[&str]); 5] = [
        ("broken-missing-dependency", &["testdata/charts/broken"]),
        ("library-top-refused", &["testdata/charts/library-top"]),
        ("kube-too-new-refused", &["testdata/charts/kube-too-new"]),
        (
            "valued-schema-minimum",
            &["--set", "replicas=0", "testdata/charts/valued"],
        ),
        (
            "umbrella-bad-values",
            &["--set", "front=scalar", "testdata/charts/umbrella"],
        ),
    ];
    for (name, args) in cases {
        let results = common::scan_json(args);
        let result = &results[0];
        assert_eq!(result["state"], "incomplete", "{name}");
        assert_eq!(
            problem_kinds(result),
            ["urn:pkglens:problem:render-failed"],
            "{name}"
        );
        let path = common::repo_root().join(format!("testdata/charts/expected/{name}.err"));
        let helm = std::fs::read_to_string(path).unwrap();
        // The detail is helm's error, without the log lines (`level=...`) printed before it.
        let error = &helm[helm.find("\nError: ").map_or(0, |i| i + 1)..];
        let detail = result["problems"][0]["detail"].as_str().unwrap();
        assert_eq!(format!("{detail}\n"), error, "{name}");
    }
}

/// One DER element: tag, whole encoding, content; and what follows it.
fn der_element(input: &[u8]) -> (u8, &[u8], &[u8], &[u8]) {
    let first = input[1] as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        let len = input[2..2 + count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (len, 2 + count)
    };
    let end = header + len;
    (input[0], &input[..end], &input[header..end], &input[end..])
}

/// The elements of a constructed DER value's content as (tag, whole encoding, content).
fn der_children(mut content: &[u8]) -> Vec<(u8, &[u8], &[u8])> {
    let mut items = Vec::new();
    while !content.is_empty() {
        let (tag, raw, inner, rest) = der_element(content);
        items.push((tag, raw, inner));
        content = rest;
    }
    items
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The certificates of the certs chart's ConfigMap (each `key: base64(PEM)`) as DER.
fn certificates(rendered: &str) -> Vec<(String, Vec<u8>)> {
    rendered
        .lines()
        .skip_while(|l| *l != "data:")
        .skip(1)
        .map(|line| {
            let (key, value) = line.trim().split_once(": ").expect("key: value");
            let pem = String::from_utf8(base64_decode(value)).expect("PEM text");
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            (key.to_string(), base64_decode(&body))
        })
        .collect()
}

/// What must be equal between helm's certificate and ours: everything but the serial, the
/// validity times, the signature and what a freshly generated key changes.
fn certificate_fields(der: &[u8], fresh_key: bool) -> Vec<String> {
    let (_, _, cert, _) = der_element(der);
    let parts = der_children(cert);
    let tbs = der_children(parts[0].2);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut fields = vec![
        format!("version {}", hex(tbs[0].1)),
        format!(
            "serial tag {:02x}, at most 17 bytes: {}",
            tbs[1].0,
            tbs[1].2.len() <= 17
        ),
        format!("signature {}", hex(tbs[2].1)),
        format!("issuer {}", hex(tbs[3].1)),
        format!(
            "validity tags {:?}",
            der_children(tbs[4].2)
                .iter()
                .map(|t| t.0)
                .collect::<Vec<_>>()
        ),
        format!("subject {}", hex(tbs[5].1)),
        if fresh_key {
            format!("key algorithm {}", hex(der_children(tbs[6].2)[0].1))
        } else {
            format!("key {}", hex(tbs[6].1))
        },
        format!("outer signature algorithm {}", hex(parts[1].1)),
    ];
    let extensions = der_children(der_children(tbs[7].2)[0].2);
    for ext in extensions {
        let items = der_children(ext.2);
        let id = hex(items[0].1);
        let critical = items.len() == 3;
        let value = items.last().expect("extension value").2;
        // A fresh CA key's identifier differs; its form (a 20-byte OCTET STRING) must not.
        let shown = if fresh_key && id == "0603551d0e" {
            format!("{} bytes", value.len())
        } else {
            hex(value)
        };
        fields.push(format!("extension {id} critical {critical} {shown}"));
    }
    fields
}

/// testdata/charts/certs: Sprig's certificate generators, against the certificates helm
/// v4.1.4 wrote for the same chart and keys (expected/certs.random.out), decoded field by
/// field: the KeyUsage bit string, the CA's Subject Key Identifier (truncated SHA-256 of its
/// key, Go 1.25), a signed certificate's Authority Key Identifier (absent when issuer and
/// subject are the same name), PrintableString/UTF8String names, SANs (critical under an
/// empty subject).
#[test]
fn certificates_carry_the_fields_go_writes() {
    let dir = common::repo_root().join("testdata/charts");
    let helm = std::fs::read_to_string(dir.join("expected/certs.random.out")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pkglens"))
        .args(["render", "certs"])
        .current_dir(&dir)
        .output()
        .expect("pkglens runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ours = certificates(&String::from_utf8_lossy(&output.stdout));
    let theirs = certificates(&helm);
    assert_eq!(ours.len(), 10);
    assert_eq!(
        ours.iter().map(|c| &c.0).collect::<Vec<_>>(),
        theirs.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    for ((name, our_der), (_, their_der)) in ours.iter().zip(&theirs) {
        let fresh_key = name.starts_with("generated");
        assert_eq!(
            certificate_fields(our_der, fresh_key),
            certificate_fields(their_der, fresh_key),
            "{name}"
        );
    }
}
