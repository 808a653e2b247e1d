//! Reported by the engine from `parse::ParsedFile::suppressions`.

use crate::rules::Check;

declare_rule!(
    "invalid-suppression",
    Parsing,
    Warning,
    "A migralint-ignore comment that names an unknown rule or none",
    Check::Builtin
);

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn unknown_name() {
        insta::assert_snapshot!(assert_err(
            "invalid-suppression",
            "-- migralint-ignore require-concurrent-index-creatoin\nCREATE INDEX i ON t (a);"
        ));
    }

    #[test]
    fn known_names_ok_and_suppress() {
        let sql = "-- migralint-ignore require-concurrent-index-creation, require-lock-timeout\nCREATE INDEX i ON t (a);";
        assert_ok("invalid-suppression", sql);
        assert_ok("require-concurrent-index-creation", sql);
        // Only the next statement.
        assert_err(
            "require-concurrent-index-creation",
            &format!("{sql}\nCREATE INDEX j ON t (b);"),
        );
    }

    #[test]
    fn file_level() {
        assert_ok(
            "require-concurrent-index-creation",
            "CREATE INDEX i ON t (a);\n/* migralint-ignore-file require-concurrent-index-creation */\nCREATE INDEX j ON t (b);",
        );
    }
}
