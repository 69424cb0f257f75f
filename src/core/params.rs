//! Algorithm parameters: their specification (name, kind, default, meaning) and the
//! values a user set, checked against the specification.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A parameter value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Text(s) => write!(f, "{s}"),
        }
    }
}

/// What values a parameter takes, with its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    Int {
        min: i64,
        max: i64,
        default: i64,
    },
    Float {
        min: f64,
        max: f64,
        default: f64,
    },
    Bool {
        default: bool,
    },
    Choice {
        options: &'static [&'static str],
        default: &'static str,
    },
}

/// One parameter of an algorithm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    pub help: &'static str,
}

impl ParamSpec {
    pub fn default_value(&self) -> ParamValue {
        match self.kind {
            ParamKind::Int { default, .. } => ParamValue::Int(default),
            ParamKind::Float { default, .. } => ParamValue::Float(default),
            ParamKind::Bool { default } => ParamValue::Bool(default),
            ParamKind::Choice { default, .. } => ParamValue::Text(default.to_string()),
        }
    }

    /// Parses and range-checks a value written by a user.
    pub fn parse(&self, text: &str) -> Result<ParamValue, ParamError> {
        let bad = |expected: String| ParamError::BadValue {
            name: self.name.to_string(),
            value: text.to_string(),
            expected,
        };
        match self.kind {
            ParamKind::Int { min, max, .. } => match text.trim().parse::<i64>() {
                Ok(v) if (min..=max).contains(&v) => Ok(ParamValue::Int(v)),
                _ => Err(bad(format!("a whole number from {min} to {max}"))),
            },
            ParamKind::Float { min, max, .. } => match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= min && v <= max => Ok(ParamValue::Float(v)),
                _ => Err(bad(format!("a number from {min} to {max}"))),
            },
            ParamKind::Bool { .. } => match text.trim() {
                "true" | "yes" | "1" => Ok(ParamValue::Bool(true)),
                "false" | "no" | "0" => Ok(ParamValue::Bool(false)),
                _ => Err(bad("true or false".to_string())),
            },
            ParamKind::Choice { options, .. } => {
                let text = text.trim();
                if options.contains(&text) {
                    Ok(ParamValue::Text(text.to_string()))
                } else {
                    Err(bad(format!("one of {}", options.join(", "))))
                }
            }
        }
    }

    /// Whether a value is of this parameter's kind and range.
    fn accepts(&self, value: &ParamValue) -> bool {
        match (self.kind, value) {
            (ParamKind::Int { min, max, .. }, ParamValue::Int(v)) => (min..=max).contains(v),
            (ParamKind::Float { min, max, .. }, ParamValue::Float(v)) => *v >= min && *v <= max,
            (ParamKind::Float { min, max, .. }, ParamValue::Int(v)) => {
                (*v as f64) >= min && (*v as f64) <= max
            }
            (ParamKind::Bool { .. }, ParamValue::Bool(_)) => true,
            (ParamKind::Choice { options, .. }, ParamValue::Text(s)) => {
                options.contains(&s.as_str())
            }
            _ => false,
        }
    }
}

/// A parameter that does not exist or a value that does not fit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    #[error("{algorithm} has no parameter '{name}' (it has: {known})")]
    Unknown {
        algorithm: String,
        name: String,
        known: String,
    },
    #[error("parameter '{name}' cannot be '{value}': expected {expected}")]
    BadValue {
        name: String,
        value: String,
        expected: String,
    },
    #[error("'{text}' is not of the form KEY=VALUE")]
    NotKeyValue { text: String },
}

/// Values for every parameter of one algorithm: the defaults, overridden by what the
/// user set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// The defaults of `specs`.
    pub fn defaults(specs: &[ParamSpec]) -> Self {
        Params {
            values: specs
                .iter()
                .map(|s| (s.name.to_string(), s.default_value()))
                .collect(),
        }
    }

    /// Defaults overridden by `KEY=VALUE` texts, each checked against `specs`.
    pub fn parse(
        algorithm: &str,
        specs: &[ParamSpec],
        settings: &[String],
    ) -> Result<Self, ParamError> {
        let mut params = Params::defaults(specs);
        for setting in settings {
            let (name, value) = setting
                .split_once('=')
                .ok_or_else(|| ParamError::NotKeyValue {
                    text: setting.clone(),
                })?;
            params.set_text(algorithm, specs, name.trim(), value)?;
        }
        Ok(params)
    }

    /// Sets one parameter from text, checked against `specs`.
    pub fn set_text(
        &mut self,
        algorithm: &str,
        specs: &[ParamSpec],
        name: &str,
        value: &str,
    ) -> Result<(), ParamError> {
        let spec = find(algorithm, specs, name)?;
        self.values.insert(name.to_string(), spec.parse(value)?);
        Ok(())
    }

    /// Sets one parameter to a value, checked against `specs`.
    pub fn set(
        &mut self,
        algorithm: &str,
        specs: &[ParamSpec],
        name: &str,
        value: ParamValue,
    ) -> Result<(), ParamError> {
        let spec = find(algorithm, specs, name)?;
        if !spec.accepts(&value) {
            return Err(ParamError::BadValue {
                name: name.to_string(),
                value: value.to_string(),
                expected: format!("{:?}", spec.kind),
            });
        }
        self.values.insert(name.to_string(), value);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.get(name)
    }

    /// An integer parameter; `default` when absent or of another kind.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        match self.values.get(name) {
            Some(ParamValue::Int(v)) => *v,
            _ => default,
        }
    }

    /// A number parameter; `default` when absent or of another kind.
    pub fn float(&self, name: &str, default: f64) -> f64 {
        match self.values.get(name) {
            Some(ParamValue::Float(v)) => *v,
            Some(ParamValue::Int(v)) => *v as f64,
            _ => default,
        }
    }

    pub fn bool(&self, name: &str, default: bool) -> bool {
        match self.values.get(name) {
            Some(ParamValue::Bool(v)) => *v,
            _ => default,
        }
    }

    /// A choice parameter; `default` when absent or of another kind.
    pub fn text<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        match self.values.get(name) {
            Some(ParamValue::Text(v)) => v,
            _ => default,
        }
    }

    /// `(name, value)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

fn find<'a>(
    algorithm: &str,
    specs: &'a [ParamSpec],
    name: &str,
) -> Result<&'a ParamSpec, ParamError> {
    specs
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ParamError::Unknown {
            algorithm: algorithm.to_string(),
            name: name.to_string(),
            known: specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[
        ParamSpec {
            name: "k",
            kind: ParamKind::Int {
                min: 1,
                max: 1000,
                default: 40,
            },
            help: "neighbours",
        },
        ParamSpec {
            name: "sim",
            kind: ParamKind::Choice {
                options: &["cosine", "msd"],
                default: "msd",
            },
            help: "similarity",
        },
    ];

    #[test]
    fn settings_override_defaults_and_bad_ones_are_named() {
        let params = Params::parse("knn", SPECS, &["k=5".to_string()]).unwrap();
        assert_eq!(params.int("k", 0), 5);
        assert_eq!(params.text("sim", ""), "msd");
        let err = Params::parse("knn", SPECS, &["k=0".to_string()]).unwrap_err();
        assert!(err.to_string().contains("'0'"), "{err}");
        let err = Params::parse("knn", SPECS, &["depth=3".to_string()]).unwrap_err();
        assert!(err.to_string().contains("depth") && err.to_string().contains("k, sim"));
    }
}
