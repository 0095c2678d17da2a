//! `--reset-offsets`: plan new committed offsets for inactive groups (Kafka's
//! `GroupOffsetsResetter`: to an offset, the earliest or latest, shifted, by time, from a CSV
//! plan, or the current ones), clamp them into each partition's log range, commit them with
//! `--execute`, and print the plan as Kafka prints it (table or `--export` CSV, in the order of
//! Kafka's hash maps). Groups with members are refused, as Kafka refuses them.

use std::collections::{BTreeMap, BTreeSet};

use kaskade_client::{CommittedOffset, OffsetSpec, ResponseError, TopicPartition};

use super::args::{ConsumerGroupsArgs, ResetSpec};
use super::describe::describe_all_or_missing;
use super::errors::{Failure, KafkaException};
use super::java::{partition_map_order, string_map_order};
use super::output::Out;
use super::plan::{export_csv, plan_table, read_plan, Plan};
use super::service::Service;
use super::states::state_name;
use super::time::{log_timestamp, now_nanos, parse_datetime, parse_duration};
use kaskade_common::java;

pub async fn run(service: &Service, args: &ConsumerGroupsArgs, out: &mut Out) -> Result<(), Failure> {
    // Kafka converts the scenario flags when it builds its resetter, before any request.
    let spec = args.reset_spec()?;
    let ids = service.selected_groups(args).await?;
    let described = describe_all_or_missing(service, &ids).await;
    let mut plans: Vec<(String, Plan)> = Vec::new();
    for group in string_map_order(described.keys().cloned().collect()) {
        let inactive = match &described[&group] {
            Ok(d) => {
                let state = state_name(&d.group.state);
                if state == "Empty" || state == "Dead" {
                    true
                } else {
                    out.error(&format!(
                        "Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}."
                    ));
                    false
                }
            }
            Err(e) if e.is(ResponseError::GroupIdNotFound.code()) => true,
            Err(e) => return Err(Failure::in_execution(e.clone())),
        };
        let plan = if inactive {
            reset_inactive(service, args, spec.as_ref(), &group, out).await?
        } else {
            Vec::new()
        };
        plans.push((group, plan));
    }
    if args.export() {
        out.println(&export_csv(&plans, args.groups().len() == 1));
    } else {
        out.print(&plan_table(&plans));
    }
    Ok(())
}

/// Plans (and with `--execute` commits) one inactive group's new offsets.
async fn reset_inactive(
    service: &Service,
    args: &ConsumerGroupsArgs,
    spec: Option<&ResetSpec>,
    group: &str,
    out: &mut Out,
) -> Result<Plan, Failure> {
    let partitions = partitions_to_reset(service, args, group).await?;
    check_partitions(service, &partitions).await?;
    let Some(spec) = spec else {
        return Err(Failure::Usage(
            "Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]]".into(),
        ));
    };
    let plan = match spec {
        ResetSpec::ToOffset(n) => {
            let n = *n;
            clamp(service, partitions.iter().map(|tp| (tp.clone(), n)).collect(), out).await?
        }
        ResetSpec::ToEarliest => log_offsets_or_fail(service, &partitions, OffsetSpec::Earliest, "starting").await?,
        ResetSpec::ToLatest => log_offsets_or_fail(service, &partitions, OffsetSpec::Latest, "ending").await?,
        ResetSpec::ShiftBy(n) => {
            let committed = service.committed(group).await.map_err(Failure::in_execution)?;
            let mut requested = Vec::new();
            for tp in &partitions {
                let Some(current) = committed.get(tp) else {
                    return Err(Failure::Usage(format!(
                        "Cannot shift offset for partition {tp} since there is no current committed offset"
                    )));
                };
                requested.push((tp.clone(), current.offset.saturating_add(*n)));
            }
            clamp(service, requested, out).await?
        }
        ResetSpec::ToDatetime(text) => {
            let ts = parse_datetime(text).map_err(Failure::Runtime)?;
            by_timestamp(service, &partitions, ts, out).await?
        }
        ResetSpec::ByDuration(text) => {
            let duration = parse_duration(text).map_err(Failure::Runtime)?;
            let ts = (now_nanos() - duration).div_euclid(1_000_000);
            by_timestamp(service, &partitions, i64::try_from(ts).unwrap_or(i64::MIN), out).await?
        }
        ResetSpec::FromFile(path) => match read_plan(path, args.groups())?.remove(group) {
            Some(requested) => clamp(service, requested, out).await?,
            None => {
                out.error(&format!("No reset plan for group {group} found."));
                Vec::new()
            }
        },
        ResetSpec::ToCurrent => {
            let committed: BTreeMap<TopicPartition, CommittedOffset> = service.committed(group).await.map_err(Failure::in_execution)?;
            let (with, without): (Vec<_>, Vec<_>) = partitions.iter().cloned().partition(|tp| committed.contains_key(tp));
            let mut plan: Vec<(TopicPartition, i64)> = with
                .into_iter()
                .map(|tp| {
                    let o = committed[&tp].offset;
                    (tp, o)
                })
                .collect();
            let ends = service
                .log_offsets(&without.iter().cloned().collect(), OffsetSpec::Latest)
                .await
                .map_err(Failure::in_execution)?;
            for tp in without {
                let end = ends
                    .get(&tp)
                    .ok_or_else(|| Failure::Runtime(format!("Error getting ending offset of topic partition: {tp}")))?;
                plan.push((tp, *end));
            }
            partition_map_order(plan)
        }
    };
    if !args.dry_run() {
        commit(service, group, &plan).await?;
    }
    Ok(plan)
}

/// The partitions the scope names (`getPartitionsToReset`): every committed one with
/// `--all-topics`; with `--topic`, `t:0,1` as given and every partition of a bare `t`.
async fn partitions_to_reset(service: &Service, args: &ConsumerGroupsArgs, group: &str) -> Result<Vec<TopicPartition>, Failure> {
    if args.all_topics() {
        return Ok(service.committed(group).await.map_err(Failure::in_execution)?.into_keys().collect());
    }
    if args.topics().is_empty() {
        if args.has_from_file() {
            return Ok(Vec::new());
        }
        return Err(Failure::Usage(
            "One of the reset scopes should be defined: --all-topics, --topic.".into(),
        ));
    }
    let (mut out, bare) = split_topic_args(args.topics())?;
    // The described topics come out of a HashMap keyed by name.
    let described = service.topic_partitions(&bare).await.map_err(Failure::bare)?;
    for topic in string_map_order(described.keys().cloned().collect()) {
        out.extend(described[&topic].keys().map(|p| TopicPartition::new(topic.clone(), *p)));
    }
    let mut seen = BTreeSet::new();
    out.retain(|tp| seen.insert(tp.clone()));
    Ok(out)
}

/// `--topic` values: `t:0,1` as partitions (in order), bare `t` as topic names.
pub fn split_topic_args(args: &[String]) -> Result<(Vec<TopicPartition>, BTreeSet<String>), Failure> {
    let mut partitions = Vec::new();
    let mut bare = BTreeSet::new();
    for arg in args {
        if arg.contains(':') {
            partitions.extend(parse_topic_partitions(arg)?);
        } else {
            bare.insert(arg.clone());
        }
    }
    Ok((partitions, bare))
}

/// `topic:0,1,2` (`parseTopicsWithPartitions`), with Kafka's usage errors.
pub fn parse_topic_partitions(arg: &str) -> Result<Vec<TopicPartition>, Failure> {
    let parts = java::split(arg, ':');
    let [topic, partitions] = parts.as_slice() else {
        return Err(Failure::Usage(format!(
            "Invalid topic arg '{arg}', expected topic name and partitions"
        )));
    };
    partitions
        .split(',')
        .map(|p| {
            p.parse::<i32>()
                .map(|p| TopicPartition::new(*topic, p))
                .map_err(|_| Failure::Usage(format!("Invalid partition '{p}' specified in topic arg '{arg}''")))
        })
        .collect()
}

/// `checkAllTopicPartitionsValid`: every partition exists and has a leader.
async fn check_partitions(service: &Service, partitions: &[TopicPartition]) -> Result<(), Failure> {
    let topics: BTreeSet<String> = partitions.iter().map(|tp| tp.topic.clone()).collect();
    let described = service.topic_partitions(&topics).await.map_err(Failure::in_execution)?;
    let has = |tp: &TopicPartition| described.get(&tp.topic).and_then(|t| t.get(&tp.partition)).copied();
    let missing: Vec<String> = partitions.iter().filter(|tp| has(tp).is_none()).map(ToString::to_string).collect();
    if !missing.is_empty() {
        return Err(Failure::Runtime(format!("The partitions \"{}\" do not exist", missing.join(","))));
    }
    let leaderless: Vec<String> = partitions
        .iter()
        .filter(|tp| has(tp) == Some(false))
        .map(ToString::to_string)
        .collect();
    if !leaderless.is_empty() {
        return Err(Failure::Runtime(format!(
            "The partitions \"{}\" have no leader",
            leaderless.join(",")
        )));
    }
    Ok(())
}

/// Earliest or latest offsets as the plan (`resetToEarliest`/`resetToLatest`).
async fn log_offsets_or_fail(service: &Service, partitions: &[TopicPartition], spec: OffsetSpec, which: &str) -> Result<Plan, Failure> {
    let offsets = service
        .log_offsets(&partitions.iter().cloned().collect(), spec)
        .await
        .map_err(Failure::in_execution)?;
    let plan = partitions
        .iter()
        .map(|tp| match offsets.get(tp) {
            Some(o) => Ok((tp.clone(), *o)),
            None => Err(Failure::Usage(format!("Error getting {which} offset of topic partition: {tp}"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(partition_map_order(plan))
}

/// Offsets by timestamp (`getLogTimestampOffsets`): partitions with no record at or after it
/// fall back to their log-end offset, with Kafka's warning.
async fn by_timestamp(service: &Service, partitions: &[TopicPartition], ts: i64, out: &mut Out) -> Result<Plan, Failure> {
    let set: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
    let found = service
        .log_offsets(&set, OffsetSpec::Timestamp(ts))
        .await
        .map_err(Failure::in_execution)?;
    let empty: Vec<(TopicPartition, ())> = found.iter().filter(|(_, o)| **o == -1).map(|(tp, _)| (tp.clone(), ())).collect();
    for (tp, ()) in partition_map_order(empty.clone()) {
        out.println(&format!(
            "\nWarn: Partition {} from topic {} is empty. Falling back to latest known offset.",
            tp.partition, tp.topic
        ));
    }
    let ends = service
        .log_offsets(&empty.into_iter().map(|(tp, ())| tp).collect(), OffsetSpec::Latest)
        .await
        .map_err(Failure::in_execution)?;
    let plan = partitions
        .iter()
        .map(|tp| {
            let o = match found.get(tp) {
                Some(-1) | None => ends.get(tp).copied(),
                Some(o) => Some(*o),
            };
            o.map(|o| (tp.clone(), o))
                .ok_or_else(|| Failure::Usage(format!("Error getting offset by timestamp of topic partition: {tp}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(partition_map_order(plan))
}

/// `checkOffsetsRange`: requested offsets clamped into `[log start, log end]`, with Kafka's
/// WARN log line for each one moved.
async fn clamp(service: &Service, requested: Vec<(TopicPartition, i64)>, out: &mut Out) -> Result<Plan, Failure> {
    let set: BTreeSet<TopicPartition> = requested.iter().map(|(tp, _)| tp.clone()).collect();
    let starts = service
        .log_offsets(&set, OffsetSpec::Earliest)
        .await
        .map_err(Failure::in_execution)?;
    let ends = service.log_offsets(&set, OffsetSpec::Latest).await.map_err(Failure::in_execution)?;
    let mut plan = Vec::with_capacity(requested.len());
    for (tp, offset) in partition_map_order(requested) {
        let warn = |out: &mut Out, what: &str, to: i64| {
            out.eprintln(&format!(
                "{} WARN New offset ({offset}) is {what} offset for topic partition {tp}. Value will be set to {to}. (org.apache.kafka.tools.GroupOffsetsResetter)",
                log_timestamp()
            ))
        };
        let new = match (ends.get(&tp), starts.get(&tp)) {
            (Some(&end), _) if offset > end => {
                warn(out, "higher than latest", end);
                end
            }
            (_, Some(&start)) if offset < start => {
                warn(out, "lower than earliest", start);
                start
            }
            (None, _) => {
                return Err(Failure::Runtime(format!(
                    "Unexpected non-existing offset value for topic partition {tp}"
                )))
            }
            _ => offset,
        };
        plan.push((tp, new));
    }
    Ok(plan)
}

/// Commits the plan (`alterConsumerGroupOffsets`); the first partition the coordinator refuses
/// fails the command with its exception's message.
async fn commit(service: &Service, group: &str, plan: &Plan) -> Result<(), Failure> {
    if plan.is_empty() {
        return Ok(());
    }
    let offsets: BTreeMap<TopicPartition, i64> = plan.iter().cloned().collect();
    let (_, client) = service.coordinator(group).await.map_err(Failure::bare)?;
    let results = client.commit_offsets(group, &offsets).await.map_err(Failure::bare)?;
    if let Some((_, code)) = results.iter().find(|(_, code)| *code != 0) {
        return Err(Failure::bare(KafkaException::from_code(*code, None)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_arguments_parse_as_kafka_parses_them() {
        assert_eq!(
            parse_topic_partitions("orders:0,2"),
            Ok(vec![TopicPartition::new("orders", 0), TopicPartition::new("orders", 2)])
        );
        assert_eq!(
            parse_topic_partitions("orders:x"),
            Err(Failure::Usage("Invalid partition 'x' specified in topic arg 'orders:x''".into()))
        );
        assert_eq!(
            parse_topic_partitions("orders:"),
            Err(Failure::Usage(
                "Invalid topic arg 'orders:', expected topic name and partitions".into()
            ))
        );
        assert_eq!(
            parse_topic_partitions("a:1:2"),
            Err(Failure::Usage(
                "Invalid topic arg 'a:1:2', expected topic name and partitions".into()
            ))
        );
    }
}
