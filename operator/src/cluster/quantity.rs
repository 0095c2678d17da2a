//! Kubernetes quantities (`10Gi`, `500M`, `1.5e9`) checked before they reach a volume claim: a
//! malformed size would otherwise only surface as an apply error on the StatefulSet, far from the
//! field the user wrote.

/// Checks that `text` is a Kubernetes quantity greater than zero, with apimachinery's grammar:
/// a signed decimal number (`1`, `1.5`, `1.`, `.5`) and one suffix: binary (`Ki` … `Ei`), decimal
/// (`n`, `u`, `m`, none, `k`, `M` … `E`) or an exponent (`e3`, `E-2`). Says what is wrong otherwise.
pub fn check_positive(text: &str) -> Result<(), String> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() || number.matches('.').count() > 1 {
        return Err("not a Kubernetes quantity (expected a number and an optional unit, such as 10Gi)".into());
    }
    if !is_suffix(suffix) {
        return Err(format!("unknown unit {suffix:?} (use Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P or E)"));
    }
    if negative || digits.bytes().all(|d| d == b'0') {
        return Err("must be greater than zero".into());
    }
    Ok(())
}

fn is_suffix(s: &str) -> bool {
    const UNITS: &[&str] = &["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"];
    if UNITS.contains(&s) {
        return true;
    }
    match s.strip_prefix(['e', 'E']) {
        Some(exp) => {
            let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            !exp.is_empty() && exp.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::check_positive;

    #[test]
    fn accepts_kubernetes_quantities() {
        for q in [
            "10Gi", "1", "500M", "1.5Gi", "1.", ".5Ti", "+2Ki", "1e9", "1E+3", "2e-1", "100k", "3Ei",
        ] {
            assert_eq!(check_positive(q), Ok(()), "{q}");
        }
    }

    #[test]
    fn rejects_what_the_api_server_would() {
        for q in ["", "Gi", "ten", "10 Gi", "10GB", "10K", "1.2.3Gi", "10Gib", "1e", "1e1.5", "."] {
            assert!(check_positive(q).is_err(), "{q}");
        }
    }

    #[test]
    fn rejects_zero_and_negative_sizes() {
        assert_eq!(check_positive("0Gi"), Err("must be greater than zero".into()));
        assert_eq!(check_positive("0.0"), Err("must be greater than zero".into()));
        assert_eq!(check_positive("-1Gi"), Err("must be greater than zero".into()));
    }
}
