//! Reading a migration file from disk, for the native front ends (the
//! CLI's `check`, `--fix` and configuration, and `migralint migrate`): one
//! reader, so every front end refuses the same files with the same words.
//! Behind the `fs` feature: the core itself does no I/O.
//!
//! Only regular files are read (a symlink to one is fine): a FIFO, socket
//! or device is an error naming it (reading a FIFO would wait for ever,
//! `/dev/zero` would never end). A file may have at most
//! [`MAX_FILE_SIZE`] bytes. Every error names the file.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

/// The most a migration file may hold. golang-migrate sends a file as one
/// query and the linter holds its parse tree in memory: a bound keeps a
/// wrong path (a huge dump, a device) from exhausting memory. Migrations
/// are rarely more than a few megabytes; split a bigger one.
pub const MAX_FILE_SIZE: u64 = 16 << 20;

/// Why a file was not read, in words that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

/// The error for `what` (a path, `standard input`) holding more than
/// `MAX_FILE_SIZE` bytes.
pub fn too_big(what: &str) -> ReadError {
    ReadError(format!(
        "{what} has more than {} MiB; migralint reads at most that much per file (split it into several migrations)",
        MAX_FILE_SIZE >> 20
    ))
}

/// What a file system object that is not a regular file is.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "is a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "is a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "is a socket";
        }
        if t.is_char_device() {
            return "is a character device";
        }
        if t.is_block_device() {
            return "is a block device";
        }
    }
    "is not a regular file"
}

/// Reads at most `MAX_FILE_SIZE` bytes; `None` when there is more.
pub fn read_bounded(reader: impl Read, size_hint: Option<u64>) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::with_capacity(size_hint.unwrap_or(0).min(MAX_FILE_SIZE) as usize);
    reader.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_FILE_SIZE).then_some(bytes))
}

/// Reads a migration file: a regular file (or a symlink to one) of at most
/// `MAX_FILE_SIZE` bytes; `display` names it in errors. The file is opened
/// without blocking (a FIFO would wait for a writer) and checked on the
/// open handle, so it cannot be swapped between the check and the read.
pub fn read_file(path: &Path, display: &str) -> Result<Vec<u8>, ReadError> {
    let cannot = |e: std::io::Error| ReadError(format!("cannot read {display}: {e}"));
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file: File = options.open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(ReadError(format!(
            "{display}: {}, not a regular file (migrations must be regular files)",
            kind_of(&meta)
        )));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_big(display));
    }
    read_bounded(file, Some(meta.len()))
        .map_err(cannot)?
        .ok_or_else(|| too_big(display))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("migralint-read-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_a_regular_file() {
        let dir = scratch("ok");
        let p = dir.join("000001_a.up.sql");
        std::fs::write(&p, "SELECT 1;\n").unwrap();
        assert_eq!(read_file(&p, "m/000001_a.up.sql").unwrap(), b"SELECT 1;\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_name_the_file() {
        let dir = scratch("bad");
        let missing = read_file(&dir.join("nope.sql"), "m/nope.sql").unwrap_err();
        assert!(
            missing.0.starts_with("cannot read m/nope.sql: "),
            "{missing}"
        );
        let d = dir.join("000001_d.up.sql");
        std::fs::create_dir(&d).unwrap();
        assert_eq!(
            read_file(&d, "m/000001_d.up.sql").unwrap_err().0,
            "m/000001_d.up.sql: is a directory, not a regular file (migrations must be regular files)"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting() {
        let dir = scratch("fifo");
        let p = dir.join("000001_f.up.sql");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(
            read_file(&p, "000001_f.up.sql").unwrap_err().0,
            "000001_f.up.sql: is a FIFO (named pipe), not a regular file (migrations must be regular files)"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_size_is_bounded() {
        let big = vec![b' '; MAX_FILE_SIZE as usize + 1];
        assert_eq!(read_bounded(&big[..], None).unwrap(), None);
        assert_eq!(
            read_bounded(&big[1..], None).unwrap().map(|b| b.len()),
            Some(MAX_FILE_SIZE as usize)
        );
        assert!(too_big("x.sql").0.starts_with("x.sql has more than 16 MiB"));
    }
}
