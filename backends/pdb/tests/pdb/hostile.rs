//! Hostile files: errors, never panics, and no read much larger than the
//! file. Refusals of PDB-I and PDB-III by name. Read-only.

use crate::common;

use std::path::Path;

use qnd_pdb::PdbStorage;
use qnd_storage::{Array, DType, LeafSpec, Run, Storage, StorageError};

/// Open `bytes` as a file and read everything; the largest array read
/// must not be much larger than the file.
fn survive(dir: &Path, bytes: &[u8], what: &str) -> Option<StorageError> {
    let p = dir.join("hostile.pdb");
    std::fs::write(&p, bytes).unwrap();
    match PdbStorage::open(&p) {
        Ok(mut s) => {
            let most = common::walk_all(&mut s);
            assert!(
                most <= 4 * bytes.len() + 64,
                "{what}: read {most} bytes from a file of {}",
                bytes.len()
            );
            None
        }
        Err(e) => Some(e),
    }
}

fn fixture_bytes() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = common::fixtures()?;
    Some(
        [
            "types.pdb",
            "tree.pdb",
            "history.pdb",
            "append.pdb",
            "be.pdb",
            "fam01.pdb",
        ]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect(),
    )
}

#[test]
fn truncated_at_every_37th_byte() {
    let Some(files) = fixture_bytes() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut errors = 0;
    for (name, b) in &files {
        for n in (0..b.len()).step_by(37) {
            if let Some(e) = survive(tmp.path(), &b[..n], &format!("{name} cut at {n}")) {
                errors += 1;
                assert!(
                    matches!(e, StorageError::Layout(_)),
                    "{name} cut at {n}: {e:?}"
                );
            }
        }
    }
    assert!(errors > 50, "{errors}");
}

#[test]
fn flipped_bytes() {
    let Some(files) = fixture_bytes() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (name, b) in &files {
        for k in (0..b.len()).step_by(5) {
            for x in [0xff, 0x01, b'9' ^ b[k]] {
                let mut m = b.clone();
                m[k] ^= x;
                survive(tmp.path(), &m, &format!("{name} byte {k} ^ {x}"));
            }
        }
    }
}

fn replace(b: &[u8], from: &str, to: &str) -> Vec<u8> {
    let at = b
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from} not found"));
    let mut out = b[..at].to_vec();
    out.extend(to.as_bytes());
    out.extend(&b[at + from.len()..]);
    out
}

#[test]
fn huge_counts_and_addresses_past_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..5).flat_map(|v| f64::from(v).to_le_bytes()).collect();
    let good = common::pdb(
        &data,
        "x|double|5|128|1|5|\nt|double|1|136|1|1|",
        "t|2 128 1 136 1",
        false,
    );
    assert!(survive(tmp.path(), &good, "good").is_none());
    let cases = [
        (
            "x|double|5|128|1|5|",
            "x|double|1000000000000|128|1|1000000000000|",
        ),
        (
            "x|double|5|128|1|5|",
            "x|double|9223372036854775807|128|1|9223372036854775807|",
        ),
        (
            "x|double|5|128|1|5|",
            "x|double|99999999999999999999999|128|1|5|",
        ),
        ("x|double|5|128|1|5|", "x|double|5|999999|1|5|"),
        ("x|double|5|128|1|5|", "x|double|5|-8|1|5|"),
        ("x|double|5|128|1|5|", "x|double|5|9223372036854775800|1|5|"),
        (
            "x|double|5|128|1|5|",
            "x|text|0|128|1|1000000000000000|1|0|",
        ),
        (
            "x|double|5|128|1|5|",
            "x|text|0|128|1|0|1|1000000000000000|",
        ),
        ("x|double|5|128|1|5|", "x|complex|5|128|1|5|"),
        ("x|double|5|128|1|5|", "x|double *|5|128|1|5|"),
        ("x|double|5|128|1|5|", "x|nosuchtype|5|128|1|5|"),
        ("t|2 128 1 136 1", "t|2 128 1 136 1000000000000"),
        ("t|2 128 1 136 1", "t|1000000000 128 1 136 1"),
        ("t|2 128 1 136 1", "t|2 128 1 9999999999 1"),
        ("t|double|1|136|1|1|", "t|double|1|136|1|0|"),
    ];
    for (from, to) in cases {
        let from = from.replace('|', "\x01");
        let to = to.replace('|', "\x01");
        let bad = replace(&good, &from, &to);
        let p = tmp.path().join("bad.pdb");
        std::fs::write(&p, &bad).unwrap();
        match PdbStorage::open(&p) {
            Err(e) => assert!(matches!(e, StorageError::Layout(_)), "{to:?}: {e:?}"),
            Ok(mut s) => {
                let r = s.root();
                for name in s.names(r).unwrap() {
                    let (id, _) = s.lookup(r, &name).unwrap().unwrap();
                    let Ok(info) = s.info(id) else { continue };
                    // The bad item must fail to read (the good one reads).
                    let got = s.read(id, &Run::whole(&info.shape));
                    if let Ok(a) = &got {
                        assert!(a.size() <= 5, "{to:?}: {name} read {} elements", a.size());
                    }
                }
                survive(tmp.path(), &bad, &to);
            }
        }
    }
    // The huge header addresses too.
    let hdr = replace(
        &good,
        &format!("{}\x01", 128 + data.len()),
        "99999999999\x01",
    );
    assert!(matches!(
        survive(tmp.path(), &hdr, "chart address"),
        Some(StorageError::Layout(_))
    ));
}

#[test]
fn pdb_one_and_three_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let one = b"!<><PDB><>!\n1\n200\n300\n".to_vec();
    match survive(tmp.path(), &one, "PDB-I") {
        Some(StorageError::Unsupported(m)) => assert!(m.contains("PDB-I "), "{m}"),
        other => panic!("{other:?}"),
    }
    let three = b"junk\ndouble x[3] @ 128 (3);\nStructureChartAddress: 5\nSymbolTableAddress: 9\n!<<PDB:3>>!\n".to_vec();
    match survive(tmp.path(), &three, "PDB-III") {
        Some(StorageError::Unsupported(m)) => assert!(m.contains("PDB-III"), "{m}"),
        other => panic!("{other:?}"),
    }
    let three = b"!<<PDB:3>>!\nsomething".to_vec();
    match survive(tmp.path(), &three, "PDB-III token") {
        Some(StorageError::Unsupported(m)) => assert!(m.contains("PDB-III"), "{m}"),
        other => panic!("{other:?}"),
    }
    let other = b"CDF\x01 not a PDB file at all".to_vec();
    match survive(tmp.path(), &other, "netCDF") {
        Some(StorageError::Layout(m)) => {
            assert!(m.contains("offset 0") && m.contains("PDB-II"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(qnd_pdb::is_pdb(b"!<<PDB:II>>!\n"));
    assert!(qnd_pdb::is_pdb(b"!<><PDB><>!\n"));
    assert!(!qnd_pdb::is_pdb(b"\x89HDF\r\n"));
}

#[test]
fn bytes_after_the_end_and_line_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let data: Vec<u8> = 7i32.to_le_bytes().to_vec();
    let mut good = common::pdb(&data, "n|integer|1|128|", "", false);
    good.extend(b"old metadata\x01\x02\x01\nleft over\n\n");
    let p = tmp.path().join("tail.pdb");
    std::fs::write(&p, &good).unwrap();
    let mut s = PdbStorage::open(&p).unwrap();
    let (n, _) = s.lookup(s.root(), "n").unwrap().unwrap();
    assert_eq!(s.read(n, &[]).unwrap(), Array::scalar(7i32));
    // \x1f and \r as line ends.
    for eol in [b'\x1f', b'\r'] {
        let mut b = common::pdb(&data, "n|integer|1|128|", "", false);
        let from = 128 + data.len();
        for c in &mut b[from..] {
            if *c == b'\n' {
                *c = eol;
            }
        }
        b[12] = eol;
        std::fs::write(&p, &b).unwrap();
        let mut s = PdbStorage::open(&p).unwrap();
        let (n, _) = s.lookup(s.root(), "n").unwrap().unwrap();
        assert_eq!(s.read(n, &[]).unwrap(), Array::scalar(7i32));
    }
}

#[test]
fn read_only() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let mut s = PdbStorage::open(&dir.join("history.pdb")).unwrap();
    let r = s.root();
    let (t, _) = s.lookup(r, "time").unwrap().unwrap();
    let refused =
        |e: StorageError| matches!(e, StorageError::Unsupported(m) if m.contains("read-only"));
    assert!(refused(s.create_group(r, "g").unwrap_err()));
    assert!(refused(s.create_none(r, "n").unwrap_err()));
    let spec = LeafSpec {
        dtype: DType::F64,
        shape: vec![],
        records: false,
        text_len: 0,
    };
    assert!(refused(s.create_leaf(r, "x", &spec).unwrap_err()));
    assert!(refused(
        s.write(t, &[Run::one(0)], &Array::zeros(DType::F64, &[1]))
            .unwrap_err()
    ));
    assert!(refused(s.append(t, &Array::scalar(1.0)).unwrap_err()));
    assert!(refused(
        s.append_records(t, &Array::zeros(DType::F64, &[1]))
            .unwrap_err()
    ));
    assert!(refused(
        s.set_attr(t, "a", &Array::scalar(1.0)).unwrap_err()
    ));
    assert!(refused(s.remove(r, "time").unwrap_err()));
    s.flush().unwrap();
    s.refresh().unwrap();
    s.close().unwrap();
    assert_eq!(s.capabilities(), qnd_pdb::CAPABILITIES);
}

mod props {
    use proptest::prelude::*;

    use super::*;

    fn mutate(b: &mut Vec<u8>, kind: u8, a: usize, c: usize, x: u8) {
        if b.is_empty() {
            return;
        }
        let p = a % b.len();
        match kind % 4 {
            0 => b[p] ^= x | 1,
            1 => b.truncate(p),
            2 => {
                let q = c % b.len();
                let piece = b[q..(q + 16).min(b.len())].to_vec();
                let end = (p + 16).min(b.len());
                b.splice(p..end, piece);
            }
            _ => {
                let s: &[u8] = match x % 4 {
                    0 => b"99999999999999999999",
                    1 => b"1000000000000",
                    2 => b"\n",
                    _ => b"\x01",
                };
                b.splice(p..p, s.iter().copied());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Whole files, mutated, opened and read through the `Storage`
        /// trait: errors only, and no read larger than a few times the file.
        #[test]
        fn mutated_files_never_panic(
            seed in any::<prop::sample::Index>(),
            muts in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<u8>()), 1..4),
        ) {
            let Some(files) = fixture_bytes() else { return Ok(()) };
            let tmp = tempfile::tempdir().unwrap();
            let (name, b) = &files[seed.index(files.len())];
            let mut b = b.clone();
            // Aim most mutations at the metadata (the last ~40%).
            for (k, a, c, x) in muts {
                let meta = b.len() * 6 / 10;
                let a = if k & 0x80 == 0 { meta + a % b.len().saturating_sub(meta).max(1) } else { a };
                mutate(&mut b, k, a, c, x);
            }
            survive(tmp.path(), &b, name);
        }
    }
}
