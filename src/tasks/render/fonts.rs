//! Process-wide font databases.
//!
//! Two databases are kept, both shared by every thread through `Arc`s:
//! - *bundled*: the embedded DejaVu Sans plus fonts added with [`register_font`];
//!   deterministic, independent of the machine.
//! - *system*: the same plus the machine's fonts (`load_system_fonts`), scanned
//!   once per process, lazily, the first time a render asks for it.
//!
//! Growing is copy-on-write: [`register_font`] takes the write lock and calls
//! `Arc::make_mut`, so renders that already hold an `Arc<Database>` keep their
//! snapshot and new renders see the new fonts.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use fontdb::{Database, Family, Source};

use crate::tasks::{ErrorCode, TaskError};

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `fonts/LICENSE-DejaVuSans.txt`).
pub(crate) static BUNDLED_FONT: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");

/// Family name of the embedded font.
pub const BUNDLED_FAMILY: &str = "DejaVu Sans";

/// Maximum size of one font passed to [`register_font`].
pub const MAX_FONT_BYTES: usize = 64 * 1024 * 1024;

struct State {
    bundled: Arc<Database>,
    system: Option<Arc<Database>>,
    registered: Vec<Arc<Vec<u8>>>,
}

static STATE: RwLock<Option<State>> = RwLock::new(None);
/// The machine's fonts, scanned at most once per process.
static SYSTEM_SCAN: OnceLock<Database> = OnceLock::new();
/// Serialises writers (registration, lazy system merge) so no update is lost.
static WRITER: Mutex<()> = Mutex::new(());

fn bundled_db() -> Database {
    let mut db = Database::new();
    db.load_font_source(Source::Binary(Arc::new(BUNDLED_FONT)));
    set_generic_families(&mut db);
    db
}

/// Maps the CSS generic families to the first installed candidate, else to the
/// bundled font (so `serif`/`monospace` still render text with no fonts installed).
fn set_generic_families(db: &mut Database) {
    let pick = |db: &Database, candidates: &[&str]| -> String {
        candidates
            .iter()
            .find(|name| {
                db.faces()
                    .any(|f| f.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
            })
            .map(|s| s.to_string())
            .unwrap_or_else(|| BUNDLED_FAMILY.to_string())
    };
    let sans = pick(db, &[BUNDLED_FAMILY]);
    let serif = pick(
        db,
        &[
            "DejaVu Serif",
            "Liberation Serif",
            "Times New Roman",
            "Noto Serif",
        ],
    );
    let mono = pick(
        db,
        &[
            "DejaVu Sans Mono",
            "Liberation Mono",
            "Courier New",
            "Noto Sans Mono",
        ],
    );
    let cursive = pick(db, &["Comic Sans MS", "Comic Neue"]);
    let fantasy = pick(db, &["Impact"]);
    db.set_sans_serif_family(sans);
    db.set_serif_family(serif);
    db.set_monospace_family(mono);
    db.set_cursive_family(cursive);
    db.set_fantasy_family(fantasy);
}

fn with_state<R>(f: impl FnOnce(&State) -> R) -> R {
    {
        let guard = STATE.read().unwrap_or_else(|p| p.into_inner());
        if let Some(state) = guard.as_ref() {
            return f(state);
        }
    }
    let _w = WRITER.lock().unwrap_or_else(|p| p.into_inner());
    {
        let mut guard = STATE.write().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(State {
                bundled: Arc::new(bundled_db()),
                system: None,
                registered: Vec::new(),
            });
        }
    }
    let guard = STATE.read().unwrap_or_else(|p| p.into_inner());
    f(guard.as_ref().expect("initialised above"))
}

/// A snapshot of the shared database: bundled + registered fonts, plus the
/// machine's fonts when `system` is true. Cheap (an `Arc` clone) after the
/// first call.
pub fn database(system: bool) -> Arc<Database> {
    if !system {
        return with_state(|s| s.bundled.clone());
    }
    if let Some(db) = with_state(|s| s.system.clone()) {
        return db;
    }
    // First system request: scan outside the state lock (can take a while).
    let scan = SYSTEM_SCAN.get_or_init(|| {
        let mut db = Database::new();
        db.load_system_fonts();
        db
    });
    let _w = WRITER.lock().unwrap_or_else(|p| p.into_inner());
    let mut guard = STATE.write().unwrap_or_else(|p| p.into_inner());
    let state = guard.as_mut().expect("initialised by with_state");
    if let Some(db) = &state.system {
        return db.clone();
    }
    let mut db = scan.clone();
    db.load_font_source(Source::Binary(Arc::new(BUNDLED_FONT)));
    for data in &state.registered {
        db.load_font_source(Source::Binary(data.clone()));
    }
    set_generic_families(&mut db);
    let db = Arc::new(db);
    state.system = Some(db.clone());
    db
}

/// Adds a TrueType/OpenType font (or collection) to the shared databases and
/// returns how many faces it added. Renders already running keep their snapshot.
///
/// Errors: `ERR_LIMIT` over [`MAX_FONT_BYTES`], `ERR_DECODE` if no face parses.
pub fn register_font(data: Vec<u8>) -> Result<usize, TaskError> {
    if data.len() > MAX_FONT_BYTES {
        return Err(TaskError::new(
            ErrorCode::Limit,
            format!("font is {} bytes, limit {MAX_FONT_BYTES}", data.len()),
        ));
    }
    let data = Arc::new(data);
    // Parse into a scratch database first to count (and validate) faces.
    let mut probe = Database::new();
    let added = probe.load_font_source(Source::Binary(data.clone())).len();
    if added == 0 {
        return Err(TaskError::new(
            ErrorCode::Decode,
            "font data is not a parseable TrueType/OpenType font",
        ));
    }
    with_state(|_| ());
    let _w = WRITER.lock().unwrap_or_else(|p| p.into_inner());
    let mut guard = STATE.write().unwrap_or_else(|p| p.into_inner());
    let state = guard.as_mut().expect("initialised by with_state");
    for db in [Some(&mut state.bundled), state.system.as_mut()]
        .into_iter()
        .flatten()
    {
        let db = Arc::make_mut(db);
        db.load_font_source(Source::Binary(data.clone()));
        set_generic_families(db);
    }
    state.registered.push(data);
    Ok(added)
}

/// usvg font selector: the requested families, then the bundled sans-serif.
/// Never returns `None` while the bundled font is in the database, so text is
/// always drawn; a warning is pushed when the requested families are missing.
/// Both selectors are interruption points of a cancelled render (see
/// [`crate::tasks::interrupt`]).
pub(crate) fn font_resolver(warnings: Arc<Mutex<Vec<String>>>) -> usvg::FontResolver<'static> {
    usvg::FontResolver {
        select_font: Box::new(move |font, db| {
            crate::tasks::interrupt::poll();
            let families: Vec<Family> = font
                .families()
                .iter()
                .map(|f| match f {
                    usvg::FontFamily::Serif => Family::Serif,
                    usvg::FontFamily::SansSerif => Family::SansSerif,
                    usvg::FontFamily::Cursive => Family::Cursive,
                    usvg::FontFamily::Fantasy => Family::Fantasy,
                    usvg::FontFamily::Monospace => Family::Monospace,
                    usvg::FontFamily::Named(s) => Family::Name(s),
                })
                .collect();
            let stretch = match font.stretch() {
                usvg::FontStretch::UltraCondensed => fontdb::Stretch::UltraCondensed,
                usvg::FontStretch::ExtraCondensed => fontdb::Stretch::ExtraCondensed,
                usvg::FontStretch::Condensed => fontdb::Stretch::Condensed,
                usvg::FontStretch::SemiCondensed => fontdb::Stretch::SemiCondensed,
                usvg::FontStretch::Normal => fontdb::Stretch::Normal,
                usvg::FontStretch::SemiExpanded => fontdb::Stretch::SemiExpanded,
                usvg::FontStretch::Expanded => fontdb::Stretch::Expanded,
                usvg::FontStretch::ExtraExpanded => fontdb::Stretch::ExtraExpanded,
                usvg::FontStretch::UltraExpanded => fontdb::Stretch::UltraExpanded,
            };
            let style = match font.style() {
                usvg::FontStyle::Normal => fontdb::Style::Normal,
                usvg::FontStyle::Italic => fontdb::Style::Italic,
                usvg::FontStyle::Oblique => fontdb::Style::Oblique,
            };
            let query = |families: &[Family]| {
                db.query(&fontdb::Query {
                    families,
                    weight: fontdb::Weight(font.weight()),
                    stretch,
                    style,
                })
            };
            if !families.is_empty() {
                if let Some(id) = query(&families) {
                    return Some(id);
                }
            }
            let fallback = query(&[Family::SansSerif]);
            let names: Vec<String> = font.families().iter().map(|f| f.to_string()).collect();
            if let Ok(mut w) = warnings.lock() {
                let msg = format!(
                    "font-family '{}' not found; using {}",
                    names.join(", "),
                    db.family_name(&Family::SansSerif)
                );
                if !w.contains(&msg) {
                    w.push(msg);
                }
            }
            fallback.or_else(|| db.faces().next().map(|f| f.id))
        }),
        select_fallback: {
            let default = usvg::FontResolver::default_fallback_selector();
            Box::new(move |c, used, db| {
                crate::tasks::interrupt::poll();
                default(c, used, db)
            })
        },
    }
}
