//! Argon2 (RFC 9106) block filling with a hand-vectorised BlaMka compression.
//!
//! This replaces the `argon2` crate's memory-filling loop, which was the whole
//! cost of an Argon2 hash and ran ≈ 20–40 % slower than `@node-rs/argon2`:
//! its "AVX2" compression is the scalar code compiled with AVX2 enabled, it
//! allocates and zeroes the full memory on every hash, and it returns every
//! 1 KiB block by value. Here:
//!
//! * the compression G(X, Y) keeps a row's (or two columns') 16 words in four
//!   256-bit registers and runs BlaMka on four words at once (AVX2, detected
//!   once at run time; the addon is built for baseline x86-64), with a
//!   portable scalar fallback computing the same thing;
//! * G writes straight into the destination block (XORing into it on later
//!   v1.3 passes);
//! * the block memory is reused per pool thread (see [`with_memory`]): a busy
//!   server does not allocate, zero and page-fault 19 MiB per hash. Argon2
//!   writes every block before it reads it, so stale contents from a previous
//!   hash are never observed. The blocks a hash leaves behind are what the
//!   published garbage-collector attacks on Argon2i (and Argon2id's first,
//!   data-independent half-pass) test password guesses against, so they are
//!   wiped, as libargon2 does by default — but not on the hash's own
//!   critical path: the buffer is marked dirty and [`wipe_idle_memory`]
//!   clears it after the pool has posted the task's result (≈ 2–4 ms for
//!   19 MiB, the same work as an inline wipe, moved off the task's latency).
//!   A buffer too big to keep ([`KEEP_BYTES`]) is wiped before it is freed.
//!   The pool can opt out (`wipeMemory: false`), accepting the risk;
//! * the [`Checkpoint`] is polled at the start of every segment (a quarter
//!   pass over one lane) and every [`POLL_BLOCKS`] blocks within it, so a
//!   cancelled hash stops within a few milliseconds whatever its size.
//!
//! Lanes are computed one after another on the calling thread (slice by slice,
//! lane by lane, which respects the RFC's synchronisation points). Everything
//! else (H0, H', the reference-index rules, the final XOR) follows RFC 9106
//! and the `argon2` crate bit for bit; the tests compare both compression
//! paths against the crate and the RFC vectors.

use std::alloc::{self, Layout};
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;

use blake2::digest::block_api::{UpdateCore, VariableOutputCore};
use blake2::digest::block_buffer::LazyBuffer;
use blake2::{Blake2b512, Blake2bVarCore, Digest};

use super::{Checkpoint, ErrorCode, TaskError};

/// Argon2 v1.0 (`v=16`): later passes overwrite blocks.
pub const VERSION_10: u32 = 0x10;
/// Argon2 v1.3 (`v=19`): later passes XOR into blocks.
pub const VERSION_13: u32 = 0x13;

/// Slices per pass (RFC 9106 "SL").
const SYNC_POINTS: usize = 4;
/// 64-bit words per 1 KiB block.
const WORDS: usize = 128;
/// Blocks computed between two [`Checkpoint`] polls (4 MiB, ≈ 1.5 ms).
const POLL_BLOCKS: usize = 4096;
/// Pooled block memory above this is freed after the hash that needed it.
const KEEP_BYTES: usize = 64 << 20;

/// Argon2 variant, with its RFC 9106 type number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Argon2d: data-dependent addressing.
    D = 0,
    /// Argon2i: data-independent addressing.
    I = 1,
    /// Argon2id: data-independent for the first half of pass 0.
    Id = 2,
}

/// One 1 KiB Argon2 block, aligned so the AVX2 path can use aligned loads.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub struct Block([u64; WORDS]);

impl Block {
    const ZERO: Block = Block([0; WORDS]);

    fn from_le_bytes(bytes: &[u8; 1024]) -> Block {
        let mut b = Block::ZERO;
        for (w, c) in b.0.iter_mut().zip(bytes.chunks_exact(8)) {
            *w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
        b
    }
}

fn invalid(msg: impl Into<String>) -> TaskError {
    TaskError::new(ErrorCode::InvalidArgValue, msg)
}

/// The inputs of one Argon2 computation (RFC 9106 §3.1).
#[derive(Debug, Clone, Copy)]
pub struct Argon2Input<'a> {
    /// Argon2d, Argon2i or Argon2id.
    pub variant: Variant,
    /// [`VERSION_10`] or [`VERSION_13`].
    pub version: u32,
    /// Memory in KiB, at least 8 × `p`; rounded down to a multiple of 4 × `p`
    /// blocks, as the RFC says.
    pub m_kib: u32,
    /// Passes, at least 1.
    pub t: u32,
    /// Lanes, 1..=2^24 − 1 (computed one after another on this thread).
    pub p: u32,
    /// The password.
    pub pwd: &'a [u8],
    /// The salt.
    pub salt: &'a [u8],
    /// The secret key ("K"), may be empty.
    pub secret: &'a [u8],
    /// The associated data ("X"), may be empty.
    pub ad: &'a [u8],
}

/// Computes the raw Argon2 tag of `input` into `out` (its length is the tag
/// length, 4 bytes or more).
///
/// Errors: `ERR_INVALID_ARG_VALUE` for parameters outside the RFC's ranges,
/// `ERR_LIMIT` when the memory cannot be allocated or an input is over
/// 4 GiB, `ABORT_ERR` (polled every segment and every [`POLL_BLOCKS`]
/// blocks).
pub fn argon2_raw(input: &Argon2Input, out: &mut [u8], cp: &Checkpoint) -> Result<(), TaskError> {
    argon2_raw_with(Kernel::detect(), input, out, cp)
}

/// [`argon2_raw`] with a given compression kernel (for tests and benches).
pub fn argon2_raw_with(
    kernel: Kernel,
    input: &Argon2Input,
    out: &mut [u8],
    cp: &Checkpoint,
) -> Result<(), TaskError> {
    let Argon2Input {
        variant,
        version,
        m_kib,
        t,
        p,
        pwd,
        salt,
        secret,
        ad,
    } = *input;
    if version != VERSION_10 && version != VERSION_13 {
        return Err(invalid(format!("unknown Argon2 version {version:#x}")));
    }
    if !(1..=0x00FF_FFFF).contains(&p) || t == 0 || u64::from(m_kib) < 8 * u64::from(p) {
        return Err(invalid(format!(
            "invalid Argon2 parameters m={m_kib}, t={t}, p={p}"
        )));
    }
    let out_len = u32::try_from(out.len())
        .ok()
        .filter(|&n| n >= 4)
        .ok_or_else(|| invalid("the Argon2 tag must be 4 bytes to 4 GiB"))?;
    let len32 = |s: &[u8], what: &str| {
        u32::try_from(s.len())
            .map_err(|_| TaskError::new(ErrorCode::Limit, format!("Argon2 {what} over 4 GiB")))
    };

    let mut h = Blake2b512::new();
    for v in [p, out_len, m_kib, t, version, variant as u32] {
        h.update(v.to_le_bytes());
    }
    for (s, what) in [
        (pwd, "password"),
        (salt, "salt"),
        (secret, "secret"),
        (ad, "data"),
    ] {
        h.update(len32(s, what)?.to_le_bytes());
        h.update(s);
    }
    let h0: [u8; 64] = h.finalize().into();

    let lanes = p as usize;
    let segment = m_kib as usize / (SYNC_POINTS * lanes);
    let g = Geometry {
        variant,
        xor_later_passes: version == VERSION_13,
        passes: t as usize,
        lanes,
        segment,
        lane_len: segment * SYNC_POINTS,
        blocks: segment * SYNC_POINTS * lanes,
    };
    with_memory(g.blocks, |mem| {
        fill(mem, &g, &h0, kernel, cp)?;
        let mut acc = mem[g.lane_len - 1];
        for l in 1..lanes {
            let last = &mem[l * g.lane_len + g.lane_len - 1];
            for (a, b) in acc.0.iter_mut().zip(last.0.iter()) {
                *a ^= b;
            }
        }
        let mut bytes = [0u8; 1024];
        for (c, w) in bytes.chunks_exact_mut(8).zip(acc.0.iter()) {
            c.copy_from_slice(&w.to_le_bytes());
        }
        blake2b_long(&[&bytes], out);
        Ok(())
    })
}

/// The memory layout and pass rules of one hash.
struct Geometry {
    variant: Variant,
    xor_later_passes: bool,
    passes: usize,
    lanes: usize,
    segment: usize,
    lane_len: usize,
    blocks: usize,
}

fn fill(
    mem: &mut [Block],
    g: &Geometry,
    h0: &[u8; 64],
    kernel: Kernel,
    cp: &Checkpoint,
) -> Result<(), TaskError> {
    let mut bytes = [0u8; 1024];
    for lane in 0..g.lanes {
        for i in 0..2u32 {
            blake2b_long(
                &[h0, &i.to_le_bytes(), &(lane as u32).to_le_bytes()],
                &mut bytes,
            );
            mem[lane * g.lane_len + i as usize] = Block::from_le_bytes(&bytes);
        }
    }
    for pass in 0..g.passes {
        for slice in 0..SYNC_POINTS {
            for lane in 0..g.lanes {
                fill_segment(mem, g, kernel, pass, slice, lane, cp)?;
            }
        }
    }
    Ok(())
}

/// Fills segment `slice` of `lane` in pass `pass` (RFC 9106 §3.4), polling
/// `cp` at its start and every [`POLL_BLOCKS`] blocks.
fn fill_segment(
    mem: &mut [Block],
    g: &Geometry,
    kernel: Kernel,
    pass: usize,
    slice: usize,
    lane: usize,
    cp: &Checkpoint,
) -> Result<(), TaskError> {
    let data_independent =
        g.variant == Variant::I || (g.variant == Variant::Id && pass == 0 && slice < 2);
    let mut input = Block::ZERO;
    let mut addresses = Block::ZERO;
    if data_independent {
        input.0[..6].copy_from_slice(&[
            pass as u64,
            lane as u64,
            slice as u64,
            g.blocks as u64,
            g.passes as u64,
            g.variant as u64,
        ]);
    }
    let first = if pass == 0 && slice == 0 { 2 } else { 0 };
    if data_independent && first != 0 {
        next_addresses(kernel, &mut addresses, &mut input);
    }
    let xor = g.xor_later_passes && pass > 0;
    let n = mem.len();
    let base = mem.as_mut_ptr();
    let segment_start = lane * g.lane_len + slice * g.segment;
    for index in first..g.segment {
        if (index - first) % POLL_BLOCKS == 0 {
            cp.check()?;
        }
        let cur = segment_start + index;
        // The previous block; a lane's first block follows its last.
        let prev = if slice == 0 && index == 0 {
            cur + g.lane_len - 1
        } else {
            cur - 1
        };
        assert!(cur < n && prev < n && prev != cur);
        let rand = if data_independent {
            if index % WORDS == 0 {
                next_addresses(kernel, &mut addresses, &mut input);
            }
            addresses.0[index % WORDS]
        } else {
            // SAFETY: `prev < n` (checked above), and no reference into `mem`
            // is alive (the loop only uses `base`).
            unsafe { (*base.add(prev)).0[0] }
        };
        let refi = ref_index(g, pass, slice, lane, index, rand);
        // Hard checks (one compare each per KiB of work) so the raw pointer
        // accesses below stay in bounds whatever the index arithmetic does.
        assert!(refi < n && refi != cur);
        let last = index + 1 == g.segment;
        if data_independent && !last && (index + 1) % WORDS != 0 {
            let next = ref_index(
                g,
                pass,
                slice,
                lane,
                index + 1,
                addresses.0[(index + 1) % WORDS],
            );
            prefetch_block(base.wrapping_add(next));
        }
        // The next reference depends on the first word of the block being
        // computed: the AVX2 kernel reports it after the first two columns, so
        // the reference block's cache misses overlap the rest of the work.
        let mut early = |word0: u64| {
            if !data_independent && !last {
                let next = ref_index(g, pass, slice, lane, index + 1, word0);
                prefetch_block(base.wrapping_add(next));
            }
        };
        // The three indices are in bounds of `mem` (checked above) and `cur`
        // differs from `prev` and `refi`, so the block written does not
        // overlap the two read; `compress` reads both inputs (and the old
        // destination) before it writes the destination.
        // SAFETY: so `compress`'s contract holds, and no reference into `mem`
        // is alive during the call.
        unsafe {
            kernel.compress(
                base.add(cur),
                base.add(prev),
                base.add(refi),
                xor,
                &mut early,
            )
        };
    }
    Ok(())
}

/// The block that block `index` of this segment references, given its
/// pseudo-random word `rand` (RFC 9106 §3.4.1.2).
#[inline(always)]
fn ref_index(
    g: &Geometry,
    pass: usize,
    slice: usize,
    lane: usize,
    index: usize,
    rand: u64,
) -> usize {
    let ref_lane = if pass == 0 && slice == 0 {
        lane
    } else {
        (rand >> 32) as usize % g.lanes
    };
    // Blocks this one may reference: all finished ones of the lane but
    // the previous block, or the finished segments of another lane
    // (minus its last block while this is a segment's first block).
    let area = if pass == 0 {
        if slice == 0 {
            index - 1
        } else if ref_lane == lane {
            slice * g.segment + index - 1
        } else {
            slice * g.segment - usize::from(index == 0)
        }
    } else if ref_lane == lane {
        g.lane_len - g.segment + index - 1
    } else {
        g.lane_len - g.segment - usize::from(index == 0)
    };
    let j1 = rand & 0xFFFF_FFFF;
    let x = (j1 * j1) >> 32;
    let rel = area - 1 - ((area as u64 * x) >> 32) as usize;
    let start = if pass != 0 && slice != SYNC_POINTS - 1 {
        (slice + 1) * g.segment
    } else {
        0
    };
    ref_lane * g.lane_len + (start + rel) % g.lane_len
}

/// Hints the CPU to start loading the 16 cache lines of `block` (any
/// address: a prefetch never faults).
#[inline(always)]
fn prefetch_block(block: *const Block) {
    #[cfg(target_arch = "x86_64")]
    for line in 0..16 {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: prefetching has no architectural effect and cannot fault,
        // whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(block.cast::<i8>().wrapping_add(64 * line)) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = block;
}

/// The next 128 pseudo-random words of a data-independent segment:
/// G(0, G(0, input)) after incrementing the input block's counter.
fn next_addresses(kernel: Kernel, addresses: &mut Block, input: &mut Block) {
    input.0[6] += 1;
    let zero = Block::ZERO;
    let mut tmp = Block::ZERO;
    // SAFETY: four distinct live locals, each a valid, aligned `Block`.
    unsafe {
        kernel.compress(&mut tmp, &zero, input, false, &mut |_| {});
        kernel.compress(addresses, &zero, &tmp, false, &mut |_| {});
    }
}

/// H' (RFC 9106 §3.3): variable-length BLAKE2b over the concatenated `inputs`,
/// prefixed with the output length; `out` is 1..=2^32 − 1 bytes.
fn blake2b_long(inputs: &[&[u8]], out: &mut [u8]) {
    let len_bytes = (out.len() as u32).to_le_bytes();
    if out.len() <= 64 {
        let mut core = Blake2bVarCore::new(out.len()).expect("1..=64 bytes");
        let mut buf = LazyBuffer::new(&len_bytes);
        for input in inputs {
            buf.digest_blocks(input, |blocks| core.update_blocks(blocks));
        }
        let mut full = Default::default();
        core.finalize_variable_core(&mut buf, &mut full);
        out.copy_from_slice(&full[..out.len()]);
        return;
    }
    let mut h = Blake2b512::new();
    h.update(len_bytes);
    for input in inputs {
        h.update(input);
    }
    let mut v = h.finalize();
    out[..32].copy_from_slice(&v[..32]);
    let mut rest = &mut out[32..];
    while rest.len() > 64 {
        v = Blake2b512::digest(v);
        let (chunk, tail) = rest.split_at_mut(32);
        chunk.copy_from_slice(&v[..32]);
        rest = tail;
    }
    let mut core = Blake2bVarCore::new(rest.len()).expect("1..=64 bytes");
    let mut buf = LazyBuffer::new(&v);
    let mut full = Default::default();
    core.finalize_variable_core(&mut buf, &mut full);
    rest.copy_from_slice(&full[..rest.len()]);
}

// ---------------------------------------------------------------------------
// Block memory
// ---------------------------------------------------------------------------

/// A zero-initialised, 64-byte-aligned heap array of blocks.
struct BlockBuf {
    ptr: NonNull<Block>,
    len: usize,
}

impl BlockBuf {
    /// `len` (> 0) zeroed blocks, or `ERR_LIMIT` if the allocation fails.
    /// `alloc_zeroed` gets fresh pages from the OS for big sizes, so the
    /// zeroing costs nothing until a page is touched.
    fn new(len: usize) -> Result<BlockBuf, TaskError> {
        let limit = || {
            TaskError::new(
                ErrorCode::Limit,
                format!("cannot allocate {len} KiB for Argon2"),
            )
        };
        let layout = Layout::array::<Block>(len).map_err(|_| limit())?;
        assert!(layout.size() > 0);
        // SAFETY: the layout has a non-zero size (asserted above).
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(raw.cast::<Block>()).ok_or_else(limit)?;
        Ok(BlockBuf { ptr, len })
    }

    fn as_mut_slice(&mut self) -> &mut [Block] {
        // SAFETY: `ptr` points to `len` initialised (zeroed, then only ever
        // written with whole blocks) `Block`s owned by `self`, and `&mut self`
        // makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for BlockBuf {
    fn drop(&mut self) {
        let layout = Layout::array::<Block>(self.len).expect("it was allocated");
        // SAFETY: `ptr` was allocated by `alloc_zeroed` with this same layout
        // and is not used after this.
        unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
    }
}

thread_local! {
    /// This thread's reusable block memory (at most [`KEEP_BYTES`]).
    static POOL: RefCell<Option<BlockBuf>> = const { RefCell::new(None) };
    /// Blocks at the start of [`POOL`]'s buffer still holding a finished
    /// hash's memory.
    static DIRTY: Cell<usize> = const { Cell::new(0) };
}

/// Overwrites `blocks` with zeros in a way the optimiser keeps.
fn wipe(blocks: &mut [Block]) {
    use zeroize::Zeroize;
    for b in blocks {
        b.0.zeroize();
    }
}

/// Wipes what the last hashes on this thread left in its pooled memory.
/// Called by the pool after a task's result is posted; cheap when clean.
pub fn wipe_idle_memory() {
    let dirty = DIRTY.try_with(|d| d.replace(0)).unwrap_or(0);
    if dirty == 0 {
        return;
    }
    let _ = POOL.try_with(|p| {
        if let Some(buf) = p.borrow_mut().as_mut() {
            let n = dirty.min(buf.len);
            wipe(&mut buf.as_mut_slice()[..n]);
        }
    });
}

/// True when this thread's pooled memory holds no finished hash's blocks.
#[cfg(test)]
pub(crate) fn memory_is_clean() -> bool {
    DIRTY.with(Cell::get) == 0
        && POOL.with(|p| {
            p.borrow_mut()
                .as_mut()
                .is_none_or(|b| b.as_mut_slice().iter().all(|blk| blk.0 == [0; WORDS]))
        })
}

/// Runs `f` on `blocks` blocks of memory with unspecified contents: this
/// thread's pooled buffer when it is big enough, else a new one, which is kept
/// for the next hash if it is at most [`KEEP_BYTES`] and freed otherwise.
fn with_memory<R>(
    blocks: usize,
    f: impl FnOnce(&mut [Block]) -> Result<R, TaskError>,
) -> Result<R, TaskError> {
    // `try_with`: no pooling (but no panic) during thread teardown.
    let pooled = POOL.try_with(|p| p.borrow_mut().take()).ok().flatten();
    let mut buf = match pooled {
        Some(b) if b.len >= blocks => b,
        other => {
            if let Some(mut small) = other {
                let len = small.len;
                let n = DIRTY.try_with(|d| d.replace(0)).unwrap_or(len);
                wipe(&mut small.as_mut_slice()[..n.min(len)]);
            }
            BlockBuf::new(blocks)?
        }
    };
    let r = f(&mut buf.as_mut_slice()[..blocks]);
    if buf.len * size_of::<Block>() <= KEEP_BYTES {
        let kept = POOL.try_with(|p| *p.borrow_mut() = Some(buf)).is_ok();
        if kept {
            let _ = DIRTY.try_with(|d| d.set(d.get().max(blocks)));
        }
    } else {
        wipe(&mut buf.as_mut_slice()[..blocks]);
    }
    r
}

// ---------------------------------------------------------------------------
// Compression G
// ---------------------------------------------------------------------------

/// Which compression implementation this CPU runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// Portable Rust.
    Scalar,
    /// 256-bit AVX2 (x86-64 only, detected at run time).
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// The fastest kernel this CPU supports (detected once; the standard
    /// library caches the CPUID result).
    pub fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
        Kernel::Scalar
    }

    /// `*dst = P(R) ^ R` with `R = *x ^ *y`, or `*dst ^= P(R) ^ R` when `xor`.
    /// `early` is called once with the result's first word, as soon as it is
    /// known (before the rest of the block is finished on AVX2).
    ///
    /// # Safety
    /// All three pointers must be valid and aligned, `dst` must not overlap
    /// `x` or `y` (which may be the same block), and `Kernel::Avx2` may only
    /// run where AVX2 is available.
    // SAFETY: an unsafe fn; its callers uphold the `# Safety` contract above.
    #[inline]
    unsafe fn compress(
        self,
        dst: *mut Block,
        x: *const Block,
        y: *const Block,
        xor: bool,
        early: &mut dyn FnMut(u64),
    ) {
        match self {
            // SAFETY: forwarded from the caller.
            Kernel::Scalar => unsafe { compress_scalar(dst, x, y, xor, early) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: forwarded from the caller, and `Avx2` is only chosen by
            // `detect` on CPUs that have AVX2.
            Kernel::Avx2 => unsafe { avx2::compress(dst, x, y, xor, early) },
        }
    }
}

#[inline(always)]
fn blamka(a: u64, b: u64) -> u64 {
    let m = (a & 0xFFFF_FFFF) * (b & 0xFFFF_FFFF);
    a.wrapping_add(b).wrapping_add(m.wrapping_add(m))
}

/// One BlaMka G on four words of a block.
macro_rules! gs {
    ($a:expr, $b:expr, $c:expr, $d:expr) => {
        $a = blamka($a, $b);
        $d = ($d ^ $a).rotate_right(32);
        $c = blamka($c, $d);
        $b = ($b ^ $c).rotate_right(24);
        $a = blamka($a, $b);
        $d = ($d ^ $a).rotate_right(16);
        $c = blamka($c, $d);
        $b = ($b ^ $c).rotate_right(63);
    };
}

/// The BLAKE2b-style permutation P on 16 words of `$q` at the given indices.
macro_rules! permute {
    ($q:ident, $v0:expr, $v1:expr, $v2:expr, $v3:expr, $v4:expr, $v5:expr, $v6:expr, $v7:expr,
     $v8:expr, $v9:expr, $v10:expr, $v11:expr, $v12:expr, $v13:expr, $v14:expr, $v15:expr) => {
        gs!($q[$v0], $q[$v4], $q[$v8], $q[$v12]);
        gs!($q[$v1], $q[$v5], $q[$v9], $q[$v13]);
        gs!($q[$v2], $q[$v6], $q[$v10], $q[$v14]);
        gs!($q[$v3], $q[$v7], $q[$v11], $q[$v15]);
        gs!($q[$v0], $q[$v5], $q[$v10], $q[$v15]);
        gs!($q[$v1], $q[$v6], $q[$v11], $q[$v12]);
        gs!($q[$v2], $q[$v7], $q[$v8], $q[$v13]);
        gs!($q[$v3], $q[$v4], $q[$v9], $q[$v14]);
    };
}

/// Portable G.
///
/// # Safety
/// As [`Kernel::compress`].
unsafe fn compress_scalar(
    dst: *mut Block,
    x: *const Block,
    y: *const Block,
    xor: bool,
    early: &mut dyn FnMut(u64),
) {
    let mut r = [0u64; WORDS];
    // SAFETY: the caller guarantees valid, aligned blocks that `dst` does not
    // overlap, and these shared references end before `dst` is written.
    let (xb, yb) = unsafe { (&(*x).0, &(*y).0) };
    for i in 0..WORDS {
        r[i] = xb[i] ^ yb[i];
    }
    let mut q = r;
    for c in q.chunks_exact_mut(16) {
        let c: &mut [u64; 16] = c.try_into().expect("16 words");
        permute!(c, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    }
    for i in 0..8 {
        let b = 2 * i;
        permute!(
            q,
            b,
            b + 1,
            b + 16,
            b + 17,
            b + 32,
            b + 33,
            b + 48,
            b + 49,
            b + 64,
            b + 65,
            b + 80,
            b + 81,
            b + 96,
            b + 97,
            b + 112,
            b + 113
        );
    }
    // SAFETY: `dst` is valid and aligned, and the inputs are no longer read.
    let d = unsafe { &mut (*dst).0 };
    if xor {
        for i in 0..WORDS {
            d[i] ^= q[i] ^ r[i];
        }
    } else {
        for i in 0..WORDS {
            d[i] = q[i] ^ r[i];
        }
    }
    early(d[0]);
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! G with AVX2: a P input v0..v15 is held as A = v0..v3, B = v4..v7,
    //! C = v8..v11, D = v12..v15, so the four column G's of P run lane-wise;
    //! rotating B, C, D by 1, 2, 3 lanes lines up the diagonals for the
    //! second four G's. A row of the block is 16 contiguous words; for the
    //! column pass, two neighbouring columns (word pairs 2j, 2j+1 and
    //! 2j+2, 2j+3 of each row) are loaded as one 256-bit vector per row and
    //! split into two P inputs with 128-bit lane permutes.

    use super::Block;
    use core::arch::x86_64::*;

    macro_rules! blamka {
        ($a:expr, $b:expr) => {{
            let m = _mm256_mul_epu32($a, $b);
            _mm256_add_epi64(_mm256_add_epi64($a, $b), _mm256_add_epi64(m, m))
        }};
    }

    macro_rules! g_half {
        ($a:ident, $b:ident, $c:ident, $d:ident, $r16:ident, $r24:ident) => {
            $a = blamka!($a, $b);
            $d = _mm256_shuffle_epi32::<0b10_11_00_01>(_mm256_xor_si256($d, $a));
            $c = blamka!($c, $d);
            $b = _mm256_shuffle_epi8(_mm256_xor_si256($b, $c), $r24);
            $a = blamka!($a, $b);
            $d = _mm256_shuffle_epi8(_mm256_xor_si256($d, $a), $r16);
            $c = blamka!($c, $d);
            $b = _mm256_xor_si256($b, $c);
            $b = _mm256_xor_si256(_mm256_srli_epi64::<63>($b), _mm256_add_epi64($b, $b));
        };
    }

    /// P on two independent inputs at once (for instruction-level parallelism).
    macro_rules! permute2 {
        ($a0:ident, $b0:ident, $c0:ident, $d0:ident,
         $a1:ident, $b1:ident, $c1:ident, $d1:ident, $r16:ident, $r24:ident) => {
            g_half!($a0, $b0, $c0, $d0, $r16, $r24);
            g_half!($a1, $b1, $c1, $d1, $r16, $r24);
            $b0 = _mm256_permute4x64_epi64::<0b00_11_10_01>($b0);
            $c0 = _mm256_permute4x64_epi64::<0b01_00_11_10>($c0);
            $d0 = _mm256_permute4x64_epi64::<0b10_01_00_11>($d0);
            $b1 = _mm256_permute4x64_epi64::<0b00_11_10_01>($b1);
            $c1 = _mm256_permute4x64_epi64::<0b01_00_11_10>($c1);
            $d1 = _mm256_permute4x64_epi64::<0b10_01_00_11>($d1);
            g_half!($a0, $b0, $c0, $d0, $r16, $r24);
            g_half!($a1, $b1, $c1, $d1, $r16, $r24);
            $b0 = _mm256_permute4x64_epi64::<0b10_01_00_11>($b0);
            $c0 = _mm256_permute4x64_epi64::<0b01_00_11_10>($c0);
            $d0 = _mm256_permute4x64_epi64::<0b00_11_10_01>($d0);
            $b1 = _mm256_permute4x64_epi64::<0b10_01_00_11>($b1);
            $c1 = _mm256_permute4x64_epi64::<0b01_00_11_10>($c1);
            $d1 = _mm256_permute4x64_epi64::<0b00_11_10_01>($d1);
        };
    }

    /// G with AVX2.
    ///
    /// # Safety
    /// As `Kernel::compress`, and the CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn compress(
        dst: *mut Block,
        x: *const Block,
        y: *const Block,
        xor: bool,
        early: &mut dyn FnMut(u64),
    ) {
        let (xp, yp, dp) = (
            x.cast::<__m256i>(),
            y.cast::<__m256i>(),
            dst.cast::<__m256i>(),
        );
        let r24 = _mm256_setr_epi8(
            3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12,
            13, 14, 15, 8, 9, 10,
        );
        let r16 = _mm256_setr_epi8(
            2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11,
            12, 13, 14, 15, 8, 9,
        );
        // q: the working state; keep: R (XOR the old destination) for the end.
        let mut q = [_mm256_setzero_si256(); 32];
        let mut keep = [_mm256_setzero_si256(); 32];
        for i in 0..32 {
            // SAFETY: `x`, `y` (and `dst`) are valid, 64-byte-aligned blocks of
            // 32 vectors (caller's contract), and `i < 32`.
            let v = unsafe {
                _mm256_xor_si256(_mm256_load_si256(xp.add(i)), _mm256_load_si256(yp.add(i)))
            };
            q[i] = v;
            keep[i] = if xor {
                // SAFETY: as above.
                unsafe { _mm256_xor_si256(v, _mm256_load_si256(dp.add(i))) }
            } else {
                v
            };
        }
        // Rows, two at a time: row i is q[4i..4i + 4].
        for i in (0..8).step_by(2) {
            let (mut a0, mut b0, mut c0, mut d0) =
                (q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3]);
            let (mut a1, mut b1, mut c1, mut d1) =
                (q[4 * i + 4], q[4 * i + 5], q[4 * i + 6], q[4 * i + 7]);
            permute2!(a0, b0, c0, d0, a1, b1, c1, d1, r16, r24);
            q[4 * i] = a0;
            q[4 * i + 1] = b0;
            q[4 * i + 2] = c0;
            q[4 * i + 3] = d0;
            q[4 * i + 4] = a1;
            q[4 * i + 5] = b1;
            q[4 * i + 6] = c1;
            q[4 * i + 7] = d1;
        }
        // Columns 2jj and 2jj + 1: q[4k + jj] holds both for row k.
        for jj in 0..4 {
            let l = |k: usize| q[4 * k + jj];
            let mut a0 = _mm256_permute2x128_si256::<0x20>(l(0), l(1));
            let mut a1 = _mm256_permute2x128_si256::<0x31>(l(0), l(1));
            let mut b0 = _mm256_permute2x128_si256::<0x20>(l(2), l(3));
            let mut b1 = _mm256_permute2x128_si256::<0x31>(l(2), l(3));
            let mut c0 = _mm256_permute2x128_si256::<0x20>(l(4), l(5));
            let mut c1 = _mm256_permute2x128_si256::<0x31>(l(4), l(5));
            let mut d0 = _mm256_permute2x128_si256::<0x20>(l(6), l(7));
            let mut d1 = _mm256_permute2x128_si256::<0x31>(l(6), l(7));
            permute2!(a0, b0, c0, d0, a1, b1, c1, d1, r16, r24);
            let rows = [
                _mm256_permute2x128_si256::<0x20>(a0, a1),
                _mm256_permute2x128_si256::<0x31>(a0, a1),
                _mm256_permute2x128_si256::<0x20>(b0, b1),
                _mm256_permute2x128_si256::<0x31>(b0, b1),
                _mm256_permute2x128_si256::<0x20>(c0, c1),
                _mm256_permute2x128_si256::<0x31>(c0, c1),
                _mm256_permute2x128_si256::<0x20>(d0, d1),
                _mm256_permute2x128_si256::<0x31>(d0, d1),
            ];
            for (k, v) in rows.into_iter().enumerate() {
                let i = 4 * k + jj;
                let out = _mm256_xor_si256(v, keep[i]);
                // SAFETY: `dst` is a valid, aligned block of 32 vectors and
                // `i < 32`; the inputs were all read in the first loop.
                unsafe { _mm256_store_si256(dp.add(i), out) };
                if i == 0 {
                    early(_mm256_extract_epi64::<0>(out) as u64);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
