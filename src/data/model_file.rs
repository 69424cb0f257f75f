//! Saved-model files: a fitted model written as JSON (atomically, through a
//! temporary file beside the target) and read back onto the dataset it was fitted
//! on, refusing a file of another recscope version, another dataset, or a damaged one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::DataError;
use crate::core::algorithms::saved::{Fingerprint, HeaderOnly, ModelFile, ModelHeader, VERSION};
use crate::core::algorithms::{self, Model};
use crate::core::matrix::RatingMatrix;
use crate::core::params::Params;

/// Writes `model`, fitted as `algorithm` with `params`, to `path`. The file appears
/// whole or not at all: it is written beside `path` under another name and renamed.
/// Refuses to write over any of `inputs` (the dataset's files) or anything but a
/// regular file.
pub fn save_model(
    path: &Path,
    algorithm: &str,
    params: &Params,
    model: &dyn Model,
    inputs: &[&Path],
) -> Result<(), DataError> {
    super::export::check_output(path, inputs)?;
    let file = ModelFile::of(algorithm, params, model).ok_or_else(|| DataError::Write {
        path: path.to_path_buf(),
        message: format!("a fitted {algorithm} model cannot be saved"),
        hint: format!(
            "models that can be saved: {}",
            algorithms::saved::SAVABLE.join(", ")
        ),
    })?;
    let write_error = |error: &dyn std::fmt::Display| DataError::Write {
        path: path.to_path_buf(),
        message: error.to_string(),
        hint: "check that the folder exists and is writable".to_string(),
    };
    let partial = partial_path(path);
    let written = std::fs::File::create(&partial)
        .map_err(|e| write_error(&e))
        .and_then(|handle| {
            let mut writer = std::io::BufWriter::new(handle);
            serde_json::to_writer(&mut writer, &file).map_err(|e| write_error(&e))?;
            writer.flush().map_err(|e| write_error(&e))?;
            writer
                .into_inner()
                .map_err(|e| write_error(&e.error().to_string()))?
                .sync_all()
                .map_err(|e| write_error(&e))
        })
        .and_then(|()| std::fs::rename(&partial, path).map_err(|e| write_error(&e)));
    if written.is_err() {
        // Nothing half-written is left behind; the error below says what failed.
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// `MODEL.json` is written as `.MODEL.json.partial` first.
fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model.json".to_string());
    path.with_file_name(format!(".{name}.partial"))
}

/// Reads a saved model from `path` and attaches it to `matrix`, which must be the
/// dataset it was fitted on. Returns the file's header (algorithm, parameters) too.
pub fn load_model(
    path: &Path,
    matrix: Arc<RatingMatrix>,
) -> Result<(ModelHeader, Box<dyn Model>), DataError> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError::unreadable(path, e))?;
    let header = serde_json::from_str::<HeaderOnly>(&text)
        .map_err(|e| {
            DataError::malformed(
                path,
                format!("not a recscope model file ({e})"),
                "give a file written by recscope fit --out",
            )
        })?
        .header;
    if header.recscope_version != VERSION {
        return Err(DataError::malformed(
            path,
            format!(
                "the model was saved by recscope {}, this is recscope {VERSION}",
                crate::data::text::escape_controls(&header.recscope_version)
            ),
            format!(
                "fit it again with this version: recscope fit DATA --algo {} --out {}",
                crate::data::text::escape_controls(&header.algorithm),
                path.display()
            ),
        ));
    }
    if let Some(difference) = header.dataset.difference(&Fingerprint::of(&matrix)) {
        return Err(DataError::malformed(
            path,
            format!("the model was fitted on another dataset: it expects {difference}"),
            "open the ratings file the model was fitted on, with the same options",
        ));
    }
    let file = serde_json::from_str::<ModelFile>(&text).map_err(|e| {
        DataError::malformed(
            path,
            format!(
                "the saved {} model is damaged ({e})",
                crate::data::text::escape_controls(&header.algorithm)
            ),
            "fit and save the model again",
        )
    })?;
    if !file.model.is_state_of(&file.header.algorithm) {
        return Err(DataError::malformed(
            path,
            format!(
                "the file names the algorithm {} but holds another algorithm's state",
                crate::data::text::quote_value(&file.header.algorithm)
            ),
            "fit and save the model again",
        ));
    }
    let model = file.model.restore(matrix).map_err(|message| {
        DataError::malformed(
            path,
            format!(
                "the saved {} model does not fit the dataset: {message}",
                crate::data::text::escape_controls(&header.algorithm)
            ),
            "fit and save the model again",
        )
    })?;
    Ok((file.header, model))
}
