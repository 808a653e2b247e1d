//! What rules see instead of raw protobuf: qualified names, SQL types, the
//! schema replayed from earlier statements, and (in `crate::locks`) locks.

pub mod coercion;
pub mod names;
pub mod schema;

pub use names::{QualName, SqlType};
pub use schema::{Column, ConstraintInfo, ConstraintKind, IndexInfo, Schema, Table, TableState};
pub mod volatility;
