//! `ConfigInfos`: the answer of `PUT /connector-plugins/{p}/config/validate` (each key's
//! definition and its validated value), whose errors make the 400 of an invalid create or update.
//! `ConfigKeyInfo` alone is also `GET /connector-plugins/{p}/config`'s answer.

use serde::{Deserialize, Serialize};

/// `ConfigKeyInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub name: String,
    /// `STRING`, `INT`, `LIST`, … (`ConfigDef.Type`).
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub default_value: Option<String>,
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub importance: String,
    pub documentation: String,
    pub group: Option<String>,
    pub order_in_group: i32,
    /// `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    pub width: String,
    pub display_name: String,
    pub dependents: Vec<String>,
}

/// `ConfigValueInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueInfo {
    pub name: String,
    pub value: Option<String>,
    pub recommended_values: Vec<String>,
    pub errors: Vec<String>,
    pub visible: bool,
}

/// `ConfigInfo`: one key's definition and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfo {
    pub definition: KeyInfo,
    pub value: ValueInfo,
}

/// `ConfigInfos`: the validate endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfos {
    pub name: String,
    pub error_count: usize,
    pub groups: Vec<String>,
    pub configs: Vec<ConfigInfo>,
}

impl ConfigInfos {
    /// Every error, in order, as the 400 of an invalid create lists them.
    pub fn errors(&self) -> Vec<String> {
        self.configs.iter().flat_map(|c| c.value.errors.iter().cloned()).collect()
    }

    /// Kafka's message for a create or update refused for these errors.
    pub fn invalid_message(&self) -> String {
        let errors = self.errors();
        format!(
            "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
            errors.len(),
            errors.join("\n")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infos() -> ConfigInfos {
        let key = |name: &str, group: Option<&str>| KeyInfo {
            name: name.into(),
            ty: "STRING".into(),
            required: group.is_none(),
            default_value: group.map(|_| "d".into()),
            importance: "HIGH".into(),
            documentation: "doc".into(),
            group: group.map(String::from),
            order_in_group: 1,
            width: "NONE".into(),
            display_name: name.into(),
            dependents: vec![],
        };
        let value = |name: &str, errors: &[&str]| ValueInfo {
            name: name.into(),
            value: None,
            recommended_values: vec!["a".into()],
            errors: errors.iter().map(|e| e.to_string()).collect(),
            visible: true,
        };
        ConfigInfos {
            name: "org.apache.kafka.connect.file.FileStreamSinkConnector".into(),
            error_count: 2,
            groups: vec!["Common".into()],
            configs: vec![
                ConfigInfo {
                    definition: key("name", Some("Common")),
                    value: value("name", &["Missing required configuration \"name\" which has no default value."]),
                },
                ConfigInfo {
                    definition: key("topics", None),
                    value: value("topics", &["Must configure one of topics or topics.regex"]),
                },
            ],
        }
    }

    #[test]
    fn round_trips() {
        let infos = infos();
        let text = serde_json::to_string(&infos).unwrap();
        assert!(
            text.starts_with(
                r#"{"name":"org.apache.kafka.connect.file.FileStreamSinkConnector","error_count":2,"groups":["Common"],"configs":[{"definition":{"name":"name","type":"STRING","required":false,"default_value":"d","importance":"HIGH","documentation":"doc","group":"Common","order_in_group":1,"width":"NONE","display_name":"name","dependents":[]},"value":{"name":"name","value":null,"recommended_values":["a"],"errors":["#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#""default_value":null"#) && text.contains(r#""group":null"#),
            "{text}"
        );
        let back: ConfigInfos = serde_json::from_str(&text).unwrap();
        assert_eq!(back, infos);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }

    #[test]
    fn invalid_message_lists_every_error() {
        assert_eq!(
            infos().invalid_message(),
            "Connector configuration is invalid and contains the following 2 error(s):\nMissing required configuration \"name\" which has no default value.\nMust configure one of topics or topics.regex\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
        );
    }
}
