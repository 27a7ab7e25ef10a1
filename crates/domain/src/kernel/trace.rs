//! What ties log lines together without carrying personal data: the request
//! id of the HTTP request being served (recorded on the notifications it
//! plans, so the worker's lines about a message name the request that caused
//! it), and a redactor for text that comes from outside (an SMTP server's
//! reply quotes the address it refused).

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` as part of the request `id` (the gateway does, around each
/// GraphQL execution).
pub async fn with_request_id<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The request being served by this task, if any (truncated to the column).
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| id.chars().take(64).collect()).ok().filter(|id: &String| !id.is_empty())
}

/// `text` with email addresses and phone-number-like digit runs masked, for
/// logs: `550 5.1.1 <amina@example.ma>: unknown` → `550 5.1.1 <***@example.ma>: unknown`.
/// Keeps the domain (which relay or provider refused is useful) and short
/// numbers (status codes, `5.1.1`).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        out.push_str(&redact_token(token));
        token.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ',' | ';' | '(' | ')' | '[' | ']') {
            flush(&mut token, &mut out);
            out.push(c);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

fn redact_token(token: &str) -> String {
    if let Some((local, domain)) = token.split_once('@')
        && !local.is_empty()
        && domain.contains('.')
    {
        return format!("***@{domain}");
    }
    let digits = token.chars().filter(char::is_ascii_digit).count();
    let phone_like = token.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | ':'));
    if digits >= 6 && phone_like && !token.contains('.') { "***".to_owned() } else { token.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_numbers_are_masked_codes_are_not() {
        assert_eq!(
            redact("550 5.1.1 <amina.benali@example.ma>: Recipient address rejected"),
            "550 5.1.1 <***@example.ma>: Recipient address rejected"
        );
        assert_eq!(redact("invalid number +212612345678 (21211)"), "invalid number *** (21211)");
        assert_eq!(redact("to 0612345678, retry"), "to ***, retry");
        assert_eq!(redact("421 4.7.0 try again later"), "421 4.7.0 try again later");
        assert_eq!(redact("HTTP 503 from api.orange.com"), "HTTP 503 from api.orange.com");
    }

    #[tokio::test]
    async fn the_request_id_is_seen_inside_its_scope_only() {
        assert_eq!(request_id(), None);
        let inside = with_request_id("req-1".to_owned(), async { request_id() }).await;
        assert_eq!(inside.as_deref(), Some("req-1"));
        assert_eq!(request_id(), None);
    }
}
