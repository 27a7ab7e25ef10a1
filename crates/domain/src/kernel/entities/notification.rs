use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    /// Planned; due at `scheduled_at`.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Written by earlier versions, whose claims changed the status; today a
    /// claim is a lease (`queued_at` on a `pending` row, see `outbox`), and
    /// rows still `queued` from before an upgrade are treated as claimed.
    #[sea_orm(string_value = "queued")]
    Queued,
    /// A sender is talking to the provider right now.
    #[sea_orm(string_value = "sending")]
    Sending,
    /// The provider accepted it.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// The provider's receipt says the handset or mailbox got it.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    #[sea_orm(string_value = "failed")]
    Failed,
    /// No longer wanted (registration cancelled, plan changed).
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// Not sent because consent was withdrawn or the address opted out.
    #[sea_orm(string_value = "suppressed")]
    Suppressed,
}

impl Status {
    /// Final states: nothing will ever send this row again.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Sent | Status::Delivered | Status::Failed | Status::Cancelled | Status::Suppressed)
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub participant_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub template_key: crate::values::TemplateKey,
    pub channel: crate::values::Channel,
    pub locale: crate::values::Locale,
    pub scheduled_at: DateTimeUtc,
    pub status: Status,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub provider_message_id: Option<String>,
    pub sms_segments: Option<i32>,
    pub idempotency_key: String,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub payload: Option<Json>,
    pub recipient: Option<String>,
    pub queued_at: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    /// The `x-request-id` of the request that planned it, for joining logs.
    pub request_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
