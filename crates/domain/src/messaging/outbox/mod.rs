//! The outbox: every message Escale sends is a `notification` row, written in
//! the transaction of the change that causes it, and moved through its states
//! here. The queue only carries ids; the row is the truth.
//!
//! ```text
//! pending ──start_sending──▶ sending ──finish_sent──▶ sent ──receipt──▶ delivered
//!  │  ▲                        │
//!  │  └─────── sweep ──────────┤──finish_retry──▶ pending (later)
//!  │                           └──finish_failed─▶ failed
//!  └ claim_due: a lease (`queued_at`) while its job waits in the queue; it
//!    runs out by itself, or is cleared when the row goes back to pending
//! (suppressed / cancelled: decided at send time or by the change that made the message pointless)
//! (`queued`: left by workers from before leases; swept back to pending)
//! ```
//!
//! **At most one effective send per idempotency key:** the key is unique in the
//! table, so a message planned twice is one row; a row moves to `sending` through
//! one conditional UPDATE, so two jobs for one row produce one send.
//!
//! One file per phase: `plan`, `claim`, `send`, `finish`, `receipts`, and the
//! `gauges` read across tenants.

mod claim;
mod finish;
mod gauges;
mod plan;
mod receipts;
mod send;

pub use crate::entities::notification::Status;
pub use claim::*;
pub use finish::*;
pub use gauges::*;
pub use plan::*;
pub use receipts::*;
pub use send::*;
