//! The viewer (who am I, in which organizers, with which role) and the audit log.

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use escale_domain::access::audit;
use escale_domain::access::authz::Role;

use crate::ids;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "Role")]
pub enum MemberRole {
    Owner,
    Admin,
    Staff,
    Checkin,
}

impl From<&Role> for MemberRole {
    fn from(r: &Role) -> Self {
        r.clone().into()
    }
}

/// An organizer the viewer belongs to.
#[derive(SimpleObject, Debug)]
pub struct Membership {
    pub tenant_slug: String,
    pub tenant_name: String,
    pub role: MemberRole,
    /// True for the organizer the current token acts for.
    pub current: bool,
}

/// The person behind the token.
#[derive(SimpleObject, Debug)]
pub struct Viewer {
    pub email: String,
    pub name: String,
    /// The organizer this token acts for.
    pub tenant_slug: String,
    pub role: MemberRole,
    /// Every organizer this person belongs to.
    pub memberships: Vec<Membership>,
}

/// One organizer action, as recorded.
pub struct AuditEntry {
    pub m: audit::Recorded,
}

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        ID(ids::encode("AuditEntry", self.m.tenant, self.m.id))
    }
    /// e.g. `stop.reschedule`, `edition.clone`.
    async fn action(&self) -> &str {
        &self.m.action
    }
    async fn object_type(&self) -> &str {
        &self.m.object_type
    }
    /// The global id of the object acted on, when it has one.
    async fn object_id(&self) -> Option<ID> {
        let kind = match self.m.object_type.as_str() {
            "series" => "Series",
            "edition" => "Edition",
            "stop" => "Stop",
            "session" => "Session",
            "speaker" => "Speaker",
            "partner" => "Partner",
            "partnership" => "Partnership",
            "api_key" => "ApiKey",
            "user" => "Member",
            _ => return None,
        };
        self.m.object_id.map(|id| ID(ids::encode(kind, self.m.tenant, id)))
    }
    /// The API key that acted, for an integration's changes.
    async fn actor_api_key_id(&self) -> Option<ID> {
        self.m.actor_api_key_id.map(|k| ID(ids::encode("ApiKey", self.m.tenant, k)))
    }
    /// The member who acted (their user id); null for integrations.
    async fn actor_user_id(&self) -> Option<String> {
        self.m.actor_user_id.map(|u| u.to_string())
    }
    async fn at(&self) -> DateTime<Utc> {
        self.m.at
    }
    /// What changed (field names, old and new dates…), as JSON.
    async fn details(&self) -> Option<async_graphql::Json<serde_json::Value>> {
        self.m.details.clone().map(async_graphql::Json)
    }
}
