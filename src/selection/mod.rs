//! [`Selection`]: which part of a leaf to read or write.
//!
//! A selection is a list of per-axis arguments, as in numpy: an integer
//! picks one index and drops the axis, a slice `start:stop:step` keeps it.
//! Axes past the last argument are taken whole. Negative integers and
//! slice bounds count from the end; slice bounds are clipped to the axis
//! (as numpy does) while an integer outside the axis is an error.
//!
//! ```
//! use qnd::Selection;
//! use ndarray::s;
//!
//! // numpy's x[1, 2:8:3, -1]
//! let a = Selection::new().index(1).slice(2, 8, 3).index(-1);
//! // the same with ndarray's s! macro (ndarray's own step rules)
//! let b = Selection::from(s![1, 2..8;3, -1]);
//! assert_eq!(a.resolve(&[3, 10, 4]).unwrap().out_shape(), vec![2]);
//! assert_eq!(b.resolve(&[3, 10, 4]).unwrap().out_shape(), vec![2]);
//! ```

use ndarray::{SliceInfo, SliceInfoElem};

use crate::values::{map_array, Array};
use qnd_storage::Run;

/// One axis of a [`Selection`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// A single index (negative from the end); the axis is dropped.
    Index(isize),
    /// A numpy slice `start:stop:step` (`None` bounds are the ends; a
    /// negative step walks backwards from `start`).
    Slice {
        /// First index (default: 0, or the last with a negative step).
        start: Option<isize>,
        /// One past the last index (default: the end).
        stop: Option<isize>,
        /// Step, not 0.
        step: isize,
    },
    /// An `ndarray` slice: take `start..end` then every `step`-th element,
    /// from the back when `step` is negative.
    NdSlice {
        /// First index.
        start: isize,
        /// One past the last (`None`: the end).
        end: Option<isize>,
        /// Step, not 0.
        step: isize,
    },
}

/// The part of a leaf to read or write: one [`Axis`] argument per leading
/// axis; axes past them are taken whole. See the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    axes: Vec<Axis>,
    /// numpy's `...`: whole axes stand in at this position of `axes`, as
    /// many as the leaf has beyond the arguments.
    ellipsis: Option<usize>,
}

/// An axis of a selection resolved against a shape: the [`Run`] of
/// indices it takes (its step may be negative), and whether the axis is
/// kept in the result. Derefs to its run (`r.first`, `r.count`,
/// `r.index(k)`, `r.ascending()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The indices taken.
    pub run: Run,
    /// False for an integer index: the axis is dropped from the result.
    pub keep: bool,
}

impl Resolved {
    /// The whole of an axis of length `len`.
    pub fn all(len: usize) -> Resolved {
        Resolved::kept(Run::all(len))
    }

    /// An axis taking `run`, kept in the result.
    pub fn kept(run: Run) -> Resolved {
        Resolved { run, keep: true }
    }

    /// An axis taking index `i` only, dropped from the result.
    pub fn dropped(i: usize) -> Resolved {
        Resolved {
            run: Run::one(i),
            keep: false,
        }
    }
}

impl std::ops::Deref for Resolved {
    type Target = Run;
    fn deref(&self) -> &Run {
        &self.run
    }
}

impl std::ops::DerefMut for Resolved {
    fn deref_mut(&mut self) -> &mut Run {
        &mut self.run
    }
}

/// A selection resolved against a shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// One entry per axis of the leaf.
    pub axes: Vec<Resolved>,
}

/// Selecting a resolved [`Region`] out of an in-memory [`Array`].
pub trait SelectRegion {
    /// The part of this array that `region` (resolved against its shape)
    /// selects, of shape `region.out_shape()`.
    fn select_region(&self, region: &Region) -> Array;
}

impl SelectRegion for Array {
    fn select_region(&self, region: &Region) -> Array {
        use ndarray::SliceInfoElem;
        let info: Vec<SliceInfoElem> = region
            .axes
            .iter()
            .map(|a| {
                if !a.keep {
                    return SliceInfoElem::Index(a.first as isize);
                }
                if a.count == 0 {
                    return SliceInfoElem::Slice {
                        start: 0,
                        end: Some(0),
                        step: 1,
                    };
                }
                let (lo, hi) = if a.step > 0 {
                    (a.first, a.index(a.count - 1))
                } else {
                    (a.index(a.count - 1), a.first)
                };
                // ndarray takes lo..=hi, from the back for a negative step
                SliceInfoElem::Slice {
                    start: lo as isize,
                    end: Some(hi as isize + 1),
                    step: a.step,
                }
            })
            .collect();
        map_array!(self, x => x.slice(info.as_slice()).to_owned())
    }
}

impl Region {
    /// The whole of a leaf of `shape`.
    pub fn all(shape: &[usize]) -> Region {
        Region {
            axes: shape.iter().map(|&n| Resolved::all(n)).collect(),
        }
    }

    /// The shape of what is read (dropped axes left out).
    pub fn out_shape(&self) -> Vec<usize> {
        self.axes
            .iter()
            .filter(|a| a.keep)
            .map(|a| a.count)
            .collect()
    }

    /// The shape of the hyperslab (every axis, dropped ones as 1).
    pub fn slab_shape(&self) -> Vec<usize> {
        self.axes.iter().map(|a| a.count).collect()
    }

    /// True when some axis runs backwards.
    pub fn has_reversal(&self) -> bool {
        self.axes.iter().any(|a| a.step < 0 && a.count > 1)
    }

    /// True when the region is the whole of `shape`, in order.
    pub fn is_all(&self, shape: &[usize]) -> bool {
        self.axes.len() == shape.len()
            && self
                .axes
                .iter()
                .zip(shape)
                .all(|(a, &n)| a.keep && a.first == 0 && a.count == n && (a.step == 1 || n <= 1))
    }

    /// The same indices as a [`Selection`] (numpy slices and integers),
    /// which resolves back to this region against the same shape.
    pub fn to_selection(&self) -> Selection {
        let axes = self
            .axes
            .iter()
            .map(|a| {
                if !a.keep {
                    return Axis::Index(a.first as isize);
                }
                if a.count == 0 {
                    return Axis::Slice {
                        start: Some(0),
                        stop: Some(0),
                        step: 1,
                    };
                }
                let first = a.first as isize;
                let last = a.index(a.count - 1) as isize;
                let stop = if a.step > 0 { last + 1 } else { last - 1 };
                Axis::Slice {
                    start: Some(first),
                    // a negative stop would count from the end
                    stop: (stop >= 0).then_some(stop),
                    step: a.step,
                }
            })
            .collect::<Vec<_>>();
        Selection::from(axes)
    }

    /// Number of elements selected.
    pub fn size(&self) -> usize {
        self.axes.iter().map(|a| a.count).product()
    }

    /// Put `index` in front (a record index on a record variable's leading
    /// axis).
    pub fn with_leading_index(mut self, index: usize) -> Region {
        self.axes.insert(0, Resolved::dropped(index));
        self
    }
}

/// Why a selection does not fit a shape.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectionError {
    /// More arguments than axes.
    #[error("{given} indices for {ndim} dimensions")]
    TooMany {
        /// Arguments given.
        given: usize,
        /// Dimensions of the leaf.
        ndim: usize,
    },
    /// An integer index outside its axis.
    #[error("index {index} out of bounds for axis {axis} of length {len}")]
    OutOfBounds {
        /// The axis.
        axis: usize,
        /// The index.
        index: isize,
        /// The axis length.
        len: usize,
    },
    /// A slice step of 0.
    #[error("slice step of 0 on axis {axis}")]
    ZeroStep {
        /// The axis.
        axis: usize,
    },
    /// Text that is not numpy indexing ([`Selection::parse`]).
    #[error("bad selection {text:?}: {part:?} {reason}")]
    Syntax {
        /// The whole text.
        text: String,
        /// The comma-separated item at fault (trimmed).
        part: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Selection {
    /// The whole leaf.
    pub fn new() -> Selection {
        Selection::default()
    }

    /// The whole leaf (same as [`Selection::new`]).
    pub fn all() -> Selection {
        Selection::default()
    }

    /// Add an integer index on the next axis.
    #[must_use]
    pub fn index(mut self, i: isize) -> Selection {
        self.axes.push(Axis::Index(i));
        self
    }

    /// Add a numpy slice `start:stop:step` on the next axis.
    #[must_use]
    pub fn slice(
        mut self,
        start: impl Into<Option<isize>>,
        stop: impl Into<Option<isize>>,
        step: isize,
    ) -> Selection {
        self.axes.push(Axis::Slice {
            start: start.into(),
            stop: stop.into(),
            step,
        });
        self
    }

    /// Add a whole axis (numpy's `:`).
    #[must_use]
    pub fn full(self) -> Selection {
        self.slice(None, None, 1)
    }

    /// Add numpy's `...` (Ellipsis): as many whole axes as the leaf has
    /// beyond the other arguments, here. At most one per selection: a
    /// second one replaces the first.
    ///
    /// ```
    /// use qnd::Selection;
    /// // numpy's x[..., -1]: the last column of any leaf
    /// let last = Selection::new().ellipsis().index(-1);
    /// assert_eq!(last.resolve(&[2, 3, 4]).unwrap().out_shape(), vec![2, 3]);
    /// assert_eq!(last.resolve(&[5]).unwrap().out_shape(), Vec::<usize>::new());
    /// ```
    #[must_use]
    pub fn ellipsis(mut self) -> Selection {
        self.ellipsis = Some(self.axes.len());
        self
    }

    /// The per-axis arguments (without the `...`, if any: see
    /// [`Selection::ellipsis_at`]).
    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }

    /// Where the `...` stands among [`Selection::axes`] (the number of
    /// arguments before it), if there is one.
    pub fn ellipsis_at(&self) -> Option<usize> {
        self.ellipsis
    }

    /// Parse numpy's indexing text, what goes between the brackets of
    /// `x[...]`: comma-separated items, each an integer (negative from
    /// the end; the axis is dropped), a slice `start:stop:step` with any
    /// part left out (`:`, `::-1`, `5:`, `:3`, `-3:`, `1:10:2`), or `...`
    /// (at most once). Whitespace around items and parts is ignored, as is
    /// one trailing comma (`1,` is `x[1,]`). The same as
    /// `text.parse::<Selection>()`.
    ///
    /// ```
    /// use qnd::Selection;
    /// let s = Selection::parse("1:10:2, ::-1")?;
    /// assert_eq!(s, Selection::new().slice(1, 10, 2).slice(None, None, -1));
    /// let t: Selection = "..., -1".parse()?;
    /// assert_eq!(t, Selection::new().ellipsis().index(-1));
    /// assert!(Selection::parse("1:x").is_err());
    /// # Ok::<(), qnd::selection::SelectionError>(())
    /// ```
    ///
    /// # Errors
    /// [`SelectionError::Syntax`] naming the item at fault and why: not an
    /// integer, too many colons, a step of 0, a second `...`, an empty
    /// item, `None`/`newaxis` (stored data has no new axes).
    pub fn parse(text: &str) -> Result<Selection, SelectionError> {
        let fail = |part: &str, reason: String| SelectionError::Syntax {
            text: text.to_string(),
            part: part.trim().to_string(),
            reason,
        };
        if text.trim().is_empty() {
            return Err(fail(text, "is empty (say : for everything)".into()));
        }
        let mut items: Vec<&str> = text.split(',').collect();
        // one trailing comma, as in numpy's x[1,]
        if items.len() > 1 && items.last().is_some_and(|t| t.trim().is_empty()) {
            items.pop();
        }
        let mut sel = Selection::new();
        for (n, item) in items.into_iter().enumerate() {
            let t = item.trim();
            if t.is_empty() {
                return Err(fail(item, format!("(item {}) is empty", n + 1)));
            }
            if t == "..." || t == "Ellipsis" {
                if sel.ellipsis.is_some() {
                    return Err(fail(item, "is a second ... (numpy allows one)".into()));
                }
                sel = sel.ellipsis();
                continue;
            }
            if matches!(t, "None" | "np.newaxis" | "newaxis") {
                return Err(fail(
                    item,
                    "adds an axis, which stored data does not have".into(),
                ));
            }
            let parts: Vec<&str> = t.split(':').collect();
            let num = |p: &str, what: &str| -> Result<Option<isize>, SelectionError> {
                let p = p.trim();
                if p.is_empty() {
                    return Ok(None);
                }
                parse_int(p)
                    .map(Some)
                    .ok_or_else(|| fail(item, format!("has {what} {p:?}, which is not an integer")))
            };
            match parts.as_slice() {
                [i] => match num(i, "index")? {
                    Some(i) => sel = sel.index(i),
                    None => return Err(fail(item, "is empty".into())),
                },
                [start, stop] => sel = sel.slice(num(start, "start")?, num(stop, "stop")?, 1),
                [start, stop, step] => {
                    let step = num(step, "step")?.unwrap_or(1);
                    if step == 0 {
                        return Err(fail(item, "has a step of 0".into()));
                    }
                    sel = sel.slice(num(start, "start")?, num(stop, "stop")?, step);
                }
                _ => {
                    return Err(fail(
                        item,
                        "has more than two colons (say start:stop:step)".into(),
                    ))
                }
            }
        }
        Ok(sel)
    }

    /// Resolve against a leaf of `shape`.
    ///
    /// # Errors
    /// [`SelectionError`] when there are more arguments than axes, an
    /// integer is outside its axis or a step is 0.
    pub fn resolve(&self, shape: &[usize]) -> Result<Region, SelectionError> {
        if self.axes.len() > shape.len() {
            return Err(SelectionError::TooMany {
                given: self.axes.len(),
                ndim: shape.len(),
            });
        }
        let whole = Axis::Slice {
            start: None,
            stop: None,
            step: 1,
        };
        // the arguments with the ellipsis spelled out as whole axes
        let spread = shape.len() - self.axes.len();
        let at = self.ellipsis.unwrap_or(self.axes.len());
        let args = self.axes[..at]
            .iter()
            .copied()
            .chain(std::iter::repeat_n(whole, spread))
            .chain(self.axes[at..].iter().copied());
        let mut axes = Vec::with_capacity(shape.len());
        for (axis, (arg, &len)) in args.zip(shape).enumerate() {
            axes.push(resolve_axis(arg, axis, len)?);
        }
        Ok(Region { axes })
    }
}

fn resolve_axis(arg: Axis, axis: usize, len: usize) -> Result<Resolved, SelectionError> {
    // i128 arithmetic: no user-given start, stop or step can overflow it.
    let n = len as i128;
    let norm = |v: isize| {
        let v = v as i128;
        if v < 0 {
            v + n
        } else {
            v
        }
    };
    let (first, count, step) = match arg {
        Axis::Index(i) => {
            let j = norm(i);
            if j < 0 || j >= n {
                return Err(SelectionError::OutOfBounds {
                    axis,
                    index: i,
                    len,
                });
            }
            return Ok(Resolved::dropped(j as usize));
        }
        Axis::Slice { start, stop, step } => {
            if step == 0 {
                return Err(SelectionError::ZeroStep { axis });
            }
            // numpy's slice.indices
            let st = step as i128;
            if st > 0 {
                let s = start.map_or(0, norm).clamp(0, n);
                let e = stop.map_or(n, norm).clamp(0, n);
                let count = if e > s { (e - s + st - 1) / st } else { 0 };
                (s, count, step)
            } else {
                let s = start.map_or(n - 1, |v| norm(v).clamp(-1, n - 1));
                let e = stop.map_or(-1, |v| norm(v).clamp(-1, n - 1));
                let count = if s > e { (s - e - st - 1) / -st } else { 0 };
                (s, count, step)
            }
        }
        Axis::NdSlice { start, end, step } => {
            if step == 0 {
                return Err(SelectionError::ZeroStep { axis });
            }
            let s = norm(start).clamp(0, n);
            let e = end.map_or(n, norm).clamp(0, n).max(s);
            let stride = (step as i128).abs();
            let count = (e - s + stride - 1) / stride;
            // ndarray: a negative step takes s..e from the back
            let first = if step > 0 || count == 0 { s } else { e - 1 };
            (first, count, step)
        }
    };
    Ok(Resolved::kept(Run {
        first: if count == 0 { 0 } else { first as usize },
        count: count as usize,
        // with at most one index the step is irrelevant: keep it tame
        step: if count <= 1 { 1 } else { step },
    }))
}

/// An integer as Python writes one in an index: optional sign, digits,
/// single underscores between digits.
fn parse_int(t: &str) -> Option<isize> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = digits.trim_start();
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let v: i128 = clean.parse().ok()?;
    isize::try_from(if neg { -v } else { v }).ok()
}

impl std::str::FromStr for Selection {
    type Err = SelectionError;

    /// As [`Selection::parse`].
    fn from_str(text: &str) -> Result<Selection, SelectionError> {
        Selection::parse(text)
    }
}

impl From<SliceInfoElem> for Axis {
    fn from(e: SliceInfoElem) -> Axis {
        match e {
            SliceInfoElem::Index(i) => Axis::Index(i),
            SliceInfoElem::Slice { start, end, step } => Axis::NdSlice { start, end, step },
            // A new axis has no meaning for stored data: take the whole
            // next axis instead of inventing one.
            SliceInfoElem::NewAxis => Axis::Slice {
                start: None,
                stop: None,
                step: 1,
            },
        }
    }
}

impl<T: AsRef<[SliceInfoElem]>, Din: ndarray::Dimension, Dout: ndarray::Dimension>
    From<SliceInfo<T, Din, Dout>> for Selection
{
    fn from(info: SliceInfo<T, Din, Dout>) -> Selection {
        let elems: &[SliceInfoElem] = info.as_ref();
        Selection {
            axes: elems.iter().map(|&e| Axis::from(e)).collect(),
            ellipsis: None,
        }
    }
}

impl From<&[Axis]> for Selection {
    fn from(axes: &[Axis]) -> Selection {
        Selection {
            axes: axes.to_vec(),
            ellipsis: None,
        }
    }
}

impl From<Vec<Axis>> for Selection {
    fn from(axes: Vec<Axis>) -> Selection {
        Selection {
            axes,
            ellipsis: None,
        }
    }
}

impl From<isize> for Selection {
    fn from(i: isize) -> Selection {
        Selection::new().index(i)
    }
}

impl From<std::ops::Range<isize>> for Selection {
    fn from(r: std::ops::Range<isize>) -> Selection {
        Selection::new().slice(r.start, r.end, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::s;

    /// The indices an axis resolves to.
    fn idx(arg: Axis, len: usize) -> Vec<usize> {
        let r = resolve_axis(arg, 0, len).unwrap();
        (0..r.count).map(|k| r.index(k)).collect()
    }

    fn sl(start: Option<isize>, stop: Option<isize>, step: isize) -> Axis {
        Axis::Slice { start, stop, step }
    }

    #[test]
    fn numpy_slices() {
        assert_eq!(idx(sl(None, None, 1), 5), vec![0, 1, 2, 3, 4]);
        assert_eq!(idx(sl(Some(1), Some(-1), 2), 6), vec![1, 3]);
        assert_eq!(idx(sl(None, None, -1), 4), vec![3, 2, 1, 0]);
        assert_eq!(idx(sl(Some(5), Some(1), -2), 8), vec![5, 3]);
        assert_eq!(idx(sl(Some(-2), None, 1), 5), vec![3, 4]);
        assert_eq!(idx(sl(Some(7), Some(20), 1), 5), Vec::<usize>::new());
        assert_eq!(idx(sl(Some(-20), Some(2), 1), 5), vec![0, 1]);
    }

    #[test]
    fn ndarray_slices() {
        let f = |e: SliceInfoElem, n| idx(Axis::from(e), n);
        assert_eq!(f(s![1..5;-1][0], 6), vec![4, 3, 2, 1]);
        assert_eq!(f(s![..;-2][0], 5), vec![4, 2, 0]);
        assert_eq!(f(s![-3..][0], 5), vec![2, 3, 4]);
    }

    #[test]
    fn indices_and_errors() {
        let r = Selection::new().index(-1).resolve(&[4, 2]).unwrap();
        assert_eq!(r.out_shape(), vec![2]);
        assert_eq!(r.axes[0].first, 3);
        assert_eq!(
            Selection::new().full().index(2).resolve(&[4, 2]),
            Err(SelectionError::OutOfBounds {
                axis: 1,
                index: 2,
                len: 2
            })
        );
        assert!(matches!(
            Selection::new().index(0).index(0).resolve(&[3]),
            Err(SelectionError::TooMany { .. })
        ));
        assert!(Selection::new().slice(None, None, 0).resolve(&[3]).is_err());
    }

    #[test]
    fn ascending_hyperslab() {
        let r = resolve_axis(sl(Some(5), Some(0), -2), 0, 8).unwrap();
        assert_eq!(r.ascending(), Run::strided(1, 3, 2));
    }

    #[test]
    fn region_to_selection_round_trips() {
        let shape = [7, 5, 4];
        for sel in [
            Selection::new().slice(Some(1), Some(6), 2).index(-1),
            Selection::new()
                .slice(None, None, -2)
                .slice(Some(3), Some(0), -1),
            Selection::new().slice(Some(5), Some(5), 1).full().index(0),
            Selection::new()
                .slice(Some(6), None, -3)
                .slice(None, None, 4),
        ] {
            let r = sel.resolve(&shape).unwrap();
            assert_eq!(r.to_selection().resolve(&shape).unwrap(), r, "{sel:?}");
        }
    }

    #[test]
    fn extreme_arguments_do_not_overflow() {
        let (mn, mx) = (isize::MIN, isize::MAX);
        assert_eq!(idx(sl(None, None, mx), 5), vec![0]);
        assert_eq!(idx(sl(None, None, mn), 5), vec![4]);
        assert_eq!(idx(sl(Some(mn), Some(mx), 1), 3), vec![0, 1, 2]);
        assert_eq!(idx(sl(Some(mx), Some(mn), -1), 3), vec![2, 1, 0]);
        assert_eq!(idx(sl(Some(mx), Some(mn), mn), 3), vec![2]);
        assert_eq!(idx(sl(Some(mn), Some(mx), mx), 0), Vec::<usize>::new());
        assert_eq!(
            idx(
                Axis::NdSlice {
                    start: mn,
                    end: Some(mx),
                    step: mn
                },
                4
            ),
            vec![3]
        );
        assert_eq!(
            idx(
                Axis::NdSlice {
                    start: mx,
                    end: None,
                    step: 1
                },
                4
            ),
            Vec::<usize>::new()
        );
        assert!(resolve_axis(Axis::Index(mn), 0, 3).is_err());
        assert!(resolve_axis(Axis::Index(mx), 0, 3).is_err());
        assert_eq!(idx(Axis::Index(-3), 3), vec![0]);
    }

    fn parsed(text: &str) -> Selection {
        Selection::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    /// The text of a [`SelectionError::Syntax`], else a panic.
    fn syntax(text: &str) -> (String, String) {
        match Selection::parse(text) {
            Err(SelectionError::Syntax { part, reason, .. }) => (part, reason),
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn parses_numpy_text() {
        assert_eq!(parsed("3"), Selection::new().index(3));
        assert_eq!(parsed("-1"), Selection::new().index(-1));
        assert_eq!(parsed(" - 2 "), Selection::new().index(-2));
        assert_eq!(parsed("+4"), Selection::new().index(4));
        assert_eq!(parsed("1_000"), Selection::new().index(1000));
        assert_eq!(parsed(":"), Selection::new().full());
        assert_eq!(parsed("::"), Selection::new().full());
        assert_eq!(parsed("::-1"), Selection::new().slice(None, None, -1));
        assert_eq!(parsed("5:"), Selection::new().slice(5, None, 1));
        assert_eq!(parsed(":3"), Selection::new().slice(None, 3, 1));
        assert_eq!(parsed("-3:"), Selection::new().slice(-3, None, 1));
        assert_eq!(
            parsed("1:10:2,::-1"),
            Selection::new().slice(1, 10, 2).slice(None, None, -1)
        );
        assert_eq!(
            parsed(" 1 : 10 : 2 , : : -1 , 0 "),
            Selection::new()
                .slice(1, 10, 2)
                .slice(None, None, -1)
                .index(0)
        );
        assert_eq!(parsed("1:10:"), Selection::new().slice(1, 10, 1));
        assert_eq!(parsed("1,"), Selection::new().index(1));
        assert_eq!(parsed("...,0"), Selection::new().ellipsis().index(0));
        assert_eq!(parsed("0, ..."), Selection::new().index(0).ellipsis());
        assert_eq!(parsed("Ellipsis"), Selection::new().ellipsis());
        let big = format!("{}", isize::MAX);
        assert_eq!(parsed(&big), Selection::new().index(isize::MAX));
        assert_eq!(
            "2:".parse::<Selection>(),
            Ok(Selection::new().slice(2, None, 1))
        );
    }

    #[test]
    fn bad_text_names_the_item() {
        let (part, reason) = syntax("0, 1:x");
        assert_eq!(part, "1:x");
        assert!(reason.contains("stop \"x\""), "{reason}");
        assert!(syntax("1:2:3:4").1.contains("more than two colons"));
        assert!(syntax("::0").1.contains("step of 0"));
        assert!(syntax("..., 1, ...").1.contains("second ..."));
        assert!(syntax("1,,2").1.contains("item 2"));
        assert!(syntax("").1.contains("empty"));
        assert!(syntax("None").1.contains("adds an axis"));
        assert_eq!(syntax("1.5").0, "1.5");
        assert_eq!(
            syntax("99999999999999999999999").0,
            "99999999999999999999999"
        );
        assert!(Selection::parse("1__0").is_err());
        assert!(Selection::parse("_1").is_err());
        assert!(Selection::parse("--1").is_err());
        let msg = Selection::parse("0, a").unwrap_err().to_string();
        assert_eq!(
            msg,
            "bad selection \"0, a\": \"a\" has index \"a\", which is not an integer"
        );
    }

    #[test]
    fn ellipsis_spreads_whole_axes() {
        let shape = [4, 5, 6];
        let out = |s: &str| parsed(s).resolve(&shape).map(|r| r.out_shape());
        assert_eq!(out("..."), Ok(vec![4, 5, 6]));
        assert_eq!(out("..., 0"), Ok(vec![4, 5]));
        assert_eq!(out("0, ..."), Ok(vec![5, 6]));
        assert_eq!(out("0, ..., ::2"), Ok(vec![5, 3]));
        assert_eq!(out("0, ..., 1, 2"), Ok(vec![]));
        assert_eq!(
            out("0, 1, 2, 3, ..."),
            Err(SelectionError::TooMany { given: 4, ndim: 3 })
        );
        // the ellipsis resolves to the same region as the whole axes
        assert_eq!(
            parsed("..., -1").resolve(&shape),
            parsed(":, :, -1").resolve(&shape)
        );
        // an integer past the ellipsis names its real axis
        assert_eq!(
            parsed("..., 9").resolve(&shape),
            Err(SelectionError::OutOfBounds {
                axis: 2,
                index: 9,
                len: 6
            })
        );
        assert_eq!(
            parsed("...").resolve(&[]).map(|r| r.out_shape()),
            Ok(vec![])
        );
    }

    #[test]
    fn parsed_slices_match_numpy() {
        // numpy: np.arange(10)[s]
        let idx_of = |s: &str| {
            let r = parsed(s).resolve(&[10]).unwrap();
            (0..r.axes[0].count)
                .map(|k| r.axes[0].index(k))
                .collect::<Vec<_>>()
        };
        assert_eq!(idx_of("1:10:2"), vec![1, 3, 5, 7, 9]);
        assert_eq!(idx_of("::-1"), vec![9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        assert_eq!(idx_of("-3:"), vec![7, 8, 9]);
        assert_eq!(idx_of("8:2:-3"), vec![8, 5]);
        assert_eq!(idx_of("-1:-4:-1"), vec![9, 8, 7]);
        assert_eq!(idx_of(":3"), vec![0, 1, 2]);
        assert_eq!(idx_of("20:"), Vec::<usize>::new());
    }
}
