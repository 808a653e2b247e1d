//! The advisory lock id golang-migrate's Postgres driver takes, so that
//! migralint and golang-migrate exclude each other on the same database.
//!
//! golang-migrate v4, `database/util.go`:
//!
//! ```go
//! const advisoryLockIDSalt uint = 1486364155
//!
//! func GenerateAdvisoryLockId(databaseName string, additionalNames ...string) (string, error) {
//!     if len(additionalNames) > 0 {
//!         databaseName = strings.Join(append(additionalNames, databaseName), "\x00")
//!     }
//!     sum := crc32.ChecksumIEEE([]byte(databaseName))
//!     sum = sum * uint32(advisoryLockIDSalt)
//!     return fmt.Sprint(sum), nil
//! }
//! ```
//!
//! So the additional names come first and the database name last, joined
//! with NUL bytes; the IEEE CRC-32 of that is multiplied by the salt in
//! `uint32` arithmetic (wrapping: the product mod 2^32), and the decimal
//! `uint32` (0 ..= 4294967295, never negative) goes to `pg_advisory_lock`
//! as a `bigint`. The Postgres driver (`database/postgres/postgres.go`,
//! `Lock`) calls it as `GenerateAdvisoryLockId(DatabaseName,
//! migrationsSchemaName, migrationsTableName)`, where `DatabaseName` is the
//! URL's path as Go's net/url decodes it, *with* its leading slash
//! (`/mydb`), or `current_database()` when the URL has no path; the schema
//! is `current_schema()` or the schema of a quoted
//! `x-migrations-table="schema"."table"`; the table is `x-migrations-table`
//! as given (unquoted: the whole value, dots and all; quoted: the last
//! quoted part). So the key for a default setup is
//! `public\0schema_migrations\0/mydb`.
//!
//! (The function's first form with additional names, golang-migrate pull
//! request 127 of 2018, put the database name first; the form above is the
//! one golang-migrate ships today, and the one matched here.)

/// golang-migrate's `advisoryLockIDSalt`.
pub const ADVISORY_LOCK_ID_SALT: u32 = 1_486_364_155;

/// IEEE CRC-32 (the polynomial of Go's `crc32.ChecksumIEEE`, zlib, PNG).
pub fn crc32_ieee(data: &[u8]) -> u32 {
    let mut crc: u32 = !0;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// `GenerateAdvisoryLockId(database_name, additional_names...)`.
pub fn advisory_lock_id(database_name: &str, additional_names: &[&str]) -> i64 {
    let key = if additional_names.is_empty() {
        database_name.to_string()
    } else {
        let mut parts = additional_names.to_vec();
        parts.push(database_name);
        parts.join("\0")
    };
    i64::from(crc32_ieee(key.as_bytes()).wrapping_mul(ADVISORY_LOCK_ID_SALT))
}

/// The id golang-migrate's Postgres driver locks for a migrations table.
pub fn postgres_lock_id(database_name: &str, schema: &str, table: &str) -> i64 {
    advisory_lock_id(database_name, &[schema, table])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_vectors() {
        // Standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32_ieee(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_ieee(b""), 0);
        assert_eq!(
            crc32_ieee(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    /// Computed independently with Python 3 from golang-migrate's
    /// definition (additional names first, database name last):
    ///
    /// ```python
    /// import zlib
    /// def lock_id(db, *names):
    ///     key = "\0".join(list(names) + [db]) if names else db
    ///     return zlib.crc32(key.encode()) * 1486364155 % 2**32
    /// ```
    #[test]
    fn lock_ids_from_python_zlib() {
        // lock_id("/mydb", "public", "schema_migrations")
        assert_eq!(
            postgres_lock_id("/mydb", "public", "schema_migrations"),
            616_192_132
        );
        // lock_id("/postgres", "public", "schema_migrations")
        assert_eq!(
            postgres_lock_id("/postgres", "public", "schema_migrations"),
            3_280_485_947
        );
        // lock_id("/app", "migrate", "versions"): x-migrations-table="migrate"."versions" quoted
        assert_eq!(
            postgres_lock_id("/app", "migrate", "versions"),
            1_301_589_391
        );
        // lock_id("/app", "public", "my.table"): x-migrations-table=my.table, not quoted
        assert_eq!(postgres_lock_id("/app", "public", "my.table"), 177_267_556);
        // lock_id("mydb"): no additional names, the name alone
        assert_eq!(advisory_lock_id("mydb", &[]), 3_799_279_374);
    }

    #[test]
    fn database_name_goes_last() {
        let key = b"public\0schema_migrations\0/mydb";
        assert_eq!(
            postgres_lock_id("/mydb", "public", "schema_migrations"),
            i64::from(crc32_ieee(key).wrapping_mul(ADVISORY_LOCK_ID_SALT))
        );
    }
}
