use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub partner_id: Option<Uuid>,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub scopes: Json,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("api_key::Model").field("id", &self.id).field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

super::plain_entity!();
