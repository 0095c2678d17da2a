//! `kaskade topics --describe`: Kafka's layout, one line per topic (id, partition count,
//! replication factor, the configs not at their default) and one per partition (leader,
//! replicas, ISR, ELR), with the `--under-replicated-partitions`-style filters. Requests: the
//! Metadata the selection came from, DescribeTopicPartitions where the broker serves it (for the
//! ELR; by `--topic-id` Kafka asks Metadata, which has none: `N/A`), one DescribeConfigs for all
//! the topics. Topics come out in the order Kafka's tool prints them: a Java `HashMap`'s.

use std::collections::HashSet;
use std::fmt::Write as _;

use kaskade_client::{ConfigEntry, ConfigResourceType, ConfigSource, KafkaAdmin, PartitionMetadata, TopicMetadata};
use kaskade_common::kafka_uuid::{self, to_string as topic_id_string};

use super::args::TopicsArgs;
use super::{parse_int, select, Failure};
use kaskade_common::java;

/// Kafka's default `--partition-size-limit-per-response`.
const DEFAULT_PARTITION_LIMIT: i32 = 2000;

/// Which of a topic's lines to print (Kafka's `DescribeOptions`).
struct Filters<'a> {
    args: &'a TopicsArgs,
    live_brokers: HashSet<i32>,
}

impl Filters<'_> {
    /// No partition filter: print the topic lines and every partition.
    fn describe_configs(&self) -> bool {
        let a = self.args;
        !(a.unavailable_partitions || a.under_replicated_partitions || a.under_min_isr_partitions || a.at_min_isr_partitions)
    }

    fn has_leader(&self, p: &PartitionMetadata) -> bool {
        p.leader >= 0 && self.live_brokers.contains(&p.leader)
    }

    fn print_partition(&self, p: &PartitionMetadata, min_isr: i32) -> bool {
        let a = self.args;
        let isr = i32::try_from(p.isr.len()).unwrap_or(i32::MAX);
        let replicas = i32::try_from(p.replicas.len()).unwrap_or(i32::MAX);
        self.describe_configs()
            || (a.under_replicated_partitions && replicas - isr > 0)
            || (a.unavailable_partitions && !self.has_leader(p))
            || (a.under_min_isr_partitions && (!self.has_leader(p) || isr < min_isr))
            || (a.at_min_isr_partitions && isr == min_isr)
    }
}

pub async fn describe(admin: &KafkaAdmin, args: &TopicsArgs, out: &mut String) -> Result<(), Failure> {
    let topic_id = match args.topic_id.as_deref() {
        Some(text) => Some(kafka_uuid::from_string(text).map_err(Failure::plain)?).filter(|id| !id.is_nil()),
        None => None,
    };
    let metadata = admin.metadata().await?;
    let topics: Vec<TopicMetadata> = match topic_id {
        Some(id) => {
            // Kafka lists the topics (internal ones unless excluded) and describes the one with
            // this id through Metadata.
            let found: Vec<TopicMetadata> = metadata
                .topics
                .iter()
                .filter(|t| t.topic_id == id && !(args.exclude_internal && t.is_internal))
                .take(1)
                .cloned()
                .collect();
            if found.is_empty() && !args.if_exists {
                return Err(Failure::plain(format!(
                    "TopicId '{}' does not exist as expected",
                    topic_id_string(id)
                )));
            }
            found
        }
        None => {
            let selected = select::topics(&metadata, args.topic.as_deref(), args.exclude_internal)?;
            select::ensure_found(selected.len(), args.topic.as_deref(), args.if_exists)?;
            let names: Vec<String> = selected.iter().map(|t| t.name.clone()).collect();
            let limit = match args.partition_size_limit_per_response.as_deref() {
                Some(text) => parse_int(text, "partition-size-limit-per-response")?,
                None => DEFAULT_PARTITION_LIMIT,
            };
            let described = if names.is_empty() {
                Vec::new()
            } else {
                match admin.describe_topic_partitions(&names, limit).await? {
                    Some(described) => described,
                    None => selected.into_iter().cloned().collect(),
                }
            };
            in_kafkas_order(described, &names)?
        }
    };
    if topics.is_empty() {
        return Ok(());
    }
    let resources: Vec<(ConfigResourceType, String)> = topics.iter().map(|t| (ConfigResourceType::Topic, t.name.clone())).collect();
    let configs = admin.describe_configs(&resources, false).await?;
    let filters = Filters {
        args,
        live_brokers: metadata.brokers.iter().map(|b| b.node_id).collect(),
    };
    for (topic, config) in topics.iter().zip(configs) {
        print_topic(topic, &config?, &filters, out);
    }
    Ok(())
}

/// The described topics in the order Kafka's `describeTopics(...).allTopicNames()` map yields
/// them (a `HashMap` sized for them, filled in name order); a topic the broker answered with an
/// error fails the command, as it fails Kafka's.
fn in_kafkas_order(mut described: Vec<TopicMetadata>, names: &[String]) -> Result<Vec<TopicMetadata>, Failure> {
    if let Some(failed) = described.iter().find(|t| t.error_code != 0) {
        let name = kaskade_client::error_name(failed.error_code);
        return Err(Failure::from(kaskade_client::AdminError::Kafka {
            api: "DescribeTopicPartitions",
            code: failed.error_code,
            name,
            message: None,
        }));
    }
    let order = java::hash_map_order(names.iter().map(String::as_str), Some(names.len()));
    let mut sorted = Vec::with_capacity(described.len());
    for name in order {
        if let Some(i) = described.iter().position(|t| t.name == name) {
            sorted.push(described.swap_remove(i));
        }
    }
    Ok(sorted)
}

fn join(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn print_topic(topic: &TopicMetadata, configs: &[ConfigEntry], filters: &Filters<'_>, out: &mut String) {
    let mut partitions: Vec<&PartitionMetadata> = topic.partitions.iter().collect();
    partitions.sort_by_key(|p| p.partition);
    if filters.describe_configs() {
        let overridden = java::hash_map_order(configs.iter().map(|c| c.name.as_str()), None)
            .into_iter()
            .filter_map(|name| configs.iter().rev().find(|c| c.name == name))
            .filter(|c| c.source != ConfigSource::Default)
            .map(|c| format!("{}={}", c.name, c.value.as_deref().unwrap_or("null")))
            .collect::<Vec<_>>();
        if !filters.args.topics_with_overrides || !overridden.is_empty() {
            let _ = write!(out, "Topic: {}", topic.name);
            if !topic.topic_id.is_nil() {
                let _ = write!(out, "\tTopicId: {}", topic_id_string(topic.topic_id));
            }
            let replication_factor = partitions.first().map_or(0, |p| p.replicas.len());
            let _ = writeln!(
                out,
                "\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}",
                topic.partitions.len(),
                replication_factor,
                overridden.join(",")
            );
        }
    }
    if filters.args.topics_with_overrides {
        return;
    }
    let min_isr = configs
        .iter()
        .find(|c| c.name == "min.insync.replicas")
        .and_then(|c| c.value.as_deref()?.trim().parse::<i32>().ok())
        .unwrap_or(1);
    for p in partitions {
        if !filters.print_partition(p, min_isr) {
            continue;
        }
        let leader = if filters.has_leader(p) {
            p.leader.to_string()
        } else {
            "none".to_string()
        };
        let elr = p.elr.as_deref().map_or_else(|| "N/A".to_string(), join);
        let last_known_elr = p.last_known_elr.as_deref().map_or_else(|| "N/A".to_string(), join);
        let _ = writeln!(
            out,
            "\tTopic: {}\tPartition: {}\tLeader: {leader}\tReplicas: {}\tIsr: {}\tElr: {elr}\tLastKnownElr: {last_known_elr}",
            topic.name,
            p.partition,
            join(&p.replicas),
            join(&p.isr),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn partition(partition: i32, leader: i32, replicas: &[i32], isr: &[i32], elr: Option<Vec<i32>>) -> PartitionMetadata {
        PartitionMetadata {
            partition,
            error_code: 0,
            leader,
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            offline: Vec::new(),
            elr: elr.clone(),
            last_known_elr: elr,
        }
    }

    fn entry(name: &str, value: &str, source: ConfigSource) -> ConfigEntry {
        ConfigEntry {
            name: name.into(),
            value: Some(value.into()),
            source,
            sensitive: false,
            read_only: false,
            synonyms: Vec::new(),
        }
    }

    fn render(args: &TopicsArgs) -> String {
        let topic = TopicMetadata {
            name: "t".into(),
            topic_id: Uuid::from_u128(1),
            is_internal: false,
            error_code: 0,
            partitions: vec![
                partition(1, -1, &[1, 2], &[2], None),
                partition(0, 1, &[1, 2], &[1, 2], Some(Vec::new())),
            ],
        };
        let configs = vec![
            entry("retention.ms", "1000", ConfigSource::DynamicTopic),
            entry("min.insync.replicas", "2", ConfigSource::Default),
        ];
        let filters = Filters {
            args,
            live_brokers: [1, 2].into_iter().collect(),
        };
        let mut out = String::new();
        print_topic(&topic, &configs, &filters, &mut out);
        out
    }

    #[test]
    fn kafkas_layout() {
        let out = render(&TopicsArgs::default());
        assert_eq!(
            out,
            "Topic: t\tTopicId: AAAAAAAAAAAAAAAAAAAAAQ\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: retention.ms=1000\n\
             \tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\tElr: \tLastKnownElr: \n\
             \tTopic: t\tPartition: 1\tLeader: none\tReplicas: 1,2\tIsr: 2\tElr: N/A\tLastKnownElr: N/A\n"
        );
    }

    #[test]
    fn partition_filters() {
        let urp = TopicsArgs {
            under_replicated_partitions: true,
            ..Default::default()
        };
        assert_eq!(render(&urp).lines().count(), 1);
        assert!(render(&urp).contains("Partition: 1"));
        let at_min = TopicsArgs {
            at_min_isr_partitions: true,
            ..Default::default()
        };
        assert!(render(&at_min).contains("Partition: 0") && !render(&at_min).contains("Partition: 1"));
        let overrides = TopicsArgs {
            topics_with_overrides: true,
            ..Default::default()
        };
        assert_eq!(render(&overrides).lines().count(), 1);
    }
}
