//! Glyphs from outline fonts installed on the machine (Debian's `fonts-dejavu-core`: DejaVu
//! Sans, Serif and Mono in their weights and slants), as pen paths: letters and symbols for
//! outlier exposure, and the digits, printed as people who print their digits write them
//! (serifs, feet, flat tops). Each glyph is drawn 20 px tall, thinned to its skeleton and traced
//! ([`super::synth::skeleton`]), so the trainer redraws it with a canvas pen like everything
//! else. The Hershey stroke fonts the test fixtures come from are not outline fonts and are
//! never read here.

use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, point};

use super::synth::pen::Paths;
use super::synth::skeleton;

/// Where Debian puts fonts-dejavu-core.
pub const DEFAULT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// Glyphs no digit is drawn like: no O o Q D θ Θ φ Φ © (0), I l i j J | / ! ( ) [ ] (1), Z z ζ ?
/// (2), ε ξ € (3), S s $ § (5), G b δ (6), T t + (7, 4), B g β & (8), q a α d p g (9), and
/// nothing that is a dot or a dash.
pub const GLYPHS: &str = "ACEFHKMNPRUVWXYcefhkmnruvwxy@#%*=<>{}~^ΣΩΔΛΞΠΨγηλμπψωЖЯДЛИШЮ£¥¶®";

/// What [`load_dir`] traced from a folder of fonts.
#[derive(Clone, Debug, Default)]
pub struct Traced {
    /// Every glyph of [`GLYPHS`] in every font: non-digits.
    pub letters: Vec<Paths>,
    /// The digits 0-9 in every font, with their value.
    pub digits: Vec<(u8, Paths)>,
    /// What was read (font names and sizes), so that a checkpoint made with other fonts is not
    /// resumed.
    pub fingerprint: Vec<u8>,
}

/// Every glyph of [`GLYPHS`] and every digit in every `.ttf`/`.otf` font of `dir` (by file
/// name, sorted), as traced pen paths.
pub fn load_dir(dir: &Path) -> Result<Traced, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "cannot read the fonts for the printed digits and non-digit letters in {}: {e}. Install them (Debian: apt-get install fonts-dejavu-core), pass --fonts DIR, or --no-fonts",
            dir.display()
        )
    })?;
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("ttf") || x.eq_ignore_ascii_case("otf"))
        })
        .collect();
    files.sort();
    let mut traced = Traced::default();
    for file in &files {
        let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        traced
            .fingerprint
            .extend(file.file_name().unwrap_or_default().as_encoded_bytes());
        traced.fingerprint.extend((bytes.len() as u64).to_le_bytes());
        let Ok(font) = FontVec::try_from_vec(bytes) else {
            continue;
        };
        let trace = |ch: char| {
            draw(&font, ch)
                .map(|image| skeleton::strokes(&image))
                .filter(|p| !p.is_empty())
        };
        traced.letters.extend(GLYPHS.chars().filter_map(trace));
        for (digit, ch) in ('0'..='9').enumerate() {
            if let Some(paths) = trace(ch) {
                traced.digits.push((digit as u8, paths));
            }
        }
    }
    if traced.letters.is_empty() {
        return Err(format!(
            "no usable fonts in {} (looked for .ttf and .otf files). Install them (Debian: apt-get install fonts-dejavu-core), pass --fonts DIR, or --no-fonts",
            dir.display()
        ));
    }
    Ok(traced)
}

/// `ch` drawn as MNIST draws a digit: its longer side 20 px, centred in 28x28, grey 0-255.
/// `None` if the font has no such glyph or it is empty.
fn draw(font: &FontVec, ch: char) -> Option<Vec<u8>> {
    let id = font.glyph_id(ch);
    if id.0 == 0 {
        return None;
    }
    let probe = font.outline_glyph(id.with_scale_and_position(PxScale::from(100.0), point(0.0, 0.0)))?;
    let b = probe.px_bounds();
    let side = b.width().max(b.height());
    if side <= 0.0 {
        return None;
    }
    let scale = 100.0 * 20.0 / side;
    let glyph = font.outline_glyph(id.with_scale_and_position(PxScale::from(scale), point(0.0, 0.0)))?;
    let b = glyph.px_bounds();
    let (ox, oy) = (
        ((28.0 - b.width()) / 2.0).round() as i32,
        ((28.0 - b.height()) / 2.0).round() as i32,
    );
    let mut image = vec![0u8; 28 * 28];
    glyph.draw(|x, y, c| {
        let (x, y) = (x as i32 + ox, y as i32 + oy);
        if (0..28).contains(&x) && (0..28).contains(&y) {
            image[y as usize * 28 + x as usize] = (c.clamp(0.0, 1.0) * 255.0) as u8;
        }
    });
    image.iter().any(|&v| v > 0).then_some(image)
}
