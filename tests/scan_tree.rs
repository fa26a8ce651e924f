//! Inputs as users give them: a mixed GitOps tree (charts, overlays, manifests, values, a
//! symlinked archive, a FIFO), standard input, pipes and devices, and `-o` written atomically.

mod common;

use common::archives;
use serde_json::Value;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn chart(dir: &Path, root: &str, name: &str, image: &str) {
    write(
        dir,
        &format!("{root}/Chart.yaml"),
        &format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
    );
    write(
        dir,
        &format!("{root}/templates/deployment.yaml"),
        &archives::deployment(name, image),
    );
}

/// A GitOps repository as people lay them out.
fn mixed_tree() -> std::path::PathBuf {
    let dir = common::scratch_dir("mixed-tree");
    chart(&dir, "charts/web", "web", "nginx:1.27");
    chart(&dir, "charts/shop", "shop", "shop:2");
    chart(&dir, "charts/shop/charts/db", "db", "postgres:16");
    write(
        &dir,
        "k/base/kustomization.yaml",
        "resources:\n- deployment.yaml\n",
    );
    write(
        &dir,
        "k/base/deployment.yaml",
        &archives::deployment("api", "api:1"),
    );
    write(
        &dir,
        "k/components/ha/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nreplicas:\n- name: api\n  count: 3\n",
    );
    write(
        &dir,
        "k/overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ncomponents:\n- ../../components/ha\nnamePrefix: prod-\n",
    );
    write(
        &dir,
        "manifests/web.yaml",
        &archives::deployment("plain", "busybox:1.36"),
    );
    write(
        &dir,
        "manifests/config.json",
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}"#,
    );
    write(
        &dir,
        "ops/monitoring/agent.yaml",
        &archives::deployment("agent", "fluent/fluent-bit:3.1"),
    );
    write(
        &dir,
        "values/prod.yaml",
        "replicas: 3\nimage:\n  tag: \"2\"\n",
    );
    write(&dir, ".ci.yml", "stages: [test]\n");
    fs::create_dir_all(dir.join("releases")).unwrap();
    fs::write(
        dir.join("releases/app-1.2.3.tgz"),
        archives::deployment_chart_tgz("app", "1.2.3"),
    )
    .unwrap();
    std::os::unix::fs::symlink("app-1.2.3.tgz", dir.join("releases/latest.tgz")).unwrap();
    let fifo = dir.join("manifests/pipe.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    dir
}

/// (system, state, source path relative to `dir`, entry, title) of each result.
fn summary(results: &[Value], dir: &Path) -> Vec<(String, String, String, String, String)> {
    let prefix = format!("{}/", dir.display());
    results
        .iter()
        .map(|r| {
            let text = |v: &Value| v.as_str().unwrap_or("-").to_string();
            let path = text(&r["source"]["path"]);
            (
                text(&r["system"]),
                text(&r["state"]),
                path.strip_prefix(&prefix).unwrap_or(&path).to_string(),
                text(&r["source"]["entry"]),
                text(&r["package"]["title"]),
            )
        })
        .collect()
}

#[test]
fn a_mixed_tree_gives_exactly_its_packages_and_says_what_it_skipped() {
    let dir = mixed_tree();
    let (code, stdout, stderr) = common::pkglens(&["scan", common::path_str(&dir)]);
    assert_eq!(code, 0, "{stderr}");
    let results: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let expected: Vec<(String, String, String, String, String)> = [
        ("helm", "available", "", "charts/shop", "shop"),
        ("helm", "available", "", "charts/web", "web"),
        ("kustomize", "available", "", "k/overlays/prod", "prod"),
        ("kube", "available", "", "manifests", "manifests"),
        ("kube", "available", "", "ops/monitoring", "monitoring"),
        ("helm", "available", "releases/app-1.2.3.tgz", "-", "app"),
        ("helm", "available", "releases/latest.tgz", "-", "app"),
        ("kube", "corrupt", "manifests/pipe.yaml", "-", "-"),
    ]
    .iter()
    .map(|(a, b, c, d, e)| {
        let path = if c.is_empty() {
            dir.display().to_string()
        } else {
            c.to_string()
        };
        (
            a.to_string(),
            b.to_string(),
            path,
            d.to_string(),
            e.to_string(),
        )
    })
    .collect();
    assert_eq!(summary(&results, &dir), expected, "{stdout}");
    // The subchart is rendered inside its parent, never a package of its own.
    let shop = &results[0];
    let images: Vec<&str> = common::strings_at(&shop["images"], "reference");
    assert_eq!(images, ["postgres:16", "shop:2"]);
    // The overlay is built with its base and component.
    assert_eq!(results[2]["components"][0]["name"], "prod-api");
    // The kube package of a folder holds that folder's manifests, not the FIFO.
    let files: Vec<&str> = common::strings_at(&results[3]["files"], "path");
    assert_eq!(files, ["manifests/config.json", "manifests/web.yaml"]);
    assert_eq!(results[7]["problems"][0]["title"], "Unsafe archive entry");
    assert!(
        stderr.contains(
            "skipped 2 YAML/JSON file(s) holding no Kubernetes object: .ci.yml, values/prod.yaml"
        ),
        "{stderr}"
    );
    let (_, quiet_stdout, quiet_stderr) = common::pkglens(&["scan", "-q", common::path_str(&dir)]);
    assert_eq!(quiet_stdout, stdout);
    assert!(!quiet_stderr.contains("skipped"), "{quiet_stderr}");
    fs::remove_dir_all(dir).unwrap();
}

/// Runs `pkglens scan ARGS` with `stdin` as standard input.
fn scan_stdin(args: &[&str], stdin: &[u8]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pkglens"))
        .arg("scan")
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn stdin_is_one_input_named_dash_an_archive_or_a_manifest_stream() {
    let stream = format!(
        "{}---\n{}",
        archives::deployment("a", "nginx:1.27"),
        archives::deployment("b", "busybox:1.36")
    );
    let results = scan_stdin(&["-"], stream.as_bytes());
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["source"]["path"], "-");
    assert_eq!(results[0]["system"], "kube");
    assert_eq!(results[0]["state"], "available");
    assert_eq!(results[0]["components"].as_array().unwrap().len(), 2);
    assert_eq!(results[0]["source"]["size"], stream.len());

    let tgz = archives::deployment_chart_tgz("piped", "1.2.3");
    let results = scan_stdin(&["-"], &tgz);
    assert_eq!(results[0]["source"]["path"], "-");
    assert_eq!(results[0]["source"]["format"], "tgz");
    assert_eq!(results[0]["system"], "helm");
    assert_eq!(results[0]["package"]["title"], "piped");
    assert_eq!(results[0]["images"][0]["reference"], "nginx:1.27");

    // The same limits: a stream over the input limit is refused, not read without end.
    let results = scan_stdin(&["--max-total-size", "1000", "-"], &vec![b'#'; 4096]);
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(results[0]["problems"][0]["title"], "Safety limit exceeded");
}

#[test]
fn fifos_devices_and_pipes_on_the_command_line_never_block_or_read_without_end() {
    let dir = common::scratch_dir("special-inputs");
    let fifo = dir.join("x.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let good = dir.join("good.tgz");
    fs::write(&good, archives::deployment_chart_tgz("good", "1.2.3")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", dir.join("random.yaml")).unwrap();
    let pipe = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} scan --format json {} {} /dev/zero {} <(cat {})",
            env!("CARGO_BIN_EXE_pkglens"),
            common::path_str(&fifo),
            common::path_str(&good),
            common::path_str(&dir.join("random.yaml")),
            common::path_str(&good),
        ))
        .output()
        .unwrap();
    // An input that cannot be read (the FIFO without a writer) makes the exit status 2.
    assert_eq!(pipe.status.code(), Some(2));
    let results: Vec<Value> = serde_json::from_slice(&pipe.stdout).unwrap();
    let states: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["state"].as_str().unwrap(),
                r["package"]["title"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    // The FIFO without a writer cannot be read; the devices are refused; the pipe holds
    // the whole archive (sniffing its format consumed nothing).
    assert_eq!(
        states,
        [
            ("corrupt", "-"),
            ("available", "good"),
            ("corrupt", "-"),
            ("corrupt", "-"),
            ("available", "good"),
        ]
    );
    assert_eq!(
        results[0]["problems"][0]["detail"],
        "no process has the FIFO open for writing: nothing to read"
    );
    assert_eq!(results[0]["problems"][0]["title"], "Input cannot be read");
    assert_eq!(results[2]["problems"][0]["title"], "Unsafe archive entry");
    assert_eq!(results[4]["source"]["format"], "tgz");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn output_file_is_complete_or_absent_even_when_killed_mid_write() {
    let dir = common::scratch_dir("atomic-output");
    let chart_dir = dir.join("chart");
    chart(&dir, "chart", "web", "nginx:1.27");
    let out = dir.join("out.ndjson");
    fs::write(&out, "old\n").unwrap();
    let chart_arg = common::path_str(&chart_dir).to_string();
    // Kill the scan once its temporary file has data; more inputs until that happens
    // before the scan ends on its own.
    let mut killed = None;
    for inputs in [200, 2000, 20000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pkglens"))
            .args(["scan", "--format", "ndjson", "-j", "1", "-o"])
            .arg(&out)
            .args(std::iter::repeat_n(&chart_arg, inputs))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let temp = dir.join(format!(".out.ndjson.{}.tmp", child.id()));
        loop {
            if fs::metadata(&temp).is_ok_and(|m| m.len() > 0) {
                child.kill().unwrap();
                child.wait().unwrap();
                killed = temp.file_name().map(|n| n.to_string_lossy().into_owned());
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::yield_now();
        }
        // Killed or not, the target is never half written.
        let text = fs::read_to_string(&out).unwrap();
        if killed.is_some() {
            assert_eq!(text, "old\n");
            break;
        }
        assert_eq!(text.lines().count(), inputs);
        fs::write(&out, "old\n").unwrap();
    }
    let killed_temp = killed.expect("the scan always ended before it could be killed");
    // Finished normally: the file is complete and no temporary file is left.
    let (code, _, stderr) = common::pkglens(&[
        "scan",
        "--format",
        "ndjson",
        "-o",
        common::path_str(&out),
        &chart_arg,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = fs::read_to_string(&out).unwrap();
    let result: Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(result["package"]["title"], "web");
    let leftovers: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    // Only the killed scan's temporary file remains (SIGKILL leaves no time to clean up).
    assert_eq!(leftovers, [killed_temp]);
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn completions_man_page_and_version_describe_the_real_command_line() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script, stderr) = common::pkglens(&["completions", shell]);
        assert_eq!(code, 0, "{stderr}");
        // The scan's own flags are in every script.
        assert!(script.contains("max-total-size"), "{shell}: {script}");
        assert!(script.contains("completions"), "{shell}");
    }
    let (code, page, _) = common::pkglens(&["man"]);
    assert_eq!(code, 0);
    assert!(
        page.starts_with(".ie") && page.contains(".TH pkglens 1"),
        "{page}"
    );
    let (code, version, _) = common::pkglens(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        version.trim_end(),
        format!(
            "pkglens {} (renders as helm v4.1.4, kustomize v5.6.0, Kubernetes v1.35.0)",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn render_skip_crds_changes_nothing_in_the_output_as_in_helm_template() {
    let dir = common::scratch_dir("skip-crds");
    chart(&dir, "c", "c", "nginx:1.27");
    write(
        &dir,
        "c/crds/x.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x\n",
    );
    let chart_dir = dir.join("c");
    let path = common::path_str(&chart_dir);
    // helm v4.1.4 printed 2 documents for --include-crds, with or without --skip-crds.
    let (code, with_crds, stderr) = common::pkglens(&["render", path, "--include-crds"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(with_crds.matches("# Source:").count(), 2, "{with_crds}");
    let (_, skipped, _) = common::pkglens(&["render", path, "--include-crds", "--skip-crds"]);
    assert_eq!(skipped, with_crds);
    let (_, plain, _) = common::pkglens(&["render", path, "--skip-crds"]);
    assert_eq!(plain.matches("# Source:").count(), 1, "{plain}");
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn render_debug_prints_the_invalid_yaml_as_helm_debug_does() {
    let dir = common::scratch_dir("render-debug");
    write(
        &dir,
        "bad/Chart.yaml",
        "apiVersion: v2\nname: bad\nversion: 1.0.0\n",
    );
    write(
        &dir,
        "bad/templates/b.yaml",
        "kind: ConfigMap\nmetadata:\n  name: x\n   bad: [\n",
    );
    let chart_dir = dir.join("bad");
    let path = common::path_str(&chart_dir);
    // Recorded from helm v4.1.4 `helm template bad [--debug]` (debug log lines left aside).
    let error = "Error: YAML parse error on bad/templates/b.yaml: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context\n";
    let (code, stdout, stderr) = common::pkglens(&["render", path]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        format!("{}\nUse --debug flag to render out invalid YAML\n", error)
    );
    let (code, stdout, stderr) = common::pkglens(&["render", path, "--debug"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "---\n# Source: bad/templates/b.yaml\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: [\n"
    );
    assert_eq!(stderr, error);
    fs::remove_dir_all(dir).unwrap();
}
