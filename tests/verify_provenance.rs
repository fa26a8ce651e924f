//! `.prov` files beside chart archives: the sum checked against the archive; with
//! `--keyring`, the signature verified. The test makes its own throwaway OpenPGP keys and signs
//! provenance as `helm package --sign` lays it out. Every record printed validates.

mod common;

use common::archives::{deployment, tgz_under_pkg};
use common::{path_str, pkglens, problems, scan_results, scratch_dir};
use pgp::composed::{
    ArmorOptions, CleartextSignedMessage, KeyType, SecretKeyParamsBuilder, SignedPublicKey,
    SignedSecretKey,
};
use pgp::ser::Serialize;
use pgp::types::Password;
use pkglens::input::sha256_hex;
use rand_chacha_03::rand_core::SeedableRng;
use rand_chacha_03::ChaCha8Rng;
use std::fs;
use std::path::Path;

const CHART_YAML: &str = "apiVersion: v2\nname: web\nversion: 1.0.0\n";

/// A throwaway signing key, the same for the same seed.
fn key(seed: u64, user: &str) -> SignedSecretKey {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id(user.into())
        .build()
        .expect("key params")
        .generate(&mut rng)
        .expect("key")
}

/// Provenance as helm writes it: Chart.yaml, `...`, then the `files:` sums, clear-signed.
fn provenance(key: &SignedSecretKey, file_name: &str, sha256: &str) -> String {
    let text = format!("{CHART_YAML}\n...\nfiles:\n  {file_name}: sha256:{sha256}\n");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    CleartextSignedMessage::sign(&mut rng, &text, &key.primary_key, &Password::empty())
        .expect("sign")
        .to_armored_string(ArmorOptions::default())
        .expect("armor")
}

/// A chart archive with a signed `.prov` beside it; returns the archive's path and sha256.
fn signed_chart(dir: &Path, signer: &SignedSecretKey) -> (String, String) {
    let archive = tgz_under_pkg(&[
        ("Chart.yaml", CHART_YAML),
        (
            "templates/deployment.yaml",
            &deployment("web", "nginx:1.27"),
        ),
    ]);
    let sha256 = sha256_hex(&archive);
    let path = dir.join("web-1.0.0.tgz");
    fs::write(&path, &archive).unwrap();
    fs::write(
        dir.join("web-1.0.0.tgz.prov"),
        provenance(signer, "web-1.0.0.tgz", &sha256),
    )
    .unwrap();
    (path_str(&path).to_string(), sha256)
}

#[test]
fn the_sum_is_checked_and_without_a_keyring_the_result_says_the_signature_was_not() {
    let dir = scratch_dir("prov-sum");
    let (archive, _) = signed_chart(&dir, &key(1, "Chart Signer <signer@example.com>"));
    let (code, results, _) = scan_results(&[&archive]);
    assert_eq!(code, 0);
    assert_eq!(results[0]["state"], "available");
    assert_eq!(
        problems(&results[0]),
        [(
            "provenance-unverified".to_string(),
            format!(
                "{archive}.prov: its sum matches the archive; the signature was not checked (no \
                 --keyring)"
            )
        )]
    );
}

#[test]
fn a_keyring_verifies_the_signature() {
    let dir = scratch_dir("prov-keyring");
    let signer = key(1, "Chart Signer <signer@example.com>");
    let (archive, _) = signed_chart(&dir, &signer);
    // An armoured keyring holding the signer's public key, and a binary one holding another.
    let public = SignedPublicKey::from(signer.clone());
    let armoured = dir.join("signer.asc");
    fs::write(
        &armoured,
        public.to_armored_string(ArmorOptions::default()).unwrap(),
    )
    .unwrap();
    let stranger = SignedPublicKey::from(key(2, "Someone Else <else@example.com>"));
    let binary = dir.join("stranger.gpg");
    fs::write(&binary, stranger.to_bytes().unwrap()).unwrap();

    let (code, results, _) = scan_results(&["--keyring", path_str(&armoured), &archive]);
    assert_eq!(code, 0);
    assert_eq!(results[0]["state"], "available");
    assert_eq!(problems(&results[0]), []);

    let (code, results, _) = scan_results(&[
        "--keyring",
        path_str(&binary),
        "--fail-on",
        "problems",
        &archive,
    ]);
    assert_eq!(code, 1);
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(
        problems(&results[0]),
        [(
            "provenance-invalid".to_string(),
            format!("{archive}.prov: no key of the keyring made its signature")
        )]
    );
}

#[test]
fn an_archive_that_is_not_the_one_signed_is_corrupt() {
    let dir = scratch_dir("prov-swapped");
    let signer = key(1, "Chart Signer <signer@example.com>");
    let (archive, signed_sha256) = signed_chart(&dir, &signer);
    // Another archive saved under the signed one's name.
    let other = tgz_under_pkg(&[
        ("Chart.yaml", CHART_YAML),
        ("templates/deployment.yaml", &deployment("web", "evil:1")),
    ]);
    fs::write(&archive, &other).unwrap();
    let (_, results, _) = scan_results(&[&archive]);
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(
        problems(&results[0]),
        [(
            "provenance-mismatch".to_string(),
            format!(
                "{archive}.prov: it gives web-1.0.0.tgz the sum sha256:{signed_sha256}; the \
                 archive's is sha256:{}",
                sha256_hex(&other)
            )
        )]
    );
    // A .prov that is no signed message at all.
    fs::write(format!("{archive}.prov"), "files:\n  web-1.0.0.tgz: x\n").unwrap();
    let (_, results, _) = scan_results(&[&archive]);
    assert_eq!(results[0]["state"], "corrupt");
    assert_eq!(problems(&results[0])[0].0, "provenance-invalid");
}

#[test]
fn an_unreadable_keyring_is_a_usage_error() {
    let dir = scratch_dir("prov-bad-keyring");
    let (archive, _) = signed_chart(&dir, &key(1, "Chart Signer <signer@example.com>"));
    fs::write(dir.join("junk.gpg"), b"not a key").unwrap();
    for keyring in ["junk.gpg", "absent.gpg"] {
        let (code, stdout, stderr) =
            pkglens(&["scan", "--keyring", path_str(&dir.join(keyring)), &archive]);
        assert_eq!(code, 2, "{keyring}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("keyring"), "{stderr}");
    }
}
