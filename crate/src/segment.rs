//! A written number → its digits, left to right, before any of them meets the network.
//!
//! People write a digit in one stroke or several (the cap of a 5, the two strokes of a 4, the
//! crossbar of a 7) and leave gaps between digits. So strokes (connected components) are grouped
//! by how much they overlap horizontally: strokes stacked above each other belong to one digit,
//! strokes side by side are different digits. Handwriting leans, and a leaning digit's box
//! reaches over its neighbour's, so the overlap is measured along the writing's own slant
//! (estimated from the strokes' second moments). Small marks (a detached end of a 7, a serif)
//! join the nearest digit. What is left are groups of component labels, each framed and read
//! like a single digit by [`crate::preprocess::frame`].

use crate::error::Error;
use crate::model::CLASSES;
use crate::preprocess::{Components, Framed, Ink, Rect, frame};

/// Two strokes whose horizontal extents overlap by at least this fraction of the narrower one
/// are one digit (a slanted neighbour overlaps a little; a 5's cap overlaps almost fully).
const OVERLAP: f64 = 0.45;
/// A stroke whose longer side is below this fraction of the typical digit height is a fragment
/// of a digit, not a digit: it joins the nearest group.
const FRAGMENT: f64 = 0.3;

/// A group of strokes wider than this times its height (along the slant) may be touching
/// digits: try to cut it. Single digits of the stroke fixture, pen included, reach 0.87.
const WIDE: f64 = 0.95;
/// Wider than this, a group is surely more than one digit: cut it wherever the halves read best.
const SURELY_SEVERAL: f64 = 1.15;
/// How many cut positions to try per wide group (the columns with the least ink).
const CUTS: usize = 6;
/// How many times a group can be cut in two (a 5-digit run of touching digits needs 4).
const MAX_DEPTH: usize = 5;

/// One digit of a number: its framed input and the network's probabilities.
pub struct DigitReading {
    pub framed: Framed,
    pub probabilities: [f32; CLASSES],
}

/// Reads a number: groups strokes into digits ([`group_digits`]), then cuts groups that are too
/// wide for one digit where the network reads both halves with more confidence than the whole
/// (touching digits, like a fast "00"). `classify` is the network on a 32x32 input.
pub fn read_number(
    ink: &Ink,
    mut comps: Components,
    mut classify: impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error>,
) -> Result<Vec<DigitReading>, Error> {
    let slant = writing_slant(&comps);
    let mut out = Vec::new();
    for labels in group_digits(&comps) {
        read_group(ink, &mut comps, slant, labels, 0, &mut classify, &mut out)?;
    }
    Ok(out)
}

fn read_group(
    ink: &Ink,
    comps: &mut Components,
    slant: f64,
    labels: Vec<u32>,
    depth: usize,
    classify: &mut impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error>,
    out: &mut Vec<DigitReading>,
) -> Result<(), Error> {
    let Some(framed) = frame(ink, comps, &labels) else {
        return Ok(());
    };
    let probabilities = classify(&framed.input)?;
    let whole = max(&probabilities);
    let span = labels_span(comps, &labels, slant);
    let aspect = (span.1 - span.0) / framed.rect.height.max(1) as f64;
    if depth < MAX_DEPTH
        && aspect > WIDE
        && let Some(cut) = best_cut(ink, comps, slant, &labels, span, classify)?
        // Very wide ink is surely more than one digit; otherwise the halves must be read with
        // more confidence than the whole.
        && (cut.score > whole || (aspect > SURELY_SEVERAL && cut.score > 0.5))
    {
        *comps = cut.comps;
        read_group(ink, comps, slant, cut.left, depth + 1, classify, out)?;
        read_group(ink, comps, slant, cut.right, depth + 1, classify, out)?;
        return Ok(());
    }
    out.push(DigitReading { framed, probabilities });
    Ok(())
}

/// A way to cut a group in two, and how confidently the network reads the weaker half.
struct Cut {
    comps: Components,
    left: Vec<u32>,
    right: Vec<u32>,
    score: f32,
}

fn best_cut(
    ink: &Ink,
    comps: &Components,
    slant: f64,
    labels: &[u32],
    span: (f64, f64),
    classify: &mut impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error>,
) -> Result<Option<Cut>, Error> {
    // Ink per deslanted column: digits touch where little ink crosses.
    let (u0, width) = (span.0.floor(), (span.1 - span.0).ceil().max(1.0) as usize);
    let mut hist = vec![0usize; width + 1];
    for_each_pixel(comps, labels, |x, y| {
        let k = ((x as f64 - slant * y as f64) - u0).floor().max(0.0) as usize;
        hist[k.min(width)] += 1;
    });
    let lo = width / 5;
    let hi = width - width / 5;
    let mut columns: Vec<usize> = (lo..hi).collect();
    columns.sort_by_key(|&k| (hist[k], k.abs_diff(width / 2)));
    let mut tried: Vec<usize> = Vec::new();
    let mut best: Option<Cut> = None;
    for k in columns {
        if tried.len() == CUTS {
            break;
        }
        if tried.iter().any(|&t| t.abs_diff(k) < width / 12 + 1) {
            continue;
        }
        tried.push(k);
        let at = u0 + k as f64 + 0.5;
        let mut split = comps.clone();
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for &l in labels {
            match split.split_off(l, |x, y| x as f64 - slant * y as f64 >= at) {
                Some(new) => {
                    left.push(l);
                    right.push(new);
                }
                None => {
                    let c = &split.list[(l - 1) as usize];
                    let (cx, cy) = c.centroid();
                    if cx - slant * cy >= at {
                        right.push(l);
                    } else {
                        left.push(l);
                    }
                }
            }
        }
        let (Some(fl), Some(fr)) = (frame(ink, &split, &left), frame(ink, &split, &right)) else {
            continue;
        };
        let score = max(&classify(&fl.input)?).min(max(&classify(&fr.input)?));
        if best.as_ref().is_none_or(|b| score > b.score) {
            best = Some(Cut {
                comps: split,
                left,
                right,
                score,
            });
        }
    }
    Ok(best)
}

fn max(p: &[f32; CLASSES]) -> f32 {
    p.iter().copied().fold(0f32, f32::max)
}

/// Calls `f(x, y)` for every pixel of the strokes `labels`.
fn for_each_pixel(comps: &Components, labels: &[u32], mut f: impl FnMut(usize, usize)) {
    let width = comps.width();
    for &l in labels {
        let Some(c) = (l as usize).checked_sub(1).and_then(|i| comps.list.get(i)) else {
            continue;
        };
        let r = c.rect;
        for y in r.y..r.y + r.height {
            let row = &comps.labels[y * width..][..width];
            for (x, _) in row
                .iter()
                .enumerate()
                .take(r.x + r.width)
                .skip(r.x)
                .filter(|(_, v)| **v == l)
            {
                f(x, y);
            }
        }
    }
}

/// The deslanted horizontal extent of the strokes `labels`.
fn labels_span(comps: &Components, labels: &[u32], slant: f64) -> (f64, f64) {
    let mut span = (f64::MAX, f64::MIN);
    for_each_pixel(comps, labels, |x, y| {
        let u = x as f64 - slant * y as f64;
        span = (span.0.min(u), span.1.max(u + 1.0));
    });
    span
}

/// Groups the strokes of `comps` into digits, ordered left to right. Each group holds the
/// 1-based component labels that [`crate::preprocess::frame`] takes.
pub fn group_digits(comps: &Components) -> Vec<Vec<u32>> {
    if comps.list.is_empty() {
        return Vec::new();
    }
    // Typical digit height: the tallest stroke's height (a number's digits are similar in size;
    // the tallest is the least likely to be a fragment).
    let tall = comps.list.iter().map(|c| c.rect.height).max().unwrap_or(1).max(1) as f64;
    let slant = writing_slant(comps);
    let spans: Vec<(f64, f64)> = (1..=comps.list.len() as u32)
        .map(|l| labels_span(comps, &[l], slant))
        .collect();
    let mut order: Vec<usize> = (0..comps.list.len()).collect();
    order.sort_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0));

    // Main strokes, merged by horizontal overlap along the slant.
    let is_fragment = |i: usize| (comps.list[i].rect.extent() as f64) < FRAGMENT * tall;
    let mut groups: Vec<Group> = Vec::new();
    for &i in order.iter().filter(|&&i| !is_fragment(i)) {
        let g = Group {
            rect: comps.list[i].rect,
            span: spans[i],
            labels: vec![i as u32 + 1],
        };
        match groups
            .iter_mut()
            .find(|other| overlap_fraction(other.span, g.span) >= OVERLAP)
        {
            Some(other) => other.absorb(g),
            None => groups.push(g),
        }
    }
    // Merging can make a group overlap another it did not before: repeat until stable.
    merge_overlapping(&mut groups);

    // Fragments join the nearest group if it is close; with no main stroke at all (only small
    // marks), each stands alone.
    for &i in order.iter().filter(|&&i| is_fragment(i)) {
        let g = Group {
            rect: comps.list[i].rect,
            span: spans[i],
            labels: vec![i as u32 + 1],
        };
        let best = groups
            .iter()
            .enumerate()
            .map(|(k, other)| (k, gap(&other.rect, &g.rect)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((k, d)) if d <= 0.5 * tall => groups[k].absorb(g),
            _ => groups.push(g),
        }
    }
    merge_overlapping(&mut groups);
    groups.sort_by(|a, b| a.span.0.total_cmp(&b.span.0));
    groups.into_iter().map(|g| g.labels).collect()
}

/// Strokes that make one digit so far.
struct Group {
    rect: Rect,
    /// Horizontal extent along the writing's slant (see [`deslanted_spans`]).
    span: (f64, f64),
    labels: Vec<u32>,
}

impl Group {
    fn absorb(&mut self, other: Group) {
        self.rect = self.rect.union(&other.rect);
        self.span = (self.span.0.min(other.span.0), self.span.1.max(other.span.1));
        self.labels.extend(other.labels);
    }
}

fn merge_overlapping(groups: &mut Vec<Group>) {
    loop {
        let pair = (0..groups.len()).find_map(|a| {
            (a + 1..groups.len())
                .find(|&b| overlap_fraction(groups[a].span, groups[b].span) >= OVERLAP)
                .map(|b| (a, b))
        });
        let Some((a, b)) = pair else { return };
        let g = groups.remove(b);
        groups[a].absorb(g);
    }
}

/// The writing's slant as dx/dy (positive: the tops lean left in canvas coordinates, y down),
/// from the strokes' pooled second moments: `cov(x, y) / var(y)` within each stroke, so
/// the spacing between digits does not count. Clamped to about ±30°: beyond that it is a
/// drawing, not writing.
fn writing_slant(comps: &Components) -> f64 {
    let (mut sxy, mut syy) = (0f64, 0f64);
    for c in &comps.list {
        let a = c.area.max(1) as f64;
        sxy += c.sum_xy - c.sum_x * c.sum_y / a;
        syy += c.sum_yy - c.sum_y * c.sum_y / a;
    }
    if syy <= 0.0 { 0.0 } else { (sxy / syy).clamp(-0.6, 0.6) }
}

/// Overlap of two spans as a fraction of the narrower one.
fn overlap_fraction(a: (f64, f64), b: (f64, f64)) -> f64 {
    let overlap = (a.1.min(b.1) - a.0.max(b.0)).max(0.0);
    let narrow = (a.1 - a.0).min(b.1 - b.0).max(1.0);
    overlap / narrow
}

/// Distance between two boxes (0 if they touch or overlap).
fn gap(a: &Rect, b: &Rect) -> f64 {
    let dx = (a.x.max(b.x) as f64 - (a.x + a.width).min(b.x + b.width) as f64).max(0.0);
    let dy = (a.y.max(b.y) as f64 - (a.y + a.height).min(b.y + b.height) as f64).max(0.0);
    dx.hypot(dy)
}
