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
            // The one-character C1 forms of `ESC [` and `ESC ]` (a Latin-1 file can
            // hold them as bytes 0x9B and 0x9D): their sequences go too.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_string(&mut chars),
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

/// JSON text safe to print on a terminal: every character a terminal could act on
/// (DEL, C1 controls, bidirectional overrides) inside `json` becomes a `\uXXXX`
/// escape, which JSON reads back as the same character. Line breaks outside strings
/// are kept; serde_json already escapes C0 controls inside strings.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| c != '\n' && needs_cleaning(c)) {
        return Cow::Borrowed(json);
    }
    let mut safe = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if c != '\n' && needs_cleaning(c) {
            safe.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
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
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | '_' | '^' | 'X') => skip_string(chars),
        _ => {}
    }
}

/// Consumes a control sequence's parameters up to and including its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Consumes a command string up to and including its terminator (BEL, `ESC \` or ST).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        if c == '\u{7}' || c == '\u{9c}' {
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
        push_escaped(&mut shown, c);
    }
    format!("\"{shown}\"")
}

/// Text for an error message, whole, with control characters shown as escapes as in
/// [`quote_value`] (for messages of other libraries that may quote the file).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_cleaning) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut shown, c);
    }
    Cow::Owned(shown)
}

fn push_escaped(out: &mut String, c: char) {
    if needs_cleaning(c) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
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
        // C1 forms: CSI (0x9B) and OSC (0x9D … ST 0x9C) go whole, like their ESC forms.
        assert_eq!(clean_text("\u{9b}31mred"), "red");
        assert_eq!(clean_text("a\u{9d}0;title\u{9c}b"), "ab");
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
        assert_eq!(escape_controls("a\u{7}b"), "a\\u{7}b");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
    }
}
