//! MNIST digits re-stroked: a scanned pen digit thinned to its one-pixel skeleton (Zhang & Suen
//! 1984) and traced into pen paths, so the trainer can redraw the writer's shape with an even,
//! round canvas pen instead of a ballpoint's varying line.

use std::collections::HashSet;

use super::pen::{Paths, p};

const SIDE: usize = 28;
/// Grey level (of 255) at and above which a pixel is ink.
const INK: u8 = 96;
/// Traced paths shorter than this many pixels that end in the open are thinning's spurs.
const SPUR: usize = 3;

/// The skeleton of a 28x28 MNIST image as pen paths in a unit box (x right, y down), smoothed.
/// Empty if the image has no ink.
pub fn strokes(image: &[u8]) -> Paths {
    let mut on: Vec<bool> = image[..SIDE * SIDE].iter().map(|&v| v >= INK).collect();
    thin(&mut on);
    let adj = adjacency(&on);
    let paths = trace(&on, &adj);
    let longest = paths.iter().map(Vec::len).max().unwrap_or(0);
    paths
        .into_iter()
        .filter(|path| path.len() >= SPUR.min(longest))
        .map(|path| {
            let pts: Vec<_> = path
                .iter()
                .map(|&i| {
                    p(
                        ((i % SIDE) as f32 + 0.5) / SIDE as f32,
                        ((i / SIDE) as f32 + 0.5) / SIDE as f32,
                    )
                })
                .collect();
            smooth(&pts)
        })
        .collect()
}

/// Zhang-Suen thinning in place.
fn thin(on: &mut [bool]) {
    let at = |on: &[bool], x: isize, y: isize| -> bool {
        (0..SIDE as isize).contains(&x) && (0..SIDE as isize).contains(&y) && on[y as usize * SIDE + x as usize]
    };
    loop {
        let mut changed = false;
        for pass in 0..2 {
            let mut remove = Vec::new();
            for y in 0..SIDE as isize {
                for x in 0..SIDE as isize {
                    if !at(on, x, y) {
                        continue;
                    }
                    // P2..P9 clockwise from north.
                    let n = [
                        at(on, x, y - 1),
                        at(on, x + 1, y - 1),
                        at(on, x + 1, y),
                        at(on, x + 1, y + 1),
                        at(on, x, y + 1),
                        at(on, x - 1, y + 1),
                        at(on, x - 1, y),
                        at(on, x - 1, y - 1),
                    ];
                    let b = n.iter().filter(|&&v| v).count();
                    let a = (0..8).filter(|&i| !n[i] && n[(i + 1) % 8]).count();
                    let (p2, p4, p6, p8) = (n[0], n[2], n[4], n[6]);
                    let cond = if pass == 0 {
                        // Not both p2·p4·p6 and p4·p6·p8 set.
                        !p4 || !p6 || (!p2 && !p8)
                    } else {
                        // Not both p2·p4·p8 and p2·p6·p8 set.
                        !p2 || !p8 || (!p4 && !p6)
                    };
                    if (2..=6).contains(&b) && a == 1 && cond {
                        remove.push(y as usize * SIDE + x as usize);
                    }
                }
            }
            changed |= !remove.is_empty();
            for i in remove {
                on[i] = false;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Neighbours of each skeleton pixel: 4-neighbours, and diagonal ones only where no pixel is
/// 4-adjacent to both (so a staircase is one path, not a chain of little triangles).
fn adjacency(on: &[bool]) -> Vec<Vec<usize>> {
    let idx = |x: isize, y: isize| -> Option<usize> {
        ((0..SIDE as isize).contains(&x) && (0..SIDE as isize).contains(&y) && on[y as usize * SIDE + x as usize])
            .then(|| y as usize * SIDE + x as usize)
    };
    let mut adj = vec![Vec::new(); SIDE * SIDE];
    for y in 0..SIDE as isize {
        for x in 0..SIDE as isize {
            let Some(i) = idx(x, y) else { continue };
            for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                if let Some(j) = idx(x + dx, y + dy) {
                    adj[i].push(j);
                }
            }
            for (dx, dy) in [(1, 1), (1, -1), (-1, 1), (-1, -1)] {
                if let Some(j) = idx(x + dx, y + dy)
                    && idx(x + dx, y).is_none()
                    && idx(x, y + dy).is_none()
                {
                    adj[i].push(j);
                }
            }
        }
    }
    adj
}

/// The skeleton's graph walked into paths: from every end and junction along each unvisited
/// edge until the next end or junction; then the loops that have neither; then lone pixels.
fn trace(on: &[bool], adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut used = HashSet::new();
    let mut paths = Vec::new();
    let ends = (0..adj.len()).filter(|&i| adj[i].len() != 2);
    let rest = (0..adj.len()).filter(|&i| adj[i].len() == 2);
    for i in ends.chain(rest) {
        for &n in &adj[i] {
            if !used.contains(&edge(i, n)) {
                paths.push(walk(adj, &mut used, i, n));
            }
        }
    }
    paths.extend((0..adj.len()).filter(|&i| on[i] && adj[i].is_empty()).map(|i| vec![i]));
    paths
}

fn edge(a: usize, b: usize) -> (usize, usize) {
    (a.min(b), a.max(b))
}

/// Follows the skeleton from `start` through `first` while the path neither ends nor branches.
fn walk(adj: &[Vec<usize>], used: &mut HashSet<(usize, usize)>, start: usize, first: usize) -> Vec<usize> {
    let mut path = vec![start, first];
    used.insert(edge(start, first));
    let mut cur = first;
    while adj[cur].len() == 2 {
        let Some(&next) = adj[cur].iter().find(|&&n| !used.contains(&edge(cur, n))) else {
            break;
        };
        used.insert(edge(cur, next));
        path.push(next);
        cur = next;
    }
    path
}

/// A 3-point moving average (ends kept): takes the pixel staircase out of a traced path.
fn smooth(pts: &[super::pen::Point]) -> Vec<super::pen::Point> {
    if pts.len() < 3 {
        return pts.to_vec();
    }
    let mut out = Vec::with_capacity(pts.len());
    out.push(pts[0]);
    for w in pts.windows(3) {
        out.push(p((w[0].x + w[1].x + w[2].x) / 3.0, (w[0].y + w[1].y + w[2].y) / 3.0));
    }
    out.push(pts[pts.len() - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 28x28 image with a bold ring (a 0) drawn in it.
    fn ring() -> Vec<u8> {
        let mut img = vec![0u8; SIDE * SIDE];
        for y in 0..SIDE {
            for x in 0..SIDE {
                let d = ((x as f32 - 13.5).powi(2) / 36.0 + (y as f32 - 13.5).powi(2) / 100.0).sqrt();
                if (0.75..1.25).contains(&d) {
                    img[y * SIDE + x] = 255;
                }
            }
        }
        img
    }

    #[test]
    fn a_bold_ring_becomes_one_closed_path_around_it() {
        let paths = strokes(&ring());
        assert_eq!(paths.len(), 1, "{paths:?}");
        let path = &paths[0];
        assert!(path.len() > 30, "{} points", path.len());
        let (first, last) = (path[0], path[path.len() - 1]);
        assert!(
            (first.x - last.x).hypot(first.y - last.y) < 0.08,
            "not closed: {first:?} {last:?}"
        );
        // Thinned to the middle of the ring: every point about one radius from the centre.
        for q in path {
            let d = (((q.x - 0.5) * 28.0).powi(2) / 36.0 + ((q.y - 0.5) * 28.0).powi(2) / 100.0).sqrt();
            assert!((0.75..1.3).contains(&d), "{q:?} at {d}");
        }
    }

    #[test]
    fn a_blank_image_has_no_strokes() {
        assert!(strokes(&[0u8; SIDE * SIDE]).is_empty());
    }

    #[test]
    fn a_thick_bar_becomes_one_stroke_along_it() {
        let mut img = vec![0u8; SIDE * SIDE];
        for y in 4..24 {
            for x in 12..16 {
                img[y * SIDE + x] = 255;
            }
        }
        let paths = strokes(&img);
        assert_eq!(paths.len(), 1, "{paths:?}");
        let ys: Vec<f32> = paths[0].iter().map(|q| q.y * 28.0).collect();
        let span = ys.iter().copied().fold(f32::MIN, f32::max) - ys.iter().copied().fold(f32::MAX, f32::min);
        assert!(span > 14.0, "span {span}");
    }
}
