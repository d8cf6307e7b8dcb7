//! Placement: an article joins the best cluster whose original it copies, or
//! starts one; when it outranks that original it becomes the original, and every
//! other matched cluster whose original it outranks is merged under it.
//!
//! Matching only against clusters' originals keeps A~B, B~C from chaining A and C.
//! The rule is here once: `order` and `decide` are what every backend's
//! placement asks (an in-process store places a whole chunk here, `place`; a
//! shared store fetches the candidates' clusters and asks `decide` per article).

use std::cmp::Ordering;

use crate::clusters::ClusterTable;
use crate::columns::Columns;
use crate::verify::{self, Found, Relation, Rules};

/// An article's standing as a cluster's original (dedup/attribution.py
/// `Member.rank`): the lowest ranks first, by its metadata's flags (not a wire,
/// points elsewhere, no credit line), its publication time (`inf` without one),
/// the fuller text, then arrival.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rank {
    pub flags: u8,
    pub stamp: f64,
    pub size: u32,
    pub arrival: i64,
}

impl Rank {
    /// Whether `self` ranks strictly before `other` (Python's tuple `<` on
    /// `(flags, stamp, -size, arrival)`).
    pub fn before(&self, other: &Rank) -> bool {
        let by = self
            .flags
            .cmp(&other.flags)
            .then(
                self.stamp
                    .partial_cmp(&other.stamp)
                    .unwrap_or(Ordering::Equal),
            )
            .then(other.size.cmp(&self.size))
            .then(self.arrival.cmp(&other.arrival));
        by == Ordering::Less
    }
}

/// A relation's place in the preference: exact, then near, then the partial ones.
fn preference(relation: Relation) -> u8 {
    match relation {
        Relation::Exact => 0,
        Relation::Near => 1,
        Relation::Edited | Relation::Excerpt | Relation::Expanded => 2,
    }
}

/// `x` rounded to 4 decimals as Python's `round(x, 4)` does (the exact value,
/// ties to even): verdicts carry the rounded figures, and matches are ranked on
/// them.
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// Sort matches best first: by relation, then rounded similarity and rounded
/// containment, both descending; ties keep their order (stable).
pub fn order<T>(matches: &mut [(T, Found)]) {
    let key = |f: &Found| {
        (
            preference(f.relation),
            round4(f.similarity),
            round4(f.copy_in.max(f.orig_in)),
        )
    };
    matches.sort_by(|(_, a), (_, b)| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(kb.1.partial_cmp(&ka.1).unwrap_or(Ordering::Equal))
            .then(kb.2.partial_cmp(&ka.2).unwrap_or(Ordering::Equal))
    });
}

/// What a newcomer does with its ordered matches (the first is its home): whether
/// it becomes the home's original, and which of the other matched clusters (their
/// positions) are merged under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub reattribute: bool,
    pub merge: Vec<usize>,
}

/// The decision for a newcomer of rank `rank` whose ordered matches' originals
/// rank `originals`: it takes the home's original's place when it ranks before
/// it, and then merges every other matched cluster whose original it ranks before
/// too (copies that arrived before their source each started a cluster; the
/// source, matching both, gathers them).
pub fn decide(rank: &Rank, originals: &[Rank]) -> Decision {
    match originals.first() {
        Some(home) if rank.before(home) => Decision {
            reattribute: true,
            merge: (1..originals.len())
                .filter(|&j| rank.before(&originals[j]))
                .collect(),
        },
        _ => Decision {
            reattribute: false,
            merge: Vec::new(),
        },
    }
}

/// Per slot, what ranks an article (columns of the store).
#[derive(Clone, Copy, Debug)]
pub struct Ranks<'a> {
    pub flags: &'a [u8],
    pub stamp: &'a [f64],
    pub sizes: &'a [u32],
    pub arrival: &'a [i64],
}

impl Ranks<'_> {
    pub fn get(&self, slot: u32) -> Result<Rank, String> {
        let s = slot as usize;
        let out = || format!("rank of slot {slot} out of range");
        Ok(Rank {
            flags: *self.flags.get(s).ok_or_else(out)?,
            stamp: *self.stamp.get(s).ok_or_else(out)?,
            size: *self.sizes.get(s).ok_or_else(out)?,
            arrival: *self.arrival.get(s).ok_or_else(out)?,
        })
    }
}

/// A cluster folded into the newcomer's: its id, its original and its members then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub cluster: u64,
    pub original: u32,
    pub members: Vec<u32>,
}

/// Where an article went.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub cluster: u64,
    /// Its match with the original of the cluster it joined (None: it started one).
    pub found: Option<Found>,
    /// The original it took the place of, when it did.
    pub replaced: Option<u32>,
    pub merged: Vec<Merged>,
}

/// Place the stored article `slot` (in no cluster yet) given the stored slots
/// that share a band or passage key with it (`candidates`, may repeat).
pub fn place(
    table: &mut ClusterTable,
    rules: &Rules,
    columns: &Columns,
    ranks: &Ranks,
    slot: u32,
    candidates: &[u32],
) -> Result<Placed, String> {
    let mut ids: Vec<u64> = candidates
        .iter()
        .map(|&s| table.cluster_of(s))
        .filter(|&c| c != 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut matched = Vec::new();
    if !ids.is_empty() {
        let probe = columns.fp(slot as usize)?;
        let mut originals = Vec::with_capacity(ids.len());
        let mut others = Vec::with_capacity(ids.len());
        for &id in &ids {
            let original = table
                .original(id)
                .ok_or_else(|| format!("cluster {id} has no original"))?;
            originals.push(original);
            others.push(columns.fp(original as usize)?);
        }
        for (j, found) in verify::compare(rules, &probe, &others)
            .into_iter()
            .enumerate()
        {
            if let Some(found) = found {
                matched.push(((ids[j], originals[j]), found));
            }
        }
    }
    if matched.is_empty() {
        let cluster = table.new_cluster(slot)?;
        return Ok(Placed {
            cluster,
            found: None,
            replaced: None,
            merged: Vec::new(),
        });
    }
    order(&mut matched);
    let ((home, original), found) = matched[0];
    table.join(home, slot)?;
    let rank = ranks.get(slot)?;
    let standing = matched
        .iter()
        .map(|((_, o), _)| ranks.get(*o))
        .collect::<Result<Vec<_>, _>>()?;
    let decision = decide(&rank, &standing);
    let mut placed = Placed {
        cluster: home,
        found: Some(found),
        replaced: None,
        merged: Vec::new(),
    };
    if decision.reattribute {
        table.set_original(home, slot)?;
        placed.replaced = Some(original);
        for j in decision.merge {
            let ((other, other_original), _) = matched[j];
            let members = table.members(other);
            table.merge(home, other)?;
            placed.merged.push(Merged {
                cluster: other,
                original: other_original,
                members,
            });
        }
    }
    Ok(placed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(relation: Relation, similarity: f64, containment: f64) -> Found {
        Found {
            relation,
            similarity,
            copy_in: containment,
            orig_in: 0.0,
        }
    }

    fn rank(flags: u8, stamp: f64, size: u32, arrival: i64) -> Rank {
        Rank {
            flags,
            stamp,
            size,
            arrival,
        }
    }

    #[test]
    fn matches_are_ordered_by_relation_then_rounded_figures_stably() {
        let mut m = vec![
            (0, found(Relation::Excerpt, 0.9, 0.95)),
            (1, found(Relation::Near, 0.81, 0.9)),
            (2, found(Relation::Near, 0.84, 0.9)),
            (3, found(Relation::Near, 0.840_04, 0.9)), // rounds to 0.84: a tie, kept after
            (4, found(Relation::Exact, 1.0, 1.0)),
            (5, found(Relation::Near, 0.84, 0.95)),
        ];
        order(&mut m);
        let ids: Vec<_> = m.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, vec![4, 5, 2, 3, 1, 0]);
        assert_eq!(round4(0.03125), 0.0312); // half to even, on the exact value
        assert_eq!(round4(0.093_75), 0.0938);
    }

    #[test]
    fn a_newcomer_that_outranks_takes_the_place_and_gathers_the_outranked() {
        let wire = rank(0b011, 100.0, 500, 9);
        let copy_early = rank(0b111, 50.0, 500, 1);
        let other_wire = rank(0b011, 90.0, 500, 2);
        let d = decide(&wire, &[copy_early, copy_early, other_wire]);
        assert_eq!(
            d,
            Decision {
                reattribute: true,
                merge: vec![1]
            }
        );
        let d = decide(&copy_early, &[wire, copy_early]);
        assert!(!d.reattribute && d.merge.is_empty());
        // same flags and time: the fuller text, then the earlier arrival
        assert!(rank(1, 5.0, 600, 9).before(&rank(1, 5.0, 500, 1)));
        assert!(rank(1, 5.0, 500, 1).before(&rank(1, 5.0, 500, 2)));
        assert!(!rank(1, 5.0, 500, 1).before(&rank(1, 5.0, 500, 1)));
        assert!(rank(1, 5.0, 1, 1).before(&rank(1, f64::INFINITY, 900, 0)));
    }
}
