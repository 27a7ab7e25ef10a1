use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub api_key_id: Uuid,
    pub operation: Option<String>,
    pub objects_returned: i32,
    pub leads_returned: i32,
    pub outcome: String,
    pub duration_ms: i32,
    pub created_at: DateTimeUtc,
}

super::plain_entity!();
