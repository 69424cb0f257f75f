//! `E`: writes what the shown screen holds (the matrix's visible predictions, the
//! recommendation list, the dataset summary, the compared predictions, the evaluation
//! leaderboard, the embedding points) to a new file in the export folder, as CSV,
//! parquet or JSON (`F` chooses).

use std::path::{Path, PathBuf};

use crate::core::eval::AlgorithmResult;
use crate::data::{self, ColumnValues, ExportTable, TableFormat};
use crate::tui::app::{App, Mode};
use crate::tui::screens::evaluate::Run;

impl App {
    /// Exports the shown screen and says where in the status line.
    pub fn export(&mut self) {
        let (table, what) = match self.export_table() {
            Ok(found) => found,
            Err(message) => {
                self.error(&message);
                return;
            }
        };
        let format = self.export_format;
        let path = unused_path(&self.export_folder, self.mode, &self.dataset_name, format);
        let inputs = self.dataset.source_files();
        match data::write_table(&path, &table, format, &inputs) {
            Ok(()) => self.say(&format!("wrote {what} to {}", path.display())),
            Err(error) => self.error(&error.to_string()),
        }
    }

    /// The table to export from the shown screen, and what it holds in words.
    fn export_table(&self) -> Result<(ExportTable, String), String> {
        match self.mode {
            Mode::Explore => self.visible_predictions(),
            Mode::Stats => {
                let shape = self.stats_screen.shape.as_ref().ok_or_else(|| {
                    "the stats are still being computed; export once they show".to_string()
                })?;
                Ok((data::summary_table(&shape.stats), "the summary".to_string()))
            }
            Mode::Recommend => {
                let list = self.recommend_screen.list.as_ref();
                let rows = list.and_then(|l| l.rows.as_ref()).ok_or_else(|| {
                    "no recommendations shown yet; export once the list shows".to_string()
                })?;
                let user = list.map_or(0, |l| l.user);
                Ok((
                    data::recommendations_table(&self.dataset, user, rows),
                    format!("{} recommendations", rows.len()),
                ))
            }
            Mode::Compare => self.compared_predictions(),
            Mode::Evaluate => match &self.evaluate.run {
                Run::Done(board) => {
                    let ranked = board.ranked(self.evaluate.metric);
                    let results: Vec<AlgorithmResult> = ranked.into_iter().cloned().collect();
                    let labels: Vec<String> = results.iter().map(|r| r.algo.clone()).collect();
                    Ok((
                        data::leaderboard_table(&results, &labels),
                        format!("the leaderboard ({} algorithms)", results.len()),
                    ))
                }
                _ => Err(
                    "no leaderboard yet; press Enter to run the evaluation, then export"
                        .to_string(),
                ),
            },
            Mode::Embeddings => super::embeddings::export_table(self),
        }
    }

    /// The unknown cells on screen with each compared algorithm's prediction (empty
    /// where a model is still being fitted).
    fn compared_predictions(&self) -> Result<(ExportTable, String), String> {
        let chosen = &self.compare.chosen;
        if chosen.is_empty() {
            return Err("no algorithms chosen; press space to add one, then export".to_string());
        }
        let matrix = &self.dataset.matrix;
        let row_end = (self.scroll.row + self.window.rows).min(self.rows.len());
        let column_end = (self.scroll.column + self.window.columns).min(self.columns.len());
        let (mut users, mut items, mut titles) = (Vec::new(), Vec::new(), Vec::new());
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); chosen.len()];
        for &user in &self.rows[self.scroll.row.min(row_end)..row_end] {
            for &item in &self.columns[self.scroll.column.min(column_end)..column_end] {
                if matrix.rating(user, item).is_some() {
                    continue;
                }
                let predicted = self.compare.predictions.get(&(user, item));
                users.push(self.user_label(user).to_string());
                items.push(self.dataset.item_id_label(item).to_string());
                titles.push(self.item_label(item).to_string());
                for (k, column) in values.iter_mut().enumerate() {
                    let value = predicted.and_then(|p| p.get(k).copied().flatten());
                    column.push(value.unwrap_or(f64::NAN));
                }
            }
        }
        let count = users.len();
        let mut table = ExportTable::default()
            .with("user", ColumnValues::Text(users))
            .with("item", ColumnValues::Text(items))
            .with("title", ColumnValues::Text(titles));
        for (&algorithm, column) in chosen.iter().zip(values) {
            let name = self.algorithms.get(algorithm).map_or("?", |spec| spec.name);
            table = table.with(name, ColumnValues::Float(column));
        }
        Ok((
            table,
            format!("{count} cells compared across {} algorithms", chosen.len()),
        ))
    }

    /// The unknown cells on screen with the current model's predictions.
    fn visible_predictions(&self) -> Result<(ExportTable, String), String> {
        let fitted = self
            .model
            .as_ref()
            .ok_or_else(|| "no model fitted yet; export once the predictions show".to_string())?;
        let matrix = &self.dataset.matrix;
        let row_end = (self.scroll.row + self.window.rows).min(self.rows.len());
        let column_end = (self.scroll.column + self.window.columns).min(self.columns.len());
        let (mut users, mut items, mut titles, mut values) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &user in &self.rows[self.scroll.row.min(row_end)..row_end] {
            for &item in &self.columns[self.scroll.column.min(column_end)..column_end] {
                if matrix.rating(user, item).is_some() {
                    continue;
                }
                let value = self
                    .prediction(user, item)
                    .unwrap_or_else(|| fitted.model.predict_value(user, item));
                users.push(self.user_label(user).to_string());
                items.push(self.dataset.item_id_label(item).to_string());
                titles.push(self.item_label(item).to_string());
                values.push(value);
            }
        }
        let count = values.len();
        let table = ExportTable::default()
            .with("user", ColumnValues::Text(users))
            .with("item", ColumnValues::Text(items))
            .with("title", ColumnValues::Text(titles))
            .with(fitted.spec.name, ColumnValues::Float(values));
        Ok((
            table,
            format!("{count} predictions by {}", fitted.spec.name),
        ))
    }
}

/// `recscope-<screen>-<dataset>.<csv|parquet|json>` in `folder`, or with `-2`, `-3`,
/// ... before the extension when that file exists, so that an export never replaces a
/// file. The dataset is named with its folder when it has one (`ml-100k/u.data` →
/// `ml-100k-u`): many datasets' files are called `ratings` or `u`.
pub fn unused_path(folder: &Path, mode: Mode, dataset_name: &str, format: TableFormat) -> PathBuf {
    let named = Path::new(dataset_name);
    let file = named.file_stem().map(|s| s.to_string_lossy().into_owned());
    let parent = named
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned());
    let stem: String = match (parent, file) {
        (Some(parent), Some(file)) => format!("{parent}-{file}"),
        (None, Some(file)) => file,
        (_, None) => String::new(),
    }
    .chars()
    .map(|c| {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '_'
        }
    })
    .collect();
    let base = format!("recscope-{}-{stem}", mode.title().to_lowercase());
    let extension = format.extension();
    let mut path = folder.join(format!("{base}.{extension}"));
    let mut number = 2;
    while path.exists() {
        path = folder.join(format!("{base}-{number}.{extension}"));
        number += 1;
    }
    path
}
