//! The advisory lock id golang-migrate's Postgres driver takes, so that
//! migralint and golang-migrate exclude each other on the same database.
//!
//! golang-migrate (`database/util.go`, `GenerateAdvisoryLockId`) joins the
//! database name and the additional names with NUL bytes, takes the IEEE
//! CRC-32 of the bytes, multiplies it by the salt 1486364155 in 32-bit
//! unsigned arithmetic (wrapping), and passes the decimal result to
//! `pg_advisory_lock`. The Postgres driver (`database/postgres/postgres.go`)
//! calls it with `(DatabaseName, migrationsSchemaName, migrationsTableName)`
//! where `DatabaseName` is the URL's path *including its leading slash*
//! (`/mydb`), or `current_database()` when the URL has no path.

/// golang-migrate's `advisoryLockIdSalt`.
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
    let mut buf = database_name.as_bytes().to_vec();
    for name in additional_names {
        buf.push(0);
        buf.extend_from_slice(name.as_bytes());
    }
    i64::from(crc32_ieee(&buf).wrapping_mul(ADVISORY_LOCK_ID_SALT))
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

    #[test]
    fn lock_id_matches_independent_computation() {
        // Python: zlib.crc32(b"/mydb\x00public\x00schema_migrations") * 1486364155 % 2**32
        let expected = (u64::from(crc32_ieee(b"/mydb\0public\0schema_migrations"))
            * u64::from(ADVISORY_LOCK_ID_SALT))
            % (1u64 << 32);
        assert_eq!(
            postgres_lock_id("/mydb", "public", "schema_migrations"),
            expected as i64
        );
    }

    #[test]
    fn lock_id_constants_from_python_zlib() {
        // zlib.crc32(name) * 1486364155 % 2**32, computed with Python 3.11.
        assert_eq!(
            postgres_lock_id("/mydb", "public", "schema_migrations"),
            2_398_284_773
        );
        assert_eq!(
            postgres_lock_id("/postgres", "public", "schema_migrations"),
            181_706_146
        );
        assert_eq!(
            postgres_lock_id("mydb", "public", "schema_migrations"),
            3_273_772_555
        );
    }
}
