use std::borrow::Cow;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::{rename_in_expr, typed_text, Effect, Shape};
use crate::model::names::{quote_ident, SqlType};
use crate::model::objects::{same_name, Obj, UniqueKey};
use crate::model::{ConstraintInfo, ConstraintKind, Kind, QualName, TableState};
use crate::rules::helpers::{column_added_earlier, rows_dealt_with_earlier};
use crate::rules::Check;

declare_rule!(
    "down-adds-constraint",
    Pairing,
    Warning,
    "A down migration that adds a UNIQUE, PRIMARY KEY, FOREIGN KEY or CHECK constraint the schema after the up does not guarantee: the rollback fails once the application has written a row that breaks it",
    Check::Statement(check)
);

/// What a constraint the down adds requires of the rows already there.
enum Requires<'a> {
    /// A unique index or key, and how the message names it.
    Unique(Cow<'a, UniqueKey>, String),
    ForeignKey(&'a ConstraintInfo),
    Check(&'a ConstraintInfo),
    Exclude(&'a ConstraintInfo),
}

fn check(cx: &StmtCx, out: &mut Findings) {
    if !cx.file.is_down() {
        return;
    }
    // Each constraint: how it is named, PostgreSQL's refusal, and whether
    // it is a foreign key (which can be added NOT VALID).
    let mut added: Vec<(String, &'static str, bool)> = Vec::new();
    let mut on: Option<QualName> = None;
    for effect in &cx.facts_of(cx.stmt_index).effects {
        let Some((table, columns, requires)) = requires(cx, effect) else {
            continue;
        };
        // Rows the application wrote under the schema after the up: a table
        // that holds data and that this down has not dealt with, on columns
        // it has not just added (NULL, or its default, in every row).
        let TableState::Existing(_) = cx.table_state(table) else {
            continue;
        };
        if rows_dealt_with_earlier(cx, table)
            || columns.iter().any(|c| column_added_earlier(cx, table, c))
            || guaranteed(cx, table, &requires)
        {
            continue;
        }
        let name = |info: &ConstraintInfo, kind: &str| match &info.name {
            Some(name) => format!("{kind} constraint {}", quote_ident(name)),
            None => format!("a {kind} constraint"),
        };
        let what = match &requires {
            Requires::Unique(_, what) => what.clone(),
            Requires::ForeignKey(info) => format!(
                "FOREIGN KEY ({}) REFERENCES {}",
                info.keys
                    .iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", "),
                info.references
                    .as_ref()
                    .map(|r| r.table.to_string())
                    .unwrap_or_default()
            ),
            Requires::Check(info) => name(info, "CHECK"),
            Requires::Exclude(info) => name(info, "EXCLUDE"),
        };
        let error = match &requires {
            Requires::Unique(..) => "`could not create unique index`: `Key (...) is duplicated`",
            Requires::ForeignKey(_) => {
                "`insert or update on table ... violates foreign key constraint`"
            }
            Requires::Check(_) => "`check constraint ... is violated by some row`",
            Requires::Exclude(_) => {
                "`could not create exclusion constraint`: `Key (...) conflicts with key (...)`"
            }
        };
        added.push((what, error, matches!(requires, Requires::ForeignKey(_))));
        on.get_or_insert_with(|| table.clone());
    }
    let Some(table) = on else { return };
    let whats: Vec<&str> = added.iter().map(|(w, _, _)| w.as_str()).collect();
    let mut errors: Vec<&str> = added.iter().map(|(_, e, _)| *e).collect();
    errors.dedup();
    let foreign = added.iter().any(|(_, _, fk)| *fk);
    out.report(
        cx.stmt.span,
        format!(
            "this down adds {} on {table}, which the schema after the up does not guarantee: once the application \
             has written rows that break it, PostgreSQL refuses the statement with {}, and the rollback fails \
             exactly when it is needed",
            whats.join(" and "),
            errors.join(" or ")
        ),
    )
    .help(if foreign {
        "add a foreign key or CHECK `NOT VALID` in the down, and leave it unvalidated (rows written since the up are not \
         checked, later writes are), or remove the rows that break it first; or leave it out of the down: the previous \
         release runs without it"
    } else {
        "remove or merge the rows that break it first in the down (and say what that does to them), or leave it out of the \
         down: the previous release runs without it (a CHECK can be added `NOT VALID`)"
    });
}

/// What `effect` makes the rows there satisfy: its table, the columns it
/// reads, and what it requires. A constraint added `NOT VALID` requires
/// nothing of them until its `VALIDATE CONSTRAINT`.
fn requires<'c>(
    cx: &'c StmtCx,
    effect: &'c Effect,
) -> Option<(&'c QualName, &'c [String], Requires<'c>)> {
    match effect {
        Effect::Create { obj, shape, .. } => {
            let requires = match shape {
                Shape::Index {
                    unique_key: Some(key),
                    ..
                } => Requires::Unique(
                    Cow::Borrowed(&**key),
                    format!("unique index {}", obj.name.name),
                ),
                Shape::Constraint {
                    info,
                    inline: false,
                } if info.validated && info.index.is_none() => constraint(info)?,
                _ => return None,
            };
            Some((obj.table.as_ref()?, &obj.columns, requires))
        }
        // The constraint added NOT VALID by an earlier statement, or by
        // this one (`ADD ... NOT VALID, VALIDATE CONSTRAINT c`).
        Effect::Validate { table, name } => {
            let before = cx.schema.table(table).map(|t| t.constraints.iter());
            let here = cx
                .facts_of(cx.stmt_index)
                .effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Create {
                        shape: Shape::Constraint { info, .. },
                        ..
                    } => Some(info),
                    _ => None,
                });
            let info = before
                .into_iter()
                .flatten()
                .chain(here)
                .find(|c| !c.validated && c.name.as_deref() == Some(name))?;
            Some((table, &info.columns, constraint(info)?))
        }
        _ => None,
    }
}

fn constraint(info: &ConstraintInfo) -> Option<Requires<'_>> {
    Some(match info.kind {
        ConstraintKind::Unique | ConstraintKind::PrimaryKey => {
            let key = info.unique_key()?;
            let kind = match info.kind {
                ConstraintKind::PrimaryKey => "PRIMARY KEY",
                _ => "UNIQUE",
            };
            let what = format!("{kind} ({})", columns(&key));
            Requires::Unique(Cow::Owned(key), what)
        }
        ConstraintKind::ForeignKey => Requires::ForeignKey(info),
        ConstraintKind::Check => Requires::Check(info),
        ConstraintKind::Exclude => Requires::Exclude(info),
        _ => return None,
    })
}

/// The constraint is implied by one the table had after the up (the state
/// the application has written rows under), whatever this down dropped of
/// them since; in the names of this point of the down (its table and
/// column renames followed), its expressions as PostgreSQL stores them
/// with the column types of each point (`UniqueKey::typed`).
fn guaranteed(cx: &StmtCx, table: &QualName, requires: &Requires) -> bool {
    let (start, renames) = in_this_down(cx, table);
    let (Some(t), indexes) = cx.schema.at_recording_start(&start) else {
        return false;
    };
    let then = |c: &str| t.column_type(c);
    let here = cx.schema.table(table);
    let now = |c: &str| here.and_then(|t| t.column_type(c));
    let typed = |text: &Option<Box<str>>, types: &dyn Fn(&str) -> Option<SqlType>| {
        text.as_deref()
            .map(|e| typed_text(e, types).map_or_else(|| e.into(), String::into_boxed_str))
    };
    // A key on NOT NULL columns has no NULLs to keep apart.
    let not_null = |u: &UniqueKey| {
        u.keys.iter().all(|k| {
            k.expr.is_none()
                && k.columns
                    .iter()
                    .all(|c| t.column(c).is_some_and(|c| c.not_null))
        })
    };
    let mut uniques: Vec<UniqueKey> = t
        .constraints
        .iter()
        .filter(|c| c.index.is_none())
        .filter_map(ConstraintInfo::unique_key)
        .chain(
            indexes
                .iter()
                .filter_map(|i| i.unique_key.as_deref().cloned()),
        )
        .map(|u| {
            let mut u = u.typed(&then);
            u.nulls_not_distinct |= not_null(&u);
            u
        })
        .collect();
    let mut others: Vec<ConstraintInfo> = t
        .constraints
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ConstraintKind::ForeignKey | ConstraintKind::Check | ConstraintKind::Exclude
            )
        })
        .map(|c| ConstraintInfo {
            expr: typed(&c.expr, &then),
            ..c.clone()
        })
        .collect();
    for (old, new) in renames {
        for u in &mut uniques {
            u.rename_column(&old, &new);
        }
        for c in &mut others {
            for k in c.keys.iter_mut().filter(|k| **k == old) {
                new.clone_into(k);
            }
            if let Some(e) = c.expr.as_deref() {
                c.expr = rename_in_expr(e, &old, &new).map(String::into_boxed_str);
            }
        }
    }
    match requires {
        Requires::Unique(key, _) => {
            let key = key.typed(&now);
            uniques.iter().any(|u| u.implies(&key))
        }
        Requires::ForeignKey(info) => others.iter().any(|c| {
            c.kind == ConstraintKind::ForeignKey
                && c.keys == info.keys
                && match (&c.references, &info.references) {
                    (Some(a), Some(b)) => {
                        same_name(&a.table, &in_this_down(cx, &b.table).0)
                            && (a.columns == b.columns
                                || a.columns.is_empty()
                                || b.columns.is_empty())
                    }
                    _ => false,
                }
        }),
        Requires::Check(info) | Requires::Exclude(info) => {
            let expr = typed(&info.expr, &now);
            let key = info.unique_key().map(|k| k.typed(&now));
            others
                .iter()
                .any(|c| c.kind == info.kind && c.expr.is_some() && c.expr == expr)
                || key.is_some_and(|k| uniques.iter().any(|u| u.implies(&k)))
        }
    }
}

/// `table`'s name when this down began (the table renames of its earlier
/// statements followed back), and the renames of its columns since, in
/// order: (old name, new name).
fn in_this_down(cx: &StmtCx, table: &QualName) -> (QualName, Vec<(String, String)>) {
    let renames: Vec<(&Obj, &Obj)> = (0..cx.stmt_index)
        .flat_map(|i| cx.facts_of(i).effects.iter())
        .filter_map(|e| match e {
            Effect::Rename { from, to } => Some((from, to)),
            _ => None,
        })
        .collect();
    let mut start = table.clone();
    for (from, to) in renames.iter().rev() {
        if from.kind == Kind::Table && same_name(&to.name, &start) {
            start = from.name.clone();
        }
    }
    let mut name = start.clone();
    let mut columns = Vec::new();
    for (from, to) in renames {
        if from.kind == Kind::Table && same_name(&from.name, &name) {
            name = to.name.clone();
        } else if from.kind == Kind::Column
            && from.table.as_ref().is_some_and(|n| same_name(n, &name))
        {
            columns.push((from.name.name.clone(), to.name.name.clone()));
        }
    }
    (start, columns)
}

fn columns(key: &UniqueKey) -> String {
    key.keys
        .iter()
        .flat_map(|k| k.columns.iter().map(|c| quote_ident(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-adds-constraint";

    const INIT: &str = "CREATE TABLE dest (id bigint PRIMARY KEY);\n\
        CREATE TABLE attempt (id bigint PRIMARY KEY, dest_id bigint NOT NULL REFERENCES dest (id), \
        bucket text NOT NULL, name text NOT NULL, section text, synopsis text, deleted_at timestamptz, \
        n int CONSTRAINT n_positive CHECK (n > 0), CONSTRAINT name_unique UNIQUE (name));";

    fn files<'a>(up: &'a str, down: &'a str) -> [(&'a str, &'a str); 4] {
        [
            ("000001_init.up.sql", INIT),
            (
                "000001_init.down.sql",
                "DROP TABLE attempt;\nDROP TABLE dest;",
            ),
            ("000002_change.up.sql", up),
            ("000002_change.down.sql", down),
        ]
    }

    /// Ups that loosen a key, a foreign key or a check, and downs that put
    /// it back over rows the application may have written since (exposure
    /// 000037, frontier 20260129, svix 20250905, pkgsite 000079/000093).
    #[test]
    fn down_puts_back_what_its_up_loosened_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &files(
                "CREATE UNIQUE INDEX attempt_bucket_name ON attempt (bucket, name);\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
                "ALTER TABLE attempt ADD CONSTRAINT name_unique UNIQUE (name);\n\
                 DROP INDEX attempt_bucket_name;",
            )
        ));
        for (up, down) in [
            // The foreign key (unnamed: dropped by the name PostgreSQL gave it).
            (
                "ALTER TABLE attempt DROP CONSTRAINT attempt_dest_id_fkey;",
                "ALTER TABLE attempt ADD CONSTRAINT attempt_dest_id_fkey FOREIGN KEY (dest_id) REFERENCES dest (id);",
            ),
            // A check.
            (
                "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
                "ALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0);",
            ),
            // The down drops the up's wider index and builds the narrow one.
            (
                "CREATE UNIQUE INDEX u ON attempt (section, name, md5(synopsis));\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
                "DROP INDEX u;\nCREATE UNIQUE INDEX CONCURRENTLY u ON attempt (name, md5(synopsis));",
            ),
            // The primary key moves to another column and back.
            (
                "ALTER TABLE attempt DROP CONSTRAINT attempt_pkey, ADD PRIMARY KEY (name);",
                "ALTER TABLE attempt DROP CONSTRAINT attempt_pkey, ADD PRIMARY KEY (id);",
            ),
            // A partial key does not guarantee the whole table.
            (
                "CREATE UNIQUE INDEX live_name ON attempt (name) WHERE deleted_at IS NULL;\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
                "DROP INDEX live_name;\nALTER TABLE attempt ADD CONSTRAINT name_unique UNIQUE (name);",
            ),
            // NULLS NOT DISTINCT refuses the NULLs a plain key lets in,
            // index or constraint (PostgreSQL 15).
            (
                "CREATE UNIQUE INDEX s ON attempt (section);",
                "DROP INDEX s;\nCREATE UNIQUE INDEX s ON attempt (section) NULLS NOT DISTINCT;",
            ),
            (
                "CREATE UNIQUE INDEX s ON attempt (name, section);\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
                "DROP INDEX s;\nALTER TABLE attempt ADD CONSTRAINT s UNIQUE NULLS NOT DISTINCT (name, section);",
            ),
            // Added NOT VALID, then validated: the rows are checked.
            (
                "ALTER TABLE attempt DROP CONSTRAINT attempt_dest_id_fkey;",
                "ALTER TABLE attempt ADD CONSTRAINT fk FOREIGN KEY (dest_id) REFERENCES dest (id) NOT VALID;\n\
                 ALTER TABLE attempt VALIDATE CONSTRAINT fk;",
            ),
            (
                "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
                "ALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID;\n\
                 ALTER TABLE attempt VALIDATE CONSTRAINT n_positive;",
            ),
            (
                "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
                "ALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID, VALIDATE CONSTRAINT n_positive;",
            ),
            // An exclusion constraint the up dropped.
            (
                "ALTER TABLE attempt DROP CONSTRAINT name_unique;",
                "ALTER TABLE attempt ADD CONSTRAINT name_ex EXCLUDE USING btree (name WITH =);",
            ),
            (
                "ALTER TABLE attempt ADD COLUMN period tstzrange, ADD CONSTRAINT no_overlap EXCLUDE USING gist (period WITH &&);\n\
                 ALTER TABLE attempt DROP CONSTRAINT no_overlap;",
                "ALTER TABLE attempt ADD CONSTRAINT no_overlap EXCLUDE USING gist (period WITH &&);",
            ),
            // The table renamed back: still the up's table, whose key the
            // up dropped.
            (
                "ALTER TABLE attempt RENAME TO attempts;\nALTER TABLE attempts DROP CONSTRAINT name_unique;",
                "ALTER TABLE attempts RENAME TO attempt;\nALTER TABLE attempt ADD CONSTRAINT name_unique UNIQUE (name);",
            ),
        ] {
            let out = assert_err_files(RULE, &files(up, down));
            assert_eq!(out.matches("[down-adds-constraint]").count(), 1, "{out}");
        }
    }

    #[test]
    fn guaranteed_or_dealt_with_ok() {
        for (up, down) in [
            // UNIQUE (lower(name)) implies UNIQUE (name); a key of the same
            // predicate; a key whose expression reads only the new key's
            // columns (pkgsite 000076: uuid_generate_v5(..., synopsis)).
            (
                "ALTER TABLE attempt DROP CONSTRAINT name_unique;\n\
                 CREATE UNIQUE INDEX name_ci ON attempt (lower(name)) WHERE deleted_at IS NULL;",
                "DROP INDEX name_ci;\nCREATE UNIQUE INDEX name_cs ON attempt (name) WHERE deleted_at IS NULL;",
            ),
            (
                "CREATE UNIQUE INDEX u ON attempt (section, md5(synopsis));",
                "DROP INDEX u;\nCREATE UNIQUE INDEX u2 ON attempt (section, synopsis);",
            ),
            // A wider key than one the table has.
            ("SELECT 1;", "CREATE UNIQUE INDEX name_bucket ON attempt (name, bucket);"),
            // The same foreign key or check still there.
            (
                "SELECT 1;",
                "ALTER TABLE attempt ADD CONSTRAINT fk2 FOREIGN KEY (dest_id) REFERENCES dest;",
            ),
            ("SELECT 1;", "ALTER TABLE attempt ADD CONSTRAINT c2 CHECK (n > 0);"),
            // The same test written the other way round (accepted on
            // PostgreSQL 15: every row passes `n > 0`).
            ("SELECT 1;", "ALTER TABLE attempt ADD CONSTRAINT c2 CHECK (0 < n);"),
            // NOT VALID: the rows already there are not checked.
            (
                "ALTER TABLE attempt DROP CONSTRAINT attempt_dest_id_fkey;",
                "ALTER TABLE attempt ADD CONSTRAINT attempt_dest_id_fkey FOREIGN KEY (dest_id) REFERENCES dest (id) NOT VALID;",
            ),
            // The down deals with the rows first, or empties the table.
            (
                "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
                "DELETE FROM attempt WHERE n <= 0;\nALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0);",
            ),
            (
                "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
                "TRUNCATE attempt;\nALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0);",
            ),
            // A column the down adds back holds NULL in every row.
            (
                "ALTER TABLE attempt DROP COLUMN section;",
                "ALTER TABLE attempt ADD COLUMN section text;\nCREATE UNIQUE INDEX s ON attempt (section);",
            ),
            // The down renames the column back before it puts the key back
            // under the old name: the up's key, renamed, still implies it.
            (
                "ALTER TABLE attempt RENAME COLUMN name TO title;",
                "ALTER TABLE attempt RENAME COLUMN title TO name;\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique, ADD CONSTRAINT name_unique UNIQUE (name);",
            ),
            (
                "ALTER TABLE attempt RENAME COLUMN n TO m;",
                "ALTER TABLE attempt RENAME COLUMN m TO n;\n\
                 ALTER TABLE attempt ADD CONSTRAINT n_positive2 CHECK (n > 0);",
            ),
            // The same key in the form pg_dump writes it: PostgreSQL
            // passes a varchar column to lower() as text, and stores a key
            // or a check that is a bare column as that column.
            (
                "ALTER TABLE attempt ADD COLUMN email varchar(100) CHECK (email <> '');\n\
                 CREATE UNIQUE INDEX email_ci ON attempt (lower(email));",
                "DROP INDEX email_ci;\nCREATE UNIQUE INDEX email_ci ON attempt (lower((email)::text));\n\
                 ALTER TABLE attempt ADD CONSTRAINT email_set CHECK ((email)::text <> ''::text);",
            ),
            ("SELECT 1;", "CREATE UNIQUE INDEX n ON attempt ((name));"),
            (
                "CREATE UNIQUE INDEX m ON attempt (md5(synopsis));",
                "DROP INDEX m;\nCREATE UNIQUE INDEX m ON attempt (md5(synopsis::text));",
            ),
            // NULLS NOT DISTINCT on both sides, or on a NOT NULL column.
            (
                "CREATE UNIQUE INDEX s ON attempt (section) NULLS NOT DISTINCT;",
                "DROP INDEX s;\nALTER TABLE attempt ADD CONSTRAINT s UNIQUE NULLS NOT DISTINCT (section);",
            ),
            ("SELECT 1;", "CREATE UNIQUE INDEX n ON attempt (name) NULLS NOT DISTINCT;"),
            // Validating a check the table had all along.
            (
                "SELECT 1;",
                "ALTER TABLE attempt ADD CONSTRAINT c2 CHECK (n > 0) NOT VALID, VALIDATE CONSTRAINT c2;",
            ),
            // An exclusion by `=` is a unique key, both ways.
            ("SELECT 1;", "ALTER TABLE attempt ADD CONSTRAINT name_ex EXCLUDE (name WITH =);"),
            (
                "ALTER TABLE attempt DROP CONSTRAINT name_unique, ADD CONSTRAINT name_ex EXCLUDE (name WITH =);",
                "ALTER TABLE attempt DROP CONSTRAINT name_ex, ADD CONSTRAINT name_unique UNIQUE (name);",
            ),
            // The same exclusion the table has.
            (
                "ALTER TABLE attempt ADD COLUMN period tstzrange, ADD CONSTRAINT no_overlap EXCLUDE USING gist (period WITH &&);",
                "ALTER TABLE attempt ADD CONSTRAINT no_overlap2 EXCLUDE USING gist (period WITH &&);",
            ),
            // The table (and a column) renamed back: the up's key, renamed,
            // still implies the one the down adds; the same for a foreign
            // key to a table renamed back.
            (
                "ALTER TABLE attempt RENAME TO attempts;\nALTER TABLE attempts RENAME COLUMN name TO title;",
                "ALTER TABLE attempts RENAME COLUMN title TO name;\nALTER TABLE attempts RENAME TO attempt;\n\
                 CREATE UNIQUE INDEX name_again ON attempt (name);",
            ),
            (
                "ALTER TABLE dest RENAME TO dests;",
                "ALTER TABLE dests RENAME TO dest;\n\
                 ALTER TABLE attempt ADD CONSTRAINT fk2 FOREIGN KEY (dest_id) REFERENCES dest (id);",
            ),
            // A table the down creates again.
            (
                "DROP TABLE attempt;",
                "CREATE TABLE attempt (id bigint PRIMARY KEY, name text UNIQUE);\n\
                 ALTER TABLE attempt ADD CONSTRAINT one_name UNIQUE (name);",
            ),
        ] {
            assert_ok_files(RULE, &files(up, down));
        }
        // In an up, the author knows the data.
        assert_ok_files(
            RULE,
            &[
                ("000001_init.up.sql", INIT),
                (
                    "000002_key.up.sql",
                    "ALTER TABLE attempt ADD CONSTRAINT b UNIQUE (bucket);",
                ),
            ],
        );
    }
}
