use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub stop_id: Uuid,
    pub session_id: Option<Uuid>,
    pub participant_id: Uuid,
    pub registration_id: Option<Uuid>,
    pub topic: crate::values::Topic,
    pub body: String,
    pub created_at: DateTimeUtc,
}

super::plain_entity!();
