use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum Segment {
    #[sea_orm(string_value = "tpe")]
    Tpe,
    #[sea_orm(string_value = "micro_enterprise")]
    MicroEnterprise,
    #[sea_orm(string_value = "auto_entrepreneur")]
    AutoEntrepreneur,
    #[sea_orm(string_value = "project_holder")]
    ProjectHolder,
    #[sea_orm(string_value = "other")]
    Other,
}

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: crate::values::Locale,
    pub segment: Option<Segment>,
    pub sector: Option<String>,
    pub company: Option<String>,
    pub region: Option<String>,
    pub consent_email_at: Option<DateTimeUtc>,
    pub consent_sms_at: Option<DateTimeUtc>,
    pub consent_partners_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Personal data never reaches a log through `{:?}`.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("participant::Model")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

super::plain_entity!();
