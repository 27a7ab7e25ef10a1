//! Registering for a stop and what follows for the registration: the register
//! flow itself, seats and waiting lists, cancellation and check-in, and the
//! participant's consents, questions and history.

pub mod dashboard;
pub mod door;
pub mod participants;
mod register;
pub(crate) mod seating;
pub mod tickets;
mod views;
pub mod workshops;

pub use register::*;
pub use views::*;
