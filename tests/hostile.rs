//! Hostile files: damaged copies ("mutants") of valid files, committed in
//! `tests/data/hostile/`, are opened, listed, dumped and read leaf by leaf:
//! an error or a result every time, never a panic, an abort or a hang.
//!
//! HDF5 and netCDF-3 mutants are read in this process. netCDF-4 mutants
//! go through `qnd --safe`, because netCDF-C 4.9 over HDF5 1.10.8 crashes
//! (SIGSEGV) or loops on some of them inside the C library: there a crash
//! or a timeout reported by `--safe` as an error is what is expected.
//!
//! The mutants are made from the shared fixtures and from small files qnd
//! writes (`own.h5`, `own4.nc`, `own3.nc`, kept in the same folder) with a
//! fixed seed; `cargo test --test hostile -- --ignored regenerate_mutants`
//! makes the same mutants again (the shared fixtures folder is needed for
//! that only; the `crash` ones are those of a fixed series of flips that
//! crash or hang this machine's netCDF-C).
//! Kinds: truncations (`trunc`), zero length (`empty`), byte flips
//! (`flip`), wrong formats (`wrong`: text, a PNG header, a format's magic
//! followed by garbage) and huge sizes (`huge`: a dimension length or
//! dataspace size patched to a huge value). PDB mutants (`pdb-*`, read in
//! this process: qnd's PDB reader is Rust) add hostile metadata text: huge
//! counts, dimensions and block counts, addresses past the end, lost
//! separators and end markers (`cargo test --test hostile -- --ignored
//! regenerate_pdb_mutants` makes only those again).
#![cfg(all(feature = "hdf5", feature = "netcdf"))]

/// Tests run in threads of one process: a child process started by one
/// test inherits the files another test has open at that moment (HDF5 then
/// finds them locked). The tests of this file take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Take this file's turn (a test that failed does not stop the others).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use qnd::values::DType;
use qnd::{Kind, Mode, NcFormat, OpenOptions, QGroup, QList, Recording, Value};

/// The folder of mutants.
fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile")
}

/// The files to damage: shared fixtures, and files qnd writes.
const FIXTURES: &[&str] = &["history.h5", "tree.h5", "types.h5", "classic.nc"];
const OWN: &[&str] = &["own.h5", "own4.nc", "own3.nc"];
/// The PDB files to damage (shared fixtures, `pdb/`).
const PDB_FIXTURES: &[&str] = &["history.pdb", "types.pdb", "tree.pdb", "be.pdb"];

/// The read limit used on mutants: reads of what a damaged header claims
/// stay small.
const LIMIT: usize = 64 << 20;

/// `--safe` timeout for a netCDF-4 mutant, in seconds.
const SAFE_TIMEOUT: &str = "10";

/// Whether a mutant is of a netCDF-4 file (read only through `--safe`).
fn is_netcdf4(name: &str) -> bool {
    name.starts_with("own4.")
}

/// Every mutant, in name order (the base files left out).
fn mutants() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/data/hostile")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            p.is_file() && !OWN.contains(&name.as_str())
        })
        .collect();
    files.sort();
    files
}

/// What reading a mutant gave.
#[derive(Default, Debug)]
struct Outcome {
    /// Reads that returned a value.
    ok: usize,
    /// Reads that returned an error.
    errors: usize,
    /// Of those, reads refused as larger than the read limit.
    too_large: usize,
}

impl Outcome {
    fn note<T>(&mut self, r: qnd::Result<T>) -> Option<T> {
        match r {
            Ok(v) => {
                self.ok += 1;
                Some(v)
            }
            Err(e) => {
                // every error must say something
                assert!(!e.to_string().is_empty());
                self.errors += 1;
                if matches!(e, qnd::Error::TooLarge { .. }) {
                    self.too_large += 1;
                }
                None
            }
        }
    }
}

/// Open `path` and read everything in it, member by member: names, kinds,
/// shapes, attributes, every leaf whole and in part, every list element,
/// and the whole file as one value.
fn exercise(path: &Path) -> Outcome {
    let mut out = Outcome::default();
    let options = OpenOptions {
        max_read_bytes: LIMIT,
        ..OpenOptions::new(Mode::Read)
    };
    let Some(f) = out.note(qnd::open_with(path, &options)) else {
        return out;
    };
    f.goto_off();
    walk_group(&f, &mut out, 0);
    out.note(f.to_value());
    out.note(f.close());
    out
}

/// The deepest nesting walked (a damaged file may loop).
const DEPTH: usize = 16;

fn walk_group(g: &QGroup, out: &mut Outcome, depth: usize) {
    if depth > DEPTH {
        return;
    }
    if let Some(a) = out.note(g.attrs("")) {
        if let Some(names) = out.note(a.names()) {
            for n in names {
                out.note(a.get(&n));
            }
        }
    }
    let Some(names) = out.note(g.names()) else {
        return;
    };
    for name in names {
        if let Some(a) = out.note(g.attrs(&name)) {
            out.note(a.items());
        }
        match out.note(g.kind(&name)) {
            Some(Kind::Group) => {
                if let Some(sub) = out.note(g.group(&name)) {
                    walk_group(&sub, out, depth + 1);
                }
            }
            Some(Kind::List) => {
                if let Some(l) = out.note(g.list(&name)) {
                    walk_list(&l, out, depth + 1);
                }
            }
            Some(Kind::Leaf | Kind::Records) => {
                if let Some(leaf) = out.note(g.leaf(&name)) {
                    out.note(leaf.dtype());
                    if let Some(shape) = out.note(leaf.shape()) {
                        if shape.first().is_some_and(|&n| n > 0) {
                            out.note(leaf.read_part::<Value>(0isize));
                            out.note(leaf.read_part::<Value>(-1isize));
                        }
                    }
                    out.note(leaf.read::<Value>());
                }
                out.note(g.read::<Value>(&name));
            }
            Some(_) => {
                out.note(g.read::<Value>(&name));
            }
            None => {}
        }
    }
}

fn walk_list(l: &QList, out: &mut Outcome, depth: usize) {
    if depth > DEPTH {
        return;
    }
    let Some(n) = out.note(l.len()) else {
        return;
    };
    for i in 0..n.min(64) as isize {
        match out.note(l.kind(i)) {
            Some(Kind::Group) => {
                if let Some(g) = out.note(l.group(i)) {
                    walk_group(&g, out, depth + 1);
                }
            }
            Some(Kind::List) => {
                if let Some(sub) = out.note(l.list(i)) {
                    walk_list(&sub, out, depth + 1);
                }
            }
            Some(_) => {
                out.note(l.read::<Value>(i));
            }
            None => {}
        }
    }
}

/// What `qnd args...` gave: the exit code (`None`: killed by a signal),
/// stdout and stderr.
fn qnd(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qnd"))
        .args(args)
        .output()
        .expect("run qnd");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exit codes the CLI may end with on a hostile file: 0 (read), 3 (read,
/// but items qnd has no kind for left out, each warned of: a flipped bit
/// can make a type qnd does not read) or 1 (an error, said on stderr).
fn check_cli(args: &[&str], file: &str) -> bool {
    let (code, _, err) = qnd(args);
    match code {
        Some(0) => true,
        Some(3) => {
            assert!(
                err.contains("qnd: warning: ") && err.contains("qnd has no kind for"),
                "{args:?}: exit 3 and no warning: {err}"
            );
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            true
        }
        Some(1) => {
            assert!(
                err.contains("qnd: "),
                "{args:?}: exit 1 and no message: {err}"
            );
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            if args.first() == Some(&"--safe")
                && (err.contains("crashed") || err.contains("no answer"))
            {
                assert!(err.contains(file), "{args:?}: the file is not named: {err}");
            }
            false
        }
        other => panic!("{args:?}: exit {other:?} (a panic or a crash): {err}"),
    }
}

/// The valid files the mutants come from read without an error, so that
/// the walk below reads something.
#[test]
fn own_files_read_cleanly() {
    let _turn = serial();
    for name in OWN {
        let path = dir().join(name);
        let out = if is_netcdf4(name) {
            let file = path.to_str().unwrap();
            let (code, json, err) = qnd(&["--safe", "dump", "--json", file]);
            // all but the declared leaf of 622 GB
            assert_eq!(code, Some(1), "{name}: {err}");
            assert!(
                err.contains("/big") && err.contains("max_read_bytes"),
                "{err}"
            );
            assert_eq!(err.lines().count(), 2, "{err}");
            assert!(json.contains("hello"), "{name}: {json}");
            continue;
        } else {
            exercise(&path)
        };
        // only the declared leaf of 622 GB is over the limit
        assert_eq!(out.errors, out.too_large, "{name}: {out:?}");
        assert!(out.ok > 20, "{name}: {out:?}");
    }
}

/// Every mutant: an error or a result, never a panic, an abort or a hang.
#[test]
fn mutants_give_errors_not_crashes() {
    let _turn = serial();
    let start = Instant::now();
    let files = mutants();
    assert!(files.len() >= 100, "only {} mutants", files.len());
    let (mut in_process, mut through_safe, mut failed) = (0, 0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let file = path.to_str().unwrap();
        if is_netcdf4(&name) {
            through_safe += 1;
            let mut all_ok = true;
            for args in [
                vec!["--safe", "--timeout", SAFE_TIMEOUT, "ls", "-r", file],
                vec!["--safe", "--timeout", SAFE_TIMEOUT, "dump", "--json", file],
            ] {
                all_ok &= check_cli(&args, file);
            }
            if !all_ok {
                failed += 1;
            }
        } else {
            in_process += 1;
            let out = catch_unwind(AssertUnwindSafe(|| exercise(path)))
                .unwrap_or_else(|_| panic!("{name}: qnd panicked"));
            if out.errors > 0 {
                failed += 1;
            }
        }
    }
    // the CLI on a sample of the in-process ones too
    let name_of = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    for path in files.iter().filter(|p| !is_netcdf4(&name_of(p))).step_by(7) {
        let file = path.to_str().unwrap();
        check_cli(&["ls", "-r", file], file);
        check_cli(&["dump", "--json", file], file);
    }
    println!(
        "{} mutants ({in_process} in process, {through_safe} through --safe), \
         {failed} with errors, in {:.1} s",
        files.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(failed > files.len() / 4, "damage that no read noticed?");
}

/// `--safe` passes output and exit codes through and turns a crash or a
/// hang into an error.
#[test]
fn safe_mode_reports_crashes_and_hangs() {
    let _turn = serial();
    let own = dir().join("own.h5");
    let file = own.to_str().unwrap();
    let (code, plain, _) = qnd(&["ls", file]);
    assert_eq!(code, Some(0));
    let (code, safe, _) = qnd(&["--safe", "ls", file]);
    assert_eq!((code, &safe), (Some(0), &plain));
    let (code, _, err) = qnd(&["--safe", "ls", "no/such/file.h5"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no such file"), "{err}");
    assert_eq!(qnd(&["--safe", "frobnicate"]).0, Some(2));
    assert_eq!(qnd(&["--safe"]).0, Some(2));
    assert_eq!(qnd(&["--safe", "--timeout", "soon", "ls", file]).0, Some(2));

    // netCDF-4 files that crashed netCDF-C when they were made: a crash
    // is an error naming the file and the signal (a netCDF-C that no
    // longer crashes gives an ordinary error)
    let mut crashed = 0;
    for path in mutants() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("own4.crash-") {
            continue;
        }
        let f = path.to_str().unwrap();
        let (code, _, err) = qnd(&["--safe", "dump", "--json", f]);
        assert_eq!(code, Some(1), "{name}: {err}");
        if err.contains("crashed") {
            assert!(err.contains(f) && err.contains("killed by signal"), "{err}");
            crashed += 1;
        }
    }
    println!("{crashed} crashes of netCDF-C reported as errors");

    // a child that hangs: a FIFO no one writes to blocks the open
    #[cfg(unix)]
    {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("stuck.h5");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let f = fifo.to_str().unwrap();
            let t = Instant::now();
            let (code, _, err) = qnd(&["--safe", "--timeout", "0.5", "ls", f]);
            assert!(t.elapsed() < Duration::from_secs(20));
            assert_eq!(code, Some(1), "{err}");
            assert!(
                err.contains("no answer after 0.5 s") && err.contains(f),
                "{err}"
            );
        } else {
            println!("skipped: the hang case (no mkfifo)");
        }
    }
}

// ------------------------------------------------------------ generator

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Byte flips per file.
const FLIPS: usize = 10;
/// Byte-flipped netCDF-4 files tried, looking for ones that crash or hang
/// netCDF-C, and how many of those are kept.
const CRASH_CANDIDATES: usize = 600;
const CRASHES: usize = 4;
/// A length qnd's own files declare (f8: 622 GB, never written, more
/// than any read limit), found and patched in them.
const MARK: usize = 77_777_777_777;

/// Write the files qnd makes: a bit of everything the format holds.
fn write_own(path: &Path, netcdf: NcFormat) {
    let _ = std::fs::remove_file(path);
    let opts = OpenOptions {
        netcdf,
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(path, &opts).unwrap();
    f.set("x", ndarray::array![[1i32, 2, 3], [4, 5, 6]])
        .unwrap();
    f.set("s", "hello").unwrap();
    f.set("w", vec![0.5f64, 1.5, 2.5]).unwrap();
    f.attrs("x").unwrap().set("units", "m").unwrap();
    f.attrs("").unwrap().set("title", "own").unwrap();
    if netcdf.is_classic() {
        f.declare("big", DType::I16, &[300]).unwrap();
    } else {
        f.declare("big", DType::F64, &[MARK]).unwrap();
        let g = f.create_group("g").unwrap();
        g.set("y", vec![7i64, 8]).unwrap();
        let l = f.create_list("l").unwrap();
        l.append(1.0).unwrap();
        l.append("a").unwrap();
    }
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("t", f64::from(k) * 0.5).unwrap();
    }
    f.close().unwrap();
}

/// The offsets of the 4-byte big-endian numbers a netCDF-3 header holds
/// that are sizes: the record count and each dimension length.
fn cdf_sizes(b: &[u8]) -> Vec<usize> {
    let be = |at: usize| -> Option<usize> {
        Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let mut at = vec![4]; // numrecs
    let mut p = 8;
    if be(p) != Some(0x0A) {
        return at;
    }
    let Some(n) = be(p + 4) else { return at };
    p += 8;
    for _ in 0..n.min(64) {
        let Some(len) = be(p) else { return at };
        p += 4 + len.div_ceil(4) * 4;
        at.push(p);
        p += 4;
    }
    at
}

/// Offsets of the first dimension of the version-1 dataspace messages of
/// version-1 object headers (h5py's default files, no checksums): message
/// type 1, its size, flags and 3 reserved bytes; version 1, rank, flags,
/// 5 reserved bytes; then the dimensions, 8 bytes each.
fn h5_dataspaces(b: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    for i in 0..b.len().saturating_sub(24) {
        let (rank, flags) = (b[i + 9] as usize, b[i + 10]);
        let size = u16::from_le_bytes([b[i + 2], b[i + 3]]) as usize;
        if b[i] == 1
            && b[i + 1] == 0
            && b[i + 5..i + 8] == [0, 0, 0]
            && b[i + 8] == 1
            && (1..=8).contains(&rank)
            && flags <= 1
            && b[i + 11..i + 16] == [0; 5]
            && size == 8 + rank * 8 * (1 + flags as usize)
        {
            found.push(i + 16);
        }
    }
    found
}

/// Offsets of the 8-byte little-endian `value` in `b`.
fn find_u64(b: &[u8], value: u64) -> Vec<usize> {
    let pat = value.to_le_bytes();
    b.windows(8)
        .enumerate()
        .filter(|(_, w)| *w == pat)
        .map(|(i, _)| i)
        .collect()
}

/// Flip 1 to 8 random bits of `b`, most in the first 4 KiB, where the
/// metadata is.
fn flip(b: &mut [u8], rng: &mut Rng) {
    let n = b.len();
    for _ in 0..1 + rng.below(8) {
        let at = if rng.below(4) == 0 {
            rng.below(n)
        } else {
            rng.below(n.min(4096))
        };
        b[at] ^= 1 << rng.below(8);
    }
}

/// The mutants of `bytes` (a file named `name`): name and contents.
fn mutate(name: &str, bytes: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let (stem, ext) = name.rsplit_once('.').unwrap();
    let mut out = Vec::new();
    let n = bytes.len();
    for cut in [8, 100, 512, n / 4, n / 2, 3 * n / 4, n - 1] {
        if cut < n {
            out.push((format!("{stem}.trunc-{cut}.{ext}"), bytes[..cut].to_vec()));
        }
    }
    for k in 0..FLIPS {
        let mut b = bytes.to_vec();
        flip(&mut b, rng);
        out.push((format!("{stem}.flip-{k:02}.{ext}"), b));
    }
    if bytes.starts_with(b"CDF") {
        for (k, at) in cdf_sizes(bytes).into_iter().enumerate() {
            for (v, value) in [(0, 0x7FFF_FFFFu32), (1, 0xFFFF_FFFF)] {
                let mut b = bytes.to_vec();
                b[at..at + 4].copy_from_slice(&value.to_be_bytes());
                out.push((format!("{stem}.huge-{k}{v}.{ext}"), b));
            }
        }
    } else if !OWN.contains(&name) {
        // the first, middle and last dataspace: its first length huge
        let spaces = h5_dataspaces(bytes);
        let picks = [0, spaces.len() / 2, spaces.len().saturating_sub(1)];
        let mut picks: Vec<usize> = picks.into_iter().filter(|&k| k < spaces.len()).collect();
        picks.dedup();
        for k in picks {
            for (v, value) in [1u64 << 40, u64::MAX].into_iter().enumerate() {
                let mut b = bytes.to_vec();
                let at = spaces[k];
                b[at..at + 8].copy_from_slice(&value.to_le_bytes());
                out.push((format!("{stem}.huge-space{k}-{v}.{ext}"), b));
            }
        }
    } else {
        let found = find_u64(bytes, MARK as u64);
        for (v, value) in [1u64 << 40, 1 << 62, u64::MAX - 1].into_iter().enumerate() {
            if found.is_empty() {
                break;
            }
            let mut b = bytes.to_vec();
            for &at in &found {
                b[at..at + 8].copy_from_slice(&value.to_le_bytes());
            }
            out.push((format!("{stem}.huge-all{v}.{ext}"), b.clone()));
            let mut one = bytes.to_vec();
            one[found[0]..found[0] + 8].copy_from_slice(&value.to_le_bytes());
            out.push((format!("{stem}.huge-one{v}.{ext}"), one));
        }
    }
    out
}

/// Make every mutant again (fixed seed: the same files every time, given
/// the same base files).
#[test]
#[ignore = "regenerates tests/data/hostile; needs ../shared/fixtures"]
fn regenerate_mutants() {
    let _turn = serial();
    let dir = dir();
    std::fs::create_dir_all(&dir).unwrap();
    for old in mutants() {
        std::fs::remove_file(old).unwrap();
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    // HDF5 stores creation times: the base files are made only when
    // missing (delete them to make them again), so that the same bases
    // give the same mutants
    for (name, netcdf) in [
        ("own.h5", NcFormat::Netcdf4),
        ("own4.nc", NcFormat::Netcdf4),
        ("own3.nc", NcFormat::Classic),
    ] {
        if !dir.join(name).exists() {
            write_own(&dir.join(name), netcdf);
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut total = 0;
    let mut write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).unwrap();
        total += bytes.len();
    };
    for name in FIXTURES.iter().chain(OWN) {
        let base = if OWN.contains(name) {
            dir.join(name)
        } else {
            fixtures.join(name)
        };
        let bytes = std::fs::read(&base).unwrap();
        for (m, b) in mutate(name, &bytes, &mut rng) {
            write(&m, &b);
        }
    }
    // netCDF-C crashes or hangs on about 1 in 100 byte-flipped netCDF-4
    // files: look for a few among more flips of `own4.nc`, and keep them
    let base = std::fs::read(dir.join("own4.nc")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut kept = 0;
    for k in 0..CRASH_CANDIDATES {
        let mut b = base.clone();
        flip(&mut b, &mut rng);
        let candidate = tmp.path().join(format!("c{k}.nc"));
        std::fs::write(&candidate, &b).unwrap();
        let (_, _, err) = qnd(&[
            "--safe",
            "--timeout",
            "5",
            "dump",
            "--json",
            candidate.to_str().unwrap(),
        ]);
        if err.contains("crashed") || err.contains("no answer") {
            write(&format!("own4.crash-{kept}.nc"), &b);
            kept += 1;
            if kept == CRASHES {
                break;
            }
        }
    }
    println!("{kept} netCDF-4 mutants that crash or hang netCDF-C");
    write("any.empty.h5", b"");
    write("any.empty.nc", b"");
    write("any.wrong-text.h5", b"just some text, not HDF5\n");
    write("any.wrong-text.nc", b"netcdf x { dimensions: a = 1 ; }\n");
    write(
        "any.wrong-png.h5",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02",
    );
    let mut garbage = Vec::new();
    for _ in 0..512 {
        garbage.push(rng.next() as u8);
    }
    let mut h = b"\x89HDF\r\n\x1a\n".to_vec();
    h.extend_from_slice(&garbage);
    write("any.wrong-hdf5magic.h5", &h);
    let mut c = b"CDF\x01".to_vec();
    c.extend_from_slice(&garbage);
    write("any.wrong-cdfmagic.nc", &c);
    let mut c = b"CDF\x02".to_vec();
    c.extend_from_slice(&garbage[..64]);
    write("any.wrong-cdf2magic.nc", &c);
    println!("{} bytes of mutants", total);
    assert!(total < 2_000_000, "{total} bytes of mutants");
    write_pdb_mutants(&dir, &fixtures);
}

/// Make the PDB mutants again (only them: the others stay as they are).
#[test]
#[ignore = "regenerates the PDB files of tests/data/hostile; needs ../shared/fixtures"]
fn regenerate_pdb_mutants() {
    let _turn = serial();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    write_pdb_mutants(&dir(), &fixtures);
}

/// PDB files Python qnd wrote, damaged: the generic mutants (truncated,
/// flipped), plus metadata text made hostile: a huge element count, a
/// huge dimension, an address past the end, header addresses past the end
/// or crossed, a Blocks line claiming many records, field separators
/// lost, and the `!<<PDB:` token followed by garbage.
fn write_pdb_mutants(dir: &Path, fixtures: &Path) {
    for old in mutants() {
        if old.extension().is_some_and(|e| e == "pdb") {
            std::fs::remove_file(old).unwrap();
        }
    }
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let write = |name: String, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    for base in PDB_FIXTURES {
        let bytes = std::fs::read(fixtures.join("pdb").join(base)).unwrap();
        let name = format!("pdb-{base}");
        for (m, b) in mutate(&name, &bytes, &mut rng) {
            write(m, &b);
        }
        let stem = name.trim_end_matches(".pdb");
        let text = |from: &str, to: &str| -> Option<Vec<u8>> {
            let at = bytes
                .windows(from.len())
                .rposition(|w| w == from.as_bytes())?;
            let mut b = bytes[..at].to_vec();
            b.extend_from_slice(to.as_bytes());
            b.extend_from_slice(&bytes[at + from.len()..]);
            Some(b)
        };
        let edits: [(&str, &str, &str); 7] = [
            // `u` of history, `vec` of types...: counts and lengths grown
            (
                "huge-count",
                "\x01double\x013\x01",
                "\x01double\x0199999999999999\x01",
            ),
            (
                "huge-dim",
                "\x011\x013\x01",
                "\x011\x01999999999999999999\x01",
            ),
            (
                "far-address",
                "\x011\x01128\x01",
                "\x011\x0118446744073709551615\x01",
            ),
            ("huge-blocks", "\x017 ", "\x01999999999 "),
            ("no-separators", "\x01double\x01", "?double?"),
            ("bad-number", "\x011\x01128\x01", "\x01-1\x01x128\x01"),
            ("no-end", "\x02\n\n\n", ""),
        ];
        for (what, from, to) in edits {
            if let Some(b) = text(from, to) {
                write(format!("{stem}.{what}.pdb"), &b);
            }
        }
        // the header's chart and symbol table addresses
        let head = String::from_utf8_lossy(&bytes[..128.min(bytes.len())]).into_owned();
        if let Some(at) = head.find("1023\x01\n") {
            let at = at + "1023\x01\n".len();
            for (what, addrs) in [
                ("header-far", "99999999999\x0199999999999\x01\n"),
                ("header-crossed", "600\x01128\x01\n"),
                ("header-zero", "0\x010\x01\n"),
            ] {
                let mut b = bytes.clone();
                let end = b[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(at, |e| at + e + 1);
                b.splice(at..end, addrs.bytes());
                write(format!("{stem}.{what}.pdb"), &b);
            }
        }
    }
    let mut garbage = b"!<<PDB:II>>!\n".to_vec();
    for _ in 0..300 {
        garbage.push(rng.next() as u8);
    }
    write("any.wrong-pdbmagic.pdb".into(), &garbage);
    write("any.empty.pdb".into(), b"");
}
