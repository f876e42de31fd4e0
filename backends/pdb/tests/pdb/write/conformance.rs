//! The storage conformance kit on qnd-pdb alone; reopen = close + open_rw.

use qnd_pdb::snapshot::ByteOrder;
use qnd_pdb::PdbStorage;
use qnd_storage::conformance::{run_all, Maker};
use qnd_storage::Storage;

struct Files {
    dir: tempfile::TempDir,
    made: usize,
    order: ByteOrder,
}

impl Maker for Files {
    type Storage = PdbStorage;
    fn create(&mut self) -> PdbStorage {
        let path = self.dir.path().join(format!("f{}.pdb", self.made));
        self.made += 1;
        PdbStorage::create(&path, self.order, true).unwrap()
    }
    fn has_files(&self) -> bool {
        true
    }
    fn reopen(&mut self, mut s: PdbStorage) -> PdbStorage {
        let path = s.path().to_path_buf();
        s.close().unwrap();
        drop(s);
        PdbStorage::open_rw(&path).unwrap()
    }
}

#[test]
fn storage_kit_little_endian() {
    run_all(&mut Files {
        dir: tempfile::tempdir().unwrap(),
        made: 0,
        order: ByteOrder::Little,
    });
}

#[test]
fn storage_kit_big_endian() {
    run_all(&mut Files {
        dir: tempfile::tempdir().unwrap(),
        made: 0,
        order: ByteOrder::Big,
    });
}
