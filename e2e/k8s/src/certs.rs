//! The PKI of a test control plane, made with the `openssl` command: a CA, the API server's
//! serving certificate (for 127.0.0.1 and localhost, or the node tier's addresses), an admin client certificate in group
//! `system:masters` (P-256 keys: quick to generate), and the RSA key pair that signs
//! service-account tokens.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command;
use crate::error::{IoContext, Result};

/// Days the certificates are valid: a test control plane lives for minutes.
const DAYS: &str = "2";

/// Paths of the generated files, all inside one directory.
#[derive(Clone, Debug)]
pub struct Pki {
    pub ca_crt: PathBuf,
    pub ca_key: PathBuf,
    pub serving_crt: PathBuf,
    pub serving_key: PathBuf,
    pub admin_crt: PathBuf,
    pub admin_key: PathBuf,
    pub sa_key: PathBuf,
    pub sa_pub: PathBuf,
}

/// The admin's user name (the client certificate's CN).
pub const ADMIN_USER: &str = "kaskade-e2e-admin";

impl Pki {
    /// Generates everything into `dir` (which must exist), the API server's certificate for
    /// 127.0.0.1 and localhost.
    pub fn generate(dir: &Path) -> Result<Self> {
        Self::generate_for(dir, "IP:127.0.0.1,DNS:localhost")
    }

    /// [`Pki::generate`] with the API server's certificate for `sans` (`IP:…,DNS:…`).
    pub fn generate_for(dir: &Path, sans: &str) -> Result<Self> {
        let p = |name: &str| dir.join(name);
        let pki = Pki {
            ca_crt: p("ca.crt"),
            ca_key: p("ca.key"),
            serving_crt: p("serving.crt"),
            serving_key: p("serving.key"),
            admin_crt: p("admin.crt"),
            admin_key: p("admin.key"),
            sa_key: p("sa.key"),
            sa_pub: p("sa.pub"),
        };
        let ca_subject = "/CN=kaskade-e2e-ca";
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                DAYS,
                "-subj",
                ca_subject,
            ],
        )?;
        pki.sign(
            dir,
            "serving",
            "/CN=kube-apiserver",
            &format!("subjectAltName={sans}\nextendedKeyUsage=serverAuth\n"),
        )?;
        pki.client_cert(dir, "admin", ADMIN_USER, &["system:masters"])?;
        openssl(dir, &["genrsa", "-out", "sa.key", "2048"])?;
        openssl(dir, &["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"])?;
        Ok(pki)
    }

    /// Makes `NAME.crt`/`NAME.key` in `dir`: a client certificate for `user` in `groups`, signed by
    /// the CA (the API server maps CN to the user name and O to the groups).
    pub fn client_cert(&self, dir: &Path, name: &str, user: &str, groups: &[&str]) -> Result<(PathBuf, PathBuf)> {
        let subject: String = groups.iter().map(|g| format!("/O={g}")).chain([format!("/CN={user}")]).collect();
        self.sign(dir, name, &subject, "extendedKeyUsage=clientAuth\n")?;
        Ok((dir.join(format!("{name}.crt")), dir.join(format!("{name}.key"))))
    }

    /// Makes `NAME.crt`/`NAME.key` in `dir`: a serving certificate for `sans` (`IP:…,DNS:…`).
    pub fn server_cert(&self, dir: &Path, name: &str, common_name: &str, sans: &str) -> Result<(PathBuf, PathBuf)> {
        self.sign(
            dir,
            name,
            &format!("/CN={common_name}"),
            &format!("subjectAltName={sans}\nextendedKeyUsage=serverAuth\n"),
        )?;
        Ok((dir.join(format!("{name}.crt")), dir.join(format!("{name}.key"))))
    }

    /// Makes a key and a certificate `NAME.crt` for `subject` signed by the CA, with `extensions`.
    fn sign(&self, dir: &Path, name: &str, subject: &str, extensions: &str) -> Result<()> {
        let (key, csr, crt, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
            format!("{name}.ext"),
        );
        std::fs::write(dir.join(&ext), format!("basicConstraints=CA:FALSE\n{extensions}")).context(|| format!("writing {ext}"))?;
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                subject,
            ],
        )?;
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &crt,
                "-days",
                DAYS,
                "-extfile",
                &ext,
            ],
        )
    }
}

/// Runs `openssl ARGS` in `dir`.
fn openssl(dir: &Path, args: &[&str]) -> Result<()> {
    command::output(Command::new("openssl").args(args).current_dir(dir)).map(|_| ())
}
