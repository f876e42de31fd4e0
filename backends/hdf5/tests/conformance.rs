//! The storage conformance kit on HDF5 files, bare and behind a record
//! buffer (with and without buffering).

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

    fn last(&self) -> PathBuf {
        self.last.clone().expect("a file was made")
    }
}

impl Maker for Files {
    type Storage = Hdf5Storage;
    fn create(&mut self) -> Hdf5Storage {
        Hdf5Storage::create(&self.next()).unwrap()
    }
    fn has_files(&self) -> bool {
        true
    }
    fn reopen(&mut self, mut s: Hdf5Storage) -> Hdf5Storage {
        s.close().unwrap();
        Hdf5Storage::open(&self.last(), true).unwrap()
    }
}

/// Files behind a record buffer of that many bytes.
struct Buffered(Files, usize);

impl Maker for Buffered {
    type Storage = RecordBuffer<Hdf5Storage>;
    fn create(&mut self) -> Self::Storage {
        RecordBuffer::new(self.0.create(), self.1)
    }
    fn has_files(&self) -> bool {
        true
    }
    fn reopen(&mut self, mut s: Self::Storage) -> Self::Storage {
        s.close().unwrap();
        let inner = Hdf5Storage::open(&self.0.last(), true).unwrap();
        RecordBuffer::new(inner, self.1)
    }
}

#[test]
fn hdf5() {
    run_all(&mut Files::new());
}

#[test]
fn hdf5_behind_a_record_buffer() {
    run_all(&mut Buffered(Files::new(), DEFAULT_RECORD_BUFFER));
    run_all(&mut Buffered(Files::new(), 0));
}
