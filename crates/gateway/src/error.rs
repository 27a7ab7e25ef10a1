//! The gateway's error policy, in one place.
//!
//! A client-facing error is an [`ApiError`]: a [`Code`] (the stable
//! `extensions.code`), a message, and the details its code carries. The same
//! value renders as a GraphQL error (resolvers) and as an HTTP response (the
//! export, SMS webhooks, QR codes, refusals before the executor runs), so a
//! domain error means the same thing on every route. [`Code::ALL`] is the
//! whole list; docs/ARCHITECTURE.md lists the same codes and a test keeps the
//! two in step.
//!
//! Anything unexpected is [`Code::Internal`]: the detail is logged under a
//! fresh reference and the client gets the reference only.

use async_graphql::ErrorExtensions;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use escale_domain::{DomainError, Lang, Text, text};

use crate::ids::IdError;

/// Every `extensions.code` a client can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// No valid token (missing, unknown, expired, revoked), or wrong credentials.
    Unauthenticated,
    /// Authenticated, but the role or the key's scopes do not allow the action.
    Forbidden,
    /// Too many attempts, or an API key past its rate (+ `retryAfter`, seconds).
    RateLimited,
    /// The input is malformed or breaks a rule (+ `field`).
    Validation,
    /// No such object *for this tenant* (also for other tenants' ids).
    NotFound,
    /// Valid, but not now (+ `reason`, e.g. `REGISTRATION_CLOSED`).
    Conflict,
    /// Not a GraphQL request, or a batch of the wrong size.
    BadRequest,
    /// The body exceeds the limit.
    PayloadTooLarge,
    /// The query's syntax is wrong.
    GraphqlParseFailed,
    /// The query does not fit the schema, or is too deep, too wide or too costly.
    GraphqlValidationFailed,
    /// A persisted-query hash this gateway has not seen (send the query with it once).
    PersistedQueryNotFound,
    /// A dependency (the database) cannot answer now; retry.
    Unavailable,
    /// Our fault (+ `reference`, which is in our logs with the detail).
    Internal,
}

impl Code {
    pub const ALL: [Code; 13] = [
        Code::Unauthenticated,
        Code::Forbidden,
        Code::RateLimited,
        Code::Validation,
        Code::NotFound,
        Code::Conflict,
        Code::BadRequest,
        Code::PayloadTooLarge,
        Code::GraphqlParseFailed,
        Code::GraphqlValidationFailed,
        Code::PersistedQueryNotFound,
        Code::Unavailable,
        Code::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::RateLimited => "RATE_LIMITED",
            Code::Validation => "VALIDATION",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::BadRequest => "BAD_REQUEST",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Code::Unavailable => "UNAVAILABLE",
            Code::Internal => "INTERNAL",
        }
    }

    /// The HTTP status of a response that is only this error. Errors about
    /// the GraphQL document itself answer 200, as GraphQL over HTTP expects
    /// (clients read `errors`); inside a GraphQL response every error is 200.
    pub fn status(self) -> StatusCode {
        match self {
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::Validation | Code::BadRequest => StatusCode::BAD_REQUEST,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::Conflict => StatusCode::CONFLICT,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::GraphqlParseFailed | Code::GraphqlValidationFailed | Code::PersistedQueryNotFound => StatusCode::OK,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What an error says: a catalogue text, said in the request's language
/// when it is rendered, or (for what only developers read: a malformed
/// request, a provider's webhook) plain English.
#[derive(Debug, Clone)]
enum Message {
    Plain(String),
    Text { field: Option<String>, text: Text },
}

impl Message {
    fn render(&self, lang: Lang) -> String {
        match self {
            Message::Plain(s) => s.clone(),
            Message::Text { field: Some(field), text } => format!("{field}: {}", text.render(lang)),
            Message::Text { field: None, text } => text.render(lang),
        }
    }
}

/// A client-facing error.
#[derive(Debug, Clone)]
pub struct ApiError {
    code: Code,
    /// Boxed: an error travels in every `Result` of the gateway.
    message: Box<Message>,
    /// `VALIDATION`: the input field, as the caller spelled it.
    field: Option<String>,
    /// `CONFLICT`: the machine-readable reason.
    reason: Option<&'static str>,
    /// `RATE_LIMITED`: seconds until a retry can succeed.
    retry_after: Option<u64>,
    /// `INTERNAL`: the log line's reference.
    reference: Option<uuid::Uuid>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: Box::new(Message::Plain(message.into())),
            field: None,
            reason: None,
            retry_after: None,
            reference: None,
        }
    }

    /// An error whose message is a catalogue text.
    pub fn said(code: Code, text: Text) -> Self {
        Self { message: Box::new(Message::Text { field: None, text }), ..Self::new(code, String::new()) }
    }

    /// Logs the detail under a fresh reference and returns an opaque error.
    pub fn internal(detail: &str) -> Self {
        let reference = uuid::Uuid::now_v7();
        tracing::error!(error.reference = %reference, error.detail = %escale_domain::trace::redact(detail), "internal error");
        Self {
            reference: Some(reference),
            ..Self::new(Code::Internal, format!("internal error (reference {reference})"))
        }
    }

    /// `retry_after_secs` is rounded up to at least one second.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let secs = retry_after_secs.max(1);
        Self { retry_after: Some(secs), ..Self::said(Code::RateLimited, text!("rate-limited", seconds = secs)) }
    }

    /// An API key past its rate.
    pub fn rate_limited_key(retry_after_secs: u64) -> Self {
        let secs = retry_after_secs.max(1);
        Self { retry_after: Some(secs), ..Self::said(Code::RateLimited, text!("key-rate-limited", seconds = secs)) }
    }

    pub fn code(&self) -> Code {
        self.code
    }

    /// The message in the current request's language.
    pub fn message(&self) -> String {
        self.message.render(crate::lang::current())
    }

    /// As a GraphQL error, with its code and details in `extensions`; the
    /// message in the current request's language.
    pub fn graphql(self) -> async_graphql::Error {
        let message = self.message();
        let ApiError { code, field, reason, retry_after, reference, .. } = self;
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", code.as_str());
            if let Some(field) = &field {
                e.set("field", field.as_str());
            }
            if let Some(reason) = reason {
                e.set("reason", reason);
            }
            if let Some(secs) = retry_after {
                e.set("retryAfter", secs);
            }
            if let Some(reference) = reference {
                e.set("reference", reference.to_string());
            }
        })
    }

    /// The body of an HTTP response made of this error alone: the shape of
    /// a GraphQL response with one error, so clients read every refusal alike.
    fn body(&self) -> serde_json::Value {
        let mut extensions = serde_json::json!({ "code": self.code.as_str() });
        if let Some(field) = &self.field {
            extensions["field"] = field.as_str().into();
        }
        if let Some(reason) = self.reason {
            extensions["reason"] = reason.into();
        }
        if let Some(secs) = self.retry_after {
            extensions["retryAfter"] = secs.into();
        }
        if let Some(reference) = self.reference {
            extensions["reference"] = reference.to_string().into();
        }
        serde_json::json!({ "errors": [{ "message": self.message(), "extensions": extensions }] })
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Validation { field, message } => Self {
                field: Some(field.clone()),
                message: Box::new(Message::Text { field: Some(field), text: message }),
                ..Self::new(Code::Validation, String::new())
            },
            DomainError::Unauthenticated(message) => Self::said(Code::Unauthenticated, message),
            DomainError::Forbidden(message) => Self::said(Code::Forbidden, message),
            DomainError::NotFound { entity } => {
                Self::said(Code::NotFound, escale_domain::error::not_found_text(entity))
            }
            DomainError::Conflict { code, message } => {
                Self { reason: Some(code.as_str()), ..Self::said(Code::Conflict, message) }
            }
            DomainError::Contention(detail) | DomainError::Internal(detail) => Self::internal(&detail),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.graphql()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = self.body().to_string();
        let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = header::HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// A domain error as a GraphQL error.
pub fn domain(err: DomainError) -> async_graphql::Error {
    ApiError::from(err).graphql()
}

/// Logs the detail under a fresh reference and returns an opaque GraphQL error.
pub fn internal(detail: &str) -> async_graphql::Error {
    ApiError::internal(detail).graphql()
}

/// An id argument that cannot be read: malformed ids are the caller's typo;
/// ids of the wrong type are reported as not found, like any unknown id.
pub fn bad_id(field: &str, entity: &'static str, err: &IdError) -> async_graphql::Error {
    domain(bad_id_error(field, entity, err))
}

pub(crate) fn bad_id_error(field: &str, entity: &'static str, err: &IdError) -> DomainError {
    match err {
        IdError::Malformed => DomainError::validation(field, text!("field-bad-id")),
        IdError::WrongKind => DomainError::not_found(entity),
    }
}

pub fn unauthenticated() -> async_graphql::Error {
    domain(DomainError::Unauthenticated(text!("log-in-first")))
}

pub fn rate_limited(retry_after_secs: u64) -> async_graphql::Error {
    ApiError::rate_limited(retry_after_secs).graphql()
}

/// The code of an error that reached a GraphQL response. Errors raised by
/// async-graphql itself (syntax, unknown fields, depth and complexity limits,
/// a persisted query not found) carry none; they are the document's fault.
pub(crate) fn classify(message: &str) -> Code {
    // The wording Apollo clients look for to resend the full query.
    if message == "PersistedQueryNotFound" {
        Code::PersistedQueryNotFound
    } else if message.contains("Parse error") || message.starts_with(" --> ") {
        Code::GraphqlParseFailed
    } else {
        Code::GraphqlValidationFailed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/ARCHITECTURE.md lists every code the gateway can emit, and only those.
    #[test]
    fn the_docs_list_every_code() {
        let doc = include_str!("../../../docs/ARCHITECTURE.md");
        let start = doc.find("<!-- error codes -->").expect("docs/ARCHITECTURE.md marks its list of error codes");
        let end = doc[start..].find("<!-- /error codes -->").expect("the list of error codes ends") + start;
        let listed: Vec<&str> =
            doc[start..end].lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split('`').next()).collect();
        let emitted: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, emitted, "docs/ARCHITECTURE.md's table of error codes, in Code::ALL's order");
    }

    #[test]
    fn a_conflict_is_409_with_its_reason() {
        let err = ApiError::from(DomainError::conflict(escale_domain::ConflictCode::InvalidState, text!("stop-over")));
        assert_eq!(err.code().status(), StatusCode::CONFLICT);
        let body = err.body();
        assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT");
        assert_eq!(body["errors"][0]["extensions"]["reason"], "INVALID_STATE");
    }
}
