//! The language a request is answered in: its `Accept-Language`, or the
//! locale a mutation's input names (a participant registering in Arabic reads
//! her errors in Arabic). English when neither says: the API's own language,
//! which integrators read in their logs.
//!
//! It travels with the request's task, so every error rendered while the
//! request runs — a resolver's, a DataLoader batch's — speaks it.

use std::cell::Cell;
use std::future::Future;

use axum::http::{HeaderMap, header};
use escale_domain::Lang;

tokio::task_local! {
    static LANG: Cell<Lang>;
}

/// The language a request's headers ask for.
pub fn of_headers(headers: &HeaderMap) -> Lang {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::negotiate).unwrap_or(Lang::En)
}

/// Runs `fut` answering in `lang`.
pub async fn scope<F: Future>(lang: Lang, fut: F) -> F::Output {
    LANG.scope(Cell::new(lang), fut).await
}

/// The current request's language (English outside a request).
pub fn current() -> Lang {
    LANG.try_with(Cell::get).unwrap_or(Lang::En)
}

/// From here on the request answers in `lang` (an input's `locale`).
pub fn prefer(lang: Lang) {
    let _ = LANG.try_with(|l| l.set(lang));
}
