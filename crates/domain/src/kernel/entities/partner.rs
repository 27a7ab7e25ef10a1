use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum Kind {
    #[sea_orm(string_value = "bank")]
    Bank,
    #[sea_orm(string_value = "telecom")]
    Telecom,
    #[sea_orm(string_value = "public_agency")]
    PublicAgency,
    #[sea_orm(string_value = "chamber")]
    Chamber,
    #[sea_orm(string_value = "training")]
    Training,
    #[sea_orm(string_value = "cooperation")]
    Cooperation,
    #[sea_orm(string_value = "media")]
    Media,
    #[sea_orm(string_value = "other")]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub kind: Kind,
    pub website: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
