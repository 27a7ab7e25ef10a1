//! A throwaway PostgreSQL database for one benchmark run.

use escale_domain::DatabaseConnection;
use escale_domain::db::{self, DbConfig};
use escale_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};

#[derive(Debug)]
pub struct BenchDb {
    pub url: String,
    pub name: String,
    admin_url: String,
}

pub fn admin_url() -> String {
    std::env::var("ESCALE_BENCH_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn with_db(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(h, _)| h);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) -> anyhow::Result<()> {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await?;
    Ok(())
}

impl BenchDb {
    /// Creates and migrates a fresh database.
    pub async fn create(label: &str) -> anyhow::Result<(BenchDb, DatabaseConnection)> {
        let admin_url = admin_url();
        let admin = db::connect(&DbConfig { max_connections: 1, ..DbConfig::new(admin_url.clone()) })
            .await
            .map_err(|e| anyhow::anyhow!("ESCALE_BENCH_POSTGRES_URL: {e}"))?;
        let name = format!("escale_bench_{label}_{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
        exec(&admin, &format!("CREATE DATABASE {name}")).await?;
        admin.close().await?;
        let url = with_db(&admin_url, &name);
        let db = db::connect(&DbConfig { max_connections: 20, ..DbConfig::new(url.clone()) }).await?;
        Migrator::up(&db, None).await?;
        Ok((BenchDb { url, name, admin_url }, db))
    }

    /// Drops the database, unless `ESCALE_BENCH_KEEP_DB` is set (to look
    /// at its plans afterwards with `EXPLAIN ANALYZE`).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        if std::env::var_os("ESCALE_BENCH_KEEP_DB").is_some() {
            println!("kept database {}", self.name);
            return Ok(());
        }
        let admin = db::connect(&DbConfig { max_connections: 1, ..DbConfig::new(self.admin_url.clone()) }).await?;
        exec(&admin, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).await?;
        admin.close().await?;
        Ok(())
    }

    pub async fn server_version(db: &DatabaseConnection) -> String {
        db.query_one_raw(Statement::from_string(db.get_database_backend(), "SHOW server_version".to_owned()))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<String>("", "server_version").ok())
            .unwrap_or_else(|| "?".to_owned())
    }
}
