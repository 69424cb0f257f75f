//! Structured explanations: how a prediction was computed, as data the UI and CLI format.
//!
//! Every prediction is `base + Σ contributions`, then clipped to the rating scale:
//! `base` is the sum of the named `terms` (a mean, biases, a baseline), and each
//! neighbour, factor or feature adds one contribution. Tests assert that the parts add
//! up to the value, so what the user reads is exactly what was computed.

use serde::{Deserialize, Serialize};

use super::matrix::{ItemIndex, UserIndex};

/// A user or an item, by dense index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum Entity {
    User(UserIndex),
    Item(ItemIndex),
}

/// A named quantity of the formula, e.g. `μ` (global mean) = 3.53.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The symbol used in the formula, e.g. `μ`, `b_u`, `μ_u`.
    pub symbol: String,
    /// What the symbol means, e.g. "global mean".
    pub meaning: String,
    pub value: f64,
}

impl Term {
    pub fn new(symbol: &str, meaning: &str, value: f64) -> Self {
        Term {
            symbol: symbol.to_string(),
            meaning: meaning.to_string(),
            value,
        }
    }
}

/// One neighbour's part in a k-NN prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeighbourTerm {
    pub neighbour: Entity,
    /// Similarity to the user (item) being predicted; its weight in the average.
    pub similarity: f64,
    /// The neighbour's known rating of the item (the user's rating of the neighbour item).
    pub rating: f64,
    /// The value the similarity multiplies: the rating itself, or the rating minus
    /// the neighbour's mean or baseline, scaled as the formula says.
    pub deviation: f64,
    /// `similarity / Σ similarity`, the neighbour's share of the weighted average.
    pub share: f64,
    /// What this neighbour adds to the prediction: `share × deviation`.
    pub contribution: f64,
}

/// One latent factor's part in a dot product `p_u · q_i`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorTerm {
    pub factor: usize,
    pub user_value: f64,
    pub item_value: f64,
    /// `user_value × item_value`.
    pub contribution: f64,
}

/// One item feature's part in a content-based score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureTerm {
    pub feature: String,
    pub user_weight: f64,
    pub item_weight: f64,
    pub contribution: f64,
}

/// Where a ranking model's score puts the item among the user's candidates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// The model's score `x_u · y_i` (a ranking score, not a rating).
    pub score: f64,
    /// 1 for the user's best-scored item; counted among the items the user has no
    /// training interaction with, plus this item when it is one of them.
    pub rank: usize,
    /// How many items were ranked.
    pub of: usize,
}

/// Why the algorithm's own formula could not be applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FallbackReason {
    /// The user has no ratings in the training data.
    UnknownUser,
    /// The item has no ratings in the training data.
    UnknownItem,
    /// Neither user nor item has ratings in the training data.
    UnknownUserAndItem,
    /// Fewer neighbours with positive similarity than the algorithm requires.
    TooFewNeighbours { found: usize, required: usize },
    /// The neighbours' similarities sum to zero, so no weighted average exists.
    ZeroSimilarity,
    /// Anything else, said in words.
    Other { detail: String },
}

/// What was used instead of the formula, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fallback {
    pub reason: FallbackReason,
    /// What the value is instead, e.g. "global mean" or "user mean μ_u".
    pub used: String,
}

/// A sub-model of a hybrid, with its weight in the blend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub label: String,
    pub weight: f64,
    pub explanation: Explanation,
}

/// How one prediction was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The general formula, in the symbols of `terms`, e.g. `r̂ = μ + b_u + b_i`.
    pub formula: String,
    /// Named quantities whose sum is the base of the prediction.
    pub terms: Vec<Term>,
    /// Neighbours used (k-NN), best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub neighbours: Vec<NeighbourTerm>,
    /// Factor contributions (matrix factorisation), largest magnitude first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<FactorTerm>,
    /// Feature contributions (content-based), largest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<FeatureTerm>,
    /// Sub-models of a hybrid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Set when the formula could not be applied.
    pub fallback: Option<Fallback>,
    /// For models whose values are ranking scores: the score and the item's rank
    /// for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranked: Option<Ranked>,
    /// Policies that shaped this prediction, in words (e.g. "neighbours with
    /// similarity ≤ 0 are ignored").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The prediction before clipping to the rating scale.
    pub raw: f64,
}

impl Explanation {
    /// An explanation whose value is the sum of `terms`.
    pub fn from_terms(formula: &str, terms: Vec<Term>) -> Self {
        let raw = terms.iter().map(|t| t.value).sum();
        Explanation {
            formula: formula.to_string(),
            terms,
            neighbours: Vec::new(),
            factors: Vec::new(),
            features: Vec::new(),
            parts: Vec::new(),
            fallback: None,
            ranked: None,
            notes: Vec::new(),
            raw,
        }
    }

    /// Sum of the base terms.
    pub fn base(&self) -> f64 {
        self.terms.iter().map(|t| t.value).sum()
    }

    /// Sum of neighbour, factor, feature and part contributions.
    pub fn contributions(&self) -> f64 {
        self.neighbours.iter().map(|n| n.contribution).sum::<f64>()
            + self.factors.iter().map(|f| f.contribution).sum::<f64>()
            + self.features.iter().map(|f| f.contribution).sum::<f64>()
            + self
                .parts
                .iter()
                .map(|p| p.weight * p.explanation.raw)
                .sum::<f64>()
    }

    pub fn with_fallback(mut self, reason: FallbackReason, used: &str) -> Self {
        self.fallback = Some(Fallback {
            reason,
            used: used.to_string(),
        });
        self
    }

    pub fn with_note(mut self, note: &str) -> Self {
        self.notes.push(note.to_string());
        self
    }
}

/// A predicted value with the explanation behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The prediction, clipped to the rating scale (for ranking models, a score).
    pub value: f64,
    pub explanation: Explanation,
}

impl Prediction {
    /// Whether the algorithm had to fall back instead of applying its formula.
    pub fn was_impossible(&self) -> bool {
        self.explanation.fallback.is_some()
    }
}
