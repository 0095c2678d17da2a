//! Kafka's rules for topic names (`Topic.validate`): the same checks and the same messages a
//! client gets from Apache Kafka, for the broker, the tools and the Connect worker alike.

/// Longest legal topic name.
pub const MAX_NAME_LENGTH: usize = 249;

/// `Err(message)` when `name` is not a legal topic name (Kafka's `Topic.validate`), with the
/// message Kafka 4.4's controller sends for CreateTopics.
pub fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Topic name is invalid: the empty string is not allowed".into());
    }
    if name == "." || name == ".." {
        return Err(format!("Topic name is invalid: '{name}' is not allowed"));
    }
    // Java's `String.length()`: UTF-16 units.
    if name.encode_utf16().count() > MAX_NAME_LENGTH {
        return Err(format!(
            "Topic name is invalid: the length of '{name}' is longer than the max allowed length {MAX_NAME_LENGTH}"
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-') {
        return Err(format!(
            "Topic name is invalid: '{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Topics whose names differ only by '.' vs '_' collide in metric names; Kafka refuses them.
pub fn collision_key(name: &str) -> String {
    name.replace('.', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kafka() {
        assert!(validate_name("orders.v1_x-y").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("..").is_err());
        assert!(validate_name("a b")
            .unwrap_err()
            .contains("characters other than ASCII alphanumerics"));
        assert!(validate_name(&"x".repeat(249)).is_ok());
        assert!(validate_name(&"x".repeat(250)).is_err());
        assert_eq!(collision_key("a.b"), collision_key("a_b"));
    }
}
