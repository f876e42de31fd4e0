//! Rust structs as groups through serde (`set_serde`, `read_serde`), on
//! every backend that can hold them: round trips (through the file closed
//! and reopened), the tree they make, errors naming the item and field
//! path, recording a struct field by field; `qnd::group!` into files.
#![cfg(feature = "serde")]

use std::collections::{BTreeMap, HashMap};

use ndarray::array;
use qnd::{DType, Error, Kind, NcFormat, QGroup, Recording, Value};
use serde::{Deserialize, Serialize};

mod common;

use common::{stored, FileMaker, Maker, MemoryMaker};

/// The backends with groups: memory, HDF5, netCDF-4.
fn makers() -> Vec<Box<dyn Maker>> {
    vec![
        Box::new(MemoryMaker),
        Box::new(FileMaker::new("hdf5", "h5")),
        Box::new(FileMaker::new("netcdf4", "nc").netcdf(NcFormat::Netcdf4)),
    ]
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Scheme {
    Upwind,
    Theta(f64),
    Split(i32, String),
    Limited { lo: f64, hi: f64 },
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Mesh {
    nx: u32,
    x: Vec<f64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Params {
    dt: f64,
    steps: i32,
    level: u8,
    name: String,
    verbose: bool,
    u: Vec<f64>,
    grid: Vec<Vec<f64>>,
    ragged: Vec<Vec<f64>>,
    restart: Option<String>,
    seed: Option<i64>,
    unit: Scheme,
    newtype: Scheme,
    tuple: Scheme,
    fields: Scheme,
    mesh: Mesh,
    parts: Vec<Mesh>,
    weights: HashMap<String, f64>,
    counts: BTreeMap<String, i32>,
}

fn params() -> Params {
    Params {
        dt: 0.25,
        steps: -7,
        level: 200,
        name: "shock tube".into(),
        verbose: true,
        u: vec![1.0, 2.5, -3.0],
        grid: vec![vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]],
        ragged: vec![vec![1.0], vec![2.0, 3.0]],
        restart: None,
        seed: Some(42),
        unit: Scheme::Upwind,
        newtype: Scheme::Theta(0.5),
        tuple: Scheme::Split(2, "xy".into()),
        fields: Scheme::Limited { lo: -1.0, hi: 1.0 },
        mesh: Mesh {
            nx: 3,
            x: vec![0.0, 0.5, 1.0],
        },
        parts: vec![
            Mesh {
                nx: 1,
                x: vec![0.0],
            },
            Mesh {
                nx: 2,
                x: vec![0.0, 1.0],
            },
        ],
        weights: [("a".to_string(), 0.5), ("b".to_string(), 1.5)]
            .into_iter()
            .collect(),
        counts: [("x".to_string(), 1), ("y".to_string(), 2)]
            .into_iter()
            .collect(),
    }
}

fn leaf_type(f: &QGroup, name: &str) -> (DType, Vec<usize>) {
    let v: Value = f.read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let a = v.as_array().unwrap_or_else(|| panic!("{name}: {v:?}"));
    (a.dtype(), a.shape().to_vec())
}

#[test]
fn nested_structs_round_trip_on_every_backend_with_groups() {
    let p = params();
    for m in makers() {
        let f = m.create();
        f.set_serde("params", &p)
            .unwrap_or_else(|e| panic!("{}: {e}", m.name()));
        stored(&*m, &f, |g| {
            let back: Params = g
                .read_serde("params")
                .unwrap_or_else(|e| panic!("{}: {e}", m.name()));
            assert_eq!(back, p, "{}", m.name());
            // the tree it is, member by member
            let names = g.group("params").unwrap().names().unwrap();
            assert_eq!(names[..5], ["dt", "steps", "level", "name", "verbose"]);
            assert_eq!(leaf_type(g, "params/dt"), (DType::F64, vec![]));
            assert_eq!(leaf_type(g, "params/steps"), (DType::I32, vec![]));
            assert_eq!(leaf_type(g, "params/level"), (DType::U8, vec![]));
            assert_eq!(leaf_type(g, "params/verbose"), (DType::Bool, vec![]));
            assert_eq!(leaf_type(g, "params/u"), (DType::F64, vec![3]));
            assert_eq!(leaf_type(g, "params/grid"), (DType::F64, vec![3, 2]));
            assert_eq!(g.read::<String>("params/name").unwrap(), "shock tube");
            assert_eq!(g.read::<String>("params/unit").unwrap(), "Upwind");
            assert_eq!(g.read::<f64>("params/newtype/Theta").unwrap(), 0.5);
            assert_eq!(g.read::<f64>("params/fields/Limited/hi").unwrap(), 1.0);
            assert_eq!(g.kind("params/ragged").unwrap(), Kind::List);
            assert_eq!(g.kind("params/parts").unwrap(), Kind::List);
            assert_eq!(g.kind("params/restart").unwrap(), Kind::None);
            assert_eq!(g.kind("params/mesh").unwrap(), Kind::Group);
            assert_eq!(g.read::<f64>("params/weights/b").unwrap(), 1.5);
            assert_eq!(g.read_serde::<Mesh>("params/mesh").unwrap(), p.mesh);
            let parts = g.list("params/parts").unwrap();
            assert_eq!(parts.read_serde::<Mesh>(-1).unwrap(), p.parts[1]);
        });
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Flat {
    dt: f64,
    steps: i32,
    small: i16,
    tiny: i8,
    gain: f32,
    name: String,
    verbose: bool,
    u: Vec<f64>,
    grid: Vec<Vec<f64>>,
}

fn flat() -> Flat {
    Flat {
        dt: 0.1,
        steps: 12,
        small: -3,
        tiny: 4,
        gain: 1.5,
        name: "classic".into(),
        verbose: false,
        u: vec![1.0, 2.0],
        grid: vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]],
    }
}

/// netCDF-3 has no subgroups: a flat struct of its types is written as
/// the root group's members (`""`), and reads back from there.
#[test]
fn flat_structs_round_trip_on_netcdf3() {
    let s = flat();
    for format in [NcFormat::Classic, NcFormat::Offset64] {
        let m = FileMaker::new("netcdf3", "nc").netcdf(format);
        let f = m.create();
        f.set_serde("", &s).unwrap();
        stored(&m, &f, |g| {
            assert_eq!(g.read_serde::<Flat>("").unwrap(), s, "{format:?}");
            assert_eq!(leaf_type(g, "grid"), (DType::F64, vec![2, 3]));
            assert_eq!(leaf_type(g, "gain"), (DType::F32, vec![]));
        });
        // a u8 field, or a nested struct, cannot be held: an error naming
        // it, and nothing written
        let f = m.create();
        let e = f.set_serde("", &params()).unwrap_err();
        assert_eq!(common::error_path(&e), Some("/level"), "{format:?}: {e}");
        assert!(e.to_string().contains("cannot hold a leaf of u1"), "{e}");
        let e = f.set_serde("mesh", &params().mesh).unwrap_err();
        assert_eq!(common::error_path(&e), Some("/mesh"), "{format:?}: {e}");
        assert!(e.to_string().contains("no groups"), "{e}");
        assert!(f.names().unwrap().is_empty(), "{format:?}");
        // a flat struct holding a u8 too
        #[derive(Serialize)]
        struct Byte {
            b: u8,
        }
        let e = f.set_serde("", &Byte { b: 1 }).unwrap_err();
        assert!(e.to_string().contains("/b"), "{e}");
        assert!(f.names().unwrap().is_empty(), "{format:?}");

        // recorded: each field a record variable of the root
        let f = m.create();
        f.set_recording(Recording::Uniform);
        let mut records = Vec::new();
        for k in 0..3 {
            let mut r = flat();
            r.dt = 0.1 * f64::from(k);
            r.steps = k;
            r.u = vec![f64::from(k); 2];
            records.push(r.clone());
            f.set_serde("", &r).unwrap();
        }
        // a None field would record as a list: refused, nothing written
        #[derive(Serialize)]
        struct Maybe {
            dt: f64,
            x: Option<f64>,
        }
        let e = f.set_serde("", &Maybe { dt: 1.0, x: None }).unwrap_err();
        assert_eq!(common::error_path(&e), Some("/x"), "{e}");
        stored(&m, &f, |g| {
            g.goto_off();
            assert_eq!(g.read::<Vec<i32>>("steps").unwrap(), [0, 1, 2]);
            assert_eq!(g.kind("grid").unwrap(), Kind::Records);
            for (k, r) in records.iter().enumerate() {
                g.goto(k as isize);
                assert_eq!(&g.read_serde::<Flat>("").unwrap(), r, "{format:?}");
            }
        });
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Sub {
    e: f64,
    tag: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct State {
    t: f64,
    step: i32,
    u: Vec<f64>,
    sub: Sub,
}

fn state(k: i32) -> State {
    State {
        t: 0.5 * f64::from(k),
        step: k,
        u: vec![f64::from(k), -f64::from(k)],
        sub: Sub {
            e: 1.0 / (1.0 + f64::from(k)),
            tag: format!("k{k}"),
        },
    }
}

/// In recording mode a struct's fields record like separate `set` calls:
/// each field a record variable of one record per call, nested structs
/// under their paths; goto reads one struct back.
#[test]
fn recording_a_struct_records_each_field() {
    for m in makers() {
        let f = m.create();
        f.set_recording(Recording::Uniform);
        for k in 0..3 {
            f.set_serde("state", &state(k))
                .unwrap_or_else(|e| panic!("{}: {e}", m.name()));
        }
        // the same, by hand
        let by_hand = qnd::memory();
        by_hand.create_group("state").unwrap();
        by_hand.create_group("state/sub").unwrap();
        by_hand.set_recording(Recording::Uniform);
        for k in 0..3 {
            let s = state(k);
            by_hand.set("state/t", s.t).unwrap();
            by_hand.set("state/step", s.step).unwrap();
            by_hand.set("state/u", s.u).unwrap();
            by_hand.set("state/sub/e", s.sub.e).unwrap();
            by_hand.set("state/sub/tag", s.sub.tag).unwrap();
        }
        stored(&*m, &f, |g| {
            g.goto_off();
            by_hand.goto_off();
            assert_eq!(
                g.group("state").unwrap().to_value().unwrap(),
                by_hand.group("state").unwrap().to_value().unwrap(),
                "{}",
                m.name()
            );
            for field in ["t", "step", "u", "sub/e", "sub/tag"] {
                let path = format!("state/{field}");
                assert_eq!(g.kind(&path).unwrap(), Kind::Records, "{path}");
                assert_eq!(g.list(&path).unwrap().len().unwrap(), 3, "{path}");
            }
            assert_eq!(g.read::<Vec<i32>>("state/step").unwrap(), [0, 1, 2]);
            g.goto(1);
            assert_eq!(g.read_serde::<State>("state").unwrap(), state(1));
            g.goto(-1);
            assert_eq!(g.read_serde::<State>("state").unwrap(), state(2));
        });
    }
}

/// With recording off, a struct written onto its existing group sets each
/// field again; under goto that is the current record.
#[test]
fn writing_onto_an_existing_group_sets_each_field() {
    let f = qnd::memory();
    f.set_serde(
        "mesh",
        &Mesh {
            nx: 2,
            x: vec![0.0, 1.0],
        },
    )
    .unwrap();
    let new = Mesh {
        nx: 5,
        x: vec![2.0, 3.0],
    };
    f.set_serde("mesh", &new).unwrap();
    assert_eq!(f.read_serde::<Mesh>("mesh").unwrap(), new);
    // a field of another shape is refused, naming it
    let e = f
        .set_serde(
            "mesh",
            &Mesh {
                nx: 1,
                x: vec![1.0],
            },
        )
        .unwrap_err();
    assert_eq!(common::error_path(&e), Some("/mesh/x"), "{e}");

    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set_serde("state", &state(k)).unwrap();
    }
    f.set_recording(Recording::Off);
    f.goto(1);
    let mut s = state(7);
    s.sub.tag = "k1".into();
    f.set_serde("state", &s).unwrap();
    assert_eq!(f.read_serde::<State>("state").unwrap(), s);
    f.goto(2);
    assert_eq!(f.read_serde::<State>("state").unwrap(), state(2));
}

/// The path of an [`Error::Serde`].
fn serde_path(e: &Error) -> Option<&str> {
    match e {
        Error::Serde { path, .. } => Some(path),
        _ => None,
    }
}

#[test]
fn errors_name_the_file_item_and_field() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)] // only read, to fail
    struct Outer {
        mesh: Mesh,
    }
    let m = FileMaker::new("hdf5", "h5");
    let f = m.create();
    f.set(
        "params",
        qnd::group! {"mesh" => qnd::group! {"nx" => "abc", "x" => vec![1.0]}},
    )
    .unwrap();
    let e = f.read_serde::<Outer>("params").unwrap_err();
    let Error::Serde { file, path, reason } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(file.as_deref(), Some(f.file_path().as_path()));
    assert_eq!(path, "/params/mesh/nx");
    assert_eq!(reason, r#"expected u32, found text "abc""#);
    assert!(
        e.to_string()
            .ends_with(r#": /params/mesh/nx: expected u32, found text "abc""#),
        "{e}"
    );
    // a missing field names the group it is missing from
    f.set("m2", qnd::group! {"nx" => 1i32}).unwrap();
    let e = f.group("m2").unwrap().read_serde::<Mesh>("").unwrap_err();
    assert_eq!(serde_path(&e), Some("/m2"), "{e}");
    assert!(e.to_string().ends_with("missing field `x`"), "{e}");
    // a list element
    f.set_serde("parts", &vec![vec![1.0], vec![2.0, 3.0]])
        .unwrap();
    let e = f.read_serde::<Vec<(f64,)>>("parts").unwrap_err();
    assert_eq!(serde_path(&e), Some("/parts[1]"), "{e}");
    assert!(
        e.to_string().ends_with("expected 1 elements, found 2"),
        "{e}"
    );
    // a missing item is NoItem, as for read
    assert!(matches!(
        f.read_serde::<Mesh>("nothing"),
        Err(Error::NoItem { .. })
    ));
    // a value that does not serialize writes nothing
    let bad: HashMap<(i32, i32), f64> = [((1, 2), 0.5)].into_iter().collect();
    let e = f.set_serde("bad", &bad).unwrap_err();
    assert!(
        matches!(&e, Error::Serde { path, .. } if path == "/bad"),
        "{e:?}"
    );
    assert!(!f.contains("bad").unwrap());
    // nor does a bad member name deep inside, even while recording
    f.set_recording(Recording::Uniform);
    let odd: BTreeMap<String, f64> = [("a".to_string(), 1.0), ("_2".to_string(), 2.0)]
        .into_iter()
        .collect();
    assert!(f.set_serde("odd", &odd).is_err());
    assert!(!f.contains("odd").unwrap());
}

#[test]
fn group_macro_into_files() {
    for m in makers() {
        let f = m.create();
        f.set(
            "g",
            qnd::group! {
                "a" => 1.0,
                "u" => array![1.0, 2.0],
                "name" => "x",
                "sub" => qnd::group! {"n" => 3i32, "m" => array![[1u8, 2], [3, 4]]},
            },
        )
        .unwrap();
        stored(&*m, &f, |g| {
            let grp = g.group("g").unwrap();
            assert_eq!(grp.names().unwrap(), ["a", "u", "name", "sub"]);
            assert_eq!(g.read::<f64>("g/a").unwrap(), 1.0);
            assert_eq!(g.read::<Vec<f64>>("g/u").unwrap(), [1.0, 2.0]);
            assert_eq!(g.read::<String>("g/name").unwrap(), "x");
            assert_eq!(g.read::<i32>("g/sub/n").unwrap(), 3);
            assert_eq!(leaf_type(g, "g/sub/m"), (DType::U8, vec![2, 2]));
        });
    }
}

#[test]
fn lists_hold_structs() {
    for m in makers() {
        let f = m.create();
        let runs = f.create_list("runs").unwrap();
        let a = Mesh {
            nx: 1,
            x: vec![0.0],
        };
        runs.append_serde(&a).unwrap();
        runs.append_serde(&Scheme::Theta(0.25)).unwrap();
        stored(&*m, &f, |g| {
            let runs = g.list("runs").unwrap();
            assert_eq!(runs.read_serde::<Mesh>(0).unwrap(), a, "{}", m.name());
            assert_eq!(runs.read_serde::<Scheme>(-1).unwrap(), Scheme::Theta(0.25));
            let e = runs.read_serde::<Mesh>(-1).unwrap_err();
            assert_eq!(serde_path(&e), Some("/runs[1]"), "{e}");
            assert!(e.to_string().ends_with("missing field `nx`"), "{e}");
        });
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Random {
    x: f64,
    n: i32,
    b: u8,
    s: String,
    on: bool,
    u: Vec<f64>,
    rows: Vec<Vec<f64>>,
    holes: Vec<Option<i16>>,
    opt: Option<i64>,
    scheme: Scheme,
    map: BTreeMap<String, f64>,
    inner: Option<Mesh>,
}

mod random {
    use super::*;
    use proptest::prelude::*;

    fn finite() -> impl Strategy<Value = f64> {
        -1e6f64..1e6
    }

    fn scheme() -> impl Strategy<Value = Scheme> {
        prop_oneof![
            Just(Scheme::Upwind),
            finite().prop_map(Scheme::Theta),
            (any::<i32>(), "[a-z]{0,4}").prop_map(|(i, s)| Scheme::Split(i, s)),
            (finite(), finite()).prop_map(|(lo, hi)| Scheme::Limited { lo, hi }),
        ]
    }

    fn mesh() -> impl Strategy<Value = Mesh> {
        (any::<u32>(), prop::collection::vec(finite(), 0..4)).prop_map(|(nx, x)| Mesh { nx, x })
    }

    prop_compose! {
        fn random()(
            x in finite(),
            n in any::<i32>(),
            b in any::<u8>(),
            s in "[^\u{0}]{0,8}",
            on in any::<bool>(),
            u in prop::collection::vec(finite(), 0..5),
            rows in prop::collection::vec(prop::collection::vec(finite(), 0..3), 0..4),
            holes in prop::collection::vec(prop::option::of(any::<i16>()), 0..4),
            opt in prop::option::of(any::<i64>()),
            scheme in scheme(),
            map in prop::collection::btree_map("[a-z]{1,6}", finite(), 0..4),
            inner in prop::option::of(mesh()),
        ) -> Random {
            Random { x, n, b, s, on, u, rows, holes, opt, scheme, map, inner }
        }
    }

    proptest! {
        #![proptest_config(common::proptest_config(24))]

        /// Random structs (empty, ragged and equal rows, holes, every
        /// variant kind) read back equal in memory, through HDF5 and
        /// netCDF-4.
        #[test]
        fn random_structs_round_trip(r in random()) {
            let v = qnd::to_value(&r).unwrap();
            prop_assert_eq!(&qnd::from_value::<Random>(v).unwrap(), &r);
            let h5 = FileMaker::new("hdf5", "h5");
            let nc = FileMaker::new("netcdf4", "nc").netcdf(NcFormat::Netcdf4);
            for maker in [&MemoryMaker as &dyn Maker, &h5, &nc] {
                let f = maker.create();
                f.set_serde("r", &r).unwrap();
                let g = common::reopened(maker, f, "r");
                prop_assert_eq!(&g.read_serde::<Random>("r").unwrap(), &r, "{}", maker.name());
            }
        }
    }
}

// ------------------------------------------------------------ a failed set_serde writes no field

/// Memory, HDF5, netCDF-4 and netCDF-3 (classic).
fn all_makers() -> Vec<Box<dyn Maker>> {
    let mut v = makers();
    v.push(Box::new(
        FileMaker::new("netcdf3", "nc").netcdf(NcFormat::Classic),
    ));
    v
}

/// Where a struct goes: `st` where the file has groups, else the root.
fn base(f: &QGroup) -> &'static str {
    if f.capabilities().groups {
        "st"
    } else {
        ""
    }
}

/// Item `field` of the struct at `base`.
fn at(base: &str, field: &str) -> String {
    if base.is_empty() {
        field.to_string()
    } else {
        format!("{base}/{field}")
    }
}

/// How many records record variable `name` holds (goto off).
fn records(f: &QGroup, name: &str) -> usize {
    let g = f.push();
    g.goto_off();
    g.list(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .len()
        .unwrap()
}

/// The record count of each field of [`Step`] at `base`.
fn step_counts(f: &QGroup, base: &str) -> Vec<usize> {
    ["t", "n", "u", "name", "dt"]
        .iter()
        .map(|k| records(f, &at(base, k)))
        .collect()
}

/// A struct recorded step by step; each failing case changes one field's
/// type or value.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Step<N, U, S, D> {
    t: f64,
    n: N,
    u: U,
    name: S,
    dt: D,
}

type GoodStep = Step<i32, Vec<f64>, String, Option<f64>>;

fn good_step(k: i32) -> GoodStep {
    Step {
        t: f64::from(k),
        n: k,
        u: vec![f64::from(k); 2],
        name: format!("k{k}"),
        dt: Some(0.1 * f64::from(k)),
    }
}

/// Step `k` with field `n`, `u`, `name` or `dt` replaced.
fn step<N, U, S, D>(n: N, u: U, name: S, dt: D) -> Step<N, U, S, D> {
    Step {
        t: 9.0,
        n,
        u,
        name,
        dt,
    }
}

/// Every way a recorded struct's field can fail to fit its record
/// variable is refused before any field is written: the error names the
/// field, and every field keeps its record count (also in the file closed
/// and reopened), so goto + read_serde still pairs fields of one call.
#[test]
fn recording_a_struct_that_does_not_fit_writes_no_field() {
    #[derive(Serialize)]
    struct Sub {
        e: f64,
    }
    for m in all_makers() {
        let f = m.create();
        let b = base(&f);
        let name = m.name().to_string();
        f.set_recording(Recording::Uniform);
        f.set_serde(b, &good_step(0)).unwrap();
        f.set_serde(b, &good_step(1)).unwrap();
        let u2 = || vec![0.0; 2];
        let s = || "k".to_string();
        let mut failed: Vec<(&str, &str, qnd::Result<()>)> = vec![
            (
                "text into an i4 record",
                "n",
                f.set_serde(b, &step("x", u2(), s(), Some(1.0))),
            ),
            (
                "a value an i4 cannot hold",
                "n",
                f.set_serde(b, &step(1_i64 << 40, u2(), s(), Some(1.0))),
            ),
            (
                "a record of another shape",
                "u",
                f.set_serde(b, &step(1, vec![0.0; 3], s(), Some(1.0))),
            ),
            (
                "None into an f8 record",
                "dt",
                f.set_serde(b, &step(1, u2(), s(), None::<f64>)),
            ),
            (
                "a struct into an f8 record",
                "dt",
                f.set_serde(b, &step(1, u2(), s(), Sub { e: 1.0 })),
            ),
            (
                "a number into a text record",
                "name",
                f.set_serde(b, &step(1, u2(), 5.0, Some(1.0))),
            ),
        ];
        if name != "netcdf4" {
            // (netCDF-4 strings have no width)
            failed.push((
                "text wider than stored",
                "name",
                f.set_serde(b, &step(1, u2(), "x".repeat(40), Some(1.0))),
            ));
        }
        for (what, field, r) in failed {
            let e = r.expect_err(&format!("{name}: {what} is refused"));
            let path = format!("/{}", at(b, field));
            assert_eq!(
                common::error_path(&e),
                Some(path.as_str()),
                "{name}: {what}: {e}"
            );
            assert_eq!(step_counts(&f, b), [2; 5], "{name}: {what}: {e}");
        }
        // recording goes on, every field in step
        f.set_serde(b, &good_step(2)).unwrap();
        stored(&*m, &f, |g| {
            assert_eq!(step_counts(g, b), [3; 5], "{name}");
            for k in 0..3 {
                g.goto(k as isize);
                assert_eq!(g.read_serde::<GoodStep>(b).unwrap(), good_step(k), "{name}");
            }
        });
    }
}

/// A leaf where a struct was recorded, and a struct where a leaf was: the
/// refusal names the field and no field gets a record.
#[test]
fn recording_a_struct_over_a_group_or_a_leaf_writes_no_field() {
    #[derive(Serialize)]
    struct Nest<S> {
        t: f64,
        sub: S,
    }
    #[derive(Serialize)]
    struct Sub {
        e: f64,
    }
    for m in makers() {
        let f = m.create();
        f.set_recording(Recording::Uniform);
        f.set_serde(
            "a",
            &Nest {
                t: 0.0,
                sub: Sub { e: 1.0 },
            },
        )
        .unwrap();
        f.set_serde("b", &Nest { t: 0.0, sub: 1.0 }).unwrap();
        let e = f.set_serde("a", &Nest { t: 1.0, sub: 2.0 }).unwrap_err();
        assert_eq!(common::error_path(&e), Some("/a/sub"), "{}: {e}", m.name());
        let e = f
            .set_serde(
                "b",
                &Nest {
                    t: 1.0,
                    sub: Sub { e: 2.0 },
                },
            )
            .unwrap_err();
        assert_eq!(common::error_path(&e), Some("/b/sub"), "{}: {e}", m.name());
        stored(&*m, &f, |g| {
            for item in ["a/t", "a/sub/e", "b/t", "b/sub"] {
                assert_eq!(records(g, item), 1, "{}: {item}", m.name());
            }
        });
    }
}

/// With recording off, a struct written onto its group (or, under goto,
/// onto the current record of each field) is checked whole too: a field
/// that does not fit leaves every field as it was.
#[test]
fn writing_a_struct_that_does_not_fit_onto_its_group_writes_no_field() {
    for m in makers() {
        let f = m.create();
        let name = m.name().to_string();
        f.set_serde(
            "mesh",
            &Mesh {
                nx: 2,
                x: vec![0.0, 1.0],
            },
        )
        .unwrap();
        let e = f
            .set_serde(
                "mesh",
                &Mesh {
                    nx: 5,
                    x: vec![1.0],
                },
            )
            .unwrap_err();
        assert_eq!(common::error_path(&e), Some("/mesh/x"), "{name}: {e}");
        f.set_recording(Recording::Uniform);
        for k in 0..3 {
            f.set_serde("state", &state(k)).unwrap();
        }
        f.set_recording(Recording::Off);
        f.goto(1);
        let mut s = state(7);
        s.u = vec![1.0; 3];
        let e = f.set_serde("state", &s).unwrap_err();
        assert_eq!(common::error_path(&e), Some("/state/u[1]"), "{name}: {e}");
        stored(&*m, &f, |g| {
            g.goto_off();
            assert_eq!(g.read_serde::<Mesh>("mesh").unwrap().nx, 2, "{name}");
            g.goto(1);
            assert_eq!(g.read_serde::<State>("state").unwrap(), state(1), "{name}");
        });
    }
}

/// A unit-enum field is a text record variable; it may change variant
/// from one record to the next (its width has room to grow), on every
/// backend.
#[test]
fn serde_recording_an_enum_field_that_changes_variant() {
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    enum Phase {
        A,
        Bbbbb,
        Theta(f64),
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Phased {
        t: f64,
        phase: Phase,
    }
    for m in all_makers() {
        let f = m.create();
        let b = base(&f);
        let name = m.name().to_string();
        f.set_recording(Recording::Uniform);
        let steps = [Phase::A, Phase::Bbbbb, Phase::A];
        for (k, phase) in steps.iter().enumerate() {
            let p = Phased {
                t: k as f64,
                phase: phase.clone(),
            };
            let r = f.set_serde(b, &p);
            assert!(r.is_ok(), "{name}: {}", r.unwrap_err());
        }
        // a variant holding data is a group: refused with a clear message
        // (not "record 3 out of range"), nothing written
        let e = f
            .set_serde(
                b,
                &Phased {
                    t: 3.0,
                    phase: Phase::Theta(0.5),
                },
            )
            .unwrap_err();
        let path = format!("/{}", at(b, "phase"));
        assert_eq!(common::error_path(&e), Some(path.as_str()), "{name}: {e}");
        if f.capabilities().groups {
            assert!(
                e.to_string().contains("a record variable takes an array"),
                "{name}: {e}"
            );
        }
        stored(&*m, &f, |g| {
            assert_eq!(records(g, &at(b, "t")), 3, "{name}");
            assert_eq!(records(g, &at(b, "phase")), 3, "{name}");
            for (k, phase) in steps.iter().enumerate() {
                g.goto(k as isize);
                assert_eq!(&g.read_serde::<Phased>(b).unwrap().phase, phase, "{name}");
            }
        });
    }
}

/// Text longer than a recorded text field's width is refused before any
/// field is written, naming both widths and `declare_text`; a field
/// declared wider records it.
#[test]
fn text_wider_than_a_record_variable_names_declare_text() {
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Labelled {
        t: f64,
        label: String,
    }
    for m in all_makers() {
        let f = m.create();
        let b = base(&f);
        let name = m.name().to_string();
        f.set_recording(Recording::Uniform);
        let long = "y".repeat(50);
        f.set_serde(
            b,
            &Labelled {
                t: 0.0,
                label: "x".into(),
            },
        )
        .unwrap();
        let r = f.set_serde(
            b,
            &Labelled {
                t: 1.0,
                label: long.clone(),
            },
        );
        if name == "netcdf4" {
            // variable-length strings: no width
            r.unwrap();
            continue;
        }
        let e = r.unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("text of 50 bytes")
                && msg.contains("32 bytes")
                && msg.contains("declare_text"),
            "{name}: {msg}"
        );
        assert_eq!(records(&f, &at(b, "t")), 1, "{name}");
        // declared wide enough
        f.declare_text(&at(b, "wide"), 64, &[]).unwrap();
        #[derive(Serialize)]
        struct Wide {
            wide: String,
        }
        f.set_serde(b, &Wide { wide: long.clone() }).unwrap();
        assert_eq!(records(&f, &at(b, "wide")), 1, "{name}");
        f.goto(0);
        assert_eq!(f.read::<String>(&at(b, "wide")).unwrap(), long, "{name}");
    }
}

/// The reviewer's case (review13.rs): `dt: None` after `Some` fails and
/// records no field, on every backend.
#[test]
fn serde_recording_a_struct_that_fails_records_no_field() {
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct State {
        t: f64,
        u: Vec<f64>,
        dt: Option<f64>,
    }
    for m in all_makers() {
        let f = m.create();
        let b = m.name();
        let name = base(&f);
        let p = |k: &str| at(name, k);
        f.set_recording(Recording::Uniform);
        let ok = State {
            t: 0.0,
            u: vec![1.0, 2.0],
            dt: Some(0.1),
        };
        f.set_serde(name, &ok).unwrap();
        let bad = State {
            t: 1.0,
            u: vec![1.0, 2.0],
            dt: None,
        };
        assert!(
            f.set_serde(name, &bad).is_err(),
            "{b}: None into f8 records"
        );
        f.set_recording(Recording::Off);
        let counts = (
            records(&f, &p("t")),
            records(&f, &p("u")),
            records(&f, &p("dt")),
        );
        assert_eq!(
            counts,
            (1, 1, 1),
            "{b}: records of (t, u, dt) after a failed set_serde"
        );
        f.close().unwrap();
    }
}

/// A struct named by an absolute path from a subgroup's handle is checked
/// whole too (the group the path names, not the handle's).
#[test]
fn a_struct_at_an_absolute_path_that_does_not_fit_writes_no_field() {
    for m in makers() {
        let f = m.create();
        let name = m.name().to_string();
        let g = f.create_group("elsewhere").unwrap();
        g.set_recording(Recording::Uniform);
        g.set_serde("/st", &good_step(0)).unwrap();
        let e = g
            .set_serde("/st", &step(1, vec![0.0; 3], "k".to_string(), Some(1.0)))
            .unwrap_err();
        assert_eq!(common::error_path(&e), Some("/st/u"), "{name}: {e}");
        assert_eq!(step_counts(&f, "st"), [1; 5], "{name}");
        assert!(g.names().unwrap().is_empty(), "{name}");
    }
}

/// A complex element deserializes as the pair `(re, im)` (what
/// `num_complex::Complex` reads with its `serde` feature); a `Complex` in
/// a struct is serialized as that pair, a 2-element real leaf; a complex
/// element is never read as a real number.
#[test]
fn complex_elements_are_pairs() {
    use qnd::{Complex32, Complex64};
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Wave {
        amp: Vec<Complex64>,
        gain: Complex32,
    }
    let f = qnd::memory();
    f.set(
        "w",
        qnd::group! {
            "amp" => vec![Complex64::new(1.0, 2.0), Complex64::new(-3.0, 0.5)],
            "gain" => Complex32::new(0.5, -0.5),
        },
    )
    .unwrap();
    let want = Wave {
        amp: vec![Complex64::new(1.0, 2.0), Complex64::new(-3.0, 0.5)],
        gain: Complex32::new(0.5, -0.5),
    };
    assert_eq!(f.read_serde::<Wave>("w").unwrap(), want);
    assert_eq!(
        f.read_serde::<Vec<(f64, f64)>>("w/amp").unwrap(),
        [(1.0, 2.0), (-3.0, 0.5)]
    );
    let e = f.read_serde::<Vec<f64>>("w/amp").unwrap_err();
    assert!(e.to_string().contains("c16"), "{e}");
    f.set_serde("copy", &want).unwrap();
    assert_eq!(leaf_type(&f, "copy/gain"), (DType::F32, vec![2]));
    assert_eq!(f.read_serde::<Wave>("copy").unwrap(), want);
}
