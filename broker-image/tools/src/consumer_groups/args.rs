//! The flags of `kafka-consumer-groups.sh` (Kafka 4.4's `ConsumerGroupCommandOptions`), with
//! Kafka's names and defaults (`checks` holds Kafka's checks of their combinations). Flags that
//! take a value are kept as text and converted when used, as joptsimple converts them (a bad
//! `--timeout` is a runtime error in Kafka, not a usage error); a flag given twice is accepted,
//! and a value flag given twice is an error only where Kafka asks for one value.

use std::path::PathBuf;

use clap::Args;

use super::errors::Failure;

/// What `--state` holds when given without a value (joptsimple's optional argument); argv
/// cannot contain NUL, so no user value collides with it.
pub(super) const NO_VALUE: &str = "\u{0}";

/// List, describe, delete consumer groups and reset their offsets (like kafka-consumer-groups.sh).
#[derive(Args, Debug, Default)]
// joptsimple accepts a flag given twice; so does clap with this.
#[command(args_override_self = true)]
pub struct ConsumerGroupsArgs {
    /// REQUIRED (except with --validate-regex): the server(s) to connect to.
    #[arg(long, value_name = "server to connect to")]
    pub(super) bootstrap_server: Vec<String>,
    /// The consumer group id.
    #[arg(long, value_name = "group id")]
    pub(super) group: Vec<String>,
    /// The topic whose offset information should be deleted or reset. In `reset-offsets` case,
    /// partitions can be specified using this format: `topic:0,1,2`. Reset-offsets also supports
    /// multiple topics.
    #[arg(long, value_name = "topic")]
    pub(super) topic: Vec<String>,
    /// Apply to all topics.
    #[arg(long)]
    pub(super) all_topics: bool,
    /// List all consumer groups.
    #[arg(long)]
    pub(super) list: bool,
    /// Describe consumer group and list offset lag (number of messages not yet processed)
    /// related to given group.
    #[arg(long)]
    pub(super) describe: bool,
    /// Apply to all consumer groups.
    #[arg(long)]
    pub(super) all_groups: bool,
    /// Delete topic partition offsets and ownership information for one or more consumer groups.
    #[arg(long)]
    pub(super) delete: bool,
    /// The timeout in milliseconds for each request to the brokers (default: 30000).
    #[arg(long, value_name = "timeout (ms)")]
    pub(super) timeout: Vec<String>,
    /// Property file containing configs to be passed to Admin Client and Consumer.
    #[arg(long, value_name = "command config property file")]
    pub(super) command_config: Vec<PathBuf>,
    /// Reset offsets of consumer group. Supports one consumer group at a time, and instances
    /// should be inactive. --dry-run (the default) plans, --execute updates; choose one of
    /// --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file,
    /// --to-current, --to-offset; and a scope, --all-topics or --topic.
    #[arg(long)]
    pub(super) reset_offsets: bool,
    /// Delete offsets of consumer group. Supports one consumer group at a time, and multiple topics.
    #[arg(long)]
    pub(super) delete_offsets: bool,
    /// Output offset reset information without executing the operation.
    #[arg(long)]
    pub(super) dry_run: bool,
    /// Execute the offset reset operation.
    #[arg(long)]
    pub(super) execute: bool,
    /// Generate offset reset information in CSV format for export to a file.
    #[arg(long)]
    pub(super) export: bool,
    /// Reset offsets to a specific offset.
    #[arg(long, value_name = "offset", allow_hyphen_values = true)]
    pub(super) to_offset: Vec<String>,
    /// Reset offsets to values defined in CSV file.
    #[arg(long, value_name = "path to CSV file")]
    pub(super) from_file: Vec<String>,
    /// Reset offsets to offset from datetime. Format: 'YYYY-MM-DDThh:mm:ss.sss'
    #[arg(long, value_name = "datetime")]
    pub(super) to_datetime: Vec<String>,
    /// Reset offsets by duration from current timestamp. Format: 'PnDTnHnMnS'
    #[arg(long, value_name = "duration", allow_hyphen_values = true)]
    pub(super) by_duration: Vec<String>,
    /// Reset offsets to earliest offset.
    #[arg(long)]
    pub(super) to_earliest: bool,
    /// Reset offsets to latest offset.
    #[arg(long)]
    pub(super) to_latest: bool,
    /// Reset offsets to current offset.
    #[arg(long)]
    pub(super) to_current: bool,
    /// Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.
    #[arg(long, value_name = "number-of-offsets", allow_hyphen_values = true)]
    pub(super) shift_by: Vec<String>,
    /// Describe members of the group (with --describe only).
    #[arg(long)]
    pub(super) members: bool,
    /// Provide additional information, if any, when describing the group (with --describe only).
    #[arg(long)]
    pub(super) verbose: bool,
    /// Describe the group and list all topic partitions in the group along with their offset
    /// lag: the default of --describe.
    #[arg(long)]
    pub(super) offsets: bool,
    /// With --describe, the state of the group; with --list, the states of the groups, or only
    /// groups in these states (e.g. stable,empty).
    #[arg(long, value_name = "String", num_args = 0..=1, default_missing_value = NO_VALUE)]
    pub(super) state: Vec<String>,
    /// With --list, the types of the groups, or only groups of these types (classic,consumer).
    #[arg(long = "type", value_name = "String", num_args = 0..=1, default_missing_value = NO_VALUE)]
    pub(super) group_type: Vec<String>,
    /// Validate the syntax of the regular expression according to the RE2 format.
    #[arg(long, value_name = "regex")]
    pub(super) validate_regex: Vec<String>,
    /// Display the version (kaskade's).
    #[arg(long)]
    pub(super) version: bool,
}

/// The action: exactly one per command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    List,
    Describe,
    Delete,
    ResetOffsets,
    DeleteOffsets,
    ValidateRegex,
    /// `--version`: print the version, before any other check (Kafka prints its own).
    Version,
}

/// Which table `--describe` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescribeView {
    Offsets,
    Members,
    State,
}

/// How `--reset-offsets` picks the new offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetSpec {
    ToOffset(i64),
    ToEarliest,
    ToLatest,
    ShiftBy(i64),
    ToDatetime(String),
    ByDuration(String),
    FromFile(String),
    ToCurrent,
}

/// A flag's value as joptsimple's `valueOf` gives it: the only one, or an error when the flag
/// was repeated.
pub(super) fn value_of<'a, T>(values: &'a [T], name: &str) -> Result<Option<&'a T>, Failure> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(Failure::Runtime(format!(
            "Found multiple arguments for option {name}, but you asked for only one"
        ))),
    }
}

/// A flag whose value is optional: `None` without the flag, `Some("")` when given bare.
fn optional_value(values: &[String], name: &str) -> Result<Option<String>, Failure> {
    Ok(value_of(values, name)?.map(|v| if v == NO_VALUE { String::new() } else { v.clone() }))
}

/// joptsimple's conversion of a `Long` flag.
pub fn parse_long(value: &str, name: &str) -> Result<i64, Failure> {
    value
        .parse()
        .map_err(|_| Failure::Runtime(format!("Cannot parse argument '{value}' of option {name}")))
}

impl ConsumerGroupsArgs {
    pub fn bootstrap(&self) -> Result<&str, Failure> {
        Ok(value_of(&self.bootstrap_server, "bootstrap-server")?.map_or("", String::as_str))
    }

    pub fn groups(&self) -> &[String] {
        &self.group
    }

    pub fn topics(&self) -> &[String] {
        &self.topic
    }

    pub fn all_groups(&self) -> bool {
        self.all_groups
    }

    pub fn all_topics(&self) -> bool {
        self.all_topics
    }

    pub fn verbose(&self) -> bool {
        self.verbose
    }

    pub fn export(&self) -> bool {
        self.export
    }

    /// Dry run unless `--execute` alone was given (Kafka's default).
    pub fn dry_run(&self) -> bool {
        self.dry_run || !self.execute
    }

    pub fn command_config(&self) -> Result<Option<&PathBuf>, Failure> {
        value_of(&self.command_config, "command-config")
    }

    /// `--timeout` in milliseconds (Kafka 4.4's default: 30000).
    pub fn timeout_ms(&self) -> Result<i64, Failure> {
        match value_of(&self.timeout, "timeout")? {
            Some(v) => parse_long(v, "timeout"),
            None => Ok(30_000),
        }
    }

    /// `--state`'s value for `--list`: `None` without the flag, `Some("")` with no value.
    pub fn state_filter(&self) -> Result<Option<String>, Failure> {
        optional_value(&self.state, "state")
    }

    /// `--type`'s value for `--list`, as [`Self::state_filter`].
    pub fn type_filter(&self) -> Result<Option<String>, Failure> {
        optional_value(&self.group_type, "type")
    }

    pub fn regex(&self) -> Result<&str, Failure> {
        Ok(value_of(&self.validate_regex, "validate-regex")?.map_or("", String::as_str))
    }

    pub fn describe_view(&self) -> DescribeView {
        if self.offsets || (!self.members && self.state.is_empty()) {
            DescribeView::Offsets
        } else if self.members {
            DescribeView::Members
        } else {
            DescribeView::State
        }
    }

    /// The reset scenario, in the order Kafka's `prepareOffsetsToReset` looks for one (the
    /// checks already refused more than one); `None` when there is none, which Kafka refuses
    /// only after it has looked at the group and the scope. Values that do not convert fail
    /// now, as Kafka converts them when it builds its resetter.
    pub fn reset_spec(&self) -> Result<Option<ResetSpec>, Failure> {
        // (`check_values` refused values that do not convert, before any request.)
        Ok(Some(if let Some(v) = self.to_offset.first() {
            ResetSpec::ToOffset(parse_long(v, "to-offset")?)
        } else if self.to_earliest {
            ResetSpec::ToEarliest
        } else if self.to_latest {
            ResetSpec::ToLatest
        } else if let Some(v) = self.shift_by.first() {
            ResetSpec::ShiftBy(parse_long(v, "shift-by")?)
        } else if let Some(v) = self.to_datetime.first() {
            ResetSpec::ToDatetime(v.clone())
        } else if let Some(v) = self.by_duration.first() {
            ResetSpec::ByDuration(v.clone())
        } else if let Some(v) = self.from_file.first() {
            ResetSpec::FromFile(v.clone())
        } else if self.to_current {
            ResetSpec::ToCurrent
        } else {
            return Ok(None);
        }))
    }

    /// The conversions Kafka's tool makes for every action when it builds its resetter: every
    /// `--to-offset`, one `--by-duration`, one `--shift-by`, one `--timeout`.
    pub fn check_values(&self) -> Result<(), Failure> {
        for v in &self.to_offset {
            parse_long(v, "to-offset")?;
        }
        value_of(&self.by_duration, "by-duration")?;
        if let Some(v) = value_of(&self.shift_by, "shift-by")? {
            parse_long(v, "shift-by")?;
        }
        self.timeout_ms()?;
        Ok(())
    }

    pub fn has_from_file(&self) -> bool {
        !self.from_file.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ConsumerGroupsArgs,
    }

    const B: &str = "--bootstrap-server=h:9092";

    #[test]
    fn values_convert_when_used_as_joptsimple_converts_them() {
        let parse = |argv: &[&str]| Cli::try_parse_from(std::iter::once("x").chain(argv.iter().copied())).unwrap().args;
        assert_eq!(parse(&[B, "--list"]).timeout_ms(), Ok(30_000));
        assert_eq!(parse(&[B, "--list", "--timeout", "5"]).timeout_ms(), Ok(5));
        assert_eq!(
            parse(&[B, "--list", "--timeout", "abc"]).timeout_ms(),
            Err(Failure::Runtime("Cannot parse argument 'abc' of option timeout".into()))
        );
        assert_eq!(
            parse(&[B, "--list", "--state", "Stable", "--state", "Empty"]).state_filter(),
            Err(Failure::Runtime(
                "Found multiple arguments for option state, but you asked for only one".into()
            ))
        );
        assert_eq!(parse(&[B, "--list", "--state"]).state_filter(), Ok(Some(String::new())));
        assert_eq!(
            parse(&[B, "--list", "--state", "stable,empty"]).state_filter(),
            Ok(Some("stable,empty".into()))
        );
        assert_eq!(parse(&[B, "--list"]).state_filter(), Ok(None));
        let a = parse(&[B, "--reset-offsets", "--group", "g", "--all-topics", "--shift-by", "-2"]);
        assert_eq!(a.reset_spec(), Ok(Some(ResetSpec::ShiftBy(-2))));
        let a = parse(&[B, "--reset-offsets", "--group", "g", "--all-topics", "--to-offset", "x"]);
        assert_eq!(
            a.reset_spec(),
            Err(Failure::Runtime("Cannot parse argument 'x' of option to-offset".into()))
        );
        assert!(parse(&[B, "--describe", "--group", "g"]).dry_run());
        assert!(!parse(&[B, "--execute"]).dry_run());
    }

    #[test]
    fn describe_views() {
        let view = |argv: &[&str]| {
            Cli::try_parse_from(["x", B, "--describe", "--group", "g"].into_iter().chain(argv.iter().copied()))
                .unwrap()
                .args
                .describe_view()
        };
        assert_eq!(view(&[]), DescribeView::Offsets);
        assert_eq!(view(&["--offsets"]), DescribeView::Offsets);
        assert_eq!(view(&["--members", "--verbose"]), DescribeView::Members);
        assert_eq!(view(&["--state"]), DescribeView::State);
    }
}
