//! Image stores (`scan --image-store`): what an air-gapped network carries the images in.
//!
//! - An OCI image layout (image-spec `image-layout.md`), a folder or a tar of one:
//!   `oci-layout`, `index.json` and `blobs/sha256/<hex>`. Each descriptor of `index.json` is
//!   one image; its names are the `io.containerd.image.name` annotation (containerd and Docker
//!   write the full name there) and `org.opencontainers.image.ref.name` when that holds a full
//!   reference (`nginx:1.25`, `docker.io/library/nginx:1.25`, as skopeo writes it) rather than
//!   a bare tag. Its digest is the descriptor's: the manifest's, or the index's for a
//!   multi-arch image. The blob is read and hashed: a blob whose sha256 is not its name (or
//!   whose size is not the descriptor's) makes the image a defect, never a match.
//! - A `docker save` archive: `manifest.json` lists each image's `RepoTags`. Before Docker 25
//!   such an archive holds no manifest, so its images have no digest; Docker 25 and later also
//!   write the OCI layout beside it, and that side gives the digests.
//!
//! A tar is streamed, never held whole: only the layout's small files and the blobs that are
//! JSON documents (manifests, indexes, configs; never layers) are kept, within the limits
//! archives are read with (entries, file and total size, expansion). A plain tar's layers are
//! skipped by seeking past them.

use crate::files::FileTree;
use crate::image_ref::{self, ImageRef};
use crate::input::read::{self, ReadError};
use crate::input::sha256_hex;
use crate::unpack::{normalize_entry_path, ArchiveFormat, Limits, UnpackError, Violation};
use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Largest manifest or index read (registries refuse bigger manifests too: 4 MiB).
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// The layout's files that name the images.
const OCI_LAYOUT: &str = "oci-layout";
const OCI_INDEX: &str = "index.json";
const DOCKER_MANIFEST: &str = "manifest.json";
const BLOBS: &str = "blobs/sha256/";
/// containerd's (and Docker 25's) annotation for an image's full name.
const CONTAINERD_NAME: &str = "io.containerd.image.name";
/// The OCI annotation: a tag, or a full reference as skopeo and older containerd write it.
const OCI_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The tag Docker means when a reference names none.
const DEFAULT_TAG: &str = "latest";

/// Why a store cannot be read at all (the run stops: the flag names something unusable).
#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot be read.
    #[error("image store {path}: {reason}")]
    Unreadable {
        /// The store, as the flag named it.
        path: String,
        /// Why.
        reason: String,
    },
    /// An archive store cannot be unpacked.
    #[error("image store {path}: {source}")]
    Unpack {
        /// The store, as the flag named it.
        path: String,
        /// Why.
        source: UnpackError,
    },
    /// An archive store holds an unsafe entry.
    #[error("image store {path}: {source}")]
    Unsafe {
        /// The store, as the flag named it.
        path: String,
        /// The entry refused.
        source: Violation,
    },
    /// The path is neither an OCI image layout nor a `docker save` archive.
    #[error(
        "image store {0}: neither an OCI image layout (index.json) nor a docker save archive \
         (manifest.json)"
    )]
    NotAStore(String),
    /// A file of the store is not what its format says.
    #[error("image store {path}: {file} is not what it should be: {reason}")]
    Malformed {
        /// The store.
        path: String,
        /// The file inside it.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// One image a store holds under one name (or under none: a layout entry with a bare tag).
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredImage {
    /// The store, as the flag named it.
    store: String,
    name: Option<ImageRef>,
    /// `sha256:<hex>` of the manifest (or index); `None` in a pre-OCI `docker save` archive.
    digest: Option<String>,
    /// Why the image's content does not match its digest, when it does not.
    defect: Option<String>,
}

/// Every image of every `--image-store`, loaded once per run, in the order the flags name
/// the stores (the first store holding a reference answers for it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageStores {
    images: Vec<StoredImage>,
}

/// What the stores say about one reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held<'a> {
    /// A store holds it; the digest when the store knows one.
    Yes {
        /// The image's digest (`sha256:...`), when the store knows one.
        digest: Option<&'a str>,
    },
    /// A store holds it, but its content does not match its digest.
    Corrupt {
        /// The store, as the flag named it.
        store: &'a str,
        /// How its content differs from its digest.
        defect: &'a str,
    },
    /// No store holds it.
    No,
}

impl ImageStores {
    /// Reads every store `paths` names.
    pub fn load(paths: &[PathBuf], limits: &Limits) -> Result<Self, StoreError> {
        let mut images = Vec::new();
        for path in paths {
            images.extend(load_store(path, limits)?);
        }
        Ok(Self { images })
    }

    /// How many images (names) the stores hold.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether the stores hold no image.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Whether a store holds `reference` (normalised as Docker does): a reference pinned by a
    /// digest matches only that digest (in the same repository, or in an unnamed layout
    /// entry); otherwise registry, repository and tag (`latest` when none) must match.
    pub fn holds(&self, reference: &ImageRef) -> Held<'_> {
        let same_repository = |name: &ImageRef| {
            name.registry == reference.registry && name.repository == reference.repository
        };
        let found = match &reference.digest {
            Some(digest) => self.images.iter().find(|image| {
                image.digest.as_deref() == Some(digest.as_str())
                    && image.name.as_ref().is_none_or(same_repository)
            }),
            None => {
                let tag = reference.tag.as_deref().unwrap_or(DEFAULT_TAG);
                self.images.iter().find(|image| {
                    image.name.as_ref().is_some_and(|name| {
                        same_repository(name)
                            && name.digest.is_none()
                            && name.tag.as_deref().unwrap_or(DEFAULT_TAG) == tag
                    })
                })
            }
        };
        match found {
            None => Held::No,
            Some(StoredImage {
                store,
                defect: Some(defect),
                ..
            }) => Held::Corrupt { store, defect },
            Some(image) => Held::Yes {
                digest: image.digest.as_deref(),
            },
        }
    }
}

/// Where a store's files are: a folder on disk, or the kept files of a tar.
enum Content {
    Folder(PathBuf),
    Tar(FileTree),
}

impl Content {
    /// The file at `name` (a `/`-separated path inside the store), at most `limit` bytes;
    /// `None` when there is none.
    fn file(&self, store: &str, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            Content::Tar(tree) => Ok(tree.get(name).map(<[u8]>::to_vec)),
            Content::Folder(dir) => {
                let path = dir.join(name);
                match fs::metadata(&path) {
                    Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(err) => return Err(unreadable(store, format!("{name}: {err}"))),
                    Ok(meta) if !meta.is_file() => {
                        return Err(unreadable(store, format!("{name} is not a regular file")))
                    }
                    Ok(_) => {}
                }
                read::read_path(&path, limit)
                    .map(Some)
                    .map_err(|err| match err {
                        ReadError::TooLarge { limit } => unreadable(
                            store,
                            format!("{name} is larger than the limit of {limit} bytes"),
                        ),
                        other => unreadable(store, format!("{name}: {other}")),
                    })
            }
        }
    }
}

fn unreadable(store: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Unreadable {
        path: store.to_string(),
        reason: reason.into(),
    }
}

fn malformed(store: &str, file: &str, reason: impl ToString) -> StoreError {
    StoreError::Malformed {
        path: store.to_string(),
        file: file.to_string(),
        reason: reason.to_string(),
    }
}

/// The images of one store.
fn load_store(path: &Path, limits: &Limits) -> Result<Vec<StoredImage>, StoreError> {
    let store = path.display().to_string();
    let metadata = fs::metadata(path).map_err(|err| unreadable(&store, err.to_string()))?;
    let content = if metadata.is_dir() {
        Content::Folder(path.to_path_buf())
    } else {
        Content::Tar(read_tar(path, &store, limits)?)
    };
    let index = content.file(&store, OCI_INDEX, limits.max_file_size)?;
    let docker = content.file(&store, DOCKER_MANIFEST, limits.max_file_size)?;
    if index.is_none() && docker.is_none() {
        return Err(StoreError::NotAStore(store));
    }
    let mut images = Vec::new();
    if let Some(index) = index {
        if content
            .file(&store, OCI_LAYOUT, limits.max_file_size)?
            .is_none()
        {
            return Err(malformed(&store, OCI_LAYOUT, "missing beside index.json"));
        }
        let index: OciIndex =
            serde_json::from_slice(&index).map_err(|e| malformed(&store, OCI_INDEX, e))?;
        for descriptor in &index.manifests {
            let defect = check_blob(&content, &store, descriptor, limits)?;
            let names = names_of(&descriptor.annotations);
            let image = |name| StoredImage {
                store: store.clone(),
                name,
                digest: Some(descriptor.digest.clone()),
                defect: defect.clone(),
            };
            if names.is_empty() {
                images.push(image(None));
            }
            images.extend(names.into_iter().map(|name| image(Some(name))));
        }
    }
    if let Some(docker) = docker {
        let entries: Vec<DockerSaveEntry> =
            serde_json::from_slice(&docker).map_err(|e| malformed(&store, DOCKER_MANIFEST, e))?;
        let tags = entries
            .into_iter()
            .flat_map(|e| e.repo_tags.unwrap_or_default());
        for name in tags.filter_map(|tag| image_ref::parse(&tag).ok()) {
            // The OCI side of a Docker 25 archive names the same images, with their digests.
            if !images.iter().any(|i| i.name.as_ref() == Some(&name)) {
                images.push(StoredImage {
                    store: store.clone(),
                    name: Some(name),
                    digest: None,
                    defect: None,
                });
            }
        }
    }
    Ok(images)
}

/// `index.json`: the image index at the top of a layout.
#[derive(Debug, Deserialize)]
struct OciIndex {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

/// An OCI content descriptor.
#[derive(Debug, Deserialize)]
struct Descriptor {
    digest: String,
    size: Option<u64>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// One image of a `docker save` archive's `manifest.json`.
#[derive(Debug, Deserialize)]
struct DockerSaveEntry {
    #[serde(rename = "RepoTags")]
    repo_tags: Option<Vec<String>>,
}

/// The names a layout entry's annotations give it: containerd's full name, and the OCI
/// ref name when it is a full reference (it holds a `/`, `:` or `@`; a bare word is a tag).
fn names_of(annotations: &BTreeMap<String, String>) -> Vec<ImageRef> {
    let full_ref_name = annotations
        .get(OCI_REF_NAME)
        .filter(|name| name.contains(['/', ':', '@']));
    let mut names: Vec<ImageRef> = Vec::new();
    for name in [annotations.get(CONTAINERD_NAME), full_ref_name]
        .into_iter()
        .flatten()
    {
        if let Ok(parsed) = image_ref::parse(name) {
            if !names.contains(&parsed) {
                names.push(parsed);
            }
        }
    }
    names
}

/// Why the blob a descriptor names does not hold what the descriptor says, if it does not.
fn check_blob(
    content: &Content,
    store: &str,
    descriptor: &Descriptor,
    limits: &Limits,
) -> Result<Option<String>, StoreError> {
    let digest = &descriptor.digest;
    let Some(hex) = digest
        .strip_prefix("sha256:")
        .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return Ok(Some(format!(
            "descriptor digest {digest:?} is not a sha256 digest"
        )));
    };
    let limit = MAX_MANIFEST_BYTES.min(limits.max_file_size);
    let Some(blob) = content.file(store, &format!("{BLOBS}{hex}"), limit)? else {
        return Ok(Some(format!(
            "the manifest blob of {digest} is not in the store"
        )));
    };
    let actual = sha256_hex(&blob);
    if actual != hex {
        return Ok(Some(format!(
            "the manifest blob named {digest} hashes to sha256:{actual}"
        )));
    }
    Ok(descriptor
        .size
        .filter(|&size| size != blob.len() as u64)
        .map(|size| {
            format!(
                "the manifest blob of {digest} holds {} bytes, its descriptor says {size}",
                blob.len()
            )
        }))
}

/// Whether a tar entry is worth keeping: the layout's files, and blobs small enough to be a
/// manifest that open as a JSON document (layers are compressed or tar data).
fn kept(name: &str) -> Kept {
    if [OCI_LAYOUT, OCI_INDEX, DOCKER_MANIFEST].contains(&name) {
        Kept::Whole
    } else if name
        .strip_prefix(BLOBS)
        .is_some_and(|hex| !hex.contains('/'))
    {
        Kept::IfJson
    } else {
        Kept::No
    }
}

enum Kept {
    Whole,
    IfJson,
    No,
}

/// The files of a store tar worth keeping (see [`kept`]), streamed within `limits`.
fn read_tar(path: &Path, store: &str, limits: &Limits) -> Result<FileTree, StoreError> {
    let io_error = |err: io::Error| unreadable(store, err.to_string());
    let mut file = File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    let mut head = Vec::with_capacity(512);
    (&mut file)
        .take(512)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    match ArchiveFormat::sniff(&head) {
        Some(ArchiveFormat::Tar) => {
            let mut archive = tar::Archive::new(file);
            let entries = archive.entries_with_seek().map_err(io_error)?;
            collect_entries(entries, store, limits)
        }
        Some(ArchiveFormat::TarGz) => {
            let budget = size
                .saturating_mul(limits.max_expansion_ratio)
                .max(limits.max_total_size);
            let mut decompressed = MultiGzDecoder::new(BufReader::new(file)).take(budget);
            let result = tar::Archive::new(&mut decompressed)
                .entries()
                .map_err(io_error)
                .and_then(|entries| collect_entries(entries, store, limits));
            match result {
                // The stream stopped at the expansion bound: tar saw only a truncated archive.
                Err(StoreError::Unreadable { .. }) if decompressed.limit() == 0 => {
                    Err(StoreError::Unpack {
                        path: store.to_string(),
                        source: UnpackError::ExpansionRatio {
                            compressed: size,
                            ratio: limits.max_expansion_ratio,
                        },
                    })
                }
                other => other,
            }
        }
        _ => Err(StoreError::NotAStore(store.to_string())),
    }
}

/// Keeps the entries [`kept`] selects, charging entries and kept bytes to `limits`.
fn collect_entries<R: Read>(
    entries: tar::Entries<'_, R>,
    store: &str,
    limits: &Limits,
) -> Result<FileTree, StoreError> {
    let unpack_error = |source| StoreError::Unpack {
        path: store.to_string(),
        source,
    };
    let stream_error = |err: io::Error| unreadable(store, format!("not a readable tar: {err}"));
    let mut tree = FileTree::new();
    let mut count = 0usize;
    let mut total = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(stream_error)?;
        count += 1;
        if count > limits.max_entries {
            return Err(unpack_error(UnpackError::TooManyEntries {
                limit: limits.max_entries,
            }));
        }
        if !matches!(
            entry.header().entry_type(),
            tar::EntryType::Regular | tar::EntryType::Continuous
        ) {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = normalize_entry_path(&raw).map_err(|source| StoreError::Unsafe {
            path: store.to_string(),
            source,
        })?;
        let size = entry.size();
        let limit = match kept(&name) {
            Kept::No => continue,
            Kept::Whole => limits.max_file_size,
            Kept::IfJson if size > MAX_MANIFEST_BYTES.min(limits.max_file_size) => continue,
            Kept::IfJson => MAX_MANIFEST_BYTES.min(limits.max_file_size),
        };
        if size > limit {
            return Err(unpack_error(UnpackError::FileTooLarge {
                path: name,
                limit,
            }));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(1)
            .read_to_end(&mut data)
            .map_err(stream_error)?;
        if matches!(kept(&name), Kept::IfJson) && data.first() != Some(&b'{') {
            continue;
        }
        (&mut entry)
            .take(limit)
            .read_to_end(&mut data)
            .map_err(stream_error)?;
        total += data.len() as u64;
        if total > limits.max_total_size {
            return Err(unpack_error(UnpackError::TotalTooLarge {
                limit: limits.max_total_size,
            }));
        }
        if tree.insert(name.clone(), data).is_some() {
            return Err(StoreError::Unsafe {
                path: store.to_string(),
                source: Violation::DuplicateEntry(name),
            });
        }
    }
    Ok(tree)
}
