//! One catalog row of this tenant by id, or NOT_FOUND — also for another
//! tenant's id, so existence never leaks.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{edition, partner, partnership, series, session, speaker, stop};
use crate::error::{DomainError, DomainResult};
use crate::tenancy::TenantScope;

macro_rules! find_scoped {
    ($fn:ident, $entity:ident, $name:literal) => {
        /// One row of this tenant, or NOT_FOUND (also for another tenant's id).
        pub(crate) async fn $fn(
            db: &impl ConnectionTrait,
            scope: TenantScope,
            id: Uuid,
        ) -> DomainResult<$entity::Model> {
            $entity::Entity::find_by_id(id)
                .filter($entity::Column::TenantId.eq(scope.uuid()))
                .one(db)
                .await?
                .ok_or(DomainError::not_found($name))
        }
    };
}

find_scoped!(find_series, series, "series");
find_scoped!(find_edition, edition, "edition");
find_scoped!(find_stop, stop, "stop");
find_scoped!(find_session, session, "session");
find_scoped!(find_speaker, speaker, "speaker");
find_scoped!(find_partner, partner, "partner");
find_scoped!(find_partnership, partnership, "partnership");

macro_rules! read_scoped {
    ($fn:ident, $find:ident, $view:ident) => {
        /// One of this tenant's, as its readers see it, or NOT_FOUND (also for
        /// another tenant's id).
        pub async fn $fn(db: &impl ConnectionTrait, scope: TenantScope, id: Uuid) -> DomainResult<super::views::$view> {
            $find(db, scope, id).await.map(Into::into)
        }
    };
}

read_scoped!(one_series, find_series, Series);
read_scoped!(one_edition, find_edition, Edition);
read_scoped!(one_stop, find_stop, Stop);
read_scoped!(one_session, find_session, Session);
read_scoped!(one_speaker, find_speaker, Speaker);
read_scoped!(one_partner, find_partner, Partner);
