//! The one integration-test binary: every module below links once against `tradepipe`.

mod mock;
mod util;

mod bad_input;
mod browser;
mod cli;
mod complexity;
mod conversion;
mod crash;
mod cross_check;
mod errors;
mod examples;
mod gates;
mod http;
mod mirror;
mod normalize;
mod ops;
mod pipeline;
mod product;
mod product_check;
mod quantities;
mod real_values;
mod reference_check;
mod reproduce;
mod sources;
mod spark;
