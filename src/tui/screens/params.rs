//! The parameter editor: a prompt over the screen listing the selected algorithm's
//! parameters, where `name=value` sets one as `--param name=value` does on the
//! command line, and the model is refitted.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::prompt::PromptKey;
use crate::core::algorithms::AlgorithmSpec;
use crate::core::params::ParamError;
use crate::tui::app::{App, Overlay};

/// The `P` prompt: what was typed and the parameter the list highlights.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamsPrompt {
    pub text: String,
    /// Index into the algorithm's parameters of the highlighted one, whose help is
    /// shown whole: the one being typed, or chosen with ↑ ↓.
    pub selected: usize,
    /// Why the last entry was refused.
    pub error: Option<String>,
}

/// `P`: opens the editor on the selected algorithm's parameters.
pub fn open(app: &mut App) {
    if app.spec().is_none() {
        return;
    }
    app.overlay = Some(Overlay::Params(ParamsPrompt {
        text: String::new(),
        selected: 0,
        error: None,
    }));
}

/// Handles a key while the editor is open; `true` when the editor took it. ↑ and ↓
/// highlight another parameter, Tab types the highlighted one's name.
pub fn on_prompt_key(app: &mut App, key: &KeyEvent) -> bool {
    let spec = app.spec();
    let Some(Overlay::Params(prompt)) = &mut app.overlay else {
        return false;
    };
    let params = spec.map_or(&[][..], |spec| spec.params);
    match key.code {
        KeyCode::Up => prompt.selected = prompt.selected.saturating_sub(1),
        KeyCode::Down if prompt.selected + 1 < params.len() => prompt.selected += 1,
        KeyCode::Tab => {
            if let Some(param) = params.get(prompt.selected) {
                prompt.text = format!("{}=", param.name);
                prompt.error = None;
            }
        }
        _ => match PromptKey::edit(&mut prompt.text, key) {
            PromptKey::Close => app.overlay = None,
            PromptKey::Submit => {
                let text = prompt.text.clone();
                submit(app, &text);
            }
            PromptKey::Edited => {
                prompt.error = None;
                if let Some(at) = spec.and_then(|spec| typed_param(spec, &prompt.text)) {
                    prompt.selected = at;
                }
            }
            PromptKey::Ignored => {}
        },
    }
    true
}

/// The parameter whose name is being typed: the one named exactly, else the first
/// whose name starts with what was typed before any `=`.
pub fn typed_param(spec: &AlgorithmSpec, text: &str) -> Option<usize> {
    let typed = text.split('=').next().unwrap_or("").trim();
    if typed.is_empty() {
        return None;
    }
    let names = || spec.params.iter().map(|param| param.name);
    names()
        .position(|name| name == typed)
        .or_else(|| names().position(|name| name.starts_with(typed)))
}

/// Enter: sets the parameter typed and closes the editor, or keeps it open with the
/// reason the entry was refused. An algorithm without parameters just closes it.
fn submit(app: &mut App, text: &str) {
    let Some(spec) = app.spec() else {
        app.overlay = None;
        return;
    };
    if spec.params.is_empty() {
        app.overlay = None;
        return;
    }
    match set_typed(app, spec, text) {
        Ok(()) => app.overlay = None,
        Err(message) => {
            if let Some(Overlay::Params(prompt)) = &mut app.overlay {
                prompt.error = Some(message);
            }
        }
    }
}

/// Sets `name=value` through the checks of the command line's `--param`.
fn set_typed(app: &mut App, spec: &AlgorithmSpec, text: &str) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        let example = spec.params.first().map_or("name", |param| param.name);
        return Err(format!("type name=value, e.g. {example}=…"));
    }
    let (name, value) = text.split_once('=').ok_or_else(|| {
        ParamError::NotKeyValue {
            text: text.to_string(),
        }
        .to_string()
    })?;
    let name = name.trim();
    app.set_param(name, |params, spec| {
        params.set_text(spec.name, spec.params, name, value)
    })
    .map_err(|err| err.to_string())
}
