//! The `escale` command: one binary, several roles (as crates.io does).
//!
//! - `serve`: everything in one process — gateway, dispatcher, senders — on the
//!   embedded default (SQLite database, SQLite job queue, `.eml` files, SMS
//!   outbox file) unless `DATABASE_URL`, `REDIS_URL` or `SMTP_URL` say otherwise;
//!   migrates and loads the demo on first start.
//! - `gateway`, `worker`, `migrate`: the production roles, configured by the
//!   environment, strict about it (no silent fallback to local files).
//! - `demo`: (re)loads the demo tenant.
//! - `tenant create`, `user create`: operators' commands (an organizer; a
//!   person's account and role in one).
//! - `probe <url>`: the containers' health check (the images have no curl).
//!
//! It composes the crates and owns configuration, logging and signals; it holds
//! no business rules.

mod admin;
mod config;
mod telemetry;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use escale_domain::DatabaseConnection;
use escale_gateway::AppState;
use escale_migrations::{Migrator, MigratorTrait};
use escale_worker::WakeHandle;
use tokio_util::sync::CancellationToken;

pub use config::ConfigError;

/// Escale: roadshow events — organizers, participants, partners — on one platform.
#[derive(Debug, Parser)]
#[command(name = "escale", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run everything in one process. With no configuration: SQLite database and
    /// job queue, emails as .eml files and SMS as JSON lines under the data
    /// directory, the demo roadshow loaded on first start.
    Serve(ServeArgs),
    /// Run the GraphQL gateway (production role). Needs DATABASE_URL.
    Gateway(ListenArgs),
    /// Run the outbox dispatcher and the email/SMS senders (production role).
    /// Needs DATABASE_URL, REDIS_URL and SMTP_URL.
    Worker,
    /// Apply pending database migrations (a release step). Needs DATABASE_URL.
    Migrate,
    /// (Re)load the demo tenant `attitudes-conseil`, replacing it if present,
    /// and print its owner's login.
    Demo(DataArgs),
    /// Manage organizers (tenants).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Exit 0 when GET <url> answers 2xx, 1 otherwise: the containers' health
    /// check (the runtime image has no curl).
    Probe {
        /// e.g. http://127.0.0.1:8080/healthz
        url: String,
    },
    /// Manage people's accounts and their roles.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create an organizer: `escale tenant create attitudes-conseil "Attitudes Conseil"`.
    Create {
        /// URL-safe identifier (lower-case letters, digits, hyphens).
        slug: String,
        /// Display name.
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Where an organizer's SMS may go and how many a day (docs/SECURITY.md):
    /// `escale tenant sms attitudes-conseil --countries MA,FR --daily-cap 2000`.
    Sms {
        slug: String,
        /// ISO 3166 codes, separated by commas.
        #[arg(long)]
        countries: Option<String>,
        /// SMS in any 24 hours for the whole organizer.
        #[arg(long)]
        daily_cap: Option<i32>,
        /// SMS to one number in any 24 hours.
        #[arg(long)]
        per_number_cap: Option<i32>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Give a person a role in an organizer, creating their account if needed.
    /// The password of a new account is read from ESCALE_USER_PASSWORD, or
    /// from standard input (never from the command line, where `ps` shows it).
    Create {
        /// The organizer's slug.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// owner, admin, staff or checkin.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the email's local part).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Give a member of an organizer another role; their sessions end. The
    /// last owner cannot be demoted.
    Role {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// owner, admin, staff or checkin.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Remove a member from an organizer; their sessions end. The account
    /// stays. The last owner cannot be removed.
    Remove {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Where the embedded default keeps its files (database, queue, outboxes).
    #[arg(long, env = "ESCALE_DATA_DIR", default_value = "./escale-data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address and port to listen on (port 0 picks a free port).
    #[arg(long, env = "ESCALE_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl ListenArgs {
    /// `ESCALE_LISTEN`, or the default, as the command line would read it.
    pub fn from_env() -> Self {
        let raw = std::env::var("ESCALE_LISTEN").unwrap_or_else(|_| DEFAULT_LISTEN.to_owned());
        let fallback = SocketAddr::from(([127, 0, 0, 1], 8080));
        Self { listen: raw.parse().unwrap_or(fallback) }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Do not load the demo roadshow on first start.
    #[arg(long)]
    pub no_demo: bool,
}

/// Parses the command line, runs, and maps failures to one line on stderr.
pub fn main() -> ExitCode {
    main_with(Cli::parse())
}

/// Runs a command as `escale` would (the benchmarks start roles this way).
pub fn main_with(cli: Cli) -> ExitCode {
    escale_worker::sms_http::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    telemetry::shutdown();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line an operator can act on; no backtrace wall.
            eprintln!("error: {e:#}");
            if e.downcast_ref::<ConfigError>().is_some() || e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Gateway(args) => gateway(args).await,
        Command::Worker => worker().await,
        Command::Migrate => migrate().await,
        Command::Demo(args) => demo(args).await,
        Command::Probe { url } => admin::probe(&url).await.map_err(|e| anyhow::anyhow!("probe failed: {e}")),
        Command::Tenant(TenantCommand::Create { slug, name, data }) => tenant_create(&slug, &name, data).await,
        Command::Tenant(TenantCommand::Sms { slug, countries, daily_cap, per_number_cap, data }) => {
            tenant_sms(&slug, countries, daily_cap, per_number_cap, data).await
        }
        Command::User(UserCommand::Create { tenant, email, role, name, data }) => {
            user_create(&tenant, &email, &role, name, data).await
        }
        Command::User(UserCommand::Role { tenant, email, role, data }) => {
            member_change(&tenant, &email, Some(&role), data).await
        }
        Command::User(UserCommand::Remove { tenant, email, data }) => member_change(&tenant, &email, None, data).await,
    }
}

/// Cancelled on SIGINT or SIGTERM.
fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let trigger = token.clone();
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            () = term => {}
        }
        tracing::info!("shutdown requested");
        trigger.cancel();
    });
    token
}

async fn migrate_and_check(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.map_err(|e| anyhow::anyhow!("migrations failed: {e}"))
}

/// Refuses to run a role against a schema older than this build expects. A
/// newer schema (migrations of the next release already applied) is fine:
/// migrations are expand/contract, and the previous release keeps serving
/// while the next one rolls out.
async fn require_current_schema(db: &DatabaseConnection) -> anyhow::Result<()> {
    let pending =
        escale_migrations::pending(db).await.map_err(|e| anyhow::anyhow!("cannot read the migration status: {e}"))?;
    if let Some(first) = pending.first() {
        return Err(ConfigError::new(
            "DATABASE_URL",
            format!(
                "the database schema is behind this build ({} pending, first {first}): run `escale migrate`",
                pending.len()
            ),
        )
        .into());
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Pretty), "serve")?;
    let settings = config::Embedded::resolve(&args.data.data_dir)?;
    let db = config::connect(&settings.database).await?;
    migrate_and_check(&db).await?;
    let mut describe = settings.describe.clone();
    if !args.no_demo && !escale_domain::demo::is_loaded(&db).await? {
        let summary = escale_domain::demo::load(&db, chrono::Utc::now()).await?;
        tracing::info!(tenant = %summary.tenant_slug, stops = summary.stops, sessions = summary.sessions, "demo roadshow loaded");
        let file = args.data.data_dir.join("demo-owner.txt");
        write_private(&file, &format!("email: {}\npassword: {}\n", summary.owner_email, summary.owner_password))?;
        describe.push(format!(
            "Demo login: {} / {} (also in {})",
            summary.owner_email,
            summary.owner_password,
            file.display()
        ));
    } else if !args.no_demo {
        let file = args.data.data_dir.join("demo-owner.txt");
        describe
            .push(format!("Demo login: see {} (`escale demo` reloads the demo with a new password)", file.display()));
    }
    let listener = tokio::net::TcpListener::bind(args.listen.listen)
        .await
        .map_err(|e| ConfigError::new("ESCALE_LISTEN", format!("cannot listen on {}: {e}", args.listen.listen)))?;
    let addr = listener.local_addr()?;
    let shutdown = shutdown_token();
    let wake = WakeHandle::default();
    let worker_wake = wake.clone();
    let worker_db = db.clone();
    let worker_shutdown = shutdown.clone();
    let mut worker_config = settings.worker;
    if worker_config.public_url.is_none() {
        // Links in messages point at this process unless told otherwise.
        worker_config.public_url = url::Url::parse(&format!("http://{addr}/")).ok();
    }
    let public_url = worker_config.public_url.clone();
    let worker =
        tokio::spawn(async move { escale_worker::run(worker_db, worker_config, worker_wake, worker_shutdown).await });
    let signal: escale_gateway::OutboxSignal = std::sync::Arc::new(move || wake.wake());
    let gauges_db = db.clone();
    let hook: escale_gateway::ScrapeHook = std::sync::Arc::new(move || {
        let db = gauges_db.clone();
        Box::pin(async move { escale_worker::refresh_outbox_gauges(&db).await })
    });
    let state = AppState::new(db, Some(signal))
        .before_scrape(hook)
        .shutdown_deadline(config::shutdown_deadline()?)
        .trust_proxy(config::trust_proxy()?)
        .public_cache(config::public_cache_ttl()?)
        .sms_webhook_secret(config::sms_webhook_secret()?)
        .limits(config::limits()?)
        .public_url(public_url)
        .sms_price(config::sms_segment_price()?);
    announce(addr, "/attitudes-conseil", &describe);
    let served = escale_web::serve(listener, state, shutdown.clone()).await;
    shutdown.cancel();
    let worked = worker.await;
    served?;
    worked??;
    Ok(())
}

/// What a newcomer needs to see on the terminal (stdout, so scripts and tests
/// can read the address even when logs go elsewhere).
#[expect(clippy::print_stdout, reason = "the startup banner is the command's output")]
fn announce(addr: SocketAddr, page: &str, describe: &[String]) {
    println!("Escale is running.");
    println!("  Open:      http://{addr}{page}");
    println!("  Console:   http://{addr}/console   (organizers: the demo login below)");
    println!("  GraphQL:   http://{addr}/graphql");
    for line in describe {
        println!("  {line}");
    }
    println!(
        "  Try:       {{ agenda(tenant: \"attitudes-conseil\") {{ city localStartsAt seatsLeft registrationOpen }} }}"
    );
    println!("Press Ctrl-C to stop.");
}

async fn gateway(args: ListenArgs) -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Json), "gateway")?;
    let database = config::required("DATABASE_URL")?;
    let db = config::connect(&config::database_config(database)?).await?;
    require_current_schema(&db).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| ConfigError::new("ESCALE_LISTEN", format!("cannot listen on {}: {e}", args.listen)))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "gateway listening");
    let explorer = config::graphql_explorer()?;
    announce(
        addr,
        "/",
        &[if explorer {
            "explorer on GET /graphql (ESCALE_GRAPHQL_EXPLORER)"
        } else {
            "explorer and introspection off (ESCALE_GRAPHQL_EXPLORER=1 turns them on)"
        }
        .to_owned()],
    );
    let state = AppState::new(db, None)
        .shutdown_deadline(config::shutdown_deadline()?)
        .trust_proxy(config::trust_proxy()?)
        .public_cache(config::public_cache_ttl()?)
        .sms_webhook_secret(config::sms_webhook_secret()?)
        .limits(config::limits()?)
        .explorer(explorer)
        .metrics_access(config::metrics_access()?)
        .public_url(config::public_url()?)
        .sms_price(config::sms_segment_price()?);
    escale_web::serve(listener, state, shutdown_token()).await?;
    tracing::info!("gateway stopped");
    Ok(())
}

async fn worker() -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Json), "worker")?;
    let settings = config::Production::resolve()?;
    let db = config::connect(&settings.database).await?;
    require_current_schema(&db).await?;
    tracing::info!(queue = ?settings.worker.queue, mail = ?settings.worker.mail, "worker starting");
    let shutdown = shutdown_token();
    // Installed before the first message is counted.
    let _ = escale_gateway::observe::recorder();
    let admin = match admin::listen_address()? {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| ConfigError::new("ESCALE_ADMIN_LISTEN", format!("cannot listen on {addr}: {e}")))?;
            tracing::info!(addr = %listener.local_addr()?, "worker admin port listening");
            let redis = match &settings.worker.queue {
                escale_worker::QueueConfig::Redis { url, .. } => Some(url.clone()),
                escale_worker::QueueConfig::Sqlite { .. } => None,
            };
            let (db, shutdown) = (db.clone(), shutdown.clone());
            Some(tokio::spawn(async move { admin::serve(listener, db, redis.as_deref(), shutdown).await }))
        }
        None => None,
    };
    let worked = escale_worker::run(db, settings.worker, WakeHandle::default(), shutdown.clone()).await;
    // The admin port stops with the worker, whatever ended it.
    shutdown.cancel();
    if let Some(admin) = admin {
        admin.await??;
    }
    worked
}

async fn migrate() -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Json), "migrate")?;
    let database = config::required("DATABASE_URL")?;
    let db = config::connect(&config::database_config(database)?).await?;
    let pending = Migrator::get_pending_migrations(&db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the migration status: {e}"))?;
    let names: Vec<String> = pending.iter().map(|m| m.name().to_owned()).collect();
    migrate_and_check(&db).await?;
    if names.is_empty() {
        tracing::info!("database schema already current");
    } else {
        tracing::info!(applied = ?names, "migrations applied");
    }
    Ok(())
}

async fn demo(args: DataArgs) -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Pretty), "demo")?;
    let database = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => config::database_config(url)?,
        _ => config::Embedded::resolve(&args.data_dir)?.database,
    };
    let db = config::connect(&database).await?;
    migrate_and_check(&db).await?;
    let summary = escale_domain::demo::load(&db, chrono::Utc::now()).await?;
    tracing::info!(
        tenant = %summary.tenant_slug,
        stops = summary.stops,
        sessions = summary.sessions,
        replaced = summary.replaced,
        "demo roadshow loaded"
    );
    if std::env::var("DATABASE_URL").is_err() {
        let file = args.data_dir.join("demo-owner.txt");
        write_private(&file, &format!("email: {}\npassword: {}\n", summary.owner_email, summary.owner_password))?;
    }
    say(&[
        format!(
            "Demo organizer `{}` loaded: {} stops, {} sessions.",
            summary.tenant_slug, summary.stops, summary.sessions
        ),
        format!("Owner login: {}", summary.owner_email),
        format!("Password:    {}", summary.owner_password),
    ]);
    Ok(())
}

/// Writes a file only its owner can read (it holds a password).
fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Output meant for the person at the terminal (stdout, not the log).
#[expect(clippy::print_stdout, reason = "command output")]
fn say(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}

/// The database for ops commands: DATABASE_URL, else the embedded file.
async fn ops_database(data: &DataArgs) -> anyhow::Result<DatabaseConnection> {
    let database = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => config::database_config(url)?,
        _ => config::Embedded::resolve(&data.data_dir)?.database,
    };
    let db = config::connect(&database).await?;
    require_current_schema(&db).await?;
    Ok(db)
}

async fn tenant_create(slug: &str, name: &str, data: DataArgs) -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Pretty), "ops")?;
    let db = ops_database(&data).await?;
    let tenant = escale_domain::access::accounts::create_tenant(&db, slug, name, chrono::Utc::now())
        .await
        .map_err(user_error)?;
    say(&[format!("Organizer `{}` created ({}).", tenant.slug, tenant.name)]);
    Ok(())
}

/// `escale tenant sms`: shows the limits, and changes those given.
async fn tenant_sms(
    slug: &str,
    countries: Option<String>,
    daily_cap: Option<i32>,
    per_number_cap: Option<i32>,
    data: DataArgs,
) -> anyhow::Result<()> {
    use escale_domain::messaging::organizer;
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Pretty), "ops")?;
    let db = ops_database(&data).await?;
    let tenant = escale_domain::access::accounts::tenant_by_slug(&db, slug).await.map_err(user_error)?;
    let operator = escale_domain::access::authz::Actor::operator(tenant.scope);
    let mut limits = organizer::sms_limits(&db, &operator).await.map_err(user_error)?;
    if countries.is_some() || daily_cap.is_some() || per_number_cap.is_some() {
        if let Some(c) = countries {
            limits.countries = c.split(',').map(str::to_owned).collect();
        }
        limits.daily_cap = daily_cap.unwrap_or(limits.daily_cap);
        limits.per_number_daily_cap = per_number_cap.unwrap_or(limits.per_number_daily_cap);
        limits = organizer::set_sms_limits(&db, &operator, limits, chrono::Utc::now()).await.map_err(user_error)?;
    }
    say(&[format!(
        "SMS of `{}`: to {} only; at most {} a day, {} a day per number.",
        tenant.slug,
        limits.countries.join(", "),
        limits.daily_cap,
        limits.per_number_daily_cap
    )]);
    Ok(())
}

/// The password for a new account: ESCALE_USER_PASSWORD, else standard input
/// (without echo on a terminal).
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("ESCALE_USER_PASSWORD") {
        return Ok(p);
    }
    let password = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        rpassword::prompt_password("Password for the new account: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    Ok(password)
}

async fn user_create(
    tenant: &str,
    email: &str,
    role: &str,
    name: Option<String>,
    data: DataArgs,
) -> anyhow::Result<()> {
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Pretty), "ops")?;
    let role = escale_domain::access::authz::parse_role(role).map_err(user_error)?;
    let db = ops_database(&data).await?;
    let tenant = escale_domain::access::accounts::tenant_by_slug(&db, tenant).await.map_err(user_error)?;
    let exists = escale_domain::access::accounts::account_exists(&db, email).await.map_err(user_error)?;
    let password = if exists { None } else { Some(read_password()?) };
    let role_name = escale_domain::access::authz::role_name(&role);
    let member =
        escale_domain::access::accounts::NewMember { email: email.to_owned(), display_name: name, password, role };
    let added = escale_domain::access::accounts::add_member(&db, tenant.scope, member, chrono::Utc::now())
        .await
        .map_err(user_error)?;
    say(&[if added.new_account {
        format!("Account {email} created; {role_name} of `{}`.", tenant.slug)
    } else {
        format!("{email} already had an account (password unchanged); now {role_name} of `{}`.", tenant.slug)
    }]);
    Ok(())
}

/// `escale user role` (a role given) and `escale user remove` (none): the
/// same domain rules as the API (the last owner stays), audited as the
/// operator's.
async fn member_change(tenant: &str, email: &str, role: Option<&str>, data: DataArgs) -> anyhow::Result<()> {
    use escale_domain::access::{authz, members};
    telemetry::init(telemetry::Format::from_env_or(telemetry::Format::Pretty), "ops")?;
    let role = role.map(authz::parse_role).transpose().map_err(user_error)?;
    let db = ops_database(&data).await?;
    let tenant = escale_domain::access::accounts::tenant_by_slug(&db, tenant).await.map_err(user_error)?;
    let user = members::by_email(&db, tenant.scope, email).await.map_err(user_error)?;
    let operator = authz::Actor::operator(tenant.scope);
    let now = chrono::Utc::now();
    match role {
        Some(role) => {
            let name = authz::role_name(&role);
            members::change_role(&db, &operator, user, role, now).await.map_err(user_error)?;
            say(&[format!("{email} is now {name} of `{}`; their sessions ended.", tenant.slug)]);
        }
        None => {
            members::remove(&db, &operator, user, now).await.map_err(user_error)?;
            say(&[format!("{email} is no longer a member of `{}`; their sessions ended.", tenant.slug)]);
        }
    }
    Ok(())
}

/// A refusal of what was typed on the command line (exit code 2, like a
/// configuration error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

fn user_error(e: escale_domain::DomainError) -> anyhow::Error {
    UsageError(e.to_string()).into()
}
