//! A directory's object history, for the pairing rules: what its up
//! migrations, replayed in version order (`History::apply` of each
//! statement's effects), leave in existence and what they ever created or
//! named; and what one up file changes (`up_changes`) and its down is
//! therefore expected to drop (`expected_drops`).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::effects::{temp_schema, Effect, Shape};
use super::objects::{name_key, push_name_key, Kind, Obj, ObjKey};
use super::objset::ObjSet;
use super::renames::Renames;
use crate::tokens::{each_identifier, Tok};
use pg_query::protobuf::Token;

/// What the up migrations of a directory, replayed in version order, know
/// about objects: those that exist now, and every object ever created or
/// named (so a later down may drop it).
#[derive(Default, Clone)]
pub struct History {
    /// Objects that exist after the ups replayed so far.
    pub existing: ObjSet<()>,
    /// Keys of every object ever created, renamed to, or dropped (it existed).
    pub ever: HashSet<ObjKey>,
    /// The column names of `ever`, by table (renaming a table carries them).
    ever_columns: HashMap<(String, String), HashSet<String>>,
    /// Tables whose columns are not all known (`AS SELECT`, `LIKE`...).
    pub open_tables: HashSet<(String, String)>,
    /// Tables (relations) named by any statement: created outside the
    /// migrations when no migration creates them. Keys by `name_key`.
    pub named_tables: HashSet<String>,
    /// The names of `named_tables` without their schema.
    pub named_bare_tables: HashSet<String>,
    /// Types named anywhere (column types, casts). Keys by `name_key`.
    pub named_types: HashSet<String>,
    /// Bare names of every index and constraint ever seen (with any table).
    pub index_like_names: HashSet<String>,
    /// Bare names a `DO` block named: code the replay does not follow may
    /// have added columns to such a table, or built an index of that name.
    pub opaque_names: HashSet<String>,
    /// Objects of the current file that end with its session (`TEMP`).
    session: Vec<Obj>,
}

impl History {
    pub fn exists(&self, key: &ObjKey) -> bool {
        self.existing.contains(key)
    }

    /// Records that an object existed at some point.
    fn remember(&mut self, key: ObjKey) {
        if key.0 == Kind::Column {
            if let Some(table) = &key.2 {
                self.ever_columns
                    .entry(table.clone())
                    .or_default()
                    .insert(key.1 .1.clone());
            }
        }
        self.ever.insert(key);
    }

    /// Replays one statement of an up file.
    pub fn apply(&mut self, effects: &[Effect]) {
        for e in effects {
            self.apply_effect(e);
        }
    }

    /// The file's session ends: its `TEMP` objects go.
    pub fn end_session(&mut self) {
        let session = std::mem::take(&mut self.session);
        for obj in &session {
            self.existing.drop_object(obj, true);
        }
        if !session.is_empty() {
            self.existing.drop_object(&temp_schema(), true);
        }
    }

    /// Learns the names an up file uses (its text and tokens): every
    /// (qualified) identifier counts, a cheap over-approximation of the
    /// tables and types it names (only used to decide that an object is
    /// *known*).
    pub fn learn_names(&mut self, text: &str, tokens: &[Tok]) {
        self.learn_identifiers(text, tokens, false);
        // A `DO` block's body is one string to the scanner: its names are
        // learned from the body's own tokens.
        for (i, t) in tokens.iter().enumerate() {
            if !t.is(Token::Sconst) || !do_body_at(tokens, i) {
                continue;
            }
            if let Some(body) = text.get(t.start()..t.end()).and_then(string_body) {
                self.learn_opaque(&body, 3);
            }
        }
    }

    /// Learns the names of code the replay does not follow, and of the
    /// strings it holds (`EXECUTE 'ALTER TABLE ...'`), `depth` levels down.
    fn learn_opaque(&mut self, code: &str, depth: u8) {
        let toks = crate::tokens::tokens(code);
        self.learn_identifiers(code, &toks, true);
        if depth == 0 {
            return;
        }
        for t in toks.iter().filter(|t| t.is(Token::Sconst)) {
            if let Some(inner) = code.get(t.start()..t.end()).and_then(string_body) {
                self.learn_opaque(&inner, depth - 1);
            }
        }
    }

    fn learn_identifiers(&mut self, text: &str, tokens: &[Tok], opaque: bool) {
        let mut key = String::new();
        each_identifier(text, tokens, |schema, name| {
            key.clear();
            push_name_key(&mut key, schema, name);
            if !self.named_tables.contains(key.as_str()) {
                self.named_tables.insert(key.clone());
                self.named_bare_tables.insert(name.to_string());
            }
            if !self.named_types.contains(key.as_str()) {
                self.named_types.insert(key.clone());
            }
            if opaque && !self.opaque_names.contains(name) {
                self.opaque_names.insert(name.to_string());
            }
        });
    }

    /// Replays one effect. Returns the named indexes, constraints and
    /// triggers a dropped table or column took with it (what a down that
    /// adds the table or column back must build again).
    pub fn apply_effect(&mut self, e: &Effect) -> Vec<Obj> {
        match e {
            Effect::Create { obj, .. } if !obj.is_named() => {}
            Effect::Create { obj, open, .. } => {
                if e.creates_temp().is_some() {
                    self.session.push(obj.clone());
                }
                self.remember(obj.key());
                if matches!(obj.kind, Kind::Index | Kind::Constraint) {
                    self.index_like_names.insert(obj.name.name.clone());
                }
                if *open {
                    self.open_tables.insert(obj.name.key());
                }
                self.existing.insert(obj.clone(), ());
            }
            Effect::Drop { obj, cascade, .. } => {
                self.remember(obj.key());
                if obj.kind == Kind::Index {
                    self.index_like_names.insert(obj.name.name.clone());
                }
                let removed = self.existing.drop_object(obj, *cascade);
                if matches!(obj.kind, Kind::Column | Kind::Table) {
                    return removed
                        .into_iter()
                        .map(|(o, ())| o)
                        .filter(|o| {
                            o.is_named()
                                && !o.same_key(obj)
                                && matches!(o.kind, Kind::Index | Kind::Constraint | Kind::Trigger)
                        })
                        .collect();
                }
            }
            Effect::OwnedBy { seq, table, column } => {
                self.existing.update(&seq.key(), |o| {
                    o.table = Some(table.clone());
                    o.columns = vec![column.clone()];
                });
            }
            Effect::Rename { from, to } => {
                self.remember(from.key());
                self.remember(to.key());
                if matches!(from.kind, Kind::Index | Kind::Constraint) {
                    self.index_like_names.insert(from.name.name.clone());
                    self.index_like_names.insert(to.name.name.clone());
                }
                if from.kind.is_relation() {
                    if self.open_tables.contains(&from.name.key()) {
                        self.open_tables.insert(to.name.key());
                    }
                    let to = &to.name;
                    self.named_tables
                        .insert(name_key(to.schema.as_deref(), &to.name));
                    self.named_bare_tables.insert(to.name.clone());
                    // Columns of a renamed table are known under the new name.
                    let carried: Vec<String> = self
                        .ever_columns
                        .get(&from.name.key())
                        .map(|c| c.iter().cloned().collect())
                        .unwrap_or_default();
                    for c in carried {
                        self.remember(Obj::on(Kind::Column, to, &c).key());
                    }
                }
                self.existing.rename(from, to);
            }
            // Columns a statement alters exist, whatever the model says.
            Effect::AlterColumn { table, column, .. } => {
                self.remember(Obj::on(Kind::Column, table, column).key());
            }
            Effect::Validate { .. }
            | Effect::Rows { .. }
            | Effect::Inherit { .. }
            | Effect::Update { .. }
            | Effect::AlterDomain { .. } => {}
        }
        Vec::new()
    }
}

/// The net objects an up file creates (created and not dropped again by
/// the same file), each with the byte offset of its statement; and the
/// renames of objects it did not create, with their offset.
pub struct UpChanges {
    pub created: Vec<(Obj, usize)>,
    /// What it renames, chains composed (`renames`): byte offsets.
    pub renamed: Renames,
    /// Relations the file drops (they existed) and creates again: what is
    /// built on them replaces what was there.
    pub replaced_relations: HashSet<(String, String)>,
    /// Created objects a re-run of the file copes with when a rollback
    /// left them behind: dropped with `IF EXISTS` by the file before it
    /// creates them, an extension or schema created `IF NOT EXISTS`
    /// (they live outside the history, may have been there before the
    /// up, and are not the down's to drop), or a function created with
    /// `CREATE OR REPLACE` (a leftover one is replaced, and unused: what
    /// called it, a trigger or a default, is the down's to drop).
    pub rerunnable: HashSet<ObjKey>,
}

/// `statements`: each statement's byte offset and effects, in order.
pub fn up_changes<'a>(statements: impl IntoIterator<Item = (usize, &'a [Effect])>) -> UpChanges {
    let mut created: ObjSet<usize> = ObjSet::default();
    let mut renamed = Renames::default();
    // Objects this file drops (without IF EXISTS: so they existed) that it
    // did not create: recreating one under the same name replaces it.
    let mut replaced: HashSet<ObjKey> = HashSet::default();
    let mut replaced_relations = HashSet::default();
    // Objects the file drops `IF EXISTS` before anything of it creates them.
    let mut cleared: HashSet<ObjKey> = HashSet::default();
    let mut rerunnable: HashSet<ObjKey> = HashSet::default();
    // What ends with the file's session (`TEMP`) is not left behind.
    let mut temp: Vec<Obj> = Vec::new();
    for (at, effects) in statements {
        for e in effects.iter().cloned() {
            temp.extend(e.creates_temp().cloned());
            match e {
                Effect::Create { obj, .. } if !obj.is_named() => {}
                Effect::Create {
                    obj,
                    if_not_exists,
                    shape,
                    ..
                } => {
                    let key = obj.key();
                    if replaced.contains(&key) {
                        if obj.kind.is_relation() {
                            replaced_relations.insert(obj.name.key());
                        }
                    } else {
                        let outside = matches!(obj.kind, Kind::Extension | Kind::Schema);
                        let or_replace = matches!(
                            shape,
                            Shape::Function {
                                or_replace: true,
                                ..
                            }
                        );
                        if cleared.contains(&key) || (if_not_exists && outside) || or_replace {
                            rerunnable.insert(key);
                        }
                        created.insert(obj, at);
                    }
                }
                Effect::Drop {
                    obj,
                    cascade,
                    if_exists,
                } => {
                    let key = obj.key();
                    if !created.contains(&key) {
                        if if_exists {
                            cleared.insert(key);
                        } else {
                            replaced.insert(key);
                        }
                    }
                    created.drop_object(&obj, cascade);
                }
                Effect::OwnedBy { seq, table, column } => {
                    created.update(&seq.key(), |o| {
                        o.table = Some(table.clone());
                        o.columns = vec![column.clone()];
                    });
                }
                Effect::Rename { from, to } => {
                    let from_key = from.key();
                    let ours = created.contains(&from_key)
                        || (from.kind.on_table()
                            && from.table.as_ref().is_some_and(|t| {
                                [Kind::Table, Kind::View, Kind::MatView]
                                    .iter()
                                    .any(|k| created.contains(&Obj::new(*k, t.clone()).key()))
                            }));
                    created.rename(&from, &to);
                    // Renames within a relation renamed afterwards are
                    // named as of the end of the file (where a down
                    // starts); a rename back cancels out.
                    renamed.apply(&from, &to, at, !ours);
                }
                Effect::AlterColumn { .. }
                | Effect::Validate { .. }
                | Effect::Rows { .. }
                | Effect::Inherit { .. }
                | Effect::Update { .. }
                | Effect::AlterDomain { .. } => {}
            }
        }
    }
    if !temp.is_empty() {
        created.drop_object(&temp_schema(), true);
    }
    for obj in temp {
        created.drop_object(&obj, true);
    }
    UpChanges {
        created: created.iter().cloned().collect(),
        renamed,
        replaced_relations,
        rerunnable,
    }
}

/// The objects a down file is expected to drop: what its up creates that
/// did not exist before it (per `before`), leaving out the indexes,
/// columns, constraints and triggers of a relation the up also creates
/// (dropping the relation drops them), the indexes and constraints
/// built on a column the up adds (dropping the column drops them), and
/// what a re-run of the up copes with (`UpChanges::rerunnable`).
pub fn expected_drops(changes: &UpChanges, before: &History) -> Vec<(Obj, usize)> {
    let new: Vec<&(Obj, usize)> = changes
        .created
        .iter()
        .filter(|(o, _)| !before.exists(&o.key()))
        .collect();
    let mut relations: HashSet<(String, String)> = new
        .iter()
        .filter(|(o, _)| o.kind.is_relation())
        .map(|(o, _)| o.name.key())
        .collect();
    relations.extend(changes.replaced_relations.iter().cloned());
    // Columns the up adds: dropping one takes the indexes, constraints
    // and owned sequences built on it.
    let columns: HashSet<ObjKey> = new
        .iter()
        .filter(|(o, _)| o.kind == Kind::Column)
        .map(|(o, _)| o.key())
        .collect();
    new.into_iter()
        .filter(|(o, _)| {
            let child = o.kind.on_table() || o.kind == Kind::Index;
            let on_new_relation = child && o.table_key().is_some_and(|t| relations.contains(&t));
            let on_new_column = o.kind != Kind::Column
                && o.table.as_ref().is_some_and(|t| {
                    o.columns
                        .iter()
                        .any(|c| columns.contains(&Obj::on(Kind::Column, t, c).key()))
                });
            !on_new_relation && !on_new_column && !changes.rerunnable.contains(&o.key())
        })
        .cloned()
        .collect()
}

/// Is the string token at `i` the body of a `DO` block (`DO $$...$$`,
/// `DO LANGUAGE plpgsql $$...$$`)?
fn do_body_at(tokens: &[Tok], i: usize) -> bool {
    match i.checked_sub(1).map(|j| &tokens[j]) {
        Some(t) if t.is(Token::Do) => true,
        Some(_) => i >= 3 && tokens[i - 2].is(Token::Language) && tokens[i - 3].is(Token::Do),
        None => false,
    }
}

/// The text of a string constant: `$tag$...$tag$` or `'...'`.
fn string_body(quoted: &str) -> Option<String> {
    if let Some(rest) = quoted.strip_prefix('$') {
        let tag = &quoted[..rest.find('$')? + 2];
        let body = quoted.strip_prefix(tag)?.strip_suffix(tag)?;
        return Some(body.to_string());
    }
    let body = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(body.replace("''", "'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::effects::effects;
    use crate::model::QualName;
    use crate::parse::parse_file;

    #[test]
    fn up_changes_net() {
        let f = parse_file(
            "1_x.up.sql",
            "CREATE TABLE tmp (id int);\nCREATE TABLE a (id int);\nDROP TABLE tmp;\nALTER TABLE old RENAME TO new;\n\
             CREATE TABLE b (id int); ALTER TABLE b RENAME TO c;",
        );
        let ch = up_changes(
            f.statements
                .iter()
                .map(|s| (s.span.start, effects(&s.node)))
                .collect::<Vec<_>>()
                .iter()
                .map(|(at, e)| (*at, e.as_slice())),
        );
        let names: Vec<String> = ch
            .created
            .iter()
            .filter(|(o, _)| o.kind == Kind::Table)
            .map(|(o, _)| o.describe())
            .collect();
        assert_eq!(names, ["table a", "table c"]);
        let renamed: Vec<String> = ch.renamed.net().map(|r| r.to.describe()).collect();
        assert_eq!(renamed, ["table new"]);
    }

    #[test]
    fn history_tracks() {
        let mut h = History::default();
        let f = parse_file(
            "x",
            "CREATE TABLE a (id int); CREATE INDEX a_idx ON a (id); ALTER TABLE a RENAME TO b; \
             ALTER TABLE b ADD COLUMN c int; ALTER TABLE ext ALTER COLUMN z SET NOT NULL;",
        );
        for s in &f.statements {
            h.apply(&effects(&s.node));
        }
        h.learn_names(&f.text, &crate::tokens::tokens(&f.text));
        let b = QualName::new(None, "b");
        assert!(h.exists(&Obj::new(Kind::Table, b.clone()).key()));
        assert!(!h.exists(&Obj::new(Kind::Table, QualName::new(None, "a")).key()));
        assert!(h.ever.contains(&Obj::on(Kind::Column, &b, "id").key()));
        assert!(h.ever.contains(&Obj::on(Kind::Column, &b, "c").key()));
        assert!(h
            .ever
            .contains(&Obj::on(Kind::Column, &QualName::new(None, "ext"), "z").key()));
        assert!(h.named_tables.contains(&name_key(None, "ext")));
        assert!(h.index_like_names.contains("a_idx"));
        // The index followed its table.
        let (idx, _) = h
            .existing
            .iter()
            .find(|(o, _)| o.kind == Kind::Index)
            .unwrap();
        assert_eq!(idx.table, Some(b));
    }
}
