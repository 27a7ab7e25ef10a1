//! Participants beyond registering: their questions, their consents, and what
//! the organizer's team and the speakers see of them.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use escale_domain::ids::TenantId;
use escale_domain::registration::participants::{self, ConsentKind, History, NewQuestion};
use escale_domain::tenancy::TenantScope;
use escale_domain::text;
use escale_domain::{DomainError, catalog};

use super::auth;
use super::objects::Topic;
use super::public::RegistrationStatus;
use crate::limits::Bucket;
use crate::{AppState, error, ids};

/// A question asked in advance.
#[derive(SimpleObject)]
pub struct Question {
    pub id: ID,
    pub topic: Topic,
    pub body: String,
    /// The workshop it is for, if any.
    pub session_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

impl From<escale_domain::registration::Question> for Question {
    fn from(q: escale_domain::registration::Question) -> Self {
        Question {
            id: ID(ids::encode("Question", q.tenant, q.id.0)),
            topic: q.topic.into(),
            body: q.body,
            session_id: q.session_id.map(|s| ID(ids::encode("Session", q.tenant, s.0))),
            created_at: q.created_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct TopicCount {
    pub topic: Topic,
    pub count: i64,
}

pub fn topic_counts(counts: Vec<(catalog::Topic, i64)>) -> Vec<TopicCount> {
    counts.into_iter().map(|(t, count)| TopicCount { topic: t.into(), count }).collect()
}

#[derive(InputObject)]
pub struct QuestionInput {
    pub topic: Topic,
    /// Up to 1000 characters.
    pub body: String,
    /// A workshop of the same stop, when the question is for it.
    pub session_id: Option<ID>,
}

impl QuestionInput {
    /// The domain's form; the session must belong to `tenant` (else NOT_FOUND).
    pub fn into_domain(self, tenant: TenantId) -> Result<NewQuestion> {
        let session_id = match &self.session_id {
            Some(raw) => {
                let g = ids::decode(raw, "Session").map_err(|e| error::bad_id("sessionId", "session", &e))?;
                if g.tenant != tenant {
                    return Err(error::domain(DomainError::not_found("session")));
                }
                Some(g.id)
            }
            None => None,
        };
        Ok(NewQuestion { topic: catalog::Topic::from(self.topic).as_str().to_owned(), body: self.body, session_id })
    }
}

#[derive(InputObject)]
pub struct AskQuestionInput {
    /// The participant's entry code.
    pub ticket_code: String,
    pub question: QuestionInput,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "ConsentKind")]
pub enum Consent {
    /// Reminders by email (confirmations are part of registering and still go).
    EmailReminders,
    /// Every SMS.
    SmsReminders,
    /// Sharing name and contact with the stop's partners.
    PartnerSharing,
}

/// Whose consent, in one of two ways.
#[derive(InputObject)]
pub struct WithdrawConsentInput {
    pub consent: Consent,
    /// The participant's entry code…
    pub ticket_code: Option<String>,
    /// …or the participant id and signature of an unsubscribe link.
    pub participant_id: Option<ID>,
    pub signature: Option<String>,
}

/// The consents in force, with when they were given.
#[derive(SimpleObject)]
pub struct Consents {
    pub email_reminders_since: Option<DateTime<Utc>>,
    pub sms_reminders_since: Option<DateTime<Utc>>,
    pub partner_sharing_since: Option<DateTime<Utc>>,
}

impl From<escale_domain::registration::ConsentsGiven> for Consents {
    fn from(c: escale_domain::registration::ConsentsGiven) -> Self {
        Consents {
            email_reminders_since: c.email_reminders,
            sms_reminders_since: c.sms_reminders,
            partner_sharing_since: c.partner_sharing,
        }
    }
}

#[derive(Debug, Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// A participant asks a question with their entry code, until the stop
    /// ends. Organizers and the session's speakers will see it.
    async fn ask_question(&self, ctx: &Context<'_>, input: AskQuestionInput) -> Result<Question> {
        let state = ctx.data::<AppState>()?;
        auth::throttle_address(ctx, Bucket::PublicPerAddress).await?;
        let reg = escale_domain::registration::tickets::find_by_ticket(&state.db, &input.ticket_code)
            .await
            .map_err(error::domain)?;
        let q = input.question.into_domain(reg.tenant)?;
        let saved = participants::ask(&state.db, &input.ticket_code, &q, Utc::now()).await.map_err(error::domain)?;
        Ok(Question::from(saved))
    }

    /// Withdraws a consent, effective at once: messages planned under it are
    /// suppressed now and nothing new is sent under it. Harmless to repeat.
    async fn withdraw_consent(&self, ctx: &Context<'_>, input: WithdrawConsentInput) -> Result<Consents> {
        let state = ctx.data::<AppState>()?;
        auth::throttle_address(ctx, Bucket::PublicPerAddress).await?;
        let now = Utc::now();
        let kind = input.consent.into();
        let person = match (&input.ticket_code, &input.participant_id, &input.signature) {
            (Some(code), None, None) => participants::withdraw_consent(&state.db, code, kind, now).await,
            (None, Some(id), Some(sig)) => {
                let g =
                    ids::decode(id, "Participant").map_err(|e| error::bad_id("participantId", "participant", &e))?;
                participants::withdraw_consent_by_link(&state.db, TenantScope::new(g.tenant), g.id, sig, kind, now)
                    .await
            }
            _ => Err(DomainError::validation("ticketCode", text!("ticket-or-unsubscribe-link"))),
        }
        .map_err(error::domain)?;
        Ok(Consents::from(person.consents))
    }

    /// The signature of the link that shows a session's questions to its
    /// speakers (`speakerQuestions(sessionId, signature)`), for organizers
    /// who edit the catalog.
    async fn speaker_link(&self, ctx: &Context<'_>, session_id: ID) -> Result<String> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        let id = auth::own_id(&session_id, "Session", "sessionId", "session", actor.scope)?;
        participants::speaker_link_signature(&state.db, actor, id, Utc::now()).await.map_err(error::domain)
    }

    /// The address of the page where a session's speakers read its questions
    /// (by topic, without names): give it to them; it needs no account.
    /// Null when this gateway does not know its public address
    /// (`ESCALE_PUBLIC_URL`).
    async fn speaker_url(&self, ctx: &Context<'_>, session_id: ID) -> Result<Option<String>> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        let id = auth::own_id(&session_id, "Session", "sessionId", "session", actor.scope)?;
        let path = participants::speaker_page_path(&state.db, actor, id, Utc::now()).await.map_err(error::domain)?;
        Ok(state.public_url.as_ref().and_then(|base| base.join(&path).ok()).map(|u| u.to_string()))
    }
}

/// One registration in a participant's history.
#[derive(SimpleObject)]
pub struct HistoryEntry {
    pub registration_id: ID,
    pub stop_id: ID,
    pub stop_name: String,
    pub city: String,
    pub starts_at: DateTime<Utc>,
    pub status: RegistrationStatus,
    pub ticket_code: String,
    pub registered_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// A participant as the organizer's team sees them.
#[derive(SimpleObject)]
pub struct ParticipantRecord {
    pub id: ID,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: String,
    pub segment: Option<String>,
    pub sector: Option<String>,
    pub company: Option<String>,
    pub region: Option<String>,
    pub consents: Consents,
    /// Every registration, across stops and editions, newest first.
    pub registrations: Vec<HistoryEntry>,
}

impl From<History> for ParticipantRecord {
    fn from(h: History) -> Self {
        let p = h.participant;
        let tenant = p.tenant;
        ParticipantRecord {
            id: ID(ids::encode("Participant", tenant, p.id.0)),
            consents: Consents::from(p.consents),
            full_name: p.full_name,
            email: p.email,
            phone: p.phone,
            locale: p.locale.to_string(),
            segment: p.segment.map(|s| format!("{s:?}")),
            sector: p.sector,
            company: p.company,
            region: p.region,
            registrations: h
                .registrations
                .into_iter()
                .map(|h| HistoryEntry {
                    registration_id: ID(ids::encode("Registration", tenant, h.registration.id.0)),
                    stop_id: ID(ids::encode("Stop", tenant, h.stop.id.0)),
                    ticket_code: h.registration.display_code(),
                    stop_name: h.stop.name,
                    city: h.stop.city,
                    starts_at: h.stop.starts_at,
                    status: h.registration.status.into(),
                    registered_at: h.registration.created_at,
                    checked_in_at: h.registration.checked_in_at,
                    cancelled_at: h.registration.cancelled_at,
                })
                .collect(),
        }
    }
}

/// A session's questions as its speakers see them: no names.
#[derive(SimpleObject)]
pub struct SpeakerQuestions {
    pub session_title: String,
    pub questions: Vec<Question>,
    pub counts: Vec<TopicCount>,
}

#[derive(Debug, Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// A participant found by email, phone number (as typed) or ticket code,
    /// with their history across stops and editions (`registrations:read`).
    async fn participant(&self, ctx: &Context<'_>, contact: String) -> Result<ParticipantRecord> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        let h = participants::find_person(&state.db, actor, &contact).await.map_err(error::domain)?;
        Ok(h.into())
    }

    /// What a session's speakers read, through the link organizers give them.
    async fn speaker_questions(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        signature: String,
    ) -> Result<SpeakerQuestions> {
        let state = ctx.data::<AppState>()?;
        auth::throttle_address(ctx, Bucket::PublicPerAddress).await?;
        let g = ids::decode(&session_id, "Session").map_err(|e| error::bad_id("sessionId", "session", &e))?;
        let scope = TenantScope::new(g.tenant);
        let (session, qs) = participants::questions_for_speakers(&state.db, scope, g.id, &signature, Utc::now())
            .await
            .map_err(error::domain)?;
        let counts = escale_domain::registration::count_by_topic(qs.iter().map(|q| &q.topic));
        Ok(SpeakerQuestions {
            session_title: session.title,
            questions: qs.into_iter().map(Question::from).collect(),
            counts: topic_counts(counts),
        })
    }
}
