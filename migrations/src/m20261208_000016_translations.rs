//! Organizer-entered words in the readers' languages: a stop's name and its
//! directions, a session's title and description, each given per language
//! (`{"ar": {"title": "…"}}`) beside the text typed first, which stays the
//! fallback. And a stop's directions (how to get to the venue), which it
//! lacked.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for (table, column) in [
            ("stop", text_null("directions").to_owned()),
            ("stop", json_binary_null("translations").to_owned()),
            ("session", json_binary_null("translations").to_owned()),
        ] {
            manager.alter_table(Table::alter().table(table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [("session", "translations"), ("stop", "translations"), ("stop", "directions")] {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
