//! Files a command writes outside the output directory (`--csv FILE`): a regular file
//! or standard output (`-`), never a device, a directory, a missing folder, or anything
//! inside `--out`, where the published reports and the history live.

use std::path::{Path, PathBuf};

use crate::error::RunError;

/// Where `--csv` goes.
pub(crate) enum Destination {
    Stdout,
    File(PathBuf),
}

/// Checks `--csv PATH` before anything is computed; `out` is the command's `--out`.
pub(crate) fn destination(path: &Path, out: &Path) -> Result<Destination, RunError> {
    if path.as_os_str() == "-" {
        return Ok(Destination::Stdout);
    }
    let bad = |why: String| RunError::Usage(format!("--csv {}: {why}", path.display()));
    if path.as_os_str().to_string_lossy().ends_with('/') {
        return Err(bad("is a directory, expected a file name".into()));
    }
    // Follow a symlink to the file it names (the link itself stays).
    let target = match path.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|_| bad("is a symbolic link to a missing file or folder".into()))?
        }
        _ => path.to_path_buf(),
    };
    match target.metadata() {
        Ok(m) if m.is_dir() => return Err(bad("is a directory, expected a file name".into())),
        Ok(m) if !m.is_file() => {
            return Err(bad(
                "is not a regular file (a device or pipe); give a file name, or - for standard output".into()
            ));
        }
        _ => {}
    }
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = std::fs::canonicalize(&parent)
        .ok()
        .filter(|p| p.is_dir())
        .ok_or_else(|| bad(format!("the folder {} does not exist (it is not created)", parent.display())))?;
    let file = parent.join(target.file_name().ok_or_else(|| bad("expected a file name".into()))?);
    if let Ok(out) = std::fs::canonicalize(out)
        && file.starts_with(&out)
    {
        return Err(bad(format!(
            "is inside the output directory {}, which holds the published reports and the history; write it elsewhere",
            out.display()
        )));
    }
    Ok(Destination::File(file))
}

/// Writes `bytes` to a checked destination: a file is replaced atomically (written
/// beside it, then renamed); standard output is returned to be printed by `main`.
pub(crate) fn write(dest: &Destination, bytes: Vec<u8>) -> Result<Option<Vec<u8>>, RunError> {
    match dest {
        Destination::Stdout => Ok(Some(bytes)),
        Destination::File(p) => {
            crate::audit::history::atomic_write(p, &bytes)?;
            Ok(None)
        }
    }
}
