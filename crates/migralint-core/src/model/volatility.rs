//! Whether a default expression is volatile (evaluated per row, so adding a
//! column with it rewrites the table) or evaluated once.

use pg_query::protobuf::Node;
use pg_query::NodeEnum;

use rustc_hash::FxHashMap as HashMap;

use super::names::string_list;

/// Functions known to be stable or immutable: a default calling only these
/// is evaluated once when the column is added (PostgreSQL 11+).
const NON_VOLATILE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_database",
    "current_schema",
    "current_user",
    "lower",
    "upper",
    "trim",
    "btrim",
    "concat",
    "coalesce",
    "to_timestamp",
    "to_date",
    "to_char",
    "make_interval",
    "make_date",
    "jsonb_build_object",
    "jsonb_build_array",
    "json_build_object",
    "json_build_array",
    "array_fill",
    "length",
    "abs",
    "greatest",
    "least",
    // `AT TIME ZONE` is `timezone(...)`; `EXTRACT` is `extract(...)`.
    "timezone",
    "date_trunc",
    "date_part",
    "extract",
    "age",
    "make_timestamp",
    "make_timestamptz",
    "current_setting",
    "md5",
    "sha256",
    "encode",
    "decode",
    "format",
    "replace",
    "substr",
    "substring",
    "left",
    "right",
    "lpad",
    "rpad",
    "split_part",
    "regexp_replace",
    "string_to_array",
    "array_to_string",
    "array_length",
    "cardinality",
    "round",
    "floor",
    "ceil",
    "trunc",
    "to_number",
    "to_json",
    "to_jsonb",
    "row_to_json",
    "array_to_json",
    "jsonb_set",
    "uuid_nil",
];

/// Functions known to be volatile.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "setseed",
];

/// PostgreSQL marks this function volatile (others that `volatile_call`
/// reports are merely not known to be stable).
pub fn is_known_volatile(name: &str) -> bool {
    VOLATILE.contains(&name)
}

/// The first volatile (or unknown) function an expression calls, if any.
pub fn volatile_call(expr: &Node) -> Option<String> {
    volatile_call_in(expr, None)
}

/// `volatile_call`, knowing the functions the migrations created
/// (`functions`): one declared STABLE or IMMUTABLE is not volatile, and a
/// SQL function PostgreSQL inlines is as volatile as its body.
pub fn volatile_call_in(expr: &Node, functions: Option<&Functions>) -> Option<String> {
    volatile_within(expr, functions, 8)
}

fn volatile_within(expr: &Node, functions: Option<&Functions>, depth: u8) -> Option<String> {
    let mut found = None;
    walk(expr, &mut |n| {
        if found.is_some() {
            return;
        }
        if let NodeEnum::FuncCall(f) = n {
            let name = string_list(&f.funcname).pop().unwrap_or_default();
            let volatile = if VOLATILE.contains(&name.as_str()) {
                true
            } else if NON_VOLATILE.contains(&name.as_str()) {
                false
            } else {
                match functions.and_then(|fs| fs.judge(&name)) {
                    Some(FunctionVolatility::Declared(v)) => v,
                    Some(FunctionVolatility::Inlined(body)) => {
                        depth == 0 || volatile_within(body, functions, depth - 1).is_some()
                    }
                    None => true,
                }
            };
            if volatile {
                found = Some(name);
            }
        }
    });
    found
}

pub fn is_volatile(expr: &Node) -> bool {
    volatile_call(expr).is_some()
}

/// How PostgreSQL judges a call of a function the migrations created.
pub enum FunctionVolatility<'a> {
    /// By its declared volatility (`true`: VOLATILE, the default).
    Declared(bool),
    /// By the expression it inlines to: a VOLATILE `LANGUAGE sql`
    /// function whose body is one `SELECT expr` (or `RETURN expr`).
    Inlined(&'a Node),
}

/// What `CREATE FUNCTION` says of a function's volatility.
#[derive(Clone, Debug)]
pub struct FunctionInfo {
    /// Declared VOLATILE (the default).
    pub volatile: bool,
    /// The expression PostgreSQL inlines a call to (`plain_expression`).
    pub inlined: Option<Box<Node>>,
}

/// The functions the migrations created, by bare name, each overload with
/// its argument types.
#[derive(Clone, Debug, Default)]
pub struct Functions {
    by_name: HashMap<String, Vec<(Vec<String>, FunctionInfo)>>,
}

impl Functions {
    /// `CREATE [OR REPLACE] FUNCTION name(args)`.
    pub fn define(&mut self, name: &str, args: &[String], info: FunctionInfo) {
        let overloads = self.by_name.entry(name.to_string()).or_default();
        match overloads.iter_mut().find(|(a, _)| a == args) {
            Some((_, old)) => *old = info,
            None => overloads.push((args.to_vec(), info)),
        }
    }

    /// How a call of `name` is judged; `None` when no function of that
    /// name is known, or several overloads are and not all judged alike
    /// (which one a call picks takes type inference).
    pub fn judge(&self, name: &str) -> Option<FunctionVolatility<'_>> {
        match self.by_name.get(name)?.as_slice() {
            [(_, f)] => Some(match (&f.inlined, f.volatile) {
                (Some(body), true) => FunctionVolatility::Inlined(body),
                (_, volatile) => FunctionVolatility::Declared(volatile),
            }),
            several => several
                .iter()
                .all(|(_, f)| !f.volatile)
                .then_some(FunctionVolatility::Declared(false)),
        }
    }
}

/// Whether an inlined body is made only of expression nodes `walk` visits
/// whole (anything else, e.g. a sub-select, keeps PostgreSQL from inlining
/// it, or migralint from judging it).
pub fn plain_expression(expr: &Node) -> bool {
    let mut plain = true;
    walk(expr, &mut |n| {
        plain &= matches!(
            n,
            NodeEnum::FuncCall(_)
                | NodeEnum::TypeCast(_)
                | NodeEnum::AExpr(_)
                | NodeEnum::BoolExpr(_)
                | NodeEnum::CoalesceExpr(_)
                | NodeEnum::MinMaxExpr(_)
                | NodeEnum::AArrayExpr(_)
                | NodeEnum::RowExpr(_)
                | NodeEnum::CaseExpr(_)
                | NodeEnum::CaseWhen(_)
                | NodeEnum::AConst(_)
                | NodeEnum::ParamRef(_)
                | NodeEnum::ColumnRef(_)
                | NodeEnum::SqlvalueFunction(_)
        ) && !matches!(n, NodeEnum::FuncCall(f) if f.agg_star || f.over.is_some() || !f.agg_order.is_empty() || f.agg_filter.is_some());
    });
    plain
}

/// Visits the expression nodes a default can contain.
fn walk(node: &Node, f: &mut dyn FnMut(&NodeEnum)) {
    let Some(n) = node.node.as_ref() else { return };
    f(n);
    match n {
        NodeEnum::FuncCall(c) => c.args.iter().for_each(|a| walk(a, f)),
        NodeEnum::TypeCast(c) => {
            if let Some(a) = c.arg.as_deref() {
                walk(a, f)
            }
        }
        NodeEnum::AExpr(e) => {
            for side in [e.lexpr.as_deref(), e.rexpr.as_deref()]
                .into_iter()
                .flatten()
            {
                walk(side, f)
            }
        }
        NodeEnum::BoolExpr(e) => e.args.iter().for_each(|a| walk(a, f)),
        NodeEnum::CoalesceExpr(e) => e.args.iter().for_each(|a| walk(a, f)),
        NodeEnum::MinMaxExpr(e) => e.args.iter().for_each(|a| walk(a, f)),
        NodeEnum::AArrayExpr(e) => e.elements.iter().for_each(|a| walk(a, f)),
        NodeEnum::RowExpr(e) => e.args.iter().for_each(|a| walk(a, f)),
        NodeEnum::CaseExpr(e) => {
            e.args.iter().for_each(|a| walk(a, f));
            if let Some(d) = e.defresult.as_deref() {
                walk(d, f)
            }
        }
        NodeEnum::CaseWhen(w) => {
            for side in [w.expr.as_deref(), w.result.as_deref()]
                .into_iter()
                .flatten()
            {
                walk(side, f)
            }
        }
        NodeEnum::SubLink(_) => f(n),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn default_of(sql: &str) -> Node {
        let f = parse_file("x.sql", &format!("SELECT {sql}"));
        let NodeEnum::SelectStmt(s) = &f.statements[0].node else {
            panic!()
        };
        let NodeEnum::ResTarget(t) = s.target_list[0].node.as_ref().unwrap() else {
            panic!()
        };
        *t.val.clone().unwrap()
    }

    #[test]
    fn volatility() {
        assert!(is_volatile(&default_of("gen_random_uuid()")));
        assert!(is_volatile(&default_of("(random() * 10)::int")));
        assert!(is_volatile(&default_of("my_function()")));
        assert!(!is_volatile(&default_of("now()")));
        assert!(!is_volatile(&default_of("CURRENT_TIMESTAMP")));
        assert!(!is_volatile(&default_of("'{}'::jsonb")));
        assert!(!is_volatile(&default_of("0")));
        assert!(!is_volatile(&default_of("pg_catalog.now()")));
        // Supabase's default, and other stable or immutable built-ins.
        assert!(!is_volatile(&default_of("timezone('utc'::text, now())")));
        assert!(!is_volatile(&default_of("(now() AT TIME ZONE 'utc')")));
        assert!(!is_volatile(&default_of("date_trunc('day', now())")));
        assert!(!is_volatile(&default_of("md5('x')")));
        assert!(!is_volatile(&default_of("to_jsonb(format('%s', 1))")));
        assert!(is_volatile(&default_of("md5(random()::text)")));
    }
}
