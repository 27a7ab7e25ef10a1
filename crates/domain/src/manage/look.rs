//! How an organizer's participant pages look and where they may be framed:
//! an accent colour (held to WCAG AA against white, both ways: white text on
//! it, it as text on white), a logo kept as a small data: URL (the pages load
//! nothing from elsewhere), and the origins of the organizer's own sites that
//! may show the pages in an `<iframe>` (`frame-ancestors`).

use base64::Engine as _;
use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::access::audit;
use crate::access::authz::{Action, Actor};
use crate::entities::tenant;
use crate::error::{DomainError, DomainResult};

/// The largest logo kept, decoded: a header image, not a poster.
pub const MAX_LOGO_BYTES: usize = 48 * 1024;
/// Sites that may frame the pages.
pub const MAX_EMBED_ORIGINS: usize = 10;

/// An organizer's look; every part optional (the platform's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantLook {
    pub accent_color: Option<String>,
    pub logo: Option<String>,
    pub embed_origins: Vec<String>,
}

impl TenantLook {
    pub fn of(t: &tenant::Model) -> Self {
        TenantLook {
            accent_color: t.accent_color.clone(),
            logo: t.logo.clone(),
            embed_origins: crate::tenancy::embed_origins(t.embed_origins.as_deref()),
        }
    }
}

/// WCAG's relative luminance of an sRGB colour.
fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// `#RRGGBB`, dark enough that white on it reads at 4.5:1 (WCAG AA).
fn parse_accent(raw: &str) -> DomainResult<String> {
    let hex = raw.trim().trim_start_matches('#');
    let bytes = (hex.len() == 6).then(|| hex::decode(hex).ok()).flatten();
    let Some(rgb) = bytes.and_then(|b| <[u8; 3]>::try_from(b).ok()) else {
        return Err(DomainError::validation("accentColor", text!("look-accent-format")));
    };
    let contrast = 1.05 / (luminance(rgb) + 0.05);
    if contrast < 4.5 {
        return Err(DomainError::validation(
            "accentColor",
            text!("look-accent-contrast", ratio = format!("{contrast:.1}")),
        ));
    }
    Ok(format!("#{}", hex.to_ascii_lowercase()))
}

/// A data: URL of a PNG, JPEG or WebP image within [`MAX_LOGO_BYTES`].
fn parse_logo(raw: &str) -> DomainResult<String> {
    let raw = raw.trim();
    let (kind, data) = raw
        .strip_prefix("data:")
        .and_then(|r| r.split_once(";base64,"))
        .ok_or_else(|| DomainError::validation("logo", text!("look-logo-format")))?;
    if !matches!(kind, "image/png" | "image/jpeg" | "image/webp") {
        return Err(DomainError::validation("logo", text!("look-logo-format")));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| DomainError::validation("logo", text!("look-logo-format")))?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(DomainError::validation("logo", text!("look-logo-size", max = MAX_LOGO_BYTES / 1024)));
    }
    // What the bytes are, not what the URL says they are.
    if image_kind(&bytes) != Some(kind) {
        return Err(DomainError::validation("logo", text!("look-logo-format")));
    }
    Ok(raw.to_owned())
}

/// The image type of `bytes` by its signature: PNG, JPEG or WebP.
fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// An uploaded file as the logo's data: URL, its type read from its bytes;
/// anything but a PNG, JPEG or WebP within [`MAX_LOGO_BYTES`] is refused.
pub fn logo_data_url(bytes: &[u8]) -> DomainResult<String> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(DomainError::validation("logo", text!("look-logo-size", max = MAX_LOGO_BYTES / 1024)));
    }
    let kind = image_kind(bytes).ok_or_else(|| DomainError::validation("logo", text!("look-logo-format")))?;
    Ok(format!("data:{kind};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// `https://host[:port]` (or `http://localhost…` for a developer's site):
/// an origin, nothing after it.
fn parse_origin(raw: &str) -> DomainResult<String> {
    let refuse = || DomainError::validation("embedOrigins", text!("look-origin", origin = raw.trim().to_owned()));
    let url = url::Url::parse(raw.trim()).map_err(|_| refuse())?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none() && url.username().is_empty();
    if !scheme_ok || !bare || url.host_str().is_none() {
        return Err(refuse());
    }
    Ok(url.origin().ascii_serialization())
}

/// The organizer's look (`settings:manage`).
pub async fn tenant_look(db: &DatabaseConnection, actor: &Actor) -> DomainResult<TenantLook> {
    let scope = actor.require(Action::SettingsManage)?;
    let t =
        tenant::Entity::find_by_id(scope.uuid()).one(db).await?.ok_or_else(|| DomainError::not_found("organizer"))?;
    Ok(TenantLook::of(&t))
}

/// Sets it, after checking every part; audited (the logo by its size only).
pub async fn set_tenant_look(
    db: &DatabaseConnection,
    actor: &Actor,
    look: TenantLook,
    now: DateTime<Utc>,
) -> DomainResult<TenantLook> {
    let scope = actor.require(Action::SettingsManage)?;
    let accent = look.accent_color.as_deref().filter(|a| !a.trim().is_empty()).map(parse_accent).transpose()?;
    let logo = look.logo.as_deref().filter(|l| !l.trim().is_empty()).map(parse_logo).transpose()?;
    if look.embed_origins.len() > MAX_EMBED_ORIGINS {
        return Err(DomainError::validation("embedOrigins", text!("look-origins-count", max = MAX_EMBED_ORIGINS)));
    }
    let mut origins = look.embed_origins.iter().map(|o| parse_origin(o)).collect::<DomainResult<Vec<_>>>()?;
    origins.sort();
    origins.dedup();
    audit::write(db, actor, now, |txn| {
        let (accent, logo, origins) = (accent.clone(), logo.clone(), origins.clone());
        Box::pin(async move {
            let t = tenant::Entity::find_by_id(scope.uuid())
                .one(txn)
                .await?
                .ok_or_else(|| DomainError::not_found("organizer"))?;
            let mut row = sea_orm::IntoActiveModel::into_active_model(t);
            row.accent_color = Set(accent);
            row.logo = Set(logo);
            row.embed_origins = Set((!origins.is_empty()).then(|| origins.join(" ")));
            row.updated_at = Set(now);
            let saved = TenantLook::of(&row.update(txn).await?);
            let details = serde_json::json!({
                "accentColor": saved.accent_color,
                "logoChars": saved.logo.as_ref().map(String::len),
                "embedOrigins": saved.embed_origins,
            });
            Ok((audit::Entry::new("tenant.look", "tenant", scope.uuid()).details(details), saved))
        })
    })
    .await
}

/// Who the organizer is to its participants: its name, the language and
/// zone new editions start from, and the names its messages come from. The
/// sender's email address stays the operator's to set: a From on another
/// organization's domain is refused by the receivers' DMARC checks at best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantProfile {
    pub name: String,
    pub default_locale: crate::values::Locale,
    pub default_time_zone: String,
    /// The display name of its emails' From (its own name when absent).
    pub email_sender_name: Option<String>,
    /// The SMS sender ID (alphanumeric, 3 to 11 characters), when the
    /// provider allows one; else the provider's number.
    pub sms_sender_id: Option<String>,
}

pub async fn tenant_profile(db: &DatabaseConnection, actor: &Actor) -> DomainResult<TenantProfile> {
    let scope = actor.require(Action::SettingsManage)?;
    let t = crate::tenancy::get(db, scope).await?;
    Ok(TenantProfile {
        name: t.name,
        default_locale: t.default_locale,
        default_time_zone: t.default_time_zone.name().to_owned(),
        email_sender_name: t.email_sender_name,
        sms_sender_id: t.sms_sender_id,
    })
}

/// Sets it after checking each part (the field named in a refusal); audited
/// with what changed.
pub async fn set_tenant_profile(
    db: &DatabaseConnection,
    actor: &Actor,
    profile: TenantProfile,
    now: DateTime<Utc>,
) -> DomainResult<TenantProfile> {
    let scope = actor.require(Action::SettingsManage)?;
    let name = super::input::text("name", &profile.name, 120)?;
    let zone =
        crate::error::FieldExt::field(crate::values::TimeZone::parse(&profile.default_time_zone), "defaultTimeZone")?;
    let sender_name = super::input::optional_text("emailSenderName", profile.email_sender_name.as_deref(), 120)?;
    let sender_id = profile.sms_sender_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if sender_id
        .as_ref()
        .is_some_and(|id| !(3..=11).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(DomainError::validation("smsSenderId", text!("sms-sender-id")));
    }
    audit::write(db, actor, now, |txn| {
        let (name, sender_name, sender_id) = (name.clone(), sender_name.clone(), sender_id.clone());
        let locale = profile.default_locale;
        Box::pin(async move {
            let t = tenant::Entity::find_by_id(scope.uuid())
                .one(txn)
                .await?
                .ok_or_else(|| DomainError::not_found("organizer"))?;
            let mut row = sea_orm::IntoActiveModel::into_active_model(t);
            row.name = Set(name);
            row.default_locale = Set(locale);
            row.default_time_zone = Set(zone);
            row.email_sender_name = Set(sender_name);
            row.sms_sender_id = Set(sender_id);
            row.updated_at = Set(now);
            let t = row.update(txn).await?;
            let details = serde_json::json!({
                "name": t.name,
                "defaultLocale": t.default_locale.as_str(),
                "defaultTimeZone": t.default_time_zone.name(),
                "emailSenderName": t.email_sender_name,
                "smsSenderId": t.sms_sender_id,
            });
            let saved = TenantProfile {
                name: t.name,
                default_locale: t.default_locale,
                default_time_zone: t.default_time_zone.name().to_owned(),
                email_sender_name: t.email_sender_name,
                sms_sender_id: t.sms_sender_id,
            };
            Ok((audit::Entry::new("tenant.profile", "tenant", scope.uuid()).details(details), saved))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accent_must_carry_white_text_at_aa() {
        assert_eq!(parse_accent("#0B5D6B").ok().as_deref(), Some("#0b5d6b"));
        assert!(parse_accent("#ffdd00").is_err(), "yellow under white text fails AA");
        assert!(parse_accent("0b5d6").is_err() && parse_accent("#zzzzzz").is_err());
    }

    #[test]
    fn origins_are_bare_https_origins() {
        assert_eq!(parse_origin("https://www.attitudes.ma").ok().as_deref(), Some("https://www.attitudes.ma"));
        assert_eq!(parse_origin("http://localhost:3000").ok().as_deref(), Some("http://localhost:3000"));
        for bad in ["http://evil.example", "https://x.ma/page", "javascript:alert(1)", "*", "https://a.ma?x=1"] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_logo_is_a_small_image_data_url() {
        assert!(parse_logo("data:image/png;base64,iVBORw0KGgo=").is_ok());
        assert!(parse_logo("data:image/svg+xml;base64,PHN2Zz4=").is_err(), "SVG can carry scripts");
        assert!(parse_logo("data:image/jpeg;base64,iVBORw0KGgo=").is_err(), "a PNG is not a JPEG");
        assert!(parse_logo("data:image/png;base64,PHN2Zz4=").is_err(), "an SVG called a PNG");
        assert_eq!(logo_data_url(b"\x89PNG\r\n\x1a\n").ok().as_deref(), Some("data:image/png;base64,iVBORw0KGgo="));
        assert!(logo_data_url(b"<svg/>").is_err());
        assert!(parse_logo("https://cdn.example/logo.png").is_err());
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; MAX_LOGO_BYTES + 1]);
        assert!(parse_logo(&format!("data:image/png;base64,{big}")).is_err());
    }
}
