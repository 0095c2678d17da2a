//! Group states and types as Kafka's `GroupState` and `GroupType` spell them: brokers' strings
//! are matched case-insensitively and printed in Kafka's casing (`Stable`, `Classic`), and the
//! `--list --state`/`--type` filters accept what Kafka accepts.

use super::errors::Failure;
use kaskade_common::java;

/// `GroupState`'s names; anything else parses as `Unknown`.
const STATES: [&str; 7] = [
    "PreparingRebalance",
    "CompletingRebalance",
    "Stable",
    "Dead",
    "Empty",
    "Assigning",
    "Reconciling",
];

/// `GroupType`'s names.
const TYPES: [&str; 4] = ["Consumer", "Classic", "Share", "Streams"];

/// `GroupState.parse(s).toString()`.
pub fn state_name(s: &str) -> &'static str {
    STATES.iter().find(|n| n.eq_ignore_ascii_case(s)).copied().unwrap_or("Unknown")
}

/// `GroupType.parse(s).toString()`.
pub fn type_name(s: &str) -> &'static str {
    TYPES.iter().find(|n| n.eq_ignore_ascii_case(s)).copied().unwrap_or("Unknown")
}

/// `--state a,b` (`groupStatesFromString`): the states to send, or Kafka's usage error. Every
/// state is valid for consumer groups.
pub fn parse_states(input: &str) -> Result<Vec<String>, Failure> {
    let mut out: Vec<String> = Vec::new();
    for part in java::split(input, ',') {
        let name = state_name(part.trim());
        if name == "Unknown" {
            return Err(Failure::Usage(format!(
                "Invalid state list '{input}'. Valid states are: {}",
                STATES.join(", ")
            )));
        }
        if !out.iter().any(|s| s == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// `--type a,b` (`consumerGroupTypesFromString`): only `classic` and `consumer` are valid.
pub fn parse_types(input: &str) -> Result<Vec<String>, Failure> {
    let mut out: Vec<String> = Vec::new();
    for part in java::split(&input.to_lowercase(), ',') {
        let name = type_name(part.trim());
        if name != "Classic" && name != "Consumer" {
            return Err(Failure::Usage(format!(
                "Invalid types list '{input}'. Valid types are: Classic, Consumer"
            )));
        }
        if !out.iter().any(|s| s == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kafkas_whatever_the_case() {
        assert_eq!(state_name("stable"), "Stable");
        assert_eq!(state_name("PREPARINGREBALANCE"), "PreparingRebalance");
        assert_eq!(state_name("bogus"), "Unknown");
        assert_eq!(type_name("classic"), "Classic");
        assert_eq!(type_name(""), "Unknown");
    }

    #[test]
    fn filters_parse_as_kafka_parses_them() {
        assert_eq!(parse_states("stable, empty,"), Ok(vec!["Stable".to_string(), "Empty".to_string()]));
        assert_eq!(
            parse_states("bogus"),
            Err(Failure::Usage(
                "Invalid state list 'bogus'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling".into()
            ))
        );
        assert!(parse_states("stable,,empty").is_err(), "an empty name is not a state");
        assert_eq!(parse_types("CLASSIC"), Ok(vec!["Classic".to_string()]));
        assert_eq!(
            parse_types("share"),
            Err(Failure::Usage(
                "Invalid types list 'share'. Valid types are: Classic, Consumer".into()
            ))
        );
    }
}
