use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum Kind {
    #[sea_orm(string_value = "email_reminders")]
    EmailReminders,
    #[sea_orm(string_value = "sms_reminders")]
    SmsReminders,
    #[sea_orm(string_value = "partner_sharing")]
    PartnerSharing,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub participant_id: Uuid,
    pub kind: Kind,
    pub granted: bool,
    /// Where the decision was made: `registration`, `unsubscribe_link`, `sms_stop`…
    pub source: String,
    pub recorded_at: DateTimeUtc,
}

super::plain_entity!();
