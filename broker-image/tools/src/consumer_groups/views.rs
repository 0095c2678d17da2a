//! The three tables `--describe` prints, as Kafka's `printOffsets`, `printMembers` and
//! `printStates` print them: Kafka's columns, widths (at least 15, widened to the longest
//! value), placeholders (`-`) and padding, each line starting with a newline; and the notes
//! Kafka prints first for an empty, rebalancing or dead group.

use std::collections::BTreeMap;

use kaskade_client::{GroupMember, TopicPartition};

use super::errors::Failure;
use super::java::{jlen, left};
use super::output::Out;
use super::service::Described;
use super::states::state_name;

/// Kafka's placeholder for a missing value.
pub(super) const MISSING: &str = "-";

/// One row of the offsets view (`PartitionAssignmentState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OffsetRow {
    pub(super) topic: String,
    pub(super) partition: i32,
    pub(super) leader_epoch: Option<i32>,
    pub(super) offset: Option<i64>,
    pub(super) log_end: Option<i64>,
    pub(super) lag: Option<i64>,
    pub(super) consumer_id: String,
    pub(super) host: String,
    pub(super) client_id: String,
}

pub(super) fn show<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| MISSING.to_string())
}

/// Kafka's `shouldPrintMemberState`: the note for the group's state (an error for a dead one,
/// stderr notes for an empty or rebalancing one), and whether there is anything to print.
pub(super) fn should_print(out: &mut Out, group: &str, state: &str, rows: usize) -> Result<bool, Failure> {
    let state = state_name(state);
    match state {
        "Dead" => out.error(&format!("Consumer group '{group}' does not exist.")),
        "Empty" => out.eprintln(&format!("\nConsumer group '{group}' has no active members.")),
        "PreparingRebalance" | "CompletingRebalance" | "Assigning" | "Reconciling" => {
            out.eprintln(&format!("\nWarning: Consumer group '{group}' is rebalancing."))
        }
        "Stable" => {}
        other => {
            return Err(Failure::Runtime(format!(
                "Expected a valid consumer group state, but found '{other}'."
            )))
        }
    }
    Ok(state != "Dead" && rows > 0)
}

pub(super) fn print_offsets(out: &mut Out, group: &str, state: &str, rows: &[OffsetRow], verbose: bool) -> Result<(), Failure> {
    if !should_print(out, group, state, rows.len())? {
        return Ok(());
    }
    out.print(&offsets_table(group, rows, verbose));
    Ok(())
}

/// The offsets table: each line starts with a newline, and one ends the table.
fn offsets_table(group: &str, rows: &[OffsetRow], verbose: bool) -> String {
    let g = rows.iter().map(|_| jlen(group)).fold(15, usize::max);
    let t = rows.iter().map(|r| jlen(&r.topic)).fold(15, usize::max);
    let c = rows.iter().map(|r| jlen(&r.consumer_id)).fold(15, usize::max);
    let h = rows.iter().map(|r| jlen(&r.host)).fold(15, usize::max);
    let line = |cells: &[&str]| {
        let (fixed, tail) = cells.split_at(cells.len() - 3);
        let mut s = format!("\n{} {} {}", left(fixed[0], g), left(fixed[1], t), left(fixed[2], 10));
        for cell in &fixed[3..] {
            s.push(' ');
            s.push_str(&left(cell, 15));
        }
        s.push_str(&format!(" {} {} {}", left(tail[0], c), left(tail[1], h), tail[2]));
        s
    };
    let mut text = if verbose {
        line(&[
            "GROUP",
            "TOPIC",
            "PARTITION",
            "LEADER-EPOCH",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID",
        ])
    } else {
        line(&[
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID",
        ])
    };
    for r in rows {
        let (partition, epoch, offset, end, lag) = (
            r.partition.to_string(),
            show(r.leader_epoch),
            show(r.offset),
            show(r.log_end),
            show(r.lag),
        );
        let mut cells = vec![group, &r.topic, &partition];
        if verbose {
            cells.push(&epoch);
        }
        cells.extend([offset.as_str(), &end, &lag, &r.consumer_id, &r.host, &r.client_id]);
        text.push_str(&line(&cells));
    }
    text.push('\n');
    text
}

/// Kafka's `getAssignmentString`: `topic:p,p` per topic (partitions sorted), topics sorted,
/// joined by `;`; `-` when empty.
fn assignment_string(partitions: &[TopicPartition]) -> String {
    if partitions.is_empty() {
        return MISSING.to_string();
    }
    let mut by_topic: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for tp in partitions {
        by_topic.entry(&tp.topic).or_default().push(tp.partition);
    }
    let mut parts: Vec<String> = by_topic
        .into_iter()
        .map(|(topic, mut ps)| {
            ps.sort_unstable();
            format!("{topic}:{}", ps.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
        })
        .collect();
    parts.sort();
    parts.join(";")
}

pub(super) fn print_members(out: &mut Out, d: &Described, verbose: bool) -> Result<(), Failure> {
    let group = &d.group.group_id;
    let members = &d.group.members;
    let measure = should_print(out, group, &d.group.state, members.len())?;
    out.print(&members_table(group, members, d.group.assignment_epoch, verbose, measure));
    Ok(())
}

/// Kafka's `printMembers`: the header always (columns widened to the members only when the group
/// has something to print), a GROUP-INSTANCE-ID column when any member has one, the epochs and
/// assignments with `--verbose`, and UPGRADED when classic and new-protocol members mix.
fn members_table(group: &str, members: &[GroupMember], target_epoch: Option<i32>, verbose: bool, measure: bool) -> String {
    let (mut g, mut c, mut gi, mut h, mut cl, mut cur, mut tgt) = (15, 15, 17, 15, 15, 20, 20);
    let mut with_instance = false;
    let (mut classic, mut upgraded) = (false, false);
    let instance = |m: &GroupMember| m.instance_id.clone().unwrap_or_default();
    let target = |m: &GroupMember| m.target_assignment.clone().unwrap_or_default();
    if measure {
        for m in members {
            g = g.max(jlen(group));
            c = c.max(jlen(&m.member_id));
            gi = gi.max(jlen(&instance(m)));
            h = h.max(jlen(&m.client_host));
            cl = cl.max(jlen(&m.client_id));
            with_instance |= !instance(m).is_empty();
            cur = cur.max(jlen(&assignment_string(&m.assignment)));
            tgt = tgt.max(jlen(&assignment_string(&target(m))));
            classic |= m.upgraded == Some(false);
            upgraded |= m.upgraded == Some(true);
        }
    }
    let migrating = classic && upgraded;
    let head = |cells: [&str; 6]| {
        let mut s = format!("{} {} ", left(cells[0], g), left(cells[1], c));
        if with_instance {
            s.push_str(&left(cells[2], gi));
            s.push(' ');
        }
        s.push_str(&format!("{} {} {} ", left(cells[3], h), left(cells[4], cl), left(cells[5], 15)));
        s
    };
    let tail = |cells: [&str; 5]| {
        let mut s = format!(
            "{} {} {} {}",
            left(cells[0], 15),
            left(cells[1], cur),
            left(cells[2], 15),
            left(cells[3], tgt)
        );
        if migrating {
            s.push(' ');
            s.push_str(cells[4]);
        }
        s
    };
    let mut text = String::from("\n");
    text.push_str(&head([
        "GROUP",
        "CONSUMER-ID",
        "GROUP-INSTANCE-ID",
        "HOST",
        "CLIENT-ID",
        "#PARTITIONS",
    ]));
    if verbose {
        text.push_str(&tail([
            "CURRENT-EPOCH",
            "CURRENT-ASSIGNMENT",
            "TARGET-EPOCH",
            "TARGET-ASSIGNMENT",
            "UPGRADED",
        ]));
    }
    text.push('\n');
    for m in members {
        let count = m.assignment.len().to_string();
        text.push_str(&head([group, &m.member_id, &instance(m), &m.client_host, &m.client_id, &count]));
        if verbose {
            text.push_str(&tail([
                &show(m.member_epoch),
                &assignment_string(&m.assignment),
                &show(target_epoch),
                &assignment_string(&target(m)),
                &show(m.upgraded),
            ]));
        }
        text.push('\n');
    }
    text
}

pub(super) fn print_state(out: &mut Out, d: &Described, verbose: bool) -> Result<(), Failure> {
    if should_print(out, &d.group.group_id, &d.group.state, 1)? {
        out.print(&state_table(d, verbose));
    }
    Ok(())
}

/// Kafka's `printStates`: coordinator as `host:port  (id)`, the assignor (`-` when none).
fn state_table(d: &Described, verbose: bool) -> String {
    let group = &d.group.group_id;
    let coordinator = format!("{}:{}  ({})", d.coordinator.host, d.coordinator.port, d.coordinator.node_id);
    let cw = jlen(&coordinator).max(25);
    let gw = jlen(group).max(15);
    let assignor = if d.group.assignor.is_empty() { MISSING } else { &d.group.assignor };
    let state = state_name(&d.group.state);
    let members = d.group.members.len().to_string();
    let line = |cells: &[&str]| {
        let mut s = format!(
            "\n{} {} {} {}",
            left(cells[0], gw),
            left(cells[1], cw),
            left(cells[2], 20),
            left(cells[3], 20)
        );
        if verbose {
            s.push_str(&format!(" {} {}", left(cells[4], 15), left(cells[5], 25)));
        }
        s.push(' ');
        s.push_str(cells[6]);
        s
    };
    let (epoch, target) = (show(d.group.group_epoch), show(d.group.assignment_epoch));
    let mut text = line(&[
        "GROUP",
        "COORDINATOR (ID)",
        "ASSIGNMENT-STRATEGY",
        "STATE",
        "GROUP-EPOCH",
        "TARGET-ASSIGNMENT-EPOCH",
        "#MEMBERS",
    ]);
    text.push_str(&line(&[group, &coordinator, assignor, state, &epoch, &target, &members]));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaskade_client::{BrokerNode, GroupDescription, GroupProtocol};

    fn row(partition: i32, offset: i64, end: i64, who: &str) -> OffsetRow {
        OffsetRow {
            topic: "orders".into(),
            partition,
            leader_epoch: (partition == 0).then_some(0),
            offset: Some(offset),
            log_end: Some(end),
            lag: Some(end - offset),
            consumer_id: who.into(),
            host: if who == "-" { "-".into() } else { "/127.0.0.1".into() },
            client_id: if who == "-" { "-".into() } else { "cli-1".into() },
        }
    }

    /// Byte for byte what Kafka 4.4 printed against a real broker.
    #[test]
    fn offsets_tables_are_kafkas() {
        assert_eq!(
            offsets_table("billing", &[row(0, 10, 10, "-"), row(1, 0, 3, "-")], false),
            "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n\
             billing         orders          0          10              10              0               -               -               -\n\
             billing         orders          1          0               3               3               -               -               -\n"
        );
        let mut r1 = row(1, 0, 3, "-");
        r1.leader_epoch = None;
        assert_eq!(
            offsets_table("billing", &[row(0, 10, 10, "-"), r1], true),
            "\nGROUP           TOPIC           PARTITION  LEADER-EPOCH    CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n\
             billing         orders          0          0               10              10              0               -               -               -\n\
             billing         orders          1          -               0               3               3               -               -               -\n"
        );
        let id = "cli-1-ad50b629-5c2b-4099-a19e-b87549431399";
        assert_eq!(
            offsets_table("live", &[row(0, 10, 10, id)], false),
            format!(
                "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                HOST            CLIENT-ID\n\
                 live            orders          0          10              10              0               {id} /127.0.0.1      cli-1\n"
            )
        );
    }

    fn live() -> Described {
        Described {
            coordinator: BrokerNode {
                node_id: 1,
                host: "127.0.0.1".into(),
                port: 59927,
                rack: None,
            },
            group: GroupDescription {
                group_id: "live".into(),
                error_code: 0,
                error_message: None,
                protocol: GroupProtocol::Classic,
                state: "Stable".into(),
                protocol_type: "consumer".into(),
                assignor: "range".into(),
                members: vec![GroupMember {
                    member_id: "cli-1-ad50b629-5c2b-4099-a19e-b87549431399".into(),
                    client_id: "cli-1".into(),
                    client_host: "/127.0.0.1".into(),
                    assignment: vec![TopicPartition::new("orders", 1), TopicPartition::new("orders", 0)],
                    ..GroupMember::default()
                }],
                group_epoch: None,
                assignment_epoch: None,
            },
        }
    }

    #[test]
    fn members_tables_are_kafkas() {
        let d = live();
        assert_eq!(
            members_table("live", &d.group.members, None, false, true),
            "\nGROUP           CONSUMER-ID                                HOST            CLIENT-ID       #PARTITIONS     \n\
             live            cli-1-ad50b629-5c2b-4099-a19e-b87549431399 /127.0.0.1      cli-1           2               \n"
        );
        assert_eq!(
            members_table("live", &d.group.members, None, true, true),
            "\nGROUP           CONSUMER-ID                                HOST            CLIENT-ID       #PARTITIONS     CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT   \n\
             live            cli-1-ad50b629-5c2b-4099-a19e-b87549431399 /127.0.0.1      cli-1           2               -               orders:0,1           -               -                   \n"
        );
        assert_eq!(
            members_table("billing", &[], None, false, false),
            "\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     \n"
        );
    }

    #[test]
    fn state_tables_are_kafkas() {
        let mut d = live();
        assert_eq!(
            state_table(&d, false),
            "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\n\
             live            127.0.0.1:59927  (1)      range                Stable               1\n"
        );
        d.group.assignor = String::new();
        d.group.state = "Empty".into();
        d.group.members.clear();
        assert_eq!(
            state_table(&d, true),
            "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                GROUP-EPOCH     TARGET-ASSIGNMENT-EPOCH   #MEMBERS\n\
             live            127.0.0.1:59927  (1)      -                    Empty                -               -                         0\n"
        );
    }

    #[test]
    fn assignments_print_grouped_and_sorted() {
        let tps = [
            TopicPartition::new("b", 3),
            TopicPartition::new("a", 10),
            TopicPartition::new("b", 1),
            TopicPartition::new("a", 2),
        ];
        assert_eq!(assignment_string(&tps), "a:2,10;b:1,3");
        assert_eq!(assignment_string(&[]), "-");
    }

    #[test]
    fn state_notes_are_kafkas() {
        let mut out = Out::default();
        assert_eq!(should_print(&mut out, "g", "Empty", 2), Ok(true));
        assert_eq!(should_print(&mut out, "g", "Stable", 0), Ok(false));
        assert_eq!(should_print(&mut out, "g", "PreparingRebalance", 1), Ok(true));
        assert_eq!(should_print(&mut out, "g", "Dead", 1), Ok(false));
        assert_eq!(
            out.stderr,
            "\nConsumer group 'g' has no active members.\n\nWarning: Consumer group 'g' is rebalancing.\n"
        );
        assert_eq!(out.stdout, "\nError: Consumer group 'g' does not exist.\n");
        assert_eq!(
            should_print(&mut out, "g", "whatever", 1),
            Err(Failure::Runtime(
                "Expected a valid consumer group state, but found 'Unknown'.".into()
            ))
        );
    }
}
