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
    /// Countries SMS may go to, as ISO 3166 codes separated by commas ("MA").
    pub sms_countries: String,
    /// SMS handed to providers in any 24 hours, for the whole tenant.
    pub sms_daily_cap: i32,
    /// SMS to one number in any 24 hours.
    pub sms_per_number_daily_cap: i32,
    /// The participant pages' accent colour (`#0b5d6b`); None: the default.
    pub accent_color: Option<String>,
    /// The logo as a data: URL (PNG, JPEG, WebP).
    pub logo: Option<String>,
    /// Origins that may frame the pages, separated by spaces.
    pub embed_origins: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

super::plain_entity!();
