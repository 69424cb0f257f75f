//! Top-N recommendations for one user with a one-line reason each, derived from the
//! structured explanation of each prediction: what `recscope recommend` prints, the
//! recommend screen shows, and both export.

use crate::core::algorithms::Model;
use crate::core::explain::{Entity, Explanation, FallbackReason, Prediction};
use crate::core::matrix::{ItemIndex, RatingScale, UserIndex};

use super::Dataset;
use super::export::{ColumnValues, ExportTable};
use super::summary::format_value;

/// How many neighbours a reason names before it stops.
const NAMED_NEIGHBOURS: usize = 3;

/// One recommended item.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub item: ItemIndex,
    /// The model's score: a predicted rating for rating predictors.
    pub score: f64,
    /// Why, in one line (see [`reason`]).
    pub reason: String,
}

/// The `n` items `model` ranks highest among those `user` has not rated, best first,
/// each with the reason its explanation gives.
pub fn recommend(
    dataset: &Dataset,
    model: &dyn Model,
    user: UserIndex,
    n: usize,
) -> Vec<Recommendation> {
    model
        .recommend(user, n)
        .into_iter()
        .map(|(item, score)| Recommendation {
            item,
            score,
            reason: reason(dataset, &model.predict(user, item)),
        })
        .collect()
}

/// A one-line reason for a prediction, from the most telling part of its
/// explanation: the fallback when the formula could not be applied; else the
/// neighbours (users who liked the item, or items the user rated that are like it);
/// else the largest latent factors; else the heaviest part of a blend; else the item's
/// own term (its bias or mean) or the base terms.
pub fn reason(dataset: &Dataset, prediction: &Prediction) -> String {
    explanation_reason(dataset, &prediction.explanation)
}

fn explanation_reason(dataset: &Dataset, explanation: &Explanation) -> String {
    if let Some(fallback) = &explanation.fallback {
        return format!(
            "no personal signal ({}): {}",
            fallback_words(&fallback.reason),
            fallback.used
        );
    }
    match explanation.neighbours.first().map(|n| n.neighbour) {
        Some(Entity::User(_)) => return liked_by(dataset, explanation),
        Some(Entity::Item(_)) => return similar_to(dataset, explanation),
        None => {}
    }
    if !explanation.factors.is_empty() {
        return factors_reason(explanation);
    }
    if let Some(part) = explanation
        .parts
        .iter()
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
    {
        return format!(
            "{}: {}",
            part.label,
            explanation_reason(dataset, &part.explanation)
        );
    }
    terms_reason(explanation)
}

/// "liked by 2 of the 3 nearest neighbours who rated it: U2 (5), U7 (4)"; a neighbour
/// liked the item when their rating is above the middle of the rating scale. When none
/// did: "not liked by the nearest neighbour who rated it: U2 (2)".
fn liked_by(dataset: &Dataset, explanation: &Explanation) -> String {
    let middle = middle(dataset.matrix.scale());
    let label = |n: &crate::core::explain::NeighbourTerm| {
        format!(
            "{} ({})",
            entity_label(dataset, n.neighbour),
            format_value(round(n.rating))
        )
    };
    let liked: Vec<String> = explanation
        .neighbours
        .iter()
        .filter(|n| n.rating > middle)
        .map(label)
        .collect();
    let total = explanation.neighbours.len();
    let who = if total == 1 {
        "the nearest neighbour who rated it".to_string()
    } else {
        format!("the {total} nearest neighbours who rated it")
    };
    if liked.is_empty() {
        let named: Vec<String> = explanation
            .neighbours
            .iter()
            .take(NAMED_NEIGHBOURS)
            .map(label)
            .collect();
        return format!("not liked by {who}: {}", named.join(", "));
    }
    let mut named = liked
        .iter()
        .take(NAMED_NEIGHBOURS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if liked.len() > NAMED_NEIGHBOURS {
        named.push_str(", …");
    }
    let how_many = if total == 1 {
        String::new()
    } else if liked.len() == total {
        "all ".to_string()
    } else {
        format!("{} of ", liked.len())
    };
    let who = who
        .strip_prefix("the ")
        .filter(|_| liked.len() == total && total > 1)
        .unwrap_or(&who);
    format!("liked by {how_many}{who}: {named}")
}

/// "similar to Movie B you rated 5" (the neighbour item with the largest share), and
/// how many more of the user's items took part.
fn similar_to(dataset: &Dataset, explanation: &Explanation) -> String {
    let Some(best) = explanation
        .neighbours
        .iter()
        .max_by(|a, b| a.share.total_cmp(&b.share))
    else {
        return terms_reason(explanation);
    };
    let mut text = format!(
        "similar to {} you rated {}",
        entity_label(dataset, best.neighbour),
        format_value(round(best.rating))
    );
    let others = explanation.neighbours.len() - 1;
    if others > 0 {
        text.push_str(&format!(
            " (and {others} more item{} you rated)",
            if others == 1 { "" } else { "s" }
        ));
    }
    text
}

/// "item bias +1.06, factors +0.31 (most: 43 +0.12)": the item's bias when the model
/// has one, the latent factors' total, and the factor adding the most.
fn factors_reason(explanation: &Explanation) -> String {
    let total: f64 = explanation.factors.iter().map(|f| f.contribution).sum();
    let mut text = format!("factors {total:+.2}");
    if let Some(most) = explanation
        .factors
        .iter()
        .max_by(|a, b| a.contribution.total_cmp(&b.contribution))
        .filter(|f| f.contribution > 0.0)
    {
        text.push_str(&format!(
            " (most: {} {:+.2})",
            most.factor, most.contribution
        ));
    }
    match term(explanation, "b_i") {
        Some(bias) => format!("item bias {bias:+.2}, {text}"),
        None => text,
    }
}

/// The item's own term when there is one (its bias, or its mean), else the base terms.
fn terms_reason(explanation: &Explanation) -> String {
    if let Some(bias) = term(explanation, "b_i") {
        let lead = if bias > 0.0 { "popular: " } else { "" };
        return format!("{lead}item bias {bias:+.2}");
    }
    if let Some(mean) = term(explanation, "μ_i") {
        return format!("rated {mean:.2} on average");
    }
    let parts: Vec<String> = explanation
        .terms
        .iter()
        .take(2)
        .map(|t| format!("{} {:.2}", t.meaning, t.value))
        .collect();
    if parts.is_empty() {
        explanation.formula.clone()
    } else {
        parts.join(", ")
    }
}

fn term(explanation: &Explanation, symbol: &str) -> Option<f64> {
    explanation
        .terms
        .iter()
        .find(|t| t.symbol == symbol)
        .map(|t| t.value)
}

fn fallback_words(reason: &FallbackReason) -> String {
    match reason {
        FallbackReason::UnknownUser => "the user has no ratings".to_string(),
        FallbackReason::UnknownItem => "the item has no ratings".to_string(),
        FallbackReason::UnknownUserAndItem => "neither has ratings".to_string(),
        FallbackReason::TooFewNeighbours { found, required } => {
            format!("{found} neighbours of the {required} needed")
        }
        FallbackReason::ZeroSimilarity => "the neighbours' similarities sum to 0".to_string(),
        FallbackReason::Other { detail } => detail.clone(),
    }
}

fn entity_label(dataset: &Dataset, entity: Entity) -> String {
    match entity {
        Entity::User(user) => dataset.user_label(user).to_string(),
        Entity::Item(item) => dataset.item_label(item).to_string(),
    }
}

fn middle(scale: RatingScale) -> f64 {
    (scale.min + scale.max) / 2.0
}

/// Two decimals at most, so that a weight such as log(1 + plays) reads briefly.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The list as a table: rank, user, item id, title, score, reason.
pub fn recommendations_table(
    dataset: &Dataset,
    user: UserIndex,
    list: &[Recommendation],
) -> ExportTable {
    ExportTable::default()
        .with(
            "rank",
            ColumnValues::Integer((1..=list.len() as i64).collect()),
        )
        .with(
            "user",
            ColumnValues::Text(vec![dataset.user_label(user).to_string(); list.len()]),
        )
        .with(
            "item",
            ColumnValues::Text(
                list.iter()
                    .map(|r| dataset.item_id_label(r.item).to_string())
                    .collect(),
            ),
        )
        .with(
            "title",
            ColumnValues::Text(
                list.iter()
                    .map(|r| dataset.item_label(r.item).to_string())
                    .collect(),
            ),
        )
        .with(
            "score",
            ColumnValues::Float(list.iter().map(|r| r.score).collect()),
        )
        .with(
            "reason",
            ColumnValues::Text(list.iter().map(|r| r.reason.clone()).collect()),
        )
}
