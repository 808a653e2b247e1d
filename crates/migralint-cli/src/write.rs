//! Writing fixed files without ever losing one: the new text goes to a
//! temporary file in the same directory, is flushed to disk, and takes the
//! old file's place by a rename (atomic on one file system). A file that
//! changed on disk since it was read is left alone; a new file never
//! replaces an existing one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replaces `path`'s content with `text`, if it still holds `expected`.
/// A symbolic link is followed (its target is rewritten, the link stays);
/// the file keeps its permissions.
pub fn replace(path: &Path, expected: &[u8], text: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let current = fs::read(&target)?;
    if current != expected {
        return Err(io::Error::other(
            "it changed on disk since it was read; not overwritten",
        ));
    }
    let permissions = fs::metadata(&target)?.permissions();
    let tmp = write_temp(&target, text)?;
    let done = fs::set_permissions(&tmp, permissions).and_then(|()| fs::rename(&tmp, &target));
    if done.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    done?;
    sync_dir(&target);
    Ok(())
}

/// Creates `path` with `text`; fails if it exists (the new file appears
/// whole: written beside it, then hard-linked into place).
pub fn create(path: &Path, text: &str) -> io::Result<()> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "it already exists; not overwritten",
        ));
    }
    let tmp = write_temp(path, text)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it already exists; not overwritten",
            ))
        }
        // A file system without hard links: create it exclusively.
        Err(_) => {
            let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
            if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.sync_all()) {
                drop(f);
                let _ = fs::remove_file(path);
                return Err(e);
            }
        }
    }
    sync_dir(path);
    Ok(())
}

/// Writes `text` to a new temporary file beside `path` and flushes it.
fn write_temp(path: &Path, text: &str) -> io::Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for attempt in 0..100u32 {
        let tmp = dir.join(format!(
            ".{name}.migralint-{}-{attempt}.tmp",
            std::process::id()
        ));
        let mut f = match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = f.write_all(text.as_bytes()).and_then(|()| f.sync_all());
        drop(f);
        return match written {
            Ok(()) => Ok(tmp),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        };
    }
    Err(io::Error::other("cannot create a temporary file beside it"))
}

/// Flushes the directory entry (best effort: not every platform allows
/// opening a directory).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("migralint-write-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_only_what_was_read_and_leaves_no_temp() {
        let d = dir("replace");
        let p = d.join("a.sql");
        fs::write(&p, "old").unwrap();
        replace(&p, b"old", "new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        // Changed since it was read: untouched.
        let e = replace(&p, b"old", "newer").unwrap_err();
        assert!(e.to_string().contains("changed on disk"), "{e}");
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(entries(&d), ["a.sql"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_symlinks() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let d = dir("perm");
        let real = d.join("real.sql");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = d.join("link.sql");
        symlink(&real, &link).unwrap();
        replace(&link, b"old", "new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o640
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn creates_but_never_overwrites() {
        let d = dir("create");
        let p = d.join("b.sql");
        create(&p, "one").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "one");
        let e = create(&p, "two").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&p).unwrap(), "one");
        assert_eq!(entries(&d), ["b.sql"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_file_as_it_was() {
        let d = dir("fail");
        let p = d.join("missing-dir").join("c.sql");
        assert!(create(&p, "x").is_err());
        let q = d.join("d.sql");
        fs::write(&q, "keep").unwrap();
        // Not what was read: refused before anything is written.
        assert!(replace(&q, b"other", "x").is_err());
        assert_eq!(fs::read_to_string(&q).unwrap(), "keep");
        fs::remove_dir_all(&d).unwrap();
    }
}
