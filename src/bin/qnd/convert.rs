//! `qnd convert [--classic | --64bit-offset] SRC DST`: copy a tree into a
//! new file whose format is DST's extension.

use std::path::Path;

use qnd::{Auto, Capabilities, DType, Format, Kind, Mode, NcFormat, OpenOptions, QAttrs, QGroup};

use crate::cli::{self, Args, Failure};

/// The flags `convert` knows.
pub const FLAGS: &[&str] = &["--classic", "--64bit-offset"];

/// How many items a refusal lists before it says "and N more".
const SHOWN: usize = 10;

/// `qnd convert [--classic | --64bit-offset] SRC DST`.
pub fn run(args: &Args) -> Result<(), Failure> {
    if args.help() {
        return cli::print(crate::USAGE);
    }
    let files = args.operands("convert", 2, 2)?;
    let (from, to) = (cli::path(&files[0]), cli::path(&files[1]));
    let netcdf = netcdf_format(args, &to)?;
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
    let dst = qnd::open_with(&to, &options)?;
    let copied = src.copy_to(&dst);
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

/// The netCDF format the flags ask for: only a netCDF DST takes a flag.
fn netcdf_format(args: &Args, to: &Path) -> Result<NcFormat, Failure> {
    let classic = args.has(&["--classic"]);
    let offset64 = args.has(&["--64bit-offset"]);
    let (netcdf, flag) = match (classic, offset64) {
        (false, false) => return Ok(NcFormat::Netcdf4),
        (true, false) => (NcFormat::Classic, "--classic"),
        (false, true) => (NcFormat::Offset64, "--64bit-offset"),
        (true, true) => {
            return Err(Failure::Usage(
                "convert: give --classic or --64bit-offset, not both".into(),
            ))
        }
    };
    if Format::from_extension(to) != Some(Format::NetCdf) {
        return Err(Failure::Usage(format!(
            "convert: {flag} is for a netCDF DST (.nc, .nc4, .cdf), not {}",
            to.display()
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
