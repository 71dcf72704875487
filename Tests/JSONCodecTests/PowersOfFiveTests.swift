// PowersOfFiveTests.swift — the generated 128-bit powers of five equal the table fast_float ships,
// checked against values computed independently with Python's big integers (Lemire's script).
@testable import JSONCodec
import Testing

@Suite struct PowersOfFiveTests {
    func entry(_ q: Int) -> (UInt64, UInt64) {
        let t = PowersOfFive.table
        return (t[2 * (q + 342)], t[2 * (q + 342) + 1])
    }

    @Test func knownEntries() {
        #expect(entry(-342) == (0xeef4_53d6_923b_d65a, 0x113f_aa29_06a1_3b3f))
        #expect(entry(-27) == (0x9e74_d1b7_91e0_7e48, 0x775e_a264_cf55_347e))
        #expect(entry(-26) == (0xc612_0625_7658_9dda, 0x9536_4afe_032a_819e))
        #expect(entry(-1) == (0xcccc_cccc_cccc_cccc, 0xcccc_cccc_cccc_cccd))
        #expect(entry(0) == (0x8000_0000_0000_0000, 0))
        #expect(entry(1) == (0xa000_0000_0000_0000, 0))
        #expect(entry(55) == (0xd0cf_4b50_cfe2_0765, 0xfff4_b4e3_f741_cf6d))
        #expect(entry(308) == (0x8e67_9c2f_5e44_ff8f, 0x570f_09ea_a7ea_7648))
    }

    /// Two checksums over all 651 entries; the expected values come from Python (Lemire's generator script):
    /// x ^= (hi*31 + lo) mod 2^64;  s = (s*1000003 + (hi ^ lo)) mod 2^64.
    @Test func wholeTableChecksum() {
        var x: UInt64 = 0, s: UInt64 = 0
        for q in -342...308 {
            let (hi, lo) = entry(q)
            x ^= hi &* 31 &+ lo
            s = s &* 1_000_003 &+ (hi ^ lo)
            #expect(hi >> 63 == 1, "entry \(q) is not normalized")
        }
        #expect(x == 0xc52c_1567_09e3_43d7)
        #expect(s == 0x54c6_e75f_72b9_6c1b)
    }
}
