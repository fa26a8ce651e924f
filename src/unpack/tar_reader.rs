//! tar and tar.gz archives.

use super::{entry_buffer, ArchiveFormat, Collector, Limits, UnpackError, Violation};
use flate2::read::MultiGzDecoder;
use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};
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
    let mut archive = tar::Archive::new(ForwardSeek {
        inner: stream,
        position: 0,
    });
    let entries = archive
        .entries_with_seek()
        .map_err(|e| errors.classify(e))?;
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

/// A stream that "seeks" forward by reading and dropping bytes. The tar reader skips the
/// padding after each entry (and the data of entries not read) by seeking when it can; when it
/// cannot, it reads into a 32 KiB buffer it zeroes on every skip, which cost 2.5% of a corpus
/// scan's instructions for padding of at most 511 bytes.
struct ForwardSeek<R> {
    inner: R,
    /// Bytes read from `inner` so far: the position a seek reports.
    position: u64,
}

impl<R: Read> Read for ForwardSeek<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: Read> Seek for ForwardSeek<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let ahead = match to {
            SeekFrom::Current(delta) => u64::try_from(delta).ok(),
            SeekFrom::Start(at) => at.checked_sub(self.position),
            SeekFrom::End(_) => None,
        }
        .ok_or_else(|| io::Error::new(io::ErrorKind::Unsupported, "tar stream seeks backwards"))?;
        let mut dropped = [0u8; 512];
        let mut left = ahead;
        while left > 0 {
            let want = dropped
                .len()
                .min(usize::try_from(left).unwrap_or(usize::MAX));
            match self.read(&mut dropped[..want])? {
                0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "unexpected EOF during skip",
                    ))
                }
                n => left -= n as u64,
            }
        }
        Ok(self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_seeks_drop_bytes_and_report_the_position() {
        let mut stream = ForwardSeek {
            inner: &b"0123456789abcdefghij"[..],
            position: 0,
        };
        let mut two = [0u8; 2];
        stream.read_exact(&mut two).unwrap();
        assert_eq!(stream.seek(SeekFrom::Current(3)).unwrap(), 5);
        stream.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"56");
        assert_eq!(stream.seek(SeekFrom::Start(10)).unwrap(), 10);
        stream.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"ab");
        assert_eq!(stream.stream_position().unwrap(), 12);
        assert!(stream.seek(SeekFrom::Current(-1)).is_err());
        assert!(stream.seek(SeekFrom::Start(3)).is_err());
        assert!(stream.seek(SeekFrom::End(0)).is_err());
        let past_the_end = stream.seek(SeekFrom::Current(100)).unwrap_err();
        assert_eq!(past_the_end.kind(), io::ErrorKind::UnexpectedEof);
    }
}
