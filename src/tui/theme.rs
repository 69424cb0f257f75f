//! Colours of the explorer, read from `assets/theme.toml` and the user's `theme.toml`.

use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

/// The colours shipped with recscope.
pub const DEFAULT_THEME: &str = include_str!("../../assets/theme.toml");

/// Every colour the explorer draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Known ratings from the bottom of the scale to the top (at least one colour).
    pub heat: Vec<Color>,
    pub heat_text: Color,
    pub unknown: Color,
    pub predicted: Color,
    pub header: Color,
    pub cursor: Color,
    pub border: Color,
    pub title: Color,
    pub accent: Color,
    pub bar: Color,
    pub status_fg: Color,
    pub status_bg: Color,
    pub error: Color,
    pub dim: Color,
}

/// A theme file as written: every field optional, so a user file may set only a few.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    heat: Option<Vec<String>>,
    heat_text: Option<String>,
    unknown: Option<String>,
    predicted: Option<String>,
    header: Option<String>,
    cursor: Option<String>,
    border: Option<String>,
    title: Option<String>,
    accent: Option<String>,
    bar: Option<String>,
    status_fg: Option<String>,
    status_bg: Option<String>,
    error: Option<String>,
    dim: Option<String>,
}

/// A theme file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct ThemeError {
    pub source_name: String,
    pub message: String,
}

impl Theme {
    /// The shipped theme.
    pub fn defaults() -> Result<Theme, ThemeError> {
        let mut theme = Theme::fallback();
        theme.apply(DEFAULT_THEME, "assets/theme.toml")?;
        Ok(theme)
    }

    /// Plain terminal colours, for when no theme file can be read.
    pub fn fallback() -> Theme {
        Theme {
            heat: vec![Color::Gray],
            heat_text: Color::Black,
            unknown: Color::DarkGray,
            predicted: Color::Cyan,
            header: Color::Gray,
            cursor: Color::Yellow,
            border: Color::DarkGray,
            title: Color::White,
            accent: Color::Yellow,
            bar: Color::Green,
            status_fg: Color::White,
            status_bg: Color::Black,
            error: Color::Red,
            dim: Color::Gray,
        }
    }

    /// The shipped theme with the colours set in `user_text` replaced.
    pub fn with_overrides(user_text: &str, source_name: &str) -> Result<Theme, ThemeError> {
        let mut theme = Theme::defaults()?;
        theme.apply(user_text, source_name)?;
        Ok(theme)
    }

    fn apply(&mut self, text: &str, source_name: &str) -> Result<(), ThemeError> {
        let error = |message: String| ThemeError {
            source_name: source_name.to_string(),
            message,
        };
        let file: ThemeFile = toml::from_str(text).map_err(|e| error(e.message().to_string()))?;
        let colour = |name: &str, value: &Option<String>, slot: &mut Color| {
            if let Some(text) = value {
                *slot = parse_colour(text).map_err(|m| error(format!("{name}: {m}")))?;
            }
            Ok::<(), ThemeError>(())
        };
        colour("heat_text", &file.heat_text, &mut self.heat_text)?;
        colour("unknown", &file.unknown, &mut self.unknown)?;
        colour("predicted", &file.predicted, &mut self.predicted)?;
        colour("header", &file.header, &mut self.header)?;
        colour("cursor", &file.cursor, &mut self.cursor)?;
        colour("border", &file.border, &mut self.border)?;
        colour("title", &file.title, &mut self.title)?;
        colour("accent", &file.accent, &mut self.accent)?;
        colour("bar", &file.bar, &mut self.bar)?;
        colour("status_fg", &file.status_fg, &mut self.status_fg)?;
        colour("status_bg", &file.status_bg, &mut self.status_bg)?;
        colour("error", &file.error, &mut self.error)?;
        colour("dim", &file.dim, &mut self.dim)?;
        if let Some(heat) = &file.heat {
            if heat.is_empty() {
                return Err(error("heat: give at least one colour".to_string()));
            }
            self.heat = heat
                .iter()
                .map(|text| parse_colour(text).map_err(|m| error(format!("heat: {m}"))))
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }

    /// The heat colour of a rating `value` on the scale `min..max`.
    pub fn heat_colour(&self, value: f64, min: f64, max: f64) -> Color {
        let steps = self.heat.len();
        let fraction = if max > min {
            ((value - min) / (max - min)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let index = ((fraction * steps as f64) as usize).min(steps - 1);
        self.heat[index]
    }
}

fn parse_colour(text: &str) -> Result<Color, String> {
    Color::from_str(text.trim()).map_err(|_| {
        format!("'{text}' is not a colour (use a name like \"lightblue\", \"#rrggbb\" or 0-255)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_theme_reads_and_user_file_overrides_one_colour() {
        let shipped = Theme::defaults().unwrap();
        assert_eq!(shipped.heat.len(), 6);
        let theme = Theme::with_overrides("cursor = \"#ff0000\"", "theme.toml").unwrap();
        assert_eq!(theme.cursor, Color::Rgb(255, 0, 0));
        assert_eq!(theme.heat, shipped.heat);
    }

    #[test]
    fn bad_colour_is_quoted_with_the_file_name() {
        let err = Theme::with_overrides("cursor = \"mauve-ish\"", "my/theme.toml").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("my/theme.toml") && text.contains("mauve-ish"),
            "{text}"
        );
    }

    #[test]
    fn heat_spreads_the_scale_over_the_colours() {
        let theme = Theme::with_overrides("heat = [\"red\", \"green\"]", "t").unwrap();
        // Scale 1..5 split in two halves: 1..3 red, 3..5 green (5 itself is the top).
        assert_eq!(theme.heat_colour(1.0, 1.0, 5.0), Color::Red);
        assert_eq!(theme.heat_colour(2.9, 1.0, 5.0), Color::Red);
        assert_eq!(theme.heat_colour(3.0, 1.0, 5.0), Color::Green);
        assert_eq!(theme.heat_colour(5.0, 1.0, 5.0), Color::Green);
    }
}
