//! `qnd vstack OUT NAME SRC:PATH ... [--axis N]`: a virtual concatenation
//! of datasets from many files, stored in OUT without copying their data.

use std::path::PathBuf;

use qnd::lazy::{Lazy, VirtualSource, VirtualStack};
use qnd::{Error, Format, Mode, NcFormat};

use crate::cli::Failure;
use crate::progress::Progress;

/// Join datasets of many files into one virtual dataset, copying no data
///
/// Stores in OUT (an HDF5 file; created if it does not exist, else added
/// to) an HDF5 virtual dataset NAME that is the concatenation of the
/// datasets SRC:PATH along axis N. Only the mappings are written: reading
/// NAME reads the sources, which must stay where they are (or move
/// together with OUT: HDF5 looks for a source next to OUT when its path is
/// gone). The sources must share their dtype and their lengths on every
/// other axis; a mismatch is named. Source file names are stored as
/// absolute paths, a source in OUT itself as ".". h5py reads NAME as an
/// ordinary dataset; here, reading a part whose source file is missing is
/// an error naming it.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Example:
  qnd vstack all.h5 rho run1.h5:/fields/rho run2.h5:/fields/rho
  qnd vstack all.h5 g/wide a.h5:/x b.h5:/x --axis -1")]
pub struct VstackArgs {
    /// The HDF5 file to store NAME in.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,

    /// The path of the virtual dataset in OUT (missing groups are created).
    #[arg(value_name = "NAME", value_parser = parse_name)]
    pub name: String,

    /// A file and a dataset in it, split at the last colon, as in
    /// run1.h5:/fields/rho.
    #[arg(value_name = "SRC:PATH", required = true, value_parser = parse_source)]
    pub sources: Vec<Source>,

    /// The axis to join along (negative counts from the end).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub axis: isize,
}

/// A `SRC:PATH` operand: a file and a dataset in it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file.
    pub file: PathBuf,
    /// The dataset's path in it.
    pub path: String,
}

/// `qnd vstack OUT NAME SRC:PATH ... [--axis N]`.
pub fn run(args: VstackArgs) -> Result<(), Failure> {
    let VstackArgs {
        out,
        name,
        sources,
        axis,
    } = args;
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
    let bar = Progress::items("vstack: sources", sources.len() as u64);
    let mut parts = Vec::with_capacity(sources.len());
    for source in &sources {
        parts.push(Lazy::new(VirtualSource::new(&source.file, &source.path)?));
        bar.add(1);
    }
    bar.finish();
    let stack = VirtualStack::new(parts, axis).map_err(plain)?;
    let existed = out.exists();
    let dst = qnd::open(&out, Mode::Append)?;
    let stored = groups_for(&dst, &name).and_then(|()| dst.store_virtual(&name, &stack).map(drop));
    let closed = dst.close();
    if let Err(e) = stored.and(closed) {
        if !existed {
            let _ = std::fs::remove_file(&out);
        }
        return Err(e.into());
    }
    Ok(())
}

/// NAME: not empty.
fn parse_name(text: &str) -> Result<String, String> {
    if text.trim_matches('/').is_empty() {
        return Err("NAME must name a dataset (a path such as g/v)".into());
    }
    Ok(text.to_string())
}

/// A `SRC:PATH` operand: the file and the dataset path (split at the last
/// `:`, so file names may hold colons).
fn parse_source(text: &str) -> Result<Source, String> {
    match text.rsplit_once(':') {
        Some((file, path)) if !file.is_empty() && !path.is_empty() => Ok(Source {
            file: PathBuf::from(file),
            path: path.to_string(),
        }),
        _ => Err(format!(
            "{text:?} is not SRC:PATH (a file and a dataset in it, as in run1.h5:/x)"
        )),
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
