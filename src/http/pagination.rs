//! Paging: `page`/`per_page` parameters, the `{data, meta}` envelope and the RFC 8288
//! `Link` header.

use actix_web::HttpRequest;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::paging::{DEFAULT_PER_PAGE, MAX_PER_PAGE, PageRequest, Paged};
use crate::error::{ApiError, FieldError};

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, default = 1)]
    pub page: Option<i64>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i64>,
}

impl PageParams {
    /// Checks the ranges, collecting errors into `errors` so a list endpoint can report
    /// them together with its own filters.
    pub fn check(&self, errors: &mut Vec<FieldError>) -> PageRequest {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page < 1 {
            errors.push(FieldError::new("page", "must be 1 or more"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.push(FieldError::new(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        PageRequest { page, per_page }
    }

    pub fn validate(&self) -> Result<PageRequest, ApiError> {
        let mut errors = Vec::new();
        let page = self.check(&mut errors);
        ApiError::check(errors)?;
        Ok(page)
    }
}

/// Where a page sits in the whole list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"page": 1, "per_page": 20, "total": 1, "page_count": 1}))]
pub struct PageMeta {
    /// This page's number, from 1.
    pub page: i64,
    /// The page size asked for.
    pub per_page: i64,
    /// Items across all pages.
    pub total: i64,
    /// Number of pages, the number of the `last` page in `Link`: at least 1, since an
    /// empty list is answered as one empty page.
    #[schema(minimum = 1)]
    pub page_count: i64,
    /// Only on a search with more matches than it counts, and then `true`: `total` (and
    /// so `page_count`) is a lower bound. A search counts at most
    /// `NEWSDESK_SEARCH_COUNT_LIMIT` (1,000 by default) matches beyond the page asked
    /// for, so that a common term costs no more than a rare one; later pages can still be
    /// asked for, and count on from there.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_is_lower_bound: bool,
}

/// Every list response: `{"data": [...], "meta": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListEnvelope<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

impl<T> From<Paged<T>> for ListEnvelope<T> {
    fn from(paged: Paged<T>) -> Self {
        let per_page = paged.request.per_page.max(1);
        Self {
            data: paged.items,
            meta: PageMeta {
                page: paged.request.page,
                per_page,
                total: paged.total,
                // Page 1 always exists, empty or not (as in Django's and Laravel's
                // paginators), so `Link` can name it as `last` and agree with this count.
                page_count: ((paged.total + per_page - 1) / per_page).max(1),
                total_is_lower_bound: paged.total_is_lower_bound,
            },
        }
    }
}

/// The `Link` header value: first, prev, next and last pages of the request's own URL.
pub fn link_header(req: &HttpRequest, meta: &PageMeta) -> String {
    let others: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let url_for = |page: i64| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(others.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        query.append_pair("page", &page.to_string());
        format!("<{}?{}>", req.path(), query.finish())
    };
    let last = meta.page_count;
    let mut links = vec![format!("{}; rel=\"first\"", url_for(1))];
    if meta.page > 1 {
        links.push(format!(
            "{}; rel=\"prev\"",
            url_for((meta.page - 1).min(last))
        ));
    }
    if meta.page < last {
        links.push(format!("{}; rel=\"next\"", url_for(meta.page + 1)));
    }
    links.push(format!("{}; rel=\"last\"", url_for(last)));
    links.join(", ")
}
