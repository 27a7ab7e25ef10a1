//! An organizer's look on the participant pages (an accent colour, a logo)
//! and the origins of its own websites that may frame the pages (an
//! `<iframe>` of a stop's page on the organizer's site).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            string_len_null("accent_color", 7).to_owned(),
            // A data: URL (PNG, JPEG, WebP), at most 64 KiB: the pages load
            // nothing from another origin, so the logo lives with the tenant.
            text_null("logo").to_owned(),
            // Origins separated by spaces (`https://www.example.ma`).
            string_len_null("embed_origins", 2000).to_owned(),
        ] {
            manager.alter_table(Table::alter().table("tenant").add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["embed_origins", "logo", "accent_color"] {
            manager.alter_table(Table::alter().table("tenant").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
