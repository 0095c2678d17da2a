//! `meta.properties`: which cluster and node a log directory belongs to, in Kafka's own format,
//! so a directory is never served by the wrong broker or mixed into another cluster. Kaskade
//! formats an empty directory on first start (Kafka needs `kafka-storage format` for that).

use std::fs;
use std::io::Write;
use std::path::Path;

use thiserror::Error;

use kaskade_common::kafka_uuid;

#[derive(Debug, Error)]
pub enum MetaPropertiesError {
    #[error("cannot access {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "log directory {path} belongs to cluster {found}, but this broker is configured for cluster {expected}; \
         point log.dirs at this cluster's directory or an empty one"
    )]
    OtherCluster { path: String, found: String, expected: String },
    #[error("log directory {path} belongs to node.id {found}, but this broker is node.id {expected}")]
    OtherNode { path: String, found: i32, expected: i32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaProperties {
    pub cluster_id: String,
    pub node_id: i32,
    pub directory_id: String,
    /// This call formatted the directory: nothing was stored in it before.
    pub formatted: bool,
}

/// Reads the directory's identity, or writes a new one when the directory has none yet.
pub fn load_or_format(dir: &Path, node_id: i32, expected_cluster: Option<&str>) -> Result<MetaProperties, MetaPropertiesError> {
    let path = dir.join("meta.properties");
    let p = path.display().to_string();
    let io = |cause| MetaPropertiesError::Io { path: p.clone(), cause };
    fs::create_dir_all(dir).map_err(io)?;
    if path.exists() {
        let text = fs::read_to_string(&path).map_err(io)?;
        let props = kaskade_common::properties::parse(&text);
        let invalid = |reason: &str| MetaPropertiesError::Invalid {
            path: p.clone(),
            reason: reason.to_string(),
        };
        if props.get("version").map(String::as_str) != Some("1") {
            return Err(invalid(
                "unsupported meta.properties version (expected version=1, a KRaft directory)",
            ));
        }
        let cluster_id = props.get("cluster.id").cloned().ok_or_else(|| invalid("missing cluster.id"))?;
        let found_node = props
            .get("node.id")
            .and_then(|v| v.parse::<i32>().ok())
            .ok_or_else(|| invalid("missing or invalid node.id"))?;
        if let Some(expected) = expected_cluster {
            if expected != cluster_id {
                return Err(MetaPropertiesError::OtherCluster {
                    path: p,
                    found: cluster_id,
                    expected: expected.to_string(),
                });
            }
        }
        if found_node != node_id {
            return Err(MetaPropertiesError::OtherNode {
                path: p,
                found: found_node,
                expected: node_id,
            });
        }
        let directory_id = props.get("directory.id").cloned().unwrap_or_default();
        return Ok(MetaProperties {
            cluster_id,
            node_id,
            directory_id,
            formatted: false,
        });
    }
    let cluster_id = match expected_cluster {
        Some(c) => c.to_string(),
        None => kafka_uuid::to_string(kafka_uuid::random()),
    };
    let meta = MetaProperties {
        cluster_id,
        node_id,
        directory_id: kafka_uuid::to_string(kafka_uuid::random()),
        formatted: true,
    };
    let text = format!(
        "#\n#Written by kaskade\ncluster.id={}\ndirectory.id={}\nnode.id={}\nversion=1\n",
        meta.cluster_id, meta.directory_id, meta.node_id
    );
    let tmp = dir.join("meta.properties.tmp");
    let mut f = fs::File::create(&tmp).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    fs::rename(&tmp, &path).map_err(io)?;
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_once_then_refuses_other_clusters_and_nodes() {
        let d = tempfile::tempdir().unwrap();
        let m = load_or_format(d.path(), 1, None).unwrap();
        assert_eq!(m.cluster_id.len(), 22);
        assert!(m.formatted, "an empty directory is formatted");
        let m = MetaProperties { formatted: false, ..m };
        assert_eq!(load_or_format(d.path(), 1, None).unwrap(), m);
        assert_eq!(load_or_format(d.path(), 1, Some(&m.cluster_id)).unwrap(), m);
        let e = load_or_format(d.path(), 1, Some("AAAAAAAAAAAAAAAAAAAAAA")).unwrap_err();
        assert!(matches!(e, MetaPropertiesError::OtherCluster { .. }), "{e}");
        assert!(e.to_string().contains("belongs to cluster"));
        let e = load_or_format(d.path(), 2, None).unwrap_err();
        assert!(matches!(e, MetaPropertiesError::OtherNode { .. }), "{e}");
    }
}
