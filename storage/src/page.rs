//! Keyset pagination: ids are UUIDv7, so ordering by id is creation order and
//! a page after a cursor is one index range scan, however deep.

use uuid::Uuid;

/// Largest page a caller may ask for.
pub const MAX_PAGE: u64 = 500;

/// Which page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items strictly after this id.
    pub after: Option<Uuid>,
    /// At most this many items (capped at [`MAX_PAGE`]).
    pub limit: u64,
    /// Whether to count the matches in all pages: a statement of its own
    /// that visits every match, so callers that do not show the total
    /// (a GraphQL query without `totalCount`) skip it.
    pub count: bool,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub has_next: bool,
    /// How many items match in all pages; `None` when the request did not
    /// ask for the count.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows.
    pub(crate) fn from_overfetch(mut items: Vec<T>, limit: u64, total: Option<u64>) -> Page<T> {
        let has_next = items.len() as u64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Page {
            items,
            has_next,
            total,
        }
    }

    /// A page with nothing on it (a scope that sees nothing); its total is
    /// 0 when counted.
    pub fn empty(count: bool) -> Page<T> {
        Page {
            items: Vec::new(),
            has_next: false,
            total: count.then_some(0),
        }
    }

    /// Converts the items.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            has_next: self.has_next,
            total: self.total,
        })
    }
}

/// Awaits `count` only when `wanted`: the statement is not sent otherwise
/// (a future does nothing until awaited).
pub(crate) async fn total_if(
    wanted: bool,
    count: impl std::future::Future<Output = Result<u64, sea_orm::DbErr>>,
) -> Result<Option<u64>, sea_orm::DbErr> {
    if wanted {
        count.await.map(Some)
    } else {
        Ok(None)
    }
}

impl PageRequest {
    /// The capped limit.
    pub fn capped_limit(&self) -> u64 {
        self.limit.clamp(1, MAX_PAGE)
    }
}
