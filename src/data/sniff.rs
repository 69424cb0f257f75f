//! Guessing how a delimited file is laid out: its separator, whether its first line is
//! a header, and which well-known dataset layout it follows.

use std::path::Path;

/// A field separator. MovieLens's `::` is two bytes; every other one is a single byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Byte(u8),
    DoubleColon,
}

impl Separator {
    /// Reads a separator as written on a command line: `,` `;` `|` `::`, a tab as
    /// `\t`, `tab` or a literal tab, a space as `space` or ` `.
    pub fn parse(text: &str) -> Option<Separator> {
        match text {
            "::" => Some(Separator::DoubleColon),
            "\\t" | "tab" | "TAB" | "\t" => Some(Separator::Byte(b'\t')),
            "space" | " " => Some(Separator::Byte(b' ')),
            _ => match text.as_bytes() {
                // Punctuation only: no letter or digit, no quote, no control character
                // (a line break would split every field onto its own line).
                [byte] if byte.is_ascii_punctuation() && *byte != b'"' => {
                    Some(Separator::Byte(*byte))
                }
                _ => None,
            },
        }
    }

    /// A short name for summaries: "comma-separated", "tab-separated", ….
    pub fn describe(self) -> String {
        match self {
            Separator::DoubleColon => "'::'-separated".to_string(),
            Separator::Byte(b',') => "comma-separated".to_string(),
            Separator::Byte(b'\t') => "tab-separated".to_string(),
            Separator::Byte(b';') => "semicolon-separated".to_string(),
            Separator::Byte(b'|') => "pipe-separated".to_string(),
            Separator::Byte(b' ') => "space-separated".to_string(),
            Separator::Byte(other) => format!("'{}'-separated", char::from(other)),
        }
    }

    /// The separator as `--sep` takes it: `::`, `tab`, `space`, or the character.
    pub fn flag(self) -> String {
        match self {
            Separator::DoubleColon => "::".to_string(),
            Separator::Byte(b'\t') => "tab".to_string(),
            Separator::Byte(b' ') => "space".to_string(),
            Separator::Byte(other) => char::from(other).to_string(),
        }
    }

    /// Splits one line into fields, honouring double quotes when `quotes` is set.
    pub fn split(self, line: &str, quotes: bool) -> Vec<String> {
        match self {
            Separator::DoubleColon => line.split("::").map(str::to_string).collect(),
            Separator::Byte(sep) if quotes => split_quoted(line, char::from(sep)),
            Separator::Byte(sep) => line.split(char::from(sep)).map(str::to_string).collect(),
        }
    }
}

fn split_quoted(line: &str, sep: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Counts separator occurrences, outside double quotes for comma and semicolon.
pub fn count_outside_quotes(line: &str, sep: u8) -> usize {
    if !matches!(sep, b',' | b';') {
        return line.bytes().filter(|&b| b == sep).count();
    }
    let mut quoted = false;
    let mut count = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            count += 1;
        }
    }
    count
}

/// Picks the separator that splits every sample line into the same number (at least
/// two) of fields; `::` wins when every line has it. `None` when nothing fits.
pub fn sniff_separator(sample: &[&str]) -> Option<Separator> {
    if sample.is_empty() {
        return None;
    }
    if sample.iter().all(|line| line.contains("::")) {
        return Some(Separator::DoubleColon);
    }
    let consistent = |sep: u8| {
        let first = count_outside_quotes(sample[0], sep);
        first > 0 && sample.iter().all(|l| count_outside_quotes(l, sep) == first)
    };
    for sep in [b'\t', b',', b';', b'|'] {
        if consistent(sep) {
            return Some(Separator::Byte(sep));
        }
    }
    // Ragged lines (e.g. a trailing field missing on some rows): the most frequent.
    let best = [b'\t', b',', b';', b'|']
        .into_iter()
        .map(|sep| (sep, count_outside_quotes(sample[0], sep)))
        .filter(|&(_, n)| n > 0)
        .max_by_key(|&(_, n)| n);
    if let Some((sep, _)) = best {
        return Some(Separator::Byte(sep));
    }
    if consistent(b' ') {
        return Some(Separator::Byte(b' '));
    }
    None
}

/// Folds a column name for matching: lower case, without `_`, `-`, spaces and dots.
pub fn fold_name(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

pub const USER_NAMES: &[&str] = &[
    "user",
    "userid",
    "users",
    "uid",
    "username",
    "customer",
    "customerid",
    "reviewerid",
    "visitorid",
];
pub const ITEM_NAMES: &[&str] = &[
    "item",
    "itemid",
    "items",
    "iid",
    "movie",
    "movieid",
    "artist",
    "artistid",
    "track",
    "trackid",
    "song",
    "songid",
    "book",
    "bookid",
    "isbn",
    "product",
    "productid",
    "asin",
];
/// Explicit ratings.
pub const RATING_NAMES: &[&str] = &["rating", "ratings", "score", "stars", "rate", "value"];
/// Implicit feedback strengths: counts and weights rather than opinions.
pub const WEIGHT_NAMES: &[&str] = &[
    "weight",
    "count",
    "counts",
    "plays",
    "playcount",
    "listens",
    "clicks",
    "views",
    "interactions",
];
pub const TIME_NAMES: &[&str] = &["timestamp", "time", "ts", "unixtime", "datetime"];

fn is_known_name(name: &str) -> bool {
    let folded = fold_name(name);
    [
        USER_NAMES,
        ITEM_NAMES,
        RATING_NAMES,
        WEIGHT_NAMES,
        TIME_NAMES,
    ]
    .iter()
    .any(|names| names.contains(&folded.as_str()))
        || matches!(
            folded.as_str(),
            "id" | "title" | "name" | "genres" | "genre"
        )
}

fn is_number(field: &str) -> bool {
    field.trim().parse::<f64>().is_ok()
}

/// A first line is a header when it names a usual column, or when it has a non-numeric
/// field where the next line has a number (ids may be words, ratings rarely are).
pub fn looks_like_header(first: &[String], second: Option<&[String]>) -> bool {
    if first.iter().any(|f| is_known_name(f)) {
        return true;
    }
    match second {
        Some(second) => first
            .iter()
            .zip(second)
            .any(|(a, b)| !is_number(a) && !a.trim().is_empty() && is_number(b)),
        None => false,
    }
}

/// The dataset layouts recscope knows by name, with their companion files and scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// MovieLens 100K `u.data` (and its `u1.base` … `ua.test` splits).
    MovieLens100k,
    /// MovieLens 1M/10M `ratings.dat`, `user::movie::rating::timestamp`.
    MovieLensDat,
    /// MovieTweetings `ratings.dat`: like MovieLens, IMDb ids, ratings 0–10.
    MovieTweetings,
    /// MovieLens `ratings.csv` with header `userId,movieId,rating,timestamp`.
    MovieLensCsv,
    /// Last.fm HetRec 2011 `user_artists.dat`: play counts.
    LastFm,
    /// Any other delimited file.
    Delimited,
    /// A parquet file.
    Parquet,
    /// JSON lines, or an array of JSON objects.
    JsonLines,
}

impl Layout {
    /// The layout a ratings file follows, judged by its name and its columns.
    pub fn detect(path: &Path, names: &[String], separator: Option<Separator>) -> Layout {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let folded: Vec<String> = names.iter().map(|n| fold_name(n)).collect();
        let starts_with = |wanted: &[&str]| {
            folded.len() >= wanted.len() && folded.iter().zip(wanted).all(|(a, b)| a == b)
        };
        if separator.is_none() {
            return if super::json::is_json(path) {
                Layout::JsonLines
            } else {
                Layout::Parquet
            };
        }
        let split_100k = (file.starts_with('u')
            && (file.ends_with(".base") || file.ends_with(".test")))
            && file.len() <= 8;
        if (file == "u.data" || split_100k) && separator == Some(Separator::Byte(b'\t')) {
            return Layout::MovieLens100k;
        }
        if file == "ratings.dat" && separator == Some(Separator::DoubleColon) {
            return Layout::MovieLensDat;
        }
        if starts_with(&["userid", "movieid", "rating"]) {
            return Layout::MovieLensCsv;
        }
        if file == "user_artists.dat" || starts_with(&["userid", "artistid", "weight"]) {
            return Layout::LastFm;
        }
        Layout::Delimited
    }

    /// Names for summaries.
    pub fn name(self) -> &'static str {
        match self {
            Layout::MovieLens100k => "MovieLens 100K u.data",
            Layout::MovieLensDat => "MovieLens ratings.dat",
            Layout::MovieTweetings => "MovieTweetings ratings.dat",
            Layout::MovieLensCsv => "MovieLens ratings.csv",
            Layout::LastFm => "Last.fm user_artists.dat",
            Layout::Delimited => "delimited text",
            Layout::Parquet => "parquet",
            Layout::JsonLines => "JSON",
        }
    }

    /// The scale the dataset's publisher states, when it is a known layout.
    pub fn known_scale(self) -> Option<(f64, f64)> {
        match self {
            Layout::MovieLens100k => Some((1.0, 5.0)),
            Layout::MovieTweetings => Some((0.0, 10.0)),
            // MovieLens's own ratings.csv files span 0.5–5, but other datasets (the
            // classroom sample among them) share the header: their scale is detected.
            _ => None,
        }
    }

    /// Item metadata files to look for beside the ratings file, in order.
    pub fn companion_items(self) -> &'static [&'static str] {
        match self {
            Layout::MovieLens100k => &["u.item"],
            Layout::MovieLensDat | Layout::MovieTweetings => &["movies.dat", "items.dat"],
            Layout::MovieLensCsv => &["movies.csv"],
            Layout::LastFm => &["artists.dat"],
            Layout::Delimited | Layout::Parquet | Layout::JsonLines => &["movies.csv", "items.csv"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_sniffed_from_consistent_counts() {
        assert_eq!(
            sniff_separator(&["1::2::5::9", "3::4::1::9"]),
            Some(Separator::DoubleColon)
        );
        assert_eq!(
            sniff_separator(&["1\t2\t5", "3\t4\t1"]),
            Some(Separator::Byte(b'\t'))
        );
        // The comma inside quotes does not count: two commas per line, not three.
        assert_eq!(
            sniff_separator(&["1,\"Matrix, The\",Action", "2,Heat,Crime"]),
            Some(Separator::Byte(b','))
        );
        assert_eq!(
            sniff_separator(&["1;2;4.5", "1;3;2"]),
            Some(Separator::Byte(b';'))
        );
        assert_eq!(
            sniff_separator(&["1|2|4", "1|3|2"]),
            Some(Separator::Byte(b'|'))
        );
        assert_eq!(sniff_separator(&["justoneword"]), None);
    }

    #[test]
    fn headers_are_recognised_by_names_or_by_type_change() {
        let line = |s: &str| Separator::Byte(b',').split(s, true);
        assert!(looks_like_header(&line("userId,movieId,rating"), None));
        assert!(looks_like_header(&line("a,b,c"), Some(&line("u1,i1,4"))));
        assert!(!looks_like_header(&line("u1,i1,4"), Some(&line("u2,i1,3"))));
        assert!(!looks_like_header(&line("1,2,4"), Some(&line("1,3,3"))));
    }
}
