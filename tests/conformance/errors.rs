//! Errors: each names the file and the item, and leaves the file readable
//! with its earlier content (also after close and reopen).

use ndarray::{array, s};
use qnd::{DType, Error, QGroup, Recording, Selection, Value};

use crate::common::{assert_names, assert_same_tree, error_path, reopened, stored, tree, Maker};

/// x, m, g/y, l; the content adds n (None) and a record variable t with 3
/// records.
fn members() -> [(&'static str, Value); 4] {
    [
        ("x", Value::from(vec![1.0, 2.0, 3.0])),
        ("m", Value::from(array![[1i32, 2, 3], [4, 5, 6]])),
        ("g", tree([("y", "why")])),
        ("l", Value::List(vec![Value::from(1i64), Value::None])),
    ]
}

fn content(m: &dyn Maker) -> QGroup {
    crate::sample_file(m, &members())
}

fn expected() -> Value {
    crate::sample_tree(&members())
}

/// The content reads as it was written.
#[track_caller]
fn intact(f: &QGroup) {
    let g = f.push();
    g.goto_off();
    assert_same_tree(&g.to_value().unwrap(), &expected());
}

/// Check that `e` carries `path` and that its message names the file and
/// the item.
#[track_caller]
fn names(e: &Error, f: &std::path::Path, path: &str) {
    assert_eq!(error_path(e), Some(path), "{e}");
    assert_names(e, f, path);
}

pub fn no_item(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    for (name, path) in [
        ("nope", "/nope"),
        ("g/nope", "/g/nope"),
        ("/g/nope", "/g/nope"),
        ("nog/x", "/nog"),
        ("/nog/x", "/nog"),
    ] {
        let e = expect_err!(f.get(name), Error::NoItem { .. });
        names(&e, &file, path);
        let e = expect_err!(f.read::<f64>(name), Error::NoItem { .. });
        names(&e, &file, path);
        expect_err!(f.item(name), Error::NoItem { .. });
        expect_err!(f.leaf(name), Error::NoItem { .. });
        expect_err!(f.group(name), Error::NoItem { .. });
        expect_err!(f.list(name), Error::NoItem { .. });
        expect_err!(f.kind(name), Error::NoItem { .. });
        expect_err!(f.attrs(name), Error::NoItem { .. });
        expect_err!(f.read_part::<f64>(name, s![0]), Error::NoItem { .. });
        expect_err!(f.write_part(name, s![0], 1.0), Error::NoItem { .. });
        expect_err!(f.goto_nearest(name, 1.0), Error::NoItem { .. });
    }
    let e = expect_err!(f.set("nog/x", 1.0), Error::NoItem { .. });
    names(&e, &file, "/nog");
    let g = f.group("g").unwrap();
    let e = expect_err!(g.read::<f64>("nope"), Error::NoItem { .. });
    names(&e, &file, "/g/nope");
    let l = f.list("l").unwrap();
    let e = expect_err!(l.get(2), Error::NoItem { .. });
    assert!(e.to_string().contains("/l"), "{e}");
    expect_err!(l.get(-3), Error::NoItem { .. });
    expect_err!(l.set(5, 1i64), Error::NoItem { .. });
    intact(&f);
    stored(m, &f, intact);
}

pub fn no_record(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    f.goto(3);
    let e = expect_err!(f.leaf("t"), Error::NoRecord { .. });
    names(&e, &file, "/t");
    // every list follows goto in to_value: the first one read fails
    expect_err!(f.to_value(), Error::NoRecord { .. });
    let e = expect_err!(
        f.read_part::<f64>("t", Selection::all()),
        Error::NoRecord { .. }
    );
    names(&e, &file, "/t");
    let e = expect_err!(f.read::<f64>("t"), Error::NoRecord { .. });
    let Error::NoRecord { index, count, .. } = &e else {
        unreachable!()
    };
    assert_eq!((*index, *count), (3, 3));
    assert!(e.to_string().contains("record 3"), "{e}");
    names(&e, &file, "/t");
    let e = expect_err!(f.get("t"), Error::NoRecord { .. });
    names(&e, &file, "/t");
    f.goto(-4);
    let e = expect_err!(f.read::<f64>("t"), Error::NoRecord { .. });
    let Error::NoRecord { index, count, .. } = &e else {
        unreachable!()
    };
    assert_eq!((*index, *count), (-4, 3));
    names(&e, &file, "/t");
    // plain items still read with goto past the end
    assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0, 3.0]);
    intact(&f);
    stored(m, &f, intact);
}

pub fn out_of_bounds(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    let e = expect_err!(f.write_part("m", s![5, 0], 1), Error::OutOfBounds { .. });
    let Error::OutOfBounds {
        axis, index, len, ..
    } = &e
    else {
        unreachable!()
    };
    assert_eq!((*axis, *index, *len), (0, 5, 2));
    names(&e, &file, "/m");
    let e = expect_err!(
        f.write_part("m", Selection::new().full().index(-4), 1),
        Error::OutOfBounds { .. }
    );
    let Error::OutOfBounds {
        axis, index, len, ..
    } = &e
    else {
        unreachable!()
    };
    assert_eq!((*axis, *index, *len), (1, -4, 3));
    let e = expect_err!(f.read_part::<f64>("x", 3isize), Error::OutOfBounds { .. });
    names(&e, &file, "/x");
    expect_err!(f.read_part::<f64>("x", -4isize), Error::OutOfBounds { .. });
    let leaf = f.leaf("m").unwrap();
    expect_err!(leaf.write_part(s![1, 3], 0), Error::OutOfBounds { .. });
    expect_err!(leaf.read_part::<i32>(s![-3, 0]), Error::OutOfBounds { .. });
    // the record axis of a record variable read with goto off
    expect_err!(
        f.leaf("t").unwrap().read_part::<f64>(3isize),
        Error::OutOfBounds { .. }
    );
    intact(&f);
    stored(m, &f, intact);
}

pub fn mismatch(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    let e = expect_err!(f.set("x", vec![1.0, 2.0]), Error::Mismatch { .. });
    names(&e, &file, "/x");
    let (_, expected, got) = crate::common::mismatch(&e);
    assert!(expected.contains("[3]") && got.contains("[2]"), "{e}");
    let e = expect_err!(f.set("x", vec!["a", "b", "c"]), Error::Mismatch { .. });
    let (_, expected, got) = crate::common::mismatch(&e);
    assert!(expected.contains("f8") && got.contains("str"), "{e}");
    assert!(
        e.to_string().contains("f8") && e.to_string().contains("str"),
        "{e}"
    );
    // an f8 value that does not fit the i4 leaf (see casts.rs)
    expect_err!(
        f.set("m", array![[1.0, 2.0, 3.0], [4.0, 5.5, 6.0]]),
        Error::Cast { .. }
    );
    expect_err!(f.set("m", Value::group()), Error::Mismatch { .. });
    expect_err!(
        f.write_part("m", s![0, ..], array![1, 2]),
        Error::Mismatch { .. }
    );
    expect_err!(
        f.write_part("x", s![..2], vec![true, false]),
        Error::Mismatch { .. }
    );
    let e = expect_err!(f.set("n", 1.0), Error::Mismatch { .. });
    names(&e, &file, "/n");
    let e = expect_err!(f.read::<String>("x"), Error::Mismatch { .. });
    names(&e, &file, "/x");
    expect_err!(f.read::<ndarray::Array1<i32>>("m"), Error::Mismatch { .. });
    expect_err!(f.leaf("g"), Error::Mismatch { .. });
    expect_err!(f.group("x"), Error::Mismatch { .. });
    expect_err!(f.list("g"), Error::Mismatch { .. });
    expect_err!(f.list("l").unwrap().set(0, "text"), Error::Mismatch { .. });
    expect_err!(f.list("l").unwrap().as_array(), Error::Mismatch { .. });
    f.set_recording(Recording::Uniform);
    let e = expect_err!(f.set("t", "text"), Error::Mismatch { .. });
    names(&e, &file, "/t");
    expect_err!(f.set("t", vec![1.0]), Error::Mismatch { .. });
    f.set_recording(Recording::Off);
    intact(&f);
    stored(m, &f, intact);
}

pub fn invalid(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    let e = expect_err!(f.set("g", tree([("a", 1.0)])), Error::Invalid { .. });
    names(&e, &file, "/g");
    expect_err!(f.set("g", 1.0), Error::Invalid { .. });
    let e = expect_err!(f.set("l", 1.0), Error::Invalid { .. });
    names(&e, &file, "/l");
    expect_err!(
        f.set("l", Value::List(vec![Value::from(2i64)])),
        Error::Invalid { .. }
    );
    let e = expect_err!(f.set("t", 5.0), Error::Invalid { .. });
    names(&e, &file, "/t");
    let e = expect_err!(f.declare("x", DType::F64, &[3]), Error::Invalid { .. });
    names(&e, &file, "/x");
    expect_err!(f.declare("g", DType::F64, &[]), Error::Invalid { .. });
    expect_err!(f.set("", 1.0), Error::Invalid { .. });
    expect_err!(f.set(".", 1.0), Error::Invalid { .. });
    expect_err!(f.set("..", 1.0), Error::Invalid { .. });
    expect_err!(
        f.read_part::<f64>("x", Selection::new().index(0).index(0)),
        Error::Invalid { .. }
    );
    expect_err!(
        f.read_part::<Value>("x", Selection::new().slice(None, None, 0)),
        Error::Invalid { .. }
    );
    expect_err!(
        f.write_part("x", Selection::new().slice(None, None, 0), 1.0),
        Error::Invalid { .. }
    );
    expect_err!(
        f.list("l").unwrap().slice(None, None, 0),
        Error::Invalid { .. }
    );
    expect_err!(f.attrs("x").unwrap().set("__x", 1), Error::Invalid { .. });
    expect_err!(
        f.attrs("x").unwrap().set("dtype", "i4"),
        Error::Invalid { .. }
    );
    expect_err!(f.goto_nearest("x", 1.0), Error::Invalid { .. });
    // an existing group, list or None set to an empty one is no error
    f.set("g", Value::group()).unwrap();
    f.set("l", Value::list()).unwrap();
    f.set("n", Value::None).unwrap();
    intact(&f);
    stored(m, &f, intact);
}

/// Every write to a file opened `r` is `Error::ReadOnly` naming the item.
pub fn read_only(m: &dyn Maker) {
    let f = content(m);
    let Some(r) = m.reopen(&f, "r") else {
        return; // a backend without files has no read-only mode
    };
    let file = r.file_path();
    let ro = |res: qnd::Result<()>, path: &str| {
        let e = expect_err!(res, Error::ReadOnly { .. });
        names(&e, &file, path);
    };
    ro(r.set("x", vec![4.0, 5.0, 6.0]), "/x");
    ro(r.set("new", 1.0), "/new");
    ro(r.set("g/y", "zed"), "/g/y");
    ro(r.set("/g/z", 1.0), "/g/z");
    ro(r.declare("d", DType::F64, &[2]).map(|_| ()), "/d");
    ro(r.write_part("x", s![0], 5.0), "/x");
    ro(
        r.leaf("m").unwrap().write(array![[0, 0, 0], [0, 0, 0]]),
        "/m",
    );
    ro(r.leaf("m").unwrap().write_part(s![0, 0], 9), "/m");
    ro(r.update([("x", vec![0.0, 0.0, 0.0])]), "/x");
    ro(r.create_group("h").map(|_| ()), "/h");
    ro(r.create_list("k").map(|_| ()), "/k");
    let l = r.list("l").unwrap();
    ro(l.append(2i64), "/l");
    ro(l.extend([3i64]), "/l");
    ro(l.set(0, 5i64), "/l[0]");
    ro(r.attrs("").unwrap().set("a", 1i32), "/");
    ro(r.attrs("x").unwrap().set("a", 1i32), "/x");
    r.set_recording(Recording::Uniform);
    ro(r.set("t", 3.0), "/t");
    ro(r.set("new_record", 3.0), "/new_record");
    ro(r.list("t").unwrap().append(3.0), "/t");
    r.set_recording(Recording::Off);
    r.goto(0);
    ro(r.set("t", 7.0), "/t");
    intact(&r);
    let r = reopened(m, r, "r");
    intact(&r);
    r.close().unwrap();
}

/// After `close` every handle of the file gives `Error::Closed`.
pub fn closed(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    let g = f.group("g").unwrap();
    let l = f.list("l").unwrap();
    let x = f.leaf("x").unwrap();
    let a = f.attrs("x").unwrap();
    let c = f.clone();
    f.close().unwrap();
    f.close().unwrap(); // twice is fine
    let closed = |e: Error| {
        assert!(matches!(e, Error::Closed { .. }), "{e:?}");
        assert!(e.to_string().contains(&file.display().to_string()), "{e}");
    };
    closed(f.names().unwrap_err());
    closed(f.get("x").unwrap_err());
    closed(f.read::<Value>("x").unwrap_err());
    closed(f.set("x", vec![0.0, 0.0, 0.0]).unwrap_err());
    closed(f.set("new", 1.0).unwrap_err());
    closed(f.to_value().unwrap_err());
    closed(f.flush().unwrap_err());
    closed(c.names().unwrap_err());
    closed(g.names().unwrap_err());
    closed(g.read::<String>("y").unwrap_err());
    closed(l.len().unwrap_err());
    closed(l.append(1i64).unwrap_err());
    closed(x.read::<Value>().unwrap_err());
    closed(x.write(vec![0.0, 0.0, 0.0]).unwrap_err());
    closed(a.names().unwrap_err());
    closed(a.set("u", 1i32).unwrap_err());
    if let Some(r) = m.reopen(&f, "r") {
        intact(&r);
        r.close().unwrap();
    }
}

/// A run of failed calls leaves the file readable and writable, with its
/// content intact on disk too.
pub fn readable_after_errors(m: &dyn Maker) {
    let f = content(m);
    let _ = f.set("x", "bad");
    let _ = f.set("x", vec![1.0, 2.0]);
    let _ = f.set("g", 1.0);
    let _ = f.set("l", 1.0);
    let _ = f.write_part("m", s![9, 9], 1);
    let _ = f.write_part("m", s![0, ..], vec![1.0, 2.0, 3.0]);
    let _ = f.read::<f64>("nope");
    let _ = f.declare("x", DType::I8, &[]);
    let _ = f.attrs("x").unwrap().set("__bad", 1);
    f.set_recording(Recording::Uniform);
    let _ = f.set("t", vec![1.0, 2.0]);
    let _ = f.set("t", "text");
    f.set_recording(Recording::Off);
    f.goto(10);
    let _ = f.read::<f64>("t");
    f.goto_off();
    intact(&f);
    f.flush().unwrap();
    intact(&f);
    let f = reopened(m, f, "r+");
    intact(&f);
    f.set("after", 1i8).unwrap();
    f.set_recording(Recording::Uniform);
    f.set("t", 3.0).unwrap();
    stored(m, &f, |f| {
        assert_eq!(f.read::<i8>("after").unwrap(), 1);
        f.goto_off();
        assert_eq!(f.read::<Vec<Value>>("t").unwrap().len(), 4);
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0, 3.0]);
    });
}

/// Values with a bad name or text anywhere inside are refused before
/// anything is written: no half-made group or list is left behind, and a
/// list refused an element takes the next one at the right index.
pub fn bad_values_write_nothing(m: &dyn Maker) {
    let f = content(m);
    let file = f.file_path();
    let bad_names = ["b/c", "", ".", "..", "_", "_0", "_12", "nul\0name"];
    for bad in bad_names {
        let v = tree([("ok", Value::from(1.0)), (bad, Value::from(2.0))]);
        let e = expect_err!(f.set("new", v.clone()), Error::Invalid { .. });
        assert!(e.to_string().contains(&file.display().to_string()), "{e}");
        let nested = Value::List(vec![Value::from(1i64), tree([("deep", v.clone())])]);
        expect_err!(f.set("new", nested.clone()), Error::Invalid { .. });
        expect_err!(
            f.list("l").unwrap().append(v.clone()),
            Error::Invalid { .. }
        );
        expect_err!(f.list("l").unwrap().append(nested), Error::Invalid { .. });
        for rec in [Recording::Uniform, Recording::Any] {
            let g = f.push();
            g.set_recording(rec);
            expect_err!(g.set("new", v.clone()), Error::Invalid { .. });
            expect_err!(g.set("l", v.clone()), Error::Invalid { .. });
        }
        if !bad.contains('/') && !bad.is_empty() {
            expect_err!(f.set(bad, 1.0), Error::Invalid { .. });
            expect_err!(f.declare(bad, DType::F64, &[]), Error::Invalid { .. });
        }
    }
    // NUL in text, at any depth, in any mode
    let nul = Value::from(vec!["fine", "a\0b"]);
    expect_err!(f.set("new", nul.clone()), Error::Invalid { .. });
    expect_err!(
        f.set("new", tree([("s", nul.clone())])),
        Error::Invalid { .. }
    );
    expect_err!(f.set("g/y", "w\0y"), Error::Invalid { .. });
    expect_err!(
        f.list("l").unwrap().append(nul.clone()),
        Error::Invalid { .. }
    );
    expect_err!(f.attrs("x").unwrap().set("a", "a\0"), Error::Invalid { .. });
    expect_err!(f.attrs("x").unwrap().set("a\0", "a"), Error::Invalid { .. });
    {
        let g = f.push();
        g.set_recording(Recording::Uniform);
        expect_err!(g.set("new", nul.clone()), Error::Invalid { .. });
        g.set_recording(Recording::Any);
        expect_err!(g.set("new", nul), Error::Invalid { .. });
    }
    assert!(!f.contains("new").unwrap());
    assert!(f.attrs("x").unwrap().names().unwrap().is_empty());
    intact(&f);
    // the list still appends at the right place
    let l = f.list("l").unwrap();
    l.append(tree([("k", 3i64)])).unwrap();
    assert_eq!(l.len().unwrap(), 3);
    stored(m, &f, |f| {
        let l = f.list("l").unwrap();
        assert_eq!(l.len().unwrap(), 3);
        assert_eq!(l.read_all::<Vec<Value>>().unwrap()[2], tree([("k", 3i64)]));
        assert!(!f.contains("new").unwrap());
    });
}

/// Selections with extreme starts, stops and steps resolve like numpy,
/// never overflow; huge declared shapes and goto to NaN are errors.
pub fn extreme_arguments(m: &dyn Maker) {
    let f = content(m);
    let (mn, mx) = (isize::MIN, isize::MAX);
    let x = |sel: Selection| f.read_part::<Vec<f64>>("x", sel).unwrap();
    assert_eq!(x(Selection::new().slice(None, None, mx)), [1.0]);
    assert_eq!(x(Selection::new().slice(None, None, mn)), [3.0]);
    assert_eq!(
        x(Selection::new().slice(Some(mn), Some(mx), 1)),
        [1.0, 2.0, 3.0]
    );
    assert_eq!(
        x(Selection::new().slice(Some(mx), Some(mn), -1)),
        [3.0, 2.0, 1.0]
    );
    assert_eq!(
        x(Selection::new().slice(Some(mx), None, 1)),
        Vec::<f64>::new()
    );
    expect_err!(f.read_part::<f64>("x", mn), Error::OutOfBounds { .. });
    expect_err!(f.read_part::<f64>("x", mx), Error::OutOfBounds { .. });
    f.write_part("x", Selection::new().slice(None, None, mn), 30.0)
        .unwrap();
    f.write_part("x", Selection::new().slice(None, None, mn), 3.0)
        .unwrap();
    let l = f.list("l").unwrap();
    assert_eq!(l.slice(None, None, mx).unwrap().len(), 1);
    assert_eq!(l.slice(Some(mx), Some(mn), mn).unwrap().len(), 1);
    let e = expect_err!(
        f.declare("huge", DType::F64, &[usize::MAX, 2]),
        Error::Invalid { .. }
    );
    assert!(e.to_string().contains("too many"), "{e}");
    expect_err!(
        f.declare("huge", DType::F64, &[1 << 40, 1 << 40]),
        Error::Invalid { .. }
    );
    assert!(!f.contains("huge").unwrap());
    expect_err!(f.goto_nearest("t", f64::NAN), Error::Invalid { .. });
    assert_eq!(f.goto_nearest("t", f64::INFINITY).unwrap(), 2);
    assert_eq!(f.goto_nearest("t", f64::NEG_INFINITY).unwrap(), 0);
    f.goto_off();
    intact(&f);
    stored(m, &f, intact);
}
