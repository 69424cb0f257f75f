//! Algorithm parameters described for people and for JSON: their kinds, ranges,
//! defaults and meaning, as `recscope algorithms` lists them and the explorer's
//! parameter editor shows them.

use serde::Serialize;

use crate::core::params::{ParamKind, ParamSpec, ParamValue};

/// One parameter, described.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamEntry {
    pub name: String,
    /// `int`, `float`, `bool` or `choice`.
    pub kind: String,
    pub default: ParamValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    pub help: String,
}

/// A range end, written as the parameter's kind is: whole numbers stay whole (an
/// `i64` bound through `f64` would print `i64::MAX` as 9223372036854776000).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Bound {
    Int(i64),
    Float(f64),
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Int(v) => write!(f, "{v}"),
            Bound::Float(v) => write!(f, "{v}"),
        }
    }
}

/// One parameter as `recscope algorithms` lists it and the explorer's parameter
/// editor shows it.
pub fn param_entry(spec: &ParamSpec) -> ParamEntry {
    let (kind, min, max, options) = match spec.kind {
        ParamKind::Int { min, max, .. } => {
            ("int", Some(Bound::Int(min)), Some(Bound::Int(max)), vec![])
        }
        ParamKind::Float { min, max, .. } => (
            "float",
            Some(Bound::Float(min)),
            Some(Bound::Float(max)),
            vec![],
        ),
        ParamKind::Bool { .. } => ("bool", None, None, vec![]),
        ParamKind::Choice { options, .. } => (
            "choice",
            None,
            None,
            options.iter().map(|o| o.to_string()).collect(),
        ),
    };
    ParamEntry {
        name: spec.name.to_string(),
        kind: kind.to_string(),
        default: spec.default_value(),
        min,
        max,
        options,
        help: spec.help.to_string(),
    }
}

/// The range or choices of a parameter, in words.
pub fn values_text(entry: &ParamEntry) -> String {
    match entry.kind.as_str() {
        "choice" => entry.options.join(" | "),
        "bool" => "true | false".to_string(),
        _ => match (entry.min, entry.max) {
            (Some(min), Some(max)) => format!("{min} to {max}"),
            _ => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: ParamSpec = ParamSpec {
        name: "k",
        kind: ParamKind::Int {
            min: 1,
            max: 500,
            default: 40,
        },
        help: "most neighbours used",
    };

    #[test]
    fn parameters_list_kind_range_and_default() {
        let entry = param_entry(&K);
        assert_eq!(entry.kind, "int");
        assert_eq!(
            (entry.min, entry.max),
            (Some(Bound::Int(1)), Some(Bound::Int(500)))
        );
        assert_eq!(entry.default, ParamValue::Int(40));
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["default"], 40);
        assert!(json["min"].is_i64() && json["max"].is_i64(), "{json}");
        assert_eq!(values_text(&entry), "1 to 500");
        assert!(json.get("options").is_none());
    }

    #[test]
    fn the_largest_whole_number_bound_is_written_exactly() {
        let seed = ParamSpec {
            name: "seed",
            kind: ParamKind::Int {
                min: 0,
                max: i64::MAX,
                default: 0,
            },
            help: "random seed",
        };
        let entry = param_entry(&seed);
        assert_eq!(values_text(&entry), "0 to 9223372036854775807");
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["max"].as_i64(), Some(i64::MAX));
    }
}
