//! Files on disk: the open modes r, r+, a, w, w-; flush, close, closing on
//! drop; format detection; errors that name the file and leave it
//! readable.

use qnd::Error;

#[macro_use]
mod common;

/// Modes that are checked before any format is involved.
#[test]
fn missing_file_in_r_and_r_plus() {
    let dir = tempfile::tempdir().unwrap();
    for (name, mode) in [("a.h5", "r"), ("b.h5", "r+"), ("c", "r"), ("d.nc", "r+")] {
        let p = dir.path().join(name);
        let e = expect_err!(qnd::open(&p, mode), Error::NoFile { .. });
        assert!(e.to_string().contains(&p.display().to_string()), "{e}");
        assert!(!p.exists(), "{mode} never creates a file");
    }
}

#[test]
fn w_dash_refuses_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("keep.h5");
    std::fs::write(&p, b"precious bytes").unwrap();
    let e = expect_err!(qnd::open(&p, "w-"), Error::FileExists { .. });
    assert!(e.to_string().contains(&p.display().to_string()), "{e}");
    expect_err!(
        qnd::open(&p, qnd::Mode::CreateNew),
        Error::FileExists { .. }
    );
    assert_eq!(std::fs::read(&p).unwrap(), b"precious bytes");
}

#[test]
fn unknown_mode_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.h5");
    for mode in ["rw", "", "W", "r-"] {
        let e = expect_err!(qnd::open(&p, mode), Error::Invalid { .. });
        assert!(e.to_string().contains(&format!("{mode:?}")), "{e}");
    }
    assert!(!p.exists());
    assert_eq!("r+".parse::<qnd::Mode>().unwrap(), qnd::Mode::ReadWrite);
    assert_eq!(qnd::Mode::CreateNew.as_str(), "w-");
    assert!(!qnd::Mode::Read.writable());
}

#[cfg(feature = "hdf5")]
mod hdf5 {
    use std::path::{Path, PathBuf};

    use qnd::{Auto, Error, Format, Kind, Mode, OpenOptions, QGroup, Recording, Value};

    fn tmp() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.h5");
        (dir, p)
    }

    /// A small file: x, g/y, l, and records t.
    fn write_sample(p: &Path, mode: &str) {
        let f = qnd::open(p, mode).unwrap();
        f.set("x", vec![1.0, 2.0, 3.0]).unwrap();
        f.set("g", Value::group()).unwrap();
        f.set("g/y", "why").unwrap();
        f.set("l", Value::List(vec![Value::from(1i64), Value::None]))
            .unwrap();
        f.set_recording(Recording::Uniform);
        f.set("t", 0.0).unwrap();
        f.set("t", 1.0).unwrap();
        f.close().unwrap();
    }

    #[track_caller]
    fn check_sample(f: &QGroup) {
        assert_eq!(f.names().unwrap(), ["x", "g", "l", "t"]);
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(f.read::<String>("g/y").unwrap(), "why");
        assert_eq!(f.kind("l").unwrap(), Kind::List);
        assert_eq!(f.list("t").unwrap().len().unwrap(), 2);
    }

    #[test]
    fn mode_w_creates_and_replaces() {
        let (_d, p) = tmp();
        write_sample(&p, "w");
        check_sample(&qnd::open(&p, "r").unwrap());
        let f = qnd::open(&p, "w").unwrap();
        assert!(f.names().unwrap().is_empty(), "w replaces the file");
        f.set("z", 1i8).unwrap();
        f.close().unwrap();
        let f = qnd::open(&p, "r").unwrap();
        assert_eq!(f.names().unwrap(), ["z"]);
        f.close().unwrap();
        // w over a file that is not HDF5 replaces it too
        std::fs::write(&p, b"not hdf5 at all").unwrap();
        let f = qnd::open(&p, Mode::Create).unwrap();
        f.set("a", 1.0).unwrap();
        drop(f);
        assert_eq!(qnd::open(&p, "r").unwrap().read::<f64>("a").unwrap(), 1.0);
    }

    #[test]
    fn mode_w_dash_creates_a_new_file() {
        let (_d, p) = tmp();
        write_sample(&p, "w-");
        check_sample(&qnd::open(&p, "r").unwrap());
        expect_err!(qnd::open(&p, "w-"), Error::FileExists { .. });
        check_sample(&qnd::open(&p, "r").unwrap());
        let q = p.with_file_name("x.h5");
        let f = qnd::open(&q, "x").unwrap(); // numpy/Python spelling of w-
        f.set("v", 1u8).unwrap();
        drop(f);
        assert_eq!(qnd::open(&q, "r").unwrap().read::<u8>("v").unwrap(), 1);
    }

    #[test]
    fn mode_r_reads_only() {
        let (_d, p) = tmp();
        write_sample(&p, "w");
        let before = std::fs::read(&p).unwrap();
        let f = qnd::open(&p, "r").unwrap();
        check_sample(&f);
        let e = expect_err!(f.set("x", vec![0.0, 0.0, 0.0]), Error::ReadOnly { .. });
        assert!(e.to_string().contains(&p.display().to_string()), "{e}");
        assert!(e.to_string().contains("/x"), "{e}");
        expect_err!(f.set("new", 1.0), Error::ReadOnly { .. });
        expect_err!(f.declare("d", qnd::DType::F64, &[]), Error::ReadOnly { .. });
        expect_err!(
            f.write_part("x", ndarray::s![0], 5.0),
            Error::ReadOnly { .. }
        );
        expect_err!(f.attrs("").unwrap().set("a", 1i32), Error::ReadOnly { .. });
        expect_err!(f.list("l").unwrap().append(1i64), Error::ReadOnly { .. });
        f.set_recording(Recording::Uniform);
        expect_err!(f.set("t", 2.0), Error::ReadOnly { .. });
        check_sample(&f);
        f.close().unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            before,
            "r never changes the file"
        );
    }

    #[test]
    fn mode_r_plus_reads_and_writes() {
        let (_d, p) = tmp();
        write_sample(&p, "w");
        let f = qnd::open(&p, "r+").unwrap();
        check_sample(&f);
        f.set("x", vec![4.0, 5.0, 6.0]).unwrap();
        f.set("new", "added").unwrap();
        f.set_recording(Recording::Uniform);
        f.set("t", 2.0).unwrap();
        f.close().unwrap();
        let f = qnd::open(&p, Mode::Read).unwrap();
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [4.0, 5.0, 6.0]);
        assert_eq!(f.read::<String>("new").unwrap(), "added");
        assert_eq!(f.list("t").unwrap().len().unwrap(), 3);
        assert_eq!(f.names().unwrap(), ["x", "g", "l", "t", "new"]);
    }

    #[test]
    fn mode_a_creates_or_appends() {
        let (_d, p) = tmp();
        assert!(!p.exists());
        write_sample(&p, "a");
        assert!(p.exists());
        let f = qnd::open(&p, "a").unwrap();
        check_sample(&f);
        f.set_recording(Recording::Uniform);
        f.set("t", 2.0).unwrap();
        f.set_recording(Recording::Off);
        f.set("note", "appended").unwrap();
        f.close().unwrap();
        let f = qnd::open(&p, "r").unwrap();
        f.goto_off();
        assert_eq!(
            f.read::<Vec<Value>>("t").unwrap(),
            [0.0, 1.0, 2.0].map(Value::from).to_vec()
        );
        assert_eq!(f.read::<String>("note").unwrap(), "appended");
    }

    /// After open the modes are the defaults: auto 1, recording 0, goto off.
    #[test]
    fn modes_after_open() {
        let (_d, p) = tmp();
        write_sample(&p, "w");
        for mode in ["r", "r+", "a"] {
            let f = qnd::open(&p, mode).unwrap();
            assert_eq!(f.state(), qnd::State::default(), "{mode}");
            assert!(matches!(f.get("t").unwrap(), qnd::Item::List(_)));
        }
    }

    #[test]
    fn open_with_options() {
        let (_d, p) = tmp();
        let q = p.with_file_name("data.bin");
        let opts = OpenOptions {
            mode: Mode::Create,
            format: Some(Format::Hdf5),
            auto: Auto::Off,
            recording: Recording::Uniform,
            netcdf: qnd::NcFormat::Classic, // ignored: not a netCDF file
            record_buffer: 0,               // every record written as it comes
            sync: false,
            max_read_bytes: qnd::default_max_read_bytes(),
            family_size: qnd::DEFAULT_FAMILY_SIZE,
            parallel: None,
        };
        let f = qnd::open_with(&q, &opts).unwrap();
        assert_eq!((f.auto(), f.recording()), (Auto::Off, Recording::Uniform));
        f.set("t", 1.0).unwrap();
        f.set("t", 2.0).unwrap();
        assert!(matches!(f.get("t").unwrap(), qnd::Item::Leaf(_)));
        f.close().unwrap();
        let f = qnd::open_with(&q, &OpenOptions::new(Mode::Read)).unwrap();
        assert_eq!(f.kind("t").unwrap(), Kind::Records);
        assert_eq!(f.list("t").unwrap().len().unwrap(), 2);
    }

    #[test]
    fn flush_writes_to_disk() {
        let (_d, p) = tmp();
        let f = qnd::open(&p, "w").unwrap();
        f.set("x", vec![1.0, 2.0]).unwrap();
        f.set_recording(Recording::Uniform);
        f.set("t", 0.5).unwrap();
        f.flush().unwrap();
        // a copy of the bytes after flush is a complete file
        let copy = p.with_file_name("copy.h5");
        std::fs::copy(&p, &copy).unwrap();
        let c = qnd::open(&copy, "r").unwrap();
        assert_eq!(c.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0]);
        assert_eq!(c.list("t").unwrap().len().unwrap(), 1);
        drop(c);
        // the file stays open and writable after flush
        f.set("t", 1.5).unwrap();
        f.set_recording(Recording::Off);
        f.set("y", 3i32).unwrap();
        f.flush().unwrap();
        f.close().unwrap();
        let f = qnd::open(&p, "r").unwrap();
        assert_eq!(f.list("t").unwrap().len().unwrap(), 2);
        assert_eq!(f.read::<i32>("y").unwrap(), 3);
    }

    #[test]
    fn close_then_reopen() {
        let (_d, p) = tmp();
        let f = qnd::open(&p, "w").unwrap();
        f.set("x", 1.0).unwrap();
        let g = f.create_group("g").unwrap();
        f.close().unwrap();
        f.close().unwrap();
        expect_err!(f.read::<f64>("x"), Error::Closed { .. });
        expect_err!(g.set("y", 1.0), Error::Closed { .. });
        // the same path opens again at once (the file was really closed)
        let f = qnd::open(&p, "r+").unwrap();
        assert_eq!(f.read::<f64>("x").unwrap(), 1.0);
        f.set("g/y", 2.0).unwrap();
        f.close().unwrap();
        let f = qnd::open(&p, "r").unwrap();
        assert_eq!(f.read::<f64>("g/y").unwrap(), 2.0);
    }

    #[test]
    fn closing_on_drop() {
        let (_d, p) = tmp();
        {
            let f = qnd::open(&p, "w").unwrap();
            f.set("x", 1.0).unwrap();
            let g = f.create_group("g").unwrap();
            drop(f);
            // a subgroup keeps the file open
            g.set("y", 2.0).unwrap();
            g.set("/z", 3.0).unwrap();
        }
        let leaf = {
            let f = qnd::open(&p, "r+").unwrap();
            f.leaf("x").unwrap()
        };
        leaf.write(10.0).unwrap();
        assert_eq!(leaf.read::<f64>().unwrap(), 10.0);
        drop(leaf);
        let l = {
            let f = qnd::open(&p, "r+").unwrap();
            f.create_list("l").unwrap()
        };
        l.append(1i64).unwrap();
        drop(l);
        let f = qnd::open(&p, "r").unwrap();
        assert_eq!(f.read::<f64>("x").unwrap(), 10.0);
        assert_eq!(f.read::<f64>("g/y").unwrap(), 2.0);
        assert_eq!(f.read::<f64>("z").unwrap(), 3.0);
        assert_eq!(f.list("l").unwrap().len().unwrap(), 1);
    }

    /// Errors name the file, and after them the file reads (and reopens)
    /// with its earlier content.
    #[test]
    fn readable_after_errors_on_disk() {
        let (_d, p) = tmp();
        write_sample(&p, "w");
        let f = qnd::open(&p, "r+").unwrap();
        let file = p.display().to_string();
        let errors: Vec<Error> = vec![
            f.set("x", "text").unwrap_err(),
            f.set("x", vec![1.0, 2.0]).unwrap_err(),
            f.set("g", 1.0).unwrap_err(),
            f.set("l", 1.0).unwrap_err(),
            f.read::<f64>("nope").unwrap_err(),
            f.write_part("x", ndarray::s![7], 1.0).unwrap_err(),
            f.declare("x", qnd::DType::F64, &[]).unwrap_err(),
            {
                f.set_recording(Recording::Uniform);
                let e = f.set("t", "text").unwrap_err();
                f.set_recording(Recording::Off);
                e
            },
            {
                f.goto(5);
                let e = f.read::<f64>("t").unwrap_err();
                f.goto_off();
                e
            },
        ];
        for e in &errors {
            assert!(e.to_string().contains(&file), "{e}");
        }
        check_sample(&f);
        f.close().unwrap();
        let f = qnd::open(&p, "r").unwrap();
        check_sample(&f);
        assert_eq!(
            f.read::<Vec<Value>>("t").unwrap(),
            [Value::from(0.0), Value::from(1.0)]
        );
    }

    #[test]
    fn format_detection() {
        let (d, _) = tmp();
        let dir = d.path();
        // no extension: HDF5 for a new file, found by its first bytes after
        let p = dir.join("data");
        write_sample(&p, "w");
        check_sample(&qnd::open(&p, "r").unwrap());
        // `bytes` in file `name` do not open: a format error naming it
        let refused = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            let e = expect_err!(qnd::open(&path, "r"), Error::Format { .. });
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        };
        // not a known format
        refused("junk.dat", b"just some text, no magic here");
        refused("empty.dat", b"");
        // an .h5 name on bytes that are not HDF5
        refused("short.h5", b"abc");
        refused("netcdf.h5", b"CDF\x01\0\0\0\0\0\0\0\0");
        let garbage = dir.join("garbage.h5");
        std::fs::write(&garbage, vec![7u8; 4096]).unwrap();
        let e = qnd::open(&garbage, "r").unwrap_err();
        assert!(
            e.to_string().contains(&garbage.display().to_string()),
            "{e}"
        );
        assert_eq!(
            Format::from_extension(Path::new("a.HDF5")),
            Some(Format::Hdf5)
        );
        assert_eq!(
            Format::from_extension(Path::new("a.nc4")),
            Some(Format::NetCdf)
        );
        assert_eq!(Format::from_magic(b"\x89HDF\r\n\x1a\n"), Some(Format::Hdf5));
        assert_eq!(Format::from_magic(b"CDF\x02"), Some(Format::NetCdf));
        assert_eq!(Format::from_magic(b"PK\x03\x04"), None);
    }

    #[test]
    fn file_path_is_the_path() {
        let (_d, p) = tmp();
        let f = qnd::open(&p, "w").unwrap();
        assert_eq!(f.file_path(), p);
        f.set("g", Value::group()).unwrap();
        assert_eq!(f.group("g").unwrap().file_path(), p);
        let e = f.read::<f64>("g/missing").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: no item /g/missing", p.display())
        );
    }
}

/// netCDF files: format detection by extension and by magic (a netCDF-4
/// file begins with the HDF5 signature), the netCDF format chosen at
/// create time, and clear errors for files that are not netCDF.
#[cfg(feature = "netcdf")]
mod netcdf {
    use std::path::Path;

    use qnd::{Error, Format, Mode, NcFormat, OpenOptions, Recording};

    const HDF5_MAGIC: &[u8] = b"\x89HDF\r\n\x1a\n";

    fn create(p: &Path, netcdf: NcFormat) -> qnd::QGroup {
        let opts = OpenOptions {
            netcdf,
            ..OpenOptions::new(Mode::Create)
        };
        qnd::open_with(p, &opts).unwrap_or_else(|e| panic!("create {netcdf:?}: {e}"))
    }

    fn first_bytes(p: &Path) -> Vec<u8> {
        std::fs::read(p).unwrap().into_iter().take(8).collect()
    }

    /// A small file every netCDF flavour can hold.
    fn write_small(f: &qnd::QGroup) {
        f.set("x", vec![1.0, 2.0, 3.0]).unwrap();
        f.set("n", 7i32).unwrap();
        f.set_recording(Recording::Uniform);
        f.set("t", 0.0).unwrap();
        f.set("t", 0.5).unwrap();
    }

    #[track_caller]
    fn check_small(f: &qnd::QGroup) {
        assert_eq!(f.read::<Vec<f64>>("x").unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(f.read::<i32>("n").unwrap(), 7);
        assert_eq!(f.list("t").unwrap().len().unwrap(), 2);
    }

    #[test]
    fn new_nc_files_have_the_format_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        for (netcdf, magic) in [
            (NcFormat::Netcdf4, HDF5_MAGIC),
            (NcFormat::Classic, b"CDF\x01".as_slice()),
            (NcFormat::Offset64, b"CDF\x02".as_slice()),
        ] {
            let p = dir.path().join(format!("{netcdf:?}.nc"));
            let f = create(&p, netcdf);
            write_small(&f);
            f.close().unwrap();
            assert!(
                first_bytes(&p).starts_with(magic),
                "{netcdf:?}: {:?}",
                first_bytes(&p)
            );
            // detected on open, whatever the options say
            let f = qnd::open_with(&p, &OpenOptions::new(Mode::Read)).unwrap();
            check_small(&f);
            f.close().unwrap();
        }
        // the default is netCDF-4
        let p = dir.path().join("default.nc");
        qnd::open(&p, "w").unwrap().close().unwrap();
        assert!(first_bytes(&p).starts_with(HDF5_MAGIC));
        assert_eq!(OpenOptions::new(Mode::Create).netcdf, NcFormat::Netcdf4);
    }

    #[test]
    fn detected_by_magic_without_an_extension() {
        let dir = tempfile::tempdir().unwrap();
        for netcdf in [NcFormat::Classic, NcFormat::Offset64] {
            let p = dir.path().join("made.nc");
            let f = create(&p, netcdf);
            write_small(&f);
            f.close().unwrap();
            let q = dir.path().join(format!("data_{netcdf:?}"));
            std::fs::rename(&p, &q).unwrap();
            check_small(&qnd::open(&q, "r").unwrap());
            // and appended to
            let f = qnd::open(&q, "a").unwrap();
            f.set_recording(Recording::Uniform);
            f.set("t", 1.0).unwrap();
            f.close().unwrap();
            let f = qnd::open(&q, "r").unwrap();
            assert_eq!(f.list("t").unwrap().len().unwrap(), 3);
        }
        // An explicit format opens a netCDF-4 file under any name.
        let p = dir.path().join("four.nc");
        let f = create(&p, NcFormat::Netcdf4);
        write_small(&f);
        f.close().unwrap();
        let q = dir.path().join("four.data");
        std::fs::rename(&p, &q).unwrap();
        let opts = OpenOptions {
            format: Some(Format::NetCdf),
            ..OpenOptions::new(Mode::Read)
        };
        check_small(&qnd::open_with(&q, &opts).unwrap());
    }

    #[test]
    fn mode_a_creates_with_the_format_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.nc");
        let opts = OpenOptions {
            netcdf: NcFormat::Classic,
            ..OpenOptions::new(Mode::Append)
        };
        let f = qnd::open_with(&p, &opts).unwrap();
        write_small(&f);
        f.close().unwrap();
        assert!(first_bytes(&p).starts_with(b"CDF\x01"));
        // reopening in a with other options keeps the file's format
        let f = qnd::open(&p, "a").unwrap();
        f.set("y", 1.5).unwrap();
        f.close().unwrap();
        assert!(first_bytes(&p).starts_with(b"CDF\x01"));
        let f = qnd::open(&p, "r").unwrap();
        check_small(&f);
        assert_eq!(f.read::<f64>("y").unwrap(), 1.5);
    }

    /// Files with a netCDF name that are not netCDF: a clear error naming
    /// the file and what was found, never a library trace.
    #[test]
    fn not_netcdf_with_an_nc_name() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("text.nc", b"just some text, no magic".as_slice()),
            ("short.nc", b"CD".as_slice()),
            ("zip.nc4", b"PK\x03\x04 and more bytes".as_slice()),
            ("cdf9.cdf", b"CDF\x09\0\0\0\0".as_slice()),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            for mode in ["r", "r+", "a"] {
                let e = expect_err!(qnd::open(&p, mode), Error::Format { .. });
                let msg = e.to_string();
                assert!(msg.contains(&p.display().to_string()), "{msg}");
                assert!(msg.contains("no netCDF signature"), "{msg}");
                assert!(msg.contains("the file starts"), "{msg}");
            }
            assert_eq!(std::fs::read(&p).unwrap(), bytes, "left as it was");
        }
        let empty = dir.path().join("empty.nc");
        std::fs::write(&empty, b"").unwrap();
        let e = expect_err!(qnd::open(&empty, "r"), Error::Format { .. });
        assert!(e.to_string().contains("an empty file"), "{e}");
        // an .h5 name on netCDF-3 bytes is not HDF5
        let p = dir.path().join("classic.h5");
        std::fs::write(&p, b"CDF\x01\0\0\0\0\0\0\0\0").unwrap();
        let e = expect_err!(qnd::open(&p, "r"), Error::Format { .. });
        assert!(e.to_string().contains("a netCDF file, not HDF5"), "{e}");
    }

    /// A truncated or corrupted netCDF file: an error naming the file (from
    /// the netCDF backend), no panic.
    #[test]
    fn truncated_and_corrupted_nc() {
        let dir = tempfile::tempdir().unwrap();
        for netcdf in [NcFormat::Classic, NcFormat::Netcdf4] {
            let p = dir.path().join(format!("good_{netcdf:?}.nc"));
            let f = create(&p, netcdf);
            write_small(&f);
            f.close().unwrap();
            let bytes = std::fs::read(&p).unwrap();
            let truncated = dir.path().join(format!("truncated_{netcdf:?}.nc"));
            std::fs::write(&truncated, &bytes[..bytes.len().min(16)]).unwrap();
            let mut garbled = bytes.clone();
            for b in garbled.iter_mut().skip(8).take(64) {
                *b = 0xA5;
            }
            let corrupted = dir.path().join(format!("corrupted_{netcdf:?}.nc"));
            std::fs::write(&corrupted, &garbled).unwrap();
            for p in [&truncated, &corrupted] {
                let got = qnd::open(p, "r").and_then(|f| f.to_value());
                let Err(e) = got else {
                    panic!("{}: read a damaged file", p.display());
                };
                let msg = e.to_string();
                assert!(msg.contains(&p.display().to_string()), "{msg}");
                if let Error::Backend { backend, .. } = &e {
                    assert_eq!(*backend, "netcdf", "{msg}");
                }
            }
        }
    }
}

/// Without the netCDF backend, a netCDF file says its format is missing
/// from this build.
#[cfg(not(feature = "netcdf"))]
#[test]
fn netcdf_missing_from_this_build() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.nc");
    let e = expect_err!(qnd::open(&p, "w"), Error::Format { .. });
    assert!(e.to_string().contains("netCDF"), "{e}");
    std::fs::write(&p, b"CDF\x01\0\0\0\0").unwrap();
    expect_err!(qnd::open(&p, "r"), Error::Format { .. });
}

/// Without the HDF5 backend, opening an `.h5` file says the format is
/// missing from this build.
#[cfg(not(feature = "hdf5"))]
#[test]
fn hdf5_missing_from_this_build() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.h5");
    expect_err!(qnd::open(&p, "w"), Error::Format { .. });
}
