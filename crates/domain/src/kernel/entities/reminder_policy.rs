use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_policy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub edition_id: Option<Uuid>,
    pub stop_id: Option<Uuid>,
    #[sea_orm(column_type = "JsonBinary")]
    pub offsets: Json,
    pub quiet_start_minute: Option<i32>,
    pub quiet_end_minute: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
