//! What rules read of the configuration: the target PostgreSQL version,
//! how golang-migrate runs a file, naming patterns. (Which rules run, and
//! at what level, is the engine's business: `Selection`.)

use regex::Regex;

use crate::model::QualName;

use crate::report::Level;

/// The oldest PostgreSQL major version the community still supports.
pub const DEFAULT_PG_VERSION: u32 = 15;

pub const DEFAULT_TITLE_PATTERN: &str = r"^[a-z0-9]+([._][a-z0-9]+)*$";
pub const DEFAULT_OBJECT_PATTERN: &str = r"^[a-z_][a-z0-9_$]*$";

#[derive(Clone, Debug)]
pub struct Options {
    /// Target PostgreSQL major version.
    pub pg_version: u32,
    /// golang-migrate's `x-multi-statement=true`: statements sent one by
    /// one, no implicit transaction around a file.
    pub multi_statement: bool,
    pub naming: Naming,
    /// The level of the locking rules' findings in down files (`[downs]
    /// locking`): off by default. A down runs in an emergency rollback,
    /// when the lock it takes is the price of getting back to a working
    /// release; its lock findings are noise on every ordinary review.
    pub downs_locking: Level,
    /// Another tool's comment markers a team already writes (`[markers]`):
    /// a comment that starts with the marker suppresses these rules on the
    /// next statement, as `-- migralint-ignore` would.
    pub markers: Vec<(String, Vec<&'static str>)>,
    /// Tables the team vouches are small (`[tables] small`): a few
    /// thousand rows at most, touched only by short queries. A name
    /// without a schema stands for that table in any schema.
    pub small_tables: Vec<QualName>,
}

impl Options {
    /// `table` is one the team declared small (`[tables] small`).
    pub fn is_small(&self, table: &QualName) -> bool {
        self.small_tables
            .iter()
            .any(|s| s.name == table.name && (s.schema.is_none() || s.key().0 == table.key().0))
    }
}

/// Naming patterns (regexes).
#[derive(Clone, Debug)]
pub struct Naming {
    pub title: Regex,
    /// `title` was configured (`[naming] title`): titles are then judged
    /// against it, not only against their directory's own convention.
    pub title_configured: bool,
    pub index: Regex,
    pub constraint: Regex,
    pub table: Regex,
}

impl Default for Naming {
    fn default() -> Self {
        let re = |p: &str| Regex::new(p).expect("default pattern is valid");
        Naming {
            title: re(DEFAULT_TITLE_PATTERN),
            title_configured: false,
            index: re(DEFAULT_OBJECT_PATTERN),
            constraint: re(DEFAULT_OBJECT_PATTERN),
            table: re(DEFAULT_OBJECT_PATTERN),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pg_version: DEFAULT_PG_VERSION,
            multi_statement: false,
            naming: Naming::default(),
            downs_locking: Level::Off,
            markers: Vec::new(),
            small_tables: Vec::new(),
        }
    }
}
