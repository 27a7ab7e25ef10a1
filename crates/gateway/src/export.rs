//! `GET /export/stops/{id}/registrations.csv`: a stop's registrations for the
//! organizer's team, streamed page by page (memory stays flat for any stop),
//! UTF-8 with a byte order mark so that spreadsheet programs open Arabic and
//! French names correctly, times in the stop's zone.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use escale_domain::DomainError;
use escale_domain::access::authz::Actor;
use escale_domain::registration::participants::{self, ExportRow};
use escale_domain::tenancy::TenantScope;
use escale_domain::values::TimeZone;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, Code};

const PAGE: u64 = 500;
const BOM: &[u8] = b"\xEF\xBB\xBF";

const HEADER: [&str; 19] = [
    "ticket_code",
    "status",
    "waitlist_position",
    "registered_at",
    "full_name",
    "email",
    "phone",
    "locale",
    "segment",
    "sector",
    "company",
    "region",
    "sessions",
    "checked_in_at",
    "cancelled_at",
    "consent_email_reminders",
    "consent_sms",
    "consent_partner_sharing",
    "source",
];

/// Spreadsheet programs run cells that start with these as formulas: a
/// participant named `=HYPERLINK(…)` must stay text (OWASP "CSV injection").
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

fn encode(rows: &[ExportRow], zone: TimeZone) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::with_capacity(rows.len() * 200));
    let local = |t: chrono::DateTime<Utc>| t.with_timezone(&zone.tz()).format("%Y-%m-%d %H:%M").to_string();
    let opt = |t: Option<chrono::DateTime<Utc>>| t.map(local).unwrap_or_default();
    for row in rows {
        let (r, p) = (&row.registration, &row.participant);
        let code = r.display_code();
        let status = format!("{:?}", r.status).to_lowercase();
        let record = [
            code,
            status,
            r.waitlist_position.map(|n| n.to_string()).unwrap_or_default(),
            local(r.created_at),
            cell(&p.full_name),
            cell(p.email.as_deref().unwrap_or_default()),
            // E.164 starts with +: quoted as text rather than read as a number.
            cell(p.phone.as_deref().unwrap_or_default()),
            p.locale.to_string(),
            p.segment.map(|s| format!("{s:?}")).unwrap_or_default(),
            cell(p.sector.as_deref().unwrap_or_default()),
            cell(p.company.as_deref().unwrap_or_default()),
            cell(p.region.as_deref().unwrap_or_default()),
            cell(&row.sessions.join(" | ")),
            opt(r.checked_in_at),
            opt(r.cancelled_at),
            opt(p.consents.email_reminders),
            opt(p.consents.sms_reminders),
            opt(p.consents.partner_sharing),
            r.source.clone(),
        ];
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

pub(crate) async fn stop_registrations(
    State(shared): State<crate::http::Shared>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match export(&shared.state, raw_id, &headers).await {
        Ok(response) | Err(Refused::Limited(response)) => response,
        Err(Refused::Error(e)) => e.into_response(),
    }
}

/// Why an export did not start: an error, or an API key's 429 (already a response).
enum Refused {
    Error(ApiError),
    Limited(Response),
}

impl From<DomainError> for Refused {
    fn from(e: DomainError) -> Self {
        Refused::Error(e.into())
    }
}

async fn export(state: &AppState, raw_id: String, headers: &HeaderMap) -> Result<Response, Refused> {
    let Some(token) = crate::http::bearer(headers) else {
        return Err(Refused::Error(ApiError::new(Code::Unauthenticated, "send Authorization: Bearer <token>")));
    };
    let actor = crate::schema::auth::authenticate(&state.db, &token, Utc::now()).await?;
    // An organizer's integration key exports too, within its rate limit.
    if let Some(key) = actor.key_id()
        && let Some(refused) = crate::http::over_key_limit(state, key).await
    {
        return Err(Refused::Limited(refused));
    }
    let stop_id = match crate::ids::decode(&async_graphql::ID(raw_id), "Stop") {
        Ok(g) if g.tenant == actor.scope.id() => g.id,
        Ok(_) => return Err(DomainError::not_found("stop").into()),
        Err(e) => return Err(crate::error::bad_id_error("id", "stop", &e).into()),
    };
    Ok(stop_csv(state, &actor, stop_id).await?)
}

/// A stop's registrations as a CSV download for `actor` (the API's export,
/// and the console's button): checks the role, logs a key's access, streams.
pub async fn stop_csv(state: &AppState, actor: &Actor, stop_id: Uuid) -> Result<Response, DomainError> {
    let stop = participants::export_start(&state.db, actor, stop_id).await?;
    let scope: TenantScope = actor.scope;
    if let Some(key) = actor.key_id() {
        // Logged before streaming, with every row the export holds: a client
        // that stops reading early still had access to all of them.
        let rows = participants::export_size(&state.db, scope, stop_id).await?;
        let record = escale_domain::access::api_keys::RequestRecord {
            scope,
            key_id: key,
            operation: Some("export:registrations.csv".to_owned()),
            objects_returned: u32::try_from(rows).unwrap_or(u32::MAX),
            leads_returned: u32::try_from(rows).unwrap_or(u32::MAX),
            outcome: "ok".to_owned(),
            duration_ms: 0,
            at: Utc::now(),
        };
        escale_domain::access::api_keys::record_request(&state.db, record).await?;
    }
    let zone = stop.time_zone;
    let mut head = BOM.to_vec();
    let header_line = {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let _ = w.write_record(HEADER);
        w.into_inner().unwrap_or_default()
    };
    head.extend(header_line);

    // First the header, then one chunk per page; an error mid-stream ends the
    // body early (the client sees a truncated download, logged here), since
    // the status line is long gone.
    let db = state.db.clone();
    let pages = futures::stream::unfold(Some(None::<Uuid>), move |cursor| {
        let db = db.clone();
        async move {
            let after = cursor?;
            match participants::export_page(&db, scope, stop_id, after, PAGE).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next =
                        if (rows.len() as u64) < PAGE { None } else { rows.last().map(|r| Some(r.registration.id.0)) };
                    match encode(&rows, zone) {
                        Ok(bytes) => Some((Ok::<_, std::io::Error>(bytes), next)),
                        Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, stop.id = %stop_id, "export page failed");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        }
    });
    let body = futures::StreamExt::chain(futures::stream::once(async move { Ok(head) }), pages);
    let filename = format!("registrations-{}.csv", stop.starts_at.format("%Y-%m-%d"));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
