//! Kubernetes resource quantities (`1000m`, `1Gi`, `0.5`, `1e3`) as exact amounts, so that the
//! matcher reads a desired `1000m` and the API server's canonical `1` as the same value.

use serde_json::Value;

/// An exact amount, `mantissa × 10^exponent`, kept without trailing zeros in the mantissa so that
/// equal amounts are equal values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Quantity {
    mantissa: i128,
    exponent: i32,
}

/// Parses a quantity as the API server does: an optional sign, a decimal number, and one suffix —
/// binary (`Ki` … `Ei`), decimal SI (`n`, `u`, `m`, none, `k`, `M` … `E`) or an exponent (`e3`,
/// `E-2`). `None` when the text is not a quantity or does not fit in 128 bits.
pub(crate) fn parse(text: &str) -> Option<Quantity> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
        return None;
    }
    let mut mantissa: i128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(digit - b'0'))?;
    }
    let (decimal, binary) = scale(suffix)?;
    mantissa = mantissa.checked_mul(1_i128 << binary)?;
    if negative {
        mantissa = -mantissa;
    }
    let exponent = decimal.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    Quantity { mantissa, exponent }.normalised()
}

/// The power of ten and the power of two a suffix stands for.
fn scale(suffix: &str) -> Option<(i32, u32)> {
    Some(match suffix {
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "" => (0, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => (suffix.strip_prefix(['e', 'E'])?.parse().ok()?, 0),
    })
}

impl Quantity {
    fn normalised(mut self) -> Option<Self> {
        if self.mantissa == 0 {
            return Some(Quantity {
                mantissa: 0,
                exponent: 0,
            });
        }
        while self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.exponent = self.exponent.checked_add(1)?;
        }
        Some(self)
    }
}

/// Whether two values are the same amount, when either is a quantity marked by its type
/// ([`typed::to_marked_value`]); `None` when neither is.
pub(super) fn same(desired: &Value, cached: &Value) -> Option<bool> {
    let text = |value: &Value| super::typed::marked_quantity(value).map(str::to_owned);
    if text(desired).is_none() && text(cached).is_none() {
        return None;
    }
    let amount = |value: &Value| match text(value) {
        Some(text) => parse(&text),
        None => match value {
            Value::String(text) => parse(text),
            Value::Number(number) => parse(&number.to_string()),
            _ => None,
        },
    };
    Some(matches!((amount(desired), amount(cached)), (Some(a), Some(b)) if a == b))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn millis_and_whole_units_are_the_same_amount() {
        assert_eq!(parse("1000m"), parse("1"));
        assert_eq!(parse("500m"), parse("0.5"));
        assert_eq!(parse("1500m"), parse("1.5"));
        assert_ne!(parse("100m"), parse("1"));
    }

    #[test]
    fn binary_suffixes_are_powers_of_two() {
        assert_eq!(parse("1Gi"), parse("1024Mi"));
        assert_eq!(parse("1.5Gi"), parse("1536Mi"));
        assert_eq!(parse("1Ki"), parse("1024"));
        assert_ne!(parse("1Gi"), parse("1G"));
    }

    #[test]
    fn decimal_suffixes_and_exponents_are_powers_of_ten() {
        assert_eq!(parse("1k"), parse("1000"));
        assert_eq!(parse("1e3"), parse("1k"));
        assert_eq!(parse("1E3"), parse("1000"));
        assert_eq!(parse("2e-3"), parse("2m"));
        assert_eq!(parse("1E"), parse("1e18"));
        assert_eq!(parse("128M"), parse("128000000"));
        assert_eq!(parse("5n"), parse("0.005u"));
    }

    #[test]
    fn signs_and_zero() {
        assert_eq!(parse("-1"), parse("-1000m"));
        assert_ne!(parse("-1"), parse("1"));
        assert_eq!(parse("+2"), parse("2"));
        assert_eq!(parse("0"), parse("0Gi"));
        assert_eq!(parse("0"), parse("0.000m"));
    }

    #[test]
    fn text_that_is_not_a_quantity_does_not_parse() {
        for text in [
            "", "m", "abc", "1.2.3", "1K", "1Ki2", "--1", "1 Gi", "e3", "1e", "1e3.5",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
        assert!(parse("1").is_some());
    }

    #[test]
    fn amounts_too_large_for_128_bits_do_not_parse() {
        assert_eq!(parse("1000000000000000000000000000000000000000Ei"), None);
        assert!(parse("1000000Ei").is_some());
    }
}
