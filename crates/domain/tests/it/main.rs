//! Domain tests against real databases: every test runs on SQLite, and on
//! PostgreSQL when it is available (required in CI).

mod concurrency;
mod door;
mod layout;
mod notices;
mod outbox;
mod own_page;
mod registration;
mod reminders;
mod schema;
mod support;
mod waitlist;
