//! The assignor over many rounds: a simulated group applies each round's assignment (stop the
//! revoked, start the assigned) and rejoins, after the delay when there is one. Scenarios from
//! KIP-415 and Kafka's `IncrementalCooperativeAssignorTest`, then properties: after convergence
//! every configured connector and task runs exactly once, loads are balanced within one, a quiet
//! group keeps what it has, and no round ever starts something that still runs elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::assignor::{assign, leader_assignments, AssignorInput, AssignorState, ClusterAssignment, ConnectorsAndTasks, LeaderInput};
use super::protocol::{decode_assignment, decode_metadata, encode_assignment, encode_metadata, Assignment, ConnectProtocol, WorkerState};
use super::{ConnectorTaskId, CONFIG_MISMATCH, NO_ERROR};

const MAX_DELAY: i32 = 300_000;

fn configured(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
    pairs.iter().map(|(c, n)| (c.to_string(), *n)).collect()
}

fn task(c: &str, t: i32) -> ConnectorTaskId {
    ConnectorTaskId::new(c, t)
}

/// A group the way the leader sees it round after round.
struct Sim {
    state: AssignorState,
    running: BTreeMap<String, ConnectorsAndTasks>,
    generation: i32,
    now: i64,
    max_delay: i32,
}

impl Sim {
    fn new(members: &[&str], max_delay: i32) -> Sim {
        Sim {
            state: AssignorState::default(),
            running: members.iter().map(|m| (m.to_string(), ConnectorsAndTasks::default())).collect(),
            generation: 0,
            now: 1_000_000,
            max_delay,
        }
    }

    /// One rebalance: assign, check, apply.
    fn round(&mut self, configured: &BTreeMap<String, u32>) -> ClusterAssignment {
        let input = AssignorInput {
            members: &self.running,
            configured,
            last_completed_generation: self.generation,
            generation: self.generation + 1,
            now_ms: self.now,
            max_delay_ms: self.max_delay,
        };
        let (out, next) = assign(&self.state, &input);
        check_round(&self.running, &out);
        self.state = next;
        self.generation += 1;
        for (m, a) in &out.members {
            self.running.insert(m.clone(), a.running.clone());
        }
        out
    }

    /// Rounds until one changes nothing and schedules nothing; members rejoin after each
    /// round's delay. The number of rounds.
    fn converge(&mut self, configured: &BTreeMap<String, u32>) -> usize {
        for i in 1..=30 {
            let out = self.round(configured);
            if out.delay > 0 {
                self.now += i64::from(out.delay);
            } else if out.is_quiet() {
                return i;
            }
        }
        panic!("no convergence after 30 rounds: {:?}", self.running);
    }

    fn join(&mut self, member: &str) {
        self.running.insert(member.to_string(), ConnectorsAndTasks::default());
    }

    fn leave(&mut self, member: &str) -> ConnectorsAndTasks {
        self.running.remove(member).expect("a member")
    }

    fn connectors_of(&self, m: &str) -> usize {
        self.running[m].connectors.len()
    }

    fn tasks_of(&self, m: &str) -> usize {
        self.running[m].tasks.len()
    }
}

/// What holds for every round, whatever came before: revocations are of what the member runs,
/// nothing started runs elsewhere after the round's revocations, and no two members run the
/// same connector or task afterwards.
fn check_round(before: &BTreeMap<String, ConnectorsAndTasks>, out: &ClusterAssignment) {
    assert_eq!(out.members.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
    for (m, a) in &out.members {
        let ran = &before[m];
        assert!(
            a.revoked.connectors.is_subset(&ran.connectors),
            "{m} revoked what it does not run: {a:?}"
        );
        assert!(a.revoked.tasks.is_subset(&ran.tasks), "{m} revoked what it does not run: {a:?}");
        let mut expected = ran.clone();
        expected.connectors.retain(|c| !a.revoked.connectors.contains(c));
        expected.tasks.retain(|t| !a.revoked.tasks.contains(t));
        assert!(
            a.assigned.connectors.is_disjoint(&expected.connectors),
            "{m} is assigned what it runs"
        );
        assert!(a.assigned.tasks.is_disjoint(&expected.tasks), "{m} is assigned what it runs");
        expected.connectors.extend(a.assigned.connectors.iter().cloned());
        expected.tasks.extend(a.assigned.tasks.iter().cloned());
        assert_eq!(a.running, expected, "{m}: running is ran - revoked + assigned");
    }
    let mut seen = ConnectorsAndTasks::default();
    for (m, a) in &out.members {
        for c in &a.running.connectors {
            assert!(seen.connectors.insert(c.clone()), "connector {c} runs twice ({m})");
        }
        for t in &a.running.tasks {
            assert!(seen.tasks.insert(t.clone()), "task {t} runs twice ({m})");
        }
    }
}

/// After convergence: everything configured runs exactly once, nothing else runs, and
/// connectors and tasks are each balanced within one.
fn check_converged(sim: &Sim, configured: &BTreeMap<String, u32>) {
    let all = ConnectorsAndTasks::configured(configured);
    let mut running = ConnectorsAndTasks::default();
    for a in sim.running.values() {
        for c in &a.connectors {
            assert!(running.connectors.insert(c.clone()), "connector {c} twice");
        }
        for t in &a.tasks {
            assert!(running.tasks.insert(t.clone()), "task {t} twice");
        }
    }
    assert_eq!(running, all, "everything configured runs, nothing else: {:?}", sim.running);
    let spread = |f: &dyn Fn(&ConnectorsAndTasks) -> usize| {
        let loads: Vec<usize> = sim.running.values().map(f).collect();
        loads.iter().max().unwrap_or(&0) - loads.iter().min().unwrap_or(&0)
    };
    assert!(spread(&|a| a.connectors.len()) <= 1, "connectors unbalanced: {:?}", sim.running);
    assert!(spread(&|a| a.tasks.len()) <= 1, "tasks unbalanced: {:?}", sim.running);
}

#[test]
fn a_lone_worker_gets_everything_at_once() {
    let conf = configured(&[("c1", 4), ("c2", 4)]);
    let mut sim = Sim::new(&["w1"], MAX_DELAY);
    let out = sim.round(&conf);
    assert_eq!(out.members["w1"].assigned, ConnectorsAndTasks::configured(&conf));
    assert_eq!(out.delay, 0);
    assert_eq!(sim.converge(&conf), 1, "then nothing changes");
}

/// KIP-415: a second worker joins. The first round only revokes half from the first worker,
/// the second hands it to the newcomer.
#[test]
fn a_joining_worker_gets_half_in_two_rounds() {
    let conf = configured(&[("c1", 4), ("c2", 4)]);
    let mut sim = Sim::new(&["w1"], MAX_DELAY);
    sim.converge(&conf);
    sim.join("w2");
    let out = sim.round(&conf);
    let w1 = &out.members["w1"];
    assert_eq!((w1.revoked.connectors.len(), w1.revoked.tasks.len()), (1, 4));
    assert!(out.members["w2"].assigned.is_empty(), "nothing moves in the revoking round");
    let out = sim.round(&conf);
    assert_eq!(out.members["w2"].assigned, w1.revoked, "the revoked go to the newcomer");
    assert!(out.members["w1"].revoked.is_empty());
    assert_eq!(
        (
            sim.connectors_of("w1"),
            sim.tasks_of("w1"),
            sim.connectors_of("w2"),
            sim.tasks_of("w2")
        ),
        (1, 4, 1, 4)
    );
    assert_eq!(sim.converge(&conf), 1);
}

/// A worker vanishes: its connectors and tasks are held back for the delay (every round in
/// between says how long is left), then go to the others.
#[test]
fn a_vanished_worker_is_waited_for() {
    let conf = configured(&[("c1", 3), ("c2", 3), ("c3", 3)]);
    let mut sim = Sim::new(&["w1", "w2", "w3"], 10_000);
    sim.converge(&conf);
    let lost = sim.leave("w3");
    assert_eq!((lost.connectors.len(), lost.tasks.len()), (1, 3));

    let out = sim.round(&conf);
    assert!(out.is_quiet(), "held back: {out:?}");
    assert_eq!(out.delay, 10_000);
    sim.now += 4_000;
    let out = sim.round(&conf);
    assert!(out.is_quiet());
    assert_eq!(out.delay, 6_000, "what is left of the delay");

    sim.now += 6_000;
    let out = sim.round(&conf);
    let mut given = ConnectorsAndTasks::default();
    for a in out.members.values() {
        given.connectors.extend(a.assigned.connectors.iter().cloned());
        given.tasks.extend(a.assigned.tasks.iter().cloned());
    }
    assert_eq!(given, lost, "due: the lost ones are handed out");
    assert_eq!(out.delay, 0);
    sim.converge(&conf);
    check_converged(&sim, &conf);
}

/// A worker restarted within the delay joins empty: it is a candidate and gets what was lost
/// when the delay runs out.
#[test]
fn a_restarted_worker_gets_its_work_back_when_the_delay_ends() {
    let conf = configured(&[("c1", 2), ("c2", 2), ("c3", 2), ("c4", 2)]);
    let mut sim = Sim::new(&["w1", "w2"], 5_000);
    sim.converge(&conf);
    let lost = sim.leave("w2");
    let out = sim.round(&conf);
    assert!(out.is_quiet() && out.delay == 5_000);
    sim.now += 1_000;
    sim.join("w2-restarted");
    let out = sim.round(&conf);
    assert!(out.is_quiet(), "still held back while the delay runs: {out:?}");
    assert_eq!(out.delay, 4_000);
    sim.now += 4_000;
    let out = sim.round(&conf);
    assert_eq!(out.members["w2-restarted"].assigned, lost);
    assert!(out.members["w1"].assigned.is_empty() && out.members["w1"].revoked.is_empty());
    assert_eq!(sim.converge(&conf), 1);
    check_converged(&sim, &conf);
}

/// A worker that was only briefly away comes back reporting what it runs: nothing was lost.
#[test]
fn a_worker_back_with_its_assignment_keeps_it() {
    let conf = configured(&[("c1", 3), ("c2", 3)]);
    let mut sim = Sim::new(&["w1", "w2"], 5_000);
    sim.converge(&conf);
    let had = sim.leave("w2");
    let out = sim.round(&conf);
    assert_eq!(out.delay, 5_000);
    sim.now += 2_000;
    sim.running.insert("w2".into(), had.clone());
    let out = sim.round(&conf);
    assert!(out.is_quiet(), "{out:?}");
    assert_eq!(out.delay, 0, "the delay is over once nothing is lost");
    assert_eq!(sim.running["w2"], had);
    assert_eq!(sim.state.scheduled_rebalance(), None);
}

#[test]
fn without_a_delay_lost_work_moves_at_once() {
    let conf = configured(&[("c1", 4)]);
    let mut sim = Sim::new(&["w1", "w2"], 0);
    sim.converge(&conf);
    sim.leave("w2");
    let out = sim.round(&conf);
    assert_eq!(out.delay, 0);
    assert_eq!(sim.running["w1"], ConnectorsAndTasks::configured(&conf));
}

#[test]
fn deleted_connectors_and_tasks_are_revoked() {
    let mut conf = configured(&[("c1", 3), ("c2", 3)]);
    let mut sim = Sim::new(&["w1", "w2"], MAX_DELAY);
    sim.converge(&conf);
    conf.remove("c2");
    conf.insert("c1".into(), 1);
    let out = sim.round(&conf);
    let mut revoked = ConnectorsAndTasks::default();
    for a in out.members.values() {
        revoked.connectors.extend(a.revoked.connectors.iter().cloned());
        revoked.tasks.extend(a.revoked.tasks.iter().cloned());
    }
    assert_eq!(revoked.connectors, BTreeSet::from(["c2".to_string()]));
    assert_eq!(
        revoked.tasks,
        BTreeSet::from([task("c1", 1), task("c1", 2), task("c2", 0), task("c2", 1), task("c2", 2)])
    );
    sim.converge(&conf);
    check_converged(&sim, &conf);
}

/// Two workers both report a task (a zombie): it is revoked from both, then assigned once.
#[test]
fn duplicated_tasks_are_revoked_everywhere_then_assigned_once() {
    let conf = configured(&[("c1", 2)]);
    let mut running = BTreeMap::new();
    running.insert(
        "w1".to_string(),
        ConnectorsAndTasks {
            connectors: BTreeSet::from(["c1".to_string()]),
            tasks: BTreeSet::from([task("c1", 0)]),
        },
    );
    running.insert(
        "w2".to_string(),
        ConnectorsAndTasks {
            connectors: BTreeSet::new(),
            tasks: BTreeSet::from([task("c1", 0), task("c1", 1)]),
        },
    );
    let input = AssignorInput {
        members: &running,
        configured: &conf,
        last_completed_generation: 4,
        generation: 5,
        now_ms: 0,
        max_delay_ms: MAX_DELAY,
    };
    let (out, state) = assign(&AssignorState::default(), &input);
    assert!(out.members["w1"].revoked.tasks.contains(&task("c1", 0)));
    assert!(out.members["w2"].revoked.tasks.contains(&task("c1", 0)));
    let mut sim = Sim {
        state,
        running: out.members.iter().map(|(m, a)| (m.clone(), a.running.clone())).collect(),
        generation: 5,
        now: 0,
        max_delay: MAX_DELAY,
    };
    sim.converge(&conf);
    check_converged(&sim, &conf);
}

/// A new leader (fresh state) of a balanced group changes nothing.
#[test]
fn a_new_leader_keeps_a_balanced_group_as_it_is() {
    let conf = configured(&[("c1", 5), ("c2", 2), ("c3", 0)]);
    let mut sim = Sim::new(&["w1", "w2", "w3"], MAX_DELAY);
    sim.converge(&conf);
    check_converged(&sim, &conf);
    sim.state = AssignorState::default();
    let out = sim.round(&conf);
    assert!(out.is_quiet(), "{out:?}");
}

/// Through the bytes: members send metadata, the leader decodes it, assigns, encodes; members
/// decode their assignment and fold it into what they run, for the next join.
#[test]
fn leader_assignments_through_the_wire_format() {
    let conf = configured(&[("jdbc-source", 3), ("jdbc-sink", 1)]);
    let mut workers: BTreeMap<String, WorkerState> = ["w1", "w2"]
        .iter()
        .map(|m| {
            (
                m.to_string(),
                WorkerState {
                    url: format!("http://{m}:8083/"),
                    config_offset: 10,
                    assignment: None,
                },
            )
        })
        .collect();
    let mut state = AssignorState::default();
    let mut last_completed = -1;
    for generation in 1..=3 {
        let metadata: BTreeMap<String, Vec<u8>> = workers
            .iter()
            .map(|(m, w)| (m.clone(), encode_metadata(w, ConnectProtocol::Sessioned)))
            .collect();
        let decoded: BTreeMap<String, WorkerState> = metadata.iter().map(|(m, b)| (m.clone(), decode_metadata(b).unwrap())).collect();
        assert_eq!(decoded, workers);
        let out = leader_assignments(
            &state,
            &LeaderInput {
                leader_id: "w1",
                protocol: ConnectProtocol::Sessioned,
                workers: &decoded,
                config_offset: 10,
                configured: &conf,
                last_completed_generation: last_completed,
                generation,
                now_ms: 0,
                max_delay_ms: MAX_DELAY,
            },
        );
        state = out.state;
        last_completed = generation;
        for (m, a) in &out.assignments {
            assert_eq!(
                (a.version, a.error, a.leader.as_str(), a.leader_url.as_str()),
                (2, NO_ERROR, "w1", "http://w1:8083/")
            );
            let got = decode_assignment(&encode_assignment(a)).unwrap();
            let w = workers.get_mut(m).unwrap();
            w.assignment = Some(got.accumulated(w.assignment.as_ref()));
            assert_eq!(ConnectorsAndTasks::of(w.assignment.as_ref().unwrap()), out.running[m], "{m}");
        }
    }
    let loads: Vec<(usize, usize)> = workers
        .values()
        .map(|w| {
            let a = w.assignment.as_ref().unwrap();
            (a.connectors.len(), a.tasks.len())
        })
        .collect();
    assert_eq!(loads, [(1, 2), (1, 2)]);
}

#[test]
fn a_leader_behind_the_config_topic_assigns_nothing() {
    let workers: BTreeMap<String, WorkerState> = [("w1", 5), ("w2", 8)]
        .iter()
        .map(|(m, offset)| {
            (
                m.to_string(),
                WorkerState {
                    url: format!("http://{m}/"),
                    config_offset: *offset,
                    assignment: None,
                },
            )
        })
        .collect();
    let conf = configured(&[("c", 1)]);
    let state = AssignorState::default();
    let out = leader_assignments(
        &state,
        &LeaderInput {
            leader_id: "w1",
            protocol: ConnectProtocol::Compatible,
            workers: &workers,
            config_offset: 5,
            configured: &conf,
            last_completed_generation: -1,
            generation: 1,
            now_ms: 0,
            max_delay_ms: MAX_DELAY,
        },
    );
    for a in out.assignments.values() {
        assert_eq!(
            a,
            &Assignment {
                version: 1,
                error: CONFIG_MISMATCH,
                leader: "w1".into(),
                leader_url: "http://w1/".into(),
                config_offset: 8,
                ..Assignment::default()
            }
        );
    }
    assert_eq!(out.state, state);
}

/// The eager protocol: everything, round-robin by member id, in every rebalance.
#[test]
fn the_eager_protocol_assigns_everything_round_robin() {
    let workers: BTreeMap<String, WorkerState> = ["b", "a"]
        .iter()
        .map(|m| {
            (
                m.to_string(),
                WorkerState {
                    url: format!("http://{m}/"),
                    config_offset: 0,
                    assignment: None,
                },
            )
        })
        .collect();
    let conf = configured(&[("x", 2), ("y", 1)]);
    let out = leader_assignments(
        &AssignorState::default(),
        &LeaderInput {
            leader_id: "a",
            protocol: ConnectProtocol::Eager,
            workers: &workers,
            config_offset: 0,
            configured: &conf,
            last_completed_generation: -1,
            generation: 1,
            now_ms: 0,
            max_delay_ms: MAX_DELAY,
        },
    );
    let a = &out.assignments["a"];
    let b = &out.assignments["b"];
    assert_eq!(
        (a.version, a.connectors.clone(), b.connectors.clone()),
        (0, vec!["x".to_string()], vec!["y".to_string()])
    );
    // Connectors took a, b; tasks go on with a, b, a.
    assert_eq!(a.tasks, [task("x", 0), task("y", 0)]);
    assert_eq!(b.tasks, [task("x", 1)]);
}

/// Connector names and task counts, and an arbitrary starting point: for each configured
/// connector and task, which member (if any) runs it.
fn group() -> impl Strategy<Value = (BTreeMap<String, u32>, usize, Vec<Option<usize>>, i32)> {
    (
        proptest::collection::btree_map("[a-f]{1,2}", 0u32..8, 0..7),
        1usize..7,
        proptest::collection::vec(proptest::option::of(0usize..7), 64),
        prop_oneof![Just(0), Just(1_000), Just(MAX_DELAY)],
    )
}

/// A simulated group started from the given (possibly unbalanced, incomplete) distribution,
/// with a leader that knows nothing yet.
fn start(conf: &BTreeMap<String, u32>, members: usize, owners: &[Option<usize>], max_delay: i32) -> Sim {
    let names: Vec<String> = (0..members).map(|i| format!("w{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut sim = Sim::new(&refs, max_delay);
    let all = ConnectorsAndTasks::configured(conf);
    let mut owner = owners.iter().cycle();
    for c in &all.connectors {
        if let Some(Some(i)) = owner.next() {
            sim.running.get_mut(&names[i % members]).unwrap().connectors.insert(c.clone());
        }
    }
    for t in &all.tasks {
        if let Some(Some(i)) = owner.next() {
            sim.running.get_mut(&names[i % members]).unwrap().tasks.insert(t.clone());
        }
    }
    sim
}

#[derive(Debug, Clone)]
enum Event {
    Join,
    Leave(usize),
    AddConnector(u32),
    RemoveConnector(usize),
    SetTasks(usize, u32),
    Wait(i64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Join),
        (0usize..10).prop_map(Event::Leave),
        (0u32..6).prop_map(Event::AddConnector),
        (0usize..10).prop_map(Event::RemoveConnector),
        (0usize..10, 0u32..6).prop_map(|(c, n)| Event::SetTasks(c, n)),
        (0i64..400_000).prop_map(Event::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// From any start: converged, every task once, balanced within one; a further round and a
    /// new leader's round change nothing.
    #[test]
    fn converges_to_each_task_once_balanced_and_stays((conf, members, owners, max_delay) in group()) {
        let mut sim = start(&conf, members, &owners, max_delay);
        sim.converge(&conf);
        check_converged(&sim, &conf);
        let out = sim.round(&conf);
        prop_assert!(out.is_quiet() && out.delay == 0, "nothing changes: {:?}", out);
        sim.state = AssignorState::default();
        let out = sim.round(&conf);
        prop_assert!(out.is_quiet(), "a new leader changes nothing: {:?}", out);
    }

    /// Any balanced group where everything runs once keeps what it has, under a new leader too.
    #[test]
    fn a_balanced_group_keeps_what_it_has(
        conf in proptest::collection::btree_map("[a-f]{1,2}", 0u32..8, 0..7),
        members in 1usize..7,
        shuffle in proptest::collection::vec(any::<u32>(), 64),
        first in 0usize..7,
    ) {
        let names: Vec<String> = (0..members).map(|i| format!("w{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut sim = Sim::new(&refs, MAX_DELAY);
        let all = ConnectorsAndTasks::configured(&conf);
        // Dealt round-robin in a shuffled order: each member gets its share, give or take one.
        let mut connectors: Vec<_> = all.connectors.iter().cloned().collect();
        let mut tasks: Vec<_> = all.tasks.iter().cloned().collect();
        let key = |i: usize| shuffle[i % shuffle.len()];
        let mut order: Vec<usize> = (0..connectors.len()).collect();
        order.sort_by_key(|i| key(*i));
        connectors = order.iter().map(|i| connectors[*i].clone()).collect();
        let mut order: Vec<usize> = (0..tasks.len()).collect();
        order.sort_by_key(|i| key(*i + 7));
        tasks = order.iter().map(|i| tasks[*i].clone()).collect();
        for (i, c) in connectors.into_iter().enumerate() {
            sim.running.get_mut(&names[(first + i) % members]).unwrap().connectors.insert(c);
        }
        for (i, t) in tasks.into_iter().enumerate() {
            sim.running.get_mut(&names[(first + i) % members]).unwrap().tasks.insert(t);
        }
        let before = sim.running.clone();
        let out = sim.round(&conf);
        prop_assert!(out.is_quiet() && out.delay == 0, "{:?}", out);
        prop_assert_eq!(&sim.running, &before);
        let out = sim.round(&conf);
        prop_assert!(out.is_quiet(), "{:?}", out);
    }

    /// A group that keeps changing: every round keeps the invariants (checked in `round`), and
    /// once the changes stop and the delays run out it converges as above.
    #[test]
    fn keeps_invariants_while_the_group_changes(
        (mut conf, members, owners, max_delay) in group(),
        events in proptest::collection::vec(event(), 1..25),
    ) {
        let mut sim = start(&conf, members, &owners, max_delay);
        sim.converge(&conf);
        let mut next_worker = members;
        let mut next_connector = 0;
        for e in events {
            match e {
                Event::Join => {
                    sim.join(&format!("w{next_worker}"));
                    next_worker += 1;
                }
                Event::Leave(i) => {
                    if sim.running.len() > 1 {
                        let m = sim.running.keys().nth(i % sim.running.len()).unwrap().clone();
                        sim.leave(&m);
                    }
                }
                Event::AddConnector(n) => {
                    conf.insert(format!("new{next_connector}"), n);
                    next_connector += 1;
                }
                Event::RemoveConnector(i) => {
                    if let Some(c) = conf.keys().nth(i % conf.len().max(1)).cloned() {
                        conf.remove(&c);
                    }
                }
                Event::SetTasks(i, n) => {
                    if let Some(c) = conf.keys().nth(i % conf.len().max(1)).cloned() {
                        conf.insert(c, n);
                    }
                }
                Event::Wait(ms) => sim.now += ms,
            }
            let out = sim.round(&conf);
            if out.delay > 0 {
                sim.now += i64::from(out.delay) / 2;
            }
        }
        sim.converge(&conf);
        check_converged(&sim, &conf);
        let out = sim.round(&conf);
        prop_assert!(out.is_quiet() && out.delay == 0, "{:?}", out);
    }
}
