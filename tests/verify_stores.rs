//! `scan --image-store`: OCI image layouts (folder, tar, tar.gz) and `docker save` archives,
//! built here from tiny blobs and real manifest JSON, matched to a package's images by
//! normalised reference; digests filled, missing images and corrupt stores reported, the
//! `missing` gate, and Astra records carrying the images. Every record printed validates.

mod common;

use common::archives::{gzip, tar, TarEntry};
use common::{load_schema, path_str, pkglens, scan_records, scan_results, scratch_dir};
use pkglens::input::sha256_hex;
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The files of a store, by path inside it.
#[derive(Default, Clone)]
struct Store {
    files: Vec<(String, Vec<u8>)>,
}

impl Store {
    /// Adds a blob; returns its descriptor (digest and size).
    fn blob(&mut self, media_type: &str, data: Vec<u8>) -> Value {
        let hex = sha256_hex(&data);
        let descriptor =
            json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": data.len()});
        self.put(&format!("blobs/sha256/{hex}"), data);
        descriptor
    }

    fn put(&mut self, path: &str, data: Vec<u8>) {
        self.files.retain(|(p, _)| p != path);
        self.files.push((path.to_string(), data));
    }

    /// One single-platform image: a config, a (gzip) layer and the manifest naming them.
    fn image(&mut self, seed: &str, arch: &str) -> Value {
        let layer = self.blob(
            "application/vnd.oci.image.layer.v1.tar+gzip",
            gzip(seed.as_bytes()),
        );
        let config = json!({"architecture": arch, "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", sha256_hex(seed.as_bytes()))]}});
        let config = self.blob(
            "application/vnd.oci.image.config.v1+json",
            serde_json::to_vec(&config).unwrap(),
        );
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": config, "layers": [layer]});
        self.blob(OCI_MANIFEST, serde_json::to_vec_pretty(&manifest).unwrap())
    }

    /// A multi-arch image: an index over two platform manifests.
    fn multi_arch(&mut self, seed: &str) -> Value {
        let mut amd64 = self.image(&format!("{seed}-amd64"), "amd64");
        amd64["platform"] = json!({"architecture": "amd64", "os": "linux"});
        let mut arm64 = self.image(&format!("{seed}-arm64"), "arm64");
        arm64["platform"] = json!({"architecture": "arm64", "os": "linux"});
        let index =
            json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd64, arm64]});
        self.blob(OCI_INDEX, serde_json::to_vec(&index).unwrap())
    }

    /// The layout's `oci-layout` and `index.json` over `descriptors`.
    fn oci_index(&mut self, descriptors: Vec<Value>) {
        self.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
        let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors});
        self.put("index.json", serde_json::to_vec(&index).unwrap());
    }

    fn write_folder(&self, dir: &Path) -> PathBuf {
        for (path, data) in &self.files {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, data).unwrap();
        }
        dir.to_path_buf()
    }

    fn tar(&self) -> Vec<u8> {
        let entries: Vec<TarEntry<'_>> = self
            .files
            .iter()
            .map(|(path, data)| TarEntry::file(path, data))
            .collect();
        tar(&entries)
    }
}

fn annotated(mut descriptor: Value, annotations: Value) -> Value {
    descriptor["annotations"] = annotations;
    descriptor
}

fn digest_of(descriptor: &Value) -> String {
    descriptor["digest"].as_str().unwrap().to_string()
}

/// The images the test package runs, one container each.
const NGINX: &str = "nginx:1.25";
const APP: &str = "ghcr.io/acme/app:2.0";
const BUSYBOX: &str = "busybox";
const REDIS: &str = "redis:7";

/// An OCI layout holding nginx:1.25 (named as skopeo writes it), ghcr.io/acme/app:2.0 (a
/// multi-arch index, named as containerd writes it) and one unnamed image (a bare tag);
/// returns the store and the digests (nginx, app, unnamed).
fn oci_store() -> (Store, [String; 3]) {
    let mut store = Store::default();
    let nginx = store.image("nginx", "amd64");
    let app = store.multi_arch("app");
    let unnamed = store.image("pinned", "amd64");
    let digests = [digest_of(&nginx), digest_of(&app), digest_of(&unnamed)];
    store.oci_index(vec![
        annotated(
            nginx,
            json!({"org.opencontainers.image.ref.name": "docker.io/library/nginx:1.25"}),
        ),
        annotated(
            app,
            json!({"io.containerd.image.name": "ghcr.io/acme/app:2.0",
                "org.opencontainers.image.ref.name": "2.0"}),
        ),
        annotated(unnamed, json!({"org.opencontainers.image.ref.name": "v1"})),
    ]);
    (store, digests)
}

/// A `docker save` archive (before Docker 25: no manifests) holding busybox:latest.
fn docker_save() -> Vec<u8> {
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let config_name = format!("{}.json", sha256_hex(&config));
    let layer = tar(&[TarEntry::file("bin/busybox", b"\x7fELF")]);
    let manifest = json!([{"Config": config_name, "RepoTags": ["busybox:latest"],
        "Layers": ["0123/layer.tar"]}]);
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let repositories = br#"{"busybox":{"latest":"0123"}}"#.to_vec();
    tar(&[
        TarEntry::file(&config_name, &config),
        TarEntry::file("0123/layer.tar", &layer),
        TarEntry::file("manifest.json", &manifest),
        TarEntry::file("repositories", &repositories),
    ])
}

/// A folder of manifests: one Deployment running `images`, one container each.
fn package(dir: &Path, images: &[&str]) -> PathBuf {
    let containers: String = images
        .iter()
        .enumerate()
        .map(|(i, image)| format!("        - name: c{i}\n          image: {image}\n"))
        .collect();
    let package = dir.join("shop");
    fs::create_dir_all(&package).unwrap();
    fs::write(
        package.join("deployment.yaml"),
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n{containers}"
        ),
    )
    .unwrap();
    package
}

fn image<'a>(result: &'a Value, reference: &str) -> &'a Value {
    result["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == reference)
        .unwrap_or_else(|| panic!("{reference} in {result:#}"))
}

fn problem_types(result: &Value) -> Vec<&str> {
    result["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect()
}

#[test]
fn a_layout_folder_and_a_docker_save_archive_fill_digests_and_name_what_is_missing() {
    let dir = scratch_dir("stores-fill");
    let (store, [nginx, app, unnamed]) = oci_store();
    let layout = store.write_folder(&dir.join("layout"));
    fs::write(dir.join("busybox.tar"), docker_save()).unwrap();
    let pinned = format!("quay.io/acme/pinned@{unnamed}");
    let pkg = package(&dir, &[NGINX, APP, BUSYBOX, REDIS, &pinned]);
    let (code, results, stderr) = scan_results(&[
        "--image-store",
        path_str(&layout),
        "--image-store",
        path_str(&dir.join("busybox.tar")),
        path_str(&pkg),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let result = &results[0];
    // The manifest's digest; a multi-arch image's index digest; none from an old docker save.
    assert_eq!(image(result, NGINX)["digest"], nginx.as_str());
    assert_eq!(image(result, APP)["digest"], app.as_str());
    assert_eq!(image(result, BUSYBOX)["digest"], Value::Null);
    assert_eq!(image(result, &pinned)["digest"], unnamed.as_str());
    // The component's images carry the same digests.
    let component_images = result["components"][0]["images"].as_array().unwrap();
    assert_eq!(component_images[0]["digest"], nginx.as_str());
    assert_eq!(component_images[1]["digest"], app.as_str());
    // Only redis is in no store: the package is incomplete, and says which.
    assert_eq!(result["state"], "incomplete");
    assert_eq!(problem_types(result), ["urn:pkglens:problem:image-missing"]);
    assert_eq!(
        result["problems"][0]["detail"],
        "in none of the image stores: redis:7"
    );
}

#[test]
fn a_layout_tar_or_tar_gz_reads_as_the_folder_does() {
    let dir = scratch_dir("stores-tar");
    let (store, [nginx, app, _]) = oci_store();
    fs::write(dir.join("layout.tar"), store.tar()).unwrap();
    fs::write(dir.join("layout.tar.gz"), gzip(&store.tar())).unwrap();
    // Written as the package names them in full: still the same images.
    let pkg = package(
        &dir,
        &["docker.io/library/nginx:1.25", "ghcr.io/acme/app:2.0"],
    );
    for layout in ["layout.tar", "layout.tar.gz"] {
        let (code, results, stderr) =
            scan_results(&["--image-store", path_str(&dir.join(layout)), path_str(&pkg)]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(results[0]["state"], "available", "{layout}");
        assert_eq!(
            image(&results[0], "docker.io/library/nginx:1.25")["digest"],
            nginx.as_str()
        );
        assert_eq!(image(&results[0], APP)["digest"], app.as_str());
    }
}

#[test]
fn a_reference_without_tag_is_latest_and_a_pinned_one_must_match_its_digest() {
    let dir = scratch_dir("stores-match");
    let mut store = Store::default();
    let latest = store.image("latest", "amd64");
    store.oci_index(vec![annotated(
        latest.clone(),
        json!({"io.containerd.image.name": "docker.io/library/nginx:latest",
            "org.opencontainers.image.ref.name": "latest"}),
    )]);
    let layout = store.write_folder(&dir.join("layout"));
    let other = format!("sha256:{}", "e".repeat(64));
    let wrong_pin = format!("nginx@{other}");
    let right_pin = format!("nginx:latest@{}", digest_of(&latest));
    let pkg = package(&dir, &["nginx", "nginx:1.25", &wrong_pin, &right_pin]);
    let (_, results, _) = scan_results(&["--image-store", path_str(&layout), path_str(&pkg)]);
    let result = &results[0];
    assert_eq!(
        image(result, "nginx")["digest"],
        digest_of(&latest).as_str()
    );
    assert_eq!(
        image(result, &right_pin)["digest"],
        digest_of(&latest).as_str()
    );
    assert_eq!(image(result, &wrong_pin)["digest"], other.as_str());
    assert_eq!(
        result["problems"][0]["detail"],
        format!("in none of the image stores: nginx:1.25, {wrong_pin}")
    );
}

#[test]
fn a_blob_that_does_not_hash_to_its_name_makes_the_package_corrupt() {
    let dir = scratch_dir("stores-corrupt");
    let (mut store, [nginx, _, _]) = oci_store();
    // The nginx manifest swapped for other bytes under the same name.
    let hex = nginx.strip_prefix("sha256:").unwrap();
    store.put(
        &format!("blobs/sha256/{hex}"),
        br#"{"schemaVersion":2,"layers":[]}"#.to_vec(),
    );
    let layout = store.write_folder(&dir.join("layout"));
    let pkg = package(&dir, &[NGINX, APP]);
    let (code, results, _) = scan_results(&[
        "--image-store",
        path_str(&layout),
        "--fail-on",
        "problems",
        path_str(&pkg),
    ]);
    assert_eq!(code, 1);
    let result = &results[0];
    assert_eq!(result["state"], "corrupt");
    assert_eq!(
        problem_types(result),
        ["urn:pkglens:problem:image-store-corrupt"]
    );
    let detail = result["problems"][0]["detail"].as_str().unwrap();
    let actual = sha256_hex(br#"{"schemaVersion":2,"layers":[]}"#);
    assert_eq!(
        detail,
        format!(
            "image nginx:1.25 in image store {}: the manifest blob named {nginx} hashes to \
             sha256:{actual}",
            layout.display()
        )
    );
    // A corrupt image gives no digest.
    assert_eq!(image(result, NGINX)["digest"], Value::Null);
}

#[test]
fn the_missing_gate_fails_on_images_no_store_holds() {
    let dir = scratch_dir("stores-gate");
    let (store, _) = oci_store();
    let layout = store.write_folder(&dir.join("layout"));
    let pkg = package(&dir, &[NGINX, REDIS]);
    let (code, _, stderr) = scan_results(&[
        "--image-store",
        path_str(&layout),
        "--fail-on",
        "missing,unpinned",
        path_str(&pkg),
    ]);
    assert_eq!(code, 1);
    let failures: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("pkglens: gate failed: "))
        .collect();
    let file = format!("{} (deployment.yaml)", pkg.display());
    // nginx got its digest from the store: only redis is unpinned, and missing.
    assert_eq!(
        failures,
        [
            format!("shop: unpinned: redis:7 in {file}: image redis:7 is not pinned by a digest"),
            format!(
                "shop: missing: redis:7 in {file}: image redis:7 is in none of the image stores"
            ),
        ]
    );
    // The gate needs stores to check against.
    let (code, _, stderr) = pkglens(&["scan", "--fail-on", "missing", path_str(&pkg)]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the missing gate needs --image-store"),
        "{stderr}"
    );
}

#[test]
fn an_unusable_store_is_a_usage_error() {
    let dir = scratch_dir("stores-unusable");
    let pkg = package(&dir, &[NGINX]);
    fs::create_dir_all(dir.join("empty")).unwrap();
    fs::write(
        dir.join("not-a-store.tar"),
        tar(&[TarEntry::file("a.txt", b"x")]),
    )
    .unwrap();
    let traversal = tar(&[TarEntry::file("../index.json", b"{}")]);
    fs::write(dir.join("traversal.tar"), traversal).unwrap();
    for (store, message) in [
        ("empty", "neither an OCI image layout"),
        ("not-a-store.tar", "neither an OCI image layout"),
        ("traversal.tar", "climbs out of the archive"),
        ("no-such-store", "No such file"),
    ] {
        let (code, stdout, stderr) = pkglens(&[
            "scan",
            "--image-store",
            path_str(&dir.join(store)),
            path_str(&pkg),
        ]);
        assert_eq!(code, 2, "{store}");
        assert!(stdout.is_empty(), "{store}");
        assert!(stderr.contains(message), "{store}: {stderr}");
    }
}

#[test]
fn astra_records_list_the_images_whose_digest_a_store_gave() {
    let dir = scratch_dir("stores-astra");
    let (store, [nginx, app, _]) = oci_store();
    let layout = store.write_folder(&dir.join("layout"));
    let mut latest = Store::default();
    let busybox = latest.image("busybox", "amd64");
    latest.oci_index(vec![annotated(
        busybox.clone(),
        json!({"org.opencontainers.image.ref.name": "busybox:latest"}),
    )]);
    let latest = latest.write_folder(&dir.join("latest"));
    let pkg = package(&dir, &[NGINX, APP, BUSYBOX, REDIS]);
    let (_, packages, _) = scan_records(&[
        "--format",
        "astra",
        "--image-store",
        path_str(&layout),
        "--image-store",
        path_str(&latest),
        path_str(&pkg),
    ]);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&load_schema("astra/Package"))
        .unwrap();
    for package in &packages {
        let errors: Vec<String> = validator
            .iter_errors(package)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}\n{package:#}");
    }
    assert_eq!(
        packages[0]["images"],
        json!([
            {"imageName": "nginx", "imagePath": "/library", "imageTag": "1.25", "imageDigest": nginx},
            {"imageName": "app", "imagePath": "/acme", "imageTag": "2.0", "imageDigest": app},
            {"imageName": "busybox", "imagePath": "/library", "imageTag": "latest",
                "imageDigest": digest_of(&busybox)},
        ])
    );
    assert_eq!(packages[0]["packageState"], "incomplete");
}
