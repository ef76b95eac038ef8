//! `jmlog annotate` (being written).

use crate::cli::AnnotateArgs;
use crate::exit::Outcome;
use crate::render::Look;

pub fn run(_args: &AnnotateArgs, _look: Look) -> anyhow::Result<Outcome> {
    anyhow::bail!("annotate is not written yet")
}
