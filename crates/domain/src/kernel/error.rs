//! The domain's error type.
//!
//! Policy: user mistakes are typed variants that carry what the user needs to fix
//! them (which field, which rule); everything unexpected is `Internal`, whose
//! detail is for logs only. Adapters map variants to their own codes in one place
//! (the gateway: GraphQL `extensions.code`; the worker: retry or not).

use std::ops::Deref;

use escale_i18n::{Text, text};
use sea_orm::{DbErr, RuntimeErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// An input field is malformed or breaks a rule; `field` is the input's name as
    /// the caller spelled it (camelCase for GraphQL inputs).
    #[error("{field}: {message}")]
    Validation { field: String, message: Text },

    /// No valid credentials: missing, unknown, expired or revoked token or key,
    /// or a wrong password. The message never says which.
    #[error("{0}")]
    Unauthenticated(Text),

    /// Authenticated, but the role does not allow the action.
    #[error("{0}")]
    Forbidden(Text),

    /// The object does not exist *for this tenant*. Another tenant's object is
    /// reported exactly like a missing one, so existence never leaks.
    #[error("{}", not_found_text(entity))]
    NotFound { entity: &'static str },

    /// The request is well-formed but conflicts with the current state
    /// (registration closed, capacity below seats taken…).
    #[error("{message}")]
    Conflict { code: ConflictCode, message: Text },

    /// Lost a race with another transaction (serialization failure, deadlock,
    /// busy SQLite, a concurrent insert of the same unique row): running the whole
    /// transaction again is the fix. `db::write` does so a few times.
    #[error("contention: {0}")]
    Contention(String),

    /// A database or invariant failure that the caller cannot fix.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Machine-readable reasons for a [`DomainError::Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictCode {
    RegistrationClosed,
    CapacityFull,
    AlreadyExists,
    InvalidState,
    /// A ticket scanned at the door of another stop than its own.
    WrongStop,
    /// A ticket scanned at its stop's door outside the stop's day.
    WrongDay,
}

impl ConflictCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictCode::RegistrationClosed => "REGISTRATION_CLOSED",
            ConflictCode::CapacityFull => "CAPACITY_FULL",
            ConflictCode::AlreadyExists => "ALREADY_EXISTS",
            ConflictCode::InvalidState => "INVALID_STATE",
            ConflictCode::WrongStop => "WRONG_STOP",
            ConflictCode::WrongDay => "WRONG_DAY",
        }
    }
}

/// What a person reads when something is not there: `entity` is one of the
/// catalogue's `not-found` cases (`stop`, `api-key`…).
pub fn not_found_text(entity: &str) -> Text {
    text!("not-found", entity = entity)
}

impl DomainError {
    /// `message` is a catalogue text (see `escale_i18n`): every user-facing
    /// error can be said in the reader's language.
    pub fn validation(field: impl Into<String>, message: Text) -> Self {
        Self::Validation { field: field.into(), message }
    }

    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    pub fn conflict(code: ConflictCode, message: Text) -> Self {
        Self::Conflict { code, message }
    }

    /// The message, in a language, without the field's name.
    pub fn text(&self) -> Option<Text> {
        match self {
            Self::Validation { message, .. } | Self::Conflict { message, .. } => Some(message.clone()),
            Self::Unauthenticated(t) | Self::Forbidden(t) => Some(t.clone()),
            Self::NotFound { entity } => Some(not_found_text(entity)),
            Self::Contention(_) | Self::Internal(_) => None,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }
}

impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        if is_contention(&err) {
            DomainError::Contention(err.to_string())
        } else {
            DomainError::Internal(err.to_string())
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

/// Attaches a field name to a value parse error.
pub trait FieldExt<T> {
    fn field(self, name: &str) -> DomainResult<T>;
}

impl<T> FieldExt<T> for Result<T, crate::values::ValueError> {
    fn field(self, name: &str) -> DomainResult<T> {
        self.map_err(|e| DomainError::validation(name, e.0))
    }
}

/// The SQLSTATE (PostgreSQL) or extended result code (SQLite) of a database error.
pub fn db_code(err: &DbErr) -> Option<String> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => match e.deref() {
            sea_orm::sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// Errors where running the same transaction again can succeed.
pub fn is_contention(err: &DbErr) -> bool {
    matches!(
        db_code(err).as_deref(),
        // PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
        Some("40001" | "40P01" | "55P03")
        // SQLite: BUSY (+ RECOVERY, SNAPSHOT, TIMEOUT) and LOCKED (+ SHAREDCACHE).
        | Some("5" | "261" | "517" | "773" | "6" | "262")
    )
}

pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
