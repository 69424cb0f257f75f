//! Grid search: every combination of the values given for some parameters of one
//! algorithm, to be evaluated on the same folds, and the best of them.

use super::{AlgorithmResult, Candidate};
use crate::core::algorithms::AlgorithmSpec;
use crate::core::params::ParamError;

/// One parameter and the values to try, as text (`k` and `["10", "20", "40"]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub name: String,
    pub values: Vec<String>,
}

/// The most combinations a grid may have.
pub const MAX_COMBINATIONS: usize = 1_000;

/// Every combination of the axes' values, first axis slowest, each on top of the
/// `base` settings (`KEY=VALUE`) and checked against the algorithm's parameters.
pub fn combinations(
    spec: &'static AlgorithmSpec,
    base: &[String],
    axes: &[Axis],
) -> Result<Vec<Candidate>, ParamError> {
    let mut settings: Vec<Vec<String>> = vec![base.to_vec()];
    for axis in axes {
        let mut next = Vec::with_capacity(settings.len() * axis.values.len());
        for partial in &settings {
            for value in &axis.values {
                let mut extended = partial.clone();
                extended.push(format!("{}={}", axis.name, value));
                next.push(extended);
            }
        }
        settings = next;
    }
    settings
        .iter()
        .map(|setting| {
            Ok(Candidate {
                spec,
                params: spec.parse_params(setting)?,
            })
        })
        .collect()
}

/// The number of combinations the axes make.
pub fn size(axes: &[Axis]) -> usize {
    axes.iter()
        .map(|a| a.values.len())
        .fold(1usize, |n, k| n.saturating_mul(k))
}

/// The result with the lowest mean RMSE; the first of equals.
pub fn best_by_rmse(results: &[AlgorithmResult]) -> Option<&AlgorithmResult> {
    results
        .iter()
        .filter(|r| r.rmse.is_finite())
        .min_by(|a, b| a.rmse.total_cmp(&b.rmse))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::algorithms::Family;
    use crate::core::params::{ParamKind, ParamSpec, ParamValue};

    const PARAMS: &[ParamSpec] = &[
        ParamSpec {
            name: "k",
            kind: ParamKind::Int {
                min: 1,
                max: 100,
                default: 40,
            },
            help: "neighbours",
        },
        ParamSpec {
            name: "sim",
            kind: ParamKind::Choice {
                options: &["msd", "cosine"],
                default: "msd",
            },
            help: "similarity",
        },
        ParamSpec {
            name: "min_k",
            kind: ParamKind::Int {
                min: 1,
                max: 100,
                default: 1,
            },
            help: "fewest neighbours",
        },
    ];

    static SPEC: AlgorithmSpec = AlgorithmSpec {
        name: "test_knn",
        title: "test",
        family: Family::Neighbourhood,
        description: "a parameter list to combine",
        params: PARAMS,
        fit: |_, _, _| {
            Err(crate::core::algorithms::FitError::Unsuitable(
                "not fitted".into(),
            ))
        },
    };

    #[test]
    fn two_axes_make_every_combination_on_top_of_the_base() {
        let axes = [
            Axis {
                name: "k".into(),
                values: vec!["10".into(), "20".into()],
            },
            Axis {
                name: "sim".into(),
                values: vec!["msd".into(), "cosine".into()],
            },
        ];
        assert_eq!(size(&axes), 4);
        let candidates = combinations(&SPEC, &["min_k=3".into()], &axes).unwrap();
        let seen: Vec<(i64, String, i64)> = candidates
            .iter()
            .map(|c| {
                (
                    c.params.int("k", 0),
                    c.params.text("sim", "").to_string(),
                    c.params.int("min_k", 0),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (10, "msd".into(), 3),
                (10, "cosine".into(), 3),
                (20, "msd".into(), 3),
                (20, "cosine".into(), 3),
            ]
        );
        assert_eq!(candidates[0].params.get("k"), Some(&ParamValue::Int(10)));
    }

    #[test]
    fn a_bad_value_on_an_axis_is_named() {
        let axes = [Axis {
            name: "k".into(),
            values: vec!["10".into(), "zero".into()],
        }];
        let err = combinations(&SPEC, &[], &axes).unwrap_err().to_string();
        assert!(err.contains("'zero'"), "{err}");
    }
}
