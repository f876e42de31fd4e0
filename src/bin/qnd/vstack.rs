//! `qnd vstack OUT NAME SRC:PATH ... [--axis N]`: a virtual concatenation
//! of datasets from many files, stored in OUT without copying their data.

use std::ffi::OsString;
use std::path::PathBuf;

use qnd::lazy::{Lazy, VirtualSource, VirtualStack};
use qnd::{Error, Format, Mode, NcFormat};

use crate::cli::{self, Args, Failure};

/// `qnd vstack OUT NAME SRC:PATH ... [--axis N]`.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let (axis, rest) = take_axis(args)?;
    let args = Args::parse(rest, &[])?;
    if args.help() {
        return cli::print(crate::USAGE);
    }
    let operands = args.operands("vstack", 3, usize::MAX)?;
    let out = cli::path(&operands[0]);
    let name = operands[1]
        .to_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Failure::Usage("vstack: NAME must be a non-empty UTF-8 path".into()))?;
    let sources = operands[2..]
        .iter()
        .map(source)
        .collect::<Result<Vec<_>, _>>()?;
    let format = Format::from_extension(&out).unwrap_or(Format::Hdf5);
    let holds_virtual =
        qnd::capabilities(format, NcFormat::default()).is_some_and(|c| c.virtual_datasets);
    if !holds_virtual {
        return Err(Failure::Error(format!(
            "{}: vstack writes a virtual dataset; a {format} file cannot hold one",
            out.display()
        )));
    }
    // Each source is opened once, read-only, for its shape and dtype.
    let mut parts = Vec::with_capacity(sources.len());
    for (file, path) in &sources {
        parts.push(Lazy::new(VirtualSource::new(file, path)?));
    }
    let stack = VirtualStack::new(parts, axis).map_err(plain)?;
    let existed = out.exists();
    let dst = qnd::open(&out, Mode::Append)?;
    let stored = groups_for(&dst, name).and_then(|()| dst.store_virtual(name, &stack).map(drop));
    let closed = dst.close();
    if let Err(e) = stored.and(closed) {
        if !existed {
            let _ = std::fs::remove_file(&out);
        }
        return Err(e.into());
    }
    Ok(())
}

/// Split `--axis N` (or `--axis=N`; N may be negative) from the other
/// arguments; the default is 0.
fn take_axis(args: Vec<OsString>) -> Result<(isize, Vec<OsString>), Failure> {
    let bad = |v: &str| Failure::Usage(format!("vstack: --axis takes an integer, not {v:?}"));
    let mut axis = None;
    let mut rest = Vec::with_capacity(args.len());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = match arg.to_str() {
            Some("--") => {
                rest.push(arg);
                rest.extend(args.by_ref());
                break;
            }
            Some("--axis") => match args.next() {
                Some(v) => v.to_string_lossy().into_owned(),
                None => return Err(Failure::Usage("vstack: --axis needs a value".into())),
            },
            Some(a) if a.starts_with("--axis=") => a["--axis=".len()..].to_string(),
            _ => {
                rest.push(arg);
                continue;
            }
        };
        if axis.is_some() {
            return Err(Failure::Usage("vstack: --axis given twice".into()));
        }
        axis = Some(value.parse::<isize>().map_err(|_| bad(&value))?);
    }
    Ok((axis.unwrap_or(0), rest))
}

/// A `SRC:PATH` operand: the file and the dataset path (split at the last
/// `:`, so file names may hold colons).
fn source(arg: &OsString) -> Result<(PathBuf, String), Failure> {
    let text = arg
        .to_str()
        .ok_or_else(|| Failure::Usage(format!("vstack: {} is not UTF-8", arg.to_string_lossy())))?;
    match text.rsplit_once(':') {
        Some((file, path)) if !file.is_empty() && !path.is_empty() => {
            Ok((PathBuf::from(file), path.to_string()))
        }
        _ => Err(Failure::Usage(format!(
            "vstack: {text:?} is not SRC:PATH (a file and a dataset in it, as in run1.h5:/x)"
        ))),
    }
}

/// Create the groups of path `name` that do not exist yet.
fn groups_for(dst: &qnd::QGroup, name: &str) -> qnd::Result<()> {
    let trimmed = name.trim_matches('/');
    let Some((dirs, _)) = trimmed.rsplit_once('/') else {
        return Ok(());
    };
    let mut prefix = String::new();
    for part in dirs.split('/').filter(|p| !p.is_empty()) {
        prefix.push('/');
        prefix.push_str(part);
        if !dst.contains(&prefix)? {
            dst.create_group(&prefix)?;
        }
    }
    Ok(())
}

/// A mismatch between sources, which names them: without the `<lazy>`
/// file that lazy arrays report.
fn plain(e: Error) -> Failure {
    match e {
        Error::Mismatch {
            file,
            path,
            expected,
            got,
        } if file.as_os_str() == "<lazy>" => {
            Failure::Error(format!("{path}: expected {expected}, got {got}"))
        }
        Error::Invalid { file, path, reason } if file.as_os_str() == "<lazy>" => {
            Failure::Error(format!("{path}: {reason}"))
        }
        other => other.into(),
    }
}
