//! Relay connections over the domain's keyset pages.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, Result, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use escale_domain::paging::{After, Page, PageRequest};
use uuid::Uuid;

use crate::error;

/// An opaque cursor naming a row (not an offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub After);

impl CursorType for Cursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || "not a cursor from this API".to_owned();
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        if let Some(id) = text.strip_prefix("i|") {
            return Uuid::try_parse(id).map(|u| Cursor(After::Id(u))).map_err(|_| bad());
        }
        if let Some(rest) = text.strip_prefix("t|") {
            let (at, id) = rest.rsplit_once('|').ok_or_else(bad)?;
            let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad())?.with_timezone(&Utc);
            let id = Uuid::try_parse(id).map_err(|_| bad())?;
            return Ok(Cursor(After::At(at, id)));
        }
        Err(bad())
    }

    fn encode_cursor(&self) -> String {
        let text = match self.0 {
            After::Id(id) => format!("i|{id}"),
            After::At(at, id) => format!("t|{}|{id}", at.to_rfc3339()),
        };
        URL_SAFE_NO_PAD.encode(text)
    }
}

/// The page a connection field was asked for.
pub fn request(first: Option<i32>, after: Option<String>) -> Result<PageRequest> {
    let after = match after {
        Some(raw) => Some(
            Cursor::decode_cursor(&raw)
                .map_err(|_| {
                    error::domain(escale_domain::DomainError::validation(
                        "after",
                        escale_domain::text!("field-bad-cursor"),
                    ))
                })?
                .0,
        ),
        None => None,
    };
    PageRequest::new(first, after).map_err(error::domain)
}

#[derive(SimpleObject, Debug)]
pub struct Totals {
    /// How many items the whole list holds (all pages).
    pub total_count: u64,
}

pub type Conn<N> = Connection<Cursor, N, Totals>;

/// Builds a connection from a page, given how to name each row and how to
/// turn it into a GraphQL node.
pub fn connection<T, N: OutputType>(
    page: Page<T>,
    had_cursor: bool,
    cursor: impl Fn(&T) -> After,
    node: impl Fn(T) -> N,
) -> Conn<N> {
    let mut conn =
        Connection::with_additional_fields(had_cursor, page.has_next_page, Totals { total_count: page.total });
    conn.edges = page.items.into_iter().map(|row| Edge::new(Cursor(cursor(&row)), node(row))).collect();
    conn
}
