//! The pairing rules' state during the replay (`rules::Check::Down`): per
//! directory, the object history of its up files in version order, and what
//! the ups of the current version change. Files arrive in replay order
//! (version order, ups before downs of a version), so when a down arrives
//! every up up to its version has been seen; what an up changes is kept
//! only until its version is over.

use rustc_hash::FxHashMap;

use super::context::{DownCx, UpRecord};
use super::facts::FileFacts;
use super::files::{dir_of, MigFile, SetFile};
use super::options::Options;
use crate::migration::file_name;
use crate::model::effects::Effect;
use crate::model::history::{expected_drops, up_changes, History};
use crate::model::Obj;
use crate::tokens::Tok;

#[derive(Default)]
pub struct Pairing {
    dirs: FxHashMap<String, DirState>,
}

#[derive(Default)]
struct DirState {
    /// The version being replayed in this directory.
    version: Option<u64>,
    /// The objects of the ups applied so far (`History`).
    history: History,
    /// Ups of `version` not yet applied.
    pending: Vec<PendingUp>,
    /// Ups of `version` already applied, with what each changes.
    applied: Vec<(usize, UpRecord)>,
}

/// An up file not yet applied to its directory's history: its index, its
/// statements' offsets and effects, and its tokens (the names it uses).
type PendingUp = (usize, Vec<(usize, Vec<Effect>)>, Vec<Tok>);

impl Pairing {
    /// An up file (`file`, index `index`) was replayed: keeps its
    /// statements' effects and its tokens (taken out of its facts) until
    /// its version's downs.
    pub fn up(
        &mut self,
        (index, file, facts): (usize, &SetFile, FileFacts),
        version: u64,
        kept: &[Option<SetFile>],
    ) {
        // What a `ROLLBACK` undid is not the up's to reverse.
        let statements = facts
            .stmts
            .into_iter()
            .zip(&file.statements)
            .map(|(s, kept)| {
                let effects = match s.undone_by {
                    Some(_) => Vec::new(),
                    None => s.effects.into_vec(),
                };
                (kept.span.start, effects)
            })
            .collect();
        let state = self.dir(dir_of(&file.path), version, kept);
        state.pending.push((index, statements, facts.tokens));
    }

    /// A down file was replayed: runs `check` with its up and the history.
    pub fn down(
        &mut self,
        version: u64,
        (index, down, facts): (usize, &SetFile, &FileFacts),
        kept: &[Option<SetFile>],
        options: &Options,
        refused: &[Obj],
        check: impl FnOnce(&DownCx),
    ) {
        let state = self.dir(dir_of(&down.path), version, kept);
        state.apply_pending(kept);
        let Some(down_file) = MigFile::new(index, down) else {
            return;
        };
        // Same title preferred, else the first up by file name.
        let ups: Vec<(MigFile, &UpRecord)> = state
            .applied
            .iter()
            .filter_map(|(i, r)| Some((MigFile::new(*i, kept[*i].as_ref()?)?, r)))
            .collect();
        let up = ups
            .iter()
            .find(|(u, _)| u.name.title == down_file.name.title)
            .or_else(|| ups.iter().min_by_key(|(u, _)| u.file_name()))
            .copied();
        check(&DownCx {
            down: down_file,
            facts,
            up,
            history: &state.history,
            options,
            refused,
        });
    }

    /// The state of `dir`, moved on to `version` if it was at an earlier one.
    fn dir(&mut self, dir: &str, version: u64, kept: &[Option<SetFile>]) -> &mut DirState {
        if !self.dirs.contains_key(dir) {
            self.dirs.insert(dir.to_string(), DirState::default());
        }
        let state = self.dirs.get_mut(dir).expect("just inserted");
        if state.version != Some(version) {
            state.apply_pending(kept);
            state.applied.clear();
            state.version = Some(version);
        }
        state
    }
}

impl DirState {
    /// Applies the pending ups (all of one version) to the history, in file
    /// name order, after judging what each one's down must drop against
    /// the history before any of them.
    fn apply_pending(&mut self, kept: &[Option<SetFile>]) {
        if self.pending.is_empty() {
            return;
        }
        let mut ups = std::mem::take(&mut self.pending);
        let text = |i: usize| kept[i].as_ref().map_or("", |f| f.text.as_str());
        ups.sort_by_key(|(i, _, _)| file_name(kept[*i].as_ref().map_or("", |f| f.path.as_str())));
        let mut records: Vec<(usize, UpRecord)> = ups
            .iter()
            .map(|(i, statements, _)| {
                let changes = up_changes(statements.iter().map(|(at, e)| (*at, e.as_slice())));
                let expected = expected_drops(&changes, &self.history);
                let lost = Vec::new();
                (
                    *i,
                    UpRecord {
                        changes,
                        expected,
                        lost,
                    },
                )
            })
            .collect();
        for ((i, statements, tokens), (_, record)) in ups.iter().zip(&mut records) {
            for (at, effects) in statements {
                for e in effects {
                    let lost = self.history.apply_effect(e);
                    if let Effect::Drop { obj: with, .. } = e {
                        record
                            .lost
                            .extend(lost.into_iter().map(|o| (o, with.clone(), *at)));
                    }
                }
            }
            self.history.end_session();
            self.history.learn_names(text(*i), tokens);
        }
        self.applied.extend(records);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    /// The pairing rules judge a down against its own version's up and the
    /// ups before it, whatever order the files are given in, and keep each
    /// directory's history apart.
    #[test]
    fn order_and_directories_do_not_matter() {
        let files = [
            ("a/1_t.up.sql", "CREATE TABLE t (id int);"),
            ("a/1_t.down.sql", "SELECT 1;"),
            ("a/2_u.up.sql", "CREATE TABLE u (id int);"),
            ("a/2_u.down.sql", "DROP TABLE u; DROP TABLE t;"),
            ("b/1_t.up.sql", "CREATE TABLE v (id int);"),
            ("b/1_t.down.sql", "DROP TABLE t;"),
        ];
        let mut reversed = files;
        reversed.reverse();
        // The same findings (reported in input order).
        let findings = |out: String| {
            let mut lines: Vec<String> = out
                .lines()
                .filter(|l| !l.starts_with(' '))
                .map(str::to_string)
                .collect();
            lines.sort();
            lines
        };
        for rule in ["down-not-reversing-up", "down-drops-unknown-object"] {
            let given = findings(assert_err_files(rule, &files));
            assert_eq!(given, findings(assert_err_files(rule, &reversed)), "{rule}");
        }
        let missing = assert_err_files("down-not-reversing-up", &files);
        assert!(
            missing.contains("a/1_t.down.sql") && missing.contains("table t"),
            "{missing}"
        );
        assert!(
            missing.contains("b/1_t.down.sql") && missing.contains("table v"),
            "{missing}"
        );
        let unknown = assert_err_files("down-drops-unknown-object", &files);
        assert!(unknown.contains("b/1_t.down.sql"), "{unknown}");
        assert!(!unknown.contains("a/2_u.down.sql"), "{unknown}");
    }
}
