//! `--delete` (whole groups: DeleteGroups, refused by the coordinator while a group has members)
//! and `--delete-offsets` (one group's committed offsets for some topics: OffsetDelete, refused
//! for topics its members read), reporting success and failure as Kafka's tool does.

use std::collections::{BTreeMap, BTreeSet};

use kaskade_client::TopicPartition;

use super::args::{value_of, ConsumerGroupsArgs};
use super::errors::{Failure, KafkaException};
use super::java::{jlen, left, string_map_order};
use super::output::Out;
use super::reset::split_topic_args;
use super::service::Service;

pub async fn delete_groups(service: &Service, args: &ConsumerGroupsArgs, out: &mut Out) -> Result<(), Failure> {
    let ids = service.selected_groups(args).await?;
    let mut results: BTreeMap<String, Result<(), KafkaException>> = BTreeMap::new();
    for id in &ids {
        if results.contains_key(id) {
            continue;
        }
        let result = match service.coordinator(id).await {
            Ok((_, client)) => match client.delete_groups(std::slice::from_ref(id)).await {
                Ok(answers) => match answers.first() {
                    Some((_, 0)) => Ok(()),
                    Some((_, code)) => Err(KafkaException::from_code(*code, None)),
                    None => Err(KafkaException::plain(format!("the broker did not answer for group {id}"))),
                },
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        };
        results.insert(id.clone(), result);
    }
    out.print(&deletion_report(&results));
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(g, r)| r.as_ref().err().map(|e| format!("'{g}': {}", e.wrapped())))
        .collect();
    if !failures.is_empty() {
        out.fail(&format!("Error: Deletion of some consumer groups failed: {}", failures.join("; ")));
    }
    Ok(())
}

/// Kafka's report: one success line, or the failures (and then the successes), in the order of
/// Kafka's hash maps.
fn deletion_report(results: &BTreeMap<String, Result<(), KafkaException>>) -> String {
    let order = string_map_order(results.keys().cloned().collect());
    let quoted = |ok: bool| {
        order
            .iter()
            .filter(|g| results[*g].is_ok() == ok)
            .map(|g| format!("'{g}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if results.values().all(Result::is_ok) {
        return format!("Deletion of requested consumer groups ({}) was successful.\n", quoted(true));
    }
    let mut text = String::from("\nError: Deletion of some consumer groups failed:\n");
    for g in &order {
        if let Err(e) = &results[g] {
            text.push_str(&format!("* Group '{g}' could not be deleted due to: {}\n", e.wrapped()));
        }
    }
    if results.values().any(Result::is_ok) {
        text.push_str(&format!("\nThese consumer groups were deleted successfully: {}\n", quoted(true)));
    }
    text
}

pub async fn delete_offsets(service: &Service, args: &ConsumerGroupsArgs, out: &mut Out) -> Result<(), Failure> {
    let Some(group) = value_of(args.groups(), "group")?.cloned() else {
        return Err(Failure::Usage(
            "Option [delete-offsets] takes the following options: [group], [topic]".into(),
        ));
    };
    let mut rows: BTreeMap<TopicPartition, Option<String>> = BTreeMap::new();
    let (listed, bare) = split_topic_args(args.topics())?;
    let mut partitions: BTreeSet<TopicPartition> = listed.into_iter().collect();
    // Each bare topic is described on its own: one that does not exist is a row of its own.
    for topic in &bare {
        match service.topic_partitions(&BTreeSet::from([topic.clone()])).await {
            Ok(described) => {
                for p in described.get(topic).into_iter().flat_map(|t| t.keys()) {
                    partitions.insert(TopicPartition::new(topic.clone(), *p));
                }
            }
            Err(e) if !e.class.is_empty() => {
                rows.insert(TopicPartition::new(topic.clone(), -1), Some(e.wrapped()));
            }
            Err(e) => return Err(Failure::Runtime(e.message)),
        }
    }
    let (_, client) = service.coordinator(&group).await.map_err(Failure::bare)?;
    let list: Vec<TopicPartition> = partitions.iter().cloned().collect();
    let (top, answers) = client.delete_committed_offsets(&group, &list).await.map_err(Failure::bare)?;
    let first_partition_error = answers.iter().map(|(_, code)| *code).find(|code| *code != 0);
    let top_level = if top != 0 { top } else { first_partition_error.unwrap_or(0) };
    match kaskade_client::error_name(top_level).as_str() {
        "NONE" => out.println(&format!("Request succeeded for deleting offsets from group {group}.")),
        "INVALID_GROUP_ID" | "GROUP_ID_NOT_FOUND" | "GROUP_AUTHORIZATION_FAILED" | "NON_EMPTY_GROUP" => {
            out.error(&KafkaException::from_code(top_level, None).bare())
        }
        "GROUP_SUBSCRIBED_TO_TOPIC" | "TOPIC_AUTHORIZATION_FAILED" | "UNKNOWN_TOPIC_OR_PARTITION" => {
            out.error("Encountered some partition-level error, see the follow-up details.")
        }
        other => out.error(&format!("Encountered some unknown error: {other}")),
    }
    for tp in &partitions {
        let code = if top != 0 {
            top
        } else {
            answers.iter().find(|(t, _)| t == tp).map(|(_, c)| *c).unwrap_or(0)
        };
        rows.insert(tp.clone(), (code != 0).then(|| KafkaException::from_code(code, None).wrapped()));
    }
    out.print(&offsets_deletion_table(&rows));
    if rows.values().any(Option::is_some) {
        out.fail("Error: some offsets were not deleted.");
    }
    Ok(())
}

/// Kafka's table: TOPIC PARTITION STATUS, sorted by topic and partition as one string
/// (`orders10` before `orders2`), `-` for a topic that could not be described.
fn offsets_deletion_table(rows: &BTreeMap<TopicPartition, Option<String>>) -> String {
    let width = rows.keys().map(|tp| jlen(&tp.topic)).fold(15, usize::max);
    let line =
        |topic: &str, partition: &str, status: &str| format!("\n{} {} {}", left(topic, width), left(partition, 10), left(status, 15));
    let mut sorted: Vec<(&TopicPartition, &Option<String>)> = rows.iter().collect();
    sorted.sort_by_key(|(tp, _)| format!("{}{}", tp.topic, tp.partition));
    let mut text = line("TOPIC", "PARTITION", "STATUS");
    for (tp, error) in sorted {
        let partition = if tp.partition >= 0 {
            tp.partition.to_string()
        } else {
            "-".to_string()
        };
        let status = match error {
            Some(e) => format!("Error: {e}"),
            None => "Successful".to_string(),
        };
        text.push_str(&line(&tp.topic, &partition, &status));
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte for byte what Kafka 4.4 printed.
    #[test]
    fn deletion_reports_are_kafkas() {
        let mut results = BTreeMap::new();
        results.insert("billing".to_string(), Ok(()));
        assert_eq!(
            deletion_report(&results),
            "Deletion of requested consumer groups ('billing') was successful.\n"
        );
        results.insert("live".to_string(), Ok(()));
        results.insert("nosuch".to_string(), Err(KafkaException::from_code(69, None)));
        results.remove("billing");
        assert_eq!(
            deletion_report(&results),
            "\nError: Deletion of some consumer groups failed:\n\
             * Group 'nosuch' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n\
             \nThese consumer groups were deleted successfully: 'live'\n"
        );
    }

    #[test]
    fn offset_deletion_tables_are_kafkas() {
        let mut rows = BTreeMap::new();
        rows.insert(TopicPartition::new("orders", 0), None);
        assert_eq!(
            offsets_deletion_table(&rows),
            "\nTOPIC           PARTITION  STATUS         \norders          0          Successful     \n"
        );
        let mut rows = BTreeMap::new();
        rows.insert(
            TopicPartition::new("nosuchtopic", -1),
            Some(KafkaException::from_code(3, None).wrapped()),
        );
        assert_eq!(
            offsets_deletion_table(&rows),
            "\nTOPIC           PARTITION  STATUS         \nnosuchtopic     -          Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n"
        );
        let mut rows = BTreeMap::new();
        for p in [2, 10] {
            rows.insert(TopicPartition::new("t", p), None);
        }
        let text = offsets_deletion_table(&rows);
        assert!(text.find("\nt               10").unwrap() < text.find("\nt               2 ").unwrap());
    }
}
