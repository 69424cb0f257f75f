//! `recscope fit`: fits one algorithm on a ratings file and saves the fitted model,
//! so that `predict --model` and the explorer's `--model` use it without refitting.

use std::path::PathBuf;

use clap::Args;

use super::{DataArgs, find_algorithm, load_dataset, parse_params};
use crate::core::algorithms::saved::SAVABLE;
use crate::data;

#[derive(Args, Debug)]
pub struct FitArgs {
    /// Ratings file.
    pub path: PathBuf,
    /// Algorithm name (see recscope algorithms).
    #[arg(long, value_name = "NAME")]
    pub algo: String,
    /// Parameter setting KEY=VALUE; repeat for several.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Where to write the fitted model (JSON).
    #[arg(long, value_name = "MODEL.json")]
    pub out: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run(args: &FitArgs) -> anyhow::Result<()> {
    let spec = find_algorithm(&args.algo)?;
    if !SAVABLE.contains(&spec.name) {
        return Err(super::usage(format!(
            "a fitted {} model cannot be saved; models that can: {}",
            spec.name,
            SAVABLE.join(", ")
        )));
    }
    let params = parse_params(spec, &args.params)?;
    let dataset = load_dataset(&args.path, &args.data)?;
    // Before a fit that may take long, not after.
    data::check_output(&args.out, &dataset.source_files())?;

    let progress = super::progress::on_stderr(&format!("fitting {}", spec.name));
    let model = spec
        .fit_model(dataset.matrix.clone(), &params, &progress)
        .map_err(|e| anyhow::anyhow!("{} could not be fitted: {e}", spec.name))?;
    data::save_model(
        &args.out,
        spec.name,
        &params,
        model.as_ref(),
        &dataset.source_files(),
    )?;
    println!(
        "{} fitted on {} ratings of {}; saved to {}",
        spec.name,
        dataset.matrix.n_ratings(),
        args.path.display(),
        args.out.display()
    );
    Ok(())
}
