//! Files written by several processes together (see [`crate::parallel`]):
//! layouts, distributed writes, values set from rank 0.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use qnd_storage::{describe, Fnv, LeafSpec};

use super::*;
use crate::parallel::{codec, layout, Layout};
use crate::values::Array;

impl QGroup {
    /// This process's rank among the processes writing the file together
    /// (0 for a file written by one).
    pub fn rank(&self) -> usize {
        self.file.ranks().0
    }

    /// How many processes write the file together (1 for a file written
    /// by one).
    pub fn ranks(&self) -> usize {
        self.file.ranks().1
    }

    /// The layout of a distributed array of which this process holds
    /// `rows_here` rows, following those of the lower ranks (rank 0 holds
    /// the first rows): the row counts are gathered from every process.
    /// Collective. On a file written by one process: every row.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the rows add up to more than `usize` holds;
    /// as every collective call ([`Error::Parallel`], [`Error::OutOfStep`]).
    pub fn layout(&self, rows_here: usize) -> Result<Layout> {
        let (rank, ranks) = self.file.ranks();
        self.file.collective("layout", &self.path, "", 0, || {
            let at = self.at(&self.path);
            let counts = match &self.file.step {
                Some(step) => step
                    .all_gather(rows_here as u64)
                    .map_err(|e| at.storage(e))?,
                None => vec![rows_here as u64],
            };
            let sum = |c: &[u64]| {
                c.iter()
                    .try_fold(0usize, |s, &n| s.checked_add(usize::try_from(n).ok()?))
            };
            let (Some(before), Some(total)) = (sum(&counts[..rank]), sum(&counts)) else {
                return Err(at.invalid("the rows of all processes add up to too many"));
            };
            Ok(Layout::span(before, rows_here, total, rank, ranks))
        })
    }

    /// The layout of a distributed array of which this process holds rows
    /// `rows` (global row indices, in the order of its data; any order,
    /// possibly none): every process's rows are gathered, and together
    /// they must be each of `0..N` exactly once, `N` the number of rows
    /// given in all. Collective.
    ///
    /// # Errors
    /// [`Error::Invalid`] (on every process) when a row is missing, out of
    /// range or given twice; as every collective call.
    pub fn scattered(&self, rows: &[usize]) -> Result<Layout> {
        let (rank, ranks) = self.file.ranks();
        self.file.collective("scattered", &self.path, "", 0, || {
            let at = self.at(&self.path);
            let mine: Vec<u64> = rows.iter().map(|&i| i as u64).collect();
            let all = match &self.file.step {
                Some(step) => step.all_gather_v(&mine).map_err(|e| at.storage(e))?,
                None => mine,
            };
            let total = all.len();
            layout::check_cover(&all, total)
                .and_then(|()| Layout::of_rows(rows, total, rank, ranks))
                .map_err(|e| at.invalid(format!("scattered rows: {e}")))
        })
    }

    /// Write `local`, this process's rows of a distributed array spread as
    /// `layout` says (an array of shape `[layout.rows_here(), rest...]`),
    /// as member `name`, which holds the whole array (shape `[N, rest...]`).
    /// Collective: every process calls it with its own rows, the same
    /// `name`, element type and `rest`.
    ///
    /// - With recording off: a new name becomes a leaf of the whole
    ///   array; an existing leaf of that shape is overwritten (values cast
    ///   to its type, each checked).
    /// - In recording mode 1: a new name becomes a record variable whose
    ///   records are whole arrays, and each call appends one record (goto
    ///   then points at it, as [`QGroup::set`] leaves it). Records are
    ///   buffered as the file's other records are (each process holds its
    ///   rows) and written together, in one collective write per batch;
    ///   reading a buffered record of a distributed variable is an error
    ///   until the next [`QGroup::flush`].
    ///
    /// On a file written by one process the layout holds every row and
    /// this is [`QGroup::set`].
    ///
    /// # Errors
    /// [`Error::Mismatch`] for an array of another row count or a shape
    /// that does not fit the existing item; [`Error::Cast`]; [`Error::Invalid`]
    /// for text, recording mode 2, a name that is a group or list, a
    /// record variable with recording off, or a layout made for another
    /// file; as every collective call (nothing is written when any
    /// process fails).
    pub fn set_part(&self, name: &str, local: impl Into<Value>, layout: &Layout) -> Result<()> {
        let value = local.into();
        let state = self.state.get();
        let mut h = Fnv::default();
        (state.recording as u8).hash(&mut h);
        layout.total().hash(&mut h);
        if let Value::Array(a) = &value {
            a.dtype().hash(&mut h);
            a.shape().get(1..).hash(&mut h);
        }
        let record = self
            .file
            .collective("set_part", &self.path, name, h.finish(), || {
                self.set_part_here(name, &value, layout, state)
            })?;
        if let Some(r) = record {
            self.goto(r as isize);
        }
        Ok(())
    }

    /// [`QGroup::set_part`] in this process; the record appended, if any.
    fn set_part_here(
        &self,
        name: &str,
        value: &Value,
        layout: &Layout,
        state: State,
    ) -> Result<Option<usize>> {
        let group_at = self.at(&self.path);
        let at = group_at.member(name);
        write::check_group_member(&at, name)?;
        let Value::Array(a) = value else {
            return Err(at.mismatch("an array of this process's rows", value.describe()));
        };
        if a.dtype() == DType::Str {
            return Err(at.invalid("distributed text is not supported"));
        }
        if a.shape().first() != Some(&layout.rows_here()) {
            return Err(at.mismatch(
                format!(
                    "an array of {} rows (this process's part)",
                    layout.rows_here()
                ),
                describe(a.dtype(), a.shape()),
            ));
        }
        if (layout.rank, layout.ranks) != self.file.ranks() {
            return Err(at.invalid(format!(
                "the layout was made for rank {} of {} processes, this is rank {} of {}",
                layout.rank,
                layout.ranks,
                self.rank(),
                self.ranks()
            )));
        }
        let mut whole = a.shape().to_vec();
        whole[0] = layout.total();
        let data = layout.arrange(a);
        let mut core = self.file.lock_for_write(&at)?;
        let found = core.lookup(self.id, name).map_err(|e| at.storage(e))?;
        let records = match (found, state.recording) {
            (_, Recording::Any) => {
                return Err(at.invalid(
                    "recording mode 2 (lists of records) has no distributed records: use \
                     recording mode 1",
                ))
            }
            (None, recording) => {
                let spec = LeafSpec {
                    dtype: data.dtype(),
                    shape: whole,
                    records: recording == Recording::Uniform,
                    text_len: 1,
                };
                let id = core
                    .storage
                    .create_leaf(self.id, name, &spec)
                    .map_err(|e| at.storage(e))?;
                return Self::put_part(&mut core, &at, id, spec.records, layout, &data);
            }
            (Some((id, Kind::Leaf)), Recording::Off) => (id, false),
            (Some((id, Kind::Records)), Recording::Uniform) => (id, true),
            (Some((_, Kind::Records)), Recording::Off) => {
                return Err(at.invalid(
                    "a record variable is written only in a recording mode (one record of a \
                     distributed variable is not overwritten)",
                ))
            }
            (Some((_, kind)), _) => {
                return Err(at.invalid(format!(
                    "is {}: only leaves and record variables are written in parts",
                    kind_name(kind)
                )))
            }
        };
        let (id, is_records) = records;
        let info = core.shape(id).map_err(|e| at.storage(e))?;
        let (dtype, expected) = (
            info.dtype,
            if is_records {
                info.record_shape().to_vec()
            } else {
                info.shape.clone()
            },
        );
        if expected != whole {
            return Err(at.mismatch(describe(dtype, &expected), describe(data.dtype(), &whole)));
        }
        let data: Cow<'_, Array> = if data.dtype() == dtype {
            data
        } else {
            Cow::Owned(
                data.cast_checked(dtype)
                    .map_err(|e| at.cast(e))?
                    .into_owned(),
            )
        };
        Self::put_part(&mut core, &at, id, is_records, layout, &data)
    }

    /// Write or append `data`, this process's part, to node `id`.
    fn put_part(
        core: &mut FileState,
        at: &Where,
        id: NodeId,
        records: bool,
        layout: &Layout,
        data: &Array,
    ) -> Result<Option<usize>> {
        if records {
            let n = core.records(id).map_err(|e| at.storage(e))?;
            core.append_part(id, layout.part(), data, &at.record(n))?;
            Ok(Some(n))
        } else {
            core.write_part(id, layout.part(), data, at)?;
            Ok(None)
        }
    }

    /// Set member `name` to `value`, which rank 0 holds (`Some`; the
    /// others pass `None`): it is sent to every process, then set as
    /// [`QGroup::set`] sets it. For small values only rank 0 knows (a
    /// configuration, a host name, a time measured there). Collective.
    /// On a file written by one process: `set(name, value)`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when rank 0 passes `None`, or a value that is
    /// not None or an array; as [`QGroup::set`]; as every collective call.
    pub fn set_from_root(&self, name: &str, value: Option<Value>) -> Result<()> {
        self.file
            .collective("set_from_root", &self.path, name, 0, || {
                let group_at = self.at(&self.path);
                let at = group_at.member(name);
                let rank = self.rank();
                let mut bytes = Vec::new();
                if rank == 0 {
                    let value = value.as_ref().ok_or_else(|| {
                        at.invalid("rank 0 holds the value set from the root: it passed None")
                    })?;
                    bytes = codec::encode(value)
                        .ok_or_else(|| at.invalid("only None and arrays are set from the root"))?;
                }
                if let Some(step) = &self.file.step {
                    step.broadcast(0, &mut bytes).map_err(|e| at.storage(e))?;
                }
                let value = codec::decode(&bytes)
                    .ok_or_else(|| at.invalid("the value sent by rank 0 did not arrive whole"))?;
                self.set(name, value)
            })
    }
}
