//! Benchmarks: each drives the real Escale processes against real services
//! and, in the same run, measures the ceiling it should be compared with
//! (a bare HTTP handler, pgbench, a raw SMTP client). They print their figures
//! with the machine and the parameters; docs/BENCHMARKS.md keeps the latest.
//!
//! Not part of the test suite: figures are measured, not asserted.

#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

pub mod agenda;
pub mod dashboard;
pub mod load;
pub mod machine;
pub mod notify;
pub mod page;
pub mod pg;
pub mod register;
