//! Text from datasets: decoding (UTF-8, else Latin-1) and cleaning for display, so that
//! no title or id reaches the terminal with control characters or escape sequences.

use std::borrow::Cow;

/// Decodes file bytes as UTF-8 when they are valid UTF-8 (a byte-order mark is dropped),
/// and as Latin-1 (ISO 8859-1, one byte per character) otherwise. Older MovieLens
/// metadata is Latin-1; decoding it this way keeps `Misérables` intact.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// True when the bytes are not valid UTF-8 and [`decode`] reads them as Latin-1.
pub fn is_latin1(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).is_err()
}

/// Text safe to draw on a terminal: ANSI escape sequences are removed whole, other
/// control characters (C0, DEL, C1) and bidirectional overrides are dropped, and tabs
/// and line breaks become single spaces. Clean text is returned borrowed.
pub fn clean_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_cleaning) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape_sequence(&mut chars),
            '\t' | '\n' | '\r' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if needs_cleaning(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Bidirectional embeddings, overrides and isolates, which can reorder what follows.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Consumes the rest of an escape sequence whose ESC was just read: CSI (`ESC [` …
/// final byte), OSC/DCS/APC/PM/SOS (`ESC ]` … BEL or `ESC \`), or ESC plus one character.
fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']' | 'P' | '_' | '^' | 'X') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        _ => {}
    }
}

/// A value quoted for an error message, cut to a readable length, with control
/// characters shown as escapes (`\u{1b}`) so that the reader sees what is really there.
pub fn quote_value(value: &str) -> String {
    const LIMIT: usize = 40;
    let mut shown = String::new();
    for (k, c) in value.chars().enumerate() {
        if k == LIMIT {
            shown.push('…');
            break;
        }
        if needs_cleaning(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    format!("\"{shown}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_bytes_decode_to_their_characters() {
        // 0xE9 is "é" in Latin-1 and not valid UTF-8 on its own.
        assert_eq!(decode(b"Mis\xe9rables"), "Misérables");
        assert_eq!(decode("Misérables".as_bytes()), "Misérables");
        assert_eq!(decode(b"\xEF\xBB\xBFid"), "id");
    }

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        assert_eq!(clean_text("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean_text("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(clean_text("a\u{1b}]8;;x\u{1b}\\b"), "ab");
        assert_eq!(clean_text("bell\u{7}\u{9b}"), "bell");
        assert_eq!(clean_text("two\r\nlines"), "two lines");
        assert_eq!(clean_text("rtl\u{202E}txt"), "rtltxt");
        assert!(matches!(clean_text("Amélie (2001)"), Cow::Borrowed(_)));
    }

    #[test]
    fn quoted_values_show_control_characters_as_escapes() {
        assert_eq!(quote_value("\u{1b}[31mred"), "\"\\u{1b}[31mred\"");
        assert_eq!(
            quote_value(&"x".repeat(45)),
            format!("\"{}…\"", "x".repeat(40))
        );
    }
}
