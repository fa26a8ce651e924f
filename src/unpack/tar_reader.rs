//! tar and tar.gz archives.

use super::{ArchiveFormat, Collector, UnpackError, Violation};
use flate2::read::MultiGzDecoder;
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;
use tar::EntryType;

/// Reads every entry of a tar stream (gzip-compressed when `gzipped`) into `collector`.
pub(super) fn read(
    bytes: &[u8],
    gzipped: bool,
    collector: &mut Collector<'_>,
) -> Result<(), UnpackError> {
    let format = if gzipped {
        ArchiveFormat::TarGz
    } else {
        ArchiveFormat::Tar
    };
    let exceeded = Rc::new(Cell::new(false));
    let stream: Box<dyn Read> = if gzipped {
        // Go's gzip reader (used by helm) reads concatenated members too, hence MultiGzDecoder.
        Box::new(BoundedReader {
            inner: MultiGzDecoder::new(bytes),
            remaining: collector.limits.expansion_budget(bytes.len() as u64),
            exceeded: Rc::clone(&exceeded),
        })
    } else {
        Box::new(bytes)
    };
    let errors = StreamErrors {
        format,
        compressed: bytes.len() as u64,
        ratio: collector.limits.max_expansion_ratio,
        exceeded,
    };
    let mut archive = tar::Archive::new(stream);
    let entries = archive.entries().map_err(|e| errors.classify(e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| errors.classify(e))?;
        let header = entry.header();
        let mtime = header.mtime().ok().and_then(|t| i64::try_from(t).ok());
        collector.count_entry(mtime)?;
        let entry_type = header.entry_type();
        let raw_path = entry.path_bytes().into_owned();
        let Ok(raw_path) = String::from_utf8(raw_path.clone()) else {
            collector.violation(Violation::NonUtf8Name(
                String::from_utf8_lossy(&raw_path).into_owned(),
            ));
            continue;
        };
        match entry_type {
            EntryType::Directory | EntryType::XGlobalHeader => {}
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                let Some(path) = collector.entry_path(&raw_path) else {
                    continue;
                };
                let budget = collector.budget_for(&path, entry.size())?;
                let mut data = Vec::new();
                (&mut entry)
                    .take(budget.saturating_add(1))
                    .read_to_end(&mut data)
                    .map_err(|e| errors.classify(e))?;
                collector.add_file(path, data)?;
            }
            EntryType::Symlink | EntryType::Link => {
                let Some(path) = collector.entry_path(&raw_path) else {
                    continue;
                };
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                // Symlink targets are relative to the link's folder, hard link targets to the root.
                collector.add_link(path, &target, entry_type == EntryType::Symlink);
            }
            _ => collector.violation(Violation::SpecialFile(raw_path)),
        }
    }
    Ok(())
}

/// Tells a read error caused by the expansion bound from a malformed archive.
struct StreamErrors {
    format: ArchiveFormat,
    compressed: u64,
    ratio: u64,
    exceeded: Rc<Cell<bool>>,
}

impl StreamErrors {
    fn classify(&self, err: io::Error) -> UnpackError {
        if self.exceeded.get() {
            UnpackError::ExpansionRatio {
                compressed: self.compressed,
                ratio: self.ratio,
            }
        } else {
            UnpackError::Malformed {
                format: self.format,
                reason: err.to_string(),
            }
        }
    }
}

/// Stops a decompressor after `remaining` bytes, flagging why, so a gzip bomb costs no memory.
struct BoundedReader<R> {
    inner: R,
    remaining: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // One probe byte tells a stream that ends exactly at the budget from one that goes on.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.exceeded.set(true);
                    Err(io::Error::other("decompressed size limit reached"))
                }
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.remaining -= n as u64;
        Ok(n)
    }
}
