//! Integration tests of the content-addressed blob store.

#![expect(clippy::unwrap_used, reason = "tests fail loudly on unexpected errors")]

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use archportal_storage::blob::{
    BlobError, BlobStore, DigestError, GcReport, LocalBlobStore, Sha256Digest,
};
use futures::StreamExt as _;
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt as _, ReadBuf};

/// Deterministic pseudo-random bytes (xorshift64*), no extra dependency.
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

fn reader(data: Vec<u8>) -> Pin<Box<dyn AsyncRead + Send>> {
    Box::pin(io::Cursor::new(data))
}

/// Yields `data` in reads of at most `step` bytes, then fails or hangs.
struct ScriptedReader {
    data: Vec<u8>,
    pos: usize,
    step: usize,
    then: End,
}

#[derive(Clone, Copy)]
enum End {
    Eof,
    Fail,
    Hang,
}

impl AsyncRead for ScriptedReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos < self.data.len() {
            let n = self
                .step
                .min(self.data.len() - self.pos)
                .min(buf.remaining());
            let pos = self.pos;
            buf.put_slice(&self.data[pos..pos + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        match self.then {
            End::Eof => Poll::Ready(Ok(())),
            End::Fail => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "client went away",
            ))),
            End::Hang => Poll::Pending,
        }
    }
}

async fn store() -> (tempfile::TempDir, LocalBlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path().join("blobs"))
        .await
        .unwrap();
    (dir, store)
}

fn temp_files(store: &LocalBlobStore) -> Vec<String> {
    std::fs::read_dir(store.root().join("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

async fn all_blobs(store: &dyn BlobStore) -> Vec<Sha256Digest> {
    let mut out: Vec<_> = store
        .list()
        .map(|m| m.unwrap().digest)
        .collect::<Vec<_>>()
        .await;
    out.sort();
    out
}

async fn read_all(mut r: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut out = Vec::new();
    r.read_to_end(&mut out).await.unwrap();
    out
}

fn set_mtime(path: &Path, ago: Duration) {
    let file = std::fs::File::open(path).unwrap();
    file.set_modified(SystemTime::now() - ago).unwrap();
}

#[tokio::test]
async fn round_trip_of_multi_megabyte_body() {
    let (_dir, store) = store().await;
    let data = random_bytes(5 * 1024 * 1024 + 123, 7);
    let expected = hex::encode(Sha256::digest(&data));

    let out = store.put(reader(data.clone()), 10 << 20).await.unwrap();
    assert_eq!(out.digest.to_hex(), expected);
    assert_eq!(out.size, data.len() as u64);
    assert!(out.created);

    let blob = store.open(&out.digest).await.unwrap();
    assert_eq!(blob.len(), data.len() as u64);
    assert_eq!(blob.total_size(), data.len() as u64);
    assert!(read_all(blob).await == data);

    let path = store.local_path(&out.digest).unwrap();
    assert!(path.ends_with(format!(
        "sha256/{}/{}/{}",
        &expected[..2],
        &expected[2..4],
        expected
    )));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o444);
    }
    assert!(temp_files(&store).is_empty());
}

#[tokio::test]
async fn known_digests_and_odd_read_sizes() {
    let (_dir, store) = store().await;
    let abc = store.put(reader(b"abc".to_vec()), 3).await.unwrap();
    assert_eq!(
        abc.digest.to_string(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let empty = store.put(reader(Vec::new()), 0).await.unwrap();
    assert_eq!(
        empty.digest.to_string(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(empty.size, 0);

    // Small, uneven reads spanning several chunks; limit exactly the size.
    let data = random_bytes(3 * 1024 * 1024 + 5, 11);
    let trickle = ScriptedReader {
        data: data.clone(),
        pos: 0,
        step: 7777,
        then: End::Eof,
    };
    let out = store
        .put(Box::pin(trickle), data.len() as u64)
        .await
        .unwrap();
    assert_eq!(out.digest, Sha256Digest::of(&data));
    assert!(read_all(store.open(&out.digest).await.unwrap()).await == data);
}

#[tokio::test]
async fn identical_content_is_stored_once() {
    let (_dir, store) = store().await;
    let data = random_bytes(1_500_000, 3);
    let first = store.put(reader(data.clone()), u64::MAX).await.unwrap();
    let second = store.put(reader(data), u64::MAX).await.unwrap();
    assert!(first.created);
    assert!(!second.created);
    assert_eq!(first.digest, second.digest);
    assert_eq!(all_blobs(&store).await, vec![first.digest]);
    assert!(temp_files(&store).is_empty());
}

#[tokio::test]
async fn exceeding_the_limit_leaves_nothing() {
    let (_dir, store) = store().await;
    let data = random_bytes(2 * 1024 * 1024 + 1, 5);
    let limit = data.len() as u64 - 1;
    let err = store.put(reader(data.clone()), limit).await.unwrap_err();
    assert!(
        matches!(err, BlobError::TooLarge { limit: l } if l == limit),
        "{err:?}"
    );
    assert!(temp_files(&store).is_empty());
    assert!(all_blobs(&store).await.is_empty());
    assert!(!store.exists(&Sha256Digest::of(&data)).await.unwrap());

    let err = store.put(reader(vec![1]), 0).await.unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { limit: 0 }));
}

#[tokio::test]
async fn a_cut_off_upload_leaves_nothing() {
    let (_dir, store) = store().await;
    let cut = ScriptedReader {
        data: random_bytes(3 * 1024 * 1024 + 17, 9),
        pos: 0,
        step: 64 * 1024,
        then: End::Fail,
    };
    let err = store.put(Box::pin(cut), u64::MAX).await.unwrap_err();
    assert!(matches!(&err, BlobError::Source(e) if e.kind() == io::ErrorKind::ConnectionReset));
    assert!(temp_files(&store).is_empty());
    assert!(all_blobs(&store).await.is_empty());
}

#[tokio::test]
async fn a_dropped_upload_future_leaves_nothing() {
    let (_dir, store) = store().await;
    let hang = ScriptedReader {
        data: random_bytes(2 * 1024 * 1024 + 3, 13),
        pos: 0,
        step: 100_000,
        then: End::Hang,
    };
    let timed = tokio::time::timeout(
        Duration::from_millis(300),
        store.put(Box::pin(hang), u64::MAX),
    )
    .await;
    assert!(timed.is_err(), "the upload should still be waiting");
    assert!(temp_files(&store).is_empty());
    assert!(all_blobs(&store).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_puts_of_the_same_content_make_one_blob() {
    let (_dir, store) = store().await;
    let store: Arc<dyn BlobStore> = Arc::new(store);
    let data = Arc::new(random_bytes(2 * 1024 * 1024 + 999, 21));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            let data = Arc::clone(&data);
            tokio::spawn(async move { store.put(reader(data.to_vec()), u64::MAX).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let out = task.await.unwrap().unwrap();
        assert_eq!(out.digest, Sha256Digest::of(&data));
        created += usize::from(out.created);
    }
    assert_eq!(created, 1, "exactly one put creates the blob");
    assert_eq!(all_blobs(store.as_ref()).await.len(), 1);
    let root = store
        .local_path(&Sha256Digest::of(&data))
        .unwrap()
        .ancestors()
        .nth(4)
        .unwrap()
        .to_path_buf();
    assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
}

#[tokio::test]
async fn range_reads_at_the_edges() {
    let (_dir, store) = store().await;
    let data = random_bytes(1024 * 1024 + 10, 4);
    let size = data.len() as u64;
    let d = store
        .put(reader(data.clone()), u64::MAX)
        .await
        .unwrap()
        .digest;

    let check = |start: u64, end: u64| {
        let store = store.clone();
        let data = &data;
        async move {
            let r = store.open_range(&d, start, end).await.unwrap();
            let last = end.min(size - 1);
            assert_eq!(r.start(), start);
            assert_eq!(r.len(), last - start + 1);
            assert_eq!(r.total_size(), size);
            let got = read_all(r).await;
            assert!(got == data[start as usize..=last as usize], "{start}-{end}");
        }
    };
    check(0, 0).await;
    check(size - 1, size - 1).await;
    check(0, size - 1).await;
    check(1024 * 1024 - 3, 1024 * 1024 + 3).await;
    check(size - 5, u64::MAX).await; // end clamped

    for (start, end) in [(size, size), (size + 1, u64::MAX), (5, 4)] {
        let err = store.open_range(&d, start, end).await.unwrap_err();
        assert!(
            matches!(err, BlobError::RangeNotSatisfiable { size: s, .. } if s == size),
            "{start}-{end}: {err:?}"
        );
    }

    let empty = store.put(reader(Vec::new()), 0).await.unwrap().digest;
    assert!(matches!(
        store.open_range(&empty, 0, 0).await.unwrap_err(),
        BlobError::RangeNotSatisfiable { size: 0, .. }
    ));
    assert_eq!(store.open(&empty).await.unwrap().len(), 0);

    let missing = Sha256Digest::of(b"never stored");
    assert!(matches!(
        store.open_range(&missing, 0, 1).await.unwrap_err(),
        BlobError::NotFound { digest } if digest == missing
    ));
    assert!(matches!(
        store.open(&missing).await.unwrap_err(),
        BlobError::NotFound { .. }
    ));
}

#[test]
fn digest_parsing_refuses_anything_but_64_lowercase_hex() {
    let good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let d: Sha256Digest = good.parse().unwrap();
    assert_eq!(d.to_string(), good);
    assert_eq!(Sha256Digest::from_bytes(*d.as_bytes()), d);

    assert_eq!(
        Sha256Digest::parse(&good[..63]),
        Err(DigestError::Length(63))
    );
    assert_eq!(
        Sha256Digest::parse(&format!("{good}0")),
        Err(DigestError::Length(65))
    );
    assert_eq!(Sha256Digest::parse(""), Err(DigestError::Length(0)));
    assert_eq!(
        Sha256Digest::parse(&good.to_uppercase()),
        Err(DigestError::NotLowercaseHex)
    );
    let traversal = format!("../{}", &good[3..]);
    assert_eq!(traversal.len(), 64);
    assert!(Sha256Digest::parse(&traversal).is_err());
    for bad in [
        format!("{}/{}", &good[..31], &good[32..]),
        format!("{}\\{}", &good[..31], &good[32..]),
        format!("{}g", &good[..63]),
        format!("{} ", &good[..63]),
        format!("{}\0", &good[..63]),
        format!("{}é", &good[..62]),
    ] {
        assert!(Sha256Digest::parse(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn digest_text_round_trips_and_matches_the_hex_encoding() {
    for i in 0u32..2_000 {
        let d = Sha256Digest::of(&i.to_le_bytes());
        let text = hex::encode(d.as_bytes());
        assert_eq!(d.to_hex(), text);
        assert_eq!(d.to_string(), text);
        assert_eq!(Sha256Digest::parse(&text), Ok(d));
        // One character changed to each character outside 0-9a-f is refused.
        let at = (i as usize) % 64;
        for bad in [b'A', b'F', b'g', b'/', b'.', b'G', b':', b'`', b'@'] {
            let mut bytes = text.clone().into_bytes();
            bytes[at] = bad;
            let bad_text = String::from_utf8(bytes).unwrap();
            assert_eq!(
                Sha256Digest::parse(&bad_text),
                Err(DigestError::NotLowercaseHex),
                "{bad_text}"
            );
        }
    }
    let all = Sha256Digest::from_bytes(core::array::from_fn(|i| (i * 8 + 7) as u8));
    assert_eq!(all.to_hex(), hex::encode(all.as_bytes()));
}

#[tokio::test]
async fn gc_respects_references_and_grace() {
    let (_dir, store) = store().await;
    let put = |seed| {
        let store = store.clone();
        async move {
            store
                .put(
                    reader(random_bytes(100_000 + seed as usize, seed)),
                    u64::MAX,
                )
                .await
                .unwrap()
        }
    };
    let kept_referenced = put(1).await;
    let collected = put(2).await;
    let young = put(3).await;
    let renewed = put(4).await;
    let hour = Duration::from_secs(3600);
    for o in [&kept_referenced, &collected, &renewed] {
        set_mtime(&store.local_path(&o.digest).unwrap(), 2 * hour);
    }
    // Uploading old content again renews it: not collected.
    let again = store
        .put(reader(random_bytes(100_004, 4)), u64::MAX)
        .await
        .unwrap();
    assert!(!again.created);

    let keep = kept_referenced.digest;
    let report = store.gc(&|d| *d == keep, hour).await.unwrap();
    assert_eq!(
        report,
        GcReport {
            examined: 4,
            deleted: 1,
            bytes_freed: collected.size,
            temp_files_removed: 0,
        }
    );
    let mut left = vec![kept_referenced.digest, young.digest, renewed.digest];
    left.sort();
    assert_eq!(all_blobs(&store).await, left);

    // With no grace, everything unreferenced goes.
    let report = store.gc(&|d| *d == keep, Duration::ZERO).await.unwrap();
    assert_eq!(report.deleted, 2);
    assert_eq!(all_blobs(&store).await, vec![keep]);
}

#[tokio::test]
async fn crash_leftover_part_files_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    let store = LocalBlobStore::open(root.clone()).await.unwrap();
    let old = root.join("tmp/00000000-dead-beef-0000-000000000000.part");
    let fresh = root.join("tmp/11111111-dead-beef-0000-000000000000.part");
    std::fs::write(&old, b"half an upload").unwrap();
    std::fs::write(&fresh, b"an upload in progress").unwrap();
    set_mtime(&old, Duration::from_secs(2 * 3600));
    drop(store);

    let store = LocalBlobStore::open(root.clone()).await.unwrap();
    assert_eq!(
        temp_files(&store),
        vec![fresh.file_name().unwrap().to_string_lossy().into_owned()]
    );

    // The GC removes leftovers older than its grace too.
    set_mtime(&fresh, Duration::from_secs(120));
    let report = store.gc(&|_| true, Duration::from_secs(60)).await.unwrap();
    assert_eq!(report.temp_files_removed, 1);
    assert!(temp_files(&store).is_empty());
}

#[tokio::test]
async fn observer_sees_every_byte_in_order() {
    let (_dir, store) = store().await;
    let data = random_bytes(4 * 1024 * 1024 + 77, 8);
    let seen = Arc::new(Mutex::new((Sha256::new(), 0u64)));
    let sink = Arc::clone(&seen);
    let out = store
        .put_with_observer(
            reader(data.clone()),
            u64::MAX,
            Some(Box::new(move |chunk: &[u8]| {
                let mut s = sink.lock().unwrap();
                s.0.update(chunk);
                s.1 += chunk.len() as u64;
            })),
        )
        .await
        .unwrap();
    let (hasher, count) = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(count, data.len() as u64);
    assert_eq!(
        Sha256Digest::from_bytes(hasher.finalize().into()),
        out.digest
    );
    // A whole-file check afterwards reads the stored file, not a copy.
    let stored = std::fs::read(store.local_path(&out.digest).unwrap()).unwrap();
    assert!(stored == data);
}

#[tokio::test]
async fn delete_exists_and_list() {
    let (_dir, store) = store().await;
    let out = store.put(reader(b"%PDF-1.4".to_vec()), 100).await.unwrap();
    assert!(store.exists(&out.digest).await.unwrap());
    let listed: Vec<_> = store.list().collect().await;
    assert_eq!(listed.len(), 1);
    let meta = listed.into_iter().next().unwrap().unwrap();
    assert_eq!((meta.digest, meta.size), (out.digest, 8));
    assert!(meta.modified <= SystemTime::now());
    assert_eq!(store.stat(&out.digest).await.unwrap(), Some(meta));

    assert!(store.delete(&out.digest).await.unwrap());
    assert!(!store.delete(&out.digest).await.unwrap());
    assert!(!store.exists(&out.digest).await.unwrap());
    assert_eq!(store.stat(&out.digest).await.unwrap(), None);
    // Stray files in the blob tree are ignored, not listed.
    let stray = store.root().join("sha256/ab/cd");
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join("notes.txt"), b"x").unwrap();
    assert!(all_blobs(&store).await.is_empty());
}

#[tokio::test]
async fn upload_larger_than_the_flush_interval() {
    let (_dir, store) = store().await;
    let block = random_bytes(1024 * 1024, 17);
    let len = archportal_storage::blob::FLUSH_EVERY as usize * 2 + 4321;
    let data: Vec<u8> = block.iter().copied().cycle().take(len).collect();
    let out = store.put(reader(data.clone()), u64::MAX).await.unwrap();
    assert_eq!(out.digest, Sha256Digest::of(&data));
    assert_eq!(out.size, len as u64);
    let r = store
        .open_range(&out.digest, len as u64 - 10, u64::MAX)
        .await
        .unwrap();
    assert!(read_all(r).await == data[len - 10..]);
    assert!(temp_files(&store).is_empty());
}

#[tokio::test]
async fn discard_removes_only_an_unclaimed_created_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path().to_path_buf())
        .await
        .unwrap();
    let data = random_bytes(100_000, 41);
    let first = store.put(reader(data.clone()), u64::MAX).await.unwrap();
    assert!(first.created);
    // Someone uploads the same content meanwhile: the blob is claimed.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = store.put(reader(data.clone()), u64::MAX).await.unwrap();
    assert!(!second.created);
    assert!(!store.discard(&first).await.unwrap(), "claimed blob kept");
    assert!(!store.discard(&second).await.unwrap(), "not created by it");
    assert!(store.exists(&first.digest).await.unwrap());
    // Unclaimed: the creator's discard removes it.
    let other = store
        .put(reader(random_bytes(5_000, 42)), u64::MAX)
        .await
        .unwrap();
    assert!(store.discard(&other).await.unwrap());
    assert!(!store.exists(&other.digest).await.unwrap());
}
