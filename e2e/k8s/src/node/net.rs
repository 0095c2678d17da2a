//! The node's network on the host: a Linux bridge whose address is the node IP (the kubelet
//! refuses a loopback node IP, and pods cannot use an API server on 127.0.0.1), two `FORWARD`
//! rules that keep pod traffic between the pods and the node, and the removal of everything
//! the bridge, the kubelet and kube-proxy leave in the kernel (KUBE-* chains, nftables tables
//! that were not there before).

use std::process::Command;

use super::configs::{BRIDGE, NODE_IP};
use crate::command::run;
use crate::error::Result;

/// The bridge's fixed MAC address (locally administered).
const BRIDGE_MAC: &str = "02:6b:61:73:6b:01";

/// The comment on our `FORWARD` rules, to find them again (also after a killed run).
const RULE_COMMENT: &str = "kaskade-e2e-node";

/// Creates the bridge with the node IP and isolates it: nothing is forwarded between it and any
/// other interface, in either direction.
pub fn create() -> Result<()> {
    // A bridge whose address was not set takes the lowest address of its ports, so it changes as
    // pods come and go; every pod's ARP entry for the node IP then points at a MAC that no longer
    // answers, and DNS, the API server and Services go silent for tens of seconds (seen as a
    // client pod's 15 s "Temporary failure in name resolution" right after another pod was
    // deleted). A fixed, locally administered address keeps it stable, as Docker does for docker0.
    run("ip", &["link", "add", BRIDGE, "address", BRIDGE_MAC, "type", "bridge"])?;
    run("ip", &["addr", "add", &format!("{NODE_IP}/24"), "dev", BRIDGE])?;
    run("ip", &["link", "set", BRIDGE, "up"])?;
    for direction in [["-i", BRIDGE, "!", "-o", BRIDGE], ["-o", BRIDGE, "!", "-i", BRIDGE]] {
        let mut args = vec!["-w", "-I", "FORWARD", "1"];
        args.extend(direction);
        args.extend(["-m", "comment", "--comment", RULE_COMMENT, "-j", "DROP"]);
        run("iptables", &args)?;
    }
    Ok(())
}

/// Removes the bridge, our rules, the KUBE-* chains of iptables and ip6tables and kube-proxy's
/// nftables tables. Best effort: what is already gone is fine; failures are returned as notes.
pub fn remove(tables_before: &[String]) -> Vec<String> {
    let mut notes = Vec::new();
    if std::path::Path::new(&format!("/sys/class/net/{BRIDGE}")).exists() {
        if let Err(e) = run("ip", &["link", "del", BRIDGE]) {
            notes.push(e.to_string());
        }
    }
    for tool in ["iptables", "ip6tables"] {
        for table in ["filter", "nat", "mangle"] {
            notes.extend(remove_rules(tool, table));
        }
    }
    // kube-proxy's tables, and the (now empty) ones iptables-nft made for the KUBE-* chains.
    for table in nft_tables() {
        if !tables_before.contains(&table) {
            let words: Vec<&str> = ["delete", "table"].into_iter().chain(table.split(' ')).collect();
            if let Err(e) = run("nft", &words) {
                notes.push(e.to_string());
            }
        }
    }
    notes
}

/// What [`remove`] should have removed and is still there.
pub fn leftovers(tables_before: &[String]) -> Vec<String> {
    let mut left = Vec::new();
    if std::path::Path::new(&format!("/sys/class/net/{BRIDGE}")).exists() {
        left.push(format!("the bridge {BRIDGE} is still there"));
    }
    for tool in ["iptables", "ip6tables"] {
        for table in ["filter", "nat", "mangle"] {
            let Ok(output) = Command::new(tool).args(["-w", "-t", table, "-S"]).output() else {
                continue;
            };
            for line in String::from_utf8_lossy(&output.stdout).lines() {
                if line.contains("KUBE-") || line.contains(RULE_COMMENT) {
                    left.push(format!("{tool} -t {table}: {line}"));
                }
            }
        }
    }
    for table in nft_tables() {
        if !tables_before.contains(&table) {
            left.push(format!("nftables table {table} is still there"));
        }
    }
    left
}

/// The nftables tables now, as `FAMILY NAME`.
pub fn nft_tables() -> Vec<String> {
    let Ok(output) = Command::new("nft").args(["list", "tables"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("table "))
        .map(str::to_string)
        .collect()
}

/// In one table: deletes our commented rules and every rule jumping to a KUBE-* chain, then
/// flushes and deletes the KUBE-* chains.
fn remove_rules(tool: &str, table: &str) -> Vec<String> {
    let mut notes = Vec::new();
    let Ok(output) = Command::new(tool).args(["-w", "-t", table, "-S"]).output() else {
        return notes;
    };
    let listing = String::from_utf8_lossy(&output.stdout);
    let mut chains = Vec::new();
    for line in listing.lines() {
        let words = split_rule(line);
        match words.first().map(String::as_str) {
            Some("-N") if words.get(1).is_some_and(|c| c.starts_with("KUBE-")) => chains.push(words[1].clone()),
            Some("-A") => {
                let chain = words.get(1).map(String::as_str).unwrap_or("");
                if chain.starts_with("KUBE-") {
                    continue; // goes with its chain
                }
                let ours = line.contains(RULE_COMMENT);
                let jumps_to_kube = words
                    .windows(2)
                    .any(|w| (w[0] == "-j" || w[0] == "-g") && w[1].starts_with("KUBE-"));
                if ours || jumps_to_kube {
                    let mut args: Vec<String> = vec!["-w".into(), "-t".into(), table.into(), "-D".into()];
                    args.extend(words[1..].iter().cloned());
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    if let Err(e) = run(tool, &args) {
                        notes.push(e.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    for chain in &chains {
        let _ = run(tool, &["-w", "-t", table, "-F", chain]);
    }
    for chain in &chains {
        if let Err(e) = run(tool, &["-w", "-t", table, "-X", chain]) {
            notes.push(e.to_string());
        }
    }
    notes
}

/// Splits an `iptables -S` line into words; double quotes group (comments are quoted).
pub fn split_rule(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut in_word = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_split_with_quoted_comments() {
        assert_eq!(
            split_rule(r#"-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD"#),
            [
                "-A",
                "FORWARD",
                "-m",
                "comment",
                "--comment",
                "kubernetes forwarding rules",
                "-j",
                "KUBE-FORWARD"
            ]
        );
        assert_eq!(split_rule("-N KUBE-KUBELET-CANARY"), ["-N", "KUBE-KUBELET-CANARY"]);
    }
}
