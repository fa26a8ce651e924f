//! tar and tar.gz archives.

use super::{entry_buffer, ArchiveFormat, Collector, Limits, UnpackError, Violation};
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
    let exceeded = Rc::new(Cell::new(None));
    let decompressed: Box<dyn Read> = if gzipped {
        // Go's gzip reader (used by helm) reads concatenated members too, hence MultiGzDecoder.
        Box::new(BoundedReader {
            inner: MultiGzDecoder::new(bytes),
            remaining: collector.limits.expansion_budget(bytes.len() as u64),
            bound: Bound::Expansion,
            exceeded: Rc::clone(&exceeded),
        })
    } else {
        Box::new(bytes)
    };
    // The tar reader holds GNU long-name and PAX header bodies in memory whole, before any
    // entry is seen: bounding the tar stream itself makes them count against the total size.
    let stream = BoundedReader {
        inner: decompressed,
        remaining: stream_budget(collector.limits),
        bound: Bound::Stream,
        exceeded: Rc::clone(&exceeded),
    };
    let errors = StreamErrors {
        format,
        compressed: bytes.len() as u64,
        limits: collector.limits,
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
                let mut data = entry_buffer(entry.size(), budget);
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

/// Most bytes of tar stream (headers, padding, metadata bodies and file data) read for an
/// archive: its content limit plus two blocks of headers and padding for every entry allowed.
fn stream_budget(limits: &Limits) -> u64 {
    const OVERHEAD_PER_ENTRY: u64 = 2 * 512;
    let entries = u64::try_from(limits.max_entries).unwrap_or(u64::MAX);
    limits
        .max_total_size
        .saturating_add(entries.saturating_mul(OVERHEAD_PER_ENTRY))
        .saturating_add(OVERHEAD_PER_ENTRY)
}

/// Which bound stopped a stream.
#[derive(Clone, Copy, Debug)]
enum Bound {
    /// The decompressor's expansion ratio.
    Expansion,
    /// The tar stream's size.
    Stream,
}

/// Tells a read error caused by a bound from a malformed archive.
struct StreamErrors<'l> {
    format: ArchiveFormat,
    compressed: u64,
    limits: &'l Limits,
    exceeded: Rc<Cell<Option<Bound>>>,
}

impl StreamErrors<'_> {
    fn classify(&self, err: io::Error) -> UnpackError {
        match self.exceeded.get() {
            Some(Bound::Expansion) => UnpackError::ExpansionRatio {
                compressed: self.compressed,
                ratio: self.limits.max_expansion_ratio,
            },
            Some(Bound::Stream) => UnpackError::TotalTooLarge {
                limit: self.limits.max_total_size,
            },
            None => UnpackError::Malformed {
                format: self.format,
                reason: err.to_string(),
            },
        }
    }
}

/// Stops a stream after `remaining` bytes, flagging why, so a gzip bomb or a giant header
/// body costs no memory.
struct BoundedReader<R> {
    inner: R,
    remaining: u64,
    bound: Bound,
    exceeded: Rc<Cell<Option<Bound>>>,
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // One probe byte tells a stream that ends exactly at the budget from one that goes on.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.exceeded.set(Some(self.bound));
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
