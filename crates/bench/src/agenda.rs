//! The public agenda under load: the gateway (GraphQL + PostgreSQL) against the
//! HTTP ceiling (a bare axum handler returning the same bytes, no GraphQL, no
//! database), both as separate processes driven by the same client.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use escale_domain::DatabaseConnection;
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::Role;
use escale_domain::entities::{edition, partner, partnership, session, stop};
use escale_domain::manage::{self, TimeInput};
use tokio::process::{Child, Command};

use crate::load;
use crate::machine;
use crate::pg::BenchDb;

#[derive(Debug, Clone)]
pub struct AgendaArgs {
    pub connections: usize,
    pub seconds: u64,
    pub stops: usize,
    pub sessions_per_stop: usize,
    pub speakers_per_session: usize,
}

pub const TENANT: &str = "bench-organizer";
pub const QUERY: &str = "{ agenda(tenant: \"bench-organizer\") { id name city region startsAt localStartsAt timeZone capacity seatsLeft registrationOpen edition { number year } sessions { id title topics startsAt speakers { name } } } }";

/// A realistic organizer: one published edition, `stops` stops, each with
/// `sessions_per_stop` sessions of `speakers_per_session` speakers.
pub async fn seed(db: &DatabaseConnection, args: &AgendaArgs) -> anyhow::Result<()> {
    let now = Utc::now();
    let (_, owner, ed) = seed_organizer(db, TENANT, "Bench Organizer").await?;
    let mut speakers = Vec::new();
    for i in 0..(args.sessions_per_stop * args.speakers_per_session).min(60) {
        let sp = manage::create_speaker(
            db,
            &owner,
            manage::SpeakerInput { full_name: Some(format!("Intervenant {i}")), ..Default::default() },
            now,
        )
        .await?;
        speakers.push(sp.id.0);
    }
    for name in ["Banque", "Opérateur", "Agence", "Chambre", "Office", "Coopération"] {
        let p = manage::create_partner(
            db,
            &owner,
            manage::PartnerInput { name: Some(name.into()), kind: Some(partner::Kind::Other), website: None },
            now,
        )
        .await?;
        manage::set_partnership(
            db,
            &owner,
            p.id.0,
            manage::PartnershipTarget::Edition(ed.id.0),
            partnership::Tier::Official,
            now,
        )
        .await?;
    }
    let cities = ["Béni Mellal", "Marrakech", "Casablanca", "Fès", "Tanger", "Agadir"];
    for s in 0..args.stops {
        let day = now + Span::days(40 + 30 * i64::try_from(s).unwrap_or(0));
        let new = manage::NewStop {
            edition_id: ed.id.0,
            name: format!("Escale {}", cities[s % cities.len()]),
            region: "Région".into(),
            city: cities[s % cities.len()].into(),
            venue: "Centre de congrès".into(),
            address: None,
            directions: None,
            translations: Vec::new(),
            time_zone: None,
            starts_at: TimeInput::Instant(day),
            ends_at: TimeInput::Instant(day + Span::hours(12)),
            capacity: 600,
            registration_opens_at: None,
            registration_closes_at: None,
        };
        let st = manage::create_stop(db, &owner, new, now).await?;
        for k in 0..args.sessions_per_stop {
            let start = day + Span::minutes(20 * i64::try_from(k).unwrap_or(0));
            let new = manage::NewSession {
                stop_id: st.id.0,
                kind: session::Kind::Workshop,
                title: format!("Atelier {k} : marketing digital et éducation financière"),
                description: None,
                topics: vec![escale_domain::catalog::Topic::DigitalMarketing, escale_domain::catalog::Topic::Budgeting],
                room: Some("Salle A".into()),
                translations: Vec::new(),
                starts_at: TimeInput::Instant(start),
                ends_at: TimeInput::Instant(start + Span::minutes(20)),
                capacity: Some(60),
                language: None,
            };
            let se = manage::create_session(db, &owner, new, now).await?;
            for j in 0..args.speakers_per_session {
                let speaker = speakers[(k * args.speakers_per_session + j) % speakers.len()];
                manage::assign_speaker(db, &owner, se.id.0, speaker, None, now).await?;
            }
        }
        manage::set_stop_status(
            db,
            &owner,
            st.id.0,
            stop::Status::Published,
            escale_domain::messaging::notices::Notify::Participants,
            now,
        )
        .await?;
    }
    manage::set_edition_status(db, &owner, ed.id.0, edition::Status::Published, now).await?;
    Ok(())
}

/// A new organizer with an owner (random password), a series and a draft
/// edition to fill: what every benchmark starts from.
pub(crate) async fn seed_organizer(
    db: &DatabaseConnection,
    slug: &str,
    name: &str,
) -> anyhow::Result<(
    escale_domain::tenancy::TenantScope,
    escale_domain::access::authz::Actor,
    escale_domain::catalog::Edition,
)> {
    let now = Utc::now();
    let tenant = accounts::create_tenant(db, slug, name, now).await?;
    let password = accounts::generate_password();
    let email = format!("owner@{slug}.example");
    let member =
        NewMember { email: email.clone(), display_name: None, password: Some(password.clone()), role: Role::Owner };
    accounts::add_member(db, tenant.scope, member, now).await?;
    let owner = accounts::login(db, &email, &password, None, now).await?.actor;
    let series = manage::create_series(
        db,
        &owner,
        manage::NewSeries { slug: "forum".into(), name: "Forum".into(), description: None },
        now,
    )
    .await?;
    let ed = manage::create_edition(
        db,
        &owner,
        manage::NewEdition { series_id: series.id.0, number: 1, year: 2027, title: "1re édition".into() },
        now,
    )
    .await?;
    Ok((tenant.scope, owner, ed))
}

/// SQL statements one agenda request costs, counted in-process.
async fn statements_per_request(db: &DatabaseConnection) -> anyhow::Result<usize> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let counter = Arc::new(AtomicUsize::new(0));
    let mut counted = db.clone();
    let c = counter.clone();
    counted.set_metric_callback(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let (schema, _) = escale_gateway::build_schema(escale_gateway::AppState::new(counted, None));
    let warm = schema.execute(QUERY).await;
    anyhow::ensure!(warm.errors.is_empty(), "agenda query failed: {:?}", warm.errors);
    let before = counter.load(Ordering::SeqCst);
    schema.execute(QUERY).await;
    Ok(counter.load(Ordering::SeqCst) - before)
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub async fn wait_healthy(url: &str) -> anyhow::Result<()> {
    escale_worker::sms_http::install_crypto_provider();
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client.get(url).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("{url} did not become healthy")
}

fn me() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_exe()?)
}

pub async fn spawn(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Child> {
    let mut cmd = Command::new(me()?);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::inherit()).kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Ok(cmd.spawn()?)
}

fn agenda_ok(body: &[u8]) -> bool {
    body.starts_with(b"{\"data\":{\"agenda\":[") && !body.windows(9).any(|w| w == b"\"errors\":")
}

pub async fn run(args: AgendaArgs) -> anyhow::Result<()> {
    println!("== agenda benchmark ==");
    println!("machine: {}", machine::describe());
    let (bench_db, db) = BenchDb::create("agenda").await?;
    println!("PostgreSQL {} (database {})", BenchDb::server_version(&db).await, bench_db.name);
    println!(
        "tenant: {} stops x {} sessions x {} speakers; {} connections for {} s (after 3 s warm-up)",
        args.stops, args.sessions_per_stop, args.speakers_per_session, args.connections, args.seconds
    );
    seed(&db, &args).await?;
    let statements = statements_per_request(&db).await?;

    let start_gateway = |cache_ms: &'static str| {
        let url = bench_db.url.clone();
        async move {
            let listen = format!("127.0.0.1:{}", free_port()?);
            let env = [
                ("DATABASE_URL", url.as_str()),
                ("ESCALE_LISTEN", listen.as_str()),
                ("ESCALE_LOG", "warn"),
                ("DATABASE_MAX_CONNECTIONS", "16"),
                ("ESCALE_PUBLIC_CACHE_MS", cache_ms),
            ];
            let child = spawn(&["__gateway"], &env).await?;
            wait_healthy(&format!("http://{listen}/healthz")).await?;
            anyhow::Ok((child, listen))
        }
    };
    let (gateway, gw_listen) = start_gateway("1000").await?;
    let gw_pid = gateway.id().unwrap_or_default();
    let idle_rss = machine::rss_mib(gw_pid).unwrap_or(0.0);

    let body: &'static [u8] = Box::leak(serde_json::to_vec(&serde_json::json!({ "query": QUERY }))?.into_boxed_slice());
    escale_worker::sms_http::install_crypto_provider();
    let sample = reqwest::Client::new()
        .post(format!("http://{gw_listen}/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?
        .bytes()
        .await?;
    anyhow::ensure!(
        agenda_ok(&sample),
        "agenda response is not as expected: {}",
        String::from_utf8_lossy(&sample[..sample.len().min(300)])
    );
    let body_file = std::env::temp_dir().join(format!("escale-bench-agenda-{}.json", std::process::id()));
    std::fs::write(&body_file, &sample)?;
    let ceil_port = free_port()?;
    let ceiling =
        spawn(&["__ceiling", "--port", &ceil_port.to_string(), "--body-file", &body_file.display().to_string()], &[])
            .await?;
    wait_healthy(&format!("http://127.0.0.1:{ceil_port}/healthz")).await?;

    let warm = Duration::from_secs(3);
    let dur = Duration::from_secs(args.seconds);
    let ceil =
        load::run(&format!("http://127.0.0.1:{ceil_port}/graphql"), body, args.connections, warm, dur, agenda_ok)
            .await?;
    let total = (warm + dur).as_secs_f64();
    let before = machine::Cpu::read(gw_pid);
    let gw = load::run(&format!("http://{gw_listen}/graphql"), body, args.connections, warm, dur, agenda_ok).await?;
    let gw_cpu = machine::Cpu::read(gw_pid).per_request(before, gw.rps() * total);
    let peak = machine::peak_rss_mib(gw_pid).unwrap_or(0.0);
    drop(gateway);
    // The same gateway with the public response cache off: every request runs
    // GraphQL and its SQL statements.
    let (uncached_gw, uncached_listen) = start_gateway("0").await?;
    let uncached_pid = uncached_gw.id().unwrap_or_default();
    let before = machine::Cpu::read(uncached_pid);
    let raw =
        load::run(&format!("http://{uncached_listen}/graphql"), body, args.connections, warm, dur, agenda_ok).await?;
    let raw_cpu = machine::Cpu::read(uncached_pid).per_request(before, raw.rps() * total);
    let raw_peak = machine::peak_rss_mib(uncached_pid).unwrap_or(0.0);
    drop(uncached_gw);
    drop(ceiling);
    let _ = std::fs::remove_file(&body_file);
    bench_db.drop_database().await?;

    println!("response: {} bytes", sample.len());
    println!(
        "{:<40} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9}",
        "", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "ceiling"
    );
    for (name, r) in [
        ("HTTP ceiling (plain axum)", &ceil),
        ("agenda, gateway as deployed (1 s cache)", &gw),
        ("agenda, cache off (GraphQL + SQL)", &raw),
    ] {
        println!(
            "{:<40} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>8.1}%",
            name,
            r.rps(),
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.errors,
            100.0 * r.rps() / ceil.rps().max(1.0)
        );
    }
    println!("SQL statements per uncached agenda request: {statements}");
    for (name, cpu) in [("cache on", gw_cpu), ("cache off", raw_cpu)] {
        println!(
            "CPU per request, {name}: gateway {:.3} ms, PostgreSQL {:.3} ms, load generator {:.3} ms",
            cpu.gateway_ms, cpu.postgres_ms, cpu.client_ms
        );
    }
    println!("gateway RSS: idle {idle_rss:.1} MiB, peak {peak:.1} MiB (cache on), {raw_peak:.1} MiB (cache off)");
    Ok(())
}
