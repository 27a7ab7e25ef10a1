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
