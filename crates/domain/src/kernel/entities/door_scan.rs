use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Outcome {
    /// The scan let the person in, first.
    #[sea_orm(string_value = "admitted")]
    Admitted,
    /// An offline door let in someone another door had already let in.
    #[sea_orm(string_value = "conflict")]
    Conflict,
    /// An offline door let in someone the organizer's list no longer admits.
    #[sea_orm(string_value = "refused")]
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "door_scan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub stop_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub scan_key: String,
    pub door: String,
    pub outcome: Outcome,
    pub offline: bool,
    pub scanned_at: DateTimeUtc,
    pub synced_at: DateTimeUtc,
}

super::plain_entity!();
