//! Reported by the engine from `parse::ParsedFile::syntax_errors`.

use crate::rules::Check;

declare_rule!(
    "syntax-error",
    Parsing,
    Error,
    "SQL that PostgreSQL's parser rejects",
    Check::Builtin
);

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn reports_the_offending_token() {
        insta::assert_snapshot!(assert_err(
            "syntax-error",
            "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NUL;\n"
        ));
    }

    #[test]
    fn each_bad_statement_is_reported_and_good_ones_linted() {
        let out = assert_err(
            "syntax-error",
            "SELEC 1;\nCREATE INDEX i ON t (a);\nDROP COLUMN x;\n",
        );
        assert_eq!(out.matches("[syntax-error]").count(), 2, "{out}");
    }

    #[test]
    fn valid_sql_ok() {
        assert_ok(
            "syntax-error",
            "CREATE TABLE \"Quoted\" (id int); -- comment\nSELECT $$ ; $$;",
        );
    }
}
