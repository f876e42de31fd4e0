//! PDB files written by LLNL's Python qnd (`../shared/fixtures/pdb/`, made
//! by its `make_pdb_fixtures.py`) read through qnd's tree: each `X.pdb`
//! read whole (goto off) is `X.pdb.json`, its attributes `X.pdb.attrs.json`;
//! the family `fam00.pdb`..`fam02.pdb` opened as `fam%02d.pdb` and as the
//! glob `fam*.pdb` is `fam.json`; goto and `goto_nearest` work on record
//! variables; partial reads equal the same part of a whole read; single
//! PDB files open in every mode, families read-only. Skipped, with a
//! message, when the folder is absent.
#![cfg(feature = "pdb")]

mod common;

use std::path::{Path, PathBuf};

use common::fixtures::{self, first_difference};
use qnd::{Kind, QGroup, QList, Selection, Value};
use serde_json::{Map, Value as Json};

/// The PDB fixture folder, if there.
fn pdb_dir() -> Option<PathBuf> {
    let dir = fixtures::dir()?.join("pdb");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no PDB fixtures in {}", dir.display());
        None
    }
}

/// The JSON file `name` of the PDB fixtures.
fn json(dir: &Path, name: &str) -> Json {
    let p = dir.join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `f` read whole with goto off, as `qnd dump --json` prints it.
fn tree_json(f: &QGroup) -> Json {
    f.goto_off();
    let v = f.to_value().unwrap_or_else(|e| panic!("{e}"));
    qnd::to_json(&v)
}

/// Every attribute under `f`, as `qnd_ref_pdb.py attrs` prints them: item
/// path (`""` for the root) to attribute name to leaf.
fn attrs_json(f: &QGroup) -> Json {
    fn put(out: &mut Map<String, Json>, path: &str, items: Vec<(String, qnd::Array)>) {
        if items.is_empty() {
            return;
        }
        let leaves = items
            .into_iter()
            .map(|(k, a)| (k, qnd::to_json(&Value::Array(a))))
            .collect();
        out.insert(path.to_string(), Json::Object(leaves));
    }
    fn join(prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        }
    }
    fn group(out: &mut Map<String, Json>, g: &QGroup, prefix: &str) {
        for name in g.names().unwrap() {
            let path = join(prefix, &name);
            put(out, &path, g.attrs(&name).unwrap().items().unwrap());
            match g.kind(&name).unwrap() {
                Kind::Group => group(out, &g.group(&name).unwrap(), &path),
                Kind::List => list(out, &g.list(&name).unwrap(), &path),
                _ => {}
            }
        }
    }
    fn list(out: &mut Map<String, Json>, l: &QList, prefix: &str) {
        for i in 0..l.len().unwrap() as isize {
            let path = join(prefix, &format!("_{i}"));
            match l.kind(i).unwrap() {
                Kind::Group => {
                    let g = l.group(i).unwrap();
                    put(out, &path, g.attrs("").unwrap().items().unwrap());
                    group(out, &g, &path);
                }
                Kind::List => list(out, &l.list(i).unwrap(), &path),
                Kind::Leaf | Kind::Records => {
                    put(out, &path, l.leaf(i).unwrap().attrs().items().unwrap())
                }
                _ => {}
            }
        }
    }
    let mut out = Map::new();
    put(&mut out, "", f.attrs("").unwrap().items().unwrap());
    f.goto_off();
    group(&mut out, f, "");
    Json::Object(out)
}

#[test]
fn every_pdb_fixture_reads_as_its_json_with_its_attributes() {
    let Some(dir) = pdb_dir() else {
        return;
    };
    let mut failures = Vec::new();
    for name in ["types", "tree", "history", "append", "be"] {
        let path = dir.join(format!("{name}.pdb"));
        let f = match qnd::open(&path, "r") {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{name}: open: {e}"));
                continue;
            }
        };
        let want = json(&dir, &format!("{name}.pdb.json"));
        if let Some(d) = first_difference(&tree_json(&f), &want, "") {
            failures.push(format!("{name}.pdb: {d}"));
        }
        let attrs = dir.join(format!("{name}.pdb.attrs.json"));
        let want = if attrs.exists() {
            json(&dir, &format!("{name}.pdb.attrs.json"))
        } else {
            Json::Object(Map::new())
        };
        if let Some(d) = first_difference(&attrs_json(&f), &want, "") {
            failures.push(format!("{name}.pdb attributes: {d}"));
        }
        f.close().unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_family_opens_by_pattern_and_by_glob() {
    let Some(dir) = pdb_dir() else {
        return;
    };
    let want = json(&dir, "fam.json");
    for name in ["fam%02d.pdb", "fam*.pdb", "fam0?.pdb"] {
        let f = qnd::open(dir.join(name), "r").unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(d) = first_difference(&tree_json(&f), &want, "") {
            panic!("{name}: {d}");
        }
        // the family's records, read at one record through goto
        f.goto(4);
        assert_eq!(f.read::<f64>("time").unwrap(), 2.0, "{name}");
        f.goto_off();
    }
    // a member alone is one file
    let f = qnd::open(dir.join("fam00.pdb"), "r").unwrap();
    f.goto_off();
    let n = f.list("time").map(|l| l.len().unwrap()).unwrap_or(0);
    assert!(
        n < 10,
        "member 0 alone holds part of the history, got {n} records"
    );
}

#[test]
fn goto_and_goto_nearest_read_one_record() {
    let Some(dir) = pdb_dir() else {
        return;
    };
    let want = json(&dir, "history.pdb.json");
    let record = |name: &str, k: usize| want[name][k]["data"].clone();
    let f = qnd::open(dir.join("history.pdb"), "r").unwrap();
    let n = want["time"].as_array().unwrap().len();
    for k in 0..n {
        f.goto(k as isize);
        let t: f64 = f.read("time").unwrap();
        assert_eq!(Json::from(vec![t]), record("time", k), "time at record {k}");
        let u: Vec<f64> = f.read("u").unwrap();
        assert_eq!(Json::from(u), record("u", k), "u at record {k}");
        let step: i32 = f.read("step").unwrap();
        assert_eq!(Json::from(vec![step]), record("step", k), "step at {k}");
    }
    // the record whose time is nearest
    let times: Vec<f64> = (0..n)
        .map(|k| record("time", k)[0].as_f64().unwrap())
        .collect();
    let target = times[3] + 0.1 * (times[4] - times[3]);
    assert_eq!(f.goto_nearest("time", target).unwrap(), 3);
    assert_eq!(f.read::<f64>("time").unwrap(), times[3]);
    // goto off: every record, stacked
    f.goto_off();
    let all: Vec<f64> = f.read("time").unwrap();
    assert_eq!(all, times);
}

#[test]
fn partial_reads_equal_the_same_part_of_a_whole_read() {
    let Some(dir) = pdb_dir() else {
        return;
    };
    for name in ["types.pdb", "be.pdb"] {
        let f = qnd::open(dir.join(name), "r").unwrap();
        f.goto_off();
        let mut checked = 0;
        for member in f.names().unwrap() {
            if f.kind(&member).unwrap() != Kind::Leaf {
                continue;
            }
            let leaf = f.leaf(&member).unwrap();
            let shape = leaf.shape().unwrap();
            if shape.is_empty() || shape.contains(&0) || leaf.dtype().unwrap() == qnd::DType::Str {
                continue;
            }
            let whole: ndarray::ArrayD<f64> = match leaf.read() {
                Ok(a) => a,
                Err(_) => continue, // complex: checked below
            };
            // every other element of the first axis, reversed
            let sel = Selection::parse("::-2").unwrap();
            let part: ndarray::ArrayD<f64> = leaf.read_part(sel).unwrap();
            let want = whole.slice_axis(ndarray::Axis(0), ndarray::Slice::new(0, None, -2));
            assert_eq!(part, want, "{name}: {member}[::-2]");
            // the last element
            let last: Vec<isize> = shape.iter().map(|&n| n as isize - 1).collect();
            let mut sel = Selection::new();
            for &i in &last {
                sel = sel.index(i);
            }
            let one: f64 = leaf.read_part(sel).unwrap();
            assert_eq!(one, *whole.iter().last().unwrap(), "{name}: {member} last");
            checked += 1;
        }
        assert!(
            checked >= 2,
            "{name}: only {checked} numeric arrays checked"
        );
    }
}

#[test]
fn a_pdb_file_opens_in_every_mode_and_families_are_not_appended_to() {
    let Some(dir) = pdb_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("history.pdb");
    std::fs::copy(dir.join("history.pdb"), &path).unwrap();
    // r+: an overwrite in place, and a new leaf
    let f = qnd::open(&path, "r+").unwrap();
    f.set("nx", 4i32).unwrap();
    f.set("extra", vec![1.0, 2.0]).unwrap();
    f.close().unwrap();
    let f = qnd::open(&path, "r").unwrap();
    assert_eq!(f.read::<i32>("nx").unwrap(), 4);
    assert_eq!(f.read::<Vec<f64>>("extra").unwrap(), [1.0, 2.0]);
    assert!(f.set("x", 1.0).is_err(), "mode r writes nothing");
    f.close().unwrap();
    // w- refuses an existing file, w replaces it
    assert!(qnd::open(&path, "w-").is_err());
    let f = qnd::open(&path, "w").unwrap();
    assert!(f.names().unwrap().is_empty());
    f.close().unwrap();
    // a family is read-only, and a refused open leaves it as it was
    let family = tmp.path().join("fam%02d.pdb");
    for k in 0..3 {
        let name = format!("fam{k:02}.pdb");
        std::fs::copy(dir.join(&name), tmp.path().join(&name)).unwrap();
    }
    let before = std::fs::read(tmp.path().join("fam02.pdb")).unwrap();
    for mode in ["r+", "a"] {
        let e = qnd::open(&family, mode).err().map(|e| e.to_string());
        let e = e.unwrap_or_else(|| panic!("mode {mode} opened a PDB family"));
        assert!(
            e.contains("appended to") && e.contains("PDB"),
            "{mode}: {e}"
        );
    }
    assert_eq!(std::fs::read(tmp.path().join("fam02.pdb")).unwrap(), before);
}

#[test]
fn found_by_its_first_bytes_and_other_versions_refused() {
    let Some(dir) = pdb_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // no extension: the `!<<PDB:` token says PDB
    let bare = tmp.path().join("history");
    std::fs::copy(dir.join("history.pdb"), &bare).unwrap();
    let f = qnd::open(&bare, "r").unwrap();
    assert_eq!(
        first_difference(&tree_json(&f), &json(&dir, "history.pdb.json"), ""),
        None
    );
    // PDB-I and PDB-III are named in the refusal
    let one = tmp.path().join("one.pdb");
    std::fs::write(&one, b"!<><PDB><>!\n1\n200\n300\n").unwrap();
    let e = qnd::open(&one, "r").expect_err("PDB-I refused").to_string();
    assert!(e.contains("PDB-I") || e.contains("version I"), "{e}");
    let three = tmp.path().join("three.pdb");
    let mut bytes = vec![0u8; 200];
    bytes.extend_from_slice(b"StructureChartAddress: 10\nSymbolTableAddress: 20\n!<<PDB:3>>!\n");
    std::fs::write(&three, bytes).unwrap();
    let e = qnd::open(&three, "r")
        .expect_err("PDB-III refused")
        .to_string();
    assert!(e.contains("PDB-III") || e.contains("version III"), "{e}");
    // not PDB at all, named .pdb
    let junk = tmp.path().join("junk.pdb");
    std::fs::write(&junk, b"hello, world\n").unwrap();
    assert!(qnd::open(&junk, "r").is_err());
}

#[test]
fn a_family_is_written_past_its_member_size_and_reads_back() {
    use qnd::{Mode, OpenOptions, Recording};
    let tmp = tempfile::tempdir().unwrap();
    let pattern = tmp.path().join("run%02d.pdb");
    let opts = OpenOptions {
        family_size: 4096,
        ..OpenOptions::new(Mode::Create)
    };
    let f = qnd::open_with(&pattern, &opts).unwrap();
    f.set("nx", 3i32).unwrap();
    f.attrs("").unwrap().set("code", "test").unwrap();
    f.set_recording(Recording::Uniform);
    let n = 300;
    for k in 0..n {
        f.set("time", k as f64 * 0.5).unwrap();
        f.set("u", vec![k as f64, 1.0, 2.0]).unwrap();
        if k % 50 == 49 {
            f.flush().unwrap();
        }
    }
    f.close().unwrap();
    let members: Vec<_> = (0..)
        .map(|k| tmp.path().join(format!("run{k:02}.pdb")))
        .take_while(|p| p.exists())
        .collect();
    assert!(members.len() >= 3, "{} members", members.len());
    for m in &members {
        qnd::open(m, "r").unwrap_or_else(|e| panic!("{}: {e}", m.display()));
    }
    let f = qnd::open(&pattern, "r").unwrap();
    f.goto_off();
    let time: Vec<f64> = f.read("time").unwrap();
    assert_eq!(time, (0..n).map(|k| k as f64 * 0.5).collect::<Vec<_>>());
    f.goto(n as isize - 1);
    assert_eq!(f.read::<Vec<f64>>("u").unwrap(), [(n - 1) as f64, 1.0, 2.0]);
    f.goto_off();
    assert_eq!(f.read::<i32>("nx").unwrap(), 3);
    assert_eq!(
        f.attrs("")
            .unwrap()
            .read::<String>("code")
            .unwrap()
            .as_deref(),
        Some("test")
    );
    // w- refuses an existing family
    let e = qnd::open(&pattern, "w-").expect_err("w- over a family");
    assert!(matches!(e, qnd::Error::FileExists { .. }), "{e}");
}
