//! Reading archives (tar, tar.gz, zip) into a [`FileTree`] in memory, with safety limits.
//!
//! Nothing is ever written to disk. Entries that would escape the package (`..`, absolute
//! paths, links pointing outside) and special files (devices, fifos) are *violations*: they
//! are skipped and reported, and the package is then corrupt. Exceeding a resource limit
//! (entry count, file or total size, expansion ratio, nesting) stops reading at once.

mod entry_path;
mod tar_reader;
mod zip_reader;

use crate::files::FileTree;
use std::collections::{HashMap, HashSet};
use std::fmt;
use thiserror::Error;

pub(crate) use entry_path::normalize_entry_path;

/// Archive formats pkglens reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArchiveFormat {
    /// Plain tar.
    Tar,
    /// Gzipped tar (`.tgz`, `.tar.gz`).
    TarGz,
    /// Zip.
    Zip,
}

impl ArchiveFormat {
    /// The format a file name announces (`.tgz`, `.tar.gz`, `.tar`, `.zip`), case-insensitively.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tgz") || lower.ends_with(".tar.gz") {
            Some(Self::TarGz)
        } else if lower.ends_with(".tar") {
            Some(Self::Tar)
        } else if lower.ends_with(".zip") {
            Some(Self::Zip)
        } else {
            None
        }
    }

    /// The format the first bytes announce (gzip, zip or ustar magic); `None` when unknown.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Self::TarGz)
        } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Self::Zip)
        } else if bytes.len() >= 262 && &bytes[257..262] == b"ustar" {
            Some(Self::Tar)
        } else {
            None
        }
    }
}

/// Bounds on what one archive may hold. Helm itself refuses charts over 100 MiB decompressed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Most entries (files, folders, links) one archive may list.
    pub max_entries: usize,
    /// Largest single file, decompressed, in bytes.
    pub max_file_size: u64,
    /// Largest sum of all files, decompressed, in bytes.
    pub max_total_size: u64,
    /// Most bytes a compressed stream may expand to per compressed byte (beyond a small floor).
    pub max_expansion_ratio: u64,
    /// Deepest archive-in-archive nesting (a chart repository's chart holding subchart archives...).
    pub max_nesting: usize,
}

/// Links followed from one link before it counts as a loop.
const MAX_LINK_CHAIN: usize = 8;

/// Expansion below this many bytes is never judged by ratio: tiny archives compress very well.
const EXPANSION_RATIO_FLOOR: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_file_size: 20 * 1024 * 1024,
            max_total_size: 100 * 1024 * 1024,
            max_expansion_ratio: 200,
            max_nesting: 5,
        }
    }
}

impl Limits {
    /// Most decompressed bytes allowed from `compressed` bytes of input.
    fn expansion_budget(&self, compressed: u64) -> u64 {
        compressed
            .saturating_mul(self.max_expansion_ratio)
            .max(EXPANSION_RATIO_FLOOR)
    }
}

/// An entry that was skipped because it is unsafe; any violation makes the package corrupt.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Violation {
    /// A name with `..` that climbs out of the archive.
    #[error("entry {0:?} climbs out of the archive with '..'")]
    Traversal(String),
    /// An absolute name.
    #[error("entry {0:?} has an absolute path")]
    AbsolutePath(String),
    /// A link whose target lies outside the package.
    #[error("link {link:?} points outside the package (to {target:?})")]
    LinkOutside {
        /// The link's name.
        link: String,
        /// Where it points.
        target: String,
    },
    /// A link that leads round in a loop: to links that lead back (or down a longer chain
    /// than is followed), or to a folder holding the link itself.
    #[error("link {link:?} leads round in a loop, through {target:?}")]
    LinkLoop {
        /// The link's name.
        link: String,
        /// The link or folder it points to.
        target: String,
    },
    /// A device, FIFO or other special file.
    #[error("entry {0:?} is a device, fifo or other special file")]
    SpecialFile(String),
    /// A name that is not UTF-8.
    #[error("entry name {0:?} is not valid UTF-8")]
    NonUtf8Name(String),
    /// A name listed twice.
    #[error("entry {0:?} appears more than once")]
    DuplicateEntry(String),
}

/// A reason the archive could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnpackError {
    /// More entries than `max_entries`.
    #[error("archive holds more than {limit} entries")]
    TooManyEntries {
        /// The limit.
        limit: usize,
    },
    /// A file larger than `max_file_size`.
    #[error("file {path:?} is larger than the limit of {limit} bytes")]
    FileTooLarge {
        /// The file's name.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// More bytes in all than `max_total_size`.
    #[error("archive expands to more than the limit of {limit} bytes")]
    TotalTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A compressed stream expanding beyond `max_expansion_ratio` (a zip bomb).
    #[error("compressed stream of {compressed} bytes expands beyond {ratio}x its size")]
    ExpansionRatio {
        /// Compressed bytes read.
        compressed: u64,
        /// The ratio allowed.
        ratio: u64,
    },
    /// Archives nested deeper than `max_nesting`.
    #[error("archive nested more than {limit} levels deep")]
    NestedTooDeep {
        /// The limit.
        limit: usize,
    },
    /// The bytes are not an archive of the format (bad magic, truncation, broken compression).
    #[error("not a readable {format} archive: {reason}")]
    Malformed {
        /// The format the bytes were read as.
        format: ArchiveFormat,
        /// What is wrong with them.
        reason: String,
    },
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tar => "tar",
            Self::TarGz => "tar.gz",
            Self::Zip => "zip",
        })
    }
}

/// What reading an archive produced.
#[derive(Debug, Default)]
pub struct Unpacked {
    /// The archive's files.
    pub tree: FileTree,
    /// Newest entry modification time, in seconds since the Unix epoch.
    pub newest_mtime: Option<i64>,
    /// Unsafe entries that were skipped.
    pub violations: Vec<Violation>,
}

/// Reads `bytes` as an archive of `format`. `depth` is how many archives enclose this one
/// (0 for an input named by the user); deeper than `limits.max_nesting` is refused.
pub fn unpack(
    bytes: &[u8],
    format: ArchiveFormat,
    limits: &Limits,
    depth: usize,
) -> Result<Unpacked, UnpackError> {
    if depth > limits.max_nesting {
        return Err(UnpackError::NestedTooDeep {
            limit: limits.max_nesting,
        });
    }
    let mut collector = Collector::new(limits);
    match format {
        ArchiveFormat::Tar => tar_reader::read(bytes, false, &mut collector)?,
        ArchiveFormat::TarGz => tar_reader::read(bytes, true, &mut collector)?,
        ArchiveFormat::Zip => zip_reader::read(bytes, &mut collector)?,
    }
    collector.finish()
}

/// An empty buffer with room for an entry's declared size, never more than may be read.
/// Reserving spares the reads their doubling copies. A reservation the address space refuses
/// (many workers under a memory limit) only leaves the growing to the reads.
fn entry_buffer(declared: u64, readable: u64) -> Vec<u8> {
    let mut data = Vec::new();
    let room = usize::try_from(declared.min(readable)).unwrap_or(0);
    let _ = data.try_reserve_exact(room);
    data
}

/// Accumulates entries from either reader, enforcing the limits shared by all formats.
struct Collector<'a> {
    limits: &'a Limits,
    entries: usize,
    total: u64,
    unpacked: Unpacked,
    /// Symlinks and hard links inside the package: (link path, normalised target path).
    links: Vec<(String, String)>,
    /// Normalised paths of the files and links read so far.
    seen: HashSet<String>,
}

impl<'a> Collector<'a> {
    fn new(limits: &'a Limits) -> Self {
        Self {
            limits,
            entries: 0,
            total: 0,
            unpacked: Unpacked::default(),
            links: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Counts one entry of any type and records its mtime.
    fn count_entry(&mut self, mtime: Option<i64>) -> Result<(), UnpackError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(UnpackError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        if let Some(t) = mtime {
            self.unpacked.newest_mtime = Some(self.unpacked.newest_mtime.map_or(t, |n| n.max(t)));
        }
        Ok(())
    }

    /// Checks a declared size before reading; returns how many bytes may still be read.
    fn budget_for(&self, path: &str, declared: u64) -> Result<u64, UnpackError> {
        if declared > self.limits.max_file_size {
            return Err(UnpackError::FileTooLarge {
                path: path.to_string(),
                limit: self.limits.max_file_size,
            });
        }
        let remaining = self.limits.max_total_size.saturating_sub(self.total);
        if declared > remaining {
            return Err(UnpackError::TotalTooLarge {
                limit: self.limits.max_total_size,
            });
        }
        Ok(self.limits.max_file_size.min(remaining))
    }

    fn add_file(&mut self, path: String, data: Vec<u8>) -> Result<(), UnpackError> {
        self.budget_for(&path, data.len() as u64)?;
        self.total += data.len() as u64;
        self.unpacked.tree.insert(path, data);
        Ok(())
    }

    fn violation(&mut self, violation: Violation) {
        self.unpacked.violations.push(violation);
    }

    /// Checks a raw entry name; `None` (after recording a violation) when it is unsafe or empty.
    /// A second entry with the same path is a violation too: which copy a tool reads differs
    /// between tools, so the content would be ambiguous.
    fn entry_path(&mut self, raw: &str) -> Option<String> {
        match normalize_entry_path(raw) {
            Ok(path) if path.is_empty() => None,
            Ok(path) if !self.seen.insert(path.clone()) => {
                self.violation(Violation::DuplicateEntry(path));
                None
            }
            Ok(path) => Some(path),
            Err(violation) => {
                self.violation(violation);
                None
            }
        }
    }

    /// Records a link at `path` to `target` (relative to the link's folder, or to the archive
    /// root for hard links); a target outside the package is a violation.
    fn add_link(&mut self, path: String, target: &str, relative_to_link: bool) {
        let joined = if relative_to_link && !target.starts_with('/') {
            match path.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/{target}"),
                None => target.to_string(),
            }
        } else {
            target.to_string()
        };
        match normalize_entry_path(&joined) {
            Ok(resolved) if !resolved.is_empty() => self.links.push((path, resolved)),
            _ => self.violation(Violation::LinkOutside {
                link: path,
                target: target.to_string(),
            }),
        }
    }

    /// Gives each link inside the package the content of the file it points to, following a
    /// chain of links at most [`MAX_LINK_CHAIN`] links long; a link whose chain ends at a folder
    /// or at nothing is dropped, and one whose chain comes back to a link it passed (or runs
    /// longer than that) is a loop, a violation. Link copies count against the total size
    /// like files.
    fn finish(mut self) -> Result<Unpacked, UnpackError> {
        let links = std::mem::take(&mut self.links);
        let targets: HashMap<&str, &str> = links
            .iter()
            .map(|(link, target)| (link.as_str(), target.as_str()))
            .collect();
        for (link, target) in &links {
            match follow_chain(&self.unpacked.tree, &targets, link, target) {
                ChainEnd::File(file) => {
                    let data = self.unpacked.tree.get(file).map(<[u8]>::to_vec);
                    if let Some(data) = data {
                        self.add_file(link.clone(), data)?;
                    }
                }
                ChainEnd::Loop => self.unpacked.violations.push(Violation::LinkLoop {
                    link: link.clone(),
                    target: target.clone(),
                }),
                ChainEnd::Nothing => {}
            }
        }
        Ok(self.unpacked)
    }
}

/// Where a chain of links inside a package ends.
#[derive(Debug, PartialEq)]
enum ChainEnd<'a> {
    /// At a file of the package (unpacked from the archive, not itself a link).
    File(&'a str),
    /// Back at a link it passed, or past [`MAX_LINK_CHAIN`] links.
    Loop,
    /// At a folder or at nothing.
    Nothing,
}

/// Follows `link`, pointing at `target`, through the package's other links (`targets`: each
/// link's target) to where its chain ends.
fn follow_chain<'a>(
    tree: &FileTree,
    targets: &HashMap<&str, &'a str>,
    link: &str,
    target: &'a str,
) -> ChainEnd<'a> {
    let mut passed: HashSet<&str> = HashSet::from([link]);
    let mut at = target;
    for _ in 0..MAX_LINK_CHAIN {
        if tree.contains(at) {
            return ChainEnd::File(at);
        }
        let Some(next) = targets.get(at) else {
            return ChainEnd::Nothing;
        };
        if !passed.insert(at) {
            return ChainEnd::Loop;
        }
        at = next;
    }
    ChainEnd::Loop
}

#[cfg(test)]
mod tests {
    use super::entry_buffer;

    /// A buffer reserves what an entry declares, never more than may be read, and a declared
    /// size no address space holds leaves it empty instead of aborting the process.
    #[test]
    fn entry_buffers_reserve_the_declared_size_within_what_may_be_read() {
        assert!(entry_buffer(1000, 1 << 20).capacity() >= 1000);
        assert!(entry_buffer(1 << 40, 4096).capacity() < 8192);
        assert_eq!(entry_buffer(u64::MAX, u64::MAX).capacity(), 0);
    }
}
