//! Stable fingerprints of findings, for SARIF `partialFingerprints` and GitLab's
//! `fingerprint`. A finding must keep its fingerprint when unrelated edits move
//! it to another line, so the hash covers the rule, the file, the text of the
//! finding's first line (trimmed) and which occurrence of that same triple it
//! is in the file, never a line number.

use std::collections::HashMap;

use super::Located;

/// The fingerprint of each finding of `located`, in the same order. `located`
/// must be in file order, then source order (as the report builds it), so that
/// the occurrence index is stable.
pub fn fingerprints(located: &[Located]) -> Vec<String> {
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    located
        .iter()
        .map(|item| {
            let code = item.diagnostic.rule.code();
            let line_range = item.line_index.line_range(item.start.line, &item.file.text);
            let line = item.file.text[line_range].trim();
            let occurrence = seen
                .entry((code, item.file.relative.as_str(), line))
                .or_default();
            let index = *occurrence;
            *occurrence += 1;
            // The occurrence goes first: FNV spreads early bytes over the whole hash.
            let hash = fnv1a_128(&[
                index.to_string().as_bytes(),
                code.as_bytes(),
                item.file.relative.as_bytes(),
                line.as_bytes(),
            ]);
            format!("{hash:032x}")
        })
        .collect()
}

/// FNV-1a, 128 bits, over the parts separated by a NUL byte: fixed by its
/// definition, so the same input hashes the same on every platform and release.
fn fnv1a_128(parts: &[&[u8]]) -> u128 {
    const OFFSET_BASIS: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET_BASIS;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            // A NUL separator byte: xor with 0 changes nothing, the multiply remains.
            hash = hash.wrapping_mul(PRIME);
        }
        for byte in *part {
            hash ^= u128::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_128_matches_the_reference_vectors() {
        // From the FNV reference (draft-eastlake-fnv): FNV-1a 128 of "" and "a".
        assert_eq!(fnv1a_128(&[]), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a_128(&[b"a"]), 0xd228cb696f1a8caf78912b704e4a8964);
    }

    #[test]
    fn parts_are_separated() {
        assert_ne!(fnv1a_128(&[b"ab", b"c"]), fnv1a_128(&[b"a", b"bc"]));
    }
}
