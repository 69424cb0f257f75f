//! The embeddings screen's state: the current model's users and items projected to
//! two dimensions, and the items nearest to the selected user in vector space. It is
//! computed when the screen opens, the model changes or the cursor moves (through
//! `refresh_screen`), so that drawing only reads it.

use std::sync::Arc;

use crate::core::algorithms::Model;
use crate::core::embeddings::{Projection, project};
use crate::core::matrix::{ItemIndex, UserIndex};
use crate::data::{ColumnValues, ExportTable};

use crate::tui::app::{App, Mode};
use crate::tui::keys::Action;

/// How many nearest items the screen lists.
pub const NEAREST: usize = 20;

/// What the embeddings screen shows.
#[derive(Debug, Clone, PartialEq)]
pub enum EmbeddingsState {
    /// No model is fitted yet.
    Waiting,
    /// The model (named) has no user and item vectors.
    NoVectors {
        algorithm: &'static str,
    },
    Shown(Shown),
}

/// A projection of the current model and the selected user's nearest items.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub algorithm: &'static str,
    pub dimensions: usize,
    pub projection: Projection,
    /// The model the projection belongs to (its fit generation), to know when to redo.
    pub generation: u64,
    pub user: UserIndex,
    /// `(item, cosine, whether the user interacted with it)`, best first.
    pub nearest: Vec<(ItemIndex, f64, bool)>,
    /// Whether `nearest` leaves out the items the user interacted with.
    pub new_only: bool,
}

/// Switches the nearest items between all items and those new to the user.
pub fn toggle_new_only(app: &mut App) {
    if app.mode != Mode::Embeddings {
        let keys = app.keys.keys_text(Action::ShowEmbeddings);
        app.say(&format!(
            "{} lists new items on the embeddings screen ({keys})",
            app.keys.keys_text(Action::ToggleNewItems)
        ));
        return;
    }
    app.nearest_new_only = !app.nearest_new_only;
    refresh(app);
    let message = if app.nearest_new_only {
        "nearest items: new ones only"
    } else {
        "nearest items: all, ✓ interacted"
    };
    app.say(message);
}

/// Brings the state up to date with the current model and cursor; the projection
/// is redone only for a new model.
pub fn refresh(app: &mut App) {
    let Some(fitted) = &app.model else {
        app.embeddings = EmbeddingsState::Waiting;
        return;
    };
    let model: Arc<dyn Model> = fitted.model.clone();
    let (algorithm, generation) = (fitted.spec.name, fitted.generation);
    let Some(vectors) = model.embeddings() else {
        app.embeddings = EmbeddingsState::NoVectors { algorithm };
        return;
    };
    let user = app.rows.get(app.cursor.row).copied().unwrap_or(0);
    let projection = match &app.embeddings {
        EmbeddingsState::Shown(shown)
            if shown.generation == generation && shown.algorithm == algorithm =>
        {
            shown.projection.clone()
        }
        _ => project(&vectors),
    };
    let matrix = model.matrix();
    let new_only = app.nearest_new_only;
    let nearest = vectors
        .nearest_items(user, NEAREST, |item| {
            matrix.knows_item(item) && !(new_only && matrix.rating(user, item).is_some())
        })
        .into_iter()
        .map(|(item, cosine)| (item, cosine, matrix.rating(user, item).is_some()))
        .collect();
    app.embeddings = EmbeddingsState::Shown(Shown {
        algorithm,
        dimensions: vectors.dimensions(),
        projection,
        generation,
        user,
        nearest,
        new_only,
    });
}

/// The projection as a table: one row per user and per item, with its kind, id,
/// label and coordinates on the two axes.
pub fn export_table(app: &App) -> Result<(ExportTable, String), String> {
    let EmbeddingsState::Shown(shown) = &app.embeddings else {
        return Err("no embeddings shown; choose a factor model first".to_string());
    };
    let projection = &shown.projection;
    let (mut kinds, mut ids, mut labels, mut xs, mut ys) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (user, point) in projection.users.iter().enumerate() {
        let label = app.user_label(user as UserIndex).to_string();
        kinds.push("user".to_string());
        ids.push(label.clone());
        labels.push(label);
        xs.push(point[0]);
        ys.push(point[1]);
    }
    for (item, point) in projection.items.iter().enumerate() {
        kinds.push("item".to_string());
        ids.push(app.dataset.item_id_label(item as ItemIndex).to_string());
        labels.push(app.item_label(item as ItemIndex).to_string());
        xs.push(point[0]);
        ys.push(point[1]);
    }
    let count = xs.len();
    let table = ExportTable::default()
        .with("kind", ColumnValues::Text(kinds))
        .with("id", ColumnValues::Text(ids))
        .with("label", ColumnValues::Text(labels))
        .with("x", ColumnValues::Float(xs))
        .with("y", ColumnValues::Float(ys));
    Ok((table, format!("{count} projected points")))
}
