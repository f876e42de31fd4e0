//! Tests of the file layer's state driven through the tree: record
//! buffers, and the caches (what is read from storage, and when).

use crate::backend::Run;
use crate::{Recording, Selection};

/// An in-memory file holding `n` records of `t` (k) and of `x` (`len`
/// copies of k; a path in a group `g` works), flushed, whose backend then
/// logs the reads it gets.
fn logged_history(n: usize, x: &str, len: usize) -> crate::QGroup {
    let f = crate::memory();
    if x.starts_with("g/") {
        f.create_group("g").unwrap();
    }
    f.set_recording(Recording::Uniform);
    for k in 0..n {
        f.set("t", k as f64).unwrap();
        f.set(x, vec![k as f64; len]).unwrap();
    }
    f.flush().unwrap();
    f.file.with_memory(|m| m.probe.log = true);
    f
}

/// Through the tree: closing, dropping and flushing a file write its
/// buffered records, and an error on the way is returned, not lost.
#[test]
fn tree_flush_and_close_report_write_errors() {
    let f = crate::memory();
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    f.set("t", 2.0).unwrap();
    f.file.with_memory(|m| m.probe.fail_appends = true);
    let e = f.flush().unwrap_err();
    assert!(e.to_string().contains("appends fail"), "{e}");
    // both records still read back through the handle
    f.goto_off();
    assert_eq!(f.read::<Vec<f64>>("t").unwrap(), [1.0, 2.0]);
    let e = f.close().unwrap_err();
    assert!(e.to_string().contains("appends fail"), "{e}");
}

/// Dropping the last handle with records that cannot be written logs
/// the error (on standard error) rather than panicking.
#[test]
fn drop_with_a_failing_write_does_not_panic() {
    let f = crate::memory();
    f.set_recording(Recording::Uniform);
    f.set("t", 1.0).unwrap();
    f.file.with_memory(|m| m.probe.fail_appends = true);
    drop(f);
}

/// Reading a whole record variable is one backend read; reading one
/// record reads only that record; goto-by-value reads the variable
/// once, then never again while records are appended.
#[test]
fn reads_of_record_variables_read_only_what_they_need() {
    let f = logged_history(50, "x", 4);
    let reads = |f: &crate::QGroup| f.file.with_memory(|m| m.probe.reads.clone());
    let x_id = |f: &crate::QGroup| {
        let mut core = f.file.lock().unwrap();
        let root = f.file.root;
        core.lookup(root, "x").unwrap().unwrap().0
    };
    let x = x_id(&f);
    let before = reads(&f).len();
    f.goto_off();
    let all: ndarray::ArrayD<f64> = f.read("x").unwrap();
    assert_eq!(all.shape(), [50, 4]);
    let r = reads(&f);
    assert_eq!(r.len(), before + 1, "one read of the whole variable");
    assert_eq!(r[before], (x, vec![Run::all(50), Run::all(4)]));
    f.goto(7);
    assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [7.0; 4]);
    let r = reads(&f);
    assert_eq!(r.last().unwrap(), &(x, vec![Run::one(7), Run::all(4)]));
    let part = f
        .read_part::<Vec<f64>>("x", Selection::new().index(2))
        .unwrap();
    assert_eq!(part, [7.0]);
    assert_eq!(
        reads(&f).last().unwrap(),
        &(x, vec![Run::one(7), Run::one(2)])
    );
    // goto by value: one read of t to build the index ...
    let before = reads(&f).len();
    assert_eq!(f.goto_nearest("t", 20.2).unwrap(), 20);
    assert_eq!(reads(&f).len(), before + 1);
    // ... kept up to date by appends, with no more reads
    for k in 50..80 {
        f.set("t", k as f64).unwrap();
        assert_eq!(f.goto_nearest("t", k as f64 - 0.3).unwrap(), k);
    }
    f.set("t", 10.0).unwrap(); // a restart: records 10..79 no longer count
    assert_eq!(f.goto_nearest("t", 40.0).unwrap(), 80);
    assert_eq!(f.goto_nearest("t", 9.4).unwrap(), 9);
    assert_eq!(reads(&f).len(), before + 1, "the index was not rebuilt");
    // another write to t drops the index; the next goto rebuilds it
    f.set_recording(Recording::Off);
    f.goto(80);
    f.set("t", 100.0).unwrap();
    assert_eq!(f.goto_nearest("t", 99.0).unwrap(), 80);
    assert_eq!(f.goto_nearest("t", 40.0).unwrap(), 40);
    assert_eq!(reads(&f).len(), before + 2);
}

/// `FileState::invalidate` is the one place that drops what the tree has
/// learnt: afterwards the goto index is built again from storage, lookups
/// and shapes are asked again, and every read gives what it gave before.
#[test]
fn invalidate_drops_every_cache_in_one_place() {
    let f = logged_history(10, "g/x", 2);
    let reads = |f: &crate::QGroup| f.file.with_memory(|m| m.probe.reads.len());
    assert_eq!(f.goto_nearest("t", 4.2).unwrap(), 4);
    assert_eq!(f.goto_nearest("t", 6.9).unwrap(), 7);
    assert_eq!(reads(&f), 1, "one read builds the index");
    f.file.lock().unwrap().invalidate();
    assert_eq!(f.goto_nearest("t", 6.9).unwrap(), 7);
    assert_eq!(reads(&f), 2, "the index was built again");
    assert_eq!(f.read::<Vec<f64>>("g/x").unwrap(), [7.0, 7.0]);
    f.goto_off();
    assert_eq!(f.read::<Vec<f64>>("t").unwrap().len(), 10);
    assert_eq!(f.list("g/x").unwrap().len().unwrap(), 10);
}
