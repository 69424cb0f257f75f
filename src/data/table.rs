//! Reading a file into a table of text columns through polars: delimited text (after
//! decoding and separator translation) or parquet. No types are inferred, so ids keep
//! their leading zeros and each bad value can be reported with its line.

use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use polars::prelude::*;

use super::error::{DataError, Place};
use super::sniff::{self, Separator};
use super::text;

/// Whether the first line is a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Sniff,
    Present,
    Absent,
}

/// A file read as text columns.
pub struct Table {
    pub frame: DataFrame,
    /// Column names: the header's as written (quote them with `text::quote_value` to
    /// show them), or `column 1`, `column 2`, … without one.
    pub names: Vec<String>,
    pub has_header: bool,
    /// The separator for delimited text; `None` for parquet.
    pub separator: Option<Separator>,
    /// True when the bytes were not UTF-8 and were read as Latin-1.
    pub latin1: bool,
    /// The 1-based line of each data row (text files only).
    lines: Option<Vec<usize>>,
    /// The separator the lines seem to use, when `--sep` gave another one.
    pub detected_separator: Option<Separator>,
    /// The first line with a non-empty field beyond the last column, if any.
    pub overlong: Option<Overlong>,
}

/// Lines with more fields than the table has columns (polars drops the extra fields).
#[derive(Debug, Clone, PartialEq)]
pub struct Overlong {
    /// The first such line, 1-based.
    pub line: usize,
    /// The 1-based position of its first extra field with a value, and that value.
    pub position: usize,
    pub value: String,
    /// How many lines have extra values.
    pub lines: usize,
}

impl Table {
    /// A table from text columns of equal length (for inputs polars does not parse).
    pub fn from_text_columns(
        path: &Path,
        names: Vec<String>,
        columns: Vec<Vec<Option<String>>>,
        lines: Option<Vec<usize>>,
    ) -> Result<Table, DataError> {
        let height = columns.first().map_or(0, Vec::len);
        let frame_columns = names
            .iter()
            .zip(columns)
            .map(|(name, values)| Column::new(PlSmallStr::from_str(name), values))
            .collect();
        let frame = DataFrame::new(height, frame_columns).map_err(|e| {
            DataError::malformed(path, format!("cannot build a table: {e}"), "check the file")
        })?;
        Ok(Table {
            frame,
            names,
            has_header: true,
            separator: None,
            latin1: false,
            lines,
            detected_separator: None,
            overlong: None,
        })
    }

    pub fn height(&self) -> usize {
        self.frame.height()
    }

    /// Where data row `row` (0-based) sits in the file.
    pub fn place(&self, row: usize) -> Place {
        match &self.lines {
            Some(lines) => lines
                .get(row)
                .map_or(Place::Row(row + 1), |&l| Place::Line(l)),
            None => Place::Row(row + 1),
        }
    }

    /// The text values of column `index`.
    pub fn column(&self, index: usize) -> Option<&StringChunked> {
        self.frame.columns().get(index).and_then(|c| c.str().ok())
    }

    /// A column as users read it: its name (with its position) or its position.
    pub fn column_label(&self, index: usize) -> String {
        if self.has_header {
            format!("{} {}", index + 1, text::quote_value(&self.names[index]))
        } else {
            format!("{}", index + 1)
        }
    }

    /// An error for values beyond the last column, which would otherwise be dropped
    /// unseen.
    pub fn check_overlong(&self, path: &Path) -> Result<(), DataError> {
        let Some(extra) = &self.overlong else {
            return Ok(());
        };
        let width = if self.has_header {
            format!("the header has {} columns", self.names.len())
        } else {
            format!("the first line has {} fields", self.names.len())
        };
        let others = match extra.lines {
            1 => "the only such line".to_string(),
            n => format!("{} lines are like it", n),
        };
        Err(DataError::malformed(
            path,
            format!(
                "line {}, field {}: {} is one field too many: {width} ({others})",
                extra.line,
                extra.position,
                text::quote_value(&extra.value)
            ),
            "fix or remove the line, or check the separator (--sep); extra fields are not \
             dropped silently",
        ))
    }

    /// The column names listed for an error message.
    pub fn list_columns(&self) -> String {
        if self.has_header {
            self.names
                .iter()
                .map(|n| text::quote_value(n))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("{} unnamed columns, no header", self.names.len())
        }
    }
}

/// Reads a ratings or metadata file: parquet or JSON by extension, delimited text
/// otherwise.
pub fn read(path: &Path, separator: Option<Separator>, header: Header) -> Result<Table, DataError> {
    if is_parquet(path) {
        return read_parquet(path);
    }
    let bytes = std::fs::read(path).map_err(|e| DataError::unreadable(path, e))?;
    check_text(path, &bytes)?;
    if super::json::is_json(path) {
        return super::json::read(path, &text::decode(&bytes));
    }
    read_delimited(path, &bytes, separator, header)
}

pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

/// How much of a file is looked at to tell text from binary data.
const TEXT_PROBE: usize = 8192;

/// Refuses bytes that are not text: a NUL byte (binary data, or UTF-16 text), or more
/// than one byte in ten a control character other than tab and line breaks.
fn check_text(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let probe = &bytes[..bytes.len().min(TEXT_PROBE)];
    let controls = probe
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
        .count();
    let nul = probe.iter().position(|&b| b == 0);
    if nul.is_none() && controls * 10 <= probe.len() {
        return Ok(());
    }
    let why = match nul {
        Some(at) => format!("it holds a NUL byte at offset {at}"),
        None => format!(
            "{controls} of its first {} bytes are control characters",
            probe.len()
        ),
    };
    Err(DataError::malformed(
        path,
        format!("not a text file ({why})"),
        "give delimited text (CSV, TSV, '::'), JSON lines or parquet; text in UTF-16 must \
         be saved as UTF-8",
    ))
}

/// One logical record of a text file and the line it starts on.
struct Record<'a> {
    line: usize,
    text: &'a str,
}

/// Splits text into non-blank records, dropping `\r` line ends; with `quotes`, a line
/// break inside double quotes continues the record.
fn records(text: &str, quotes: bool) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 1;
    let mut start_line = 1;
    let mut quoted = false;
    let bytes = text.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        if quotes && b == b'"' {
            quoted = !quoted;
        }
        if b == b'\n' {
            if !quoted {
                push_record(&mut out, &text[start..at], start_line);
                start = at + 1;
                start_line = line + 1;
            }
            line += 1;
        }
    }
    push_record(&mut out, &text[start..], start_line);
    out
}

fn push_record<'a>(out: &mut Vec<Record<'a>>, raw: &'a str, line: usize) {
    let text = raw.strip_suffix('\r').unwrap_or(raw);
    if !text.trim().is_empty() {
        out.push(Record { line, text });
    }
}

/// A byte absent from the text, to stand for `::` before polars reads it.
fn unused_byte(text: &str) -> Option<u8> {
    [0x1f, 0x1e, 0x1d, 0x1c, 0x01, 0x02, 0x03]
        .into_iter()
        .find(|&b| !text.as_bytes().contains(&b))
}

fn read_delimited(
    path: &Path,
    bytes: &[u8],
    separator: Option<Separator>,
    header: Header,
) -> Result<Table, DataError> {
    let latin1 = text::is_latin1(bytes);
    let decoded = text::decode(bytes);
    let sample: Vec<&str> = decoded
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if sample.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
            hint: "the file holds no lines; give a file with one rating per line".to_string(),
        });
    }
    let sniffed = sniff::sniff_separator(&sample);
    if separator == Some(Separator::Byte(b':')) && sniffed == Some(Separator::DoubleColon) {
        return Err(DataError::malformed(
            path,
            format!(
                "--sep ':' splits each '::' into two separators with an empty field between \
                 (line 1: {})",
                text::quote_value(sample[0])
            ),
            "did you mean --sep '::'? (or leave --sep out to have it detected)",
        ));
    }
    let detected_separator = sniffed.filter(|s| separator.is_some_and(|given| given != *s));
    let separator = match separator.or(sniffed) {
        Some(sep) => sep,
        None => {
            return Err(DataError::malformed(
                path,
                format!(
                    "line 1: {} has no field separator (tried tab, comma, semicolon, pipe, '::')",
                    text::quote_value(sample[0])
                ),
                "use --sep to give the separator",
            ));
        }
    };
    // Quoting is a comma (and semicolon) convention; tab-, pipe- and '::'-separated
    // files such as Last.fm's artists.dat use quotes as plain characters.
    let quotes = matches!(separator, Separator::Byte(b',' | b';'));
    let records = records(&decoded, quotes);

    let has_header = match header {
        Header::Present => true,
        Header::Absent => false,
        Header::Sniff => {
            let first = separator.split(records[0].text, quotes);
            let second = records.get(1).map(|r| separator.split(r.text, quotes));
            sniff::looks_like_header(&first, second.as_deref())
        }
    };

    // Rebuild the text polars reads: one record per line, `::` as a single byte.
    let (polars_sep, buffer) = match separator {
        Separator::Byte(b) => (b, join_records(&records, None)),
        Separator::DoubleColon => {
            let byte = unused_byte(&decoded).ok_or_else(|| {
                DataError::malformed(
                    path,
                    "the file uses every byte that could stand for '::'",
                    "convert the file to a single-byte separator such as tab",
                )
            })?;
            (byte, join_records(&records, Some(byte)))
        }
    };
    let mut lines: Vec<usize> = records.iter().map(|r| r.line).collect();
    if has_header {
        lines.remove(0);
    }

    let frame = parse_with_polars(buffer, polars_sep, quotes, has_header).map_err(|e| {
        DataError::malformed(
            path,
            format!(
                "cannot parse as {} text: {}",
                separator.describe(),
                text::escape_controls(first_line(&e.to_string()))
            ),
            "check the separator (--sep) and that quotes are balanced",
        )
    })?;

    let names = if has_header {
        frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    } else {
        (1..=frame.width()).map(|k| format!("column {k}")).collect()
    };
    let data_records = &records[usize::from(has_header)..];
    let overlong = find_overlong(data_records, separator, quotes, frame.width());
    // Should polars split records differently (quotes), fall back to row numbers.
    let lines = (frame.height() == lines.len()).then_some(lines);
    Ok(Table {
        frame,
        names,
        has_header,
        separator: Some(separator),
        latin1,
        lines,
        detected_separator,
        overlong,
    })
}

/// Records with a non-empty field beyond `width` columns (empty ones, as left by a
/// trailing separator, are harmless). Separators are counted first, so that only
/// suspicious lines are split.
fn find_overlong(
    records: &[Record<'_>],
    separator: Separator,
    quotes: bool,
    width: usize,
) -> Option<Overlong> {
    let mut found: Option<Overlong> = None;
    for record in records {
        let separators = match separator {
            Separator::DoubleColon => record.text.matches("::").count(),
            Separator::Byte(b) => sniff::count_outside_quotes(record.text, b),
        };
        if separators < width {
            continue;
        }
        let fields = separator.split(record.text, quotes);
        let Some((at, value)) = fields
            .iter()
            .enumerate()
            .skip(width)
            .find(|(_, f)| !f.trim().is_empty())
        else {
            continue;
        };
        match &mut found {
            Some(first) => first.lines += 1,
            None => {
                found = Some(Overlong {
                    line: record.line,
                    position: at + 1,
                    value: value.clone(),
                    lines: 1,
                })
            }
        }
    }
    found
}

/// Every column as text: no schema inference, so `0120735` stays `0120735`.
fn parse_with_polars(
    buffer: Vec<u8>,
    separator: u8,
    quotes: bool,
    has_header: bool,
) -> PolarsResult<DataFrame> {
    let parse_options = CsvParseOptions::default()
        .with_separator(separator)
        .with_quote_char(quotes.then_some(b'"'))
        .with_truncate_ragged_lines(true)
        .with_missing_is_null(true);
    CsvReadOptions::default()
        .with_has_header(has_header)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .with_parse_options(parse_options)
        .into_reader_with_file_handle(Cursor::new(buffer))
        .finish()
}

/// The first line of a polars error, which goes on with advice meant for Python users.
fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message)
}

fn join_records(records: &[Record<'_>], double_colon: Option<u8>) -> Vec<u8> {
    let total: usize = records.iter().map(|r| r.text.len() + 1).sum();
    let mut buffer = Vec::with_capacity(total);
    for record in records {
        match double_colon {
            Some(byte) => {
                let mut rest = record.text.as_bytes();
                while let Some(at) = rest.windows(2).position(|w| w == b"::") {
                    buffer.extend_from_slice(&rest[..at]);
                    buffer.push(byte);
                    rest = &rest[at + 2..];
                }
                buffer.extend_from_slice(rest);
            }
            None => buffer.extend_from_slice(record.text.as_bytes()),
        }
        buffer.push(b'\n');
    }
    buffer
}

/// Parquet reads under way in the process.
static PARQUET_READS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is inside [`parse_parquet`].
    static READING_PARQUET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Reads a parquet file through polars, which panics on some damaged files instead of
/// returning an error: the panic is caught, kept off the terminal, and reported as a
/// damaged file like any other.
fn parse_parquet(file: std::fs::File) -> Result<DataFrame, String> {
    // One hook for the whole process, laid once over whatever was there: it stays
    // quiet only for the reading thread and polars' own pool while a read is under
    // way, so no other thread's panic is silenced and two reads at once cannot leave
    // it quiet.
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let polars_pool = std::thread::current()
                .name()
                .is_some_and(|name| name.starts_with("polars"));
            let quiet = READING_PARQUET.with(std::cell::Cell::get)
                || (polars_pool && PARQUET_READS.load(Ordering::SeqCst) > 0);
            if !quiet {
                report(info);
            }
        }));
    });
    PARQUET_READS.fetch_add(1, Ordering::SeqCst);
    READING_PARQUET.with(|reading| reading.set(true));
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ParquetReader::new(file).finish()
    }));
    READING_PARQUET.with(|reading| reading.set(false));
    PARQUET_READS.fetch_sub(1, Ordering::SeqCst);
    match read {
        Ok(frame) => frame.map_err(|e| e.to_string()),
        Err(_) => Err("the file is damaged (its metadata or pages do not decode)".to_string()),
    }
}

fn read_parquet(path: &Path) -> Result<Table, DataError> {
    let file = std::fs::File::open(path).map_err(|e| DataError::unreadable(path, e))?;
    let frame = parse_parquet(file).map_err(|message| {
        DataError::malformed(
            path,
            format!(
                "cannot read as parquet: {}",
                text::escape_controls(&message)
            ),
            "check that the file is a complete parquet file",
        )
    })?;
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let text = column.cast(&DataType::String).map_err(|e| {
            DataError::malformed(
                path,
                format!(
                    "column {} cannot be read as text: {}",
                    text::quote_value(column.name()),
                    text::escape_controls(&e.to_string())
                ),
                "store ids and ratings as numbers or strings",
            )
        })?;
        columns.push(text);
    }
    let names = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let frame = DataFrame::new(frame.height(), columns).map_err(|e| {
        DataError::malformed(
            path,
            format!("cannot read as parquet: {e}"),
            "check the file",
        )
    })?;
    Ok(Table {
        frame,
        names,
        has_header: true,
        separator: None,
        latin1: false,
        lines: None,
        detected_separator: None,
        overlong: None,
    })
}
