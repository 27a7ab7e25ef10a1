//! The pages behind the links in messages, until the participant pages come:
//! `/m/<token>`, a participant's own registration with its live status, and
//! `/s/<token>`, a session's questions for its speakers. Each is a bearer
//! link (96-bit tag), so the answers are never cached nor sent as a referrer,
//! and a wrong token — malformed, forged, unknown — gets the same 404.

use axum::extract::rejection::PathRejection;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use escale_domain::messaging::templates::escape_html as esc;
use escale_domain::registration::RegistrationStatus;
use escale_domain::{DomainError, Lang};
use escale_i18n::{Arg, message};

use crate::http::Shared;

/// A page in one language, laid out for a phone, right to left in Arabic.
fn page(status: StatusCode, lang: Lang, title: &str, body: &str) -> Response {
    let dir = if lang.is_rtl() { "rtl" } else { "ltr" };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:'Noto Sans','Noto Naskh Arabic',Arial,sans-serif;max-width:560px;margin:0 auto;\
         padding:24px 16px;color:#1a1a1a;line-height:1.5}}h1{{font-size:1.4em;margin:0 0 12px}}\
         .status{{padding:12px;border-radius:8px;background:#eef5ee;font-weight:bold}}\
         .status.wait{{background:#fff6e0}}.status.off{{background:#f3f3f3;color:#555}}\
         dt{{color:#555;margin-top:12px}}dd{{margin:0}}code{{font-size:1.5em;letter-spacing:2px}}\
         img{{display:block;margin:12px 0;width:200px;height:200px}}li{{margin:8px 0}}</style></head>\
         <body>{body}</body></html>",
        lang = lang.as_str(),
        title = esc(title),
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"),
    );
    response
}

fn t(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    message(lang, id, args)
}

/// The reader's language when the link does not say: their browser's, else
/// French (the participants' common language).
fn browser_lang(headers: &HeaderMap) -> Lang {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::negotiate).unwrap_or(Lang::Fr)
}

fn not_found(lang: Lang) -> Response {
    page(
        StatusCode::NOT_FOUND,
        lang,
        &t(lang, "page-invalid-link-title", &[]),
        &format!(
            "<h1>{}</h1><p>{}</p>",
            esc(&t(lang, "page-invalid-link-title", &[])),
            esc(&t(lang, "page-invalid-link", &[]))
        ),
    )
}

fn unavailable(lang: Lang, e: &DomainError) -> Response {
    tracing::error!(error = %e, "cannot open a link page");
    let text = t(lang, "page-unavailable", &[]);
    page(StatusCode::SERVICE_UNAVAILABLE, lang, &text, &format!("<p>{}</p>", esc(&text)))
}

/// Every lookup by a link token counts against the client address's
/// public quota, as cancelling by ticket code does: guessing tokens is as
/// slow as that, and no stranger can keep the database busy with them.
async fn over_limit(shared: &Shared, headers: &HeaderMap, peer: SocketAddr) -> Option<Response> {
    let ip = crate::http::client_ip(headers, peer, shared.state.trust_proxy);
    let wait = shared.state.limits.check(crate::limits::Bucket::PublicPerAddress, &ip.to_string()).await.err()?;
    let lang = browser_lang(headers);
    let secs = crate::limits::retry_after_secs(wait);
    let text = escale_domain::text!("rate-limited", seconds = secs).render(lang);
    let mut response = page(StatusCode::TOO_MANY_REQUESTS, lang, &text, &format!("<p>{}</p>", esc(&text)));
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    Some(response)
}

pub(crate) async fn manage(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    if let Some(refused) = over_limit(&shared, &headers, peer).await {
        return refused;
    }
    // A path that is not even text (`%FF`) is just another wrong link.
    let Ok(Path(token)) = token else { return not_found(browser_lang(&headers)) };
    let fallback = browser_lang(&headers);
    let own = match escale_domain::registration::tickets::open_manage_link(&shared.state.db, &token, Utc::now()).await {
        Ok(own) => own,
        Err(DomainError::NotFound { .. }) => return not_found(fallback),
        Err(e) => return unavailable(fallback, &e),
    };
    // The participant's own language: the link is theirs.
    let lang = Lang::parse(own.locale.as_str()).unwrap_or(fallback);
    let reg = &own.registration;
    let zone = own.stop.time_zone;
    let (class, status) = match reg.status {
        RegistrationStatus::Confirmed => ("", t(lang, "manage-confirmed", &[])),
        RegistrationStatus::Waitlisted => {
            (" wait", t(lang, "manage-waitlisted", &[("position", Arg::from(reg.waitlist_position.unwrap_or(1)))]))
        }
        RegistrationStatus::Cancelled => {
            let date = reg.cancelled_at.map(|at| zone.local(at).format("%Y-%m-%d").to_string()).unwrap_or_default();
            (" off", t(lang, "manage-cancelled", &[("date", Arg::from(date))]))
        }
    };
    let mut body = format!(
        "<h1>{title}</h1><p>{hello}</p><p class=\"status{class}\">{status}</p>",
        title = esc(&t(lang, "manage-title", &[])),
        hello = esc(&t(lang, "manage-hello", &[("name", Arg::from(own.participant_name.as_str()))])),
        status = esc(&status),
    );
    if let Some(at) = reg.checked_in_at {
        let time = zone.local(at).format("%H:%M").to_string();
        body.push_str(&format!("<p>{}</p>", esc(&t(lang, "manage-checked-in", &[("time", Arg::from(time))]))));
    }
    let when = format!(
        "{} – {}",
        own.stop.local_starts_at().format("%Y-%m-%d %H:%M"),
        own.stop.local_ends_at().format("%H:%M")
    );
    // The city only when the address does not name it already.
    let city = Some(own.stop.city.as_str()).filter(|c| !own.stop.address.as_deref().unwrap_or("").contains(c));
    let place: Vec<&str> = [Some(own.stop.venue.as_str()), own.stop.address.as_deref(), city]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    body.push_str(&format!(
        // Names are French whatever the page's language: one isolate per line,
        // as isolates side by side with neutral separators between them are
        // laid out right to left in Arabic.
        "<p><strong><bdi>{stop}</bdi></strong><br><bdi>{series_name} — {edition}</bdi></p>\
         <dl><dt>{when_label}</dt><dd><bdi dir=\"ltr\">{when}</bdi></dd><dt>{where_label}</dt><dd><bdi>{place}</bdi></dd>",
        stop = esc(&own.stop.name),
        series_name = esc(&own.series.name),
        edition = esc(&own.edition.title),
        when_label = esc(&t(lang, "manage-when", &[])),
        when = esc(&when),
        where_label = esc(&t(lang, "manage-where", &[])),
        place = esc(&place.join(", ")),
    ));
    if reg.status != RegistrationStatus::Cancelled {
        let code = reg.display_code();
        body.push_str(&format!(
            "<dt>{label}</dt><dd><code dir=\"ltr\">{code}</code>\
             <img src=\"/tickets/{raw}/qr.svg\" alt=\"QR {code}\"><small>{note}</small></dd>",
            label = esc(&t(lang, "manage-ticket", &[])),
            code = esc(&code),
            raw = esc(&reg.ticket_code),
            note = esc(&t(lang, "manage-ticket-note", &[])),
        ));
    }
    body.push_str("</dl>");
    page(StatusCode::OK, lang, &t(lang, "manage-title", &[]), &body)
}

pub(crate) async fn speaker(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    if let Some(refused) = over_limit(&shared, &headers, peer).await {
        return refused;
    }
    // A path that is not even text (`%FF`) is just another wrong link.
    let Ok(Path(token)) = token else { return not_found(browser_lang(&headers)) };
    let lang = browser_lang(&headers);
    let (session, questions) = match escale_domain::registration::participants::questions_by_speaker_link(
        &shared.state.db,
        &token,
        Utc::now(),
    )
    .await
    {
        Ok(found) => found,
        Err(DomainError::NotFound { .. }) => return not_found(lang),
        Err(e) => return unavailable(lang, &e),
    };
    let title = t(lang, "speaker-title", &[("session", Arg::from(session.title.as_str()))]);
    let count = i64::try_from(questions.len()).unwrap_or(i64::MAX);
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><ol>",
        esc(&title),
        esc(&t(lang, "speaker-count", &[("count", Arg::from(count))]))
    );
    for q in &questions {
        body.push_str(&format!("<li dir=\"auto\">{}</li>", esc(&q.body)));
    }
    body.push_str("</ol>");
    page(StatusCode::OK, lang, &title, &body)
}
