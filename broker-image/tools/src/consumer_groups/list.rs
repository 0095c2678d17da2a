//! `--list`: the consumer groups of every broker, one id per line; with `--state` and/or
//! `--type`, a table of them (filtered when the flags have values), as Kafka prints both.

use kaskade_client::ListedGroup;

use super::args::ConsumerGroupsArgs;
use super::errors::Failure;
use super::java::{jlen, left};
use super::output::Out;
use super::service::Service;
use super::states::{parse_states, parse_types, state_name, type_name};

pub async fn run(service: &Service, args: &ConsumerGroupsArgs, out: &mut Out) -> Result<(), Failure> {
    let type_flag = args.type_filter()?;
    let state_flag = args.state_filter()?;
    if type_flag.is_none() && state_flag.is_none() {
        let ids = service.consumer_group_ids().await.map_err(Failure::in_execution)?;
        for id in ids {
            out.println(&id);
        }
        return Ok(());
    }
    let types = match type_flag.as_deref() {
        Some(t) if !t.is_empty() => parse_types(t)?,
        _ => Vec::new(),
    };
    let states = match state_flag.as_deref() {
        Some(s) if !s.is_empty() => parse_states(s)?,
        _ => Vec::new(),
    };
    let groups = service.list_groups(&states, &types).await.map_err(Failure::wrapped)?;
    out.print(&table(&groups, type_flag.is_some(), state_flag.is_some()));
    Ok(())
}

/// Kafka's `printGroupInfo`: GROUP padded to the longest id (at least 15) plus 10, then TYPE
/// and/or STATE in 20-wide columns.
fn table(groups: &[ListedGroup], with_type: bool, with_state: bool) -> String {
    let width = groups.iter().map(|g| jlen(&g.group_id).max(15)).max().unwrap_or(15) + 10;
    let row = |cells: [&str; 3]| {
        let mut line = left(cells[0], width);
        if with_type {
            line.push(' ');
            line.push_str(&left(cells[1], 20));
        }
        if with_state {
            line.push(' ');
            line.push_str(&left(cells[2], 20));
        }
        line.push('\n');
        line
    };
    let mut text = row(["GROUP", "TYPE", "STATE"]);
    for g in groups {
        let group_type = g.group_type.as_deref().map(type_name).unwrap_or("Unknown");
        let state = g.state.as_deref().map(state_name).unwrap_or("Unknown");
        text.push_str(&row([&g.group_id, group_type, state]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, state: &str) -> ListedGroup {
        ListedGroup {
            group_id: id.into(),
            protocol_type: "consumer".into(),
            state: Some(state.into()),
            group_type: Some("classic".into()),
        }
    }

    /// Byte for byte what Kafka 4.4 printed for `--list --state` and `--list --state --type`.
    #[test]
    fn tables_are_kafkas() {
        let groups = [group("live", "Stable"), group("billing", "Empty")];
        assert_eq!(
            table(&groups, false, true),
            "GROUP                     STATE               \nlive                      Stable              \nbilling                   Empty               \n"
        );
        assert_eq!(
            table(&groups[1..], true, true),
            "GROUP                     TYPE                 STATE               \nbilling                   Classic              Empty               \n"
        );
        let long = [group("a-consumer-group-with-a-long-name", "Empty")];
        assert!(table(&long, false, true).starts_with(&format!("{:<43} STATE", "GROUP")));
    }
}
