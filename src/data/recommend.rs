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
    let who = match (liked.len(), total) {
        (_, 1) => who,
        (2, 2) => "both nearest neighbours who rated it".to_string(),
        (count, _) if count == total => format!("all {total} nearest neighbours who rated it"),
        (count, _) => format!("{count} of {who}"),
    };
    format!("liked by {who}: {named}")
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
    // In one user's list, a term of the user alone (`μ_u − C̄_u`) is the same on every
    // line: the reason names the terms that differ from item to item.
    let of_user_alone = |symbol: &str| symbol.contains("_u") && !symbol.contains('i');
    let parts: Vec<String> = explanation
        .terms
        .iter()
        .filter(|t| !of_user_alone(&t.symbol))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::fixtures;
    use crate::core::explain::{FactorTerm, NeighbourTerm, Term};

    fn neighbour(neighbour: Entity, rating: f64, share: f64) -> NeighbourTerm {
        NeighbourTerm {
            neighbour,
            similarity: share,
            rating,
            deviation: rating,
            share,
            contribution: share * rating,
        }
    }

    fn reason_of(explanation: Explanation) -> String {
        let value = explanation.raw;
        reason(&fixtures::tiny(), &Prediction { value, explanation })
    }

    #[test]
    fn user_neighbours_who_liked_the_item_are_named() {
        // The fixture's scale is 1..5, middle 3: ratings 5 and 4 are liked, 2 is not.
        let mut explanation = Explanation::from_terms("r̂ = Σ s·r / Σ s", Vec::new());
        explanation.neighbours = vec![
            neighbour(Entity::User(0), 5.0, 0.5),
            neighbour(Entity::User(1), 2.0, 0.3),
            neighbour(Entity::User(2), 4.0, 0.2),
        ];
        assert_eq!(
            reason_of(explanation),
            "liked by 2 of the 3 nearest neighbours who rated it: U1 (5), U3 (4)"
        );
    }

    #[test]
    fn term_reasons_leave_out_what_only_the_user_adds() {
        // Co-clustering: the user's offset is the same for every item of their list.
        let explanation = Explanation::from_terms(
            "r̂ = C̄_ui + (μ_u − C̄_u) + (μ_i − C̄_i)",
            vec![
                Term::new("C̄_ui", "mean rating of the co-cluster", 3.71),
                Term::new("μ_u − C̄_u", "user's mean minus their cluster's mean", -0.33),
                Term::new("μ_i − C̄_i", "item's mean minus its cluster's mean", 0.25),
            ],
        );
        assert_eq!(
            reason_of(explanation),
            "mean rating of the co-cluster 3.71, item's mean minus its cluster's mean 0.25"
        );
    }

    #[test]
    fn item_neighbours_name_the_item_with_the_largest_share() {
        let mut explanation = Explanation::from_terms("r̂ = Σ s·r / Σ s", Vec::new());
        explanation.neighbours = vec![
            neighbour(Entity::Item(0), 5.0, 0.3),
            neighbour(Entity::Item(1), 4.0, 0.7),
        ];
        assert_eq!(
            reason_of(explanation),
            "similar to Movie B you rated 4 (and 1 more item you rated)"
        );
    }

    #[test]
    fn baselines_give_the_item_bias_and_means_the_item_mean() {
        let terms = |b_i: f64| {
            vec![
                Term::new("μ", "mean of all known ratings", 3.5),
                Term::new("b_u", "user bias", 0.1),
                Term::new("b_i", "item bias", b_i),
            ]
        };
        let formula = "r̂ = μ + b_u + b_i";
        assert_eq!(
            reason_of(Explanation::from_terms(formula, terms(0.8))),
            "popular: item bias +0.80"
        );
        assert_eq!(
            reason_of(Explanation::from_terms(formula, terms(-0.2))),
            "item bias -0.20"
        );
        let mean = vec![Term::new("μ_i", "mean of the item's ratings", 4.25)];
        assert_eq!(
            reason_of(Explanation::from_terms("r̂ = μ_i", mean)),
            "rated 4.25 on average"
        );
    }

    #[test]
    fn factors_give_their_total_and_the_largest() {
        // 0.25 − 0.05 + 0.10 = 0.30; the largest is factor 0 with 0.25.
        let mut explanation = Explanation::from_terms(
            "r̂ = μ + b_u + b_i + p_u·q_i",
            vec![Term::new("b_i", "item bias", 0.5)],
        );
        explanation.factors = [(0, 0.25), (1, -0.05), (2, 0.10)]
            .into_iter()
            .map(|(factor, contribution)| FactorTerm {
                factor,
                user_value: contribution,
                item_value: 1.0,
                contribution,
            })
            .collect();
        assert_eq!(
            reason_of(explanation),
            "item bias +0.50, factors +0.30 (most: 0 +0.25)"
        );
    }

    #[test]
    fn a_fallback_says_there_was_no_personal_signal() {
        let explanation = Explanation::from_terms(
            "r̂ = μ_u",
            vec![Term::new("μ", "mean of all known ratings", 4.0)],
        )
        .with_fallback(FallbackReason::UnknownUser, "global mean μ");
        assert_eq!(
            reason_of(explanation),
            "no personal signal (the user has no ratings): global mean μ"
        );
    }
}
