//! Archives built by the tests themselves (no binary fixtures), including hostile ones whose
//! entry names a well-behaved archiver would refuse to write.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{Read, Write};
use tar::{EntryType, Header};

/// `len` letters that gzip cannot shrink much (so an archive of them stays within the
/// expansion-ratio limit, and that limit is not what stops it), from a fixed linear
/// congruential sequence.
pub fn incompressible(len: usize) -> String {
    let mut state: u32 = 1;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + (state >> 16) as u8 % 26)
        })
        .collect()
}

/// One tar entry, its name and link target written raw into the header.
pub struct TarEntry<'a> {
    pub name: &'a [u8],
    pub kind: EntryType,
    pub link: Option<&'a str>,
    pub data: &'a [u8],
}

impl<'a> TarEntry<'a> {
    pub fn file(name: &'a str, data: &'a [u8]) -> Self {
        Self::raw_name(name.as_bytes(), data)
    }

    /// A file whose name may be any bytes (not UTF-8, say).
    pub fn raw_name(name: &'a [u8], data: &'a [u8]) -> Self {
        Self {
            name,
            kind: EntryType::Regular,
            link: None,
            data,
        }
    }

    pub fn link(name: &'a str, kind: EntryType, target: &'a str) -> Self {
        Self {
            name: name.as_bytes(),
            kind,
            link: Some(target),
            data: b"",
        }
    }
}

fn raw_header(name: &[u8], kind: EntryType, link: Option<&str>, size: u64) -> Header {
    let mut header = Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    if let Some(link) = link {
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    header
}

pub fn tar(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let header = raw_header(entry.name, entry.kind, entry.link, entry.data.len() as u64);
        builder.append(&header, entry.data).expect("tar entry");
    }
    builder.into_inner().expect("tar")
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

pub fn tgz(entries: &[TarEntry<'_>]) -> Vec<u8> {
    gzip(&tar(entries))
}

/// A tar.gz holding one file of `size` zero bytes, streamed so the test never holds it whole.
pub fn gzip_bomb(name: &str, size: u64) -> Vec<u8> {
    let encoder = GzEncoder::new(Vec::new(), Compression::default());
    let mut builder = tar::Builder::new(encoder);
    let header = raw_header(name.as_bytes(), EntryType::Regular, None, size);
    builder
        .append(&header, std::io::repeat(0).take(size))
        .expect("bomb entry");
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// A zip holding one file of `size` zero bytes.
pub fn zip_bomb(name: &str, size: u64) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(size > u64::from(u32::MAX));
    writer.start_file(name, options).expect("zip entry");
    std::io::copy(&mut std::io::repeat(0).take(size), &mut writer).expect("zip data");
    writer.finish().expect("zip").into_inner()
}

/// A zip of (name, content) entries; names are written as given, `..` included.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).expect("zip entry");
        writer.write_all(data).expect("zip data");
    }
    writer.finish().expect("zip").into_inner()
}

/// A small Deployment manifest using `image`.
pub fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {image}\n"
    )
}

/// A chart archive `NAME/` (chart NAME at `version`, appVersion 9.9) whose one template is a
/// Deployment of `nginx:1.27`.
pub fn deployment_chart_tgz(name: &str, version: &str) -> Vec<u8> {
    let chart_yaml =
        format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"9.9\"\n");
    let template = deployment(name, "nginx:1.27");
    tgz(&[
        TarEntry::file(&format!("{name}/Chart.yaml"), chart_yaml.as_bytes()),
        TarEntry::file(
            &format!("{name}/templates/deployment.yaml"),
            template.as_bytes(),
        ),
    ])
}

/// A tar.gz of `(path under pkg/, content)` files.
pub fn tgz_under_pkg(files: &[(&str, &str)]) -> Vec<u8> {
    let names: Vec<String> = files.iter().map(|(p, _)| format!("pkg/{p}")).collect();
    let entries: Vec<TarEntry<'_>> = names
        .iter()
        .zip(files)
        .map(|(name, (_, text))| TarEntry::file(name, text.as_bytes()))
        .collect();
    tgz(&entries)
}

/// A chart archive `pkg/` (chart `pkg` 1.0.0) with the given values and templates.
pub fn chart_tgz(values: &str, templates: &[(&str, &str)]) -> Vec<u8> {
    let mut files = vec![
        (
            "Chart.yaml".to_string(),
            "apiVersion: v2\nname: pkg\nversion: 1.0.0\n",
        ),
        ("values.yaml".to_string(), values),
    ];
    for (name, text) in templates {
        files.push((format!("templates/{name}"), text));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    tgz_under_pkg(&files)
}
