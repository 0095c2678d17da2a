//! The group coordinator: every group on this broker behind one lock, held only for the
//! synchronous state change. JoinGroup and SyncGroup park on a oneshot until the rebalance gets
//! far enough; one timer task wakes at the earliest deadline of any group (session expiry,
//! end of the join phase, sync timeout) and every `offsets.retention.check.interval.ms` to
//! expire old offsets. Every change is appended to `__consumer_offsets` under the lock, so the
//! log holds changes in the order they happened.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kafka_protocol::error::ResponseError;
use tokio::sync::{watch, Notify};

use super::config::GroupConfig;
use super::member::{JoinOutcome, SyncOutcome};
use super::records::{self, OffsetValue, RecordKey};
use super::state_machine::{Group, GroupState, JoinParams};
use super::store::{Appended, OffsetsStore, Write};
use crate::util;

/// A member as DescribeGroups shows it.
#[derive(Debug, Clone)]
pub struct MemberSummary {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub metadata: Bytes,
    pub assignment: Bytes,
}

/// A group as DescribeGroups shows it.
#[derive(Debug, Clone)]
pub struct GroupSummary {
    pub state: GroupState,
    pub protocol_type: String,
    pub protocol: String,
    pub members: Vec<MemberSummary>,
}

/// A group as ListGroups shows it.
#[derive(Debug, Clone)]
pub struct GroupListing {
    pub group_id: String,
    pub protocol_type: String,
    pub state: GroupState,
}

/// One partition's answer to OffsetFetch.
#[derive(Debug, Clone)]
pub struct FetchedOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: Option<OffsetValue>,
}

pub struct GroupCoordinator {
    cfg: GroupConfig,
    groups: Mutex<HashMap<String, Group>>,
    /// The `__consumer_offsets` partitions whose groups are loaded here, with the leader epoch
    /// they were loaded at (a new epoch of this broker's leadership loads them again).
    loaded: Mutex<HashMap<i32, i32>>,
    store: OffsetsStore,
    wake: Notify,
}

fn code(e: ResponseError) -> i16 {
    e.code()
}

/// Kafka's mapping of a failed `__consumer_offsets` write to what group clients see.
fn store_error_code(e: &super::store::StoreError) -> i16 {
    use super::store::StoreError;
    match e {
        StoreError::NotLeader(_) | StoreError::NoPartition(_) => code(ResponseError::NotCoordinator),
        StoreError::NotReplicated(_) => code(ResponseError::CoordinatorNotAvailable),
        _ => code(ResponseError::UnknownServerError),
    }
}

impl GroupCoordinator {
    pub fn new(cfg: GroupConfig, store: OffsetsStore) -> Self {
        GroupCoordinator {
            cfg,
            groups: Mutex::new(HashMap::new()),
            loaded: Mutex::new(HashMap::new()),
            store,
            wake: Notify::new(),
        }
    }

    pub fn config(&self) -> &GroupConfig {
        &self.cfg
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Group>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `__consumer_offsets` partition that holds a group.
    pub fn partition_for(&self, group_id: &str) -> i32 {
        self.store.partition_for(group_id)
    }

    /// Makes sure `__consumer_offsets` exists (FindCoordinator and every group request).
    pub async fn ensure_ready(&self) -> Result<(), i16> {
        self.store.ensure_topic().await.map_err(|e| {
            tracing::error!(error = %e, "group coordinator is not available");
            code(ResponseError::CoordinatorNotAvailable)
        })
    }

    /// Loads the groups of every `__consumer_offsets` partition this broker leads (start-up);
    /// returns how many groups there are.
    pub fn load(&self) -> usize {
        for p in 0..self.store.partitions() {
            if let Some(epoch) = self.store.leader_epoch(p) {
                self.load_partition(p, epoch);
            }
        }
        self.lock().len()
    }

    /// Whether this broker coordinates `group_id` now: it leads the group's partition of
    /// `__consumer_offsets`, whose groups are loaded from the log when its leadership begins.
    /// Else Kafka's `NOT_COORDINATOR`, so the client looks the coordinator up again.
    pub fn owns(&self, group_id: &str) -> Result<(), i16> {
        let p = self.partition_for(group_id);
        let Some(epoch) = self.store.leader_epoch(p) else {
            return Err(code(ResponseError::NotCoordinator));
        };
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner()).get(&p).copied();
        if loaded != Some(epoch) {
            self.load_partition(p, epoch);
        }
        Ok(())
    }

    /// Makes sure `__consumer_offsets` exists and this broker coordinates `group_id`.
    pub async fn ready_for(&self, group_id: &str) -> Result<(), i16> {
        self.ensure_ready().await?;
        self.owns(group_id)
    }

    /// Replaces the groups of partition `p` with what its log holds (leadership at `epoch`).
    fn load_partition(&self, p: i32, epoch: i32) {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.get(&p) == Some(&epoch) {
            return;
        }
        let now = Instant::now();
        let now_ms = util::now_ms();
        let records = self.store.load_partition(p);
        let mut groups = self.lock();
        groups.retain(|id, _| self.store.partition_for(id) != p);
        let mut here: HashMap<String, Group> = HashMap::new();
        for (key, value) in records {
            match key {
                RecordKey::Offset { group, topic, partition } => match value.map(records::decode_offset) {
                    Some(Ok(v)) => {
                        here.entry(group.clone())
                            .or_insert_with(|| Group::new(&group, now_ms))
                            .offsets
                            .insert((topic, partition), v);
                    }
                    Some(Err(e)) => tracing::warn!(%group, error = %e, "skipping an unreadable offset record"),
                    None => {
                        if let Some(g) = here.get_mut(&group) {
                            g.offsets.remove(&(topic, partition));
                        }
                    }
                },
                RecordKey::Group { group } => match value.map(records::decode_group) {
                    Some(Ok(v)) => here
                        .entry(group.clone())
                        .or_insert_with(|| Group::new(&group, now_ms))
                        .restore(v, now),
                    Some(Err(e)) => tracing::warn!(%group, error = %e, "skipping an unreadable group record"),
                    None => {
                        here.remove(&group);
                    }
                },
            }
        }
        here.retain(|_, g| !(g.members.is_empty() && g.offsets.is_empty() && g.generation == 0 && g.protocol_type.is_none()));
        let count = here.len();
        groups.extend(here);
        loaded.insert(p, epoch);
        drop(groups);
        drop(loaded);
        tracing::debug!(
            partition = p,
            epoch,
            groups = count,
            "loaded the groups of a {} partition",
            super::store::OFFSETS_TOPIC
        );
        self.wake.notify_one();
    }

    /// Forgets the groups of partitions this broker no longer leads (another broker
    /// coordinates them now).
    fn unload_lost(&self) {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let lost: Vec<i32> = loaded.keys().copied().filter(|p| self.store.leader_epoch(*p).is_none()).collect();
        if lost.is_empty() {
            return;
        }
        for p in &lost {
            loaded.remove(p);
        }
        self.lock().retain(|id, _| !lost.contains(&self.store.partition_for(id)));
        tracing::info!(partitions = ?lost, "no longer coordinating the groups of these partitions");
    }

    /// Writes a group's metadata record when its state machine asked for it (under the lock).
    fn persist_group(&self, g: &mut Group) -> Option<Appended> {
        if !g.dirty {
            return None;
        }
        g.dirty = false;
        let value = records::encode_group(&g.to_stored());
        self.append(&g.id, &[(RecordKey::Group { group: g.id.clone() }, Some(value))])
    }

    fn append(&self, group: &str, writes: &[Write]) -> Option<Appended> {
        match self.store.append(group, writes) {
            Ok(a) => Some(a),
            Err(e) => {
                tracing::error!(%group, error = %e, "could not write group state");
                None
            }
        }
    }

    pub async fn join(&self, group_id: &str, p: JoinParams) -> JoinOutcome {
        let member_id = p.member_id.clone();
        if let Err(e) = self.ready_for(group_id).await {
            return JoinOutcome::error(e, &member_id);
        }
        if p.session_timeout_ms < self.cfg.min_session_timeout_ms || p.session_timeout_ms > self.cfg.max_session_timeout_ms {
            return JoinOutcome::error(code(ResponseError::InvalidSessionTimeout), &member_id);
        }
        let reply = {
            let mut groups = self.lock();
            if !member_id.is_empty() && !groups.contains_key(group_id) {
                return JoinOutcome::error(code(ResponseError::UnknownMemberId), &member_id);
            }
            let now_ms = util::now_ms();
            let g = groups.entry(group_id.to_string()).or_insert_with(|| Group::new(group_id, now_ms));
            let reply = g.join(p, &self.cfg, Instant::now(), now_ms);
            self.persist_group(g);
            reply
        };
        self.wake.notify_one();
        reply
            .answer(|| JoinOutcome::error(code(ResponseError::UnknownMemberId), &member_id))
            .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn sync(
        &self,
        group_id: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        protocol_type: Option<&str>,
        protocol_name: Option<&str>,
        assignments: Vec<(String, Bytes)>,
    ) -> SyncOutcome {
        if let Err(e) = self.ready_for(group_id).await {
            return SyncOutcome::error(e);
        }
        let reply = {
            let mut groups = self.lock();
            let Some(g) = groups.get_mut(group_id) else {
                return SyncOutcome::error(code(ResponseError::UnknownMemberId));
            };
            let reply = g.sync(
                member_id,
                instance_id,
                generation,
                protocol_type,
                protocol_name,
                assignments,
                Instant::now(),
                util::now_ms(),
            );
            self.persist_group(g);
            reply
        };
        self.wake.notify_one();
        reply.answer(|| SyncOutcome::error(code(ResponseError::UnknownMemberId))).await
    }

    pub async fn heartbeat(&self, group_id: &str, member_id: &str, instance_id: Option<&str>, generation: i32) -> i16 {
        if let Err(e) = self.ready_for(group_id).await {
            return e;
        }
        let mut groups = self.lock();
        match groups.get_mut(group_id) {
            None => code(ResponseError::UnknownMemberId),
            Some(g) => g.heartbeat(member_id, instance_id, generation, Instant::now()),
        }
    }

    /// LeaveGroup: one error per member, or a group-level error.
    pub async fn leave(&self, group_id: &str, members: &[(String, Option<String>)]) -> Result<Vec<i16>, i16> {
        self.ready_for(group_id).await?;
        let errors = {
            let mut groups = self.lock();
            let Some(g) = groups.get_mut(group_id) else {
                return Ok(vec![code(ResponseError::UnknownMemberId); members.len()]);
            };
            let errors: Vec<i16> = members.iter().map(|(id, instance)| g.leave(id, instance.as_deref())).collect();
            if errors.contains(&0) {
                g.after_removal(&self.cfg, Instant::now(), util::now_ms());
            }
            self.persist_group(g);
            errors
        };
        self.wake.notify_one();
        Ok(errors)
    }

    /// Whether `__consumer_offsets` exists, so commits can be applied without waiting.
    pub fn is_ready(&self) -> bool {
        self.store.topic_exists()
    }

    /// OffsetCommit for offsets the caller already checked (known partitions, metadata size),
    /// creating `__consumer_offsets` first when needed.
    pub async fn commit(
        &self,
        group_id: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        version: i16,
        offsets: Vec<(String, i32, OffsetValue)>,
    ) -> Result<(), i16> {
        self.ready_for(group_id).await?;
        let appended = self.commit_now(group_id, member_id, instance_id, generation, version, offsets)?;
        self.wait_durable(appended).await
    }

    /// The synchronous part of a commit: checks the group (member, generation, state; a group
    /// that does not exist gets the error `version` calls for), applies the offsets and appends
    /// them to `__consumer_offsets`. Called in request order, so one client's commits apply in
    /// the order it sent them.
    pub fn commit_now(
        &self,
        group_id: &str,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        version: i16,
        offsets: Vec<(String, i32, OffsetValue)>,
    ) -> Result<Option<Appended>, i16> {
        self.owns(group_id)?;
        let mut groups = self.lock();
        if !groups.contains_key(group_id) {
            if generation >= 0 {
                return Err(if version >= 9 {
                    code(ResponseError::GroupIdNotFound)
                } else {
                    code(ResponseError::IllegalGeneration)
                });
            }
            groups.insert(group_id.to_string(), Group::new(group_id, util::now_ms()));
        }
        let Some(g) = groups.get_mut(group_id) else {
            return Err(code(ResponseError::CoordinatorNotAvailable));
        };
        g.validate_commit(member_id, instance_id, generation, Instant::now())?;
        if offsets.is_empty() {
            return Ok(None);
        }
        let writes: Vec<Write> = offsets
            .iter()
            .map(|(topic, partition, v)| (RecordKey::offset(group_id, topic, *partition), Some(records::encode_offset(v))))
            .collect();
        let appended = self.store.append(group_id, &writes).map_err(|e| {
            tracing::error!(group = %group_id, error = %e, "could not write offsets");
            store_error_code(&e)
        })?;
        for (topic, partition, v) in offsets {
            g.offsets.insert((topic, partition), v);
        }
        Ok(Some(appended))
    }

    /// Waits until committed offsets are on disk (when the broker waits for fsync on acks=all).
    pub async fn wait_durable(&self, appended: Option<Appended>) -> Result<(), i16> {
        let Some(appended) = appended else { return Ok(()) };
        self.store.wait_durable(appended).await.map_err(|e| {
            tracing::warn!(error = %e, "offsets not durable");
            store_error_code(&e)
        })
    }

    /// OffsetFetch: the committed offsets of the named partitions (None = every committed one).
    pub fn fetch(&self, group_id: &str, topics: Option<Vec<(String, Vec<i32>)>>) -> Vec<FetchedOffset> {
        let groups = self.lock();
        let g = groups.get(group_id);
        match topics {
            Some(topics) => topics
                .into_iter()
                .flat_map(|(topic, partitions)| partitions.into_iter().map(move |partition| (topic.clone(), partition)))
                .map(|(topic, partition)| {
                    let offset = g.and_then(|g| g.offsets.get(&(topic.clone(), partition)).cloned());
                    FetchedOffset { topic, partition, offset }
                })
                .collect(),
            None => g
                .map(|g| {
                    g.offsets
                        .iter()
                        .map(|((topic, partition), v)| FetchedOffset {
                            topic: topic.clone(),
                            partition: *partition,
                            offset: Some(v.clone()),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub fn describe(&self, group_id: &str) -> Option<GroupSummary> {
        let groups = self.lock();
        let g = groups.get(group_id)?;
        let stable = g.state == GroupState::Stable;
        let protocol = g.protocol.clone().unwrap_or_default();
        Some(GroupSummary {
            state: g.state,
            protocol_type: g.protocol_type.clone().unwrap_or_default(),
            protocol: if stable { protocol.clone() } else { String::new() },
            members: g
                .members
                .iter()
                .map(|m| MemberSummary {
                    member_id: m.id.clone(),
                    instance_id: m.instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    metadata: if stable { m.metadata_for(&protocol) } else { Bytes::new() },
                    // Kafka shows the last assignment in every state (metadata only when stable).
                    assignment: m.assignment.clone(),
                })
                .collect(),
        })
    }

    /// ListGroups: the groups this broker coordinates (clients ask every broker).
    pub fn list(&self) -> Vec<GroupListing> {
        let groups = self.lock();
        let mut out: Vec<GroupListing> = groups
            .values()
            .filter(|g| self.store.leader_epoch(self.store.partition_for(&g.id)).is_some())
            .map(|g| GroupListing {
                group_id: g.id.clone(),
                protocol_type: g.protocol_type.clone().unwrap_or_default(),
                state: g.state,
            })
            .collect();
        out.sort_by(|a, b| a.group_id.cmp(&b.group_id));
        out
    }

    /// DeleteGroups: only groups without members; their offsets go too.
    pub async fn delete_groups(&self, ids: &[String]) -> Vec<i16> {
        if let Err(e) = self.ensure_ready().await {
            return vec![e; ids.len()];
        }
        let mut results = Vec::with_capacity(ids.len());
        let mut pending = Vec::new();
        // Before the groups' lock: owning may load a partition's groups, which takes it.
        let owned: Vec<Result<(), i16>> = ids.iter().map(|id| self.owns(id)).collect();
        {
            let mut groups = self.lock();
            for (id, owned) in ids.iter().zip(owned) {
                if let Err(e) = owned {
                    results.push(e);
                    continue;
                }
                match groups.get(id) {
                    None => results.push(code(ResponseError::GroupIdNotFound)),
                    Some(g) if g.state != GroupState::Empty => results.push(code(ResponseError::NonEmptyGroup)),
                    Some(g) => {
                        let mut writes: Vec<Write> = g
                            .offsets
                            .keys()
                            .map(|(topic, partition)| (RecordKey::offset(id, topic, *partition), None))
                            .collect();
                        writes.push((RecordKey::Group { group: id.clone() }, None));
                        match self.store.append(id, &writes) {
                            Ok(a) => {
                                groups.remove(id);
                                pending.push(a);
                                results.push(0);
                            }
                            Err(e) => {
                                tracing::error!(group = %id, error = %e, "could not delete group");
                                results.push(code(ResponseError::UnknownServerError));
                            }
                        }
                    }
                }
            }
        }
        for a in pending {
            if let Err(e) = self.store.wait_durable(a).await {
                tracing::warn!(error = %e, "group deletion not durable");
            }
        }
        results
    }

    /// OffsetDelete. `subscribed(group protocol metadata…)` decides whether a member still
    /// consumes a topic: Kafka refuses to delete those offsets. Returns a group-level error or
    /// one error per (topic, partition).
    pub async fn delete_offsets(
        &self,
        group_id: &str,
        partitions: Vec<(String, i32)>,
        subscribed: impl Fn(&str, &Bytes) -> bool,
    ) -> Result<Vec<(String, i32, i16)>, i16> {
        self.ready_for(group_id).await?;
        let appended = {
            let mut groups = self.lock();
            let Some(g) = groups.get_mut(group_id) else {
                return Err(code(ResponseError::GroupIdNotFound));
            };
            let consumer = g.protocol_type.as_deref() == Some("consumer");
            if !g.members.is_empty() && !consumer {
                return Err(code(ResponseError::NonEmptyGroup));
            }
            let protocol = g.protocol.clone().unwrap_or_default();
            let mut results = Vec::with_capacity(partitions.len());
            let mut writes: Vec<Write> = Vec::new();
            for (topic, partition) in partitions {
                let in_use = g.members.iter().any(|m| subscribed(&topic, &m.metadata_for(&protocol)));
                if in_use {
                    results.push((topic, partition, code(ResponseError::GroupSubscribedToTopic)));
                    continue;
                }
                if g.offsets.remove(&(topic.clone(), partition)).is_some() {
                    writes.push((RecordKey::offset(group_id, &topic, partition), None));
                }
                results.push((topic, partition, 0));
            }
            let appended = if writes.is_empty() { None } else { self.append(group_id, &writes) };
            (results, appended)
        };
        let (results, appended) = appended;
        if let Some(a) = appended {
            if let Err(e) = self.store.wait_durable(a).await {
                tracing::warn!(error = %e, "offset deletion not durable");
            }
        }
        Ok(results)
    }

    /// Removes offsets past `offsets.retention.minutes` from groups without members (counted
    /// from the later of the commit and the moment the group became empty), and groups left
    /// with nothing. Returns how many offsets expired.
    pub fn expire_offsets(&self, now_ms: i64) -> usize {
        let retention = self.cfg.offsets_retention_ms;
        let mut expired = 0;
        let mut groups = self.lock();
        let mut gone = Vec::new();
        for g in groups.values_mut() {
            if g.state != GroupState::Empty {
                continue;
            }
            let since = g.state_since_ms;
            let mut writes: Vec<Write> = Vec::new();
            let id = g.id.clone();
            g.offsets.retain(|(topic, partition), v| {
                let keep = v.commit_timestamp.max(since).saturating_add(retention) > now_ms;
                if !keep {
                    writes.push((RecordKey::offset(&id, topic, *partition), None));
                }
                keep
            });
            expired += writes.len();
            if g.offsets.is_empty() && g.pending.is_empty() {
                writes.push((RecordKey::Group { group: id.clone() }, None));
                gone.push(id.clone());
            }
            if !writes.is_empty() {
                self.append(&id, &writes);
            }
        }
        for id in gone {
            groups.remove(&id);
        }
        if expired > 0 {
            tracing::info!(expired, "expired committed offsets");
        }
        expired
    }

    /// Runs deadlines until shutdown.
    pub async fn run_timers(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let check_every = Duration::from_millis(self.cfg.offsets_retention_check_interval_ms.max(1) as u64);
        let mut next_expiry = Instant::now() + check_every;
        loop {
            self.unload_lost();
            let now = Instant::now();
            if now >= next_expiry {
                self.expire_offsets(util::now_ms());
                next_expiry = now + check_every;
            }
            let next = {
                let mut groups = self.lock();
                let now_ms = util::now_ms();
                let mut next = next_expiry;
                for g in groups.values_mut() {
                    g.tick(&self.cfg, now, now_ms);
                    self.persist_group(g);
                    if let Some(d) = g.next_deadline() {
                        next = next.min(d);
                    }
                }
                next
            };
            tokio::select! {
                _ = tokio::time::sleep_until(next.max(Instant::now() + Duration::from_millis(1)).into()) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
