//! Finds and reads `migralint.toml`.

use std::path::{Path, PathBuf};

use migralint_core::Config;

use crate::Failure;

pub const FILE_NAME: &str = "migralint.toml";

pub struct Loaded {
    pub config: Config,
    /// The configured migrations directory, resolved against the config
    /// file's directory.
    pub migrations_dir: Option<PathBuf>,
}

/// `--config FILE`, else `migralint.toml` in the working directory or the
/// nearest parent that has one, else defaults.
pub fn load(explicit: Option<&Path>) -> Result<Loaded, Failure> {
    let path = match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(Failure(format!("config file {} not found", p.display())));
            }
            Some(p.to_path_buf())
        }
        None => find(),
    };
    match path {
        Some(path) => read(&path),
        None => Ok(Loaded {
            config: Config::default(),
            migrations_dir: None,
        }),
    }
}

/// Reads and checks a config file.
pub fn read(path: &Path) -> Result<Loaded, Failure> {
    let display = path.display().to_string();
    let text = String::from_utf8(crate::collect::read_file(path, &display)?)
        .map_err(|_| Failure(format!("{display} is not valid UTF-8")))?;
    let config =
        Config::from_toml_str(&text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let migrations_dir = config.migrations.as_ref().map(|m| {
        if base.as_os_str().is_empty() {
            PathBuf::from(m)
        } else {
            base.join(m)
        }
    });
    Ok(Loaded {
        config,
        migrations_dir,
    })
}

/// `migralint.toml` in `dir` or its nearest parent that has one.
pub fn find_from(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|c| c.is_file())
}

fn find() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    for dir in cwd.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            // Keep it relative when it is in the working directory.
            return Some(if dir == cwd {
                PathBuf::from(FILE_NAME)
            } else {
                candidate
            });
        }
    }
    None
}
