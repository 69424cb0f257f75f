//! The key table: which keys trigger which action. One table, read from
//! `assets/keys.toml` and the user's `keys.toml`, dispatches keys and generates the help
//! overlay and the status-line hints, so the three never drift apart.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// Everything a key can ask the explorer to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    Cancel,
    MoveUp,
    MoveDown,
    MoveLeft,
    MoveRight,
    PageUp,
    PageDown,
    FirstColumn,
    LastColumn,
    FirstRow,
    LastRow,
    TogglePredictions,
    NextAlgorithm,
    PreviousAlgorithm,
    ToggleUserBased,
    NextSimilarity,
    IncreaseK,
    DecreaseK,
    EditParams,
    ToggleNeighboursOf,
    SortRows,
    SortColumns,
    Jump,
    ScrollExplainDown,
    ScrollExplainUp,
    MorePanelSupport,
    LessPanelSupport,
    ShowMatrix,
    ShowStats,
    ShowRecommend,
    ShowEmbeddings,
    NextScreen,
    PreviousScreen,
    Export,
    ExportFormat,
    ShowCompare,
    ShowEvaluate,
    ToggleChoice,
    ChooseAll,
    Run,
    NextMetric,
    ToggleTopK,
    ToggleNewItems,
    HoldOut,
    MoreHeldOut,
    LessHeldOut,
    EditRating,
    ClearRating,
    Undo,
}

/// Where an action is listed in the help overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    General,
    Moving,
    Algorithm,
    View,
    Screens,
    Experiment,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::General => "General",
            Group::Moving => "Moving around",
            Group::Algorithm => "Algorithm",
            Group::View => "View",
            Group::Screens => "Screens",
            Group::Experiment => "Hold-out and what-if",
        }
    }
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: &'static [Action] = &[
        Action::Help,
        Action::Quit,
        Action::Cancel,
        Action::MoveUp,
        Action::MoveDown,
        Action::MoveLeft,
        Action::MoveRight,
        Action::PageUp,
        Action::PageDown,
        Action::FirstColumn,
        Action::LastColumn,
        Action::FirstRow,
        Action::LastRow,
        Action::ScrollExplainDown,
        Action::ScrollExplainUp,
        Action::Jump,
        Action::NextAlgorithm,
        Action::PreviousAlgorithm,
        Action::ToggleUserBased,
        Action::NextSimilarity,
        Action::IncreaseK,
        Action::DecreaseK,
        Action::EditParams,
        Action::TogglePredictions,
        Action::ToggleNeighboursOf,
        Action::MorePanelSupport,
        Action::LessPanelSupport,
        Action::SortRows,
        Action::SortColumns,
        Action::ToggleNewItems,
        Action::ShowMatrix,
        Action::ShowStats,
        Action::ShowRecommend,
        Action::ShowCompare,
        Action::ShowEvaluate,
        Action::ShowEmbeddings,
        Action::NextScreen,
        Action::PreviousScreen,
        Action::Export,
        Action::ExportFormat,
        Action::ToggleChoice,
        Action::ChooseAll,
        Action::Run,
        Action::NextMetric,
        Action::ToggleTopK,
        Action::HoldOut,
        Action::MoreHeldOut,
        Action::LessHeldOut,
        Action::EditRating,
        Action::ClearRating,
        Action::Undo,
    ];

    /// What the action does, in the words of the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show or hide this help",
            Action::Cancel => "close a prompt / cancel work",
            Action::MoveUp => "previous user",
            Action::MoveDown => "next user",
            Action::MoveLeft => "previous item",
            Action::MoveRight => "next item",
            Action::PageUp => "a page of users up",
            Action::PageDown => "a page of users down",
            Action::FirstColumn => "first item",
            Action::LastColumn => "last item",
            Action::FirstRow => "first user",
            Action::LastRow => "last user",
            Action::TogglePredictions => "unknown cells: ? or predictions",
            Action::NextAlgorithm => "next algorithm",
            Action::PreviousAlgorithm => "previous algorithm",
            Action::ToggleUserBased => "user-based / item-based",
            Action::NextSimilarity => "next similarity measure",
            Action::IncreaseK => "more neighbours (k + 1)",
            Action::DecreaseK => "fewer neighbours (k − 1)",
            Action::EditParams => "set a parameter of the algorithm",
            Action::ToggleNeighboursOf => "neighbours panel: users / items",
            Action::SortRows => "sort users (file / most ratings)",
            Action::SortColumns => "sort items (file / most ratings)",
            Action::ToggleNewItems => "embeddings: nearest all / new only",
            Action::Jump => "jump to a user or item",
            Action::ScrollExplainDown => "scroll explanation or table down",
            Action::ScrollExplainUp => "scroll explanation or table up",
            Action::MorePanelSupport => "neighbours panel: more in common",
            Action::LessPanelSupport => "neighbours panel: fewer in common",
            Action::ShowMatrix => "matrix screen",
            Action::ShowStats => "stats screen",
            Action::ShowRecommend => "recommend screen",
            Action::ShowEmbeddings => "embeddings screen",
            Action::NextScreen => "next screen",
            Action::PreviousScreen => "previous screen",
            Action::Export => "export what the screen shows",
            Action::ExportFormat => "export format: CSV / parquet / JSON",
            Action::ShowCompare => "compare screen",
            Action::ShowEvaluate => "evaluate screen",
            Action::ToggleChoice => "choose / drop an algorithm",
            Action::ChooseAll => "evaluate: choose all or none",
            Action::Run => "evaluate: run cross-validation",
            Action::NextMetric => "evaluate: next metric charted",
            Action::ToggleTopK => "evaluate: top-k lists on / off",
            Action::HoldOut => "hold-out mode on / off",
            Action::MoreHeldOut => "hold out a larger share",
            Action::LessHeldOut => "hold out a smaller share",
            Action::EditRating => "what-if: set the cell's rating",
            Action::ClearRating => "what-if: clear the cell's rating",
            Action::Undo => "what-if: undo the last edit",
        }
    }

    /// The word shown for the action in the status-line hints.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Jump => "find",
            Action::TogglePredictions => "predict",
            Action::NextAlgorithm => "algorithm",
            Action::Cancel => "cancel",
            Action::ToggleUserBased => "user/item",
            Action::NextSimilarity => "similarity",
            Action::IncreaseK => "k+",
            Action::DecreaseK => "k−",
            Action::EditParams => "params",
            Action::SortRows => "sort users",
            Action::SortColumns => "sort items",
            Action::ToggleNewItems => "new/all",
            Action::ToggleNeighboursOf => "neighbours of",
            Action::ScrollExplainDown => "scroll",
            Action::NextScreen => "screen",
            Action::Export => "export",
            Action::ShowCompare => "compare",
            Action::ShowEvaluate => "evaluate",
            Action::ToggleChoice => "choose",
            Action::ChooseAll => "all/none",
            Action::Run => "run",
            Action::NextMetric => "metric",
            Action::ToggleTopK => "top-k",
            Action::HoldOut => "hold-out",
            Action::MoreHeldOut => "share+",
            Action::LessHeldOut => "share−",
            Action::EditRating => "edit",
            Action::ClearRating => "clear",
            Action::Undo => "undo",
            _ => self.description(),
        }
    }

    pub fn group(self) -> Group {
        match self {
            Action::Quit | Action::Help | Action::Cancel | Action::Jump => Group::General,
            Action::MoveUp
            | Action::MoveDown
            | Action::MoveLeft
            | Action::MoveRight
            | Action::PageUp
            | Action::PageDown
            | Action::FirstColumn
            | Action::LastColumn
            | Action::FirstRow
            | Action::LastRow
            | Action::ScrollExplainDown
            | Action::ScrollExplainUp => Group::Moving,
            Action::NextAlgorithm
            | Action::PreviousAlgorithm
            | Action::ToggleUserBased
            | Action::NextSimilarity
            | Action::IncreaseK
            | Action::DecreaseK
            | Action::EditParams => Group::Algorithm,
            Action::TogglePredictions
            | Action::ToggleNeighboursOf
            | Action::MorePanelSupport
            | Action::LessPanelSupport
            | Action::SortRows
            | Action::SortColumns
            | Action::ToggleNewItems => Group::View,
            Action::ShowMatrix
            | Action::ShowStats
            | Action::ShowRecommend
            | Action::ShowEmbeddings
            | Action::NextScreen
            | Action::PreviousScreen
            | Action::Export
            | Action::ExportFormat
            | Action::ShowCompare
            | Action::ShowEvaluate
            | Action::ToggleChoice
            | Action::ChooseAll
            | Action::Run
            | Action::NextMetric
            | Action::ToggleTopK => Group::Screens,
            Action::HoldOut
            | Action::MoreHeldOut
            | Action::LessHeldOut
            | Action::EditRating
            | Action::ClearRating
            | Action::Undo => Group::Experiment,
        }
    }
}

/// A key with its modifiers, in the form the table stores (Shift folded into the
/// character, so `G` is `G` whatever the terminal reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let modifiers = match code {
            KeyCode::Char(_) | KeyCode::BackTab => modifiers - KeyModifiers::SHIFT,
            _ => modifiers,
        };
        Key { code, modifiers }
    }

    pub fn plain(code: KeyCode) -> Self {
        Key::new(code, KeyModifiers::NONE)
    }

    /// Parses `q`, `G`, `?`, `ctrl-c`, `pagedown`, `f1`, ...
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            if let Some(after) = rest.strip_prefix("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = after;
            } else if let Some(after) = rest.strip_prefix("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = after;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => named_key(rest).ok_or_else(|| format!("unknown key '{text}'"))?,
        };
        Ok(Key::new(code, modifiers))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    let code = match name.to_ascii_lowercase().as_str() {
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" => KeyCode::Delete,
        "space" => KeyCode::Char(' '),
        other => {
            let number = other.strip_prefix('f')?.parse::<u8>().ok()?;
            if !(1..=12).contains(&number) {
                return None;
            }
            KeyCode::F(number)
        }
    };
    Some(code)
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            write!(f, "ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            write!(f, "alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => write!(f, "↑"),
            KeyCode::Down => write!(f, "↓"),
            KeyCode::Left => write!(f, "←"),
            KeyCode::Right => write!(f, "→"),
            KeyCode::PageUp => write!(f, "PgUp"),
            KeyCode::PageDown => write!(f, "PgDn"),
            KeyCode::Home => write!(f, "Home"),
            KeyCode::End => write!(f, "End"),
            KeyCode::Enter => write!(f, "Enter"),
            KeyCode::Esc => write!(f, "Esc"),
            KeyCode::Tab => write!(f, "Tab"),
            KeyCode::BackTab => write!(f, "S-Tab"),
            KeyCode::Backspace => write!(f, "Bksp"),
            KeyCode::Delete => write!(f, "Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A key table that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyMapError {
    #[error("{source_name}: {message}")]
    Toml {
        source_name: String,
        message: String,
    },
    #[error(
        "{source_name}: action '{action}': {message} (write keys like \"q\", \"ctrl-c\", \"pagedown\")"
    )]
    BadKey {
        source_name: String,
        action: String,
        message: String,
    },
}

/// The bindings shipped with recscope.
pub const DEFAULT_KEYS: &str = include_str!("../../assets/keys.toml");

/// Actions by key, and keys by action (in the order written).
#[derive(Debug, Clone)]
pub struct KeyMap {
    by_key: HashMap<Key, Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

impl KeyMap {
    /// Only `q` and `ctrl-c` to quit, for when no table can be read.
    pub fn empty() -> KeyMap {
        let mut map = KeyMap {
            by_key: HashMap::new(),
            by_action: BTreeMap::new(),
        };
        map.bind(
            Action::Quit,
            vec![
                Key::plain(KeyCode::Char('q')),
                Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            ],
        );
        map
    }

    /// The shipped table.
    pub fn defaults() -> Result<KeyMap, KeyMapError> {
        let mut map = KeyMap {
            by_key: HashMap::new(),
            by_action: BTreeMap::new(),
        };
        map.apply(DEFAULT_KEYS, "assets/keys.toml")?;
        Ok(map)
    }

    /// The shipped table with `user_text` (a `keys.toml`) laid over it: each action the
    /// user lists gets exactly the user's keys, and a key the user gives to one action
    /// is taken from any other.
    pub fn with_overrides(user_text: &str, source_name: &str) -> Result<KeyMap, KeyMapError> {
        let mut map = KeyMap::defaults()?;
        map.apply(user_text, source_name)?;
        Ok(map)
    }

    fn apply(&mut self, text: &str, source_name: &str) -> Result<(), KeyMapError> {
        let table: BTreeMap<Action, Vec<String>> =
            toml::from_str(text).map_err(|err| KeyMapError::Toml {
                source_name: source_name.to_string(),
                message: err.message().to_string(),
            })?;
        for (action, texts) in table {
            let keys = texts
                .iter()
                .map(|text| Key::parse(text))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| KeyMapError::BadKey {
                    source_name: source_name.to_string(),
                    action: format!("{action:?}"),
                    message,
                })?;
            self.bind(action, keys);
        }
        Ok(())
    }

    fn bind(&mut self, action: Action, keys: Vec<Key>) {
        if let Some(old) = self.by_action.remove(&action) {
            for key in old {
                self.by_key.remove(&key);
            }
        }
        for key in &keys {
            if let Some(previous) = self.by_key.insert(*key, action)
                && let Some(list) = self.by_action.get_mut(&previous)
            {
                list.retain(|k| k != key);
            }
        }
        self.by_action.insert(action, keys);
    }

    /// The action bound to a key press, if any.
    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.by_key
            .get(&Key::new(event.code, event.modifiers))
            .copied()
    }

    /// The keys bound to an action, in the order written.
    pub fn keys(&self, action: Action) -> &[Key] {
        self.by_action
            .get(&action)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The scroll keys as a marker names them: `J/K` (each action's first key).
    pub fn scroll_keys_text(&self) -> String {
        let first = |action| {
            self.keys(action)
                .first()
                .map(ToString::to_string)
                .unwrap_or_else(|| "?".to_string())
        };
        format!(
            "{}/{}",
            first(Action::ScrollExplainDown),
            first(Action::ScrollExplainUp)
        )
    }

    /// The keys of an action as the help shows them, e.g. `↑ k`.
    pub fn keys_text(&self, action: Action) -> String {
        let keys = self.keys(action);
        if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys.iter()
                .map(Key::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        }
    }

    /// The whole table as Markdown, one section a help group, for the README.
    pub fn help_markdown(&self) -> String {
        let mut groups: BTreeMap<Group, Vec<Action>> = BTreeMap::new();
        for &action in Action::ALL {
            groups.entry(action.group()).or_default().push(action);
        }
        let mut out = String::new();
        for (group, actions) in groups {
            out.push_str(&format!(
                "\n**{}**\n\n| keys | action |\n|---|---|\n",
                group.title()
            ));
            for action in actions {
                let keys = self
                    .keys(action)
                    .iter()
                    .map(|key| format!("`{}`", key.to_string().replace('|', "\\|")))
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push_str(&format!("| {keys} | {} |\n", action.description()));
            }
        }
        out
    }

    /// `(first key, hint word)` for each bound action in `actions`.
    pub fn hints(&self, actions: &[Action]) -> Vec<(String, &'static str)> {
        actions
            .iter()
            .filter_map(|action| {
                let key = self.keys(*action).first()?;
                Some((key.to_string(), action.hint()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn shipped_table_binds_every_action() {
        let map = KeyMap::defaults().unwrap();
        for action in Action::ALL {
            assert!(!map.keys(*action).is_empty(), "{action:?} has no key");
        }
        assert_eq!(
            map.action(&press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        // Terminals report `G` with Shift held; the table writes it as plain `G`.
        assert_eq!(
            map.action(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::LastRow)
        );
        assert_eq!(
            map.action(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn descriptions_fit_a_help_column() {
        for action in Action::ALL {
            assert!(action.description().chars().count() <= 35, "{action:?}");
        }
    }

    #[test]
    fn every_listed_action_is_in_the_help_order() {
        let map = KeyMap::defaults().unwrap();
        for action in map.by_action.keys() {
            assert!(Action::ALL.contains(action), "{action:?} missing from ALL");
        }
    }

    #[test]
    fn user_file_replaces_an_action_and_steals_its_key() {
        let map = KeyMap::with_overrides("quit = [\"x\"]\njump = [\"q\"]\n", "keys.toml").unwrap();
        assert_eq!(
            map.action(&press(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action(&press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Jump)
        );
        assert_eq!(
            map.action(&press(KeyCode::Char('/'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(map.keys_text(Action::Quit), "x");
    }

    #[test]
    fn bad_user_files_are_named_with_the_offending_text() {
        let err = KeyMap::with_overrides("teleport = [\"t\"]", "my/keys.toml").unwrap_err();
        assert!(err.to_string().starts_with("my/keys.toml"), "{err}");
        assert!(err.to_string().contains("teleport"), "{err}");
        let err = KeyMap::with_overrides("quit = [\"hyper-q\"]", "my/keys.toml").unwrap_err();
        assert!(err.to_string().contains("hyper-q"), "{err}");
    }
}
