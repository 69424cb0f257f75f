//! Turning dataset text and numbers into what the terminal shows: control characters
//! removed, long text cut with an ellipsis, ratings and similarities formatted.

/// The text as the dataset layer cleans it for display (escape sequences removed whole,
/// other control characters dropped), so that a title or id from a file can never
/// drive the terminal and looks the same everywhere.
pub fn clean(text: &str) -> String {
    crate::data::clean_text(text).into_owned()
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

/// A rating as written in the file: `4`, `3.5`, `0.25`; very large or very small
/// values in scientific form (`1e308`).
pub fn format_rating(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let magnitude = value.abs();
    let text = if magnitude >= 1e9 || (magnitude > 0.0 && magnitude < 0.005) {
        scientific(value, 3)
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    // A true minus sign, as in the formulas; none on a value written as zero.
    match text.strip_prefix('-') {
        Some(rest) if rest.trim_start_matches(['0', '.']).is_empty() => rest.to_string(),
        Some(rest) => format!("−{rest}"),
        None => text,
    }
}

/// `value` in at most `width` characters: as written when it fits, else with a
/// thousands suffix (`13.9k`, `353k`, `1.2M`) or in scientific form (`1e308`), and
/// only as a last resort cut with `…`. Digits are never dropped silently.
pub fn compact(value: f64, width: usize) -> String {
    let plain = format_rating(value);
    if plain.chars().count() <= width {
        return plain;
    }
    let mut candidates = Vec::new();
    let magnitude = value.abs();
    if value.is_finite() && (1_000.0..1e15).contains(&magnitude) {
        let (scaled, suffix) = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
            .into_iter()
            .find(|(unit, _)| magnitude >= *unit)
            .map(|(unit, suffix)| (value / unit, suffix))
            .unwrap_or((value, ""));
        for decimals in [1, 0] {
            let text = format!("{scaled:.decimals$}");
            let text = if decimals > 0 {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            };
            candidates.push(format!("{text}{suffix}"));
        }
    }
    if value.is_finite() && value.fract() != 0.0 && magnitude < 1_000.0 {
        for decimals in [1, 0] {
            candidates.push(format!("{value:.decimals$}"));
        }
    }
    for digits in [3, 2, 1, 0] {
        candidates.push(scientific(value, digits));
    }
    candidates
        .into_iter()
        .find(|text| text.chars().count() <= width)
        .unwrap_or_else(|| fit(&plain, width))
}

/// A number for the explanation: three decimals with a true minus sign (as in the
/// formulas), or compact scientific form when it is very large (`1.000e308`) so that
/// it never fills lines with digits. A value that rounds to zero has no sign.
pub fn number(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e6 {
        let magnitude = scientific(value.abs(), 3);
        return if value < 0.0 {
            format!("−{magnitude}")
        } else {
            magnitude
        };
    }
    let magnitude = format!("{:.3}", value.abs());
    if value < 0.0 && magnitude != "0.000" {
        format!("−{magnitude}")
    } else {
        magnitude
    }
}

/// Scientific form with at most `digits` decimals, trailing zeros dropped: `1e308`,
/// `1.5e10`, `2.5e-4`.
fn scientific(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        _ => text,
    }
}

/// A signed number for a formula: `+0.50`, `−1.25` (with a true minus sign); a value
/// that rounds to zero is `+0.00`.
pub fn signed(value: f64) -> String {
    signed_places(value, 2)
}

/// [`signed`] with `places` decimals.
pub fn signed_places(value: f64, places: usize) -> String {
    let magnitude = if value.abs() >= 1e6 {
        scientific(value.abs(), places)
    } else {
        format!("{:.places$}", value.abs())
    };
    let rounds_to_zero = magnitude.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !rounds_to_zero {
        format!("−{magnitude}")
    } else {
        format!("+{magnitude}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_from_a_file_are_defused() {
        // The whole sequence goes, as in the dataset layer, not just its ESC.
        assert_eq!(clean("Bad\u{1b}[2JTitle\n"), "BadTitle ");
        assert_eq!(clean("\u{1b}[31mred"), "red");
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
        assert_eq!(format_rating(3.001), "3");
        assert_eq!(format_rating(1e308), "1e308");
        assert_eq!(format_rating(-1.0), "−1");
        assert_eq!(format_rating(-0.0), "0");
        assert_eq!(format_rating(-2.5), "−2.5");
        assert_eq!(signed(-1.25), "−1.25");
        assert_eq!(signed(0.5), "+0.50");
    }

    #[test]
    fn numbers_too_wide_for_a_cell_are_shortened_visibly() {
        // 13,882.9855 / 1,000 = 13.88… → one decimal: 13.9k.
        assert_eq!(compact(13_882.985_5, 5), "13.9k");
        assert_eq!(compact(10_000.0, 4), "10k");
        // 10000 is five characters: it fits a five-wide cell as written.
        assert_eq!(compact(10_000.0, 5), "10000");
        // 352,698 / 1,000 = 352.698: 352.7k is 6 wide, 353k fits 4.
        assert_eq!(compact(352_698.0, 4), "353k");
        assert_eq!(compact(1e308, 5), "1e308");
        assert_eq!(compact(-1e308, 5), "−1e3…");
        assert_eq!(compact(4.0, 4), "4");
        assert_eq!(compact(3.25, 3), "3.2");
        assert_eq!(number(1e308), "1e308");
        assert_eq!(number(1.5e10), "1.5e10");
        assert_eq!(number(3.5917), "3.592");
        assert_eq!(number(-0.4351), "−0.435");
        assert_eq!(number(-2.5e10), "−2.5e10");
        assert_eq!(number(2.5e-4), "0.000");
        assert_eq!(number(-0.0001), "0.000");
        assert_eq!(signed(-0.004), "+0.00");
        assert_eq!(signed(-0.006), "−0.01");
        assert_eq!(signed_places(-0.0004, 3), "+0.000");
        assert_eq!(signed_places(-0.0125, 3), "−0.013");
    }
}
