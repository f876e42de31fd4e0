//! The lockstep of processes writing one file, without MPI: "processes"
//! are threads sharing a communicator made of a barrier and shared slots,
//! each holding its own in-memory copy of the file
//! (`qnd::parallel::memory`). Checks that a failure on one process is an
//! error on all, that calls out of step are refused before anything is
//! written, and layouts.

use std::sync::{Arc, Barrier, Mutex};

use ndarray::{array, Array1, Array2};
use qnd::parallel::{Comm, Parallel};
use qnd::{Error, Recording, Value};

/// A communicator of `size` threads.
struct Threads {
    rank: usize,
    shared: Arc<Shared>,
}

struct Shared {
    size: usize,
    barrier: Barrier,
    slots: Mutex<Vec<Vec<u64>>>,
    bytes: Mutex<Vec<u8>>,
}

impl Threads {
    fn exchange(&self, mine: Vec<u64>) -> Vec<Vec<u64>> {
        self.shared.slots.lock().unwrap()[self.rank] = mine;
        self.shared.barrier.wait();
        let all = self.shared.slots.lock().unwrap().clone();
        self.shared.barrier.wait();
        all
    }
}

impl Comm for Threads {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.shared.size
    }
    fn all_max(&self, words: &mut [u64]) {
        let all = self.exchange(words.to_vec());
        for (k, w) in words.iter_mut().enumerate() {
            *w = all.iter().map(|v| v[k]).max().unwrap();
        }
    }
    fn all_gather(&self, x: u64) -> Vec<u64> {
        self.exchange(vec![x]).into_iter().map(|v| v[0]).collect()
    }
    fn all_gather_v(&self, xs: &[u64]) -> Vec<u64> {
        self.exchange(xs.to_vec()).concat()
    }
    fn broadcast(&self, root: usize, bytes: &mut Vec<u8>) {
        if self.rank == root {
            *self.shared.bytes.lock().unwrap() = bytes.clone();
        }
        self.shared.barrier.wait();
        *bytes = self.shared.bytes.lock().unwrap().clone();
        self.shared.barrier.wait();
    }
    fn barrier(&self) {
        self.shared.barrier.wait();
    }
    fn abort(&self, code: i32) -> ! {
        std::process::exit(code)
    }
}

/// Run `f(rank, file)` on `size` threads, each with its own in-memory
/// file in step with the others; the results by rank.
fn ranks<T: Send + 'static>(
    size: usize,
    f: impl Fn(usize, qnd::QGroup) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let shared = Arc::new(Shared {
        size,
        barrier: Barrier::new(size),
        slots: Mutex::new(vec![Vec::new(); size]),
        bytes: Mutex::new(Vec::new()),
    });
    let f = Arc::new(f);
    let threads: Vec<_> = (0..size)
        .map(|rank| {
            let shared = shared.clone();
            let f = f.clone();
            std::thread::spawn(move || {
                let comm = Threads { rank, shared };
                let file = qnd::parallel::memory(&Parallel::new(comm));
                f(rank, file)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn replicated_calls_in_step_build_the_same_tree_everywhere() {
    let trees = ranks(3, |rank, f| {
        assert_eq!((f.rank(), f.ranks()), (rank, 3));
        f.set("x", 2.5).unwrap();
        f.create_group("g").unwrap();
        f.update([("a", Value::from(1i64)), ("b", Value::from("text"))])
            .unwrap();
        f.attrs("").unwrap().set("units", "m").unwrap();
        f.set_recording(Recording::Uniform);
        for k in 0..5 {
            f.set("time", k as f64).unwrap();
        }
        f.flush().unwrap();
        f.goto(-1);
        assert_eq!(f.read::<f64>("time").unwrap(), 4.0);
        let tree = f.to_value().unwrap();
        f.close().unwrap();
        tree
    });
    assert_eq!(trees[0], trees[1]);
    assert_eq!(trees[0], trees[2]);
}

#[test]
fn a_failure_on_one_process_is_an_error_on_all_and_changes_nothing() {
    let outcomes = ranks(4, |rank, f| {
        f.set("u", array![1.0, 2.0, 3.0]).unwrap();
        // rank 2 passes a value of another shape to the existing leaf
        let v = if rank == 2 {
            array![9.0, 9.0].into_dyn()
        } else {
            array![4.0, 5.0, 6.0].into_dyn()
        };
        let e = f.set("u", v).unwrap_err();
        // nothing was written, on any process
        assert_eq!(f.read::<Vec<f64>>("u").unwrap(), [1.0, 2.0, 3.0]);
        // and the processes are still in step
        f.set("after", 1i32).unwrap();
        f.close().unwrap();
        e
    });
    for (rank, e) in outcomes.iter().enumerate() {
        match (rank, e) {
            (2, Error::Mismatch { .. }) => {}
            (2, other) => panic!("rank 2 got {other}"),
            (
                _,
                Error::Parallel {
                    rank: 2,
                    message,
                    call,
                    ..
                },
            ) => {
                assert_eq!(*call, "set");
                assert!(message.contains("/u"), "{message}");
            }
            (r, other) => panic!("rank {r} got {other}"),
        }
    }
}

#[test]
fn a_failed_record_is_buffered_nowhere() {
    let counts = ranks(3, |rank, f| {
        f.set_recording(Recording::Uniform);
        f.set("n", 1i32).unwrap();
        // rank 1's record does not fit the i32 record variable
        let bad = if rank == 1 {
            Value::from(0.5)
        } else {
            Value::from(2i32)
        };
        assert!(f.set("n", bad).is_err());
        f.flush().unwrap();
        let n = f.list("n").unwrap().len().unwrap();
        f.close().unwrap();
        n
    });
    assert_eq!(counts, [1, 1, 1]);
}

#[test]
fn calls_out_of_step_are_refused_before_anything_is_written() {
    let outcomes = ranks(3, |rank, f| {
        // rank 1 sets another name
        let name = if rank == 1 { "b" } else { "a" };
        let e = f.set(name, 1.0).unwrap_err();
        let written = f.contains("a").unwrap() || f.contains("b").unwrap();
        // recording modes that differ are out of step too
        if rank == 0 {
            f.set_recording(Recording::Uniform);
        }
        let e2 = f.set("c", 1.0).unwrap_err();
        (e, e2, written)
    });
    for (e, e2, written) in outcomes {
        assert!(matches!(e, Error::OutOfStep { call: "set", .. }), "{e}");
        assert!(matches!(e2, Error::OutOfStep { .. }), "{e2}");
        assert!(!written);
    }
}

#[test]
fn layouts_follow_the_ranks_and_scattered_rows_must_cover_every_row_once() {
    let layouts = ranks(3, |rank, f| {
        let l = f.layout(rank + 1).unwrap();
        let rows: Vec<usize> = match rank {
            0 => vec![4, 0],
            1 => vec![],
            _ => vec![1, 3, 2],
        };
        let s = f.scattered(&rows).unwrap();
        // row 5 given twice (rank 0 and 2): refused on every process
        let bad: Vec<usize> = if rank == 1 { vec![] } else { vec![5, rank] };
        let e = f.scattered(&bad).unwrap_err();
        (l, s, e)
    });
    let firsts: Vec<_> = layouts
        .iter()
        .map(|(l, _, _)| (l.part().runs()[0].first, l.total()))
        .collect();
    assert_eq!(firsts, [(0, 6), (1, 6), (3, 6)]);
    assert_eq!(layouts[0].1.total(), 5);
    assert_eq!(layouts[1].1.rows_here(), 0);
    assert_eq!(layouts[2].1.rows_here(), 3);
    for (_, _, e) in &layouts {
        assert!(matches!(e, Error::Invalid { .. }), "{e}");
        assert!(e.to_string().contains("row 5"), "{e}");
    }
}

#[test]
fn values_set_from_the_root_reach_every_process() {
    let got = ranks(3, |rank, f| {
        let v = (rank == 0).then(|| Value::from("from rank 0"));
        f.set_from_root("host", v).unwrap();
        // rank 0 passing nothing fails everywhere
        let e = f.set_from_root("nothing", None).unwrap_err();
        assert!(!f.contains("nothing").unwrap());
        (f.read::<String>("host").unwrap(), e)
    });
    for (rank, (host, e)) in got.into_iter().enumerate() {
        assert_eq!(host, "from rank 0");
        match rank {
            0 => assert!(matches!(e, Error::Invalid { .. }), "{e}"),
            _ => assert!(matches!(e, Error::Parallel { rank: 0, .. }), "{e}"),
        }
    }
}

#[test]
fn one_process_writes_parts_as_a_whole() {
    let f = qnd::parallel::memory(&Parallel::single());
    let l = f.layout(3).unwrap();
    f.set_part(
        "u",
        Array2::<f64>::from_shape_fn((3, 2), |(i, j)| (i * 2 + j) as f64),
        &l,
    )
    .unwrap();
    assert_eq!(f.leaf("u").unwrap().shape().unwrap(), [3, 2]);
    let s = f.scattered(&[2, 0, 1]).unwrap();
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set_part("r", Array1::from(vec![k as f64, 10.0, 20.0]), &s)
            .unwrap();
    }
    f.flush().unwrap();
    f.goto(1);
    // data row i went to global row [2, 0, 1][i]
    assert_eq!(f.read::<Vec<f64>>("r").unwrap(), [10.0, 20.0, 1.0]);
    // a part of another row count is refused
    let e = f.set_part("r", Array1::from(vec![1.0]), &s).unwrap_err();
    assert!(matches!(e, Error::Mismatch { .. }), "{e}");
    assert_eq!(f.leaf("r").unwrap().shape().map(|s| s[0]).unwrap(), 3);
}

#[test]
fn single_rank_runs_on_one_and_tells_all() {
    let got = ranks(3, |rank, f| {
        drop(f);
        let comm_file = qnd::parallel::memory(&Parallel::single());
        let ok = qnd::parallel::single_rank(&qnd::parallel::SingleProcess, 0, || Ok(rank));
        drop(comm_file);
        ok.unwrap()
    });
    assert_eq!(got, [Some(0), Some(1), Some(2)]);
}

#[test]
fn goto_for_reading_is_each_process_s_own_while_recording() {
    let counts = ranks(3, |rank, f| {
        f.set_recording(Recording::Uniform);
        for k in 0..4 {
            f.set("time", k as f64).unwrap();
        }
        // one rank reads an earlier record: its goto differs from the others'
        if rank == 1 {
            f.goto(0);
            assert_eq!(f.read::<f64>("time").unwrap(), 0.0);
        }
        f.set("time", 4.0).unwrap();
        // with recording off, the record goto points at must agree
        f.set_recording(Recording::Off);
        f.goto(if rank == 2 { 1 } else { 2 });
        let e = f.set("time", 9.0).unwrap_err();
        assert!(matches!(e, Error::OutOfStep { .. }), "{e}");
        f.goto(2);
        f.set("time", 9.0).unwrap();
        f.goto_off();
        f.read::<Vec<f64>>("time").unwrap()
    });
    for c in counts {
        assert_eq!(c, [0.0, 1.0, 9.0, 3.0, 4.0]);
    }
}
