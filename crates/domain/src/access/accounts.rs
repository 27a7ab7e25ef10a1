//! Tenants, people, memberships and login sessions.
//!
//! Passwords are hashed with argon2id (the `argon2` crate's defaults: 19 MiB,
//! 2 passes). A login returns an opaque bearer token bound to one tenant; only
//! its SHA-256 is stored, so a database leak yields no usable token. Tokens
//! expire, and logout revokes them.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use escale_i18n::text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::access::authz::{Actor, Role};
use crate::entities::{app_user, membership, tenant, user_session};
use crate::error::{ConflictCode, DomainError, DomainResult, FieldExt};
use crate::ids::{TenantId, UserId, new_uuid};
use crate::tenancy::{Tenant, TenantScope};
use crate::values::{EmailAddress, Locale, PersonName, Slug, TimeZone};

/// How long a login lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Session tokens start with this, so a leaked one is recognisable in a scan.
pub const TOKEN_PREFIX: &str = "ess_";

/// Creates an organizer.
/// First path segments the platform's own routes use: an organizer named so
/// would have its page behind them (`/graphql`, `/m/<token>`, `/assets/…`),
/// and a few kept for what comes (the console, the door).
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "assets",
    "console",
    "door",
    "export",
    "graphql",
    "healthz",
    "m",
    "metrics",
    "readyz",
    "s",
    "sms",
    "static",
    "tickets",
    "unsubscribe",
    "well-known",
];

pub async fn create_tenant(
    db: &DatabaseConnection,
    slug: &str,
    name: &str,
    now: DateTime<Utc>,
) -> DomainResult<Tenant> {
    let slug = Slug::parse(slug).field("slug")?;
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(DomainError::validation("slug", text!("organizer-slug-reserved", slug = slug.as_str())));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::validation("name", text!("field-length", max = 200)));
    }
    let exists = tenant::Entity::find().filter(tenant::Column::Slug.eq(slug.as_str())).one(db).await?.is_some();
    if exists {
        return Err(DomainError::conflict(
            ConflictCode::AlreadyExists,
            text!("organizer-exists", slug = slug.as_str()),
        ));
    }
    let model = tenant::ActiveModel {
        id: Set(TenantId::new().0),
        slug: Set(slug.as_str().to_owned()),
        name: Set(name.to_owned()),
        default_locale: Set(Locale::Fr),
        default_time_zone: Set(TimeZone::CASABLANCA),
        email_sender: Set(None),
        email_sender_name: Set(None),
        sms_sender_id: Set(None),
        // The SMS limits take the migration's defaults (MA; 2,000 a day; 10 a number).
        sms_countries: sea_orm::ActiveValue::NotSet,
        sms_daily_cap: sea_orm::ActiveValue::NotSet,
        sms_per_number_daily_cap: sea_orm::ActiveValue::NotSet,
        accent_color: sea_orm::ActiveValue::NotSet,
        logo: sea_orm::ActiveValue::NotSet,
        embed_origins: sea_orm::ActiveValue::NotSet,
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    model.try_into()
}

/// A password's strength, measured by zxcvbn against its dictionaries of
/// common passwords and patterns and against what is known of the person
/// (`about`: their email, its local part, their name). Ok, or the reason with
/// zxcvbn's advice.
pub fn check_password_strength(password: &str, about: &[&str]) -> DomainResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::validation("password", text!("password-min", min = MIN_PASSWORD_CHARS)));
    }
    if password.len() > 1024 {
        return Err(DomainError::validation("password", text!("password-bytes")));
    }
    // The whole of each, and its words: "amina.benali@…" and "Amina Benali"
    // give "amina" and "benali", so "aminabenali2027" is seen for what it is.
    let mut inputs: Vec<&str> = about.to_vec();
    inputs.extend(about.iter().filter_map(|a| a.split_once('@').map(|(local, _)| local)));
    inputs
        .extend(about.iter().flat_map(|a| a.split(['@', '.', '_', '-', '+', ' '])).filter(|w| w.chars().count() >= 3));
    inputs.extend(["escale", "attitudes", "forum", "tpe"]);
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    // zxcvbn's advice is in English: the English message carries it, the
    // French and Arabic ones give the gist in their own words.
    let mut advice = String::new();
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            advice.push_str(&format!(": {warning}"));
        }
        for suggestion in feedback.suggestions() {
            advice.push_str(&format!(" {suggestion}"));
        }
    }
    Err(DomainError::validation("password", text!("password-weak", advice = advice)))
}

fn hash_password(password: &str, about: &[&str]) -> DomainResult<String> {
    check_password_strength(password, about)?;
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| DomainError::internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// A hash of nothing anyone knows: checking a password against it when the
/// email is unknown makes both failures take the same time.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let random: [u8; 24] = rand::random();
        Argon2::default().hash_password(&random).map(|h| h.to_string()).unwrap_or_default()
    })
}

#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub display_name: Option<String>,
    /// Required for a person new to the platform; ignored (their password is
    /// kept) for someone who already has an account with another organizer.
    pub password: Option<String>,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct MemberAdded {
    pub user_id: UserId,
    /// False when the person already had an account (another organizer's).
    pub new_account: bool,
}

/// Gives a person a role in a tenant, creating their account if needed.
pub async fn add_member(
    db: &DatabaseConnection,
    scope: TenantScope,
    new: NewMember,
    now: DateTime<Utc>,
) -> DomainResult<MemberAdded> {
    let email = EmailAddress::parse(&new.email).field("email")?;
    let existing = app_user::Entity::find().filter(app_user::Column::Email.eq(email.as_str())).one(db).await?;
    let (user_id, new_account) = match existing {
        Some(user) => (user.id, false),
        None => {
            let password = new
                .password
                .as_deref()
                .ok_or_else(|| DomainError::validation("password", text!("password-new-account")))?;
            let name = match new.display_name.as_deref() {
                Some(n) => PersonName::parse(n).field("name")?.as_str().to_owned(),
                None => email.as_str().split('@').next().unwrap_or_default().to_owned(),
            };
            let hash = hash_password(password, &[email.as_str(), &name])?;
            let id = UserId::new().0;
            app_user::ActiveModel {
                id: Set(id),
                email: Set(email.as_str().to_owned()),
                display_name: Set(name),
                password_hash: Set(Some(hash)),
                disabled_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?;
            (id, true)
        }
    };
    let already = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    if already.is_some() {
        return Err(DomainError::conflict(ConflictCode::AlreadyExists, text!("member-exists")));
    }
    membership::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(scope.uuid()),
        user_id: Set(user_id),
        role: Set(new.role),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(MemberAdded { user_id: UserId(user_id), new_account })
}

/// A fresh login.
#[derive(Clone)]
pub struct Login {
    /// The bearer token: shown once, never stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub actor: Actor,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("expires_at", &self.expires_at)
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

fn bad_credentials() -> DomainError {
    DomainError::Unauthenticated(text!("bad-credentials"))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Logs in for one tenant: `tenant` (a slug) may be omitted by people who
/// belong to exactly one organizer.
pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    tenant: Option<&str>,
    now: DateTime<Utc>,
) -> DomainResult<Login> {
    let Ok(email) = EmailAddress::parse(email) else {
        let _ = verify_password(password, decoy_hash());
        return Err(bad_credentials());
    };
    let user = app_user::Entity::find().filter(app_user::Column::Email.eq(email.as_str())).one(db).await?;
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        let _ = verify_password(password, decoy_hash());
        return Err(bad_credentials());
    };
    let Some(hash) = user.password_hash.as_deref() else {
        let _ = verify_password(password, decoy_hash());
        return Err(bad_credentials());
    };
    if !verify_password(password, hash) {
        return Err(bad_credentials());
    }
    let memberships = membership::Entity::find().filter(membership::Column::UserId.eq(user.id)).all(db).await?;
    let chosen = match tenant.map(str::trim).filter(|t| !t.is_empty()) {
        Some(slug) => {
            let tenant = tenant::Entity::find().filter(tenant::Column::Slug.eq(slug)).one(db).await?;
            tenant.and_then(|t| memberships.into_iter().find(|m| m.tenant_id == t.id))
        }
        None if memberships.len() == 1 => memberships.into_iter().next(),
        None if memberships.is_empty() => None,
        None => {
            return Err(DomainError::validation("tenant", text!("which-organizer")));
        }
    };
    // Not a member of the named organizer: the same answer as a wrong password,
    // so a login attempt does not reveal who works where.
    let member = chosen.ok_or_else(bad_credentials)?;
    open_session(db, &member, now).await
}

/// A new session of `member` (a token and its hash stored).
async fn open_session(
    db: &impl ConnectionTrait,
    member: &membership::Model,
    now: DateTime<Utc>,
) -> DomainResult<Login> {
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()));
    let expires_at = now + SESSION_LIFETIME;
    user_session::ActiveModel {
        id: Set(new_uuid()),
        tenant_id: Set(member.tenant_id),
        user_id: Set(member.user_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(Some(now)),
    }
    .insert(db)
    .await?;
    Ok(Login {
        token,
        expires_at,
        actor: Actor::member(TenantScope::new(TenantId(member.tenant_id)), UserId(member.user_id), member.role.clone()),
    })
}

/// Moves a signed-in person to another organizer she belongs to: a session
/// there, this one ended. Not a member of `slug`: NOT_FOUND, as for an
/// organizer that does not exist.
pub async fn switch_tenant(
    db: &DatabaseConnection,
    actor: &Actor,
    token: &str,
    slug: &str,
    now: DateTime<Utc>,
) -> DomainResult<Login> {
    let user_id = actor.user_id().ok_or(DomainError::not_found("organizer"))?;
    let tenant = tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(slug.trim()))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("organizer"))?;
    let member = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant.id))
        .filter(membership::Column::UserId.eq(user_id.0))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("organizer"))?;
    let login = open_session(db, &member, now).await?;
    logout(db, token, now).await?;
    Ok(login)
}

/// The actor behind a bearer token, with the role they hold *now* (a role
/// changed or removed since login takes effect at once).
pub async fn authenticate(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> DomainResult<Actor> {
    let invalid = || DomainError::Unauthenticated(text!("token-invalid"));
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Err(invalid());
    }
    let session = user_session::Entity::find()
        .filter(user_session::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Err(invalid());
    }
    let member = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(session.tenant_id))
        .filter(membership::Column::UserId.eq(session.user_id))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    let user = app_user::Entity::find_by_id(session.user_id).one(db).await?.ok_or_else(invalid)?;
    if user.disabled_at.is_some() {
        return Err(invalid());
    }
    // Recording every use would be a write per request; once a minute is enough
    // to see which sessions are alive.
    if session.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        user_session::Entity::update_many()
            .col_expr(user_session::Column::LastUsedAt, Expr::val(now))
            .filter(user_session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Actor::member(TenantScope::new(TenantId(session.tenant_id)), UserId(session.user_id), member.role))
}

/// Revokes the token; returns false when it was not a live session.
pub async fn logout(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> DomainResult<bool> {
    let revoked = user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, Expr::val(now))
        .filter(user_session::Column::TokenHash.eq(token_hash(token)))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(revoked == 1)
}

/// The person behind an actor and every organizer they belong to.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub memberships: Vec<(Tenant, Role)>,
}

pub async fn viewer(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Viewer> {
    let user_id = actor.user_id().ok_or(DomainError::not_found("user"))?;
    let user = app_user::Entity::find_by_id(user_id.0).one(db).await?.ok_or(DomainError::not_found("user"))?;
    let memberships = membership::Entity::find().filter(membership::Column::UserId.eq(user.id)).all(db).await?;
    let tenants = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(memberships.iter().map(|m| m.tenant_id)))
        .all(db)
        .await?;
    let mut pairs = Vec::with_capacity(memberships.len());
    for m in memberships {
        if let Some(t) = tenants.iter().find(|t| t.id == m.tenant_id) {
            pairs.push((Tenant::try_from(t.clone())?, m.role));
        }
    }
    pairs.sort_by(|a, b| a.0.slug.cmp(&b.0.slug));
    Ok(Viewer { user_id: UserId(user.id), email: user.email, display_name: user.display_name, memberships: pairs })
}

/// Sets a person's password (ops tooling and the demo; people change theirs
/// through the API once that exists).
pub async fn set_password(
    db: &DatabaseConnection,
    user_id: UserId,
    password: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let user = app_user::Entity::find_by_id(user_id.0).one(db).await?.ok_or_else(|| DomainError::not_found("user"))?;
    let hash = hash_password(password, &[&user.email, &user.display_name])?;
    app_user::Entity::update_many()
        .col_expr(app_user::Column::PasswordHash, Expr::val(Some(hash)))
        .col_expr(app_user::Column::UpdatedAt, Expr::val(now))
        .filter(app_user::Column::Id.eq(user_id.0))
        .exec(db)
        .await?;
    Ok(())
}

/// A tenant by slug, for ops tooling.
pub async fn tenant_by_slug(db: &DatabaseConnection, slug: &str) -> DomainResult<Tenant> {
    crate::tenancy::by_slug(db, slug).await
}

/// A random password that is easy to read aloud and type (letters and digits
/// without look-alikes), 20 characters: about 100 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    use rand::Rng;
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..20).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
    chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Whether someone already has an account (any organizer) under this email.
pub async fn account_exists(db: &DatabaseConnection, email: &str) -> DomainResult<bool> {
    let email = EmailAddress::parse(email).field("email")?;
    Ok(app_user::Entity::find().filter(app_user::Column::Email.eq(email.as_str())).one(db).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::check_password_strength;

    #[test]
    fn common_and_personal_passwords_are_refused_with_the_reason() {
        let about = ["amina.benali@attitudes.ma", "Amina Benali"];
        for weak in ["1234567890", "password12", "amina.benali@attitudes.ma", "Amina Benali", "azertyuiop"] {
            let e = check_password_strength(weak, &about).expect_err(weak);
            assert!(e.to_string().contains("too easy to guess"), "{weak}: {e}");
        }
        let short = check_password_strength("Xq7!", &about).expect_err("short");
        assert!(short.to_string().contains("at least 10"), "{short}");
        for strong in ["correct horse battery", "Tamazight-Souss-9-Argan", "k7Qm2x9Dd4tPzR8vW3yB"] {
            assert!(check_password_strength(strong, &about).is_ok(), "{strong}");
        }
    }
}
