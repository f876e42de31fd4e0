//! `qnd convert [--classic | --64bit-offset] SRC DST`: copy a tree into a
//! new file whose format is DST's extension.

use std::path::{Path, PathBuf};

use qnd::{Auto, Capabilities, DType, Format, Kind, Mode, NcFormat, OpenOptions, QAttrs, QGroup};

use crate::cli::{self, Failure};
use crate::progress::{self, Progress};

/// Copy SRC into a new file DST, in the format of DST's extension
///
/// SRC is opened read-only and every member and attribute is copied into
/// DST, which is created (an existing DST is replaced) in the format of
/// its extension (.h5 .hdf5 .hdf .he5: HDF5; .nc .nc4 .cdf: netCDF-4; any
/// other: HDF5). Groups, lists, record variables and None keep what they
/// are. If the copy fails, the partial DST is removed.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Example:
  qnd convert run.nc run.h5
  qnd convert --classic run.h5 run3.nc")]
pub struct ConvertArgs {
    /// The file to copy.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,

    /// The file to make.
    #[arg(value_name = "DST")]
    pub dst: PathBuf,

    /// Make a netCDF DST netCDF-3 classic. netCDF-3 has no groups, no
    /// lists and no unsigned or 64-bit integers: a SRC holding any is
    /// refused, listing them, and DST is left alone.
    #[arg(long, conflicts_with = "offset64")]
    pub classic: bool,

    /// Make a netCDF DST netCDF-3 with 64-bit offsets (for files over 2
    /// GiB), with the limits of --classic.
    #[arg(long = "64bit-offset", id = "offset64")]
    pub offset64: bool,
}

/// How many items a refusal lists before it says "and N more".
const SHOWN: usize = 10;

/// `qnd convert [--classic | --64bit-offset] SRC DST`.
pub fn run(args: ConvertArgs) -> Result<(), Failure> {
    let netcdf = netcdf_format(&args)?;
    let (from, to) = (args.src, args.dst);
    let src = cli::open_read(&from)?;
    if let (Ok(a), Ok(b)) = (from.canonicalize(), to.canonicalize()) {
        if a == b {
            return Err(Failure::Error(format!(
                "{}: SRC and DST are the same file",
                to.display()
            )));
        }
    }
    let format = Format::from_extension(&to).unwrap_or(Format::Hdf5);
    refuse_what_dst_cannot_hold(&src, &to, format, netcdf)?;
    let options = OpenOptions {
        netcdf,
        ..OpenOptions::new(Mode::Create)
    };
    let bar = if Progress::wanted() {
        let what = format!("convert {}", from.display());
        Progress::bytes(&what, progress::tree_bytes(&src))
    } else {
        Progress::hidden()
    };
    let dst = qnd::open_with(&to, &options)?;
    let copied = src.copy_to_with(&dst, &mut |dtype, shape| {
        bar.add(progress::array_bytes(dtype, shape));
    });
    bar.finish();
    let closed = dst.close();
    if let Err(e) = copied.and(closed) {
        let removed = match std::fs::remove_file(&to) {
            Ok(()) => "removed".to_string(),
            Err(r) => format!("could not remove it: {r}"),
        };
        return Err(Failure::Error(format!(
            "{}\nqnd: {}: the conversion failed; {removed}",
            qnd::error_chain(&e),
            to.display()
        )));
    }
    src.close()?;
    Ok(())
}

/// The netCDF format the flags ask for: only a netCDF DST takes a flag
/// (clap refuses both flags at once).
fn netcdf_format(args: &ConvertArgs) -> Result<NcFormat, Failure> {
    let (netcdf, flag) = match (args.classic, args.offset64) {
        (false, false) => return Ok(NcFormat::Netcdf4),
        (true, _) => (NcFormat::Classic, "--classic"),
        (false, true) => (NcFormat::Offset64, "--64bit-offset"),
    };
    if Format::from_extension(&args.dst) != Some(Format::NetCdf) {
        return Err(Failure::Usage(format!(
            "{flag} is for a netCDF DST (.nc, .nc4, .cdf), not {}",
            args.dst.display()
        )));
    }
    Ok(netcdf)
}

fn format_name(format: Format, netcdf: NcFormat) -> &'static str {
    match (format, netcdf) {
        (Format::Hdf5, _) => "HDF5",
        (_, NcFormat::Classic) => "netCDF-3 classic",
        (_, NcFormat::Offset64) => "netCDF-3 64-bit offset",
        _ => "netCDF-4",
    }
}

/// Refuse, before DST is touched, a tree that DST's format cannot hold, as
/// its [`Capabilities`] say: groups and lists where it has no groups,
/// element types it lacks in leaves, record variables and attributes, and
/// attributes of shapes it cannot store. The message lists the items.
/// Whatever else the backend refuses fails the copy itself, which then
/// removes DST.
fn refuse_what_dst_cannot_hold(
    src: &QGroup,
    to: &Path,
    format: Format,
    netcdf: NcFormat,
) -> Result<(), Failure> {
    let Some(caps) = qnd::capabilities(format, netcdf) else {
        return Ok(()); // opening DST says this build cannot write it
    };
    if caps.holds_every_tree() {
        return Ok(());
    }
    let src = src.push();
    src.goto_off();
    src.set_auto(Auto::Off);
    let mut found = Vec::new();
    problems(&src, &caps, &mut vec![src.clone()], &mut found)?;
    if found.is_empty() {
        return Ok(());
    }
    let more = found.len().saturating_sub(SHOWN);
    let mut text = format!(
        "{}: {} cannot be written as {}, which cannot hold:",
        to.display(),
        src.file_path().display(),
        format_name(format, netcdf)
    );
    for item in found.iter().take(SHOWN) {
        text.push_str("\n  ");
        text.push_str(item);
    }
    if more > 0 {
        text.push_str(&format!("\n  and {more} more"));
    }
    let hint = if netcdf.is_classic() {
        "leave out --classic/--64bit-offset for netCDF-4, or convert to .h5"
    } else {
        "convert to .h5"
    };
    text.push_str(&format!(
        "\nqnd: {}: nothing written ({hint})",
        to.display()
    ));
    Err(Failure::Error(text))
}

/// What of group `g` (recursively) `caps` cannot hold, one line an item.
/// `above` holds the groups on the path to `g`, `g` last: a member that is
/// one of them (a hard link to a group that holds it: a cycle) is not
/// followed, and is a problem where `caps` has no hard links.
fn problems(
    g: &QGroup,
    caps: &Capabilities,
    above: &mut Vec<QGroup>,
    found: &mut Vec<String>,
) -> Result<(), Failure> {
    let path = |name: &str| {
        if g.path() == "/" {
            format!("/{name}")
        } else {
            format!("{}/{name}", g.path())
        }
    };
    attr_problems(&g.attrs("")?, g.path(), caps, found)?;
    for name in g.names()? {
        let here = path(&name);
        let kind = match g.kind(&name) {
            Ok(kind) => kind,
            // a dangling link: kept as a link where DST has links, else
            // the copy could not follow it
            Err(qnd::Error::Dangling { reason, .. }) => {
                if !caps.soft_links {
                    found.push(format!("{here}: a dangling link ({reason})"));
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        match kind {
            Kind::Group if !caps.groups => found.push(format!("{here}: a group")),
            Kind::List if !caps.groups => found.push(format!("{here}: a list")),
            Kind::Group => {
                let sub = g.group(&name)?;
                match above.iter().find(|a| a.is_same(&sub)) {
                    Some(a) if !caps.hard_links => found.push(format!(
                        "{here}: a hard link to {}, which holds it (a cycle)",
                        a.path()
                    )),
                    Some(_) => {}
                    None => {
                        above.push(sub.clone());
                        let walked = problems(&sub, caps, above, found);
                        above.pop();
                        walked?;
                    }
                }
            }
            Kind::Leaf => dtype_problem(g.leaf(&name)?.dtype()?, &here, caps, found),
            Kind::Records => {
                let whole = g.list(&name)?.as_array()?;
                dtype_problem(whole.dtype()?, &here, caps, found);
            }
            Kind::List | Kind::None => {}
            // left out of the copy, with a warning
            Kind::Other => continue,
        }
        attr_problems(&g.attrs(&name)?, &here, caps, found)?;
    }
    Ok(())
}

fn dtype_problem(dtype: DType, path: &str, caps: &Capabilities, found: &mut Vec<String>) {
    if !caps.holds_leaf(dtype) {
        found.push(format!("{path}: dtype {dtype}"));
    }
}

fn attr_problems(
    attrs: &QAttrs,
    path: &str,
    caps: &Capabilities,
    found: &mut Vec<String>,
) -> Result<(), Failure> {
    for name in attrs.names()? {
        if let Some(a) = attrs.get(&name)? {
            if !caps.holds_attr(a.dtype(), a.shape()) {
                found.push(format!(
                    "{path}: attribute {name:?} of dtype {} and shape {:?}",
                    a.dtype(),
                    a.shape()
                ));
            }
        }
    }
    Ok(())
}
