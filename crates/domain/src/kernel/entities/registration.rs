use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub stop_id: Uuid,
    pub participant_id: Uuid,
    pub status: Status,
    pub waitlist_position: Option<i32>,
    pub ticket_code: String,
    /// Who made it: `public` (the participant), `organizer`, `import`.
    pub source: String,
    pub checked_in_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// The ticket code is a bearer credential: never in logs.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("registration::Model")
            .field("id", &self.id)
            .field("stop_id", &self.stop_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

super::plain_entity!();
