//! `register` under load through the gateway, on PostgreSQL, in two shapes —
//! every client on one stop (one hot row) and clients spread over 50 stops —
//! next to pgbench's TPC-B-like transactions on the same server as the
//! database's ceiling. Ends with the overbooking check.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use escale_domain::DatabaseConnection;
use escale_domain::entities::{edition, stop};
use escale_domain::ids::TenantId;
use escale_domain::manage::{self, TimeInput};
use sea_orm::{ConnectionTrait, Statement};
use tokio::process::Command;

use crate::agenda::{free_port, seed_organizer, spawn, wait_healthy};
use crate::load::{self, LoadResult};
use crate::machine::{self, Cpu};
use crate::pg::BenchDb;

#[derive(Debug, Clone)]
pub struct RegisterArgs {
    pub clients: Vec<usize>,
    pub seconds: u64,
    pub stops: usize,
    pub capacity: i32,
}

const TENANT: &str = "bench-register";
const MUTATION: &str = "mutation($i: RegisterInput!) { register(input: $i) { registration { status } } }";

/// One edition with `2 + stops` published stops: one hot stop per client
/// count's run would need more; two are enough (8 and 32 clients) and the
/// rest take the spread runs.
async fn seed(
    db: &DatabaseConnection,
    args: &RegisterArgs,
    hot_stops: usize,
) -> anyhow::Result<(TenantId, Vec<uuid::Uuid>)> {
    let now = Utc::now();
    let (scope, owner, ed) = seed_organizer(db, TENANT, "Bench Register").await?;
    let mut ids = Vec::new();
    for s in 0..hot_stops + args.stops {
        let day = now + Span::days(40 + i64::try_from(s).unwrap_or(0));
        let new = manage::NewStop {
            edition_id: ed.id.0,
            name: format!("Escale {s}"),
            region: "Région".into(),
            city: format!("Ville {s}"),
            venue: "Centre de congrès".into(),
            address: None,
            directions: None,
            translations: Vec::new(),
            time_zone: None,
            starts_at: TimeInput::Instant(day),
            ends_at: TimeInput::Instant(day + Span::hours(10)),
            capacity: i64::from(args.capacity),
            registration_opens_at: None,
            registration_closes_at: None,
        };
        let st = manage::create_stop(db, &owner, new, now).await?;
        manage::set_stop_status(
            db,
            &owner,
            st.id.0,
            stop::Status::Published,
            escale_domain::messaging::notices::Notify::Participants,
            now,
        )
        .await?;
        ids.push(st.id.0);
    }
    manage::set_edition_status(db, &owner, ed.id.0, edition::Status::Published, now).await?;
    Ok((scope.id(), ids))
}

fn registered(body: &[u8]) -> bool {
    body.starts_with(b"{\"data\":{\"register\":{\"registration\":{\"status\":")
}

/// The SQL statements one registration runs, counted in-process: the same
/// person as `body_maker`'s, through the domain.
async fn statements_per_registration(
    db: &DatabaseConnection,
    tenant: TenantId,
    stop: uuid::Uuid,
) -> anyhow::Result<usize> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let counter = Arc::new(AtomicUsize::new(0));
    let mut counted = db.clone();
    let c = counter.clone();
    counted.set_metric_callback(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    let scope = escale_domain::tenancy::TenantScope::new(tenant);
    let input = |n: u32| escale_domain::registration::RegisterInput {
        stop_id: escale_domain::ids::StopId(stop),
        full_name: format!("Counted {n}"),
        email: Some(format!("counted{n}@bench.example")),
        consents: escale_domain::registration::Consents { email_reminders: true, ..Default::default() },
        ..Default::default()
    };
    // The first one warms what is read once per process.
    escale_domain::registration::register(&counted, scope, &input(0), Utc::now()).await?;
    let before = counter.load(Ordering::SeqCst);
    escale_domain::registration::register(&counted, scope, &input(1), Utc::now()).await?;
    Ok(counter.load(Ordering::SeqCst) - before)
}

fn body_maker(label: String, stops: Arc<Vec<String>>) -> load::BodyFn {
    Arc::new(move |n| {
        // Spread over the stops by request number: every stop gets its share.
        let stop = &stops[usize::try_from(n).unwrap_or(0) % stops.len()];
        let input = serde_json::json!({
            "stopId": stop,
            "fullName": format!("Participant {label} {n}"),
            "email": format!("p{n}.{label}@bench.example"),
            "consents": { "emailReminders": true },
        });
        serde_json::to_vec(&serde_json::json!({ "query": MUTATION, "variables": { "i": input } })).unwrap_or_default()
    })
}

/// Form posts spread over `stops`, each with the fields a participant types
/// and one form id (a page's, valid for hours: one person's double submit is
/// recognised by its details, so distinct people may share it).
async fn form_maker(listen: &str, stops: &[uuid::Uuid]) -> anyhow::Result<load::FormFn> {
    let first = stops.first().ok_or_else(|| anyhow::anyhow!("no stop to register for"))?;
    let page = reqwest::get(format!("http://{listen}/{TENANT}/{first}")).await?.text().await?;
    let marker = "name=\"form\" value=\"";
    let at = page.find(marker).ok_or_else(|| anyhow::anyhow!("no form on the stop's page"))?;
    let token: String = page[at + marker.len()..].chars().take_while(|c| *c != '"').collect();
    let urls: Arc<Vec<String>> = Arc::new(stops.iter().map(|id| format!("http://{listen}/{TENANT}/{id}")).collect());
    Ok(Arc::new(move |n| {
        let url = urls[usize::try_from(n).unwrap_or(0) % urls.len()].clone();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("form", &token)
            .append_pair("fullName", &format!("Participant form {n}"))
            .append_pair("email", &format!("p{n}.form@bench.example"))
            .append_pair("locale", "fr")
            .append_pair("consentEmail", "on")
            .finish();
        (url, body.into_bytes())
    }))
}

/// Confirmed seats per stop, from the counter and from the rows: overbooked
/// stops and stops where they disagree, and the number of waitlisted rows.
async fn overbooking(db: &DatabaseConnection) -> anyhow::Result<(i64, i64, i64, i64)> {
    let sql = "SELECT \
        COUNT(*) FILTER (WHERE s.confirmed_count > s.capacity) AS overbooked, \
        COUNT(*) FILTER (WHERE s.confirmed_count <> (SELECT COUNT(*) FROM registration r \
            WHERE r.stop_id = s.id AND r.status = 'confirmed')) AS mismatched, \
        (SELECT COUNT(*) FROM registration WHERE status = 'confirmed') AS confirmed, \
        (SELECT COUNT(*) FROM registration WHERE status = 'waitlisted') AS waitlisted \
        FROM stop s";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no answer to the overbooking check"))?;
    Ok((
        row.try_get("", "overbooked")?,
        row.try_get("", "mismatched")?,
        row.try_get("", "confirmed")?,
        row.try_get("", "waitlisted")?,
    ))
}

/// pgbench's TPC-B-like transactions at `clients`, same duration: what this
/// PostgreSQL does with small read-write transactions and nothing in between.
async fn pgbench(url: &str, clients: usize, seconds: u64) -> anyhow::Result<f64> {
    let out = Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string(), "-j", &clients.min(2).to_string(), "-T", &seconds.to_string(), url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| anyhow::anyhow!("cannot run pgbench (Debian: apt-get install postgresql-client): {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench's output: {text}"))
}

pub async fn run(args: RegisterArgs) -> anyhow::Result<()> {
    println!("== register benchmark ==");
    println!("machine: {}", machine::describe());
    let (bench_db, db) = BenchDb::create("register").await?;
    println!("PostgreSQL {} (database {})", BenchDb::server_version(&db).await, bench_db.name);
    println!(
        "clients {:?}; {} s per run after 3 s warm-up; hot = 1 stop, spread = {} stops; capacity {} per stop",
        args.clients, args.seconds, args.stops, args.capacity
    );
    let hot_stops = args.clients.len();
    let (tenant, stops) = seed(&db, &args, hot_stops).await?;
    let statements = statements_per_registration(&db, tenant, stops[hot_stops]).await?;
    let encode = |id: &uuid::Uuid| escale_gateway::ids::encode("Stop", tenant, *id);

    let listen = format!("127.0.0.1:{}", free_port()?);
    let max_conn = args.clients.iter().max().copied().unwrap_or(8).to_string();
    let env = [
        ("DATABASE_URL", bench_db.url.as_str()),
        ("ESCALE_LISTEN", listen.as_str()),
        ("ESCALE_LOG", "warn"),
        ("DATABASE_MAX_CONNECTIONS", max_conn.as_str()),
        // Every client is one address: the limits are checked on every
        // registration, as in production, with quotas this load stays under.
        ("ESCALE_LIMIT_REGISTER_PER_ADDRESS", "100000000:100000000"),
        ("ESCALE_LIMIT_REGISTER_PER_STOP", "100000000:100000000"),
    ];
    let gateway = spawn(&["__gateway"], &env).await?;
    wait_healthy(&format!("http://{listen}/healthz")).await?;
    let url = format!("http://{listen}/graphql");

    let warm = Duration::from_secs(3);
    let dur = Duration::from_secs(args.seconds);
    let spread: Arc<Vec<String>> = Arc::new(stops[hot_stops..].iter().map(encode).collect());
    let mut rows: Vec<(String, usize, LoadResult, Cpu)> = Vec::new();
    let gw_pid = gateway.id().unwrap_or_default();
    // CPU per registration: the run's CPU over its registrations, warm-up
    // included at the measured rate.
    let per = |before: Cpu, r: &LoadResult| Cpu::read(gw_pid).per_request(before, r.rps() * (warm + dur).as_secs_f64());
    for (i, &clients) in args.clients.iter().enumerate() {
        let hot = Arc::new(vec![encode(&stops[i])]);
        let before = Cpu::read(gw_pid);
        let r = load::run_with(&url, body_maker(format!("hot{clients}"), hot), clients, warm, dur, registered).await?;
        let cpu = per(before, &r);
        rows.push(("hot stop".into(), clients, r, cpu));
        let before = Cpu::read(gw_pid);
        let r = load::run_with(
            &url,
            body_maker(format!("spread{clients}"), spread.clone()),
            clients,
            warm,
            dur,
            registered,
        )
        .await?;
        let cpu = per(before, &r);
        rows.push((format!("{} stops", args.stops), clients, r, cpu));
    }
    // The same spread registrations through the stop pages' form, at the
    // first client count: what a participant's browser posts.
    let form_clients = args.clients.first().copied().unwrap_or(8);
    let form = form_maker(&listen, &stops[hot_stops..]).await?;
    let before = Cpu::read(gw_pid);
    let r = load::run_form(form, form_clients, warm, dur).await?;
    let cpu = per(before, &r);
    rows.push((format!("{} stops, form", args.stops), form_clients, r, cpu));
    let peak = machine::peak_rss_mib(gateway.id().unwrap_or_default()).unwrap_or(0.0);
    drop(gateway);
    let (overbooked, mismatched, confirmed, waitlisted) = overbooking(&db).await?;

    // The ceiling, on the same server, in its own database.
    let (pgb, pgb_conn) = BenchDb::create("pgbench").await?;
    let init = Command::new("pgbench").args(["-i", "-q", "-s", "10", &pgb.url]).output().await?;
    anyhow::ensure!(init.status.success(), "pgbench -i failed: {}", String::from_utf8_lossy(&init.stderr));
    let mut ceilings = Vec::new();
    for &clients in &args.clients {
        ceilings.push((clients, pgbench(&pgb.url, clients, args.seconds).await?));
    }
    drop(pgb_conn);
    pgb.drop_database().await?;
    bench_db.drop_database().await?;

    println!(
        "{:<20} {:>7} {:>10} {:>8} {:>8} {:>8} {:>7} {:>12} {:>8} {:>7} {:>7} {:>7}",
        "shape",
        "clients",
        "reg/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "pgbench tps",
        "ratio",
        "gw ms",
        "pg ms",
        "cl ms"
    );
    for (shape, clients, r, cpu) in &rows {
        let tps = ceilings.iter().find(|(c, _)| c == clients).map_or(0.0, |(_, t)| *t);
        println!(
            "{:<20} {:>7} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>12.0} {:>7.1}% {:>7.2} {:>7.2} {:>7.2}",
            shape,
            clients,
            r.rps(),
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.errors,
            tps,
            100.0 * r.rps() / tps.max(1.0),
            cpu.gateway_ms,
            cpu.postgres_ms,
            cpu.client_ms
        );
    }
    println!("gw / pg / cl ms: CPU per registration in the gateway, in PostgreSQL, in the load generator");
    let by_shape = |shape: &str| rows.iter().find(|(s, c, _, _)| s == shape && *c == form_clients).map(|r| r.2.rps());
    if let (Some(form), Some(api)) =
        (by_shape(&format!("{} stops, form", args.stops)), by_shape(&format!("{} stops", args.stops)))
    {
        println!(
            "form vs GraphQL `register`, {form_clients} clients over {} stops: {form:.0} against {api:.0} reg/s ({:+.1} %)",
            args.stops,
            100.0 * (form - api) / api.max(1.0)
        );
    }
    println!(
        "overbooking check: {overbooked} stops over capacity, {mismatched} stops whose counter disagrees with its rows \
         ({confirmed} confirmed, {waitlisted} waitlisted in all)"
    );
    println!(
        "SQL statements per registration (a new person, email reminders, through the domain; \
         sea-orm's count, BEGIN/COMMIT included when it sees them): {statements}"
    );
    println!("gateway peak RSS: {peak:.1} MiB");
    anyhow::ensure!(overbooked == 0 && mismatched == 0, "OVERBOOKING DETECTED");
    Ok(())
}
