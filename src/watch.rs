//! `jmlog watch` (being written).

use crate::cli::WatchArgs;
use crate::exit::Outcome;
use crate::render::Look;

pub fn run(_args: &WatchArgs, _look: Look) -> anyhow::Result<Outcome> {
    anyhow::bail!("watch is not written yet")
}
