//! The keys every one-line prompt typed into an overlay shares (the what-if rating,
//! the parameter editor): Esc and ctrl-c close it, Enter submits it, Backspace and
//! characters edit its text.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKey {
    /// Esc or ctrl-c: the prompt should close, unchanged.
    Close,
    /// Enter: the text should be applied.
    Submit,
    /// Backspace or a character changed the text.
    Edited,
    /// Any other key; the text is as it was.
    Ignored,
}

impl PromptKey {
    /// Applies `key` to a prompt's `text` and says what it did.
    pub fn edit(text: &mut String, key: &KeyEvent) -> PromptKey {
        match key.code {
            KeyCode::Esc => PromptKey::Close,
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => PromptKey::Close,
            KeyCode::Enter => PromptKey::Submit,
            KeyCode::Backspace => {
                text.pop();
                PromptKey::Edited
            }
            KeyCode::Char(c) => {
                text.push(c);
                PromptKey::Edited
            }
            _ => PromptKey::Ignored,
        }
    }
}
