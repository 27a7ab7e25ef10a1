use sea_orm::entity::prelude::*;

pub use super::registration::Status;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session_seat")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub registration_id: Uuid,
    pub session_id: Uuid,
    pub status: Status,
    pub waitlist_position: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
