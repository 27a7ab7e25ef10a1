//! What every page shares: the reader's language, the words of the
//! catalogue, the layout's frame, the security headers, and the pages that
//! say something went wrong (404, 429, 503) in the reader's language.

use askama::Template;
use axum::extract::OriginalUri;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use escale_domain::tenancy::Tenant;
use escale_domain::{DomainError, Lang};
use escale_i18n::{Arg, message};

/// The words of one language, for templates: `t.s("id")`, `t.n("id", 3)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tr(pub(crate) Lang);

impl Tr {
    pub(crate) fn s(&self, id: &str) -> String {
        message(self.0, id, &[])
    }

    /// A message with one number (`$count`): CLDR plurals.
    pub(crate) fn n(&self, id: &str, count: i64) -> String {
        message(self.0, id, &[("count", Arg::from(count))])
    }

    /// A message with named arguments.
    pub(crate) fn a(&self, id: &str, args: &[(&str, Arg)]) -> String {
        message(self.0, id, args)
    }
}

/// The reader's language: the page's `?lang=` (the switcher), else what the
/// page knows of its reader (a participant's own language), else the
/// browser's, else French (the participants' common language).
pub(crate) fn choose_lang(query: Option<&str>, known: Option<Lang>, headers: &HeaderMap) -> Lang {
    query
        .and_then(Lang::parse)
        .or(known)
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::negotiate))
        .unwrap_or(Lang::Fr)
}

/// `?lang=` of a query string.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct LangQuery {
    pub(crate) lang: Option<String>,
}

/// One entry of the language switcher.
#[derive(Debug, Clone)]
pub(crate) struct LangLink {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

/// The layout's frame around a page's content.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    pub(crate) lang: Lang,
    pub(crate) t: Tr,
    pub(crate) title: String,
    /// The organizer's name in the header ("Escale" outside a tenant).
    pub(crate) site: String,
    pub(crate) home: String,
    pub(crate) langs: Vec<LangLink>,
    /// The organizer's logo (a data: URL), when it has one.
    pub(crate) logo: Option<String>,
    /// The organizer's stylesheet (its accent colour), when it has one.
    pub(crate) theme: Option<String>,
}

impl Chrome {
    /// The frame of a page at `path` (the switcher links back to it), in
    /// the organizer's colours when it is one organizer's page.
    pub(crate) fn new(lang: Lang, title: String, tenant: Option<&Tenant>, path: &str) -> Self {
        let (site, home) = match tenant {
            Some(t) => (t.name.clone(), format!("/{}?lang={}", t.slug, lang.as_str())),
            None => ("Escale".to_owned(), "/".to_owned()),
        };
        let logo = tenant.and_then(|t| t.logo.clone());
        // The colour in the URL: a change shows at once, whatever was cached.
        let theme = tenant.and_then(|t| {
            t.accent_color.as_deref().map(|c| format!("/assets/theme/{}.css?v={}", t.slug, c.trim_start_matches('#')))
        });
        let langs = Lang::ALL
            .iter()
            .map(|&l| LangLink {
                code: l.as_str(),
                label: match l {
                    Lang::Fr => "Français",
                    Lang::Ar => "العربية",
                    Lang::En => "English",
                },
                href: format!("{path}?lang={}", l.as_str()),
                current: l == lang,
            })
            .collect();
        Chrome { lang, t: Tr(lang), title, site, home, langs, logo, theme }
    }

    pub(crate) fn code(&self) -> &'static str {
        self.lang.as_str()
    }

    pub(crate) fn dir(&self) -> &'static str {
        if self.lang.is_rtl() { "rtl" } else { "ltr" }
    }
}

/// How a page may be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A public page without a form: any cache may keep it a minute.
    Public,
    /// A page with a form (its one-time form id) or about one person: kept
    /// by nobody.
    Private,
    /// A page behind a bearer link: kept by nobody, never sent as a referrer,
    /// never indexed.
    Link,
}

/// Renders a template into a response with the pages' headers.
pub(crate) fn render(status: StatusCode, kind: Kind, template: &impl Template) -> Response {
    render_framed(status, kind, template, &[])
}

/// [`render`] for a page the organizer's own sites (`frame_by`) may show in
/// an iframe.
pub(crate) fn render_framed(status: StatusCode, kind: Kind, template: &impl Template, frame_by: &[String]) -> Response {
    match template.render() {
        Ok(html) => with_headers(status, kind, html, frame_by),
        Err(e) => {
            tracing::error!(error = %e, "a page template failed to render");
            with_headers(
                StatusCode::INTERNAL_SERVER_ERROR,
                Kind::Private,
                "<!DOCTYPE html><title>Escale</title><p>Error / خطأ / Erreur</p>".to_owned(),
                &[],
            )
        }
    }
}

/// A page already rendered, with the pages' headers.
pub(crate) fn html(status: StatusCode, kind: Kind, html: String, frame_by: &[String]) -> Response {
    with_headers(status, kind, html, frame_by)
}

fn with_headers(status: StatusCode, kind: Kind, html: String, frame_by: &[String]) -> Response {
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(match kind {
            Kind::Public => "public, max-age=60",
            Kind::Private | Kind::Link => "no-store",
        }),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(if kind == Kind::Link { "no-referrer" } else { "same-origin" }),
    );
    if kind == Kind::Link {
        h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Nothing from another origin, ever: styles, scripts and images are the
    // platform's own, forms post only to it (and scripts fetch only from it:
    // the door's counts, list and scans; the door's manifest and worker), and
    // only the organizer's own sites (validated origins, see `manage::look`)
    // may frame it.
    let ancestors = if frame_by.is_empty() { "'none'".to_owned() } else { format!("'self' {}", frame_by.join(" ")) };
    let csp = format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; \
         form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// A page that only says something: a title and a paragraph.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) c: Chrome,
    pub(crate) heading: String,
    pub(crate) text: String,
    /// Where to go from here, if anywhere: (label, href).
    pub(crate) link: Option<(String, String)>,
}

pub(crate) fn message_page(status: StatusCode, kind: Kind, lang: Lang, heading: String, text: String) -> Response {
    let c = Chrome::new(lang, heading.clone(), None, "/");
    render(status, kind, &MessagePage { c, heading, text, link: None })
}

/// A message on one organizer's pages: its header, and framable by its sites
/// like the form that led there.
pub(crate) fn organizer_message(
    status: StatusCode,
    tenant: &Tenant,
    lang: Lang,
    heading: String,
    text: String,
    path: &str,
) -> Response {
    let c = Chrome::new(lang, heading.clone(), Some(tenant), path);
    render_framed(status, Kind::Private, &MessagePage { c, heading, text, link: None }, &tenant.embed_origins)
}

/// The styled 404 of every unknown path, in the reader's language.
pub(crate) fn not_found(lang: Lang) -> Response {
    let t = Tr(lang);
    message_page(StatusCode::NOT_FOUND, Kind::Private, lang, t.s("page-not-found-title"), t.s("page-not-found"))
}

/// The one answer to a wrong link (forged, truncated, unknown, expired).
pub(crate) fn invalid_link(lang: Lang) -> Response {
    let t = Tr(lang);
    message_page(StatusCode::NOT_FOUND, Kind::Link, lang, t.s("page-invalid-link-title"), t.s("page-invalid-link"))
}

/// The database is away: a plain "try again", the cause in the logs.
pub(crate) fn unavailable(lang: Lang, e: &DomainError) -> Response {
    tracing::error!(error = %e, "a page could not be served");
    let t = Tr(lang);
    let text = t.s("page-unavailable");
    message_page(StatusCode::SERVICE_UNAVAILABLE, Kind::Private, lang, text.clone(), String::new())
}

/// 429 with Retry-After, in the reader's language.
pub(crate) fn too_many(lang: Lang, wait: std::time::Duration) -> Response {
    let secs = escale_gateway::limits::retry_after_secs(wait);
    let text = escale_domain::text!("rate-limited", seconds = secs).render(lang);
    let mut response =
        message_page(StatusCode::TOO_MANY_REQUESTS, Kind::Private, lang, Tr(lang).s("page-slow-down"), text);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

/// What no route matches: the styled 404 of the reader's language.
pub(crate) async fn fallback(uri: OriginalUri, headers: HeaderMap) -> Response {
    let lang = uri.query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang="))).and_then(Lang::parse);
    not_found(choose_lang(None, lang, &headers))
}

/// Spends one of the address's public quota (every lookup by a token or a
/// form): `Some(429 page)` when it is used up.
pub(crate) async fn over_public_limit(
    web: &crate::Web,
    headers: &HeaderMap,
    peer: std::net::SocketAddr,
    lang: Lang,
) -> Option<Response> {
    let ip = crate::client_ip(web, headers, peer);
    let wait = web.state.limits.check(escale_gateway::limits::Bucket::PublicPerAddress, &ip.to_string()).await.err()?;
    Some(too_many(lang, wait))
}
