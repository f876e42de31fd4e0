//! Bounded memory: leaves declared huge store nothing until written, reads
//! over `OpenOptions::max_read_bytes` are errors (never an abort), and the
//! command line lists and dumps files holding such leaves.
#![cfg(all(feature = "hdf5", feature = "netcdf"))]

/// Tests run in threads of one process: a child process started by one
/// test inherits the files another test has open at that moment (HDF5 then
/// finds them locked). The tests of this file take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Take this file's turn (a test that failed does not stop the others).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

use std::path::Path;
use std::process::Command;

use ndarray::s;
use qnd::values::DType;
use qnd::{Error, Mode, NcFormat, OpenOptions, Value};

/// 2^36 f8: 512 GiB.
const HUGE: usize = 1 << 36;

fn options(mode: Mode, netcdf: NcFormat) -> OpenOptions {
    OpenOptions {
        netcdf,
        ..OpenOptions::new(mode)
    }
}

/// Make `path` holding `big` (2^36 f8, never written) and a small leaf.
fn make_huge(path: &Path, netcdf: NcFormat) {
    let f = qnd::open_with(path, &options(Mode::Create, netcdf)).unwrap();
    let leaf = f.declare("big", DType::F64, &[HUGE]).unwrap();
    assert_eq!(leaf.shape().unwrap(), [HUGE]);
    f.set("small", vec![1.0, 2.0]).unwrap();
    f.close().unwrap();
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

/// The whole story on one format: declared, closed, small on disk, read in
/// part (zeros), read whole (TooLarge), written in part and read back.
fn declared_huge_leaf(ext: &str, netcdf: NcFormat) {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("huge.{ext}"));
    make_huge(&path, netcdf);
    let size = file_size(&path);
    assert!(size < 100_000, "{ext}: a declared leaf took {size} bytes");
    eprintln!("{ext}: 2^36 f8 declared: {size} bytes on disk");

    let f = qnd::open_with(&path, &options(Mode::Read, netcdf)).unwrap();
    let part: Vec<f64> = f.read_part("big", s![1000..1010]).unwrap();
    assert_eq!(part, [0.0; 10]);
    let last: f64 = f.read_part("big", s![-1]).unwrap();
    assert_eq!(last, 0.0);
    // the whole leaf, as an array and as a value: an error, nothing taken
    for e in [
        f.read::<Vec<f64>>("big").unwrap_err(),
        f.read::<Value>("big").unwrap_err(),
        f.to_value().unwrap_err(),
        f.leaf("big").unwrap().read::<Value>().unwrap_err(),
    ] {
        match &e {
            Error::TooLarge {
                path, bytes, limit, ..
            } => {
                assert_eq!(path, "/big");
                assert_eq!(*bytes, (HUGE as u128) * 8);
                assert_eq!(*limit, qnd::default_max_read_bytes());
            }
            other => panic!("{ext}: expected TooLarge, got {other:?}"),
        }
        let text = e.to_string();
        assert!(text.contains("549755813888 bytes"), "{text}");
        assert!(text.contains("max_read_bytes"), "{text}");
        assert!(text.contains("read a part"), "{text}");
    }
    // the small leaf still reads
    let small: Vec<f64> = f.read("small").unwrap();
    assert_eq!(small, [1.0, 2.0]);
    f.close().unwrap();

    // one slice written: only it takes room
    let f = qnd::open_with(&path, &options(Mode::ReadWrite, netcdf)).unwrap();
    let values: Vec<f64> = (0..100).map(f64::from).collect();
    let at = (HUGE / 2) as isize;
    f.write_part("big", s![at..at + 100], values.clone())
        .unwrap();
    f.close().unwrap();
    let size = file_size(&path);
    assert!(
        size < 10_000_000,
        "{ext}: one slice written took {size} bytes"
    );
    eprintln!("{ext}: and 100 values written: {size} bytes on disk");
    let f = qnd::open_with(&path, &options(Mode::Read, netcdf)).unwrap();
    let back: Vec<f64> = f.read_part("big", s![at - 2..at + 102]).unwrap();
    assert_eq!(back[..2], [0.0, 0.0]);
    assert_eq!(back[2..102], values[..]);
    assert_eq!(back[102..], [0.0, 0.0]);
    f.close().unwrap();
}

#[test]
fn declared_huge_leaf_hdf5() {
    declared_huge_leaf("h5", NcFormat::Netcdf4);
}

#[test]
fn declared_huge_leaf_netcdf4() {
    declared_huge_leaf("nc", NcFormat::Netcdf4);
}

/// netCDF-3 refuses a leaf over its variable size limit, naming it; one
/// that fits reads as zeros until written.
#[test]
fn netcdf3_names_its_limits() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    for (netcdf, limit) in [
        (NcFormat::Classic, "2147483644 bytes"),
        (NcFormat::Offset64, "4294967292 bytes"),
    ] {
        let path = dir.path().join(format!("n3-{netcdf:?}.nc"));
        let f = qnd::open_with(&path, &options(Mode::Create, netcdf)).unwrap();
        let e = f.declare("big", DType::F64, &[HUGE]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("at most 2147483647 elements"), "{text}");
        let e = f.declare("big", DType::F64, &[1 << 29]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains(limit), "{text}");
        assert!(text.contains("netCDF-3"), "{text}");
        assert!(!f.contains("big").unwrap());
        f.declare("z", DType::F32, &[3, 4]).unwrap();
        f.write_part("z", s![1, 2], 5.0f32).unwrap();
        f.declare("i", DType::I16, &[5]).unwrap();
        f.close().unwrap();
        let f = qnd::open_with(&path, &options(Mode::Read, netcdf)).unwrap();
        let z: ndarray::Array2<f32> = f.read("z").unwrap();
        let mut want = ndarray::Array2::<f32>::zeros((3, 4));
        want[[1, 2]] = 5.0;
        assert_eq!(z, want);
        let i: Vec<i16> = f.read("i").unwrap();
        assert_eq!(i, [0; 5]);
        f.close().unwrap();
    }
}

/// A limit set in the options: a read of more is an error, a read of less
/// works, and a group read counts its members together.
#[test]
fn max_read_bytes_is_the_limit() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    for ext in ["h5", "nc"] {
        let path = dir.path().join(format!("limit.{ext}"));
        let f = qnd::open_with(&path, &OpenOptions::new(Mode::Create)).unwrap();
        f.set("a", vec![1.0f64; 100]).unwrap(); // 800 bytes
        f.set("b", vec![2.0f64; 100]).unwrap();
        f.close().unwrap();
        let opts = OpenOptions {
            max_read_bytes: 1000,
            ..OpenOptions::new(Mode::Read)
        };
        let f = qnd::open_with(&path, &opts).unwrap();
        let a: Vec<f64> = f.read("a").unwrap();
        assert_eq!(a.len(), 100);
        // both leaves, 1600 bytes: over the limit in one read
        match f.to_value().unwrap_err() {
            Error::TooLarge { bytes, limit, .. } => {
                assert_eq!(bytes, 1600);
                assert_eq!(limit, 1000);
            }
            other => panic!("{ext}: {other:?}"),
        }
        let opts = OpenOptions {
            max_read_bytes: 799,
            ..OpenOptions::new(Mode::Read)
        };
        let f = qnd::open_with(&path, &opts).unwrap();
        assert!(matches!(
            f.read::<Vec<f64>>("a").unwrap_err(),
            Error::TooLarge {
                bytes: 800,
                limit: 799,
                ..
            }
        ));
        let part: Vec<f64> = f.read_part("a", s![..10]).unwrap();
        assert_eq!(part, [1.0; 10]);
        f.close().unwrap();
    }
}

/// A memory file refuses a leaf that does not fit in memory, with an
/// error.
#[test]
fn memory_declare_too_big_is_an_error() {
    let _turn = serial();
    let f = qnd::memory();
    let e = f.declare("big", DType::F64, &[1 << 60]).unwrap_err();
    assert!(e.to_string().contains("too many elements") || e.to_string().contains("memory"));
    let e = f.declare("big", DType::F64, &[1 << 50]).unwrap_err();
    assert!(e.to_string().contains("does not fit in memory"), "{e}");
    assert!(!f.contains("big").unwrap());
}

/// What `qnd args...` gave: exit code, stdout, stderr.
fn qnd(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `qnd ls` lists a file with a huge unwritten leaf; `qnd dump --json`
/// prints every other member, an error for the huge one, and exits 1.
#[test]
fn cli_on_huge_leaves() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    for (ext, netcdf) in [("h5", NcFormat::Netcdf4), ("nc", NcFormat::Netcdf4)] {
        let path = dir.path().join(format!("huge.{ext}"));
        make_huge(&path, netcdf);
        let file = path.to_str().unwrap();
        let (code, out, err) = qnd(&["ls", file]);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            out.contains("big") && out.contains("[68719476736]"),
            "{out}"
        );
        assert!(out.contains("small"), "{out}");

        for safe in [false, true] {
            let mut args = vec!["dump", "--json", file];
            if safe {
                args.insert(0, "--safe");
            }
            let (code, out, err) = qnd(&args);
            assert_eq!(code, Some(1), "{args:?}: {out} {err}");
            assert!(
                err.contains("/big") && err.contains("max_read_bytes"),
                "{err}"
            );
            let json: serde_json::Value = serde_json::from_str(&out)
                .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"));
            assert_eq!(
                json["small"]["data"],
                serde_json::json!([1.0, 2.0]),
                "{out}"
            );
            assert!(json["big"].is_null(), "{out}");
        }
    }
}
