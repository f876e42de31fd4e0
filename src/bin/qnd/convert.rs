//! `qnd convert [--classic | --64bit-offset] SRC DST`: copy a tree into a
//! new file whose format is DST's extension.

use std::path::Path;

use qnd::{Auto, DType, Format, Kind, Mode, NcFormat, OpenOptions, QAttrs, QGroup};

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
    if netcdf.is_classic() {
        refuse_unless_classic(&src, &to, netcdf)?;
    }
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
            cli::chain(&e),
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

fn format_name(netcdf: NcFormat) -> &'static str {
    match netcdf {
        NcFormat::Classic => "netCDF-3 classic",
        NcFormat::Offset64 => "netCDF-3 64-bit offset",
        _ => "netCDF-4",
    }
}

/// Refuse, before DST is touched, a tree that netCDF-3 cannot hold: groups
/// and lists (netCDF-3 has no groups), and unsigned or 64-bit integers in
/// leaves, record variables or attributes. The message lists the items.
/// Whatever else the netCDF-3 backend refuses fails the copy itself, which
/// then removes DST.
fn refuse_unless_classic(src: &QGroup, to: &Path, netcdf: NcFormat) -> Result<(), Failure> {
    let src = src.push();
    src.goto_off();
    src.set_auto(Auto::Off);
    let mut found = Vec::new();
    attr_problems(&src.attrs("")?, "/", &mut found)?;
    for name in src.names()? {
        let path = format!("/{name}");
        match src.kind(&name)? {
            Kind::Group => found.push(format!("{path}: a group")),
            Kind::List => found.push(format!("{path}: a list")),
            Kind::Leaf => dtype_problem(src.leaf(&name)?.dtype()?, &path, &mut found),
            Kind::Records => {
                let whole = src.list(&name)?.as_array()?;
                dtype_problem(whole.dtype()?, &path, &mut found);
            }
            Kind::None => {}
        }
        attr_problems(&src.attrs(&name)?, &path, &mut found)?;
    }
    if found.is_empty() {
        return Ok(());
    }
    let more = found.len().saturating_sub(SHOWN);
    let mut text = format!(
        "{}: {} cannot be written as {}, which has no groups, no lists and \
         no unsigned or 64-bit integers:",
        to.display(),
        src.file_path().display(),
        format_name(netcdf)
    );
    for item in found.iter().take(SHOWN) {
        text.push_str("\n  ");
        text.push_str(item);
    }
    if more > 0 {
        text.push_str(&format!("\n  and {more} more"));
    }
    text.push_str(&format!(
        "\nqnd: {}: nothing written (leave out --classic/--64bit-offset for \
         netCDF-4, or convert to .h5)",
        to.display()
    ));
    Err(Failure::Error(text))
}

/// True for the number types netCDF-3 lacks.
fn not_classic(dtype: DType) -> bool {
    matches!(
        dtype,
        DType::U8 | DType::U16 | DType::U32 | DType::U64 | DType::I64
    )
}

fn dtype_problem(dtype: DType, path: &str, found: &mut Vec<String>) {
    if not_classic(dtype) {
        found.push(format!("{path}: dtype {dtype}"));
    }
}

fn attr_problems(attrs: &QAttrs, path: &str, found: &mut Vec<String>) -> Result<(), Failure> {
    for name in attrs.names()? {
        if let Some(a) = attrs.get(&name)? {
            if not_classic(a.dtype()) {
                found.push(format!("{path}: attribute {name:?} of dtype {}", a.dtype()));
            }
        }
    }
    Ok(())
}
