//! What a message says: the built-in templates (French, Arabic, English; email and
//! SMS), tenant overrides, and rendering with strict undefined variables.
//!
//! Templates live one file per (message, locale, part) under `templates/`, so a
//! translator edits text, not Rust. Rendering is pure: the worker renders at send
//! time from the current state of the stop, and organizers' overrides are
//! validated by rendering them against a sample when they are saved. What a
//! tenant's template may do and cost is `messaging::sandbox`'s business.

use std::fmt;
use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};

use crate::messaging::sandbox;
use crate::messaging::sms::{self, SmsLength};
use crate::values::Locale;

pub use crate::values::{Channel, TemplateKey};

/// Everything a template may refer to. Field names are the template variables;
/// `docs/TEMPLATES.md` lists them for organizers.
#[derive(Debug, Clone, Serialize)]
pub struct MessageContext {
    pub tenant: TenantVars,
    pub series: SeriesVars,
    pub edition: EditionVars,
    pub stop: StopVars,
    pub participant: ParticipantVars,
    pub registration: RegistrationVars,
    pub sessions: Vec<SessionVars>,
    /// The workshop a message is about (`session_reminder`, `session_promotion`);
    /// absent otherwise.
    pub session: Option<SessionVars>,
    /// What an organizer wrote, for the `broadcast` message; absent otherwise.
    pub broadcast: Option<BroadcastVars>,
    /// The signed link that stops reminders and broadcasts by email, when the
    /// platform knows its public address; the layout shows it in the footer.
    pub unsubscribe_url: Option<String>,
    /// The participant's own page (status, workshops, cancel, consents),
    /// through a signed link naming the registration, when the platform
    /// knows its public address; every email's footer and the SMS about the
    /// registration carry it.
    pub manage_url: Option<String>,
    /// What the stop was before it moved, for `stop_changed`; absent otherwise.
    pub change: Option<ChangeVars>,
}

/// The stop as it was, in the recipient's language.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeVars {
    /// The previous long local date ("samedi 23 novembre 2019").
    pub date: String,
    pub short_date: String,
    pub time: String,
    pub venue: String,
    /// The day or the hour changed.
    pub time_changed: bool,
    /// The venue or its address changed.
    pub place_changed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BroadcastVars {
    pub subject: String,
    pub body: String,
}

/// A broadcast as planned: its text in each language the organizer wrote,
/// and the one to use for anybody else (a notification's payload).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BroadcastTexts {
    pub texts: std::collections::BTreeMap<Locale, BroadcastVars>,
    pub fallback: Locale,
}

impl BroadcastVars {
    /// The text a recipient reads from a broadcast's payload: in their
    /// language when the organizer wrote one, else in the fallback language.
    /// Payloads planned before per-language bodies hold one text.
    pub fn from_payload(payload: &serde_json::Value, locale: Locale) -> Option<BroadcastVars> {
        if let Ok(mut t) = serde_json::from_value::<BroadcastTexts>(payload.clone()) {
            let fallback = t.fallback;
            return t
                .texts
                .remove(&locale)
                .or_else(|| t.texts.remove(&fallback))
                .or_else(|| t.texts.into_values().next());
        }
        serde_json::from_value(payload.clone()).ok()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TenantVars {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesVars {
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EditionVars {
    pub title: String,
    pub number: i32,
    pub year: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct StopVars {
    pub name: String,
    pub city: String,
    pub region: String,
    pub venue: String,
    pub address: Option<String>,
    /// Long local date in the recipient's language ("samedi 23 novembre 2019").
    pub date: String,
    /// Short local date for SMS ("23/11/2019").
    pub short_date: String,
    /// Local wall-clock start time, 24-hour ("09:00").
    pub time: String,
    pub time_zone: String,
}

#[derive(Serialize)]
pub struct ParticipantVars {
    pub name: String,
}

impl fmt::Debug for ParticipantVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ParticipantVars(<redacted>)")
    }
}

impl Clone for ParticipantVars {
    fn clone(&self) -> Self {
        Self { name: self.name.clone() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationVars {
    pub status: String,
    pub ticket_code: String,
    pub waitlist_position: Option<i64>,
    /// Where the HTML finds the ticket's QR image (`cid:…` in emails that carry
    /// it); absent otherwise.
    pub qr_image: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionVars {
    pub title: String,
    /// Local start time in the stop's zone, 24-hour ("14:00").
    pub time: String,
    /// Local date ("23/11/2019"): a stop may last more than a day.
    pub short_date: String,
    pub room: Option<String>,
    pub status: String,
}

/// A rendered email, ready for a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContent {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A rendered SMS with its measured length (the cost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsContent {
    pub text: String,
    pub length: SmsLength,
}

/// A tenant's replacement for one built-in (message, channel, locale).
#[derive(Debug, Clone, Default)]
pub struct TemplateOverride {
    pub subject: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("template {name}: {source}")]
    Render { name: String, source: minijinja::Error },
    /// Outside what a tenant's template may use or cost (`sandbox`).
    #[error("template {name}: {reason}")]
    Budget { name: String, reason: String },
    /// A variable the message does not have (`{{ stop.vile }}`), named.
    #[error("template {name}: {expression} is not a variable of this message")]
    Undefined { name: String, expression: String },
    #[error("no built-in template {0}")]
    Missing(String),
}

/// The longest SMS Escale agrees to send: beyond this a message costs more than it
/// is worth and should be an email.
pub const MAX_SMS_SEGMENTS: u32 = 6;

macro_rules! builtins {
    ($($key:literal),* $(,)?) => {
        &[$(
            (concat!($key, "/fr.subject"), include_str!(concat!("../../templates/", $key, "/fr.subject"))),
            (concat!($key, "/fr.txt"), include_str!(concat!("../../templates/", $key, "/fr.txt"))),
            (concat!($key, "/fr.html"), include_str!(concat!("../../templates/", $key, "/fr.html"))),
            (concat!($key, "/fr.sms"), include_str!(concat!("../../templates/", $key, "/fr.sms"))),
            (concat!($key, "/ar.subject"), include_str!(concat!("../../templates/", $key, "/ar.subject"))),
            (concat!($key, "/ar.txt"), include_str!(concat!("../../templates/", $key, "/ar.txt"))),
            (concat!($key, "/ar.html"), include_str!(concat!("../../templates/", $key, "/ar.html"))),
            (concat!($key, "/ar.sms"), include_str!(concat!("../../templates/", $key, "/ar.sms"))),
            (concat!($key, "/en.subject"), include_str!(concat!("../../templates/", $key, "/en.subject"))),
            (concat!($key, "/en.txt"), include_str!(concat!("../../templates/", $key, "/en.txt"))),
            (concat!($key, "/en.html"), include_str!(concat!("../../templates/", $key, "/en.html"))),
            (concat!($key, "/en.sms"), include_str!(concat!("../../templates/", $key, "/en.sms"))),
        )*]
    };
}

const BUILTINS: &[(&str, &str)] = builtins!(
    "confirmation",
    "waitlisted",
    "promotion",
    "session_promotion",
    "cancellation",
    "reminder",
    "session_reminder",
    "broadcast",
    "stop_changed",
    "stop_cancelled"
);
const LAYOUT: &str = include_str!("../../templates/layout.html");

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A misspelt variable must fail loudly at save time, not print "" to a participant.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
        // Files end with a newline for editors' sake; messages should not.
        env.set_keep_trailing_newline(false);
        env.set_fuel(Some(sandbox::FUEL));
        // Keeps where an error happened, so that a misspelt variable can be
        // named (render errors only: rendering itself is unchanged).
        env.set_debug(true);
        env.add_filter("bdi", bdi);
        // The built-ins are parsed once; every message used to parse four or five.
        for (name, source) in BUILTINS.iter().copied().chain([("layout.html", LAYOUT)]) {
            if let Err(e) = env.add_template(name, source) {
                // Cannot happen for a template the test suite renders; if it did,
                // rendering parses it again and reports the error then.
                tracing::error!(template = name, error = %e, "built-in template does not parse");
            }
        }
        env
    })
}

/// Text people typed, safe inside HTML elements and quoted attributes.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;")
}

/// `{{ name|bdi }}`: a fragment whose direction may differ from the text
/// around it (a French name in an Arabic sentence), isolated so that its
/// neighbours — parentheses, numbers — stay in place: `<bdi>` in HTML, the
/// Unicode isolates U+2068…U+2069 in text and SMS.
fn bdi(state: &minijinja::State<'_, '_>, value: Value) -> Value {
    let text = value.to_string();
    if matches!(state.auto_escape(), AutoEscape::Html) {
        Value::from_safe_string(format!("<bdi>{}</bdi>", escape_html(&text)))
    } else {
        Value::from(format!("\u{2068}{text}\u{2069}"))
    }
}

fn render(name: &str, source: &str, ctx: &Value) -> Result<String, TemplateError> {
    let env = environment();
    let err = |error: minijinja::Error| match sandbox::explain(&error) {
        Some(reason) => TemplateError::Budget { name: name.to_owned(), reason },
        None if error.kind() == minijinja::ErrorKind::UndefinedError => {
            let expression = error
                .range()
                .and_then(|r| source.get(r))
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| "a name".to_owned());
            TemplateError::Undefined { name: name.to_owned(), expression }
        }
        None => TemplateError::Render { name: name.to_owned(), source: error },
    };
    let capped = |template: minijinja::Template<'_, '_>| {
        let mut out = sandbox::Capped::default();
        template.render_captured_to(ctx, &mut out).map(|_| out.into_string())
    };
    match env.get_template(name) {
        // The parsed built-in, unless a tenant's own text replaces it.
        Ok(builtin) if builtin.source() == source => capped(builtin).map_err(err),
        _ => {
            sandbox::check(source).map_err(|reason| TemplateError::Budget { name: name.to_owned(), reason })?;
            capped(env.template_from_named_str(name, source).map_err(err)?).map_err(err)
        }
    }
}

/// The platform's own wording of a message (what an organizer starts from):
/// for email, its subject, text and HTML; for SMS, its text only.
pub fn builtin_source(key: TemplateKey, channel: Channel, locale: Locale) -> Result<TemplateOverride, TemplateError> {
    Ok(match channel {
        Channel::Email => TemplateOverride {
            subject: Some(builtin(key, locale, "subject")?.to_owned()),
            body_text: builtin(key, locale, "txt")?.to_owned(),
            body_html: Some(builtin(key, locale, "html")?.to_owned()),
        },
        Channel::Sms => {
            TemplateOverride { subject: None, body_text: builtin(key, locale, "sms")?.to_owned(), body_html: None }
        }
    })
}

fn builtin(key: TemplateKey, locale: Locale, part: &str) -> Result<&'static str, TemplateError> {
    let name = format!("{}/{}.{part}", key.as_str(), locale.as_str());
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, src)| *src).ok_or(TemplateError::Missing(name))
}

/// Renders the email for `key` in `locale`, from the tenant's override when there
/// is one, else from the built-in.
pub fn render_email(
    key: TemplateKey,
    locale: Locale,
    custom: Option<&TemplateOverride>,
    ctx: &MessageContext,
) -> Result<EmailContent, TemplateError> {
    let value = Value::from_serialize(ctx);
    let base = format!("{}/{}", key.as_str(), locale.as_str());
    let subject_src = match custom.and_then(|c| c.subject.as_deref()) {
        Some(s) => s,
        None => builtin(key, locale, "subject")?,
    };
    let text_src = match custom {
        Some(c) => c.body_text.as_str(),
        None => builtin(key, locale, "txt")?,
    };
    let html_src = match custom.and_then(|c| c.body_html.as_deref()) {
        Some(h) => h,
        None => builtin(key, locale, "html")?,
    };
    // Subjects are one line: a template's stray newline would end the header.
    let subject =
        render(&format!("{base}.subject"), subject_src, &value)?.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = render(&format!("{base}.txt"), text_src, &value)?;
    // The text part carries the participant's own link as the HTML layout
    // does, whoever wrote the body: mail clients that show text only too.
    if let Some(url) = &ctx.manage_url {
        // French puts a space before the colon.
        let (label, colon) = match locale {
            Locale::Fr => ("Gérer mon inscription", " :"),
            Locale::Ar => ("إدارة تسجيلي", ":"),
            Locale::En => ("Manage my registration", ":"),
        };
        text = format!("{}\n\n{label}{colon} {url}\n", text.trim_end());
    }
    let content = render(&format!("{base}.html"), html_src, &value)?;
    // An organizer's HTML is theirs to write, but scripts, event handlers and
    // foreign URL schemes never reach a participant's mailbox.
    let content = if custom.is_some_and(|c| c.body_html.is_some()) { sandbox::clean_html(&content) } else { content };
    let layout_ctx = minijinja::context! {
        locale => locale.as_str(),
        dir => if locale.is_rtl() { "rtl" } else { "ltr" },
        align => if locale.is_rtl() { "right" } else { "left" },
        subject => &subject,
        content => Value::from_safe_string(content),
        ..value
    };
    let html = render("layout.html", LAYOUT, &layout_ctx)?;
    Ok(EmailContent { subject, text, html })
}

/// Renders the SMS for `key` in `locale` and measures it.
pub fn render_sms(
    key: TemplateKey,
    locale: Locale,
    custom: Option<&TemplateOverride>,
    ctx: &MessageContext,
) -> Result<SmsContent, TemplateError> {
    let src = match custom {
        Some(c) => c.body_text.as_str(),
        None => builtin(key, locale, "sms")?,
    };
    let name = format!("{}/{}.sms", key.as_str(), locale.as_str());
    let text = render(&name, src, &Value::from_serialize(ctx))?.trim().to_owned();
    let length = sms::measure(&text);
    Ok(SmsContent { text, length })
}

/// The sample a template of `key` is validated against when it is saved: what
/// that message will have at send time, and nothing more — a confirmation that
/// names `broadcast` or `session` would fail when sent, so it is refused now.
pub fn sample_context_for(key: TemplateKey) -> MessageContext {
    let mut ctx = sample_context();
    if key != TemplateKey::Broadcast {
        ctx.broadcast = None;
    }
    if !matches!(key, TemplateKey::SessionReminder | TemplateKey::SessionPromotion) {
        ctx.session = None;
    }
    if key != TemplateKey::StopChanged {
        ctx.change = None;
    }
    ctx
}

/// A realistic context with every variable set, for tests.
pub fn sample_context() -> MessageContext {
    MessageContext {
        tenant: TenantVars { name: "Attitudes Conseil".into() },
        series: SeriesVars { name: "Forum international de la TPE en régions".into() },
        edition: EditionVars { title: "6e édition".into(), number: 6, year: 2027 },
        stop: StopVars {
            name: "Escale de Casablanca".into(),
            city: "Casablanca".into(),
            region: "Casablanca-Settat".into(),
            venue: "Hôtel Hyatt Regency".into(),
            address: Some("Place des Nations Unies".into()),
            date: "samedi 23 novembre 2019".into(),
            short_date: "23/11/2019".into(),
            time: "09:00".into(),
            time_zone: "Africa/Casablanca".into(),
        },
        participant: ParticipantVars { name: "Amina Benali".into() },
        registration: RegistrationVars {
            status: "confirmed".into(),
            ticket_code: "K7Q2M-9XD4T".into(),
            waitlist_position: Some(3),
            qr_image: Some("cid:ticket-qr".into()),
        },
        sessions: vec![SessionVars {
            title: "Marketing digital pour les TPE".into(),
            time: "10:00".into(),
            short_date: "23/11/2019".into(),
            room: Some("Salle Atlas".into()),
            status: "confirmed".into(),
        }],
        session: Some(SessionVars {
            title: "Marketing digital pour les TPE".into(),
            time: "10:00".into(),
            short_date: "23/11/2019".into(),
            room: Some("Salle Atlas".into()),
            status: "confirmed".into(),
        }),
        broadcast: Some(BroadcastVars {
            subject: "Changement de salle".into(),
            body: "La plénière aura lieu en salle Atlas.".into(),
        }),
        unsubscribe_url: Some("https://escale.example/unsubscribe?t=…".into()),
        manage_url: Some("https://escale.example/m/AZgZ7k3xQ4mT2pL9vW8rYw-kP3x9QmZ2".into()),
        change: Some(ChangeVars {
            date: "vendredi 22 novembre 2019".into(),
            short_date: "22/11/2019".into(),
            time: "14:00".into(),
            venue: "Palais des congrès".into(),
            time_changed: true,
            place_changed: true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_renders_in_every_locale_and_channel() {
        for key in TemplateKey::ALL {
            // Only what the message has at send time: a built-in that leans on
            // another message's variables fails here.
            let ctx = sample_context_for(key);
            for locale in Locale::ALL {
                let email = render_email(key, locale, None, &ctx).expect("email renders");
                assert!(!email.subject.is_empty() && !email.subject.contains('\n'));
                assert!(email.text.contains("Escale de Casablanca"), "{key} {locale}");
                assert!(email.html.contains(&format!("lang=\"{}\"", locale.as_str())));
                let sms = render_sms(key, locale, None, &ctx).expect("sms renders");
                assert!(sms.length.segments <= MAX_SMS_SEGMENTS, "{key} {locale}: {}", sms.length.segments);
            }
        }
    }

    #[test]
    fn a_template_naming_another_message_s_variables_is_refused() {
        let custom = TemplateOverride { subject: None, body_text: "{{ session.title }}".into(), body_html: None };
        let confirmation = sample_context_for(TemplateKey::Confirmation);
        assert!(render_sms(TemplateKey::Confirmation, Locale::Fr, Some(&custom), &confirmation).is_err());
        let reminder = sample_context_for(TemplateKey::SessionReminder);
        let sms = render_sms(TemplateKey::SessionReminder, Locale::Fr, Some(&custom), &reminder).expect("renders");
        assert_eq!(sms.text, "Marketing digital pour les TPE");
    }

    #[test]
    fn arabic_html_is_right_to_left() {
        let email = render_email(TemplateKey::Confirmation, Locale::Ar, None, &sample_context()).expect("renders");
        assert!(email.html.contains(r#"<html lang="ar" dir="rtl">"#));
        let french = render_email(TemplateKey::Confirmation, Locale::Fr, None, &sample_context()).expect("renders");
        assert!(french.html.contains(r#"<html lang="fr" dir="ltr">"#));
    }

    /// A loop within the language but beyond the fuel, and an output beyond the
    /// cap, are refused with a reason an organizer can act on.
    #[test]
    fn a_template_beyond_its_budget_is_refused_with_the_reason() {
        let ctx = sample_context();
        let letters = "x".repeat(500);
        let slow = TemplateOverride {
            body_text: format!(
                "{{% for a in \"{letters}\" %}}{{% for b in \"{letters}\" %}}{{% endfor %}}{{% endfor %}}"
            ),
            ..TemplateOverride::default()
        };
        let started = std::time::Instant::now();
        let e = render_sms(TemplateKey::Confirmation, Locale::Fr, Some(&slow), &ctx).expect_err("over its fuel");
        assert!(e.to_string().contains("more work than a message may"), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());

        let page = "y".repeat(60 * 1024);
        let big = TemplateOverride {
            body_text: format!("{{% for a in \"abcdefghij\" %}}{page}{{% endfor %}}"),
            ..TemplateOverride::default()
        };
        let e = render_sms(TemplateKey::Confirmation, Locale::Fr, Some(&big), &ctx).expect_err("over its output cap");
        assert!(e.to_string().contains("more than 256 KiB"), "{e}");
    }

    #[test]
    fn safe_cannot_let_a_participant_s_markup_into_an_email() {
        let mut ctx = sample_context();
        ctx.participant.name = "<a href=\"https://evil.example/login\">x</a><img src=x onerror=alert(1)>".into();
        let custom = TemplateOverride {
            subject: Some("Bonjour".into()),
            body_text: "{{ participant.name }}".into(),
            body_html: Some("<p>{{ participant.name|safe }}</p>".into()),
        };
        let e = render_email(TemplateKey::Confirmation, Locale::Fr, Some(&custom), &ctx).expect_err("safe refused");
        assert!(e.to_string().contains("safe"), "{e}");
        let custom = TemplateOverride {
            body_html: Some("<p onclick=\"x()\">{{ participant.name }}</p><script>alert(2)</script>".into()),
            ..custom
        };
        let email = render_email(TemplateKey::Confirmation, Locale::Fr, Some(&custom), &ctx).expect("renders");
        for gone in ["<script", "onclick", "<img", "<a href=\"https://evil"] {
            assert!(!email.html.contains(gone), "{gone} reached the email: {}", email.html);
        }
        assert!(email.html.contains("&lt;a href="), "the name is shown, escaped");
    }

    #[test]
    fn html_escapes_what_people_typed_but_text_does_not() {
        let mut ctx = sample_context();
        ctx.participant.name = "Omar <script>alert(1)</script> & Fils".into();
        let email = render_email(TemplateKey::Confirmation, Locale::Fr, None, &ctx).expect("renders");
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;"));
        assert!(email.text.contains("Omar <script>alert(1)</script> & Fils"));
    }

    #[test]
    fn undefined_variables_are_errors_not_blanks() {
        let custom =
            TemplateOverride { subject: None, body_text: "Bonjour {{ participant.nmae }}".into(), body_html: None };
        let err = render_sms(TemplateKey::Confirmation, Locale::Fr, Some(&custom), &sample_context());
        assert!(err.is_err());
    }

    #[test]
    fn an_override_replaces_the_builtin() {
        let custom = TemplateOverride {
            subject: None,
            body_text: "Code {{ registration.ticket_code }}".into(),
            body_html: None,
        };
        let sms = render_sms(TemplateKey::Confirmation, Locale::Fr, Some(&custom), &sample_context()).expect("renders");
        assert_eq!(sms.text, "Code K7Q2M-9XD4T");
    }
}
