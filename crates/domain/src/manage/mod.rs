//! Organizers building their catalog: series, editions, stops, sessions,
//! speakers, partners and partnerships; publishing, rescheduling, and cloning
//! an edition into the next one.
//!
//! Every function checks the actor's role for its [`Action`] first, validates
//! in the domain (errors name the input field), writes in one transaction, and
//! records an audit row in that same transaction.
//!
//! One file per thing managed; `input` checks what organizers type, and
//! `crate::catalog::find` loads rows within the tenant.

/// Applies the given fields of a patch to an active model and names each in
/// `changed` (the audit row's `fields`): `patch!(row, changed; value => column
/// as "label", …)`, where each value is an `Option` (None: not in the patch).
macro_rules! patch {
    ($row:ident, $changed:ident; $($value:expr => $col:ident as $label:literal),* $(,)?) => {
        $(if let Some(v) = $value {
            $row.$col = Set(v);
            $changed.push($label);
        })*
    };
}

mod clone;
mod editions;
mod input;
pub mod look;
mod partners;
mod series;
mod sessions;
mod speakers;
mod stops;

pub use crate::catalog::Translation;
pub use clone::*;
pub use editions::*;
pub use input::TimeInput;
pub use partners::*;
pub use series::*;
pub use sessions::*;
pub use speakers::*;
pub use stops::*;
