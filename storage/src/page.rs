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
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in id order.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub has_next: bool,
    /// How many items match in all pages.
    pub total: u64,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows.
    pub(crate) fn from_overfetch(mut items: Vec<T>, limit: u64, total: u64) -> Page<T> {
        let has_next = items.len() as u64 > limit;
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Page {
            items,
            has_next,
            total,
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

impl PageRequest {
    /// The capped limit.
    pub fn capped_limit(&self) -> u64 {
        self.limit.clamp(1, MAX_PAGE)
    }
}
