//! `--describe`: for each group (sorted by id), what the offsets view (the default: each
//! partition's committed offset, log-end offset and lag, and who owns it), `--members` or
//! `--state` shows, collected as Kafka's `collectGroups*` collect it; `views` prints them.

use std::collections::{BTreeMap, BTreeSet};

use kaskade_client::{CommittedOffset, OffsetSpec, TopicPartition};

use super::args::{ConsumerGroupsArgs, DescribeView};
use super::errors::{Failure, KafkaException};
use super::java::string_map_order;
use super::output::Out;
use super::service::{Described, Service};
use super::views::{print_members, print_offsets, print_state, OffsetRow, MISSING};

/// Who owns a partition, for its rows.
struct Owner<'a> {
    consumer_id: &'a str,
    host: &'a str,
    client_id: &'a str,
}

const NOBODY: Owner<'static> = Owner {
    consumer_id: MISSING,
    host: MISSING,
    client_id: MISSING,
};

pub async fn run(service: &Service, args: &ConsumerGroupsArgs, out: &mut Out) -> Result<(), Failure> {
    let ids = service.selected_groups(args).await?;
    let groups = describe_all(service, &ids).await?;
    let verbose = args.verbose();
    match args.describe_view() {
        DescribeView::Offsets => {
            let mut collected = Vec::with_capacity(groups.len());
            for d in groups.values() {
                collected.push((d, offset_rows(service, d).await?));
            }
            for (d, rows) in collected {
                print_offsets(out, &d.group.group_id, &d.group.state, &rows, verbose)?;
            }
        }
        DescribeView::Members => {
            for d in groups.values() {
                print_members(out, d, verbose)?;
            }
        }
        DescribeView::State => {
            for d in groups.values() {
                print_state(out, d, verbose)?;
            }
        }
    }
    Ok(())
}

/// Describes each distinct group, keeping each one's failure.
pub async fn describe_all_or_missing(service: &Service, ids: &[String]) -> BTreeMap<String, Result<Described, KafkaException>> {
    let mut answers = BTreeMap::new();
    for id in ids {
        if !answers.contains_key(id) {
            answers.insert(id.clone(), service.describe(id).await);
        }
    }
    answers
}

/// Describes each distinct group; when some fail, the failure Kafka would hit first (it reads
/// the answers out of a `HashMap`) fails the command.
async fn describe_all(service: &Service, ids: &[String]) -> Result<BTreeMap<String, Described>, Failure> {
    let answers = describe_all_or_missing(service, ids).await;
    for id in string_map_order(answers.keys().cloned().collect()) {
        if let Some(Err(e)) = answers.get(&id) {
            return Err(Failure::wrapped(e.clone()));
        }
    }
    Ok(answers.into_iter().filter_map(|(id, r)| r.ok().map(|d| (id, d))).collect())
}

/// The offsets view's rows for one group (`collectGroupsOffsets`): members' partitions (members
/// with the most partitions first), then committed partitions nobody owns.
async fn offset_rows(service: &Service, d: &Described) -> Result<Vec<OffsetRow>, Failure> {
    let committed = service.committed(&d.group.group_id).await?;
    let mut members: Vec<_> = d.group.members.iter().filter(|m| !m.assignment.is_empty()).collect();
    members.sort_by_key(|m| std::cmp::Reverse(m.assignment.len()));
    let mut rows = Vec::new();
    let mut assigned = BTreeSet::new();
    for m in members {
        let partitions: BTreeSet<TopicPartition> = m.assignment.iter().cloned().collect();
        assigned.extend(partitions.iter().cloned());
        let owner = Owner {
            consumer_id: &m.member_id,
            host: &m.client_host,
            client_id: &m.client_id,
        };
        rows.extend(partition_rows(service, &partitions, &committed, &owner).await?);
    }
    let unassigned: BTreeSet<TopicPartition> = committed.keys().filter(|tp| !assigned.contains(*tp)).cloned().collect();
    if !unassigned.is_empty() {
        rows.extend(partition_rows(service, &unassigned, &committed, &NOBODY).await?);
    }
    Ok(rows)
}

/// Rows for partitions owned alike (`describePartitions`): log-end offsets from the leaders
/// (`-` for partitions without one), lag where there is a committed offset, sorted by topic and
/// partition.
async fn partition_rows(
    service: &Service,
    partitions: &BTreeSet<TopicPartition>,
    committed: &BTreeMap<TopicPartition, CommittedOffset>,
    owner: &Owner<'_>,
) -> Result<Vec<OffsetRow>, Failure> {
    let topics: BTreeSet<String> = partitions.iter().map(|tp| tp.topic.clone()).collect();
    let described = service.topic_partitions(&topics).await.map_err(Failure::in_execution)?;
    let leaderless = |tp: &TopicPartition| described.get(&tp.topic).and_then(|t| t.get(&tp.partition)) == Some(&false);
    let with_leader: BTreeSet<TopicPartition> = partitions.iter().filter(|tp| !leaderless(tp)).cloned().collect();
    let log_ends = service
        .log_offsets(&with_leader, OffsetSpec::Latest)
        .await
        .map_err(Failure::in_execution)?;
    Ok(partitions
        .iter()
        .map(|tp| {
            let c = committed.get(tp).filter(|c| c.offset >= 0);
            let offset = c.map(|c| c.offset);
            let log_end = log_ends.get(tp).copied();
            OffsetRow {
                topic: tp.topic.clone(),
                partition: tp.partition,
                leader_epoch: c.and_then(|c| c.leader_epoch),
                offset,
                log_end,
                lag: offset.and_then(|o| log_end.map(|e| e - o)),
                consumer_id: owner.consumer_id.to_string(),
                host: owner.host.to_string(),
                client_id: owner.client_id.to_string(),
            }
        })
        .collect())
}
