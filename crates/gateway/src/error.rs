//! The gateway's error policy, in one place.
//!
//! Every error a client sees carries `extensions.code`:
//! - `UNAUTHENTICATED`: no valid token (missing, unknown, expired, revoked), or
//!   wrong credentials;
//! - `FORBIDDEN`: authenticated, but the role does not allow the action;
//! - `RATE_LIMITED` (+ `retryAfter`, seconds): too many attempts, or an API
//!   key past its rate (then HTTP 429 with `Retry-After`);
//! - `VALIDATION` (+ `field`): the input is malformed or breaks a rule;
//! - `NOT_FOUND`: no such object *for this tenant* (also for other tenants' ids);
//! - `CONFLICT` (+ `reason`, e.g. `REGISTRATION_CLOSED`): valid, but not now;
//! - `BAD_REQUEST`: not a GraphQL request, or a batch too large;
//! - `PAYLOAD_TOO_LARGE`: the body exceeds the limit;
//! - `GRAPHQL_PARSE_FAILED` / `GRAPHQL_VALIDATION_FAILED`: the query itself is wrong
//!   (syntax, unknown field, too deep, too complex);
//! - `PERSISTED_QUERY_NOT_FOUND`: a persisted-query hash this gateway has not
//!   seen (send the query with it once);
//! - `INTERNAL`: our fault. The detail is logged with a reference; the client
//!   gets the reference only.

use async_graphql::{Error, ErrorExtensions};
use escale_domain::DomainError;

use crate::ids::IdError;

pub fn domain(err: DomainError) -> Error {
    match err {
        DomainError::Validation { field, message } => Error::new(format!("{field}: {message}")).extend_with(|_, e| {
            e.set("code", "VALIDATION");
            e.set("field", field);
        }),
        DomainError::Unauthenticated(message) => {
            Error::new(message).extend_with(|_, e| e.set("code", "UNAUTHENTICATED"))
        }
        DomainError::Forbidden(message) => Error::new(message).extend_with(|_, e| e.set("code", "FORBIDDEN")),
        DomainError::NotFound { entity } => {
            Error::new(format!("{entity} not found")).extend_with(|_, e| e.set("code", "NOT_FOUND"))
        }
        DomainError::Conflict { code, message } => Error::new(message).extend_with(|_, e| {
            e.set("code", "CONFLICT");
            e.set("reason", code.as_str());
        }),
        DomainError::Contention(detail) | DomainError::Internal(detail) => internal(&detail),
    }
}

/// Logs the detail under a fresh reference and returns an opaque error.
pub fn internal(detail: &str) -> Error {
    let reference = uuid::Uuid::now_v7();
    tracing::error!(error.reference = %reference, error.detail = %escale_domain::trace::redact(detail), "internal error");
    Error::new(format!("internal error (reference {reference})")).extend_with(|_, e| {
        e.set("code", "INTERNAL");
        e.set("reference", reference.to_string());
    })
}

/// An id argument that cannot be read: malformed ids are the caller's typo;
/// ids of the wrong type are reported as not found, like any unknown id.
pub fn bad_id(field: &str, entity: &'static str, err: &IdError) -> Error {
    match err {
        IdError::Malformed => domain(DomainError::validation(field, "is not a valid id")),
        IdError::WrongKind => domain(DomainError::not_found(entity)),
    }
}

pub fn unauthenticated() -> Error {
    domain(DomainError::Unauthenticated("log in first: send Authorization: Bearer <token>".to_owned()))
}

pub fn rate_limited(retry_after_secs: u64) -> Error {
    Error::new(format!("too many attempts; try again in {retry_after_secs} s")).extend_with(|_, e| {
        e.set("code", "RATE_LIMITED");
        e.set("retryAfter", retry_after_secs);
    })
}
