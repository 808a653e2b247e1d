//! Opening the connection.
//!
//! `sslmode=disable`, `allow` and `prefer` connect without TLS (`prefer` and
//! `allow` fall back to plain TCP, as libpq does when TLS is not available).
//! `require`, `verify-ca` and `verify-full` need TLS; this build has no TLS
//! library, so they are refused with a clear message before anything is sent.

use crate::dburl::{DbUrl, SslMode};

pub fn connect(url: &DbUrl) -> Result<postgres::Client, postgres::Error> {
    url.pg_config().connect(postgres::NoTls)
}

/// Refuses what this build cannot do, before connecting.
pub fn check_supported(url: &DbUrl) -> Result<(), String> {
    match url.sslmode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Ok(()),
        mode => Err(format!(
            "sslmode={} needs TLS, which this build of migralint migrate does not support yet; use sslmode=disable or prefer, or connect through a Unix socket",
            match mode {
                SslMode::Require => "require",
                SslMode::VerifyCa => "verify-ca",
                _ => "verify-full",
            }
        )),
    }
}
