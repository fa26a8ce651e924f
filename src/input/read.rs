//! Reading input bytes so that no input can block the scan or outgrow its limit.
//!
//! Files are opened with `O_NONBLOCK`: a FIFO with no writer then opens at once instead of
//! waiting forever for one, and reading it fails ([`ReadError::NoWriter`]). Every read is
//! bounded by a byte limit whatever the metadata says (`/dev/zero` and `/proc` files report 0
//! bytes), and a pipe that stops sending data for [`IDLE_LIMIT`] ends the read.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};
use thiserror::Error;

/// How long a pipe may stay silent before its read is given up.
pub const IDLE_LIMIT: Duration = Duration::from_secs(10);

/// Why a bounded read failed.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The read failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// More bytes arrived than the limit allows.
    #[error("input is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A pipe stayed silent longer than the idle limit.
    #[error("no data arrived for {} seconds", IDLE_LIMIT.as_secs())]
    Idle,
    /// A FIFO no process writes to.
    #[error("no process has the FIFO open for writing: nothing to read")]
    NoWriter,
}

impl ReadError {
    /// The error as an I/O error, for callers that word every failed read alike.
    pub fn into_io(self) -> io::Error {
        match self {
            ReadError::Io(io) => io,
            other => io::Error::other(other),
        }
    }
}

/// Opens `path` for reading without waiting for a FIFO's writer.
pub fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Reads the file at `path` (a regular file or a pipe) to its end, at most `limit` bytes.
pub fn read_path(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut file = open_nonblocking(path)?;
    let metadata = file.metadata()?;
    // The size the metadata tells (0 for pipes and `/proc` files) sizes the buffer at once.
    let capacity = usize::try_from(metadata.len().min(limit)).unwrap_or(0);
    let mut writer_seen = !metadata.file_type().is_fifo();
    let data = fill_bounded(
        &mut file,
        limit,
        Vec::with_capacity(capacity),
        &mut writer_seen,
    )?;
    // A FIFO read without a writer ends at once, as if empty: that is no input.
    if !writer_seen {
        return Err(ReadError::NoWriter);
    }
    Ok(data)
}

/// Reads `reader` to its end, refusing more than `limit` bytes. A non-blocking reader that
/// has nothing yet is polled until data comes, for at most [`IDLE_LIMIT`] of silence.
/// Bytes go straight into the returned buffer (no zeroed bounce buffer per read).
pub fn read_bounded(reader: &mut impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    fill_bounded(reader, limit, Vec::new(), &mut true)
}

/// [`read_bounded`] into `data` (empty, perhaps with capacity reserved). `writer_seen` is set
/// once the reader has given data or had to wait for it: a pipe with a writer at the other
/// end does one or the other before its end.
fn fill_bounded(
    reader: &mut impl Read,
    limit: u64,
    mut data: Vec<u8>,
    writer_seen: &mut bool,
) -> Result<Vec<u8>, ReadError> {
    let mut last_data = Instant::now();
    loop {
        let before = data.len();
        let room = limit.saturating_sub(before as u64);
        let mut read = reader.by_ref().take(room).read_to_end(&mut data);
        *writer_seen |= data.len() > before;
        if read.is_ok() && data.len() as u64 == limit {
            // A read past the limit tells an input over it from one exactly at it: a block,
            // as files of records (`/proc/*/pagemap`) refuse a read shorter than one.
            read = loop {
                match reader.read(&mut [0u8; 512]) {
                    Ok(0) => break Ok(0),
                    Ok(_) => return Err(ReadError::TooLarge { limit }),
                    // A signal during the read is no failure: read_to_end retries it too.
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => break Err(err),
                }
            };
        }
        match read {
            Ok(_) => return Ok(data),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                *writer_seen = true;
                let now = Instant::now();
                if data.len() > before {
                    last_data = now;
                } else if now.duration_since(last_data) > IDLE_LIMIT {
                    return Err(ReadError::Idle);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(err) => return Err(err.into()),
        }
    }
}

/// What a path is, following symlinks, for the kinds an input treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// A FIFO or pipe: read once, as a stream.
    Pipe,
    /// A device or socket: never read.
    Device,
}

/// Whether `metadata` is a pipe or a device rather than a regular file or folder.
pub fn special_kind(metadata: &fs::Metadata) -> Option<Special> {
    let kind = metadata.file_type();
    if kind.is_fifo() {
        Some(Special::Pipe)
    } else if kind.is_char_device() || kind.is_block_device() || kind.is_socket() {
        Some(Special::Device)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_limit_whatever_the_source() {
        let mut zeros = io::repeat(0);
        assert!(matches!(
            read_bounded(&mut zeros, 1000),
            Err(ReadError::TooLarge { limit: 1000 })
        ));
        assert_eq!(read_bounded(&mut &b"abc"[..], 3).unwrap(), b"abc");
        assert!(read_bounded(&mut &b"abcd"[..], 3).is_err());
    }

    #[test]
    fn a_fifo_without_a_writer_is_no_input_and_one_with_a_writer_is_read() {
        let dir = std::env::temp_dir().join(format!("pkglens-fifo-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("f");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        assert!(matches!(read_path(&fifo, 100), Err(ReadError::NoWriter)));
        // A writer waiting in `open` for a reader (as `producer > fifo` does) is seen.
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::write(fifo, "abc"))
        };
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(read_path(&fifo, 100).unwrap(), b"abc");
        writer.join().unwrap().unwrap();
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn dev_zero_is_bounded_and_a_device() {
        let metadata = fs::metadata("/dev/zero").unwrap();
        assert_eq!(special_kind(&metadata), Some(Special::Device));
        assert!(matches!(
            read_path(Path::new("/dev/zero"), 4096),
            Err(ReadError::TooLarge { .. })
        ));
    }
}
