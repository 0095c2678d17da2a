//! One table's (or the query's) incremental copy: builds its SELECT for the mode, runs it, turns
//! rows into records with Confluent's schema and offsets, and keeps its place.
//!
//! Two things go beyond Confluent's connector, which loses rows in both cases:
//! - **Ids committed out of order** (`incrementing`): a row whose id is lower than one already
//!   read, committed later. Every id missing between rows read is kept as a *gap*, together with
//!   the transactions open right after the read (`Dialect::open_transactions_sql`). Auto-increment
//!   ids are handed out in order, so a missing id's row can only still appear if its transaction
//!   was open then. Each poll first looks the gaps up again; a gap whose transactions have all
//!   ended since is looked up one last time and then forgotten (its transaction rolled back or
//!   the id was never used). No committed row is skipped, and a gap costs one indexed lookup.
//! - **Timestamps** (`timestamp`, `timestamp+incrementing`): the upper bound of each query is
//!   the earlier of the database's clock minus `timestamp.delay.interval.ms` (and minus how stale
//!   its list of transactions may be) and the start of its oldest open transaction that wrote,
//!   whose rows' `NOW()` cannot be earlier; and a batch never ends in the
//!   middle of rows that share a timestamp (in `timestamp` mode a full batch drops its last
//!   timestamp's rows for the next query, or reads that timestamp's rows whole).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{NaiveDateTime, Timelike};
use kaskade_connect::connectors::ConnectError;
use kaskade_connect::data::{SchemaBuilder, SchemaRef, Struct, Value};
use kaskade_connect::record::ConnectRecord;
use serde_json::Value as Json;

use super::config::{Mode, SourceConfig};
use super::offset::{self, Position};
use crate::catalog::{self, TableId};
use crate::db::{Cell, Db, DbError, Decode, Param};
use crate::dialect::Dialect;
use crate::types::{map_column, to_value, Column, FieldMapping};

/// At most this many missing ids are remembered at once (a jump in ids larger than this, e.g.
/// rows inserted with explicit ids, is not tracked beyond it).
const MAX_GAPS: usize = 10_000;
/// On a table's first read, this many ids below its first row are watched as gaps.
const FIRST_READ_GAPS: i64 = 1_000;
/// Ids looked up per `IN (...)` query.
const GAPS_PER_QUERY: usize = 500;

/// What a querier copies.
#[derive(Debug, Clone)]
pub enum Source {
    Table(TableId),
    Query(String),
}

/// Columns mapped to the row's schema.
struct Mapped {
    schema: SchemaRef,
    fields: Vec<FieldMapping>,
    /// The SELECT list and FROM clause, without WHERE.
    select: String,
    incrementing: Option<usize>,
    timestamps: Vec<usize>,
}

/// Missing ids seen in one read, and the transactions open right after it.
#[derive(Clone)]
struct Gaps {
    ids: BTreeSet<i64>,
    /// When they were seen missing.
    seen: std::time::Instant,
    /// The transactions open after that, as a list no older than the gaps; `None` until taken.
    open: Option<Vec<String>>,
}

pub struct Querier {
    pub source: Source,
    config: Arc<SourceConfig>,
    dialect: Dialect,
    topic: String,
    partition: Json,
    mapped: Option<Mapped>,
    position: Position,
    gaps: Vec<Gaps>,
    gap_warned: bool,
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Null => String::new(),
        c => format!("{c:?}"),
    }
}

impl Querier {
    pub fn new(source: Source, config: Arc<SourceConfig>, dialect: Dialect, stored: Option<Json>) -> Querier {
        let (topic, partition) = match &source {
            // A bulk copy keeps no place: its partition is Confluent's legacy one, its offset null.
            Source::Table(t) if config.mode == Mode::Bulk => (
                format!("{}{}", config.topic_prefix, t.table),
                offset::legacy_table_partition(&t.table),
            ),
            Source::Table(t) => (
                format!("{}{}", config.topic_prefix, t.table),
                offset::table_partition(&t.full_name()),
            ),
            Source::Query(_) => (config.topic_prefix.clone(), offset::query_partition()),
        };
        let position = stored.as_ref().map(Position::from_json).unwrap_or_default();
        let gaps = if position.gaps.is_empty() {
            Vec::new()
        } else {
            // Which transactions were open when they were seen is not kept: the ones open at the
            // first lookup stand in (a superset of those that matter).
            vec![Gaps {
                ids: position.gaps.iter().copied().collect(),
                seen: std::time::Instant::now(),
                open: None,
            }]
        };
        Querier {
            source,
            config,
            dialect,
            topic,
            partition,
            mapped: None,
            position,
            gaps,
            gap_warned: false,
        }
    }

    /// The partitions under which this querier's offset may be stored (Confluent's protocol 1,
    /// then its legacy form).
    pub fn partitions(source: &Source) -> Vec<Json> {
        match source {
            Source::Table(t) => vec![offset::table_partition(&t.full_name()), offset::legacy_table_partition(&t.table)],
            Source::Query(_) => vec![offset::query_partition()],
        }
    }

    fn name(&self) -> String {
        match &self.source {
            Source::Table(t) => self.dialect.qualified(&t_parts(t)),
            Source::Query(_) => "query".into(),
        }
    }

    /// Reads the columns and builds the SELECT; checks the mode's columns.
    async fn map(&mut self, db: &Db) -> Result<(), ConnectError> {
        let cfg = self.config.clone();
        let (columns, from) = match &self.source {
            Source::Table(t) => (
                catalog::columns(db, t)
                    .await
                    .map_err(|e| sql_error(&format!("reading the columns of {}", t.full_name()), e))?,
                self.dialect.qualified(&t_parts(t)),
            ),
            Source::Query(q) => {
                let wrapped = format!("SELECT * FROM ({q}) kaskade_query");
                (
                    catalog::query_columns(db, &wrapped)
                        .await
                        .map_err(|e| sql_error("describing the query", e))?,
                    format!("({q}) kaskade_query"),
                )
            }
        };
        if columns.is_empty() {
            return Err(ConnectError::new(format!("No columns found for {}", self.name())));
        }
        let mut fields = Vec::new();
        let mut kept: Vec<&Column> = Vec::new();
        for c in &columns {
            match map_column(c, cfg.numeric) {
                Some(f) => {
                    fields.push(f);
                    kept.push(c);
                }
                None => tracing::warn!(
                    "JDBC type {} not currently supported for column '{}' of {}: the column is left out",
                    c.type_name,
                    c.name,
                    self.name()
                ),
            }
        }
        let mut b = SchemaBuilder::struct_();
        if let Source::Table(t) = &self.source {
            b = b.name(t.table.clone());
        }
        for f in &fields {
            b = b
                .field(f.name.clone(), f.schema.clone())
                .map_err(|e| ConnectError::new(e.to_string()))?;
        }
        let index_of = |name: &str| kept.iter().position(|c| c.name == name);
        let mut incrementing = None;
        if cfg.mode.uses_incrementing() {
            let name = if cfg.incrementing_column.is_empty() {
                kept.iter()
                    .find(|c| c.auto_increment)
                    .map(|c| c.name.clone())
                    .ok_or_else(|| ConnectError::new(format!("Cannot find auto-incrementing column in {}", self.name())))?
            } else {
                cfg.incrementing_column.clone()
            };
            let i = index_of(&name).ok_or_else(|| ConnectError::new(format!("Incrementing column {name} not found in {}", self.name())))?;
            if cfg.validate_non_null && matches!(self.source, Source::Table(_)) && kept[i].nullable {
                return Err(ConnectError::new(format!(
                    "Cannot make incremental queries using incrementing column {name} on {} because this column is nullable.",
                    self.name()
                )));
            }
            incrementing = Some(i);
        }
        let mut timestamps = Vec::new();
        if cfg.mode.uses_timestamp() {
            for name in &cfg.timestamp_columns {
                timestamps.push(
                    index_of(name).ok_or_else(|| ConnectError::new(format!("Timestamp column {name} not found in {}", self.name())))?,
                );
            }
            if cfg.validate_non_null && matches!(self.source, Source::Table(_)) && timestamps.iter().all(|i| kept[*i].nullable) {
                return Err(ConnectError::new(format!(
                    "Cannot make incremental queries using timestamp columns [{}] on {} because all of these columns are nullable.",
                    cfg.timestamp_columns.join(", "),
                    self.name()
                )));
            }
        }
        let list: Vec<String> = kept
            .iter()
            .map(|c| {
                let r = self.column_ref(&c.name);
                // PostgreSQL sends uuid, json and the like in binary forms of their own: as text.
                let plain_text = ["VARCHAR", "TEXT", "BPCHAR", "CHAR", "NAME", "CHARACTER"].contains(&c.type_name.as_str());
                if self.dialect.engine == crate::url::Engine::Postgres && c.jdbc == crate::types::JdbcType::Char && !plain_text {
                    format!("CAST({r} AS TEXT) AS {}", self.dialect.ident(&c.name))
                } else {
                    r
                }
            })
            .collect();
        self.mapped = Some(Mapped {
            schema: b.build(),
            fields,
            select: format!("SELECT {} FROM {from}", list.join(", ")),
            incrementing,
            timestamps,
        });
        Ok(())
    }

    /// One read: the records it found and whether more are probably waiting (a full batch).
    /// The schema is read again at the start of each round (after a read that was not full).
    pub async fn poll(&mut self, db: &Db, fresh_round: bool) -> Result<(Vec<ConnectRecord>, bool), ConnectError> {
        if self.mapped.is_none() || fresh_round {
            self.map(db).await?;
        }
        if self.position == Position::default() && self.config.mode.uses_timestamp() {
            if let Some(initial) = self.config.timestamp_initial {
                let ms = if initial == -1 {
                    let now = self.db_now(db).await?;
                    self.config.connection.timezone.to_epoch_ms(&now)
                } else {
                    initial
                };
                self.position.timestamp = Some((ms, (ms.rem_euclid(1000) * 1_000_000) as u32));
            }
        }
        // A read that fails changes nothing: the same read is tried again.
        let saved = (self.position.clone(), self.gaps.clone());
        let result = self.read(db).await;
        if result.is_err() {
            (self.position, self.gaps) = saved;
        }
        result
    }

    async fn read(&mut self, db: &Db) -> Result<(Vec<ConnectRecord>, bool), ConnectError> {
        match self.config.mode {
            Mode::Bulk => {
                let rows = self.fetch(db, &self.select_sql(""), &[]).await?;
                let records = rows
                    .into_iter()
                    .map(|r| self.record(r, Json::Null))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((records, false))
            }
            Mode::Incrementing => self.poll_incrementing(db).await,
            Mode::Timestamp | Mode::TimestampIncrementing => self.poll_timestamp(db).await,
        }
    }

    fn select_sql(&self, clause: &str) -> String {
        let m = self.mapped.as_ref().expect("mapped before querying");
        let mut sql = m.select.clone();
        if !clause.is_empty() {
            sql.push(' ');
            sql.push_str(clause);
        }
        if !self.config.query_suffix.is_empty() {
            sql.push(' ');
            sql.push_str(&self.config.query_suffix);
        }
        sql
    }

    async fn fetch(&self, db: &Db, sql: &str, params: &[Param]) -> Result<Vec<Vec<Cell>>, ConnectError> {
        let m = self.mapped.as_ref().expect("mapped before querying");
        let decode: Vec<Decode> = m.fields.iter().map(|f| f.decode).collect();
        tracing::trace!(sql, ?params, "querying {}", self.name());
        db.fetch(sql, params, &decode)
            .await
            .map_err(|e| sql_error(&format!("Failed to run query for {}: {sql}", self.name()), e))
    }

    fn inc_expr(&self) -> String {
        let m = self.mapped.as_ref().expect("mapped");
        let i = m.incrementing.expect("incrementing column");
        self.column_ref(&m.fields[i].name)
    }

    fn column_ref(&self, name: &str) -> String {
        match self.source {
            Source::Table(_) => self.dialect.ident(name),
            Source::Query(_) => format!("kaskade_query.{}", self.dialect.ident(name)),
        }
    }

    fn ts_expr(&self) -> String {
        let m = self.mapped.as_ref().expect("mapped");
        let refs: Vec<String> = m.timestamps.iter().map(|i| self.column_ref(&m.fields[*i].name)).collect();
        self.dialect.timestamp_expr(&refs)
    }

    async fn open_transactions(&self, db: &Db) -> Result<Vec<String>, ConnectError> {
        let Some(sql) = self.dialect.open_transactions_sql() else {
            return Ok(Vec::new());
        };
        match db.fetch(sql, &[], &[Decode::Text]).await {
            Ok(rows) => Ok(rows.iter().map(|r| cell_text(&r[0])).collect()),
            Err(e) if !e.is_transient() => {
                // No right to see other transactions (MySQL's PROCESS privilege): gaps are then
                // looked up once more only.
                tracing::warn!("cannot list open transactions ({e}); ids committed out of order may be missed");
                Ok(Vec::new())
            }
            Err(e) => Err(sql_error("listing open transactions", e)),
        }
    }

    async fn poll_incrementing(&mut self, db: &Db) -> Result<(Vec<ConnectRecord>, bool), ConnectError> {
        let mut records = Vec::new();
        let inc = self.inc_expr();
        // 1. The gaps: look them up again; those whose transactions all ended are looked up for
        //    the last time.
        if !self.gaps.is_empty() {
            let open: BTreeSet<String> = self.open_transactions(db).await?.into_iter().collect();
            let stale = self.dialect.transaction_list_staleness();
            let finished: Vec<bool> = self
                .gaps
                .iter_mut()
                .map(|g| match &g.open {
                    Some(marker) => !marker.iter().any(|t| open.contains(t)),
                    None => {
                        // The list read now is recent enough to hold every transaction open
                        // when the gaps were seen: it becomes their marker.
                        if g.seen.elapsed() >= stale {
                            g.open = Some(open.iter().cloned().collect());
                        }
                        false
                    }
                })
                .collect();
            let ids: Vec<i64> = self.gaps.iter().flat_map(|g| g.ids.iter().copied()).collect();
            let mut found = Vec::new();
            for chunk in ids.chunks(GAPS_PER_QUERY) {
                let marks: Vec<String> = (1..=chunk.len()).map(|n| self.dialect.placeholder(n)).collect();
                let sql = self.select_sql(&format!("WHERE {inc} IN ({}) ORDER BY {inc} ASC", marks.join(", ")));
                let params: Vec<Param> = chunk.iter().map(|i| Param::I64(*i)).collect();
                found.extend(self.fetch(db, &sql, &params).await?);
            }
            let inc_index = self.mapped.as_ref().and_then(|m| m.incrementing).unwrap_or(0);
            let found_ids: BTreeSet<i64> = found.iter().filter_map(|r| r[inc_index].as_i64()).collect();
            for (g, done) in self.gaps.iter_mut().zip(finished) {
                g.ids.retain(|i| !found_ids.contains(i));
                if done {
                    g.ids.clear();
                }
            }
            self.gaps.retain(|g| !g.ids.is_empty());
            if !found.is_empty() {
                tracing::debug!(count = found.len(), "rows committed out of id order found in {}", self.name());
            }
            self.position.gaps = self.gaps.iter().flat_map(|g| g.ids.iter().copied()).collect();
            for row in found {
                let o = self.position.to_json();
                records.push(self.record(row, o)?);
            }
        }
        // 2. New rows.
        let last = self.position.incrementing.unwrap_or(-1);
        let limit = self.config.batch_max_rows;
        let sql = self.select_sql(&format!(
            "WHERE {inc} > {} ORDER BY {inc} ASC LIMIT {limit}",
            self.dialect.placeholder(1)
        ));
        let rows = self.fetch(db, &sql, &[Param::I64(last)]).await?;
        let more = rows.len() >= limit;
        let inc_index = self.mapped.as_ref().and_then(|m| m.incrementing).unwrap_or(0);
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| {
                r[inc_index].as_i64().ok_or_else(|| {
                    ConnectError::new(format!(
                        "Incrementing column of {} holds a non-integer {:?}",
                        self.name(),
                        r[inc_index]
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        // 3. Ids missing among them: remember them with the transactions open now.
        let mut missing = BTreeSet::new();
        // From where ids should follow: the last id read before; on a first read, the ids just
        // below its first row (up to FIRST_READ_GAPS of them) may belong to transactions still
        // open, so they are watched too.
        let mut expected = self
            .position
            .incrementing
            .map(|l| l.saturating_add(1))
            .or_else(|| ids.first().map(|first| (first - FIRST_READ_GAPS).max(1.min(*first))));
        let tracked: usize = self.gaps.iter().map(|g| g.ids.len()).sum();
        for id in &ids {
            if let Some(mut m) = expected {
                while m < *id && tracked + missing.len() < MAX_GAPS {
                    missing.insert(m);
                    m += 1;
                }
                if m < *id && !self.gap_warned {
                    self.gap_warned = true;
                    tracing::warn!(
                        "more than {MAX_GAPS} ids missing in {}: not all are watched for late commits",
                        self.name()
                    );
                }
            }
            expected = Some(id.saturating_add(1));
        }
        if !missing.is_empty() {
            let open = if self.dialect.transaction_list_staleness().is_zero() {
                Some(self.open_transactions(db).await?)
            } else {
                None
            };
            self.gaps.push(Gaps {
                ids: missing,
                seen: std::time::Instant::now(),
                open,
            });
        }
        self.position.gaps = self.gaps.iter().flat_map(|g| g.ids.iter().copied()).collect();
        for (row, id) in rows.into_iter().zip(ids) {
            self.position.incrementing = Some(id);
            let o = self.position.to_json();
            records.push(self.record(row, o)?);
        }
        Ok((records, more))
    }

    async fn db_now(&self, db: &Db) -> Result<NaiveDateTime, ConnectError> {
        let rows = db
            .fetch(self.dialect.current_time_sql(), &[], &[Decode::DateTime])
            .await
            .map_err(|e| sql_error("reading the database's time", e))?;
        match rows.first().map(|r| &r[0]) {
            Some(Cell::DateTime(t)) => Ok(match self.dialect.engine {
                // SQLite's clock is UTC: shown in db.timezone.
                crate::url::Engine::Sqlite => self
                    .config
                    .connection
                    .timezone
                    .wall_clock(t.and_utc().timestamp_millis(), t.nanosecond())
                    .unwrap_or(*t),
                _ => *t,
            }),
            other => Err(ConnectError::new(format!("Unexpected current time {other:?}"))),
        }
    }

    /// The upper bound of a timestamp query: nothing at or after it may still change.
    async fn timestamp_bound(&self, db: &Db) -> Result<NaiveDateTime, ConnectError> {
        let now = self.db_now(db).await? - chrono::Duration::milliseconds(self.config.timestamp_delay_ms);
        // A transaction younger than the database's list of them may be missing from it.
        let now = now - chrono::Duration::from_std(self.dialect.transaction_list_staleness()).unwrap_or_default();
        let Some(sql) = self.dialect.oldest_transaction_sql() else {
            return Ok(now);
        };
        match db.fetch(sql, &[], &[Decode::DateTime]).await {
            Ok(rows) => Ok(match rows.first().map(|r| &r[0]) {
                Some(Cell::DateTime(t)) if *t < now => {
                    tracing::debug!(bound = %t, "{}: rows up to the start of the oldest open transaction", self.name());
                    *t
                }
                _ => now,
            }),
            Err(e) if !e.is_transient() => {
                tracing::warn!("cannot see open transactions ({e}); rows committed late with an earlier timestamp may be missed");
                Ok(now)
            }
            Err(e) => Err(sql_error("reading open transactions", e)),
        }
    }

    fn row_timestamp(&self, row: &[Cell]) -> Result<(i64, u32, NaiveDateTime), ConnectError> {
        let m = self.mapped.as_ref().expect("mapped");
        let tz = &self.config.connection.timezone;
        for i in &m.timestamps {
            match &row[*i] {
                Cell::DateTime(t) => return Ok((tz.to_epoch_ms(t), t.nanosecond(), *t)),
                Cell::Instant(t) => {
                    let wall = tz.wall_clock(t.timestamp_millis(), t.nanosecond()).unwrap_or_else(|| t.naive_utc());
                    return Ok((t.timestamp_millis(), t.nanosecond(), wall));
                }
                Cell::Date(d) => {
                    let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
                    return Ok((tz.to_epoch_ms(&t), 0, t));
                }
                _ => continue,
            }
        }
        Err(ConnectError::new(format!(
            "A row of {} has no timestamp in [{}]",
            self.name(),
            self.config.timestamp_columns.join(", ")
        )))
    }

    async fn poll_timestamp(&mut self, db: &Db) -> Result<(Vec<ConnectRecord>, bool), ConnectError> {
        let bound = self.timestamp_bound(db).await?;
        let tz = self.config.connection.timezone;
        let last = match self.position.timestamp {
            Some((ms, nanos)) => tz.wall_clock(ms, nanos).unwrap_or_default(),
            None => tz.wall_clock(0, 0).unwrap_or_default(),
        };
        let ts = self.ts_expr();
        let limit = self.config.batch_max_rows;
        let p = |n| self.dialect.placeholder(n);
        let mut rows = if self.config.mode == Mode::TimestampIncrementing {
            let inc = self.inc_expr();
            let sql = self.select_sql(&format!(
                "WHERE {ts} < {} AND (({ts} = {} AND {inc} > {}) OR {ts} > {}) ORDER BY {ts}, {inc} ASC LIMIT {limit}",
                p(1),
                p(2),
                p(3),
                p(4)
            ));
            let last_inc = self.position.incrementing.unwrap_or(-1);
            self.fetch(
                db,
                &sql,
                &[
                    Param::DateTime(bound),
                    Param::DateTime(last),
                    Param::I64(last_inc),
                    Param::DateTime(last),
                ],
            )
            .await?
        } else {
            let sql = self.select_sql(&format!(
                "WHERE {ts} > {} AND {ts} < {} ORDER BY {ts} ASC LIMIT {limit}",
                p(1),
                p(2)
            ));
            self.fetch(db, &sql, &[Param::DateTime(last), Param::DateTime(bound)]).await?
        };
        let mut more = rows.len() >= limit;
        if more && self.config.mode == Mode::Timestamp {
            // Never stop inside a timestamp: the next query starts after it.
            let last_ts = self.row_timestamp(&rows[rows.len() - 1])?.2;
            let first_ts = self.row_timestamp(&rows[0])?.2;
            if first_ts == last_ts {
                let sql = self.select_sql(&format!("WHERE {ts} = {}", p(1)));
                rows = self.fetch(db, &sql, &[Param::DateTime(last_ts)]).await?;
            } else {
                while let Some(r) = rows.last() {
                    if self.row_timestamp(r)?.2 == last_ts {
                        rows.pop();
                    } else {
                        break;
                    }
                }
            }
            more = true;
        }
        let inc_index = self.mapped.as_ref().and_then(|m| m.incrementing);
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let (ms, nanos, _) = self.row_timestamp(&row)?;
            self.position.timestamp = Some((ms, nanos));
            if let Some(i) = inc_index {
                self.position.incrementing = row[i].as_i64();
            }
            let o = self.position.to_json();
            records.push(self.record(row, o)?);
        }
        Ok((records, more))
    }

    fn record(&self, row: Vec<Cell>, offset: Json) -> Result<ConnectRecord, ConnectError> {
        let m = self.mapped.as_ref().expect("mapped");
        let mut s = Struct::new(m.schema.clone()).map_err(|e| ConnectError::new(e.to_string()))?;
        let tz = &self.config.connection.timezone;
        for (i, (cell, f)) in row.into_iter().zip(&m.fields).enumerate() {
            let v = to_value(cell, f.convert, tz, &f.name)
                .map_err(|e| ConnectError::new(format!("Failed to convert a row of {}", self.name())).caused_by(e))?;
            s.put_index_unchecked(i, v);
        }
        Ok(ConnectRecord::source(
            self.partition.clone(),
            offset,
            self.topic.clone(),
            Some(m.schema.clone()),
            Value::Struct(s),
        ))
    }
}

fn t_parts(t: &TableId) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    parts.extend(t.schema.as_deref());
    parts.push(&t.table);
    parts
}

/// A database error as the task's failure: Confluent's message with the SQL error as the cause.
pub fn sql_error(context: &str, e: DbError) -> ConnectError {
    ConnectError::new(context.to_string()).caused_by(format!("java.sql.SQLException: {e}"))
}
