//! The storage conformance kit on the in-memory backend, bare and behind a
//! record buffer (with and without buffering).

use qnd_storage::conformance::{run_all, Maker};
use qnd_storage::{MemoryStorage, RecordBuffer, DEFAULT_RECORD_BUFFER};

struct Memory;

impl Maker for Memory {
    type Storage = MemoryStorage;
    fn create(&mut self) -> MemoryStorage {
        MemoryStorage::new()
    }
    fn has_files(&self) -> bool {
        false
    }
    fn reopen(&mut self, s: MemoryStorage) -> MemoryStorage {
        s
    }
}

struct Buffered(usize);

impl Maker for Buffered {
    type Storage = RecordBuffer<MemoryStorage>;
    fn create(&mut self) -> Self::Storage {
        RecordBuffer::new(MemoryStorage::new(), self.0)
    }
    fn has_files(&self) -> bool {
        false
    }
    fn reopen(&mut self, s: Self::Storage) -> Self::Storage {
        s
    }
}

#[test]
fn memory() {
    run_all(&mut Memory);
}

#[test]
fn memory_behind_a_record_buffer() {
    run_all(&mut Buffered(DEFAULT_RECORD_BUFFER));
}

#[test]
fn memory_behind_a_record_buffer_writing_through() {
    run_all(&mut Buffered(0));
}
