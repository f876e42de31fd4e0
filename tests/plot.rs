//! `qnd plot`, run as a program: the pictures are valid SVG and PNG of the
//! size asked for, and what they draw is the file's data (the SVG's
//! polyline mapped back through the axes, the image of a history read
//! back pixel by pixel).
//!
//! The README's picture `docs/plot-damped.svg` is made here too
//! ([`readme_picture`]); `QND_UPDATE_DOCS=1 cargo test --test plot
//! readme_picture` writes it again after a change to the drawing.
#![cfg(feature = "hdf5")]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use ndarray::Array1;
use qnd::{Recording, Value};

/// What a run of the program gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "qnd plot failed: {}", self.stderr);
        self
    }

    /// Exit status `code` with each of `words` on stderr.
    #[track_caller]
    fn fails(&self, code: i32, words: &[&str]) {
        assert_eq!(self.code, Some(code), "{self:?}");
        for word in words {
            assert!(
                self.stderr.contains(word),
                "{word:?} not in {}",
                self.stderr
            );
        }
    }
}

/// Run `qnd plot args...`. A run that meets HDF5's file lock held by a
/// child of another test (which inherited the descriptor in the moment
/// before it was made close-on-exec) is tried again.
fn plot<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut run = plot_once(args);
    for _ in 0..5 {
        if !run.stderr.contains("lock") {
            break;
        }
        thread::sleep(Duration::from_millis(200));
        run = plot_once(args);
    }
    run
}

fn plot_once<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .arg("plot")
        .args(args)
        .output()
        .expect("cannot start qnd");
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Records of the demo file.
const N: usize = 40;
/// Length of a record of `u`, `p`, and of the leaf `x`.
const M: usize = 25;

fn time(k: usize) -> f64 {
    0.25 * k as f64
}

/// A damped oscillation.
fn energy(t: f64) -> f64 {
    (-t / 4.0).exp() * (2.0 * t).cos()
}

/// Record `k` of the profile `p`.
fn profile(k: usize) -> Vec<f64> {
    (0..M).map(|i| (0.4 * i as f64 + k as f64).sin()).collect()
}

fn x_leaf() -> Vec<f64> {
    (0..M).map(|i| (i * i) as f64 / 10.0).collect()
}

/// A file of `n` records: scalar record variables `time` (s), `energy`
/// (J) and `late` (only from record 2 on), 1-d record variables `u`
/// (u[k, i] = k), `v` (v[k, i] = i) and `p` ([`profile`]); leaves `x`
/// (cm), `name` (text), `m2` (2-d); a group `g`.
fn demo(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("run.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..n {
        f.set("time", time(k)).unwrap();
        f.set("energy", energy(time(k))).unwrap();
        if k >= 2 {
            f.set("late", k as f64).unwrap();
        }
        f.set("u", Array1::from_elem(M, k as f64)).unwrap();
        f.set("v", Array1::from_iter((0..M).map(|i| i as i32)))
            .unwrap();
        f.set("p", Array1::from(profile(k))).unwrap();
    }
    f.set_recording(Recording::Off);
    f.set("x", Array1::from(x_leaf())).unwrap();
    f.set("name", "hello").unwrap();
    f.set("m2", ndarray::Array2::<f64>::zeros((3, 4))).unwrap();
    f.set("g", Value::group()).unwrap();
    f.attrs("time").unwrap().set("units", "s").unwrap();
    f.attrs("energy").unwrap().set("units", "J").unwrap();
    f.attrs("x").unwrap().set("units", "cm").unwrap();
    f.close().unwrap();
    path
}

/// An SVG, parsed.
struct Svg {
    text: String,
}

impl Svg {
    /// Read `path`: well-formed XML whose root is an `svg` of `w` x `h`.
    #[track_caller]
    fn read(path: &Path, (w, h): (u32, u32)) -> Svg {
        let text = std::fs::read_to_string(path).unwrap();
        let svg = Svg { text };
        let doc = svg.doc();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("width"), Some(w.to_string().as_str()));
        assert_eq!(root.attribute("height"), Some(h.to_string().as_str()));
        svg
    }

    fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.text).expect("the SVG is well-formed XML")
    }

    /// The points of every polyline drawn in the data's colour.
    fn lines(&self) -> Vec<Vec<(f64, f64)>> {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .filter(|n| {
                n.attribute("stroke")
                    .is_some_and(|s| s.eq_ignore_ascii_case("#1F77B4"))
            })
            .map(|n| points(n.attribute("points").unwrap_or("")))
            .collect()
    }

    /// The one data polyline.
    #[track_caller]
    fn line(&self) -> Vec<(f64, f64)> {
        let mut lines = self.lines();
        assert_eq!(lines.len(), 1, "one data line");
        lines.remove(0)
    }

    /// The centres of the circles filled with `colour`.
    fn circles(&self, colour: &str) -> Vec<(f64, f64)> {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .filter(|n| {
                n.attribute("fill")
                    .is_some_and(|f| f.eq_ignore_ascii_case(colour))
            })
            .map(|n| {
                let at = |a| n.attribute(a).unwrap().parse::<f64>().unwrap();
                (at("cx"), at("cy"))
            })
            .collect()
    }

    /// The text of every `text` element.
    fn texts(&self) -> Vec<String> {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    }
}

/// `"x,y x,y "` as points.
fn points(text: &str) -> Vec<(f64, f64)> {
    text.split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// The affine map taking `d0` to `p0` and `d1` to `p1`.
fn affine(d0: f64, p0: f64, d1: f64, p1: f64) -> impl Fn(f64) -> f64 {
    move |d| p0 + (d - d0) * (p1 - p0) / (d1 - d0)
}

/// Index of the largest (or, `min`, smallest) value.
fn arg(values: &[f64], min: bool) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if (min && *v < values[best]) || (!min && *v > values[best]) {
            best = i;
        }
    }
    best
}

/// The drawn `line` is `data` through one affine map per axis: the map
/// fixed by two far-apart points, every point within 1.5 pixels of it
/// (SVG coordinates are whole pixels), and the axes span most of the
/// picture (`w` x `h`).
#[track_caller]
fn same_shape(line: &[(f64, f64)], data: &[(f64, f64)], (w, h): (u32, u32)) {
    assert_eq!(line.len(), data.len(), "one point per value");
    let (dx, dy): (Vec<f64>, Vec<f64>) = data.iter().copied().unzip();
    let (a, b) = (arg(&dx, true), arg(&dx, false));
    let fx = affine(dx[a], line[a].0, dx[b], line[b].0);
    let (lo, hi) = (arg(&dy, true), arg(&dy, false));
    let fy = affine(dy[lo], line[lo].1, dy[hi], line[hi].1);
    assert!(
        line[b].0 - line[a].0 > 0.6 * f64::from(w),
        "x spans the plot"
    );
    // y grows downwards in pixels
    assert!(
        line[lo].1 - line[hi].1 > 0.6 * f64::from(h),
        "y spans the plot"
    );
    for (i, (p, d)) in line.iter().zip(data).enumerate() {
        assert!(
            (p.0 - fx(d.0)).abs() <= 1.5,
            "x of point {i}: {p:?} for {d:?}"
        );
        assert!(
            (p.1 - fy(d.1)).abs() <= 1.5,
            "y of point {i}: {p:?} for {d:?}"
        );
    }
}

#[test]
fn scalar_history_against_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path(), N);
    let out = dir.path().join("e.svg");
    let o = out.to_str().unwrap();
    plot(&[
        file.to_str().unwrap(),
        "energy",
        "--vs",
        "time",
        "--size",
        "640x480",
        "-o",
        o,
    ])
    .ok();
    let svg = Svg::read(&out, (640, 480));
    let data: Vec<(f64, f64)> = (0..N).map(|k| (time(k), energy(time(k)))).collect();
    let line = svg.line();
    same_shape(&line, &data, (640, 480));
    // x increases with time, and the highest point is the largest energy
    assert!(line.windows(2).all(|w| w[0].0 < w[1].0));
    let ys: Vec<f64> = line.iter().map(|p| -p.1).collect();
    let es: Vec<f64> = data.iter().map(|d| d.1).collect();
    assert_eq!(arg(&ys, false), arg(&es, false));
    // labels from names and units, the title from the file name
    let texts = svg.texts();
    for label in ["time (s)", "energy (J)", "run.h5: energy"] {
        assert!(texts.iter().any(|t| t == label), "{label:?} in {texts:?}");
    }
}

#[test]
fn scalar_history_against_record_with_a_marked_record() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path(), N);
    let out = dir.path().join("e.svg");
    let f = file.to_str().unwrap();
    let o = out.to_str().unwrap();
    plot(&[f, "energy", "--nearest", "time=2.6", "-o", o]).ok();
    let svg = Svg::read(&out, (800, 600));
    let data: Vec<(f64, f64)> = (0..N).map(|k| (k as f64, energy(time(k)))).collect();
    let line = svg.line();
    same_shape(&line, &data, (800, 600));
    // evenly spaced records
    let steps: Vec<f64> = line.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let (lo, hi) = steps
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), s| (a.min(*s), b.max(*s)));
    assert!(hi - lo <= 1.0, "record steps {steps:?}");
    // record 10 (time 2.5) is nearest 2.6: the red mark sits on its point
    let marks = svg.circles("#D62728");
    assert_eq!(marks.len(), 1);
    assert!((marks[0].0 - line[10].0).abs() <= 1.0 && (marks[0].1 - line[10].1).abs() <= 1.0);
    assert!(svg.texts().iter().any(|t| t.contains("record 10")));
}

#[test]
fn one_record_of_a_profile_against_a_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path(), N);
    let out = dir.path().join("p.svg");
    let f = file.to_str().unwrap();
    let o = out.to_str().unwrap();
    plot(&[f, "p", "--vs", "x", "--record", "-3", "-o", o]).ok();
    let svg = Svg::read(&out, (800, 600));
    let k = N - 3;
    let data: Vec<(f64, f64)> = x_leaf().into_iter().zip(profile(k)).collect();
    same_shape(&svg.line(), &data, (800, 600));
    let texts = svg.texts();
    assert!(texts.iter().any(|t| t == "x (cm)"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains(&format!("record {k}"))),
        "{texts:?}"
    );
    // against its index, and a 1-d leaf alone
    plot(&[f, "p", "--record", "5", "-o", o]).ok();
    let data: Vec<(f64, f64)> = profile(5)
        .into_iter()
        .enumerate()
        .map(|(i, y)| (i as f64, y))
        .collect();
    same_shape(&Svg::read(&out, (800, 600)).line(), &data, (800, 600));
    plot(&[f, "x", "-o", o]).ok();
    let data: Vec<(f64, f64)> = x_leaf()
        .into_iter()
        .enumerate()
        .map(|(i, y)| (i as f64, y))
        .collect();
    same_shape(&Svg::read(&out, (800, 600)).line(), &data, (800, 600));
}

/// Decode a PNG: width, height and RGB pixels.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a valid PNG");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, pixels)
}

#[test]
fn png_of_the_size_asked_with_its_text_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path(), N);
    let out = dir.path().join("e.png");
    let f = file.to_str().unwrap();
    plot(&[
        f,
        "energy",
        "--vs",
        "time",
        "--size",
        "500x300",
        "-o",
        out.to_str().unwrap(),
    ])
    .ok();
    let (w, h, pixels) = decode_png(&std::fs::read(&out).unwrap());
    assert_eq!((w, h), (500, 300));
    let at = |x: u32, y: u32| pixels[(y * w + x) as usize];
    // the title, drawn from the font compiled in: dark pixels in the top
    // band, around the middle, and none at its far ends
    let dark = |x: u32, y: u32| at(x, y).iter().all(|&c| c < 110);
    let title: usize = (0..28)
        .map(|y| (150..350).filter(|&x| dark(x, y)).count())
        .sum();
    assert!(title > 60, "{title} dark pixels in the title");
    let edges: usize = (0..28)
        .map(|y| (0..20).filter(|&x| dark(x, y)).count())
        .sum();
    assert_eq!(edges, 0);
    // the line, in its colour (blended at its edges): in most columns
    let blue = |x: u32, y: u32| {
        let [r, g, b] = at(x, y);
        i32::from(b) - i32::from(r) > 40 && g < 230
    };
    let columns = (0..w).filter(|&x| (0..h).any(|y| blue(x, y))).count();
    assert!(columns > 300, "the line is in {columns} columns");
}

/// The `<image>` of a history in an SVG: its place and size, and its
/// pixels.
fn svg_image(svg: &Svg) -> ((f64, f64, u32, u32), Vec<[u8; 3]>) {
    let doc = svg.doc();
    let image = doc
        .descendants()
        .find(|n| n.has_tag_name("image"))
        .expect("an image");
    let at = |a| image.attribute(a).unwrap().parse::<f64>().unwrap();
    let href = image.attribute("href").unwrap();
    let data = href
        .strip_prefix("data:image/png;base64,")
        .expect("a PNG data URL");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    let (w, h, pixels) = decode_png(&bytes);
    assert_eq!((f64::from(w), f64::from(h)), (at("width"), at("height")));
    ((at("x"), at("y"), w, h), pixels)
}

/// Brightness of a viridis colour: it grows along the map (give or take
/// 2 for the rounding of each channel of an interpolated colour).
fn light(p: [u8; 3]) -> u32 {
    p.iter().map(|&c| u32::from(c)).sum()
}

#[test]
fn history_image_records_across_index_up() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path(), N);
    let f = file.to_str().unwrap();
    let out = dir.path().join("u.svg");
    let o = out.to_str().unwrap();
    // u[k, i] = k: dark on the left, light on the right, the same up a column
    plot(&[f, "u", "--size", "600x400", "-o", o]).ok();
    let svg = Svg::read(&out, (600, 400));
    let ((x, y, w, h), pixels) = svg_image(&svg);
    assert!(x > 0.0 && y > 0.0 && f64::from(w) + x < 600.0 && f64::from(h) + y < 400.0);
    assert!(w > 300 && h > 200, "{w}x{h}");
    let at = |i: u32, j: u32| pixels[(j * w + i) as usize];
    assert_eq!(
        at(0, h / 2),
        [68, 1, 84],
        "viridis' first colour for the least"
    );
    assert_eq!(at(w - 1, h / 2), [254, 232, 37], "its last for the most");
    for i in 0..w {
        assert!(
            (0..h).all(|j| at(i, j) == at(i, 0)),
            "column {i} is one colour"
        );
        if i > 0 {
            assert!(
                light(at(i, 0)) + 2 >= light(at(i - 1, 0)),
                "lighter to the right"
            );
        }
    }
    // the colour bar: its rectangles from dark to light
    let bar: Vec<String> = svg
        .doc()
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .filter_map(|n| n.attribute("fill").map(str::to_string))
        .filter(|c| c != "#FFFFFF" && c != "none")
        .collect();
    assert!(
        bar.len() >= 100,
        "{} rectangles in the colour bar",
        bar.len()
    );
    // v[k, i] = i: the same along a row, lighter upwards
    plot(&[f, "v", "--size", "600x400", "-o", o]).ok();
    let ((_, _, w, h), pixels) = svg_image(&Svg::read(&out, (600, 400)));
    let at = |i: u32, j: u32| pixels[(j * w + i) as usize];
    assert_eq!(at(w / 2, h - 1), [68, 1, 84]);
    assert_eq!(at(w / 2, 0), [254, 232, 37]);
    for j in 0..h {
        assert!(
            (0..w).all(|i| at(i, j) == at(0, j)),
            "row {j} is one colour"
        );
    }
    // with --vs a scalar record variable, the same picture along time
    plot(&[f, "u", "--vs", "time", "--size", "600x400", "-o", o]).ok();
    let svg = Svg::read(&out, (600, 400));
    assert!(svg.texts().iter().any(|t| t == "time (s)"));
    let ((_, _, w, _), pixels) = svg_image(&svg);
    assert_eq!(pixels[0], [68, 1, 84]);
    assert_eq!(pixels[(w - 1) as usize], [254, 232, 37]);
}

#[test]
fn long_histories_are_reduced_to_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.h5");
    let n = 30_000;
    let spike = 12_345;
    {
        let f = qnd::open(&path, "w").unwrap();
        f.set_recording(Recording::Uniform);
        for k in 0..n {
            let y = if k == spike {
                10.0
            } else {
                (k as f64 / 900.0).sin()
            };
            f.set("y", y).unwrap();
        }
        for k in 0..2_000 {
            f.set("h", Array1::from_elem(300, k as f64)).unwrap();
        }
        f.close().unwrap();
    }
    let f = path.to_str().unwrap();
    let out = dir.path().join("y.svg");
    let o = out.to_str().unwrap();
    plot(&[f, "y", "--size", "400x300", "-o", o]).ok();
    let line = Svg::read(&out, (400, 300)).line();
    // at most two points (the least and the most) per run of records, four
    // runs' worth per pixel column at most
    assert!(
        line.len() <= 4 * 400 && line.len() >= 400,
        "{} points",
        line.len()
    );
    assert!(line.windows(2).all(|w| w[0].0 <= w[1].0), "in record order");
    // the one-record spike is kept, where it is
    let top = line
        .iter()
        .copied()
        .fold((0.0, f64::MAX), |a, p| if p.1 < a.1 { p } else { a });
    let fx = affine(0.0, line[0].0, (n - 1) as f64, line[line.len() - 1].0);
    assert!((top.0 - fx(spike as f64)).abs() <= 1.5, "spike at {top:?}");
    // a history of 2000 records x 300 values becomes one cell per pixel,
    // each the mean of its records: still dark to light
    let out = dir.path().join("h.svg");
    let o = out.to_str().unwrap();
    plot(&[f, "h", "--size", "400x300", "-o", o]).ok();
    let ((_, _, w, h), pixels) = svg_image(&Svg::read(&out, (400, 300)));
    assert!(w < 2000 && h < 300);
    let row: Vec<[u8; 3]> = pixels[..w as usize].to_vec();
    assert_eq!(row[0], [68, 1, 84]);
    assert!(row.windows(2).all(|p| light(p[1]) + 2 >= light(p[0])));
    assert!(light(row[row.len() - 1]) > 500);
}

#[test]
fn what_cannot_be_plotted_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo(dir.path(), N);
    let f = file.to_str().unwrap();
    let out = dir.path().join("a.svg");
    let o = out.to_str().unwrap();
    plot(&[f, "name", "-o", o]).fails(1, &["/name", "text"]);
    plot(&[f, "g", "-o", o]).fails(1, &["/g", "group"]);
    plot(&[f, "m2", "-o", o]).fails(1, &["/m2", "[3, 4]"]);
    plot(&[f, "nothing", "-o", o]).fails(1, &["nothing"]);
    // --vs of another record count, or of the wrong kind
    plot(&[f, "late", "--vs", "time", "-o", o]).fails(1, &["/late", "38 records", "/time", "40"]);
    plot(&[f, "energy", "--vs", "x", "-o", o]).fails(1, &["/x", "--vs"]);
    plot(&[f, "p", "--vs", "x", "-o", o]).fails(1, &["/x", "--vs", "--record"]);
    plot(&[f, "energy", "--record", "40", "-o", o]).fails(1, &["no record 40", "40 records"]);
    plot(&[f, "x", "--record", "1", "-o", o]).fails(1, &["/x", "not a record variable"]);
    assert!(!out.exists(), "nothing written");
    // the command line
    plot(&[f, "energy", "-o", "e.pdf"]).fails(2, &[".svg or .png"]);
    plot(&[f, "energy", "-o", "e"]).fails(2, &[".svg or .png"]);
    plot(&[f, "energy", "--size", "800", "-o", o]).fails(2, &["WIDTHxHEIGHT"]);
    plot(&[f, "energy"]).fails(2, &["--output"]);
    plot(&[f, "energy", "--record", "1", "--nearest", "time=1", "-o", o]).fails(2, &["--nearest"]);
}

#[cfg(feature = "netcdf")]
#[test]
fn netcdf_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.nc");
    let f = qnd::open(&path, "w").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..N {
        f.set("time", time(k)).unwrap();
        f.set("energy", energy(time(k)) as f32).unwrap();
    }
    f.close().unwrap();
    let out = dir.path().join("e.png");
    let p = path.to_str().unwrap();
    plot(&[p, "energy", "--vs", "time", "-o", out.to_str().unwrap()]).ok();
    let (w, h, _) = decode_png(&std::fs::read(&out).unwrap());
    assert_eq!((w, h), (800, 600));
}

/// The README's picture: a damped oscillation over time, from a file made
/// here; the committed `docs/plot-damped.svg` must be what `qnd plot` draws
/// now (`QND_UPDATE_DOCS=1` writes it again).
#[test]
fn readme_picture() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..=300 {
        let t = 0.1 * k as f64;
        f.set("time", t).unwrap();
        f.set("x", (-t / 10.0).exp() * (2.0 * t).cos()).unwrap();
    }
    f.set_recording(Recording::Off);
    f.attrs("time").unwrap().set("units", "s").unwrap();
    f.attrs("x").unwrap().set("units", "m").unwrap();
    f.close().unwrap();
    let out = dir.path().join("plot-damped.svg");
    let p = path.to_str().unwrap();
    plot(&[
        p,
        "x",
        "--vs",
        "time",
        "--size",
        "720x360",
        "-o",
        out.to_str().unwrap(),
    ])
    .ok();
    let made = std::fs::read_to_string(&out).unwrap();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/plot-damped.svg");
    if std::env::var_os("QND_UPDATE_DOCS").is_some() {
        std::fs::write(&docs, &made).unwrap();
    }
    let committed = std::fs::read_to_string(&docs).unwrap_or_default();
    assert!(
        made == committed,
        "docs/plot-damped.svg is not what qnd plot draws now: run \
         QND_UPDATE_DOCS=1 cargo test --test plot readme_picture"
    );
    let svg = Svg::read(&docs, (720, 360));
    assert_eq!(svg.line().len(), 301);
}
