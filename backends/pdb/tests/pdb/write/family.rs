//! Writing a new family (`PdbStorage::create_family`): records roll over
//! to new members past `maxsize`, the family reads back as what a
//! `MemoryStorage` given the same calls holds, and every member is a PDB
//! file of its own.

use std::path::{Path, PathBuf};

use qnd_pdb::snapshot::ByteOrder;
use qnd_pdb::PdbStorage;
use qnd_storage::conformance::check_same;
use qnd_storage::MemoryStorage;
use qnd_storage::{Array, DType, Kind, LeafSpec, Run, Storage, StorageError};

fn arr<T>(v: Vec<T>, shape: &[usize]) -> Array
where
    Array: From<ndarray::ArrayD<T>>,
{
    Array::from(ndarray::ArrayD::from_shape_vec(shape, v).unwrap())
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 1,
    }
}

fn namer(dir: &Path) -> Box<dyn Fn(usize) -> PathBuf + Send + Sync> {
    let dir = dir.to_path_buf();
    Box::new(move |k| dir.join(format!("f{k:02}.pdb")))
}

/// The members on disk, in order.
fn members(dir: &Path) -> Vec<PathBuf> {
    (0..)
        .map(|k| dir.join(format!("f{k:02}.pdb")))
        .take_while(|p| p.exists())
        .collect()
}

/// The calls: a leaf `nx`, a group `geom` with a leaf and an attribute,
/// `time` (f8) and `u` (3 f8) records one per call, `probe/temp` records
/// only for the first 5 steps (so later members lack it); after the
/// records, `nx` overwritten.
fn fill<S: Storage>(s: &mut S, nrec: usize) {
    let root = s.root();
    let nx = s
        .create_leaf(root, "nx", &spec(DType::I32, &[], false))
        .unwrap();
    s.write(nx, &[], &arr(vec![3i32], &[])).unwrap();
    let g = s.create_group(root, "geom").unwrap();
    let r = s
        .create_leaf(g, "r", &spec(DType::F64, &[4], false))
        .unwrap();
    s.write(r, &Run::whole(&[4]), &arr(vec![0.0, 1.0, 2.0, 3.0], &[4]))
        .unwrap();
    s.set_attr(r, "units", &arr(vec![7i64, 8], &[2])).unwrap();
    s.set_attr(root, "title", &arr(vec![1.5f64], &[])).unwrap();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    let u = s
        .create_leaf(root, "u", &spec(DType::F64, &[3], true))
        .unwrap();
    let probe = s.create_group(root, "probe").unwrap();
    let temp = s
        .create_leaf(probe, "temp", &spec(DType::F64, &[], true))
        .unwrap();
    for i in 0..nrec {
        let t = i as f64;
        s.append_records(time, &arr(vec![t * 0.5], &[1])).unwrap();
        s.append_records(u, &arr(vec![t, t + 0.25, -t], &[1, 3]))
            .unwrap();
        if i < 5 {
            s.append_records(temp, &arr(vec![300.0 + t], &[1])).unwrap();
        }
    }
    s.write(nx, &[], &arr(vec![42i32], &[])).unwrap();
}

#[test]
fn a_family_reads_back_as_written() {
    for (maxsize, order) in [
        (300u64, ByteOrder::Little),
        (4096, ByteOrder::Big),
        (1 << 30, ByteOrder::Little),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = PdbStorage::create_family(namer(dir.path()), maxsize, order, true).unwrap();
        fill(&mut s, 200);
        let mut mem = MemoryStorage::new();
        fill(&mut mem, 200);
        // readable before the close, through the writer
        check_same(&mut s, &mut mem);
        s.close().unwrap();
        drop(s);
        let ms = members(dir.path());
        if maxsize == 1 << 30 {
            assert_eq!(ms.len(), 1);
        } else {
            // 200 * 32 bytes of records
            let want = if maxsize == 300 { 10 } else { 2 };
            assert!(ms.len() >= want, "maxsize {maxsize}: {} members", ms.len());
        }
        let mut f = PdbStorage::open_family(&ms).unwrap();
        check_same(&mut f, &mut mem);
        assert!(f.warnings().is_empty(), "{:?}", f.warnings());
    }
}

#[test]
fn every_member_is_a_pdb_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = PdbStorage::create_family(namer(dir.path()), 300, ByteOrder::Little, true).unwrap();
    fill(&mut s, 200);
    s.close().unwrap();
    drop(s);
    let ms = members(dir.path());
    assert!(ms.len() >= 10, "{} members", ms.len());
    let (mut times, mut us, mut temps) = (0, 0, 0);
    let mut last_time = -0.5f64;
    // members with no block of `probe/temp` (its 5 records come first)
    let mut lacking = 0;
    for (k, p) in ms.iter().enumerate() {
        let mut m = PdbStorage::open(p).unwrap();
        assert!(m.warnings().is_empty(), "member {k}: {:?}", m.warnings());
        let root = m.root();
        let names = m.names(root).unwrap();
        // non-record items and attributes only in member 0
        assert_eq!(
            names.contains(&"nx".to_string()),
            k == 0,
            "member {k}: {names:?}"
        );
        assert_eq!(m.attr_names(root).unwrap().is_empty(), k != 0);
        assert!(
            names.contains(&"probe".to_string()),
            "member {k}: {names:?}"
        );
        let count = |m: &mut PdbStorage, path: &[&str]| -> usize {
            let mut at = m.root();
            for (j, n) in path.iter().enumerate() {
                match m.lookup(at, n).unwrap() {
                    Some((id, kind)) => {
                        if j + 1 == path.len() {
                            assert_eq!(kind, Kind::Records, "{path:?}");
                            return m.records(id).unwrap();
                        }
                        at = id;
                    }
                    None => return 0,
                }
            }
            0
        };
        let nt = count(&mut m, &["time"]);
        times += nt;
        us += count(&mut m, &["u"]);
        let np = count(&mut m, &["probe", "temp"]);
        if np == 0 {
            lacking += 1;
        }
        temps += np;
        if nt > 0 {
            let (id, _) = m.lookup(root, "time").unwrap().unwrap();
            let v = m.read(id, &[Run::span(0, nt)]).unwrap();
            let got: Vec<f64> = v.to_f64().unwrap().iter().copied().collect();
            assert_eq!(got[0], last_time + 0.5, "member {k}: records in order");
            last_time = got[nt - 1];
        }
    }
    assert_eq!((times, us, temps), (200, 200, 5));
    assert!(lacking >= ms.len() - 5, "{lacking} of {} members", ms.len());
}

#[test]
fn new_refuses_an_existing_member_0() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f00.pdb"), b"keep").unwrap();
    let e = PdbStorage::create_family(namer(dir.path()), 300, ByteOrder::Little, true);
    assert!(matches!(e, Err(StorageError::Library(_))), "{:?}", e.err());
    assert_eq!(std::fs::read(dir.path().join("f00.pdb")).unwrap(), b"keep");
    // without `new`, member 0 is truncated and the family made
    let mut s =
        PdbStorage::create_family(namer(dir.path()), 300, ByteOrder::Little, false).unwrap();
    fill(&mut s, 20);
    s.close().unwrap();
}

#[test]
fn new_items_after_a_rollover_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = PdbStorage::create_family(namer(dir.path()), 300, ByteOrder::Little, true).unwrap();
    fill(&mut s, 50);
    let root = s.root();
    let e = s.create_leaf(root, "late", &spec(DType::F64, &[], false));
    assert!(
        matches!(e, Err(StorageError::Unsupported(_))),
        "{:?}",
        e.err()
    );
    let e = s.create_group(root, "late_group");
    assert!(
        matches!(e, Err(StorageError::Unsupported(_))),
        "{:?}",
        e.err()
    );
    let e = s.set_attr(root, "late", &arr(vec![1i64], &[]));
    assert!(
        matches!(e, Err(StorageError::Unsupported(_))),
        "{:?}",
        e.err()
    );
    let (time, _) = s.lookup(root, "time").unwrap().unwrap();
    let e = s.write(time, &[Run::span(0, 1)], &arr(vec![9.0f64], &[1]));
    assert!(
        matches!(e, Err(StorageError::Unsupported(_))),
        "{:?}",
        e.err()
    );
    s.close().unwrap();
    drop(s);
    let mut f = PdbStorage::open_family(&members(dir.path())).unwrap();
    assert!(f.lookup(f.root(), "late").unwrap().is_none());
}

/// A record variable made in member 0 but given its first records after a
/// rollover, and flushes (with sync) in the middle of a member: the family
/// still reads as a `MemoryStorage` given the same calls.
fn late<S: Storage>(s: &mut S, flush: &mut dyn FnMut(&mut S)) {
    let root = s.root();
    let time = s
        .create_leaf(root, "time", &spec(DType::F64, &[], true))
        .unwrap();
    let late = s
        .create_leaf(root, "late", &spec(DType::I16, &[2], true))
        .unwrap();
    for i in 0..60 {
        s.append_records(time, &arr(vec![f64::from(i)], &[1]))
            .unwrap();
        if i % 7 == 3 {
            flush(s);
        }
        if i >= 40 {
            let v = i16::try_from(i).unwrap();
            s.append_records(late, &arr(vec![v, -v], &[1, 2])).unwrap();
        }
    }
}

#[test]
fn a_record_variable_first_written_in_a_later_member() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = PdbStorage::create_family(namer(dir.path()), 300, ByteOrder::Little, true).unwrap();
    s.set_sync(true);
    late(&mut s, &mut |s: &mut PdbStorage| s.flush().unwrap());
    let mut mem = MemoryStorage::new();
    late(&mut mem, &mut |_: &mut MemoryStorage| {});
    check_same(&mut s, &mut mem);
    s.close().unwrap();
    drop(s);
    let ms = members(dir.path());
    assert!(ms.len() >= 3, "{} members", ms.len());
    // member 0 declares `late` with no records
    let mut m0 = PdbStorage::open(&ms[0]).unwrap();
    let (id, kind) = m0.lookup(m0.root(), "late").unwrap().unwrap();
    assert_eq!((kind, m0.records(id).unwrap()), (Kind::Records, 0));
    let mut f = PdbStorage::open_family(&ms).unwrap();
    check_same(&mut f, &mut mem);
    assert!(f.warnings().is_empty(), "{:?}", f.warnings());
}

/// Before the close, what is on disk is a readable family: the members
/// rolled over are complete, the current one, never flushed, reads as an
/// empty group (its header still holds the dummy addresses).
#[test]
fn an_unclosed_family_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = PdbStorage::create_family(namer(dir.path()), 300, ByteOrder::Little, true).unwrap();
    fill(&mut s, 50);
    let ms = members(dir.path());
    assert!(ms.len() >= 3, "{} members", ms.len());
    let (last, done) = ms.split_last().unwrap();
    for p in done {
        let m = PdbStorage::open(p).unwrap();
        assert!(m.warnings().is_empty(), "{p:?}: {:?}", m.warnings());
    }
    let mut m = PdbStorage::open(last).unwrap();
    assert!(m.names(m.root()).unwrap().is_empty());
    assert!(
        m.warnings()[0].contains("never flushed"),
        "{:?}",
        m.warnings()
    );
    let mut f = PdbStorage::open_family(&ms).unwrap();
    let (time, _) = f.lookup(f.root(), "time").unwrap().unwrap();
    let n = f.records(time).unwrap();
    assert!(n > 0 && n < 50, "{n} records");
    let (mt, _) = s.lookup(s.root(), "time").unwrap().unwrap();
    assert_eq!(
        f.read(time, &[Run::span(0, n)]).unwrap(),
        s.read(mt, &[Run::span(0, n)]).unwrap()
    );
    s.close().unwrap();
}
