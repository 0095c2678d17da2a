//! `kaskade configs` flags: the long options of Kafka's `ConfigCommandOptions` and its checks,
//! in Kafka's order and with Kafka's messages. Kafka's other entity types (users, clients, ips,
//! groups, client-metrics, broker-loggers) are accepted by the checks as Kafka accepts them and
//! refused afterwards: `kaskade configs` handles topics and brokers.

use std::path::PathBuf;

use clap::Args;

use crate::exit::ToolError;

/// Describe and alter topic and broker configs (like kafka-configs.sh).
#[derive(Args, Debug, Default, Clone)]
pub struct ConfigsArgs {
    /// The Kafka servers to connect to.
    #[arg(long, value_name = "server to connect to")]
    pub bootstrap_server: Option<String>,
    /// The Kafka controllers to connect to (not supported: use --bootstrap-server).
    #[arg(long, value_name = "controller to connect to")]
    pub bootstrap_controller: Option<String>,
    /// Property file containing configs to be passed to Admin Client. This is used only with
    /// --bootstrap-server option for describing and altering broker configs.
    #[arg(long, value_name = "command config property file")]
    pub command_config: Option<PathBuf>,
    /// Alter the configuration for the entity.
    #[arg(long)]
    pub alter: bool,
    /// List configs for the given entity.
    #[arg(long)]
    pub describe: bool,
    /// List all configs for the given entity, including static configs if available.
    #[arg(long)]
    pub all: bool,
    /// Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)
    #[arg(long)]
    pub entity_type: Vec<String>,
    /// Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group
    /// id)
    #[arg(long)]
    pub entity_name: Vec<String>,
    /// Default entity name for clients/users/brokers/ips (applies to corresponding entity type)
    #[arg(long)]
    pub entity_default: bool,
    /// Key Value pairs of configs to add. Square brackets can be used to group values which
    /// contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.
    #[arg(long)]
    pub add_config: Option<String>,
    /// Path to a properties file with configs to add. See add-config for a list of valid
    /// configurations.
    #[arg(long)]
    pub add_config_file: Option<PathBuf>,
    /// config keys to remove 'k1,k2'
    #[arg(long, value_delimiter = ',')]
    pub delete_config: Vec<String>,
    /// The topic's name.
    #[arg(long)]
    pub topic: Option<String>,
    /// The client's ID.
    #[arg(long)]
    pub client: Option<String>,
    /// The config defaults for all clients.
    #[arg(long)]
    pub client_defaults: bool,
    /// The user's principal name.
    #[arg(long)]
    pub user: Option<String>,
    /// The config defaults for all users.
    #[arg(long)]
    pub user_defaults: bool,
    /// The broker's ID.
    #[arg(long)]
    pub broker: Option<String>,
    /// The config defaults for all brokers.
    #[arg(long)]
    pub broker_defaults: bool,
    /// The broker's ID for its logger config.
    #[arg(long)]
    pub broker_logger: Option<String>,
    /// The config defaults for all IPs.
    #[arg(long)]
    pub ip_defaults: bool,
    /// The IP address.
    #[arg(long)]
    pub ip: Option<String>,
    /// The group's ID.
    #[arg(long)]
    pub group: Option<String>,
    /// The client metrics config resource name.
    #[arg(long)]
    pub client_metrics: Option<String>,
}

/// Kafka's entity types, in the order its messages list them.
const ENTITY_TYPES: [&str; 8] = [
    "broker-loggers",
    "topics",
    "clients",
    "users",
    "brokers",
    "ips",
    "client-metrics",
    "groups",
];

/// The entities the checks leave: the types (one, or users and clients) and their names, an
/// empty name standing for the default entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entities {
    pub types: Vec<String>,
    pub names: Vec<String>,
}

impl ConfigsArgs {
    /// The entity types named by `--entity-type` and by the specific flags, in Kafka's order.
    fn entity_types(&self) -> Vec<String> {
        let flags: [(bool, &str); 12] = [
            (self.topic.is_some(), "topics"),
            (self.client.is_some(), "clients"),
            (self.user.is_some(), "users"),
            (self.broker.is_some(), "brokers"),
            (self.broker_logger.is_some(), "broker-loggers"),
            (self.ip.is_some(), "ips"),
            (self.client_metrics.is_some(), "client-metrics"),
            (self.group.is_some(), "groups"),
            (self.client_defaults, "clients"),
            (self.user_defaults, "users"),
            (self.broker_defaults, "brokers"),
            (self.ip_defaults, "ips"),
        ];
        let mut types = self.entity_type.clone();
        types.extend(flags.iter().filter(|(set, _)| *set).map(|(_, t)| t.to_string()));
        types
    }

    /// The entity names: `--entity-name`s and `--entity-default` (as ""), then the specific
    /// flags' values, then "" per defaults flag.
    fn entity_names(&self) -> Vec<String> {
        let mut names = self.entity_name.clone();
        if self.entity_default {
            names.push(String::new());
        }
        for value in [
            &self.topic,
            &self.client,
            &self.user,
            &self.broker,
            &self.broker_logger,
            &self.ip,
            &self.client_metrics,
            &self.group,
        ]
        .into_iter()
        .flatten()
        {
            names.push(value.clone());
        }
        for set in [self.client_defaults, self.user_defaults, self.broker_defaults, self.ip_defaults] {
            if set {
                names.push(String::new());
            }
        }
        names
    }

    fn specific_flags(&self) -> bool {
        [
            &self.topic,
            &self.client,
            &self.user,
            &self.broker,
            &self.broker_logger,
            &self.ip,
            &self.client_metrics,
            &self.group,
        ]
        .iter()
        .any(|v| v.is_some())
            || self.client_defaults
            || self.user_defaults
            || self.broker_defaults
            || self.ip_defaults
    }

    fn is_empty(&self) -> bool {
        self.bootstrap_server.is_none()
            && self.bootstrap_controller.is_none()
            && self.command_config.is_none()
            && !self.alter
            && !self.describe
            && !self.all
            && self.entity_type.is_empty()
            && self.entity_name.is_empty()
            && !self.entity_default
            && self.add_config.is_none()
            && self.add_config_file.is_none()
            && self.delete_config.is_empty()
            && !self.specific_flags()
    }

    /// Kafka's checks (`maybePrintHelpOrVersion`, `checkArgs`, and the entity count of
    /// `processCommand`), in its order.
    pub fn check(&self) -> Result<Entities, ToolError> {
        if self.is_empty() {
            return Err(usage(
                "This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group",
            ));
        }
        if usize::from(self.alter) + usize::from(self.describe) != 1 {
            return Err(usage("Command must include exactly one action: --describe, --alter"));
        }
        if self.describe {
            let invalid = [
                ("add-config", self.add_config.is_some()),
                ("delete-config", !self.delete_config.is_empty()),
            ];
            if let Some((name, _)) = invalid.iter().find(|(_, set)| *set) {
                return Err(usage(&format!("Option \"[describe]\" can't be used with option \"[{name}]\"")));
            }
        }
        let types = self.entity_types();
        let mut duplicates: Vec<&str> = Vec::new();
        for (i, t) in types.iter().enumerate() {
            if types[..i].contains(t) && !duplicates.contains(&t.as_str()) {
                duplicates.push(t);
            }
        }
        if !duplicates.is_empty() {
            return Err(ToolError::new(format!(
                "Duplicate entity type(s) specified: {}",
                duplicates.join(",")
            )));
        }
        if self.bootstrap_server.is_none() && self.bootstrap_controller.is_none() {
            return Err(ToolError::new(
                "Either --bootstrap-server or --bootstrap-controller must be specified.",
            ));
        }
        if let Some(t) = types.iter().find(|t| !ENTITY_TYPES.contains(&t.as_str())) {
            return Err(ToolError::new(format!(
                "Invalid entity type {t}, the entity type must be one of {} with a --bootstrap-server or --bootstrap-controller argument",
                ENTITY_TYPES.join(", ")
            )));
        }
        if types.is_empty() {
            return Err(ToolError::new("At least one entity type must be specified"));
        }
        let users_and_clients = types.len() == 2 && types.contains(&"users".to_string()) && types.contains(&"clients".to_string());
        if types.len() > 1 && !users_and_clients {
            return Err(ToolError::new("Only 'users' and 'clients' entity types may be specified together"));
        }
        if (!self.entity_name.is_empty() || !self.entity_type.is_empty() || self.entity_default) && self.specific_flags() {
            return Err(ToolError::new(
                "--entity-{type,name,default} should not be used in conjunction with specific entity flags",
            ));
        }
        let names = self.entity_names();
        let has_name = names.iter().any(|n| !n.is_empty());
        let has_default = names.iter().any(String::is_empty);
        if self.bootstrap_server.is_some() && self.bootstrap_controller.is_some() {
            return Err(ToolError::new(
                "Only one of --bootstrap-server or --bootstrap-controller can be specified",
            ));
        }
        let is = |t: &str| types.iter().any(|x| x == t);
        if has_name && (is("brokers") || is("broker-loggers")) {
            let ids = [self.entity_name.first(), self.broker.as_ref(), self.broker_logger.as_ref()];
            if let Some(bad) = ids.into_iter().flatten().find(|id| id.parse::<i32>().is_err()) {
                return Err(ToolError::new(format!(
                    "The entity name for {} must be a valid integer broker id, but it is: {bad}",
                    types[0]
                )));
            }
        }
        let with_defaults = is("users") || is("clients") || is("brokers") || is("ips");
        if self.describe {
            if !with_defaults && self.entity_default {
                return Err(ToolError::new(format!(
                    "--entity-default must not be specified with --describe of {}",
                    types.join(",")
                )));
            }
            if is("broker-loggers") && !has_name {
                return Err(ToolError::new(format!(
                    "An entity name must be specified with --describe of {}",
                    types.join(",")
                )));
            }
        }
        if self.alter {
            if with_defaults {
                if !has_name && !has_default {
                    return Err(ToolError::new(
                        "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips",
                    ));
                }
            } else if !has_name {
                return Err(ToolError::new(format!(
                    "An entity name must be specified with --alter of {}",
                    types.join(",")
                )));
            }
            if self.add_config.is_some() && self.add_config_file.is_some() {
                return Err(ToolError::new("Only one of --add-config or --add-config-file must be specified"));
            }
            if self.add_config.is_none() && self.add_config_file.is_none() && self.delete_config.is_empty() {
                return Err(ToolError::new(
                    "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter",
                ));
            }
            if types.len() != names.len() {
                return Err(ToolError::new("An entity name must be specified for every entity type"));
            }
        }
        Ok(Entities { types, names })
    }
}

/// A usage error: the message, then the options, as Kafka's `printUsageAndExit` prints them.
fn usage(message: &str) -> ToolError {
    crate::exit::usage::<ConfigsArgs>("kaskade configs", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(f: impl FnOnce(&mut ConfigsArgs)) -> ConfigsArgs {
        let mut a = ConfigsArgs {
            bootstrap_server: Some("h:9092".into()),
            ..Default::default()
        };
        f(&mut a);
        a
    }

    fn first_line(a: &ConfigsArgs) -> String {
        a.check()
            .err()
            .map(|e| e.to_string().lines().next().unwrap_or_default().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn kafkas_checks() {
        assert!(first_line(&ConfigsArgs::default()).starts_with("This tool helps"));
        assert_eq!(
            first_line(&args(|_| {})),
            "Command must include exactly one action: --describe, --alter"
        );
        assert_eq!(
            first_line(&args(|a| {
                a.describe = true;
                a.topic = Some("t".into());
                a.add_config = Some("a=1".into())
            })),
            "Option \"[describe]\" can't be used with option \"[add-config]\""
        );
        assert_eq!(
            first_line(&args(|a| {
                a.describe = true;
                a.entity_type = vec!["foo".into()]
            })),
            "Invalid entity type foo, the entity type must be one of broker-loggers, topics, clients, users, brokers, ips, client-metrics, groups with a --bootstrap-server or --bootstrap-controller argument"
        );
        assert_eq!(
            first_line(&args(|a| {
                a.describe = true;
                a.topic = Some("t".into());
                a.entity_type = vec!["topics".into()]
            })),
            "Duplicate entity type(s) specified: topics"
        );
        assert_eq!(
            first_line(&args(|a| {
                a.alter = true;
                a.entity_type = vec!["brokers".into()];
                a.entity_name = vec!["x".into()];
                a.add_config = Some("a=1".into())
            })),
            "The entity name for brokers must be a valid integer broker id, but it is: x"
        );
        assert_eq!(
            first_line(&args(|a| {
                a.alter = true;
                a.entity_type = vec!["topics".into()];
                a.add_config = Some("a=1".into())
            })),
            "An entity name must be specified with --alter of topics"
        );
        assert_eq!(
            first_line(&args(|a| {
                a.alter = true;
                a.topic = Some("t".into())
            })),
            "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter"
        );
        let ok = args(|a| {
            a.alter = true;
            a.broker_defaults = true;
            a.delete_config = vec!["x".into()]
        })
        .check();
        assert_eq!(
            ok.ok(),
            Some(Entities {
                types: vec!["brokers".into()],
                names: vec![String::new()]
            })
        );
    }
}
