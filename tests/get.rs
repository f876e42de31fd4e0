//! `qnd get FILE PATH [--record K | --nearest VAR=VALUE] [--slice SPEC]
//! [--json]`, run as a program: numpy's printing (checked against numpy
//! itself when the Python named by `QND_PYTHON` has h5py and numpy),
//! slices, records, JSON in the dump schema, summaries that read only
//! their corners, and errors.
#![cfg(feature = "hdf5")]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::python::Python;
use ndarray::{array, Array, ArrayD, IxDyn};
use qnd::{DType, Recording, Selection, Value};
use serde_json::Value as Json;

/// What a run of the program gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The output of a run that succeeded.
    #[track_caller]
    fn out(self) -> String {
        assert_eq!(self.code, Some(0), "qnd failed: {}", self.stderr);
        self.stdout
    }

    /// The run failed with exit status `code` and each of `words` on stderr.
    #[track_caller]
    fn fails(&self, code: i32, words: &[&str]) {
        assert_eq!(self.code, Some(code), "{self:?}");
        assert!(self.stdout.is_empty(), "{self:?}");
        for word in words {
            assert!(
                self.stderr.contains(word),
                "{word:?} not in: {}",
                self.stderr
            );
        }
    }
}

fn qnd<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .output()
        .expect("cannot start qnd");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `qnd get file args...`.
fn get(file: &Path, args: &[&str]) -> Run {
    let mut all = vec![OsStr::new("get"), file.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    qnd(&all)
}

/// The output of `qnd get file args...`, which must succeed.
#[track_caller]
fn got(file: &Path, args: &[&str]) -> String {
    get(file, args).out()
}

/// A file with leaves of every printed kind, in `dir`.
fn sample(dir: &Path) -> PathBuf {
    sample_as(dir, "h5")
}

/// [`sample`] as `sample.EXT` (`nc`: netCDF-4).
fn sample_as(dir: &Path, ext: &str) -> PathBuf {
    let path = dir.join(format!("sample.{ext}"));
    let f = qnd::open(&path, "w").unwrap();
    f.set("i", Array::from_iter(0..10i32)).unwrap();
    f.set("neg", array![-5i64, 120, 7, -1000]).unwrap();
    f.set("u1", array![0u8, 255, 17]).unwrap();
    f.set("x", array![1.0, 2.5, 3.0]).unwrap();
    f.set("third", array![0.1 + 0.2, 1.0 / 3.0, -2.0, 0.0])
        .unwrap();
    f.set("mixed", array![1e-5, 1.0, 12345.678]).unwrap();
    f.set("huge", array![1e8, 1.5, -3.0]).unwrap();
    f.set("tiny", array![1e-100, 1.0]).unwrap();
    f.set("f4", array![0.1f32, 0.2, 1.5]).unwrap();
    f.set("f4big", array![1e6f32, 1.0]).unwrap();
    f.set(
        "f4exp",
        array![0.022_138_34_f32, 301_650.2, 26.732952, 7.682_318e-9],
    )
    .unwrap();
    f.set("f4tie", array![61179.273f32, -38_029.813, -154934.84])
        .unwrap();
    f.set(
        "special",
        array![f64::NAN, -f64::INFINITY, f64::INFINITY, -0.0, 1.5],
    )
    .unwrap();
    f.set("nan", array![f64::NAN, f64::INFINITY]).unwrap();
    f.set("b", array![true, false, true]).unwrap();
    f.set(
        "text",
        ArrayD::from_shape_vec(
            IxDyn(&[3]),
            vec!["ab".to_string(), "it's".into(), "c".into()],
        )
        .unwrap(),
    )
    .unwrap();
    let m = Array::from_shape_fn((5, 7), |(i, j)| ((i * 7 + j) * 7919 % 1000) as f64 / 37.0);
    f.set("m", m).unwrap();
    f.set(
        "c3",
        Array::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as i32),
    )
    .unwrap();
    f.set("long", Array::from_iter((0..30).map(|k| k as f64 / 7.0)))
        .unwrap();
    f.set(
        "wide",
        Array::from_shape_fn((3, 25), |(i, j)| (i * 1000 + j * 37) as i64),
    )
    .unwrap();
    f.set("big1", Array::from_iter((0..2000).map(|k| k as f64 / 3.0)))
        .unwrap();
    f.set(
        "big2",
        Array::from_shape_fn((50, 60), |(i, j)| (i * 60 + j) as i32),
    )
    .unwrap();
    f.set(
        "big3",
        Array::from_shape_fn((20, 20, 20), |(i, j, k)| {
            (i * 400 + j * 20 + k) as f32 * 0.5
        }),
    )
    .unwrap();
    f.set(
        "rows",
        Array::from_shape_fn((600, 2), |(i, j)| (i * 2 + j) as i16),
    )
    .unwrap();
    f.set("s", 2.5).unwrap();
    f.set("n", 7i32).unwrap();
    f.set("small", 1e-7).unwrap();
    f.set("sf4", 0.1f32).unwrap();
    f.set("yes", true).unwrap();
    f.set("name", "run 7").unwrap();
    f.set("nothing", Value::None).unwrap();
    f.set("g", Value::group()).unwrap();
    f.set("g/y", array![1.0, 2.0]).unwrap();
    f.set("g/z", 3i32).unwrap();
    f.close().unwrap();
    path
}

/// A history: `time` = 0.1 k and `u` = [1, 2, 3] k for k in 0..5, and a
/// plain leaf `x`.
fn history(dir: &Path) -> PathBuf {
    let path = dir.join("history.h5");
    let f = qnd::open(&path, "w").unwrap();
    f.set("x", array![1.0, 2.0]).unwrap();
    f.set("mesh", Value::group()).unwrap();
    f.set("mesh/x", array![0.0, 0.5, 1.0]).unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..5 {
        f.set("time", 0.1 * f64::from(k)).unwrap();
        f.set("u", array![1.0, 2.0, 3.0] * f64::from(k)).unwrap();
    }
    f.close().unwrap();
    path
}

#[test]
fn whole_leaves_print_as_numpy() {
    let dir = tempfile::tempdir().unwrap();
    let f = sample(dir.path());
    let cases: &[(&str, &str)] = &[
        ("i", "[0 1 2 3 4 5 6 7 8 9]"),
        ("neg", "[   -5   120     7 -1000]"),
        ("u1", "[  0 255  17]"),
        ("x", "[1.  2.5 3. ]"),
        ("third", "[ 0.3         0.33333333 -2.          0.        ]"),
        ("mixed", "[1.0000000e-05 1.0000000e+00 1.2345678e+04]"),
        ("huge", "[ 1.0e+08  1.5e+00 -3.0e+00]"),
        ("tiny", "[1.e-100 1.e+000]"),
        ("f4", "[0.1 0.2 1.5]"),
        ("f4big", "[1.e+06 1.e+00]"),
        // digits past the shortest form are the float32's own
        ("f4exp", "[2.2138340e-02 3.0165019e+05 2.6732952e+01 7.6823179e-09]"),
        // -38029.8125 (the f32 nearest -38029.813) is as near ...812 as ...813:
        // numpy takes the even one
        ("f4tie", "[  61179.273  -38029.812 -154934.84 ]"),
        ("special", "[ nan -inf  inf -0.   1.5]"),
        ("nan", "[nan inf]"),
        ("b", "[ True False  True]"),
        ("text", "[b'ab' b\"it's\" b'c']"),
        ("c3", "[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]"),
        ("s", "2.5"),
        ("n", "7"),
        ("small", "1e-07"),
        ("sf4", "0.1"),
        ("yes", "True"),
        ("name", "b'run 7'"),
        ("nothing", "None"),
    ];
    for (path, want) in cases {
        assert_eq!(got(&f, &[path]), format!("{want}\n"), "qnd get {path}");
    }
}

#[test]
fn slices_in_numpy_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let f = sample(dir.path());
    let cases: &[(&str, &str, &str)] = &[
        ("i", "::-1", "[9 8 7 6 5 4 3 2 1 0]"),
        ("i", "1:10:2", "[1 3 5 7 9]"),
        ("i", "-3:", "[7 8 9]"),
        ("i", ":3", "[0 1 2]"),
        ("i", "8:2:-3", "[8 5]"),
        ("i", " -1 ", "9"),
        ("i", "20:", "[]"),
        ("c3", "1, ::-1, 1:3", "[[21 22]\n [17 18]\n [13 14]]"),
        ("c3", "..., -1", "[[ 3  7 11]\n [15 19 23]]"),
        ("c3", ":, 0", "[[ 0  1  2  3]\n [12 13 14 15]]"),
        ("c3", "-1, -1, -1", "23"),
        ("x", "...", "[1.  2.5 3. ]"),
    ];
    for (path, spec, want) in cases {
        assert_eq!(
            got(&f, &[path, "--slice", spec]),
            format!("{want}\n"),
            "qnd get {path} --slice '{spec}'"
        );
    }
    // a slice of a large leaf is printed whole when small
    assert_eq!(
        got(&f, &["big2", "--slice", "10, 5:9"]),
        "[605 606 607 608]\n"
    );
}

#[test]
fn records_and_nearest() {
    let dir = tempfile::tempdir().unwrap();
    let f = history(dir.path());
    // goto off: the whole history, records along the first axis
    assert_eq!(
        got(&f, &["u"]),
        "[[ 0.  0.  0.]\n [ 1.  2.  3.]\n [ 2.  4.  6.]\n [ 3.  6.  9.]\n [ 4.  8. 12.]]\n"
    );
    assert_eq!(got(&f, &["time"]), "[0.  0.1 0.2 0.3 0.4]\n");
    assert_eq!(got(&f, &["u", "--record", "2"]), "[2. 4. 6.]\n");
    assert_eq!(got(&f, &["u", "--record", "-1"]), "[ 4.  8. 12.]\n");
    assert_eq!(got(&f, &["time", "--record", "2"]), "0.2\n");
    assert_eq!(got(&f, &["u", "--nearest", "time=0.31"]), "[3. 6. 9.]\n");
    assert_eq!(got(&f, &["/u", "--nearest", "/time=0.04"]), "[0. 0. 0.]\n");
    // a slice of a record, and of the history (records x values)
    assert_eq!(
        got(&f, &["u", "--record", "3", "--slice", "::-1"]),
        "[9. 6. 3.]\n"
    );
    assert_eq!(got(&f, &["u", "--slice", "::2, -1"]), "[ 0.  6. 12.]\n");
    assert_eq!(got(&f, &["u", "--slice", "-1"]), "[ 4.  8. 12.]\n");
    // a leaf that is not recorded is itself at any record
    assert_eq!(got(&f, &["x", "--record", "3"]), "[1. 2.]\n");
    assert_eq!(
        got(&f, &["mesh/x", "--nearest", "time=0.2"]),
        "[0.  0.5 1. ]\n"
    );
    // a long history prints summarised, reading its first and last records
    let long = dir.path().join("long.h5");
    let l = qnd::open(&long, "w").unwrap();
    l.set_recording(Recording::Uniform);
    for k in 0..1500 {
        l.set("t", 0.5 * f64::from(k)).unwrap();
    }
    l.close().unwrap();
    assert_eq!(
        got(&long, &["t"]),
        "[0.000e+00 5.000e-01 1.000e+00 ... 7.485e+02 7.490e+02 7.495e+02]\n"
    );
    assert_eq!(got(&long, &["t", "--record", "-2"]), "749.0\n");
    // recording 2: a list of records of any shape; --record picks one
    let any = dir.path().join("any.h5");
    let a = qnd::open(&any, "w").unwrap();
    a.set_recording(Recording::Any);
    a.set("v", array![1, 2]).unwrap();
    a.set("v", array![[1.5, 2.0], [3.0, 4.0]]).unwrap();
    a.close().unwrap();
    assert_eq!(
        got(&any, &["v", "--record", "1"]),
        "[[1.5 2. ]\n [3.  4. ]]\n"
    );
    assert_eq!(
        got(&any, &["v", "--record", "0", "--slice", "::-1"]),
        "[2 1]\n"
    );
    assert_eq!(
        got(&any, &["v"]),
        "[0]  leaf     i4 [2]\n[1]  leaf     f8 [2, 2]\n"
    );
    // past the records: an error naming the file and the variable
    let file = f.display().to_string();
    get(&f, &["u", "--record", "5"]).fails(1, &[&file, "/u"]);
    get(&f, &["u", "--record", "-6"]).fails(1, &[&file, "/u"]);
    get(&f, &["u", "--nearest", "nope=1"]).fails(1, &[&file, "nope"]);
    // both record options: a usage error
    get(&f, &["u", "--record", "1", "--nearest", "time=1"]).fails(2, &["--nearest"]);
    get(&f, &["u", "--nearest", "time"]).fails(2, &["VAR=VALUE"]);
}

/// `qnd dump --json file`, parsed.
fn dump(file: &Path) -> Json {
    let out = qnd(&[OsStr::new("dump"), OsStr::new("--json"), file.as_os_str()]).out();
    serde_json::from_str(&out).unwrap()
}

fn json_of(file: &Path, args: &[&str]) -> Json {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&got(file, &all)).unwrap()
}

#[test]
fn json_is_the_dump_schema() {
    let dir = tempfile::tempdir().unwrap();
    let h = history(dir.path());
    let whole = dump(&h);
    // every member alone is what dump prints for it
    for path in ["x", "mesh", "mesh/x", "u", "time", "/"] {
        let mut want = &whole;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            want = &want[part];
        }
        assert_eq!(&json_of(&h, &[path]), want, "qnd get --json {path}");
    }
    // a record, and slices: one leaf of the part selected
    let rec = json_of(&h, &["u", "--record", "1"]);
    assert_eq!(rec, whole["u"][1]);
    assert_eq!(
        json_of(&h, &["u", "--slice", "1:3, ::-1"]),
        serde_json::json!({"dtype": "f8", "shape": [2, 3], "data": [3.0, 2.0, 1.0, 6.0, 4.0, 2.0]})
    );
    assert_eq!(
        json_of(&h, &["time", "--slice", "-1"]),
        serde_json::json!({"dtype": "f8", "shape": [], "data": [0.4]})
    );
    let s = sample(dir.path());
    let all = dump(&s);
    for path in ["special", "text", "b", "nothing", "name", "big2", "g"] {
        assert_eq!(json_of(&s, &[path]), all[path], "qnd get --json {path}");
    }
}

#[test]
fn large_leaves_print_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let f = sample(dir.path());
    assert_eq!(
        got(&f, &["big1"]),
        "[0.00000000e+00 3.33333333e-01 6.66666667e-01 ... 6.65666667e+02\n 6.66000000e+02 6.66333333e+02]\n"
    );
    assert_eq!(
        got(&f, &["big2"]),
        "[[   0    1    2 ...   57   58   59]\n [  60   61   62 ...  117  118  119]\n \
         [ 120  121  122 ...  177  178  179]\n ...\n [2820 2821 2822 ... 2877 2878 2879]\n \
         [2880 2881 2882 ... 2937 2938 2939]\n [2940 2941 2942 ... 2997 2998 2999]]\n"
    );
    // an axis of 6 or fewer is shown whole even when the array is large
    assert_eq!(
        got(&f, &["rows"]),
        "[[   0    1]\n [   2    3]\n [   4    5]\n ...\n [1194 1195]\n [1196 1197]\n [1198 1199]]\n"
    );
    // summarising after a slice: the corners of the part selected
    assert_eq!(
        got(&f, &["big2", "--slice", "::-1, ::2"]),
        "[[2940 2942 2944 ... 2994 2996 2998]\n [2880 2882 2884 ... 2934 2936 2938]\n \
         [2820 2822 2824 ... 2874 2876 2878]\n ...\n [ 120  122  124 ...  174  176  178]\n \
         [  60   62   64 ...  114  116  118]\n [   0    2    4 ...   54   56   58]]\n"
    );
}

/// A leaf far larger than the read limit prints: only its corners are
/// read. Reading it whole (--json) is the read limit's error.
#[test]
fn summary_reads_only_the_corners() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.h5");
    let n: usize = 1 << 36; // 512 GiB of f8
    let f = qnd::open(&path, "w").unwrap();
    let leaf = f.declare("big", DType::F64, &[n]).unwrap();
    leaf.write_part(Selection::new().slice(None, 3, 1), array![1.0, 2.0, 3.0])
        .unwrap();
    leaf.write_part(Selection::new().slice(-3, None, 1), array![7.0, 8.0, 9.5])
        .unwrap();
    let m = f.declare("m", DType::I32, &[1 << 18, 1 << 18]).unwrap();
    m.write_part(Selection::new().index(-1).index(-1), 42)
        .unwrap();
    f.close().unwrap();
    assert!(
        ((n * 8) as u128) > qnd::default_max_read_bytes() as u128,
        "the test leaf must be over the read limit"
    );
    assert_eq!(got(&path, &["big"]), "[1.  2.  3.  ... 7.  8.  9.5]\n");
    assert_eq!(
        got(&path, &["big", "--slice", "::-1"]),
        "[9.5 8.  7.  ... 3.  2.  1. ]\n"
    );
    assert_eq!(got(&path, &["big", "--slice", "1:5"]), "[2. 3. 0. 0.]\n");
    assert_eq!(
        got(&path, &["m"]),
        "[[ 0  0  0 ...  0  0  0]\n [ 0  0  0 ...  0  0  0]\n [ 0  0  0 ...  0  0  0]\n ...\n \
         [ 0  0  0 ...  0  0  0]\n [ 0  0  0 ...  0  0  0]\n [ 0  0  0 ...  0  0 42]]\n"
    );
    get(&path, &["big", "--json"]).fails(1, &["huge.h5", "/big", "max_read_bytes"]);
}

#[test]
fn groups_and_lists_list_their_members() {
    let dir = tempfile::tempdir().unwrap();
    let f = sample(dir.path());
    assert_eq!(got(&f, &["g"]), "y  leaf     f8 [2]\nz  leaf     i4 []\n");
    let root = got(&f, &["/"]);
    assert!(root.contains("\ng        group    2 members\n"), "{root}");
    assert!(root.contains("\nbig2     leaf     i4 [50, 60]\n"), "{root}");
    assert!(root.contains("\nnothing  none\n"), "{root}");
    let h = history(dir.path());
    let root = got(&h, &["/"]);
    assert!(root.contains("\nu     records  f8 [3] x 5\n"), "{root}");

    let path = dir.path().join("list.h5");
    let q = qnd::open(&path, "w").unwrap();
    q.set(
        "l",
        Value::List(vec![Value::from(1.5), Value::group(), Value::None]),
    )
    .unwrap();
    q.close().unwrap();
    assert_eq!(
        got(&path, &["l"]),
        "[0]  leaf     f8 []\n[1]  group    0 members\n[2]  none\n"
    );
}

#[test]
fn errors_name_the_file_and_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let f = sample(dir.path());
    let file = f.display().to_string();
    get(&f, &["nope"]).fails(1, &[&file, "/nope"]);
    get(&f, &["g/nope"]).fails(1, &[&file, "/g/nope"]);
    get(&f, &["i", "--slice", "1:x"]).fails(1, &[&file, "/i", "\"1:x\"", "not an integer"]);
    get(&f, &["i", "--slice", "::0"]).fails(1, &[&file, "/i", "step of 0"]);
    get(&f, &["i", "--slice", "1:2:3:4"]).fails(1, &[&file, "/i", "colons"]);
    get(&f, &["s", "--slice", "0"]).fails(1, &[&file, "/s", "scalar"]);
    get(&f, &["i", "--slice", "0, 1"]).fails(1, &[&file, "/i", "2 indices", "1 dimension"]);
    get(&f, &["i", "--slice", "10"]).fails(1, &[&file, "/i", "10", "axis 0"]);
    get(&f, &["g", "--slice", "0"]).fails(1, &[&file, "/g", "a group"]);
    get(&f, &["nothing", "--slice", "0"]).fails(1, &[&file, "/nothing", "None"]);
    let missing = dir.path().join("missing.h5");
    get(&missing, &["x"]).fails(1, &["missing.h5"]);
    // usage: exit 2
    qnd(&["get", &file]).fails(2, &["PATH"]);
    qnd(&["get", &file, "i", "--bogus"]).fails(2, &["--bogus"]);
    qnd(&["get", &file, "i", "--record", "x"]).fails(2, &["--record"]);
}

/// A netCDF-4 file prints as the HDF5 file with the same tree does (but
/// for the dimension names a group's listing shows, as `qnd ls` does).
#[test]
fn netcdf_prints_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let h5 = sample_as(dir.path(), "h5");
    let nc = sample_as(dir.path(), "nc");
    assert_eq!(
        got(&nc, &["g"]),
        "y  leaf     f8 [2] (_2)\nz  leaf     i4 []\n"
    );
    for (path, spec) in NUMPY_CASES.iter().chain(&[("name", ""), ("nothing", "")]) {
        let mut a = vec![*path];
        if !spec.is_empty() {
            a.extend(["--slice", spec]);
        }
        assert_eq!(
            got(&nc, &a),
            got(&h5, &a),
            "qnd get {path} --slice '{spec}'"
        );
    }
}

/// (path, slice) pairs of `sample` compared with numpy's printing.
const NUMPY_CASES: &[(&str, &str)] = &[
    ("i", ""),
    ("neg", ""),
    ("u1", ""),
    ("x", ""),
    ("third", ""),
    ("mixed", ""),
    ("huge", ""),
    ("tiny", ""),
    ("f4", ""),
    ("f4big", ""),
    ("f4exp", ""),
    ("f4tie", ""),
    ("special", ""),
    ("nan", ""),
    ("b", ""),
    ("text", ""),
    ("m", ""),
    ("m", "::-1, 1::2"),
    ("m", "2"),
    ("m", "..., 3"),
    ("c3", ""),
    ("c3", "1, ::-1, 1:3"),
    ("long", ""),
    ("long", "::-3"),
    ("wide", ""),
    ("big1", ""),
    ("big1", "::7"),
    ("big1", "100:110"),
    ("big2", ""),
    ("big2", "::-1, ::2"),
    ("big3", ""),
    ("big3", "5"),
    ("rows", ""),
    ("s", ""),
    ("n", ""),
    ("small", ""),
    ("sf4", ""),
    ("yes", ""),
    ("i", "-1"),
];

/// Every case of [`NUMPY_CASES`] prints exactly what
/// `print(np.asarray(h5py.File(f)[path][()][sel]))` prints (h5py itself
/// refuses negative steps, so numpy indexes what h5py read).
#[test]
fn same_as_numpy() {
    let Some(py) = Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = sample(dir.path());
    let script = r#"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for case in sys.argv[2:]:
    path, spec = case.split("|")
    ds = f[path]
    # h5py refuses negative steps: index what it read, as numpy does
    v = ds[()] if spec == "" else eval("ds[()][" + spec + "]")
    print(np.asarray(v))
    print("\x1e")
"#;
    let mut args: Vec<&dyn AsRef<OsStr>> = vec![&f];
    let cases: Vec<String> = NUMPY_CASES
        .iter()
        .map(|(p, s)| format!("{p}|{s}"))
        .collect();
    for c in &cases {
        args.push(c);
    }
    let out = py.run(script, &args);
    let want: Vec<&str> = out.split("\x1e\n").collect();
    assert_eq!(want.len(), NUMPY_CASES.len() + 1, "{out}");
    let mut differ = Vec::new();
    for ((path, spec), want) in NUMPY_CASES.iter().zip(&want) {
        let mut a = vec![*path];
        if !spec.is_empty() {
            a.extend(["--slice", spec]);
        }
        let ours = got(&f, &a);
        if ours != *want {
            differ.push(format!("{path}[{spec}]:\nnumpy:\n{want}qnd:\n{ours}"));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// The shared complex fixture (c8 and c16 written by Python qnd through
/// h5py), when the HDF5 backend holds complex; otherwise `None` and a
/// "skipped" message.
fn complex_fixture() -> Option<PathBuf> {
    common::fixtures::path("complex/complex.h5")
}

/// Complex values print as numpy prints them, `dump --json` is the
/// fixture's JSON, `ls` shows c8/c16 and `plot` refuses complex.
#[test]
fn complex_prints_as_numpy_and_dumps_as_pairs() {
    let Some(f) = complex_fixture() else {
        return;
    };
    assert_eq!(got(&f, &["z"]), "[ 1. +2.j  3. -4.j nan+infj]\n");
    assert_eq!(got(&f, &["w"]), "(1.5+0.5j)\n");
    assert_eq!(
        got(&f, &["m"]),
        "[[0.+0.j 1.-1.j 2.-2.j]\n [3.-3.j 4.-4.j 5.-5.j]]\n"
    );
    assert_eq!(
        json_of(&f, &["z"]),
        serde_json::json!({"dtype": "c16", "shape": [3], "data": [[1.0, 2.0], [3.0, -4.0], ["nan", "inf"]]})
    );
    let want: Json =
        serde_json::from_str(&std::fs::read_to_string(f.with_extension("h5.json")).unwrap())
            .unwrap();
    assert_eq!(dump(&f), want, "qnd dump --json {}", f.display());
    let ls = qnd(&[OsStr::new("ls"), f.as_os_str()]).out();
    assert!(ls.contains("c16") && ls.contains("c8"), "{ls}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z.svg");
    let run = qnd(&[
        OsStr::new("plot"),
        f.as_os_str(),
        OsStr::new("amp"),
        OsStr::new("-o"),
        out.as_os_str(),
    ]);
    run.fails(1, &["/amp", "complex"]);
    if let Some(py) = Python::find(&["h5py", "numpy"]) {
        let script = r#"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for k in ("z", "w", "m"):
    print(np.asarray(f[k][()]))
    print("\x1e")
"#;
        let args: Vec<&dyn AsRef<OsStr>> = vec![&f];
        let out = py.run(script, &args);
        let want: Vec<&str> = out.split("\x1e\n").collect();
        for (k, want) in ["z", "w", "m"].iter().zip(&want) {
            assert_eq!(got(&f, &[k]), *want, "qnd get {k} against numpy");
        }
    }
}
