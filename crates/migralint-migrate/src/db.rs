//! The database side of golang-migrate's Postgres driver: the migrations
//! table (`version bigint not null primary key, dirty boolean not null`, one
//! row), the session advisory lock, and `drop`.

use std::time::{Duration, Instant};

use postgres::{Client, GenericClient};

use crate::dburl::DbUrl;
use crate::lockid;

/// golang-migrate's `NilVersion`: no migration applied.
pub const NIL_VERSION: i64 = -1;

/// `pq.QuoteIdentifier`.
pub fn quote_ident(name: &str) -> String {
    let name = name.split('\0').next().unwrap_or("");
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A database error with the query that caused it.
#[derive(Debug)]
pub struct DbError {
    pub context: String,
    pub source: Option<postgres::Error>,
}

impl DbError {
    pub fn msg(context: impl Into<String>) -> DbError {
        DbError {
            context: context.into(),
            source: None,
        }
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(e) => write!(f, "{}: {}", self.context, describe_pg_error(e)),
            None => f.write_str(&self.context),
        }
    }
}

/// Postgres' message (with SQLSTATE, detail, hint) or the client's error.
pub fn describe_pg_error(err: &postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        let mut s = format!("{} (SQLSTATE {})", db.message(), db.code().code());
        if let Some(d) = db.detail() {
            s.push_str(&format!("; detail: {d}"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {h}"));
        }
        s
    } else {
        let mut s = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            let text = inner.to_string();
            if !s.contains(&text) {
                s.push_str(": ");
                s.push_str(&text);
            }
            source = inner.source();
        }
        s
    }
}

fn ctx<T>(r: Result<T, postgres::Error>, context: impl Into<String>) -> Result<T, DbError> {
    r.map_err(|source| DbError {
        context: context.into(),
        source: Some(source),
    })
}

/// A connection plus what golang-migrate's driver knows about it.
pub struct Db {
    pub client: Client,
    pub url: DbUrl,
    pub schema: String,
    pub table: String,
    pub lock_id: i64,
    /// `server_version_num`, e.g. 150004.
    pub server_version_num: u32,
    locked: bool,
}

/// The row of the migrations table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbVersion {
    /// [`NIL_VERSION`] when no migration is applied.
    pub version: i64,
    pub dirty: bool,
}

impl DbVersion {
    pub fn is_nil(&self) -> bool {
        self.version == NIL_VERSION
    }
}

impl Db {
    /// Connects and learns the schema, table and lock id (as golang-migrate's
    /// `WithConnection`); creates nothing.
    pub fn connect(url: &DbUrl) -> Result<Db, DbError> {
        let mut client = crate::tls::connect(url).map_err(|e| {
            let context = format!("cannot connect to {}", url.target());
            match e {
                crate::tls::ConnectError::Pg(source) => DbError {
                    context,
                    source: Some(source),
                },
                crate::tls::ConnectError::Setup(msg) => DbError::msg(format!("{context}: {msg}")),
            }
        })?;
        let mut database_name = url.lock_database_name.clone();
        if database_name.is_empty() {
            let row = ctx(
                client.query_one("SELECT CURRENT_DATABASE()", &[]),
                "SELECT CURRENT_DATABASE()",
            )?;
            database_name = row.get(0);
        }
        let (schema_override, table) = url
            .migrations_table_parts()
            .map_err(|e| DbError::msg(e.0))?;
        let schema = match schema_override {
            Some(s) => s,
            None => {
                let row = ctx(
                    client.query_one("SELECT CURRENT_SCHEMA()", &[]),
                    "SELECT CURRENT_SCHEMA()",
                )?;
                let schema: Option<String> = row.get(0);
                match schema {
                    Some(s) => s,
                    None => {
                        return Err(DbError::msg(
                            "no schema: current_schema() is NULL (check search_path)",
                        ))
                    }
                }
            }
        };
        let row = ctx(
            client.query_one("SELECT current_setting('server_version_num')::int", &[]),
            "reading server_version_num",
        )?;
        let server_version_num: i32 = row.get(0);
        let lock_id = lockid::postgres_lock_id(&database_name, &schema, &table);
        Ok(Db {
            client,
            url: url.clone(),
            schema,
            table,
            lock_id,
            server_version_num: server_version_num.max(0) as u32,
            locked: false,
        })
    }

    /// `"schema"."table"`.
    pub fn qualified_table(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }

    /// Major version, e.g. 15.
    pub fn server_major(&self) -> u32 {
        self.server_version_num / 10000
    }

    /// Takes golang-migrate's advisory lock, waiting at most `timeout`.
    pub fn lock(&mut self, timeout: Duration) -> Result<(), LockError> {
        if self.url.no_lock || self.locked {
            self.locked = true;
            return Ok(());
        }
        let deadline = Instant::now()
            .checked_add(timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 24 * 3600));
        let mut pause = Duration::from_millis(20);
        loop {
            let row = self
                .client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&self.lock_id])
                .map_err(|source| {
                    LockError::Db(DbError {
                        context: "try lock failed".into(),
                        source: Some(source),
                    })
                })?;
            if row.get::<_, bool>(0) {
                self.locked = true;
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(LockError::Timeout {
                    lock_id: self.lock_id,
                    waited: timeout,
                });
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    pub fn unlock(&mut self) -> Result<(), DbError> {
        if !self.locked {
            return Ok(());
        }
        self.locked = false;
        if self.url.no_lock {
            return Ok(());
        }
        ctx(
            self.client
                .execute("SELECT pg_advisory_unlock($1)", &[&self.lock_id]),
            "SELECT pg_advisory_unlock",
        )?;
        Ok(())
    }

    pub fn table_exists(&mut self) -> Result<bool, DbError> {
        let row = ctx(
            self.client.query_one(
                "SELECT COUNT(1) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
                &[&self.schema, &self.table],
            ),
            "looking for the migrations table",
        )?;
        Ok(row.get::<_, i64>(0) >= 1)
    }

    /// golang-migrate's `ensureVersionTable`.
    pub fn ensure_table(&mut self) -> Result<(), DbError> {
        if self.table_exists()? {
            return Ok(());
        }
        let q = format!(
            "CREATE TABLE IF NOT EXISTS {} (version bigint not null primary key, dirty boolean not null)",
            self.qualified_table()
        );
        ctx(self.client.batch_execute(&q), q.clone())
    }

    /// golang-migrate's `Version`: the row, or nil when the table is empty or
    /// missing.
    pub fn version(&mut self) -> Result<DbVersion, DbError> {
        let table = self.qualified_table();
        read_version(&mut self.client, &table)
    }

    /// golang-migrate's `SetVersion`, in its own transaction.
    pub fn set_version(&mut self, version: i64, dirty: bool) -> Result<(), DbError> {
        let table = self.qualified_table();
        let mut tx = ctx(self.client.transaction(), "transaction start failed")?;
        write_version(&mut tx, &table, version, dirty)?;
        ctx(tx.commit(), "transaction commit failed")
    }

    /// Sets the version in one transaction if the table (locked against
    /// other writers) still holds `expected`; otherwise changes nothing and
    /// returns what it holds.
    pub fn set_version_if(
        &mut self,
        expected: DbVersion,
        version: i64,
        dirty: bool,
    ) -> Result<Option<DbVersion>, DbError> {
        let table = self.qualified_table();
        let mut tx = ctx(self.client.transaction(), "transaction start failed")?;
        let lock = format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE");
        ctx(tx.batch_execute(&lock), lock.clone())?;
        let now = read_version(&mut tx, &table)?;
        if now != expected {
            return Ok(Some(now));
        }
        write_version(&mut tx, &table, version, dirty)?;
        ctx(tx.commit(), "transaction commit failed")?;
        Ok(None)
    }

    /// Something that cancels the statement this connection runs, from
    /// another thread (PostgreSQL's cancel request).
    pub fn canceller(&self) -> Box<dyn Fn() + Send> {
        let token = self.client.cancel_token();
        let url = self.url.clone();
        Box::new(move || crate::tls::cancel(&url, &token))
    }

    /// golang-migrate's `Drop`: every base table of the current schema.
    pub fn drop_all(&mut self) -> Result<Vec<String>, DbError> {
        let rows = ctx(
            self.client.query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = (SELECT current_schema()) AND table_type = 'BASE TABLE'",
                &[],
            ),
            "listing tables",
        )?;
        let mut dropped = Vec::new();
        for row in rows {
            let name: String = row.get(0);
            let q = format!("DROP TABLE IF EXISTS {} CASCADE", quote_ident(&name));
            ctx(self.client.batch_execute(&q), q.clone())?;
            dropped.push(name);
        }
        Ok(dropped)
    }
}

pub fn read_version(client: &mut impl GenericClient, table: &str) -> Result<DbVersion, DbError> {
    let q = format!("SELECT version, dirty FROM {table} LIMIT 1");
    match client.query_opt(q.as_str(), &[]) {
        Ok(None) => Ok(DbVersion {
            version: NIL_VERSION,
            dirty: false,
        }),
        Ok(Some(row)) => version_of_row(&row, table),
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => Ok(DbVersion {
            version: NIL_VERSION,
            dirty: false,
        }),
        Err(source) => Err(DbError {
            context: q,
            source: Some(source),
        }),
    }
}

/// The row of the migrations table, whatever integer type its `version`
/// has; a clear error (and how to repair) for anything else.
fn version_of_row(row: &postgres::Row, table: &str) -> Result<DbVersion, DbError> {
    use postgres::types::Type;
    let repair = format!(
        "golang-migrate's table is `version bigint not null primary key, dirty boolean not null`; `force V` rewrites the row, or convert the column: ALTER TABLE {table} ALTER COLUMN version TYPE bigint USING version::bigint"
    );
    let bad = |what: String| DbError::msg(format!("{table}: {what}; {repair}"));
    let column = |i: usize| row.columns().get(i).map(|c| c.type_().clone());
    let version: Option<i64> = match column(0) {
        Some(Type::INT8) => row.try_get::<_, Option<i64>>(0).ok().flatten(),
        Some(Type::INT4) => row
            .try_get::<_, Option<i32>>(0)
            .ok()
            .flatten()
            .map(i64::from),
        Some(Type::INT2) => row
            .try_get::<_, Option<i16>>(0)
            .ok()
            .flatten()
            .map(i64::from),
        Some(other) => {
            return Err(bad(format!(
                "the version column is of type {other}, not an integer"
            )))
        }
        None => return Err(bad("no version column".into())),
    };
    let Some(version) = version else {
        return Err(bad("the version is NULL".into()));
    };
    if version < NIL_VERSION {
        return Err(bad(format!("the version is {version}, below -1")));
    }
    let dirty = match column(1) {
        Some(Type::BOOL) => row.try_get::<_, Option<bool>>(1).ok().flatten(),
        Some(other) => {
            return Err(bad(format!(
                "the dirty column is of type {other}, not boolean"
            )))
        }
        None => return Err(bad("no dirty column".into())),
    };
    let Some(dirty) = dirty else {
        return Err(bad("the dirty flag is NULL".into()));
    };
    Ok(DbVersion { version, dirty })
}

/// `TRUNCATE` then `INSERT (version, dirty)`, as golang-migrate's
/// `SetVersion` (a nil version is stored as no row, unless dirty).
/// Names only the two columns, so extra columns (with defaults) are fine.
pub fn write_version(
    client: &mut impl GenericClient,
    table: &str,
    version: i64,
    dirty: bool,
) -> Result<(), DbError> {
    let q = format!("TRUNCATE {table}");
    ctx(client.batch_execute(&q), q.clone())?;
    if version >= 0 || (version == NIL_VERSION && dirty) {
        // Typed parameters: a version column of another integer type (or
        // text) still takes the value, so `force` can repair such a table.
        let q = format!("INSERT INTO {table} (version, dirty) VALUES ($1::bigint, $2::boolean)");
        ctx(client.execute(q.as_str(), &[&version, &dirty]), q.clone())?;
    }
    Ok(())
}

#[derive(Debug)]
pub enum LockError {
    Timeout { lock_id: i64, waited: Duration },
    Db(DbError),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Timeout { lock_id, waited } => write!(
                f,
                "timeout: can't acquire database lock (advisory lock {lock_id}) within {}s; another migrate run (migralint or golang-migrate) holds it",
                waited.as_secs_f64()
            ),
            LockError::Db(e) => e.fmt(f),
        }
    }
}
