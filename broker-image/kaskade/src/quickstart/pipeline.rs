//! The story's pipeline as data: the `users` table of the source database in each engine's SQL,
//! and the two connector configs as a user would PUT them — the same text as the files in
//! `examples/quickstart/` (a test keeps them equal).

use kaskade_jdbc::url::Engine;

pub const SOURCE_NAME: &str = "quickstart-source";
pub const SINK_NAME: &str = "quickstart-sink";
pub const TOPIC: &str = "my_topic_users";

/// `CREATE TABLE users` as DESIGN.md's story has it, in the source's engine.
pub fn users_ddl(engine: Engine) -> &'static str {
    match engine {
        Engine::MySql => {
            "CREATE TABLE IF NOT EXISTS users (id INT AUTO_INCREMENT PRIMARY KEY, user_id VARCHAR(20), \
             pwd VARCHAR(20), name VARCHAR(20), created_at DATETIME DEFAULT NOW())"
        }
        Engine::Postgres => {
            "CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, user_id VARCHAR(20), \
             pwd VARCHAR(20), name VARCHAR(20), created_at TIMESTAMP DEFAULT LOCALTIMESTAMP(0))"
        }
        Engine::Sqlite => {
            "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id VARCHAR(20), \
             pwd VARCHAR(20), name VARCHAR(20), created_at DATETIME DEFAULT CURRENT_TIMESTAMP)"
        }
    }
}

/// The insert of row `n` (`user4`, `user4444`, `User4 name`).
pub fn insert_sql(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "INSERT INTO users (user_id, pwd, name) VALUES ($1, $2, $3)",
        _ => "INSERT INTO users (user_id, pwd, name) VALUES (?, ?, ?)",
    }
}

pub fn row_values(n: u64) -> [String; 3] {
    [
        format!("user{n}"),
        format!("user{n}{}", n.to_string().repeat(3)),
        format!("User{n} name"),
    ]
}

fn escape(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The source connector's config (JSON object text), reading `users` from `source_url`.
pub fn source_config(source_url: &str) -> String {
    format!(
        r#"{{"connector.class":"io.confluent.connect.jdbc.JdbcSourceConnector","connection.url":{},"table.whitelist":"users","mode":"incrementing","incrementing.column.name":"id","topic.prefix":"my_topic_","poll.interval.ms":"1000","key.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter":"org.apache.kafka.connect.json.JsonConverter"}}"#,
        escape(source_url)
    )
}

/// The sink connector's config, writing `my_topic_users` into `target_url`.
pub fn sink_config(target_url: &str) -> String {
    format!(
        r#"{{"connector.class":"io.confluent.connect.jdbc.JdbcSinkConnector","connection.url":{},"topics":"my_topic_users","auto.create":"true","insert.mode":"upsert","pk.mode":"record_value","pk.fields":"id","key.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter":"org.apache.kafka.connect.json.JsonConverter"}}"#,
        escape(target_url)
    )
}

/// The curl command that registers (or updates) connector `name` with `config`.
pub fn curl(connect_url: &str, name: &str, config: &str) -> String {
    format!(
        "curl -s -X PUT -H 'Content-Type: application/json' {connect_url}/connectors/{name}/config -d '{}'",
        config.replace('\'', r"'\''")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_configs() {
        assert_eq!(row_values(4), ["user4".to_string(), "user4444".into(), "User4 name".into()]);
        let v: serde_json::Value = serde_json::from_str(&source_config("jdbc:sqlite:/tmp/a b.db")).unwrap();
        assert_eq!(v["connection.url"], "jdbc:sqlite:/tmp/a b.db");
        let v: serde_json::Value = serde_json::from_str(&sink_config("jdbc:sqlite:/tmp/t.db")).unwrap();
        assert_eq!(v["topics"], TOPIC);
        assert!(curl("http://127.0.0.1:8083", SINK_NAME, "{}").ends_with("/connectors/quickstart-sink/config -d '{}'"));
    }

    /// `examples/quickstart/` holds the very configs the quickstart registers.
    #[test]
    fn examples_are_the_quickstart_configs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quickstart");
        for (file, name, make) in [
            ("source.json", SOURCE_NAME, source_config as fn(&str) -> String),
            ("sink.json", SINK_NAME, sink_config),
        ] {
            let text = std::fs::read_to_string(dir.join(file)).expect("example file");
            let example: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(example["name"], name, "{file}");
            let url = example["config"]["connection.url"].as_str().expect("connection.url");
            let ours: serde_json::Value = serde_json::from_str(&make(url)).expect("JSON");
            assert_eq!(example["config"], ours, "{file} differs from what kaskade quickstart registers");
        }
        let sql = std::fs::read_to_string(dir.join("users.sql")).expect("users.sql");
        assert!(
            sql.contains(users_ddl(Engine::MySql)),
            "users.sql holds another CREATE TABLE than the quickstart's"
        );
    }
}
