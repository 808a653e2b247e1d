//! Small helpers shared by rules.

use pg_query::protobuf::{AlterTableCmd, AlterTableStmt, AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::StmtCx;
use crate::model::effects::{Contents, Effect};
use crate::model::locks::{locks_in, LockTaken};
use crate::model::objects::{drop_covers, same_name};
use crate::model::objset::ObjSet;
use crate::model::schema::Origin;
use crate::model::{Kind, Obj, QualName};
use crate::source::Span;

/// `ALTER TABLE`'s table and subcommands, for statements that are one.
pub fn alter_table(node: &NodeEnum) -> Option<(&AlterTableStmt, QualName)> {
    match node {
        NodeEnum::AlterTableStmt(s) if s.objtype == ObjectType::ObjectTable as i32 => {
            Some((s, QualName::from_range_var(s.relation.as_ref()?)))
        }
        _ => None,
    }
}

/// An `ALTER TABLE` in a down file, of a table that holds data as the
/// model knows it (created by an earlier migration, not emptied in this
/// file): what the rules on downs refused once the data uses what the up
/// allowed look at.
pub fn down_alter_of_data<'a>(
    cx: &StmtCx<'a>,
) -> Option<(&'a AlterTableStmt, QualName, &'a crate::model::Table)> {
    if !cx.file.is_down() {
        return None;
    }
    let (s, table) = alter_table(&cx.stmt.node)?;
    match cx.table_state(&table) {
        crate::model::TableState::Existing(t) => Some((s, table, t)),
        _ => None,
    }
}

/// An earlier statement of the file updates or deletes rows of `table`
/// (`UPDATE`, `DELETE`): a down that does so before it tightens the table
/// has thought of the rows the application wrote since the up.
pub fn rows_dealt_with_earlier(cx: &StmtCx, table: &QualName) -> bool {
    use crate::model::summary::DmlKind;
    (0..cx.stmt_index).any(|i| {
        cx.summary_of(i).dml().is_some_and(|d| {
            matches!(d.kind, DmlKind::Update | DmlKind::Delete)
                && d.target.as_ref().is_some_and(|n| same_name(n, table))
        })
    })
}

/// Column `column` of `table` was added by an earlier statement of the
/// file: the application has not written it since the up (its rows hold
/// its default, or NULL, which is this file's own doing).
pub fn column_added_earlier(cx: &StmtCx, table: &QualName, column: &str) -> bool {
    (0..cx.stmt_index).any(|i| {
        cx.facts_of(i).effects.iter().any(|e| match e {
            Effect::Create { obj, .. } => {
                obj.kind == Kind::Column
                    && obj.name.name == column
                    && obj.table.as_ref().is_some_and(|n| same_name(n, table))
            }
            _ => false,
        })
    })
}

/// What a file's rename chain `r` does among names the application knows.
pub enum Exchange {
    /// Not part of an exchange of names.
    No,
    /// Part of one that involves an object the file made (nothing the
    /// application knows changes hands): nothing to report.
    Quiet,
    /// Names exchanged (a swap through a temporary name, a rotation):
    /// each move, `a becomes b`, the names shown by `show`.
    Moves(Vec<String>),
}

/// Whether the chain `r` of the file's renames exchanges names among
/// objects the application knows (`ban-rename-column`, `ban-rename-table`).
pub fn exchange(
    cx: &StmtCx,
    r: &crate::model::renames::Renamed,
    show: impl Fn(&Obj) -> String,
) -> Exchange {
    let Some(cycle) = cx.renames().cycle(r) else {
        return Exchange::No;
    };
    if cycle
        .iter()
        .any(|m| m.at < r.at || cx.file.facts.created_before(&m.from, m.at))
    {
        return Exchange::Quiet;
    }
    Exchange::Moves(
        cycle
            .iter()
            .map(|m| format!("{} becomes {}", show(&m.from), show(&m.to)))
            .collect(),
    )
}

/// Statement `k` is `CREATE INDEX ... ON ONLY` a partitioned table: it
/// builds nothing (the parent's index, invalid until each partition's is
/// attached), whatever lock it takes.
pub fn index_on_only_partitioned(cx: &StmtCx, k: usize) -> bool {
    if !cx.summary_of(k).builds_index {
        return false;
    }
    let Some(stmt) = cx.statement(k) else {
        return false;
    };
    match &stmt.node {
        NodeEnum::IndexStmt(s) => s.relation.as_ref().is_some_and(|rv| {
            !rv.inh
                && cx
                    .schema
                    .table(&QualName::from_range_var(rv))
                    .is_some_and(|t| t.partitioned)
        }),
        _ => false,
    }
}

/// The subcommands of an `ALTER TABLE`.
pub fn cmds(s: &AlterTableStmt) -> impl Iterator<Item = &AlterTableCmd> {
    s.cmds.iter().filter_map(|c| match c.node.as_ref() {
        Some(NodeEnum::AlterTableCmd(cmd)) => Some(&**cmd),
        _ => None,
    })
}

/// The column definitions of the `ADD COLUMN` subcommands of an `ALTER
/// TABLE` on `table`, leaving out an `ADD COLUMN IF NOT EXISTS` of a column
/// the table has (PostgreSQL skips it).
pub fn added_columns<'a>(
    cx: &'a StmtCx,
    s: &'a AlterTableStmt,
    table: &'a QualName,
) -> impl Iterator<Item = &'a pg_query::protobuf::ColumnDef> {
    cmds(s)
        .filter(|cmd| subtype(cmd) == AlterTableType::AtAddColumn)
        .filter(move |cmd| !cx.schema.skips_add_column(table, cmd))
        .filter_map(
            |cmd| match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::ColumnDef(c)) => Some(&**c),
                _ => None,
            },
        )
}

pub fn subtype(cmd: &AlterTableCmd) -> AlterTableType {
    AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined)
}

/// How an `ALTER TABLE` subcommand makes columns NOT NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotNullBy {
    /// `ALTER COLUMN c SET NOT NULL`.
    SetNotNull,
    /// PostgreSQL 18's `ADD CONSTRAINT name NOT NULL c` (validated).
    Constraint,
    /// `ADD PRIMARY KEY (cols)`: the key's columns (it builds its index).
    PrimaryKey,
    /// `ADD PRIMARY KEY USING INDEX i`: the columns of an index that
    /// exists already (built concurrently, say).
    PrimaryKeyUsingIndex,
}

impl NotNullBy {
    /// How a message names the subcommand.
    pub fn what(self) -> &'static str {
        match self {
            NotNullBy::SetNotNull => "SET NOT NULL",
            NotNullBy::Constraint => "ADD CONSTRAINT ... NOT NULL",
            NotNullBy::PrimaryKey => "ADD PRIMARY KEY",
            NotNullBy::PrimaryKeyUsingIndex => {
                "ADD PRIMARY KEY USING INDEX (which sets its columns NOT NULL)"
            }
        }
    }
}

/// The subcommands of `s` that make columns NOT NULL: (subcommand index,
/// how, the columns, where it is written). A primary key `USING INDEX`
/// names its columns through the index, as the replay has it when the
/// statement runs (none when the index is unknown).
pub fn made_not_null(
    cx: &StmtCx,
    s: &AlterTableStmt,
    table: &QualName,
) -> Vec<(usize, NotNullBy, Vec<String>, Span)> {
    use pg_query::protobuf::ConstrType;
    let mut out = Vec::new();
    for (i, cmd) in cmds(s).enumerate() {
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let found = match (subtype(cmd), def) {
            (AlterTableType::AtSetNotNull, _) => Some((
                NotNullBy::SetNotNull,
                vec![cmd.name.clone()],
                cx.cmd_span(i),
            )),
            (AlterTableType::AtAddConstraint, Some(NodeEnum::Constraint(c)))
                if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrNotnull)
                    && !c.skip_validation =>
            {
                Some((
                    NotNullBy::Constraint,
                    crate::model::names::string_list(&c.keys),
                    cx.clause_span(c.location),
                ))
            }
            (
                AlterTableType::AtAddConstraint | AlterTableType::AtAddIndexConstraint,
                Some(NodeEnum::Constraint(c)),
            ) if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrPrimary) => {
                if c.indexname.is_empty() {
                    Some((
                        NotNullBy::PrimaryKey,
                        crate::model::names::string_list(&c.keys),
                        cx.cmd_span(i),
                    ))
                } else {
                    let index = QualName::new(table.schema.as_deref(), &c.indexname);
                    cx.schema.index(&index).map(|index| {
                        (
                            NotNullBy::PrimaryKeyUsingIndex,
                            index.keys.clone().unwrap_or_else(|| index.columns.clone()),
                            cx.clause_span(c.location),
                        )
                    })
                }
            }
            _ => None,
        };
        if let Some((by, columns, span)) = found {
            out.push((i, by, columns, span));
        }
    }
    out
}

/// The `ALTER COLUMN ... TYPE` subcommands of an `ALTER TABLE`: each with
/// its index among the subcommands (for `StmtCx::cmd_span`), and its
/// column definition (the new type, `USING` as its default, `COLLATE`).
pub fn type_changes(
    s: &AlterTableStmt,
) -> impl Iterator<Item = (usize, &AlterTableCmd, &pg_query::protobuf::ColumnDef)> {
    cmds(s).enumerate().filter_map(|(i, cmd)| {
        if subtype(cmd) != AlterTableType::AtAlterColumnType {
            return None;
        }
        match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::ColumnDef(def)) => Some((i, cmd, &**def)),
            _ => None,
        }
    })
}

/// The lock this statement takes on `table`, described for a message:
/// `ACCESS EXCLUSIVE on users (blocks reads and writes; rewrites the table)`.
pub fn lock_on(cx: &StmtCx, table: &QualName) -> Option<LockTaken> {
    locks_in(&cx.stmt.node, cx.options.pg_version, cx.schema)
        .into_iter()
        .find(|l| l.relation.key() == table.key())
}

/// The locks statement `j` of the file takes. For this statement, judged
/// with the schema as of now (a type change it proves catalog-only
/// rewrites nothing); for another, from its summary, every rewrite counted
/// (the schema now already holds an earlier statement's own change), its
/// indexes resolved to their tables where the schema still knows them.
/// None for an earlier statement that a `ROLLBACK TO SAVEPOINT` has undone
/// since: it released them (checked on PostgreSQL 15).
pub fn locks_of(cx: &StmtCx, j: usize) -> Vec<LockTaken> {
    if cx.facts_of(j).undone_by.is_some_and(|r| r < cx.stmt_index) {
        return Vec::new();
    }
    if j == cx.stmt_index {
        return locks_in(&cx.stmt.node, cx.options.pg_version, cx.schema);
    }
    cx.summary_of(j)
        .locks
        .iter()
        .cloned()
        .map(|mut l| {
            if l.on_index {
                if let Some(index) = cx.schema.index(&l.relation) {
                    l.relation = index.table.clone();
                    l.on_index = false;
                }
            }
            l
        })
        .collect()
}

/// Statement `j` of the file drops a table.
pub fn drops_table(cx: &StmtCx, j: usize) -> bool {
    cx.facts_of(j)
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Drop { obj, .. } if obj.kind == Kind::Table))
}

pub fn describe_lock(cx: &StmtCx, table: &QualName) -> String {
    lock_on(cx, table).map_or_else(|| format!("a lock on {table}"), |l| l.describe())
}

/// The table is dropped by a later statement of the same file (so locking
/// it now hardly matters: the file is about to take ACCESS EXCLUSIVE anyway).
pub fn dropped_later_in_file(cx: &StmtCx, table: &QualName) -> bool {
    cx.file.facts.table_dropped_after(table, cx.stmt_index)
}

/// The line of an earlier statement of this statement's transaction that
/// took ACCESS EXCLUSIVE on the table and still holds it: what this
/// statement then locks adds no wait and no blocking of its own, and
/// CONCURRENTLY cannot help inside that transaction (the hazard is the
/// held lock: `hold-exclusive-lock-across-statements`).
pub fn exclusive_already_held(cx: &StmtCx, table: &QualName) -> Option<usize> {
    exclusive_held_since(cx, table).map(|k| cx.line_of(k))
}

/// The statement (index in the file) of this transaction that took the
/// ACCESS EXCLUSIVE lock on `table` this statement finds held, if any.
pub fn exclusive_held_since(cx: &StmtCx, table: &QualName) -> Option<usize> {
    (cx.tx_start(cx.stmt_index)..cx.stmt_index).find(|&k| takes_exclusive(cx, k, table))
}

/// Statement `k` of the file takes ACCESS EXCLUSIVE on `table`.
pub fn takes_exclusive(cx: &StmtCx, k: usize, table: &QualName) -> bool {
    locks_of(cx, k).iter().any(|l| {
        l.mode == crate::model::locks::LockMode::AccessExclusive
            && !l.on_index
            && l.relation.key() == table.key()
    })
}

/// The table holds data when this statement runs: it was not created
/// earlier in this same file, nor emptied by an earlier statement of it
/// (`TRUNCATE`, `DELETE` without `WHERE`, with only the few rows the file
/// inserted since): rewriting, scanning or indexing it takes time while
/// others wait.
pub fn holds_data(cx: &StmtCx, table: &QualName) -> bool {
    in_use(cx, table) && bulky(cx, table)
}

/// The table holds more rows than the file itself listed (an existing
/// table, or one this file filled from a query or a file): work on it
/// takes time, whoever else uses it. Not a table the team declared small
/// (`[tables] small`).
pub fn bulky(cx: &StmtCx, table: &QualName) -> bool {
    cx.contents(table) == Contents::Data && !cx.options.is_small(table)
}

/// The table has rows when this statement runs, however few: a statement
/// that fails on any row (`ADD COLUMN ... NOT NULL` without a default)
/// fails.
pub fn has_rows(cx: &StmtCx, table: &QualName) -> bool {
    cx.contents(table) != Contents::Empty
}

/// The table existed before this file (so other sessions may be using
/// it): not created earlier in this same file. Emptied or not: for what
/// is not about its rows (lock queues, compatibility).
pub fn in_use(cx: &StmtCx, table: &QualName) -> bool {
    !cx.table_state(table).is_new()
}

/// What an `ADD COLUMN` definition says about the values existing rows get.
#[derive(Default)]
pub struct ColumnFacts<'a> {
    /// The `DEFAULT` expression, unless it is absent or a literal `NULL`.
    pub default: Option<&'a pg_query::protobuf::Node>,
    /// Where the `DEFAULT` keyword is (see `default_text`).
    pub default_at: Option<i32>,
    pub not_null: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub serial: bool,
    pub identity: bool,
    /// `GENERATED ALWAYS AS (...) STORED`.
    pub stored_generated: bool,
    /// `GENERATED ALWAYS AS (...) [VIRTUAL]` (PostgreSQL 18+): computed on read.
    pub virtual_generated: bool,
}

impl ColumnFacts<'_> {
    /// Existing rows get a value computed per row (sequence or expression).
    pub fn computed_per_row(&self) -> bool {
        self.serial || self.identity || self.stored_generated
    }
}

pub fn column_facts(c: &pg_query::protobuf::ColumnDef) -> ColumnFacts<'_> {
    use pg_query::protobuf::ConstrType;
    let mut facts = ColumnFacts {
        not_null: c.is_not_null,
        serial: c
            .type_name
            .as_ref()
            .is_some_and(|t| crate::model::SqlType::from_type_name(t).is_serial()),
        identity: !c.identity.is_empty(),
        default: c.raw_default.as_deref().filter(|e| !is_null_literal(e)),
        ..ColumnFacts::default()
    };
    for con in crate::model::effects::column_constraints(c) {
        match ConstrType::try_from(con.contype) {
            Ok(ConstrType::ConstrNotnull) => facts.not_null = true,
            Ok(ConstrType::ConstrPrimary) => facts.primary_key = true,
            Ok(ConstrType::ConstrUnique) => facts.unique = true,
            Ok(ConstrType::ConstrIdentity) => facts.identity = true,
            Ok(ConstrType::ConstrGenerated) => {
                if con.generated_kind == "v" {
                    facts.virtual_generated = true
                } else {
                    facts.stored_generated = true
                }
            }
            Ok(ConstrType::ConstrDefault) => {
                if let Some(e) = con.raw_expr.as_deref().filter(|e| !is_null_literal(e)) {
                    facts.default = Some(e);
                    facts.default_at = Some(con.location);
                }
            }
            _ => {}
        }
    }
    facts
}

/// The text of the expression after the `DEFAULT` keyword at `default_at`
/// (up to the next column constraint or the end of the clause).
pub fn default_text(cx: &StmtCx, default_at: i32) -> Option<String> {
    use pg_query::protobuf::Token;
    let clause = cx.clause_span(default_at);
    let text = cx.text(clause);
    let tokens = crate::tokens::scan(text).ok()?;
    let mut depth = 0i32;
    let mut range: Option<(usize, usize)> = None;
    for t in tokens.iter().skip(1) {
        let tok = t.token;
        if tok == Token::SqlComment as i32 || tok == Token::CComment as i32 {
            continue;
        }
        let word = text[t.start as usize..t.end as usize].to_ascii_lowercase();
        if depth == 0
            && matches!(
                word.as_str(),
                "not"
                    | "null"
                    | "constraint"
                    | "primary"
                    | "unique"
                    | "check"
                    | "references"
                    | "collate"
                    | "generated"
                    | "default"
                    | "deferrable"
                    | "initially"
            )
        {
            break;
        }
        if tok == Token::Ascii40 as i32 || tok == Token::Ascii91 as i32 {
            depth += 1;
        } else if tok == Token::Ascii41 as i32 || tok == Token::Ascii93 as i32 {
            depth -= 1;
        }
        let (s, e) = (t.start as usize, t.end as usize);
        range = Some((range.map_or(s, |r| r.0), e));
    }
    range.map(|(s, e)| text[s..e].to_string())
}

/// `NULL` (possibly cast: `NULL::text`).
pub fn is_null_literal(e: &pg_query::protobuf::Node) -> bool {
    match e.node.as_ref() {
        Some(NodeEnum::AConst(c)) => c.isnull,
        Some(NodeEnum::TypeCast(t)) => t.arg.as_deref().is_some_and(is_null_literal),
        _ => false,
    }
}

/// An option given as `name`, `name true`, `name on` (not `name false`):
/// `REINDEX (CONCURRENTLY)`, `VACUUM (FULL)`.
pub fn def_elem_is_true(d: &pg_query::protobuf::DefElem) -> bool {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        None => true,
        Some(NodeEnum::Boolean(b)) => b.boolval,
        Some(NodeEnum::Integer(i)) => i.ival != 0,
        Some(NodeEnum::String(s)) => !matches!(
            s.sval.to_ascii_lowercase().as_str(),
            "false" | "off" | "no" | "0"
        ),
        Some(_) => true,
    }
}

/// Test helpers for rules whose judgement depends on `--pg-version`.
#[cfg(test)]
pub(crate) mod pg_testing {
    use crate::config::{Config, Level};
    use crate::report::Diagnostic;
    use crate::rules::testing::{render, DEFAULT_FILE};
    use crate::{lint, LintOptions, SourceFile};

    pub fn lint_pg(rule: &str, pg_version: u32, files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let mut config = Config::default();
        config.set_level(rule, Level::Error).expect("known rule");
        config.set_pg_version(pg_version).expect("valid version");
        let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        let options = LintOptions {
            config,
            report_only: None,
        };
        lint(&sources, &options)
            .diagnostics
            .into_iter()
            .filter(|d| d.rule == rule)
            .collect()
    }

    /// Asserts `rule` fires on `sql` with `pg_version` and renders it.
    #[track_caller]
    pub fn assert_err_pg(rule: &str, pg_version: u32, sql: &str) -> String {
        let files = [(DEFAULT_FILE, sql)];
        let diags = lint_pg(rule, pg_version, &files);
        assert!(
            !diags.is_empty(),
            "expected `{rule}` (PG {pg_version}) on {sql}"
        );
        render(&files, &diags)
    }

    #[track_caller]
    pub fn assert_ok_pg(rule: &str, pg_version: u32, sql: &str) {
        let files = [(DEFAULT_FILE, sql)];
        let diags = lint_pg(rule, pg_version, &files);
        assert!(
            diags.is_empty(),
            "expected no `{rule}` (PG {pg_version}), got:\n{}",
            render(&files, &diags)
        );
    }
}

/// Which statement gives a column its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnSiteKind {
    /// A column of `CREATE TABLE`.
    CreateTable,
    /// `ALTER TABLE ... ADD COLUMN`.
    AddColumn,
    /// `ALTER TABLE ... ALTER COLUMN ... TYPE`.
    AlterType,
}

/// A column definition that states a type, for the type style rules.
pub struct ColumnTypeSite<'a> {
    pub kind: ColumnSiteKind,
    pub table: QualName,
    pub column: &'a str,
    pub type_name: &'a pg_query::protobuf::TypeName,
    pub ty: crate::model::SqlType,
    /// The column definition (`created_at timestamp NOT NULL`), or for
    /// `ALTER COLUMN` the clause from the column name on.
    pub span: crate::source::Span,
    pub def: &'a pg_query::protobuf::ColumnDef,
}

impl ColumnTypeSite<'_> {
    /// How a message names the site: `column "c" of t is` or, for
    /// `ALTER COLUMN ... TYPE`, `changes column "c" of t to`.
    pub fn subject(&self) -> String {
        let column = crate::model::names::quote_ident(self.column);
        match self.kind {
            ColumnSiteKind::AlterType => format!("changes column {column} of {} to", self.table),
            _ => format!("column {column} of {} is", self.table),
        }
    }

    /// `[]` for an array type, else empty.
    pub fn array_suffix(&self) -> &'static str {
        if self.ty.array {
            "[]"
        } else {
            ""
        }
    }
}

/// The column definitions with a type in this statement: `CREATE TABLE`
/// columns (temporary tables left out), `ADD COLUMN`, `ALTER COLUMN TYPE`.
pub fn column_type_sites<'a>(cx: &StmtCx<'a>) -> Vec<ColumnTypeSite<'a>> {
    let mut out = Vec::new();
    let mut push =
        |kind, table: &QualName, column: &'a str, def: &'a pg_query::protobuf::ColumnDef| {
            if let Some(tn) = def.type_name.as_ref() {
                out.push(ColumnTypeSite {
                    kind,
                    table: table.clone(),
                    column,
                    type_name: tn,
                    ty: crate::model::SqlType::from_type_name(tn),
                    span: cx.clause_span(def.location),
                    def,
                });
            }
        };
    match &cx.stmt.node {
        NodeEnum::CreateStmt(s) => {
            let Some(rv) = s.relation.as_ref() else {
                return out;
            };
            // A temporary table, or one that IF NOT EXISTS skips.
            if rv.relpersistence == "t" || cx.schema.skips_create_table(s) {
                return out;
            }
            let table = QualName::from_range_var(rv);
            for elt in &s.table_elts {
                if let Some(NodeEnum::ColumnDef(c)) = elt.node.as_ref() {
                    push(ColumnSiteKind::CreateTable, &table, &c.colname, c);
                }
            }
        }
        node => {
            let Some((s, table)) = alter_table(node) else {
                return out;
            };
            for cmd in cmds(s) {
                let Some(NodeEnum::ColumnDef(c)) = cmd.def.as_deref().and_then(|d| d.node.as_ref())
                else {
                    continue;
                };
                match subtype(cmd) {
                    AlterTableType::AtAddColumn if !cx.schema.skips_add_column(&table, cmd) => {
                        push(ColumnSiteKind::AddColumn, &table, &c.colname, c)
                    }
                    AlterTableType::AtAlterColumnType => {
                        push(ColumnSiteKind::AlterType, &table, &cmd.name, c)
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// A name rewritten in snake_case: `AddEFGSUploadConfig` →
/// `add_efgs_upload_config`, `infection-exposure` → `infection_exposure`.
/// Dots are kept (`2.2.0_schema`).
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') && !out.ends_with('.') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') && !out.ends_with('.') {
            out.push('_');
        }
    }
    while out.ends_with('_') || out.ends_with('.') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake() {
        assert_eq!(snake_case("AddEFGSUploadConfig"), "add_efgs_upload_config");
        assert_eq!(snake_case("Addv1dot5Columns"), "addv1dot5_columns");
        assert_eq!(snake_case("infection-exposure"), "infection_exposure");
        assert_eq!(snake_case("2.2.0_schema"), "2.2.0_schema");
        assert_eq!(snake_case("Create Users  Table!"), "create_users_table");
        assert_eq!(snake_case("UserID"), "user_id");
    }
}

/// Why the statement's file cannot run as one transaction (a failure
/// halfway then leaves what ran before it applied), said for a message.
pub fn split_reason(cx: &StmtCx) -> Option<String> {
    use crate::engine::facts::Split;
    let split = cx.file.facts.split()?;
    // Only a failure in a later transaction leaves this statement applied:
    // in the file's last transaction that does work, it rolls back with it
    // (unless it refuses a transaction: a failed CONCURRENTLY build leaves
    // its INVALID index).
    let stmts = &cx.file.facts.stmts;
    let here = &stmts[cx.stmt_index];
    // Without `multi-statement`, a statement that refuses a transaction
    // block never runs in a file of several statements (a `COMMIT` does not
    // help: the next statements run in a new implicit block), so it creates
    // or drops nothing a rerun could find (`ban-concurrently-in-transaction`
    // reports it).
    if here.summary.no_tx && split != Split::MultiStatement {
        return None;
    }
    // A transaction that a `ROLLBACK` ends keeps nothing for a rerun to
    // find (checked on PostgreSQL 15, in the implicit block too).
    // The statement that ends this statement's transaction (not the
    // file's first transaction end: a `ROLLBACK` before it keeps nothing).
    let end = (cx.stmt_index + 1..stmts.len())
        .find(|&j| {
            stmts[j].tx.id != here.tx.id || stmts[j].summary.tx_kind.is_some_and(ends_transaction)
        })
        .filter(|&j| stmts[j].tx.id == here.tx.id);
    let ended_by = end.and_then(|j| stmts[j].summary.tx_kind);
    if ended_by == Some(pg_query::protobuf::TransactionStmtKind::TransStmtRollback) {
        return None;
    }
    if !here.summary.no_tx
        && !stmts[cx.stmt_index + 1..]
            .iter()
            .any(|s| s.summary.does_work && s.tx.id != here.tx.id)
    {
        return None;
    }
    Some(match split {
        Split::MultiStatement => {
            "with `multi-statement = true` each statement commits on its own".to_string()
        }
        Split::Commit(first) => {
            let i = end.unwrap_or(first);
            format!(
                "the {} on line {} commits this statement before the rest of the file runs",
                cx.first_word(i, "COMMIT"),
                cx.line_of(i)
            )
        }
    })
}

/// `COMMIT`, `ROLLBACK` (`END`, `ABORT`) and `PREPARE TRANSACTION` end a
/// transaction; `BEGIN`, `SAVEPOINT`, `ROLLBACK TO`... do not.
fn ends_transaction(kind: pg_query::protobuf::TransactionStmtKind) -> bool {
    use pg_query::protobuf::TransactionStmtKind as K;
    matches!(
        kind,
        K::TransStmtCommit | K::TransStmtRollback | K::TransStmtPrepare
    )
}

/// A place where a statement could say `IF [NOT] EXISTS` and does not
/// (`prefer-create-if-not-exists`, `prefer-drop-if-exists`).
pub struct GuardSite {
    /// The statement or `ALTER TABLE` subcommand.
    pub span: Span,
    /// `CREATE TABLE users`, `ALTER TABLE t DROP COLUMN c`...
    pub what: String,
    /// The object lives outside the migration history (extension, schema).
    pub outside_history: bool,
    /// How the statement is made to cope with a rerun.
    pub remedy: Remedy,
    /// Where the words go (absolute byte offset) and the text to insert
    /// (words in the statement's case, then a space).
    pub insert: Option<(usize, String)>,
    /// The statement or subcommand rewritten, for the help.
    pub fixed: Option<String>,
}

/// How a statement copes with a rerun that finds its object there (or
/// gone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// Words it takes: `IF NOT EXISTS`, `IF EXISTS`, `OR REPLACE`.
    Words(&'static str),
    /// None: PostgreSQL has no `IF NOT EXISTS` or `OR REPLACE` for it
    /// (`CREATE TYPE`, `CREATE POLICY`...); a `DO` block catching the
    /// error (its condition name) skips it.
    Wrap(&'static str),
}

impl Remedy {
    /// What the statement lacks, after its name in a message.
    pub fn lacks(self) -> String {
        match self {
            Remedy::Words(w) => format!("without {w}"),
            Remedy::Wrap(_) => "(which has no IF NOT EXISTS or OR REPLACE)".to_string(),
        }
    }

    /// The help for one statement (`text`) or its rewritten form (`fixed`).
    pub fn help(self, text: &str, fixed: Option<&str>) -> String {
        match (self, fixed) {
            (Remedy::Words(_), Some(f)) if !f.contains('\n') && f.len() <= 120 => {
                format!("write `{f}`")
            }
            (Remedy::Words(_), Some(f)) => {
                let first: String = f
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(100)
                    .collect();
                format!("write `{} ...`", first.trim_end())
            }
            (Remedy::Words(w), None) => format!("add {w}"),
            (Remedy::Wrap(condition), _) => {
                let text = text.trim_end_matches(';').trim();
                let shown = if text.contains('\n') || text.len() > 100 {
                    let first: String = text
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(60)
                        .collect();
                    format!("{} ...", first.trim_end())
                } else {
                    text.to_string()
                };
                format!(
                    "skip it where the object is there: `DO $$ BEGIN {shown}; EXCEPTION WHEN {condition} THEN NULL; END $$;`"
                )
            }
        }
    }
}

impl GuardSite {
    /// The safe fix: insert the words in every site; none where a site
    /// takes no words (a `DO` block is a rewrite to review), so that a fix
    /// always settles its finding.
    pub fn fix(sites: &[&GuardSite]) -> Option<crate::fix::FixSpec> {
        use crate::fix::{Applicability, FixSpec};
        let mut words: Vec<&str> = Vec::new();
        let mut edits = Vec::new();
        for site in sites {
            let (Remedy::Words(w), Some((at, text))) = (site.remedy, site.insert.as_ref()) else {
                return None;
            };
            if !words.contains(&w) {
                words.push(w);
            }
            edits.push((*at, text.clone()));
        }
        let words: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
        let mut fix = FixSpec::new(
            format!("insert {}", words.join(" and ")),
            Applicability::Safe,
        );
        for (at, text) in edits {
            fix = fix.insert(at, text);
        }
        Some(fix)
    }
}

/// Where `words` go in `text` (a statement or subcommand starting at byte
/// `start` of the file) at offset `at`, in the text's case.
pub fn guard_insert(text: &str, start: usize, at: usize, words: &str) -> (usize, String) {
    let rewritten = crate::tokens::insert_keywords(text, at, words);
    (start + at, rewritten[at..at + words.len() + 1].to_string())
}

/// The statements of a down file that have guard sites (`sites_of`), for
/// one finding per down file: `None` when a statement before `cx`'s has
/// one (that statement carries the finding); else every site of the file
/// from `cx`'s statement on.
pub fn down_guard_sites(
    cx: &StmtCx,
    candidate: fn(&StmtCx, usize) -> bool,
    sites_of: fn(&StmtCx, usize, &crate::parse::Statement) -> Vec<GuardSite>,
) -> Option<Vec<GuardSite>> {
    let stmts = cx.stmt_count();
    let mut all = Vec::new();
    for i in 0..stmts {
        if i != cx.stmt_index && !candidate(cx, i) {
            continue;
        }
        let Some(stmt) = cx.statement(i) else {
            continue;
        };
        let sites = sites_of(cx, i, &stmt);
        if sites.is_empty() {
            continue;
        }
        if i < cx.stmt_index {
            return None;
        }
        // From this statement on (it has sites, so `all` is not empty
        // after it).
        all.extend(sites);
    }
    (!all.is_empty()).then_some(all)
}

/// How a guard rule words its one finding per down file.
pub struct DownGuard {
    /// The guard words: `IF EXISTS`, `IF NOT EXISTS`.
    pub words: &'static str,
    /// What one site is: `create`, `drop`.
    pub noun: &'static str,
    /// How the down then fails: `fails with \`already exists\``.
    pub failure: &'static str,
}

/// Reports, once per down file at its first site, every statement of the
/// file without the guard (`down_guard_sites`), with a fix adding it to
/// all of them. Returns whether the statement was a down's (then the up
/// rules do not apply).
pub fn report_down_guards(
    cx: &StmtCx,
    out: &mut crate::engine::context::Findings,
    candidate: fn(&StmtCx, usize) -> bool,
    sites_of: fn(&StmtCx, usize, &crate::parse::Statement) -> Vec<GuardSite>,
    guard: &DownGuard,
) -> bool {
    if !cx.file.is_down() {
        return false;
    }
    let Some(all) = down_guard_sites(cx, candidate, sites_of) else {
        return true;
    };
    let line = |s: &GuardSite| cx.file.parsed.line_col(s.span.start).0;
    let lines: Vec<usize> = all.iter().map(line).collect();
    let (words, noun) = (guard.words, guard.noun);
    // The guard they lack: the rule's words, unless some statements take
    // others (`OR REPLACE`) or none.
    let uniform = all.iter().all(|s| s.remedy == Remedy::Words(words));
    let lacks = if uniform {
        format!("no {words}")
    } else {
        "no guard".to_string()
    };
    let subject = match all.len() {
        1 => match all[0].remedy {
            Remedy::Words(w) => format!("{} has no {w}", all[0].what),
            Remedy::Wrap(_) => format!(
                "{} has no guard (PostgreSQL has no IF NOT EXISTS or OR REPLACE for it)",
                all[0].what
            ),
        },
        n => format!(
            "{} and {} other {noun}{} of this down ({}) have {lacks}",
            all[0].what,
            if n == 2 {
                "one".to_string()
            } else {
                (n - 1).to_string()
            },
            if n == 2 { "" } else { "s" },
            lines_list(&lines)
        ),
    };
    let finding = out.report(
        all[0].span,
        format!(
            "{subject}: golang-migrate's dirty-state recovery (`migrate force` then `down`) runs a down \
             against a database where its up may never have applied, and this down then {}",
            guard.failure
        ),
    );
    let text_of = |s: &GuardSite| &cx.file.parsed.text[s.span.start..s.span.end];
    match &all[..] {
        [one] => finding.help(one.remedy.help(text_of(one), one.fixed.as_deref())),
        _ if uniform => finding.help(format!("write `{words}` in each")),
        _ => {
            // Per remedy, the lines that take it.
            let mut groups: Vec<(Remedy, Vec<usize>)> = Vec::new();
            for s in &all {
                match groups.iter_mut().find(|(r, _)| *r == s.remedy) {
                    Some((_, l)) => l.push(line(s)),
                    None => groups.push((s.remedy, vec![line(s)])),
                }
            }
            let parts: Vec<String> = groups
                .iter()
                .map(|(r, l)| match r {
                    Remedy::Words(w) => format!("write `{w}` in {}", lines_list(l)),
                    Remedy::Wrap(c) => format!(
                        "wrap {} in `DO $$ BEGIN ...; EXCEPTION WHEN {c} THEN NULL; END $$;`",
                        lines_list(l)
                    ),
                })
                .collect();
            finding.help(parts.join("; "))
        }
    };
    if let Some(fix) = GuardSite::fix(&all.iter().collect::<Vec<_>>()) {
        finding.fix(fix);
    }
    true
}

/// "line 3", "lines 3, 7 and 12".
pub fn lines_list(lines: &[usize]) -> String {
    let mut lines = lines.to_vec();
    lines.dedup();
    match lines.as_slice() {
        [one] => format!("line {one}"),
        [init @ .., last] => format!(
            "lines {} and {last}",
            init.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [] => String::new(),
    }
}

/// What depends on `dropped`, or on what dropping it takes with it (a
/// table's columns, a column's indexes and keys, a key's index, an
/// extension's members), and does not go with a drop without CASCADE
/// (nor with the other drops of the statement, `drops`): what makes
/// PostgreSQL refuse the drop, or what CASCADE takes too (for a default,
/// only the default). Each with the object it depends on and where the
/// dependency was made.
pub fn outside_dependents<'o>(
    objects: &'o ObjSet<Origin>,
    dropped: &Obj,
    drops: &[&Obj],
) -> Vec<(&'o Obj, Obj, Origin)> {
    let mut taken: Vec<&Obj> = vec![dropped];
    taken.extend(objects.covered(dropped, false).into_iter().map(|(o, _)| o));
    // An extension's types and functions go with it.
    // A table's, view's or materialized view's row type goes with it (a
    // column of that type keeps it: `column x of table b depends on type
    // a`, checked on PostgreSQL 15).
    let members = match dropped.kind {
        Kind::Extension => crate::model::extensions::members(&dropped.name.name),
        Kind::Table | Kind::View | Kind::MatView => {
            vec![Obj::new(Kind::Type, dropped.name.clone())]
        }
        _ => Vec::new(),
    };
    taken.extend(&members);
    let mut dependents: Vec<(&Obj, Obj, Origin)> = Vec::new();
    for t in &taken {
        // What depends on it; for a column, the views that read it; for a
        // schema, what is in it (a table standing for its parts).
        let on_column = match (t.kind, &t.table) {
            (Kind::Column, Some(table)) => objects.on_column(table, &t.name.name),
            (Kind::Schema, _) => objects
                .iter()
                .filter(|(o, _)| {
                    let part = o.kind.on_table()
                        || (matches!(o.kind, Kind::Index | Kind::Sequence) && o.table.is_some());
                    !part && o.kind != Kind::Schema && o.schema().as_deref() == Some(&*t.name.name)
                })
                .collect(),
            _ => Vec::new(),
        };
        for (o, origin) in objects.dependents(t).into_iter().chain(on_column) {
            let goes = taken.iter().any(|t| t.same_key(o))
                // What this same statement drops too goes with it.
                || drops.iter().any(|d| drop_covers(d, false, o));
            if !goes && !dependents.iter().any(|(d, _, _)| d.same_key(o)) {
                dependents.push((o, (*t).clone(), *origin));
            }
        }
    }
    dependents
}

/// A dependent of `outside_dependents`, in words: `the foreign key x on
/// t`, `the default of column t.c`, `view v`.
pub fn describe_dependent(dependent: &Obj, via: &Obj) -> String {
    match dependent.kind {
        Kind::Constraint if dependent.depends_on.iter().any(|d| d.kind.is_relation()) => format!(
            "the foreign key {}",
            dependent.describe().trim_start_matches("constraint ")
        ),
        Kind::Column if matches!(via.kind, Kind::Function | Kind::Sequence) => {
            format!("the default of {}", dependent.describe())
        }
        _ => dependent.describe(),
    }
}

/// The objects statement `cx` needs that the history dropped or renamed
/// away (`Schema::gone_uses`).
pub fn uses_of_gone<'a>(cx: &StmtCx<'a>) -> Vec<crate::model::schema::GoneUse<'a>> {
    cx.schema.gone_uses(
        &cx.facts().effects,
        crate::model::effects::relation_if_exists(&cx.stmt.node),
    )
}
