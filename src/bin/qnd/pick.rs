//! Which record a command looks at: `--record K` or `--nearest VAR=VALUE`
//! (qnd's `f.goto(K)` and `f.goto(time=t)`), shared by `get` and `plot`.

use crate::cli::Failure;

/// The record options of a command.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RecordPick {
    /// Read record K of every record variable (negative: from the end,
    /// -1 is the last).
    #[arg(
        long,
        value_name = "K",
        allow_hyphen_values = true,
        conflicts_with = "nearest"
    )]
    pub record: Option<isize>,
    /// Read the record where scalar record variable VAR is nearest VALUE
    /// (for example --nearest time=2.5).
    #[arg(long, value_name = "VAR=VALUE", value_parser = parse_nearest)]
    pub nearest: Option<Nearest>,
}

/// `--nearest VAR=VALUE`: a record variable and the value to be near.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    /// The scalar record variable, a path from the root.
    pub var: String,
    /// The value its record should be nearest.
    pub value: f64,
}

/// Parse `VAR=VALUE`.
fn parse_nearest(text: &str) -> Result<Nearest, String> {
    let (var, value) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("expected VAR=VALUE (for example time=2.5), got {text:?}"))?;
    if var.is_empty() {
        return Err(format!("no variable before '=' in {text:?}"));
    }
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a number (in {text:?})"))?;
    if value.is_nan() {
        return Err("no record is nearest NaN".into());
    }
    Ok(Nearest {
        var: var.to_string(),
        value,
    })
}

impl RecordPick {
    /// True when neither option was given.
    pub fn is_none(&self) -> bool {
        self.record.is_none() && self.nearest.is_none()
    }

    /// Point `root`'s goto where the options say; nothing given: goto off
    /// (record variables read whole). Returns the record chosen.
    ///
    /// # Errors
    /// As [`qnd::QGroup::goto_nearest`].
    pub fn apply(&self, root: &qnd::QGroup) -> Result<Option<usize>, Failure> {
        if let Some(k) = self.record {
            root.goto(k);
            return Ok(usize::try_from(k).ok());
        }
        if let Some(n) = &self.nearest {
            let (group, name) = match n.var.trim_start_matches('/').rsplit_once('/') {
                Some((dir, name)) => (root.group(dir)?, name),
                None => (root.clone(), n.var.trim_start_matches('/')),
            };
            let k = group.goto_nearest(name, n.value)?;
            root.goto(k as isize);
            return Ok(Some(k));
        }
        root.goto_off();
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_parses() {
        let n = parse_nearest("g/time=2.5").unwrap();
        assert_eq!(n.var, "g/time");
        assert_eq!(n.value, 2.5);
        assert!(parse_nearest("time").is_err());
        assert!(parse_nearest("=1").is_err());
        assert!(parse_nearest("t=x").is_err());
        assert!(parse_nearest("t=nan").is_err());
        assert_eq!(parse_nearest("t=-1e3").unwrap().value, -1000.0);
    }
}
