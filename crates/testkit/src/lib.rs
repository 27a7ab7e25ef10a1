//! Test support shared by every crate's tests: a fresh database per test
//! (SQLite in a temporary directory, or a PostgreSQL database cloned from a
//! migrated template), a real SMTP server on loopback, and the rule for
//! services that may be missing.
//!
//! **The rule:** a test that needs PostgreSQL or Redis runs when the service
//! answers. When it does not, the test says so loudly on the terminal and
//! passes — unless `ESCALE_REQUIRE_SERVICES=1` (set by `.ci/run`), in which case
//! it fails. CI therefore never skips silently.
//!
//! This crate is a dev-dependency only; production code never depends on it.

pub mod smtp;

use std::io::Write as _;
use std::time::Duration;

use escale_domain::db::{self, DbConfig};
use escale_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sha2::{Digest, Sha256};

pub use smtp::{ReceivedMail, SmtpServer};

/// An HTTP client for tests. The worker builds reqwest with rustls and no
/// bundled crypto provider, and features are shared across a workspace build,
/// so every client needs one installed first (ring, as in the processes).
pub fn http_client() -> reqwest::Client {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client")
}

/// Whether missing services fail the test instead of skipping it.
pub fn services_required() -> bool {
    std::env::var("ESCALE_REQUIRE_SERVICES").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Reports a skipped test on the real terminal (libtest only captures the
/// `print!` macros, not direct writes), or fails it when services are required.
#[track_caller]
pub fn skip(test: &str, why: &str) {
    assert!(!services_required(), "{test}: {why} (ESCALE_REQUIRE_SERVICES=1, so this is a failure, not a skip)");
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: {why} — set ESCALE_REQUIRE_SERVICES=1 to make this a failure ***"
    );
}

pub fn postgres_admin_url() -> String {
    std::env::var("ESCALE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("ESCALE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The Redis URL when Redis answers a PING; `None` (after reporting the skip)
/// when it does not.
pub async fn redis_or_skip(test: &str) -> Option<String> {
    let url = redis_url();
    let ping = async {
        let client = redis::Client::open(url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio::time::timeout(Duration::from_secs(3), ping).await {
        Ok(Ok(_)) => Some(url),
        Ok(Err(e)) => {
            skip(test, &format!("Redis at {url} is unavailable ({e})"));
            None
        }
        Err(_) => {
            skip(test, &format!("Redis at {url} did not answer within 3 s"));
            None
        }
    }
}

enum Backing {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { name: String, admin_url: String },
}

/// A migrated database that belongs to one test and disappears with it.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    backing: Backing,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb").field("url", &self.url).finish_non_exhaustive()
    }
}

impl TestDb {
    pub fn backend_name(&self) -> &'static str {
        match self.backing {
            Backing::Sqlite { .. } => "sqlite",
            Backing::Postgres { .. } => "postgres",
        }
    }

    /// A fresh SQLite database file in a temporary directory, migrated.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("escale.db").display());
        let db = db::connect(&DbConfig::new(url.clone())).await.expect("open SQLite test database");
        Migrator::up(&db, None).await.expect("migrate SQLite test database");
        TestDb { db, url, backing: Backing::Sqlite { _dir: dir } }
    }

    /// A fresh PostgreSQL database cloned from a migrated template, or `None`
    /// (reported) when PostgreSQL is unavailable and not required.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        Self::postgres_database(test, true).await
    }

    /// A fresh, empty PostgreSQL database (no schema): for testing `escale migrate`.
    pub async fn postgres_blank(test: &str) -> Option<TestDb> {
        Self::postgres_database(test, false).await
    }

    async fn postgres_database(test: &str, migrated: bool) -> Option<TestDb> {
        let admin_url = postgres_admin_url();
        let admin_config = DbConfig { max_connections: 1, ..DbConfig::new(admin_url.clone()) };
        let admin = match tokio::time::timeout(Duration::from_secs(5), db::connect(&admin_config)).await {
            Ok(Ok(db)) => db,
            Ok(Err(e)) => {
                skip(test, &format!("PostgreSQL is unavailable ({e})"));
                return None;
            }
            Err(_) => {
                skip(test, &format!("PostgreSQL at {admin_url} did not answer within 5 s"));
                return None;
            }
        };
        let name = format!("escale_t_{}", uuid::Uuid::now_v7().simple());
        if migrated {
            let template = ensure_template(&admin, &admin_url).await;
            exec(&admin, &format!("CREATE DATABASE {name} TEMPLATE {template}")).await;
        } else {
            exec(&admin, &format!("CREATE DATABASE {name}")).await;
        }
        admin.close().await.expect("close admin connection");
        let url = replace_db_name(&admin_url, &name);
        // Tests queue hundreds of tasks on 20 connections to race them; on a
        // busy 2-core machine a task can wait longer than production's 5 s for
        // one, which says nothing about what the test checks.
        let config =
            DbConfig { max_connections: 20, connect_timeout: Duration::from_secs(30), ..DbConfig::new(url.clone()) };
        let db = db::connect(&config).await.expect("connect to the test database");
        Some(TestDb { db, url, backing: Backing::Postgres { name, admin_url } })
    }

    /// SQLite always, plus PostgreSQL when it is available: for tests that must
    /// hold on both backends.
    pub async fn each(test: &str) -> Vec<TestDb> {
        let mut all = vec![TestDb::sqlite().await];
        if let Some(pg) = TestDb::postgres(test).await {
            all.push(pg);
        }
        all
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Backing::Postgres { name, admin_url } = &self.backing {
            let (name, admin_url) = (name.clone(), admin_url.clone());
            // Drop may run inside a runtime, where blocking on another is not
            // allowed: a plain thread with its own small runtime does the cleanup.
            // The test's own pool lives on the test's (now blocked) runtime, so it is
            // not closed here; `WITH (FORCE)` ends its sessions.
            let cleanup = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async move {
                    if let Ok(admin) = db::connect(&DbConfig::new(admin_url)).await {
                        let _ = admin
                            .execute_raw(Statement::from_string(
                                admin.get_database_backend(),
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            });
            let _ = cleanup.join();
        }
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(head, _)| head);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A template database migrated once per schema version (its name carries a
/// hash of the migration list), shared by every test and every test process.
async fn ensure_template(admin: &DatabaseConnection, admin_url: &str) -> String {
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let hash = hex::encode(Sha256::digest(names.join(",").as_bytes()));
    let template = format!("escale_tpl_{}", &hash[..16]);
    // Test binaries run in parallel: one builds the template, the others wait.
    // (The admin pool has one connection, so lock and unlock share a session.)
    exec(admin, "SELECT pg_advisory_lock(724242)").await;
    let exists = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 AS one FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .expect("query pg_database")
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        exec(admin, &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await;
        exec(admin, &format!("CREATE DATABASE {building}")).await;
        let url = replace_db_name(admin_url, &building);
        let db = db::connect(&DbConfig::new(url)).await.expect("connect to template");
        Migrator::up(&db, None).await.expect("migrate the template database");
        db.close().await.expect("close template connection");
        exec(admin, &format!("ALTER DATABASE {building} RENAME TO {template}")).await;
    }
    exec(admin, "SELECT pg_advisory_unlock(724242)").await;
    template
}
