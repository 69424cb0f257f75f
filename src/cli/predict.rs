//! `recscope predict`: one cell's prediction by one algorithm and, with `--explain`,
//! every number that went into it, with the formula written out so that a person can
//! redo the sum.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::stats::format_value;
use super::{DataArgs, clean, find_algorithm, find_item, find_user, load_dataset, parse_params};
use crate::core::algorithms::Output;
use crate::core::explain::{Entity, Explanation, FallbackReason, Prediction};
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::core::params::Params;
use crate::data::Dataset;

#[derive(Args, Debug)]
pub struct PredictArgs {
    /// Ratings file.
    pub path: PathBuf,
    /// User id, exactly as written in the file.
    #[arg(long, value_name = "U")]
    pub user: String,
    /// Item id, exactly as written in the file.
    #[arg(long, value_name = "I")]
    pub item: String,
    /// Algorithm name (see recscope algorithms).
    #[arg(long, value_name = "NAME", required_unless_present = "model")]
    pub algo: Option<String>,
    /// Parameter setting KEY=VALUE; repeat for several.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Predict with a model saved by `recscope fit` instead of fitting one.
    #[arg(long, value_name = "MODEL.json", conflicts_with_all = ["algo", "params"])]
    pub model: Option<PathBuf>,
    /// Show how the prediction was computed.
    #[arg(long)]
    pub explain: bool,
    /// Print the structured prediction as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// What `predict --json` prints: the cell, the algorithm and the prediction.
#[derive(Debug, Serialize)]
pub struct PredictionReport {
    pub user: String,
    pub item: String,
    pub algorithm: String,
    pub params: Params,
    /// The rating in the file, when the cell is known.
    pub known_rating: Option<f64>,
    /// `rating` when the value is a rating on the scale, `score` when it is a ranking
    /// score (implicit-feedback models).
    pub output: Output,
    #[serde(flatten)]
    pub prediction: Prediction,
}

pub fn run(args: &PredictArgs) -> anyhow::Result<()> {
    let spec = match &args.algo {
        Some(name) => Some(find_algorithm(name)?),
        None => None,
    };
    let params = spec
        .map(|spec| parse_params(spec, &args.params))
        .transpose()?;
    let dataset = load_dataset(&args.path, &args.data)?;
    let user = find_user(&dataset, &args.user)?;
    let item = find_item(&dataset, &args.item)?;

    let (algorithm, params, model) = match (spec, params, &args.model) {
        (Some(spec), Some(params), _) => {
            let progress = super::progress::on_stderr(&format!("fitting {}", spec.name));
            let model = spec
                .fit_model(dataset.matrix.clone(), &params, &progress)
                .map_err(|e| anyhow::anyhow!("{} could not be fitted: {e}", spec.name))?;
            (spec.name.to_string(), params, model)
        }
        (_, _, Some(file)) => {
            let (header, model) = crate::data::load_model(file, dataset.matrix.clone())?;
            (header.algorithm, header.params, model)
        }
        _ => return Err(super::usage("give --algo NAME or --model MODEL.json")),
    };
    let prediction = model.predict(user, item);

    let report = PredictionReport {
        user: args.user.clone(),
        item: args.item.clone(),
        algorithm,
        params,
        known_rating: dataset.matrix.rating(user, item),
        output: model.output(),
        prediction,
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let json = with_raw_ids(&dataset, serde_json::to_value(&report)?);
        super::write_json(&mut stdout, &json)?;
    } else {
        // A saved model's file is input too: nothing in it may act on the terminal.
        let text = describe(&dataset, user, item, &report, args.explain);
        for line in text.lines() {
            writeln!(stdout, "{}", super::clean(line))?;
        }
    }
    Ok(())
}

/// The prediction as text; with `explain`, the whole explanation.
pub fn describe(
    dataset: &Dataset,
    user: UserIndex,
    item: ItemIndex,
    report: &PredictionReport,
    explain: bool,
) -> String {
    let prediction = &report.prediction;
    let cell = format!(
        "{} × {}",
        entity_label(dataset, Entity::User(user)),
        entity_label(dataset, Entity::Item(item))
    );
    let mut out = match (report.output, prediction.explanation.ranked) {
        (Output::Rating, _) => format!(
            "{cell}: {} predicts {:.4}\n",
            report.algorithm, prediction.value
        ),
        (Output::Score, Some(ranked)) => format!(
            "{cell}: {} scores {:.4}, rank {} of {} for this user (a ranking score, not a \
             rating)\n",
            report.algorithm, ranked.score, ranked.rank, ranked.of
        ),
        (Output::Score, None) => format!(
            "{cell}: {} scores {:.4} (a ranking score, not a rating; no rank: {})\n",
            report.algorithm,
            prediction.value,
            prediction
                .explanation
                .fallback
                .as_ref()
                .map_or("the formula gave no number", |f| f.used.as_str())
        ),
    };
    if let Some(known) = report.known_rating {
        let what = match report.output {
            Output::Rating => "known rating",
            Output::Score => "known interaction weight",
        };
        out.push_str(&format!(
            "{what}: {} (the model was fitted with it)\n",
            format_value(known)
        ));
    }
    if explain {
        out.push('\n');
        out.push_str(&explanation_text(
            dataset,
            &prediction.explanation,
            prediction.value,
        ));
    }
    out
}

/// The explanation as text: formula, terms, neighbours (or factors, features, parts),
/// the fallback, the notes, and the formula with the numbers substituted.
pub fn explanation_text(dataset: &Dataset, explanation: &Explanation, value: f64) -> String {
    let mut out = format!("formula  {}\n", explanation.formula);

    if !explanation.terms.is_empty() {
        out.push_str("terms\n");
        for term in &explanation.terms {
            out.push_str(&format!(
                "  {:<8} {:>10.4}  {}\n",
                term.symbol, term.value, term.meaning
            ));
        }
    }
    if !explanation.neighbours.is_empty() {
        out.push_str(&neighbour_table(dataset, explanation));
    }
    if !explanation.factors.is_empty() {
        // The largest contributions first, as many as the written-out sum below has;
        // the rest as one line, so that the table adds up to the same dot product.
        out.push_str("factors\n  factor      p_u       q_i  contribution\n");
        for factor in explanation.factors.iter().take(WRITTEN_OUT) {
            out.push_str(&format!(
                "  {:>6} {:>9.4} {:>9.4} {:>13.4}\n",
                factor.factor, factor.user_value, factor.item_value, factor.contribution
            ));
        }
        if let Some(rest) = explanation.factors.get(WRITTEN_OUT..)
            && !rest.is_empty()
        {
            let total: f64 = rest.iter().map(|f| f.contribution).sum();
            let label = format!("the other {} factors", rest.len());
            out.push_str(&format!("  {label:<26} {total:>13.4}\n"));
        }
    }
    if !explanation.features.is_empty() {
        out.push_str("features\n");
        for feature in &explanation.features {
            out.push_str(&format!(
                "  {:<20} user {:>8.4}  item {:>8.4}  contribution {:>8.4}\n",
                clean(&feature.feature),
                feature.user_weight,
                feature.item_weight,
                feature.contribution
            ));
        }
    }
    for part in &explanation.parts {
        out.push_str(&format!(
            "part {} (weight {:.4}, raw {:.4}):\n",
            clean(&part.label),
            part.weight,
            part.explanation.raw
        ));
        for line in explanation_text(dataset, &part.explanation, part.explanation.raw).lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    if let Some(fallback) = &explanation.fallback {
        out.push_str(&format!(
            "fallback {}: used {}\n",
            reason_text(&fallback.reason),
            fallback.used
        ));
    }
    if let Some(ranked) = &explanation.ranked {
        out.push_str(&format!(
            "ranked   score {:.4}: rank {} of the {} items the user has not interacted with \
             (this one included)\n",
            ranked.score, ranked.rank, ranked.of
        ));
    }
    for note in &explanation.notes {
        out.push_str(&format!("note     {note}\n"));
    }
    out.push_str(&substituted(explanation, value));
    out
}

fn neighbour_table(dataset: &Dataset, explanation: &Explanation) -> String {
    let mut out = format!(
        "neighbours ({})\n  {:<24} {:>10} {:>7} {:>9} {:>7} {:>12}\n",
        explanation.neighbours.len(),
        "neighbour",
        "similarity",
        "rating",
        "deviation",
        "share",
        "contribution"
    );
    for neighbour in &explanation.neighbours {
        let mut label = entity_label(dataset, neighbour.neighbour);
        if label.chars().count() > 24 {
            label = label.chars().take(23).collect::<String>() + "…";
        }
        out.push_str(&format!(
            "  {:<24} {:>10.4} {:>7} {:>9.4} {:>7.4} {:>12.4}\n",
            label,
            neighbour.similarity,
            format_value(neighbour.rating),
            neighbour.deviation,
            neighbour.share,
            neighbour.contribution
        ));
    }
    out
}

/// Where no more than this many contributions are written out one by one.
const WRITTEN_OUT: usize = 12;

/// `r̂ = 3.5299 + 0.2311 + (−0.1046) + Σ … = raw`, then the clipping when it applied.
fn substituted(explanation: &Explanation, value: f64) -> String {
    let mut pieces: Vec<String> = explanation.terms.iter().map(|t| number(t.value)).collect();
    // Neighbours listed for context only (share 0, e.g. AutoRec's nearest items) add
    // nothing and are left out of the sum.
    let weighed = explanation.neighbours.iter().filter(|n| n.share != 0.0);
    pieces.extend(written_out(weighed.map(|n| {
        (
            format!("{:.4} × {}", n.share, number(n.deviation)),
            n.contribution,
        )
    })));
    pieces.extend(written_out(explanation.factors.iter().map(|f| {
        (
            format!("{} × {}", number(f.user_value), number(f.item_value)),
            f.contribution,
        )
    })));
    pieces.extend(written_out(
        explanation
            .features
            .iter()
            .map(|f| (number(f.contribution), f.contribution)),
    ));
    pieces.extend(written_out(explanation.parts.iter().map(|p| {
        (
            format!("{:.4} × {}", p.weight, number(p.explanation.raw)),
            p.weight * p.explanation.raw,
        )
    })));
    if pieces.is_empty() {
        pieces.push("0".to_string());
    }

    let total = explanation.base() + explanation.contributions();
    let mut out = format!("with numbers\n  r̂ = {}\n", pieces.join(" + "));
    if pieces.len() > 1 {
        out.push_str(&format!("     = {total:.4}\n"));
    }
    if (total - explanation.raw).abs() > 1e-9 {
        out.push_str(&format!(
            "  (the model reports {:.4} before clipping)\n",
            explanation.raw
        ));
    }
    if (value - explanation.raw).abs() > 1e-12 {
        out.push_str(&format!("  clipped to the rating scale: {value:.4}\n"));
    }
    out
}

/// The first [`WRITTEN_OUT`] products as written, the rest as one number: their sum.
fn written_out(products: impl Iterator<Item = (String, f64)>) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = (0usize, 0.0);
    for (text, contribution) in products {
        if pieces.len() < WRITTEN_OUT {
            pieces.push(text);
        } else {
            rest.0 += 1;
            rest.1 += contribution;
        }
    }
    if rest.0 > 0 {
        pieces.push(format!("{} (the {} more, summed)", number(rest.1), rest.0));
    }
    pieces
}

fn number(value: f64) -> String {
    if value < 0.0 {
        format!("({value:.4})")
    } else {
        format!("{value:.4}")
    }
}

fn reason_text(reason: &FallbackReason) -> String {
    match reason {
        FallbackReason::UnknownUser => "the user has no ratings to learn from".to_string(),
        FallbackReason::UnknownItem => "the item has no ratings to learn from".to_string(),
        FallbackReason::UnknownUserAndItem => {
            "neither the user nor the item has ratings".to_string()
        }
        FallbackReason::TooFewNeighbours { found, required } => {
            format!("{found} neighbour(s) found, {required} required")
        }
        FallbackReason::ZeroSimilarity => "the neighbours' similarities sum to zero".to_string(),
        FallbackReason::Other { detail } => detail.clone(),
    }
}

/// The JSON of a report with every entity (`{"kind": "user", "index": 80}`, anywhere,
/// in parts of hybrids too) given its raw `id`, and items their `title` when known:
/// the dense index alone means nothing outside this run.
pub fn with_raw_ids(dataset: &Dataset, mut json: serde_json::Value) -> serde_json::Value {
    add_raw_ids(dataset, &mut json);
    json
}

fn add_raw_ids(dataset: &Dataset, json: &mut serde_json::Value) {
    use serde_json::Value;
    match json {
        Value::Object(object) => {
            let index = object.get("index").and_then(Value::as_u64);
            let kind = object.get("kind").and_then(Value::as_str);
            if let (Some(index), Some(kind)) = (index, kind) {
                let index = index as usize;
                let (id, title) = match kind {
                    "user" => (dataset.user_ids.get(index), None),
                    "item" => (
                        dataset.item_ids.get(index),
                        dataset.item_titles.get(index).and_then(Option::as_ref),
                    ),
                    _ => (None, None),
                };
                if let Some(id) = id {
                    object.insert("id".into(), Value::String(id.clone()));
                }
                if let Some(title) = title {
                    object.insert("title".into(), Value::String(title.clone()));
                }
            }
            for value in object.values_mut() {
                add_raw_ids(dataset, value);
            }
        }
        Value::Array(values) => values.iter_mut().for_each(|v| add_raw_ids(dataset, v)),
        _ => {}
    }
}

/// `user 196` or `item 242 (Kolya (1996))`.
pub(crate) fn entity_label(dataset: &Dataset, entity: Entity) -> String {
    match entity {
        Entity::User(user) => match dataset.user_ids.get(user as usize) {
            Some(id) => format!("user {}", clean(id)),
            None => format!("user #{user}"),
        },
        Entity::Item(item) => match dataset.item_ids.get(item as usize) {
            Some(id) => match dataset.item_titles.get(item as usize) {
                Some(Some(title)) => format!("item {} ({})", clean(id), clean(title)),
                _ => format!("item {}", clean(id)),
            },
            None => format!("item #{item}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fixtures;
    use crate::core::algorithms;
    use crate::core::explain::{NeighbourTerm, Term};
    use crate::core::progress::Progress;

    #[test]
    fn global_mean_on_the_tiny_matrix_by_hand() {
        // (5 + 4 + 3 + 4 + 2 + 5 + 5) / 7 = 28 / 7 = 4
        let dataset = fixtures::tiny();
        let spec = algorithms::find("global_mean").unwrap();
        let model = spec
            .fit_model(
                dataset.matrix.clone(),
                &spec.default_params(),
                &Progress::none(),
            )
            .unwrap();
        let user = dataset.user_index("U1").unwrap();
        let item = dataset.item_index("0120735").unwrap();
        let report = PredictionReport {
            user: "U1".into(),
            item: "0120735".into(),
            algorithm: spec.name.into(),
            params: spec.default_params(),
            known_rating: None,
            output: model.output(),
            prediction: model.predict(user, item),
        };
        assert!((report.prediction.value - 4.0).abs() < 1e-12);
        let text = describe(&dataset, user, item, &report, true);
        assert!(text.contains("global_mean predicts 4.0000"), "{text}");
        assert!(text.contains("item 0120735 (Movie D)"), "{text}");
        assert!(text.contains("r̂ = 4.0000\n"), "{text}");
    }

    #[test]
    fn neighbour_explanations_write_out_the_sum() {
        // r̂ = μ_u + Σ share × deviation
        //   = 3.0 + 0.75 × 1.0 + 0.25 × (−2.0) = 3.0 + 0.75 − 0.5 = 3.25
        let dataset = fixtures::tiny();
        let mut explanation = Explanation::from_terms(
            "r̂ = μ_u + Σ s·(r − μ_v) / Σ s",
            vec![Term::new("μ_u", "mean of the user's ratings", 3.0)],
        );
        explanation.neighbours = vec![
            NeighbourTerm {
                neighbour: Entity::User(1),
                similarity: 0.9,
                rating: 4.0,
                deviation: 1.0,
                share: 0.75,
                contribution: 0.75,
            },
            NeighbourTerm {
                neighbour: Entity::User(2),
                similarity: 0.3,
                rating: 3.0,
                deviation: -2.0,
                share: 0.25,
                contribution: -0.5,
            },
        ];
        explanation.raw = 3.25;
        let text = explanation_text(&dataset, &explanation, 3.25);
        assert!(
            text.contains("r̂ = 3.0000 + 0.7500 × 1.0000 + 0.2500 × (-2.0000)"),
            "{text}"
        );
        assert!(text.contains("= 3.2500"), "{text}");
        assert!(text.contains("user U2"), "{text}");
        assert!(!text.contains("clipped"), "{text}");
    }

    #[test]
    fn json_entities_carry_raw_ids_and_titles() {
        // In the fixture, dense user 1 is "U2" and dense item 3 is "0120735" (Movie D).
        let dataset = fixtures::tiny();
        let json = serde_json::json!({
            "explanation": {
                "neighbours": [{"neighbour": {"kind": "user", "index": 1}}],
                "parts": [{"explanation": {"neighbours": [
                    {"neighbour": {"kind": "item", "index": 3}}
                ]}}]
            }
        });
        let json = with_raw_ids(&dataset, json);
        let user = &json["explanation"]["neighbours"][0]["neighbour"];
        assert_eq!(user["id"], "U2");
        assert_eq!(user["index"], 1);
        assert!(user.get("title").is_none());
        let item = &json["explanation"]["parts"][0]["explanation"]["neighbours"][0]["neighbour"];
        assert_eq!(item["id"], "0120735");
        assert_eq!(item["title"], "Movie D");
    }

    #[test]
    fn long_factor_lists_are_summed_after_the_first_twelve() {
        // 15 factors, each contributing 0.1 × 0.2 = 0.02; the last three are summed:
        // 0.02 × 3 = 0.06; r̂ = 3.0 + 15 × 0.02 = 3.3
        let dataset = fixtures::tiny();
        let mut explanation =
            Explanation::from_terms("r̂ = μ + p_u · q_i", vec![Term::new("μ", "mean", 3.0)]);
        explanation.factors = (0..15)
            .map(|factor| crate::core::explain::FactorTerm {
                factor,
                user_value: 0.1,
                item_value: 0.2,
                contribution: 0.1 * 0.2,
            })
            .collect();
        explanation.raw = 3.3;
        let text = explanation_text(&dataset, &explanation, 3.3);
        assert_eq!(text.matches("0.1000 × 0.2000").count(), 12, "{text}");
        assert!(text.contains("+ 0.0600 (the 3 more, summed)"), "{text}");
        assert!(text.contains("= 3.3000"), "{text}");
        // The factor table lists the same twelve, then the other three's 0.06.
        assert_eq!(text.matches("0.1000    0.2000        0.0200").count(), 12);
        assert!(
            text.contains("  the other 3 factors               0.0600\n"),
            "{text}"
        );
    }

    #[test]
    fn clipping_and_fallbacks_are_said() {
        let dataset = fixtures::tiny();
        let explanation = Explanation::from_terms("r̂ = μ", vec![Term::new("μ", "mean", 5.5)])
            .with_fallback(FallbackReason::UnknownUser, "global mean μ");
        let text = explanation_text(&dataset, &explanation, 5.0);
        assert!(
            text.contains("clipped to the rating scale: 5.0000"),
            "{text}"
        );
        assert!(text.contains("fallback the user has no ratings"), "{text}");
    }
}
