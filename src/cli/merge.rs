//! `pkglens merge`: the ndjson outputs of `scan --shard K/N` joined, in shard order, into what
//! one `scan` over all the inputs prints, in any of its record formats.

use super::output_file::write_output;
use super::scan::RecordOutputArgs;
use anyhow::Context;
use clap::Args;
use pkglens::budget::InputLimits;
use pkglens::gate::input_unreadable;
use pkglens::output::ResultWriter;
use pkglens::records::ScanResult;
use pkglens::terminal;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' ndjson outputs (`scan --shard K/N --format ndjson`), in shard order: 0/N
    /// first.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    // Formats as `scan` prints them (sarif needs `scan`'s gates and is refused).
    #[command(flatten)]
    pub out: RecordOutputArgs,
}

pub fn run(args: MergeArgs) -> ExitCode {
    match merge(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!(
                "pkglens merge: {}",
                terminal::escape_lines(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let format = args.out.records().context(
        "--format sarif reports gate failures, which only `scan --fail-on` checks; merge \
         prints records (json, ndjson, table, astra, images)",
    )?;
    let unreadable_input = write_output(args.out.output.as_deref(), |out| {
        write_merged(&args.shards, ResultWriter::new(format, out))
    })?;
    // As `scan` over the same inputs would exit.
    Ok(if unreadable_input {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes every record of every shard, in order; returns whether one says its input could
/// not be read.
fn write_merged<W: Write>(shards: &[PathBuf], mut writer: ResultWriter<W>) -> anyhow::Result<bool> {
    let mut unreadable_input = false;
    for shard in shards {
        for result in read_shard(shard)? {
            let result = result?;
            unreadable_input |= input_unreadable(&result);
            writer.write(result).context("cannot write the results")?;
        }
    }
    writer.finish().context("cannot write the results")?;
    Ok(unreadable_input)
}

/// The next line of `reader` without its line end, `None` at the end; a line of more than
/// `limit` bytes is an error. The buffer never grows past `limit`: what follows a full buffer
/// (its line end, or the file's end) is looked at in the reader's own buffer.
fn read_line_within(reader: &mut impl BufRead, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    if reader.take(limit).read_until(b'\n', &mut line)? == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
    } else if line.len() as u64 == limit {
        match reader.fill_buf()?.first() {
            None => {}
            Some(b'\n') => reader.consume(1),
            Some(_) => {
                return Err(std::io::Error::other(format!(
                    "a line longer than {limit} bytes"
                )))
            }
        }
    }
    Ok(Some(line))
}

/// The records of one shard file, one a line, read as they are needed. A line may be no
/// longer than what one input's renders may produce in all (`InputLimits::max_bytes`): no
/// record describes more, and a file with no line end (`/dev/zero`) is not read forever.
fn read_shard(
    path: &Path,
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<ScanResult>> + '_> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let limit = InputLimits::default().max_bytes;
    let mut reader = BufReader::new(file);
    let lines = std::iter::from_fn(move || {
        read_line_within(&mut reader, limit)
            .transpose()
            .map(|line| {
                line.and_then(|line| String::from_utf8(line).map_err(std::io::Error::other))
            })
    });
    Ok(lines.enumerate().filter_map(move |(number, line)| {
        let at = || format!("{} line {}", path.display(), number + 1);
        match line {
            Ok(line) if line.trim().is_empty() => None,
            Ok(line) => Some(
                serde_json::from_str(&line)
                    .with_context(|| format!("{}: not a ScanResult (ndjson from scan)", at())),
            ),
            Err(err) => Some(Err(err).with_context(|| format!("cannot read {}", at()))),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::read_line_within;

    /// A line of exactly the limit passes with its line end, in a buffer of the limit; one
    /// byte more is refused.
    #[test]
    fn a_line_may_hold_exactly_the_limit() {
        let mut text = &b"0123456789\nab\n0123456789x\n"[..];
        let line = read_line_within(&mut text, 10).unwrap().unwrap();
        assert_eq!(line, b"0123456789");
        assert!(line.capacity() <= 10, "{}", line.capacity());
        assert_eq!(read_line_within(&mut text, 10).unwrap().unwrap(), b"ab");
        let err = read_line_within(&mut text, 10).unwrap_err();
        assert_eq!(err.to_string(), "a line longer than 10 bytes");
        // Exactly the limit without a line end, at the end of the file.
        let mut last = &b"0123456789"[..];
        assert_eq!(
            read_line_within(&mut last, 10).unwrap().unwrap(),
            b"0123456789"
        );
        assert_eq!(read_line_within(&mut last, 10).unwrap(), None);
    }
}
