//! Loading (and fetching) the MNIST handwritten-digit set in its original IDX format.
//!
//! Files may be gzip-compressed or raw; gzip is recognised by its magic bytes, so a
//! renamed or hand-decompressed file still loads. Every failure is a [`MnistError`]
//! naming the file and the problem: the input is untrusted, so nothing here panics
//! on bad file contents.
//!
//! [`load_dir`] only validates structure (a user may bring any IDX files);
//! [`download`] additionally pins the exact published bytes by md5, because a mirror
//! could serve anything.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use md5::{Digest, Md5};

/// Image height in pixels.
pub const ROWS: usize = 28;
/// Image width in pixels.
pub const COLS: usize = 28;
const PIXELS: usize = ROWS * COLS;

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The four original file names (without `.gz`): train images, train labels,
/// test images, test labels.
pub const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// md5 of each *decompressed* file, so the check does not depend on how a mirror
/// happened to gzip it.
pub const MD5: [(&str, &str); 4] = [
    (FILES[0], "6bbc9ace898e44ae57da46a324031adb"),
    (FILES[1], "a25bea736e30d166cdddb491f175f624"),
    (FILES[2], "2646ac647ad5339dbf082846283269ea"),
    (FILES[3], "27ae3e4e09519cfbb04c329615203637"),
];

/// Mirrors used by torchvision and TensorFlow (yann.lecun.com no longer serves the files).
pub const DEFAULT_MIRRORS: &[&str] = &[
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

/// Downloads larger than this are refused (the biggest real file is ~10 MB).
const MAX_DOWNLOAD_BYTES: u64 = 128 * 1024 * 1024;

/// One split: `len()` images of 28x28 `u8` pixels (0 = background) and their labels.
#[derive(Clone, PartialEq, Eq)]
pub struct Dataset {
    /// `len() * 784` bytes; image `i` is row-major at `i * 784`.
    pub images: Vec<u8>,
    /// One digit 0..=9 per image.
    pub labels: Vec<u8>,
}

impl Dataset {
    /// The split as the trainer's view of it.
    pub fn samples(&self) -> super::trainer::Samples<'_> {
        super::trainer::Samples {
            images: &self.images,
            labels: &self.labels,
        }
    }

    /// Number of images (and labels).
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if the split holds no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The 784 pixels of image `i`, row-major. Panics if `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * PIXELS..(i + 1) * PIXELS]
    }

    /// The digit shown by image `i`. Panics if `i >= len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }
}

/// Summarised: the derived form would print up to 47 million pixel values.
impl fmt::Debug for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("len", &self.len())
            .field("image_bytes", &self.images.len())
            .finish()
    }
}

/// The training split (60,000 images) and the test split (10,000) of the full set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mnist {
    pub train: Dataset,
    pub test: Dataset,
}

/// Why MNIST could not be loaded or fetched. `file` is a path or a URL; every message
/// starts with it.
#[derive(Debug, thiserror::Error)]
pub enum MnistError {
    #[error("{file}: I/O error: {source}")]
    Io { file: String, source: io::Error },

    #[error("{}: missing file: neither {name}.gz nor {name} is in this directory{hint}", dir.display())]
    Missing {
        dir: PathBuf,
        name: String,
        /// Advice on how to get the file, or empty.
        hint: String,
    },

    #[error("{file}: corrupt gzip data: {source}")]
    Gzip { file: String, source: io::Error },

    #[error("{file}: wrong magic number {found:#010x}, expected {expected:#010x} ({kind})")]
    BadMagic {
        file: String,
        found: u32,
        expected: u32,
        kind: &'static str,
    },

    #[error("{file}: truncated: the header implies {expected} bytes, the data has {actual}")]
    Truncated { file: String, expected: u64, actual: u64 },

    #[error("{file}: trailing bytes: the header implies {expected} bytes, the data has {actual}")]
    TrailingBytes { file: String, expected: u64, actual: u64 },

    #[error("{file}: images are {rows}x{cols}, expected {ROWS}x{COLS}")]
    BadDims { file: String, rows: u32, cols: u32 },

    #[error("{file}: label {label} at index {index} is out of range (expected 0..=9)")]
    BadLabel { file: String, index: usize, label: u8 },

    #[error("{images}: {n_images} images, but {labels} has {n_labels} labels")]
    CountMismatch {
        images: String,
        n_images: usize,
        labels: String,
        n_labels: usize,
    },

    #[error("{url}: download failed: {reason}")]
    Http { url: String, reason: String },

    #[error("{url}: checksum mismatch for {name}: expected md5 {expected}, got {actual}")]
    Checksum {
        url: String,
        name: String,
        expected: String,
        actual: String,
    },

    #[error("{name}.gz: every mirror failed: {}", join_errors(.errors))]
    AllMirrorsFailed { name: String, errors: Vec<MnistError> },
}

fn join_errors(errors: &[MnistError]) -> String {
    if errors.is_empty() {
        return "no mirrors were given".to_owned();
    }
    let msgs: Vec<String> = errors.iter().map(ToString::to_string).collect();
    msgs.join("; ")
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> MnistError + '_ {
    move |source| MnistError::Io {
        file: path.display().to_string(),
        source,
    }
}

/// The file's bytes, decompressed if they start with the gzip magic.
fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, MnistError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    if bytes.starts_with(&GZIP_MAGIC) {
        gunzip(&bytes, &path.display().to_string())
    } else {
        Ok(bytes)
    }
}

fn gunzip(bytes: &[u8], file: &str) -> Result<Vec<u8>, MnistError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    // Multi-member aware: `cat a.gz b.gz` is valid gzip, and trailing garbage is
    // still reported as corrupt.
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|source| MnistError::Gzip {
            file: file.to_owned(),
            source,
        })?;
    Ok(out)
}

/// Big-endian u32 at `at`, or `None` past the end.
fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// Checks an IDX header (magic, then `dims` big-endian u32 sizes) and that the body
/// is exactly as long as the sizes imply; returns the sizes and the body.
fn parse_idx<'a>(
    data: &'a [u8],
    file: &str,
    magic: u32,
    dims: usize,
    kind: &'static str,
) -> Result<(Vec<u32>, &'a [u8]), MnistError> {
    let header = 4 * (1 + dims);
    let actual = data.len() as u64;
    let truncated = |expected: u64| MnistError::Truncated {
        file: file.to_owned(),
        expected,
        actual,
    };
    let found = be_u32(data, 0).ok_or_else(|| truncated(header as u64))?;
    if found != magic {
        return Err(MnistError::BadMagic {
            file: file.to_owned(),
            found,
            expected: magic,
            kind,
        });
    }
    let sizes: Vec<u32> = (0..dims)
        .map(|d| be_u32(data, 4 * (1 + d)))
        .collect::<Option<_>>()
        .ok_or_else(|| truncated(header as u64))?;
    // u64 arithmetic: a hostile header cannot overflow (3 x u32 fits), and we never
    // allocate from it.
    let expected = sizes
        .iter()
        .fold(1u64, |acc, &s| acc.saturating_mul(u64::from(s)))
        .saturating_add(header as u64);
    if actual < expected {
        return Err(truncated(expected));
    }
    if actual > expected {
        return Err(MnistError::TrailingBytes {
            file: file.to_owned(),
            expected,
            actual,
        });
    }
    Ok((sizes, data.get(header..).unwrap_or_default()))
}

fn parse_images(data: &[u8], file: &str) -> Result<Vec<u8>, MnistError> {
    let (sizes, body) = parse_idx(data, file, IMAGES_MAGIC, 3, "IDX3 images")?;
    if let [_, rows, cols] = sizes[..]
        && (rows as usize, cols as usize) != (ROWS, COLS)
    {
        return Err(MnistError::BadDims {
            file: file.to_owned(),
            rows,
            cols,
        });
    }
    Ok(body.to_vec())
}

fn parse_labels(data: &[u8], file: &str) -> Result<Vec<u8>, MnistError> {
    let (_, body) = parse_idx(data, file, LABELS_MAGIC, 1, "IDX1 labels")?;
    if let Some((index, &label)) = body.iter().enumerate().find(|&(_, &l)| l > 9) {
        return Err(MnistError::BadLabel {
            file: file.to_owned(),
            index,
            label,
        });
    }
    Ok(body.to_vec())
}

/// Reads an IDX3 image file (gzip or raw): `n * 784` pixels, row-major.
pub fn read_images(path: &Path) -> Result<Vec<u8>, MnistError> {
    parse_images(&read_maybe_gz(path)?, &path.display().to_string())
}

/// Reads an IDX1 label file (gzip or raw); every label must be a digit 0..=9.
pub fn read_labels(path: &Path) -> Result<Vec<u8>, MnistError> {
    parse_labels(&read_maybe_gz(path)?, &path.display().to_string())
}

/// `dir/NAME.gz` if present, else `dir/NAME` if present.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    [format!("{name}.gz"), name.to_owned()]
        .into_iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

fn load_split_hint(dir: &Path, images_name: &str, labels_name: &str, hint: &str) -> Result<Dataset, MnistError> {
    let locate = |name: &str| {
        find(dir, name).ok_or_else(|| MnistError::Missing {
            dir: dir.to_owned(),
            name: name.to_owned(),
            hint: hint.to_owned(),
        })
    };
    let images_path = locate(images_name)?;
    let labels_path = locate(labels_name)?;
    let images = read_images(&images_path)?;
    let labels = read_labels(&labels_path)?;
    let n_images = images.len() / PIXELS;
    if n_images != labels.len() {
        return Err(MnistError::CountMismatch {
            images: images_path.display().to_string(),
            n_images,
            labels: labels_path.display().to_string(),
            n_labels: labels.len(),
        });
    }
    Ok(Dataset { images, labels })
}

/// Loads one split from `dir`, taking `NAME.gz` or else `NAME` for each file, and
/// checks that there is one label per image.
pub fn load_split(dir: &Path, images_name: &str, labels_name: &str) -> Result<Dataset, MnistError> {
    load_split_hint(dir, images_name, labels_name, "")
}

fn load_dir_hint(dir: &Path, hint: &str) -> Result<Mnist, MnistError> {
    Ok(Mnist {
        train: load_split_hint(dir, FILES[0], FILES[1], hint)?,
        test: load_split_hint(dir, FILES[2], FILES[3], hint)?,
    })
}

/// Loads the four files (`NAME.gz` or `NAME`) from `dir`. Structure is validated,
/// checksums are not, so any well-formed IDX files of 28x28 digits are accepted.
pub fn load_dir(dir: &Path) -> Result<Mnist, MnistError> {
    load_dir_hint(dir, "")
}

/// Where [`load_or_download`] keeps MNIST: `$LENET5_MNIST_DIR` if set, else
/// `data/mnist` in the workspace root (gitignored).
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LENET5_MNIST_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.join(".."), Path::to_owned)
        .join("data")
        .join("mnist")
}

/// The developers' copy of the full set (`$MNIST_DIR`, else `../shared/data/mnist`
/// beside the workspace), if it holds all four files; tests use it to decide whether
/// the full-MNIST checks can run.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("MNIST_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/mnist"),
    };
    FILES.iter().all(|name| find(&dir, name).is_some()).then_some(dir)
}

fn md5_hex(data: &[u8]) -> String {
    format!("{:x}", Md5::digest(data))
}

/// True if `dir` already holds `name` (gzip or raw) whose decompressed md5 is `md5`.
/// Unreadable or corrupt files count as absent, so they get replaced.
fn present_and_valid(dir: &Path, name: &str, md5: &str) -> bool {
    [format!("{name}.gz"), name.to_owned()]
        .iter()
        .any(|f| read_maybe_gz(&dir.join(f)).is_ok_and(|data| md5_hex(&data).eq_ignore_ascii_case(md5)))
}

/// Fetches `url` and checks the md5 of the decompressed body; returns gzip bytes to store.
fn fetch_verified(agent: &ureq::Agent, url: &str, name: &str, md5: &str) -> Result<Vec<u8>, MnistError> {
    let http = |reason: String| MnistError::Http {
        url: url.to_owned(),
        reason,
    };
    let mut response = agent.get(url).call().map_err(|e| http(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(http(format!("HTTP status {status}")));
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_DOWNLOAD_BYTES)
        .read_to_vec()
        .map_err(|e| http(format!("reading the body: {e}")))?;
    // Not gzip if the server sent Content-Encoding: gzip (ureq has decoded it).
    let gzipped = body.starts_with(&GZIP_MAGIC);
    let actual = if gzipped {
        md5_hex(&gunzip(&body, url)?)
    } else {
        md5_hex(&body)
    };
    if !actual.eq_ignore_ascii_case(md5) {
        return Err(MnistError::Checksum {
            url: url.to_owned(),
            name: name.to_owned(),
            expected: md5.to_owned(),
            actual,
        });
    }
    if gzipped {
        return Ok(body);
    }
    // Recompress so the cache always holds NAME.gz.
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&body)
        .and_then(|()| enc.finish())
        .map_err(|source| MnistError::Io {
            file: url.to_owned(),
            source,
        })
}

/// Writes `dir/NAME.gz` via a temporary file in `dir` and a rename, so an
/// interrupted download never leaves a partial file under the real name.
fn write_atomically(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<(), MnistError> {
    let target = dir.join(file_name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io_err(tmp.path()))?;
    tmp.persist(&target).map_err(|e| io_err(&target)(e.error))?;
    Ok(())
}

/// Makes sure `dir` holds the four MNIST files, fetching missing or damaged ones
/// from `mirrors` (tried in order) and verifying their md5.
pub fn download(mirrors: &[&str], dir: &Path) -> Result<(), MnistError> {
    download_with(mirrors, dir, &MD5)
}

/// [`download`] with explicit `(file name, md5 of the decompressed file)` pairs, so
/// tests can serve small fixtures. A file already present with the right checksum
/// is not fetched again.
pub fn download_with(mirrors: &[&str], dir: &Path, expected: &[(&str, &str)]) -> Result<(), MnistError> {
    let mut todo = expected
        .iter()
        .filter(|(name, md5)| !present_and_valid(dir, name, md5))
        .peekable();
    if todo.peek().is_none() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_global(Some(Duration::from_secs(600)))
        .http_status_as_error(false)
        .build()
        .into();
    for &(name, md5) in todo {
        let file_name = format!("{name}.gz");
        let mut errors = Vec::new();
        let mut done = false;
        for mirror in mirrors {
            let sep = if mirror.ends_with('/') { "" } else { "/" };
            let url = format!("{mirror}{sep}{file_name}");
            eprintln!("downloading {url}");
            match fetch_verified(&agent, &url, name, md5) {
                Ok(bytes) => {
                    write_atomically(dir, &file_name, &bytes)?;
                    done = true;
                    break;
                }
                Err(e) => errors.push(e),
            }
        }
        if !done {
            if errors.len() == 1
                && let Some(e) = errors.pop()
            {
                return Err(e);
            }
            return Err(MnistError::AllMirrorsFailed {
                name: name.to_owned(),
                errors,
            });
        }
    }
    Ok(())
}

/// MNIST from `dir` if given (never downloads: an explicit directory is the user's
/// data), else from [`default_cache_dir`], downloading whatever is missing first.
pub fn load_or_download(dir: Option<&Path>) -> Result<Mnist, MnistError> {
    match dir {
        Some(dir) => {
            let hint = format!("; drop --data to download MNIST into {}", default_cache_dir().display());
            load_dir_hint(dir, &hint)
        }
        None => {
            let dir = default_cache_dir();
            download(DEFAULT_MIRRORS, &dir)?;
            load_dir(&dir)
        }
    }
}
