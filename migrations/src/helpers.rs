//! Building blocks shared by the migrations, so every tenant-owned table is
//! declared the same way.
//!
//! Tenant isolation is also held by the database: a child row refers to its
//! parent through a composite foreign key `(tenant_id, parent_id)` →
//! `parent(tenant_id, id)`, so a registration can never point at another
//! tenant's stop, whatever the application code does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Starts a tenant-owned table: UUIDv7 primary key, `tenant_id` referencing the
/// tenant (rows go when the tenant goes), and the `(tenant_id, id)` unique key
/// that children's composite foreign keys point at.
pub fn tenant_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(pk_uuid("id"))
        .col(uuid("tenant_id"))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_tenant"))
                .from_tbl(name)
                .from_col("tenant_id")
                .to_tbl("tenant")
                .to_col("id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .index(Index::create().unique().name(format!("uq_{name}_tenant_id")).col("tenant_id").col("id"))
        .to_owned()
}

/// `(tenant_id, column)` → `parent(tenant_id, id)`.
pub fn scoped_fk(table: &'static str, column: &'static str, parent: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from_tbl(table)
        .from_col("tenant_id")
        .from_col(column)
        .to_tbl(parent)
        .to_col("tenant_id")
        .to_col("id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// `column IN (values…)`: the database holds the vocabulary of a status column.
pub fn one_of(column: &'static str, values: &[&'static str]) -> Expr {
    Expr::col(column).is_in(values.iter().copied())
}

/// `created_at` and `updated_at`, set by the application (UTC instants).
pub fn timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(timestamp_with_time_zone("created_at")).col(timestamp_with_time_zone("updated_at"))
}

pub const LOCALES: &[&str] = &["fr", "ar", "en"];
