//! Kafka's config providers (`config.providers`): `${file:PATH:KEY}` from a properties file
//! (`FileConfigProvider`), `${directory:DIR:FILE}` from a file's contents
//! (`DirectoryConfigProvider`, how Kubernetes Secrets mounted as volumes are read) and
//! `${env:NAME}` (`EnvVarConfigProvider`). Worker configs are resolved once at start; connector
//! configs each time a connector or task starts, so the REST API keeps showing the variables,
//! never the secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;

pub const FILE_CLASS: &str = "org.apache.kafka.common.config.provider.FileConfigProvider";
pub const DIRECTORY_CLASS: &str = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
pub const ENV_CLASS: &str = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";

/// A config that names a provider the worker cannot build, or a variable that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProviderError(pub String);

#[derive(Debug, Clone)]
enum Kind {
    File,
    Directory,
    Env { allowlist: Option<Regex> },
}

#[derive(Debug, Clone)]
struct Provider {
    kind: Kind,
    /// `allowed.paths`: when set, only files under these directories may be read.
    allowed_paths: Option<Vec<PathBuf>>,
}

/// The providers a worker configured, by name.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    providers: BTreeMap<String, Provider>,
}

impl Providers {
    /// Builds the providers `config.providers` names from `config.providers.NAME.class` and
    /// `config.providers.NAME.param.*`.
    pub fn from_worker_config(props: &BTreeMap<String, String>) -> Result<Providers, ProviderError> {
        let mut providers = BTreeMap::new();
        let names = props
            .get("config.providers")
            .map(|s| crate::config_def::parse_list(s))
            .unwrap_or_default();
        for name in names {
            let class_key = format!("config.providers.{name}.class");
            let class = props.get(&class_key).ok_or_else(|| {
                ProviderError(format!(
                    "Missing required configuration \"{class_key}\" which has no default value."
                ))
            })?;
            let param = |key: &str| props.get(&format!("config.providers.{name}.param.{key}"));
            let kind = match class.trim() {
                FILE_CLASS | "FileConfigProvider" => Kind::File,
                DIRECTORY_CLASS | "DirectoryConfigProvider" => Kind::Directory,
                ENV_CLASS | "EnvVarConfigProvider" => Kind::Env {
                    allowlist: match param("allowlist.pattern") {
                        Some(p) => Some(
                            Regex::new(&format!("^(?:{p})$")).map_err(|e| ProviderError(format!("Invalid allowlist.pattern {p}: {e}")))?,
                        ),
                        None => None,
                    },
                },
                other => return Err(ProviderError(format!("Class {other} could not be found."))),
            };
            let allowed_paths =
                param("allowed.paths").map(|s| crate::config_def::parse_list(s).into_iter().map(PathBuf::from).collect::<Vec<_>>());
            providers.insert(name, Provider { kind, allowed_paths });
        }
        Ok(Providers { providers })
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Every `${provider:[path:]key}` in the values replaced, as Kafka's `ConfigTransformer`
    /// does: a variable naming an unknown provider, or a key the provider does not have, stays as
    /// written.
    pub fn resolve(&self, configs: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, ProviderError> {
        configs.iter().map(|(k, v)| Ok((k.clone(), self.resolve_value(v)?))).collect()
    }

    /// One value with its variables replaced.
    pub fn resolve_value(&self, value: &str) -> Result<String, ProviderError> {
        if self.providers.is_empty() || !value.contains("${") {
            return Ok(value.to_string());
        }
        static VAR: std::sync::LazyLock<Regex> =
            std::sync::LazyLock::new(|| Regex::new(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}").expect("static regex"));
        let mut out = String::with_capacity(value.len());
        let mut last = 0;
        for caps in VAR.captures_iter(value) {
            let whole = caps.get(0).expect("group 0");
            out.push_str(&value[last..whole.start()]);
            last = whole.end();
            let provider = &caps[1];
            let path = caps.get(3).map(|m| m.as_str()).unwrap_or("");
            let key = &caps[4];
            match self.providers.get(provider) {
                Some(p) => match p.get(path, key)? {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(whole.as_str()),
                },
                None => out.push_str(whole.as_str()),
            }
        }
        out.push_str(&value[last..]);
        Ok(out)
    }
}

impl Provider {
    fn check_path(&self, path: &Path) -> Result<(), ProviderError> {
        if let Some(allowed) = &self.allowed_paths {
            let normal = normalize(path);
            if !allowed.iter().any(|a| normal.starts_with(normalize(a))) {
                return Err(ProviderError(format!("The path {} is not allowed to be accessed", path.display())));
            }
        }
        Ok(())
    }

    fn get(&self, path: &str, key: &str) -> Result<Option<String>, ProviderError> {
        match &self.kind {
            Kind::File => {
                let path = Path::new(path);
                self.check_path(path)?;
                let props = kaskade_common::properties::load_file(path)
                    .map_err(|e| ProviderError(format!("Could not read properties from file {}: {e}", path.display())))?;
                Ok(props.get(key).cloned())
            }
            Kind::Directory => {
                let file = Path::new(path).join(key);
                self.check_path(&file)?;
                match std::fs::read_to_string(&file) {
                    Ok(s) => Ok(Some(s)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(ProviderError(format!("Could not read file {}: {e}", file.display()))),
                }
            }
            Kind::Env { allowlist } => {
                if allowlist.as_ref().is_some_and(|re| !re.is_match(key)) {
                    return Ok(None);
                }
                Ok(std::env::var(key).ok())
            }
        }
    }
}

/// `path` with `.` and `..` resolved lexically (Kafka checks `allowed.paths` on normalized paths).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn file_directory_and_env_variables_resolve() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db.properties"), "user=alice\npassword=s3cret\n").unwrap();
        std::fs::write(dir.path().join("token"), "abc").unwrap();
        std::env::set_var("KASKADE_PROVIDER_TEST", "from-env");
        let providers = Providers::from_worker_config(&props(&[
            ("config.providers", "file, directory,env"),
            ("config.providers.file.class", FILE_CLASS),
            ("config.providers.directory.class", DIRECTORY_CLASS),
            ("config.providers.env.class", ENV_CLASS),
        ]))
        .unwrap();
        let d = dir.path().display();
        let resolved = providers
            .resolve(&props(&[
                ("a", &format!("${{file:{d}/db.properties:password}}")),
                ("b", &format!("x-${{directory:{d}:token}}-y")),
                ("c", "${env:KASKADE_PROVIDER_TEST}"),
                ("d", "${unknown:k}"),
                ("e", &format!("${{file:{d}/db.properties:missing}}")),
            ]))
            .unwrap();
        assert_eq!(resolved["a"], "s3cret");
        assert_eq!(resolved["b"], "x-abc-y");
        assert_eq!(resolved["c"], "from-env");
        assert_eq!(resolved["d"], "${unknown:k}");
        assert_eq!(resolved["e"], format!("${{file:{d}/db.properties:missing}}"));
    }

    #[test]
    fn allowed_paths_are_enforced() {
        let providers = Providers::from_worker_config(&props(&[
            ("config.providers", "file"),
            ("config.providers.file.class", FILE_CLASS),
            ("config.providers.file.param.allowed.paths", "/nonexistent/allowed"),
        ]))
        .unwrap();
        let err = providers.resolve_value("${file:/etc/../etc/passwd:root}").unwrap_err();
        assert!(err.0.contains("is not allowed"), "{err}");
    }
}
