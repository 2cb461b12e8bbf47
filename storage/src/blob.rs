//! Content-addressed blob store for uploaded documents (PDF/A, DOCX).
//!
//! Blobs are named by the SHA-256 of their bytes, so identical uploads are
//! stored once and a digest in a database row is enough to find the file.
//! The [`BlobStore`] trait is what the rest of the service uses (as
//! `Arc<dyn BlobStore>`); [`LocalBlobStore`] keeps blobs on local disk and an
//! S3-compatible implementation (`object_store`) can replace it by
//! configuration.
//!
//! # Upload pipeline
//!
//! [`BlobStore::put`] streams the request body in fixed-size chunks
//! ([`CHUNK_SIZE`]). Each chunk is a reference-counted [`Bytes`] handed to two
//! blocking workers through bounded channels: one hashes it (and feeds the
//! optional [`ChunkObserver`]), the other writes it to a temporary file and
//! every [`FLUSH_EVERY`] bytes wakes a third that `fdatasync`s what is
//! written, so the disk works during the stream rather than at the end. So
//! hashing, writing and receiving overlap, and memory stays bounded by
//! `CHUNK_SIZE × (2 × PIPELINE_DEPTH + 3)` whatever the file size.
//!
//! # Durability and deduplication
//!
//! The temporary file `root/tmp/<uuid>.part` is fsynced, made read-only
//! (0444), hard-linked to `root/sha256/ab/cd/<hex>` (the link fails if the
//! blob exists, which makes "created" exact even between processes), then the
//! directory is fsynced and the temporary name removed. A crash leaves at
//! worst a `.part` file, removed by [`LocalBlobStore::open`] or
//! [`BlobStore::gc`] once it is older than the grace period.

use std::fmt;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures::stream::{self, BoxStream, StreamExt as _};
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncSeekExt as _, ReadBuf};
use tokio::sync::mpsc;

/// Size of one chunk read from the upload and passed to the hasher and the
/// writer. 1 MiB keeps per-chunk overhead (channel hand-off, syscalls)
/// negligible next to hashing and writing it.
pub const CHUNK_SIZE: usize = 1024 * 1024;

/// Chunks that may wait in each worker's channel. Together with the chunk
/// being read and the one each worker holds this bounds upload memory to
/// about 11 MiB per concurrent upload.
pub const PIPELINE_DEPTH: usize = 4;

/// Bytes written between two background `fdatasync` calls of an upload.
///
/// Linux starts writing dirty pages back only when a tenth of memory is
/// dirty, so without this a 500 MB upload would sit in the page cache and
/// the disk would do all its work in the final fsync, after the stream
/// ended. Flushing every 32 MiB overlaps disk writes with receiving and
/// hashing, and bounds the dirty page cache each upload can build up.
pub const FLUSH_EVERY: u64 = 32 * 1024 * 1024;

/// Default age after which a leftover `.part` file counts as abandoned when
/// the store is opened. Long enough that an upload still streaming in from
/// another process sharing the directory is never removed (its file's
/// modification time advances with every write).
pub const DEFAULT_TEMP_GRACE: Duration = Duration::from_secs(60 * 60);

/// A SHA-256 digest, the name of a blob.
///
/// Parsed only from exactly 64 lowercase hexadecimal characters and printed
/// the same way, so its text form is safe as a path component: no `/`, `.`,
/// or anything else can get in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

/// Why a text is not a [`Sha256Digest`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The text is not 64 characters long.
    #[error("a SHA-256 digest has 64 hexadecimal characters, got {0}")]
    Length(usize),
    /// A character is not one of `0-9a-f` (uppercase is refused so that each
    /// digest has exactly one spelling and one path).
    #[error("a SHA-256 digest is written in lowercase hexadecimal (0-9, a-f)")]
    NotLowercaseHex,
}

impl Sha256Digest {
    /// Parses 64 lowercase hexadecimal characters.
    pub fn parse(text: &str) -> Result<Self, DigestError> {
        if text.len() != 64 {
            return Err(DigestError::Length(text.len()));
        }
        // One pass, no allocation: document lists parse two digests a row.
        let nibble = |b: u8| match b {
            b'0'..=b'9' => Ok(b - b'0'),
            b'a'..=b'f' => Ok(b - b'a' + 10),
            _ => Err(DigestError::NotLowercaseHex),
        };
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
        }
        Ok(Self(bytes))
    }

    /// Wraps raw digest bytes (for instance from a database `BLOB` column).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Computes the digest of bytes already in memory (tests, small files).
    pub fn of(data: &[u8]) -> Self {
        Self(Sha256::digest(data).into())
    }

    /// The raw 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64-character lowercase hexadecimal form.
    pub fn to_hex(&self) -> String {
        self.hex_str(&mut [0; 64]).to_owned()
    }

    /// Writes the hexadecimal form into `buf` and returns it as text.
    fn hex_str<'b>(&self, buf: &'b mut [u8; 64]) -> &'b str {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for (pair, byte) in buf.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0x0f)];
        }
        // Every byte written is an ASCII digit or letter.
        std::str::from_utf8(buf).unwrap_or_default()
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hex_str(&mut [0; 64]))
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

impl FromStr for Sha256Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Errors of the blob store.
///
/// `TooLarge`, `Source`, `NotFound` and `RangeNotSatisfiable` are about the
/// request (413, 400, 404, 416); the others are internal and must be logged
/// and shown to clients only as `INTERNAL` (they contain server paths).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// More than `limit` bytes arrived; nothing was stored.
    #[error("the upload is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit given to `put`.
        limit: u64,
    },
    /// Reading the upload itself failed (client gone, body cut off);
    /// nothing was stored.
    #[error("reading the upload failed")]
    Source(#[source] io::Error),
    /// No blob with this digest.
    #[error("blob {digest} not found")]
    NotFound {
        /// The digest asked for.
        digest: Sha256Digest,
    },
    /// The requested byte range starts beyond the end of the blob or is
    /// reversed (HTTP 416).
    #[error("range {start}-{end} cannot be served from a blob of {size} bytes")]
    RangeNotSatisfiable {
        /// First byte asked for.
        start: u64,
        /// Last byte asked for (inclusive).
        end: u64,
        /// Size of the blob.
        size: u64,
    },
    /// A file-system operation of the store failed.
    #[error("blob store I/O failed while {op} {path:?}")]
    Io {
        /// What the store was doing.
        op: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: io::Error,
    },
    /// A hashing, writing or file-system worker task panicked or was
    /// cancelled (a panicking [`ChunkObserver`] ends here too).
    #[error("a blob store worker task failed")]
    Worker(#[source] tokio::task::JoinError),
}

/// Builds a closure turning an `io::Error` into [`BlobError::Io`].
fn io_err(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BlobError + use<> {
    let path = path.to_path_buf();
    move |source| BlobError::Io { op, path, source }
}

/// Result of a successful [`BlobStore::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutOutcome {
    /// SHA-256 of the stored bytes, the blob's name.
    pub digest: Sha256Digest,
    /// Number of bytes stored.
    pub size: u64,
    /// `true` if this call stored the blob; `false` if identical content was
    /// already there. Only when `true` may a caller whose database
    /// transaction failed consider deleting the blob (see [`BlobStore::gc`]
    /// for the safer alternative).
    pub created: bool,
    /// The blob's modification time as this `put` left it. A later `put` of
    /// the same content renews it, which is how
    /// [`BlobStore::discard`] knows nobody else has claimed the blob since.
    pub stored_at: SystemTime,
}

/// What the store knows about one blob, as listed by [`BlobStore::list`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobMeta {
    /// The blob's name.
    pub digest: Sha256Digest,
    /// Size in bytes.
    pub size: u64,
    /// Last time the blob was written or deduplicated against; the garbage
    /// collector's grace period counts from here.
    pub modified: SystemTime,
}

/// Report of one [`BlobStore::gc`] run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Blobs looked at.
    pub examined: u64,
    /// Blobs deleted (unreferenced and older than the grace period).
    pub deleted: u64,
    /// Bytes of the deleted blobs.
    pub bytes_freed: u64,
    /// Abandoned `.part` files removed.
    pub temp_files_removed: u64,
}

/// Sees every chunk of an upload, in order, while it streams in.
///
/// Runs on the hashing thread, so it must not block for long (it throttles
/// the upload). It typically feeds an incremental check (magic bytes, a
/// running byte count, a streaming parser) and leaves its verdict in state it
/// shares with the caller (`Arc<Mutex<…>>`, a oneshot channel). If `put`
/// fails the observer has seen bytes that were not stored and its verdict
/// must be discarded. Checks that need the whole file (PDF cross-reference
/// table at the end, ZIP central directory) run after `put` on
/// [`BlobStore::local_path`] or [`BlobStore::open`], never on a copy in
/// memory.
pub type ChunkObserver = Box<dyn FnMut(&[u8]) + Send>;

/// A readable blob or byte range of a blob.
///
/// Implements [`AsyncRead`]; yields exactly [`BlobReader::len`] bytes.
pub struct BlobReader {
    inner: Pin<Box<dyn AsyncRead + Send>>,
    start: u64,
    len: u64,
    total_size: u64,
}

impl BlobReader {
    /// Wraps a reader positioned at `start` that yields `len` bytes of a blob
    /// of `total_size` bytes (for other [`BlobStore`] implementations).
    pub fn new(
        inner: Pin<Box<dyn AsyncRead + Send>>,
        start: u64,
        len: u64,
        total_size: u64,
    ) -> Self {
        Self {
            inner,
            start,
            len,
            total_size,
        }
    }

    /// Number of bytes this reader yields (`Content-Length`).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether this reader yields no bytes (an empty blob).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Offset of the first byte yielded (0 unless opened with a range).
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Size of the whole blob (the `/total` of `Content-Range`).
    pub fn total_size(&self) -> u64 {
        self.total_size
    }

    /// The underlying reader.
    pub fn into_inner(self) -> Pin<Box<dyn AsyncRead + Send>> {
        self.inner
    }
}

impl fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobReader")
            .field("start", &self.start)
            .field("len", &self.len)
            .field("total_size", &self.total_size)
            .finish_non_exhaustive()
    }
}

impl AsyncRead for BlobReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_read(cx, buf)
    }
}

/// Where uploaded documents live, addressed by SHA-256.
///
/// Object-safe: the service holds an `Arc<dyn BlobStore>` chosen by
/// configuration (local disk now, an S3-compatible store later).
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Streams `reader` into the store and returns its digest and size.
    ///
    /// Never holds the whole body in memory. Fails with
    /// [`BlobError::TooLarge`] as soon as more than `limit` bytes arrive and
    /// with [`BlobError::Source`] if the reader fails; in both cases, and if
    /// the returned future is dropped, nothing is left behind.
    async fn put(
        &self,
        reader: Pin<Box<dyn AsyncRead + Send>>,
        limit: u64,
    ) -> Result<PutOutcome, BlobError> {
        self.put_with_observer(reader, limit, None).await
    }

    /// [`BlobStore::put`], additionally showing every chunk to `observer`
    /// while it streams (see [`ChunkObserver`]).
    async fn put_with_observer(
        &self,
        reader: Pin<Box<dyn AsyncRead + Send>>,
        limit: u64,
        observer: Option<ChunkObserver>,
    ) -> Result<PutOutcome, BlobError>;

    /// Opens a whole blob for reading.
    async fn open(&self, digest: &Sha256Digest) -> Result<BlobReader, BlobError>;

    /// Opens bytes `start..=end_inclusive` of a blob (HTTP `Range`).
    ///
    /// As in RFC 9110 §14.1.2, an `end_inclusive` past the end is clamped to
    /// the last byte; a `start` at or past the end, or after
    /// `end_inclusive`, gives [`BlobError::RangeNotSatisfiable`]. Suffix
    /// ranges (`bytes=-500`) are resolved by the caller with
    /// [`BlobStore::stat`].
    async fn open_range(
        &self,
        digest: &Sha256Digest,
        start: u64,
        end_inclusive: u64,
    ) -> Result<BlobReader, BlobError>;

    /// Size and modification time of a blob, `None` if absent.
    async fn stat(&self, digest: &Sha256Digest) -> Result<Option<BlobMeta>, BlobError>;

    /// Whether a blob is stored.
    async fn exists(&self, digest: &Sha256Digest) -> Result<bool, BlobError> {
        Ok(self.stat(digest).await?.is_some())
    }

    /// Deletes a blob; `Ok(false)` if it was not there.
    ///
    /// Another upload of the same content may have been deduplicated against
    /// this blob (`created == false`) and be about to commit its row;
    /// prefer leaving orphans to [`BlobStore::gc`].
    async fn delete(&self, digest: &Sha256Digest) -> Result<bool, BlobError>;

    /// Undoes a `put` whose database transaction failed: deletes the blob
    /// only if this `put` created it (`outcome.created`) and no `put` of
    /// the same content has claimed it since (its modification time is
    /// still `outcome.stored_at`). The caller must also have checked that
    /// no row refers to the digest. Returns whether the blob was deleted;
    /// `false` leaves it to [`BlobStore::gc`]. The default never deletes.
    async fn discard(&self, outcome: &PutOutcome) -> Result<bool, BlobError> {
        let _ = outcome;
        Ok(false)
    }

    /// All stored blobs, streamed (there may be millions), in no particular
    /// order.
    fn list(&self) -> BoxStream<'static, Result<BlobMeta, BlobError>>;

    /// Deletes every blob for which `referenced` is false and whose
    /// modification time is more than `grace` ago, and abandoned temporary
    /// files older than `grace`.
    ///
    /// `grace` must exceed the longest time between the end of a `put` and
    /// the commit of the row that refers to it: a deduplicated `put` renews
    /// the blob's modification time, so the window covers old content
    /// uploaded again too. `referenced` is typically a lookup in a set of
    /// digests loaded from the database before the run.
    async fn gc(
        &self,
        referenced: &(dyn for<'d> Fn(&'d Sha256Digest) -> bool + Send + Sync),
        grace: Duration,
    ) -> Result<GcReport, BlobError>;

    /// A local file holding the blob, if this store has one, so that a
    /// checker needing random access (ZIP central directory, PDF xref) can
    /// read the stored file directly after `put` instead of buffering it.
    /// Stores without local files return `None`; use [`BlobStore::open`].
    fn local_path(&self, digest: &Sha256Digest) -> Option<PathBuf> {
        let _ = digest;
        None
    }
}

/// [`BlobStore`] on a local directory.
///
/// Layout: `root/sha256/ab/cd/<64 hex>` for blobs (two levels of fan-out
/// keep directories small), `root/tmp/<uuid>.part` for uploads in progress.
/// `root/tmp` must be on the same file system as `root/sha256`.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
    blobs_dir: PathBuf,
    tmp_dir: PathBuf,
    /// Serialises the last step of a deduplicating `put` (check, renew
    /// modification time) with the garbage collector's check-and-delete, so
    /// that within one process GC never deletes a blob that a `put` has just
    /// reported as already stored.
    commit_lock: Arc<Mutex<()>>,
}

impl LocalBlobStore {
    /// Opens (creating if needed) a store at `root`, removing `.part` files
    /// older than [`DEFAULT_TEMP_GRACE`] left by a crashed process.
    pub async fn open(root: PathBuf) -> Result<Self, BlobError> {
        Self::open_with_temp_grace(root, DEFAULT_TEMP_GRACE).await
    }

    /// [`LocalBlobStore::open`] with a chosen age for abandoned `.part`
    /// files.
    #[tracing::instrument(skip_all, fields(root = %root.display(), temp_grace_s = temp_grace.as_secs()), err)]
    pub async fn open_with_temp_grace(
        root: PathBuf,
        temp_grace: Duration,
    ) -> Result<Self, BlobError> {
        let store = Self {
            blobs_dir: root.join("sha256"),
            tmp_dir: root.join("tmp"),
            root,
            commit_lock: Arc::new(Mutex::new(())),
        };
        for dir in [&store.root, &store.blobs_dir, &store.tmp_dir] {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(io_err("creating directory", dir))?;
        }
        let tmp_dir = store.tmp_dir.clone();
        let removed = spawn_blocking(move || clean_temp_files(&tmp_dir, temp_grace)).await??;
        if removed > 0 {
            tracing::info!(removed, "removed abandoned temporary upload files");
        }
        Ok(store)
    }

    /// The directory the store was opened on.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of a blob: `root/sha256/ab/cd/<hex>`.
    pub fn blob_path(&self, digest: &Sha256Digest) -> PathBuf {
        let hex = digest.to_hex();
        self.blobs_dir.join(&hex[0..2]).join(&hex[2..4]).join(&hex)
    }

    /// Size of a blob, mapping a missing file to [`BlobError::NotFound`].
    async fn open_file(&self, digest: &Sha256Digest) -> Result<(tokio::fs::File, u64), BlobError> {
        let path = self.blob_path(digest);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound { digest: *digest });
            }
            Err(e) => return Err(io_err("opening blob", &path)(e)),
        };
        let size = file
            .metadata()
            .await
            .map_err(io_err("reading metadata of", &path))?
            .len();
        Ok((file, size))
    }
}

/// Runs blocking file-system work off the async threads.
async fn spawn_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(BlobError::Worker)
}

/// Removes the temporary file on drop unless disarmed: covers the upload
/// future being dropped (client disconnect, timeout) mid-stream.
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl TempGuard {
    /// Removes the file now, without blocking an async thread.
    async fn remove(mut self) {
        self.armed = false;
        if let Err(error) = tokio::fs::remove_file(&self.path).await
            && error.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.path.display(), %error, "could not remove temporary upload file");
        }
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            // Only reached when the put future is dropped mid-way; one
            // unlink is cheap enough to do inline.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Why reading the upload stopped early.
enum PumpStop {
    TooLarge,
    Source(io::Error),
    /// A worker hung up: the writer failed (its error is reported instead).
    WorkerGone,
}

/// Reads `reader` in [`CHUNK_SIZE`] chunks and hands each to both workers.
async fn pump(
    reader: &mut Pin<Box<dyn AsyncRead + Send>>,
    limit: u64,
    hash_tx: &mpsc::Sender<Bytes>,
    write_tx: &mpsc::Sender<Bytes>,
) -> Result<u64, PumpStop> {
    let mut total: u64 = 0;
    loop {
        let mut buf = BytesMut::with_capacity(CHUNK_SIZE);
        let mut eof = false;
        while buf.len() < CHUNK_SIZE {
            let n = reader.read_buf(&mut buf).await.map_err(PumpStop::Source)?;
            if n == 0 {
                eof = true;
                break;
            }
            total = total.saturating_add(n as u64);
            if total > limit {
                return Err(PumpStop::TooLarge);
            }
        }
        if !buf.is_empty() {
            let chunk = buf.freeze();
            hash_tx
                .send(chunk.clone())
                .await
                .map_err(|_| PumpStop::WorkerGone)?;
            write_tx
                .send(chunk)
                .await
                .map_err(|_| PumpStop::WorkerGone)?;
        }
        if eof {
            return Ok(total);
        }
    }
}

/// Hashing worker: digests chunks and shows them to the observer.
fn hash_worker(mut rx: mpsc::Receiver<Bytes>, mut observer: Option<ChunkObserver>) -> Sha256Digest {
    let mut hasher = Sha256::new();
    while let Some(chunk) = rx.blocking_recv() {
        hasher.update(&chunk);
        if let Some(observe) = observer.as_mut() {
            observe(&chunk);
        }
    }
    Sha256Digest(hasher.finalize().into())
}

/// Writing worker: appends chunks to the temporary file, returning it open
/// when the channel closes. Every [`FLUSH_EVERY`] bytes it asks the flusher
/// to start writing back what it has written so far.
fn write_worker(
    mut file: std::fs::File,
    mut rx: mpsc::Receiver<Bytes>,
    flush_tx: mpsc::Sender<()>,
) -> io::Result<std::fs::File> {
    let mut unflushed: u64 = 0;
    while let Some(chunk) = rx.blocking_recv() {
        file.write_all(&chunk)?;
        unflushed += chunk.len() as u64;
        if unflushed >= FLUSH_EVERY {
            // A full channel means a flush is pending, which will cover
            // these bytes too.
            let _ = flush_tx.try_send(());
            unflushed = 0;
        }
    }
    Ok(file)
}

/// Flushing worker: `fdatasync`s the temporary file (through its own handle)
/// whenever the writer asks, so the disk works while the upload still
/// streams instead of all at the final fsync.
fn flush_worker(file: std::fs::File, mut rx: mpsc::Receiver<()>) -> io::Result<()> {
    while rx.blocking_recv().is_some() {
        file.sync_data()?;
    }
    Ok(())
}

/// Fsyncs a directory so that entries created or renamed in it survive a
/// crash.
fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("syncing directory", dir))
}

/// Creates `dir` if missing and, when created, fsyncs its parent.
fn ensure_dir(dir: &Path) -> Result<(), BlobError> {
    match std::fs::create_dir(dir) {
        Ok(()) => match dir.parent() {
            Some(parent) => sync_dir(parent),
            None => Ok(()),
        },
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err("creating directory", dir)(e)),
    }
}

/// Makes a stored file read-only for everyone (0444).
fn make_read_only(file: &std::fs::File, path: &Path) -> Result<(), BlobError> {
    let mut perms = file
        .metadata()
        .map_err(io_err("reading metadata of", path))?
        .permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        perms.set_mode(0o444);
    }
    #[cfg(not(unix))]
    perms.set_readonly(true);
    file.set_permissions(perms)
        .map_err(io_err("setting permissions of", path))
}

/// If a blob of `size` bytes exists at `target`, renews its modification time
/// (so the GC grace period restarts for the new reference) and returns
/// `true`. Must run under the commit lock.
fn claim_existing(target: &Path, size: u64) -> Result<bool, BlobError> {
    let file = match std::fs::File::open(target) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err("opening blob", target)(e)),
    };
    let existing = file
        .metadata()
        .map_err(io_err("reading metadata of", target))?
        .len();
    if existing != size {
        tracing::warn!(path = %target.display(), existing, size, "stored blob has the wrong size; replacing it");
        return Ok(false);
    }
    file.set_modified(SystemTime::now())
        .map_err(io_err("renewing modification time of", target))?;
    Ok(true)
}

/// Inputs of the final, blocking step of a `put`.
struct Commit {
    file: std::fs::File,
    temp: PathBuf,
    target: PathBuf,
    size: u64,
    lock: Arc<Mutex<()>>,
}

impl Commit {
    /// Makes the temporary file the blob `target`, returning whether this
    /// call created it and the blob's modification time as this call left
    /// it (read under the commit lock).
    fn run(self) -> Result<(bool, SystemTime), BlobError> {
        let Commit {
            file,
            temp,
            target,
            size,
            lock,
        } = self;
        // Cheap early exit for duplicates: no fsync of a file we discard.
        {
            let _held = lock.lock().unwrap_or_else(PoisonError::into_inner);
            if claim_existing(&target, size)? {
                drop(file);
                remove_temp(&temp);
                return Ok((false, mtime(&target)?));
            }
        }
        file.sync_all().map_err(io_err("syncing", &temp))?;
        make_read_only(&file, &temp)?;
        drop(file);
        let shard = target.parent().ok_or_else(|| {
            io_err("finding directory of", &target)(io::ErrorKind::NotFound.into())
        })?;
        if let Some(outer) = shard.parent() {
            ensure_dir(outer)?;
        }
        ensure_dir(shard)?;

        let _held = lock.lock().unwrap_or_else(PoisonError::into_inner);
        // A hard link fails if the target exists, atomically, even between
        // processes: exactly one concurrent put of the same content creates.
        let created = match std::fs::hard_link(&temp, &target) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if claim_existing(&target, size)? {
                    remove_temp(&temp);
                    return Ok((false, mtime(&target)?));
                }
                // Exists with the wrong size: replace it (same content by
                // construction of the name), but others already refer to it.
                std::fs::rename(&temp, &target).map_err(io_err("renaming into", &target))?;
                sync_dir(shard)?;
                return Ok((false, mtime(&target)?));
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Unsupported | io::ErrorKind::PermissionDenied
                ) =>
            {
                // File systems without hard links: check-then-rename is
                // exact within this process (we hold the lock) only.
                tracing::debug!(error = %e, "hard link unsupported; falling back to rename");
                std::fs::rename(&temp, &target).map_err(io_err("renaming into", &target))?;
                sync_dir(shard)?;
                return Ok((true, mtime(&target)?));
            }
            Err(e) => return Err(io_err("linking into", &target)(e)),
        };
        let modified = mtime(&target)?;
        sync_dir(shard)?;
        remove_temp(&temp);
        Ok((created, modified))
    }
}

/// The modification time of a file.
fn mtime(path: &Path) -> Result<SystemTime, BlobError> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(io_err("reading mtime of", path))
}

/// Deletes `path` if its modification time is still `expected`, under the
/// commit lock: nobody has deduplicated against it since.
fn delete_if_unclaimed(
    path: &Path,
    expected: SystemTime,
    lock: &Mutex<()>,
) -> Result<bool, BlobError> {
    let _held = lock.lock().unwrap_or_else(PoisonError::into_inner);
    match std::fs::metadata(path).and_then(|m| m.modified()) {
        Ok(modified) if modified == expected => {}
        Ok(_) => return Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err("reading mtime of", path)(e)),
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_err("deleting blob", path)(e)),
    }
}

/// Removes a temporary file, logging (not failing) if that is impossible: a
/// leftover is cleaned by the next open or GC.
fn remove_temp(temp: &Path) {
    if let Err(error) = std::fs::remove_file(temp)
        && error.kind() != io::ErrorKind::NotFound
    {
        tracing::warn!(path = %temp.display(), %error, "could not remove temporary upload file");
    }
}

/// Removes `.part` files in `dir` not modified for `grace`; returns how many.
fn clean_temp_files(dir: &Path, grace: Duration) -> Result<u64, BlobError> {
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(io_err("listing", dir))? {
        let entry = entry.map_err(io_err("listing", dir))?;
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "part") {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta.modified().map_err(io_err("reading mtime of", &path))?;
        let age = now.duration_since(modified).unwrap_or_default();
        if meta.is_file() && age > grace {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err("removing", &path)(e)),
            }
        }
    }
    Ok(removed)
}

/// Whether a directory name is a fan-out level (`00`..`ff`).
fn is_shard_name(name: &str) -> bool {
    name.len() == 2 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Walks `blobs_dir` and sends every blob found; stops when the receiver is
/// gone.
fn walk_blobs(blobs_dir: &Path, tx: &mpsc::Sender<Result<BlobMeta, BlobError>>) {
    let send = |item| tx.blocking_send(item).is_ok();
    let level = |dir: &Path| -> Result<Vec<(String, PathBuf)>, BlobError> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err("listing", dir))? {
            let entry = entry.map_err(io_err("listing", dir))?;
            if let Ok(name) = entry.file_name().into_string() {
                out.push((name, entry.path()));
            }
        }
        out.sort();
        Ok(out)
    };
    let outer = match level(blobs_dir) {
        Ok(v) => v,
        Err(e) => {
            send(Err(e));
            return;
        }
    };
    for (a, a_path) in outer.into_iter().filter(|(n, _)| is_shard_name(n)) {
        let inner = match level(&a_path) {
            Ok(v) => v,
            Err(e) => {
                if !send(Err(e)) {
                    return;
                }
                continue;
            }
        };
        for (b, b_path) in inner.into_iter().filter(|(n, _)| is_shard_name(n)) {
            let files = match level(&b_path) {
                Ok(v) => v,
                Err(e) => {
                    if !send(Err(e)) {
                        return;
                    }
                    continue;
                }
            };
            for (name, path) in files {
                let digest = match Sha256Digest::parse(&name) {
                    Ok(d) if name[0..2] == a && name[2..4] == b => d,
                    _ => {
                        tracing::warn!(path = %path.display(), "ignoring stray file in blob store");
                        continue;
                    }
                };
                let item = std::fs::metadata(&path)
                    .and_then(|m| Ok((m.len(), m.modified()?)))
                    .map(|(size, modified)| BlobMeta {
                        digest,
                        size,
                        modified,
                    });
                let item = match item {
                    Ok(meta) => Ok(meta),
                    // Deleted while we walked: not an error.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => Err(io_err("reading metadata of", &path)(e)),
                };
                if !send(item) {
                    return;
                }
            }
        }
    }
}

/// Deletes `path` if it is still older than `cutoff`, under the commit lock;
/// returns the bytes freed, `None` if kept or already gone.
fn delete_if_stale(
    path: &Path,
    cutoff: SystemTime,
    lock: &Mutex<()>,
) -> Result<Option<u64>, BlobError> {
    let _held = lock.lock().unwrap_or_else(PoisonError::into_inner);
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err("reading metadata of", path)(e)),
    };
    let modified = meta.modified().map_err(io_err("reading mtime of", path))?;
    if modified > cutoff {
        return Ok(None);
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(Some(meta.len())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("deleting blob", path)(e)),
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    #[tracing::instrument(
        skip_all,
        fields(limit = limit, digest = tracing::field::Empty, size = tracing::field::Empty, created = tracing::field::Empty),
        err(Display)
    )]
    async fn put_with_observer(
        &self,
        mut reader: Pin<Box<dyn AsyncRead + Send>>,
        limit: u64,
        observer: Option<ChunkObserver>,
    ) -> Result<PutOutcome, BlobError> {
        let started = Instant::now();
        let temp = self.tmp_dir.join(format!("{}.part", uuid::Uuid::new_v4()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options
            .open(&temp)
            .await
            .map_err(io_err("creating temporary file", &temp))?;
        let guard = TempGuard {
            path: temp.clone(),
            armed: true,
        };
        let file = file.into_std().await;

        let (hash_tx, hash_rx) = mpsc::channel::<Bytes>(PIPELINE_DEPTH);
        let (write_tx, write_rx) = mpsc::channel::<Bytes>(PIPELINE_DEPTH);
        let hasher = tokio::task::spawn_blocking(move || hash_worker(hash_rx, observer));
        let flush_file = file
            .try_clone()
            .map_err(io_err("cloning handle of", &temp))?;
        let (flush_tx, flush_rx) = mpsc::channel::<()>(1);
        let flusher = tokio::task::spawn_blocking(move || flush_worker(flush_file, flush_rx));
        let writer = tokio::task::spawn_blocking(move || write_worker(file, write_rx, flush_tx));

        let pumped = pump(&mut reader, limit, &hash_tx, &write_tx).await;
        drop((hash_tx, write_tx, reader));
        let written = writer.await;
        let hashed = hasher.await;
        let flushed = flusher.await;
        let streamed = started.elapsed();

        let size = match pumped {
            Ok(size) => size,
            Err(stop) => {
                guard.remove().await;
                return Err(match (stop, written) {
                    (PumpStop::TooLarge, _) => BlobError::TooLarge { limit },
                    (PumpStop::Source(e), _) => BlobError::Source(e),
                    (PumpStop::WorkerGone, Ok(Err(e))) => io_err("writing", &temp)(e),
                    (PumpStop::WorkerGone, Err(join)) => BlobError::Worker(join),
                    (PumpStop::WorkerGone, Ok(Ok(_))) => match hashed {
                        Err(join) => BlobError::Worker(join),
                        Ok(_) => io_err("writing", &temp)(io::Error::other("writer stopped")),
                    },
                });
            }
        };
        let (file, digest) = match (written, hashed, flushed) {
            (Ok(Ok(file)), Ok(digest), Ok(Ok(()))) => (file, digest),
            (Ok(Err(e)), _, _) => {
                guard.remove().await;
                return Err(io_err("writing", &temp)(e));
            }
            (_, _, Ok(Err(e))) => {
                guard.remove().await;
                return Err(io_err("syncing", &temp)(e));
            }
            (Err(join), _, _) | (_, Err(join), _) | (_, _, Err(join)) => {
                guard.remove().await;
                return Err(BlobError::Worker(join));
            }
        };

        let commit = Commit {
            file,
            temp,
            target: self.blob_path(&digest),
            size,
            lock: Arc::clone(&self.commit_lock),
        };
        let (created, stored_at) = match spawn_blocking(move || commit.run()).await {
            Ok(Ok(done)) => done,
            Ok(Err(e)) | Err(e) => {
                guard.remove().await;
                return Err(e);
            }
        };
        // Commit removed the temporary name (or it is a harmless leftover).
        let mut guard = guard;
        guard.armed = false;

        let span = tracing::Span::current();
        span.record("digest", tracing::field::display(&digest));
        span.record("size", size);
        span.record("created", created);
        let secs = started.elapsed().as_secs_f64();
        tracing::info!(
            elapsed_ms = (secs * 1000.0) as u64,
            streamed_ms = streamed.as_millis() as u64,
            mb_per_s = if secs > 0.0 {
                size as f64 / 1e6 / secs
            } else {
                0.0
            },
            "blob stored"
        );
        Ok(PutOutcome {
            digest,
            size,
            created,
            stored_at,
        })
    }

    async fn open(&self, digest: &Sha256Digest) -> Result<BlobReader, BlobError> {
        let (file, size) = self.open_file(digest).await?;
        Ok(BlobReader::new(Box::pin(file.take(size)), 0, size, size))
    }

    async fn open_range(
        &self,
        digest: &Sha256Digest,
        start: u64,
        end_inclusive: u64,
    ) -> Result<BlobReader, BlobError> {
        let (mut file, size) = self.open_file(digest).await?;
        if start >= size || start > end_inclusive {
            return Err(BlobError::RangeNotSatisfiable {
                start,
                end: end_inclusive,
                size,
            });
        }
        let end = end_inclusive.min(size - 1);
        let len = end - start + 1;
        file.seek(io::SeekFrom::Start(start))
            .await
            .map_err(io_err("seeking in blob", &self.blob_path(digest)))?;
        Ok(BlobReader::new(Box::pin(file.take(len)), start, len, size))
    }

    async fn stat(&self, digest: &Sha256Digest) -> Result<Option<BlobMeta>, BlobError> {
        let path = self.blob_path(digest);
        match tokio::fs::metadata(&path).await {
            Ok(meta) => Ok(Some(BlobMeta {
                digest: *digest,
                size: meta.len(),
                modified: meta.modified().map_err(io_err("reading mtime of", &path))?,
            })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("reading metadata of", &path)(e)),
        }
    }

    #[tracing::instrument(skip(self), fields(digest = %digest), err(Display))]
    async fn delete(&self, digest: &Sha256Digest) -> Result<bool, BlobError> {
        let path = self.blob_path(digest);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {
                tracing::info!("blob deleted");
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("deleting blob", &path)(e)),
        }
    }

    #[tracing::instrument(skip_all, fields(digest = %outcome.digest), err(Display))]
    async fn discard(&self, outcome: &PutOutcome) -> Result<bool, BlobError> {
        if !outcome.created {
            return Ok(false);
        }
        let path = self.blob_path(&outcome.digest);
        let lock = Arc::clone(&self.commit_lock);
        let expected = outcome.stored_at;
        let deleted = spawn_blocking(move || delete_if_unclaimed(&path, expected, &lock)).await??;
        if deleted {
            tracing::info!("blob of a failed upload discarded");
        }
        Ok(deleted)
    }

    fn list(&self) -> BoxStream<'static, Result<BlobMeta, BlobError>> {
        let (tx, rx) = mpsc::channel(256);
        let blobs_dir = self.blobs_dir.clone();
        // Detached: ends when the walk is done or the stream is dropped.
        drop(tokio::task::spawn_blocking(move || {
            walk_blobs(&blobs_dir, &tx)
        }));
        stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
        .boxed()
    }

    #[tracing::instrument(skip_all, fields(grace_s = grace.as_secs()), err(Display))]
    async fn gc(
        &self,
        referenced: &(dyn for<'d> Fn(&'d Sha256Digest) -> bool + Send + Sync),
        grace: Duration,
    ) -> Result<GcReport, BlobError> {
        let cutoff = SystemTime::now()
            .checked_sub(grace)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let mut report = GcReport::default();
        let mut blobs = self.list();
        while let Some(meta) = blobs.next().await {
            let meta = meta?;
            report.examined += 1;
            if meta.modified > cutoff || referenced(&meta.digest) {
                continue;
            }
            let path = self.blob_path(&meta.digest);
            let lock = Arc::clone(&self.commit_lock);
            if let Some(freed) =
                spawn_blocking(move || delete_if_stale(&path, cutoff, &lock)).await??
            {
                tracing::debug!(digest = %meta.digest, size = freed, "unreferenced blob deleted");
                report.deleted += 1;
                report.bytes_freed += freed;
            }
        }
        let tmp_dir = self.tmp_dir.clone();
        report.temp_files_removed =
            spawn_blocking(move || clean_temp_files(&tmp_dir, grace)).await??;
        tracing::info!(
            examined = report.examined,
            deleted = report.deleted,
            bytes_freed = report.bytes_freed,
            temp_files_removed = report.temp_files_removed,
            "blob garbage collection done"
        );
        Ok(report)
    }

    fn local_path(&self, digest: &Sha256Digest) -> Option<PathBuf> {
        Some(self.blob_path(digest))
    }
}
