//! Who may do what: the role matrix, in one place.
//!
//! Every organizer operation names an [`Action`]; an [`Actor`] (a person
//! logged in for one tenant, or an API key) is checked against the matrix
//! before the operation runs. The matrix is documented in `docs/ROLES.md` and
//! tested cell by cell.

use escale_i18n::text;
use std::fmt;

pub use crate::entities::membership::Role;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::tenancy::TenantScope;

/// Something an organizer can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the catalog, including drafts (series, editions, stops, sessions,
    /// speakers, partners).
    CatalogRead,
    /// Create and edit series, editions, stops, sessions, speakers, partners.
    CatalogWrite,
    /// Publish or archive editions and stops, reschedule, change capacity, clone
    /// an edition: what participants see and what their messages say.
    CatalogPublish,
    /// See registrations and participants' contact details.
    RegistrationsRead,
    /// Register, cancel or move participants on their behalf.
    RegistrationsManage,
    /// Scan tickets at the door.
    CheckIn,
    /// Read the audit log.
    AuditRead,
    /// Create and revoke API keys.
    ApiKeysManage,
    /// Add and remove members of the organizer's team.
    MembersManage,
    /// The organizer's settings that cost money or reach people: where SMS may
    /// go and how many a day.
    SettingsManage,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::CatalogRead,
        Action::CatalogWrite,
        Action::CatalogPublish,
        Action::RegistrationsRead,
        Action::RegistrationsManage,
        Action::CheckIn,
        Action::AuditRead,
        Action::ApiKeysManage,
        Action::MembersManage,
        Action::SettingsManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::CatalogRead => "catalog:read",
            Action::CatalogWrite => "catalog:write",
            Action::CatalogPublish => "catalog:publish",
            Action::RegistrationsRead => "registrations:read",
            Action::RegistrationsManage => "registrations:manage",
            Action::CheckIn => "checkin",
            Action::AuditRead => "audit:read",
            Action::ApiKeysManage => "apikeys:manage",
            Action::MembersManage => "members:manage",
            Action::SettingsManage => "settings:manage",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The matrix. Owners can do everything; admins everything but the audit log
/// (they manage the team below owners: `members::may_touch`); staff run the catalog and registrations day to day but do not
/// publish; check-in staff read the catalog and scan tickets.
pub fn allows(role: &Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Owner => true,
        Role::Admin => !matches!(action, AuditRead),
        Role::Staff => matches!(action, CatalogRead | CatalogWrite | RegistrationsRead | RegistrationsManage | CheckIn),
        Role::Checkin => matches!(action, CatalogRead | CheckIn),
    }
}

/// Who is acting, for which tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub scope: TenantScope,
    pub principal: Principal,
}

/// A member of the organizer's team (logged in), or an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Member {
        user_id: UserId,
        role: Role,
    },
    Key(KeyGrant),
    /// The platform's operator, at the server's command line (`escale
    /// member …`): an owner's rights in the tenant, audited with neither a
    /// person nor a key.
    Operator,
}

/// What an API key may do: its scopes, and the partner it was issued to (None:
/// the organizer's own integration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGrant {
    pub key_id: uuid::Uuid,
    pub partner_id: Option<uuid::Uuid>,
    pub scopes: Vec<Scope>,
}

/// What an API key is allowed: the partner scopes, or an organizer action for
/// the organizer's own integrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The agenda of the partnered stops (sessions, speakers, venue).
    AgendaRead,
    /// Aggregates of the partnered stops (counts, breakdowns, question topics).
    StatsRead,
    /// Contacts of participants who consented to share them with partners.
    LeadsRead,
    /// An organizer action (`catalog:read`, `registrations:read`, …).
    Organizer(Action),
}

impl Scope {
    pub const PARTNER: [Scope; 3] = [Scope::AgendaRead, Scope::StatsRead, Scope::LeadsRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::AgendaRead => "agenda:read",
            Scope::StatsRead => "stats:read",
            Scope::LeadsRead => "leads:read",
            Scope::Organizer(action) => action.as_str(),
        }
    }

    pub fn parse(raw: &str) -> DomainResult<Scope> {
        let raw = raw.trim();
        Scope::PARTNER
            .into_iter()
            .chain(Action::ALL.into_iter().map(Scope::Organizer))
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| DomainError::validation("scopes", text!("scope-unknown", scope = raw)))
    }

    pub fn is_partner(self) -> bool {
        !matches!(self, Scope::Organizer(_))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Actor {
    pub fn member(scope: TenantScope, user_id: UserId, role: Role) -> Self {
        Self { scope, principal: Principal::Member { user_id, role } }
    }

    pub fn operator(scope: TenantScope) -> Self {
        Self { scope, principal: Principal::Operator }
    }

    /// The scope to use for this action, or FORBIDDEN.
    pub fn require(&self, action: Action) -> DomainResult<TenantScope> {
        match &self.principal {
            Principal::Operator => Ok(self.scope),
            Principal::Member { role, .. } if allows(role, action) => Ok(self.scope),
            Principal::Member { role, .. } => {
                Err(DomainError::Forbidden(text!("role-forbids", role = role_name(role), action = action.as_str())))
            }
            Principal::Key(grant) if grant.scopes.contains(&Scope::Organizer(action)) => Ok(self.scope),
            Principal::Key(_) => Err(DomainError::Forbidden(text!("key-lacks-scope", scope = action.as_str()))),
        }
    }

    /// The partner grant of a partner's API key, or FORBIDDEN.
    pub fn partner(&self) -> DomainResult<(TenantScope, uuid::Uuid, &KeyGrant)> {
        match &self.principal {
            Principal::Key(grant) => match grant.partner_id {
                Some(partner) => Ok((self.scope, partner, grant)),
                None => Err(DomainError::Forbidden(text!("key-not-partner"))),
            },
            Principal::Member { .. } | Principal::Operator => {
                Err(DomainError::Forbidden(text!("partner-api-needs-key")))
            }
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::Member { user_id, .. } => Some(*user_id),
            Principal::Key(_) | Principal::Operator => None,
        }
    }

    pub fn key_id(&self) -> Option<uuid::Uuid> {
        match &self.principal {
            Principal::Key(grant) => Some(grant.key_id),
            Principal::Member { .. } | Principal::Operator => None,
        }
    }

    /// The team role, for a person (None for a key; owner for the operator).
    pub fn role(&self) -> Option<&Role> {
        match &self.principal {
            Principal::Member { role, .. } => Some(role),
            Principal::Operator => Some(&Role::Owner),
            Principal::Key(_) => None,
        }
    }
}

pub fn role_name(role: &Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Staff => "staff",
        Role::Checkin => "checkin",
    }
}

pub fn parse_role(raw: &str) -> DomainResult<Role> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "owner" => Ok(Role::Owner),
        "admin" => Ok(Role::Admin),
        "staff" => Ok(Role::Staff),
        "checkin" | "check-in" => Ok(Role::Checkin),
        _ => Err(DomainError::validation("role", text!("field-one-of", values = "owner, admin, staff, checkin"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, cell by cell, as documented in docs/ROLES.md.
    #[test]
    fn the_role_matrix() {
        use Action::*;
        let expected: [(Action, [bool; 4]); 10] = [
            //                     owner  admin  staff  checkin
            (CatalogRead, [true, true, true, true]),
            (CatalogWrite, [true, true, true, false]),
            (CatalogPublish, [true, true, false, false]),
            (RegistrationsRead, [true, true, true, false]),
            (RegistrationsManage, [true, true, true, false]),
            (CheckIn, [true, true, true, true]),
            (AuditRead, [true, false, false, false]),
            (ApiKeysManage, [true, true, false, false]),
            (MembersManage, [true, true, false, false]),
            (SettingsManage, [true, true, false, false]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, cells) in expected {
            for (role, allowed) in [Role::Owner, Role::Admin, Role::Staff, Role::Checkin].iter().zip(cells) {
                assert_eq!(allows(role, action), allowed, "{} × {action}", role_name(role));
            }
        }
    }
}
