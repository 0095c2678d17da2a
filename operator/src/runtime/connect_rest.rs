//! The operator's client of the Kafka Connect REST API: the calls the Connector controller makes,
//! with the worker's JSON types from `kaskade-connect-api` (serde only, so the operator compiles
//! no worker and no SQL driver) over the hyper that kube already builds. Every call has a timeout;
//! a worker that does not answer is [`RestError::Unreachable`], an answer with an error status is
//! [`RestError::Api`] with Kafka Connect's own message.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use kaskade_connect_api::{ConfigInfos, ConnectorStateInfo, CreateConnectorRequest, ErrorMessage, OrderedMap};
use serde::de::DeserializeOwned;

/// How long one REST call may take.
pub const REST_TIMEOUT: Duration = Duration::from_secs(15);

/// What went wrong talking to a worker.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("Kafka Connect at {url} did not answer: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Kafka Connect answered {status} to {method} {path}: {message}")]
    Api {
        status: u16,
        method: Method,
        path: String,
        message: String,
    },
    #[error("Kafka Connect's answer to {path} could not be read: {reason}")]
    Body { path: String, reason: String },
}

impl RestError {
    /// A worker that is down, starting or rebalancing (5xx, 409): waiting may fix it.
    pub fn is_transient(&self) -> bool {
        match self {
            RestError::Unreachable { .. } => true,
            RestError::Api { status, .. } => *status >= 500 || *status == 409,
            RestError::Body { .. } => false,
        }
    }
}

/// A Connect cluster's REST API at one base URL (`http://host:8083`).
#[derive(Clone)]
pub struct ConnectRest {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl ConnectRest {
    pub fn new(base: &str) -> ConnectRest {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        ConnectRest {
            base: base.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(2)
                .build(connector),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// One call: the status and body, or `Unreachable` when the worker did not answer in time.
    async fn call(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Result<(StatusCode, Bytes), RestError> {
        let unreachable = |reason: String| RestError::Unreachable {
            url: self.base.clone(),
            reason,
        };
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("accept", "application/json");
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| unreachable(e.to_string()))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| unreachable(error_chain(&e)))?;
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| unreachable(e.to_string()))?
                .to_bytes();
            Ok((status, bytes))
        };
        match tokio::time::timeout(REST_TIMEOUT, exchange).await {
            Ok(result) => result,
            Err(_) => Err(unreachable(format!("no answer within {} s", REST_TIMEOUT.as_secs()))),
        }
    }

    /// A call whose success is `ok` (or any 2xx); `None` on 404 when `absent_ok`.
    async fn expect(&self, method: Method, path: &str, body: Option<Vec<u8>>, absent_ok: bool) -> Result<Option<Bytes>, RestError> {
        let (status, bytes) = self.call(method.clone(), path, body).await?;
        if status.is_success() {
            return Ok(Some(bytes));
        }
        if absent_ok && status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let message = serde_json::from_slice::<ErrorMessage>(&bytes)
            .map(|e| e.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).chars().take(500).collect());
        Err(RestError::Api {
            status: status.as_u16(),
            method,
            path: path.to_string(),
            message,
        })
    }

    fn parse<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, RestError> {
        serde_json::from_slice(bytes).map_err(|e| RestError::Body {
            path: path.to_string(),
            reason: e.to_string(),
        })
    }

    /// `GET /connectors/NAME/config`; `None` when there is no such connector.
    pub async fn config(&self, name: &str) -> Result<Option<BTreeMap<String, String>>, RestError> {
        let path = format!("/connectors/{name}/config");
        match self.expect(Method::GET, &path, None, true).await? {
            Some(bytes) => Ok(Some(Self::parse::<OrderedMap>(&path, &bytes)?.to_btree())),
            None => Ok(None),
        }
    }

    /// `GET /connectors/NAME/status`; `None` when there is no such connector (yet).
    pub async fn status(&self, name: &str) -> Result<Option<ConnectorStateInfo>, RestError> {
        let path = format!("/connectors/{name}/status");
        match self.expect(Method::GET, &path, None, true).await? {
            Some(bytes) => Ok(Some(Self::parse(&path, &bytes)?)),
            None => Ok(None),
        }
    }

    /// `GET /connectors/NAME/topics`: the topics the connector has used, sorted.
    pub async fn topics(&self, name: &str) -> Result<Vec<String>, RestError> {
        #[derive(serde::Deserialize)]
        struct Active {
            topics: Vec<String>,
        }
        let path = format!("/connectors/{name}/topics");
        let Some(bytes) = self.expect(Method::GET, &path, None, true).await? else {
            return Ok(Vec::new());
        };
        let by_name: BTreeMap<String, Active> = Self::parse(&path, &bytes)?;
        let mut topics: Vec<String> = by_name.into_values().flat_map(|a| a.topics).collect();
        topics.sort();
        topics.dedup();
        Ok(topics)
    }

    /// `PUT /connector-plugins/CLASS/config/validate`.
    pub async fn validate(&self, class: &str, config: &BTreeMap<String, String>) -> Result<ConfigInfos, RestError> {
        let path = format!("/connector-plugins/{class}/config/validate");
        let body = json_body(config)?;
        let bytes = self.expect(Method::PUT, &path, Some(body), false).await?.unwrap_or_default();
        Self::parse(&path, &bytes)
    }

    /// `POST /connectors` with `initial_state`.
    pub async fn create(&self, name: &str, config: &BTreeMap<String, String>, initial_state: &str) -> Result<(), RestError> {
        let request = CreateConnectorRequest {
            name: Some(name.to_string()),
            config: Some(OrderedMap(config.iter().map(|(k, v)| (k.clone(), v.clone())).collect())),
            initial_state: Some(initial_state.to_string()),
        };
        self.expect(Method::POST, "/connectors", Some(json_body(&request)?), false).await?;
        Ok(())
    }

    /// `PUT /connectors/NAME/config`.
    pub async fn put_config(&self, name: &str, config: &BTreeMap<String, String>) -> Result<(), RestError> {
        let path = format!("/connectors/{name}/config");
        self.expect(Method::PUT, &path, Some(json_body(config)?), false).await?;
        Ok(())
    }

    /// `PUT /connectors/NAME/ACTION` for `pause`, `resume` and `stop`.
    pub async fn transition(&self, name: &str, action: &str) -> Result<(), RestError> {
        let path = format!("/connectors/{name}/{action}");
        self.expect(Method::PUT, &path, None, false).await?;
        Ok(())
    }

    /// `POST /connectors/NAME/restart?includeTasks=…&onlyFailed=…`.
    pub async fn restart(&self, name: &str, include_tasks: bool, only_failed: bool) -> Result<(), RestError> {
        let path = format!("/connectors/{name}/restart?includeTasks={include_tasks}&onlyFailed={only_failed}");
        self.expect(Method::POST, &path, None, false).await?;
        Ok(())
    }

    /// `POST /connectors/NAME/tasks/N/restart`.
    pub async fn restart_task(&self, name: &str, task: u32) -> Result<(), RestError> {
        let path = format!("/connectors/{name}/tasks/{task}/restart");
        self.expect(Method::POST, &path, None, false).await?;
        Ok(())
    }

    /// `DELETE /connectors/NAME`; a connector that is not there is already deleted.
    pub async fn delete(&self, name: &str) -> Result<(), RestError> {
        let path = format!("/connectors/{name}");
        self.expect(Method::DELETE, &path, None, true).await?;
        Ok(())
    }
}

fn json_body<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, RestError> {
    serde_json::to_vec(value).map_err(|e| RestError::Body {
        path: "(request)".into(),
        reason: e.to_string(),
    })
}

/// An error and its sources on one line ("client error (Connect): tcp connect error: Connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
