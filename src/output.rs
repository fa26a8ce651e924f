//! Printing ScanResults: a JSON array, NDJSON streamed one result per line, a table, a JSON
//! array of Astra Packages, or the list of images a mirror needs.

use crate::records::astra::astra_package;
use crate::records::ScanResult;
use crate::terminal;
use std::collections::BTreeSet;
use std::io::{self, Write};

/// Which images `--format images` lists besides the pod specs' own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSelection {
    /// The candidate images (`--no-candidates` leaves them out).
    pub candidates: bool,
    /// Images only Helm tests use (`--include-tests`).
    pub tests: bool,
}

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON array of ScanResults (pretty-printed).
    Json,
    /// One ScanResult per line, written as soon as it is ready.
    Ndjson,
    /// A human summary, one row per package.
    Table,
    /// One JSON array of Astra Control Packages, one per ScanResult.
    Astra,
    /// The distinct image references of every result, sorted, one a line: a mirror's input.
    Images(ImageSelection),
}

/// Writes results in a format; call [`ResultWriter::write`] per result, then [`ResultWriter::finish`].
pub struct ResultWriter<W: Write> {
    format: Format,
    out: W,
    /// Results held back by the formats that print only at the end.
    held: Vec<ScanResult>,
    /// The references `Format::Images` prints at the end.
    images: BTreeSet<String>,
}

impl<W: Write> ResultWriter<W> {
    /// A writer of `format` to `out`.
    pub fn new(format: Format, out: W) -> Self {
        Self {
            format,
            out,
            held: Vec::new(),
            images: BTreeSet::new(),
        }
    }

    /// Writes one result (NDJSON at once; the other formats hold it until [`ResultWriter::finish`]).
    pub fn write(&mut self, result: ScanResult) -> io::Result<()> {
        match self.format {
            Format::Ndjson => {
                serde_json::to_writer(&mut self.out, &result)?;
                self.out.write_all(b"\n")?;
                self.out.flush()
            }
            Format::Images(selection) => {
                let needed = result.needed_images(selection.candidates, selection.tests);
                self.images.extend(needed.into_iter().map(str::to_string));
                Ok(())
            }
            Format::Json | Format::Table | Format::Astra => {
                self.held.push(result);
                Ok(())
            }
        }
    }

    /// Writes what the format holds back and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        match self.format {
            Format::Ndjson => {}
            Format::Json => {
                serde_json::to_writer_pretty(&mut self.out, &self.held)?;
                self.out.write_all(b"\n")?;
            }
            Format::Table => write_table(&mut self.out, &self.held)?,
            Format::Astra => {
                let packages: Vec<_> = self.held.iter().map(astra_package).collect();
                serde_json::to_writer_pretty(&mut self.out, &packages)?;
                self.out.write_all(b"\n")?;
            }
            // References hold no whitespace or control characters: the parser refuses them.
            Format::Images(_) => {
                for reference in &self.images {
                    writeln!(self.out, "{reference}")?;
                }
            }
        }
        self.out.flush()
    }
}

const TABLE_HEADER: [&str; 8] = [
    "STATE",
    "SYSTEM",
    "TITLE",
    "VERSION",
    "COMPONENTS",
    "IMAGES",
    "PROBLEMS",
    "SOURCE",
];

/// One table row, every cell escaped for the terminal (titles and paths come from the input).
fn table_row(result: &ScanResult) -> [String; 8] {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("-").to_string();
    let state = serde_json::to_value(result.state).unwrap_or_default();
    let system = serde_json::to_value(result.system).unwrap_or_default();
    let source = match &result.source.entry {
        Some(entry) => format!("{}#{entry}", result.source.path),
        None => result.source.path.clone(),
    };
    [
        text(&state),
        text(&system),
        result
            .package
            .as_ref()
            .map_or("-".into(), |p| p.title.clone()),
        result
            .release
            .as_ref()
            .and_then(|r| r.version.clone())
            .unwrap_or_else(|| "-".into()),
        result.components.len().to_string(),
        result.images.len().to_string(),
        result.problems.len().to_string(),
        source,
    ]
    .map(|cell| terminal::escape(&cell).into_owned())
}

/// The images of a package for the table, sorted: its pod specs' images, then its candidate
/// images marked `(candidate)`; those only Helm tests use are marked `(test)`.
fn image_lines(result: &ScanResult) -> Vec<String> {
    let mark = |reference: &str, candidate: bool, only_in_tests: bool| {
        let candidate = if candidate { " (candidate)" } else { "" };
        let test = if only_in_tests { " (test)" } else { "" };
        format!("{reference}{candidate}{test}")
    };
    let images: BTreeSet<String> = result
        .images
        .iter()
        .map(|i| mark(&i.reference, false, i.only_in_tests()))
        .collect();
    let candidates: BTreeSet<String> = result
        .candidate_images
        .iter()
        .map(|c| mark(&c.reference, true, c.only_in_tests()))
        .collect();
    images.into_iter().chain(candidates).collect()
}

fn write_table(out: &mut impl Write, results: &[ScanResult]) -> io::Result<()> {
    let header = TABLE_HEADER.map(str::to_string);
    let rows: Vec<[String; 8]> = std::iter::once(header)
        .chain(results.iter().map(table_row))
        .collect();
    let mut widths = [0usize; 8];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for (at, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "{line}")?;
        if let Some(result) = at.checked_sub(1).and_then(|i| results.get(i)) {
            for image in image_lines(result) {
                writeln!(out, "  {image}")?;
            }
        }
    }
    for result in results {
        for problem in &result.problems {
            writeln!(
                out,
                "{}: {}: {}",
                terminal::escape(&result.source.path),
                terminal::escape(&problem.title),
                terminal::escape(&problem.detail)
            )?;
        }
    }
    Ok(())
}
