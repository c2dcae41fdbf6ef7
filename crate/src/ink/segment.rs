//! A written number → its digits, left to right, before any of them meets the network.
//!
//! People write a digit in one stroke or several (the cap of a 5, the two strokes of a 4, the
//! crossbar of a 7) and leave gaps between digits. So strokes (connected components) are grouped
//! by how much they overlap horizontally: strokes stacked above each other belong to one digit,
//! strokes side by side are different digits. Handwriting leans, and a leaning digit's box
//! reaches over its neighbour's, so the overlap is measured along the writing's own slant
//! (estimated from the strokes' second moments). Small marks (a detached end of a 7, a serif)
//! join the nearest digit. What is left are groups of component labels, each framed and read
//! like a single digit by [`super::preprocess::frame`].

use super::preprocess::{Components, Framed, Ink, Rect, frame};
use super::raster::frame_strokes;
use super::strokes::{Point, Stroke, bounds};
use super::{greater, length, lesser};
use crate::error::Error;
use crate::onnx::contract::CLASSES;

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
/// A stroke begun within this long after the previous one ended continues the same thought:
/// a small mark then belongs to the digit just written.
const PEN_UP_MS: f32 = 1000.0;
/// Widest a digit's ink is, as a multiple of its height (a wide 0 or 4 reaches about 1.3).
const MAX_DIGIT_ASPECT: f64 = 2.0;
/// Shortest a piece cut from a group may be, as a fraction of the group's height: digits
/// written side by side are about as tall as each other, while a 7's serif or a 1's flag cut
/// off a digit is a small mark that a network trained on drawn digits may still read as a
/// confident "1".
const MIN_PIECE_HEIGHT: f64 = 0.6;
/// Shortest a piece cut from strokes may be, in pen widths, its box pen included (its path at
/// least one pen width tall).
const MIN_PIECE_PENS: f64 = 2.0;
/// How many times a group can be cut in two (a 5-digit run of touching digits needs 4).
const MAX_DEPTH: usize = 5;

/// One digit of a number: its framed input and the network's probabilities.
#[derive(Clone, Debug)]
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
        && let Some(cut) = best_cut(ink, comps, slant, &labels, span, framed.rect.height, classify)?
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
    height: usize,
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
        if !digit_shaped(&fl.rect, height as f64) || !digit_shaped(&fr.rect, height as f64) {
            continue;
        }
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

/// Whether a cut's half could be a digit of a group `height` tall: no digit is much wider than
/// tall, so cutting a flat stroke (a 1's foot, the base of a 2 being written, a dash) into
/// "digits" is never tried, and none is much shorter than the digits beside it.
fn digit_shaped(rect: &Rect, height: f64) -> bool {
    rect.width as f64 <= MAX_DIGIT_ASPECT * rect.height as f64 && rect.height as f64 >= MIN_PIECE_HEIGHT * height
}

/// [`digit_shaped`] for a piece cut from strokes: also at least [`MIN_PIECE_PENS`] pen widths
/// tall, since a stroke's box includes the pen and a sliver of path cut from a curve being drawn
/// would otherwise pass for a small digit.
fn stroke_piece_shaped(rect: &Rect, height: f64, pen_width: f32) -> bool {
    digit_shaped(rect, height) && rect.height as f64 >= MIN_PIECE_PENS * f64::from(pen_width)
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
/// 1-based component labels that [`super::preprocess::frame`] takes.
pub fn group_digits(comps: &Components) -> Vec<Vec<u32>> {
    let slant = writing_slant(comps);
    let pieces: Vec<Piece> = comps
        .list
        .iter()
        .enumerate()
        .map(|(i, c)| Piece {
            rect: [
                c.rect.x as f64,
                c.rect.y as f64,
                (c.rect.x + c.rect.width) as f64,
                (c.rect.y + c.rect.height) as f64,
            ],
            span: labels_span(comps, &[i as u32 + 1], slant),
            after: None,
        })
        .collect();
    group_pieces(&pieces)
        .into_iter()
        .map(|g| g.into_iter().map(|i| i as u32 + 1).collect())
        .collect()
}

/// A stroke (or a connected component of ink) as the grouping sees it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Piece {
    /// Its box: left, top, right, bottom.
    pub rect: [f64; 4],
    /// Its horizontal extent along the writing's slant.
    pub span: (f64, f64),
    /// The piece drawn just before it, when the pen went down again soon after (strokes only):
    /// a small mark made right after a digit's stroke belongs to that digit.
    pub after: Option<usize>,
}

impl Piece {
    fn height(&self) -> f64 {
        self.rect[3] - self.rect[1]
    }

    fn extent(&self) -> f64 {
        (self.rect[2] - self.rect[0]).max(self.height())
    }
}

/// Groups pieces into digits: main pieces merged by horizontal overlap along the slant (pieces
/// stacked above each other are one digit, pieces side by side are different digits), small
/// ones (a detached end of a 7, a serif) joined to the nearest digit. Returns the pieces' indices
/// per digit, digits left to right.
pub(super) fn group_pieces(pieces: &[Piece]) -> Vec<Vec<usize>> {
    if pieces.is_empty() {
        return Vec::new();
    }
    // Typical digit height: the tallest piece's height (a number's digits are similar in size;
    // the tallest is the least likely to be a fragment).
    let tall = pieces.iter().map(Piece::height).fold(1.0, f64::max);
    let mut order: Vec<usize> = (0..pieces.len()).collect();
    order.sort_by(|&a, &b| pieces[a].span.0.total_cmp(&pieces[b].span.0));

    // Main pieces, merged by horizontal overlap along the slant.
    let is_fragment = |i: usize| pieces[i].extent() < FRAGMENT * tall;
    let mut groups: Vec<Group> = Vec::new();
    for &i in order.iter().filter(|&&i| !is_fragment(i)) {
        let g = Group::of(pieces, i);
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

    // Fragments join the group of the piece drawn just before them if it is close, else the
    // nearest group if it is close; with no main piece at all (only small marks), each stands
    // alone.
    for &i in order.iter().filter(|&&i| is_fragment(i)) {
        let g = Group::of(pieces, i);
        let previous = pieces[i]
            .after
            .and_then(|p| groups.iter().position(|other| other.members.contains(&p)))
            .filter(|&k| gap(&groups[k].rect, &g.rect) <= 0.5 * tall);
        let nearest = groups
            .iter()
            .enumerate()
            .map(|(k, other)| (k, gap(&other.rect, &g.rect)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|&(_, d)| d <= 0.5 * tall)
            .map(|(k, _)| k);
        match previous.or(nearest) {
            Some(k) => groups[k].absorb(g),
            None => groups.push(g),
        }
    }
    merge_overlapping(&mut groups);
    groups.sort_by(|a, b| a.span.0.total_cmp(&b.span.0));
    groups.into_iter().map(|g| g.members).collect()
}

/// Pieces that make one digit so far.
struct Group {
    rect: [f64; 4],
    span: (f64, f64),
    members: Vec<usize>,
}

impl Group {
    fn of(pieces: &[Piece], i: usize) -> Group {
        Group {
            rect: pieces[i].rect,
            span: pieces[i].span,
            members: vec![i],
        }
    }

    fn absorb(&mut self, other: Group) {
        let (a, b) = (self.rect, other.rect);
        self.rect = [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])];
        self.span = (self.span.0.min(other.span.0), self.span.1.max(other.span.1));
        self.members.extend(other.members);
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
fn gap(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let dx = (a[0].max(b[0]) - a[2].min(b[2])).max(0.0);
    let dy = (a[1].max(b[1]) - a[3].min(b[3])).max(0.0);
    dx.hypot(dy)
}

/// Reads a number written as pen strokes: the strokes grouped into digits ([`group_pieces`]:
/// strokes drawn separately stay separate even where their ink touches, unlike connected
/// components), groups too wide for one digit cut where the network reads both halves with
/// more confidence than the whole (one stroke running through two digits), and each digit
/// framed by [`frame_strokes`]. `classify` is the network on a 32x32 input.
pub fn read_number_strokes(
    strokes: &[Stroke],
    pen_width: f32,
    memo: &mut GroupMemo,
    mut classify: impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error>,
) -> Result<Vec<DigitReading>, Error> {
    let strokes: Vec<&Stroke> = strokes.iter().filter(|s| !s.points.is_empty()).collect();
    let slant = strokes_slant(&strokes);
    let r = f64::from(pen_width) / 2.0;
    let pieces: Vec<Piece> = strokes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let [x0, y0, x1, y1] = bounds(&s.points)?;
            let span = path_span(s, slant);
            // Drawn right after the previous stroke: within a second of its pen-up (or in order,
            // when the page sent no times).
            let soon = match (
                i.checked_sub(1).and_then(|p| strokes[p].span_in_time()),
                s.span_in_time(),
            ) {
                (Some((_, up)), Some((down, _))) => down - up < PEN_UP_MS,
                _ => true,
            };
            Some(Piece {
                after: i.checked_sub(1).filter(|_| soon),
                rect: [
                    f64::from(x0) - r,
                    f64::from(y0) - r,
                    f64::from(x1) + r,
                    f64::from(y1) + r,
                ],
                // The ink's extent, pen included, as for pixels: a 1's flag overlaps its stem by
                // the pen's width.
                span: (span.0 - r, span.1 + r),
            })
        })
        .collect();
    let groups = group_pieces(&pieces);
    // How tall a digit of this number is: its tallest group, ink and pen (as `group_pieces`
    // takes its tallest piece). Touching digits are about as tall as the digits beside them,
    // so a group much shorter than that (a digit being begun, a curve half drawn) is not cut.
    let tall = groups
        .iter()
        .filter_map(|members| bounds(members.iter().flat_map(|&i| &strokes[i].points)))
        .map(|[_, y0, _, y1]| f64::from(y1 - y0 + pen_width))
        .fold(0.0, f64::max);
    let mut out = Vec::new();
    for members in groups {
        let group: Vec<Stroke> = members.iter().map(|&i| strokes[i].clone()).collect();
        let key = GroupMemo::key(&group, pen_width, tall);
        if let Some(read) = memo.get(&key) {
            out.extend(read.iter().cloned());
            continue;
        }
        // Cuts follow the group's own slant, so a group reads the same whatever else is on the
        // pad but the number's height (and its reading can be remembered).
        let slant = strokes_slant(&group.iter().collect::<Vec<_>>());
        let mut read = Vec::new();
        let shape = PieceShape { pen_width, tall };
        read_stroke_group(group, shape, slant, 0, &mut classify, &mut read)?;
        out.extend(read.iter().cloned());
        memo.put(key, read);
    }
    Ok(out)
}

/// The readings of groups of strokes already read, by their exact points and pen: while the
/// pen moves, a number's finished digits (with any cuts tried on them) are read once, not on
/// every frame.
#[derive(Debug, Default)]
pub struct GroupMemo {
    entries: Vec<(Vec<u32>, Vec<DigitReading>)>,
    next: usize,
}

impl GroupMemo {
    /// Groups remembered: the digits of a long number.
    const SIZE: usize = 32;

    /// A group's points, pen and the number's digit height as bits, stroke by stroke (a
    /// stroke's length first).
    fn key(group: &[Stroke], pen_width: f32, tall: f64) -> Vec<u32> {
        let tall = tall.to_bits();
        let mut key = vec![pen_width.to_bits(), tall as u32, (tall >> 32) as u32];
        for s in group {
            key.push(s.points.len() as u32);
            key.extend(s.points.iter().flat_map(|p| [p.x.to_bits(), p.y.to_bits()]));
        }
        key
    }

    fn get(&self, key: &[u32]) -> Option<&Vec<DigitReading>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, read)| read)
    }

    fn put(&mut self, key: Vec<u32>, read: Vec<DigitReading>) {
        if self.entries.len() < Self::SIZE {
            self.entries.push((key, read));
        } else {
            self.entries[self.next] = (key, read);
            self.next = (self.next + 1) % Self::SIZE;
        }
    }
}

/// What a piece cut from a group of strokes must be to count as a digit.
#[derive(Clone, Copy)]
struct PieceShape {
    pen_width: f32,
    /// The number's digit height (ink box, pen included).
    tall: f64,
}

fn read_stroke_group(
    strokes: Vec<Stroke>,
    shape: PieceShape,
    slant: f64,
    depth: usize,
    classify: &mut impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error>,
    out: &mut Vec<DigitReading>,
) -> Result<(), Error> {
    let pen_width = shape.pen_width;
    let Some(framed) = frame_strokes(&strokes, pen_width) else {
        return Ok(());
    };
    let probabilities = classify(&framed.input)?;
    let whole = max(&probabilities);
    let span = strokes
        .iter()
        .map(|s| path_span(s, slant))
        .fold((f64::MAX, f64::MIN), |a, b| (lesser(a.0, b.0), greater(a.1, b.1)));
    let aspect = (span.1 - span.0 + f64::from(pen_width)) / framed.rect.height.max(1) as f64;
    // A cut is taken when its weaker half reads above this: above the whole, or, for ink
    // surely wider than one digit, above even odds.
    let floor = if aspect > SURELY_SEVERAL { whole.min(0.5) } else { whole };
    if depth < MAX_DEPTH
        && aspect > WIDE
        // No piece of a group too short to hold a digit could be one.
        && stroke_piece_shaped(&framed.rect, shape.tall, pen_width)
        && let Some((left, right, _)) = best_stroke_cut(&strokes, shape, slant, span, floor, classify)?
    {
        read_stroke_group(left, shape, slant, depth + 1, classify, out)?;
        read_stroke_group(right, shape, slant, depth + 1, classify, out)?;
        return Ok(());
    }
    out.push(DigitReading { framed, probabilities });
    Ok(())
}

/// Bins of the ink histogram along the slant, for finding where touching digits meet.
const CUT_BINS: usize = 64;

/// The best place to cut a group of strokes in two whose weaker half the network reads above
/// `floor`: the left and right pieces and that half's top probability.
#[allow(clippy::type_complexity)]
fn best_stroke_cut(
    strokes: &[Stroke],
    shape: PieceShape,
    slant: f64,
    span: (f64, f64),
    floor: f32,
    classify: &mut impl FnMut(&[f32]) -> Result<[f32; CLASSES], Error>,
) -> Result<Option<(Vec<Stroke>, Vec<Stroke>, f32)>, Error> {
    let pen_width = shape.pen_width;
    let width = (span.1 - span.0).max(1e-6);
    let bin = width / CUT_BINS as f64;
    // Ink per deslanted column: the paths sampled every bin's width.
    let mut hist = [0usize; CUT_BINS];
    for s in strokes {
        for w in s.points.windows(2) {
            let (a, b) = (deslant(w[0], slant), deslant(w[1], slant));
            let len = length(f64::from(w[1].x - w[0].x), f64::from(w[1].y - w[0].y));
            // A few samples per bin are enough; the cap keeps a long segment across a narrow
            // span (sizes come from the page) from taking billions of steps.
            let steps = (len / bin).ceil().clamp(1.0, (4 * CUT_BINS) as f64) as usize;
            for k in 0..=steps {
                let u = a + (b - a) * k as f64 / steps as f64;
                let i = (greater((u - span.0) / bin, 0.0).floor() as usize).min(CUT_BINS - 1);
                hist[i] += 1;
            }
        }
    }
    let (lo, hi) = (CUT_BINS / 5, CUT_BINS - CUT_BINS / 5);
    let mut columns: Vec<usize> = (lo..hi).collect();
    columns.sort_by_key(|&k| (hist[k], k.abs_diff(CUT_BINS / 2)));
    let mut tried: Vec<usize> = Vec::new();
    let mut best: Option<(Vec<Stroke>, Vec<Stroke>, f32)> = None;
    for k in columns {
        if tried.len() == CUTS {
            break;
        }
        if tried.iter().any(|&t| t.abs_diff(k) < CUT_BINS / 12 + 1) {
            continue;
        }
        tried.push(k);
        let at = span.0 + (k as f64 + 0.5) * bin;
        let (left, right) = cut_strokes(strokes, slant, at);
        let (Some(fl), Some(fr)) = (frame_strokes(&left, pen_width), frame_strokes(&right, pen_width)) else {
            continue;
        };
        if !stroke_piece_shaped(&fl.rect, shape.tall, pen_width)
            || !stroke_piece_shaped(&fr.rect, shape.tall, pen_width)
        {
            continue;
        }
        // The weaker half decides, so a left half that cannot beat the floor or the best cut so
        // far settles this cut without reading the right one.
        let bar = best.as_ref().map_or(floor, |b| b.2.max(floor));
        let left_top = max(&classify(&fl.input)?);
        if left_top <= bar {
            continue;
        }
        let score = left_top.min(max(&classify(&fr.input)?));
        if score > bar {
            best = Some((left, right, score));
        }
    }
    Ok(best)
}

/// Cuts every stroke where it crosses the deslanted column `at`: the pieces left of it and
/// those right of it (a crossing point goes to both sides, so the pieces still meet).
fn cut_strokes(strokes: &[Stroke], slant: f64, at: f64) -> (Vec<Stroke>, Vec<Stroke>) {
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for s in strokes {
        let side = |p: Point| deslant(p, slant) >= at;
        let mut piece = vec![s.points[0]];
        let mut on_right = side(s.points[0]);
        for w in s.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            if side(b) != on_right {
                let (ua, ub) = (deslant(a, slant), deslant(b, slant));
                let t = ((at - ua) / (ub - ua)).clamp(0.0, 1.0) as f32;
                let c = Point {
                    x: a.x + t * (b.x - a.x),
                    y: a.y + t * (b.y - a.y),
                };
                piece.push(c);
                let done = std::mem::replace(&mut piece, vec![c]);
                if on_right { &mut right } else { &mut left }.push(Stroke::new(done));
                on_right = !on_right;
            }
            piece.push(b);
        }
        if on_right { &mut right } else { &mut left }.push(Stroke::new(piece));
    }
    (left, right)
}

/// A point's position across the writing: `x` with the slant taken out.
fn deslant(p: Point, slant: f64) -> f64 {
    f64::from(p.x) - slant * f64::from(p.y)
}

/// The deslanted horizontal extent of a stroke's path.
fn path_span(s: &Stroke, slant: f64) -> (f64, f64) {
    s.points
        .iter()
        .map(|&p| deslant(p, slant))
        .fold((f64::MAX, f64::MIN), |(a, b), u| (lesser(a, u), greater(b, u)))
}

/// The writing's slant (dx/dy) from the strokes' pooled second moments, as for pixels
/// ([`writing_slant`]): each path weighted by length (segment midpoints), so how densely the
/// pen reported points does not count.
fn strokes_slant(strokes: &[&Stroke]) -> f64 {
    let (mut sxy, mut syy) = (0f64, 0f64);
    for s in strokes {
        let (mut m, mut sx, mut sy, mut sxx_y, mut syy_s) = (0f64, 0f64, 0f64, 0f64, 0f64);
        for w in s.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            let len = length(f64::from(b.x - a.x), f64::from(b.y - a.y));
            let (x, y) = (f64::from(a.x + b.x) / 2.0, f64::from(a.y + b.y) / 2.0);
            m += len;
            sx += len * x;
            sy += len * y;
            sxx_y += len * x * y;
            syy_s += len * y * y;
        }
        if m > 0.0 {
            sxy += sxx_y - sx * sy / m;
            syy += syy_s - sy * sy / m;
        }
    }
    if syy <= 0.0 { 0.0 } else { (sxy / syy).clamp(-0.6, 0.6) }
}
