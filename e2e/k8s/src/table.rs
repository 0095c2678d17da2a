//! What `kubectl get` shows: the server-side Table API (`Accept: application/json;as=Table;…`),
//! which renders a resource's printer columns. Tests read cells by column name, so printer
//! columns are checked exactly as users see them without running kubectl.

use std::collections::BTreeMap;

use kube::Client;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, KubeContext, Result};

/// The media type asking for a `meta.k8s.io/v1` Table.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// A rendered list: its columns and one row per object.
#[derive(Clone, Debug)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A column definition.
#[derive(Clone, Debug, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type", default)]
    pub type_: String,
    #[serde(default)]
    pub format: String,
    /// 0: shown by `kubectl get`; higher: only with `-o wide`.
    #[serde(default)]
    pub priority: i32,
}

/// A row: cells by column name.
#[derive(Clone, Debug)]
pub struct Row {
    pub cells: BTreeMap<String, Value>,
}

impl Row {
    /// The cell of `column` as JSON (`None` when there is no such column).
    pub fn get(&self, column: &str) -> Option<&Value> {
        self.cells.get(column)
    }

    /// The cell as kubectl prints it: strings bare, numbers as digits, empty for null/missing.
    pub fn text(&self, column: &str) -> String {
        match self.cells.get(column) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

impl Table {
    /// The names of the columns `kubectl get` shows (priority 0), as the server names them
    /// (`Name`, `Ready`, …).
    pub fn headers(&self) -> Vec<String> {
        self.columns.iter().filter(|c| c.priority == 0).map(|c| c.name.clone()).collect()
    }

    /// The headers exactly as `kubectl get` prints them: [`Table::headers`] upper-cased.
    pub fn kubectl_headers(&self) -> Vec<String> {
        self.headers().iter().map(|h| h.to_uppercase()).collect()
    }

    /// The row whose `Name` cell is `name`.
    pub fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.text("Name") == name)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTable {
    kind: String,
    #[serde(default)]
    column_definitions: Vec<Column>,
    #[serde(default)]
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
struct RawRow {
    #[serde(default)]
    cells: Vec<Value>,
}

/// The path of a resource collection: `/api/v1/…` for the core group, `/apis/GROUP/VERSION/…`
/// otherwise; namespaced when `namespace` is given.
pub fn collection_path(group: &str, version: &str, plural: &str, namespace: Option<&str>) -> String {
    let base = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    match namespace {
        Some(ns) => format!("{base}/namespaces/{ns}/{plural}"),
        None => format!("{base}/{plural}"),
    }
}

/// GETs `path` (a collection or one object) as a Table.
pub async fn get_table(client: &Client, path: &str) -> Result<Table> {
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, TABLE_ACCEPT)
        .body(Vec::new())
        .map_err(|e| Error::Invalid(format!("building a request for {path}: {e}")))?;
    let text = client.request_text(request).await.context(|| format!("GET {path} as Table"))?;
    parse(&text).map_err(|e| Error::Invalid(format!("GET {path} as Table: {e}")))
}

fn parse(text: &str) -> std::result::Result<Table, String> {
    let raw: RawTable = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if raw.kind != "Table" {
        return Err(format!("the server answered a {} instead of a Table", raw.kind));
    }
    let rows = raw
        .rows
        .into_iter()
        .map(|row| Row {
            cells: raw.column_definitions.iter().map(|c| c.name.clone()).zip(row.cells).collect(),
        })
        .collect();
    Ok(Table {
        columns: raw.column_definitions,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_by_column_and_kubectl_headers() {
        let text = r#"{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[
            {"name":"Name","type":"string","format":"name","priority":0},
            {"name":"Replicas","type":"integer","format":"","priority":0},
            {"name":"Hidden","type":"string","format":"","priority":1}],
            "rows":[{"cells":["a",3,null]}]}"#;
        let table = parse(text).unwrap();
        assert_eq!(table.headers(), ["Name", "Replicas"]);
        assert_eq!(table.kubectl_headers(), ["NAME", "REPLICAS"]);
        let row = table.row("a").unwrap();
        assert_eq!(row.text("Replicas"), "3");
        assert_eq!(row.text("Hidden"), "");
        assert_eq!(collection_path("", "v1", "pods", Some("x")), "/api/v1/namespaces/x/pods");
    }
}
