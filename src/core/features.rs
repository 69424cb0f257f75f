//! Item features (genres, tags) by dense item index: the vocabulary the content-based
//! models weigh, carried into the core beside the rating matrix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::matrix::ItemIndex;

/// Which named features each item has. A feature is present or absent (genres and
/// tags carry no counts); items without any feature have an empty list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemFeatures {
    /// Feature names, in the order they were first met; a feature's index is its
    /// position here.
    names: Vec<String>,
    /// The feature indices of each item, ascending, without repeats.
    by_item: Vec<Vec<u32>>,
}

impl ItemFeatures {
    /// Features from each item's labels (e.g. its genres), item by item. Repeated
    /// labels of one item count once; empty labels are ignored.
    pub fn from_labels<S: AsRef<str>>(labels: &[Vec<S>]) -> Self {
        let mut names: Vec<String> = Vec::new();
        let mut index: BTreeMap<String, u32> = BTreeMap::new();
        let by_item = labels
            .iter()
            .map(|item_labels| {
                let mut features: Vec<u32> = item_labels
                    .iter()
                    .map(|label| label.as_ref().trim())
                    .filter(|label| !label.is_empty())
                    .map(|label| {
                        *index.entry(label.to_string()).or_insert_with(|| {
                            names.push(label.to_string());
                            (names.len() - 1) as u32
                        })
                    })
                    .collect();
                features.sort_unstable();
                features.dedup();
                features
            })
            .collect();
        ItemFeatures { names, by_item }
    }

    /// Number of distinct features.
    pub fn n_features(&self) -> usize {
        self.names.len()
    }

    /// Number of items described (with or without features).
    pub fn n_items(&self) -> usize {
        self.by_item.len()
    }

    /// The name of feature `feature`, e.g. "Comedy".
    pub fn name(&self, feature: u32) -> &str {
        self.names
            .get(feature as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The features of `item`, ascending; empty for an item without features or
    /// beyond the described items.
    pub fn of_item(&self, item: ItemIndex) -> &[u32] {
        self.by_item
            .get(item as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Number of items with at least one feature.
    pub fn items_with_features(&self) -> usize {
        self.by_item.iter().filter(|f| !f.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_indices_in_first_seen_order_without_repeats() {
        let features = ItemFeatures::from_labels(&[
            vec!["Drama", "Comedy", "Drama"],
            vec![],
            vec!["Comedy", " ", "War"],
        ]);
        assert_eq!(features.n_features(), 3);
        assert_eq!(features.of_item(0), &[0, 1]);
        assert_eq!(features.of_item(1), &[] as &[u32]);
        assert_eq!(features.of_item(2), &[1, 2]);
        assert_eq!(features.name(2), "War");
        assert_eq!(features.items_with_features(), 2);
        assert_eq!(features.of_item(9), &[] as &[u32]);
    }
}
