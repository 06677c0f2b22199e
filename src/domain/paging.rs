//! Paging as the services and repos see it: which page was asked for, and one page of
//! results with the total across all pages.

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// A checked page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// One page of results and the total across all pages.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// `total` is only a lower bound (a search that stopped counting).
    pub total_is_lower_bound: bool,
    pub request: PageRequest,
}

impl<T> Paged<T> {
    /// A page as a repo returns it: the rows and the total count.
    pub fn of((items, total): (Vec<T>, i64), request: PageRequest) -> Self {
        Self {
            items,
            total,
            total_is_lower_bound: false,
            request,
        }
    }

    /// This page, with `total` only a lower bound when `lower_bound` says so.
    pub fn counted_at_least(mut self, lower_bound: bool) -> Self {
        self.total_is_lower_bound = lower_bound;
        self
    }

    /// Nothing matches.
    pub fn empty(request: PageRequest) -> Self {
        Self {
            items: Vec::new(),
            total: 0,
            total_is_lower_bound: false,
            request,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            total_is_lower_bound: self.total_is_lower_bound,
            request: self.request,
        }
    }

    /// Takes one page out of a list already held in full.
    pub fn slice(all: Vec<T>, request: PageRequest) -> Self {
        let total = all.len() as i64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
            .take(request.per_page as usize)
            .collect();
        Self {
            items,
            total,
            total_is_lower_bound: false,
            request,
        }
    }
}
