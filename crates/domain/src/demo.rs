//! The demo tenant: the customer's own roadshow, from the 2019 article.
//!
//! The 5th edition (2019) is history — the mini-forums in Béni Mellal-Khénifra
//! and Marrakech-Safi (the article says "since April" and gives no exact dates,
//! so the demo picks plausible Saturdays) and the final stop in Casablanca on
//! 23 November 2019. The next edition tours the same regions on dates computed
//! from the day the demo is loaded, so it is always open for registration.
//! Speakers are fictional; the partners are the six the article names.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone as _, Utc, Weekday};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::catalog::Topic;
use crate::entities::{edition, partner, partnership, series, session, session_speaker, speaker, stop, tenant};
use crate::error::{DomainError, DomainResult};
use crate::ids::new_uuid;
use crate::tenancy::TenantScope;
use crate::values::TimeZone;

pub const TENANT_SLUG: &str = "attitudes-conseil";
/// The demo organizer's owner account.
pub const OWNER_EMAIL: &str = "owner@attitudes-conseil.example";

/// What was loaded, for the command line to print.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub tenant_slug: String,
    pub scope: TenantScope,
    pub stops: usize,
    pub sessions: usize,
    pub replaced: bool,
    pub owner_email: String,
    /// Generated at each load: the demo never ships a known password.
    pub owner_password: String,
}

/// True when the demo tenant exists.
pub async fn is_loaded(db: &DatabaseConnection) -> DomainResult<bool> {
    Ok(tenant::Entity::find().filter(tenant::Column::Slug.eq(TENANT_SLUG)).one(db).await?.is_some())
}

/// Loads the demo, replacing an existing demo tenant and everything it owns,
/// and gives its owner account a fresh password.
pub async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<DemoSummary> {
    let mut summary = crate::db::write(db, |txn| Box::pin(load_in(txn, now))).await?;
    let password = crate::access::accounts::generate_password();
    let member = crate::access::accounts::NewMember {
        email: OWNER_EMAIL.to_owned(),
        display_name: Some("Demo Owner".to_owned()),
        password: Some(password.clone()),
        role: crate::access::authz::Role::Owner,
    };
    let added = crate::access::accounts::add_member(db, summary.scope, member, now).await?;
    if !added.new_account {
        crate::access::accounts::set_password(db, added.user_id, &password, now).await?;
    }
    summary.owner_email = OWNER_EMAIL.to_owned();
    summary.owner_password = password;
    Ok(summary)
}

struct StopPlan {
    name: &'static str,
    /// The name in Arabic and in English.
    names: [&'static str; 2],
    region: &'static str,
    city: &'static str,
    venue: &'static str,
    address: &'static str,
    capacity: i32,
}

const STOPS: [StopPlan; 3] = [
    StopPlan {
        name: "Mini-forum de Béni Mellal",
        names: ["المنتدى المصغّر لبني ملال", "Béni Mellal mini-forum"],
        region: "Béni Mellal-Khénifra",
        city: "Béni Mellal",
        venue: "Chambre de commerce, d'industrie et de services",
        address: "Avenue Mohammed V, Béni Mellal",
        capacity: 180,
    },
    StopPlan {
        name: "Mini-forum de Marrakech",
        names: ["المنتدى المصغّر لمراكش", "Marrakech mini-forum"],
        region: "Marrakech-Safi",
        city: "Marrakech",
        venue: "Centre régional d'investissement Marrakech-Safi",
        address: "Avenue Mohammed VI, Marrakech",
        capacity: 300,
    },
    StopPlan {
        name: "Escale finale de Casablanca",
        names: ["المحطة الختامية بالدار البيضاء", "Casablanca final stop"],
        region: "Casablanca-Settat",
        city: "Casablanca",
        venue: "Office des foires et expositions de Casablanca",
        address: "Boulevard Sidi Mohammed Ben Abdellah, Casablanca",
        capacity: 600,
    },
];

struct SessionPlan {
    title: &'static str,
    /// The title in Arabic and in English.
    titles: [&'static str; 2],
    kind: session::Kind,
    topics: &'static [Topic],
    /// Minutes after the stop opens.
    offset: i64,
    minutes: i64,
    room: &'static str,
    capacity: Option<i32>,
    speakers: &'static [usize],
}

const SESSIONS: [SessionPlan; 4] = [
    SessionPlan {
        title: "Marketing digital : se rendre visible en ligne avec un petit budget",
        titles: [
            "التسويق الرقمي: الظهور على الإنترنت بميزانية صغيرة",
            "Digital marketing: being seen online on a small budget",
        ],
        kind: session::Kind::Workshop,
        topics: &[Topic::DigitalMarketing, Topic::DigitalTransformation],
        offset: 60,
        minutes: 90,
        room: "Salle A",
        capacity: Some(60),
        speakers: &[0, 1],
    },
    SessionPlan {
        title: "Éducation financière : élaborer le budget de sa TPE",
        titles: [
            "التربية المالية: إعداد ميزانية مقاولتك الصغيرة جدًا",
            "Financial education: drawing up your micro-business's budget",
        ],
        kind: session::Kind::Workshop,
        topics: &[Topic::FinancialEducation, Topic::Budgeting],
        offset: 60,
        minutes: 90,
        room: "Salle B",
        capacity: Some(50),
        speakers: &[2],
    },
    SessionPlan {
        title: "Relations avec les institutions financières : préparer son dossier de financement",
        titles: [
            "العلاقة مع المؤسسات المالية: إعداد ملف التمويل",
            "Working with financial institutions: preparing your funding application",
        ],
        kind: session::Kind::Meeting,
        topics: &[Topic::BankingRelations, Topic::FinancialEducation],
        offset: 180,
        minutes: 75,
        room: "Salle B",
        capacity: Some(40),
        speakers: &[3, 2],
    },
    SessionPlan {
        title: "Table ronde : la transformation digitale des TPE en régions",
        titles: [
            "مائدة مستديرة: التحول الرقمي للمقاولات الصغيرة جدًا في الجهات",
            "Round table: the digital transformation of micro-businesses in the regions",
        ],
        kind: session::Kind::Panel,
        topics: &[Topic::DigitalTransformation, Topic::DigitalMarketing],
        offset: 300,
        minutes: 60,
        room: "Grande salle",
        capacity: None,
        speakers: &[0, 3, 4],
    },
];

/// How to get in, in French, Arabic and English.
const DIRECTIONS: [&str; 3] = [
    "Accueil au rez-de-chaussée ; parking gratuit devant l'entrée.",
    "الاستقبال في الطابق الأرضي؛ موقف سيارات مجاني أمام المدخل.",
    "Reception on the ground floor; free parking at the entrance.",
];

/// The stored translations of some fields given in Arabic and English.
fn in_other_languages(fields: &[(&str, [&str; 2])]) -> Option<serde_json::Value> {
    let mut by_language = std::collections::BTreeMap::new();
    for (field, [ar, en]) in fields {
        for (locale, words) in [(crate::values::Locale::Ar, ar), (crate::values::Locale::En, en)] {
            by_language
                .entry(locale)
                .or_insert_with(std::collections::BTreeMap::new)
                .insert((*field).to_owned(), (*words).to_owned());
        }
    }
    crate::catalog::Translations::from_checked(by_language).to_json()
}

const SPEAKERS: [(&str, &str, &str); 5] = [
    ("Nadia El Idrissi", "Consultante en marketing digital", "Cabinet indépendant"),
    ("Karim Benjelloun", "Formateur en commerce en ligne", "Incubateur régional"),
    ("Salma Tazi", "Formatrice en éducation financière", "Association de micro-crédit"),
    ("Youssef Amrani", "Chargé d'affaires TPE", "Réseau bancaire"),
    ("Leïla Chraibi", "Experte en transformation numérique", "Attitudes Conseil"),
];

const PARTNERS: [(&str, partner::Kind, partnership::Tier); 6] = [
    ("BMCE Bank of Africa", partner::Kind::Bank, partnership::Tier::Principal),
    ("Orange", partner::Kind::Telecom, partnership::Tier::Official),
    ("Centres régionaux d'investissement", partner::Kind::PublicAgency, partnership::Tier::Institutional),
    ("Chambres d'agriculture", partner::Kind::Chamber, partnership::Tier::Institutional),
    ("OFPPT", partner::Kind::Training, partnership::Tier::Institutional),
    ("APEFE Wallonie-Bruxelles", partner::Kind::Cooperation, partnership::Tier::Supporter),
];

/// 09:00 to 17:00 local time on `date` in Casablanca, as UTC instants.
fn local_day(date: NaiveDate) -> DomainResult<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = TimeZone::CASABLANCA.tz();
    let at = |h: u32| {
        tz.from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| DomainError::internal(format!("no local time {h}:00 on {date}")))
    };
    Ok((at(9)?, at(17)?))
}

/// The first Saturday on or after `date`.
fn saturday_from(date: NaiveDate) -> NaiveDate {
    let ahead = (7 + Weekday::Sat.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date + Days::new(u64::from(ahead))
}

async fn load_in(txn: &impl ConnectionTrait, now: DateTime<Utc>) -> DomainResult<DemoSummary> {
    let previous = tenant::Entity::find().filter(tenant::Column::Slug.eq(TENANT_SLUG)).one(txn).await?;
    let replaced = previous.is_some();
    if let Some(old) = previous {
        // Every tenant-owned row cascades from the tenant.
        tenant::Entity::delete_by_id(old.id).exec(txn).await?;
    }
    let tenant_id = new_uuid();
    tenant::ActiveModel {
        id: Set(tenant_id),
        slug: Set(TENANT_SLUG.to_owned()),
        name: Set("Attitudes Conseil".to_owned()),
        default_locale: Set(crate::values::Locale::Fr),
        default_time_zone: Set(TimeZone::CASABLANCA),
        email_sender: Set(Some("forum-tpe@attitudes-conseil.example".to_owned())),
        email_sender_name: Set(Some("Forum international de la TPE".to_owned())),
        sms_sender_id: Set(Some("ForumTPE".to_owned())),
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
    .insert(txn)
    .await?;
    let scope = TenantScope::new(tenant_id.into());

    let series_id = new_uuid();
    series::ActiveModel {
        id: Set(series_id),
        tenant_id: Set(tenant_id),
        slug: Set("forum-tpe-regions".to_owned()),
        name: Set("Forum international de la TPE en régions".to_owned()),
        description: Set(Some(
            "Mini-forums régionaux et escale finale pour les TPE, micro-entrepreneurs, auto-entrepreneurs et \
             porteurs de projets : marketing digital, éducation financière, relations avec les institutions financières."
                .to_owned(),
        )),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;

    let mut speaker_ids = Vec::with_capacity(SPEAKERS.len());
    for (name, title, org) in SPEAKERS {
        let id = new_uuid();
        speaker::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant_id),
            full_name: Set(name.to_owned()),
            title: Set(Some(title.to_owned())),
            organization: Set(Some(org.to_owned())),
            bio: Set(None),
            email: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        speaker_ids.push(id);
    }
    let mut partner_ids = Vec::with_capacity(PARTNERS.len());
    for (name, kind, tier) in PARTNERS {
        let id = new_uuid();
        partner::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant_id),
            name: Set(name.to_owned()),
            kind: Set(kind),
            website: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        partner_ids.push((id, tier));
    }

    let history_dates = [
        NaiveDate::from_ymd_opt(2019, 4, 27),
        NaiveDate::from_ymd_opt(2019, 6, 29),
        NaiveDate::from_ymd_opt(2019, 11, 23),
    ];
    let today = now.date_naive();
    let next_dates = [45u64, 100, 160].map(|days| Some(saturday_from(today + Days::new(days))));
    let next_year = next_dates[0].map_or(today.year(), |d| d.year());

    let mut stops = 0;
    let mut sessions = 0;
    for (number, year, status, title, dates) in [
        (5, 2019, edition::Status::Archived, "5e édition (2019)", history_dates),
        (6, next_year, edition::Status::Published, "6e édition", next_dates),
    ] {
        let edition_id = new_uuid();
        edition::ActiveModel {
            id: Set(edition_id),
            tenant_id: Set(tenant_id),
            series_id: Set(series_id),
            number: Set(number),
            year: Set(year),
            title: Set(title.to_owned()),
            status: Set(status),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        for (partner_id, tier) in &partner_ids {
            partnership::ActiveModel {
                id: Set(new_uuid()),
                tenant_id: Set(tenant_id),
                partner_id: Set(*partner_id),
                edition_id: Set(Some(edition_id)),
                stop_id: Set(None),
                tier: Set(*tier),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
        for (plan, date) in STOPS.iter().zip(dates) {
            let date = date.ok_or(DomainError::internal("demo date out of range"))?;
            let (starts_at, ends_at) = local_day(date)?;
            let stop_id = new_uuid();
            stop::ActiveModel {
                id: Set(stop_id),
                tenant_id: Set(tenant_id),
                edition_id: Set(edition_id),
                name: Set(plan.name.to_owned()),
                region: Set(plan.region.to_owned()),
                city: Set(plan.city.to_owned()),
                venue: Set(plan.venue.to_owned()),
                address: Set(Some(plan.address.to_owned())),
                directions: Set(Some(DIRECTIONS[0].to_owned())),
                translations: Set(in_other_languages(&[
                    ("name", plan.names),
                    ("directions", [DIRECTIONS[1], DIRECTIONS[2]]),
                ])),
                time_zone: Set(TimeZone::CASABLANCA),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                capacity: Set(plan.capacity),
                confirmed_count: Set(0),
                waitlist_seq: Set(0),
                // Open two months ahead, and in any case already open for the next edition.
                registration_opens_at: Set(Some(
                    (starts_at - chrono::Duration::days(60)).min(now - chrono::Duration::hours(1)),
                )),
                registration_closes_at: Set(Some(starts_at - chrono::Duration::hours(12))),
                status: Set(stop::Status::Published),
                sequence: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            stops += 1;
            // The finale has the panel; the regional mini-forums have the workshops.
            let plans: &[SessionPlan] = if plan.city == "Casablanca" { &SESSIONS } else { &SESSIONS[..3] };
            for s in plans {
                let session_id = new_uuid();
                let s_start = starts_at + chrono::Duration::minutes(s.offset);
                session::ActiveModel {
                    id: Set(session_id),
                    tenant_id: Set(tenant_id),
                    stop_id: Set(stop_id),
                    kind: Set(s.kind),
                    title: Set(s.title.to_owned()),
                    description: Set(None),
                    topics: Set(Topic::list_to_json(s.topics)),
                    room: Set(Some(s.room.to_owned())),
                    translations: Set(in_other_languages(&[("title", s.titles)])),
                    starts_at: Set(s_start),
                    ends_at: Set(s_start + chrono::Duration::minutes(s.minutes)),
                    capacity: Set(s.capacity),
                    confirmed_count: Set(0),
                    waitlist_seq: Set(0),
                    language: Set(crate::values::Locale::Fr),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(txn)
                .await?;
                sessions += 1;
                for (position, speaker_index) in s.speakers.iter().enumerate() {
                    let speaker_id: Uuid = speaker_ids[*speaker_index];
                    session_speaker::ActiveModel {
                        id: Set(new_uuid()),
                        tenant_id: Set(tenant_id),
                        session_id: Set(session_id),
                        speaker_id: Set(speaker_id),
                        position: Set(i32::try_from(position).unwrap_or(0)),
                    }
                    .insert(txn)
                    .await?;
                }
            }
        }
    }
    Ok(DemoSummary {
        tenant_slug: TENANT_SLUG.to_owned(),
        scope,
        stops,
        sessions,
        replaced,
        owner_email: String::new(),
        owner_password: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturdays() {
        let thu = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        assert_eq!(saturday_from(thu), NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"));
        let sat = NaiveDate::from_ymd_opt(2026, 11, 28).expect("date");
        assert_eq!(saturday_from(sat), sat);
    }

    #[test]
    fn casablanca_final_stop_is_nine_local_eight_utc() {
        let (start, end) = local_day(NaiveDate::from_ymd_opt(2019, 11, 23).expect("date")).expect("valid");
        assert_eq!(start.to_rfc3339(), "2019-11-23T08:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2019-11-23T16:00:00+00:00");
    }
}
