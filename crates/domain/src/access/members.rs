//! An organizer's team: who belongs, with which role, and the changes owners
//! and admins make to it. Every change is audited and ends the member's
//! sessions at once, and an organizer always keeps an owner.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set, Statement,
};
use uuid::Uuid;

use crate::access::accounts::{self, MemberAdded, NewMember};
use crate::access::audit::{self, Entry};
use crate::access::authz::{Action, Actor, Role, role_name};
use crate::entities::{app_user, membership, user_session};
use crate::error::{ConflictCode, DomainError, DomainResult};
use crate::ids::UserId;
use crate::tenancy::TenantScope;

/// A member of the team, as the team's managers see them.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub since: DateTime<Utc>,
}

/// The team, owners first, then by email.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<Member>> {
    let scope = actor.require(Action::MembersManage)?;
    let rows = membership::Entity::find().filter(membership::Column::TenantId.eq(scope.uuid())).all(db).await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.user_id).collect();
    let users: std::collections::HashMap<Uuid, app_user::Model> = app_user::Entity::find()
        .filter(crate::db::is_any(db.get_database_backend(), app_user::Column::Id, &ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut members: Vec<Member> = rows
        .into_iter()
        .filter_map(|m| {
            users.get(&m.user_id).map(|u| Member {
                user_id: UserId(u.id),
                email: u.email.clone(),
                display_name: u.display_name.clone(),
                role: m.role,
                since: m.created_at,
            })
        })
        .collect();
    members.sort_by(|a, b| rank(&a.role).cmp(&rank(&b.role)).then_with(|| a.email.cmp(&b.email)));
    Ok(members)
}

fn rank(role: &Role) -> u8 {
    match role {
        Role::Owner => 0,
        Role::Admin => 1,
        Role::Staff => 2,
        Role::Checkin => 3,
    }
}

/// An admin manages the team below owners: they neither make owners nor
/// change or remove one. Owners (and the operator) may do both.
fn may_touch(actor: &Actor, current: Option<&Role>, wanted: Option<&Role>) -> DomainResult<()> {
    let is_owner = matches!(actor.role(), Some(Role::Owner));
    if !is_owner && (current == Some(&Role::Owner) || wanted == Some(&Role::Owner)) {
        return Err(DomainError::Forbidden(text!("owner-only")));
    }
    Ok(())
}

/// Adds a person to the team (creating their account when they have none).
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewMember,
    now: DateTime<Utc>,
) -> DomainResult<(MemberAdded, Member)> {
    let scope = actor.require(Action::MembersManage)?;
    may_touch(actor, None, Some(&new.role))?;
    let new_role = new.role.clone();
    let role = role_name(&new_role);
    // The account and the membership are written by `accounts` (with the
    // password hashed outside any transaction); the audit row follows.
    let added = accounts::add_member(db, scope, new, now).await?;
    audit::record(
        db,
        actor,
        "member.add",
        "user",
        Some(added.user_id.0),
        Some(serde_json::json!({ "role": role, "newAccount": added.new_account })),
        now,
    )
    .await?;
    let u =
        app_user::Entity::find_by_id(added.user_id.0).one(db).await?.ok_or_else(|| DomainError::not_found("member"))?;
    let member =
        Member { user_id: added.user_id, email: u.email, display_name: u.display_name, role: new_role, since: now };
    Ok((added, member))
}

/// Gives a member another role. Their sessions end: they sign in again
/// under the new role.
pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Actor,
    user: UserId,
    role: Role,
    now: DateTime<Utc>,
) -> DomainResult<Member> {
    let scope = actor.require(Action::MembersManage)?;
    audit::write(db, actor, now, |txn| {
        let (actor, role) = (actor.clone(), role.clone());
        Box::pin(async move {
            let current = locked_member(txn, scope, user).await?;
            may_touch(&actor, Some(&current.role), Some(&role))?;
            if current.role == Role::Owner && role != Role::Owner {
                keep_an_owner(txn, scope, "demoted").await?;
            }
            let details = serde_json::json!({ "from": role_name(&current.role), "to": role_name(&role) });
            let mut row = current.clone().into_active_model();
            row.role = Set(role.clone());
            row.update(txn).await?;
            end_sessions(txn, scope, user, now).await?;
            let member = describe(txn, user, role, current.created_at).await?;
            Ok((Entry::new("member.role", "user", user.0).details(details), member))
        })
    })
    .await
}

/// Removes a member from the team; their sessions end at once. Their account
/// stays (they may belong to other organizers).
pub async fn remove(db: &DatabaseConnection, actor: &Actor, user: UserId, now: DateTime<Utc>) -> DomainResult<()> {
    let scope = actor.require(Action::MembersManage)?;
    audit::write(db, actor, now, |txn| {
        let actor = actor.clone();
        Box::pin(async move {
            let current = locked_member(txn, scope, user).await?;
            may_touch(&actor, Some(&current.role), None)?;
            if current.role == Role::Owner {
                keep_an_owner(txn, scope, "removed").await?;
            }
            membership::Entity::delete_by_id(current.id).exec(txn).await?;
            end_sessions(txn, scope, user, now).await?;
            let details = serde_json::json!({ "role": role_name(&current.role) });
            Ok((Entry::new("member.remove", "user", user.0).details(details), ()))
        })
    })
    .await
}

/// The member's row, after taking the tenant's row lock on PostgreSQL: two
/// owners demoting each other at once are serialised, so the second one sees
/// the first's change and the organizer keeps an owner. (SQLite has one
/// writer at a time.)
async fn locked_member(txn: &DatabaseTransaction, scope: TenantScope, user: UserId) -> DomainResult<membership::Model> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM tenant WHERE id = $1 FOR UPDATE",
            [scope.uuid().into()],
        ))
        .await?;
    }
    membership::Entity::find()
        .filter(membership::Column::TenantId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(user.0))
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("member"))
}

async fn keep_an_owner(txn: &DatabaseTransaction, scope: TenantScope, verb: &str) -> DomainResult<()> {
    let owners = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(scope.uuid()))
        .filter(membership::Column::Role.eq(Role::Owner))
        .count(txn)
        .await?;
    if owners <= 1 {
        return Err(DomainError::conflict(ConflictCode::InvalidState, text!("last-owner", verb = verb)));
    }
    Ok(())
}

async fn end_sessions(
    txn: &DatabaseTransaction,
    scope: TenantScope,
    user: UserId,
    now: DateTime<Utc>,
) -> DomainResult<u64> {
    Ok(user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, Expr::val(now))
        .filter(user_session::Column::TenantId.eq(scope.uuid()))
        .filter(user_session::Column::UserId.eq(user.0))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected)
}

async fn describe(txn: &DatabaseTransaction, user: UserId, role: Role, since: DateTime<Utc>) -> DomainResult<Member> {
    let u: app_user::Model =
        app_user::Entity::find_by_id(user.0).one(txn).await?.ok_or_else(|| DomainError::not_found("member"))?;
    Ok(Member { user_id: user, email: u.email, display_name: u.display_name, role, since })
}

/// A member of this tenant by email, for the command line.
pub async fn by_email(db: &impl ConnectionTrait, scope: TenantScope, email: &str) -> DomainResult<UserId> {
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("member"))?;
    let id: Uuid = user.id;
    membership::Entity::find()
        .filter(membership::Column::TenantId.eq(scope.uuid()))
        .filter(membership::Column::UserId.eq(id))
        .one(db)
        .await?
        .map(|_| UserId(id))
        .ok_or_else(|| DomainError::not_found("member"))
}
