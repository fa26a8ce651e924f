//! `pkglens serve` as a client sees it: the binary on a free loopback port, a real HTTP client
//! (ureq), every body validated against its schema; malformed requests, huge heads and slow
//! clients do not stop it; a few thousand concurrent requests during a re-scan see whole
//! records only.

mod common;

use common::archives::tgz_under_pkg;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A running `pkglens serve`, stopped when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(catalog: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pkglens"))
            .args(["serve", "--catalog", catalog, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the address line");
        let base = line.trim().trim_end_matches('/').to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "{line}");
        Self { child, base }
    }

    fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// GET `path`: (status, content type, body as JSON).
fn get(agent: &ureq::Agent, base: &str, path: &str) -> (u16, String, Value) {
    let mut response = agent
        .get(format!("{base}{path}"))
        .call()
        .expect("an answer");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.body_mut().read_to_string().expect("a body");
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, content_type, json)
}

/// A chart repository of `count` charts, scanned into a catalog; returns (repo, catalog, results).
fn scanned_repository(name: &str, count: usize) -> (PathBuf, String, Vec<Value>) {
    let dir = common::scratch_dir(name);
    let repo = dir.join("repo");
    fs::create_dir_all(&repo).unwrap();
    for i in 0..count {
        let chart_yaml = format!("apiVersion: v2\nname: app-{i}\nversion: 1.0.{i}\n");
        let deployment =
            common::archives::deployment(&format!("{{{{ .Release.Name }}}}-app-{i}"), "nginx:1.27");
        let archive = tgz_under_pkg(&[
            ("Chart.yaml", &chart_yaml),
            ("values.yaml", "{}\n"),
            ("templates/deployment.yaml", &deployment),
        ]);
        fs::write(repo.join(format!("app-{i}.tgz")), archive).unwrap();
    }
    let catalog = common::path_str(&dir.join("catalog.db")).to_string();
    let results = rescan(&catalog, &repo, &[]);
    (repo, catalog, results)
}

fn rescan(catalog: &str, repo: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["scan", "-q", "--catalog", catalog, common::path_str(repo)];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = common::pkglens(&args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// The OpenAPI component schema `name`, as a validator (references resolved in the document).
fn openapi_validator(document: &Value, name: &str) -> jsonschema::Validator {
    let mut schema = document.clone();
    schema["$ref"] = Value::String(format!("#/components/schemas/{name}"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OpenAPI component compiles")
}

#[test]
fn the_get_package_endpoints_answer_as_their_schemas_say() {
    let (_, catalog, results) = scanned_repository("serve-endpoints", 2);
    let served = Served::start(&catalog);
    let agent = agent();
    let base = &served.base;
    let package = &results[0]["package"];
    let id = package["id"].as_str().unwrap();

    let (status, content_type, body) = get(&agent, base, &format!("/packages/{id}/"));
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    assert_eq!(&body, package);
    common::validate_all("Package", &[body]);

    let (status, _, body) = get(&agent, base, &format!("/packages/{id}/components/"));
    assert_eq!(status, 200);
    assert_eq!(body, results[0]["components"]);
    common::validate_all("PackageComponent", body.as_array().unwrap());

    let (code, stdout, _) =
        common::pkglens(&["get", id, "--catalog", &catalog, "--format", "astra"]);
    assert_eq!(code, 0);
    let astra: Value = serde_json::from_str(&stdout).unwrap();
    let uuid = astra["id"].as_str().unwrap();
    let (status, content_type, body) = get(
        &agent,
        base,
        &format!("/accounts/acme/core/v1/packages/{uuid}"),
    );
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/astra-package+json")
    );
    assert_eq!(body, astra);
    common::validate_all("astra/Package", &[body]);

    // Errors: ErrorModel on the Chkk endpoints, Astra problems on Astra's.
    let unknown = "pkg_00000000-0000-5000-8000-000000000000";
    let mut problems = Vec::new();
    for (path, expected) in [
        (format!("/packages/{unknown}/"), 404),
        (format!("/packages/{unknown}/components/"), 404),
        ("/packages/not-an-id/".to_string(), 400),
        ("/packages/%zz/".to_string(), 400),
        ("/no/such/endpoint".to_string(), 404),
    ] {
        let (status, content_type, body) = get(&agent, base, &path);
        assert_eq!(status, expected, "{path}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        assert_eq!(body["status"], expected, "{path}");
        problems.push(body);
    }
    common::validate_all("ErrorModel", &problems);

    let (_, _, openapi) = get(&agent, base, "/openapi.json");
    assert_eq!(openapi["openapi"], "3.1.0");
    let astra_problem = openapi_validator(&openapi, "AstraProblem");
    let (status, content_type, body) = get(
        &agent,
        base,
        "/accounts/acme/core/v1/packages/00000000-0000-5000-8000-000000000000",
    );
    assert_eq!(
        (status, content_type.as_str()),
        (404, "application/problem+json")
    );
    assert_eq!(body["title"], "Collection not found");
    assert!(astra_problem.is_valid(&body), "{body}");
    let (status, _, body) = get(&agent, base, "/accounts/acme/core/v1/packages/nope");
    assert_eq!(status, 400);
    assert_eq!(body["invalidParams"][0]["name"], "package_id");
    assert!(astra_problem.is_valid(&body), "{body}");

    // The OpenAPI components are the schema copies, and validate what was served.
    let package_schema = openapi_validator(&openapi, "Package");
    assert!(package_schema.is_valid(package));
    assert!(!package_schema.is_valid(&serde_json::json!({"id": 1})));

    // Another method on a read-only endpoint.
    let response = agent
        .post(format!("{base}/packages/{id}/"))
        .send("x")
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 405);
}

/// Writes raw bytes on a fresh connection and returns what the server answers (until it
/// closes or a second passes).
fn raw_exchange(address: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn malformed_requests_huge_heads_and_slow_clients_do_not_stop_it() {
    let (_, catalog, results) = scanned_repository("serve-hostile", 1);
    let served = Served::start(&catalog);
    let address = served.address();
    let id = results[0]["package"]["id"].as_str().unwrap();
    // Slow clients: connections that send half a request head and then nothing.
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut stream = TcpStream::connect(address).unwrap();
            stream.write_all(b"GET /packages/").unwrap();
            stream
        })
        .collect();
    let garbage = raw_exchange(address, b"\x00\x01NOT HTTP AT ALL\r\n\r\n");
    assert!(
        garbage.is_empty() || garbage.starts_with("HTTP/1.1 400"),
        "{garbage}"
    );
    let huge = format!(
        "GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let answer = raw_exchange(address, huge.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let many_headers: String = (0..500).map(|i| format!("X-H{i}: v\r\n")).collect();
    let answer = raw_exchange(
        address,
        format!("GET /openapi.json HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // Meanwhile it answers everyone else.
    let (status, _, _) = get(&agent(), &served.base, &format!("/packages/{id}/"));
    assert_eq!(status, 200);
    slow.iter_mut().for_each(|s| {
        let _ = s.write_all(b"x");
    });
}

#[test]
fn concurrent_readers_during_a_rescan_see_whole_records() {
    const THREADS: usize = 8;
    const REQUESTS_PER_THREAD: usize = 300;
    let (repo, catalog, results) = scanned_repository("serve-load", 6);
    let served = Served::start(&catalog);
    let ids: Vec<String> = results
        .iter()
        .map(|r| r["package"]["id"].as_str().unwrap().to_string())
        .collect();
    let rescanning = AtomicBool::new(true);
    let bodies = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let ids = &ids;
                let base = &served.base;
                let rescanning = &rescanning;
                scope.spawn(move || {
                    let agent = agent();
                    let mut bodies = Vec::with_capacity(REQUESTS_PER_THREAD);
                    // At least that many requests each, and on until the re-scans are done.
                    let mut n = 0;
                    while n < REQUESTS_PER_THREAD || rescanning.load(Ordering::Relaxed) {
                        let id = &ids[(thread + n) % ids.len()];
                        let path = if n % 3 == 0 {
                            format!("/packages/{id}/components/")
                        } else {
                            format!("/packages/{id}/")
                        };
                        let (status, _, body) = get(&agent, base, &path);
                        assert_eq!(status, 200, "{path}: {body}");
                        bodies.push((id.clone(), n % 3 == 0, body));
                        n += 1;
                    }
                    bodies
                })
            })
            .collect();
        // Re-scans under other flags rewrite every input while the readers read.
        for release in ["one", "two", "three"] {
            rescan(&catalog, &repo, &["--release-name", release]);
        }
        rescanning.store(false, Ordering::Relaxed);
        readers
            .into_iter()
            .flat_map(|r| r.join().expect("reader"))
            .collect::<Vec<_>>()
    });
    assert!(bodies.len() >= THREADS * REQUESTS_PER_THREAD);
    let mut releases_seen = BTreeSet::new();
    let mut packages = Vec::new();
    let mut components = Vec::new();
    for (id, is_components, body) in bodies {
        if !is_components {
            assert_eq!(body["id"], id.as_str());
            packages.push(body);
            continue;
        }
        // One whole release: its one component, named after one of the release names.
        let list = body.as_array().unwrap();
        assert_eq!(list.len(), 1, "{body}");
        assert_eq!(list[0]["package_id"], id.as_str());
        let name = list[0]["name"].as_str().unwrap();
        assert!(
            ["release", "one", "two", "three"]
                .iter()
                .any(|r| name.starts_with(&format!("{r}-app-"))),
            "{name}"
        );
        releases_seen.insert(name.split('-').next().unwrap_or_default().to_string());
        components.push(list[0].clone());
    }
    assert!(
        releases_seen.len() >= 2,
        "the re-scans overlapped no reads: {releases_seen:?}"
    );
    common::validate_all("Package", &packages);
    common::validate_all("PackageComponent", &components);
}
