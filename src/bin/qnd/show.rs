//! Values printed the way numpy's `print(array)` prints them (what an h5py
//! user sees for `print(dset[...])`): numpy 2's default print options
//! (precision 8, `floatmode='maxprec'`, line width 75, threshold 1000,
//! edge items 3), ported from `numpy/_core/arrayprint.py`
//! (`_formatArray`, `FloatingFormat`, `IntegerFormat`, `BoolFormat`).
//!
//! Text prints as h5py reads it, bytes: `[b'ab' b'c']`; a scalar as
//! `print(dset[()])` shows it (`b'ab'`; numpy 2 prints a 0-d bytes array
//! as `np.bytes_(b'ab')`).

use qnd::Array;

/// numpy's `threshold`: more elements than this are summarised.
pub const THRESHOLD: usize = 1000;
/// numpy's `edgeitems`: a summarised axis shows this many at each end.
pub const EDGE: usize = 3;
/// numpy's `linewidth`.
const LINE_WIDTH: usize = 75;
/// numpy's `precision`.
const PRECISION: usize = 8;

/// True when an array of `shape` prints summarised (numpy's threshold).
pub fn summarised(shape: &[usize]) -> bool {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .is_none_or(|n| n > THRESHOLD)
}

/// True when axis `len` of an array printed with `summary` shows only its
/// ends.
pub fn cut(len: usize, summary: bool) -> bool {
    summary && len > 2 * EDGE
}

/// The text numpy prints for an array of shape `full`, given `small`: the
/// whole array, or when `full` is summarised its corners (every axis that
/// is [`cut`] holding its first and last [`EDGE`] elements only), which is
/// all numpy looks at too. No trailing newline.
pub fn numpy_str(small: &Array, full: &[usize]) -> String {
    if full.is_empty() {
        return scalar_str(small);
    }
    if full.contains(&0) {
        return "[]".to_string();
    }
    let summary = summarised(full);
    let cells = cells(small);
    let shape = small.shape();
    let mut strides = vec![1usize; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * shape[k + 1];
    }
    let layout = Layout {
        cells: &cells,
        shape,
        strides: &strides,
        full,
        summary,
    };
    layout.recurse(0, 0, " ", LINE_WIDTH as isize)
}

struct Layout<'a> {
    cells: &'a [String],
    shape: &'a [usize],
    strides: &'a [usize],
    full: &'a [usize],
    summary: bool,
}

impl Layout<'_> {
    /// numpy's `_formatArray.recurser` at `axis`, the element offset so far
    /// `offset`.
    fn recurse(&self, axis: usize, offset: usize, hanging: &str, width: isize) -> String {
        if axis == self.shape.len() {
            return self.cells.get(offset).cloned().unwrap_or_default();
        }
        let axes_left = self.shape.len() - axis;
        let next_hanging = format!("{hanging} ");
        let next_width = width - 1;
        let len = self.shape[axis];
        let show_summary = cut(self.full[axis], self.summary);
        let (leading, trailing) = if show_summary {
            (EDGE.min(len), EDGE.min(len))
        } else {
            (0, len)
        };
        let at = |i: usize| offset + i * self.strides[axis];
        // element -i from the end
        let back = |i: usize| at(len - i);
        let mut s = String::new();
        if axes_left == 1 {
            let elem_width = width - 1;
            let mut line = hanging.to_string();
            for i in 0..leading {
                let word = self.recurse(axis + 1, at(i), &next_hanging, next_width);
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                line.push(' ');
            }
            if show_summary {
                extend_line(&mut s, &mut line, "...", elem_width, hanging);
                line.push(' ');
            }
            for i in (2..=trailing).rev() {
                let word = self.recurse(axis + 1, back(i), &next_hanging, next_width);
                extend_line(&mut s, &mut line, &word, elem_width, hanging);
                line.push(' ');
            }
            let word = self.recurse(axis + 1, back(1), &next_hanging, next_width);
            extend_line(&mut s, &mut line, &word, elem_width, hanging);
            s.push_str(&line);
        } else {
            let line_sep = "\n".repeat(axes_left - 1);
            for i in 0..leading {
                let nested = self.recurse(axis + 1, at(i), &next_hanging, next_width);
                s.push_str(hanging);
                s.push_str(&nested);
                s.push_str(&line_sep);
            }
            if show_summary {
                s.push_str(hanging);
                s.push_str("...");
                s.push_str(&line_sep);
            }
            for i in (2..=trailing).rev() {
                let nested = self.recurse(axis + 1, back(i), &next_hanging, next_width);
                s.push_str(hanging);
                s.push_str(&nested);
                s.push_str(&line_sep);
            }
            let nested = self.recurse(axis + 1, back(1), &next_hanging, next_width);
            s.push_str(hanging);
            s.push_str(&nested);
        }
        format!("[{}]", &s[hanging.len()..])
    }
}

/// numpy's `_extendLine`: start a new line when `word` does not fit
/// (unless the line holds nothing but the indent).
fn extend_line(s: &mut String, line: &mut String, word: &str, width: isize, prefix: &str) {
    let needs_wrap = (line.chars().count() + word.chars().count()) as isize > width
        && line.chars().count() > prefix.chars().count();
    if needs_wrap {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = prefix.to_string();
    }
    line.push_str(word);
}

/// Every element of `a` in C order, formatted and padded as numpy's format
/// function for the whole of `a` does.
fn cells(a: &Array) -> Vec<String> {
    macro_rules! ints {
        ($x:expr) => {{
            let v: Vec<i128> = $x.iter().map(|&e| i128::from(e)).collect();
            let width = v.iter().map(|e| e.to_string().len()).max().unwrap_or(0);
            v.iter().map(|e| format!("{e:>width$}")).collect()
        }};
    }
    match a {
        Array::I8(x) => ints!(x),
        Array::I16(x) => ints!(x),
        Array::I32(x) => ints!(x),
        Array::I64(x) => ints!(x),
        Array::U8(x) => ints!(x),
        Array::U16(x) => ints!(x),
        Array::U32(x) => ints!(x),
        Array::U64(x) => ints!(x),
        Array::F32(x) => {
            let v: Vec<f64> = x.iter().map(|&e| f64::from(e)).collect();
            let f = FloatFormat::new(&v, true);
            v.iter().map(|&e| f.format(e)).collect()
        }
        Array::F64(x) => {
            let v: Vec<f64> = x.iter().copied().collect();
            let f = FloatFormat::new(&v, false);
            v.iter().map(|&e| f.format(e)).collect()
        }
        Array::C8(x) => complex_cells(
            &x.iter()
                .map(|z| (f64::from(z.re), f64::from(z.im)))
                .collect::<Vec<_>>(),
            true,
        ),
        Array::C16(x) => complex_cells(&x.iter().map(|z| (z.re, z.im)).collect::<Vec<_>>(), false),
        Array::Bool(x) => x
            .iter()
            .map(|&b| if b { " True" } else { "False" }.to_string())
            .collect(),
        Array::Str(x) => x.iter().map(|t| bytes_repr(t.as_bytes())).collect(),
    }
}

/// A 0-d array as numpy prints it: the scalar's `str`.
fn scalar_str(a: &Array) -> String {
    macro_rules! first {
        ($x:expr) => {
            $x.iter().next().map(|e| e.to_string()).unwrap_or_default()
        };
    }
    match a {
        Array::I8(x) => first!(x),
        Array::I16(x) => first!(x),
        Array::I32(x) => first!(x),
        Array::I64(x) => first!(x),
        Array::U8(x) => first!(x),
        Array::U16(x) => first!(x),
        Array::U32(x) => first!(x),
        Array::U64(x) => first!(x),
        Array::F32(x) => x
            .iter()
            .next()
            .map(|&e| float_scalar(f64::from(e), true))
            .unwrap_or_default(),
        Array::F64(x) => x
            .iter()
            .next()
            .map(|&e| float_scalar(e, false))
            .unwrap_or_default(),
        Array::C8(x) => x
            .iter()
            .next()
            .map(|z| complex_scalar(f64::from(z.re), f64::from(z.im), true))
            .unwrap_or_default(),
        Array::C16(x) => x
            .iter()
            .next()
            .map(|z| complex_scalar(z.re, z.im, false))
            .unwrap_or_default(),
        Array::Bool(x) => match x.iter().next() {
            Some(true) => "True".into(),
            Some(false) => "False".into(),
            None => String::new(),
        },
        Array::Str(x) => x
            .iter()
            .next()
            .map(|t| bytes_repr(t.as_bytes()))
            .unwrap_or_default(),
    }
}

/// Python's `repr(bytes)`: `b'ab'`, `b"it's"`, `b'\xc3\xa9\n'`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut s = String::with_capacity(b.len() + 3);
    s.push('b');
    s.push(quote as char);
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c == quote => {
                s.push('\\');
                s.push(c as char);
            }
            c if !(0x20..0x7f).contains(&c) => s.push_str(&format!("\\x{c:02x}")),
            c => s.push(c as char),
        }
    }
    s.push(quote as char);
    s
}

/// The shortest decimal digits that read back as `x` (as an `f32` when
/// `single`): `x = d0.d1d2... * 10^exp`. `x` is finite and not negative.
fn shortest(x: f64, single: bool) -> (Vec<u8>, i32) {
    // Rust's `{:e}` is the shortest round-trip form, as numpy's Dragon4
    // in unique mode.
    let text = if single {
        format!("{:e}", x as f32)
    } else {
        format!("{x:e}")
    };
    let (mantissa, _) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let len = mantissa.bytes().filter(u8::is_ascii_digit).count();
    // Of two shortest forms equally near (an exact tie, which happens
    // with float32), Dragon4 takes the even one, Rust the upper: round the
    // exact value to as many digits, half to even, as Rust's `{:.N e}`
    // does.
    let text = format!("{:.*e}", len.saturating_sub(1), x);
    let (mantissa, exp) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp.parse().unwrap_or(0))
}

/// numpy's `dragon4_positional(x, precision, unique=True, fractional=True,
/// trim='.')` of finite `x`: the integer part (with its sign) and the
/// fractional digits (trailing zeros trimmed). `precision` None: no limit.
fn positional(x: f64, single: bool, precision: Option<usize>) -> (String, String) {
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let a = x.abs();
    let (digits, exp) = shortest(a, single);
    let needed = (digits.len() as i64 - 1 - i64::from(exp)).max(0) as usize;
    let (int, frac) = match precision {
        Some(p) if needed > p => {
            // cut off: the exact value rounded (half to even) to p digits
            let t = format!("{a:.p$}");
            let (i, f) = t.split_once('.').unwrap_or((t.as_str(), ""));
            (i.to_string(), f.trim_end_matches('0').to_string())
        }
        _ => {
            let d = String::from_utf8_lossy(&digits).into_owned();
            if exp >= 0 {
                let e = exp as usize;
                if d.len() > e + 1 {
                    (d[..=e].to_string(), d[e + 1..].to_string())
                } else {
                    (format!("{d}{}", "0".repeat(e + 1 - d.len())), String::new())
                }
            } else {
                let zeros = "0".repeat((-exp - 1) as usize);
                ("0".to_string(), format!("{zeros}{d}"))
            }
        }
    };
    let frac = if frac.chars().all(|c| c == '0') {
        String::new()
    } else {
        frac
    };
    (format!("{sign}{int}"), frac)
}

/// numpy's `dragon4_scientific(x, precision, unique=True, trim='.')` of
/// finite `x`: the leading digit (with its sign), the fractional digits
/// (trailing zeros trimmed) and the exponent.
fn scientific(x: f64, single: bool, precision: Option<usize>) -> (String, String, i32) {
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let a = x.abs();
    let (digits, exp) = shortest(a, single);
    let (lead, frac, exp) = match precision {
        Some(p) if digits.len() > p + 1 => {
            let t = format!("{a:.p$e}");
            let (m, e) = t.split_once('e').unwrap_or((t.as_str(), "0"));
            let (i, f) = m.split_once('.').unwrap_or((m, ""));
            (
                i.to_string(),
                f.trim_end_matches('0').to_string(),
                e.parse().unwrap_or(exp),
            )
        }
        _ => {
            let d = String::from_utf8_lossy(&digits).into_owned();
            let frac = d.get(1..).unwrap_or("").trim_end_matches('0').to_string();
            (d.get(..1).unwrap_or("0").to_string(), frac, exp)
        }
    };
    (format!("{sign}{lead}"), frac, exp)
}

/// `e+05`: the exponent with its sign and at least `digits` digits.
fn exponent(exp: i32, digits: usize) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{sign}{:0digits$}", exp.unsigned_abs())
}

/// `str()` of a numpy float scalar: positional for 0 and 1e-4 <= |x| <
/// 1e16 (1e6 for float32), else scientific, shortest digits both ways.
fn float_scalar(x: f64, single: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.into();
    }
    let top = if single { 1e6 } else { 1e16 };
    let a = x.abs();
    if a == 0.0 || (1e-4..top).contains(&a) {
        let (int, frac) = positional(x, single, None);
        let frac = if frac.is_empty() { "0".into() } else { frac };
        format!("{int}.{frac}")
    } else {
        let (lead, frac, exp) = scientific(x, single, None);
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{lead}{dot}{frac}{}", exponent(exp, 2))
    }
}

/// `str()` of a numpy complex scalar: `(1+2j)`, `(1.5-0.25j)`, `2j` when
/// the real part is +0, `(nan+infj)`; each part as a float scalar with no
/// trailing `.0`.
fn complex_scalar(re: f64, im: f64, single: bool) -> String {
    let part = |x: f64| {
        let t = float_scalar(x, single);
        match t.strip_suffix(".0") {
            Some(t) => t.to_string(),
            None => t,
        }
    };
    let im_text = part(im);
    let im_text = if im_text.starts_with('-') {
        im_text
    } else {
        format!("+{im_text}")
    };
    if re == 0.0 && re.is_sign_positive() {
        return format!("{}j", im_text.trim_start_matches('+'));
    }
    format!("({}{im_text}j)", part(re))
}

/// numpy's `ComplexFloatingFormat`: the real parts formatted together, the
/// imaginary parts together with a sign always, `j` before the imaginary
/// part's padding.
fn complex_cells(v: &[(f64, f64)], single: bool) -> Vec<String> {
    let re: Vec<f64> = v.iter().map(|z| z.0).collect();
    let im: Vec<f64> = v.iter().map(|z| z.1).collect();
    let fr = FloatFormat::new(&re, single);
    let fi = FloatFormat::with_sign(&im, single);
    v.iter()
        .map(|&(r, i)| {
            let i = fi.format(i);
            let sp = i.trim_end().len();
            format!("{}{}j{}", fr.format(r), &i[..sp], &i[sp..])
        })
        .collect()
}

/// numpy's `FloatingFormat` with the default options, fitted to the
/// values it prints.
struct FloatFormat {
    single: bool,
    /// numpy's `sign='+'`: a `+` before every value not negative (the
    /// imaginary parts of complex values).
    plus: bool,
    exp_format: bool,
    pad_left: usize,
    pad_right: usize,
    /// scientific: the fractional digits every value shows.
    precision: usize,
    /// scientific: the exponent's digits.
    exp_size: usize,
}

impl FloatFormat {
    /// With numpy's `sign='+'`.
    fn with_sign(data: &[f64], single: bool) -> FloatFormat {
        FloatFormat::fitted(data, single, true)
    }

    fn new(data: &[f64], single: bool) -> FloatFormat {
        FloatFormat::fitted(data, single, false)
    }

    fn fitted(data: &[f64], single: bool, plus: bool) -> FloatFormat {
        // the width of a leading part, with the `+` numpy adds
        let lead = |t: &str| t.len() + usize::from(plus && !t.starts_with('-'));
        let finite: Vec<f64> = data.iter().copied().filter(|x| x.is_finite()).collect();
        let nonzero: Vec<f64> = finite
            .iter()
            .filter(|&&x| x != 0.0)
            .map(|x| x.abs())
            .collect();
        let mut exp_format = false;
        if !nonzero.is_empty() {
            let max = nonzero.iter().copied().fold(f64::MIN, f64::max);
            let min = nonzero.iter().copied().fold(f64::MAX, f64::min);
            exp_format = if single {
                // numpy compares in float32 (and 10**min(8, 6) for the top)
                let (max, min) = (max as f32, min as f32);
                max >= 1e6 || min < 1e-4f32 || max / min > 1000.0
            } else {
                max >= 1e8 || min < 1e-4 || max / min > 1000.0
            };
        }
        let mut f = FloatFormat {
            single,
            plus,
            exp_format,
            pad_left: 0,
            pad_right: 0,
            precision: 0,
            exp_size: 0,
        };
        if finite.is_empty() {
            // nothing to fit
        } else if exp_format {
            let parts: Vec<_> = finite
                .iter()
                .map(|&x| scientific(x, single, Some(PRECISION)))
                .collect();
            f.exp_size = parts
                .iter()
                .map(|p| p.2.unsigned_abs().to_string().len().max(2))
                .max()
                .unwrap_or(2);
            f.precision = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
            f.pad_left = parts.iter().map(|p| lead(&p.0)).max().unwrap_or(0);
            f.pad_right = f.exp_size + 2 + f.precision;
        } else {
            let parts: Vec<_> = finite
                .iter()
                .map(|&x| positional(x, single, Some(PRECISION)))
                .collect();
            f.pad_left = parts.iter().map(|p| lead(&p.0)).max().unwrap_or(0);
            f.pad_right = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        }
        if finite.len() != data.len() {
            let neginf = plus || data.contains(&f64::NEG_INFINITY);
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max(3usize.saturating_sub(offset))
                .max((3 + usize::from(neginf)).saturating_sub(offset));
        }
        f
    }

    fn format(&self, x: f64) -> String {
        let width = self.pad_left + self.pad_right + 1;
        let plus = if self.plus { "+" } else { "" };
        if x.is_nan() {
            return format!("{:>width$}", format!("{plus}nan"));
        }
        if x.is_infinite() {
            let t = if x < 0.0 {
                "-inf".into()
            } else {
                format!("{plus}inf")
            };
            return format!("{t:>width$}");
        }
        let pad_left = self.pad_left;
        let sign = if x.is_sign_negative() { "-" } else { plus };
        if self.exp_format {
            // numpy's min_digits: every value shows `precision` digits, the
            // digits past its shortest form being the exact value's,
            // rounded (not zeros: float32 values show their binary value)
            let p = self.precision;
            let t = format!("{:.p$e}", x.abs());
            let (m, e) = t.split_once('e').unwrap_or((t.as_str(), "0"));
            let (lead, frac) = m.split_once('.').unwrap_or((m, ""));
            let lead = format!("{sign}{lead}");
            format!(
                "{lead:>pad_left$}.{frac}{}",
                exponent(e.parse().unwrap_or(0), self.exp_size)
            )
        } else {
            let (int, frac) = positional(x, self.single, Some(PRECISION));
            let int = if x.is_sign_negative() {
                int
            } else {
                format!("{plus}{int}")
            };
            let pad_right = self.pad_right;
            format!("{int:>pad_left$}.{frac:<pad_right$}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn f64s(v: &[f64]) -> String {
        let a = Array::F64(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.to_vec()).unwrap());
        numpy_str(&a, &[v.len()])
    }

    #[test]
    fn floats_as_numpy() {
        assert_eq!(f64s(&[1.0, 2.5, 3.0]), "[1.  2.5 3. ]");
        assert_eq!(f64s(&[0.1 + 0.2, 1.0]), "[0.3 1. ]");
        assert_eq!(f64s(&[0.001953125, 1.0]), "[0.00195312 1.        ]");
        assert_eq!(f64s(&[1e-100, 1.0]), "[1.e-100 1.e+000]");
        assert_eq!(f64s(&[f64::NAN, f64::NEG_INFINITY]), "[ nan -inf]");
        assert_eq!(f64s(&[f64::NAN, f64::INFINITY]), "[nan inf]");
        assert_eq!(f64s(&[-0.0, 1.0]), "[-0.  1.]");
        assert_eq!(f64s(&[1e-5, 1.5]), "[1.0e-05 1.5e+00]");
        assert_eq!(f64s(&[1.0 / 3.0, -2.0]), "[ 0.33333333 -2.        ]");
    }

    fn c16s(v: &[(f64, f64)], shape: &[usize]) -> String {
        let z = v
            .iter()
            .map(|&(re, im)| qnd::Complex64::new(re, im))
            .collect();
        numpy_str(
            &Array::C16(ArrayD::from_shape_vec(IxDyn(shape), z).unwrap()),
            shape,
        )
    }

    /// What numpy 2 prints for the same values (`print(np.array(...))`).
    #[test]
    fn complex_as_numpy() {
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        assert_eq!(
            c16s(&[(1.0, 2.0), (3.0, -4.0), (nan, inf)], &[3]),
            "[ 1. +2.j  3. -4.j nan+infj]"
        );
        let m: Vec<(f64, f64)> = (0..6).map(|k| (k as f64, 0.0 - k as f64)).collect();
        assert_eq!(
            c16s(&m, &[2, 3]),
            "[[0.+0.j 1.-1.j 2.-2.j]\n [3.-3.j 4.-4.j 5.-5.j]]"
        );
        assert_eq!(
            c16s(&[(1e-5, 1.0), (2.0, 3e8)], &[2]),
            "[1.e-05+1.e+00j 2.e+00+3.e+08j]"
        );
        let w = Array::C8(ArrayD::from_elem(IxDyn(&[]), qnd::Complex32::new(1.5, 0.5)));
        assert_eq!(numpy_str(&w, &[]), "(1.5+0.5j)");
        assert_eq!(complex_scalar(1e20, 1.0, false), "(1e+20+1j)");
        assert_eq!(
            complex_scalar(f64::from(0.1f32), f64::from(0.2f32), true),
            "(0.1+0.2j)"
        );
        assert_eq!(complex_scalar(0.0, 2.0, false), "2j");
        assert_eq!(complex_scalar(nan, -inf, false), "(nan-infj)");
        assert_eq!(complex_scalar(nan, nan, false), "(nan+nanj)");
    }

    #[test]
    fn scalars_as_numpy() {
        assert_eq!(float_scalar(5.0, false), "5.0");
        assert_eq!(float_scalar(1e-5, false), "1e-05");
        assert_eq!(float_scalar(1.5e16, false), "1.5e+16");
        assert_eq!(float_scalar(1e15, false), "1000000000000000.0");
        assert_eq!(float_scalar(f64::from(0.1f32), true), "0.1");
        assert_eq!(float_scalar(1e6, true), "1e+06");
        assert_eq!(float_scalar(f64::from(1e-4f32), true), "1e-04");
        assert_eq!(bytes_repr(b"it's"), "b\"it's\"");
        assert_eq!(bytes_repr("\u{e9}\n".as_bytes()), "b'\\xc3\\xa9\\n'");
    }
}
