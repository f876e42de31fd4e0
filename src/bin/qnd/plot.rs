//! `qnd plot FILE VAR [--vs XVAR] [--record K | --nearest VAR=VALUE]
//! [--size WxH] -o OUT.svg|OUT.png`: a picture of a variable.
//!
//! - a scalar record variable: a line over its records, against the record
//!   index or another scalar record variable of as many records (`--vs
//!   time`); a chosen record is marked;
//! - a 1-d record variable: a line at the chosen record, or with no record
//!   chosen an image of the whole history (records across, index up) with
//!   a colour bar;
//! - a 1-d leaf: a line against its index.
//!
//! Axis labels come from the names and their `units` attributes, the
//! title from the file name. Text is drawn with a font compiled into the
//! program ([`draw::FONT`]), so no system font is needed. Large variables
//! are read by blocks and reduced to what the picture can show (see
//! [`data`]).

mod data;
mod draw;

use std::path::{Path, PathBuf};

use qnd::{Auto, DType, Kind, QAttrs, QGroup, QLeaf, Value};

use crate::cli::Failure;
use crate::pick::RecordPick;
use data::Seq;
use draw::{Figure, Format, Labels};

/// Draw a variable of FILE as a line or, for the history of a 1-d record
/// variable, an image, into an SVG or PNG file.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  qnd plot run.h5 energy --vs time -o energy.svg    energy over the run
  qnd plot run.h5 u --nearest time=2.5 -o u.png     the profile u at t = 2.5
  qnd plot run.h5 u --vs x --record -1 -o u.svg     ... at the last record, against x
  qnd plot run.h5 u -o u-history.png                every record of u as an image

VAR may be:
  a scalar record variable   a line over its records (x: the record index, or
                             --vs, a scalar record variable of as many records);
                             --record/--nearest marks that record
  a 1-d record variable      with --record or --nearest: a line at that record;
                             without: an image, records across, index up, the
                             values coloured (a colour bar says how); --vs then
                             names a scalar record variable that increases
  a 1-d leaf                 a line against its index
--vs for a line of a 1-d variable is a 1-d leaf of the same length (or a 1-d
record variable, read at the same record). Axis labels are the names with the
`units` attribute: time (s). Large variables are read by blocks and reduced to
the picture's pixels (the minimum and maximum of each pixel column of a line,
the mean of each pixel of an image), never read whole.")]
pub struct PlotArgs {
    /// The file (HDF5 or netCDF; a family as 'run%d.h5').
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The variable to draw: a path from the root, as g/u.
    #[arg(value_name = "VAR")]
    pub var: String,
    /// The x values: a scalar record variable of as many records as VAR, or
    /// a 1-d leaf as long as VAR's line.
    #[arg(long, value_name = "XVAR")]
    pub vs: Option<String>,
    /// Which record (for a 1-d record variable: a line at that record).
    #[command(flatten)]
    pub pick: RecordPick,
    /// The picture's width and height in pixels.
    #[arg(long, value_name = "WxH", default_value = "800x600", value_parser = parse_size)]
    pub size: (u32, u32),
    /// The picture to write: its extension says the format, .svg or .png.
    #[arg(short, long, value_name = "OUT.svg|OUT.png", value_parser = parse_output)]
    pub output: Output,
}

/// The `-o` file and its format.
#[derive(Debug, Clone)]
pub struct Output {
    /// Where to write.
    pub path: PathBuf,
    /// What to write, from the extension.
    pub format: Format,
}

/// Smallest and largest side of a picture, in pixels.
const SIDE: std::ops::RangeInclusive<u32> = 200..=8000;

/// Parse `WxH`.
fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("expected WIDTHxHEIGHT in pixels (for example 800x600), got {text:?}");
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    for side in [w, h] {
        if !SIDE.contains(&side) {
            return Err(format!(
                "{text}: each side must be {} to {} pixels",
                SIDE.start(),
                SIDE.end()
            ));
        }
    }
    Ok((w, h))
}

/// Parse the `-o` file name: `.svg` or `.png` (any case).
fn parse_output(text: &str) -> Result<Output, String> {
    let path = PathBuf::from(text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("svg") => Format::Svg,
        Some("png") => Format::Png,
        _ => {
            return Err(format!(
                "{text}: the output must end in .svg or .png (its extension says the format)"
            ))
        }
    };
    Ok(Output { path, format })
}

/// `qnd plot`.
///
/// # Errors
/// [`Failure::Error`] when the file cannot be read, VAR (or XVAR) is
/// missing or is not something a plot can show (the message names it and
/// what it is), the record counts or lengths differ, or the picture cannot
/// be written.
pub fn run(args: PlotArgs) -> Result<(), Failure> {
    let root = crate::cli::open_read(&args.file)?;
    root.goto_off();
    root.set_auto(Auto::Off);
    let file = file_name(&args.file);
    let plot = Plotter {
        root: &root,
        file: args.file.display().to_string(),
        clock: args.pick.nearest.as_ref().map(|n| n.var.clone()),
    };
    let var = plot.item(&args.var)?;
    let vs = match &args.vs {
        Some(name) => Some(plot.item(name)?),
        None => None,
    };
    let record = plot.record(&var, vs.as_ref(), &args.pick)?;
    let (w, h) = args.size;
    let figure = match (var.records(), var.line_len(), record) {
        (Some(count), None, k) => plot.history_line(&var, vs.as_ref(), count, k, &file, w)?,
        (Some(count), Some(len), None) => {
            plot.image(&var, vs.as_ref(), count, len, &file, (w, h))?
        }
        (_, Some(len), k) => plot.profile(&var, vs.as_ref(), len, k, &file, w)?,
        (None, None, _) => return Err(plot.fail(&var.name, format!("is {}", var.describe()))),
    };
    root.close()?;
    draw::write(&figure, &args.output, args.size)
}

/// The last component of the file name, for titles.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A variable a plot can show.
struct Var {
    /// The name as given, without a leading `/`.
    name: String,
    /// The whole record variable (first axis: the record) or the leaf.
    leaf: QLeaf,
    shape: Shape,
    units: Option<String>,
}

/// What a [`Var`] is.
enum Shape {
    /// A record variable: the shape of one record (`[]` or `[m]`), and the
    /// number of records.
    Records { record: Vec<usize>, count: usize },
    /// A 1-d leaf of that shape (`[m]`).
    Leaf(Vec<usize>),
}

impl Var {
    /// Its axis label: `time (s)`.
    fn label(&self) -> String {
        label(&self.name, self.units.as_deref())
    }

    fn is_scalar_records(&self) -> bool {
        matches!(&self.shape, Shape::Records { record, .. } if record.is_empty())
    }

    /// The length of its line (one record's, or the leaf's); `None` for
    /// scalar records.
    fn line_len(&self) -> Option<usize> {
        match &self.shape {
            Shape::Records { record, .. } | Shape::Leaf(record) => record.first().copied(),
        }
    }

    fn records(&self) -> Option<usize> {
        match self.shape {
            Shape::Records { count, .. } => Some(count),
            Shape::Leaf(_) => None,
        }
    }

    /// What it is, for messages.
    fn describe(&self) -> String {
        match &self.shape {
            Shape::Records { record, count } if record.is_empty() => {
                format!("a scalar record variable ({count} records)")
            }
            Shape::Records { record, count } => {
                format!("a record variable of records of shape {record:?} ({count} records)")
            }
            Shape::Leaf(s) => format!("a leaf of shape {s:?}"),
        }
    }
}

/// `name (units)`, or `name`.
fn label(name: &str, units: Option<&str>) -> String {
    match units {
        Some(u) if !u.trim().is_empty() => format!("{name} ({})", u.trim()),
        _ => name.to_string(),
    }
}

/// The `units` attribute when it is text.
fn units(attrs: &QAttrs) -> Result<Option<String>, Failure> {
    Ok(match attrs.get("units")? {
        Some(qnd::Array::Str(a)) if a.len() == 1 => a.iter().next().cloned(),
        _ => None,
    })
}

/// The file being plotted.
struct Plotter<'a> {
    root: &'a QGroup,
    /// The file name for messages.
    file: String,
    /// The `--nearest` variable: what a record is labelled with.
    clock: Option<String>,
}

impl Plotter<'_> {
    /// An error about item `name`.
    fn fail(&self, name: &str, message: impl std::fmt::Display) -> Failure {
        let message = message.to_string();
        let sep = if message.starts_with('(') { " " } else { ": " };
        Failure::Error(format!("{}: /{name}{sep}{message}", self.file))
    }

    /// Item `name`, when a plot can show it.
    fn item(&self, name: &str) -> Result<Var, Failure> {
        let name = name.trim_start_matches('/').to_string();
        let expected = "plot draws numbers: a scalar or 1-d record variable, or a 1-d leaf";
        let (leaf, shape, attrs) = match self.root.kind(&name)? {
            Kind::Group => return Err(self.fail(&name, format!("is a group; {expected}"))),
            Kind::None => return Err(self.fail(&name, format!("is None; {expected}"))),
            Kind::Other => {
                let what = self.root.other_type(&name)?;
                return Err(self.fail(
                    &name,
                    format!("{what}: qnd has no kind for this item; {expected}"),
                ));
            }
            Kind::List => {
                return Err(self.fail(
                    &name,
                    format!("is a list (not a record variable of recording mode 1); {expected}"),
                ))
            }
            Kind::Records => {
                let list = self.root.list(&name)?;
                let whole = list.as_array()?;
                let shape = whole.shape()?;
                let (count, record) = match shape.split_first() {
                    Some((n, r)) => (*n, r.to_vec()),
                    None => (0, Vec::new()),
                };
                (whole, Shape::Records { record, count }, list.attrs())
            }
            Kind::Leaf => {
                let leaf = self.root.leaf(&name)?;
                let shape = leaf.shape()?;
                let attrs = leaf.attrs();
                (leaf, Shape::Leaf(shape), attrs)
            }
        };
        let dtype = leaf.dtype()?;
        let var = Var {
            name,
            leaf,
            shape,
            units: None,
        };
        if !dtype.is_real() {
            let what = match dtype {
                DType::Str => "text",
                DType::Bool => "bool",
                // a complex value has no one place on an axis
                _ => "complex (plot its real part, imaginary part or modulus from a copy)",
            };
            let message = format!(
                "is {what} ({}, dtype {}); {expected}",
                var.describe(),
                dtype.code()
            );
            return Err(self.fail(&var.name, message));
        }
        match &var.shape {
            Shape::Records { record, .. } if record.len() > 1 => {
                let message = format!(
                    "is {}: records of {} dimensions; {expected}",
                    var.describe(),
                    record.len()
                );
                return Err(self.fail(&var.name, message));
            }
            Shape::Leaf(s) if s.len() != 1 => {
                let what = if s.is_empty() {
                    "a scalar leaf (one value, nothing to draw a line through)".to_string()
                } else {
                    format!("a leaf of {} dimensions, shape {s:?}", s.len())
                };
                return Err(self.fail(&var.name, format!("is {what}; {expected}")));
            }
            Shape::Leaf(s) if s.first() == Some(&0) => {
                return Err(self.fail(&var.name, "is an empty leaf (shape [0]): nothing to draw"))
            }
            Shape::Records { count: 0, .. } => {
                return Err(self.fail(&var.name, "is a record variable with no records yet"))
            }
            _ => {}
        }
        let units = units(&attrs)?;
        Ok(Var { units, ..var })
    }

    /// The record `pick` chooses, checked against VAR's (or XVAR's) record
    /// count; `None` when none is chosen.
    fn record(
        &self,
        var: &Var,
        vs: Option<&Var>,
        pick: &RecordPick,
    ) -> Result<Option<usize>, Failure> {
        if pick.is_none() {
            return Ok(None);
        }
        let Some((name, count)) = [Some(var), vs]
            .into_iter()
            .flatten()
            .find_map(|v| v.records().map(|n| (v.name.as_str(), n)))
        else {
            return Err(self.fail(
                &var.name,
                format!(
                    "--record/--nearest choose a record, but this is {}, not a record variable",
                    var.describe()
                ),
            ));
        };
        let k = match pick.record {
            Some(k) => {
                let at = if k < 0 { k + count as isize } else { k };
                usize::try_from(at).ok().filter(|&at| at < count)
            }
            None => {
                let k = pick.apply(self.root)?;
                self.root.goto_off();
                k.filter(|&k| k < count)
            }
        };
        match (k, pick.record) {
            (Some(k), _) => Ok(Some(k)),
            (None, Some(asked)) => {
                Err(self.fail(name, format!("no record {asked} ({count} records)")))
            }
            (None, None) => Err(self.fail(
                name,
                format!("--nearest chose a record past its {count} records"),
            )),
        }
    }

    /// A scalar record variable over its records (against XVAR's), with
    /// record `mark` marked.
    fn history_line(
        &self,
        var: &Var,
        vs: Option<&Var>,
        count: usize,
        mark: Option<usize>,
        file: &str,
        width: u32,
    ) -> Result<Figure, Failure> {
        let y = Seq::new(var, None);
        let x = match vs {
            None => None,
            Some(x) if x.is_scalar_records() => {
                let n = x.records().unwrap_or(0);
                if n != count {
                    return Err(self.fail(
                        &var.name,
                        format!(
                            "has {count} records but --vs /{} has {n}: they must have as many",
                            x.name
                        ),
                    ));
                }
                Some(Seq::new(x, None))
            }
            Some(x) => {
                return Err(self.fail(
                    &x.name,
                    format!(
                        "(--vs) is {}, but /{} is a scalar record variable: x must be one too, of {count} records",
                        x.describe(),
                        var.name
                    ),
                ))
            }
        };
        let line = data::line(&y, x.as_ref(), data::line_limit(width))?;
        let point = match mark {
            Some(k) => {
                let yk = y.read(k, k + 1)?.first().copied();
                let xk = match &x {
                    Some(x) => x.read(k, k + 1)?.first().copied(),
                    None => Some(k as f64),
                };
                xk.zip(yk)
            }
            None => None,
        };
        let mut title = format!("{file}: {}", var.name);
        if let Some(k) = mark {
            title.push_str(&format!(", record {k}"));
            if let Some(t) = self.time_of(k)? {
                title.push_str(&format!(" ({t})"));
            }
            title.push_str(" marked");
        }
        Ok(Figure::Line {
            line,
            mark: point,
            labels: Labels {
                title,
                x: vs.map_or_else(|| "record".to_string(), Var::label),
                y: var.label(),
            },
        })
    }

    /// One line of a 1-d variable (at record `record` for a record
    /// variable), against its index or XVAR.
    fn profile(
        &self,
        var: &Var,
        vs: Option<&Var>,
        len: usize,
        record: Option<usize>,
        file: &str,
        width: u32,
    ) -> Result<Figure, Failure> {
        let at = record.filter(|_| var.records().is_some());
        let y = Seq::new(var, at);
        let x = match vs {
            None => None,
            Some(x) => {
                if x.line_len() != Some(len) {
                    return Err(self.fail(
                        &x.name,
                        format!(
                            "(--vs) is {}, but the line of /{} has {len} values: x must be a 1-d leaf (or a 1-d record variable) of {len} values",
                            x.describe(),
                            var.name
                        ),
                    ));
                }
                match (x.records(), record) {
                    (None, _) => Some(Seq::new(x, None)),
                    (Some(n), Some(k)) if k < n => Some(Seq::new(x, Some(k))),
                    (Some(n), _) => {
                        return Err(self.fail(
                            &x.name,
                            format!("(--vs) has {n} records, no record {}", record.unwrap_or(0)),
                        ))
                    }
                }
            }
        };
        let line = data::line(&y, x.as_ref(), data::line_limit(width))?;
        let mut title = format!("{file}: {}", var.name);
        if let Some(k) = at.or(record) {
            title.push_str(&format!(" at record {k}"));
            if let Some(t) = self.time_of(k)? {
                title.push_str(&format!(" ({t})"));
            }
        }
        Ok(Figure::Line {
            line,
            mark: None,
            labels: Labels {
                title,
                x: vs.map_or_else(|| "index".to_string(), Var::label),
                y: var.label(),
            },
        })
    }

    /// `time = 2.5` at record `k`: the value of the `--nearest` variable,
    /// else of a scalar record variable `time` or `t` of the root, at that
    /// record; `None` when there is no such variable or record.
    fn time_of(&self, k: usize) -> Result<Option<String>, Failure> {
        let names = self.clock.iter().map(String::as_str).chain(["time", "t"]);
        for name in names {
            if !matches!(self.root.kind(name), Ok(Kind::Records)) {
                continue;
            }
            let whole = self.root.list(name)?.as_array()?;
            let shape = whole.shape()?;
            if shape.len() != 1 || k >= shape[0] {
                continue;
            }
            let v: Value = whole.read_part(qnd::Selection::new().index(k as isize))?;
            if let Value::Array(a) = v {
                if let Some(t) = a.to_f64().and_then(|a| a.iter().next().copied()) {
                    return Ok(Some(format!("{name} = {}", draw::number(t))));
                }
            }
        }
        Ok(None)
    }

    /// The history of a 1-d record variable as an image.
    fn image(
        &self,
        var: &Var,
        vs: Option<&Var>,
        count: usize,
        len: usize,
        file: &str,
        size: (u32, u32),
    ) -> Result<Figure, Failure> {
        let x = match vs {
            None => None,
            Some(x) if x.is_scalar_records() && x.records() == Some(count) => {
                Some(Seq::new(x, None))
            }
            Some(x) => {
                return Err(self.fail(
                    &x.name,
                    format!(
                        "(--vs) is {}, but the history of /{} has {count} records: x must be a scalar record variable of {count} records (or choose a record with --record/--nearest)",
                        x.describe(),
                        var.name
                    ),
                ))
            }
        };
        let (cols, rows) = draw::image_grid(size);
        let grid = data::history(&var.leaf, count, len, cols, rows, x.as_ref())
            .map_err(|e| match e {
                data::HistoryError::Read(f) => f,
                data::HistoryError::NotIncreasing => self.fail(
                    vs.map_or("", |v| v.name.as_str()),
                    "(--vs) does not increase over the records: the history image needs an x that does (or leave --vs out)",
                ),
            })?;
        Ok(Figure::Image {
            grid,
            labels: Labels {
                title: format!("{file}: {}", var.name),
                x: vs.map_or_else(|| "record".to_string(), Var::label),
                y: "index".to_string(),
            },
            value: var.label(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("800x600"), Ok((800, 600)));
        assert_eq!(parse_size("1024X768"), Ok((1024, 768)));
        assert!(parse_size("800").is_err());
        assert!(parse_size("800x").is_err());
        assert!(parse_size("10x10").is_err());
        assert!(parse_size("100000x600").is_err());
    }

    #[test]
    fn outputs() {
        assert!(matches!(
            parse_output("a.svg").map(|o| o.format),
            Ok(Format::Svg)
        ));
        assert!(matches!(
            parse_output("b/A.PNG").map(|o| o.format),
            Ok(Format::Png)
        ));
        assert!(parse_output("a.pdf").is_err());
        assert!(parse_output("a").is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(label("time", Some("s")), "time (s)");
        assert_eq!(label("time", Some(" ")), "time");
        assert_eq!(label("g/u", None), "g/u");
    }
}
