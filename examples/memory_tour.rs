//! A tour of the tree on the in-memory backend (no C library needed):
//! groups, lists, leaves, auto modes, recording and goto.

use ndarray::{array, s, Array2};
use qnd::{Auto, Item, Recording, Result, Value};

fn main() -> Result<()> {
    let f = qnd::memory();

    // Leaves, subgroups, lists, None.
    f.set("x", array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])?;
    f.set("g", Value::group())?;
    f.set("g/name", "mesh")?;
    f.set("/g/flags", vec![true, false])?;
    let l = f.create_list("parts")?;
    l.append(1i64)?;
    l.append(Value::None)?;
    l.append(vec![0.5f32, 1.5])?;
    println!("members: {:?}", f.names()?);

    // Auto mode 1 (default) reads leaves; 0 gives handles.
    let x: Array2<f64> = f.read("x")?;
    println!("x =\n{x}");
    {
        let f = f.push();
        f.set_auto(Auto::Off);
        if let Item::Leaf(h) = f.get("x")? {
            println!("x handle: dtype {} shape {:?}", h.dtype()?, h.shape()?);
            let col: Vec<f64> = h.read_part(s![.., 1])?;
            println!("x[:, 1] = {col:?}");
        }
    }

    // Recording a history, then goto.
    f.set_recording(Recording::Uniform);
    for k in 0..4 {
        f.set("t", k as f64 * 0.25)?;
        f.set("y", array![k, k * k])?;
    }
    f.set_recording(Recording::Off);
    let r = f.goto_nearest("t", 0.6)?;
    println!(
        "record nearest t=0.6: {r}, y = {:?}",
        f.read::<Vec<i32>>("y")?
    );
    f.goto_off();

    println!(
        "{}",
        serde_json::to_string(&qnd::to_json(&f.to_value()?)).unwrap_or_default()
    );
    Ok(())
}
