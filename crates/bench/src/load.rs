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
    drive(url, Some(make_body), connections, warmup, duration, check).await
}

/// GETs `url` as [`run`] POSTs (a page, as a browser asks for it).
pub async fn run_get(
    url: &str,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    drive(url, None, connections, warmup, duration, check).await
}

async fn drive(
    url: &str,
    make_body: Option<BodyFn>,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    check: fn(&[u8]) -> bool,
) -> anyhow::Result<LoadResult> {
    escale_worker::sms_http::install_crypto_provider();
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build()?;
    let start = Instant::now() + warmup;
    let end = start + duration;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let client = client.clone();
        let url = url.to_owned();
        let (make_body, counter) = (make_body.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            let mut errors = 0usize;
            loop {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let request = match &make_body {
                    Some(make_body) => client.post(&url).header("content-type", "application/json").body(make_body(n)),
                    None => client.get(&url).header("accept-language", "fr"),
                };
                let sent = Instant::now();
                if sent >= end {
                    break;
                }
                let result = request.send().await;
                let ok = match result {
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
