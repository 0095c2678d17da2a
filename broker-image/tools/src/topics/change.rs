//! `kaskade topics --create`, `--alter --partitions N` and `--delete`, as Kafka's
//! `TopicService` does them: the flags are read in Kafka's order (so the first bad one is the
//! one Kafka names), then one request for all the topics selected. Kafka prints nothing after
//! an alter or a delete; a create says `Created topic NAME.`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kaskade_client::{KafkaAdmin, NewTopic, PartitionIncrease, ResponseError};

use super::args::TopicsArgs;
use super::{parse_int, select, Failure};
use kaskade_common::java;

/// What `--create` and `--alter` read from the flags (Kafka's `CommandTopicPartition`).
struct TopicSpec {
    name: String,
    partitions: Option<i32>,
    replication_factor: Option<i32>,
    assignment: Vec<Vec<i32>>,
    configs: BTreeMap<String, String>,
}

impl TopicSpec {
    fn read(args: &TopicsArgs) -> Result<TopicSpec, Failure> {
        let partitions = args.partitions.as_deref().map(|p| parse_int(p, "partitions")).transpose()?;
        let replication_factor = args
            .replication_factor
            .as_deref()
            .map(|r| parse_int(r, "replication-factor"))
            .transpose()?;
        let assignment = match args.replica_assignment.as_deref() {
            Some(text) if !text.is_empty() => parse_replica_assignment(text)?,
            _ => Vec::new(),
        };
        Ok(TopicSpec {
            name: args.topic.clone().unwrap_or_default(),
            partitions,
            replication_factor,
            assignment,
            configs: parse_configs(&args.config)?,
        })
    }
}

/// `--replica-assignment 1:2,2:3`: one broker list per partition (Kafka's
/// `parseReplicaAssignment`, with its checks and messages).
fn parse_replica_assignment(text: &str) -> Result<Vec<Vec<i32>>, Failure> {
    let mut partitions: Vec<Vec<i32>> = Vec::new();
    for (i, part) in java::split(text, ',').into_iter().enumerate() {
        let brokers = java::split(part, ':')
            .into_iter()
            .map(|b| {
                let b = b.trim();
                b.parse::<i32>().map_err(|_| Failure::plain(format!("For input string: \"{b}\"")))
            })
            .collect::<Result<Vec<i32>, Failure>>()?;
        let mut duplicates: Vec<i32> = brokers
            .iter()
            .filter(|b| brokers.iter().filter(|o| o == b).count() > 1)
            .copied()
            .collect();
        duplicates.sort_unstable();
        duplicates.dedup();
        if !duplicates.is_empty() {
            let list: Vec<String> = duplicates.iter().map(i32::to_string).collect();
            return Err(Failure::plain(format!(
                "Partition replica lists may not contain duplicate entries: {}",
                list.join(",")
            )));
        }
        if partitions.first().is_some_and(|first| first.len() != brokers.len()) {
            let list: Vec<String> = brokers.iter().map(i32::to_string).collect();
            return Err(Failure::plain(format!(
                "Partition {i} has different replication factor: [{}]",
                list.join(", ")
            )));
        }
        partitions.push(brokers);
    }
    Ok(partitions)
}

/// `--config k=v` (repeatable): split at `=` with the spaces around it; anything but exactly a
/// key and a value is Kafka's "requirement failed" error.
fn parse_configs(pairs: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    let mut configs = BTreeMap::new();
    for pair in pairs {
        let mut pieces: Vec<&str> = pair.split('=').map(str::trim).collect();
        while pieces.len() > 1 && pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
        let [key, value] = pieces[..] else {
            return Err(Failure::plain(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            ));
        };
        configs.insert(key.to_string(), value.to_string());
    }
    Ok(configs)
}

pub async fn create(admin: &KafkaAdmin, args: &TopicsArgs, out: &mut String) -> Result<(), Failure> {
    let spec = TopicSpec::read(args)?;
    if spec.name.contains(['.', '_']) {
        out.push_str(
            "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\n",
        );
    }
    let replication_factor = match spec.replication_factor {
        Some(rf) => Some(
            i16::try_from(rf)
                .ok()
                .filter(|&rf| rf >= 1)
                .ok_or_else(|| Failure::plain("The replication factor must be between 1 and 32767 inclusive"))?,
        ),
        None => None,
    };
    if spec.partitions.is_some_and(|p| p < 1) {
        return Err(Failure::plain("The partitions must be greater than 0"));
    }
    let topic = NewTopic {
        name: spec.name.clone(),
        partitions: spec.partitions.unwrap_or(-1),
        replication_factor: replication_factor.unwrap_or(-1),
        assignments: spec.assignment,
        configs: spec.configs,
    };
    match admin.create_topic_with(&topic).await {
        Ok(()) => {
            let _ = writeln!(out, "Created topic {}.", spec.name);
            Ok(())
        }
        Err(e) if e.is(ResponseError::TopicAlreadyExists) && args.if_not_exists => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn alter(admin: &KafkaAdmin, args: &TopicsArgs) -> Result<(), Failure> {
    let spec = TopicSpec::read(args)?;
    let metadata = admin.metadata().await?;
    let topics = select::topics(&metadata, args.topic.as_deref(), args.exclude_internal)?;
    select::ensure_found(topics.len(), args.topic.as_deref(), args.if_exists)?;
    if topics.is_empty() {
        return Ok(());
    }
    let total = spec.partitions.unwrap_or_default();
    let increases: Vec<PartitionIncrease> = topics
        .iter()
        .map(|t| PartitionIncrease {
            name: t.name.clone(),
            total,
            // Only the partitions beyond the current count are placed.
            assignments: (!spec.assignment.is_empty()).then(|| spec.assignment.iter().skip(t.partitions.len()).cloned().collect()),
        })
        .collect();
    first_failure(admin.create_partitions_for(&increases).await?)
}

pub async fn delete(admin: &KafkaAdmin, args: &TopicsArgs) -> Result<(), Failure> {
    let metadata = admin.metadata().await?;
    let topics = select::topics(&metadata, args.topic.as_deref(), args.exclude_internal)?;
    select::ensure_found(topics.len(), args.topic.as_deref(), args.if_exists)?;
    if topics.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    first_failure(admin.delete_topics(&names).await?)
}

fn first_failure(results: Vec<Result<(), kaskade_client::AdminError>>) -> Result<(), Failure> {
    results
        .into_iter()
        .collect::<Result<Vec<()>, _>>()
        .map(|_| ())
        .map_err(Failure::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_assignments_as_kafka_reads_them() {
        assert_eq!(
            parse_replica_assignment("1:2, 2:3 ,3:1").ok(),
            Some(vec![vec![1, 2], vec![2, 3], vec![3, 1]])
        );
        assert_eq!(parse_replica_assignment("1,2,").ok(), Some(vec![vec![1], vec![2]]));
        let err = |t: &str| parse_replica_assignment(t).err().map(|f| f.message).unwrap_or_default();
        assert_eq!(err("1:1"), "Partition replica lists may not contain duplicate entries: 1");
        assert_eq!(err("1,1:2"), "Partition 1 has different replication factor: [1, 2]");
        assert_eq!(err("1,x"), "For input string: \"x\"");
        assert_eq!(err("1,,2"), "For input string: \"\"");
    }

    #[test]
    fn configs_must_be_key_equals_value() {
        let pairs = |p: &[&str]| parse_configs(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let ok = pairs(&["retention.ms = 1000", "cleanup.policy=compact"]).ok().unwrap_or_default();
        assert_eq!(ok.get("retention.ms").map(String::as_str), Some("1000"));
        assert_eq!(ok.get("cleanup.policy").map(String::as_str), Some("compact"));
        for bad in ["retention.ms", "retention.ms=", "a=b=c"] {
            assert!(pairs(&[bad]).is_err(), "{bad}");
        }
    }
}
