//! Writes a batch of records in one transaction (Confluent's `JdbcDbWriter` and
//! `BufferedRecords`): each record goes to the table its topic names, the table is created
//! (`auto.create`) or given its missing columns (`auto.evolve`) first, consecutive records of
//! one table and kind become multi-row statements (an upsert run keeps the last row of each
//! key), and the whole batch commits or none of it does.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kaskade_connect::connectors::ConnectError;
use kaskade_connect::data::SchemaRef;
use kaskade_connect::record::{ConnectRecord, Origin};

use super::config::{InsertMode, PkMode, SinkConfig};
use super::fields::{self, Layout};
use super::sql;
use crate::catalog::{self, TableId};
use crate::db::{Db, DbError, Param};
use crate::dialect::Dialect;
use crate::url::Engine;

/// A failure to write, and whether trying again later may succeed.
#[derive(Debug)]
pub enum WriteError {
    /// The database could not be reached or dropped the connection: retry the batch.
    Transient(ConnectError),
    /// The batch cannot be written as it is.
    Fatal(ConnectError),
}

impl WriteError {
    fn from_db(context: String, e: DbError) -> WriteError {
        let transient = e.is_transient();
        let err = ConnectError::new(context).caused_by(format!("java.sql.SQLException: {e}"));
        if transient {
            WriteError::Transient(err)
        } else {
            WriteError::Fatal(err)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Write,
    Delete,
}

struct CachedLayout {
    table: String,
    key: Option<SchemaRef>,
    value: Option<SchemaRef>,
    layout: Arc<Layout>,
}

pub struct Writer {
    cfg: Arc<SinkConfig>,
    connector: String,
    db: Option<Db>,
    /// Column names of the tables written so far.
    tables: HashMap<String, HashSet<String>>,
    layouts: Vec<CachedLayout>,
}

/// A row's key values, hashable (floats by their bits), to keep one row per key.
#[derive(PartialEq)]
struct Key<'a>(&'a [Param]);

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for p in self.0 {
            std::mem::discriminant(p).hash(h);
            match p {
                Param::Null | Param::TypedNull(_) => {}
                Param::Bool(b) => b.hash(h),
                Param::I64(i) => i.hash(h),
                Param::F32(f) => f.to_bits().hash(h),
                Param::F64(f) => f.to_bits().hash(h),
                Param::Text(t) => t.hash(h),
                Param::Bytes(b) => b.hash(h),
                Param::Decimal(d) => d.hash(h),
                Param::Date(d) => d.hash(h),
                Param::Time(t) => t.hash(h),
                Param::DateTime(t) => t.hash(h),
            }
        }
    }
}

/// Where a record came from, as Confluent's messages show it.
fn coordinates(r: &ConnectRecord) -> String {
    let offset = match &r.origin {
        Origin::Sink { kafka_offset, .. } => *kafka_offset,
        Origin::Source { .. } => -1,
    };
    format!(
        "(topic='{}',partition={},offset={},timestamp={})",
        r.topic,
        r.kafka_partition.unwrap_or(0),
        offset,
        r.timestamp.map_or("null".into(), |t| t.to_string())
    )
}

impl Writer {
    pub fn new(cfg: Arc<SinkConfig>, connector: String) -> Writer {
        Writer {
            cfg,
            connector,
            db: None,
            tables: HashMap::new(),
            layouts: Vec::new(),
        }
    }

    fn dialect(&self, engine: Engine) -> Dialect {
        Dialect::new(engine, self.cfg.connection.quote)
    }

    fn layout_of(&mut self, table: &str, r: &ConnectRecord, kind: Kind) -> Result<Arc<Layout>, ConnectError> {
        let value = if kind == Kind::Delete { None } else { r.value_schema.clone() };
        if let Some(c) = self
            .layouts
            .iter()
            .find(|c| c.table == table && c.key.as_ref() == r.key_schema.as_ref() && c.value.as_ref() == value.as_ref())
        {
            return Ok(c.layout.clone());
        }
        let layout = Arc::new(fields::layout(&self.cfg, table, r.key_schema.as_ref(), value.as_ref())?);
        if self.layouts.len() > 64 {
            self.layouts.clear();
        }
        self.layouts.push(CachedLayout {
            table: table.to_string(),
            key: r.key_schema.clone(),
            value,
            layout: layout.clone(),
        });
        Ok(layout)
    }

    /// The table exists with every column of `layout`: created or evolved when allowed.
    async fn ensure_table(&mut self, db: &Db, table: &str, layout: &Layout) -> Result<(), WriteError> {
        let d = self.dialect(db.engine());
        let fold = |s: &str| {
            if db.engine() == Engine::MySql {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        if !self.tables.contains_key(table) {
            let cols = self.read_columns(db, table).await?;
            if cols.is_empty() {
                if !self.cfg.auto_create {
                    return Err(WriteError::Fatal(ConnectError::new(format!(
                        "Table \"{table}\" is missing and auto-creation is disabled"
                    ))));
                }
                let ddl = sql::create_table(&d, table, &layout.fields);
                tracing::info!(connector = self.connector, "Creating table with sql: {ddl}");
                if let Err(e) = db.execute(&ddl, &[]).await {
                    // Another task may have created it meanwhile.
                    if self.read_columns(db, table).await?.is_empty() {
                        return Err(WriteError::from_db(format!("Creating table {table} failed"), e));
                    }
                }
                let cols = self.read_columns(db, table).await?;
                self.tables.insert(table.to_string(), cols);
            } else {
                self.tables.insert(table.to_string(), cols);
            }
        }
        let known = self.tables.get(table).cloned().unwrap_or_default();
        let missing: Vec<_> = layout.fields.iter().filter(|f| !known.contains(&fold(&f.name))).cloned().collect();
        if missing.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = missing.iter().map(|f| f.name.as_str()).collect();
        if !self.cfg.auto_evolve {
            return Err(WriteError::Fatal(ConnectError::new(format!(
                "Table {table} is missing fields ({}) and auto-evolution is disabled",
                names.join(", ")
            ))));
        }
        if let Some(f) = missing
            .iter()
            .find(|f| f.is_key || (!f.schema.optional && f.schema.default.is_none()))
        {
            return Err(WriteError::Fatal(ConnectError::new(format!(
                "Cannot ALTER TABLE {table} to add missing field {}, as the field is not optional and does not have a default value",
                f.name
            ))));
        }
        for ddl in sql::alter_add(&d, table, &missing) {
            tracing::info!(connector = self.connector, "Amending table to add missing fields with SQL: {ddl}");
            if let Err(e) = db.execute(&ddl, &[]).await {
                let now = self.read_columns(db, table).await?;
                if missing.iter().any(|f| !now.contains(&fold(&f.name))) {
                    return Err(WriteError::from_db(format!("Altering table {table} failed"), e));
                }
            }
        }
        let cols = self.read_columns(db, table).await?;
        self.tables.insert(table.to_string(), cols);
        Ok(())
    }

    async fn read_columns(&self, db: &Db, table: &str) -> Result<HashSet<String>, WriteError> {
        let id = TableId {
            catalog: None,
            schema: None,
            table: table.to_string(),
        };
        let cols = catalog::columns(db, &id)
            .await
            .map_err(|e| WriteError::from_db(format!("Reading the columns of table {table}"), e))?;
        Ok(cols
            .into_iter()
            .map(|c| {
                if db.engine() == Engine::MySql {
                    c.name.to_lowercase()
                } else {
                    c.name
                }
            })
            .collect())
    }

    /// Writes `records` in one transaction.
    pub async fn write(&mut self, records: &[ConnectRecord]) -> Result<(), WriteError> {
        if records.is_empty() {
            return Ok(());
        }
        if self.db.is_none() {
            let db = Db::connect(&self.cfg.connection.spec).await.map_err(|e| {
                WriteError::Transient(
                    ConnectError::new(format!("Could not connect to {}", self.cfg.connection.spec.url.redacted()))
                        .caused_by(format!("java.sql.SQLException: {e}")),
                )
            })?;
            self.db = Some(db);
        }
        let Some(db) = self.db.clone() else { return Ok(()) };
        let tz = self.cfg.connection.timezone;
        // Each record: its table, kind, layout and row.
        let mut ops: Vec<(String, Kind, Arc<Layout>, Vec<Param>)> = Vec::with_capacity(records.len());
        for r in records {
            let table = self.cfg.table_name(&r.topic);
            let kind = if r.value.is_null() && self.cfg.delete_enabled {
                Kind::Delete
            } else {
                let is_struct = r.value.as_struct().is_some() && r.value_schema.is_some();
                if !is_struct {
                    let what = if r.value.is_null() {
                        "null"
                    } else {
                        r.value.java_class().rsplit('.').next().unwrap_or("")
                    };
                    let schema = if r.value_schema.is_none() { "null" } else { "non-Struct" };
                    return Err(WriteError::Fatal(ConnectError::new(format!(
                        "Sink connector '{}' is configured with 'delete.enabled={}' and 'pk.mode={}' and therefore requires records with a non-null Struct or String value and non-null Struct or String schema, but found record at {} with a {what} value and {schema} value schema.",
                        self.connector,
                        self.cfg.delete_enabled,
                        match self.cfg.pk_mode {
                            PkMode::None => "none",
                            PkMode::Kafka => "kafka",
                            PkMode::RecordKey => "record_key",
                            PkMode::RecordValue => "record_value",
                        },
                        coordinates(r)
                    ))));
                }
                Kind::Write
            };
            let layout = self.layout_of(&table, r, kind).map_err(WriteError::Fatal)?;
            let mut row = fields::row(r, &layout, &tz).map_err(WriteError::Fatal)?;
            if kind == Kind::Delete {
                row.truncate(layout.key_count);
            }
            ops.push((table, kind, layout, row));
        }
        // Tables first (DDL commits on its own on MySQL).
        let mut ensured: HashSet<(String, usize)> = HashSet::new();
        for (table, kind, layout, _) in &ops {
            if *kind == Kind::Write && ensured.insert((table.clone(), Arc::as_ptr(layout) as usize)) {
                self.ensure_table(&db, table, layout).await?;
            }
        }
        let statements = self.statements(db.engine(), ops);
        let count = records.len();
        db.transaction(&statements)
            .await
            .map_err(|e| WriteError::from_db(format!("Failed to write {count} records"), e))?;
        Ok(())
    }

    /// Consecutive operations of one table, kind and layout become one run; runs become
    /// statements in order.
    fn statements(&self, engine: Engine, ops: Vec<(String, Kind, Arc<Layout>, Vec<Param>)>) -> Vec<(String, Vec<Param>)> {
        let d = self.dialect(engine);
        let mode = self.cfg.insert_mode;
        let mut out = Vec::new();
        let mut i = 0;
        while i < ops.len() {
            let (table, kind, layout) = (&ops[i].0, ops[i].1, ops[i].2.clone());
            let mut j = i;
            while j < ops.len() && &ops[j].0 == table && ops[j].1 == kind && Arc::ptr_eq(&ops[j].2, &layout) {
                j += 1;
            }
            let mut rows: Vec<&Vec<Param>> = ops[i..j].iter().map(|o| &o.3).collect();
            match (kind, mode) {
                (Kind::Delete, _) => {
                    let sql = sql::delete(&d, table, layout.keys());
                    out.extend(rows.into_iter().map(|r| (sql.clone(), r.clone())));
                }
                (Kind::Write, InsertMode::Update) => {
                    let sql = sql::update(&d, table, &layout.fields);
                    for r in rows {
                        let (keys, others) = r.split_at(layout.key_count);
                        out.push((sql.clone(), others.iter().chain(keys).cloned().collect()));
                    }
                }
                (Kind::Write, mode) => {
                    if mode == InsertMode::Upsert && layout.key_count > 0 {
                        // One row per key in a statement: the last one wins, as it would
                        // applied one by one.
                        let mut seen = HashSet::with_capacity(rows.len());
                        let mut kept: Vec<&Vec<Param>> = Vec::with_capacity(rows.len());
                        for r in rows.iter().rev() {
                            if seen.insert(Key(&r[..layout.key_count])) {
                                kept.push(r);
                            }
                        }
                        kept.reverse();
                        rows = kept;
                    }
                    let per_statement = (sql::max_params(engine) / layout.fields.len().max(1)).clamp(1, self.cfg.batch_size.max(1));
                    for chunk in rows.chunks(per_statement) {
                        let sql = sql::insert(&d, table, &layout.fields, chunk.len(), mode);
                        out.push((sql, chunk.iter().flat_map(|r| r.iter().cloned()).collect()));
                    }
                }
            }
            i = j;
        }
        out
    }

    /// Forgets the connection (after a transient failure) and what it knew of tables.
    pub fn reset(&mut self) {
        self.db = None;
        self.tables.clear();
    }
}
