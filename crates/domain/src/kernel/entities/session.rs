use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Kind {
    #[sea_orm(string_value = "workshop")]
    Workshop,
    #[sea_orm(string_value = "talk")]
    Talk,
    #[sea_orm(string_value = "panel")]
    Panel,
    #[sea_orm(string_value = "meeting")]
    Meeting,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub stop_id: Uuid,
    pub kind: Kind,
    pub title: String,
    pub description: Option<String>,
    /// A JSON array of topic names (see `crate::values::Topic`).
    #[sea_orm(column_type = "JsonBinary")]
    pub topics: Json,
    pub room: Option<String>,
    /// The organizer's words in other languages (see `catalog::Translations`).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub translations: Option<Json>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: Option<i32>,
    pub confirmed_count: i32,
    pub waitlist_seq: i32,
    pub language: crate::values::Locale,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
