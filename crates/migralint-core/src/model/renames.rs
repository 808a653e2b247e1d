//! Renames followed in order. A file runs as one transaction, so what the
//! application sees is the schema before it and after it: a chain of
//! renames inside it (`c -> c2`, then `c2 -> c3`) is one rename `c -> c3`,
//! and a chain that ends at the name it started from is no rename at all.
//! A swap through a temporary name (`c -> tmp`, `d -> c`, `tmp -> d`) is
//! two renames, `c -> d` and `d -> c`.

use super::objects::Obj;

/// One object's renames composed: the name it had before the first and
/// the name it has after the last.
#[derive(Clone, Debug)]
pub struct Renamed {
    /// Its name before the first rename (what sits in a relation renamed
    /// since named as of the end: where a down starts).
    pub from: Obj,
    /// Its name after the last rename.
    pub to: Obj,
    /// Where the first rename is (a statement index or byte offset, as
    /// the caller counts).
    pub at: usize,
    /// Where the last rename is.
    pub last: usize,
}

impl Renamed {
    /// The renames end at the name they started from.
    pub fn is_back(&self) -> bool {
        self.from.same_key(&self.to)
    }
}

/// Renames composed in the order they run.
#[derive(Clone, Debug, Default)]
pub struct Renames(Vec<Renamed>);

impl Renames {
    /// Seeded with renames already composed (an up's, for its down to
    /// continue).
    pub fn from_chains(chains: impl IntoIterator<Item = Renamed>) -> Renames {
        Renames(chains.into_iter().collect())
    }

    /// `from` is renamed to `to` at `at`: continues the open chain that
    /// ends at `from`, or starts one when `start` (a rename of an object the
    /// caller follows). Returns whether it continued a chain.
    pub fn apply(&mut self, from: &Obj, to: &Obj, at: usize, start: bool) -> bool {
        let key = from.key();
        // A chain back at its start is closed: the name is its object's
        // again, and whatever takes it next (an object that held it all
        // along, in a down PostgreSQL refuses) starts anew.
        let continued = match self
            .0
            .iter_mut()
            .find(|r| r.to.key() == key && !r.is_back())
        {
            Some(r) => {
                r.to = to.clone();
                r.last = at;
                true
            }
            None => {
                if start {
                    self.0.push(Renamed {
                        from: from.clone(),
                        to: to.clone(),
                        at,
                        last: at,
                    });
                }
                false
            }
        };
        // What sits in a renamed relation follows it.
        if from.kind.is_relation() {
            for r in self.0.iter_mut().filter(|r| r.from.kind.on_table()) {
                r.from.follow_rename(from, to);
                r.to.follow_rename(from, to);
            }
        }
        continued
    }

    /// Every chain, those that end where they started included.
    pub fn all(&self) -> &[Renamed] {
        &self.0
    }

    /// The chains that leave a different name.
    pub fn net(&self) -> impl Iterator<Item = &Renamed> {
        self.0.iter().filter(|r| !r.is_back())
    }

    /// The chain whose first rename is at `at`.
    pub fn starting_at(&self, at: usize) -> Option<&Renamed> {
        self.0.iter().find(|r| r.at == at)
    }

    /// The net chains that, with the one of `first`, exchange names among
    /// themselves (each takes the name another one left): a swap or a
    /// rotation, every name the application knew still there but naming
    /// another object. In order from `first`; `None` when they do not
    /// close.
    pub fn cycle(&self, first: &Renamed) -> Option<Vec<&Renamed>> {
        let mut out: Vec<&Renamed> = vec![self.net().find(|r| r.from.same_key(&first.from))?];
        loop {
            let last = out[out.len() - 1];
            if last.to.same_key(&out[0].from) {
                return Some(out);
            }
            let next = self.net().find(|r| r.from.same_key(&last.to))?;
            if out.iter().any(|r| std::ptr::eq(*r, next)) {
                return None;
            }
            out.push(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, QualName};

    fn col(t: &str, c: &str) -> Obj {
        Obj::on(Kind::Column, &QualName::new(None, t), c)
    }

    fn table(t: &str) -> Obj {
        Obj::new(Kind::Table, QualName::new(None, t))
    }

    fn run(steps: &[(Obj, Obj)]) -> Renames {
        let mut r = Renames::default();
        for (i, (f, t)) in steps.iter().enumerate() {
            r.apply(f, t, i, true);
        }
        r
    }

    fn net(r: &Renames) -> Vec<String> {
        r.net()
            .map(|r| format!("{} -> {} @{}", r.from.describe(), r.to.describe(), r.at))
            .collect()
    }

    #[test]
    fn a_chain_is_one_rename_and_a_chain_back_none() {
        let r = run(&[
            (col("t", "c"), col("t", "c2")),
            (col("t", "c2"), col("t", "c3")),
        ]);
        assert_eq!(net(&r), ["column t.c -> column t.c3 @0"]);
        let r = run(&[
            (col("t", "c"), col("t", "c2")),
            (col("t", "c2"), col("t", "c")),
        ]);
        assert!(net(&r).is_empty());
        assert_eq!(r.all().len(), 1);
    }

    #[test]
    fn a_swap_through_a_temporary_name_is_two_renames_that_close() {
        let r = run(&[
            (col("t", "c"), col("t", "tmp")),
            (col("t", "d"), col("t", "c")),
            (col("t", "tmp"), col("t", "d")),
        ]);
        assert_eq!(
            net(&r),
            ["column t.c -> column t.d @0", "column t.d -> column t.c @1"]
        );
        let first = r.starting_at(0).unwrap();
        assert_eq!(r.cycle(first).map(|c| c.len()), Some(2));
        // A copy swapped in: the old name is taken, the copy's goes away.
        let r = run(&[
            (col("t", "c"), col("t", "c_old")),
            (col("t", "c_new"), col("t", "c")),
        ]);
        assert!(r.cycle(r.starting_at(0).unwrap()).is_none());
    }

    #[test]
    fn columns_follow_their_table() {
        // The column's chain continues under the table's new name.
        let r = run(&[
            (col("t", "c"), col("t", "c2")),
            (table("t"), table("t2")),
            (col("t2", "c2"), col("t2", "c3")),
        ]);
        assert_eq!(
            net(&r),
            ["column t2.c -> column t2.c3 @0", "table t -> table t2 @1"]
        );
    }
}
