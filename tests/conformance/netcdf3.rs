//! The cases netCDF-3 (classic and 64-bit offset) refuses, and with what.
//!
//! netCDF-3 has one root group and no unsigned or 64-bit integer types, so
//! a case that makes a group or a list, or stores a `u1`..`u8` or `i8`
//! (`i64`) value, leaf or attribute, cannot pass there. Each such case is
//! listed here with the text its refusal must hold; `run` in `main.rs`
//! checks that the case fails with exactly that refusal (and leaves its
//! files readable), and that every case not listed passes.

/// What a refused complex value says: every complex case refuses a `c16`
/// value first. (The netCDF backend's refusal names the dtype; its text
/// may say more, e.g. that complex needs HDF5 or netCDF-4.)
const NO_COMPLEX: &str = "c16";

/// What a refused group or list says.
const NO_GROUPS: &str = "netCDF-3 has no groups";

/// `(topic::case, refusal text)` for every case netCDF-3 refuses.
pub const REFUSED: &[(&str, &str)] = &[
    // netCDF-3 has no groups
    ("attributes::conventions_hidden", NO_GROUPS),
    ("attributes::leaf_attributes", NO_GROUPS),
    ("attributes::list_attributes", NO_GROUPS),
    ("attributes::pseudo_attributes", NO_GROUPS),
    ("attributes::subgroup_attributes", NO_GROUPS),
    ("auto::auto0_gives_handles", NO_GROUPS),
    ("auto::auto1_reads_leaves", NO_GROUPS),
    ("auto::auto2_reads_everything", NO_GROUPS),
    ("auto::item_ignores_auto", NO_GROUPS),
    ("auto::item_read_and_into_value", NO_GROUPS),
    ("auto::items_follow_auto", NO_GROUPS),
    ("auto::records_follow_auto", NO_GROUPS),
    ("auto::to_value_ignores_auto", NO_GROUPS),
    ("errors::bad_values_write_nothing", NO_GROUPS),
    ("errors::closed", NO_GROUPS),
    ("errors::extreme_arguments", NO_GROUPS),
    ("errors::invalid", NO_GROUPS),
    ("errors::mismatch", NO_GROUPS),
    ("errors::no_item", NO_GROUPS),
    ("errors::no_record", NO_GROUPS),
    ("errors::out_of_bounds", NO_GROUPS),
    ("errors::read_only", NO_GROUPS),
    ("errors::readable_after_errors", NO_GROUPS),
    ("goto::goto_and_plain_leaves", NO_GROUPS),
    ("goto::goto_errors", NO_GROUPS),
    ("goto::goto_follows_recorded_writes", NO_GROUPS),
    ("goto::goto_in_subgroup", NO_GROUPS),
    ("goto::goto_nearest_list_records", NO_GROUPS),
    ("goto::goto_paths_through_list_records", NO_GROUPS),
    ("leaves::handles_share_the_file", NO_GROUPS),
    ("leaves::list_element_leaf", NO_GROUPS),
    ("lists::append_extend_get", NO_GROUPS),
    ("lists::empty_list", NO_GROUPS),
    ("lists::iter_in_order", NO_GROUPS),
    ("lists::list_from_value", NO_GROUPS),
    ("lists::negative_indices", NO_GROUPS),
    ("lists::nested_lists_and_groups", NO_GROUPS),
    ("lists::none_elements", NO_GROUPS),
    ("lists::own_auto_mode", NO_GROUPS),
    ("lists::read_elements", NO_GROUPS),
    ("lists::set_overwrites_leaf", NO_GROUPS),
    ("lists::set_refuses_other_kinds", NO_GROUPS),
    ("lists::slices", NO_GROUPS),
    ("modes::group_handle_inherits_modes", NO_GROUPS),
    ("modes::lists_inherit_auto", NO_GROUPS),
    ("modes::root_keeps_modes", NO_GROUPS),
    ("modes::subgroups_independent", NO_GROUPS),
    ("modes::subgroups_inherit_modes", NO_GROUPS),
    ("recording::any_records_of_any_kind", NO_GROUPS),
    ("recording::record_variable_recording_off", NO_GROUPS),
    ("recording::records_after_reopen", NO_GROUPS),
    ("tree::contains_paths", NO_GROUPS),
    ("tree::declare_then_fill", NO_GROUPS),
    ("tree::get_or_default", NO_GROUPS),
    ("tree::nested_group_values", NO_GROUPS),
    ("tree::paths", NO_GROUPS),
    ("tree::paths_from_subgroup", NO_GROUPS),
    ("tree::root_and_is_root", NO_GROUPS),
    ("tree::set_needs_same_shape", NO_GROUPS),
    ("tree::subgroups_from_values", NO_GROUPS),
    ("tree::whole_tree_to_value", NO_GROUPS),
    ("values::read_conversion_errors", NO_GROUPS),
    // netCDF-3 has no i8 type
    ("selection::other_dtypes", "netCDF-3 has no i8 type"),
    ("tree::declare_every_dtype", "netCDF-3 has no i8 type"),
    ("tree::items_in_order", "netCDF-3 has no i8 type"),
    ("tree::names_in_insertion_order", "netCDF-3 has no i8 type"),
    ("tree::unusual_names", "netCDF-3 has no i8 type"),
    ("tree::update_many", "netCDF-3 has no i8 type"),
    ("values::dtype_i64", "netCDF-3 has no i8 type"),
    (
        "values::narrowing_refused_on_read",
        "netCDF-3 has no i8 type",
    ),
    ("values::read_conversions", "netCDF-3 has no i8 type"),
    ("values::widening_on_write", "netCDF-3 has no i8 type"),
    // netCDF-3 has no u1 type
    ("casts::unsigned_casts", "netCDF-3 has no u1 type"),
    ("attributes::every_dtype", "netCDF-3 has no u1 type"),
    ("tree::overwrite_leaf", "netCDF-3 has no u1 type"),
    ("values::dtype_u8", "netCDF-3 has no u1 type"),
    ("values::empty_arrays", "netCDF-3 has no u1 type"),
    (
        "values::lossless_widening_on_read",
        "netCDF-3 has no u1 type",
    ),
    // netCDF-3 has no u2 type
    ("leaves::properties", "netCDF-3 has no u2 type"),
    ("values::dtype_u16", "netCDF-3 has no u2 type"),
    // netCDF-3 has no u4 type
    ("values::dtype_u32", "netCDF-3 has no u4 type"),
    // netCDF-3 has no u8 type
    ("values::dtype_u64", "netCDF-3 has no u8 type"),
    // netCDF-3 has no complex
    ("complex::attributes", NO_COMPLEX),
    ("complex::casts", NO_COMPLEX),
    ("complex::leaves", NO_COMPLEX),
    ("complex::partial", NO_COMPLEX),
    ("complex::records", NO_COMPLEX),
    ("complex::values", NO_COMPLEX),
];
