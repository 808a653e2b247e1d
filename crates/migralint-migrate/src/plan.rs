//! Which migrations run, in which order, for `up`, `down` and `goto`:
//! golang-migrate's `readUp`, `readDown` and `read`, computed in full before
//! anything runs.

use crate::db::NIL_VERSION;
use migralint_core::migration::Direction;

use crate::source::{MigrationFile, Migrations};

/// One migration to apply: run `file` (if any), then the version is `target`.
#[derive(Debug, Clone)]
pub struct Step {
    pub version: u64,
    /// The version the database holds afterwards (`-1`: none).
    pub target: i64,
    pub direction: Direction,
    pub file: Option<MigrationFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// Nothing to do (golang-migrate's `ErrNoChange`).
    NoChange,
    /// Anything else, phrased for the user.
    Other(String),
}

fn step(m: &Migrations, version: u64, target: i64, direction: Direction) -> Step {
    let file = m.get(version).and_then(|mig| mig.file(direction)).cloned();
    Step {
        version,
        target,
        direction,
        file,
    }
}

fn check_current(m: &Migrations, current: i64) -> Result<(), PlanError> {
    if current >= 0 && !m.contains(current as u64) {
        return Err(PlanError::Other(format!(
            "no migration found for version {current}: the database is at version {current}, which has no file in {}",
            m.dir.display()
        )));
    }
    Ok(())
}

/// `up` (`limit: None`) or `up N`.
pub fn up(m: &Migrations, current: i64, limit: Option<u64>) -> Result<Vec<Step>, PlanError> {
    check_current(m, current)?;
    if limit == Some(0) {
        return Err(PlanError::NoChange);
    }
    let mut steps = Vec::new();
    let mut from = current;
    while limit.is_none_or(|l| (steps.len() as u64) < l) {
        let next = if from == NIL_VERSION {
            m.first()
        } else {
            m.next(from as u64)
        };
        let Some(next) = next else { break };
        steps.push(step(m, next, next as i64, Direction::Up));
        from = next as i64;
    }
    if steps.is_empty() {
        return match limit {
            None => Err(PlanError::NoChange),
            Some(_) => Err(PlanError::Other(
                "no change: no pending migration to apply (file does not exist)".into(),
            )),
        };
    }
    if let Some(l) = limit {
        if (steps.len() as u64) < l {
            return Err(PlanError::Other(format!(
                "up {l}: only {} migration(s) pending; nothing was applied (run `up {}` or `up`)",
                steps.len(),
                steps.len()
            )));
        }
    }
    Ok(steps)
}

/// `down --all` (`limit: None`) or `down N`.
pub fn down(m: &Migrations, current: i64, limit: Option<u64>) -> Result<Vec<Step>, PlanError> {
    check_current(m, current)?;
    if limit == Some(0) {
        return Err(PlanError::NoChange);
    }
    if current == NIL_VERSION {
        return match limit {
            None => Err(PlanError::NoChange),
            Some(_) => Err(PlanError::Other(
                "no migration is applied: nothing to roll back".into(),
            )),
        };
    }
    let mut steps = Vec::new();
    let mut from = current;
    while from >= 0 && limit.is_none_or(|l| (steps.len() as u64) < l) {
        let prev = m.prev(from as u64);
        let target = prev.map_or(NIL_VERSION, |p| p as i64);
        steps.push(step(m, from as u64, target, Direction::Down));
        from = target;
    }
    if let Some(l) = limit {
        if (steps.len() as u64) < l {
            return Err(PlanError::Other(format!(
                "down {l}: only {} migration(s) applied; nothing was rolled back (run `down {}` or `down --all`)",
                steps.len(),
                steps.len()
            )));
        }
    }
    Ok(steps)
}

/// `goto V`.
pub fn goto(m: &Migrations, current: i64, to: u64) -> Result<Vec<Step>, PlanError> {
    check_current(m, current)?;
    if !m.contains(to) {
        return Err(PlanError::Other(format!(
            "no migration found for version {to} in {}",
            m.dir.display()
        )));
    }
    let to = to as i64;
    if current == to {
        return Err(PlanError::NoChange);
    }
    let mut steps = Vec::new();
    let mut from = current;
    if from < to {
        while from < to {
            let next = if from == NIL_VERSION {
                m.first()
            } else {
                m.next(from as u64)
            };
            let Some(next) = next else { break };
            steps.push(step(m, next, next as i64, Direction::Up));
            from = next as i64;
        }
    } else {
        while from > to {
            let prev = m.prev(from as u64).map_or(NIL_VERSION, |p| p as i64);
            steps.push(step(m, from as u64, prev, Direction::Down));
            from = prev;
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Migration, MigrationFile};
    use std::path::PathBuf;

    fn set(versions: &[u64]) -> Migrations {
        let mut m = Migrations {
            dir: PathBuf::from("m"),
            ..Default::default()
        };
        for &v in versions {
            let f = |d: Direction| MigrationFile {
                path: PathBuf::from(format!("m/{v}_x.{}.sql", d.as_str())),
                file_name: format!("{v}_x.{}.sql", d.as_str()),
                version: v,
                version_text: v.to_string(),
                title: "x".into(),
                direction: d,
            };
            m.by_version.insert(
                v,
                Migration {
                    up: Some(f(Direction::Up)),
                    down: Some(f(Direction::Down)),
                },
            );
        }
        m
    }

    fn pairs(steps: &[Step]) -> Vec<(u64, i64)> {
        steps.iter().map(|s| (s.version, s.target)).collect()
    }

    #[test]
    fn up_from_nil_and_middle() {
        let m = set(&[0, 1, 5]);
        assert_eq!(pairs(&up(&m, -1, None).unwrap()), [(0, 0), (1, 1), (5, 5)]);
        assert_eq!(pairs(&up(&m, 0, Some(1)).unwrap()), [(1, 1)]);
        assert_eq!(up(&m, 5, None).unwrap_err(), PlanError::NoChange);
        assert_eq!(up(&m, 1, Some(0)).unwrap_err(), PlanError::NoChange);
        assert!(matches!(up(&m, 1, Some(5)), Err(PlanError::Other(_))));
        assert!(matches!(up(&m, 3, None), Err(PlanError::Other(e)) if e.contains("version 3")));
    }

    #[test]
    fn down_to_nil() {
        let m = set(&[0, 1, 5]);
        assert_eq!(
            pairs(&down(&m, 5, None).unwrap()),
            [(5, 1), (1, 0), (0, -1)]
        );
        assert_eq!(pairs(&down(&m, 5, Some(2)).unwrap()), [(5, 1), (1, 0)]);
        assert_eq!(down(&m, -1, None).unwrap_err(), PlanError::NoChange);
        assert!(matches!(down(&m, -1, Some(1)), Err(PlanError::Other(_))));
        assert!(matches!(down(&m, 1, Some(3)), Err(PlanError::Other(_))));
        assert!(down(&m, 1, Some(2)).is_ok());
    }

    #[test]
    fn goto_both_ways() {
        let m = set(&[1, 2, 3, 4]);
        assert_eq!(pairs(&goto(&m, -1, 2).unwrap()), [(1, 1), (2, 2)]);
        assert_eq!(pairs(&goto(&m, 4, 2).unwrap()), [(4, 3), (3, 2)]);
        assert_eq!(goto(&m, 2, 2).unwrap_err(), PlanError::NoChange);
        assert!(matches!(goto(&m, 2, 7), Err(PlanError::Other(_))));
    }
}
