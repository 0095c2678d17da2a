//! The group leader's assignment of connectors and tasks to workers: Kafka Connect's
//! incremental cooperative assignor (KIP-415, `IncrementalCooperativeAssignor`), as a pure
//! function of what the workers run, what is configured, the time, and what the leader
//! remembers from its previous round ([`AssignorState`]).
//!
//! One round, as Kafka's:
//!
//! - what was assigned in the previous round but is configured no more (deleted), or runs on
//!   two workers (duplicated), is revoked from the workers running it;
//! - what was assigned before and no worker reports now is *lost*: a worker left. When
//!   `scheduled.rebalance.max.delay.ms` is non-zero it is held back, and every worker is told
//!   to rejoin after the remaining delay; if the worker comes back (reporting what it ran) the
//!   loss is void, and when the delay has run out the lost connectors and tasks go round-robin
//!   to the workers that joined empty during it (or, with none, to the least loaded);
//! - connectors and tasks are balanced separately: a worker over its share (`total / workers`,
//!   one more for `total % workers` of them) has the excess revoked — never while a delay is
//!   running, and after two revoking rounds in a row only after an exponential back-off
//!   (40 ms, 1.6 s, 64 s, … capped at the max delay) — and what is new, lost-and-due or was
//!   revoked in the round before goes to the least loaded workers, evening them out.
//!
//! A revoked task is never assigned elsewhere in the same round: the worker stops it, rejoins
//! at once, and the next round hands it to another. So a balanced group converges in two rounds
//! and a task never runs on two workers. Where Kafka's choices depend on `HashMap` order
//! (which worker keeps an extra, which task goes), this one is deterministic: workers by member
//! id, connectors and tasks in their sort order.
//!
//! [`leader_assignments`] wraps it the way Kafka's `performAssignment` does: decoded member
//! metadata in, one [`Assignment`] per member out (`CONFIG_MISMATCH` for everyone when the
//! leader is behind the config topic; the eager protocol's full round-robin for `default`).

use std::collections::{BTreeMap, BTreeSet};

use super::protocol::{Assignment, ConnectProtocol, ConnectorTaskId, WorkerState, CONFIG_MISMATCH, NO_ERROR};

/// Connectors and tasks (Kafka's `ConnectorsAndTasks`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectorsAndTasks {
    pub connectors: BTreeSet<String>,
    pub tasks: BTreeSet<ConnectorTaskId>,
}

impl ConnectorsAndTasks {
    /// The connectors and tasks in an assignment's `connectors` and `tasks`.
    pub fn of(assignment: &Assignment) -> Self {
        ConnectorsAndTasks {
            connectors: assignment.connectors.iter().cloned().collect(),
            tasks: assignment.tasks.iter().cloned().collect(),
        }
    }

    /// Every connector of `configured` with its tasks `0..count`.
    pub fn configured(configured: &BTreeMap<String, u32>) -> Self {
        ConnectorsAndTasks {
            connectors: configured.keys().cloned().collect(),
            tasks: configured
                .iter()
                .flat_map(|(c, n)| (0..*n as i32).map(move |t| ConnectorTaskId::new(c.clone(), t)))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty() && self.tasks.is_empty()
    }

    fn add_all(&mut self, other: &ConnectorsAndTasks) {
        self.connectors.extend(other.connectors.iter().cloned());
        self.tasks.extend(other.tasks.iter().cloned());
    }

    fn remove_all(&mut self, other: &ConnectorsAndTasks) {
        self.connectors.retain(|c| !other.connectors.contains(c));
        self.tasks.retain(|t| !other.tasks.contains(t));
    }

    fn minus(&self, other: &ConnectorsAndTasks) -> ConnectorsAndTasks {
        let mut out = self.clone();
        out.remove_all(other);
        out
    }

    fn intersection(&self, other: &ConnectorsAndTasks) -> ConnectorsAndTasks {
        ConnectorsAndTasks {
            connectors: self.connectors.intersection(&other.connectors).cloned().collect(),
            tasks: self.tasks.intersection(&other.tasks).cloned().collect(),
        }
    }

    fn intersects(&self, other: &ConnectorsAndTasks) -> bool {
        self.connectors.iter().any(|c| other.connectors.contains(c)) || self.tasks.iter().any(|t| other.tasks.contains(t))
    }
}

/// What the leader's assignor remembers from one round to the next (the fields of Kafka's
/// `IncrementalCooperativeAssignor`). A new leader starts from [`AssignorState::default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignorState {
    /// What the previous round left assigned (lost connectors and tasks included).
    previous_assignment: ConnectorsAndTasks,
    /// What the previous round revoked.
    previous_revocation: ConnectorsAndTasks,
    revoked_in_previous: bool,
    /// Workers that were empty while lost connectors and tasks were held back, in the order
    /// they were seen: the first to get them when the delay runs out.
    candidate_workers: Vec<String>,
    /// When the held-back connectors and tasks are due (epoch ms); 0 when nothing is scheduled.
    scheduled_rebalance: i64,
    /// The delay handed out in the previous round (ms).
    delay: i32,
    previous_generation: i32,
    previous_members: BTreeSet<String>,
    successive_revoking_rebalances: u32,
}

impl Default for AssignorState {
    fn default() -> Self {
        AssignorState {
            previous_assignment: ConnectorsAndTasks::default(),
            previous_revocation: ConnectorsAndTasks::default(),
            revoked_in_previous: false,
            candidate_workers: Vec::new(),
            scheduled_rebalance: 0,
            delay: 0,
            previous_generation: -1,
            previous_members: BTreeSet::new(),
            successive_revoking_rebalances: 0,
        }
    }
}

impl AssignorState {
    /// The delay the last round handed out (ms; 0 for none).
    pub fn delay(&self) -> i32 {
        self.delay
    }

    /// When a scheduled rebalance is due (epoch ms), if one is.
    pub fn scheduled_rebalance(&self) -> Option<i64> {
        (self.scheduled_rebalance > 0).then_some(self.scheduled_rebalance)
    }

    /// The generation the last round assigned.
    pub fn previous_generation(&self) -> i32 {
        self.previous_generation
    }

    fn reset_delay(&mut self) {
        self.candidate_workers.clear();
        self.scheduled_rebalance = 0;
        self.delay = 0;
    }
}

/// One round's input.
#[derive(Debug, Clone, Copy)]
pub struct AssignorInput<'a> {
    /// Every member of the new generation and what it runs now (its metadata's assignment).
    pub members: &'a BTreeMap<String, ConnectorsAndTasks>,
    /// Every configured connector and its number of tasks (tasks `0..n`).
    pub configured: &'a BTreeMap<String, u32>,
    /// The last generation this leader completed (got its assignment in); when it is not the
    /// generation the state was computed for, the previous assignment is forgotten.
    pub last_completed_generation: i32,
    /// The generation being assigned.
    pub generation: i32,
    /// The leader's clock, epoch ms.
    pub now_ms: i64,
    /// `scheduled.rebalance.max.delay.ms` (Kafka's default: 300000).
    pub max_delay_ms: i32,
}

/// One member's part of a round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberAssignment {
    /// To start now, on top of what it runs.
    pub assigned: ConnectorsAndTasks,
    /// To stop now.
    pub revoked: ConnectorsAndTasks,
    /// What it runs once it has done both.
    pub running: ConnectorsAndTasks,
}

/// A round's outcome for the whole group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterAssignment {
    /// By member id; every member of the input is here.
    pub members: BTreeMap<String, MemberAssignment>,
    /// Milliseconds after which every member should rejoin (a delayed rebalance); 0 for none.
    pub delay: i32,
}

impl ClusterAssignment {
    /// Whether the round changes nothing: no member starts or stops anything.
    pub fn is_quiet(&self) -> bool {
        self.members.values().all(|m| m.assigned.is_empty() && m.revoked.is_empty())
    }
}

/// Kafka's `ExponentialBackoff(1, 40, maxDelay, 0).backoff(attempts)`: the delay before
/// revoking again after `attempts` revoking rounds in a row.
fn revoking_backoff(attempts: u32, max_delay: i32) -> i32 {
    let max = f64::from(max_delay.max(0));
    let initial = max.min(1.0);
    let exp_max = if max > initial {
        (max / initial.max(1.0)).ln() / 40f64.ln()
    } else {
        0.0
    };
    if exp_max == 0.0 {
        return initial as i32;
    }
    let term = initial * 40f64.powf(f64::from(attempts).min(exp_max));
    (term as i64).min(i64::from(max_delay)) as i32
}

type Loads = BTreeMap<String, ConnectorsAndTasks>;

/// One round of the incremental cooperative assignment: what each member starts and stops,
/// and the state for the next round. Pure: the same input and state give the same output.
pub fn assign(state: &AssignorState, input: &AssignorInput<'_>) -> (ClusterAssignment, AssignorState) {
    let mut s = state.clone();
    let members = input.members;
    if s.previous_generation != input.last_completed_generation {
        // The leader missed a round (or is new): what it remembers may be stale.
        s.previous_assignment = ConnectorsAndTasks::default();
    }
    let configured = ConnectorsAndTasks::configured(input.configured);
    let mut active = ConnectorsAndTasks::default();
    for m in members.values() {
        active.add_all(m);
    }

    // A revocation of the previous round that did not take effect: start over from what runs.
    if !s.previous_revocation.is_empty() {
        if s.previous_revocation.intersects(&active) {
            s.previous_assignment = active.clone();
        }
        s.previous_revocation = ConnectorsAndTasks::default();
    }

    let deleted = s.previous_assignment.minus(&configured);
    let duplicated = duplicated(members);
    let lost = s.previous_assignment.minus(&active).minus(&deleted);
    let created = configured.minus(&s.previous_assignment).minus(&active);

    // What each member runs, without what is deleted: the base the new assignments add to.
    let current: Loads = members.iter().map(|(m, a)| (m.clone(), a.minus(&deleted))).collect();

    let mut to_revoke: Loads = BTreeMap::new();
    let mut next: Loads = members.clone();
    for (m, a) in members {
        let mut revoke = a.intersection(&deleted);
        revoke.add_all(&a.intersection(&duplicated));
        if let Some(n) = next.get_mut(m) {
            n.remove_all(&revoke);
        }
        if !revoke.is_empty() {
            to_revoke.entry(m.clone()).or_default().add_all(&revoke);
        }
    }

    let lost_to_reassign = handle_lost(&mut s, &lost, &mut next, input);

    // What is taken back for balance but was only just given (lost ones that went to the
    // candidate workers) is not revoked: it goes back to be handed out with the new ones.
    let mut ungiven = ConnectorsAndTasks::default();
    if s.delay == 0 {
        let balancing = load_balancing_revocations(&configured, &next, &current);
        if s.revoked_in_previous && !balancing.is_empty() {
            s.successive_revoking_rebalances += 1;
            s.delay = revoking_backoff(s.successive_revoking_rebalances, input.max_delay_ms);
            if s.delay != 0 {
                // Revoke again only after the back-off.
                s.scheduled_rebalance = input.now_ms + i64::from(s.delay);
            } else {
                ungiven = apply_revocations(&balancing, &current, &mut to_revoke, &mut next);
            }
        } else if !balancing.is_empty() {
            ungiven = apply_revocations(&balancing, &current, &mut to_revoke, &mut next);
            s.revoked_in_previous = true;
        } else if s.revoked_in_previous {
            // Balanced after a revoking round: the back-off starts over.
            s.revoked_in_previous = false;
            s.successive_revoking_rebalances = 0;
        }
    } else {
        s.revoked_in_previous = false;
    }

    let mut to_assign = created;
    to_assign.add_all(&lost_to_reassign);
    to_assign.add_all(&ungiven);
    assign_connectors(&mut next, &to_assign.connectors);
    assign_tasks(&mut next, &to_assign.tasks);

    // The next round's view: what is assigned now, without the revoked, with the lost that
    // are still held back.
    let mut previous = ConnectorsAndTasks::default();
    for a in next.values() {
        previous.add_all(a);
    }
    for r in to_revoke.values() {
        previous.remove_all(r);
        s.previous_revocation.add_all(r);
    }
    previous.add_all(&lost);
    s.previous_assignment = previous;
    s.previous_generation = input.generation;
    s.previous_members = members.keys().cloned().collect();

    let out = members
        .keys()
        .map(|m| {
            let running = next.get(m).cloned().unwrap_or_default();
            let revoked = to_revoke.get(m).cloned().unwrap_or_default();
            let assigned = running.minus(&current[m]);
            (
                m.clone(),
                MemberAssignment {
                    assigned,
                    running: running.minus(&revoked),
                    revoked,
                },
            )
        })
        .collect();
    (
        ClusterAssignment {
            members: out,
            delay: s.delay,
        },
        s,
    )
}

/// Takes `taken` out of `next`: what the member ran is revoked, what it was only just given is
/// returned (to be handed out again).
fn apply_revocations(taken: &Loads, current: &Loads, to_revoke: &mut Loads, next: &mut Loads) -> ConnectorsAndTasks {
    let mut ungiven = ConnectorsAndTasks::default();
    for (m, take) in taken {
        if let Some(n) = next.get_mut(m) {
            n.remove_all(take);
        }
        let ran = current.get(m).cloned().unwrap_or_default();
        let revoke = take.intersection(&ran);
        ungiven.add_all(&take.minus(&ran));
        if !revoke.is_empty() {
            to_revoke.entry(m.clone()).or_default().add_all(&revoke);
        }
    }
    ungiven
}

/// Connectors and tasks that more than one member runs.
fn duplicated(members: &Loads) -> ConnectorsAndTasks {
    let mut seen = ConnectorsAndTasks::default();
    let mut twice = ConnectorsAndTasks::default();
    for a in members.values() {
        for c in &a.connectors {
            if !seen.connectors.insert(c.clone()) {
                twice.connectors.insert(c.clone());
            }
        }
        for t in &a.tasks {
            if !seen.tasks.insert(t.clone()) {
                twice.tasks.insert(t.clone());
            }
        }
    }
    twice
}

/// Kafka's `handleLostAssignments`: what of `lost` to hand out now (the rest is held back, or
/// was given to candidate workers in `next` directly).
fn handle_lost(s: &mut AssignorState, lost: &ConnectorsAndTasks, next: &mut Loads, input: &AssignorInput<'_>) -> ConnectorsAndTasks {
    if lost.is_empty() && !s.revoked_in_previous {
        s.reset_delay();
        return ConnectorsAndTasks::default();
    }
    let now = input.now_ms;
    if s.scheduled_rebalance <= 0 && s.previous_members.iter().all(|m| next.contains_key(m)) {
        // Nobody left: the lost ones were never received by their workers. New again.
        return lost.clone();
    }
    if input.max_delay_ms == 0 {
        return lost.clone();
    }
    if s.scheduled_rebalance > 0 && now >= s.scheduled_rebalance {
        // The delay ran out: the workers that came in empty during it take the lost ones.
        let candidates: Vec<String> = s.candidate_workers.iter().filter(|w| next.contains_key(*w)).cloned().collect();
        let reassign = if candidates.is_empty() {
            lost.clone()
        } else {
            for (c, worker) in lost.connectors.iter().zip(candidates.iter().cycle()) {
                next.get_mut(worker).expect("a member").connectors.insert(c.clone());
            }
            for (t, worker) in lost.tasks.iter().zip(candidates.iter().cycle()) {
                next.get_mut(worker).expect("a member").tasks.insert(t.clone());
            }
            ConnectorsAndTasks::default()
        };
        s.reset_delay();
        s.revoked_in_previous = false;
        return reassign;
    }
    for (w, a) in next.iter() {
        if a.is_empty() && !s.candidate_workers.contains(w) {
            s.candidate_workers.push(w.clone());
        }
    }
    s.delay = if now < s.scheduled_rebalance {
        // Still waiting: what is left of the delay.
        (s.scheduled_rebalance - now).min(i64::from(input.max_delay_ms)) as i32
    } else {
        input.max_delay_ms
    };
    s.scheduled_rebalance = now + i64::from(s.delay);
    ConnectorsAndTasks::default()
}

/// Kafka's `performLoadBalancingRevocations`: what to take from workers over their share.
fn load_balancing_revocations(configured: &ConnectorsAndTasks, workers: &Loads, current: &Loads) -> Loads {
    if workers.values().all(ConnectorsAndTasks::is_empty) || configured.is_empty() {
        return BTreeMap::new();
    }
    let mut out: Loads = BTreeMap::new();
    for (w, revoked) in excess(configured.connectors.len(), workers, current, |a| &a.connectors) {
        out.entry(w).or_default().connectors = revoked;
    }
    for (w, revoked) in excess(configured.tasks.len(), workers, current, |a| &a.tasks) {
        out.entry(w).or_default().tasks = revoked;
    }
    out
}

/// Per worker, what it holds beyond its share of `total` (Kafka's `loadBalancingRevocations`):
/// first what it was only just given this round, then from the end of what it runs.
fn excess<T: Ord + Clone>(
    total: usize,
    workers: &Loads,
    current: &Loads,
    items: impl Fn(&ConnectorsAndTasks) -> &BTreeSet<T>,
) -> Vec<(String, BTreeSet<T>)> {
    let n = workers.len();
    let min = total / n;
    let extras = total % n;
    let at_min = workers.values().filter(|a| items(a).len() == min).count();
    let at_extra = workers.values().filter(|a| items(a).len() == min + 1).count();
    if at_extra == extras && at_min + at_extra == n {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut allocated_extras = 0;
    for (w, a) in workers {
        let held = items(a);
        if held.len() <= min {
            continue;
        }
        let allowed = if allocated_extras < extras {
            allocated_extras += 1;
            if held.len() == min + 1 {
                continue;
            }
            min + 1
        } else {
            min
        };
        // A worker keeps what it runs over what it was just given, and of what it runs its
        // first-named connectors and lowest tasks.
        let ran = current.get(w).map(&items);
        let is_new = |t: &&T| !ran.is_some_and(|r| r.contains(*t));
        let order = held.iter().filter(is_new).chain(held.iter().rev().filter(|t| !is_new(t)));
        let revoked: BTreeSet<T> = order.take(held.len() - allowed).cloned().collect();
        out.push((w.clone(), revoked));
    }
    out
}

/// Kafka's `assignConnectors`: water-filling, least loaded first (ties by member id).
fn assign_connectors(workers: &mut Loads, connectors: &BTreeSet<String>) {
    water_fill(workers, connectors, |a| &mut a.connectors);
}

/// Kafka's `assignTasks`.
fn assign_tasks(workers: &mut Loads, tasks: &BTreeSet<ConnectorTaskId>) {
    water_fill(workers, tasks, |a| &mut a.tasks);
}

fn water_fill<T: Ord + Clone>(workers: &mut Loads, items: &BTreeSet<T>, set: impl Fn(&mut ConnectorsAndTasks) -> &mut BTreeSet<T>) {
    if workers.is_empty() || items.is_empty() {
        return;
    }
    let mut order: Vec<(usize, String)> = workers.iter_mut().map(|(w, a)| (set(a).len(), w.clone())).collect();
    order.sort();
    let mut loads: Vec<usize> = order.iter().map(|(l, _)| *l).collect();
    let mut items = items.iter();
    loop {
        let first = loads[0];
        let up_to = loads.iter().position(|l| *l > first).unwrap_or(loads.len());
        for i in 0..up_to {
            let Some(item) = items.next() else {
                return;
            };
            set(workers.get_mut(&order[i].1).expect("a member")).insert(item.clone());
            loads[i] += 1;
        }
    }
}

/// Kafka's `EagerAssignor` (protocol `default`): everything, round-robin over the members in
/// id order, connectors first, then tasks continuing where the connectors stopped.
pub fn eager_assign(members: &BTreeSet<String>, configured: &BTreeMap<String, u32>) -> BTreeMap<String, ConnectorsAndTasks> {
    let mut out: BTreeMap<String, ConnectorsAndTasks> = members.iter().map(|m| (m.clone(), ConnectorsAndTasks::default())).collect();
    if members.is_empty() {
        return out;
    }
    let mut ring = members.iter().cycle();
    for c in configured.keys() {
        let m = ring.next().expect("members");
        out.get_mut(m).expect("a member").connectors.insert(c.clone());
    }
    for t in ConnectorsAndTasks::configured(configured).tasks {
        let m = ring.next().expect("members");
        out.get_mut(m).expect("a member").tasks.insert(t);
    }
    out
}

/// What the leader computes in one rebalance (Kafka's `performAssignment`).
#[derive(Debug, Clone, Copy)]
pub struct LeaderInput<'a> {
    pub leader_id: &'a str,
    /// The protocol the coordinator chose for this generation.
    pub protocol: ConnectProtocol,
    /// Every member's decoded metadata, by member id (the leader's among them).
    pub workers: &'a BTreeMap<String, WorkerState>,
    /// The offset of the leader's config snapshot, and what it configures.
    pub config_offset: i64,
    pub configured: &'a BTreeMap<String, u32>,
    pub last_completed_generation: i32,
    pub generation: i32,
    pub now_ms: i64,
    pub max_delay_ms: i32,
}

/// The leader's answer for SyncGroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderAssignments {
    /// What each member gets; encode with [`super::encode_assignment`].
    pub assignments: BTreeMap<String, Assignment>,
    /// The assignor's state for the next round.
    pub state: AssignorState,
    /// What each member runs once it has applied its assignment (the leader's view, e.g. to
    /// forward REST requests to a connector's worker).
    pub running: BTreeMap<String, ConnectorsAndTasks>,
}

/// The leader's assignments for one rebalance. When a member has read further into the config
/// topic than the leader's snapshot, every member gets `CONFIG_MISMATCH` (the leader reads on
/// and the group rejoins) and the state is kept as it was.
pub fn leader_assignments(state: &AssignorState, input: &LeaderInput<'_>) -> LeaderAssignments {
    let max_offset = input.workers.values().map(|w| w.config_offset).max().unwrap_or(input.config_offset);
    let leader_url = input.workers.get(input.leader_id).map(|w| w.url.clone()).unwrap_or_default();
    let fill = |error: i16, offset: i64, member: &MemberAssignment, delay: i32| Assignment {
        version: input.protocol.version(),
        error,
        leader: input.leader_id.to_string(),
        leader_url: leader_url.clone(),
        config_offset: offset,
        connectors: member.assigned.connectors.iter().cloned().collect(),
        tasks: member.assigned.tasks.iter().cloned().collect(),
        revoked_connectors: member.revoked.connectors.iter().cloned().collect(),
        revoked_tasks: member.revoked.tasks.iter().cloned().collect(),
        delay,
    };
    if input.config_offset < max_offset {
        let none = MemberAssignment::default();
        return LeaderAssignments {
            assignments: input
                .workers
                .keys()
                .map(|m| (m.clone(), fill(CONFIG_MISMATCH, max_offset, &none, 0)))
                .collect(),
            state: state.clone(),
            running: BTreeMap::new(),
        };
    }
    let offset = input.config_offset;
    if !input.protocol.is_incremental() {
        let all = eager_assign(&input.workers.keys().cloned().collect(), input.configured);
        let members: BTreeMap<String, MemberAssignment> = all
            .into_iter()
            .map(|(m, a)| {
                (
                    m,
                    MemberAssignment {
                        assigned: a.clone(),
                        revoked: ConnectorsAndTasks::default(),
                        running: a,
                    },
                )
            })
            .collect();
        return LeaderAssignments {
            assignments: members.iter().map(|(m, a)| (m.clone(), fill(NO_ERROR, offset, a, 0))).collect(),
            state: state.clone(),
            running: members.into_iter().map(|(m, a)| (m, a.running)).collect(),
        };
    }
    let members: BTreeMap<String, ConnectorsAndTasks> = input
        .workers
        .iter()
        .map(|(m, w)| (m.clone(), w.assignment.as_ref().map(ConnectorsAndTasks::of).unwrap_or_default()))
        .collect();
    let (cluster, next) = assign(
        state,
        &AssignorInput {
            members: &members,
            configured: input.configured,
            last_completed_generation: input.last_completed_generation,
            generation: input.generation,
            now_ms: input.now_ms,
            max_delay_ms: input.max_delay_ms,
        },
    );
    LeaderAssignments {
        assignments: cluster
            .members
            .iter()
            .map(|(m, a)| (m.clone(), fill(NO_ERROR, offset, a, cluster.delay)))
            .collect(),
        state: next,
        running: cluster.members.into_iter().map(|(m, a)| (m, a.running)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::revoking_backoff;

    /// Kafka's `ExponentialBackoff(1, 40, maxDelay, 0)`.
    #[test]
    fn successive_revocations_back_off_as_kafka() {
        let default_max = 300_000;
        assert_eq!(
            (1..=5).map(|n| revoking_backoff(n, default_max)).collect::<Vec<_>>(),
            [40, 1600, 64_000, 300_000, 300_000]
        );
        assert_eq!(revoking_backoff(1, 0), 0, "delays disabled: revoke at once");
        assert_eq!(revoking_backoff(3, 1), 1);
        // Java truncates 40^1.87… = 999.99… to a long, too.
        assert_eq!(revoking_backoff(2, 1000), 999);
    }
}
