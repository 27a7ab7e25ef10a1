//! Escale's worker: it moves the outbox.
//!
//! - The **dispatcher** claims due notifications in batches and pushes their ids
//!   to one queue per channel (so a slow SMS provider never holds up email);
//!   the **sweeper** returns rows stuck in `queued` or `sending` to `pending`.
//! - The **senders** take ids from the queues, let the domain decide whether the
//!   message may still go out, render it, hand it to a transport (SMTP or
//!   `.eml` files; an SMS provider or the local SMS outbox), and record the
//!   outcome on the row.
//!
//! Queues are apalis storages: Redis in production, an SQLite file in the
//! embedded default. They carry ids only; the `notification` row is the truth,
//! so losing the queue loses nothing.
//!
//! **Architecture invariant:** the worker serves no HTTP except its health and
//! metrics port, and it reaches tenant data only through the domain crate.

pub mod config;
pub mod dispatcher;
pub mod mail;
pub mod queue;
pub mod sender;
pub mod sms;
pub mod sms_http;

mod runtime;

pub use config::{MailConfig, QueueConfig, SmsConfig, WorkerConfig};
pub use runtime::{WakeHandle, run};

/// Sets the outbox gauges from the database: what is due and not yet sent per
/// channel, and how long the oldest has waited. Read at scrape time (by the
/// worker's admin port, or `escale serve`'s `/metrics`), so every worker
/// reports the same figures: aggregate them with `max`, not `sum`.
pub async fn refresh_outbox_gauges(db: &escale_domain::DatabaseConnection) {
    let now = chrono::Utc::now();
    match escale_domain::messaging::outbox::backlog(db, now).await {
        Ok(rows) => {
            let mut oldest_overall = 0.0_f64;
            for channel in
                [escale_domain::messaging::templates::Channel::Email, escale_domain::messaging::templates::Channel::Sms]
            {
                let (n, oldest) =
                    rows.iter().find(|(c, _, _)| *c == channel).map_or((0, None), |(_, n, oldest)| (*n, *oldest));
                let age = oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
                oldest_overall = oldest_overall.max(age);
                let label = channel.as_str();
                metrics::gauge!("escale_outbox_backlog", "channel" => label).set(n as f64);
                metrics::gauge!("escale_queue_lag_seconds", "channel" => label).set(age);
            }
            metrics::gauge!("escale_outbox_oldest_due_age_seconds").set(oldest_overall);
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the outbox backlog for metrics"),
    }
}
