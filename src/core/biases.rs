//! User and item biases around the global mean, `b_ui = μ + b_u + b_i`, fitted by
//! alternating least squares or by stochastic gradient descent (Koren, "Factor in the
//! neighbors", 2010, section 2.1). Shared by the baseline predictor, baseline-adjusted
//! k-NN and the Pearson-baseline similarity.

use serde::{Deserialize, Serialize};

use super::algorithms::FitError;
use super::algorithms::support;
use super::matrix::{ItemIndex, RatingMatrix, UserIndex};
use super::progress::Progress;

/// Fitted biases: `μ`, one `b_u` per user and one `b_i` per item (zero when unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Biases {
    pub global_mean: f64,
    pub user: Vec<f64>,
    pub item: Vec<f64>,
}

/// How to fit biases; the defaults are the usual ones (ALS: 10 epochs, λ_u = 15,
/// λ_i = 10; SGD: 20 epochs, λ = 0.02, γ = 0.005).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum BiasMethod {
    Als {
        epochs: usize,
        reg_user: f64,
        reg_item: f64,
    },
    Sgd {
        epochs: usize,
        reg: f64,
        learning_rate: f64,
    },
}

impl Default for BiasMethod {
    fn default() -> Self {
        BiasMethod::Als {
            epochs: 10,
            reg_user: 15.0,
            reg_item: 10.0,
        }
    }
}

impl Biases {
    /// Fits biases to the known ratings of `matrix`.
    ///
    /// ALS alternates closed-form updates, items first:
    /// `b_i = Σ_u (r_ui − μ − b_u) / (λ_i + |U_i|)`, then
    /// `b_u = Σ_i (r_ui − μ − b_i) / (λ_u + |I_u|)`.
    /// SGD visits users in index order and each user's ratings in input order:
    /// `e = r_ui − (μ + b_u + b_i)`, `b_u += γ (e − λ b_u)`, `b_i += γ (e − λ b_i)`.
    pub fn fit(
        matrix: &RatingMatrix,
        method: BiasMethod,
        progress: &Progress,
    ) -> Result<Self, FitError> {
        let mut biases = Biases {
            global_mean: matrix.global_mean(),
            user: vec![0.0; matrix.n_users()],
            item: vec![0.0; matrix.n_items()],
        };
        match method {
            BiasMethod::Als {
                epochs,
                reg_user,
                reg_item,
            } => {
                for epoch in 0..epochs {
                    progress.check()?;
                    biases.als_items(matrix, reg_item);
                    biases.als_users(matrix, reg_user);
                    let hint = "lower reg_user and reg_item never helps here: rescale the ratings";
                    biases.ensure_finite("ALS of the biases", epoch, "", hint, matrix)?;
                    progress.report((epoch + 1) as f64 / epochs as f64, "biases (ALS)");
                }
            }
            BiasMethod::Sgd {
                epochs,
                reg,
                learning_rate,
            } => {
                for epoch in 0..epochs {
                    progress.check()?;
                    biases.sgd_epoch(matrix, reg, learning_rate);
                    let hint = support::learning_rate_hint("learning_rate", learning_rate, 0.005);
                    let cause = format!("with learning_rate {learning_rate}");
                    biases.ensure_finite("SGD of the biases", epoch, &cause, &hint, matrix)?;
                    progress.report((epoch + 1) as f64 / epochs as f64, "biases (SGD)");
                }
            }
        }
        Ok(biases)
    }

    /// `Err` when an epoch left a bias NaN or infinite (see
    /// [`support::ensure_finite`]).
    fn ensure_finite(
        &self,
        fit: &str,
        epoch: usize,
        cause: &str,
        hint: &str,
        matrix: &RatingMatrix,
    ) -> Result<(), FitError> {
        // Users and items without ratings are never used (their bias reads as 0 in
        // predictions); with no regularisation ALS leaves them at 0 / 0.
        let known = |values: &[f64], count: &dyn Fn(usize) -> usize| -> Vec<f64> {
            values
                .iter()
                .enumerate()
                .filter(|&(index, _)| count(index) > 0)
                .map(|(_, &value)| value)
                .collect()
        };
        let user = known(&self.user, &|u| matrix.user_count(u as UserIndex));
        let item = known(&self.item, &|i| matrix.item_count(i as ItemIndex));
        support::ensure_finite(fit, epoch, cause, hint, matrix, &[&user, &item])
    }

    fn als_items(&mut self, matrix: &RatingMatrix, reg_item: f64) {
        for item in 0..matrix.n_items() {
            let (users, ratings) = matrix.item_ratings(item as ItemIndex);
            let deviation: f64 = users
                .iter()
                .zip(ratings)
                .map(|(&u, &r)| r - self.global_mean - self.user[u as usize])
                .sum();
            self.item[item] = deviation / (reg_item + users.len() as f64);
        }
    }

    fn als_users(&mut self, matrix: &RatingMatrix, reg_user: f64) {
        for user in 0..matrix.n_users() {
            let (items, ratings) = matrix.user_ratings(user as UserIndex);
            let deviation: f64 = items
                .iter()
                .zip(ratings)
                .map(|(&i, &r)| r - self.global_mean - self.item[i as usize])
                .sum();
            self.user[user] = deviation / (reg_user + items.len() as f64);
        }
    }

    fn sgd_epoch(&mut self, matrix: &RatingMatrix, reg: f64, learning_rate: f64) {
        for rating in matrix.ratings() {
            let (u, i) = (rating.user as usize, rating.item as usize);
            let error = rating.value - (self.global_mean + self.user[u] + self.item[i]);
            self.user[u] += learning_rate * (error - reg * self.user[u]);
            self.item[i] += learning_rate * (error - reg * self.item[i]);
        }
    }

    /// `b_u`, zero for a user outside the matrix.
    pub fn user_bias(&self, user: UserIndex) -> f64 {
        self.user.get(user as usize).copied().unwrap_or(0.0)
    }

    /// `b_i`, zero for an item outside the matrix.
    pub fn item_bias(&self, item: ItemIndex) -> f64 {
        self.item.get(item as usize).copied().unwrap_or(0.0)
    }

    /// The baseline estimate `b_ui = μ + b_u + b_i`.
    pub fn baseline(&self, user: UserIndex, item: ItemIndex) -> f64 {
        self.global_mean + self.user_bias(user) + self.item_bias(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::matrix::{Rating, RatingScale};

    /// Two users, two items: u0 rates i0 = 4, i1 = 2; u1 rates i0 = 5.  μ = 11/3.
    fn two_by_two() -> RatingMatrix {
        let ratings = [
            Rating {
                user: 0,
                item: 0,
                value: 4.0,
            },
            Rating {
                user: 0,
                item: 1,
                value: 2.0,
            },
            Rating {
                user: 1,
                item: 0,
                value: 5.0,
            },
        ];
        RatingMatrix::new(2, 2, &ratings, RatingScale { min: 1.0, max: 5.0 }).unwrap()
    }

    #[test]
    fn one_als_epoch_matches_hand_calculation() {
        // Items first with b_u = 0 and λ = 1:
        //   b_i0 = ((4 − 11/3) + (5 − 11/3)) / (1 + 2) = (5/3) / 3 = 5/9
        //   b_i1 = (2 − 11/3) / (1 + 1) = −5/6
        // then users:
        //   b_u0 = ((4 − 11/3 − 5/9) + (2 − 11/3 + 5/6)) / (1 + 2) = (−2/9 − 5/6) / 3 = −19/54
        //   b_u1 = (5 − 11/3 − 5/9) / (1 + 1) = (7/9) / 2 = 7/18
        let method = BiasMethod::Als {
            epochs: 1,
            reg_user: 1.0,
            reg_item: 1.0,
        };
        let biases = Biases::fit(&two_by_two(), method, &Progress::none()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(biases.item[0], 5.0 / 9.0), "{:?}", biases);
        assert!(close(biases.item[1], -5.0 / 6.0));
        assert!(close(biases.user[0], -19.0 / 54.0));
        assert!(close(biases.user[1], 7.0 / 18.0));
    }

    #[test]
    fn one_sgd_step_matches_hand_calculation() {
        // μ = 3, γ = 0.5, λ = 0. Rating (u0, i0, 4): e = 1, so b_u0 = b_i0 = 0.5.
        // Rating (u0, i1, 2): e = 2 − 3 − 0.5 = −1.5, so b_u0 = 0.5 − 0.75 = −0.25
        // and b_i1 = −0.75.
        let method = BiasMethod::Sgd {
            epochs: 1,
            reg: 0.0,
            learning_rate: 0.5,
        };
        let matrix = RatingMatrix::new(
            1,
            2,
            &[
                Rating {
                    user: 0,
                    item: 0,
                    value: 4.0,
                },
                Rating {
                    user: 0,
                    item: 1,
                    value: 2.0,
                },
            ],
            RatingScale { min: 1.0, max: 5.0 },
        )
        .unwrap();
        let biases = Biases::fit(&matrix, method, &Progress::none()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(biases.global_mean, 3.0));
        assert!(close(biases.user[0], -0.25), "{:?}", biases);
        assert!(close(biases.item[0], 0.5));
        assert!(close(biases.item[1], -0.75));
    }
}
