//! `column IN (ids)` with the ids in one bound parameter.
//!
//! Diesel's `eq_any` writes one placeholder per id and marks its statement as one not to
//! keep, since a list of another length is other SQL. Every read of articles narrows by a
//! list of ids (a page's rows, their bylines, tags, related ids and pages), so each of
//! those statements was parsed and planned again on every request. With the ids in one
//! parameter the SQL is the same for any list, and each connection's statement cache
//! keeps it.

use diesel::QueryResult;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, is_aggregate};
use diesel::expression::{TypedExpressionType, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text};

use crate::db::MultiBackend;

/// `column` is one of `ids`; see the module's doc.
#[derive(Debug, Clone)]
pub struct OneOf<C> {
    column: C,
    /// The ids joined by commas (digits and commas only: no quoting can go wrong).
    ids: String,
}

/// `column` is one of `ids`, in a statement that stays the same for any number of ids.
pub fn one_of<C>(column: C, ids: &[i64]) -> OneOf<C>
where
    C: Expression<SqlType = BigInt>,
{
    let ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    OneOf { column, ids }
}

impl<C> Expression for OneOf<C>
where
    C: Expression,
    Bool: TypedExpressionType,
{
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for OneOf<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for OneOf<C> where C: SelectableExpression<QS> {}

impl<C> ValidGrouping<()> for OneOf<C> {
    type IsAggregate = is_aggregate::No;
}

impl<C> QueryId for OneOf<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C> QueryFragment<MultiBackend> for OneOf<C>
where
    C: QueryFragment<MultiBackend>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let postgres = matches!(out.backend(), MultiBackend::Postgres(_));
        self.column.walk_ast(out.reborrow())?;
        if postgres {
            out.push_sql(" = ANY(string_to_array(");
            out.push_bind_param::<Text, _>(&self.ids)?;
            out.push_sql(", ',')::bigint[])");
        } else {
            // json_each is built into the bundled SQLite; `[]` for no ids is an empty list.
            out.push_sql(" IN (SELECT value FROM json_each('[' || ");
            out.push_bind_param::<Text, _>(&self.ids)?;
            out.push_sql(" || ']'))");
        }
        Ok(())
    }
}
