//! The model: what rules see instead of raw protobuf. Qualified names and
//! SQL types (`names`, `coercion`, `volatility`), the one DDL interpreter
//! (`effects`: a statement read once into what it does to named objects),
//! the two things replayed from those effects (`schema`: tables, columns,
//! constraints, indexes, and every named object with what it depends on,
//! across the whole set, statement by statement; `history`: each
//! directory's objects, for the pairing rules), the locks a statement takes (`locks`)
//! and the transaction each statement runs in (`tx`).

pub mod coercion;
pub mod effects;
pub mod extensions;
pub mod history;
pub mod locks;
pub mod names;
pub mod objects;
pub mod objset;
pub mod renames;
pub mod schema;
pub mod summary;
pub mod tx;
pub mod volatility;

pub use names::{QualName, SqlType};
pub use objects::{Column, ConstraintInfo, ConstraintKind, Kind, Obj, ObjKey, Reference};
pub use schema::{IndexInfo, Schema, Table, TableState};
