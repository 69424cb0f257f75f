//! `recscope generate`: writes a synthetic ratings file from the core's generator,
//! atomically (the file appears complete or not at all): CSV with a
//! `user,item,rating` header, streamed, or parquet through the data layer, which holds
//! the columns in memory (about 24 bytes a rating) until the file is written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::stats::thousands;
use super::{RuntimeError, usage};
use crate::core::generate::{GenerateSpec, Generator};
use crate::data::{ColumnValues, ExportTable, TableFormat, write_table};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Number of users.
    #[arg(long, value_name = "N")]
    pub users: usize,
    /// Number of items.
    #[arg(long, value_name = "M")]
    pub items: usize,
    /// Number of ratings (exact).
    #[arg(long, value_name = "R")]
    pub ratings: usize,
    /// Seed: the same seed gives the same file.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Taste groups of users.
    #[arg(long, default_value_t = 8)]
    pub groups: usize,
    /// Genres of items.
    #[arg(long, default_value_t = 12)]
    pub genres: usize,
    /// Output file: .csv (streamed) or .parquet.
    pub out: PathBuf,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let extension = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parquet = match extension.as_deref() {
        Some("csv") | Some("txt") | None => false,
        Some("parquet") => true,
        Some(other) => {
            return Err(usage(format!(
                "{}: cannot write '.{other}' files; end the name with .csv or .parquet",
                args.out.display()
            )));
        }
    };
    if parquet && args.ratings > MAX_PARQUET_RATINGS {
        return Err(usage(format!(
            "{} ratings as parquet would be held in memory (about 24 bytes each) until \
             written; ask for at most {MAX_PARQUET_RATINGS}, or write .csv, which is \
             streamed",
            args.ratings
        )));
    }
    let spec = GenerateSpec {
        groups: args.groups,
        genres: args.genres,
        ..GenerateSpec::new(args.users, args.items, args.ratings, args.seed)
    };
    let generator = Generator::new(spec).map_err(|e| usage(e.to_string()))?;
    // Never a folder, pipe or device: the finished file is renamed into place.
    crate::data::check_output(&args.out, &[])?;

    let started = Instant::now();
    if parquet {
        write_parquet(&args.out, generator)?;
    } else {
        write_csv(&args.out, generator)?;
    }
    eprintln!(
        "wrote {} ratings ({} users, {} items) to {} in {:.1} s",
        thousands(args.ratings),
        thousands(args.users),
        thousands(args.items),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Streams the ratings into a temporary file beside `out`, then renames it over `out`.
fn write_csv(out: &Path, generator: Generator) -> anyhow::Result<()> {
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(RuntimeError(format!(
            "{}: the folder {} does not exist; create it first",
            out.display(),
            folder.display()
        ))
        .into());
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "ratings.csv".to_string());
    let temporary = folder.join(format!(".{name}.{}.partial", std::process::id()));
    let outcome = write_ratings(&temporary, generator).and_then(|()| {
        std::fs::rename(&temporary, out).map_err(|e| {
            anyhow::Error::from(RuntimeError(format!(
                "{}: cannot write: {e}",
                out.display()
            )))
        })
    });
    if outcome.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    outcome
}

/// The most ratings written as parquet, which holds every rating in memory (about 24
/// bytes each) until the file is written; CSV is streamed and has no such bound.
const MAX_PARQUET_RATINGS: usize = 250_000_000;

/// Collects the columns, then hands them to the data layer's atomic table writer.
fn write_parquet(out: &Path, generator: Generator) -> anyhow::Result<()> {
    let mut users = Vec::new();
    let mut items = Vec::new();
    let mut ratings = Vec::new();
    let progress = super::progress::on_stderr("generate");
    generator.run(&progress, |user, item, rating| {
        users.push(i64::from(user) + 1);
        items.push(i64::from(item) + 1);
        ratings.push(rating as i64);
    })?;
    let table = ExportTable::default()
        .with("user", ColumnValues::Integer(users))
        .with("item", ColumnValues::Integer(items))
        .with("rating", ColumnValues::Integer(ratings));
    write_table(out, &table, TableFormat::Parquet, &[])?;
    Ok(())
}

fn write_ratings(path: &Path, generator: Generator) -> anyhow::Result<()> {
    let file = File::create(path)
        .map_err(|e| RuntimeError(format!("{}: cannot create: {e}", path.display())))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    writeln!(writer, "user,item,rating")?;
    let mut failure: Option<std::io::Error> = None;
    let progress = super::progress::on_stderr("generate");
    generator.run(&progress, |user, item, rating| {
        if failure.is_none()
            && let Err(e) = writeln!(writer, "{},{},{}", user + 1, item + 1, rating as u8)
        {
            failure = Some(e);
        }
    })?;
    if let Some(e) = failure {
        return Err(RuntimeError(format!("{}: cannot write: {e}", path.display())).into());
    }
    writer
        .flush()
        .map_err(|e| RuntimeError(format!("{}: cannot write: {e}", path.display())))?;
    Ok(())
}
