//! A stop's page (agenda and registration form, server-rendered) under load:
//! `escale gateway` (pages, PostgreSQL) against the HTTP ceiling, a bare axum
//! handler serving the same bytes, both separate processes driven by the same
//! client. Also prints what the page weighs.

use std::time::Duration;

use crate::agenda::{self, AgendaArgs, free_port, spawn, wait_healthy};
use crate::load;
use crate::machine;
use crate::pg::BenchDb;

#[derive(Debug, Clone)]
pub struct PageArgs {
    pub connections: usize,
    pub seconds: u64,
    pub sessions: usize,
}

fn page_ok(body: &[u8]) -> bool {
    body.starts_with(b"<!DOCTYPE html>") && body.windows(11).any(|w| w == b"name=\"form\"")
}

/// The gzip size of `bytes` (what a browser's transfer would be), by the
/// system's gzip at its default level.
fn gzip_size(bytes: &[u8]) -> Option<usize> {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(bytes).ok()?;
    Some(child.wait_with_output().ok()?.stdout.len())
}

pub async fn run(args: PageArgs) -> anyhow::Result<()> {
    println!("== stop page benchmark ==");
    println!("machine: {}", machine::describe());
    let (bench_db, db) = BenchDb::create("page").await?;
    println!("PostgreSQL {} (database {})", BenchDb::server_version(&db).await, bench_db.name);
    println!(
        "one stop of {} sessions x 2 speakers, 6 partners; {} connections for {} s (after 3 s warm-up)",
        args.sessions, args.connections, args.seconds
    );
    let seed = AgendaArgs {
        connections: args.connections,
        seconds: args.seconds,
        stops: 1,
        sessions_per_stop: args.sessions,
        speakers_per_session: 2,
    };
    agenda::seed(&db, &seed).await?;

    let listen = format!("127.0.0.1:{}", free_port()?);
    let env = [
        ("DATABASE_URL", bench_db.url.as_str()),
        ("ESCALE_LISTEN", listen.as_str()),
        ("ESCALE_LOG", "warn"),
        ("DATABASE_MAX_CONNECTIONS", "16"),
    ];
    let gateway = spawn(&["__gateway"], &env).await?;
    wait_healthy(&format!("http://{listen}/healthz")).await?;
    let gw_pid = gateway.id().unwrap_or_default();

    // The stop's address, as a visitor finds it on the organizer's page.
    let client = reqwest::Client::new();
    let tenant_page = client.get(format!("http://{listen}/{}", agenda::TENANT)).send().await?.text().await?;
    let prefix = format!("href=\"/{}/", agenda::TENANT);
    let at = tenant_page.find(&prefix).ok_or_else(|| anyhow::anyhow!("no stop on the organizer's page"))?;
    let path: String = tenant_page[at + 6..].chars().take_while(|c| *c != '"' && *c != '?').collect();
    let url = format!("http://{listen}{path}");
    let sample = client.get(&url).header("accept-language", "fr").send().await?.bytes().await?;
    anyhow::ensure!(
        page_ok(&sample),
        "the stop page is not as expected: {}",
        String::from_utf8_lossy(&sample[..sample.len().min(300)])
    );
    let css = client.get(format!("http://{listen}/assets/escale.css")).send().await?.bytes().await?;
    let js = client.get(format!("http://{listen}/assets/escale.js")).send().await?.bytes().await?;

    let body_file = std::env::temp_dir().join(format!("escale-bench-page-{}.html", std::process::id()));
    std::fs::write(&body_file, &sample)?;
    let ceil_port = free_port()?;
    let ceiling =
        spawn(&["__ceiling", "--port", &ceil_port.to_string(), "--body-file", &body_file.display().to_string()], &[])
            .await?;
    wait_healthy(&format!("http://127.0.0.1:{ceil_port}/healthz")).await?;

    let warm = Duration::from_secs(3);
    let dur = Duration::from_secs(args.seconds);
    // Every answer differs (its form id), so a page is checked by its shape.
    let ceil =
        load::run_get(&format!("http://127.0.0.1:{ceil_port}/page"), args.connections, warm, dur, page_ok).await?;
    let gw = load::run_get(&url, args.connections, warm, dur, page_ok).await?;
    let peak = machine::peak_rss_mib(gw_pid).unwrap_or(0.0);
    drop(gateway);
    drop(ceiling);
    let _ = std::fs::remove_file(&body_file);
    bench_db.drop_database().await?;

    let weigh = |name: &str, bytes: &[u8]| {
        println!(
            "{name:<28} {:>7} bytes, {:>6} gzip",
            bytes.len(),
            gzip_size(bytes).map_or("?".into(), |n| n.to_string())
        );
    };
    weigh("stop page (HTML)", &sample);
    weigh("escale.css (cached a year)", &css);
    weigh("escale.js (cached a year)", &js);
    let all = sample.len() + css.len() + js.len();
    println!("first visit, uncompressed: {all} bytes ({:.1} KB)", all as f64 / 1000.0);
    println!(
        "{:<32} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9}",
        "", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "ceiling"
    );
    for (name, r) in [("HTTP ceiling (plain axum)", &ceil), ("stop page, gateway", &gw)] {
        println!(
            "{:<32} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>8.1}%",
            name,
            r.rps(),
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.errors,
            100.0 * r.rps() / ceil.rps().max(1.0)
        );
    }
    println!("gateway peak RSS {peak:.1} MiB");
    Ok(())
}
