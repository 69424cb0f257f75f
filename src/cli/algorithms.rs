//! `recscope algorithms`: every registered algorithm with its parameters, their kinds,
//! ranges, defaults and meaning.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use crate::core::algorithms::{AlgorithmSpec, Family, REGISTRY};
use crate::core::params::{ParamKind, ParamSpec, ParamValue};

#[derive(Args, Debug)]
pub struct AlgorithmsArgs {
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "names")]
    pub json: bool,
    /// Print only the names, one a line (for scripts).
    #[arg(long)]
    pub names: bool,
}

/// One parameter as listed.
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

/// One algorithm as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlgorithmEntry {
    pub name: String,
    pub title: String,
    pub family: String,
    pub description: String,
    pub params: Vec<ParamEntry>,
}

impl AlgorithmEntry {
    pub fn of(spec: &AlgorithmSpec) -> Self {
        AlgorithmEntry {
            name: spec.name.to_string(),
            title: spec.title.to_string(),
            family: family_name(spec.family).to_string(),
            description: spec.description.to_string(),
            params: spec.params.iter().map(param_entry).collect(),
        }
    }
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Baseline => "baseline",
        Family::Neighbourhood => "neighbourhood",
        Family::Factorisation => "factorisation",
        Family::Content => "content",
        Family::Hybrid => "hybrid",
        Family::Neural => "neural",
        Family::Implicit => "implicit",
    }
}

fn param_entry(spec: &ParamSpec) -> ParamEntry {
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
fn values_text(entry: &ParamEntry) -> String {
    match entry.kind.as_str() {
        "choice" => entry.options.join(" | "),
        "bool" => "true | false".to_string(),
        _ => match (entry.min, entry.max) {
            (Some(min), Some(max)) => format!("{min} to {max}"),
            _ => String::new(),
        },
    }
}

/// The listing as text.
pub fn to_text(entries: &[AlgorithmEntry]) -> String {
    let mut out = String::new();
    for entry in entries {
        out.push_str(&format!(
            "{}  ({}, {})\n    {}\n",
            entry.name, entry.title, entry.family, entry.description
        ));
        if entry.params.is_empty() {
            out.push_str("    no parameters\n");
        }
        for param in &entry.params {
            out.push_str(&format!(
                "    --param {}=…  {} [{}], default {}: {}\n",
                param.name,
                param.kind,
                values_text(param),
                param.default,
                param.help
            ));
        }
        out.push('\n');
    }
    out
}

pub fn run(args: &AlgorithmsArgs) -> anyhow::Result<()> {
    let entries: Vec<AlgorithmEntry> = REGISTRY.iter().map(AlgorithmEntry::of).collect();
    let mut stdout = std::io::stdout().lock();
    if args.json {
        super::write_json(&mut stdout, &entries)?;
    } else if args.names {
        for entry in &entries {
            writeln!(stdout, "{}", entry.name)?;
        }
    } else {
        write!(stdout, "{}", to_text(&entries))?;
    }
    Ok(())
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

    #[test]
    fn every_registered_algorithm_is_listed() {
        let entries: Vec<AlgorithmEntry> = REGISTRY.iter().map(AlgorithmEntry::of).collect();
        let text = to_text(&entries);
        for spec in REGISTRY {
            assert!(text.contains(spec.name), "{} missing", spec.name);
        }
    }
}
