//! Small helpers shared by rules.

use pg_query::protobuf::{AlterTableCmd, AlterTableStmt, AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::context::StmtCx;
use crate::locks::{locks_in, LockTaken};
use crate::model::QualName;

/// `ALTER TABLE`'s table and subcommands, for statements that are one.
pub fn alter_table(node: &NodeEnum) -> Option<(&AlterTableStmt, QualName)> {
    match node {
        NodeEnum::AlterTableStmt(s) if s.objtype == ObjectType::ObjectTable as i32 => {
            Some((s, QualName::from_range_var(s.relation.as_ref()?)))
        }
        _ => None,
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
/// TABLE`.
pub fn added_columns(s: &AlterTableStmt) -> impl Iterator<Item = &pg_query::protobuf::ColumnDef> {
    cmds(s)
        .filter(|cmd| subtype(cmd) == AlterTableType::AtAddColumn)
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

/// The lock this statement takes on `table`, described for a message:
/// `ACCESS EXCLUSIVE on users (blocks reads and writes; rewrites the table)`.
pub fn lock_on(cx: &StmtCx, table: &QualName) -> Option<LockTaken> {
    locks_in(&cx.stmt.node, cx.config.pg_version, cx.schema)
        .into_iter()
        .find(|l| l.relation.key() == table.key())
}

pub fn describe_lock(cx: &StmtCx, table: &QualName) -> String {
    lock_on(cx, table).map_or_else(|| format!("a lock on {table}"), |l| l.describe())
}

/// The table is dropped by a later statement of the same file (so locking
/// it now hardly matters: the file is about to take ACCESS EXCLUSIVE anyway).
pub fn dropped_later_in_file(cx: &StmtCx, table: &QualName) -> bool {
    let key = table.key();
    cx.later_statements().iter().any(|s| match &s.node {
        NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectTable as i32 => d.objects.iter().any(|o| {
            matches!(o.node.as_ref(), Some(NodeEnum::List(l)) if QualName::from_list(&l.items).is_some_and(|n| n.key() == key))
        }),
        _ => false,
    })
}

/// The table holds data when this statement runs: it was not created
/// earlier in this same file.
pub fn holds_data(cx: &StmtCx, table: &QualName) -> bool {
    !cx.table_state(table).is_new()
}

/// The span of the `index`-th subcommand of an `ALTER TABLE` (the text
/// between top-level commas, past the table name), for subcommands whose
/// node carries no location (`SET NOT NULL`, `VALIDATE CONSTRAINT`, `SET
/// TABLESPACE`...). Falls back to the statement span.
pub fn cmd_span(cx: &StmtCx, stmt: &AlterTableStmt, index: usize) -> crate::source::Span {
    use pg_query::protobuf::Token;
    let span = cx.stmt.span;
    let Some(rv) = stmt.relation.as_ref() else {
        return span;
    };
    let Ok(rel_at) = usize::try_from(rv.location) else {
        return span;
    };
    if rel_at < span.start || rel_at >= span.end {
        return span;
    }
    let Ok(tokens) = crate::parse::scan(cx.text(span)) else {
        return span;
    };
    let rel_at = rel_at - span.start;
    let tokens: Vec<_> = tokens
        .iter()
        .filter(|t| t.token != Token::SqlComment as i32 && t.token != Token::CComment as i32)
        .collect();
    // Skip `name` or `schema.name` (or `db.schema.name`).
    let Some(mut i) = tokens.iter().position(|t| t.start as usize >= rel_at) else {
        return span;
    };
    i += 1;
    while i + 1 < tokens.len() && tokens[i].token == Token::Ascii46 as i32 {
        i += 2;
    }
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    let mut end = 0usize;
    for t in &tokens[i.min(tokens.len())..] {
        let tok = t.token;
        if tok == Token::Ascii40 as i32 || tok == Token::Ascii91 as i32 {
            depth += 1;
        } else if tok == Token::Ascii41 as i32 || tok == Token::Ascii93 as i32 {
            depth -= 1;
        } else if tok == Token::Ascii44 as i32 && depth == 0 {
            if let Some(s) = start.take() {
                pieces.push((s, end));
            }
            continue;
        }
        start.get_or_insert(t.start as usize);
        end = t.end as usize;
    }
    if let Some(s) = start {
        pieces.push((s, end));
    }
    match pieces.get(index) {
        Some(&(s, e)) if pieces.len() == stmt.cmds.len() => {
            crate::source::Span::new(span.start + s, span.start + e)
        }
        _ => span,
    }
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
    for con in crate::model::schema::column_constraints(c) {
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
    let tokens = crate::parse::scan(text).ok()?;
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
    use crate::lint::{lint, LintOptions, SourceFile};
    use crate::report::Diagnostic;
    use crate::rules::testing::{render, DEFAULT_FILE};

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

/// The kind of a transaction-control statement (`BEGIN`, `COMMIT`, ...).
pub fn transaction_kind(node: &NodeEnum) -> Option<pg_query::protobuf::TransactionStmtKind> {
    match node {
        NodeEnum::TransactionStmt(t) => {
            pg_query::protobuf::TransactionStmtKind::try_from(t.kind).ok()
        }
        _ => None,
    }
}

/// Which transaction each statement of the file runs in (equal numbers:
/// same transaction). golang-migrate sends a file as one multi-statement
/// query: PostgreSQL runs it as one implicit transaction that `COMMIT`,
/// `ROLLBACK` (and `PREPARE TRANSACTION`) end; a `BEGIN` turns the implicit
/// block into an explicit one without ending it. With `multi-statement`
/// configured, statements outside `BEGIN ... COMMIT` each commit alone.
pub fn transaction_ids(cx: &StmtCx) -> Vec<usize> {
    use pg_query::protobuf::TransactionStmtKind as K;
    let multi = cx.config.multi_statement;
    let mut id = 0;
    let mut explicit = false;
    let mut ids = Vec::with_capacity(cx.statements().len());
    for s in cx.statements() {
        match transaction_kind(&s.node) {
            Some(K::TransStmtBegin | K::TransStmtStart) => {
                if multi && !explicit {
                    id += 1;
                }
                explicit = true;
                ids.push(id);
            }
            Some(K::TransStmtCommit | K::TransStmtRollback | K::TransStmtPrepare) => {
                ids.push(id);
                id += 1;
                let chain = matches!(&s.node, NodeEnum::TransactionStmt(t) if t.chain);
                explicit = explicit && chain;
            }
            _ if multi && !explicit => {
                id += 1;
                ids.push(id);
                id += 1;
            }
            _ => ids.push(id),
        }
    }
    ids
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
            if rv.relpersistence == "t" {
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
                    AlterTableType::AtAddColumn => {
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
