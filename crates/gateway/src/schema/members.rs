//! The team: list, add, change a role, remove (`members:manage`).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use escale_domain::access::accounts::NewMember;
use escale_domain::access::members::{self, Member as DomainMember};
use escale_domain::ids::UserId;
use escale_domain::tenancy::TenantScope;

use super::account::MemberRole;
use super::auth;
use crate::limits::Bucket;
use crate::{AppState, error, ids};

/// A member of the organizer's team.
#[derive(SimpleObject, Debug)]
pub struct Member {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: MemberRole,
    pub since: DateTime<Utc>,
}

impl Member {
    fn new(m: DomainMember, scope: TenantScope) -> Self {
        Member {
            id: ID(ids::encode("Member", scope.id(), m.user_id.0)),
            email: m.email,
            name: m.display_name,
            role: m.role.into(),
            since: m.since,
        }
    }
}

#[derive(InputObject, Debug)]
pub struct AddMemberInput {
    pub email: String,
    /// Their display name (defaults to the email's local part).
    pub name: Option<String>,
    /// Required when the person has no account yet; a person who already has
    /// one (with another organizer) keeps their password.
    pub password: Option<String>,
    pub role: MemberRole,
}

#[derive(Debug, Default)]
pub struct MembersQuery;

#[Object]
impl MembersQuery {
    /// The team, owners first (`members:manage`).
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Member>> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        let list = members::list(&state.db, actor).await.map_err(error::domain)?;
        Ok(list.into_iter().map(|m| Member::new(m, actor.scope)).collect())
    }
}

#[derive(Debug, Default)]
pub struct MembersMutation;

#[Object]
impl MembersMutation {
    /// Adds a person to the team. Only an owner may add an owner.
    async fn add_member(&self, ctx: &Context<'_>, input: AddMemberInput) -> Result<Member> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        auth::throttle(ctx, Bucket::TeamChangesPerMember, &auth::actor_key(actor)).await?;
        let new = NewMember {
            email: input.email,
            display_name: input.name,
            password: input.password,
            role: input.role.into(),
        };
        let (_, member) = members::add(&state.db, actor, new, Utc::now()).await.map_err(error::domain)?;
        Ok(Member::new(member, actor.scope))
    }

    /// Gives a member another role; their sessions end at once. The last owner
    /// cannot be demoted.
    async fn change_member_role(&self, ctx: &Context<'_>, id: ID, role: MemberRole) -> Result<Member> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        auth::throttle(ctx, Bucket::TeamChangesPerMember, &auth::actor_key(actor)).await?;
        let user = auth::own_id(&id, "Member", "id", "member", actor.scope)?;
        let m = members::change_role(&state.db, actor, UserId(user), role.into(), Utc::now())
            .await
            .map_err(error::domain)?;
        Ok(Member::new(m, actor.scope))
    }

    /// Removes a member from the team; their sessions end at once. The last
    /// owner cannot be removed.
    async fn remove_member(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let actor = auth::actor(ctx).await?;
        auth::throttle(ctx, Bucket::TeamChangesPerMember, &auth::actor_key(actor)).await?;
        let user = auth::own_id(&id, "Member", "id", "member", actor.scope)?;
        members::remove(&state.db, actor, UserId(user), Utc::now()).await.map_err(error::domain)?;
        Ok(true)
    }
}
