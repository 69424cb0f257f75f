//! `recscope algorithms`: every registered algorithm with its parameters, their kinds,
//! ranges, defaults and meaning.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use crate::core::algorithms::{AlgorithmSpec, Family, REGISTRY};
use crate::data::{ParamEntry, param_entry, values_text};

#[derive(Args, Debug)]
pub struct AlgorithmsArgs {
    /// Print JSON instead of text.
    #[arg(long, conflicts_with = "names")]
    pub json: bool,
    /// Print only the names, one a line (for scripts).
    #[arg(long)]
    pub names: bool,
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

    #[test]
    fn every_registered_algorithm_is_listed() {
        let entries: Vec<AlgorithmEntry> = REGISTRY.iter().map(AlgorithmEntry::of).collect();
        let text = to_text(&entries);
        for spec in REGISTRY {
            assert!(text.contains(spec.name), "{} missing", spec.name);
        }
    }
}
