//! Reset plans as Kafka's tool writes and reads them: the GROUP TOPIC PARTITION NEW-OFFSET
//! table (`printOffsetsToReset`), the `--export` CSV (Jackson's CSV writer, quoting included),
//! and the `--from-file` CSV (`topic,partition,offset` for one group, or
//! `group,topic,partition,offset`).

use std::collections::BTreeMap;

use kaskade_client::TopicPartition;

use super::errors::Failure;
use super::java::{jlen, left};

/// A plan: new offsets per partition, in Kafka's print order.
pub(super) type Plan = Vec<(TopicPartition, i64)>;

/// Reads a `--from-file` plan: `topic,partition,offset` lines when one group is given and the
/// first line has that shape, otherwise `group,topic,partition,offset` lines.
pub(super) fn read_plan(path: &str, groups: &[String]) -> Result<BTreeMap<String, Vec<(TopicPartition, i64)>>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::Runtime(format!("java.nio.file.NoSuchFileException: {path}")),
        _ => Failure::Runtime(format!("java.io.IOException: {path}: {e}")),
    })?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    while lines.last() == Some(&"") {
        lines.pop();
    }
    let fields = |line: &str| line.split(',').map(str::trim).map(str::to_string).collect::<Vec<_>>();
    let numbers = |p: &str, o: &str| Some((p.parse::<i32>().ok()?, o.parse::<i64>().ok()?));
    let old_format = lines.first().is_some_and(|l| {
        let f = fields(l);
        f.len() == 3 && numbers(&f[1], &f[2]).is_some()
    });
    let mut plan: BTreeMap<String, Vec<(TopicPartition, i64)>> = BTreeMap::new();
    for line in lines {
        let f = fields(line);
        let bad = || Failure::Runtime(format!("java.lang.RuntimeException: invalid reset plan line '{line}' in {path}"));
        let (group, topic, p, o) = match (groups, old_format, f.as_slice()) {
            ([group], true, [topic, p, o]) => (group.clone(), topic.clone(), p, o),
            (_, _, [group, topic, p, o]) => (group.clone(), topic.clone(), p, o),
            _ => return Err(bad()),
        };
        let (p, o) = numbers(p, o).ok_or_else(bad)?;
        let entries = plan.entry(group).or_default();
        let tp = TopicPartition::new(topic, p);
        entries.retain(|(t, _)| *t != tp);
        entries.push((tp, o));
    }
    Ok(plan)
}

/// Kafka's `printOffsetsToReset`: GROUP TOPIC PARTITION NEW-OFFSET (a header only when some
/// group was considered), each line starting with a newline, one ending the table.
pub(super) fn plan_table(plans: &[(String, Plan)]) -> String {
    let g = plans.iter().map(|(group, _)| jlen(group)).fold(15, usize::max);
    let t = plans
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(tp, _)| jlen(&tp.topic)))
        .fold(15, usize::max);
    let line = |group: &str, topic: &str, partition: &str, offset: &str| {
        format!("\n{} {} {} {offset}", left(group, g), left(topic, t), left(partition, 10))
    };
    let mut text = String::new();
    if !plans.is_empty() {
        text.push_str(&line("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"));
    }
    for (group, plan) in plans {
        for (tp, offset) in plan {
            text.push_str(&line(group, &tp.topic, &tp.partition.to_string(), &offset.to_string()));
        }
    }
    text.push('\n');
    text
}

/// A CSV field as Kafka's Jackson CSV writer writes it: quoted when longer than 24 characters
/// (Jackson does not scan longer strings) or holding a character below `-` (the separator,
/// quote, line breaks, spaces, …) or a backslash; quotes inside are doubled.
fn csv_field(s: &str) -> String {
    if jlen(s) > 24 || s.chars().any(|c| c < '-' || c == '\\') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `--export`: `topic,partition,offset` lines for one `--group`, `group,topic,partition,offset`
/// otherwise (Kafka prints the result with `println`, so an empty line ends it).
pub(super) fn export_csv(plans: &[(String, Plan)], single_group: bool) -> String {
    let mut text = String::new();
    for (group, plan) in plans {
        for (tp, offset) in plan {
            if !single_group {
                text.push_str(&csv_field(group));
                text.push(',');
            }
            text.push_str(&format!("{},{},{offset}\n", csv_field(&tp.topic), tp.partition));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(group: &str, offsets: &[(i32, i64)]) -> (String, Plan) {
        (
            group.to_string(),
            offsets.iter().map(|(p, o)| (TopicPartition::new("orders", *p), *o)).collect(),
        )
    }

    /// Byte for byte what Kafka 4.4 printed.
    #[test]
    fn plans_print_as_kafka_prints_them() {
        assert_eq!(
            plan_table(&[plan("billing", &[(0, 0), (1, 0)])]),
            "\nGROUP           TOPIC           PARTITION  NEW-OFFSET\nbilling         orders          0          0\nbilling         orders          1          0\n"
        );
        // A refused (active) group: the header and nothing else.
        assert_eq!(
            plan_table(&[plan("live", &[])]),
            "\nGROUP           TOPIC           PARTITION  NEW-OFFSET\n"
        );
        assert_eq!(plan_table(&[]), "\n");
        assert_eq!(export_csv(&[plan("billing", &[(0, 0), (1, 0)])], true), "orders,0,0\norders,1,0\n");
        assert_eq!(
            export_csv(&[plan("g,2", &[(0, 5)]), plan("b", &[(1, 7)])], false),
            "\"g,2\",orders,0,5\nb,orders,1,7\n"
        );
        // As Kafka 4.4 exported them: names over 24 characters are quoted.
        assert_eq!(csv_field("cg-orders-591-1795593556793-0"), "\"cg-orders-591-1795593556793-0\"");
        assert_eq!(csv_field("cg-orders-591-179559355679"), "\"cg-orders-591-179559355679\"");
        assert_eq!(csv_field("exactly-twenty-four-char"), "exactly-twenty-four-char");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("a\\b"), "\"a\\b\"");
    }

    #[test]
    fn csv_plans_read_in_both_formats() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.csv");
        std::fs::write(&old, "orders,0,5\norders,1,7\n").unwrap();
        let path = old.to_str().unwrap();
        let plan = read_plan(path, &["g".to_string()]).unwrap();
        assert_eq!(
            plan["g"],
            vec![(TopicPartition::new("orders", 0), 5), (TopicPartition::new("orders", 1), 7)]
        );
        let new = dir.path().join("new.csv");
        std::fs::write(&new, "g,orders,0,5\nh,orders,1,7\n").unwrap();
        let plan = read_plan(new.to_str().unwrap(), &["g".to_string(), "h".to_string()]).unwrap();
        assert_eq!(plan.len(), 2);
        assert!(matches!(read_plan(path, &["g".into(), "h".into()]), Err(Failure::Runtime(_))));
        assert_eq!(
            read_plan("/nonexistent/plan.csv", &[]),
            Err(Failure::Runtime("java.nio.file.NoSuchFileException: /nonexistent/plan.csv".into()))
        );
    }
}
