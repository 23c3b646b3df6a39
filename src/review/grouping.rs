//! Messages grouped by meaning: the same complaint in other words lands in one group.

/// Two messages whose vectors are at least this close say the same thing. e5's cosines are
/// high even for unrelated sentences (about 0.75–0.8), paraphrases of one problem about 0.9.
pub const SAME_MEANING: f32 = 0.9;

/// Groups unit vectors greedily, in the order given: each joins the group whose centre is
/// closest if that is at least `threshold`, or starts its own. Returns the groups as indexes
/// into `vectors`, in the order each appeared inside a group, the biggest groups first (ties:
/// the group that appeared first). The same input always gives the same groups.
pub fn by_meaning(vectors: &[&[f32]], threshold: f32) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Vec<f32>, Vec<usize>)> = Vec::new();
    for (index, vector) in vectors.iter().enumerate() {
        let closest = groups
            .iter()
            .enumerate()
            .map(|(g, (sum, _))| (g, cosine(sum, vector)))
            .filter(|&(_, similarity)| similarity >= threshold)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match closest {
            Some((g, _)) => {
                let (sum, members) = &mut groups[g];
                for (s, v) in sum.iter_mut().zip(vector.iter()) {
                    *s += v;
                }
                members.push(index);
            }
            None => groups.push((vector.to_vec(), vec![index])),
        }
    }
    let mut groups: Vec<Vec<usize>> = groups.into_iter().map(|(_, members)| members).collect();
    // Stable: equal sizes keep the order they appeared in.
    groups.sort_by_key(|members| std::cmp::Reverse(members.len()));
    groups
}

/// The cosine of `sum` (a group's unnormalised centre) with the unit vector `v`.
fn cosine(sum: &[f32], v: &[f32]) -> f32 {
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        return 0.0;
    }
    sum.iter().zip(v).map(|(a, b)| a * b).sum::<f32>() / norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    #[test]
    fn close_vectors_share_a_group_and_the_biggest_group_comes_first() {
        let a1 = unit(&[1.0, 0.0, 0.0]);
        let b1 = unit(&[0.0, 1.0, 0.0]);
        let a2 = unit(&[0.95, 0.1, 0.0]);
        let b2 = unit(&[0.1, 0.97, 0.0]);
        let a3 = unit(&[0.97, 0.0, 0.1]);
        let vectors: Vec<&[f32]> = vec![&b1, &a1, &a2, &b2, &a3];
        assert_eq!(by_meaning(&vectors, 0.9), vec![vec![1, 2, 4], vec![0, 3]]);
    }

    #[test]
    fn nothing_close_enough_leaves_each_alone_in_order() {
        let x = unit(&[1.0, 0.0]);
        let y = unit(&[0.0, 1.0]);
        let vectors: Vec<&[f32]> = vec![&x, &y];
        assert_eq!(by_meaning(&vectors, 0.9), vec![vec![0], vec![1]]);
        assert!(by_meaning(&[], 0.9).is_empty());
    }

    #[test]
    fn a_vector_joins_the_closest_group_not_the_first_close_one() {
        let a = unit(&[1.0, 0.0]);
        let b = unit(&[0.8, 0.6]);
        let between = unit(&[0.85, 0.5]);
        let vectors: Vec<&[f32]> = vec![&a, &b, &between];
        assert_eq!(by_meaning(&vectors, 0.85), vec![vec![1, 2], vec![0]]);
    }
}
