//! The unsubscribe link of every email: a page on GET (mail scanners follow
//! links, so a GET must never unsubscribe anyone), the withdrawal on POST —
//! from the page's button or from a mail client's one-click button (RFC 8058
//! posts `List-Unsubscribe=One-Click` to the same address).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use escale_domain::DomainError;
use escale_domain::ids::TenantId;
use escale_domain::registration::participants::{self, ConsentKind};
use escale_domain::tenancy::TenantScope;
use serde::Deserialize;
use uuid::Uuid;

use crate::http::Shared;

#[derive(Debug, Deserialize)]
pub(crate) struct LinkParams {
    t: Option<String>,
    p: Option<String>,
    s: Option<String>,
}

struct Link {
    scope: TenantScope,
    participant: Uuid,
    signature: String,
}

impl LinkParams {
    fn parse(self) -> Option<Link> {
        let tenant = Uuid::parse_str(self.t?.trim()).ok()?;
        let participant = Uuid::parse_str(self.p?.trim()).ok()?;
        let signature = self.s?.trim().to_owned();
        (!signature.is_empty() && signature.len() <= 64).then(|| Link {
            scope: TenantScope::new(TenantId(tenant)),
            participant,
            signature,
        })
    }
}

/// A small page that says its few lines in each of the platform's languages
/// (fr, ar, en), since the link does not say which language the person reads.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:40px auto;padding:0 16px;\">{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

fn invalid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Lien invalide",
        "<p>Ce lien de désinscription n'est pas valide.</p>\
         <p lang=\"ar\" dir=\"rtl\">رابط إلغاء الاشتراك هذا غير صالح.</p>\
         <p lang=\"en\">This unsubscribe link is not valid.</p>",
    )
}

fn unavailable() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Réessayez",
        "<p>Le service est momentanément indisponible ; réessayez dans un instant.</p>\
         <p lang=\"ar\" dir=\"rtl\">الخدمة غير متاحة مؤقتًا؛ يرجى إعادة المحاولة بعد لحظات.</p>\
         <p lang=\"en\">The service is briefly unavailable; please try again in a moment.</p>",
    )
}

pub(crate) async fn show(State(shared): State<Shared>, Query(params): Query<LinkParams>) -> Response {
    let Some(link) = params.parse() else { return invalid() };
    match escale_domain::access::links::verify(
        &shared.state.db,
        link.scope,
        escale_domain::access::links::Purpose::Unsubscribe,
        link.participant,
        &link.signature,
        Utc::now(),
    )
    .await
    {
        Ok(true) => {}
        Ok(false) => return invalid(),
        Err(e) => {
            tracing::error!(error = %e, "cannot check an unsubscribe link");
            return unavailable();
        }
    }
    // The form posts back to this very address (query string included).
    page(
        StatusCode::OK,
        "Se désinscrire",
        "<form method=\"post\">\
         <p>Ne plus recevoir les rappels et messages d'information par e-mail ? Les confirmations d'inscription restent envoyées.</p>\
         <p lang=\"ar\" dir=\"rtl\">إيقاف التذكيرات والرسائل الإخبارية عبر البريد الإلكتروني؟ تبقى رسائل تأكيد التسجيل.</p>\
         <p lang=\"en\">Stop reminders and announcements by email? Registration confirmations still arrive.</p>\
         <button type=\"submit\" name=\"List-Unsubscribe\" value=\"One-Click\" style=\"font-size:16px;padding:8px 16px;\">\
         Me désinscrire · إلغاء الاشتراك · Unsubscribe</button></form>",
    )
}

pub(crate) async fn confirm(State(shared): State<Shared>, Query(params): Query<LinkParams>) -> Response {
    let Some(link) = params.parse() else { return invalid() };
    let outcome = participants::withdraw_consent_by_link(
        &shared.state.db,
        link.scope,
        link.participant,
        &link.signature,
        ConsentKind::EmailReminders,
        Utc::now(),
    )
    .await;
    match outcome {
        Ok(_) => {
            tracing::info!(tenant.id = %link.scope.id(), participant.id = %link.participant, "unsubscribed by link");
            page(
                StatusCode::OK,
                "Désinscription enregistrée",
                "<p>C'est fait : vous ne recevrez plus de rappels par e-mail.</p>\
                 <p lang=\"ar\" dir=\"rtl\">تم: لن تتلقوا بعد الآن تذكيرات عبر البريد الإلكتروني.</p>\
                 <p lang=\"en\">Done: you will no longer receive reminders by email.</p>",
            )
        }
        Err(DomainError::NotFound { .. }) => invalid(),
        Err(e) => {
            tracing::error!(error = %e, "cannot record an unsubscribe");
            unavailable()
        }
    }
}
