//! Writes the node tier's own test images as docker-archive tarballs — the client
//! (`kaskade.dev/client:e2e`: `kaskade` plus busybox) and the Apache Kafka peer
//! (`kaskade.dev/apache-kafka:e2e`: the JDK of `JAVA_HOME` and Kafka's jars) — for `e2e/kind.sh`
//! to `docker load` and `kind load`: a kind cluster then runs the same scenarios as the node tier.
//!
//! ```text
//! kaskade-e2e-images KASKADE_BINARY OUT_DIR      # prints the tarballs' paths
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kaskade, out] = args.as_slice() else {
        eprintln!("usage: kaskade-e2e-images KASKADE_BINARY OUT_DIR");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("creating {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let built = kaskade_e2e::image::build_client_from(&PathBuf::from(kaskade), &out)
        .and_then(|client| Ok([client, kaskade_e2e::image::build_kafka(&out)?]));
    match built {
        Ok(tarballs) => {
            for tarball in tarballs {
                println!("{}", tarball.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("building the test images: {e}");
            ExitCode::FAILURE
        }
    }
}
