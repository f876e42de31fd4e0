//! The storage conformance kit on HDF5 files, bare and behind a record
//! buffer.

use std::path::PathBuf;

use qnd_hdf5::Hdf5Storage;
use qnd_storage::conformance::{run_all, Maker};
use qnd_storage::{RecordBuffer, Storage, DEFAULT_RECORD_BUFFER};

/// New files `f0.h5`, `f1.h5`, ... in a temporary folder.
struct Files {
    dir: tempfile::TempDir,
    made: usize,
    last: Option<PathBuf>,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
            made: 0,
            last: None,
        }
    }

    fn next(&mut self) -> PathBuf {
        let path = self.dir.path().join(format!("f{}.h5", self.made));
        self.made += 1;
        self.last = Some(path.clone());
        path
    }
}

impl Maker for Files {
    type Storage = Hdf5Storage;
    fn create(&mut self) -> Hdf5Storage {
        Hdf5Storage::create(&self.next()).unwrap()
    }
    fn reopen(&mut self, mut s: Hdf5Storage) -> Option<Hdf5Storage> {
        s.close().unwrap();
        let path = self.last.clone().unwrap();
        Some(Hdf5Storage::open(&path, true).unwrap())
    }
}

struct Buffered(Files);

impl Maker for Buffered {
    type Storage = RecordBuffer<Hdf5Storage>;
    fn create(&mut self) -> Self::Storage {
        RecordBuffer::new(self.0.create(), DEFAULT_RECORD_BUFFER)
    }
    fn reopen(&mut self, mut s: Self::Storage) -> Option<Self::Storage> {
        s.close().unwrap();
        let path = self.0.last.clone().unwrap();
        let inner = Hdf5Storage::open(&path, true).unwrap();
        Some(RecordBuffer::new(inner, DEFAULT_RECORD_BUFFER))
    }
}

#[test]
fn hdf5() {
    run_all(&mut Files::new());
}

#[test]
fn hdf5_behind_a_record_buffer() {
    run_all(&mut Buffered(Files::new()));
}
