//! Kafka's checks of `kafka-consumer-groups.sh`'s flags (`ConsumerGroupCommandOptions.checkArgs`
//! and the action count in `ConsumerGroupCommand.main`), in Kafka's order and with Kafka's
//! messages, so a script that relied on a combination being refused sees it refused the same
//! way.

use super::args::{Action, ConsumerGroupsArgs, NO_VALUE};
use super::errors::Failure;

impl ConsumerGroupsArgs {
    /// Kafka's checks, in Kafka's order: options only available with an action, the required
    /// bootstrap server, each action's required and forbidden companions, then exactly one
    /// action. Prints Kafka's warning for a reset with neither --dry-run nor --execute.
    pub fn check(&self) -> Result<Action, Failure> {
        if self.version {
            return Ok(Action::Version);
        }
        // joptsimple's availableIf, checked while parsing.
        let describe = self.describe;
        let list = self.list;
        let unavailable: Vec<&str> = [
            ("members", self.members && !describe),
            ("verbose", self.verbose && !describe),
            ("offsets", self.offsets && !describe),
            ("state", !self.state.is_empty() && !describe && !list),
            ("type", !self.group_type.is_empty() && !list),
        ]
        .into_iter()
        .filter_map(|(name, bad)| bad.then_some(name))
        .collect();
        if !unavailable.is_empty() {
            return Err(Failure::Usage(format!(
                "Option(s) [{}] are unavailable given other options on the command line",
                unavailable.join(", ")
            )));
        }
        if self.validate_regex.is_empty() && self.bootstrap_server.is_empty() {
            return Err(Failure::Usage("Missing required argument \"[bootstrap-server]\"".into()));
        }
        let has_group = !self.group.is_empty() || self.all_groups;
        let has_topic = !self.topic.is_empty();
        if describe {
            if !has_group {
                return Err(Failure::Usage(
                    "Option [describe] takes one of these options: [group], [all-groups]".into(),
                ));
            }
            let views = [self.members, self.offsets, !self.state.is_empty()];
            if views.iter().filter(|v| **v).count() > 1 {
                return Err(Failure::Usage(
                    "Option [describe] takes at most one of these options: [members], [offsets], [state]".into(),
                ));
            }
            if self.state.iter().any(|v| v != NO_VALUE) {
                return Err(Failure::Usage("Option [describe] does not take a value for [state]".into()));
            }
        }
        if self.delete {
            if !has_group {
                return Err(Failure::Usage(
                    "Option [delete] takes one of these options: [group], [all-groups]".into(),
                ));
            }
            if has_topic {
                return Err(Failure::Usage(
                    "The consumer does not support topic-specific offset deletion from a consumer group.".into(),
                ));
            }
        }
        if self.delete_offsets && (self.group.is_empty() || !has_topic) {
            return Err(Failure::Usage(
                "Option [delete-offsets] takes the following options: [group], [topic]".into(),
            ));
        }
        if self.reset_offsets {
            if self.dry_run && self.execute {
                return Err(Failure::Usage(
                    "Option [reset-offsets] only accepts one of [execute] and [dry-run]".into(),
                ));
            }
            if !self.dry_run && !self.execute {
                eprintln!(
                    "WARN: No action will be performed as the --execute option is missing. In version 5.0, this command will require either --dry-run or --execute to be specified. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting."
                );
            }
            if !has_group {
                return Err(Failure::Usage(
                    "Option [reset-offsets] takes one of these options: [group], [all-groups]".into(),
                ));
            }
            let scenarios = [
                ("to-offset", !self.to_offset.is_empty()),
                ("to-datetime", !self.to_datetime.is_empty()),
                ("by-duration", !self.by_duration.is_empty()),
                ("to-earliest", self.to_earliest),
                ("to-latest", self.to_latest),
                ("to-current", self.to_current),
                ("shift-by", !self.shift_by.is_empty()),
                ("from-file", !self.from_file.is_empty()),
            ];
            for (used, present) in scenarios {
                if !present {
                    continue;
                }
                if let Some((other, _)) = scenarios.iter().find(|(o, p)| *p && *o != used) {
                    return Err(Failure::Usage(format!(
                        "Option \"[{used}]\" can't be used with option \"[{other}]\""
                    )));
                }
            }
        }
        if !self.group.is_empty() {
            if self.all_groups {
                return Err(Failure::Usage(
                    "Option \"[group]\" can't be used with option \"[all-groups]\"".into(),
                ));
            }
            if list {
                return Err(Failure::Usage("Option \"[group]\" can't be used with option \"[list]\"".into()));
            }
        }
        if has_topic {
            if list {
                return Err(Failure::Usage("Option \"[topic]\" can't be used with option \"[list]\"".into()));
            }
            if describe {
                return Err(Failure::Usage("Option \"[topic]\" can't be used with option \"[describe]\"".into()));
            }
        }
        let actions = [
            (Action::List, list),
            (Action::Describe, describe),
            (Action::Delete, self.delete),
            (Action::ResetOffsets, self.reset_offsets),
            (Action::DeleteOffsets, self.delete_offsets),
            (Action::ValidateRegex, !self.validate_regex.is_empty()),
        ];
        let mut chosen = actions.iter().filter(|(_, on)| *on).map(|(a, _)| *a);
        match (chosen.next(), chosen.next()) {
            (Some(action), None) => Ok(action),
            _ => Err(Failure::Usage(
                "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex".into(),
            )),
        }
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

    fn check(argv: &[&str]) -> Result<Action, Failure> {
        let cli = Cli::try_parse_from(std::iter::once("consumer-groups").chain(argv.iter().copied())).expect("parses");
        cli.args.check()
    }

    fn usage(argv: &[&str]) -> String {
        match check(argv) {
            Err(Failure::Usage(m)) => m,
            other => panic!("{argv:?}: {other:?}"),
        }
    }

    const B: &str = "--bootstrap-server=h:9092";

    #[test]
    fn one_action_each() {
        assert_eq!(check(&[B, "--list"]), Ok(Action::List));
        assert_eq!(check(&[B, "--list", "--list"]), Ok(Action::List), "joptsimple accepts repeats");
        assert_eq!(check(&[B, "--describe", "--group", "g"]), Ok(Action::Describe));
        assert_eq!(
            check(&["--validate-regex", "a.*"]),
            Ok(Action::ValidateRegex),
            "no bootstrap needed"
        );
        assert_eq!(
            usage(&[B]),
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex"
        );
        assert_eq!(usage(&["--list"]), "Missing required argument \"[bootstrap-server]\"");
    }

    /// Each message is the one Kafka 4.4's tool printed for the same arguments.
    #[test]
    fn kafkas_messages_for_bad_combinations() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["--list", "--describe"],
                "Option [describe] takes one of these options: [group], [all-groups]",
            ),
            (
                &["--describe", "--group", "g", "--members", "--state"],
                "Option [describe] takes at most one of these options: [members], [offsets], [state]",
            ),
            (
                &["--describe", "--group", "g", "--state", "x"],
                "Option [describe] does not take a value for [state]",
            ),
            (
                &["--describe", "--group", "g", "--state="],
                "Option [describe] does not take a value for [state]",
            ),
            (
                &["--list", "--group", "g"],
                "Option \"[group]\" can't be used with option \"[list]\"",
            ),
            (
                &["--list", "--topic", "t"],
                "Option \"[topic]\" can't be used with option \"[list]\"",
            ),
            (
                &["--describe", "--group", "g", "--topic", "t"],
                "Option \"[topic]\" can't be used with option \"[describe]\"",
            ),
            (
                &["--describe", "--group", "g", "--all-groups"],
                "Option \"[group]\" can't be used with option \"[all-groups]\"",
            ),
            (&["--delete"], "Option [delete] takes one of these options: [group], [all-groups]"),
            (
                &["--delete", "--group", "g", "--topic", "t"],
                "The consumer does not support topic-specific offset deletion from a consumer group.",
            ),
            (
                &["--delete-offsets", "--group", "g"],
                "Option [delete-offsets] takes the following options: [group], [topic]",
            ),
            (
                &[
                    "--reset-offsets",
                    "--group",
                    "g",
                    "--topic",
                    "t",
                    "--to-earliest",
                    "--to-latest",
                    "--dry-run",
                ],
                "Option \"[to-earliest]\" can't be used with option \"[to-latest]\"",
            ),
            (
                &[
                    "--reset-offsets",
                    "--group",
                    "g",
                    "--topic",
                    "t",
                    "--to-earliest",
                    "--dry-run",
                    "--execute",
                ],
                "Option [reset-offsets] only accepts one of [execute] and [dry-run]",
            ),
            (
                &["--reset-offsets", "--topic", "t", "--to-earliest", "--dry-run"],
                "Option [reset-offsets] takes one of these options: [group], [all-groups]",
            ),
            (
                &["--members"],
                "Option(s) [members] are unavailable given other options on the command line",
            ),
            (
                &["--members", "--verbose", "--type"],
                "Option(s) [members, verbose, type] are unavailable given other options on the command line",
            ),
            (
                &["--describe", "--group", "g", "--type"],
                "Option(s) [type] are unavailable given other options on the command line",
            ),
        ];
        for (argv, want) in cases {
            let mut full = vec![B];
            full.extend_from_slice(argv);
            assert_eq!(usage(&full), *want, "{argv:?}");
        }
    }
}
