//! Argon2 PHC strings: parameters from options, hashing to a PHC string,
//! parsing and verifying one (limits checked before anything is allocated).

use super::*;

pub(super) fn argon2_params_from_opts(opts: &HashOptions) -> Result<Params, TaskError> {
    let (m, t, p) = (opts.memory_cost, opts.time_cost, opts.parallelism);
    if !(1..=ARGON2_MAX_PARALLELISM).contains(&p) {
        return Err(TaskError::int_range(
            "options.parallelism",
            1,
            ARGON2_MAX_PARALLELISM,
            p,
        ));
    }
    if !(1..=ARGON2_MAX_TIME_COST).contains(&t) {
        return Err(TaskError::int_range(
            "options.timeCost",
            1,
            ARGON2_MAX_TIME_COST,
            t,
        ));
    }
    let min_m = 8u64 * u64::from(p);
    if u64::from(m) < min_m || m > ARGON2_MAX_MEMORY_COST {
        return Err(TaskError::int_range(
            "options.memoryCost",
            format_args!("8 × parallelism ({min_m})"),
            ARGON2_MAX_MEMORY_COST,
            m,
        ));
    }
    Params::new(m, t, p, Some(ARGON2_OUTPUT_LEN))
        .map_err(|e| invalid_arg(format!("invalid Argon2 parameters: {e}")))
}

pub(super) fn check_password_len_argon2(password: &[u8]) -> Result<(), TaskError> {
    if u32::try_from(password.len()).is_err() {
        return Err(TaskError::new(
            ErrorCode::Limit,
            "Argon2 passwords are limited to 4 GiB",
        ));
    }
    Ok(())
}

pub(super) fn argon2_encode_error(e: impl std::fmt::Display) -> TaskError {
    // Parameters and salt were validated before; this does not happen.
    TaskError::new(
        ErrorCode::Encode,
        format!("Argon2 PHC encoding failed: {e}"),
    )
}

pub(super) fn argon2id_hash(
    password: &[u8],
    salt: &[u8],
    params: Params,
    cp: &Checkpoint,
) -> Result<String, TaskError> {
    check_password_len_argon2(password)?;
    cp.check()?;
    let mut tag = [0u8; ARGON2_OUTPUT_LEN];
    argon2_raw(
        &Argon2Input {
            variant: Variant::Id,
            version: VERSION_13,
            m_kib: params.m_cost(),
            t: params.t_cost(),
            p: params.p_cost(),
            pwd: password,
            salt,
            secret: &[],
            ad: &[],
        },
        &mut tag,
        cp,
    )?;
    cp.check()?;
    let ph = PasswordHash {
        algorithm: ::argon2::Algorithm::Argon2id.ident(),
        version: Some(VERSION_13),
        params: ParamsString::try_from(&params).map_err(argon2_encode_error)?,
        salt: Some(Salt::new(salt).map_err(argon2_encode_error)?),
        hash: Some(Output::new(&tag).map_err(argon2_encode_error)?),
    };
    tag.zeroize();
    Ok(ph.to_string())
}

/// Recomputes the tag of a parsed (and limit-checked) Argon2 hash and
/// compares it with the stored one in constant time.
pub(super) fn argon2_verify(
    password: &[u8],
    ph: &PasswordHash,
    info: &Argon2Info,
    cp: &Checkpoint,
) -> Result<bool, TaskError> {
    let (Some(salt), Some(expected)) = (&ph.salt, &ph.hash) else {
        return Err(invalid_hash("the Argon2 PHC string has no salt or no hash"));
    };
    if salt.len() < 8 {
        return Err(invalid_hash("Argon2 hash rejected: salt too short"));
    }
    let variant = match info.algorithm {
        "argon2id" => Variant::Id,
        "argon2i" => Variant::I,
        _ => Variant::D,
    };
    // An absent `v=` is v=19 here, as in the `argon2` crate's verify.
    let version = if ph.version == Some(16) {
        VERSION_10
    } else {
        VERSION_13
    };
    let mut buf = [0u8; Output::MAX_LENGTH];
    let tag = &mut buf[..expected.len()];
    argon2_raw(
        &Argon2Input {
            variant,
            version,
            m_kib: info.m,
            t: info.t,
            p: info.p,
            pwd: password,
            salt,
            secret: &[],
            ad: &info.data,
        },
        tag,
        cp,
    )?;
    cp.check()?;
    let ok = tag.ct_eq(expected.as_bytes()).into();
    buf.zeroize();
    Ok(ok)
}

pub(super) struct Argon2Info {
    pub(super) algorithm: &'static str,
    pub(super) version: u32,
    pub(super) m: u32,
    pub(super) t: u32,
    pub(super) p: u32,
    /// The PHC `data` parameter (Argon2's associated data), possibly empty.
    pub(super) data: Vec<u8>,
}

pub(super) fn parse_phc(hash: &str) -> Result<PasswordHash, TaskError> {
    let ph = PasswordHash::new(hash)
        .map_err(|e| invalid_hash(format!("malformed Argon2 PHC string: {e}")))?;
    if ph.salt.is_none() || ph.hash.is_none() {
        return Err(invalid_hash("the Argon2 PHC string has no salt or no hash"));
    }
    Ok(ph)
}

pub(super) fn argon2_info(ph: &PasswordHash) -> Result<Argon2Info, TaskError> {
    let algorithm = match ph.algorithm.as_str() {
        "argon2id" => "argon2id",
        "argon2i" => "argon2i",
        "argon2d" => "argon2d",
        other => return Err(invalid_hash(format!("unknown algorithm {other:?}"))),
    };
    let version = match ph.version {
        None | Some(16) => 16,
        Some(19) => 19,
        Some(v) => return Err(invalid_hash(format!("unknown Argon2 version {v}"))),
    };
    let params =
        Params::try_from(ph).map_err(|e| invalid_hash(format!("bad Argon2 parameters: {e}")))?;
    Ok(Argon2Info {
        algorithm,
        version,
        m: params.m_cost(),
        t: params.t_cost(),
        p: params.p_cost(),
        data: params.data().to_vec(),
    })
}

pub(super) fn check_argon2_verify_limits(info: &Argon2Info) -> Result<(), TaskError> {
    if info.m > ARGON2_MAX_MEMORY_COST || info.t > ARGON2_MAX_TIME_COST {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!(
                "Argon2 hash needs m={} KiB, t={}: over this kernel's limits ({} KiB, {} passes)",
                info.m, info.t, ARGON2_MAX_MEMORY_COST, ARGON2_MAX_TIME_COST
            ),
        ));
    }
    Ok(())
}
