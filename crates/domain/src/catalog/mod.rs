//! The catalog as its readers see it: the read models with their rules
//! (`views`: seats left, the registration window, what the public may see),
//! the agenda and the organizer's lists (`agenda`), and one row of a tenant
//! loaded by id (`find`).

mod agenda;
pub mod find;
mod texts;
mod views;

pub use agenda::*;
pub use texts::*;
pub use views::*;

pub use crate::values::Topic;
