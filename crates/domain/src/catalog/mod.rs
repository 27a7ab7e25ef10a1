//! The catalog as its readers see it: the agenda and the registration
//! window's rules (`agenda`), and one row of a tenant loaded by id (`find`).

mod agenda;
pub mod find;

pub use agenda::*;
