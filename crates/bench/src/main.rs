//! `escale-bench`: see the library documentation. One command per benchmark:
//!
//! ```sh
//! cargo run --release -p escale-bench -- agenda
//! cargo run --release -p escale-bench -- register
//! cargo run --release -p escale-bench -- notify
//! cargo run --release -p escale-bench -- dashboard
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "escale-bench", about = "Benchmarks of Escale with their ceilings, on this machine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The public agenda query at N concurrent connections, against a bare HTTP
    /// handler serving the same bytes. Needs PostgreSQL (ESCALE_BENCH_POSTGRES_URL).
    Agenda {
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 3)]
        stops: usize,
        #[arg(long, default_value_t = 30)]
        sessions_per_stop: usize,
        #[arg(long, default_value_t = 2)]
        speakers_per_session: usize,
    },
    /// A stop's page (its agenda and registration form) at N concurrent
    /// connections, against a bare HTTP handler serving the same bytes; prints
    /// the page's weight. Needs PostgreSQL (ESCALE_BENCH_POSTGRES_URL).
    Page {
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 30)]
        sessions: usize,
    },
    /// `register` through the gateway at each client count, on one hot stop and
    /// spread over many, next to pgbench on the same PostgreSQL; ends with the
    /// overbooking check. Needs PostgreSQL and pgbench.
    Register {
        /// Client counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "8,32")]
        clients: Vec<usize>,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        #[arg(long, default_value_t = 50)]
        stops: usize,
        /// Seats per stop: the hot stop fills up and the waiting list takes over.
        #[arg(long, default_value_t = 2000)]
        capacity: i32,
    },
    /// N email and N SMS reminders due at once, sent by `escale worker` to
    /// Postfix's smtp-sink and an HTTP provider double, next to smtp-source's raw
    /// ceiling; then the dispatcher's pass over a million future notifications.
    /// Needs PostgreSQL, Redis (ESCALE_BENCH_REDIS_URL) and the postfix package.
    Notify {
        #[arg(long, default_value_t = 20_000)]
        messages: usize,
        #[arg(long, default_value_t = 1_000_000)]
        future: usize,
        #[arg(long, default_value_t = 10_000)]
        due: usize,
        /// The worker's SMTP connections (`ESCALE_EMAIL_CONCURRENCY`), and
        /// `smtp-source`'s sessions for the ceiling.
        #[arg(long, default_value_t = 32)]
        smtp_sessions: usize,
    },
    /// The console's edition dashboard, signed in, at N concurrent
    /// connections, after seeding an edition of STOPS stops of REGISTRATIONS
    /// registrations; prints the SQL statements one page costs at each size.
    /// Needs PostgreSQL.
    Dashboard {
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        #[arg(long, default_value_t = 6)]
        stops: usize,
        #[arg(long, default_value_t = 2000)]
        registrations: usize,
    },
    /// (internal) runs `escale worker` in this process.
    #[command(name = "__worker", hide = true)]
    Worker,
    /// (internal) runs `escale gateway` in this process.
    #[command(name = "__gateway", hide = true)]
    Gateway,
    /// (internal) serves a file's bytes on /graphql with plain axum.
    #[command(name = "__ceiling", hide = true)]
    Ceiling {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        body_file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Worker) {
        return escale_cli::main_with(escale_cli::Cli { command: escale_cli::Command::Worker });
    }
    if matches!(cli.command, Command::Gateway) {
        // The same code path as `escale gateway`, configured by the environment.
        return escale_cli::main_with(escale_cli::Cli {
            command: escale_cli::Command::Gateway(escale_cli::ListenArgs::from_env()),
        });
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Agenda { connections, seconds, stops, sessions_per_stop, speakers_per_session } => {
                escale_bench::agenda::run(escale_bench::agenda::AgendaArgs {
                    connections,
                    seconds,
                    stops,
                    sessions_per_stop,
                    speakers_per_session,
                })
                .await
            }
            Command::Page { connections, seconds, sessions } => {
                escale_bench::page::run(escale_bench::page::PageArgs { connections, seconds, sessions }).await
            }
            Command::Register { clients, seconds, stops, capacity } => {
                escale_bench::register::run(escale_bench::register::RegisterArgs { clients, seconds, stops, capacity })
                    .await
            }
            Command::Notify { messages, future, due, smtp_sessions } => {
                escale_bench::notify::run(escale_bench::notify::NotifyArgs {
                    messages,
                    future,
                    due,
                    smtp_sessions,
                    redis_url: std::env::var("ESCALE_BENCH_REDIS_URL")
                        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned()),
                })
                .await
            }
            Command::Dashboard { connections, seconds, stops, registrations } => {
                escale_bench::dashboard::run(escale_bench::dashboard::DashboardArgs {
                    connections,
                    seconds,
                    stops,
                    registrations,
                })
                .await
            }
            Command::Ceiling { port, body_file } => ceiling(port, body_file).await,
            Command::Gateway | Command::Worker => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The ceiling: the cheapest possible answer with the same bytes.
async fn ceiling(port: u16, body_file: PathBuf) -> anyhow::Result<()> {
    use axum::routing::{get, post};
    let body: &'static [u8] = Box::leak(std::fs::read(&body_file)?.into_boxed_slice());
    let app = axum::Router::new()
        .route("/graphql", post(move || async move { ([("content-type", "application/json")], body) }))
        .route("/page", get(move || async move { ([("content-type", "text/html; charset=utf-8")], body) }))
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
