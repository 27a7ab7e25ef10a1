//! Counts over every tenant for health, metrics and tests.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseConnection, Statement};

use super::claim::every_channel;
use crate::entities::notification::Status;

use crate::error::{DomainError, DomainResult};
use crate::messaging::templates::Channel;

/// Counts by status, for tests, health and metrics (all tenants).
pub async fn count_by_status(db: &DatabaseConnection) -> DomainResult<Vec<(Status, i64)>> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT status, COUNT(*) AS n FROM notification GROUP BY status".to_owned(),
        ))
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        let status =
            <Status as ActiveEnum>::try_from_value(&status).map_err(|e| DomainError::internal(e.to_string()))?;
        out.push((status, n));
    }
    Ok(out)
}

/// Messages due and not yet sent, per channel: how many, and since when the
/// oldest has been due (all tenants; for metrics). Pending rows due now plus
/// rows in flight (queued, sending).
pub async fn backlog(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> DomainResult<Vec<(Channel, i64, Option<DateTime<Utc>>)>> {
    let backend = db.get_database_backend();
    // Rows in flight were due when they started: all of it is the due
    // index's range up to now.
    let sql = format!(
        "SELECT channel, COUNT(*) AS n, MIN(scheduled_at) AS oldest FROM notification \
         WHERE active AND {} AND scheduled_at <= $1 GROUP BY channel",
        every_channel()
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [now.into()])).await?;
    rows.iter()
        .map(|row| {
            let channel: String = row.try_get("", "channel")?;
            let n: i64 = row.try_get("", "n")?;
            // SQLite hands an aggregate of a timestamp back as text.
            let oldest = match row.try_get::<Option<DateTime<Utc>>>("", "oldest") {
                Ok(v) => v,
                Err(_) => row
                    .try_get::<Option<String>>("", "oldest")?
                    .and_then(|s| {
                        chrono::NaiveDateTime::parse_from_str(s.trim_end_matches("+00:00"), "%Y-%m-%d %H:%M:%S%.f").ok()
                    })
                    .map(|t| t.and_utc()),
            };
            Ok((
                channel.parse().map_err(|e: crate::values::ValueError| DomainError::internal(e.to_string()))?,
                n,
                oldest,
            ))
        })
        .collect()
}
