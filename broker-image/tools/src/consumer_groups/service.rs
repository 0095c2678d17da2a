//! The admin calls the command makes, each the way Kafka's admin client makes it: ListGroups to
//! every broker, group requests to the group's coordinator (found with FindCoordinator and
//! retried while it loads), ConsumerGroupDescribe before DescribeGroups, ListOffsets to each
//! partition's leader. Errors come back as the exceptions Kafka's tool would report.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kaskade_client::{
    AdminError, BrokerNode, CommittedOffset, GroupDescription, GroupProtocol, KafkaAdmin, ListedGroup, OffsetSpec, ResponseError,
    TopicPartition,
};

use super::args::ConsumerGroupsArgs;
use super::errors::{Failure, KafkaException};
use super::java::string_map_order;

/// The protocol types `ListGroupsOptions.forConsumerGroups()` keeps: consumer groups, and
/// classic groups that only commit offsets.
const CONSUMER_PROTOCOL_TYPES: [&str; 2] = ["", "consumer"];

/// A described group and the coordinator that described it.
#[derive(Debug, Clone)]
pub struct Described {
    pub coordinator: BrokerNode,
    pub group: GroupDescription,
}

/// A topic's partitions and whether each has a leader, as `describeTopics` sees them.
pub type TopicPartitions = BTreeMap<i32, bool>;

pub struct Service {
    bootstrap: KafkaAdmin,
    /// Clients for other brokers (coordinators, leaders), by address.
    brokers: Mutex<HashMap<String, KafkaAdmin>>,
}

fn is_retriable_group_error(code: i16) -> bool {
    code == ResponseError::CoordinatorLoadInProgress.code()
        || code == ResponseError::CoordinatorNotAvailable.code()
        || code == ResponseError::NotCoordinator.code()
}

impl Service {
    pub fn new(bootstrap: KafkaAdmin) -> Service {
        Service {
            bootstrap,
            brokers: Mutex::new(HashMap::new()),
        }
    }

    /// A client for `node`, kept for the command's next requests to it.
    fn at(&self, node: &BrokerNode) -> KafkaAdmin {
        let address = node.address();
        let mut brokers = self.brokers.lock().unwrap_or_else(|p| p.into_inner());
        brokers
            .entry(address.clone())
            .or_insert_with(|| self.bootstrap.at(&address))
            .clone()
    }

    /// Runs `attempt` until it succeeds, fails with a non-retriable error, or the timeout
    /// passes (then its last error): Kafka's admin client retries a coordinator that is loading
    /// or has moved until the call's deadline.
    async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, AdminError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, AdminError>>,
    {
        let deadline = Instant::now() + self.bootstrap.timeout();
        loop {
            match attempt().await {
                Err(e) if e.kafka_code().is_some_and(is_retriable_group_error) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return other,
            }
        }
    }

    /// The coordinator of `group`, and a client for it.
    pub async fn coordinator(&self, group: &str) -> Result<(BrokerNode, KafkaAdmin), AdminError> {
        let node = self.retrying(|| self.bootstrap.find_coordinator(group)).await?;
        let client = self.at(&node);
        Ok((node, client))
    }

    /// The brokers of the cluster.
    async fn brokers(&self) -> Result<Vec<BrokerNode>, AdminError> {
        Ok(self.bootstrap.partition_leaders(&[]).await?.brokers.into_values().collect())
    }

    /// Consumer groups on every broker (ListGroups with these state and type filters), kept
    /// when their protocol type is a consumer's, in the order Kafka's admin client returns them
    /// (out of a `HashMap` keyed by group id).
    pub async fn list_groups(&self, states: &[String], types: &[String]) -> Result<Vec<ListedGroup>, KafkaException> {
        let mut listed: BTreeMap<String, ListedGroup> = BTreeMap::new();
        let mut arrival = Vec::new();
        for node in self.brokers().await? {
            let client = self.at(&node);
            let groups = self.retrying(|| client.list_groups(states, types)).await?;
            for g in groups
                .into_iter()
                .filter(|g| CONSUMER_PROTOCOL_TYPES.contains(&g.protocol_type.as_str()))
            {
                if !listed.contains_key(&g.group_id) {
                    arrival.push(g.group_id.clone());
                }
                listed.insert(g.group_id.clone(), g);
            }
        }
        Ok(string_map_order(arrival).into_iter().filter_map(|id| listed.remove(&id)).collect())
    }

    /// The ids of every consumer group (`listConsumerGroups`: classic and consumer types).
    pub async fn consumer_group_ids(&self) -> Result<Vec<String>, KafkaException> {
        let types = ["Classic".to_string(), "Consumer".to_string()];
        Ok(self.list_groups(&[], &types).await?.into_iter().map(|g| g.group_id).collect())
    }

    /// The groups a command acts on: every consumer group with `--all-groups`, else the
    /// `--group` values.
    pub async fn selected_groups(&self, args: &ConsumerGroupsArgs) -> Result<Vec<String>, Failure> {
        if args.all_groups() {
            self.consumer_group_ids().await.map_err(Failure::in_execution)
        } else {
            Ok(args.groups().to_vec())
        }
    }

    /// Describes one group as `describeConsumerGroups` does: ConsumerGroupDescribe first (when
    /// the broker serves it), DescribeGroups for groups it does not know (classic ones). A group
    /// neither knows is `GroupIdNotFoundException`, with the first answer's message.
    pub async fn describe(&self, group: &str) -> Result<Described, KafkaException> {
        let ids = [group.to_string()];
        let mut not_found_message: Option<Option<String>> = None;
        let deadline = Instant::now() + self.bootstrap.timeout();
        loop {
            let (coordinator, client) = self.coordinator(group).await?;
            let mut answer = match not_found_message {
                Some(_) => None,
                None => client.consumer_group_describe(&ids).await?,
            };
            if answer.is_none() {
                answer = Some(client.describe_groups(&ids).await?);
            }
            let described = answer
                .unwrap_or_default()
                .into_iter()
                .find(|g| g.group_id == group)
                .ok_or_else(|| KafkaException::plain(format!("the broker did not describe group {group}")))?;
            let code = described.error_code;
            if code == 0 {
                if described.protocol == GroupProtocol::Classic && !CONSUMER_PROTOCOL_TYPES.contains(&described.protocol_type.as_str()) {
                    return Err(KafkaException {
                        class: "java.lang.IllegalArgumentException".into(),
                        message: format!("GroupId {group} is not a consumer group ({}).", described.protocol_type),
                    });
                }
                return Ok(Described {
                    coordinator,
                    group: described,
                });
            }
            if code == ResponseError::GroupIdNotFound.code() {
                match (&not_found_message, described.protocol) {
                    (None, GroupProtocol::Consumer) => {
                        not_found_message = Some(described.error_message);
                        continue;
                    }
                    (first, _) => {
                        let message = first.clone().flatten().or(described.error_message);
                        return Err(KafkaException::from_code(code, message.as_deref()));
                    }
                }
            }
            if is_retriable_group_error(code) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            return Err(KafkaException::from_code(code, described.error_message.as_deref()));
        }
    }

    /// The group's committed offsets (`listConsumerGroupOffsets`).
    pub async fn committed(&self, group: &str) -> Result<BTreeMap<TopicPartition, CommittedOffset>, AdminError> {
        // The coordinator is looked up again on each attempt: it may have moved.
        self.retrying(|| async {
            let (_, client) = self.coordinator(group).await?;
            client.committed_offsets(group).await
        })
        .await
    }

    /// The partitions of `topics` and whether each has a leader (`describeTopics`); the first
    /// topic that does not exist is an error, as `allTopicNames()` fails.
    pub async fn topic_partitions(&self, topics: &BTreeSet<String>) -> Result<BTreeMap<String, TopicPartitions>, KafkaException> {
        if topics.is_empty() {
            return Ok(BTreeMap::new());
        }
        let meta = self
            .bootstrap
            .partition_leaders(&topics.iter().cloned().collect::<Vec<_>>())
            .await?;
        let mut out = BTreeMap::new();
        for topic in topics {
            match meta.topics.get(topic) {
                Some(t) if t.error_code == 0 => {
                    out.insert(topic.clone(), t.partitions.iter().map(|(p, l)| (*p, l.is_some())).collect());
                }
                Some(t) => return Err(KafkaException::from_code(t.error_code, None)),
                None => return Err(KafkaException::from_code(ResponseError::UnknownTopicOrPartition.code(), None)),
            }
        }
        Ok(out)
    }

    /// Offsets by `spec` (`listOffsets`); any partition's error fails the whole call, as
    /// `all().get()` does.
    pub async fn log_offsets(
        &self,
        partitions: &BTreeSet<TopicPartition>,
        spec: OffsetSpec,
    ) -> Result<BTreeMap<TopicPartition, i64>, KafkaException> {
        let answers = self.bootstrap.list_offsets(partitions, spec).await?;
        answers
            .into_iter()
            .map(|(tp, r)| r.map(|o| (tp, o)).map_err(|code| KafkaException::from_code(code, None)))
            .collect()
    }
}
