//! Partial reads agree with whole reads; big reads are fast.

use crate::common;

use qnd_pdb::PdbStorage;
use qnd_storage::{Kind, NodeId, Run, Storage};

/// Slabs to try on an array of `shape`: single elements, strided runs,
/// sub-blocks.
fn slabs(shape: &[usize]) -> Vec<Vec<Run>> {
    let mut out = vec![];
    if shape.contains(&0) {
        return out;
    }
    out.push(shape.iter().map(|_| Run::one(0)).collect());
    out.push(shape.iter().map(|&n| Run::one(n - 1)).collect());
    out.push(
        shape
            .iter()
            .map(|&n| Run::strided(0, n.div_ceil(2), 2))
            .collect(),
    );
    out.push(shape.iter().map(|&n| Run::span(n / 2, n - n / 2)).collect());
    out.push(
        shape
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                if k == 0 {
                    Run::strided(n - 1, 1, 3)
                } else {
                    Run::all(n)
                }
            })
            .collect(),
    );
    if shape.len() >= 2 {
        let mut s = Run::whole(shape);
        s[shape.len() - 1] = Run::strided(0, shape[shape.len() - 1].div_ceil(2), 2);
        out.push(s);
        let mut s = Run::whole(shape);
        s[0] = Run::strided(1.min(shape[0] - 1), 1, 1);
        out.push(s);
    }
    out
}

fn check_node(s: &mut PdbStorage, id: NodeId, path: &str, checked: &mut usize) {
    match s.lookup_kind(id) {
        Kind::Group => {
            for n in s.names(id).unwrap() {
                let (c, _) = s.lookup(id, &n).unwrap().unwrap();
                check_node(s, c, &format!("{path}/{n}"), checked);
            }
        }
        Kind::Leaf | Kind::Records => {
            let info = s.info(id).unwrap();
            let whole = s.read(id, &Run::whole(&info.shape)).unwrap();
            assert_eq!(whole.shape(), info.shape.as_slice(), "{path}");
            for slab in slabs(&info.shape) {
                let part = s.read(id, &slab).unwrap();
                let want = common::leaf(&whole.take_slab(&slab));
                if let Err(e) = common::same(&common::leaf(&part), &want, path) {
                    panic!("{e} {slab:?}");
                }
                *checked += 1;
            }
        }
        _ => {}
    }
}

trait KindOf {
    fn lookup_kind(&mut self, id: NodeId) -> Kind;
}

impl KindOf for PdbStorage {
    fn lookup_kind(&mut self, id: NodeId) -> Kind {
        if self.names(id).is_ok() {
            Kind::Group
        } else if let Ok(info) = self.info(id) {
            if info.records {
                Kind::Records
            } else {
                Kind::Leaf
            }
        } else {
            Kind::None
        }
    }
}

#[test]
fn partial_reads_match_whole_reads() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut checked = 0;
    for f in [
        "types.pdb",
        "tree.pdb",
        "history.pdb",
        "append.pdb",
        "be.pdb",
    ] {
        let mut s = PdbStorage::open(&dir.join(f)).unwrap();
        let r = s.root();
        check_node(&mut s, r, f, &mut checked);
    }
    let members: Vec<_> = (0..3).map(|k| dir.join(format!("fam{k:02}.pdb"))).collect();
    let mut s = PdbStorage::open_family(&members).unwrap();
    let r = s.root();
    check_node(&mut s, r, "fam", &mut checked);
    assert!(checked > 100, "{checked}");
}

#[test]
fn records_in_blocks_of_several() {
    // Block 1 holds records 0-2, block 2 records 3-4 (PDBLib style), with a
    // continuation line in Blocks; records are f8[2].
    let vals: Vec<f64> = (0..10).map(f64::from).collect();
    let mut data = Vec::new();
    for v in &vals[..6] {
        data.extend(v.to_le_bytes());
    }
    data.extend([0xAA; 8]); // a gap of old bytes
    for v in &vals[6..] {
        data.extend(v.to_le_bytes());
    }
    let file = common::pdb(
        &data,
        "x|double|2|128|1|2|1|1|",
        &format!("x|2 128 6\n {} 4", 128 + 56),
        false,
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blocks.pdb");
    std::fs::write(&p, file).unwrap();
    let mut s = PdbStorage::open(&p).unwrap();
    let (x, k) = s.lookup(s.root(), "x").unwrap().unwrap();
    assert_eq!(k, Kind::Records);
    assert_eq!(s.records(x).unwrap(), 5);
    let all = s.read(x, &[Run::all(5), Run::all(2)]).unwrap();
    assert_eq!(
        all.to_f64().unwrap().iter().copied().collect::<Vec<_>>(),
        vals
    );
    let part = s.read(x, &[Run::strided(1, 2, 2), Run::one(1)]).unwrap();
    assert_eq!(
        part.to_f64().unwrap().iter().copied().collect::<Vec<_>>(),
        [3.0, 7.0]
    );
}

#[test]
fn big_endian_and_row_major() {
    let mut data = Vec::new();
    for v in 0..6i32 {
        data.extend(v.to_be_bytes());
    }
    let mut file = common::pdb(&data, "m|integer|6|128|1|3|1|2|", "", true);
    // Row major: dims slowest first.
    let at = file
        .windows(15)
        .position(|w| w == b"Major-Order:102")
        .unwrap();
    file[at + 14] = b'1';
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("row.pdb");
    std::fs::write(&p, file).unwrap();
    let mut s = PdbStorage::open(&p).unwrap();
    let (m, _) = s.lookup(s.root(), "m").unwrap().unwrap();
    assert_eq!(s.info(m).unwrap().shape, [3, 2]);
    let a = s.read(m, &[Run::all(3), Run::one(1)]).unwrap();
    assert_eq!(
        a.to_f64().unwrap().iter().copied().collect::<Vec<_>>(),
        [1.0, 3.0, 5.0]
    );
}

/// A 1e7-element f8 leaf read whole, against `std::fs::read` of the same
/// bytes (release builds only; `cargo test --release -- --ignored speed`).
#[test]
#[ignore]
fn speed_of_a_big_read() {
    let n = 10_000_000usize;
    let mut data = Vec::with_capacity(n * 8);
    for k in 0..n {
        data.extend((k as f64).to_le_bytes());
    }
    let file = common::pdb(&data, format!("x|double|{n}|128|1|{n}|"), "", false);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.pdb");
    std::fs::write(&p, &file).unwrap();
    let mut s = PdbStorage::open(&p).unwrap();
    let (x, _) = s.lookup(s.root(), "x").unwrap().unwrap();
    let mut best = (f64::MAX, f64::MAX);
    for _ in 0..7 {
        let t = std::time::Instant::now();
        let a = s.read(x, &[Run::all(n)]).unwrap();
        let ours = t.elapsed().as_secs_f64();
        assert_eq!(a.size(), n);
        drop(a);
        let t = std::time::Instant::now();
        let b = std::fs::read(&p).unwrap();
        let std = t.elapsed().as_secs_f64();
        assert_eq!(b.len(), file.len());
        drop(b);
        best = (best.0.min(ours), best.1.min(std));
    }
    println!(
        "qnd-pdb {:.1} ms, std::fs::read {:.1} ms, ratio {:.2}",
        best.0 * 1e3,
        best.1 * 1e3,
        best.0 / best.1
    );
}

#[test]
fn small_selections_read_few_bytes() {
    let n = 200_000usize;
    let data: Vec<u8> = (0..n).flat_map(|k| (k as f64).to_le_bytes()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = common::open(
        tmp.path(),
        "big.pdb",
        &common::pdb(&data, format!("x|double|{n}|128|1|1000|1|200|"), "", false),
    );
    let (x, _) = common::find(&mut s, "x");
    assert_eq!(s.info(x).unwrap().shape, [200, 1000]);
    let cost = |s: &mut PdbStorage, slab: &[Run]| {
        let before = s.bytes_read();
        let a = s.read(x, slab).unwrap();
        (s.bytes_read() - before, a)
    };
    let (b, a) = cost(&mut s, &[Run::one(150), Run::one(7)]);
    assert_eq!(b, 8);
    assert_eq!(
        a.to_f64().unwrap().iter().copied().collect::<Vec<_>>(),
        [150_007.0]
    );
    // A column: 200 elements 8000 bytes apart.
    let (b, a) = cost(&mut s, &[Run::all(200), Run::one(3)]);
    assert_eq!(b, 200 * 8);
    assert_eq!(a.to_f64().unwrap()[[5, 0]], 5003.0);
    // Every other element of a row: one read of the span.
    let (b, _) = cost(&mut s, &[Run::one(2), Run::strided(0, 500, 2)]);
    assert!(b <= 1000 * 8, "{b}");
    // Rows 10..20 whole: 10 rows, contiguous.
    let (b, _) = cost(&mut s, &[Run::span(10, 10), Run::all(1000)]);
    assert_eq!(b, 10 * 1000 * 8);
    let (b, _) = cost(&mut s, &[Run::all(200), Run::all(1000)]);
    assert_eq!(b, n as u64 * 8);
}

/// 1e6 scalar records, each its own block, interleaved with another
/// variable's as Python qnd writes them (`-- --ignored speed --nocapture`).
#[test]
#[ignore]
fn speed_of_interleaved_records() {
    let n = 1_000_000usize;
    let mut data = Vec::with_capacity(n * 16);
    let mut bt = format!("t|{n}");
    let mut be = format!("e|{n}");
    for k in 0..n {
        let at = 128 + data.len();
        data.extend((k as f64).to_le_bytes());
        data.extend((-(k as f64)).to_le_bytes());
        bt.push_str(&format!(" {at} 1"));
        be.push_str(&format!(" {} 1", at + 8));
    }
    let file = common::pdb(
        &data,
        "t|double|1|128|1|1|\ne|double|1|136|1|1|",
        &format!("{bt}\n{be}"),
        false,
    );
    let tmp = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let mut s = common::open(tmp.path(), "rec.pdb", &file);
    let open = t0.elapsed().as_secs_f64();
    let (t, _) = common::find(&mut s, "t");
    let t1 = std::time::Instant::now();
    let a = s.read(t, &[Run::all(n)]).unwrap();
    let read = t1.elapsed().as_secs_f64();
    assert_eq!(a.to_f64().unwrap()[[n - 1]], (n - 1) as f64);
    let t2 = std::time::Instant::now();
    let one = s.read(t, &[Run::one(n / 2)]).unwrap();
    let single = t2.elapsed().as_secs_f64();
    assert_eq!(one.to_f64().unwrap()[[0]], (n / 2) as f64);
    println!(
        "open {:.1} ms, read all {:.1} ms, one record {:.3} ms",
        open * 1e3,
        read * 1e3,
        single * 1e3
    );
}
