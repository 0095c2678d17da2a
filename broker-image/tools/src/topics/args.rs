//! `kaskade topics` flags: the long options of Kafka's `TopicCommandOptions`, and its checks of
//! which go together, in Kafka's order and with Kafka's messages (a usage error prints the
//! message and the options on stderr and exits 1). Numbers stay text here: Kafka converts them
//! when the command runs, and reports a bad one as a command error, not a usage error.

use std::path::PathBuf;

use clap::Args;

use crate::exit::ToolError;

/// Create, delete, describe, or change a topic (like kafka-topics.sh).
#[derive(Args, Debug, Default, Clone)]
pub struct TopicsArgs {
    /// REQUIRED: The Kafka server to connect to.
    #[arg(long, value_name = "server to connect to")]
    pub bootstrap_server: Option<String>,
    /// Property file containing configs to be passed to Admin Client.
    #[arg(long, value_name = "command config property file")]
    pub command_config: Option<PathBuf>,
    /// List all available topics.
    #[arg(long)]
    pub list: bool,
    /// Create a new topic.
    #[arg(long)]
    pub create: bool,
    /// Delete a topic.
    #[arg(long)]
    pub delete: bool,
    /// Alter the number of partitions and replica assignment. (To alter topic configurations,
    /// the kafka-configs tool can be used.)
    #[arg(long)]
    pub alter: bool,
    /// List details for the given topics.
    #[arg(long)]
    pub describe: bool,
    /// The topic to create, alter, describe or delete. It also accepts a regular expression,
    /// except for --create option.
    #[arg(long, value_name = "topic")]
    pub topic: Option<String>,
    /// The topic-id to describe.
    #[arg(long, value_name = "topic-id")]
    pub topic_id: Option<String>,
    /// A topic configuration override for the topic being created. It is supported only in
    /// combination with --create. (To alter topic configurations, the kafka-configs tool can be
    /// used.)
    #[arg(long, value_name = "name=value")]
    pub config: Vec<String>,
    /// This option is no longer supported and has been deprecated since 4.0
    #[arg(long, value_name = "name")]
    pub delete_config: Vec<String>,
    /// The number of partitions for the topic being created or altered. If not supplied with
    /// --create, the topic uses the cluster default. (WARNING: If partitions are increased for a
    /// topic that has a key, the partition logic or ordering of the messages will be affected).
    #[arg(long, value_name = "# of partitions")]
    pub partitions: Option<String>,
    /// The replication factor for each partition in the topic being created. If not supplied,
    /// the topic uses the cluster default.
    #[arg(long, value_name = "replication factor")]
    pub replication_factor: Option<String>,
    /// A list of manual partition-to-broker assignments for the topic being created or altered:
    /// broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1
    /// : broker_id_for_part2_replica2 , ...
    #[arg(long, value_name = "assignment")]
    pub replica_assignment: Option<String>,
    /// If set when describing topics, only show under-replicated partitions.
    #[arg(long)]
    pub under_replicated_partitions: bool,
    /// If set when describing topics, only show partitions whose leader is not available.
    #[arg(long)]
    pub unavailable_partitions: bool,
    /// If set when describing topics, only show partitions whose isr count is less than the
    /// configured minimum.
    #[arg(long)]
    pub under_min_isr_partitions: bool,
    /// If set when describing topics, only show partitions whose isr count is equal to the
    /// configured minimum.
    #[arg(long)]
    pub at_min_isr_partitions: bool,
    /// If set when describing topics, only show topics that have overridden configs.
    #[arg(long)]
    pub topics_with_overrides: bool,
    /// If set when altering or deleting or describing topics, the action will only execute if
    /// the topic exists.
    #[arg(long)]
    pub if_exists: bool,
    /// If set when creating topics, the create request will not fail if the topic already
    /// exists, but the request will still be sent.
    #[arg(long)]
    pub if_not_exists: bool,
    /// Exclude internal topics when listing or describing topics. By default, the internal
    /// topics are included.
    #[arg(long)]
    pub exclude_internal: bool,
    /// The maximum partition size to be included in one DescribeTopicPartitions response.
    #[arg(long, value_name = "maximum number of partitions per response")]
    pub partition_size_limit_per_response: Option<String>,
}

/// The one thing a `kaskade topics` run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    List,
    Describe,
    Alter,
    Delete,
}

/// The flags Kafka checks against each other, by their Kafka names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    BootstrapServer,
    Config,
    Partitions,
    ReplicationFactor,
    ReplicaAssignment,
    UnderReplicated,
    Unavailable,
    UnderMinIsr,
    AtMinIsr,
    TopicsWithOverrides,
    IfExists,
    IfNotExists,
    ExcludeInternal,
    Alter,
    Create,
    Describe,
    List,
    Delete,
}

impl Opt {
    fn name(self) -> &'static str {
        match self {
            Opt::BootstrapServer => "bootstrap-server",
            Opt::Config => "config",
            Opt::Partitions => "partitions",
            Opt::ReplicationFactor => "replication-factor",
            Opt::ReplicaAssignment => "replica-assignment",
            Opt::UnderReplicated => "under-replicated-partitions",
            Opt::Unavailable => "unavailable-partitions",
            Opt::UnderMinIsr => "under-min-isr-partitions",
            Opt::AtMinIsr => "at-min-isr-partitions",
            Opt::TopicsWithOverrides => "topics-with-overrides",
            Opt::IfExists => "if-exists",
            Opt::IfNotExists => "if-not-exists",
            Opt::ExcludeInternal => "exclude-internal",
            Opt::Alter => "alter",
            Opt::Create => "create",
            Opt::Describe => "describe",
            Opt::List => "list",
            Opt::Delete => "delete",
        }
    }
}

/// Every action flag, in the order Kafka's sets happen to list them.
const ACTIONS: [Opt; 5] = [Opt::Alter, Opt::Create, Opt::Describe, Opt::List, Opt::Delete];
const REPORTS: [Opt; 4] = [Opt::UnderReplicated, Opt::UnderMinIsr, Opt::AtMinIsr, Opt::Unavailable];

impl TopicsArgs {
    fn has(&self, opt: Opt) -> bool {
        match opt {
            Opt::BootstrapServer => self.bootstrap_server.is_some(),
            Opt::Config => !self.config.is_empty(),
            Opt::Partitions => self.partitions.is_some(),
            Opt::ReplicationFactor => self.replication_factor.is_some(),
            Opt::ReplicaAssignment => self.replica_assignment.is_some(),
            Opt::UnderReplicated => self.under_replicated_partitions,
            Opt::Unavailable => self.unavailable_partitions,
            Opt::UnderMinIsr => self.under_min_isr_partitions,
            Opt::AtMinIsr => self.at_min_isr_partitions,
            Opt::TopicsWithOverrides => self.topics_with_overrides,
            Opt::IfExists => self.if_exists,
            Opt::IfNotExists => self.if_not_exists,
            Opt::ExcludeInternal => self.exclude_internal,
            Opt::Alter => self.alter,
            Opt::Create => self.create,
            Opt::Describe => self.describe,
            Opt::List => self.list,
            Opt::Delete => self.delete,
        }
    }

    /// No option at all (Kafka then prints the usage and exits 1).
    fn is_empty(&self) -> bool {
        self.bootstrap_server.is_none()
            && self.command_config.is_none()
            && self.topic.is_none()
            && self.topic_id.is_none()
            && self.delete_config.is_empty()
            && self.partition_size_limit_per_response.is_none()
            && [ACTIONS.as_slice(), REPORTS.as_slice()]
                .concat()
                .into_iter()
                .chain([
                    Opt::Config,
                    Opt::Partitions,
                    Opt::ReplicationFactor,
                    Opt::ReplicaAssignment,
                    Opt::TopicsWithOverrides,
                    Opt::IfExists,
                    Opt::IfNotExists,
                    Opt::ExcludeInternal,
                ])
                .all(|o| !self.has(o))
    }

    /// Kafka's `checkArgs`: the action, and whether the flags given go with it. Usage errors
    /// come back as the `ToolError` to exit with; `notes` collects what Kafka prints on the way
    /// (stdout) while `warnings` go to stderr.
    pub fn check(&self, notes: &mut String) -> Result<Action, ToolError> {
        if self.is_empty() {
            return Err(usage("Create, delete, describe, or change a topic."));
        }
        let actions: Vec<Opt> = ACTIONS.into_iter().filter(|&a| self.has(a)).collect();
        let [action] = actions[..] else {
            return Err(usage(
                "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
            ));
        };
        if !self.delete_config.is_empty() {
            eprintln!(
                "delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases."
            );
        }
        self.check_required(notes)?;
        self.check_invalid()?;
        Ok(match action {
            Opt::Create => Action::Create,
            Opt::List => Action::List,
            Opt::Describe => Action::Describe,
            Opt::Alter => Action::Alter,
            _ => Action::Delete,
        })
    }

    fn check_required(&self, notes: &mut String) -> Result<(), ToolError> {
        if self.bootstrap_server.is_none() {
            return Err(ToolError::new("--bootstrap-server must be specified"));
        }
        if self.describe && self.if_exists {
            if self.topic.is_none() && self.topic_id.is_none() {
                return Err(usage("--topic or --topic-id is required to describe a topic"));
            }
            if self.topic.is_some() && self.topic_id.is_some() {
                notes.push_str(
                    "Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID\n",
                );
            }
        }
        if !self.list && !self.describe && self.topic.is_none() {
            return Err(usage("Missing required argument \"[topic]\""));
        }
        if self.alter {
            if self.has(Opt::BootstrapServer) && self.has(Opt::Config) {
                return Err(usage(
                    "Option combination \"[[bootstrap-server], [config]]\" can't be used with option \"[alter]\" (To alter topic configurations, the kafka-configs tool can be used.)",
                ));
            }
            if self.partitions.is_none() {
                return Err(usage("Missing required argument \"[partitions]\""));
            }
        }
        Ok(())
    }

    fn check_invalid(&self) -> Result<(), ToolError> {
        let actions_but = |allowed: &[Opt]| -> Vec<Opt> { ACTIONS.into_iter().filter(|a| !allowed.contains(a)).collect() };
        self.refuse(Opt::Config, &actions_but(&[Opt::Alter, Opt::Create]))?;
        self.refuse(Opt::Partitions, &actions_but(&[Opt::Alter, Opt::Create]))?;
        self.refuse(Opt::ReplicationFactor, &actions_but(&[Opt::Create]))?;
        self.refuse(Opt::ReplicaAssignment, &actions_but(&[Opt::Alter, Opt::Create]))?;
        if self.create {
            self.refuse(Opt::ReplicaAssignment, &[Opt::Partitions, Opt::ReplicationFactor])?;
        }
        for report in REPORTS {
            let mut invalid = actions_but(&[Opt::Describe]);
            invalid.push(Opt::TopicsWithOverrides);
            self.refuse(report, &invalid)?;
        }
        let mut invalid = REPORTS.to_vec();
        invalid.extend(actions_but(&[Opt::Describe]));
        self.refuse(Opt::TopicsWithOverrides, &invalid)?;
        self.refuse(Opt::IfExists, &actions_but(&[Opt::Alter, Opt::Delete, Opt::Describe]))?;
        self.refuse(Opt::IfNotExists, &actions_but(&[Opt::Create]))?;
        self.refuse(Opt::ExcludeInternal, &actions_but(&[Opt::List, Opt::Describe]))
    }

    /// Kafka's `checkInvalidArgs`: `used` must not come with any of `invalid`.
    fn refuse(&self, used: Opt, invalid: &[Opt]) -> Result<(), ToolError> {
        if !self.has(used) {
            return Ok(());
        }
        match invalid.iter().find(|&&o| self.has(o)) {
            Some(other) => Err(usage(&format!(
                "Option \"[{}]\" can't be used with option \"[{}]\"",
                used.name(),
                other.name()
            ))),
            None => Ok(()),
        }
    }
}

/// A usage error: the message, then the options, as Kafka's `printUsageAndExit` prints them.
pub fn usage(message: &str) -> ToolError {
    crate::exit::usage::<TopicsArgs>("kaskade topics", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(f: impl FnOnce(&mut TopicsArgs)) -> TopicsArgs {
        let mut a = TopicsArgs {
            bootstrap_server: Some("h:9092".into()),
            ..Default::default()
        };
        f(&mut a);
        a
    }

    fn first_line(r: Result<Action, ToolError>) -> String {
        r.err()
            .map(|e| e.to_string().lines().next().unwrap_or_default().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn kafkas_checks_in_kafkas_order() {
        let mut notes = String::new();
        assert_eq!(
            first_line(TopicsArgs::default().check(&mut notes)),
            "Create, delete, describe, or change a topic."
        );
        assert_eq!(
            first_line(args(|_| {}).check(&mut notes)),
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete"
        );
        assert_eq!(
            first_line(
                args(|a| {
                    a.list = true;
                    a.create = true
                })
                .check(&mut notes)
            ),
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete"
        );
        assert_eq!(
            first_line(
                args(|a| {
                    a.list = true;
                    a.bootstrap_server = None
                })
                .check(&mut notes)
            ),
            "--bootstrap-server must be specified"
        );
        assert_eq!(
            first_line(args(|a| a.create = true).check(&mut notes)),
            "Missing required argument \"[topic]\""
        );
        let alter = |a: &mut TopicsArgs| {
            a.alter = true;
            a.topic = Some("t".into())
        };
        assert_eq!(
            first_line(args(alter).check(&mut notes)),
            "Missing required argument \"[partitions]\""
        );
        assert_eq!(
            first_line(
                args(|a| {
                    a.list = true;
                    a.partitions = Some("3".into())
                })
                .check(&mut notes)
            ),
            "Option \"[partitions]\" can't be used with option \"[list]\""
        );
        assert_eq!(
            first_line(
                args(|a| {
                    a.create = true;
                    a.topic = Some("t".into());
                    a.replica_assignment = Some("1".into());
                    a.partitions = Some("2".into())
                })
                .check(&mut notes)
            ),
            "Option \"[replica-assignment]\" can't be used with option \"[partitions]\""
        );
        assert_eq!(
            first_line(
                args(|a| {
                    a.describe = true;
                    a.under_replicated_partitions = true;
                    a.topics_with_overrides = true
                })
                .check(&mut notes)
            ),
            "Option \"[under-replicated-partitions]\" can't be used with option \"[topics-with-overrides]\""
        );
        assert_eq!(
            first_line(
                args(|a| {
                    a.describe = true;
                    a.if_exists = true
                })
                .check(&mut notes)
            ),
            "--topic or --topic-id is required to describe a topic"
        );
        assert_eq!(
            args(|a| {
                a.describe = true;
                a.exclude_internal = true
            })
            .check(&mut notes)
            .ok(),
            Some(Action::Describe)
        );
    }

    #[test]
    fn usage_errors_carry_the_options() {
        let e = usage("Missing required argument \"[topic]\"").to_string();
        assert!(e.contains("--bootstrap-server"), "{e}");
    }
}
