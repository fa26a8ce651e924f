//! Provenance files (`<chart>.tgz.prov`, as `helm package --sign` writes them): an OpenPGP
//! clear-signed message whose text is the chart's Chart.yaml, a `...` line, and a `files:`
//! mapping from the archive's file name to `sha256:<hex>`.
//!
//! The sum is checked against the archive. With `--keyring FILE` (a GnuPG public keyring, binary
//! or ASCII-armoured, as `helm verify --keyring` takes) the signature is verified against its keys
//! with rPGP (the `pgp` crate: a maintained, pure-Rust OpenPGP implementation of RFC 9580 and
//! 4880); without a keyring the result says the signature was not checked.

use crate::input::read;
use pgp::composed::{CleartextSignedMessage, PublicOrSecret, SignedPublicKey};
use std::path::Path;
use thiserror::Error;
use yaml_rust2::{Yaml, YamlLoader};

/// The suffix a provenance file adds to its archive's name.
pub const PROVENANCE_SUFFIX: &str = ".prov";
/// Largest provenance file or keyring read.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Why a `--keyring` cannot be used.
#[derive(Debug, Error)]
pub enum KeyringError {
    /// The keyring cannot be read or holds no usable key.
    #[error("keyring {path}: {reason}")]
    Unreadable {
        /// The keyring, as the flag named it.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The public keys of `--keyring`.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<SignedPublicKey>,
}

impl Keyring {
    /// Reads every public key (a secret key counts as its public half) of a keyring file.
    pub fn load(path: &Path) -> Result<Self, KeyringError> {
        let unreadable = |reason: String| KeyringError::Unreadable {
            path: path.display().to_string(),
            reason,
        };
        let bytes = read::read_path(path, MAX_BYTES).map_err(|e| unreadable(e.to_string()))?;
        let (keys, _) =
            PublicOrSecret::from_reader_many(&bytes[..]).map_err(|e| unreadable(e.to_string()))?;
        let mut public = Vec::new();
        for key in keys {
            match key.map_err(|e| unreadable(e.to_string()))? {
                PublicOrSecret::Public(key) => public.push(key),
                PublicOrSecret::Secret(key) => public.push(SignedPublicKey::from(key)),
            }
        }
        if public.is_empty() {
            return Err(unreadable("holds no public key".into()));
        }
        Ok(Self { keys: public })
    }

    /// Whether a key of the keyring (a primary key or a subkey) made one of the signatures.
    fn verifies(&self, message: &CleartextSignedMessage) -> bool {
        self.keys.iter().any(|key| {
            message.verify(key).is_ok()
                || key
                    .public_subkeys
                    .iter()
                    .any(|subkey| message.verify(subkey).is_ok())
        })
    }
}

/// What a provenance file says about its archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The sum matches and a keyring key made the signature.
    Verified,
    /// The sum matches; no keyring was given, so the signature was not checked.
    SumOnly,
    /// The sum does not match, or the archive is not in `files:`.
    SumMismatch(String),
    /// The file is no provenance file, or no keyring key made its signature.
    Invalid(String),
}

/// Checks the provenance text `prov` of the archive named `file_name` whose sha256 is
/// `sha256`, verifying the signature when a keyring is given.
pub fn check(prov: &str, file_name: &str, sha256: &str, keyring: Option<&Keyring>) -> Verdict {
    let message = match CleartextSignedMessage::from_string(prov) {
        Ok((message, _)) => message,
        Err(err) => return Verdict::Invalid(format!("not a PGP clear-signed message: {err}")),
    };
    // The text as signed, dash-escaping undone (signed_text() would give it CRLF line ends).
    let text = message.text().replace("\r\n", "\n");
    let Some(files) = files_section(&text) else {
        return Verdict::Invalid("its signed text has no `files:` section".into());
    };
    let listed = files
        .iter()
        .find(|(name, _)| name == file_name)
        .map(|(_, sum)| sum.as_str());
    match listed {
        None => {
            return Verdict::SumMismatch(format!("its `files:` do not list {file_name}"));
        }
        Some(sum) if !sum.eq_ignore_ascii_case(&format!("sha256:{sha256}")) => {
            return Verdict::SumMismatch(format!(
                "it gives {file_name} the sum {sum}; the archive's is sha256:{sha256}"
            ));
        }
        Some(_) => {}
    }
    match keyring {
        None => Verdict::SumOnly,
        Some(keyring) if keyring.verifies(&message) => Verdict::Verified,
        Some(_) => Verdict::Invalid("no key of the keyring made its signature".into()),
    }
}

/// The `files:` mapping of the signed text: the YAML document after the `...` line.
fn files_section(text: &str) -> Option<Vec<(String, String)>> {
    let (_, after) = text.split_once("\n...\n")?;
    let documents = YamlLoader::load_from_str(after).ok()?;
    let files = &documents.first()?["files"];
    let Yaml::Hash(files) = files else {
        return None;
    };
    Some(
        files
            .iter()
            .filter_map(|(name, sum)| Some((name.as_str()?.to_string(), sum.as_str()?.to_string())))
            .collect(),
    )
}
