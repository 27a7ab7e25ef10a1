//! End-to-end tests: the real `escale` binary, started as the processes an
//! operator would run, against real PostgreSQL, Redis and an SMTP server on
//! loopback — and the same flow on the zero-configuration embedded default.
//!
//! (Compiled as an integration test of the `escale-cli` package, so that Cargo
//! builds the binary first and hands its path over in `CARGO_BIN_EXE_escale`.)

mod browser;
mod config_errors;
mod embedded;
mod members;
mod operations;
mod production;
mod resilience;
mod support;
mod workspace;
