//! Modes: push/drop of auto, recording and goto; subgroups and lists
//! inherit modes when they are made and are independent after.

use qnd::{Auto, Error, Item, Kind, Recording, State, Value};

use crate::common::{group, list, value, Maker};

fn modes(f: &qnd::QGroup) -> (Auto, Recording, Option<isize>) {
    (f.auto(), f.recording(), f.current_record())
}

pub fn push_restores_modes(m: &dyn Maker) {
    let f = m.create();
    crate::record_t(&f);
    f.goto_off();
    let start = modes(&f);
    assert_eq!(start, (Auto::Leaves, Recording::Off, None));
    {
        let g = f.push();
        g.set_auto(Auto::Off);
        g.set_recording(Recording::Uniform);
        g.goto(1);
        assert_eq!(modes(&f), (Auto::Off, Recording::Uniform, Some(1)));
        g.set("t", 3.0).unwrap();
        assert_eq!(g.current_record(), Some(3));
        assert!(matches!(g.get("t").unwrap(), Item::Leaf(_)));
    }
    assert_eq!(modes(&f), start);
    assert_eq!(
        f.list("t").unwrap().len().unwrap(),
        4,
        "what was written stays"
    );
    assert!(matches!(f.get("t").unwrap(), Item::List(_)));
}

pub fn push_nested(m: &dyn Maker) {
    let f = m.create();
    crate::record_t(&f);
    f.goto(0);
    {
        let a = f.push();
        a.goto(1);
        {
            let b = f.push();
            b.goto(2);
            b.set_auto(Auto::All);
            assert_eq!(b.read::<f64>("t").unwrap(), 2.0);
        }
        assert_eq!(modes(&f), (Auto::Leaves, Recording::Off, Some(1)));
        assert_eq!(a.read::<f64>("t").unwrap(), 1.0);
    }
    assert_eq!(modes(&f), (Auto::Leaves, Recording::Off, Some(0)));
    assert_eq!(f.read::<f64>("t").unwrap(), 0.0);
}

pub fn push_restores_after_error(m: &dyn Maker) {
    let f = m.create();
    f.set("x", 1.0).unwrap();
    let attempt = || -> qnd::Result<()> {
        let g = f.push();
        g.set_recording(Recording::Uniform);
        g.set_auto(Auto::All);
        g.goto(7);
        g.set("x", "not a number")?;
        Ok(())
    };
    expect_err!(attempt(), Error::Mismatch { .. });
    assert_eq!(modes(&f), (Auto::Leaves, Recording::Off, None));
    assert_eq!(f.read::<f64>("x").unwrap(), 1.0);
}

pub fn state_and_set_state(m: &dyn Maker) {
    let f = m.create();
    assert_eq!(f.state(), State::default());
    assert_eq!(
        State::default(),
        State {
            auto: Auto::Leaves,
            recording: Recording::Off,
            goto: None
        }
    );
    let s = State {
        auto: Auto::All,
        recording: Recording::Any,
        goto: Some(-2),
    };
    f.set_state(s);
    assert_eq!(f.state(), s);
    assert_eq!(modes(&f), (Auto::All, Recording::Any, Some(-2)));
    {
        let g = f.push();
        g.set_state(State::default());
        assert_eq!(f.state(), State::default());
    }
    assert_eq!(f.state(), s);
}

/// A subgroup got from a group starts with its modes.
pub fn subgroups_inherit_modes(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    f.set("g/x", 1.0).unwrap();
    f.set_recording(Recording::Any);
    f.goto(1);
    for auto in [Auto::Off, Auto::Leaves] {
        f.set_auto(auto);
        let g = group(f.get("g").unwrap());
        assert_eq!(modes(&g), (auto, Recording::Any, Some(1)), "auto {auto}");
        let g = group(f.item("g").unwrap());
        assert_eq!(g.recording(), Recording::Any);
        assert_eq!(g.current_record(), Some(1));
    }
    f.set_auto(Auto::All);
    assert!(matches!(
        f.get("g").unwrap(),
        Item::Value(Value::Group(_), _)
    ));
}

/// `group(name)` and `create_group` give a subgroup with the modes of the
/// group they came from (qnd: "initially g inherits autoread and other
/// modes from f").
pub fn group_handle_inherits_modes(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    f.set("g/x", 1.0).unwrap();
    let g = f.group("g").unwrap();
    assert_eq!(modes(&g), modes(&f), "f.group(\"g\") inherits f's modes");
    assert_eq!(value(g.get("x").unwrap()), Value::from(1.0));
    f.set_recording(Recording::Uniform);
    f.goto(0);
    let h = f.create_group("h").unwrap();
    assert_eq!(modes(&h), (Auto::Leaves, Recording::Uniform, Some(0)));
    f.set_auto(Auto::Off);
    let g = f.group("g").unwrap();
    assert_eq!(g.auto(), Auto::Off);
}

/// After it is made a subgroup's modes are its own.
pub fn subgroups_independent(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    let g = group(f.get("g").unwrap());
    g.set_auto(Auto::Off);
    g.set_recording(Recording::Uniform);
    g.goto(0);
    assert_eq!(modes(&f), (Auto::Leaves, Recording::Off, None));
    f.set_auto(Auto::All);
    f.set_recording(Recording::Any);
    assert_eq!(modes(&g), (Auto::Off, Recording::Uniform, Some(0)));
    f.set_recording(Recording::Off);
    // g records, f overwrites
    g.set("t", 1.0).unwrap();
    g.set("t", 2.0).unwrap();
    f.set("x", 1.0).unwrap();
    f.set("x", 2.0).unwrap();
    assert_eq!(f.kind("g/t").unwrap(), Kind::Records);
    assert_eq!(f.kind("x").unwrap(), Kind::Leaf);
    assert_eq!(g.current_record(), Some(1));
    assert_eq!(f.current_record(), None);
    // a clone has its own copy of the modes too
    let c = g.clone();
    c.goto_off();
    assert_eq!(g.current_record(), Some(1));
}

/// A list starts with the auto mode of the group it came from.
pub fn lists_inherit_auto(m: &dyn Maker) {
    let f = m.create();
    f.set("l", Value::List(vec![Value::from(1.0)])).unwrap();
    for auto in [Auto::Off, Auto::Leaves] {
        f.set_auto(auto);
        assert_eq!(list(f.get("l").unwrap()).auto(), auto, "get in auto {auto}");
    }
    f.set_auto(Auto::Leaves);
    let l = f.list("l").unwrap();
    assert_eq!(
        l.auto(),
        Auto::Leaves,
        "f.list(\"l\") inherits f's auto mode"
    );
    assert_eq!(value(l.get(0).unwrap()), Value::from(1.0));
    let n = f.create_list("n").unwrap();
    assert_eq!(n.auto(), Auto::Leaves, "create_list inherits f's auto mode");
    f.set_auto(Auto::Off);
    assert_eq!(f.list("l").unwrap().auto(), Auto::Off);
}

/// `root()` is the root with the modes of the group it is called on.
pub fn root_keeps_modes(m: &dyn Maker) {
    let f = m.create();
    f.set("g", Value::group()).unwrap();
    let g = group(f.get("g").unwrap());
    g.set_auto(Auto::Off);
    g.goto(3);
    let r = g.root();
    assert_eq!(modes(&r), (Auto::Off, Recording::Off, Some(3)));
    assert!(matches!(r.get("g").unwrap(), Item::Group(_)));
    r.set_auto(Auto::All);
    assert_eq!(g.auto(), Auto::Off);
    assert_eq!(f.auto(), Auto::Leaves);
}

pub fn mode_numbers(_m: &dyn Maker) {
    for (n, a) in [(0u8, Auto::Off), (1, Auto::Leaves), (2, Auto::All)] {
        assert_eq!(Auto::try_from(n).unwrap(), a);
        assert_eq!(u8::from(a), n);
        assert_eq!(a.to_string(), n.to_string());
    }
    for (n, r) in [
        (0u8, Recording::Off),
        (1, Recording::Uniform),
        (2, Recording::Any),
    ] {
        assert_eq!(Recording::try_from(n).unwrap(), r);
        assert_eq!(u8::from(r), n);
    }
    assert!(Auto::try_from(3).is_err());
    assert!(Recording::try_from(9).is_err());
    assert_eq!(Auto::default(), Auto::Leaves);
    assert_eq!(Recording::default(), Recording::Off);
}
