//! A bcrypt computation as a job: validated and copied in on the JS thread,
//! run alone or interleaved with up to `MAX_LANES` others of the same cost.

use super::*;

/// One bcrypt computation with everything it needs copied in (the key
/// stream, salt and cost), so it can wait in a queue and run on any thread,
/// alone ([`BcryptJob::run`]) or interleaved with others of the same cost
/// ([`BcryptJob::run_lanes`]).
pub struct BcryptJob {
    pub(super) key: BcryptKey,
    pub(super) cost: u32,
    pub(super) minor: u8,
    pub(super) salt: [u8; 16],
    /// `verify`: the hash to compare the result with.
    pub(super) expected: Option<String>,
    /// Rounds done so far, as a fraction of [`BcryptJob::PROGRESS_ONE`],
    /// updated at every checkpoint (every 256 rounds) when present.
    pub(super) progress: Option<Arc<AtomicU32>>,
}

/// What a [`BcryptJob`] produces.
#[derive(Debug, PartialEq, Eq)]
pub enum BcryptOutcome {
    /// A new hash string.
    Hash(String),
    /// Whether the password matched the expected hash.
    Verified(bool),
}

impl BcryptJob {
    /// Most jobs [`BcryptJob::run_lanes`] computes at once.
    pub const MAX_LANES: usize = eksblowfish::MAX_LANES;

    /// The value of a progress counter once every round is done.
    pub const PROGRESS_ONE: u32 = 1 << 24;

    /// Validates the password against `policy` and builds the job. Cheap
    /// enough for the JS thread: it copies at most 72 password bytes; no
    /// Blowfish work runs until [`BcryptJob::run`].
    pub(super) fn new(
        password: &[u8],
        cost: u32,
        salt: [u8; 16],
        minor: u8,
        policy: BcryptPasswordPolicy,
        expected: Option<String>,
    ) -> Result<Self, TaskError> {
        check_bcrypt_cost(cost)?;
        if policy != BcryptPasswordPolicy::Permissive && password.contains(&0) {
            return Err(TaskError::new(
                ErrorCode::InvalidPassword,
                "bcrypt passwords cannot contain a NUL byte",
            ));
        }
        if policy == BcryptPasswordPolicy::Strict && password.len() > BCRYPT_MAX_PASSWORD_BYTES {
            return Err(TaskError::new(
                ErrorCode::PasswordTooLong,
                format!(
                    "bcrypt uses at most 72 bytes of password, got {} (set truncate to hash only the first 72)",
                    password.len()
                ),
            ));
        }
        Ok(BcryptJob {
            key: bcrypt_key(password, minor == b'x'),
            cost,
            minor,
            salt,
            expected,
            progress: None,
        })
    }

    /// Makes the job report its progress into `counter` (see
    /// [`BcryptJob::PROGRESS_ONE`]).
    pub fn with_progress(mut self, counter: Arc<AtomicU32>) -> Self {
        self.progress = Some(counter);
        self
    }

    /// The job for [`hash`] with `opts`, or `None` when `opts` is not bcrypt.
    pub fn for_hash(password: &[u8], opts: &HashOptions) -> Result<Option<Self>, TaskError> {
        if opts.algorithm != Algorithm::Bcrypt {
            return Ok(None);
        }
        check_bcrypt_cost(opts.cost)?;
        let policy = if opts.truncate {
            BcryptPasswordPolicy::Truncate
        } else {
            BcryptPasswordPolicy::Strict
        };
        let salt = random_bytes::<16>()?;
        Self::new(
            password,
            opts.cost,
            salt,
            opts.version.minor(),
            policy,
            None,
        )
        .map(Some)
    }

    /// The job for [`verify`] against a bcrypt `hash`, or `None` when `hash`
    /// is not a bcrypt hash (`$2…`).
    pub fn for_verify(password: &[u8], hash: &str) -> Result<Option<Self>, TaskError> {
        if !hash.starts_with("$2") {
            return Ok(None);
        }
        let (minor, cost, salt) = parse_bcrypt_hash(hash)?;
        let permissive = BcryptPasswordPolicy::Permissive;
        Self::new(
            password,
            cost,
            salt,
            minor,
            permissive,
            Some(hash.to_owned()),
        )
        .map(Some)
    }

    /// The job for [`bcrypt_hash_with_salt_string`].
    pub fn for_salt_string(
        password: &[u8],
        salt: &str,
        policy: BcryptPasswordPolicy,
    ) -> Result<Self, TaskError> {
        let b = salt.as_bytes();
        let bad = || invalid_arg(INVALID_SALT_MESSAGE);
        if b.len() < 29 || !salt.is_ascii() {
            return Err(bad());
        }
        let (minor, cost) = parse_bcrypt_prefix(&b[..7]).ok_or_else(bad)?;
        if minor == b'x' {
            return Err(bad());
        }
        let raw_salt = bcrypt_b64_decode_salt(&b[7..29]).ok_or_else(bad)?;
        Self::new(password, cost, raw_salt, minor, policy, None)
    }

    /// The cost (log2 rounds); only jobs of equal cost share a batch.
    pub fn cost(&self) -> u32 {
        self.cost
    }

    /// Runs the job on the calling thread.
    pub fn run(self, cp: &Checkpoint) -> Result<BcryptOutcome, TaskError> {
        Self::run_lanes(vec![self], std::slice::from_ref(cp))
            .pop()
            .expect("one result per job")
    }

    /// Runs up to [`BcryptJob::MAX_LANES`] jobs of the same cost interleaved
    /// on the calling thread (≈ 2.8× the throughput of running them one
    /// after another). `cps[i]` is job i's checkpoint, polled every 256
    /// rounds: a cancelled job leaves the batch and the others go on.
    /// Returns one result per job, in order.
    ///
    /// # Panics
    /// If `jobs` is empty, longer than `MAX_LANES`, of mixed costs, or not
    /// as long as `cps`.
    pub fn run_lanes(
        jobs: Vec<BcryptJob>,
        cps: &[Checkpoint],
    ) -> Vec<Result<BcryptOutcome, TaskError>> {
        assert!(!jobs.is_empty() && jobs.len() <= Self::MAX_LANES && jobs.len() == cps.len());
        let cost = jobs[0].cost;
        assert!(jobs.iter().all(|j| j.cost == cost), "mixed bcrypt costs");
        let mut results: Vec<Option<Result<BcryptOutcome, TaskError>>> =
            jobs.iter().map(|_| None).collect();
        let mut live: Vec<usize> = (0..jobs.len()).collect();
        let mut meta = Vec::with_capacity(jobs.len());
        let mut states = Vec::with_capacity(jobs.len());
        let mut progress = Vec::with_capacity(jobs.len());
        for job in jobs {
            states.push(EksState::new(&job.key.initial[..job.key.len], &job.salt));
            meta.push((job.minor, job.salt, job.expected));
            progress.push(job.progress);
        }
        let rounds: u64 = 1u64 << cost;
        let mut done = 0;
        loop {
            let mut k = 0;
            while k < live.len() {
                if let Err(e) = cps[live[k]].check() {
                    results[live[k]] = Some(Err(e));
                    live.remove(k);
                    states.remove(k);
                } else {
                    k += 1;
                }
            }
            if live.is_empty() || done == rounds {
                break;
            }
            // 256 rounds ≈ 17 ms for one lane on the reference machine.
            let chunk = (rounds - done).min(256);
            eksblowfish::run_rounds(&mut states, chunk);
            done += chunk;
            let fraction = ((done << 24) / rounds) as u32;
            for &i in &live {
                if let Some(p) = &progress[i] {
                    p.store(fraction, Ordering::Relaxed);
                }
            }
        }
        for (state, i) in states.iter().zip(live) {
            let (minor, salt, expected) = &meta[i];
            let mut out = state.digest();
            let mut s = String::with_capacity(60);
            s.push_str("$2");
            s.push(*minor as char);
            s.push_str(&format!("${cost:02}$"));
            bcrypt_b64_encode(salt, &mut s);
            bcrypt_b64_encode(&out[..23], &mut s);
            out.zeroize();
            results[i] = Some(Ok(match expected {
                Some(h) => BcryptOutcome::Verified(s.as_bytes().ct_eq(h.as_bytes()).into()),
                None => BcryptOutcome::Hash(s),
            }));
        }
        results
            .into_iter()
            .map(|r| r.expect("every job settled"))
            .collect()
    }
}

pub(super) fn expect_hash(r: Result<BcryptOutcome, TaskError>) -> Result<String, TaskError> {
    match r? {
        BcryptOutcome::Hash(s) => Ok(s),
        BcryptOutcome::Verified(_) => unreachable!("a hash job verified"),
    }
}
