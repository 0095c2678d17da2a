//! Consumer groups as users see them, with four independent client implementations: the Java
//! client (`e2e/interop/java/GroupConsumer.java`), kafka-python, kafkajs (the programs beside it)
//! and librdkafka (the `rdkafka` crate, in process). Each scenario asserts what a user notices:
//! every partition owned by exactly one member, every record read once, committed offsets
//! visible through OffsetFetch, a new member resuming where the group left off, a killed member's
//! partitions moving to the survivors after the session timeout, a static member getting its
//! partitions back without a rebalance, and consumers carrying on across a broker restart.
//!
//! By default each test starts `kaskade broker`. With `KASKADE_GROUPS_KAFKA=host:port` the tests
//! run against that broker instead (Apache Kafka 4.4 from `e2e/peers/kafka/start.sh`: the
//! reference behaviour), on uniquely named topics and groups; the broker-restart test needs a
//! broker it can restart and is skipped there. Scenarios run one at a time: each starts several
//! JVMs or interpreters and two cores are shared.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kaskade_testkit::clients::create_topic;
use kaskade_testkit::groups::{
    committed, end_offsets, produce, stop_in_turn, unique, wait_committed, wait_records, wait_settled, Client, Member, Opts, Restart,
    Target,
};

/// Members starting (JVMs, on two busy cores) and joining through Kafka's 3 s initial delay.
const SETTLE: Duration = Duration::from_secs(120);
const READ: Duration = Duration::from_secs(90);
const COMMIT: Duration = Duration::from_secs(30);
const PARTITIONS: i32 = 6;

/// One scenario at a time (an async mutex: the guard lives across awaits, each test has its own runtime).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

type Produced = BTreeMap<i32, Vec<(i64, String)>>;

fn flat(p: &Produced) -> BTreeSet<(i32, i64, String)> {
    p.iter()
        .flat_map(|(part, v)| v.iter().map(move |(o, s)| (*part, *o, s.clone())))
        .collect()
}

/// Every record of `want` was read exactly once across `members`, by the member owning its
/// partition in `owners` (when given); nothing else was read after `since[i]` records of member i.
fn assert_read_once(members: &[&Member], since: &[usize], want: &Produced, owners: Option<&[BTreeSet<i32>]>) {
    let want = flat(want);
    let mut seen: BTreeMap<(i32, i64), Vec<String>> = BTreeMap::new();
    let mut got = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        for (p, o, v) in m.records().into_iter().skip(since[i]) {
            if let Some(own) = owners {
                assert!(own[i].contains(&p), "{} read {p}/{o} ({v}) but owns {:?}", m.name, own[i]);
            }
            seen.entry((p, o)).or_default().push(m.name.clone());
            got.insert((p, o, v));
        }
    }
    let dups: Vec<_> = seen.iter().filter(|(_, w)| w.len() > 1).collect();
    assert!(dups.is_empty(), "records read more than once: {dups:?}");
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}\nunexpected {extra:?}");
}

fn start(client: Client, name: &str, b: &str, topic: &str, group: &str, opts: &Opts) -> Member {
    Member::start(client, &format!("{}-{name}", client.name()), b, topic, group, opts)
}

fn assert_ok(summary: &str, m: &Member) {
    assert!(
        summary.starts_with("OK ") && summary.contains("failed=0"),
        "{}: {summary}\nstderr:\n{}",
        m.name,
        m.stderr_tail()
    );
}

/// A new member of `group` reads exactly the records produced since the last commit (`fresh`),
/// stops after them and commits: the group resumes from its committed offsets.
async fn assert_resumes(client: Client, b: &str, topic: &str, group: &str, opts: &Opts, fresh: &Produced) {
    let n: usize = fresh.values().map(|v| v.len()).sum();
    let opts = Opts {
        max_records: Some(n as u64),
        ..opts.clone()
    };
    let mut m = start(client, "resume", b, topic, group, &opts);
    let summary = m.wait_exit(READ + SETTLE);
    assert_ok(&summary, &m);
    assert_read_once(&[&m], &[0], fresh, None);
    wait_committed(b, group, topic, &end_offsets(b, topic, PARTITIONS), COMMIT);
}

/// Join, consume all, commit, resume: two members settle, a third joins (checking eager versus
/// cooperative revocation), all records are read once by their partition's owner, the commits
/// are visible while the members run, the members stop cleanly, and a new member resumes.
async fn join_consume_commit_resume(client: Client, assignor: &'static str, commit: &'static str) {
    let _serial = serial().await;
    let target = Target::start();
    let b = target.bootstrap();
    let topic = unique(&format!("groups-{}-{assignor}", client.name()));
    let group = unique(&format!("g-{}-{assignor}-{commit}", client.name()));
    create_topic(&b, &topic, PARTITIONS, &[]).await;
    let opts = Opts {
        assignor,
        commit,
        ..Opts::default()
    };

    let mut m1 = start(client, "m1", &b, &topic, &group, &opts);
    let mut m2 = start(client, "m2", &b, &topic, &group, &opts);
    wait_settled(&[&m1, &m2], PARTITIONS, SETTLE);
    let mut m3 = start(client, "m3", &b, &topic, &group, &opts);
    let t = Instant::now();
    let sets = wait_settled(&[&m1, &m2, &m3], PARTITIONS, SETTLE);
    eprintln!("{} {assignor}: third member settled in {:?}: {sets:?}", client.name(), t.elapsed());
    for (m, s) in [&m1, &m2, &m3].iter().zip(&sets) {
        assert_eq!(s.len(), 2, "{} owns {s:?}: 6 partitions over 3 members are 2 each", m.name);
    }
    if assignor == "range" {
        let mut got: Vec<Vec<i32>> = sets.iter().map(|s| s.iter().copied().collect()).collect();
        got.sort();
        assert_eq!(got, vec![vec![0, 1], vec![2, 3], vec![4, 5]], "range assigns contiguous ranges");
    }
    if client != Client::Kafkajs {
        // Eager protocols give up everything at each rebalance (and get some back); the
        // cooperative one gives up only what moves.
        let kept_but_revoked: Vec<(String, BTreeSet<i32>)> = [&m1, &m2]
            .iter()
            .zip(&sets)
            .map(|(m, now)| {
                let r: BTreeSet<i32> = m.with(|s| s.revoked.iter().flat_map(|(r, _)| r.clone()).collect());
                (m.name.clone(), r.intersection(now).copied().collect())
            })
            .collect();
        if assignor == "cooperative-sticky" {
            assert!(
                kept_but_revoked.iter().all(|(_, r)| r.is_empty()),
                "cooperative: no member revokes a partition it keeps: {kept_but_revoked:?}"
            );
        } else {
            assert!(
                kept_but_revoked.iter().any(|(_, r)| !r.is_empty()),
                "eager ({assignor}): members revoke all they own at a rebalance: {kept_but_revoked:?}"
            );
        }
    }

    let a = produce(&b, &topic, PARTITIONS, "a", 20).await;
    wait_records(&[&m1, &m2, &m3], 20 * PARTITIONS as usize, READ);
    // Commits visible through OffsetFetch while the members still run (commitAsync included).
    wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
    assert_read_once(&[&m1, &m2, &m3], &[0, 0, 0], &a, Some(&sets));
    let summaries = stop_in_turn(&mut [&mut m1, &mut m2, &mut m3], PARTITIONS, SETTLE);
    for (m, s) in [&m1, &m2, &m3].into_iter().zip(summaries) {
        assert_ok(&s, m);
        assert_eq!(m.with(|s| s.commit_failures), 0, "{}: commit failures", m.name);
    }
    assert_eq!(committed(&b, &group, &topic, PARTITIONS), end_offsets(&b, &topic, PARTITIONS));

    let fresh = produce(&b, &topic, PARTITIONS, "b", 5).await;
    assert_resumes(client, &b, &topic, &group, &opts, &fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_range_commit_sync() {
    join_consume_commit_resume(Client::Java, "range", "sync").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_cooperative_sticky_commit_async() {
    join_consume_commit_resume(Client::Java, "cooperative-sticky", "async").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_sticky_auto_commit() {
    join_consume_commit_resume(Client::Java, "sticky", "auto").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_roundrobin_commit_sync() {
    join_consume_commit_resume(Client::Java, "roundrobin", "sync").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_python_range_commit_sync() {
    join_consume_commit_resume(Client::KafkaPython, "range", "sync").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_python_cooperative_sticky_commit_async() {
    join_consume_commit_resume(Client::KafkaPython, "cooperative-sticky", "async").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafkajs_roundrobin_commit_sync() {
    join_consume_commit_resume(Client::Kafkajs, "roundrobin", "sync").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rdkafka_range_commit_sync() {
    join_consume_commit_resume(Client::Rdkafka, "range", "sync").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rdkafka_cooperative_sticky_commit_async() {
    join_consume_commit_resume(Client::Rdkafka, "cooperative-sticky", "async").await;
}

/// A member SIGKILLed (no LeaveGroup, no commit) loses its partitions to the survivors once its
/// session times out, not before; they continue from its committed offsets.
async fn killed_member_partitions_move(client: Client) {
    let _serial = serial().await;
    let target = Target::start();
    let b = target.bootstrap();
    let topic = unique(&format!("groups-kill-{}", client.name()));
    let group = unique(&format!("g-kill-{}", client.name()));
    create_topic(&b, &topic, PARTITIONS, &[]).await;
    let opts = Opts {
        session_timeout_ms: Some(6000), // Kafka's group.min.session.timeout.ms
        heartbeat_interval_ms: Some(1000),
        ..Opts::default()
    };
    let mut m1 = start(client, "m1", &b, &topic, &group, &opts);
    let mut m2 = start(client, "m2", &b, &topic, &group, &opts);
    let mut m3 = start(client, "m3", &b, &topic, &group, &opts);
    let sets = wait_settled(&[&m1, &m2, &m3], PARTITIONS, SETTLE);
    let a = produce(&b, &topic, PARTITIONS, "a", 10).await;
    wait_records(&[&m1, &m2, &m3], 10 * PARTITIONS as usize, READ);
    wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
    assert_read_once(&[&m1, &m2, &m3], &[0, 0, 0], &a, Some(&sets));

    let victim = sets[1].clone();
    let t = Instant::now();
    m2.kill9();
    let since = [m1.records().len(), m3.records().len()];
    let after = wait_settled(&[&m1, &m3], PARTITIONS, Duration::from_secs(60));
    let moved_in = t.elapsed();
    eprintln!(
        "{}: partitions {victim:?} of the killed member moved after {moved_in:?}: {after:?}",
        client.name()
    );
    assert!(
        moved_in >= Duration::from_secs(4),
        "the killed member's partitions moved after {moved_in:?}, before its 6 s session could time out"
    );
    let fresh = produce(&b, &topic, PARTITIONS, "b", 10).await;
    wait_records(&[&m1, &m3], since.iter().sum::<usize>() + 10 * PARTITIONS as usize, READ);
    wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
    assert_read_once(&[&m1, &m3], &since, &fresh, Some(&after));
    let summaries = stop_in_turn(&mut [&mut m1, &mut m3], PARTITIONS, SETTLE);
    for (m, s) in [&m1, &m3].into_iter().zip(summaries) {
        assert_ok(&s, m);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_killed_member_partitions_move_after_session_timeout() {
    killed_member_partitions_move(Client::Java).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_python_killed_member_partitions_move_after_session_timeout() {
    killed_member_partitions_move(Client::KafkaPython).await;
}

/// A static member (group.instance.id) that stops (a static member's close sends no LeaveGroup)
/// and comes back within its session timeout gets the same partitions at the same generation,
/// the others see no rebalance, and it reads what was produced meanwhile from its committed offsets.
async fn static_member_restart(client: Client) {
    let _serial = serial().await;
    let target = Target::start();
    let b = target.bootstrap();
    let topic = unique(&format!("groups-static-{}", client.name()));
    let group = unique(&format!("g-static-{}", client.name()));
    create_topic(&b, &topic, PARTITIONS, &[]).await;
    let opts = |id: &str| Opts {
        instance_id: Some(format!("{group}-{id}")),
        session_timeout_ms: Some(60_000),
        ..Opts::default()
    };
    let m1 = start(client, "s1", &b, &topic, &group, &opts("s1"));
    let mut m2 = start(client, "s2", &b, &topic, &group, &opts("s2"));
    // s1 and s2 settle first, so s2 rejoins for s3's generation: its stored subscription then
    // carries generation 1 (and what it owned), and its restarted self's (generation -1, owning
    // nothing) differs in its bytes, which must not cause a rebalance (Kafka compares only the
    // selected protocol).
    wait_settled(&[&m1, &m2], PARTITIONS, SETTLE);
    let m3 = start(client, "s3", &b, &topic, &group, &opts("s3"));
    let sets = wait_settled(&[&m1, &m2, &m3], PARTITIONS, SETTLE);
    let a = produce(&b, &topic, PARTITIONS, "a", 10).await;
    wait_records(&[&m1, &m2, &m3], 10 * PARTITIONS as usize, READ);
    wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
    assert_read_once(&[&m1, &m2, &m3], &[0, 0, 0], &a, Some(&sets));
    // What the others have seen of the group so far.
    let others_before: Vec<(usize, usize, i32)> = [&m1, &m3]
        .iter()
        .map(|m| m.with(|s| (s.assignments.len(), s.revoked.len(), s.generation)))
        .collect();
    let gen_before = m2.with(|s| s.generation);

    let t = Instant::now();
    let s = m2.stop();
    assert_ok(&s, &m2);
    let since = [m1.records().len(), m3.records().len()];
    let b_recs = produce(&b, &topic, PARTITIONS, "b", 10).await;
    let (others_b, s2_b): (Produced, Produced) = b_recs.clone().into_iter().partition(|(p, _)| !sets[1].contains(p));
    wait_records(
        &[&m1, &m3],
        since.iter().sum::<usize>() + 10 * (PARTITIONS as usize - sets[1].len()),
        READ,
    );

    let m2b = start(client, "s2-again", &b, &topic, &group, &opts("s2"));
    let back = wait_settled(&[&m1, &m2b, &m3], PARTITIONS, Duration::from_secs(60));
    eprintln!("{}: static member back after {:?} with {:?}", client.name(), t.elapsed(), back[1]);
    assert!(t.elapsed() < Duration::from_secs(60), "restarted within the 60 s session timeout");
    assert_eq!(back[1], sets[1], "the static member gets its partitions back");
    let gen_after = m2b.with(|s| s.generation);
    if client == Client::Java || client == Client::KafkaPython {
        assert_eq!(gen_after, gen_before, "same generation: no rebalance");
    }
    wait_records(&[&m2b], 10 * sets[1].len(), READ);
    assert_read_once(&[&m2b], &[0], &s2_b, Some(&back[1..2]));
    assert_read_once(&[&m1, &m3], &since, &others_b, Some(&[sets[0].clone(), sets[2].clone()]));
    wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
    let others_after: Vec<(usize, usize, i32)> = [&m1, &m3]
        .iter()
        .map(|m| m.with(|s| (s.assignments.len(), s.revoked.len(), s.generation)))
        .collect();
    assert_eq!(
        others_after, others_before,
        "the other members saw no rebalance (assignments, revocations, generation)"
    );
    drop(m2b);
    drop(m1);
    drop(m3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_static_member_restart_keeps_partitions_without_rebalance() {
    static_member_restart(Client::Java).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_python_static_member_restart_keeps_partitions_without_rebalance() {
    static_member_restart(Client::KafkaPython).await;
}

/// The broker is SIGKILLed and restarted on the same log dir while two Java members run: they
/// carry on, read what is produced after the restart, and nothing committed before is read again.
/// Then the same after a clean SIGTERM stop. Needs a broker the test can restart: with
/// `KASKADE_GROUPS_KAFKA` it also needs `KASKADE_GROUPS_KAFKA_DIR`, or it is skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn java_members_resume_from_committed_offsets_across_broker_restart() {
    let _serial = serial().await;
    let mut target = Target::start();
    if !target.can_restart() {
        eprintln!("skipped: KASKADE_GROUPS_KAFKA is set without KASKADE_GROUPS_KAFKA_DIR: no broker to restart");
        return;
    }
    let b = target.bootstrap();
    let topic = unique("groups-restart");
    let group = unique("g-restart");
    create_topic(&b, &topic, PARTITIONS, &[]).await;
    let opts = Opts::default();
    let mut m1 = start(Client::Java, "m1", &b, &topic, &group, &opts);
    let mut m2 = start(Client::Java, "m2", &b, &topic, &group, &opts);
    wait_settled(&[&m1, &m2], PARTITIONS, SETTLE);
    let mut all = Produced::new();
    for (round, how) in [("a", Restart::Kill9), ("b", Restart::Terminate)] {
        let recs = produce(&b, &topic, PARTITIONS, round, 10).await;
        for (p, v) in recs {
            all.entry(p).or_default().extend(v);
        }
        let n: usize = all.values().map(|v| v.len()).sum();
        wait_records(&[&m1, &m2], n, READ);
        wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
        let t = Instant::now();
        target.restart(how);
        eprintln!("broker restarted ({how:?}) in {:?}", t.elapsed());
        assert_eq!(
            committed(&b, &group, &topic, PARTITIONS),
            end_offsets(&b, &topic, PARTITIONS),
            "commits survive the restart"
        );
    }
    let recs = produce(&b, &topic, PARTITIONS, "c", 10).await;
    for (p, v) in recs {
        all.entry(p).or_default().extend(v);
    }
    let n: usize = all.values().map(|v| v.len()).sum();
    wait_records(&[&m1, &m2], n, READ);
    wait_committed(&b, &group, &topic, &end_offsets(&b, &topic, PARTITIONS), COMMIT);
    assert_read_once(&[&m1, &m2], &[0, 0], &all, None);
    let summaries = stop_in_turn(&mut [&mut m1, &mut m2], PARTITIONS, SETTLE);
    for (m, s) in [&m1, &m2].into_iter().zip(summaries) {
        assert_ok(&s, m);
    }
    let fresh = produce(&b, &topic, PARTITIONS, "d", 5).await;
    assert_resumes(Client::Java, &b, &topic, &group, &opts, &fresh).await;
}
