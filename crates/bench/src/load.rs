//! A closed-loop HTTP load generator: N connections, each sending the next
//! request when the previous answer arrived, for a fixed time.

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct LoadResult {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl LoadResult {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Makes the body of the n-th request (n counts across all connections).
pub type BodyFn = std::sync::Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// POSTs `body` to `url` from `connections` keep-alive connections for
/// `duration` (after a short warm-up), checking each answer with `check`.
pub async fn run(
    url: &str,
    body: &'static [u8],
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    run_with(url, std::sync::Arc::new(move |_| body.to_vec()), connections, warmup, duration, check).await
}

/// [`run`] with a different body for each request.
pub async fn run_with(
    url: &str,
    make_body: BodyFn,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    drive(Requests::Json(url.to_owned(), make_body), connections, warmup, duration, check).await
}

/// Makes the n-th form post: the page's address it posts to, and its
/// urlencoded fields.
pub type FormFn = std::sync::Arc<dyn Fn(u64) -> (String, Vec<u8>) + Send + Sync>;

/// Posts forms as a browser does (same-origin, urlencoded, redirects not
/// followed): an answer counts when it is the 303 to a participant's page
/// (`/m/…`), which is what a registration through the form answers.
pub async fn run_form(
    make: FormFn,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<LoadResult> {
    drive(Requests::Form(make), connections, warmup, duration, |_| true).await
}

/// GETs `url` as [`run`] POSTs (a page, as a browser asks for it).
pub async fn run_get(
    url: &str,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    run_get_with(url, Vec::new(), connections, warmup, duration, check).await
}

/// [`run_get`] with headers on every request (a session cookie).
pub async fn run_get_with(
    url: &str,
    headers: Vec<(String, String)>,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    drive(Requests::Get(url.to_owned(), headers), connections, warmup, duration, check).await
}

#[derive(Clone)]
enum Requests {
    Get(String, Vec<(String, String)>),
    Json(String, BodyFn),
    Form(FormFn),
}

async fn drive(
    requests: Requests,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    escale_worker::sms_http::install_crypto_provider();
    // A form's answer is a redirect: measured as such, not followed.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let start = Instant::now() + warmup;
    let end = start + duration;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let client = client.clone();
        let (requests, counter) = (requests.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            let mut errors = 0usize;
            loop {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let request = match &requests {
                    Requests::Json(url, make_body) => {
                        client.post(url).header("content-type", "application/json").body(make_body(n))
                    }
                    Requests::Get(url, headers) => {
                        headers.iter().fold(client.get(url).header("accept-language", "fr"), |r, (k, v)| r.header(k, v))
                    }
                    Requests::Form(make) => {
                        let (url, body) = make(n);
                        client
                            .post(url)
                            .header("content-type", "application/x-www-form-urlencoded")
                            .header("sec-fetch-site", "same-origin")
                            .header("accept-language", "fr")
                            .body(body)
                    }
                };
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let result = request.send().await;
                let ok = match result {
                    Ok(r) if matches!(requests, Requests::Form(_)) => {
                        let to_own_page = r.status() == reqwest::StatusCode::SEE_OTHER
                            && r.headers().get("location").is_some_and(|l| l.as_bytes().starts_with(b"/m/"));
                        // Read to the end: the connection is kept for the next post.
                        r.bytes().await.is_ok() && to_own_page
                    }
                    Ok(r) if r.status().is_success() => r.bytes().await.map(|b| check(&b)).unwrap_or(false),
                    _ => false,
                };
                let done = Instant::now();
                if sent >= start && done <= end {
                    if ok {
                        latencies.push(u64::try_from((done - sent).as_micros()).unwrap_or(u64::MAX));
                    } else {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    Ok(LoadResult {
        requests: all.len(),
        errors,
        seconds: duration.as_secs_f64(),
        p50_ms: percentile(&all, 50.0),
        p99_ms: percentile(&all, 99.0),
        max_ms: all.last().map_or(0.0, |m| *m as f64 / 1000.0),
    })
}
