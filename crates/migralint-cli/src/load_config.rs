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
    let Some(path) = path else {
        return Ok(Loaded {
            config: Config::default(),
            migrations_dir: None,
        });
    };
    let display = path.display().to_string();
    let text = String::from_utf8(crate::collect::read_file(&path, &display)?)
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
