//! [`group!`](crate::group): a [`Value::Group`](crate::Value::Group) of
//! mixed members in one expression.

/// A group of mixed members, in the order written: `qnd::group!{"a" =>
/// 1.0, "u" => array![1.0, 2.0], "name" => "x"}` is a
/// [`Value::Group`](crate::Value::Group) whose members are
/// `Value::from` of each value (numbers, arrays, `Vec`s, text, `Option`s,
/// other values and groups). A name given twice keeps its first place and
/// its last value. `qnd::group!{}` is the empty group.
///
/// ```
/// use ndarray::array;
/// use qnd::Value;
///
/// let f = qnd::memory();
/// f.set("run", qnd::group! {
///     "dt" => 0.5,
///     "u" => array![1.0, 2.0],
///     "name" => "shock tube",
///     "mesh" => qnd::group! { "nx" => 100i32, "periodic" => false },
///     "note" => Value::None,
/// })?;
/// assert_eq!(f.group("run")?.names()?, ["dt", "u", "name", "mesh", "note"]);
/// assert_eq!(f.read::<i32>("run/mesh/nx")?, 100);
/// assert_eq!(f.read::<Vec<f64>>("run/u")?, [1.0, 2.0]);
/// # Ok::<(), qnd::Error>(())
/// ```
#[macro_export]
macro_rules! group {
    () => {
        $crate::Value::group()
    };
    ($($name:expr => $value:expr),+ $(,)?) => {
        $crate::Value::Group(::core::iter::Iterator::collect(::core::iter::IntoIterator::into_iter([
            $((::std::string::String::from($name), $crate::Value::from($value))),+
        ])))
    };
}

#[cfg(test)]
mod tests {
    use crate::Value;
    use ndarray::array;

    #[test]
    fn members_in_order_each_converted() {
        let g = crate::group! {
            "a" => 1.0,
            "u" => array![1.0, 2.0],
            "name" => "x",
            "n" => 3i32,
            "none" => Value::None,
            "sub" => crate::group! {"b" => true},
        };
        let Value::Group(m) = &g else { panic!("{g:?}") };
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["a", "u", "name", "n", "none", "sub"]
        );
        assert_eq!(m["a"], Value::from(1.0));
        assert_eq!(m["u"], Value::from(vec![1.0, 2.0]));
        assert_eq!(m["name"], Value::from("x"));
        assert_eq!(m["n"], Value::from(3i32));
        assert_eq!(m["none"], Value::None);
        assert_eq!(
            g.get("sub").and_then(|s| s.get("b")),
            Some(&Value::from(true))
        );
    }

    #[test]
    fn empty_duplicates_and_owned_names() {
        assert_eq!(crate::group! {}, Value::group());
        let name = String::from("k");
        let g = crate::group! {name.clone() => 1i64, "z" => 2i64, name => 3i64};
        let Value::Group(m) = g else { panic!() };
        assert_eq!(m.keys().collect::<Vec<_>>(), ["k", "z"]);
        assert_eq!(m["k"], Value::from(3i64));
    }
}
