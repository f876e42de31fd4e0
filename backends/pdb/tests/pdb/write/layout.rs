//! What the writer lays out: one block per call of `append_records`,
//! big-endian files, a new file readable at once.

use qnd_pdb::snapshot::ByteOrder;
use qnd_pdb::PdbStorage;
use qnd_storage::{Array, DType, LeafSpec, Run, Storage};

fn arr<T>(v: Vec<T>, shape: &[usize]) -> Result<Array, String>
where
    Array: From<ndarray::ArrayD<T>>,
{
    ndarray::ArrayD::from_shape_vec(shape, v)
        .map(Array::from)
        .map_err(|e| e.to_string())
}

fn spec(dtype: DType, shape: &[usize], records: bool) -> LeafSpec {
    LeafSpec {
        dtype,
        shape: shape.to_vec(),
        records,
        text_len: 1,
    }
}

/// The Blocks line of `name` in the file's last metadata (the one the
/// header points to is the last one written).
fn blocks_line(bytes: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(bytes);
    let start = text.rfind("Blocks:\n").expect("a Blocks extra");
    let body = &text[start..];
    let key = format!("\n{name}\x01");
    let at = body.find(&key).expect("a Blocks line") + 1;
    body[at..].lines().next().unwrap().to_string()
}

#[test]
fn a_thousand_records_in_ten_calls_are_ten_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdb");
    let mut s = PdbStorage::create(&path, ByteOrder::Little, true).unwrap();
    let root = s.root();
    let t = s
        .create_leaf(root, "t", &spec(DType::F64, &[], true))
        .unwrap();
    let u = s
        .create_leaf(root, "u", &spec(DType::I32, &[3], true))
        .unwrap();
    for call in 0..10 {
        let v: Vec<f64> = (0..100).map(|i| f64::from(call * 100 + i)).collect();
        s.append_records(t, &arr(v, &[100]).unwrap()).unwrap();
        let w: Vec<i32> = (0..300).map(|i| call * 300 + i).collect();
        s.append_records(u, &arr(w, &[100, 3]).unwrap()).unwrap();
    }
    s.close().unwrap();
    drop(s);
    let bytes = std::fs::read(&path).unwrap();
    let line = blocks_line(&bytes, "t");
    let fields: Vec<&str> = line.split('\x01').nth(1).unwrap().split(' ').collect();
    assert_eq!(fields[0], "10", "{line:?}");
    assert_eq!(fields.len(), 21, "{line:?}");
    for pair in fields[1..].chunks(2) {
        assert_eq!(pair[1], "100", "{line:?}");
    }
    let line = blocks_line(&bytes, "u");
    let fields: Vec<&str> = line.split('\x01').nth(1).unwrap().split(' ').collect();
    assert_eq!(fields[0], "10", "{line:?}");
    for pair in fields[1..].chunks(2) {
        assert_eq!(pair[1], "300", "{line:?}");
    }
    // the symtab entry describes the first record, at the first block
    let text = String::from_utf8_lossy(&bytes);
    let first_addr = fields[1];
    assert!(
        text.contains(&format!(
            "\nu\x01integer\x013\x01{first_addr}\x011\x013\x011\x011\x01\n"
        )),
        "u's entry"
    );
    // the whole metadata is small: no line per record
    let chart: usize = text[..128]
        .split('\n')
        .nth(2)
        .unwrap()
        .split('\x01')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        bytes.len() - chart < 1024,
        "metadata of {} bytes",
        bytes.len() - chart
    );
    let mut r = PdbStorage::open(&path).unwrap();
    let (t, _) = r.lookup(r.root(), "t").unwrap().unwrap();
    let all = r.read(t, &Run::whole(&[1000])).unwrap();
    let want: Vec<f64> = (0..1000).map(f64::from).collect();
    assert_eq!(all, arr(want, &[1000]).unwrap());
    let (u, _) = r.lookup(r.root(), "u").unwrap().unwrap();
    let some = r.read(u, &[Run::span(250, 2), Run::one(1)]).unwrap();
    assert_eq!(some, arr(vec![751i32, 754], &[2, 1]).unwrap());
}

#[test]
fn big_endian_create() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("be.pdb");
    let mut s = PdbStorage::create(&path, ByteOrder::Big, true).unwrap();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::I32, &[3], false))
        .unwrap();
    s.write(
        x,
        &Run::whole(&[3]),
        &arr(vec![1i32, 2, 258], &[3]).unwrap(),
    )
    .unwrap();
    let y = s
        .create_leaf(root, "y", &spec(DType::U16, &[], false))
        .unwrap();
    s.write(y, &[], &arr(vec![60000u16], &[]).unwrap()).unwrap();
    s.close().unwrap();
    drop(s);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        &bytes[20..23],
        &[1, 1, 1],
        "big-endian integers in the header"
    );
    let text = String::from_utf8_lossy(&bytes);
    let addr = |name: &str| -> usize {
        let at = text.rfind(&format!("\n{name}\x01")).unwrap() + 1;
        text[at..].split('\x01').nth(3).unwrap().parse().unwrap()
    };
    let x = addr("x");
    assert_eq!(x % 4, 0, "aligned");
    assert_eq!(&bytes[x..x + 12], &[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 2]);
    let y = addr("y");
    assert_eq!(&bytes[y..y + 2], &60000u16.to_be_bytes());
    assert!(
        text.contains("u16\x012\x012\x011\x01DEFORDER\x01FIX\x01\n"),
        "u16 primitive, order 1"
    );
    let mut r = PdbStorage::open(&path).unwrap();
    let (y, _) = r.lookup(r.root(), "y").unwrap().unwrap();
    assert_eq!(r.read(y, &[]).unwrap(), arr(vec![60000u16], &[]).unwrap());
}

#[test]
fn a_new_file_is_readable_at_once_and_leaves_read_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("n.pdb");
    let mut s = PdbStorage::create(&path, ByteOrder::Little, true).unwrap();
    assert!(
        PdbStorage::create(&path, ByteOrder::Little, true).is_err(),
        "new: exists"
    );
    let r = PdbStorage::open(&path).unwrap();
    assert!(r.warnings().is_empty(), "{:?}", r.warnings());
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::F64, &[2, 2], false))
        .unwrap();
    assert_eq!(
        s.read(x, &Run::whole(&[2, 2])).unwrap(),
        arr(vec![0.0f64; 4], &[2, 2]).unwrap()
    );
    // a read-only file refuses writes
    let mut ro = PdbStorage::open(&path).unwrap();
    let rr = ro.root();
    assert!(ro.create_group(rr, "g").is_err());
}

/// The chart address the header points to.
fn chart_of(bytes: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(&bytes[..128]);
    let line = text.split('\n').nth(2).unwrap();
    line.split('\x01').next().unwrap().parse().unwrap()
}

#[test]
fn a_flush_writes_only_what_is_new_and_one_metadata_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.pdb");
    let mut s = PdbStorage::create(&path, ByteOrder::Little, true).unwrap();
    let root = s.root();
    let t = s
        .create_leaf(root, "t", &spec(DType::F64, &[], true))
        .unwrap();
    for k in 0..20 {
        let x = s
            .create_leaf(root, &format!("x{k}"), &spec(DType::I64, &[4], false))
            .unwrap();
        s.set_attr(x, "units", &arr(vec!["metres".to_string()], &[]).unwrap())
            .unwrap();
    }
    s.flush().unwrap();
    let mut last = std::fs::read(&path).unwrap().len() as u64;
    for k in 0..5 {
        s.append_records(t, &arr(vec![f64::from(k)], &[1]).unwrap())
            .unwrap();
        s.flush().unwrap();
        let b = std::fs::read(&path).unwrap();
        let chart = chart_of(&b);
        // between the old end and the new metadata: the record only
        let pad = (8 - last % 8) % 8;
        assert_eq!(
            chart - last,
            pad + 8,
            "flush {k}: only the new record (aligned) before the metadata"
        );
        last = b.len() as u64;
    }
    // nothing new: nothing written
    s.flush().unwrap();
    assert_eq!(std::fs::read(&path).unwrap().len() as u64, last);
    // a changed attribute is written again, alone
    let (x0, _) = s.lookup(root, "x0").unwrap().unwrap();
    s.set_attr(x0, "units", &arr(vec!["feet".to_string()], &[]).unwrap())
        .unwrap();
    s.flush().unwrap();
    let b = std::fs::read(&path).unwrap();
    assert_eq!(chart_of(&b) - last, 4, "only the 4 bytes of \"feet\"");
    s.close().unwrap();
    let mut r = PdbStorage::open(&path).unwrap();
    let (x0, _) = r.lookup(r.root(), "x0").unwrap().unwrap();
    assert_eq!(
        r.get_attr(x0, "units").unwrap().unwrap(),
        arr(vec!["feet".to_string()], &[]).unwrap()
    );
    let (t, _) = r.lookup(r.root(), "t").unwrap().unwrap();
    assert_eq!(r.records(t).unwrap(), 5);
}

#[test]
fn a_dropped_file_is_flushed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdb");
    let mut s = PdbStorage::create(&path, ByteOrder::Little, false).unwrap();
    let root = s.root();
    let x = s
        .create_leaf(root, "x", &spec(DType::I16, &[2], false))
        .unwrap();
    s.write(x, &Run::whole(&[2]), &arr(vec![7i16, -7], &[2]).unwrap())
        .unwrap();
    drop(s);
    let mut r = PdbStorage::open(&path).unwrap();
    let (x, _) = r.lookup(r.root(), "x").unwrap().unwrap();
    assert_eq!(
        r.read(x, &Run::whole(&[2])).unwrap(),
        arr(vec![7i16, -7], &[2]).unwrap()
    );
}
