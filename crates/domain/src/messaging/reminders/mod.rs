//! Reminders: when each confirmed participant hears about their stop, and about
//! each workshop they hold a seat in, again.
//!
//! A policy (per edition, overridable per stop; [`Policy::default`] otherwise)
//! lists offsets before the stop starts or before each of the participant's
//! sessions starts ([`Anchor`]), the channels of each, and quiet hours in the
//! stop's local time during which no SMS goes out. Planning is pure
//! ([`instants_for`]) and is written to the outbox ([`replan`]) in the transaction
//! of whatever it depends on: a registration confirmed or promoted, a workshop
//! seat confirmed, a stop or session rescheduled, a policy changed. Cancellation
//! needs no re-plan: it cancels the registration's pending messages.
//!
//! **Rules.** A reminder is never planned after the start (of the stop or the
//! session), never before the registration or the seat was made (pretix
//! reminded people "1 day before" who registered the evening before), never in
//! the past when re-planned, and never against a withdrawn consent or an opt-out
//! (both checked again at send time).
//!
//! **Exactly once.** The idempotency key says what the reminder is, not when it
//! falls: `reminder:<registration>:<minutes>:<channel>` for the stop,
//! `session_reminder:<registration>:<session>:<minutes>:<channel>` for a
//! workshop. Re-planning moves the one row (pending, queued or previously
//! skipped) to its new instant; a row already sent or being sent is left alone,
//! so a reschedule never sends an offset twice.

mod policy;
mod replan;

pub use policy::*;
pub use replan::*;
