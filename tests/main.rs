//! The one integration-test binary: every module below links once against `tradepipe`.

mod util;

mod cli;
mod cross_check;
mod pipeline;
