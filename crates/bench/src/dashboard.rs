//! The console's edition dashboard under load: an edition of N stops of M
//! registrations each (some in workshops, with their messages planned), the
//! page `GET /console?edition=…` as a signed-in organizer asks for it, through
//! `escale gateway` on PostgreSQL. Prints the SQL statements one page costs —
//! with no registration yet, with all of them, and for an edition of one
//! stop: the same number, whatever the size — then the throughput.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use escale_domain::DatabaseConnection;
use escale_domain::access::accounts::{self, NewMember};
use escale_domain::access::authz::{Actor, Role};
use escale_domain::entities::{edition, session, stop};
use escale_domain::ids::{SessionId, StopId};
use escale_domain::manage::{self, TimeInput};
use escale_domain::registration::{Consents, RegisterInput, register};
use escale_domain::tenancy::TenantScope;

use crate::agenda::{free_port, seed_organizer, spawn, wait_healthy};
use crate::load;
use crate::machine;
use crate::pg::BenchDb;

#[derive(Debug, Clone)]
pub struct DashboardArgs {
    pub connections: usize,
    pub seconds: u64,
    pub stops: usize,
    pub registrations: usize,
}

const TENANT: &str = "bench-dashboard";
const EMAIL: &str = "console@bench-dashboard.example";

fn dashboard_ok(body: &[u8]) -> bool {
    body.starts_with(b"<!DOCTYPE html>") && body.windows(21).any(|w| w == b"id=\"messages-caption\"")
}

/// `stops` published stops of `capacity` seats, each with two workshops.
async fn stops(
    db: &DatabaseConnection,
    owner: &Actor,
    edition_id: uuid::Uuid,
    count: usize,
    capacity: usize,
) -> anyhow::Result<Vec<(uuid::Uuid, Vec<uuid::Uuid>)>> {
    let now = Utc::now();
    let mut out = Vec::new();
    for s in 0..count {
        let day = now + Span::days(40 + 20 * i64::try_from(s).unwrap_or(0));
        let new = manage::NewStop {
            edition_id,
            name: format!("Escale {s}"),
            region: "Région".into(),
            city: format!("Ville {s}"),
            venue: "Centre de congrès".into(),
            address: None,
            directions: None,
            translations: Vec::new(),
            time_zone: None,
            starts_at: TimeInput::Instant(day),
            ends_at: TimeInput::Instant(day + Span::hours(9)),
            capacity: i64::try_from(capacity)?,
            registration_opens_at: None,
            registration_closes_at: None,
        };
        let st = manage::create_stop(db, owner, new, now).await?;
        let mut workshops = Vec::new();
        for w in 0..2 {
            let start = day + Span::hours(1 + 3 * w);
            let new = manage::NewSession {
                stop_id: st.id.0,
                kind: session::Kind::Workshop,
                title: format!("Atelier {w}"),
                description: None,
                topics: Vec::new(),
                room: None,
                translations: Vec::new(),
                starts_at: TimeInput::Instant(start),
                ends_at: TimeInput::Instant(start + Span::hours(2)),
                capacity: Some(120),
                language: None,
            };
            workshops.push(manage::create_session(db, owner, new, now).await?.id.0);
        }
        let notify = escale_domain::messaging::notices::Notify::Participants;
        manage::set_stop_status(db, owner, st.id.0, stop::Status::Published, notify, now).await?;
        out.push((st.id.0, workshops));
    }
    manage::set_edition_status(db, owner, edition_id, edition::Status::Published, now).await?;
    Ok(out)
}

/// Registers `per_stop` people at each stop from 8 tasks; one in four also
/// takes a workshop, one in two consents to reminders (planned then).
async fn fill(
    db: &DatabaseConnection,
    scope: TenantScope,
    stops: &[(uuid::Uuid, Vec<uuid::Uuid>)],
    per_stop: usize,
) -> anyhow::Result<usize> {
    let jobs: Vec<(usize, uuid::Uuid, Option<uuid::Uuid>)> = stops
        .iter()
        .flat_map(|(stop, workshops)| {
            (0..per_stop).map(move |n| (n, *stop, (n % 4 == 0).then(|| workshops[n / 4 % workshops.len()])))
        })
        .collect();
    let jobs = Arc::new(std::sync::Mutex::new(jobs));
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (db, jobs, done) = (db.clone(), jobs.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let next = jobs.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.pop();
                let Some((n, stop, workshop)) = next else { return Ok::<_, anyhow::Error>(()) };
                let input = RegisterInput {
                    stop_id: StopId(stop),
                    full_name: format!("Participante {n}"),
                    email: Some(format!("p{n}.{}@bench.example", stop.simple())),
                    phone: (n % 3 == 0).then(|| format!("06{:08}", n)),
                    session_ids: workshop.map(SessionId).into_iter().collect(),
                    consents: Consents { email_reminders: n % 2 == 0, sms_reminders: n % 6 == 0, ..Default::default() },
                    ..Default::default()
                };
                register(&db, scope, &input, Utc::now()).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed))
}

/// Signs in over HTTP and returns the session cookie.
async fn sign_in(base: &str, password: &str) -> anyhow::Result<String> {
    escale_worker::sms_http::install_crypto_provider();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let r = client
        .post(format!("{base}/console/login"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}&password={}", EMAIL.replace('@', "%40"), password))
        .send()
        .await?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie (status {})", r.status()))?;
    Ok(cookie.to_owned())
}

/// SQL statements one dashboard page costs (sign-in check, frame, figures),
/// counted in a server run in this process.
async fn statements_per_page(db: &DatabaseConnection, password: &str, edition: uuid::Uuid) -> anyhow::Result<usize> {
    let counter = Arc::new(AtomicUsize::new(0));
    let mut counted = db.clone();
    let c = counter.clone();
    counted.set_metric_callback(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let server =
        tokio::spawn(escale_web::serve(listener, escale_gateway::AppState::new(counted, None), shutdown.clone()));
    let cookie = sign_in(&base, password).await?;
    let client = reqwest::Client::new();
    let url = format!("{base}/console?edition={edition}");
    let warm = client.get(&url).header("cookie", &cookie).send().await?.bytes().await?;
    anyhow::ensure!(dashboard_ok(&warm), "the dashboard is not as expected");
    let before = counter.load(Ordering::SeqCst);
    client.get(&url).header("cookie", &cookie).send().await?.bytes().await?;
    let statements = counter.load(Ordering::SeqCst) - before;
    shutdown.cancel();
    let _ = server.await;
    Ok(statements)
}

pub async fn run(args: DashboardArgs) -> anyhow::Result<()> {
    println!("== console dashboard benchmark ==");
    println!("machine: {}", machine::describe());
    let (bench_db, db) = BenchDb::create("dashboard").await?;
    println!("PostgreSQL {} (database {})", BenchDb::server_version(&db).await, bench_db.name);
    println!(
        "one edition of {} stops x {} registrations (1 in 4 in a workshop, reminders for 1 in 2); {} connections for {} s (after 3 s warm-up)",
        args.stops, args.registrations, args.connections, args.seconds
    );
    let now = Utc::now();
    let (scope, owner, ed) = seed_organizer(&db, TENANT, "Bench Dashboard").await?;
    let password = accounts::generate_password();
    let member =
        NewMember { email: EMAIL.into(), display_name: None, password: Some(password.clone()), role: Role::Owner };
    accounts::add_member(&db, scope, member, now).await?;
    let big = stops(&db, &owner, ed.id.0, args.stops, args.registrations).await?;
    let series = ed.series_id.0;
    let small = manage::create_edition(
        &db,
        &owner,
        manage::NewEdition { series_id: series, number: 2, year: 2028, title: "2e édition".into() },
        now,
    )
    .await?;
    let one = stops(&db, &owner, small.id.0, 1, args.registrations).await?;

    let empty = statements_per_page(&db, &password, ed.id.0).await?;
    let started = std::time::Instant::now();
    let registered = fill(&db, scope, &big, args.registrations).await? + fill(&db, scope, &one, 100).await?;
    println!("seeded {registered} registrations in {:.0} s", started.elapsed().as_secs_f64());
    // The planner's statistics, as autovacuum would have them by the time
    // anyone looks at a dashboard of this size.
    sea_orm::ConnectionTrait::execute_unprepared(&db, "ANALYZE").await?;
    let full = statements_per_page(&db, &password, ed.id.0).await?;
    let single = statements_per_page(&db, &password, small.id.0).await?;
    println!(
        "SQL statements per dashboard page: {empty} ({} stops, no registration), {full} ({} stops x {} registrations), {single} (1 stop x 100)",
        args.stops, args.stops, args.registrations
    );

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
    let cookie = sign_in(&format!("http://{listen}"), &password).await?;
    let url = format!("http://{listen}/console?edition={}", ed.id.0);
    let sample = reqwest::Client::new().get(&url).header("cookie", &cookie).send().await?.bytes().await?;
    anyhow::ensure!(dashboard_ok(&sample), "the dashboard is not as expected");
    let r = load::run_get_with(
        &url,
        vec![("cookie".to_owned(), cookie)],
        args.connections,
        Duration::from_secs(3),
        Duration::from_secs(args.seconds),
        dashboard_ok,
    )
    .await?;
    let peak = machine::peak_rss_mib(gw_pid).unwrap_or(0.0);
    drop(gateway);
    bench_db.drop_database().await?;
    println!("dashboard page {} bytes", sample.len());
    println!("{:<32} {:>9} {:>8} {:>8} {:>8} {:>7}", "", "req/s", "p50 ms", "p99 ms", "max ms", "errors");
    println!(
        "{:<32} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>7}",
        "edition dashboard, gateway",
        r.rps(),
        r.p50_ms,
        r.p99_ms,
        r.max_ms,
        r.errors
    );
    println!("gateway peak RSS {peak:.1} MiB");
    Ok(())
}
