//! How deep a tree may nest: one limit, [`qnd::MAX_DEPTH`] groups and lists
//! from the root, for reads, writes and serde alike (qnd never writes a
//! tree it refuses to read), chosen so that the recursion fits a 2 MiB
//! thread stack (a test thread's) in a debug build. Cycles are not found by
//! this limit but as a node met again on the path (tests/links.rs).

#![cfg(all(feature = "hdf5", feature = "serde"))]

use std::path::Path;
use std::process::Command;

use qnd::{Error, QGroup, Value, MAX_DEPTH};

/// The tests here run one at a time: some start processes (this test
/// binary again), which would inherit a file another test has just opened
/// through the C libraries, and HDF5's lock on that file with it.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

/// A memory file and a new HDF5 file in `dir`.
fn mem_and_h5(dir: &Path, stem: &str) -> Vec<(&'static str, QGroup)> {
    vec![
        ("memory", qnd::memory()),
        (
            "hdf5",
            qnd::open(dir.join(format!("{stem}.h5")), "w").unwrap(),
        ),
    ]
}

/// A value nested `depth` groups deep: {"a": {"a": ... 1.0}}.
fn deep(depth: usize) -> Value {
    let mut v = Value::from(1.0);
    for _ in 0..depth {
        let mut m = indexmap::IndexMap::new();
        m.insert("a".to_string(), v);
        v = Value::Group(m);
    }
    v
}

/// How many groups deep `v` is (following each group's first member).
fn depth_of(v: &Value) -> usize {
    let mut n = 0;
    let mut at = v;
    while let Value::Group(m) = at {
        n += 1;
        at = &m[0];
    }
    n
}

/// A `serde_json::Value` nested `depth` objects deep.
fn deep_json(depth: usize) -> serde_json::Value {
    let mut j = serde_json::json!(1.0);
    for _ in 0..depth {
        j = serde_json::json!({ "a": j });
    }
    j
}

/// Run `f` on a thread with a stack of `bytes` (a test thread has 2 MiB).
fn on_stack<T: Send + 'static>(bytes: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// h5py (and qnd's own `set`) write a chain of 200 nested groups; qnd
/// reads it back whole (the depth limit no longer stands in for cycle
/// detection).
#[test]
fn a_tree_200_groups_deep_reads_back() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    for (b, f) in mem_and_h5(d.path(), "deep") {
        f.set("x", deep(200)).unwrap();
        let got = f.read::<Value>("x");
        assert!(got.is_ok(), "{b}: {}", got.unwrap_err());
        assert_eq!(depth_of(&got.unwrap()), 200, "{b}");
    }
}

/// The deepest tree qnd writes (`/x` holding MAX_DEPTH - 1 more groups:
/// its innermost group is MAX_DEPTH deep) is written, read back whole and
/// serialized both ways on a 2 MiB stack; one group more is refused before
/// anything is written, with the same error as a read.
#[test]
fn the_deepest_tree_fits_a_2_mib_stack_and_one_more_is_refused() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_path_buf();
    on_stack(2 << 20, move || {
        for (b, f) in mem_and_h5(&dir, "deepest") {
            f.set("x", deep(MAX_DEPTH)).unwrap();
            let v = f.read::<Value>("x").unwrap();
            assert_eq!(depth_of(&v), MAX_DEPTH, "{b}");
            assert_eq!(depth_of(&f.to_value().unwrap()), MAX_DEPTH + 1, "{b}");
            // serde's limit is above the tree's: any tree qnd holds
            // serializes and deserializes
            let j: serde_json::Value = qnd::from_value(v.clone()).unwrap();
            let back = qnd::to_value(&j).unwrap();
            assert_eq!(depth_of(&back), MAX_DEPTH, "{b}");
            f.set_serde("y", &j).unwrap();
            assert_eq!(depth_of(&f.read::<Value>("y").unwrap()), MAX_DEPTH);

            let e = f.set("z", deep(MAX_DEPTH + 1)).unwrap_err();
            assert!(matches!(e, Error::Invalid { .. }), "{b}: {e:?}");
            assert!(
                e.to_string()
                    .contains(&format!("nested more than {MAX_DEPTH}")),
                "{b}: {e}"
            );
            assert!(!f.contains("z").unwrap(), "{b}: nothing written");
            let e = f.set_serde("z", &deep_json(MAX_DEPTH + 1)).unwrap_err();
            assert!(
                e.to_string()
                    .contains(&format!("nested more than {MAX_DEPTH}")),
                "{b}: {e}"
            );
            assert!(!f.contains("z").unwrap(), "{b}: nothing written");
            // a list element counts one level, as a group
            let l = f.create_list("l").unwrap();
            let e = l.append(deep(MAX_DEPTH)).unwrap_err();
            assert!(matches!(e, Error::Invalid { .. }), "{b}: {e:?}");
            assert_eq!(l.len().unwrap(), 0, "{b}");
            l.append(deep(MAX_DEPTH - 1)).unwrap();
            assert_eq!(depth_of(&l.read::<Value>(0).unwrap()), MAX_DEPTH - 1, "{b}");
        }
    });
}

/// The walks of the whole tree (a copy between files, `recover`'s check,
/// `to_json`) fit a 2 MiB stack at the deepest tree qnd writes.
#[test]
fn the_deepest_tree_copies_and_recovers_on_a_2_mib_stack() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_path_buf();
    on_stack(2 << 20, move || {
        let src = qnd::open(dir.join("deepest.h5"), "w").unwrap();
        src.set("x", deep(MAX_DEPTH)).unwrap();
        src.set("l", Value::List(vec![deep(MAX_DEPTH - 1)]))
            .unwrap();
        for (b, to) in mem_and_h5(&dir, "copy") {
            src.copy_to(&to).unwrap();
            assert_eq!(to.to_value().unwrap(), src.to_value().unwrap(), "{b}");
        }
        let json = qnd::to_json(&src.read::<Value>("x").unwrap());
        assert!(json["a"].is_object());
        std::mem::forget(json); // serde_json's own drop recurses
        src.close().unwrap();
        let report = qnd::recover(dir.join("deepest.h5")).unwrap();
        assert_eq!(report.leaves_read, 2, "{report}");
        assert!(report.unreadable.is_empty(), "{report}");
    });
}

/// A type that holds itself through `Option` and a newtype reads any
/// scalar as itself again and again (serde gives `Some(x)` and `W(x)` the
/// same value as `x`): serde's nesting counter ends it with an error, as
/// it ends a value nested too deep.
#[derive(serde::Deserialize, Debug)]
struct Endless(Option<Box<Endless>>);

impl Endless {
    fn depth(&self) -> usize {
        self.0.as_ref().map_or(0, |e| 1 + e.depth())
    }
}

#[test]
fn a_type_holding_itself_reads_a_scalar_as_an_error() {
    let _serial = serial();
    let e = on_stack(2 << 20, || {
        qnd::from_value::<Endless>(Value::from(1.0)).unwrap_err()
    });
    assert!(matches!(e, Error::Serde { .. }), "{e:?}");
    assert!(e.to_string().contains("nested more than"), "{e}");
    // None ends it
    let e: Endless = qnd::from_value(Value::None).unwrap();
    assert_eq!(e.depth(), 0);
}

/// Run test `name` (an ignored test of this binary) in a child process:
/// an abort there (a stack overflow) is a failure here, not the end of
/// the test run.
fn in_child(name: &str, which: &str) -> std::process::Output {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("QND_DEPTH_CHILD", which)
        .output()
        .unwrap()
}

/// "Never panic or abort on bad input": writing a value nested 1000 deep
/// (`set`, `set_serde` of a `serde_json::Value`, `qnd::from_value`) is an
/// error on a 2 MiB test thread, not a stack overflow (SIGABRT).
#[test]
fn a_value_nested_1000_deep_is_an_error_not_an_abort() {
    let _serial = serial();
    for which in ["set", "set_serde", "from_value", "to_value"] {
        let out = in_child("deep_child", which);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{which}: the child died: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        // the child ran the case and found the refusal
        assert!(stdout.contains(&format!("refused {which}")), "{stdout}");
    }
}

#[test]
#[ignore = "run by a_value_nested_1000_deep_is_an_error_not_an_abort in a child process"]
fn deep_child() {
    let f = qnd::memory();
    let which = std::env::var("QND_DEPTH_CHILD").unwrap_or_default();
    let e = match which.as_str() {
        "set" => f.set("x", deep(1000)).unwrap_err(),
        "set_serde" => {
            let j = deep_json(1000);
            let e = f.set_serde("x", &j).unwrap_err();
            std::mem::forget(j); // dropping it recurses too (serde_json's own)
            e
        }
        "from_value" => qnd::from_value::<serde_json::Value>(deep(1000))
            .map(std::mem::forget)
            .unwrap_err(),
        "to_value" => {
            let j = deep_json(1000);
            let e = qnd::to_value(&j).unwrap_err();
            std::mem::forget(j);
            e
        }
        _ => return,
    };
    assert!(e.to_string().contains("nested more than"), "{e}");
    println!("refused {which}");
}
