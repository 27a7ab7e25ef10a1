//! Who may do what: the role matrix, in one place.
//!
//! Every organizer operation names an [`Action`]; an [`Actor`] (a person
//! logged in for one tenant, or later an API key) is checked against the matrix
//! before the operation runs. The matrix is documented in `docs/ROLES.md` and
//! tested cell by cell.

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
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::CatalogRead,
        Action::CatalogWrite,
        Action::CatalogPublish,
        Action::RegistrationsRead,
        Action::RegistrationsManage,
        Action::CheckIn,
        Action::AuditRead,
        Action::ApiKeysManage,
        Action::MembersManage,
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
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The matrix. Owners can do everything; admins everything but their team and
/// the audit log; staff run the catalog and registrations day to day but do not
/// publish; check-in staff read the catalog and scan tickets.
pub fn allows(role: &Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Owner => true,
        Role::Admin => !matches!(action, MembersManage | AuditRead),
        Role::Staff => matches!(action, CatalogRead | CatalogWrite | RegistrationsRead | RegistrationsManage | CheckIn),
        Role::Checkin => matches!(action, CatalogRead | CheckIn),
    }
}

/// Who is acting, for which tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub scope: TenantScope,
    pub user_id: UserId,
    pub role: Role,
}

impl Actor {
    /// The scope to use for this action, or FORBIDDEN.
    pub fn require(&self, action: Action) -> DomainResult<TenantScope> {
        if allows(&self.role, action) {
            Ok(self.scope)
        } else {
            Err(DomainError::Forbidden(format!("your role ({}) does not allow {action}", role_name(&self.role))))
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
        _ => Err(DomainError::validation("role", "must be one of owner, admin, staff, checkin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, cell by cell, as documented in docs/ROLES.md.
    #[test]
    fn the_role_matrix() {
        use Action::*;
        let expected: [(Action, [bool; 4]); 9] = [
            //                     owner  admin  staff  checkin
            (CatalogRead, [true, true, true, true]),
            (CatalogWrite, [true, true, true, false]),
            (CatalogPublish, [true, true, false, false]),
            (RegistrationsRead, [true, true, true, false]),
            (RegistrationsManage, [true, true, true, false]),
            (CheckIn, [true, true, true, true]),
            (AuditRead, [true, false, false, false]),
            (ApiKeysManage, [true, true, false, false]),
            (MembersManage, [true, false, false, false]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, cells) in expected {
            for (role, allowed) in [Role::Owner, Role::Admin, Role::Staff, Role::Checkin].iter().zip(cells) {
                assert_eq!(allows(role, action), allowed, "{} × {action}", role_name(role));
            }
        }
    }
}
