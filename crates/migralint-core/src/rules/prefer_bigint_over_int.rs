use pg_query::protobuf::{ColumnDef, ConstrType, Constraint, CreateStmt};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::effects::{column_constraints, Effect};
use crate::model::names::{node_string, quote_ident};
use crate::model::{Kind, QualName, SqlType};
use crate::rules::fixes;
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "prefer-bigint-over-int",
    Style,
    Warning,
    "integer, smallint or serial primary key: it runs out, and widening it later rewrites the table",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file restores the shape its up changed: not a new choice.
    if cx.file.is_down() {
        return;
    }
    match &cx.stmt.node {
        NodeEnum::CreateStmt(s) => {
            let Some(rv) = s.relation.as_ref() else {
                return;
            };
            // A temporary table, or one that IF NOT EXISTS skips.
            if rv.relpersistence == "t" || cx.schema.skips_create_table(s) {
                return;
            }
            let table = QualName::from_range_var(rv);
            for c in columns(s) {
                let inline = column_constraints(c).any(is_primary_key);
                let table_level = s.table_elts.iter().any(|e| {
                    matches!(e.node.as_ref(), Some(NodeEnum::Constraint(k))
                        if is_primary_key(k) && single_key(k) == Some(c.colname.as_str()))
                });
                if inline || table_level {
                    let type_at = c.type_name.as_ref().and_then(|t| cx.at(t.location));
                    report(cx, out, &table, c, cx.clause_span(c.location), type_at);
                }
            }
        }
        // pg_dump's form: `CREATE TABLE` then `ALTER TABLE ONLY t ADD
        // CONSTRAINT t_pkey PRIMARY KEY (id)`, on a table new in this file.
        node => {
            let Some((s, table)) = alter_table(node) else {
                return;
            };
            if !cx.table_state(&table).is_new() {
                return;
            }
            for cmd in cmds(s) {
                if subtype(cmd) != pg_query::protobuf::AlterTableType::AtAddConstraint {
                    continue;
                }
                let Some(NodeEnum::Constraint(k)) =
                    cmd.def.as_deref().and_then(|d| d.node.as_ref())
                else {
                    continue;
                };
                if !is_primary_key(k) {
                    continue;
                }
                let Some(key) = single_key(k) else { continue };
                if let Some((c, span, type_at)) = created_column(cx, &table, key) {
                    report(cx, out, &table, &c, span, type_at);
                }
            }
        }
    }
}

/// `type_at`: where the column's type is written in the file.
fn report(
    cx: &StmtCx,
    out: &mut Findings,
    table: &QualName,
    c: &ColumnDef,
    span: Span,
    type_at: Option<usize>,
) {
    // A table the team declared small (`[tables] small`) never numbers
    // 2^31 rows.
    if cx.options.is_small(table) {
        return;
    }
    let Some(tn) = c.type_name.as_ref() else {
        return;
    };
    let ty = SqlType::from_type_name(tn);
    if ty.array {
        return;
    }
    let (limit, written) = match ty.name.as_str() {
        "int4" => ("2,147,483,647", ty.to_string()),
        "serial" | "serial4" => ("2,147,483,647", "serial (integer)".to_string()),
        "int2" => ("32,767", ty.to_string()),
        "smallserial" | "serial2" => ("32,767", "smallserial (smallint)".to_string()),
        _ => return,
    };
    let column = quote_ident(&c.colname);
    let serial = ty.is_serial();
    let fix = if serial {
        format!("`{column} bigserial PRIMARY KEY` or, better, `{column} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`")
    } else {
        format!("`{column} bigint PRIMARY KEY` (or `{column} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY` for a generated key)")
    };
    out.report(
        span,
        format!(
            "primary key {column} of {table} is {written}: it runs out at {limit}, and changing it to bigint later rewrites the table, \
             its indexes and every referencing foreign key column under ACCESS EXCLUSIVE"
        ),
    )
    .help(format!(
        "use {fix}: 4 more bytes per row now instead of a blocking migration later (make the foreign key columns that reference it bigint too)"
    ))
    .fix_opt(type_at.and_then(|at| widen(cx, at, serial)));
}

/// Rewrites the key's type as written in its `CREATE TABLE` (a table this
/// file creates: no existing column is rewritten): `int`/`integer`/`int4`/
/// `smallint`/`int2` to `bigint`, `serial`/`serial4`/`smallserial`/
/// `serial2` to `bigserial`. Unsafe: clients read 8-byte integers (a
/// driver may map them to another type), and the foreign keys that
/// reference the column stay as they are.
fn widen(cx: &StmtCx, at: usize, serial: bool) -> Option<FixSpec> {
    let (spellings, to): (&[&[&str]], _) = if serial {
        (
            &[&["serial"], &["serial4"], &["smallserial"], &["serial2"]],
            "bigserial",
        )
    } else {
        (
            &[&["int"], &["integer"], &["int4"], &["smallint"], &["int2"]],
            "bigint",
        )
    };
    fixes::retype(cx, at, spellings, false, to, Applicability::Unsafe)
}

fn columns(s: &CreateStmt) -> impl Iterator<Item = &ColumnDef> {
    s.table_elts.iter().filter_map(|e| match e.node.as_ref() {
        Some(NodeEnum::ColumnDef(c)) => Some(&**c),
        _ => None,
    })
}

fn is_primary_key(k: &Constraint) -> bool {
    ConstrType::try_from(k.contype) == Ok(ConstrType::ConstrPrimary)
}

/// The one column of a single-column key (composite keys are left alone:
/// their columns usually follow the types of the tables they join).
fn single_key(k: &Constraint) -> Option<&str> {
    match k.keys.as_slice() {
        [one] => node_string(one),
        _ => None,
    }
}

/// The definition of `column` in the `CREATE TABLE` of `table` earlier in
/// this file, with its span.
/// And where its type is written.
fn created_column(
    cx: &StmtCx,
    table: &QualName,
    column: &str,
) -> Option<(ColumnDef, Span, Option<usize>)> {
    (0..cx.stmt_index).rev().find_map(|j| {
        let creates = cx.facts_of(j).effects.iter().any(|e| {
            matches!(e, Effect::Create { obj, .. } if obj.kind == Kind::Table && obj.name.key() == table.key())
        });
        if !creates {
            return None;
        }
        let st = cx.statement(j)?;
        let NodeEnum::CreateStmt(s) = &st.node else {
            return None;
        };
        let found = columns(s).find(|c| c.colname == column).map(|c| {
            let tokens = cx.file.facts.stmt_tokens(j);
            let span = crate::tokens::clause_span(tokens, st.span, st.at(c.location));
            let type_at = c.type_name.as_ref().and_then(|t| st.at(t.location));
            (c.clone(), span, type_at)
        });
        found
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-bigint-over-int";

    #[test]
    fn fix_widens_the_key_of_a_new_table() {
        assert_eq!(
            fixed(RULE, "CREATE TABLE t (id SERIAL PRIMARY KEY, n int);").unwrap(),
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n int);"
        );
        assert_eq!(
            fixed(
                RULE,
                "CREATE TABLE t (id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"
            )
            .unwrap(),
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"
        );
        // pg_dump's form: the type is fixed in the CREATE TABLE.
        assert_eq!(
            fixed(
                RULE,
                "CREATE TABLE t (id integer NOT NULL);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"
            )
            .unwrap(),
            "CREATE TABLE t (id bigint NOT NULL);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"
        );
        assert_eq!(
            fixed(RULE, "CREATE TABLE t (id pg_catalog.int4 PRIMARY KEY);"),
            None
        );
    }

    #[test]
    fn inline_primary_key_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE public.\"Users\" (\n  id SERIAL PRIMARY KEY,\n  email text NOT NULL\n);"
        ));
    }

    #[test]
    fn table_level_primary_key_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "create table teams (\n  team_id integer not null,\n  name text,\n  constraint teams_pkey primary key (team_id)\n);"
        ));
    }

    #[test]
    fn pg_dump_primary_key_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE public.modules (\n    id integer NOT NULL,\n    path text\n);\n\nALTER TABLE ONLY public.modules\n    ADD CONSTRAINT modules_pkey PRIMARY KEY (id);"
        ));
    }

    #[test]
    fn other_int_types_err() {
        assert_err(RULE, "CREATE TABLE t (id smallint PRIMARY KEY);");
        assert_err(
            RULE,
            "CREATE TABLE t (id int4 GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
        );
        assert_err(RULE, "CREATE TABLE t (id smallserial, PRIMARY KEY (id));");
    }

    #[test]
    fn bigint_and_other_keys_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE a (id bigint PRIMARY KEY);\n\
             CREATE TABLE b (id bigserial PRIMARY KEY);\n\
             CREATE TABLE c (id uuid PRIMARY KEY, n int);\n\
             CREATE TABLE d (code text PRIMARY KEY);\n\
             CREATE TABLE e (id int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
        );
    }

    #[test]
    fn int_not_primary_key_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (id bigint PRIMARY KEY, n int UNIQUE, s serial);\nALTER TABLE t ADD COLUMN m integer;",
        );
    }

    #[test]
    fn composite_key_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE team_users (team_id int, user_id int, PRIMARY KEY (team_id, user_id));",
        );
    }

    #[test]
    fn existing_table_primary_key_ok() {
        // Adding a key to an existing table: the column's type was chosen earlier.
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE t (id int NOT NULL);"),
                ("000002_b.up.sql", "ALTER TABLE t ADD PRIMARY KEY (id);"),
            ],
        );
    }

    #[test]
    fn temporary_and_down_ok() {
        assert_ok(RULE, "CREATE TEMPORARY TABLE t (id int PRIMARY KEY);");
        assert_ok_files(
            RULE,
            &[
                ("000002_drop_t.up.sql", "DROP TABLE t;"),
                (
                    "000002_drop_t.down.sql",
                    "CREATE TABLE t (id int PRIMARY KEY);",
                ),
            ],
        );
    }

    #[test]
    fn skipped_create_table_ok() {
        let first = ("000001_t.up.sql", "CREATE TABLE t (id serial PRIMARY KEY);");
        let again = (
            "000002_t.up.sql",
            "CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY);",
        );
        let diags = lint_files(RULE, &[first, again]);
        assert!(
            !diags.iter().any(|d| d.rule == RULE && d.file == again.0),
            "{diags:#?}"
        );
    }
}
