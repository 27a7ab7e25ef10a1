use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stop")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub edition_id: Uuid,
    pub name: String,
    pub region: String,
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    /// How to get to the venue (parking, entrance, transport).
    pub directions: Option<String>,
    /// The organizer's words in other languages (see `catalog::Translations`).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub translations: Option<Json>,
    pub time_zone: crate::values::TimeZone,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    pub confirmed_count: i32,
    pub waitlist_seq: i32,
    pub registration_opens_at: Option<DateTimeUtc>,
    pub registration_closes_at: Option<DateTimeUtc>,
    pub status: Status,
    /// Changes participants were told of (see migration 14): the `.ics` SEQUENCE.
    pub sequence: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
