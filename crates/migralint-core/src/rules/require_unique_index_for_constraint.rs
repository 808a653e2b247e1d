use pg_query::protobuf::{AlterTableType, ConstrType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::locks::LockMode;
use crate::model::names::{quote_ident, string_list};
use crate::model::QualName;
use crate::rules::helpers::{alter_table, cmds, column_facts, holds_data, subtype};
use crate::rules::Check;

declare_rule!(
    "require-unique-index-for-constraint",
    Locking,
    Error,
    "ADD UNIQUE / PRIMARY KEY / EXCLUDE builds its index under ACCESS EXCLUSIVE; build it CONCURRENTLY first",
    Check::Statement(check),
    // The NOT NULL scan and the constraint checks of the same ALTER TABLE
    // run under the ACCESS EXCLUSIVE its index build holds: one finding.
    subsumes = &[
        "hold-exclusive-lock-across-statements",
        "set-not-null-scan",
        "constraint-missing-not-valid"
    ]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    if !holds_data(cx, &table) {
        return;
    }
    let lock = format!(
        "{} on {table} ({})",
        LockMode::AccessExclusive,
        LockMode::AccessExclusive.blocks()
    );
    for cmd in cmds(s) {
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        match (subtype(cmd), def) {
            (AlterTableType::AtAddConstraint, Some(NodeEnum::Constraint(c))) => {
                let kind = match ConstrType::try_from(c.contype) {
                    Ok(ConstrType::ConstrUnique) if c.indexname.is_empty() => "UNIQUE",
                    Ok(ConstrType::ConstrPrimary) if c.indexname.is_empty() => "PRIMARY KEY",
                    Ok(ConstrType::ConstrExclusion) => "EXCLUDE",
                    _ => continue,
                };
                let keys: Vec<String> = string_list(&c.keys)
                    .iter()
                    .map(|k| quote_ident(k))
                    .collect();
                let span = cx.clause_span(c.location);
                let add = if c.conname.is_empty() {
                    "ADD".to_string()
                } else {
                    format!("ADD CONSTRAINT {}", quote_ident(&c.conname))
                };
                let message = format!(
                    "{add} {kind} builds its index while holding {lock}: the whole table is read and sorted before \
                     anyone can use it again"
                );
                if kind == "EXCLUDE" {
                    out.report(span, message).help(
                        "an EXCLUDE constraint cannot be attached to an index built beforehand (there is no `EXCLUDE USING INDEX`). \
                         Add it while the table is still new and empty, or run it off-hours with a short lock_timeout; \
                         otherwise enforce the rule another way (a unique index built CONCURRENTLY, or a trigger)",
                    );
                    continue;
                }
                let name = if c.conname.is_empty() {
                    default_name(&table, &keys, kind)
                } else {
                    quote_ident(&c.conname)
                };
                let nnd = if c.nulls_not_distinct {
                    " NULLS NOT DISTINCT"
                } else {
                    ""
                };
                let include = string_list(&c.including)
                    .iter()
                    .map(|k| quote_ident(k))
                    .collect::<Vec<_>>();
                let include = if include.is_empty() {
                    String::new()
                } else {
                    format!(" INCLUDE ({})", include.join(", "))
                };
                out.report(span, message).help(help(
                    &table,
                    &name,
                    &keys.join(", "),
                    kind,
                    nnd,
                    &include,
                ));
            }
            (AlterTableType::AtAddColumn, Some(NodeEnum::ColumnDef(c)))
                if !cx.schema.skips_add_column(&table, cmd) =>
            {
                let facts = column_facts(c);
                let kind = if facts.primary_key {
                    "PRIMARY KEY"
                } else if facts.unique {
                    "UNIQUE"
                } else {
                    continue;
                };
                let column = quote_ident(&c.colname);
                let name = default_name(&table, std::slice::from_ref(&column), kind);
                out.report(
                    cx.clause_span(c.location),
                    format!(
                        "ADD COLUMN {column} ... {kind} builds a unique index on {table} while holding {lock}: the whole table is read \
                         and sorted before anyone can use it again"
                    ),
                )
                .help(format!(
                    "add the column without {kind} first; then {}",
                    help(&table, &name, &column, kind, "", "")
                ));
            }
            _ => {}
        }
    }
}

/// PostgreSQL's own naming: `t_pkey`, `t_a_b_key`.
fn default_name(table: &QualName, keys: &[String], kind: &str) -> String {
    let name = if kind == "PRIMARY KEY" {
        format!("{}_pkey", table.name)
    } else {
        let cols: Vec<String> = keys
            .iter()
            .map(|k| k.trim_matches('"').to_string())
            .collect();
        format!("{}_{}_key", table.name, cols.join("_"))
    };
    quote_ident(&name)
}

fn help(table: &QualName, name: &str, keys: &str, kind: &str, nnd: &str, include: &str) -> String {
    // An index lives in its table's schema: its name is never qualified.
    let index_name = name;
    let pk = if kind == "PRIMARY KEY" {
        " The key columns must already be NOT NULL, or step 2 sets it with a full scan under ACCESS EXCLUSIVE (see \
         set-not-null-scan for the scan-free way)."
    } else {
        ""
    };
    format!(
        "1. `CREATE UNIQUE INDEX CONCURRENTLY {index_name} ON {table} ({keys}){include}{nnd};` alone in its own migration file \
         (SHARE UPDATE EXCLUSIVE: reads and writes go on); 2. in the next migration: `ALTER TABLE {table} ADD CONSTRAINT {name} \
         {kind} USING INDEX {index_name};` (a brief lock: the index is already built).{pk}"
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-unique-index-for-constraint";

    #[test]
    fn unique_constraint_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"
        ));
    }

    #[test]
    fn primary_key_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE app.events (id bigint NOT NULL);"
                ),
                (
                    "000002_b.up.sql",
                    "-- key\nALTER TABLE app.events ADD PRIMARY KEY (id);"
                ),
            ]
        ));
    }

    #[test]
    fn exclude_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE bookings\n  ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);"
        ));
    }

    #[test]
    fn add_column_unique_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE users ADD COLUMN handle text UNIQUE;"
        ));
        assert_err(
            RULE,
            "ALTER TABLE users ADD COLUMN id bigserial PRIMARY KEY;",
        );
    }

    #[test]
    fn include_and_nulls_not_distinct_kept() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t ADD UNIQUE NULLS NOT DISTINCT (a, \"B\") INCLUDE (c);",
        );
        assert!(
            out.contains("CREATE UNIQUE INDEX CONCURRENTLY \"t_a_B_key\" ON t (a, \"B\") INCLUDE (c) NULLS NOT DISTINCT;"),
            "{out}"
        );
    }

    #[test]
    fn using_index_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
        );
        assert_ok(
            RULE,
            "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;",
        );
    }

    #[test]
    fn other_constraints_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID, ADD COLUMN b int;",
        );
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE \"Users\" (id int, email text);\nALTER TABLE \"Users\" ADD PRIMARY KEY (id), ADD UNIQUE (email);",
        );
    }
}
