use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Tier {
    #[sea_orm(string_value = "principal")]
    Principal,
    #[sea_orm(string_value = "official")]
    Official,
    #[sea_orm(string_value = "institutional")]
    Institutional,
    #[sea_orm(string_value = "media")]
    Media,
    #[sea_orm(string_value = "supporter")]
    Supporter,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partnership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub partner_id: Uuid,
    pub edition_id: Option<Uuid>,
    pub stop_id: Option<Uuid>,
    pub tier: Tier,
    pub created_at: DateTimeUtc,
}

super::plain_entity!();
