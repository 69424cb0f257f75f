//! Turning dataset text and numbers into what the terminal shows: control characters
//! removed, long text cut with an ellipsis, ratings and similarities formatted.

/// The text with control characters (escape sequences included) replaced by `�`,
/// so that a title from a file can never drive the terminal.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// At most `width` characters: cut with `…` when longer.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// Splits a title over two lines of `width` characters, breaking between words where
/// it can; what does not fit ends in `…`.
pub fn wrap_two_lines(text: &str, width: usize) -> [String; 2] {
    let text = text.trim();
    if text.chars().count() <= width {
        return [text.to_string(), String::new()];
    }
    let mut first = String::new();
    let mut rest = text;
    for (at, word) in text.split_inclusive(' ').scan(0, |at, word| {
        let start = *at;
        *at += word.len();
        Some((start, word))
    }) {
        let candidate = format!("{first}{word}");
        if candidate.trim_end().chars().count() > width {
            break;
        }
        first = candidate;
        rest = &text[at + word.len()..];
    }
    if first.is_empty() {
        first = text.chars().take(width).collect();
        rest = &text[first.len()..];
    }
    [first.trim_end().to_string(), fit(rest.trim(), width)]
}

/// A rating as written in the file: `4`, `3.5`, `0.25`.
pub fn format_rating(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e9 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').to_string()
    }
}

/// A signed number for a formula: `+0.50`, `−1.25` (with a true minus sign).
pub fn signed(value: f64) -> String {
    if value < 0.0 {
        format!("−{:.2}", -value)
    } else {
        format!("+{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_from_a_file_are_defused() {
        assert_eq!(clean("Bad\u{1b}[2JTitle\n"), "Bad\u{fffd}[2JTitle\u{fffd}");
        assert_eq!(clean("Misérables, Les (1995)"), "Misérables, Les (1995)");
    }

    #[test]
    fn titles_wrap_between_words_and_end_in_an_ellipsis() {
        assert_eq!(wrap_two_lines("Movie A", 6), ["Movie", "A"]);
        assert_eq!(wrap_two_lines("Toy Story (1995)", 6), ["Toy", "Story…"]);
        // A word longer than the line is cut inside it (on a character, not a byte).
        assert_eq!(wrap_two_lines("Misérables, Les", 6), ["Miséra", "bles,…"]);
        assert_eq!(fit("abcdef", 4), "abc…");
    }

    #[test]
    fn ratings_print_as_written() {
        assert_eq!(format_rating(4.0), "4");
        assert_eq!(format_rating(3.5), "3.5");
        assert_eq!(signed(-1.25), "−1.25");
        assert_eq!(signed(0.5), "+0.50");
    }
}
