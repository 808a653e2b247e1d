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
    fn squawk_comments_are_honoured() {
        // A team moving from squawk keeps its recorded decisions: squawk's
        // names map onto ours, and names we do not have are squawk's
        // business, not an invalid suppression.
        let sql = "-- squawk-ignore require-concurrent-index-creation, ban-drop-view -- reviewed\n\
                   CREATE INDEX i ON t (a);";
        assert_ok("require-concurrent-index-creation", sql);
        assert_ok("invalid-suppression", sql);
        assert_err(
            "require-concurrent-index-creation",
            &format!("{sql}\nCREATE INDEX j ON t (b);"),
        );
        // Renamed: squawk's renaming-column is our ban-rename-column.
        let rename = "/* squawk-ignore renaming-column */\nALTER TABLE t RENAME COLUMN a TO b;";
        let files = |up2| {
            [
                ("1_t.up.sql", "CREATE TABLE t (a int);"),
                ("2_r.up.sql", up2),
            ]
        };
        assert_ok_files("ban-rename-column", &files(rename));
        let other = rename.replace("renaming-column", "ban-drop-view");
        assert_err_files("ban-rename-column", &files(&other));
    }

    #[test]
    fn bare_squawk_ignore_file_is_every_rule_but_syntax_errors() {
        let sql = "-- squawk-ignore-file\nCREATE INDEX i ON t (a);\nDROP INDEX i;";
        assert_ok("require-concurrent-index-creation", sql);
        assert_ok("require-concurrent-index-deletion", sql);
        assert_ok("invalid-suppression", sql);
        assert_err("syntax-error", &format!("{sql}\nSELEC 1;"));
        // Bare and next-statement: that statement only.
        let next = "-- squawk-ignore\nCREATE INDEX i ON t (a);\nCREATE INDEX j ON t (b);";
        assert_err("require-concurrent-index-creation", next);
    }

    #[test]
    fn squawk_names_map_to_rules_we_have() {
        for (squawk, ours) in crate::parse::SQUAWK_RULES {
            for rule in *ours {
                assert!(
                    crate::rules::find(rule).is_some(),
                    "{squawk} maps to {rule}, which is not a rule"
                );
            }
        }
    }

    #[test]
    fn file_level() {
        assert_ok(
            "require-concurrent-index-creation",
            "CREATE INDEX i ON t (a);\n/* migralint-ignore-file require-concurrent-index-creation */\nCREATE INDEX j ON t (b);",
        );
    }
}
