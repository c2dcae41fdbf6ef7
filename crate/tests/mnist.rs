//! MNIST loading and downloading, on real digits: the committed mini fixture
//! (first 1000 train / 500 test items of the real set), and the full set where the
//! developers' copy is present.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use flate2::read::GzDecoder;
use lenet5::train::mnist::*;
use md5::{Digest, Md5};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mnist-mini")
}

fn fixture_gz(name: &str) -> Vec<u8> {
    let path = fixture_dir().join(format!("{name}.gz"));
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decompressed independently of the code under test.
fn gunzip(gz: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(gz).read_to_end(&mut out).unwrap();
    out
}

fn fixture_raw(name: &str) -> Vec<u8> {
    gunzip(&fixture_gz(name))
}

fn md5_hex(data: &[u8]) -> String {
    format!("{:x}", Md5::digest(data))
}

/// A temporary directory holding the four fixture files decompressed (raw IDX).
fn raw_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in FILES {
        fs::write(dir.path().join(name), fixture_raw(name)).unwrap();
    }
    dir
}

fn assert_mentions(err: &MnistError, parts: &[&str]) {
    let msg = err.to_string();
    for part in parts {
        assert!(msg.contains(part), "error {msg:?} should mention {part:?}");
    }
}

// ---------------------------------------------------------------- loading

#[test]
fn loads_mini_fixture() {
    let m = load_dir(&fixture_dir()).unwrap();
    assert_eq!(m.train.len(), 1000);
    assert_eq!(m.test.len(), 500);
    assert!(!m.train.is_empty());
    assert_eq!(m.train.images.len(), 1000 * ROWS * COLS);
    assert_eq!(m.test.images.len(), 500 * ROWS * COLS);
    let first_train: Vec<u8> = (0..10).map(|i| m.train.label(i)).collect();
    assert_eq!(first_train, [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    let first_test: Vec<u8> = (0..5).map(|i| m.test.label(i)).collect();
    assert_eq!(first_test, [7, 2, 1, 0, 4]);
    assert!(m.train.labels.iter().chain(&m.test.labels).all(|&l| l <= 9));
    // Every digit occurs in the first 500 test items.
    for d in 0..10 {
        assert!(m.test.labels.contains(&d), "digit {d} missing");
    }
}

#[test]
fn pixels_match_raw_bytes() {
    let m = load_dir(&fixture_dir()).unwrap();
    let raw = fixture_raw("train-images-idx3-ubyte");
    let first = &raw[16..16 + 784];
    assert_eq!(m.train.image(0), first);
    assert_eq!(m.train.image(0).len(), 784);
    let ink: u32 = m.train.image(0).iter().map(|&p| u32::from(p)).sum();
    assert_eq!(ink, first.iter().map(|&p| u32::from(p)).sum::<u32>());
    // A handwritten 5: a few thousand of 784*255 possible, some saturated pixels.
    assert!((10_000..60_000).contains(&ink), "ink {ink}");
    assert_eq!(m.train.image(0).iter().max(), Some(&255));
    // Border rows are blank in MNIST (digits are centred in a 20x20 box).
    assert!(m.train.image(0)[..28].iter().all(|&p| p == 0));
    // Last image: checks the row-major offset arithmetic at the far end.
    let last_raw = &raw[16 + 999 * 784..];
    assert_eq!(m.train.image(999), last_raw);
    let test_raw = fixture_raw("t10k-images-idx3-ubyte");
    assert_eq!(m.test.images, test_raw[16..]);
}

#[test]
fn raw_and_gzip_load_identically() {
    let raw = raw_copy();
    let from_raw = load_dir(raw.path()).unwrap();
    let from_gz = load_dir(&fixture_dir()).unwrap();
    assert_eq!(from_raw, from_gz);
    // Detection is by content, not by name: gzip bytes under a plain name still load.
    let renamed = tempfile::tempdir().unwrap();
    let path = renamed.path().join("labels.idx");
    fs::write(&path, fixture_gz("t10k-labels-idx1-ubyte")).unwrap();
    assert_eq!(read_labels(&path).unwrap(), from_gz.test.labels);
}

#[test]
fn load_split_reads_one_split() {
    let test = load_split(&fixture_dir(), "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte").unwrap();
    assert_eq!(test.len(), 500);
    assert_eq!(test.label(0), 7);
}

// ---------------------------------------------------------------- errors

#[test]
fn wrong_magic_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("images");
    fs::write(&path, fixture_raw("t10k-labels-idx1-ubyte")).unwrap();
    let err = read_images(&path).unwrap_err();
    assert!(matches!(err, MnistError::BadMagic { .. }), "{err:?}");
    assert_mentions(
        &err,
        &[&path.display().to_string(), "magic", "0x00000801", "0x00000803"],
    );

    let path = dir.path().join("labels");
    fs::write(&path, fixture_raw("t10k-images-idx3-ubyte")).unwrap();
    let err = read_labels(&path).unwrap_err();
    assert_mentions(&err, &[&path.display().to_string(), "0x00000803", "0x00000801"]);
}

#[test]
fn truncated_file_is_reported() {
    let dir = raw_copy();
    let path = dir.path().join("t10k-images-idx3-ubyte");
    let raw = fixture_raw("t10k-images-idx3-ubyte");
    fs::write(&path, &raw[..raw.len() - 100]).unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MnistError::Truncated { .. }), "{err:?}");
    let (expected, actual) = (raw.len().to_string(), (raw.len() - 100).to_string());
    assert_mentions(&err, &[&path.display().to_string(), "truncated", &expected, &actual]);

    // Shorter than the header itself.
    fs::write(&path, &raw[..6]).unwrap();
    let err = read_images(&path).unwrap_err();
    assert!(matches!(err, MnistError::Truncated { .. }), "{err:?}");
    assert_mentions(&err, &[&path.display().to_string(), "truncated"]);
    fs::write(&path, b"").unwrap();
    assert!(matches!(read_images(&path).unwrap_err(), MnistError::Truncated { .. }));
}

#[test]
fn trailing_bytes_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t10k-labels-idx1-ubyte");
    let mut raw = fixture_raw("t10k-labels-idx1-ubyte");
    raw.extend_from_slice(&[0, 0, 0]);
    fs::write(&path, &raw).unwrap();
    let err = read_labels(&path).unwrap_err();
    assert!(matches!(err, MnistError::TrailingBytes { .. }), "{err:?}");
    assert_mentions(&err, &[&path.display().to_string(), "trailing", "508", "511"]);
}

#[test]
fn counts_disagreeing_are_reported() {
    let dir = raw_copy();
    // 999 labels for 1000 images: a valid label file on its own.
    let mut labels = fixture_raw("train-labels-idx1-ubyte");
    labels[4..8].copy_from_slice(&999u32.to_be_bytes());
    labels.pop();
    fs::write(dir.path().join("train-labels-idx1-ubyte"), &labels).unwrap();
    assert_eq!(
        read_labels(&dir.path().join("train-labels-idx1-ubyte")).unwrap().len(),
        999
    );
    let err = load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MnistError::CountMismatch { .. }), "{err:?}");
    assert_mentions(
        &err,
        &["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "1000", "999"],
    );
}

#[test]
fn label_out_of_range_is_reported() {
    let dir = raw_copy();
    let path = dir.path().join("t10k-labels-idx1-ubyte");
    let mut labels = fixture_raw("t10k-labels-idx1-ubyte");
    labels[8 + 42] = 10;
    fs::write(&path, &labels).unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MnistError::BadLabel { .. }), "{err:?}");
    assert_mentions(&err, &[&path.display().to_string(), "label 10", "index 42"]);
}

#[test]
fn bad_dimensions_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("images");
    // Two 32x32 images: structurally valid IDX3, but not MNIST-sized.
    let mut data = Vec::new();
    for v in [0x803u32, 2, 32, 32] {
        data.extend_from_slice(&v.to_be_bytes());
    }
    data.resize(16 + 2 * 32 * 32, 0);
    fs::write(&path, &data).unwrap();
    let err = read_images(&path).unwrap_err();
    assert!(matches!(err, MnistError::BadDims { .. }), "{err:?}");
    assert_mentions(&err, &[&path.display().to_string(), "32x32", "28x28"]);
}

#[test]
fn missing_file_is_reported() {
    let dir = raw_copy();
    fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte")).unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MnistError::Missing { .. }), "{err:?}");
    let dir_name = dir.path().display().to_string();
    assert_mentions(&err, &[&dir_name, "t10k-labels-idx1-ubyte.gz", "missing file"]);
    // With an explicit --data directory: never downloads, says how to.
    let err = load_or_download(Some(dir.path())).unwrap_err();
    assert_mentions(&err, &[&dir_name, "t10k-labels-idx1-ubyte", "--data"]);

    let err = read_images(&dir.path().join("nope")).unwrap_err();
    assert!(matches!(err, MnistError::Io { .. }), "{err:?}");
    assert_mentions(&err, &["nope"]);
}

#[test]
fn corrupt_gzip_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    for name in FILES {
        fs::write(dir.path().join(format!("{name}.gz")), fixture_gz(name)).unwrap();
    }
    let path = dir.path().join("train-images-idx3-ubyte.gz");
    let mut gz = fixture_gz("train-images-idx3-ubyte");
    let mid = gz.len() / 2;
    for b in &mut gz[mid..mid + 64] {
        *b ^= 0x5a;
    }
    fs::write(&path, &gz).unwrap();
    let err = load_dir(dir.path()).unwrap_err();
    assert!(matches!(err, MnistError::Gzip { .. }), "{err:?}");
    assert_mentions(&err, &[&path.display().to_string(), "gzip"]);

    // Cut short mid-stream.
    let gz = fixture_gz("train-images-idx3-ubyte");
    fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let err = read_images(&path).unwrap_err();
    assert!(matches!(err, MnistError::Gzip { .. }), "{err:?}");
    assert_mentions(&err, &[&path.display().to_string(), "gzip"]);
}

// ---------------------------------------------------------------- download

/// A minimal HTTP/1.1 server on 127.0.0.1 serving fixed responses by path
/// (404 otherwise), one connection at a time. Stops when dropped.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(routes: HashMap<String, Vec<u8>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        // A broken client must not take the server down.
                        let _ = serve(stream, &routes, &requests);
                    }
                }
            })
        };
        Server {
            base,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, prefix: &str) -> String {
        format!("{}{prefix}", self.base)
    }

    fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees `stop`.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, routes: &HashMap<String, Vec<u8>>, requests: &Mutex<Vec<String>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
    requests.lock().unwrap().push(path.clone());
    let (status, body): (&str, &[u8]) = match routes.get(&path) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found"),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

/// Routes serving the four fixture files under `prefix`.
fn fixture_routes(prefix: &str) -> HashMap<String, Vec<u8>> {
    FILES
        .iter()
        .map(|name| (format!("{prefix}{name}.gz"), fixture_gz(name)))
        .collect()
}

/// md5 of each decompressed fixture file, computed here rather than by the library.
fn fixture_md5s() -> Vec<(&'static str, String)> {
    FILES.iter().map(|&name| (name, md5_hex(&fixture_raw(name)))).collect()
}

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(n, m)| (*n, m.as_str())).collect()
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn download_fetches_verifies_and_skips_present_files() {
    let server = Server::start(fixture_routes("/mnist/"));
    let md5s = fixture_md5s();
    let expected = as_refs(&md5s);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache"); // created by download
    let mirror = server.url("/mnist/");

    download_with(&[&mirror], &dir, &expected).unwrap();
    assert_eq!(server.request_count(), 4);
    let mut want: Vec<String> = FILES.iter().map(|n| format!("{n}.gz")).collect();
    want.sort();
    assert_eq!(dir_entries(&dir), want);
    for name in FILES {
        assert_eq!(fs::read(dir.join(format!("{name}.gz"))).unwrap(), fixture_gz(name));
    }
    assert_eq!(load_dir(&dir).unwrap(), load_dir(&fixture_dir()).unwrap());

    // Everything present and valid: no requests at all.
    download_with(&[&mirror], &dir, &expected).unwrap();
    assert_eq!(server.request_count(), 4);

    // A damaged cached file is replaced; a valid raw file counts as present.
    fs::write(dir.join("train-labels-idx1-ubyte.gz"), b"garbage").unwrap();
    fs::remove_file(dir.join("t10k-labels-idx1-ubyte.gz")).unwrap();
    fs::write(
        dir.join("t10k-labels-idx1-ubyte"),
        fixture_raw("t10k-labels-idx1-ubyte"),
    )
    .unwrap();
    download_with(&[&mirror], &dir, &expected).unwrap();
    assert_eq!(
        server.requests.lock().unwrap()[4..],
        ["/mnist/train-labels-idx1-ubyte.gz".to_owned()]
    );
    assert_eq!(load_dir(&dir).unwrap(), load_dir(&fixture_dir()).unwrap());
}

#[test]
fn download_rejects_checksum_mismatch_without_leaving_a_file() {
    let mut routes = fixture_routes("/m/");
    // Flip bits in the *decompressed* content and re-gzip, so the body is valid
    // gzip and a structurally valid IDX file: only the md5 can catch it.
    let mut raw = fixture_raw("t10k-images-idx3-ubyte");
    for b in &mut raw[1000..1010] {
        *b ^= 0xff;
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&raw).unwrap();
    routes.insert("/m/t10k-images-idx3-ubyte.gz".into(), enc.finish().unwrap());
    let server = Server::start(routes);
    let md5s = fixture_md5s();
    let dir = tempfile::tempdir().unwrap();

    let err = download_with(&[&server.url("/m/")], dir.path(), &as_refs(&md5s)).unwrap_err();
    assert!(matches!(err, MnistError::Checksum { .. }), "{err:?}");
    let want_md5 = md5_hex(&fixture_raw("t10k-images-idx3-ubyte"));
    assert_mentions(
        &err,
        &[
            &server.url("/m/t10k-images-idx3-ubyte.gz"),
            "checksum",
            &want_md5,
            &md5_hex(&raw),
        ],
    );
    // Files before it were stored; the bad one left nothing behind (not even a temp file).
    assert_eq!(
        dir_entries(dir.path()),
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    );
}

#[test]
fn download_reports_http_errors() {
    let mut routes = fixture_routes("/m/");
    routes.remove("/m/train-labels-idx1-ubyte.gz");
    let server = Server::start(routes);
    let md5s = fixture_md5s();
    let dir = tempfile::tempdir().unwrap();
    let err = download_with(&[&server.url("/m/")], dir.path(), &as_refs(&md5s)).unwrap_err();
    assert!(matches!(err, MnistError::Http { .. }), "{err:?}");
    assert_mentions(&err, &[&server.url("/m/train-labels-idx1-ubyte.gz"), "404"]);
    assert_eq!(dir_entries(dir.path()), ["train-images-idx3-ubyte.gz"]);

    // Nothing listening: a connection error, naming the URL.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/x/", l.local_addr().unwrap())
    };
    let err = download_with(&[&closed], dir.path(), &as_refs(&md5s)).unwrap_err();
    assert_mentions(&err, &[&format!("{closed}train-labels-idx1-ubyte.gz")]);
}

#[test]
fn download_falls_back_to_the_next_mirror() {
    let server = Server::start(fixture_routes("/good/"));
    let md5s = fixture_md5s();
    let dir = tempfile::tempdir().unwrap();
    let (bad, good) = (server.url("/bad/"), server.url("/good"));
    // `good` without its trailing slash: mirrors are joined with one anyway.
    download_with(&[&bad, &good], dir.path(), &as_refs(&md5s)).unwrap();
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 8);
    for (i, name) in FILES.iter().enumerate() {
        assert_eq!(requests[2 * i], format!("/bad/{name}.gz"));
        assert_eq!(requests[2 * i + 1], format!("/good/{name}.gz"));
    }
    assert_eq!(load_dir(dir.path()).unwrap().train.len(), 1000);

    // Every mirror failing: one error listing each attempt.
    let empty = tempfile::tempdir().unwrap();
    let err = download_with(&[&bad, &server.url("/worse/")], empty.path(), &as_refs(&md5s)).unwrap_err();
    assert!(matches!(err, MnistError::AllMirrorsFailed { .. }), "{err:?}");
    assert_mentions(
        &err,
        &[
            "/bad/train-images-idx3-ubyte.gz",
            "/worse/train-images-idx3-ubyte.gz",
            "404",
        ],
    );
}

#[test]
fn real_mirrors_and_checksums_are_the_published_ones() {
    assert_eq!(
        DEFAULT_MIRRORS,
        [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ]
    );
    let names: Vec<&str> = MD5.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, FILES);
    assert!(MD5.iter().all(|(_, m)| m.len() == 32));
}

#[test]
fn default_cache_dir_is_gitignored_data_dir() {
    if std::env::var_os("LENET5_MNIST_DIR").is_some() {
        say_skipped("SKIPPED (LENET5_MNIST_DIR is set): default_cache_dir_is_gitignored_data_dir");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert_eq!(default_cache_dir(), root.join("data").join("mnist"));
    let gitignore = fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|l| l.trim() == "/data"), "/data not gitignored");
}

// ---------------------------------------------------------------- full set

/// Straight to stderr: `eprintln!` output is captured and hidden when a test passes.
fn say_skipped(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn full_set_or_skip(test: &str) -> Option<PathBuf> {
    let dir = shared_dir();
    if dir.is_none() {
        say_skipped(&format!("SKIPPED (needs full MNIST at ../shared/data/mnist): {test}"));
    }
    dir
}

#[test]
fn full_set_loads_with_published_checksums() {
    let Some(dir) = full_set_or_skip("full_set_loads_with_published_checksums") else {
        return;
    };
    let m = load_dir(&dir).unwrap();
    assert_eq!(m.train.len(), 60_000);
    assert_eq!(m.test.len(), 10_000);
    let first_test: Vec<u8> = (0..10).map(|i| m.test.label(i)).collect();
    assert_eq!(first_test, [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // The fixture is the head of the full set.
    let mini = load_dir(&fixture_dir()).unwrap();
    assert_eq!(mini.train.images, m.train.images[..1000 * 784]);
    assert_eq!(mini.test.labels, m.test.labels[..500]);
    for (name, want) in MD5 {
        let gz = dir.join(format!("{name}.gz"));
        let raw = if gz.is_file() {
            gunzip(&fs::read(&gz).unwrap())
        } else {
            fs::read(dir.join(name)).unwrap()
        };
        assert_eq!(md5_hex(&raw), want, "{name}");
    }
}

#[test]
fn full_set_counts_as_already_downloaded() {
    let Some(dir) = full_set_or_skip("full_set_counts_as_already_downloaded") else {
        return;
    };
    // Mirror that cannot be reached: passes only if every file is recognised as
    // present with the published checksum, so nothing is fetched.
    download(&["http://127.0.0.1:9/unreachable/"], &dir).unwrap();
}
