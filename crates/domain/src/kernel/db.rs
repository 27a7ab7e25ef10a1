//! Connecting to the database and running write transactions that survive
//! contention, identically on PostgreSQL and SQLite.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::error::{DomainError, DomainResult};

/// How to reach the database. `url` is `postgres://…` or `sqlite://path?mode=rwc`.
#[derive(Clone)]
pub struct DbConfig {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout: Duration,
}

impl std::fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), max_connections: 10, connect_timeout: Duration::from_secs(5) }
    }
}

/// Why the database could not be reached, worded for an operator.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL scheme (expected postgres:// or sqlite://): {0}")]
    Scheme(String),
    #[error("cannot connect to {url}: {reason}")]
    Unreachable { url: String, reason: String },
}

/// The URL with any password replaced, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

pub async fn connect(config: &DbConfig) -> Result<DatabaseConnection, ConnectError> {
    let url = config.url.trim();
    let is_sqlite = url.starts_with("sqlite:");
    if !(is_sqlite || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(ConnectError::Scheme(redact_url(url)));
    }
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.max_connections(config.max_connections)
        .min_connections(if is_sqlite { 1 } else { 0 })
        .connect_timeout(config.connect_timeout)
        .acquire_timeout(config.connect_timeout)
        .idle_timeout(Duration::from_secs(300))
        // sqlx pings a connection at every checkout by default: a round trip
        // per statement, half the cost of a small one. Only a connection idle
        // long enough to have been dropped (by the server, a proxy, a
        // firewall) is pinged now; a hot one broken by a server restart fails
        // its next statement once and is replaced.
        .test_before_acquire_if_idle_for(Duration::from_secs(10))
        // sqlx logs every statement at INFO; statements may carry personal data.
        .sqlx_logging(false);
    if is_sqlite {
        opt.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                // NORMAL in WAL mode loses at most the last transactions on power
                // loss, never consistency; FULL would double the fsyncs per write.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    }
    match Database::connect(opt).await {
        Ok(db) => Ok(db),
        Err(e) => {
            // The pool only says it timed out; one direct attempt says why
            // ("Connection refused", "password authentication failed"…).
            let reason = if is_sqlite { None } else { diagnose_postgres(url, config.connect_timeout).await };
            Err(ConnectError::Unreachable { url: redact_url(url), reason: reason.unwrap_or_else(|| short_reason(&e)) })
        }
    }
}

async fn diagnose_postgres(url: &str, timeout: Duration) -> Option<String> {
    use sea_orm::sqlx::Connection as _;
    match tokio::time::timeout(timeout, sea_orm::sqlx::PgConnection::connect(url)).await {
        Ok(Err(e)) => Some(e.to_string()),
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            None
        }
        Err(_) => Some(format!("no answer within {} s", timeout.as_secs())),
    }
}

fn short_reason(err: &DbErr) -> String {
    let text = err.to_string();
    // sqlx wraps the useful part ("Connection refused (os error 111)") in layers of prefixes.
    text.rsplit(": ").next().unwrap_or(&text).to_owned()
}

/// Starts a transaction that will write. On SQLite it takes the write lock at
/// `BEGIN` (IMMEDIATE): a deferred transaction that reads first and writes later
/// can fail with SQLITE_BUSY at once instead of waiting its turn.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
        }
        _ => db.begin().await,
    }
}

pub type TxnFuture<'c, T> = Pin<Box<dyn Future<Output = DomainResult<T>> + Send + 'c>>;

/// How many times a transaction that lost a race is run again.
const MAX_ATTEMPTS: u32 = 8;

/// Runs `work` in a write transaction and commits it; when it loses a race
/// ([`DomainError::Contention`]) the whole transaction runs again, after a short
/// randomised pause so that the racers do not collide again in lockstep.
pub async fn write<T, F>(db: &DatabaseConnection, mut work: F) -> DomainResult<T>
where
    T: Send,
    F: for<'c> FnMut(&'c DatabaseTransaction) -> TxnFuture<'c, T> + Send,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = async {
            let txn = begin_write(db).await?;
            let value = work(&txn).await?;
            txn.commit().await?;
            Ok(value)
        }
        .await;
        match result {
            Err(DomainError::Contention(reason)) if attempt < MAX_ATTEMPTS => {
                tracing::debug!(attempt, %reason, "transaction lost a race; running it again");
                let pause = rand::random_range(1..=(5u64 << attempt.min(5)));
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            Err(DomainError::Contention(reason)) => {
                return Err(DomainError::internal(format!("gave up after {attempt} contended attempts: {reason}")));
            }
            other => return other,
        }
    }
}

/// Values a column can be compared with as a list: `= ANY(array)` on
/// PostgreSQL, `IN (…)` on SQLite.
pub trait ListValue:
    Into<sea_orm::Value> + sea_orm::sea_query::value::postgres_array::NotU8 + sea_orm::sea_query::ValueType + Clone
{
}
impl<T> ListValue for T where
    T: Into<sea_orm::Value> + sea_orm::sea_query::value::postgres_array::NotU8 + sea_orm::sea_query::ValueType + Clone
{
}

/// `column = ANY($n)` with the list as one array on PostgreSQL, `column IN
/// ($n, …)` on SQLite (which has no arrays), pushing the values after `values`.
/// On PostgreSQL the statement's text is then the same whatever the length of
/// the list, so each connection prepares and plans it once: the send path's
/// statements used to be planned again for every batch, and planning a join
/// over a 64-id list cost more than running it (docs/BENCHMARKS.md).
pub fn any_of<V: ListValue>(backend: DbBackend, column: &str, list: &[V], values: &mut Vec<sea_orm::Value>) -> String {
    if backend == DbBackend::Postgres {
        values.push(list.to_vec().into());
        return format!("{column} = ANY(${})", values.len());
    }
    if list.is_empty() {
        return "FALSE".to_owned();
    }
    let first = values.len() + 1;
    values.extend(list.iter().cloned().map(Into::into));
    let placeholders: Vec<String> = (first..first + list.len()).map(|i| format!("${i}")).collect();
    format!("{column} IN ({})", placeholders.join(", "))
}

/// [`any_of`] for sea-orm's query builder.
pub fn is_any<C: sea_orm::ColumnTrait, V: ListValue>(
    backend: DbBackend,
    column: C,
    list: &[V],
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait as _, extension::postgres::PgFunc};
    if backend == DbBackend::Postgres {
        Expr::col(column.as_column_ref()).eq(PgFunc::any(Expr::val(list.to_vec())))
    } else {
        column.is_in(list.iter().cloned())
    }
}
