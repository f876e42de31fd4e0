//! HDF5 file families: a name with `%d` or `%0Nd` opens one HDF5 file
//! split across member files (HDF5's family driver), in every mode; the
//! family Python qnd wrote (`../shared/fixtures/family/`) reads to its
//! JSON; ours read back here, in h5py and (optionally) in Python qnd.
#![cfg(feature = "hdf5")]

mod common;

use std::path::{Path, PathBuf};

use common::fixtures::first_difference;
use common::python::Python;
use ndarray::Array1;
use qnd::{Error, Mode, OpenOptions, QGroup, Recording};

/// A small member size, so that a few hundred records fill many members.
const SMALL: u64 = 16384;

fn options(mode: Mode, size: u64) -> OpenOptions {
    OpenOptions {
        family_size: size,
        ..OpenOptions::new(mode)
    }
}

/// The member files of `dir` whose names start with `stem`, in index
/// order.
fn members(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let mut found: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name()?.to_str()?.to_string();
            let i = name.strip_prefix(stem)?.strip_suffix(".h5")?.parse().ok()?;
            Some((i, p))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// `n` records of `time` and `u` (100 f8 each) from record `from` on.
fn record(f: &QGroup, from: usize, n: usize) {
    f.set_recording(Recording::Uniform);
    for k in from..from + n {
        f.set("time", 0.5 * k as f64).unwrap();
        f.set("u", Array1::from_iter((0..100).map(|i| (i + k) as f64)))
            .unwrap();
    }
}

/// Every record of `time` and `u` reads back, `n` of them.
fn check_records(f: &QGroup, n: usize) {
    let time = f.list("time").unwrap();
    assert_eq!(time.len().unwrap(), n);
    for k in [0, n / 2, n - 1] {
        assert_eq!(time.read::<f64>(k as isize).unwrap(), 0.5 * k as f64);
        let u: Array1<f64> = f.list("u").unwrap().read(k as isize).unwrap();
        assert_eq!(u, Array1::from_iter((0..100).map(|i| (i + k) as f64)));
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
fn recording_past_a_member_continues_in_the_next() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("run%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    f.attrs("").unwrap().set("title", "family").unwrap();
    record(&f, 0, 200);
    f.close().unwrap();
    assert!(!pattern.exists(), "a file named with %d was made");
    let files = members(dir.path(), "run");
    assert!(files.len() >= 5, "{} members: {files:?}", files.len());
    for m in &files[..files.len() - 1] {
        assert_eq!(
            std::fs::metadata(m).unwrap().len(),
            SMALL,
            "{}",
            m.display()
        );
    }
    // read with the default member size (not the family's) and with its own
    for opts in [OpenOptions::new(Mode::Read), options(Mode::Read, SMALL)] {
        let f = qnd::open_with(&pattern, &opts).unwrap();
        check_records(&f, 200);
        let title: Option<String> = f.attrs("").unwrap().read("title").unwrap();
        assert_eq!(title.as_deref(), Some("family"));
        f.close().unwrap();
    }
    // appended to (r+ and a), with another member size asked for
    for (mode, n) in [(Mode::ReadWrite, 600), (Mode::Append, 1000)] {
        let f = qnd::open_with(&pattern, &OpenOptions::new(mode)).unwrap();
        record(&f, n - 400, 400);
        f.close().unwrap();
        let f = qnd::open(&pattern, "r").unwrap();
        check_records(&f, n);
        f.close().unwrap();
    }
    assert!(members(dir.path(), "run").len() > files.len());
}

#[test]
fn sync_goes_through_every_member() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("s%d.h5");
    let opts = OpenOptions {
        sync: true,
        ..options(Mode::Create, SMALL)
    };
    let f = qnd::open_with(&pattern, &opts).unwrap();
    record(&f, 0, 60);
    f.flush().unwrap();
    record(&f, 60, 60);
    f.close().unwrap();
    assert!(members(dir.path(), "s").len() > 2);
    check_records(&qnd::open(&pattern, "r").unwrap(), 120);
}

#[test]
fn zero_padded_members_and_every_mode() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("h%03d.h5");
    // a: creates
    let f = qnd::open_with(&pattern, &options(Mode::Append, SMALL)).unwrap();
    f.set("x", Array1::from_iter((0..5000).map(f64::from)))
        .unwrap();
    f.close().unwrap();
    let files = members(dir.path(), "h");
    assert!(files.len() >= 3, "{files:?}");
    assert!(dir.path().join("h000.h5").is_file());
    assert!(dir.path().join("h001.h5").is_file());
    // w-: refuses an existing family, nothing changed
    let err = qnd::open_with(&pattern, &options(Mode::CreateNew, SMALL)).unwrap_err();
    assert!(matches!(err, Error::FileExists { .. }), "{err}");
    assert!(err.to_string().contains("h%03d.h5"), "{err}");
    let f = qnd::open(&pattern, "r").unwrap();
    let x: Array1<f64> = f.read("x").unwrap();
    assert_eq!(x, Array1::from_iter((0..5000).map(f64::from)));
    f.close().unwrap();
    // w: replaces
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    f.set("y", 2.5).unwrap();
    f.close().unwrap();
    let f = qnd::open(&pattern, "r").unwrap();
    assert_eq!(f.read::<f64>("y").unwrap(), 2.5);
    assert!(f.get("x").is_err(), "w kept the old family's x");
    f.close().unwrap();
    // w-: makes a new family
    let other = dir.path().join("n%d.h5");
    let f = qnd::open_with(&other, &options(Mode::CreateNew, SMALL)).unwrap();
    f.set("z", 1i32).unwrap();
    f.close().unwrap();
    assert!(dir.path().join("n0.h5").is_file());
    let f = qnd::open(&other, "r+").unwrap();
    assert_eq!(f.read::<i32>("z").unwrap(), 1);
    f.set("z2", 2i32).unwrap();
    f.close().unwrap();
    assert_eq!(
        qnd::open(&other, "r").unwrap().read::<i32>("z2").unwrap(),
        2
    );
}

#[test]
fn the_family_python_qnd_wrote_reads_to_its_json() {
    let _serial = serial();
    let Some(dir) = common::fixtures::dir().map(|d| d.join("family")) else {
        return;
    };
    let json = dir.join("fam.json");
    if !json.is_file() {
        println!("skipped: no fixture {}", json.display());
        return;
    }
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let pattern = dir.join(want["pattern"].as_str().unwrap());
    let maxsize = want["maxsize"].as_u64().unwrap();
    // with its own member size, and with the default (128 MiB)
    for opts in [options(Mode::Read, maxsize), OpenOptions::new(Mode::Read)] {
        let f = qnd::open_with(&pattern, &opts).unwrap_or_else(|e| panic!("{e}"));
        f.goto_off();
        let got = qnd::to_json(&f.to_value().unwrap());
        if let Some(d) = first_difference(&got, &want["tree"], "") {
            panic!("{}: {d}", pattern.display());
        }
        f.close().unwrap();
    }
}

#[test]
fn a_copy_of_the_python_qnd_family_appends() {
    let _serial = serial();
    let Some(src) = common::fixtures::dir().map(|d| d.join("family")) else {
        return;
    };
    if !src.join("fam0.h5").is_file() {
        println!("skipped: no fixture family in {}", src.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for m in ["fam0.h5", "fam1.h5"] {
        std::fs::copy(src.join(m), dir.path().join(m)).unwrap();
        let mut perm = std::fs::metadata(dir.path().join(m)).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)] // the copies are ours
        perm.set_readonly(false);
        std::fs::set_permissions(dir.path().join(m), perm).unwrap();
    }
    let pattern = dir.path().join("fam%d.h5");
    let f = qnd::open(&pattern, "a").unwrap();
    let n = f.list("time").unwrap().len().unwrap();
    assert_eq!(n, 40);
    f.set_recording(Recording::Uniform);
    for k in 40..80 {
        f.set("time", 0.25 * f64::from(k)).unwrap();
        f.set("u", Array1::from_iter((0..200).map(|i| f64::from(i + k))))
            .unwrap();
    }
    f.close().unwrap();
    let f = qnd::open(&pattern, "r").unwrap();
    let time = f.list("time").unwrap();
    assert_eq!(time.len().unwrap(), 80);
    assert_eq!(time.read::<f64>(79).unwrap(), 0.25 * 79.0);
    assert_eq!(
        std::fs::metadata(dir.path().join("fam0.h5")).unwrap().len(),
        65536
    );
    assert!(dir.path().join("fam2.h5").is_file(), "no third member");
}

#[test]
fn one_writer_locks_the_first_member() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("w%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    record(&f, 0, 10);
    f.flush().unwrap();
    for mode in ["r+", "a", "w"] {
        let err = qnd::open(&pattern, mode).unwrap_err();
        assert!(matches!(err, Error::InUse { .. }), "{mode}: {err}");
        assert!(err.to_string().contains("w0.h5"), "{err}");
    }
    let err = qnd::open(&pattern, "r").unwrap_err();
    assert!(matches!(err, Error::BeingWritten { .. }), "{err}");
    assert!(err.to_string().contains("not file families"), "{err}");
    f.close().unwrap();
    check_records(&qnd::open(&pattern, "r").unwrap(), 10);
}

#[test]
fn families_are_hdf5_only() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for (name, opts) in [
        ("c%d.nc", OpenOptions::new(Mode::Create)),
        (
            "c%d.h5",
            OpenOptions {
                format: Some(qnd::Format::NetCdf),
                ..OpenOptions::new(Mode::Create)
            },
        ),
    ] {
        let err = qnd::open_with(dir.path().join(name), &opts).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("families are HDF5 or PDB") && text.contains(name),
            "{text}"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn other_percents_are_plain_names() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for (name, file) in [
        ("100%.h5", "100%.h5"),
        ("a%%b.h5", "a%b.h5"),
        ("x%%d.h5", "x%d.h5"),
    ] {
        let f = qnd::open(dir.path().join(name), "w").unwrap();
        f.set("v", 1i32).unwrap();
        f.close().unwrap();
        assert!(dir.path().join(file).is_file(), "{name}: no {file}");
        let f = qnd::open(dir.path().join(name), "r").unwrap();
        assert_eq!(f.read::<i32>("v").unwrap(), 1);
    }
    let err = qnd::open(dir.path().join("a%db%d.h5"), "w").unwrap_err();
    assert!(err.to_string().contains("one %d"), "{err}");
}

#[test]
fn a_missing_member_is_named() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("m%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    record(&f, 0, 100);
    f.close().unwrap();
    let n = members(dir.path(), "m").len();
    assert!(n >= 4, "{n} members");
    // the last member gone, then one in the middle
    for gone in [n - 1, 1] {
        let member = dir.path().join(format!("m{gone}.h5"));
        std::fs::rename(&member, dir.path().join("aside")).unwrap();
        for mode in ["r", "r+", "a"] {
            let err = qnd::open(&pattern, mode).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(&format!("m{gone}.h5")) && text.contains("missing"),
                "{mode}: {text}"
            );
            assert!(text.contains("m%d.h5"), "{text}");
        }
        std::fs::rename(dir.path().join("aside"), &member).unwrap();
    }
    std::fs::remove_file(dir.path().join("m0.h5")).unwrap();
    let err = qnd::open(&pattern, "r").unwrap_err();
    assert!(matches!(err, Error::NoFile { .. }), "{err}");
}

#[test]
fn recover_clears_the_flags_of_an_unclosed_family() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("r%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    record(&f, 0, 100);
    f.flush().unwrap();
    // the members as a writer left them: flagged as open for writing
    let copies = tempfile::tempdir().unwrap();
    let files = members(dir.path(), "r");
    assert!(files.len() > 2, "{files:?}");
    for m in &files {
        std::fs::copy(m, copies.path().join(m.file_name().unwrap())).unwrap();
    }
    f.close().unwrap();
    let copy = copies.path().join("r%d.h5");
    let err = qnd::open(&copy, "r+").unwrap_err();
    assert!(matches!(err, Error::NeedsRecovery { .. }), "{err}");
    assert!(err.to_string().contains("r%d.h5"), "{err}");
    // the first member alone is refused, and left as it is
    let first = copies.path().join("r0.h5");
    let before = std::fs::read(&first).unwrap();
    let err = qnd::recover(&first).unwrap_err();
    assert!(err.to_string().contains("file family"), "{err}");
    let err = qnd::open(&first, "r").unwrap_err();
    assert!(err.to_string().contains("file family"), "{err}");
    assert_eq!(std::fs::read(&first).unwrap(), before);
    let report = qnd::recover(&copy).unwrap();
    assert!(report.repaired() && report.is_readable(), "{report}");
    check_records(&qnd::open(&copy, "r+").unwrap(), 100);
}

#[test]
fn names_expand_home_and_variables() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    // a variable of this test alone (tests run in threads of one process)
    std::env::set_var("QND_FAMILIES_TEST_DIR", dir.path());
    for name in [
        "$QND_FAMILIES_TEST_DIR/v.h5",
        "${QND_FAMILIES_TEST_DIR}/v%d.h5",
    ] {
        let f = qnd::open(name, "w").unwrap();
        f.set("v", 3i32).unwrap();
        f.close().unwrap();
        assert_eq!(qnd::open(name, "r").unwrap().read::<i32>("v").unwrap(), 3);
    }
    assert!(dir.path().join("v.h5").is_file());
    assert!(dir.path().join("v0.h5").is_file());
    // an unset variable stays as written
    let err = qnd::open("$QND_FAMILIES_UNSET_VARIABLE/x.h5", "r").unwrap_err();
    assert!(
        err.to_string()
            .contains("$QND_FAMILIES_UNSET_VARIABLE/x.h5"),
        "{err}"
    );
    // ~ is the home directory
    if let Some(home) = std::env::var_os("HOME").filter(|h| Path::new(h).is_dir()) {
        let name = format!("~/qnd-families-test-{}.h5", std::process::id());
        let err = qnd::open(&name, "r").unwrap_err();
        let expanded = Path::new(&home).join(&name[2..]);
        assert!(
            err.to_string().contains(&*expanded.to_string_lossy()),
            "{err}"
        );
    }
}

#[test]
fn qnd_convert_copies_a_family() {
    let _serial = serial();
    let Some(src) = common::fixtures::dir().map(|d| d.join("family/fam%d.h5")) else {
        return;
    };
    if !src.with_file_name("fam0.h5").is_file() {
        println!("skipped: no fixture family");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.h5");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_qnd"))
        .arg("convert")
        .arg(&src)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json = |p: &Path| {
        let f = qnd::open(p, "r").unwrap();
        f.goto_off();
        qnd::to_json(&f.to_value().unwrap())
    };
    let (ours, theirs) = (json(&out), json(&src));
    if let Some(d) = first_difference(&ours, &theirs, "") {
        panic!("{d}");
    }
    let qnd = |args: &[&dyn AsRef<std::ffi::OsStr>]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_qnd"));
        for a in args {
            cmd.arg(a);
        }
        let run = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{err}");
        String::from_utf8_lossy(&run.stdout).into_owned()
    };
    assert!(qnd(&[&"ls", &src]).contains("time"));
    let dumped: serde_json::Value =
        serde_json::from_str(&qnd(&[&"dump", &"--json", &src])).unwrap();
    if let Some(d) = first_difference(&dumped, &theirs, "") {
        panic!("qnd dump --json: {d}");
    }
    // and into a family: `qnd diff` (and qnd::diff) find the copies equal
    let fam = dir.path().join("copy%d.h5");
    qnd(&[&"convert", &src, &fam]);
    assert!(dir.path().join("copy0.h5").is_file());
    assert_eq!(qnd(&[&"diff", &src, &fam]), "");
    assert_eq!(qnd(&[&"diff", &out, &fam]), "");
    let open = |p: &Path| qnd::open(p, "r").unwrap();
    let d = qnd::diff(&open(&src), &open(&fam), &qnd::Tolerance::EXACT).unwrap();
    assert!(d.is_empty(), "convert to a family:\n{d}");
}

#[test]
fn h5py_reads_our_family() {
    let _serial = serial();
    let Some(py) = Python::find(&["h5py", "numpy"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("py%02d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    f.set("x", 4.5).unwrap();
    record(&f, 0, 100);
    f.close().unwrap();
    assert!(dir.path().join("py03.h5").is_file());
    let out = py.run(
        "import sys, h5py\n\
         f = h5py.File(sys.argv[1], 'r', driver='family', memb_size=int(sys.argv[2]))\n\
         u = f['u'][...]\n\
         print(float(f['x'][()]), f['time'].shape[0], u.shape, float(u[99, 99]))\n",
        &[&pattern, &SMALL.to_string()],
    );
    assert_eq!(out.trim(), "4.5 100 (100, 100) 198.0");
}

/// LLNL's Python qnd reads our family to the tree we read: needs
/// `QND_PYTHONPATH` (a folder holding its `qnd/` package) and h5py.
#[test]
fn python_qnd_reads_our_family() {
    let _serial = serial();
    let Some(pythonpath) = std::env::var_os("QND_PYTHONPATH").map(PathBuf::from) else {
        println!("skipped: QND_PYTHONPATH not set (a folder holding LLNL's qnd/ package)");
        return;
    };
    if !pythonpath.join("qnd").join("h5f.py").is_file() {
        println!("skipped: Python qnd is not installed (no qnd/h5f.py in QND_PYTHONPATH)");
        return;
    }
    let Some(script) = common::python::QndRef::script() else {
        return;
    };
    let Some(py) = Python::find(&["numpy", "h5py"]) else {
        return;
    };
    let py = py.with_pythonpath(pythonpath);
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("pq%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    f.set("x", 4.5).unwrap();
    record(&f, 0, 60);
    f.close().unwrap();
    let out = py.run(
        "import sys, json, os\n\
         sys.path.insert(0, os.path.dirname(sys.argv[1]))\n\
         import qnd_ref\n\
         from qnd.h5f import openh5\n\
         f = openh5(sys.argv[2], 'r', maxsize=int(sys.argv[3]))\n\
         f.goto(None)\n\
         json.dump(qnd_ref.tree(f(2)), sys.stdout, sort_keys=True)\n",
        &[&script, &pattern, &SMALL.to_string()],
    );
    let theirs: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = qnd::open(&pattern, "r").unwrap();
    f.goto_off();
    let ours = qnd::to_json(&f.to_value().unwrap());
    if let Some(d) = first_difference(&ours, &theirs, "") {
        panic!("{d}");
    }
}

/// A plain file whose name fits the pattern (`run2024.h5` next to the
/// one-member `run%d.h5`) does not block the family: HDF5 (and h5py) stop
/// at the first missing member, and the members found hold the
/// superblock's end of file. (Review 13.)
#[test]
fn an_unrelated_file_fitting_the_pattern_does_not_block_a_family() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    let f = qnd::open(d.path().join("run%d.h5"), "w").unwrap();
    f.set("x", 1.0).unwrap();
    f.close().unwrap();
    let other = qnd::open(d.path().join("run2024.h5"), "w").unwrap();
    other.set("y", 2.0).unwrap();
    other.close().unwrap();
    let f = qnd::open(d.path().join("run%d.h5"), "r");
    assert!(f.is_ok(), "{}", f.unwrap_err());
    assert_eq!(f.unwrap().read::<f64>("x").unwrap(), 1.0);
}

/// A member missing before one that exists: the error names the missing
/// member and, as a hint, the file past the gap.
#[test]
fn a_gap_names_the_member_past_it() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("g%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    record(&f, 0, 100);
    f.close().unwrap();
    let n = members(dir.path(), "g").len();
    assert!(n >= 4, "{n} members");
    std::fs::remove_file(dir.path().join("g1.h5")).unwrap();
    let text = qnd::open(&pattern, "r").unwrap_err().to_string();
    assert!(
        text.contains("g1.h5") && text.contains("missing") && text.contains("g2.h5 exists"),
        "{text}"
    );
}

/// An external link from a file family to an ordinary HDF5 file resolves:
/// HDF5 would open its target with the family's file-access list (the
/// family driver), so qnd gives external links a default one, as h5py
/// does. (Review 13.)
#[test]
fn external_link_out_of_a_family_resolves() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    let plain = d.path().join("plain.h5");
    let f = qnd::open(&plain, "w").unwrap();
    f.set("a", 2.5).unwrap();
    f.close().unwrap();
    let f = qnd::open(d.path().join("fam%d.h5"), "w").unwrap();
    f.external_link("e", &plain, "/a").unwrap();
    let got = f.read::<f64>("e");
    assert!(matches!(got, Ok(2.5)), "{got:?}");
    f.close().unwrap();
    // reopened, read-only and read-write
    for mode in ["r", "a"] {
        let f = qnd::open(d.path().join("fam%d.h5"), mode).unwrap();
        assert_eq!(f.read::<f64>("e").unwrap(), 2.5, "{mode}");
        f.close().unwrap();
    }
    // and from a single file, as before
    let s = qnd::open(d.path().join("single.h5"), "w").unwrap();
    s.external_link("e", &plain, "/a").unwrap();
    assert_eq!(s.read::<f64>("e").unwrap(), 2.5);
}

/// Python's `os.path.expanduser("~root/x.h5")` is `/root/x.h5` (any
/// `~user`), and so is qnd's. (Review 13.)
#[cfg(unix)]
#[test]
fn tilde_user_expands_as_python_expanduser() {
    let _serial = serial();
    // root's home is /root on this kind of machine; skip elsewhere
    if !Path::new("/root").is_dir() || std::fs::read_dir("/root").is_err() {
        println!("skipped: no readable /root");
        return;
    }
    let name = format!("review13-{}.h5", std::process::id());
    let e = qnd::open(format!("~root/{name}"), "r").unwrap_err();
    assert!(
        e.to_string().contains(&format!("/root/{name}")),
        "the error names the unexpanded file: {e}"
    );
    // an unknown user stays as written
    let e = qnd::open("~no-such-user-qnd-7f3a/x.h5", "r").unwrap_err();
    assert!(e.to_string().contains("~no-such-user-qnd-7f3a/x.h5"), "{e}");
}

/// An external link into a family (`run%d.h5`) would dangle (HDF5 opens a
/// link's target as one file): refused when made, with a message saying
/// so; `%%` (a literal `%`) is a plain name.
#[test]
fn an_external_link_into_a_family_is_refused() {
    let _serial = serial();
    let d = tempfile::tempdir().unwrap();
    let f = qnd::open(d.path().join("holder.h5"), "w").unwrap();
    let e = f
        .external_link("e", d.path().join("run%d.h5"), "/x")
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
    assert!(e.to_string().contains("file family"), "{e}");
    assert_eq!(f.link_info("e").unwrap(), None);
    f.external_link("p", d.path().join("100%%.h5"), "/x")
        .unwrap();
    // `%%` is a literal `%`, as `open` reads names: the link stores the
    // file's real name, and reads through it
    let target = d.path().join("r%d.h5");
    let t = qnd::open(d.path().join("r%%d.h5"), "w").unwrap();
    t.set("x", 4.5).unwrap();
    t.close().unwrap();
    assert!(target.is_file());
    f.external_link("r", d.path().join("r%%d.h5"), "/x")
        .unwrap();
    assert_eq!(
        f.link_info("r").unwrap(),
        Some(qnd::LinkTarget::External {
            file: target,
            path: "/x".into()
        })
    );
    assert_eq!(f.read::<f64>("r").unwrap(), 4.5);
}

/// `w` over a family of more members than the new one needs: HDF5 (as
/// h5py's `"w"`) truncates every existing member, and those past the new
/// end stay as empty files. The member size is the one written with (not
/// the size of member 0, which is shorter): h5py opens the family with
/// `memb_size` = that size.
#[test]
fn w_over_a_bigger_family_leaves_empty_members() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let pattern = dir.path().join("w%d.h5");
    let f = qnd::open_with(&pattern, &options(Mode::Create, SMALL)).unwrap();
    record(&f, 0, 100);
    f.close().unwrap();
    let before = members(dir.path(), "w").len();
    assert!(before >= 4, "{before} members");
    // again, with the default member size
    let f = qnd::open(&pattern, "w").unwrap();
    f.set("x", 4.5).unwrap();
    f.close().unwrap();
    let sizes: Vec<u64> = members(dir.path(), "w")
        .iter()
        .map(|m| std::fs::metadata(m).unwrap().len())
        .collect();
    eprintln!("sizes after w: {sizes:?}");
    assert_eq!(sizes.len(), before, "{sizes:?}");
    assert!(
        sizes[0] > 0 && sizes[1..].iter().all(|&s| s == 0),
        "{sizes:?}"
    );
    let f = qnd::open(&pattern, "r").unwrap();
    assert_eq!(f.read::<f64>("x").unwrap(), 4.5);
    f.close().unwrap();
    let Some(py) = Python::find(&["h5py"]) else {
        return;
    };
    let out = py.run(
        "import sys, h5py\n\
         for size in (int(sys.argv[2]), int(sys.argv[3]), None):\n\
         \x20   try:\n\
         \x20       kw = {} if size is None else {'memb_size': size}\n\
         \x20       f = h5py.File(sys.argv[1], 'r', driver='family', **kw)\n\
         \x20       print(size, float(f['x'][()]))\n\
         \x20       f.close()\n\
         \x20   except Exception as e:\n\
         \x20       print(size, 'refused', str(e).replace('\\n', ' ')[:300])\n",
        &[
            &pattern,
            &qnd::DEFAULT_FAMILY_SIZE.to_string(),
            &sizes[0].to_string(),
        ],
    );
    eprintln!("{out}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some(format!("{} 4.5", qnd::DEFAULT_FAMILY_SIZE).as_str()),
        "{out}"
    );
    // the size of member 0 is refused, and the refusal names the size
    let second = lines.next().unwrap_or_default();
    assert!(
        second.contains("refused")
            && second.contains(&format!("should be {}", qnd::DEFAULT_FAMILY_SIZE)),
        "{out}"
    );
}
