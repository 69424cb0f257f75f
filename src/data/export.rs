//! Writing result tables (predictions, recommendations, leaderboards) as CSV, parquet
//! or JSON, atomically: a temporary file in the target folder, then a rename.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::error::DataError;

/// Output formats of [`write_table`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Parquet,
    /// A JSON array with one object per row.
    Json,
}

impl TableFormat {
    /// The format a file name asks for by its extension (`.csv`, `.parquet`, `.json`).
    pub fn from_path(path: &Path) -> Option<TableFormat> {
        let ext = path.extension()?.to_string_lossy().to_lowercase();
        match ext.as_str() {
            "csv" => Some(TableFormat::Csv),
            "parquet" | "pq" => Some(TableFormat::Parquet),
            "json" => Some(TableFormat::Json),
            _ => None,
        }
    }

    /// The file extension written for the format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
            TableFormat::Json => "json",
        }
    }

    /// The next format in the order CSV, parquet, JSON, and round again.
    pub fn next(self) -> TableFormat {
        match self {
            TableFormat::Csv => TableFormat::Parquet,
            TableFormat::Parquet => TableFormat::Json,
            TableFormat::Json => TableFormat::Csv,
        }
    }
}

/// The values of one exported column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    Text(Vec<String>),
    Float(Vec<f64>),
    Integer(Vec<i64>),
}

impl ColumnValues {
    fn len(&self) -> usize {
        match self {
            ColumnValues::Text(v) => v.len(),
            ColumnValues::Float(v) => v.len(),
            ColumnValues::Integer(v) => v.len(),
        }
    }
}

/// A table to export: named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportTable {
    pub columns: Vec<(String, ColumnValues)>,
}

impl ExportTable {
    pub fn with(mut self, name: &str, values: ColumnValues) -> Self {
        self.columns.push((name.to_string(), values));
        self
    }
}

/// Writes `table` to `path` in `format`, replacing any older file at `path` only once
/// the new one is complete. Refuses to write over any of `inputs` (the dataset's files).
pub fn write_table(
    path: &Path,
    table: &ExportTable,
    format: TableFormat,
    inputs: &[&Path],
) -> Result<(), DataError> {
    let write_error = |message: String, hint: &str| DataError::Write {
        path: path.to_path_buf(),
        message,
        hint: hint.to_string(),
    };
    check_output(path, inputs)?;
    let height = table.columns.first().map_or(0, |(_, v)| v.len());
    if let Some((name, _)) = table.columns.iter().find(|(_, v)| v.len() != height) {
        return Err(write_error(
            format!("column \"{name}\" has a different length from the others"),
            "this is a bug in recscope; please report it",
        ));
    }

    let temporary = temporary_path(path);
    let result = write_to(&temporary, table, height, format)
        .and_then(|()| std::fs::rename(&temporary, path).map_err(|e| e.to_string()));
    if let Err(message) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(write_error(
            message,
            "check that the folder exists and is writable",
        ));
    }
    Ok(())
}

/// Refuses an output `path` that is one of `inputs` (the dataset's files) or that
/// exists and is not a regular file: the rename that completes a write would put a
/// file in place of a device, a pipe or a link to one.
pub fn check_output(path: &Path, inputs: &[&Path]) -> Result<(), DataError> {
    let refuse = |message: &str, hint: &str| {
        Err(DataError::Write {
            path: path.to_path_buf(),
            message: message.to_string(),
            hint: hint.to_string(),
        })
    };
    if inputs.iter().any(|input| same_file(path, input)) {
        return refuse(
            "this is the dataset being read",
            "choose another output file name",
        );
    }
    match std::fs::metadata(path) {
        Ok(found) if !found.is_file() => refuse(
            "this is not a regular file (a folder, a device or a pipe)",
            "give the name of a file to create or replace",
        ),
        _ => Ok(()),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_string());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_to(
    temporary: &Path,
    table: &ExportTable,
    height: usize,
    format: TableFormat,
) -> Result<(), String> {
    let mut file = File::create(temporary).map_err(|e| e.to_string())?;
    match format {
        TableFormat::Csv | TableFormat::Parquet => {
            let mut frame = to_frame(table, height).map_err(|e| e.to_string())?;
            if format == TableFormat::Csv {
                CsvWriter::new(&mut file)
                    .include_header(true)
                    .finish(&mut frame)
                    .map_err(|e| e.to_string())?;
            } else {
                ParquetWriter::new(&mut file)
                    .finish(&mut frame)
                    .map_err(|e| e.to_string())?;
            }
        }
        TableFormat::Json => {
            let rows = to_json(table, height);
            serde_json::to_writer_pretty(&mut file, &rows).map_err(|e| e.to_string())?;
            file.write_all(b"\n").map_err(|e| e.to_string())?;
        }
    }
    file.sync_all().map_err(|e| e.to_string())
}

fn to_frame(table: &ExportTable, height: usize) -> PolarsResult<DataFrame> {
    let columns = table
        .columns
        .iter()
        .map(|(name, values)| {
            let name = PlSmallStr::from_str(name);
            match values {
                ColumnValues::Text(v) => Column::new(name, v),
                // NaN is a figure that does not apply (a ranking model's RMSE): a
                // missing value, empty in CSV and null in parquet, as in JSON.
                ColumnValues::Float(v) => {
                    let present: Vec<Option<f64>> =
                        v.iter().map(|&x| (!x.is_nan()).then_some(x)).collect();
                    Column::new(name, present)
                }
                ColumnValues::Integer(v) => Column::new(name, v),
            }
        })
        .collect();
    DataFrame::new(height, columns)
}

fn to_json(table: &ExportTable, height: usize) -> Vec<serde_json::Map<String, serde_json::Value>> {
    (0..height)
        .map(|row| {
            table
                .columns
                .iter()
                .map(|(name, values)| {
                    let value = match values {
                        ColumnValues::Text(v) => serde_json::Value::from(v[row].clone()),
                        // NaN and infinities have no JSON form: null.
                        ColumnValues::Float(v) => serde_json::Number::from_f64(v[row])
                            .map_or(serde_json::Value::Null, serde_json::Value::Number),
                        ColumnValues::Integer(v) => serde_json::Value::from(v[row]),
                    };
                    (name.clone(), value)
                })
                .collect()
        })
        .collect()
}
