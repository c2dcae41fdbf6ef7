//! Training-time distortions that teach MNIST-trained LeNet-5 what drawn digits look like.
//!
//! People slant, rotate and squash their digits, rarely centre them exactly, and draw with a
//! fixed-width pen that can be thinner or bolder than MNIST's. So each training digit gets a
//! random affine map (rotation, shear, scale, aspect, shift), a smooth elastic wobble
//! (Simard et al. 2003, coarse-grid variant) and a stroke-width change.

use rand::{Rng, RngExt};

use crate::onnx::contract::{INPUT_LEN, INPUT_SIDE};

/// MNIST's side.
const SRC: usize = 28;
/// Padding from 28x28 to the network's 32x32.
const PAD: usize = (INPUT_SIDE - SRC) / 2;

/// Ranges of the distortions (each drawn uniformly from ±range or the given interval).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Distortion {
    pub rotate_deg: f32,
    pub shear: f32,
    pub scale: (f32, f32),
    pub aspect: f32,
    pub shift_px: f32,
    pub elastic_px: f32,
    /// Probability of a bolder / thinner stroke.
    pub bolder: f32,
    pub thinner: f32,
    /// Probability of leaving a digit untouched.
    pub clean: f32,
}

impl Default for Distortion {
    fn default() -> Self {
        Distortion {
            rotate_deg: 15.0,
            shear: 0.3,
            scale: (0.85, 1.1),
            aspect: 0.15,
            shift_px: 2.0,
            elastic_px: 1.2,
            bolder: 0.25,
            thinner: 0.15,
            clean: 0.1,
        }
    }
}

/// An MNIST digit (28x28 bytes) as the network's input: ink 0..1, 2 pixels of padding.
pub fn place(image: &[u8], out: &mut [f32]) {
    out[..INPUT_LEN].fill(0.0);
    for y in 0..SRC {
        for x in 0..SRC {
            out[(y + PAD) * INPUT_SIDE + x + PAD] = f32::from(image[y * SRC + x]) / 255.0;
        }
    }
}

/// A randomly distorted copy of an MNIST digit (28x28 bytes) as a 32x32 network input.
pub fn distort(image: &[u8], d: &Distortion, rng: &mut impl Rng, out: &mut [f32]) {
    if rng.random::<f32>() < d.clean {
        place(image, out);
        return;
    }
    let mut src: Vec<f32> = image[..SRC * SRC].iter().map(|&v| f32::from(v) / 255.0).collect();
    let r = rng.random::<f32>();
    if r < d.bolder {
        let k = rng.random_range(0.5..1.0);
        let grown = morph(&src, f32::max);
        src.iter_mut().zip(grown).for_each(|(s, g)| *s = s.max(k * g));
    } else if r < d.bolder + d.thinner {
        let k = rng.random_range(0.3..0.8);
        let shrunk = morph(&src, f32::min);
        let before: f32 = src.iter().sum();
        let after: f32 = shrunk.iter().sum();
        // Eroding an already thin digit would erase it.
        if after > 0.4 * before {
            src.iter_mut()
                .zip(shrunk)
                .for_each(|(s, e)| *s = *s * (1.0 - k) + e * k);
        }
    }

    let theta = rng.random_range(-d.rotate_deg..=d.rotate_deg).to_radians();
    let shear = rng.random_range(-d.shear..=d.shear);
    let s = rng.random_range(d.scale.0..=d.scale.1);
    let a = rng.random_range(-d.aspect..=d.aspect);
    let (sx, sy) = (s * (1.0 + a), s * (1.0 - a));
    let (tx, ty) = (
        rng.random_range(-d.shift_px..=d.shift_px),
        rng.random_range(-d.shift_px..=d.shift_px),
    );
    // Forward map: rotation · shear · scale. Invert it to pull source pixels.
    let (c, si) = (theta.cos(), theta.sin());
    let m = [[c * sx, (c * shear - si) * sy], [si * sx, (si * shear + c) * sy]];
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let inv = [[m[1][1] / det, -m[0][1] / det], [-m[1][0] / det, m[0][0] / det]];
    // Elastic: random displacements on a 3x3 grid over the field, interpolated bilinearly.
    let mut grid = [[(0f32, 0f32); 3]; 3];
    for row in &mut grid {
        for g in row.iter_mut() {
            *g = (
                rng.random_range(-d.elastic_px..=d.elastic_px),
                rng.random_range(-d.elastic_px..=d.elastic_px),
            );
        }
    }
    let centre = INPUT_SIDE as f32 / 2.0;
    let src_centre = SRC as f32 / 2.0;
    for y in 0..INPUT_SIDE {
        for x in 0..INPUT_SIDE {
            let (qx, qy) = (x as f32 + 0.5, y as f32 + 0.5);
            let (ex, ey) = elastic(&grid, qx / INPUT_SIDE as f32, qy / INPUT_SIDE as f32);
            let (dx, dy) = (qx + ex - centre - tx, qy + ey - centre - ty);
            let px = inv[0][0] * dx + inv[0][1] * dy + src_centre - 0.5;
            let py = inv[1][0] * dx + inv[1][1] * dy + src_centre - 0.5;
            out[y * INPUT_SIDE + x] = bilinear(&src, px, py);
        }
    }
}

/// 3x3 cross-shaped grey-level dilation (`f32::max`) or erosion (`f32::min`).
fn morph(src: &[f32], op: fn(f32, f32) -> f32) -> Vec<f32> {
    let at = |x: isize, y: isize| -> f32 {
        if (0..SRC as isize).contains(&x) && (0..SRC as isize).contains(&y) {
            src[y as usize * SRC + x as usize]
        } else {
            0.0
        }
    };
    let mut out = vec![0f32; SRC * SRC];
    for y in 0..SRC as isize {
        for x in 0..SRC as isize {
            let v = [at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1)]
                .into_iter()
                .fold(at(x, y), op);
            out[y as usize * SRC + x as usize] = v;
        }
    }
    out
}

fn elastic(grid: &[[(f32, f32); 3]; 3], u: f32, v: f32) -> (f32, f32) {
    let (gx, gy) = ((u * 2.0).clamp(0.0, 1.999), (v * 2.0).clamp(0.0, 1.999));
    let (i, j) = (gx as usize, gy as usize);
    let (fx, fy) = (gx - i as f32, gy - j as f32);
    let lerp = |a: (f32, f32), b: (f32, f32), t: f32| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    let top = lerp(grid[j][i], grid[j][i + 1], fx);
    let bottom = lerp(grid[j + 1][i], grid[j + 1][i + 1], fx);
    lerp(top, bottom, fy)
}

fn bilinear(src: &[f32], x: f32, y: f32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: f32, yi: f32| -> f32 {
        if xi >= 0.0 && yi >= 0.0 && (xi as usize) < SRC && (yi as usize) < SRC {
            src[yi as usize * SRC + xi as usize]
        } else {
            0.0
        }
    };
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
    let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}
