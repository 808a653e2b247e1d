//! golang-migrate's command line, as Go's `flag` package reads it, turned
//! into the form clap reads before clap parses: `-name` and `--name`,
//! `-name value` and `-name=value` alike, for the flag names `migralint
//! migrate` knows (golang-migrate's `-path`, `-source`, `-database`,
//! `-lock-timeout`, `-verbose`, `-prefetch`, `-help`, `down -all`,
//! `create -ext -dir -seq -digits -format -tz`, and our own long options).
//! A Go boolean written `-name=true` / `-name=false` becomes `--name` / is
//! dropped. Other arguments (values, versions such as `-1`, names) are left
//! as they are, and so is everything after `--`.

use std::ffi::OsString;

/// Long options that take a value.
const VALUE_FLAGS: &[&str] = &[
    "path",
    "source",
    "database",
    "lock-timeout",
    "prefetch",
    "pg-lock-timeout",
    "lock-retries",
    "allow",
    "ext",
    "dir",
    "digits",
    "format",
    "tz",
];

/// Long options that take none.
const BOOL_FLAGS: &[&str] = &[
    "verbose",
    "help",
    "all",
    "seq",
    "timestamp",
    "no-lint",
    "dry-run",
    "yes",
    "force",
    "allow-missing-down",
];

/// Go's `strconv.ParseBool`.
fn go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Rewrites the arguments that follow `migrate`.
pub fn rewrite<I: IntoIterator<Item = OsString>>(args: I) -> Vec<OsString> {
    let mut out = Vec::new();
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        let Some(text) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            out.push(arg);
            out.extend(iter);
            break;
        }
        let body = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('-'))
            .filter(|b| !b.is_empty() && !b.starts_with('-'));
        let Some(body) = body else {
            out.push(arg);
            continue;
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        if VALUE_FLAGS.contains(&name) {
            match value {
                Some(v) => out.push(OsString::from(format!("--{name}={v}"))),
                None => {
                    out.push(OsString::from(format!("--{name}")));
                    // Its value, untouched (it may start with a dash).
                    if let Some(v) = iter.next() {
                        out.push(v);
                    }
                }
            }
        } else if BOOL_FLAGS.contains(&name) {
            match value.map(go_bool) {
                None => out.push(OsString::from(format!("--{name}"))),
                Some(Some(true)) => out.push(OsString::from(format!("--{name}"))),
                Some(Some(false)) => {}
                // Not a Go boolean: let clap say what is wrong.
                Some(None) => out.push(arg),
            }
        } else {
            out.push(arg);
        }
    }
    out
}

/// Rewrites a whole `migralint` command line: the arguments after the
/// `migrate` subcommand (past any `--config FILE` before it).
pub fn rewrite_cli<I: IntoIterator<Item = OsString>>(argv: I) -> Vec<OsString> {
    let argv: Vec<OsString> = argv.into_iter().collect();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].to_string_lossy();
        if a == "--config" {
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        break;
    }
    if argv.get(i).is_some_and(|a| a == "migrate") {
        let mut out: Vec<OsString> = argv[..=i].to_vec();
        out.extend(rewrite(argv[i + 1..].iter().cloned()));
        out
    } else {
        argv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw(args: &[&str]) -> Vec<String> {
        rewrite(args.iter().map(OsString::from))
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    #[test]
    fn go_style_flags_become_long_options() {
        assert_eq!(
            rw(&["-path", "db/m", "-database", "postgres://x", "up", "2"]),
            ["--path", "db/m", "--database", "postgres://x", "up", "2"]
        );
        assert_eq!(
            rw(&[
                "-path=/m/",
                "-database=postgres://x?a=b",
                "-verbose",
                "down",
                "-all"
            ]),
            [
                "--path=/m/",
                "--database=postgres://x?a=b",
                "--verbose",
                "down",
                "--all"
            ]
        );
        assert_eq!(
            rw(&[
                "-source",
                "file://m",
                "-lock-timeout",
                "5",
                "-prefetch",
                "10",
                "version"
            ]),
            [
                "--source",
                "file://m",
                "--lock-timeout",
                "5",
                "--prefetch",
                "10",
                "version"
            ]
        );
        assert_eq!(
            rw(&["create", "-ext", "sql", "-dir", "db/m", "-seq", "-digits", "4", "x"]),
            ["create", "--ext", "sql", "--dir", "db/m", "--seq", "--digits", "4", "x"]
        );
        assert_eq!(
            rw(&["create", "-ext=.sql", "-format", "unix", "-tz", "UTC", "x"]),
            [
                "create",
                "--ext=.sql",
                "--format",
                "unix",
                "--tz",
                "UTC",
                "x"
            ]
        );
    }

    #[test]
    fn leaves_the_rest_alone() {
        assert_eq!(rw(&["force", "-1"]), ["force", "-1"]);
        assert_eq!(rw(&["drop", "-f"]), ["drop", "-f"]);
        assert_eq!(
            rw(&["--path", "-weird-dir", "up"]),
            ["--path", "-weird-dir", "up"]
        );
        assert_eq!(rw(&["-verbose=false", "-all=true"]), ["--all"]);
        assert_eq!(rw(&["-verbose=maybe"]), ["-verbose=maybe"]);
        assert_eq!(
            rw(&["-unknown", "--", "-path"]),
            ["-unknown", "--", "-path"]
        );
        assert_eq!(rw(&["-v", "-y"]), ["-v", "-y"]);
    }

    #[test]
    fn whole_command_lines() {
        let cl = |a: &[&str]| -> Vec<String> {
            rewrite_cli(a.iter().map(OsString::from))
                .into_iter()
                .map(|s| s.into_string().unwrap())
                .collect()
        };
        assert_eq!(
            cl(&[
                "migralint",
                "--config",
                "c.toml",
                "migrate",
                "-path",
                "m",
                "up"
            ]),
            [
                "migralint",
                "--config",
                "c.toml",
                "migrate",
                "--path",
                "m",
                "up"
            ]
        );
        assert_eq!(
            cl(&["migralint", "check", "-path"]),
            ["migralint", "check", "-path"]
        );
    }
}
