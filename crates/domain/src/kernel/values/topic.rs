//! What a session or a question is about.

use escale_i18n::text;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::refusal::ValueError;

/// What a session or a question is about. The vocabulary is the customer's: the
/// questions TPE owners ask most. Also a column type: a stored name this build
/// does not know fails the row's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sea_orm::DeriveValueType)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String", column_type = "String(sea_orm::sea_query::StringLen::N(32))")]
pub enum Topic {
    DigitalMarketing,
    FinancialEducation,
    Budgeting,
    BankingRelations,
    DigitalTransformation,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::DigitalMarketing,
        Topic::FinancialEducation,
        Topic::Budgeting,
        Topic::BankingRelations,
        Topic::DigitalTransformation,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::DigitalMarketing => "digital_marketing",
            Topic::FinancialEducation => "financial_education",
            Topic::Budgeting => "budgeting",
            Topic::BankingRelations => "banking_relations",
            Topic::DigitalTransformation => "digital_transformation",
            Topic::Other => "other",
        }
    }

    /// Reads a session's `topics` JSON column, skipping names this build does not
    /// know (a newer release may have added one).
    pub fn list_from_json(value: &serde_json::Value) -> Vec<Topic> {
        value
            .as_array()
            .map(|items| items.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default()
    }

    pub fn list_to_json(topics: &[Topic]) -> serde_json::Value {
        serde_json::Value::Array(topics.iter().map(|t| serde_json::Value::from(t.as_str())).collect())
    }
}

impl FromStr for Topic {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Topic::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ValueError::new(text!("value-unknown", kind = "topic", value = s)))
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
