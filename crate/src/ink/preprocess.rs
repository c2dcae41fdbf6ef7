//! Canvas pixels → the 32x32 input LeNet-5 expects, the way MNIST itself was made.
//!
//! MNIST digits were size-normalised to fit a 20x20 box (aspect kept, anti-aliased),
//! then placed in a 28x28 field so that their centre of mass sits at the centre;
//! LeNet-5 adds 2 pixels of padding (32x32). A canvas is none of that: any size,
//! any colours, off-centre, thin or fat strokes, stray specks. The steps:
//!
//! 1. [`Ink::from_rgba`]: ink by contrast with the background, whatever the colours
//!    (background = the median colour of the border; a transparent canvas has its ink in alpha).
//! 2. [`Components::find`]: 8-connected strokes; tiny specks are dropped.
//! 3. [`frame`]: crop to the ink's box, area-average to a 20 px box, keep thin strokes visible,
//!    centre by mass in 28x28, pad to 32x32.

use serde::Serialize;

use super::{greater, lesser};
use crate::error::Error;
use crate::onnx::contract::{INPUT_LEN, INPUT_SIDE};

/// Largest canvas accepted, in pixels (64 MB of RGBA): bigger is surely a mistake.
pub const MAX_PIXELS: usize = 1 << 24;
/// MNIST's size-normalisation box.
pub const BOX: usize = 20;
/// MNIST's field.
pub const FIELD: usize = 28;
/// LeNet-5's padding around the MNIST field.
pub const PAD: usize = (INPUT_SIDE - FIELD) / 2;

/// Ink below this is background noise (JPEG ringing, a slightly uneven background).
const NOISE: f32 = 0.06;
/// Ink at or above this is part of a stroke rather than its anti-aliased edge.
const SOLID: f32 = 0.3;
/// MNIST strokes are about 2 px wide in the 20 px box; below this we thicken.
const MIN_STROKE: f32 = 1.6;

/// A pixel rectangle, in the coordinates of the canvas it came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

impl Rect {
    fn right(&self) -> usize {
        self.x + self.width
    }
    fn bottom(&self) -> usize {
        self.y + self.height
    }
    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect {
            x,
            y,
            width: self.right().max(other.right()) - x,
            height: self.bottom().max(other.bottom()) - y,
        }
    }
    /// Longer side.
    pub fn extent(&self) -> usize {
        self.width.max(self.height)
    }
}

/// Ink intensity per pixel, 0 = background, 1 = full ink.
#[derive(Clone, Debug)]
pub struct Ink {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f32>,
}

impl Ink {
    /// Finds the ink in RGBA pixels by contrast with the background.
    ///
    /// The background is the median of the border pixels: if most of the border is
    /// transparent, the ink is the alpha channel (a transparent canvas); otherwise the ink is
    /// the largest per-channel distance from the background colour, scaled so that the
    /// farthest colour reachable counts as full ink (black on white, white on black, blue on grey alike).
    pub fn from_rgba(rgba: &[u8], width: usize, height: usize) -> Result<Self, Error> {
        check_size(rgba.len(), width, height)?;
        let n = width * height;
        let border = border_indices(width, height);
        let mut alphas: Vec<u8> = border.iter().map(|&i| rgba[4 * i + 3]).collect();
        let values = if median(&mut alphas) < 128 {
            rgba.chunks_exact(4).map(|p| f32::from(p[3]) / 255.0).collect()
        } else {
            // Opaque: composite over white so half-transparent pixels count as lighter.
            let rgb = |i: usize| -> [f32; 3] {
                let p = &rgba[4 * i..4 * i + 4];
                let a = f32::from(p[3]) / 255.0;
                [0, 1, 2].map(|c| f32::from(p[c]) * a + 255.0 * (1.0 - a))
            };
            let mut bg = [0f32; 3];
            for (c, slot) in bg.iter_mut().enumerate() {
                let mut channel: Vec<u8> = border.iter().map(|&i| rgb(i)[c].round() as u8).collect();
                *slot = f32::from(median(&mut channel));
            }
            let reach = bg.iter().map(|&b| b.max(255.0 - b)).fold(0f32, f32::max).max(64.0);
            (0..n)
                .map(|i| {
                    let p = rgb(i);
                    let d = (0..3).map(|c| (p[c] - bg[c]).abs()).fold(0f32, f32::max);
                    (d / reach).min(1.0)
                })
                .collect()
        };
        let mut ink = Ink { width, height, values };
        for v in &mut ink.values {
            if *v < NOISE {
                *v = 0.0;
            }
        }
        Ok(ink)
    }
}

fn check_size(len: usize, width: usize, height: usize) -> Result<(), Error> {
    if width == 0 || height == 0 {
        return Err(Error::Input(format!("the image is empty ({width}x{height})")));
    }
    let n = width.checked_mul(height).filter(|&n| n <= MAX_PIXELS).ok_or_else(|| {
        Error::Input(format!(
            "the image is too large ({width}x{height}); at most {MAX_PIXELS} pixels"
        ))
    })?;
    if len != n * 4 {
        return Err(Error::Input(format!(
            "a {width}x{height} RGBA image needs {} bytes, got {len}",
            n * 4
        )));
    }
    Ok(())
}

fn border_indices(width: usize, height: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..width).collect();
    if height > 1 {
        idx.extend((0..width).map(|x| (height - 1) * width + x));
    }
    for y in 1..height.saturating_sub(1) {
        idx.push(y * width);
        if width > 1 {
            idx.push(y * width + width - 1);
        }
    }
    idx
}

fn median(v: &mut [u8]) -> u8 {
    if v.is_empty() {
        return 0;
    }
    let mid = v.len() / 2;
    *v.select_nth_unstable(mid).1
}

/// One connected stroke (8-connected pixels of solid ink).
#[derive(Clone, Debug)]
pub struct Component {
    pub rect: Rect,
    /// Solid pixels.
    pub area: usize,
    /// Solid pixels with a non-solid 4-neighbour: with `area`, gives the stroke width.
    pub boundary: usize,
    /// Sum of x and y over the solid pixels, for the centroid.
    pub sum_x: f64,
    pub sum_y: f64,
    /// Sums of x*y and y*y, for the stroke's slant.
    pub sum_xy: f64,
    pub sum_yy: f64,
}

impl Component {
    /// Centre of the stroke's mass, in canvas pixels.
    pub fn centroid(&self) -> (f64, f64) {
        let a = self.area.max(1) as f64;
        (self.sum_x / a + 0.5, self.sum_y / a + 0.5)
    }
}

/// The strokes of an ink map: a label per pixel (0 = none, k = `list[k-1]`).
#[derive(Clone, Debug)]
pub struct Components {
    pub labels: Vec<u32>,
    pub list: Vec<Component>,
    width: usize,
}

impl Components {
    /// Labels the strokes and marks specks (too small to be any part of a digit) as removed.
    pub fn find(ink: &Ink) -> Self {
        let (w, h) = (ink.width, ink.height);
        let solid = |i: usize| ink.values[i] >= SOLID;
        let mut labels = vec![0u32; w * h];
        let mut list = Vec::new();
        let mut stack = Vec::new();
        for start in 0..w * h {
            if labels[start] != 0 || !solid(start) {
                continue;
            }
            let label = list.len() as u32 + 1;
            let (sx, sy) = (start % w, start / w);
            let mut c = Component {
                rect: Rect {
                    x: sx,
                    y: sy,
                    width: 1,
                    height: 1,
                },
                area: 0,
                boundary: 0,
                sum_x: 0.0,
                sum_y: 0.0,
                sum_xy: 0.0,
                sum_yy: 0.0,
            };
            let (mut x0, mut y0, mut x1, mut y1) = (sx, sy, sx, sy);
            labels[start] = label;
            stack.push(start);
            while let Some(i) = stack.pop() {
                let (x, y) = (i % w, i / w);
                c.area += 1;
                c.sum_x += x as f64;
                c.sum_y += y as f64;
                c.sum_xy += x as f64 * y as f64;
                c.sum_yy += y as f64 * y as f64;
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
                let edge = x == 0
                    || y == 0
                    || x + 1 == w
                    || y + 1 == h
                    || !solid(i - 1)
                    || !solid(i + 1)
                    || !solid(i - w)
                    || !solid(i + w);
                if edge {
                    c.boundary += 1;
                }
                for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                    for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                        let j = ny * w + nx;
                        if labels[j] == 0 && solid(j) {
                            labels[j] = label;
                            stack.push(j);
                        }
                    }
                }
            }
            c.rect = Rect {
                x: x0,
                y: y0,
                width: x1 - x0 + 1,
                height: y1 - y0 + 1,
            };
            list.push(c);
        }
        let mut found = Components { labels, list, width: w };
        found.drop_specks(w.min(h));
        found
    }

    /// Specks: marks smaller than 2% of the canvas's shorter side (and 2 px), or dots that are
    /// tiny next to the rest of the drawing. Their labels are cleared so nothing sees them.
    fn drop_specks(&mut self, short_side: usize) {
        let abs_limit = (short_side / 50).max(2);
        let total: usize = self.list.iter().map(|c| c.area).sum();
        let all = self.list.iter().map(|c| c.rect).reduce(|a, b| a.union(&b));
        let all_extent = all.map_or(0, |r| r.extent());
        let speck: Vec<bool> = self
            .list
            .iter()
            .map(|c| c.rect.extent() <= abs_limit || (c.area * 100 < total && c.rect.extent() * 20 < all_extent))
            .collect();
        if !speck.iter().any(|&s| s) {
            return;
        }
        let mut remap = vec![0u32; self.list.len() + 1];
        let mut kept = Vec::new();
        for (k, c) in self.list.drain(..).enumerate() {
            if !speck[k] {
                kept.push(c);
                remap[k + 1] = kept.len() as u32;
            }
        }
        for l in &mut self.labels {
            *l = remap[*l as usize];
        }
        self.list = kept;
    }

    /// Width of the labelled canvas.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Moves the pixels of stroke `label` for which `goes(x, y)` holds into a new stroke and
    /// returns its label (`None` if no pixel, or every pixel, goes). Both strokes' statistics
    /// are recomputed; a cut edge counts as boundary, as if the pen had lifted there.
    pub fn split_off(&mut self, label: u32, goes: impl Fn(usize, usize) -> bool) -> Option<u32> {
        let idx = (label as usize).checked_sub(1)?;
        let r = self.list.get(idx)?.rect;
        let new = self.list.len() as u32 + 1;
        let (mut moved, mut kept) = (0, 0);
        for y in r.y..r.bottom() {
            for x in r.x..r.right() {
                let i = y * self.width + x;
                if self.labels[i] == label {
                    if goes(x, y) {
                        self.labels[i] = new;
                        moved += 1;
                    } else {
                        kept += 1;
                    }
                }
            }
        }
        if moved == 0 || kept == 0 {
            // Undo: nothing to split.
            for l in self.labels[r.y * self.width..r.bottom() * self.width].iter_mut() {
                if *l == new {
                    *l = label;
                }
            }
            return None;
        }
        let old = self.stats(label, r);
        let part = self.stats(new, r);
        self.list[idx] = old;
        self.list.push(part);
        Some(new)
    }

    /// Statistics of the pixels labelled `label` inside `within`.
    fn stats(&self, label: u32, within: Rect) -> Component {
        let w = self.width;
        let h = self.labels.len() / w.max(1);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let mut c = Component {
            rect: Rect::default(),
            area: 0,
            boundary: 0,
            sum_x: 0.0,
            sum_y: 0.0,
            sum_xy: 0.0,
            sum_yy: 0.0,
        };
        for y in within.y..within.bottom() {
            for x in within.x..within.right() {
                let i = y * w + x;
                if self.labels[i] != label {
                    continue;
                }
                c.area += 1;
                c.sum_x += x as f64;
                c.sum_y += y as f64;
                c.sum_xy += x as f64 * y as f64;
                c.sum_yy += y as f64 * y as f64;
                let edge = x == 0
                    || y == 0
                    || x + 1 == w
                    || y + 1 == h
                    || self.labels[i - 1] != label
                    || self.labels[i + 1] != label
                    || self.labels[i - w] != label
                    || self.labels[i + w] != label;
                c.boundary += usize::from(edge);
                (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            }
        }
        if c.area > 0 {
            c.rect = Rect {
                x: x0,
                y: y0,
                width: x1 - x0 + 1,
                height: y1 - y0 + 1,
            };
        }
        c
    }

    /// No stroke left: the canvas is empty for recognition.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// One digit framed for the network.
#[derive(Clone, Debug)]
pub struct Framed {
    /// 32x32, row-major, 0 = background, 1 = ink.
    pub input: Vec<f32>,
    /// Where the digit's ink is on the canvas.
    pub rect: Rect,
}

/// Frames the strokes whose labels are in `group` (1-based labels of `comps`) as a 32x32 input.
///
/// Anti-aliased edge pixels (not solid, so unlabelled) go with the strokes they touch.
/// Returns `None` if the group has no ink.
pub fn frame(ink: &Ink, comps: &Components, group: &[u32]) -> Option<Framed> {
    let (w, h) = (ink.width, ink.height);
    let mut member = vec![false; comps.list.len() + 1];
    for &l in group {
        if let Some(m) = member.get_mut(l as usize) {
            *m = l != 0;
        }
    }
    let in_group = |l: u32| member[l as usize];
    let rects = group
        .iter()
        .filter_map(|&l| comps.list.get((l as usize).checked_sub(1)?))
        .map(|c| c.rect);
    let solid_rect = rects.reduce(|a, b| a.union(&b))?;
    // Edge pixels lie at most one pixel outside the solid ink.
    let outer = Rect {
        x: solid_rect.x.saturating_sub(1),
        y: solid_rect.y.saturating_sub(1),
        width: 0,
        height: 0,
    };
    let outer = Rect {
        width: (solid_rect.right() + 1).min(w) - outer.x,
        height: (solid_rect.bottom() + 1).min(h) - outer.y,
        ..outer
    };
    let value = |x: usize, y: usize| -> f32 {
        let i = y * w + x;
        let v = ink.values[i];
        if v == 0.0 {
            return 0.0;
        }
        let l = comps.labels[i];
        if in_group(l) {
            return v;
        }
        if l != 0 {
            return 0.0;
        }
        let touches = (y.saturating_sub(1)..=(y + 1).min(h - 1))
            .any(|ny| (x.saturating_sub(1)..=(x + 1).min(w - 1)).any(|nx| in_group(comps.labels[ny * w + nx])));
        if touches { v } else { 0.0 }
    };
    // The box of everything that belongs to the digit.
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    let mut crop = vec![0f32; outer.width * outer.height];
    for y in outer.y..outer.bottom() {
        for x in outer.x..outer.right() {
            let v = value(x, y);
            if v > 0.0 {
                crop[(y - outer.y) * outer.width + (x - outer.x)] = v;
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    if x0 > x1 {
        return None;
    }
    let rect = Rect {
        x: x0,
        y: y0,
        width: x1 - x0 + 1,
        height: y1 - y0 + 1,
    };

    // Size-normalise: the longer side becomes 20 px, aspect ratio kept.
    let scale = BOX as f64 / rect.extent() as f64;
    let nw = ((rect.width as f64 * scale).round() as usize).clamp(1, BOX);
    let nh = ((rect.height as f64 * scale).round() as usize).clamp(1, BOX);
    let src = Window {
        data: &crop,
        stride: outer.width,
        x: rect.x - outer.x,
        y: rect.y - outer.y,
        width: rect.width,
        height: rect.height,
    };
    let mut small = resample(&src, nw, nh);

    let (area, boundary) = group
        .iter()
        .filter_map(|&l| comps.list.get((l as usize).checked_sub(1)?))
        .fold((0, 0), |(a, b), c| (a + c.area, b + c.boundary));
    let stroke = (2.0 * area as f64 / boundary.max(1) as f64).max(1.0) * scale;
    restore_thin(&mut small, nw, nh, stroke as f32);

    Some(Framed {
        input: centre_by_mass(&small, nw, nh),
        rect,
    })
}

/// A rectangle of a row-major f32 image.
struct Window<'a> {
    data: &'a [f32],
    stride: usize,
    x: usize,
    y: usize,
    width: usize,
    height: usize,
}

/// Resamples a window to `nw` x `nh`: exact area averaging when shrinking (thin strokes keep
/// their weight), bilinear when enlarging (a tiny digit stays smooth). Separable, O(pixels).
fn resample(src: &Window<'_>, nw: usize, nh: usize) -> Vec<f32> {
    let wx = axis_weights(src.width, nw);
    let wy = axis_weights(src.height, nh);
    // Horizontal pass: height x nw.
    let mut tmp = vec![0f32; src.height * nw];
    for y in 0..src.height {
        let row = &src.data[(src.y + y) * src.stride + src.x..][..src.width];
        for (ox, (start, ws)) in wx.iter().enumerate() {
            tmp[y * nw + ox] = ws.iter().zip(&row[*start..]).map(|(w, v)| w * v).sum();
        }
    }
    // Vertical pass: nh x nw.
    let mut out = vec![0f32; nh * nw];
    for (oy, (start, ws)) in wy.iter().enumerate() {
        for (k, w) in ws.iter().enumerate() {
            let row = &tmp[(start + k) * nw..][..nw];
            for (o, v) in out[oy * nw..][..nw].iter_mut().zip(row) {
                *o += w * v;
            }
        }
    }
    out
}

/// For each output index along one axis: the first source index and the weights (summing to 1).
fn axis_weights(src: usize, dst: usize) -> Vec<(usize, Vec<f32>)> {
    let ratio = src as f64 / dst as f64;
    (0..dst)
        .map(|o| {
            if ratio >= 1.0 {
                // Box: the output pixel covers source [o*ratio, (o+1)*ratio).
                let (a, b) = (o as f64 * ratio, (o + 1) as f64 * ratio);
                let first = a.floor() as usize;
                let last = (b.ceil() as usize).min(src);
                let ws = (first..last)
                    .map(|i| ((b.min(i as f64 + 1.0) - a.max(i as f64)) / ratio) as f32)
                    .collect();
                (first, ws)
            } else {
                // Tent: linear interpolation between the two nearest source pixel centres.
                let c = ((o as f64 + 0.5) * ratio - 0.5).clamp(0.0, (src - 1) as f64);
                let first = (c.floor() as usize).min(src.saturating_sub(2));
                let t = (c - first as f64) as f32;
                if src == 1 {
                    (0, vec![1.0])
                } else {
                    (first, vec![1.0 - t, t])
                }
            }
        })
        .collect()
}

/// Keeps thin strokes visible in a size-normalised digit: area averaging turns a 2 px line on a
/// 300 px drawing into a faint 0.15-grey smear. Restores full ink, then widens strokes thinner
/// than MNIST's (`stroke`: their width in the small image's pixels). Shared by the pixel path
/// and the stroke path ([`super::raster::frame_strokes`]), so both give the network the same
/// digit.
pub fn restore_thin(small: &mut Vec<f32>, nw: usize, nh: usize, stroke: f32) {
    let peak = small.iter().copied().fold(0f32, greater);
    // The clamp also catches area averages of full ink that float32 rounding puts an ulp above
    // 1 (1.0000001: the weights are rounded separately; found by fuzzing).
    let gain = if peak > 0.0 && peak < 0.9 { 0.9 / peak } else { 1.0 };
    small.iter_mut().for_each(|v| *v = lesser(*v * gain, 1.0));
    if stroke < MIN_STROKE {
        let strength = ((MIN_STROKE - stroke) / MIN_STROKE).clamp(0.0, 1.0) * 0.8;
        *small = thicken(small, nw, nh, strength);
    }
}

/// Widens strokes by a fraction of a pixel: each pixel takes at least `strength` times its
/// brightest 4-neighbour.
fn thicken(img: &[f32], w: usize, h: usize, strength: f32) -> Vec<f32> {
    let mut out = img.to_vec();
    for y in 0..h {
        for x in 0..w {
            let mut m = 0f32;
            if x > 0 {
                m = greater(m, img[y * w + x - 1]);
            }
            if x + 1 < w {
                m = greater(m, img[y * w + x + 1]);
            }
            if y > 0 {
                m = greater(m, img[(y - 1) * w + x]);
            }
            if y + 1 < h {
                m = greater(m, img[(y + 1) * w + x]);
            }
            let o = &mut out[y * w + x];
            *o = greater(*o, strength * m);
        }
    }
    out
}

/// Places a size-normalised digit in the 28x28 field with its centre of mass at the centre
/// (of pixel 14, rounded to whole pixels, as MNIST did), then pads to 32x32.
pub fn centre_by_mass(img: &[f32], w: usize, h: usize) -> Vec<f32> {
    let (mut m, mut mx, mut my) = (0f64, 0f64, 0f64);
    for y in 0..h {
        for x in 0..w {
            let v = f64::from(img[y * w + x]);
            m += v;
            mx += v * (x as f64 + 0.5);
            my += v * (y as f64 + 0.5);
        }
    }
    let (cx, cy) = if m > 0.0 {
        (mx / m, my / m)
    } else {
        (w as f64 / 2.0, h as f64 / 2.0)
    };
    // MNIST's centre of mass sits at 14.5 px (pixel centres at k + 0.5): the centre of pixel 14.
    let half = FIELD as f64 / 2.0 + 0.5;
    // Offset of the small image's origin in the 32x32 input.
    let ox = (half - cx).round() as isize + PAD as isize;
    let oy = (half - cy).round() as isize + PAD as isize;
    let mut out = vec![0f32; INPUT_LEN];
    for y in 0..h {
        let ty = y as isize + oy;
        if !(0..INPUT_SIDE as isize).contains(&ty) {
            continue;
        }
        for x in 0..w {
            let tx = x as isize + ox;
            if (0..INPUT_SIDE as isize).contains(&tx) {
                out[ty as usize * INPUT_SIDE + tx as usize] = img[y * w + x];
            }
        }
    }
    out
}

/// Canvas RGBA → the network input of the whole drawing as one digit, or `None` if the canvas
/// has no ink (or only specks).
pub fn preprocess(rgba: &[u8], width: usize, height: usize) -> Result<Option<Framed>, Error> {
    let ink = Ink::from_rgba(rgba, width, height)?;
    let comps = Components::find(&ink);
    let all: Vec<u32> = (1..=comps.list.len() as u32).collect();
    Ok(frame(&ink, &comps, &all))
}
