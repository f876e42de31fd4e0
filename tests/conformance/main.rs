//! Conformance: the same cases, run against every backend.
//!
//! Each case is a function `fn(&dyn Maker)` in one of the topic modules
//! below. [`cases!`] lists them once; [`backend!`] makes one `#[test]` per
//! case for one backend, named `BACKEND::TOPIC::CASE` (filter with
//! `cargo test --test conformance memory::` or `hdf5::recording::`).
//! Adding a backend is one `backend!` line at the bottom.
//!
//! A backend whose format cannot hold everything (netCDF-3: no groups, no
//! unsigned or 64-bit integers) names the cases it refuses, each with the
//! text of its refusal (see [`netcdf3`]). [`run`] checks that list both
//! ways: a listed case must fail with that text, and leave every file it
//! made readable; an unlisted case must pass; a listed case that passes
//! fails too, so the list stays exact.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod attributes;
mod auto;
mod casts;
mod complex;
mod errors;
mod goto;
mod leaves;
mod lists;
mod modes;
#[cfg(feature = "netcdf")]
mod netcdf3;
#[cfg(feature = "pdb")]
mod pdb_refusals;
mod recording;
mod selection;
mod tree;
mod values;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::Maker;
use qnd::{QGroup, Recording, Value};

/// Run case `name` (`topic::case`) on `maker`. A case listed in `refused`
/// (name, text) must panic with a message holding `text` (the error the
/// backend refuses it with), and every file the maker made must still open
/// and read whole afterwards; a listed case that passes is an error too.
/// Unlisted cases run as they are.
fn run(maker: &dyn Maker, refused: &[(&str, &str)], name: &str, case: fn(&dyn Maker)) {
    let backend = maker.name();
    let Some(&(_, text)) = refused.iter().find(|(c, _)| *c == name) else {
        return case(maker);
    };
    let payload = match catch_unwind(AssertUnwindSafe(|| case(maker))) {
        Ok(()) => panic!(
            "{backend}: {name} is listed as refused ({text:?}) but passes: \
             take it off the list"
        ),
        Err(payload) => payload,
    };
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(a panic without a message)");
    assert!(
        message.contains(text),
        "{backend}: {name} must be refused with {text:?}, but failed with: {message}"
    );
    for file in maker.files() {
        let read = qnd::open(&file, "r").and_then(|f| {
            f.goto_off();
            f.to_value()?;
            f.close()
        });
        if let Err(e) = read {
            panic!(
                "{backend}: {name} was refused ({text:?}), but left {} unreadable: {e}",
                file.display()
            );
        }
    }
}

/// A new file of `m` holding `members` in order, then `n` = None and a
/// record variable `t` of three records (see [`record_t`]); recording and
/// goto off.
fn sample_file(m: &dyn Maker, members: &[(&str, Value)]) -> QGroup {
    let f = m.create();
    for (name, value) in members {
        f.set(name, value.clone()).unwrap();
    }
    f.set("n", Value::None).unwrap();
    record_t(&f);
    f.goto_off();
    f
}

/// The tree a [`sample_file`] of `members` reads as whole.
fn sample_tree(members: &[(&str, Value)]) -> Value {
    let mut all = members.to_vec();
    all.push(("n", Value::None));
    let t = Value::List(vec![Value::from(0.0), Value::from(1.0), Value::from(2.0)]);
    all.push(("t", t));
    common::tree(all)
}

/// Three records of `t` (0.0, 1.0, 2.0) written in `f`, recording
/// `Uniform`; then recording off.
fn record_t(f: &QGroup) {
    f.set_recording(Recording::Uniform);
    for k in 0..3 {
        f.set("t", k as f64).unwrap();
    }
    f.set_recording(Recording::Off);
}

/// One `#[test]` per case: `$topic::$case` run by [`run`] with the maker
/// and the refusals of its backend.
macro_rules! emit {
    ($maker:expr; $($topic:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        $(
            mod $topic {
                $(
                    #[test]
                    fn $case() {
                        let maker = $maker;
                        crate::run(
                            &maker,
                            super::REFUSED,
                            concat!(stringify!($topic), "::", stringify!($case)),
                            crate::$topic::$case,
                        );
                    }
                )*
            }
        )*
    };
}

/// Every case of every topic.
macro_rules! cases {
    ($maker:expr) => {
        emit! { $maker;
            values: [
                dtype_i8, dtype_i16, dtype_i32, dtype_i64,
                dtype_u8, dtype_u16, dtype_u32, dtype_u64,
                dtype_f32, dtype_f64, dtype_bool, dtype_text,
                text_utf8, empty_arrays, none_values, read_conversions,
                read_conversion_errors, lossless_widening_on_read,
                narrowing_refused_on_read, widening_on_write,
                special_floats,
            ],
            tree: [
                get_set_by_name, names_in_insertion_order, items_in_order,
                update_many, get_or_default, paths, paths_from_subgroup,
                contains_paths, subgroups_from_values, nested_group_values,
                root_and_is_root, declare_then_fill, declare_every_dtype,
                declare_text, overwrite_leaf, whole_tree_to_value,
                set_needs_same_shape, unusual_names,
            ],
            selection: [
                numpy_read, numpy_write, ndarray_read, ndarray_write,
                other_dtypes, index_and_range_selections, single_value_fills,
                empty_selections, record_selections,
            ],
            leaves: [
                properties, read_write_whole_and_part, record_leaf,
                handles_share_the_file, list_element_leaf,
            ],
            lists: [
                append_extend_get, negative_indices, slices, iter_in_order,
                nested_lists_and_groups, none_elements, own_auto_mode,
                set_overwrites_leaf, set_refuses_other_kinds, list_from_value,
                empty_list, read_elements,
            ],
            recording: [
                uniform_appends_records, uniform_records_share_dtype_and_shape,
                uniform_refuses_wrong_dtype, uniform_refuses_wrong_shape,
                uniform_refuses_wrong_kind, uniform_accepts_lossless_widening,
                any_records_of_any_kind, declared_leaf_stays_plain,
                set_leaf_stays_plain, record_variable_recording_off,
                declare_record_variable, records_after_reopen,
                update_in_recording_mode, list_append_to_records,
                text_records, many_records, empty_record_shape,
            ],
            goto: [
                goto_record, goto_follows_recorded_writes,
                goto_off_reads_all_records, goto_nearest_increasing,
                goto_nearest_decreasing, goto_nearest_restart,
                goto_nearest_list_records, goto_iter_sets_and_restores,
                goto_iter_break_restores, goto_iter_by, goto_errors,
                goto_and_plain_leaves, goto_to_value, goto_in_subgroup,
                goto_paths_through_list_records,
                goto_off_reads_records_as_arrays,
            ],
            modes: [
                push_restores_modes, push_nested, push_restores_after_error,
                state_and_set_state, subgroups_inherit_modes,
                group_handle_inherits_modes, subgroups_independent,
                lists_inherit_auto, root_keeps_modes, mode_numbers,
            ],
            auto: [
                auto0_gives_handles, auto1_reads_leaves, auto2_reads_everything,
                item_ignores_auto, to_value_ignores_auto, items_follow_auto,
                records_follow_auto, item_read_and_into_value,
            ],
            attributes: [
                root_attributes, subgroup_attributes, leaf_attributes,
                record_variable_attributes, list_attributes,
                every_dtype, pseudo_attributes, reserved_names_refused,
                replace_attribute, conventions_hidden, attribute_errors,
            ],
            errors: [
                no_item, no_record, out_of_bounds, mismatch, invalid,
                read_only, closed, readable_after_errors,
                bad_values_write_nothing, extreme_arguments,
            ],
            casts: [
                narrowing_values_that_fit, every_write_path_casts,
                values_that_do_not_fit_write_nothing,
                records_cast_and_refused_whole, bool_and_text_never_convert,
                unsigned_casts,
            ],
            complex: [leaves, partial, records, attributes, casts, values],
        }
    };
}

/// The tests of one backend: `backend!(#[cfg(...)] NAME => MAKER)`, or
/// `backend!(... NAME => MAKER, refusing LIST)` for a backend that refuses
/// the cases in LIST (see [`run`]).
macro_rules! backend {
    (@refused) => { &[] };
    (@refused $list:expr) => { $list };
    ($(#[$attr:meta])* $name:ident => $maker:expr $(, refusing $list:expr)?) => {
        $(#[$attr])*
        mod $name {
            /// The cases this backend refuses, with the text of the refusal.
            const REFUSED: &[(&str, &str)] = backend!(@refused $($list)?);
            cases!($maker);
        }
    };
}

backend!(memory => crate::common::MemoryMaker);
backend!(parallel_memory => crate::common::ParallelMemoryMaker);
backend!(#[cfg(feature = "hdf5")] parallel_hdf5 => crate::common::FileMaker::new("parallel-hdf5", "h5").parallel(qnd::Parallel::single()));
backend!(#[cfg(feature = "hdf5")] hdf5 => crate::common::FileMaker::new("hdf5", "h5"));
backend!(#[cfg(feature = "netcdf")] netcdf4 => crate::common::FileMaker::new("netcdf4", "nc"));
// PDB files written and read by qnd-pdb; the cases a PDB file cannot hold
// are listed in `pdb_refusals::REFUSED`. Big-endian PDB files (which qnd writes only
// as snapshots) are read through snapshots of each case's HDF5 file (see
// `common::PdbMaker`).
backend!(#[cfg(feature = "pdb")] pdb => crate::common::FileMaker::new("pdb", "pdb"), refusing crate::pdb_refusals::REFUSED);
backend!(#[cfg(all(feature = "pdb", feature = "hdf5"))] pdb_snapshot_big_endian => crate::common::PdbMaker::new("pdb-big-endian", qnd_pdb::snapshot::ByteOrder::Big));
backend!(#[cfg(feature = "netcdf")] classic => crate::common::FileMaker::new("netcdf-classic", "nc").netcdf(qnd::NcFormat::Classic), refusing crate::netcdf3::REFUSED);
backend!(#[cfg(feature = "netcdf")] offset64 => crate::common::FileMaker::new("netcdf-64bit-offset", "nc").netcdf(qnd::NcFormat::Offset64), refusing crate::netcdf3::REFUSED);
