//! Python qnd's files read by the reader, written again by the snapshot
//! writer (in both byte orders), and read back: what comes back is what
//! the reader reads from Python qnd's file (which the reader's own tests
//! compare with what Python qnd reads, `X.json`). tree.pdb written again
//! is tree.pdb, byte for byte but the date.

use std::path::{Path, PathBuf};

use qnd_pdb::snapshot::{self, ByteOrder};
use qnd_pdb::PdbStorage;
use qnd_storage::conformance::{check_same, copy_tree};

fn fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from("/work/shared/fixtures/pdb");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no fixture directory {}", dir.display());
        None
    }
}

/// Snapshot `members` (one file or a family) in `order`, read it back and
/// compare with what the reader reads from `members`.
fn again(members: &[PathBuf], order: ByteOrder) {
    let mut src = PdbStorage::open_family(members).unwrap();
    let mut want = copy_tree(&mut src);
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("again.pdb");
    snapshot::write(&mut src, &path, order).unwrap();
    let mut s = PdbStorage::open(&path).unwrap();
    assert!(s.warnings().is_empty(), "{members:?}: {:?}", s.warnings());
    check_same(&mut s, &mut want);
}

#[test]
fn every_fixture_written_again_reads_the_same() {
    let Some(dir) = fixtures() else {
        return;
    };
    for order in [ByteOrder::Little, ByteOrder::Big] {
        for name in [
            "types.pdb",
            "tree.pdb",
            "history.pdb",
            "append.pdb",
            "be.pdb",
        ] {
            again(&[dir.join(name)], order);
        }
        let fam: Vec<PathBuf> = (0..3).map(|k| dir.join(format!("fam{k:02}.pdb"))).collect();
        again(&fam, order);
    }
}

fn masked(b: &[u8]) -> Vec<u8> {
    let key = b"Version:11|";
    let k = b.windows(key.len()).position(|w| w == key).unwrap() + key.len();
    let mut b = b.to_vec();
    b[k..k + 24].fill(b'?');
    b
}

#[test]
fn tree_written_again_is_the_same_bytes() {
    let Some(dir) = fixtures() else {
        return;
    };
    let mut src = PdbStorage::open(&dir.join("tree.pdb")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("tree.pdb");
    snapshot::write(&mut src, &path, ByteOrder::Little).unwrap();
    let got = std::fs::read(&path).unwrap();
    let want = std::fs::read(Path::new(&dir).join("tree.pdb")).unwrap();
    assert_eq!(got.len(), want.len());
    assert!(
        masked(&got) == masked(&want),
        "tree.pdb written again differs"
    );
}
