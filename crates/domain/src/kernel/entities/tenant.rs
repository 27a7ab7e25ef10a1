use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub default_locale: crate::values::Locale,
    pub default_time_zone: crate::values::TimeZone,
    pub email_sender: Option<String>,
    pub email_sender_name: Option<String>,
    pub sms_sender_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
