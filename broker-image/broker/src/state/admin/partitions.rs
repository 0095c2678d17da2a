//! CreatePartitions: growing a topic, checked in the order and with the messages of Kafka's
//! controller. The new partitions' logs are opened at once; the count is persisted in metadata.

use kafka_protocol::error::ResponseError;

use crate::state::{check_replica_list, ApiError, Broker, MAX_PARTITIONS_PER_TOPIC};

impl Broker {
    /// Grows topic `name` to `count` partitions (or only checks that it could). `assignments`
    /// are the replicas of each new partition, when the client chose them.
    pub async fn create_partitions(
        &self,
        name: &str,
        count: i32,
        assignments: Option<&[Vec<i32>]>,
        validate_only: bool,
    ) -> Result<(), ApiError> {
        let _guard = self.admin_lock().await;
        let Some(topic) = self.metadata.topic(name) else {
            return Err(ApiError::new(ResponseError::UnknownTopicOrPartition, ""));
        };
        let current = topic.partitions;
        if count == current {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                format!("Topic already has {current} partition(s)."),
            ));
        }
        if count < current {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                format!("The topic {name} currently has {current} partition(s); {count} would not be an increase."),
            ));
        }
        if count > MAX_PARTITIONS_PER_TOPIC {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                format!("Kaskade serves at most {MAX_PARTITIONS_PER_TOPIC} partitions per topic."),
            ));
        }
        if let Some(assignments) = assignments {
            self.check_new_assignments(current, count, topic.replication_factor, assignments)?;
        }
        if validate_only {
            return Ok(());
        }
        let mut grown = (*topic).clone();
        grown.partitions = count;
        if let Some(assignments) = assignments {
            let states = assignments.iter().cloned().map(crate::metadata::PartitionState::new);
            grown.partition_states.extend(states);
        }
        self.metadata.update_topic(grown).await?;
        self.sync_replicas()?;
        tracing::info!(topic = %name, from = current, to = count, "added partitions");
        Ok(())
    }

    fn check_new_assignments(&self, current: i32, count: i32, rf: i16, assignments: &[Vec<i32>]) -> Result<(), ApiError> {
        let invalid = |m: String| ApiError::new(ResponseError::InvalidReplicaAssignment, m);
        let additional = count - current;
        if assignments.len() as i32 != additional {
            return Err(invalid(format!(
                "Attempted to add {additional} additional partition(s), but only {} assignment(s) were specified.",
                assignments.len()
            )));
        }
        let registered: Vec<i32> = self.metadata.brokers().iter().map(|b| b.node_id).collect();
        for replicas in assignments {
            check_replica_list(replicas, &registered).map_err(invalid)?;
            if replicas.len() != rf as usize {
                return Err(invalid(format!(
                    "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {rf} replica(s).",
                    replicas.len()
                )));
            }
        }
        Ok(())
    }
}
