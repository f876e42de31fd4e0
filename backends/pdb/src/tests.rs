//! Unit tests of the metadata parser and the type mapping, and the
//! property test that feeds the parser random and mutated metadata.

use proptest::prelude::*;
use qnd_storage::{DType, StorageError};

use crate::meta::{self, Metadata, Order, PrimKind};
use crate::types::{Elem, Types};

/// A PDB-II file around `meta_text` (chart, symtab, extras), no data.
fn file(chart: &str, symtab: &str, extras: &str) -> Vec<u8> {
    let mut h = b"!<<PDB:II>>!\n".to_vec();
    h.push(36);
    h.extend([
        8, 2, 4, 8, 4, 8, 2, 2, 2, 4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1,
    ]);
    h.extend([32, 8, 23, 0, 1, 9, 0, 64, 11, 52, 0, 1, 12, 0]);
    h.extend(b"127\x011023\x01\n");
    let chart_at = 128;
    let symtab_at = chart_at + chart.len();
    h.extend(format!("{chart_at}\x01{symtab_at}\x01\n").as_bytes());
    h.resize(128, 0);
    h.extend(chart.as_bytes());
    h.extend(symtab.as_bytes());
    h.extend(extras.as_bytes());
    h
}

const CHART: &str = "*\x018\x01\nshort\x012\x01\ninteger\x014\x01\nlong\x018\x01\nfloat\x014\x01\ndouble\x018\x01\nchar\x011\x01\n\
complex\x0116\x01double re\x01double im\x01\nzplx\x018\x01float r\x01float i\x01\n\
rec\x0124\x01double a\x01integer b[2,3]\x01char *name\x01short c(0:1)\x01\n\x02\n";

fn parse(symtab: &str, extras: &str) -> Metadata {
    meta::parse(&file(CHART, symtab, extras)).unwrap()
}

#[test]
fn header_and_chart() {
    let m = parse("x\x01double\x011\x01128\x01\n\n", "\n");
    assert_eq!(m.header.sizes, [8, 2, 4, 8, 4, 8]);
    assert_eq!(m.header.float_orders[1], Order::Little);
    assert_eq!(m.chart.len(), 10);
    let rec = &m.chart[9];
    assert_eq!(rec.name, "rec");
    assert_eq!(rec.members[1].dims, [2, 3]);
    assert_eq!(
        (rec.members[2].pointer, rec.members[2].name.as_str()),
        (1, "name")
    );
    assert_eq!(rec.members[2].ty, "char");
    assert_eq!(m.symtab[0].addr, 128);
    assert!(!m.extras.column_major);
    assert_eq!(m.extras.struct_align, 1);
}

#[test]
fn extras() {
    let m = parse(
        "x\x01double\x011\x01128\x01\n\n",
        "Offset:1\nAlignment:\x01\x08\x02\x04\x08\x04\x08\nStruct-Align:4\nMajor-Order:column\n\
Blocks:\nx\x013 128 1\n 136 1\n144 1\ny\x011 200 2\n\x02\n\
Primitive-Types:\nbool\x011\x011\x01-1\x01DEFORDER\x01FIX\x01\n\
u3\x013\x011\x012\x01DEFORDER\x01FIX\x01UNSGNED\x01\n\
bef\x014\x014\x01-1\x01ORDER\x011\x012\x013\x014\x01FLOAT\x0132\x018\x0123\x010\x011\x019\x010\x01127\x01\n\
vax\x014\x014\x01-1\x01ORDER\x012\x011\x014\x013\x01FLOAT\x0132\x018\x0123\x010\x011\x019\x011\x01129\x01\n\
\x02\n\n\x02\nignored after the end",
    );
    assert_eq!(m.extras.alignment, Some([1, 8, 2, 4, 8, 4, 8]));
    assert_eq!(m.extras.struct_align, 4);
    assert!(m.extras.column_major);
    assert_eq!(m.extras.blocks.len(), 2);
    assert_eq!(m.extras.blocks[0].blocks, [(128, 1), (136, 1), (144, 1)]);
    assert_eq!(m.extras.blocks[1].blocks, [(200, 2)]);
    assert_eq!(m.extras.prims.len(), 4);
    assert_eq!(m.extras.prims[2].order, Order::Big);
    assert!(matches!(m.extras.prims[2].kind, PrimKind::Float(_)));
    let t = Types::new(&m);
    assert_eq!(
        t.resolve("bool"),
        Elem::Num {
            dtype: DType::Bool,
            big: false
        }
    );
    assert!(matches!(t.resolve("u3"), Elem::Other(_)));
    assert_eq!(
        t.resolve("bef"),
        Elem::Num {
            dtype: DType::F32,
            big: true
        }
    );
    assert!(matches!(t.resolve("vax"), Elem::Other(w) if w.contains("byte order")));
}

#[test]
fn type_mapping() {
    let m = parse(
        "x\x01double\x011\x01128\x01\n\n",
        "Primitive-Types:\ntext\x011\x010\x012\x01DEFORDER\x01FIX\x01\n_anon_0\x011\x011\x012\x01DEFORDER\x01FIX\x01\n\
_anon_1\x012\x012\x011\x01DEFORDER\x01FIX\x01\nUINT\x014\x014\x012\x01DEFORDER\x01FIX\x01\n\
boolean\x011\x011\x012\x01DEFORDER\x01FIX\x01\nf16\x012\x012\x012\x01DEFORDER\x01FLOAT\x0116\x015\x0110\x010\x011\x016\x010\x0115\x01\n\x02\n\n",
    );
    let t = Types::new(&m);
    let num = |d, big| Elem::Num { dtype: d, big };
    assert_eq!(t.resolve("text"), Elem::Text);
    assert_eq!(t.resolve("char"), num(DType::U8, false));
    assert_eq!(t.resolve("_anon_0"), num(DType::I8, false));
    assert_eq!(t.resolve("_anon_1"), num(DType::I16, true));
    assert_eq!(t.resolve("UINT"), num(DType::U32, false));
    assert_eq!(t.resolve("boolean"), num(DType::Bool, false));
    assert_eq!(t.resolve("long"), num(DType::I64, false));
    assert_eq!(t.resolve("double"), num(DType::F64, false));
    assert_eq!(t.resolve("complex"), num(DType::C16, false));
    assert_eq!(t.resolve("zplx"), num(DType::C8, false));
    assert_eq!(t.resolve("NoneType"), Elem::None);
    assert_eq!(t.resolve("Directory"), Elem::Group);
    assert!(matches!(t.resolve("f16"), Elem::Other(w) if w.contains("non-IEEE")));
    assert!(matches!(t.resolve("double*"), Elem::Other(w) if w == "pointer double*"));
    assert!(
        matches!(t.resolve("rec"), Elem::Other(w) if w.starts_with("struct rec {double a; integer b[2, 3]; char *name; short c[2]}"))
    );
    assert!(matches!(t.resolve("nope"), Elem::Other(_)));
    assert_eq!(meta::type_name(b" char * * "), "char**");
    assert_eq!(meta::type_name(b"char *"), "char*");
}

#[test]
fn malformed_metadata_is_a_layout_error_with_an_offset() {
    let bad = [
        file(CHART, "x\x01double\x01\n\n", "\n"),
        file(CHART, "x\x01double\x01two\x01128\x01\n\n", "\n"),
        file(CHART, "x\x01double\x011\x01128\x011\x01\n\n", "\n"),
        file(CHART, "x\x01double\x011\x01128\x01", ""),
        file("*\x018\x01\n", "", ""),
        file(
            CHART,
            "x\x01double\x011\x01128\x01\n\n",
            "Major-Order:7\n\n",
        ),
        file(
            CHART,
            "x\x01double\x011\x01128\x01\n\n",
            "Blocks:\nx\x013 128 1\n\x02\n\n",
        ),
        file(
            CHART,
            "x\x01double\x011\x01128\x01\n\n",
            "Primitive-Types:\nq\x01a\x01\n\x02\n\n",
        ),
    ];
    for (k, b) in bad.iter().enumerate() {
        match meta::parse(b) {
            Err(StorageError::Layout(m)) => assert!(m.contains("offset"), "{k}: {m}"),
            other => panic!("{k}: {other:?}"),
        }
    }
    // Count disagreeing with the dimensions: kept as unreadable (listed
    // as an item qnd has no kind for), with a warning.
    let m = parse(
        "x\x01double\x013\x01128\x011\x012\x01\ny\x01double\x011\x01128\x01\n\n",
        "\n",
    );
    assert_eq!(m.symtab.len(), 2);
    let why = m.symtab[0].unreadable.as_deref().unwrap_or_default();
    assert!(why.contains("count 3") && why.contains("[2]"), "{why}");
    assert!(m.symtab[1].unreadable.is_none());
    assert_eq!(m.warnings.len(), 1);
}

#[test]
fn versions() {
    assert!(
        matches!(meta::parse(b"!<><PDB><>!\n1\n2\n3\n"), Err(StorageError::Unsupported(m)) if m.contains("PDB-I "))
    );
    assert!(
        matches!(meta::parse(b"x\n!<<PDB:3>>!\n\0\0"), Err(StorageError::Unsupported(m)) if m.contains("PDB-III"))
    );
    assert!(
        matches!(meta::parse(b"!<<PDB:3"), Err(StorageError::Unsupported(m)) if m.contains("PDB-III"))
    );
    assert!(matches!(meta::parse(b""), Err(StorageError::Layout(_))));
}

fn seeds() -> Vec<Vec<u8>> {
    let mut out = vec![file(
        CHART,
        "x\x01double\x013\x01128\x011\x013\x01\n:x:a\x01text\x011\x01130\x011\x011\x01\n\n",
        "Blocks:\nx\x012 128 1\n 136 1\n\x02\nPrimitive-Types:\ntext\x011\x010\x012\x01DEFORDER\x01FIX\x01\n\x02\n\n\n",
    )];
    let dir = std::path::Path::new("/work/shared/fixtures/pdb");
    for f in [
        "types.pdb",
        "tree.pdb",
        "history.pdb",
        "append.pdb",
        "be.pdb",
        "fam01.pdb",
    ] {
        if let Ok(b) = std::fs::read(dir.join(f)) {
            out.push(b);
        }
    }
    out
}

/// Bytes the parse result holds, roughly.
fn footprint(m: &Metadata) -> usize {
    let s = &m.symtab;
    s.len() * 100
        + s.iter()
            .map(|e| e.name.len() + e.ty.len() + 8 * e.dims.len())
            .sum::<usize>()
        + m.chart
            .iter()
            .map(|c| {
                64 + c
                    .members
                    .iter()
                    .map(|x| 64 + 8 * x.dims.len())
                    .sum::<usize>()
            })
            .sum::<usize>()
        + m.extras
            .blocks
            .iter()
            .map(|b| 64 + 16 * b.blocks.len())
            .sum::<usize>()
        + m.extras.prims.len() * 64
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Splice(usize, usize, usize),
    Insert(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0usize..64, any::<usize>())
            .prop_map(|(a, n, b)| Mutation::Splice(a, n, b)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "99999999999999999999",
                "9223372036854775807",
                "18446744073709551615",
                "4294967296",
                "-1",
                "\x01",
                "\x02\n",
                "\n",
                "\n\n",
                ":",
                "/",
                "[9999999999,9999999999]",
            ])
        )
            .prop_map(|(a, s)| Mutation::Insert(a, s)),
    ]
}

fn apply(b: &mut Vec<u8>, m: &Mutation) {
    if b.is_empty() {
        return;
    }
    // Mostly in the metadata (after the data), sometimes anywhere.
    let meta_from = meta::parse(b)
        .map(|m| m.header.chart as usize)
        .unwrap_or(0)
        .min(b.len() - 1);
    let pos = |x: usize| {
        if x % 4 == 0 {
            x % b.len()
        } else {
            meta_from + x % (b.len() - meta_from)
        }
    };
    match *m {
        Mutation::Flip(a, x) => {
            let p = pos(a);
            b[p] ^= x | 1;
        }
        Mutation::Truncate(a) => {
            let p = pos(a);
            b.truncate(p);
        }
        Mutation::Splice(a, n, c) => {
            let (p, q) = (pos(a), pos(c));
            let piece: Vec<u8> = b[q..(q + n).min(b.len())].to_vec();
            let end = (p + n).min(b.len());
            b.splice(p..end, piece);
        }
        Mutation::Insert(a, s) => {
            let p = pos(a);
            b.splice(p..p, s.bytes());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_mutated_metadata(seed in any::<prop::sample::Index>(), muts in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seeds();
        let mut b = seeds[seed.index(seeds.len())].clone();
        for m in &muts {
            apply(&mut b, m);
        }
        if let Ok(m) = meta::parse(&b) {
            prop_assert!(footprint(&m) <= 100 * b.len() + 1000, "footprint {} for {} bytes", footprint(&m), b.len());
            let t = Types::new(&m);
            for e in &m.symtab {
                let _ = t.resolve(&e.ty);
            }
        }
    }

    #[test]
    fn parser_never_panics_on_random_bytes(tail in prop::collection::vec(any::<u8>(), 0..400), cut in any::<usize>()) {
        let mut b = file(CHART, "", "");
        b.truncate(128 + cut % (CHART.len() + 1));
        b.extend(&tail);
        if let Ok(m) = meta::parse(&b) {
            prop_assert!(footprint(&m) <= 100 * b.len() + 1000);
        }
    }
}

#[test]
fn header_addresses_with_stale_digits_after_them() {
    let mut b = file(CHART, "x\x01double\x011\x01128\x01\n\n", "\n");
    // "128\x01<symtab>\x01\n" becomes "128\x01<symtab>\x0199\x01\n..." as after
    // a shorter number was poked over a longer one.
    let at = b.windows(5).position(|w| w == b"\x01\n128").unwrap() + 2;
    let end = at + b[at..].iter().position(|&c| c == b'\n').unwrap();
    let line = b[at..end].to_vec();
    let mut stale = line.clone();
    stale.extend(b"99\x01");
    b.splice(at..end, stale);
    b.truncate(128);
    b.resize(128, 0);
    b.extend(file(CHART, "x\x01double\x011\x01128\x01\n\n", "\n")[128..].iter());
    let m = meta::parse(&b).unwrap();
    assert_eq!(m.header.chart, 128);
    assert_eq!(m.symtab.len(), 1);
    // \r\n line ends: a line plus an empty line, which ends the symbol table.
    let crlf = file(
        CHART,
        "x\x01double\x011\x01128\x01\r\ny\x01double\x011\x01128\x01\r\n\r\n",
        "\n",
    );
    assert_eq!(meta::parse(&crlf).unwrap().symtab.len(), 1);
}
