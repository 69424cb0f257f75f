//! JSON input: JSON lines (one object per line) or one array of objects, read into the
//! same text columns as delimited files. Keys keep the order they first appear in.

use std::fmt;
use std::path::Path;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::error::DataError;
use super::table::Table;
use super::text::quote_value;

/// A JSON object with its keys in written order.
struct OrderedObject(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for OrderedObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = OrderedObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedObject, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(OrderedObject(entries))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// True for `.jsonl`, `.ndjson` and `.json` files.
pub fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        ["json", "jsonl", "ndjson"]
            .iter()
            .any(|ext| e.eq_ignore_ascii_case(ext))
    })
}

const HINT: &str =
    "write one JSON object per line, e.g. {\"user\": \"u1\", \"item\": \"i1\", \"rating\": 4}";

/// Reads JSON lines, or a single array of objects when the text starts with `[`.
pub fn read(path: &Path, text: &str) -> Result<Table, DataError> {
    let mut objects: Vec<OrderedObject> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    if text.trim_start().starts_with('[') {
        objects = serde_json::from_str(text).map_err(|e| {
            DataError::malformed(
                path,
                format!(
                    "not an array of JSON objects: {}",
                    super::text::escape_controls(&e.to_string())
                ),
                HINT,
            )
        })?;
    } else {
        for (k, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let object = serde_json::from_str(line).map_err(|e| DataError::BadValue {
                path: path.to_path_buf(),
                place: super::error::Place::Line(k + 1),
                column: "(whole line)".to_string(),
                value: quote_value(line),
                problem: "is not a JSON object",
                hint: if e.is_syntax() {
                    HINT
                } else {
                    "each line must be an object"
                },
            })?;
            objects.push(object);
            lines.push(k + 1);
        }
    }

    let mut names: Vec<String> = Vec::new();
    for object in &objects {
        for (key, _) in &object.0 {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
    }
    let mut columns: Vec<Vec<Option<String>>> =
        vec![Vec::with_capacity(objects.len()); names.len()];
    for object in &objects {
        for (k, name) in names.iter().enumerate() {
            let value = object.0.iter().find(|(key, _)| key == name).map(|(_, v)| v);
            columns[k].push(value.and_then(as_text));
        }
    }
    let lines = (!lines.is_empty()).then_some(lines);
    Table::from_text_columns(path, names, columns, lines)
}

/// A JSON value as the text a delimited file would hold; `null` is missing.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}
