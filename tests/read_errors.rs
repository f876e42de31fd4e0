//! Reads of the wrong type name the file and the item path, whichever way
//! the read goes: `Item::read` (values got through `get`, `items`, list
//! elements, records under goto, handles), `QGroup::read`, `QList::read`,
//! `QLeaf::read`, and `QGroup::get_or`. Run on memory, HDF5 and netCDF-4.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

#[cfg(feature = "hdf5")]
use common::FileMaker;
use common::{Maker, MemoryMaker};
use qnd::{Auto, Error, QGroup, Recording, Value};

/// x = 1.5, s = "text", n = None, g/y = [1, 2] (i4), l = [1.0, "a"], and a
/// record variable t with records 0.0 and 1.0 (goto on its last record).
fn sample(m: &dyn Maker) -> QGroup {
    let f = m.create();
    f.set("x", 1.5).unwrap();
    f.set("s", "text").unwrap();
    f.set("n", Value::None).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/y", vec![1i32, 2]).unwrap();
    f.set("l", Value::List(vec![Value::from(1.0), Value::from("a")]))
        .unwrap();
    f.set_recording(Recording::Uniform);
    f.set("t", 0.0).unwrap();
    f.set("t", 1.0).unwrap();
    f.set_recording(Recording::Off);
    f
}

/// `e` is a Mismatch about `path` of `f`'s file, and its message is
/// exactly `FILE: PATH: expected EXPECTED, got GOT`.
#[track_caller]
fn says(e: Error, f: &QGroup, path: &str, expected: &str, got: &str) {
    let file = f.file_path();
    let text = format!("{}: {path}: expected {expected}, got {got}", file.display());
    assert_eq!(e.to_string(), text);
    match e {
        Error::Mismatch {
            file: ef, path: ep, ..
        } => {
            assert_eq!(ef, file);
            assert_eq!(ep, path);
        }
        other => panic!("expected Error::Mismatch, got {other:?}"),
    }
}

const NOT_TEXT_F8: (&str, &str) = ("elements of type str", "f8 []");

fn item_read(f: &QGroup) {
    let (want, got) = NOT_TEXT_F8;
    // a leaf read by get (auto 1), and its handle (auto 0)
    says(
        f.get("x").unwrap().read::<String>().unwrap_err(),
        f,
        "/x",
        want,
        got,
    );
    says(
        f.item("x").unwrap().read::<String>().unwrap_err(),
        f,
        "/x",
        want,
        got,
    );
    // by path, and from a subgroup handle
    let e = f.get("g/y").unwrap().read::<String>().unwrap_err();
    says(e, f, "/g/y", "elements of type str", "i4 [2]");
    let g = f.group("g").unwrap();
    let e = g.get("y").unwrap().read::<String>().unwrap_err();
    says(e, f, "/g/y", "elements of type str", "i4 [2]");
    // None
    let e = f.get("n").unwrap().read::<f64>().unwrap_err();
    says(e, f, "/n", "an array of f8", "none");
    // the current record of a record variable
    let e = f.get("t").unwrap().read::<String>().unwrap_err();
    says(e, f, "/t[1]", want, got);
    // a group read whole (auto 2), and a list element
    let all = f.push();
    all.set_auto(Auto::All);
    let e = all.get("g").unwrap().read::<f64>().unwrap_err();
    says(e, f, "/g", "an array of f8", "group");
    drop(all);
    let l = f.list("l").unwrap();
    let e = l.get(1).unwrap().read::<f64>().unwrap_err();
    says(e, f, "/l[1]", "elements of type f8", "str []");
    // the default of get_item_or is named by the path asked for
    let e = f.get_item_or("g/nope", 2.0).unwrap().read::<String>();
    says(e.unwrap_err(), f, "/g/nope", want, got);
}

fn items_read(f: &QGroup) {
    for item in f.items().unwrap() {
        let (name, item) = item.unwrap();
        // goto is on record 1: the record variable and the list give their element 1
        let path = match name.as_str() {
            "t" | "l" => format!("/{name}[1]"),
            _ => format!("/{name}"),
        };
        let e = item.read::<bool>().unwrap_err();
        let Error::Mismatch { path: p, file, .. } = &e else {
            panic!("{name}: expected Error::Mismatch, got {e:?}");
        };
        assert_eq!((p.as_str(), file), (path.as_str(), &f.file_path()), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}: {path}: expected ", f.file_path().display())),
            "{e}"
        );
    }
}

fn group_read(f: &QGroup) {
    let (want, got) = NOT_TEXT_F8;
    says(f.read::<String>("x").unwrap_err(), f, "/x", want, got);
    let e = f.read::<String>("g/y").unwrap_err();
    says(e, f, "/g/y", "elements of type str", "i4 [2]");
    let e = f.group("g").unwrap().read::<String>("y").unwrap_err();
    says(e, f, "/g/y", "elements of type str", "i4 [2]");
    says(
        f.read::<f64>("n").unwrap_err(),
        f,
        "/n",
        "an array of f8",
        "none",
    );
    says(f.read::<String>("t").unwrap_err(), f, "/t", want, got);
    // get_or: a member of another type is that error, not the default
    says(
        f.get_or("x", String::new()).unwrap_err(),
        f,
        "/x",
        want,
        got,
    );
    let e = f.get_or("g/y", false).unwrap_err();
    says(e, f, "/g/y", "elements of type b1", "i4 [2]");
}

fn list_read(f: &QGroup) {
    let l = f.list("l").unwrap();
    for i in [1, -1] {
        let e = l.read::<f64>(i).unwrap_err();
        says(e, f, "/l[1]", "elements of type f8", "str []");
    }
    let e = l.read::<String>(0).unwrap_err();
    says(e, f, "/l[0]", "elements of type str", "f8 []");
    // a record variable seen as a list: record i is /t[i]
    let t = f.list("t").unwrap();
    let e = t.read::<String>(0).unwrap_err();
    says(e, f, "/t[0]", "elements of type str", "f8 []");
}

fn leaf_read(f: &QGroup) {
    let (want, got) = NOT_TEXT_F8;
    says(
        f.leaf("x").unwrap().read::<String>().unwrap_err(),
        f,
        "/x",
        want,
        got,
    );
    let e = f.leaf("g/y").unwrap().read::<bool>().unwrap_err();
    says(e, f, "/g/y", "elements of type b1", "i4 [2]");
    // one record under goto, and a list element's handle
    says(
        f.leaf("t").unwrap().read::<String>().unwrap_err(),
        f,
        "/t[1]",
        want,
        got,
    );
    let l = f.list("l").unwrap();
    l.set_auto(Auto::Off);
    let e = l.get(1).unwrap().read::<f64>().unwrap_err();
    says(e, f, "/l[1]", "elements of type f8", "str []");
}

fn all(m: &dyn Maker) {
    let f = sample(m);
    let cases: [fn(&QGroup); 5] = [item_read, items_read, group_read, list_read, leaf_read];
    for case in cases {
        case(&f);
    }
    if let Some(r) = m.reopen(&f, "r") {
        r.goto(-1); // as after writing: on the last record
        for case in cases {
            case(&r);
        }
    }
}

/// The tests here run one at a time: some start processes (`qnd`, Python),
/// which would inherit a file another test has just opened through the C
/// libraries (they open without `O_CLOEXEC`; qnd marks the descriptor
/// close-on-exec just after), and HDF5's lock on that file with it.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

#[test]
fn memory() {
    let _serial = serial();
    all(&MemoryMaker);
}

#[cfg(feature = "hdf5")]
#[test]
fn hdf5() {
    let _serial = serial();
    all(&FileMaker::new("hdf5", "h5"));
}

#[cfg(feature = "netcdf")]
#[test]
fn netcdf4() {
    let _serial = serial();
    all(&FileMaker::new("netcdf4", "nc"));
}

/// `qnd dump` and `qnd ls` name the item whose read fails: a virtual
/// dataset `/g/v` whose source file is gone lists (nothing is read) and
/// dumps as `null` with an error naming the file and `/g/v`.
#[cfg(feature = "hdf5")]
#[test]
fn cli_names_the_item_that_does_not_read() {
    let _serial = serial();
    use qnd::lazy::VirtualSource;
    use std::process::Command;

    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.h5");
    let out = dir.path().join("out.h5");
    let s = qnd::open(&src, "w").unwrap();
    s.set("x", ndarray::array![[1, 2], [3, 4]]).unwrap();
    s.close().unwrap();
    let f = qnd::open(&out, "w").unwrap();
    f.set("ok", 1.5).unwrap();
    f.create_group("g").unwrap();
    f.store_virtual("g/v", &VirtualSource::new(&src, "x").unwrap())
        .unwrap();
    f.close().unwrap();
    std::fs::remove_file(&src).unwrap();

    let qnd = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_qnd"))
            .args(args)
            .arg(&out)
            .output()
            .unwrap();
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        (o.status.code(), text(o.stdout), text(o.stderr))
    };
    let (code, stdout, stderr) = qnd(&["dump", "--json"]);
    assert_eq!(code, Some(1), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["g"]["v"].is_null(), "{stdout}");
    assert_eq!(json["ok"]["data"][0], 1.5, "{stdout}");
    let out_name = out.display().to_string();
    let line = stderr
        .lines()
        .find(|l| l.contains("/g/v"))
        .unwrap_or_else(|| panic!("no line names /g/v: {stderr}"));
    assert!(line.contains(&out_name), "{line}");
    assert!(line.contains("src.h5"), "the missing source: {line}");

    let (code, stdout, stderr) = qnd(&["ls", "-r"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("g/v"), "{stdout}");
}
