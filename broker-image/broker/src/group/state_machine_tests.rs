//! Timing rules of the group state machine, driven with a fake clock: the initial rebalance
//! delay and its extension, session expiry moving a dead member's partitions to a rebalance,
//! pending members that never come back, and a leader that never sends its assignment.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::oneshot::error::TryRecvError;
use tokio::sync::oneshot::Receiver;

use super::config::GroupConfig;
use super::member::JoinOutcome;
use super::state_machine::{Group, GroupState, JoinParams, JoinReply, Reply};

fn params(member: &str, session_ms: i32) -> JoinParams {
    JoinParams {
        member_id: member.to_string(),
        instance_id: None,
        client_id: "c".into(),
        client_host: "/127.0.0.1".into(),
        session_timeout_ms: session_ms,
        rebalance_timeout_ms: 10_000,
        protocol_type: "consumer".into(),
        protocols: vec![("range".into(), Bytes::from_static(b"meta"))],
        require_known_member_id: false,
        supports_skip_assignment: true,
    }
}

fn cfg(delay_ms: i64) -> GroupConfig {
    GroupConfig {
        initial_rebalance_delay_ms: delay_ms,
        ..GroupConfig::default()
    }
}

fn waiting(reply: JoinReply) -> Receiver<JoinOutcome> {
    match reply {
        Reply::Wait(rx) => rx,
        Reply::Now(o) => panic!("expected to wait, got {o:?}"),
    }
}

fn answered(rx: &mut Receiver<JoinOutcome>) -> Option<JoinOutcome> {
    match rx.try_recv() {
        Ok(o) => Some(o),
        Err(TryRecvError::Empty) => None,
        Err(TryRecvError::Closed) => panic!("join dropped"),
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn initial_delay_waits_and_extends_for_new_members() {
    let cfg = cfg(3000);
    let t0 = Instant::now();
    let mut g = Group::new("g", 0);
    let mut a = waiting(g.join(params("", 10_000), &cfg, t0, 0));
    g.tick(&cfg, t0 + ms(2000), 0);
    assert!(answered(&mut a).is_none(), "the first member waits for the initial delay");
    let mut b = waiting(g.join(params("", 10_000), &cfg, t0 + ms(2500), 0));
    g.tick(&cfg, t0 + ms(3000), 0);
    assert!(answered(&mut a).is_none(), "a member joined during the delay: it is extended");
    g.tick(&cfg, t0 + ms(6000), 0);
    let (oa, ob) = (answered(&mut a).expect("a answered"), answered(&mut b).expect("b answered"));
    assert_eq!((oa.generation, ob.generation, g.state), (1, 1, GroupState::CompletingRebalance));
    assert_eq!(oa.leader, oa.member_id, "the first member leads");
    assert_eq!((oa.members.len(), ob.members.len()), (2, 0), "only the leader sees the members");
}

#[test]
fn a_dead_member_is_removed_after_its_session_timeout() {
    let cfg = cfg(0);
    let t0 = Instant::now();
    let mut g = Group::new("g", 0);
    let mut a = waiting(g.join(params("", 6000), &cfg, t0, 0));
    let mut b = waiting(g.join(params("", 6000), &cfg, t0, 0));
    // With no initial delay the join phase still ends on the timer (twice: b joined during it).
    g.tick(&cfg, t0, 0);
    g.tick(&cfg, t0, 0);
    let (oa, ob) = (answered(&mut a).unwrap(), answered(&mut b).unwrap());
    let assignments = vec![
        (oa.member_id.clone(), Bytes::from_static(b"A")),
        (ob.member_id.clone(), Bytes::from_static(b"B")),
    ];
    assert!(matches!(
        g.sync(&oa.member_id, None, 1, None, None, assignments, t0, 0),
        Reply::Wait(_)
    ));
    assert!(matches!(g.sync(&ob.member_id, None, 1, None, None, vec![], t0, 0), Reply::Now(_)));
    assert_eq!(g.state, GroupState::Stable);
    // b keeps heartbeating, a goes silent.
    for s in 1..=6 {
        assert_eq!(g.heartbeat(&ob.member_id, None, 1, t0 + ms(s * 1000)), 0);
        g.tick(&cfg, t0 + ms(s * 1000), 0);
    }
    assert_eq!(g.state, GroupState::PreparingRebalance, "a's session expired");
    assert_eq!(g.heartbeat(&ob.member_id, None, 1, t0 + ms(7100)), 27, "REBALANCE_IN_PROGRESS");
    let mut b2 = waiting(g.join(params(&ob.member_id, 6000), &cfg, t0 + ms(7200), 0));
    let o = answered(&mut b2).expect("b alone completes the rebalance");
    assert_eq!((o.generation, o.leader.as_str(), o.members.len()), (2, ob.member_id.as_str(), 1));
}

#[test]
fn a_member_id_handed_out_but_never_used_expires() {
    let cfg = cfg(0);
    let t0 = Instant::now();
    let mut g = Group::new("g", 0);
    let mut a = waiting(g.join(params("", 6000), &cfg, t0, 0));
    g.tick(&cfg, t0, 0);
    let oa = answered(&mut a).expect("generation 1");
    assert!(matches!(g.sync(&oa.member_id, None, 1, None, None, vec![], t0, 0), Reply::Wait(_)));
    // b is handed a member id (v4+) and never comes back; c joins, which starts a rebalance.
    let mut b = params("", 6000);
    b.require_known_member_id = true;
    let Reply::Now(required) = g.join(b, &cfg, t0, 0) else {
        panic!("MEMBER_ID_REQUIRED expected")
    };
    assert_eq!(required.error, 79);
    let mut c = waiting(g.join(params("", 6000), &cfg, t0 + ms(10), 0));
    let mut a2 = waiting(g.join(params(&oa.member_id, 6000), &cfg, t0 + ms(20), 0));
    g.tick(&cfg, t0 + ms(30), 0);
    assert!(answered(&mut c).is_none(), "the pending member holds the rebalance");
    g.tick(&cfg, t0 + ms(6001), 0);
    let o = answered(&mut a2).expect("the pending member expired");
    assert_eq!((o.generation, o.members.len()), (2, 2));
    assert!(answered(&mut c).is_some());
}

#[test]
fn a_leader_that_never_assigns_is_removed_after_the_rebalance_timeout() {
    let cfg = cfg(0);
    let t0 = Instant::now();
    let mut g = Group::new("g", 0);
    let mut a = waiting(g.join(params("", 30_000), &cfg, t0, 0));
    let mut b = waiting(g.join(params("", 30_000), &cfg, t0, 0));
    g.tick(&cfg, t0, 0);
    g.tick(&cfg, t0, 0);
    let (oa, ob) = (answered(&mut a).unwrap(), answered(&mut b).unwrap());
    let Reply::Wait(mut follower) = g.sync(&ob.member_id, None, 1, None, None, vec![], t0, 0) else {
        panic!("the follower waits for the leader")
    };
    g.tick(&cfg, t0 + ms(10_001), 0);
    let answer = follower.try_recv().expect("the follower is told to rejoin");
    assert_eq!(answer.error, 27, "REBALANCE_IN_PROGRESS");
    assert_eq!(g.state, GroupState::PreparingRebalance);
    assert_eq!(
        g.heartbeat(&oa.member_id, None, 1, t0 + ms(10_002)),
        25,
        "the silent leader is gone"
    );
}

#[test]
fn a_static_leader_that_rejoins_keeps_the_generation() {
    let cfg = cfg(0);
    let t0 = Instant::now();
    let mut g = Group::new("g", 0);
    let static_params = |version_9: bool| JoinParams {
        instance_id: Some("i-1".into()),
        supports_skip_assignment: version_9,
        ..params("", 30_000)
    };
    let mut a = waiting(g.join(static_params(true), &cfg, t0, 0));
    g.tick(&cfg, t0, 0);
    let first = answered(&mut a).expect("generation 1");
    assert!(matches!(
        g.sync(
            &first.member_id,
            Some("i-1"),
            1,
            None,
            None,
            vec![(first.member_id.clone(), Bytes::from_static(b"A"))],
            t0,
            0
        ),
        Reply::Wait(_)
    ));
    // Below v9 the restarted leader is told the old leader id, so it acts as a follower.
    let Reply::Now(old_version) = g.join(static_params(false), &cfg, t0 + ms(100), 0) else {
        panic!("no rebalance expected")
    };
    assert_eq!(
        (old_version.error, old_version.generation, old_version.skip_assignment),
        (0, 1, false)
    );
    assert_eq!(old_version.leader, first.member_id);
    assert_ne!(old_version.member_id, first.member_id);
    assert!(old_version.members.is_empty());
    // From v9 it is the leader, sees the members and skips assigning.
    let Reply::Now(v9) = g.join(static_params(true), &cfg, t0 + ms(200), 0) else {
        panic!("no rebalance expected")
    };
    assert_eq!((v9.generation, v9.skip_assignment, v9.members.len()), (1, true, 1));
    assert_eq!(v9.leader, v9.member_id);
    assert_eq!(g.state, GroupState::Stable);
}

/// Kafka rebalances for a returning static member only when the group's selected protocol would
/// change, not when its metadata bytes differ: a restarted Java consumer sends a subscription
/// with generation -1 where its previous incarnation sent the generation it had.
#[test]
fn a_static_member_with_new_metadata_for_the_same_protocol_keeps_the_generation() {
    let cfg = cfg(0);
    let t0 = Instant::now();
    let mut g = Group::new("g", 0);
    let with = |instance: &str, meta: &'static [u8], protocol: &str| JoinParams {
        instance_id: Some(instance.into()),
        protocols: vec![(protocol.into(), Bytes::from_static(meta))],
        ..params("", 30_000)
    };
    let mut a = waiting(g.join(with("i-1", b"gen-1", "range"), &cfg, t0, 0));
    let mut b = waiting(g.join(with("i-2", b"gen-1", "range"), &cfg, t0, 0));
    // With no initial delay the join phase still ends on the timer (twice: b joined during it).
    g.tick(&cfg, t0, 0);
    g.tick(&cfg, t0, 0);
    let (oa, ob) = (answered(&mut a).expect("a joined"), answered(&mut b).expect("b joined"));
    assert_eq!(oa.leader, oa.member_id, "the first member leads");
    let assignment = vec![
        (oa.member_id.clone(), Bytes::from_static(b"A")),
        (ob.member_id.clone(), Bytes::from_static(b"B")),
    ];
    let _ = g.sync(&oa.member_id, Some("i-1"), 1, None, None, assignment, t0, 0);
    let _ = g.sync(&ob.member_id, Some("i-2"), 1, None, None, vec![], t0, 0);
    assert_eq!(g.state, GroupState::Stable);
    // The follower restarts: same protocol, other metadata bytes. No rebalance.
    let Reply::Now(back) = g.join(with("i-2", b"fresh", "range"), &cfg, t0 + ms(100), 0) else {
        panic!("no rebalance expected for changed metadata of the same protocol")
    };
    assert_eq!((back.error, back.generation), (0, 1));
    assert_eq!(g.state, GroupState::Stable);
}
