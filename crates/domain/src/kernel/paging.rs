//! Keyset pagination (Relay connections): a page is "the next `first` rows
//! after this cursor", in a stable order, plus the total count. Cursors name a
//! row, not an offset, so rows inserted meanwhile do not shift the pages.

use chrono::{DateTime, Utc};
use escale_i18n::text;
use uuid::Uuid;

use crate::error::{DomainError, DomainResult};

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Lists in creation order (UUIDv7 ids are time-ordered).
    Id(Uuid),
    /// Lists in time order: (starts_at, id).
    At(DateTime<Utc>, Uuid),
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest {
    pub first: Option<u64>,
    pub after: Option<After>,
}

impl PageRequest {
    pub fn new(first: Option<i32>, after: Option<After>) -> DomainResult<Self> {
        let first = match first {
            None => None,
            Some(n) if n < 0 => return Err(DomainError::validation("first", text!("field-not-negative"))),
            Some(n) if u64::try_from(n).unwrap_or(u64::MAX) > MAX_PAGE => {
                return Err(DomainError::validation("first", text!("field-at-most", max = MAX_PAGE)));
            }
            Some(n) => Some(u64::try_from(n).unwrap_or(DEFAULT_PAGE)),
        };
        Ok(Self { first, after })
    }

    pub fn limit(&self) -> u64 {
        self.first.unwrap_or(DEFAULT_PAGE)
    }

    pub fn after_id(&self) -> Option<Uuid> {
        match self.after {
            Some(After::Id(id)) => Some(id),
            _ => None,
        }
    }

    pub fn after_at(&self) -> Option<(DateTime<Utc>, Uuid)> {
        match self.after {
            Some(After::At(at, id)) => Some((at, id)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    pub total: u64,
}

impl<T> Page<T> {
    /// Builds a page from a query that fetched one row more than asked, to
    /// learn whether another page follows without a second query.
    pub fn from_overfetch(mut rows: Vec<T>, request: &PageRequest, total: u64) -> Self {
        let limit = usize::try_from(request.limit()).unwrap_or(usize::MAX);
        let has_next_page = rows.len() > limit;
        rows.truncate(limit);
        Page { items: rows, has_next_page, total }
    }

    /// The same page with each item turned into what its reader needs.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), has_next_page: self.has_next_page, total: self.total }
    }
}
