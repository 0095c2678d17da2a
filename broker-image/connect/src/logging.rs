//! `/admin/loggers`: log levels changed at run time. The binary that owns the tracing
//! subscriber installs an [`Applier`] that turns `(logger, level)` into a filter directive; this
//! module keeps what was set and when, and answers in Kafka Connect's shape
//! (`{"level":…,"last_modified":…}`).

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use serde_json::json;

/// Applies a level to a logger (a module path such as `kaskade_connect::worker`, or `root`).
pub type Applier = Box<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;

static APPLIER: OnceLock<Applier> = OnceLock::new();
static LEVELS: Mutex<BTreeMap<String, (String, Option<i64>)>> = Mutex::new(BTreeMap::new());

/// Installs the function that changes levels (once, by the binary).
pub fn install(applier: Applier, root_level: &str) {
    let _ = APPLIER.set(applier);
    LEVELS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert("root".into(), (root_level.to_ascii_uppercase(), None));
}

const LEVEL_NAMES: &[&str] = &["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"];

/// `{"level":…,"last_modified":…}` of a logger (its own level, else root's).
pub fn level_of(logger: &str) -> serde_json::Value {
    let levels = LEVELS.lock().unwrap_or_else(|p| p.into_inner());
    let (level, modified) = levels
        .get(logger)
        .or_else(|| levels.get("root"))
        .cloned()
        .unwrap_or_else(|| ("INFO".into(), None));
    json!({ "level": level, "last_modified": modified })
}

/// Every logger with a level.
pub fn all() -> serde_json::Value {
    let levels = LEVELS.lock().unwrap_or_else(|p| p.into_inner());
    serde_json::Value::Object(
        levels
            .iter()
            .map(|(k, (l, m))| (k.clone(), json!({ "level": l, "last_modified": m })))
            .collect(),
    )
}

/// Sets a level; answers the loggers it changed, as Kafka does.
pub fn set_level(logger: &str, level: &str) -> Result<Vec<String>, String> {
    let upper = level.to_ascii_uppercase();
    if !LEVEL_NAMES.contains(&upper.as_str()) {
        return Err(format!("Invalid log level '{level}'."));
    }
    let directive = match upper.as_str() {
        "FATAL" => "error".to_string(),
        other => other.to_ascii_lowercase(),
    };
    if let Some(apply) = APPLIER.get() {
        apply(logger, &directive)?;
    }
    let now = crate::clock::now_ms();
    LEVELS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(logger.to_string(), (upper, Some(now)));
    Ok(vec![logger.to_string()])
}
