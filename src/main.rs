//! The `recscope` command: parses the command line and hands each subcommand to
//! `recscope::cli`, or opens the explorer when no subcommand is given.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use recscope::cli::{self, DataArgs};
use recscope::data::LoadOptions;

/// A terminal explorer for recommender systems: see how each prediction is made,
/// compare algorithms on real data.
#[derive(Parser)]
#[command(
    name = "recscope",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// Ratings file to open in the explorer (the bundled sample when omitted).
    path: Option<PathBuf>,

    /// Show a model saved by `recscope fit` on this dataset instead of fitting one.
    #[arg(long, value_name = "MODEL.json")]
    model: Option<PathBuf>,

    #[command(flatten)]
    data: DataArgs,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Size, density, rating scale and duplicates of a ratings file.
    Stats(cli::stats::StatsArgs),
    /// Every algorithm with its parameters, their ranges and defaults.
    Algorithms(cli::algorithms::AlgorithmsArgs),
    /// Predicts one cell and, with --explain, shows how the number was computed.
    Predict(cli::predict::PredictArgs),
    /// Top-N items for a user, with scores and a reason for each.
    Recommend(cli::recommend::RecommendArgs),
    /// The users most like a user, or the items most like an item.
    Similar(cli::similar::SimilarArgs),
    /// Cross-validates algorithms on identical folds.
    Eval(cli::eval::EvalArgs),
    /// Writes a synthetic ratings dataset with skew and planted taste groups.
    Generate(cli::generate::GenerateArgs),
    /// Fits one algorithm and saves the fitted model for predict --model and the
    /// explorer's --model.
    Fit(cli::fit::FitArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        // The explorer sets up its own log file.
        None => open_explorer(cli.path, cli.data.load_options(), cli.model),
        Some(command) => {
            cli::logging::init();
            run_command(command)
        }
    };
    cli::exit_code(outcome)
}

fn run_command(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Stats(args) => cli::stats::run(&args),
        Command::Algorithms(args) => cli::algorithms::run(&args),
        Command::Predict(args) => cli::predict::run(&args),
        Command::Recommend(args) => cli::recommend::run(&args),
        Command::Similar(args) => cli::similar::run(&args),
        Command::Eval(args) => cli::eval::run(&args),
        Command::Generate(args) => cli::generate::run(&args),
        Command::Fit(args) => cli::fit::run(&args),
    }
}

/// Opens the explorer on `path`, or on the bundled sample when none is given.
fn open_explorer(
    path: Option<PathBuf>,
    options: LoadOptions,
    model: Option<PathBuf>,
) -> anyhow::Result<()> {
    recscope::tui::run_with_model(path, options, model)
}
