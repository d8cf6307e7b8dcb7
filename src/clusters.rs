//! The cluster table of an in-process index: which cluster each stored article is
//! in, each cluster's original and its members in arrival order.
//!
//! Slots are the store's small integers for stored articles (arrival order);
//! cluster ids are stable numbers that only grow (a persistent index writes them
//! down). Members are a doubly linked list through two per-slot arrays, kept in
//! ascending slot order, so joining (the newest slot goes last), leaving and
//! listing are cheap and a cluster costs a hash-map entry, not an object.
//! Clusters are kept in a map by id, never in an array indexed by id: ids only
//! grow, and a crafted index file with one huge id must not allocate by it.

use std::collections::HashMap;

/// No slot (the end of a member list).
pub const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Info {
    original: u32,
    head: u32,
    tail: u32,
    count: u32,
}

/// Clusters and their members (see the module docs).
#[derive(Default, Debug)]
pub struct ClusterTable {
    /// Per slot: its cluster id, 0 for none (not placed yet, or removed).
    cluster_of: Vec<u64>,
    next: Vec<u32>,
    prev: Vec<u32>,
    clusters: HashMap<u64, Info>,
    /// The id the next new cluster gets.
    pub next_id: u64,
}

impl ClusterTable {
    pub fn new() -> Self {
        ClusterTable {
            next_id: 1,
            ..Default::default()
        }
    }

    /// Slots the table has room for (every slot below is valid to ask about).
    pub fn slots(&self) -> usize {
        self.cluster_of.len()
    }

    /// Make room for slots below `n` (new slots are in no cluster).
    pub fn grow_to(&mut self, n: usize) {
        if n > self.cluster_of.len() {
            self.cluster_of.resize(n, 0);
            self.next.resize(n, NONE);
            self.prev.resize(n, NONE);
        }
    }

    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The cluster of `slot` (0: none, or a slot beyond the table).
    pub fn cluster_of(&self, slot: u32) -> u64 {
        self.cluster_of.get(slot as usize).copied().unwrap_or(0)
    }

    /// Per slot, its cluster (0: none).
    pub fn cluster_column(&self) -> &[u64] {
        &self.cluster_of
    }

    pub fn contains(&self, id: u64) -> bool {
        self.clusters.contains_key(&id)
    }

    /// The original of cluster `id`.
    pub fn original(&self, id: u64) -> Option<u32> {
        self.clusters.get(&id).map(|c| c.original)
    }

    /// How many members cluster `id` has (0: no such cluster).
    pub fn count(&self, id: u64) -> u32 {
        self.clusters.get(&id).map_or(0, |c| c.count)
    }

    /// The members of cluster `id`, ascending.
    pub fn members(&self, id: u64) -> Vec<u32> {
        let mut out = Vec::new();
        if let Some(c) = self.clusters.get(&id) {
            out.reserve(c.count as usize);
            let mut at = c.head;
            while at != NONE {
                out.push(at);
                at = self.next[at as usize];
            }
        }
        out
    }

    /// Every cluster id, ascending (the order clusters were made in).
    pub fn ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.clusters.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// A new cluster holding `slot` (in no cluster, below `slots()`) as its
    /// original; returns its id.
    pub fn new_cluster(&mut self, slot: u32) -> Result<u64, String> {
        self.free_slot(slot)?;
        let id = self.next_id;
        self.next_id += 1;
        self.clusters.insert(
            id,
            Info {
                original: slot,
                head: slot,
                tail: slot,
                count: 1,
            },
        );
        self.cluster_of[slot as usize] = id;
        self.next[slot as usize] = NONE;
        self.prev[slot as usize] = NONE;
        Ok(id)
    }

    fn free_slot(&self, slot: u32) -> Result<(), String> {
        match self.cluster_of.get(slot as usize) {
            None => Err(format!("slot {slot} beyond the table")),
            Some(&0) => Ok(()),
            Some(c) => Err(format!("slot {slot} is in cluster {c} already")),
        }
    }

    /// Add `slot` (in no cluster) to cluster `id`, in slot order.
    pub fn join(&mut self, id: u64, slot: u32) -> Result<(), String> {
        self.free_slot(slot)?;
        let info = *self
            .clusters
            .get(&id)
            .ok_or_else(|| format!("no cluster {id}"))?;
        // walk back from the tail to the last member below `slot` (the newest slot
        // joins last: no step)
        let mut before = info.tail;
        while before != NONE && before > slot {
            before = self.prev[before as usize];
        }
        let after = if before == NONE {
            info.head
        } else {
            self.next[before as usize]
        };
        self.link(id, before, slot, after);
        let c = self.clusters.get_mut(&id).expect("checked above");
        c.count += 1;
        Ok(())
    }

    /// Put `slot` between `before` and `after` (either may be NONE) in `id`'s list.
    fn link(&mut self, id: u64, before: u32, slot: u32, after: u32) {
        let s = slot as usize;
        self.prev[s] = before;
        self.next[s] = after;
        self.cluster_of[s] = id;
        let c = self
            .clusters
            .get_mut(&id)
            .expect("a cluster being linked into");
        if before == NONE {
            c.head = slot;
        } else {
            self.next[before as usize] = slot;
        }
        if after == NONE {
            c.tail = slot;
        } else {
            self.prev[after as usize] = slot;
        }
    }

    /// Make `slot` (a member) the original of cluster `id`.
    pub fn set_original(&mut self, id: u64, slot: u32) -> Result<(), String> {
        if self.cluster_of(slot) != id {
            return Err(format!("slot {slot} is not a member of cluster {id}"));
        }
        let c = self
            .clusters
            .get_mut(&id)
            .ok_or_else(|| format!("no cluster {id}"))?;
        c.original = slot;
        Ok(())
    }

    /// Every member of `other` joins `into` (merged in slot order); `other` is gone.
    pub fn merge(&mut self, into: u64, other: u64) -> Result<(), String> {
        if into == other {
            return Err(format!("cluster {into} merged into itself"));
        }
        let (Some(&a), Some(&b)) = (self.clusters.get(&into), self.clusters.get(&other)) else {
            return Err(format!("no cluster {into} or {other}"));
        };
        let (mut x, mut y) = (a.head, b.head);
        let mut last = NONE;
        let mut head = NONE;
        while x != NONE || y != NONE {
            let take = if y == NONE || (x != NONE && x < y) {
                let s = x;
                x = self.next[s as usize];
                s
            } else {
                let s = y;
                y = self.next[s as usize];
                s
            };
            self.prev[take as usize] = last;
            if last == NONE {
                head = take;
            } else {
                self.next[last as usize] = take;
            }
            self.cluster_of[take as usize] = into;
            last = take;
        }
        self.next[last as usize] = NONE;
        self.clusters.remove(&other);
        let c = self.clusters.get_mut(&into).expect("checked above");
        c.head = head;
        c.tail = last;
        c.count = a.count + b.count;
        Ok(())
    }

    /// Take `slot` out of its cluster: `(cluster id, members left)`, the cluster
    /// deleted when none are left; None when the slot is in no cluster. The
    /// original is the caller's to re-choose when it was `slot`.
    pub fn remove(&mut self, slot: u32) -> Option<(u64, u32)> {
        let id = self.cluster_of(slot);
        if id == 0 {
            return None;
        }
        let s = slot as usize;
        let (before, after) = (self.prev[s], self.next[s]);
        if before != NONE {
            self.next[before as usize] = after;
        }
        if after != NONE {
            self.prev[after as usize] = before;
        }
        self.cluster_of[s] = 0;
        self.next[s] = NONE;
        self.prev[s] = NONE;
        let c = self.clusters.get_mut(&id)?;
        c.count -= 1;
        if c.head == slot {
            c.head = after;
        }
        if c.tail == slot {
            c.tail = before;
        }
        let left = c.count;
        if left == 0 {
            self.clusters.remove(&id);
        }
        Some((id, left))
    }

    /// Renumber: slot `live[i]` becomes slot `i` (`live` ascending); every other
    /// slot must be in no cluster.
    pub fn keep(&mut self, live: &[u32]) -> Result<(), String> {
        let mut new_of = vec![NONE; self.cluster_of.len()];
        for (i, &old) in live.iter().enumerate() {
            let slot = new_of
                .get_mut(old as usize)
                .ok_or_else(|| format!("slot {old} beyond the table"))?;
            *slot = i as u32;
        }
        let placed = self.cluster_of.iter().filter(|&&c| c != 0).count();
        if live.iter().filter(|&&s| self.cluster_of(s) != 0).count() != placed {
            return Err("a slot left out is still in a cluster".into());
        }
        let map = |s: u32| if s == NONE { NONE } else { new_of[s as usize] };
        let (mut cluster_of, mut next, mut prev) = (
            Vec::with_capacity(live.len()),
            Vec::with_capacity(live.len()),
            Vec::with_capacity(live.len()),
        );
        for &old in live {
            cluster_of.push(self.cluster_of[old as usize]);
            next.push(map(self.next[old as usize]));
            prev.push(map(self.prev[old as usize]));
        }
        for c in self.clusters.values_mut() {
            c.original = map(c.original);
            c.head = map(c.head);
            c.tail = map(c.tail);
        }
        (self.cluster_of, self.next, self.prev) = (cluster_of, next, prev);
        Ok(())
    }

    /// The clusters as `(ids ascending, their originals)`: with the cluster column
    /// what `from_parts` rebuilds the table from.
    pub fn parts(&self) -> (Vec<u64>, Vec<u32>) {
        let ids = self.ids();
        let originals = ids.iter().map(|id| self.clusters[id].original).collect();
        (ids, originals)
    }

    /// The table with `cluster_of` per slot (0: none) and the clusters `ids` with
    /// their `originals`, checked: every member's cluster is listed, every listed
    /// cluster has members, and its original is one of them.
    pub fn from_parts(
        cluster_of: Vec<u64>,
        ids: &[u64],
        originals: &[u32],
        next_id: u64,
    ) -> Result<ClusterTable, String> {
        if ids.len() != originals.len() {
            return Err(format!(
                "{} clusters but {} originals",
                ids.len(),
                originals.len()
            ));
        }
        let n = cluster_of.len();
        if n >= NONE as usize {
            return Err(format!("{n} slots: more than the table can number"));
        }
        let mut table = ClusterTable {
            cluster_of: vec![0; n],
            next: vec![NONE; n],
            prev: vec![NONE; n],
            clusters: HashMap::with_capacity(ids.len()),
            next_id,
        };
        for (&id, &original) in ids.iter().zip(originals) {
            if id == 0 || id >= next_id {
                return Err(format!("cluster id {id} out of range"));
            }
            let info = Info {
                original,
                head: NONE,
                tail: NONE,
                count: 0,
            };
            if table.clusters.insert(id, info).is_some() {
                return Err(format!("cluster {id} listed twice"));
            }
        }
        for (slot, &id) in cluster_of.iter().enumerate() {
            if id == 0 {
                continue;
            }
            let tail = match table.clusters.get(&id) {
                Some(c) => c.tail,
                None => return Err(format!("slot {slot} is in cluster {id}, not listed")),
            };
            table.link(id, tail, slot as u32, NONE);
            if let Some(c) = table.clusters.get_mut(&id) {
                c.count += 1;
            }
        }
        for (&id, c) in &table.clusters {
            if c.count == 0 {
                return Err(format!("cluster {id} has no members"));
            }
            if table.cluster_of(c.original) != id {
                return Err(format!("cluster {id}'s original is not one of its members"));
            }
        }
        Ok(table)
    }

    /// Bytes held (the map's table at its capacity).
    pub fn bytes(&self) -> usize {
        let per_slot = 8 + 4 + 4;
        let per_cluster = std::mem::size_of::<(u64, Info)>() + 1;
        self.cluster_of.capacity() * per_slot + self.clusters.capacity() * per_cluster
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: usize) -> ClusterTable {
        let mut t = ClusterTable::new();
        t.grow_to(n);
        t
    }

    #[test]
    fn members_stay_in_slot_order_through_joins_merges_and_removals() {
        let mut t = table(10);
        let a = t.new_cluster(0).unwrap();
        let b = t.new_cluster(1).unwrap();
        t.join(a, 2).unwrap();
        t.join(b, 3).unwrap();
        t.join(a, 5).unwrap();
        t.join(b, 4).unwrap();
        assert_eq!(t.members(a), vec![0, 2, 5]);
        t.merge(a, b).unwrap();
        assert_eq!(t.members(a), vec![0, 1, 2, 3, 4, 5]);
        assert!(!t.contains(b) && t.count(a) == 6);
        assert_eq!(t.cluster_of(3), a);
        assert_eq!(t.remove(0), Some((a, 5)));
        assert_eq!(t.remove(5), Some((a, 4)));
        assert_eq!(t.remove(3), Some((a, 3)));
        assert_eq!(t.members(a), vec![1, 2, 4]);
        t.join(a, 3).unwrap(); // not the newest: goes in its place
        assert_eq!(t.members(a), vec![1, 2, 3, 4]);
        for s in [1, 2, 3] {
            t.remove(s);
        }
        assert_eq!(t.remove(4), Some((a, 0)));
        assert!(t.is_empty() && t.remove(4).is_none());
    }

    #[test]
    fn wrong_moves_are_errors() {
        let mut t = table(3);
        let a = t.new_cluster(0).unwrap();
        assert!(t.new_cluster(0).is_err());
        assert!(t.join(a, 0).is_err());
        assert!(t.join(99, 1).is_err());
        assert!(t.join(a, 7).is_err());
        assert!(t.set_original(a, 1).is_err());
        assert!(t.merge(a, a).is_err());
    }

    #[test]
    fn renumbering_and_parts_keep_the_clusters() {
        let mut t = table(8);
        let a = t.new_cluster(1).unwrap();
        let b = t.new_cluster(2).unwrap();
        t.join(a, 4).unwrap();
        t.join(b, 6).unwrap();
        t.join(a, 7).unwrap();
        t.set_original(a, 4).unwrap();
        t.remove(2); // b's original: the caller re-chooses it
        t.set_original(b, 6).unwrap();
        t.keep(&[1, 4, 6, 7]).unwrap();
        assert_eq!(t.members(a), vec![0, 1, 3]);
        assert_eq!(t.members(b), vec![2]);
        assert_eq!(t.original(a), Some(1));
        assert_eq!(t.original(b), Some(2));
        let (ids, originals) = t.parts();
        let copy =
            ClusterTable::from_parts(t.cluster_column().to_vec(), &ids, &originals, t.next_id)
                .unwrap();
        for id in [a, b] {
            assert_eq!(copy.members(id), t.members(id));
            assert_eq!(copy.original(id), t.original(id));
        }
        let bad = ClusterTable::from_parts(vec![a, 0, b, a], &ids, &[1, 2], t.next_id);
        assert!(bad.is_err()); // a's original (slot 1) is not a member
        assert!(ClusterTable::from_parts(vec![a, 5], &[a], &[0], 9).is_err());
        assert!(ClusterTable::from_parts(vec![a], &[a], &[0], a).is_err());
        assert!(t.keep(&[0, 1]).is_err()); // slots still in clusters left out
    }
}
