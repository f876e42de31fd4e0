//! Python qnd's files read by the reader, written again by the snapshot
//! writer (in both byte orders), and read back: what comes back is what
//! Python qnd reads from its own file (`X.json`, `X.attrs.json`). tree.pdb
//! written again is tree.pdb, byte for byte but the date.

mod common;

use std::path::{Path, PathBuf};

use qnd_pdb::snapshot::{self, ByteOrder};
use qnd_pdb::PdbStorage;
use serde_json::Value;

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Snapshot `members` (one file or a family) in `order`, read it back and
/// compare with `json` (and `attrs`).
fn again(dir: &Path, members: &[PathBuf], json: &str, attrs: Option<&str>, order: ByteOrder) {
    let mut src = PdbStorage::open_family(members).unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("again.pdb");
    snapshot::write(&mut src, &path, order).unwrap();
    let mut s = PdbStorage::open(&path).unwrap();
    assert!(s.warnings().is_empty(), "{json}: {:?}", s.warnings());
    let got = common::dump(&mut s);
    if let Err(e) = common::same(&got, &load(&dir.join(json)), json) {
        panic!("{json} ({order:?}): {e}\ngot {got}");
    }
    if let Some(a) = attrs {
        let got = common::attrs(&mut s);
        if let Err(e) = common::same(&got, &load(&dir.join(a)), a) {
            panic!("{a} ({order:?}): {e}\ngot {got}");
        }
    }
}

#[test]
fn every_fixture_written_again_reads_as_python_qnd_reads_it() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    for order in [ByteOrder::Little, ByteOrder::Big] {
        for (name, attrs) in [
            ("types.pdb", true),
            ("tree.pdb", true),
            ("history.pdb", true),
            ("append.pdb", true),
            ("be.pdb", false),
        ] {
            let a = format!("{name}.attrs.json");
            again(
                &dir,
                &[dir.join(name)],
                &format!("{name}.json"),
                attrs.then_some(a.as_str()),
                order,
            );
        }
        let fam: Vec<PathBuf> = (0..3).map(|k| dir.join(format!("fam{k:02}.pdb"))).collect();
        again(&dir, &fam, "fam.json", None, order);
    }
}

#[test]
fn tree_written_again_is_the_same_bytes() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut src = PdbStorage::open(&dir.join("tree.pdb")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("tree.pdb");
    snapshot::write(&mut src, &path, ByteOrder::Little).unwrap();
    let got = std::fs::read(&path).unwrap();
    let want = std::fs::read(dir.join("tree.pdb")).unwrap();
    let date = |b: &[u8]| {
        let key = b"Version:11|";
        let k = b.windows(key.len()).position(|w| w == key).unwrap() + key.len();
        let mut b = b.to_vec();
        b[k..k + 24].fill(b'?');
        b
    };
    assert_eq!(got.len(), want.len());
    assert!(date(&got) == date(&want), "tree.pdb written again differs");
}
