//! `kaskade-wire-codegen SPECS_DIR OUT_DIR`: regenerates kaskade-wire's schema tables from the
//! message specs `e2e/peers/kafka/fetch.sh` unpacked (`$KASKADE_CACHE/kafka-VERSION/message-specs`).

use std::path::PathBuf;

use anyhow::{bail, Context};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [specs, out] = args.as_slice() else {
        bail!("usage: kaskade-wire-codegen SPECS_DIR OUT_DIR   (e.g. ~/.cache/kaskade/kafka-4.4.0/message-specs wire/src/generated)");
    };
    let specs = PathBuf::from(specs);
    let version = kaskade_wire_codegen::kafka_version_of(&specs)?;
    let files = kaskade_wire_codegen::generate(&specs, &version)?;
    let rustfmt_toml = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rustfmt.toml");
    kaskade_wire_codegen::write(&files, &PathBuf::from(out), &rustfmt_toml).context("writing the generated files")?;
    println!("{} files generated from Apache Kafka {version}'s specs into {out}", files.len());
    Ok(())
}
