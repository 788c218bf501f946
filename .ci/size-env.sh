# Sourced by .ci/serve and .ci/bench: the page's release wasm (and the wasm benchmark, which must
# measure the engine the page ships) is built with std itself rebuilt for size (BENCHMARKS.md, stop 23):
#   - std, core and alloc from rust-src at the release profile's opt-level "z", with std's own
#     `optimize_for_size` algorithms (small sorts, formatting, ...);
#   - panic=immediate-abort: a panic traps at once (`unreachable`) instead of formatting its message;
#     static/boot.js shows the page's "internal error" banner for the trap. Tests and the e2e build keep
#     ordinary panics, with messages.
# These are unstable cargo/rustc flags; RUSTC_BOOTSTRAP=1 allows them on the stable toolchain that
# .ci/tools.sh checks, for the wasm target only (host build scripts and proc macros build as usual).
# Without rust-src (a toolchain that cannot add it), the build falls back to the prebuilt std.
sysroot_src="$(rustc --print sysroot)/lib/rustlib/src/rust/library"
if [ -d "$sysroot_src/std" ] && [ "${KAFKASCOPE_PREBUILT_STD:-0}" != 1 ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zpanic_abort_tests"
else
  echo "kafkascope: rust-src not found; the release wasm uses the prebuilt std (larger, see BENCHMARKS.md)" >&2
fi
unset sysroot_src

# Turns the size build off again in this shell (.ci/serve falls back to it when the size build fails,
# e.g. on a newer toolchain that renamed one of these unstable flags).
size_env_off() {
  unset RUSTC_BOOTSTRAP CARGO_UNSTABLE_BUILD_STD CARGO_UNSTABLE_BUILD_STD_FEATURES CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS
}
