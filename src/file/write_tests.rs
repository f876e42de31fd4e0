//! Tests of writes that fail, through the tree on the in-memory backend
//! with injected failures: a failed call keeps nothing of its own.

use std::path::Path;

use ndarray::{Array1, Array2};
use qnd_storage::{MemoryStorage, RecordBuffer};

use crate::file::{AnyStorage, FileState};
use crate::state::State;
use crate::{QGroup, Recording};

/// An in-memory file whose record buffers hold `cap` bytes.
fn memory_with(cap: usize) -> QGroup {
    let file = FileState::share(
        RecordBuffer::new(AnyStorage::from(MemoryStorage::new()), cap),
        Path::new("<memory>"),
        true,
        crate::default_max_read_bytes(),
    );
    QGroup::root_of(file, State::default())
}

/// A record append that fails (the memory backend's injected failure, which
/// leaves the backend as it was) keeps nothing: earlier records stay, and a
/// retry stores the record once.
#[test]
fn a_failed_set_keeps_nothing_and_a_retry_stores_once() {
    for record_buffer in [0, 16 << 10, 1 << 20] {
        let f = memory_with(record_buffer);
        f.set_recording(Recording::Uniform);
        let mut want = Vec::new();
        let mut failures = 0;
        for k in 0..3000usize {
            let u = Array1::from_elem(4, k as f64);
            // every 7th record fails once, whenever it would reach the backend
            let fail = k % 7 == 3;
            f.file.with_memory(|m| m.probe.fail_appends = fail);
            match f.set("u", u.clone()) {
                Ok(()) => want.push(u),
                Err(e) => {
                    failures += 1;
                    assert!(fail, "record {k}: {e}");
                    assert!(e.to_string().contains("appends fail"), "{e}");
                    f.file.with_memory(|m| m.probe.fail_appends = false);
                    // what is there is what the calls that returned Ok wrote
                    assert_eq!(f.record_count().unwrap(), want.len());
                    f.set("u", u.clone()).unwrap();
                    want.push(u);
                }
            }
        }
        f.file.with_memory(|m| m.probe.fail_appends = false);
        f.flush().unwrap();
        if record_buffer == 0 {
            assert!(failures > 0, "no append failed");
        }
        f.goto_off();
        let all: Array2<f64> = f.read("u").unwrap();
        assert_eq!(all.nrows(), want.len(), "buffer {record_buffer}");
        for (k, u) in want.iter().enumerate() {
            assert_eq!(all.row(k), u.view(), "record {k}");
        }
    }
}

/// A `set` that creates a record variable and fails leaves the variable
/// with no records (the backends cannot take a variable back); a retry
/// stores the record once.
#[test]
fn a_failed_first_record_leaves_an_empty_variable() {
    let f = memory_with(0);
    f.set_recording(Recording::Uniform);
    f.file.with_memory(|m| m.probe.fail_appends = true);
    assert!(f.set("t", 1.5).is_err());
    assert_eq!(f.list("t").unwrap().len().unwrap(), 0);
    f.file.with_memory(|m| m.probe.fail_appends = false);
    f.set("t", 1.5).unwrap();
    f.goto_off();
    assert_eq!(f.read::<Vec<f64>>("t").unwrap(), [1.5]);
}

/// A library failure while buffered records go out is a failure of the
/// file whichever call writes them: `flush`, and `refresh` on a file open
/// for writing (which writes its buffers out too). Every later call then
/// fails naming it.
#[test]
fn a_library_failure_writing_buffers_out_fails_the_file() {
    for call in ["flush", "refresh"] {
        let f = memory_with(1 << 20);
        f.set_recording(Recording::Uniform);
        f.set("t", 1.5).unwrap(); // buffered
        f.file.with_memory(|m| {
            m.probe.fail_appends = true;
            m.probe.fail_as_library = true;
        });
        let first = match call {
            "flush" => f.flush(),
            _ => f.refresh(),
        }
        .unwrap_err();
        assert!(
            first.to_string().contains("appends fail"),
            "{call}: {first}"
        );
        f.file.with_memory(|m| m.probe.fail_appends = false);
        for (what, later) in [("flush", f.flush()), ("set", f.set("t", 2.5))] {
            let e = later.expect_err(what);
            assert!(
                matches!(e, crate::Error::Failed { .. }),
                "{call}, then {what}: {e}"
            );
            assert!(
                e.to_string().contains("appends fail"),
                "{call}, then {what}: {e}"
            );
        }
    }
}
