//! Drawing a [`Figure`] with `plotters` into an SVG or PNG file.
//!
//! Text is laid out (and, in a PNG, drawn) with DejaVu Sans compiled into
//! the program ([`FONT`], registered with plotters' pure-Rust `ab_glyph`
//! font path), so no system font is needed. An SVG names the family
//! `sans-serif`, so its reader draws the text with its own font.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::FontStyle;

use super::data::{Grid, Line};
use super::Output;
use crate::cli::Failure;

/// DejaVu Sans (Debian's fonts-dejavu-core 2.37; its licence, which
/// permits redistribution, is `assets/fonts/DejaVuSans-LICENSE.txt`).
pub const FONT: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");

/// The family the font is registered as.
const FAMILY: &str = "sans-serif";

/// The format of a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SVG: lines and text as SVG elements, a history image as an embedded
    /// PNG.
    Svg,
    /// PNG: 8-bit RGB.
    Png,
}

/// Title and axis labels.
pub struct Labels {
    /// Above the plot.
    pub title: String,
    /// Under the x axis.
    pub x: String,
    /// Beside the y axis.
    pub y: String,
}

/// What to draw.
pub enum Figure {
    /// A line, with one point marked.
    Line {
        line: Line,
        mark: Option<(f64, f64)>,
        labels: Labels,
    },
    /// A history image; `value` labels the colour bar.
    Image {
        grid: Grid,
        labels: Labels,
        value: String,
    },
}

/// Colour of the line.
const LINE: RGBColor = RGBColor(31, 119, 180);
/// Colour of the marked point.
const MARK: RGBColor = RGBColor(214, 39, 40);
/// Colour of image cells with no finite value.
const EMPTY: RGBColor = RGBColor(210, 210, 210);
/// Width of the colour bar's area, in pixels.
const BAR: u32 = 150;
/// Space for the axis labels, in pixels.
const X_LABELS: u32 = 55;
const Y_LABELS: u32 = 70;
const MARGIN: u32 = 12;
/// Height of the title, in pixels.
const TITLE: u32 = 40;

/// The most columns and rows a history image of a picture of `size` can
/// show (one per pixel of its plotting area).
pub fn image_grid((w, h): (u32, u32)) -> (usize, usize) {
    let cols = w.saturating_sub(BAR + Y_LABELS + 2 * MARGIN).max(1);
    let rows = h.saturating_sub(TITLE + X_LABELS + 2 * MARGIN).max(1);
    (cols as usize, rows as usize)
}

/// Draw `figure` into `out`, `size` pixels.
///
/// # Errors
/// [`Failure::Error`] when drawing or writing fails.
pub fn write(figure: &Figure, out: &Output, size: (u32, u32)) -> Result<(), Failure> {
    plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
        .map_err(|_| Failure::Error("the font compiled into qnd is damaged".into()))?;
    let fail = |e: String| Failure::Error(format!("drawing {}: {e}", out.path.display()));
    match out.format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                draw(&root, figure, 2).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            // plotters writes an image's data URL without its type: give it
            // one, or browsers may refuse the image
            let text = text.replace("\"data:png;base64,", "\"data:image/png;base64,");
            std::fs::write(&out.path, text).map_err(|e| written(&out.path, &e))
        }
        Format::Png => {
            // plotters draws wider lines wrongly into bitmaps where they are
            // steep (plotters-rs/plotters#549: a spike is cut short)
            let root = BitMapBackend::new(&out.path, size).into_drawing_area();
            draw(&root, figure, 1).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
    }
}

fn written(path: &Path, e: &std::io::Error) -> Failure {
    Failure::Error(format!("writing {}: {e}", path.display()))
}

/// Draw `figure` on `root`, lines `width` pixels wide.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &Figure,
    width: u32,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    match figure {
        Figure::Line { line, mark, labels } => draw_line(root, line, *mark, labels, width),
        Figure::Image {
            grid,
            labels,
            value,
        } => draw_image(root, grid, labels, value),
    }
    .map_err(|e| e.to_string())
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The lowest and highest finite value of `values`; a range around the
/// value when they are equal; `(0, 1)` when there is none.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

/// `(lo, hi)` widened by `fraction` of its width on each side.
fn padded((lo, hi): (f64, f64), fraction: f64) -> (f64, f64) {
    let pad = (hi - lo) * fraction;
    (lo - pad, hi + pad)
}

/// The text style of labels.
fn font<'a>(size: u32) -> TextStyle<'a> {
    (FAMILY, size).into_font().into()
}

fn draw_line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    line: &Line,
    mark: Option<(f64, f64)>,
    labels: &Labels,
    width: u32,
) -> Drawn<DB>
where
    DB::ErrorType: 'static,
{
    let finite = || {
        line.points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    let (x0, x1) = range(finite().map(|p| p.0));
    let (y0, y1) = padded(range(finite().map(|p| p.1)), 0.05);
    let area = root.titled(&labels.title, font(20))?;
    let mut chart = ChartBuilder::on(&area)
        .margin(MARGIN)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(&labels.x)
        .y_desc(&labels.y)
        .label_style(font(13))
        .x_label_formatter(&|v| tick(*v, x1 - x0))
        .y_label_formatter(&|v| tick(*v, y1 - y0))
        .axis_desc_style(font(16))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    // a non-finite value breaks the line into pieces
    let pieces = line
        .points
        .split(|(x, y)| !(x.is_finite() && y.is_finite()))
        .filter(|p| !p.is_empty());
    for piece in pieces {
        if piece.len() == 1 {
            chart.draw_series(piece.iter().map(|&p| Circle::new(p, 2, LINE.filled())))?;
        } else {
            chart.draw_series(LineSeries::new(
                piece.iter().copied(),
                LINE.stroke_width(width),
            ))?;
        }
    }
    if let Some(p) = mark.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        chart.draw_series(std::iter::once(Circle::new(p, 5, MARK.filled())))?;
    }
    Ok(())
}

/// The colour of `v` in `lo..hi`.
fn colour(v: f64, (lo, hi): (f64, f64)) -> RGBColor {
    if !v.is_finite() || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return EMPTY;
    }
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    if t.is_finite() {
        ViridisRGB::get_color_normalized(t, 0.0, 1.0)
    } else {
        EMPTY
    }
}

fn draw_image<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    grid: &Grid,
    labels: &Labels,
    value: &str,
) -> Drawn<DB>
where
    DB::ErrorType: 'static,
{
    let x0 = grid.x_edges.first().copied().unwrap_or(0.0);
    let x1 = grid.x_edges.last().copied().unwrap_or(1.0);
    let y1 = grid.len as f64;
    let scale = range(grid.values.iter().copied());
    let area = root.titled(&labels.title, font(20))?;
    let (w, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w.saturating_sub(BAR));
    let mut chart = ChartBuilder::on(&main)
        .margin(MARGIN)
        .x_label_area_size(X_LABELS)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(x0..x1, 0.0..y1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(&labels.x)
        .y_desc(&labels.y)
        .label_style(font(13))
        .x_label_formatter(&|v| tick(*v, x1 - x0))
        .y_label_formatter(&|v| tick(*v, y1))
        .axis_desc_style(font(16))
        .draw()?;
    // one pixel per pixel of the plotting area, from the cell under it
    let (px, py) = chart.plotting_area().get_pixel_range();
    let pw = usize::try_from(px.end - px.start).unwrap_or(0).max(1);
    let ph = usize::try_from(py.end - py.start).unwrap_or(0).max(1);
    let cols: Vec<usize> = (0..pw)
        .map(|i| {
            let x = x0 + (i as f64 + 0.5) * (x1 - x0) / pw as f64;
            let c = grid.x_edges[1..].partition_point(|&e| e <= x);
            c.min(grid.cols - 1)
        })
        .collect();
    let mut pixels = Vec::with_capacity(pw * ph * 3);
    for j in 0..ph {
        let y = y1 * (1.0 - (j as f64 + 0.5) / ph as f64);
        let row = ((y * grid.rows as f64 / y1.max(1.0)) as usize).min(grid.rows - 1);
        for &c in &cols {
            let RGBColor(r, g, b) = colour(grid.values[row * grid.cols + c], scale);
            pixels.extend([r, g, b]);
        }
    }
    if let Some(image) = BitMapElement::with_owned_buffer((x0, y1), (pw as u32, ph as u32), pixels)
    {
        chart.draw_series(std::iter::once(image))?;
    }
    chart.plotting_area().draw(&Rectangle::new(
        [(x0, 0.0), (x1, y1)],
        BLACK.stroke_width(1),
    ))?;
    // the colour bar: the same top and bottom as the image
    let mut scale_chart = ChartBuilder::on(&bar)
        .margin(MARGIN)
        .margin_left(4)
        .x_label_area_size(X_LABELS)
        .right_y_label_area_size(BAR - 40 - MARGIN)
        .build_cartesian_2d(0.0..1.0, scale.0..scale.1)?;
    scale_chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        // below the bar, level: plotters' bitmap backend draws the text of
        // a right-hand axis upside down
        .x_desc(value)
        .label_style(font(13))
        .y_label_formatter(&|v| tick(*v, scale.1 - scale.0))
        .axis_desc_style(font(16))
        .draw()?;
    let steps = 128;
    let step = (scale.1 - scale.0) / f64::from(steps);
    scale_chart.draw_series((0..steps).map(|i| {
        let v = scale.0 + step * f64::from(i);
        Rectangle::new(
            [(0.0, v), (1.0, v + step)],
            colour(v + step / 2.0, scale).filled(),
        )
    }))?;
    scale_chart.plotting_area().draw(&Rectangle::new(
        [(0.0, scale.0), (1.0, scale.1)],
        BLACK.stroke_width(1),
    ))?;
    Ok(())
}

/// An axis label: [`number`], and 0 for what is 0 but for rounding on
/// an axis `span` long.
fn tick(v: f64, span: f64) -> String {
    if v.abs() < span.abs() * 1e-9 {
        "0".to_string()
    } else {
        number(v)
    }
}

/// `t` briefly: at most 6 significant digits.
pub fn number(t: f64) -> String {
    if t == 0.0 || !t.is_finite() {
        return format!("{t}");
    }
    let a = t.abs();
    if (1e-4..1e6).contains(&a) {
        let digits = (5 - a.log10().floor() as i32).clamp(0, 12) as usize;
        let s = format!("{t:.digits$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{t:.5e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(1234567.0), "1.23457e6");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.0), "0");
        assert_eq!(tick(1.38778e-17, 0.3), "0");
        assert_eq!(tick(0.05, 0.3), "0.05");
    }

    #[test]
    fn ranges() {
        assert_eq!(range([1.0, f64::NAN, 3.0].into_iter()), (1.0, 3.0));
        assert_eq!(range([2.0].into_iter()), (1.8, 2.2));
        assert_eq!(range(std::iter::empty()), (0.0, 1.0));
        assert_eq!(colour(f64::NAN, (0.0, 1.0)), EMPTY);
        assert_eq!(colour(1.0, (1.0, 1.0)), EMPTY);
    }

    #[test]
    fn font_loads() {
        assert!(plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    }
}
