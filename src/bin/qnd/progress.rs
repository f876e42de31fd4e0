//! Progress bars for long work (`convert`, `vstack`, `diff`, `dump` of large
//! files), drawn on standard error only when it is a terminal: piped or
//! redirected, nothing is drawn, so scripts and tests see the same output
//! as without a bar.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use qnd::{DType, Kind, QGroup, QList, Value};

/// Work smaller than this many bytes shows no bar (it is over before a bar
/// would be worth drawing).
pub const MIN_BYTES: u64 = 64 << 20;

/// Work of fewer items than this (files, for `vstack`) shows no bar.
pub const MIN_ITEMS: u64 = 64;

/// A progress bar counting bytes (or items) of work done, or nothing at
/// all.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// True when a bar could be drawn (standard error is a terminal): a
    /// command computes the total of its work, which may cost some reads,
    /// only then.
    pub fn wanted() -> bool {
        std::io::stderr().is_terminal()
    }

    /// A bar for `total` bytes of work described by `what`, drawn when
    /// standard error is a terminal and `total` is at least [`MIN_BYTES`];
    /// otherwise a progress that draws nothing.
    pub fn bytes(what: &str, total: u64) -> Progress {
        if total < MIN_BYTES || !Progress::wanted() {
            return Progress::hidden();
        }
        Progress::drawn(
            what,
            total,
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
    }

    /// A bar for `total` items of work (files, ...) described by `what`,
    /// drawn when standard error is a terminal and `total` is at least
    /// [`MIN_ITEMS`]; otherwise a progress that draws nothing.
    pub fn items(what: &str, total: u64) -> Progress {
        if total < MIN_ITEMS || !Progress::wanted() {
            return Progress::hidden();
        }
        Progress::drawn(what, total, "{msg} [{bar:30}] {pos}/{len} ({eta} left)")
    }

    fn drawn(what: &str, total: u64, template: &str) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(template)
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        // drawn at once, however short the work
        bar.tick();
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// A progress that draws nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// True when a bar is drawn.
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    /// `n` more bytes (or items) of the work are done.
    pub fn add(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// The work is over: the bar is cleared from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The bytes of an array of `dtype` and `shape`, as progress counts them:
/// elements times element size (text: one byte an element).
pub fn array_bytes(dtype: DType, shape: &[usize]) -> u64 {
    let per = dtype.size().max(1) as u64;
    shape
        .iter()
        .fold(per, |acc, &n| acc.saturating_mul(n as u64))
}

/// The bytes of the leaves of `value`, as [`array_bytes`] counts them.
pub fn value_bytes(value: &Value) -> u64 {
    match value {
        Value::Array(a) => array_bytes(a.dtype(), a.shape()),
        Value::List(items) => items.iter().map(value_bytes).sum(),
        Value::Group(members) => members.values().map(value_bytes).sum(),
        _ => 0,
    }
}

/// The bytes of every leaf and record variable of group `g` and below, as
/// [`array_bytes`] counts them, from the metadata (no data is read): the
/// total of a bar for work that reads the whole tree. What cannot be
/// looked at counts 0 (the work itself will say why), and a group met
/// again inside itself (a hard link: a cycle) is not followed.
pub fn tree_bytes(g: &QGroup) -> u64 {
    let g = g.push();
    g.goto_off();
    group_bytes(&g, &mut Vec::new())
}

fn group_bytes(g: &QGroup, above: &mut Vec<QGroup>) -> u64 {
    if above.iter().any(|a| a.is_same(g)) {
        return 0;
    }
    above.push(g.clone());
    let mut total = 0u64;
    for name in g.names().unwrap_or_default() {
        let bytes = match g.kind(&name) {
            Ok(Kind::Group) => g.group(&name).map_or(0, |s| group_bytes(&s, above)),
            Ok(Kind::List) => g.list(&name).map_or(0, |l| list_bytes(&l, above)),
            Ok(Kind::Leaf) => g.leaf(&name).map_or(0, |l| leaf_bytes(&l)),
            Ok(Kind::Records) => g
                .list(&name)
                .and_then(|l| l.as_array())
                .map_or(0, |l| leaf_bytes(&l)),
            Ok(Kind::None | Kind::Other) | Err(_) => 0,
        };
        total = total.saturating_add(bytes);
    }
    above.pop();
    total
}

fn list_bytes(l: &QList, above: &mut Vec<QGroup>) -> u64 {
    let n = l.len().unwrap_or(0);
    let mut total = 0u64;
    for i in 0..n as isize {
        let bytes = match l.kind(i) {
            Ok(Kind::Group) => l.group(i).map_or(0, |s| group_bytes(&s, above)),
            Ok(Kind::List) => l.list(i).map_or(0, |s| list_bytes(&s, above)),
            Ok(Kind::Leaf) => l.leaf(i).map_or(0, |leaf| leaf_bytes(&leaf)),
            Ok(Kind::Records) => l
                .list(i)
                .and_then(|r| r.as_array())
                .map_or(0, |leaf| leaf_bytes(&leaf)),
            Ok(Kind::None | Kind::Other) | Err(_) => 0,
        };
        total = total.saturating_add(bytes);
    }
    total
}

fn leaf_bytes(leaf: &qnd::QLeaf) -> u64 {
    match (leaf.dtype(), leaf.shape()) {
        (Ok(dtype), Ok(shape)) => array_bytes(dtype, &shape),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_of_a_tree() -> qnd::Result<()> {
        let f = qnd::memory();
        f.set("x", vec![1.0f64; 10])?;
        f.set("n", 3i32)?;
        f.set("s", "abc")?;
        let g = f.create_group("g")?;
        g.set("y", vec![1u8; 5])?;
        f.set("lst", Value::list())?;
        f.list("lst")?.append(vec![1i16, 2])?;
        // 80 + 4 + 1 + 5 + 4
        assert_eq!(tree_bytes(&f), 94);
        f.goto_off();
        assert_eq!(value_bytes(&f.to_value()?), 94);
        assert_eq!(array_bytes(DType::F32, &[2, 3]), 24);
        assert_eq!(array_bytes(DType::Str, &[]), 1);
        let hidden = Progress::hidden();
        hidden.add(5);
        hidden.finish();
        Ok(())
    }
}
