//! The check before a query runs: one read-only `SELECT` (with `WITH`, joins, subqueries)
//! whose tables are the named ones or the query's own `WITH` names — no table function
//! (`read_parquet('…')`, `read_csv`), no path, no other statement (`COPY`, `CREATE`, `SET`, …),
//! no several statements. Parsed with the parser polars SQL uses.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Query, SetExpr, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The query is one read-only SELECT over `allowed` tables (and its own WITH names); else why
/// not.
pub fn check(sql: &str, allowed: &[&str]) -> Result<(), String> {
    let statements =
        Parser::parse_sql(&GenericDialect {}, sql).map_err(|e| format!("not SQL: {e}"))?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return Err("one SELECT only (no other statement, no several)".into());
    };
    let mut guard = Guard {
        allowed: allowed.iter().map(|t| t.to_ascii_lowercase()).collect(),
    };
    match query.visit(&mut guard) {
        ControlFlow::Break(why) => Err(why),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Walks a query: every table it reads is an allowed one.
struct Guard {
    /// The named tables and the query's WITH names, lower case.
    allowed: BTreeSet<String>,
}

impl Visitor for Guard {
    type Break = String;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.allowed
                    .insert(cte.alias.name.value.to_ascii_lowercase());
            }
        }
        match query.body.as_ref() {
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
                ControlFlow::Break("a query that writes".into())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<String> {
        match factor {
            TableFactor::Table { name, args, .. } => {
                if args.is_some() {
                    return ControlFlow::Break(format!(
                        "{name}(…) is a table function: only the run's own tables can be read"
                    ));
                }
                let single = match name.0.as_slice() {
                    [part] => part.as_ident().map(|i| i.value.to_ascii_lowercase()),
                    _ => None,
                };
                match single {
                    Some(t) if self.allowed.contains(&t) => ControlFlow::Continue(()),
                    _ => ControlFlow::Break(format!(
                        "no table {name} here; the run's tables are {}",
                        self.allowed.iter().cloned().collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            TableFactor::Derived { .. } | TableFactor::NestedJoin { .. } => {
                ControlFlow::Continue(())
            }
            other => ControlFlow::Break(format!(
                "{other} is not a table of the run: only the run's own tables can be read"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn only_one_select_over_the_named_tables_is_allowed() {
        let tables = ["platforms", "claims"];
        // Allowed: joins, subqueries, WITH names, any case.
        for ok in [
            "SELECT class, count(*) FROM platforms GROUP BY class",
            "select p.name, c.claim from PLATFORMS p join claims c on p.platform_id = c.platform_id",
            "WITH big AS (SELECT * FROM claims WHERE claim > 100) SELECT count(*) FROM big",
            "SELECT * FROM (SELECT platform_id FROM platforms) t",
        ] {
            assert!(check(ok, &tables).is_ok(), "{ok}");
        }
        // Refused: files, other tables, other statements, several statements.
        for bad in [
            "SELECT * FROM read_parquet('/etc/passwd')",
            "SELECT * FROM read_csv('../other/claims.csv')",
            "SELECT * FROM lenders",
            "SELECT * FROM other.platforms",
            "SELECT * FROM '/tmp/x.parquet'",
            "COPY platforms TO '/tmp/x.csv'",
            "CREATE TABLE x AS SELECT * FROM platforms",
            "SELECT 1; SELECT 2",
            "DROP TABLE platforms",
            "not sql at all",
        ] {
            assert!(check(bad, &tables).is_err(), "{bad}");
        }
    }
}
