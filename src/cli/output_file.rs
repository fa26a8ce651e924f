//! `-o/--output FILE`: the output is written to a temporary file beside FILE and renamed
//! over it only once complete, so a reader (a CI step) never sees half a file, even when
//! pkglens is killed mid-write.

use anyhow::Context;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Runs `write` on the `-o` FILE, which replaces its target only when `write` succeeds, or
/// on stdout, buffered: ndjson still flushes after each record, but a record is one write,
/// not one per line or JSON token.
pub fn write_output<T>(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match output {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let written = write(&mut file)?;
            file.commit()?;
            Ok(written)
        }
        None => write(&mut BufWriter::new(io::stdout().lock())),
    }
}

/// A file being written; it replaces its target only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file in the target's folder (a rename is atomic only within
    /// one file system).
    pub fn create(target: &Path) -> anyhow::Result<Self> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .with_context(|| format!("{} names no file", target.display()))?;
        let temp = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(Self {
            target: target.to_path_buf(),
            temp,
            file: Some(BufWriter::new(file)),
        })
    }

    /// Flushes the data to disk and renames the file over its target.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let Some(writer) = self.file.take() else {
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all().map(|_| file))
            .with_context(|| format!("cannot write {}", self.temp.display()))?;
        drop(file);
        fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(io::Error::other("output already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    /// An output that was never committed (an error on the way) leaves no file behind.
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}
