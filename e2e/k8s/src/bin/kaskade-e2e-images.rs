//! Writes the node tier's test client image (`kaskade.dev/client:e2e`: `kaskade` plus busybox)
//! as a docker-archive tarball, for `e2e/kind.sh` to `docker load` and `kind load`: a kind
//! cluster then runs the same scenarios as the node tier.
//!
//! ```text
//! kaskade-e2e-images KASKADE_BINARY OUT_DIR      # prints OUT_DIR/client.tar
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
    match kaskade_e2e::image::build_client_from(&PathBuf::from(kaskade), &out) {
        Ok(tarball) => {
            println!("{}", tarball.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("building the client image: {e}");
            ExitCode::FAILURE
        }
    }
}
