//! `qnd dump --json FILE`: the file read whole, printed as JSON. A member
//! that cannot be read (larger than the read limit, or damaged) is printed
//! as `null` with an error on stderr naming it, and the rest still is;
//! the exit status is then 1. So is a group already on the path to it (a
//! hard link to a group that holds it: a cycle, which JSON cannot hold):
//! `null`, and on stderr `/g/up is /g (a hard link to a group that holds
//! it): a cycle, not followed`.

use std::io::{self, BufWriter, Write};

use indexmap::IndexMap;
use qnd::{Kind, QGroup, QList, Value};

use crate::cli::{self, Args, Failure};

/// Run `dump` with `args`; `usage` is the program's help.
pub fn run(args: &Args, usage: &str) -> Result<(), Failure> {
    if args.help() {
        return cli::print(usage);
    }
    let files = args.operands("dump", 1, 1)?;
    if !args.has(&["--json"]) {
        return Err(Failure::Usage(
            "dump: say --json (the only output format so far)".into(),
        ));
    }
    let root = cli::open_read(&cli::path(&files[0]))?;
    root.goto_off();
    let mut errors = Vec::new();
    // one read of the whole file; when it fails, member by member, so
    // that one member that cannot be read does not hide the others
    let value = match root.to_value() {
        Ok(v) => v,
        Err(_) => group(&root, &mut Vec::new(), &mut errors),
    };
    root.close()?;
    let mut out = BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &qnd::to_json(&value)).map_err(|e| {
        match e.io_error_kind() {
            Some(kind) => Failure::from(io::Error::from(kind)),
            None => Failure::Error(e.to_string()),
        }
    })?;
    writeln!(out)?;
    out.flush()?;
    drop(out);
    if errors.is_empty() {
        return Ok(());
    }
    let mut err = io::stderr().lock();
    for e in &errors {
        let _ = writeln!(err, "qnd: {e}");
    }
    Err(Failure::Error(format!(
        "dump: {} member{} could not be read (printed as null)",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )))
}

/// Group `g` read member by member: a member that cannot be read is None,
/// its error kept in `errors`. `above` holds the groups on the path to
/// `g`: a member that is one of them (or `g`) is a cycle, None too.
fn group(g: &QGroup, above: &mut Vec<QGroup>, errors: &mut Vec<String>) -> Value {
    above.push(g.clone());
    let v = members(g, above, errors);
    above.pop();
    v
}

/// [`group`] once `g` is on `above`.
fn members(g: &QGroup, above: &mut Vec<QGroup>, errors: &mut Vec<String>) -> Value {
    let names = match g.names() {
        Ok(n) => n,
        Err(e) => return failed(errors, e),
    };
    let mut members = IndexMap::with_capacity(names.len());
    for name in names {
        let v = match g.kind(&name) {
            Ok(Kind::Group) => match g.group(&name) {
                Ok(sub) => subgroup(&sub, above, errors),
                Err(e) => failed(errors, e),
            },
            Ok(Kind::List) => match g.list(&name) {
                Ok(l) => list(&l, above, errors),
                Err(e) => failed(errors, e),
            },
            Ok(_) => g.read::<Value>(&name).unwrap_or_else(|e| failed(errors, e)),
            Err(e) => failed(errors, e),
        };
        members.insert(name, v);
    }
    Value::Group(members)
}

/// Group `sub`, or None and an error when it is a group of `above` (a
/// cycle).
fn subgroup(sub: &QGroup, above: &mut Vec<QGroup>, errors: &mut Vec<String>) -> Value {
    match above.iter().find(|a| a.is_same(sub)) {
        Some(a) => {
            errors.push(format!(
                "{}: {} is {} (a hard link to a group that holds it): a cycle, not followed",
                sub.file_path().display(),
                sub.path(),
                a.path()
            ));
            Value::None
        }
        None => group(sub, above, errors),
    }
}

/// List `l` read element by element, as [`group`] does.
fn list(l: &QList, above: &mut Vec<QGroup>, errors: &mut Vec<String>) -> Value {
    let n = match l.len() {
        Ok(n) => n,
        Err(e) => return failed(errors, e),
    };
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for i in 0..n as isize {
        let v = match l.kind(i) {
            Ok(Kind::Group) => match l.group(i) {
                Ok(g) => subgroup(&g, above, errors),
                Err(e) => failed(errors, e),
            },
            Ok(Kind::List) => match l.list(i) {
                Ok(sub) => list(&sub, above, errors),
                Err(e) => failed(errors, e),
            },
            Ok(_) => l.read::<Value>(i).unwrap_or_else(|e| failed(errors, e)),
            Err(e) => failed(errors, e),
        };
        out.push(v);
    }
    Value::List(out)
}

/// Keep `e` and stand None in for what could not be read.
fn failed(errors: &mut Vec<String>, e: qnd::Error) -> Value {
    errors.push(qnd::error_chain(&e));
    Value::None
}
